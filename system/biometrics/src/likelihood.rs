//! Scoring an alignment: a log-likelihood ratio of "same finger" against "different
//! fingers", and the soft least-squares refinement that precedes it.
//!
//! Under "same finger" each minutia has, with probability q, a counterpart in the other
//! template, displaced by Gaussian noise in position and von Mises noise in direction and
//! of the same kind most of the time; otherwise it has none (missed there, or spurious
//! here). Under "different fingers" the other template's minutiae are spread over its pad
//! whatever this one holds. For one probe minutia the ratio is
//!
//! ```text
//! (1 - q) + q * (area / n_reference) * sum over reference minutiae j of
//!     gaussian_2d(distance_ij; sigma) * von_mises_ratio(turn_ij; kappa) * kind_ratio_ij
//! ```
//!
//! The score is the mean of the summed logarithms over the probe's minutiae and over the
//! reference's (one pass fills both). It needs no pairing decisions, charges each unmatched
//! minutia its cost, and puts prints of any minutia count and quality on one scale. The
//! noise and q follow each template's quality score (the reader's estimate, not ground
//! truth), interpolated between the normal and the poor settings.

use crate::geometry::Transform;
use crate::template::{Point, Template};
use std::f32::consts::PI;

/// The statistical model behind the score.
#[derive(Debug, Clone, PartialEq)]
pub struct NoiseModel {
    /// Quality scores at or above this count as normal, at or below `poor_quality` as poor;
    /// in between the settings are interpolated.
    pub normal_quality: u8,
    pub poor_quality: u8,
    /// Per-capture position noise, pixels per axis.
    pub normal_position_sigma: f32,
    pub poor_position_sigma: f32,
    /// Per-capture direction noise, radians.
    pub normal_direction_sigma: f32,
    pub poor_direction_sigma: f32,
    /// Share of a capture's minutiae that have a counterpart in another capture.
    pub normal_correspondence: f32,
    pub poor_correspondence: f32,
    /// Position noise both templates share (alignment residue, rounding), pixels.
    pub position_sigma_floor: f32,
    /// Probability that corresponding minutiae are reported with the same kind.
    pub kind_agreement: f32,
    /// Probability that unrelated minutiae have the same kind.
    pub kind_agreement_by_chance: f32,
}

impl Default for NoiseModel {
    /// Matched to issue 4's reader: 4 px and 10 degrees per capture for a normal finger,
    /// twice that for a poor one; 15% or 35% missed and 10% or 25% spurious.
    fn default() -> NoiseModel {
        NoiseModel {
            normal_quality: 65,
            poor_quality: 45,
            normal_position_sigma: 4.0,
            poor_position_sigma: 8.0,
            normal_direction_sigma: 10f32.to_radians(),
            poor_direction_sigma: 20f32.to_radians(),
            normal_correspondence: 0.75,
            poor_correspondence: 0.45,
            position_sigma_floor: 2.0,
            kind_agreement: 0.9,
            kind_agreement_by_chance: 0.5,
        }
    }
}

/// The model's settings for one pair of templates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairModel {
    /// Standard deviation of the position difference, per axis, pixels.
    pub position_sigma: f32,
    /// Standard deviation of the direction difference, radians.
    pub direction_sigma: f32,
    pub correspondence: f32,
    kind_same: f32,
    kind_different: f32,
    /// Concentration of the von Mises direction noise, and its density relative to uniform
    /// at zero turn.
    kappa: f32,
    direction_peak: f32,
}

impl NoiseModel {
    /// How poor a template is: 0 for normal, 1 for poor.
    fn poorness(&self, quality: u8) -> f32 {
        let span = f32::from(self.normal_quality.saturating_sub(self.poor_quality)).max(1.0);
        (f32::from(self.normal_quality.saturating_sub(quality)) / span).clamp(0.0, 1.0)
    }

    /// (position sigma, direction sigma, correspondence) of one template's captures.
    fn settings(&self, quality: u8) -> (f32, f32, f32) {
        let poorness = self.poorness(quality);
        let blend = |normal: f32, poor: f32| normal + (poor - normal) * poorness;
        (
            blend(self.normal_position_sigma, self.poor_position_sigma),
            blend(self.normal_direction_sigma, self.poor_direction_sigma),
            blend(self.normal_correspondence, self.poor_correspondence),
        )
    }

    pub fn pair_model(&self, probe: &Template, reference: &Template) -> PairModel {
        self.pair_model_of(probe.quality(), reference.quality())
    }

