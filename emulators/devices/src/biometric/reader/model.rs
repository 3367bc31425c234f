//! What a reader does, as parameters: the placement range, the noise of each finger class,
//! when a capture fails and how long captures take. Defaults are issue 4's figures; the
//! capture times are assumptions (see [`super`]).

use crate::biometric::finger::FingerQuality;
use hkic_base::{DurationDist, SimDuration};
use hkic_protocol::template::CaptureEquipment;

/// The noise of one capture of a finger of one quality class.
#[derive(Debug, Clone)]
pub struct ReaderNoise {
    /// Standard deviation per axis, pixels.
    pub position_jitter_pixels: f64,
    /// Standard deviation of a minutia's direction, degrees.
    pub angle_jitter_degrees: f64,
    /// Probability that a real minutia is not extracted.
    pub missing_probability: f64,
    /// Expected spurious minutiae per real minutia of the finger.
    pub spurious_fraction: f64,
    /// Probability that an ending is reported as a bifurcation or the other way round.
    pub kind_flip_probability: f64,
    /// The reader's quality score: a normal distribution clamped to 1..=100.
    pub quality_score_mean: f64,
    pub quality_score_spread: f64,
    /// Range of the per-minutia quality the extractor reports (the same for real and
    /// spurious minutiae).
    pub minutia_quality_range: (u8, u8),
    /// Probability that an attempt does not detect the finger at all (misplaced, lifted).
    pub not_detected_probability: f64,
    pub capture_time: DurationDist,
}

impl ReaderNoise {
    /// Issue 4's noise for a finger of this class.
    pub fn for_quality(quality: FingerQuality) -> ReaderNoise {
        match quality {
            FingerQuality::Normal => ReaderNoise {
                position_jitter_pixels: 4.0,
                angle_jitter_degrees: 10.0,
                missing_probability: 0.15,
                spurious_fraction: 0.10,
                kind_flip_probability: 0.05,
                quality_score_mean: 78.0,
                quality_score_spread: 8.0,
                minutia_quality_range: (40, 100),
                not_detected_probability: 0.01,
                capture_time: lognormal_seconds(1.5, 0.25),
            },
            FingerQuality::Poor => ReaderNoise {
                position_jitter_pixels: 8.0,
                angle_jitter_degrees: 20.0,
                missing_probability: 0.35,
                spurious_fraction: 0.25,
                kind_flip_probability: 0.05,
                quality_score_mean: 42.0,
                quality_score_spread: 12.0,
                minutia_quality_range: (15, 80),
                not_detected_probability: 0.04,
                capture_time: lognormal_seconds(2.5, 0.35),
            },
        }
    }
}

fn lognormal_seconds(median_seconds: f64, sigma: f64) -> DurationDist {
    DurationDist::lognormal(SimDuration::from_secs_f64(median_seconds), sigma)
        .expect("a positive median and a sigma within 0..=5")
}

/// Why a reader's parameters are unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReaderError {
    #[error("{field} is {value}, expected {expected}")]
    BadParameter {
        field: &'static str,
        value: f64,
        expected: &'static str,
    },
}

/// Everything a reader does, for both finger classes.
#[derive(Debug, Clone)]
pub struct ReaderModel {
    pub rotation_degrees_max: f64,
    pub translation_pixels_max: f64,
    pub image_width_pixels: u16,
    pub image_height_pixels: u16,
    pub normal: ReaderNoise,
    pub poor: ReaderNoise,
    /// Fewer minutiae than this and the capture fails.
    pub minutiae_min: usize,
    /// Below this quality score the reader asks for another try, with this probability.
    pub quality_score_min: u8,
    pub low_quality_rejection_probability: f64,
    pub failed_capture_time: DurationDist,
    pub capture_equipment: CaptureEquipment,
}

impl Default for ReaderModel {
    /// Issue 4's reader: a 500 x 500 pixel (25.4 mm square) live-scan platen at 500 ppi.
    fn default() -> ReaderModel {
        ReaderModel {
            rotation_degrees_max: 15.0,
            translation_pixels_max: 50.0,
            image_width_pixels: 500,
            image_height_pixels: 500,
            normal: ReaderNoise::for_quality(FingerQuality::Normal),
            poor: ReaderNoise::for_quality(FingerQuality::Poor),
            minutiae_min: 12,
            quality_score_min: 25,
            low_quality_rejection_probability: 0.5,
            failed_capture_time: lognormal_seconds(3.0, 0.3),
            capture_equipment: CaptureEquipment {
                certification: 0,
                device_type: 0x0500,
            },
        }
    }
}

impl ReaderModel {
    /// Checks every parameter is finite and within its range.
    pub fn check(&self) -> Result<(), ReaderError> {
        check_placement(self)?;
        for noise in [&self.normal, &self.poor] {
            check_noise(noise)?;
        }
        Ok(())
    }
}

fn bad(field: &'static str, value: f64, expected: &'static str) -> ReaderError {
    ReaderError::BadParameter {
        field,
        value,
        expected,
    }
}

fn within(value: f64, low: f64, high: f64) -> bool {
    value.is_finite() && (low..=high).contains(&value)
}

fn check_placement(model: &ReaderModel) -> Result<(), ReaderError> {
    if !within(model.rotation_degrees_max, 0.0, 180.0) {
        return Err(bad(
            "rotation_degrees_max",
            model.rotation_degrees_max,
            "0 to 180",
        ));
    }
    if !within(model.translation_pixels_max, 0.0, 10_000.0) {
        let value = model.translation_pixels_max;
        return Err(bad("translation_pixels_max", value, "0 to 10000"));
    }
    if !within(model.low_quality_rejection_probability, 0.0, 1.0) {
        let value = model.low_quality_rejection_probability;
        return Err(bad("low_quality_rejection_probability", value, "0 to 1"));
    }
    Ok(())
}

fn check_noise(noise: &ReaderNoise) -> Result<(), ReaderError> {
    let checks = [
        (
            "position_jitter_pixels",
            noise.position_jitter_pixels,
            100.0,
        ),
        ("angle_jitter_degrees", noise.angle_jitter_degrees, 180.0),
        ("missing_probability", noise.missing_probability, 1.0),
        ("spurious_fraction", noise.spurious_fraction, 1.0),
        ("kind_flip_probability", noise.kind_flip_probability, 1.0),
        ("quality_score_mean", noise.quality_score_mean, 100.0),
        ("quality_score_spread", noise.quality_score_spread, 100.0),
        (
            "not_detected_probability",
            noise.not_detected_probability,
            1.0,
        ),
    ];
    for (field, value, high) in checks {
        if !within(value, 0.0, high) {
            return Err(bad(field, value, "from 0 to its bound, and finite"));
        }
    }
    let (low, high) = noise.minutia_quality_range;
    if low > high || high > 100 {
        return Err(bad(
            "minutia_quality_range",
            f64::from(high),
            "low <= high <= 100",
        ));
    }
    Ok(())
}
