//! The ridge flow of a synthetic thumb: an orientation field from the zero-pole model of
//! Sherlock and Monro (1993), in which each core turns the ridges by half a turn around it and
//! each delta by half a turn the other way.
//!
//! Why a flow at all: on a real finger, neighbouring minutiae point along the same ridges, so
//! two different fingers agree on minutia directions far more often than random angles
//! would. A matcher tested on independent random directions would look better than it is.

use hkic_base::Stream;
use rand::RngExt;
use std::f64::consts::PI;

/// Henry pattern classes of thumbs (arches are rare on thumbs but occur).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternClass {
    Arch,
    LeftLoop,
    RightLoop,
    Whorl,
}

/// A point of the finger frame in pixels at 500 ppi, origin at the centre of the pad,
/// x to the right and y downwards (as in the image).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PadPoint {
    pub x: f64,
    pub y: f64,
}

/// The orientation field of one finger.
#[derive(Debug, Clone, PartialEq)]
pub struct RidgeFlow {
    pub class: PatternClass,
    cores: Vec<PadPoint>,
    deltas: Vec<PadPoint>,
    /// Orientation far from the singular points, radians.
    base_orientation: f64,
    /// For arches: how strongly the ridges bend upwards in the middle, radians.
    arch_bend: f64,
}

impl RidgeFlow {
    /// A flow drawn from thumb pattern frequencies (whorls 45%, loops 25% each way, arches
    /// 5%) with singular points placed where they sit on a plain thumb impression.
    pub fn generate(stream: &mut Stream) -> RidgeFlow {
        let draw: f64 = stream.random();
        let class = if draw < 0.45 {
            PatternClass::Whorl
        } else if draw < 0.70 {
            PatternClass::LeftLoop
        } else if draw < 0.95 {
            PatternClass::RightLoop
        } else {
            PatternClass::Arch
        };
        let core = PadPoint {
            x: stream.random_range(-50.0..50.0),
            y: stream.random_range(-70.0..30.0),
        };
        let side = |stream: &mut Stream, sign: f64| PadPoint {
            x: core.x + sign * stream.random_range(90.0..160.0),
            y: core.y + stream.random_range(80.0..150.0),
        };
        let (cores, deltas) = match class {
            PatternClass::Arch => (vec![], vec![]),
            PatternClass::LeftLoop => (vec![core], vec![side(stream, 1.0)]),
            PatternClass::RightLoop => (vec![core], vec![side(stream, -1.0)]),
            PatternClass::Whorl => {
                let offset = PadPoint {
                    x: stream.random_range(-25.0..25.0),
                    y: stream.random_range(15.0..45.0),
                };
                let second_core = PadPoint {
                    x: core.x + offset.x,
                    y: core.y + offset.y,
                };
                (
                    vec![core, second_core],
                    vec![side(stream, 1.0), side(stream, -1.0)],
                )
            }
        };
        RidgeFlow {
            class,
            cores,
            deltas,
            base_orientation: stream.random_range(-0.25..0.25),
            arch_bend: stream.random_range(0.3..0.7),
        }
    }

    /// Ridge orientation at `point`, radians in [0, pi).
    pub fn orientation_at(&self, point: PadPoint) -> f64 {
        let mut orientation = self.base_orientation;
        for core in &self.cores {
            orientation += 0.5 * (point.y - core.y).atan2(point.x - core.x);
        }
        for delta in &self.deltas {
            orientation -= 0.5 * (point.y - delta.y).atan2(point.x - delta.x);
        }
        if self.class == PatternClass::Arch {
            // Ridges rise towards the middle: the slope changes sign across x = 0.
            orientation += self.arch_bend * (-point.x / 120.0).tanh() * (-(point.y / 200.0)).exp();
        }
        orientation.rem_euclid(PI)
    }
}