    /// The pair model of two templates with these quality scores.
    pub fn pair_model_of(&self, probe_quality: u8, reference_quality: u8) -> PairModel {
        let (probe_position, probe_direction, probe_share) = self.settings(probe_quality);
        let (reference_position, reference_direction, reference_share) =
            self.settings(reference_quality);
        let position_sigma = (probe_position.powi(2)
            + reference_position.powi(2)
            + self.position_sigma_floor.powi(2))
        .sqrt();
        let direction_sigma = (probe_direction.powi(2) + reference_direction.powi(2)).sqrt();
        let kappa = 1.0 / (direction_sigma * direction_sigma);
        PairModel {
            position_sigma,
            direction_sigma,
            correspondence: probe_share.min(reference_share),
            kind_same: self.kind_agreement / self.kind_agreement_by_chance,
            kind_different: (1.0 - self.kind_agreement) / (1.0 - self.kind_agreement_by_chance),
            kappa,
            direction_peak: kappa.exp() / bessel_i0(kappa),
        }
    }
}

/// The modified Bessel function I0 by its power series (40 terms reach f32 precision for
/// the concentrations used here, kappa below 50).
fn bessel_i0(x: f32) -> f32 {
    let quarter_square = f64::from(x) * f64::from(x) / 4.0;
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for k in 1..40 {
        term *= quarter_square / f64::from(k * k);
        sum += term;
    }
    sum as f32
}

impl PairModel {
    /// Pixels beyond which a pair counts for nothing (three sigmas).
    pub fn reach(&self) -> f32 {
        3.0 * self.position_sigma
    }

    /// The likelihood kernel of a pair at squared distance `distance_squared` (without the
    /// normalising constants).
    fn kernel(&self, a: &Point, b: &Point, distance_squared: f32) -> f32 {
        let cosine = a.cos * b.cos + a.sin * b.sin;
        let kind = if a.kind == b.kind {
            self.kind_same
        } else {
            self.kind_different
        };
        let exponent = -0.5 * distance_squared / (self.position_sigma * self.position_sigma)
            + self.kappa * (cosine - 1.0);
        exponent.exp() * kind
    }
}

/// `probe` moved by `transform` into `moved` (directions are not wrapped: only their
/// cosines and sines are read).
pub fn move_probe(probe: &Template, transform: &Transform, moved: &mut Vec<Point>) {
    move_points(probe.minutiae(), transform, moved);
}

/// `points` moved by `transform` into `moved`, as [`move_probe`] does.
pub fn move_points(points: &[Point], transform: &Transform, moved: &mut Vec<Point>) {
    let (sin, cos) = transform.rotation.sin_cos();
    let units = (transform.rotation * 256.0 / std::f32::consts::TAU).round() as i32;
    moved.clear();
    moved.extend(points.iter().map(|p| Point {
        x: cos * p.x - sin * p.y + transform.translation_x,
        y: sin * p.x + cos * p.y + transform.translation_y,
        direction: p.direction + transform.rotation,
        cos: cos * p.cos - sin * p.sin,
        sin: sin * p.cos + cos * p.sin,
        direction_units: (i32::from(p.direction_units) + units).rem_euclid(256) as u8,
        kind: p.kind,
    }));
}

/// What one look at an alignment gives: its score, and a better alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assessment {
    /// The log-likelihood ratio, the mean of both directions.
    pub likelihood: f32,
    /// Probe minutiae with a likely counterpart in the reference.
    pub counterparts: usize,
    /// The least-squares transform that carries each probe minutia onto its strongest
    /// neighbour in the reference, weighted by the kernel (one step of a soft
    /// iterative-closest-point fit); `None` with fewer than two neighbours.
    pub refined: Option<Transform>,
}

/// Scores `probe`, already moved into `moved`, against `reference`, and refits the move.
pub fn assess(
    probe: &Template,
    moved: &[Point],
    reference: &Template,
    model: &PairModel,
    backward: &mut Vec<f32>,
) -> Assessment {
    assess_points(
        probe.minutiae(),
        probe.area(),
        moved,
        reference,
        model,
        backward,
    )
}

