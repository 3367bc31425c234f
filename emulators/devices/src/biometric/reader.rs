//! A fingerprint reader: turns a synthetic finger into an ISO/IEC 19794-2 finger view, with
//! the noise a live-scan capture has, a quality score, failures to capture and a capture time.
//!
//! Inputs: a [`SyntheticFinger`] and a stream. Output: a [`CaptureOutcome`]. Nothing
//! persists; the same finger and stream state give the same capture.
//!
//! Noise (issue 4's floor, at 500 ppi): the finger lands rotated uniformly within
//! +-15 degrees and shifted within +-50 px; each minutia moves by a Gaussian jitter (sigma
//! 4 px per axis) and turns by one (sigma 10 degrees); 15% of minutiae are missed and 10%
//! as many spurious ones appear, placed on the pad along the ridge flow so that they look
//! like real ones; a poor finger loses 35%, gains 25% and has twice the jitter. The reader
//! also misreads an ending as a bifurcation (or back) 5% of the time. Minutiae come out in
//! scan order (by row, then column), so their order says nothing about which are real.
//! The platen is 500 x 500 px (25.4 mm square, so a capture fits the compact card format);
//! a minutia that lands off it is lost.
//!
//! Quality and failure: the quality score is drawn per capture from the finger class (about
//! 78 for a normal finger, 42 for a poor one) and lowered when fewer than 20 minutiae show.
//! An attempt fails when the finger is not detected (1% of attempts, 4% for a poor finger),
//! when fewer than 12 minutiae are found, or, half of the time, when the score is under 25.
//!
//! Capture times are assumptions (no kiosk timing was published, domain.md section 7): a
//! log-normal with median 1.5 s for a normal finger and 2.5 s for a poor one (more
//! repositioning), 3 s for an attempt that fails.

mod model;

pub use model::{ReaderError, ReaderModel, ReaderNoise};

use super::finger::{FingerQuality, SyntheticFinger, minutia_at, random_pad_point};
use super::ridge_flow::PadPoint;
use hkic_base::{SimDuration, Stream, bernoulli};
use hkic_protocol::template::{
    FingerView, ImpressionType, Minutia, MinutiaKind, MinutiaeRecord, RESOLUTION_500_PPI,
};
use rand::RngExt;
use rand_distr::{Binomial, Distribution, StandardNormal};
use std::f64::consts::PI;

/// What one attempt to capture a finger gives.
#[derive(Debug, Clone, PartialEq)]
pub enum CaptureOutcome {
    Captured(FingerprintCapture),
    Failed(CaptureFailure),
}

