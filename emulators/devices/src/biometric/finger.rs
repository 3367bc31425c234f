//! Synthetic thumbs: the minutiae a finger really has, before any reader sees it.
//!
//! A finger is drawn once per resident from a stream and never changes; every capture is a
//! noisy view of it (see [`crate::biometric::reader`]). Minutiae lie on an elliptical pad
//! of a plain thumb impression at 500 ppi (about 15 mm by 19 mm), at least
//! [`MINUTIA_SPACING_MIN_PIXELS`] apart (about two ridge periods, as extractors keep them), and
//! point along the ridge flow of [`RidgeFlow`]. The quality class follows age: poor fingers
//! for 30% of residents aged 65 or over and 5% of the others (issue 4).

use super::ridge_flow::{PadPoint, RidgeFlow};
use hkic_base::{Stream, bernoulli};
use hkic_protocol::template::{FingerPosition, MinutiaKind};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use std::f64::consts::PI;

/// Semi-axes of the pad ellipse, pixels at 500 ppi (7.6 mm and 9.4 mm).
pub const PAD_SEMI_AXIS_X_PIXELS: f64 = 150.0;
pub const PAD_SEMI_AXIS_Y_PIXELS: f64 = 185.0;
/// No two minutiae of a finger are closer than this (about 0.9 mm, two ridge periods).
pub const MINUTIA_SPACING_MIN_PIXELS: f64 = 18.0;
/// A thumb has from 30 to 60 minutiae on a plain impression.
pub const MINUTIAE_MIN: usize = 30;
pub const MINUTIAE_MAX: usize = 60;
/// Share of ridge endings among minutiae (the rest are bifurcations).
const RIDGE_ENDING_SHARE: f64 = 0.55;
/// How far a minutia's direction strays from the local ridge flow, radians (4 degrees).
const DIRECTION_SPREAD_RADIANS: f64 = 4.0 * PI / 180.0;
/// Draws per wanted minutia before giving up on spacing (never reached at these densities:
/// 60 minutiae exclude at most a fifth of the pad).
const PLACEMENT_ATTEMPTS_PER_MINUTIA: usize = 200;
/// Age from which the poor-finger share rises.
pub const ELDERLY_AGE_YEARS: u32 = 65;

/// How well a finger images: the reader's noise depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FingerQuality {
    Normal,
    /// Worn, dry or creased skin: the elderly, manual workers.
    Poor,
}

/// Probability that a resident of this age has poor fingers.
pub fn poor_finger_probability(age_years: u32) -> f64 {
    if age_years >= ELDERLY_AGE_YEARS {
        0.30
    } else {
        0.05
    }
}

/// The finger quality class of a resident of this age.
pub fn draw_finger_quality(age_years: u32, stream: &mut Stream) -> FingerQuality {
    if bernoulli(stream, poor_finger_probability(age_years)) {
        FingerQuality::Poor
    } else {
        FingerQuality::Normal
    }
}

/// A minutia as it is on the finger, in the pad frame (pixels, origin at the pad centre).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FingerMinutia {
    pub position: PadPoint,
    /// Radians in the pad frame, `atan2(dy, dx)` of the way the minutia points with y down,
    /// so clockwise on screen; ISO/IEC 19794-2 angles run counter-clockwise on screen and the
    /// reader writes the negation.
    pub direction: f64,
    pub kind: MinutiaKind,
}

/// One synthetic finger.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticFinger {
    pub position: FingerPosition,
    pub quality: FingerQuality,
    pub flow: RidgeFlow,
    pub minutiae: Vec<FingerMinutia>,
}

impl SyntheticFinger {
    /// A finger with 30 to 60 minutiae drawn from `stream`.
    pub fn generate(
        position: FingerPosition,
        quality: FingerQuality,
        stream: &mut Stream,
    ) -> SyntheticFinger {
        let flow = RidgeFlow::generate(stream);
        let wanted = stream.random_range(MINUTIAE_MIN..=MINUTIAE_MAX);
        let mut minutiae: Vec<FingerMinutia> = Vec::with_capacity(wanted);
        for _ in 0..wanted * PLACEMENT_ATTEMPTS_PER_MINUTIA {
            if minutiae.len() == wanted {
                break;
            }
            let point = random_pad_point(stream);
            let crowded = minutiae
                .iter()
                .any(|other| closer_than(other.position, point, MINUTIA_SPACING_MIN_PIXELS));
            if !crowded {
                minutiae.push(minutia_at(point, &flow, stream));
            }
        }
        assert!(
            minutiae.len() == wanted,
            "the pad holds {wanted} spaced minutiae"
        );
        SyntheticFinger {
            position,
            quality,
            flow,
            minutiae,
        }
    }
}

/// A uniformly distributed point of the pad ellipse.
pub fn random_pad_point(stream: &mut Stream) -> PadPoint {
    let radius = stream.random::<f64>().sqrt();
    let angle = stream.random_range(0.0..2.0 * PI);
    PadPoint {
        x: radius * angle.cos() * PAD_SEMI_AXIS_X_PIXELS,
        y: radius * angle.sin() * PAD_SEMI_AXIS_Y_PIXELS,
    }
}

/// A minutia at `point`: direction along the ridge flow, either way along the ridge.
pub fn minutia_at(point: PadPoint, flow: &RidgeFlow, stream: &mut Stream) -> FingerMinutia {
    let along = flow.orientation_at(point);
    let reversed = if stream.random::<bool>() { PI } else { 0.0 };
    let spread: f64 = StandardNormal.sample(stream);
    let kind = if bernoulli(stream, RIDGE_ENDING_SHARE) {
        MinutiaKind::RidgeEnding
    } else {
        MinutiaKind::Bifurcation
    };
    FingerMinutia {
        position: point,
        direction: (along + reversed + spread * DIRECTION_SPREAD_RADIANS).rem_euclid(2.0 * PI),
        kind,
    }
}

/// Whether `a` and `b` are less than `limit` apart. Squares, not `hypot`: this runs for every
/// pair of minutiae a finger places, every time a finger is made, and libm's `hypot` (exact
/// to the last bit, guarding against overflow no pad coordinate comes near) was a twentieth
/// of a full-fidelity run.
pub(crate) fn closer_than(a: PadPoint, b: PadPoint, limit: f64) -> bool {
    let (dx, dy) = (a.x - b.x, a.y - b.y);
    dx * dx + dy * dy < limit * limit
}