/// [`assess`] for a probe given as its points (before the move) and its pad area.
pub fn assess_points(
    probe: &[Point],
    probe_area: f32,
    moved: &[Point],
    reference: &Template,
    model: &PairModel,
    backward: &mut Vec<f32>,
) -> Assessment {
    let reach = model.reach();
    let normaliser =
        model.direction_peak / (2.0 * PI * model.position_sigma * model.position_sigma);
    let forward_scale = reference.area() / reference.len().max(1) as f32 * normaliser;
    let backward_scale = probe_area / moved.len().max(1) as f32 * normaliser;
    let q = model.correspondence;
    backward.clear();
    backward.resize(reference.len(), 0.0);
    let mut fit = FitSums::default();
    let (mut forward, mut counterparts) = (0.0f32, 0);
    for (original, a) in probe.iter().zip(moved) {
        let range = reference.x_range(a.x, reach);
        let start = range.start;
        let (mut sum, mut strongest, mut target) = (0.0f32, 0.0f32, (0.0f32, 0.0f32));
        for (offset, b) in reference.minutiae()[range].iter().enumerate() {
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let distance_squared = dx * dx + dy * dy;
            if distance_squared <= reach * reach {
                let kernel = model.kernel(a, b, distance_squared);
                sum += kernel;
                backward[start + offset] += kernel;
                if kernel > strongest {
                    strongest = kernel;
                    target = (b.x, b.y);
                }
            }
        }
        if strongest > 0.0 {
            fit.add(strongest, (original.x, original.y), target);
        }
        let ratio = q * forward_scale * sum;
        counterparts += usize::from(ratio > 1.0);
        forward += (1.0 - q + ratio).ln();
    }
    let backward_total: f32 = backward
        .iter()
        .map(|&sum| (1.0 - q + q * backward_scale * sum).ln())
        .sum();
    Assessment {
        likelihood: 0.5 * (forward + backward_total),
        counterparts,
        refined: fit.transform(),
    }
}

/// Weighted sums for the closed-form least-squares rigid fit.
#[derive(Debug, Default)]
struct FitSums {
    pairs: usize,
    weight: f32,
    probe: (f32, f32),
    reference: (f32, f32),
    dot: f32,
    cross: f32,
}

impl FitSums {
    fn add(&mut self, weight: f32, (ax, ay): (f32, f32), (bx, by): (f32, f32)) {
        self.pairs += 1;
        self.weight += weight;
        self.probe.0 += weight * ax;
        self.probe.1 += weight * ay;
        self.reference.0 += weight * bx;
        self.reference.1 += weight * by;
        self.dot += weight * (ax * bx + ay * by);
        self.cross += weight * (ax * by - ay * bx);
    }

    /// Rotation from the cross and dot sums of the centred points, translation from the
    /// weighted centroids.
    fn transform(&self) -> Option<Transform> {
        if self.pairs < 2 || self.weight <= 0.0 {
            return None;
        }
        let (ax, ay) = self.probe;
        let (bx, by) = self.reference;
        let dot = self.dot - (ax * bx + ay * by) / self.weight;
        let cross = self.cross - (ax * by - ay * bx) / self.weight;
        let rotation = cross.atan2(dot);
        let (sin, cos) = rotation.sin_cos();
        Some(Transform {
            rotation,
            translation_x: (bx - (cos * ax - sin * ay)) / self.weight,
            translation_y: (by - (sin * ax + cos * ay)) / self.weight,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hkic_protocol::template::MinutiaKind;

    fn grid_template(transform: &Transform) -> Template {
        let points = (0..36u16).map(|index| {
            let (x, y) = (
                f32::from(index % 6) * 40.0 - 100.0,
                f32::from(index / 6) * 45.0 - 110.0,
            );
            let (x, y) = transform.apply(x, y + f32::from(index % 3) * 7.0);
            let direction = f32::from(index) * 0.7 + transform.rotation;
            (x, y, direction, MinutiaKind::RidgeEnding)
        });
        Template::from_points(points, 80)
    }

    #[test]
    fn refitting_recovers_a_known_placement() {
        let reference = grid_template(&Transform::IDENTITY);
        let turned = Transform {
            rotation: 0.12,
            translation_x: 0.0,
            translation_y: 0.0,
        };
        let probe = grid_template(&turned);
        let model = NoiseModel::default().pair_model(&probe, &reference);
        let mut moved = Vec::new();
        let mut backward = Vec::new();
        move_probe(&probe, &Transform::IDENTITY, &mut moved);
        let first = assess(&probe, &moved, &reference, &model, &mut backward);
        let refined = first.refined.unwrap();
        assert!((refined.rotation + 0.12).abs() < 0.01, "{refined:?}");
        move_probe(&probe, &refined, &mut moved);
        let second = assess(&probe, &moved, &reference, &model, &mut backward);
        assert!(second.likelihood > first.likelihood);
        assert_eq!(second.counterparts, 36);
    }

    #[test]
    fn the_von_mises_normaliser_matches_its_series() {
        assert!((bessel_i0(0.0) - 1.0).abs() < 1e-6);
        assert!((bessel_i0(1.0) - 1.266_066).abs() < 1e-5);
        assert!((bessel_i0(4.0) - 11.301_922).abs() < 1e-3);
    }
}