/// A successful capture: the finger view (its quality field holds the quality score).
#[derive(Debug, Clone, PartialEq)]
pub struct FingerprintCapture {
    pub view: FingerView,
    pub duration: SimDuration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaptureFailure {
    pub reason: FailureReason,
    pub duration: SimDuration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureReason {
    FingerNotDetected,
    TooFewMinutiae { found: usize },
    QualityTooLow { score: u8 },
}

/// A fingerprint reader built from a checked [`ReaderModel`].
#[derive(Debug, Clone)]
pub struct FingerprintReader {
    model: ReaderModel,
}

impl FingerprintReader {
    pub fn new(model: ReaderModel) -> Result<FingerprintReader, ReaderError> {
        model.check()?;
        Ok(FingerprintReader { model })
    }

    pub fn model(&self) -> &ReaderModel {
        &self.model
    }

    /// One attempt to capture `finger`.
    pub fn capture(&self, finger: &SyntheticFinger, stream: &mut Stream) -> CaptureOutcome {
        let noise = match finger.quality {
            FingerQuality::Normal => &self.model.normal,
            FingerQuality::Poor => &self.model.poor,
        };
        if bernoulli(stream, noise.not_detected_probability) {
            return self.failure(FailureReason::FingerNotDetected, stream);
        }
        let pose = Pose::draw(&self.model, stream);
        let minutiae = self.extract(finger, noise, &pose, stream);
        let score = quality_score(noise, minutiae.len(), stream);
        if minutiae.len() < self.model.minutiae_min {
            let found = minutiae.len();
            return self.failure(FailureReason::TooFewMinutiae { found }, stream);
        }
        if score < self.model.quality_score_min
            && bernoulli(stream, self.model.low_quality_rejection_probability)
        {
            return self.failure(FailureReason::QualityTooLow { score }, stream);
        }
        CaptureOutcome::Captured(FingerprintCapture {
            view: FingerView {
                position: finger.position,
                view_number: 0,
                impression: ImpressionType::LiveScanPlain,
                quality: score,
                minutiae,
                extended_data: Vec::new(),
            },
            duration: noise.capture_time.sample(stream),
        })
    }

    /// A record holding `views` as this reader writes them (500 ppi, its image size).
    pub fn record(&self, views: Vec<FingerView>) -> MinutiaeRecord {
        MinutiaeRecord {
            capture_equipment: self.model.capture_equipment,
            image_width_pixels: self.model.image_width_pixels,
            image_height_pixels: self.model.image_height_pixels,
            resolution_x_pixels_per_centimetre: RESOLUTION_500_PPI,
            resolution_y_pixels_per_centimetre: RESOLUTION_500_PPI,
            views,
        }
    }

    fn failure(&self, reason: FailureReason, stream: &mut Stream) -> CaptureOutcome {
        CaptureOutcome::Failed(CaptureFailure {
            reason,
            duration: self.model.failed_capture_time.sample(stream),
        })
    }

    /// The minutiae the extractor reports: the surviving real ones with jitter and the
    /// spurious ones, posed on the platen, clipped to the image, in scan order.
    fn extract(
        &self,
        finger: &SyntheticFinger,
        noise: &ReaderNoise,
        pose: &Pose,
        stream: &mut Stream,
    ) -> Vec<Minutia> {
        let jitter_angle = noise.angle_jitter_degrees.to_radians();
        let mut minutiae = Vec::with_capacity(finger.minutiae.len() * 2);
        for real in &finger.minutiae {
            if bernoulli(stream, noise.missing_probability) {
                continue;
            }
            let position = PadPoint {
                x: real.position.x + gaussian(stream) * noise.position_jitter_pixels,
                y: real.position.y + gaussian(stream) * noise.position_jitter_pixels,
            };
            let direction = real.direction + gaussian(stream) * jitter_angle;
            let kind = flip_kind(real.kind, noise.kind_flip_probability, stream);
            let quality = minutia_quality(noise, stream);
            minutiae.extend(self.place(pose, position, direction, kind, quality));
        }
        let spurious = spurious_count(finger.minutiae.len(), noise.spurious_fraction, stream);
        for _ in 0..spurious {
            let fake = minutia_at(random_pad_point(stream), &finger.flow, stream);
            let quality = minutia_quality(noise, stream);
            minutiae.extend(self.place(pose, fake.position, fake.direction, fake.kind, quality));
        }
        minutiae.sort_by_key(|minutia| (minutia.y, minutia.x, minutia.angle));
        minutiae
    }

    /// A pad-frame minutia posed on the platen, or `None` when it falls off the image.
    fn place(
        &self,
        pose: &Pose,
        position: PadPoint,
        direction: f64,
        kind: MinutiaKind,
        quality: u8,
    ) -> Option<Minutia> {
        let (sin, cos) = pose.rotation.sin_cos();
        let x = pose.centre.x + cos * position.x - sin * position.y;
        let y = pose.centre.y + sin * position.x + cos * position.y;
        let x = x.round();
        let y = y.round();
        let inside = |value: f64, size: u16| value >= 0.0 && value < f64::from(size);
        if !inside(x, self.model.image_width_pixels) || !inside(y, self.model.image_height_pixels) {
            return None;
        }
        // The standard's angles turn counter-clockwise on screen: negate the y-down angle.
        let turns = -(direction + pose.rotation) / (2.0 * PI);
        let angle = (turns.rem_euclid(1.0) * 256.0).round() as u32 % 256;
        Some(Minutia {
            x: x as u16,
            y: y as u16,
            angle: angle as u8,
            kind,
            quality,
        })
    }
}

/// Where and how the finger lands on the platen.
struct Pose {
    /// Radians, y-down frame.
    rotation: f64,
    /// Image position of the pad centre, pixels.
    centre: PadPoint,
}

impl Pose {
    fn draw(model: &ReaderModel, stream: &mut Stream) -> Pose {
        let rotation = symmetric(stream, model.rotation_degrees_max).to_radians();
        let centre = PadPoint {
            x: f64::from(model.image_width_pixels) / 2.0
                + symmetric(stream, model.translation_pixels_max),
            y: f64::from(model.image_height_pixels) / 2.0
                + symmetric(stream, model.translation_pixels_max),
        };
        Pose { rotation, centre }
    }
}

/// Uniform on [-limit, limit].
fn symmetric(stream: &mut Stream, limit: f64) -> f64 {
    (stream.random::<f64>() * 2.0 - 1.0) * limit
}

fn gaussian(stream: &mut Stream) -> f64 {
    StandardNormal.sample(stream)
}

fn flip_kind(kind: MinutiaKind, probability: f64, stream: &mut Stream) -> MinutiaKind {
    if !bernoulli(stream, probability) {
        return kind;
    }
    match kind {
        MinutiaKind::RidgeEnding => MinutiaKind::Bifurcation,
        MinutiaKind::Bifurcation => MinutiaKind::RidgeEnding,
        MinutiaKind::Other => MinutiaKind::Other,
    }
}

fn minutia_quality(noise: &ReaderNoise, stream: &mut Stream) -> u8 {
    let (low, high) = noise.minutia_quality_range;
    stream.random_range(low..=high)
}

fn spurious_count(real: usize, fraction: f64, stream: &mut Stream) -> u64 {
    match Binomial::new(real as u64, fraction.clamp(0.0, 1.0)) {
        Ok(binomial) => binomial.sample(stream),
        Err(_) => 0,
    }
}

/// The reader's quality score: its class's distribution, lowered when few minutiae show.
fn quality_score(noise: &ReaderNoise, minutiae: usize, stream: &mut Stream) -> u8 {
    let shortfall = 20usize.saturating_sub(minutiae) as f64 * 2.0;
    let score = noise.quality_score_mean + gaussian(stream) * noise.quality_score_spread;
    (score - shortfall).round().clamp(1.0, 100.0) as u8
}
