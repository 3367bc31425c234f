//! 1:1 comparison of two prepared templates: a score, the log-likelihood ratio that the
//! two impressions come from the same finger.
//!
//! How: [`crate::alignment`] proposes a few rigid alignments (a Hough vote over rotation
//! and translation); each is refined by soft closest-point fits and scored by
//! [`crate::likelihood`]; the best score wins. Nothing is specific to one template or to
//! the synthetic generator: the only prior knowledge is the reader's noise model (jitter,
//! missing and spurious rates, as a function of the quality score the reader reports),
//! the rotation range of an upright finger on a platen, and the translation range of two
//! centred templates.
//!
//! Inputs: two [`Template`]s and a [`Scratch`] (reused buffers). Output: a
//! [`ComparisonDetail`]. Invariants: the score is a pure function of the two templates
//! and the configuration (no state carries over between comparisons; scratch contents
//! never reach the result), so comparisons are deterministic and order-independent.

use crate::alignment::{AlignmentConfig, AlignmentScratch, Candidate, candidate_alignments};
use crate::geometry::Transform;
use crate::likelihood::{
    Assessment, NoiseModel, PairModel, assess, assess_points, move_points, move_probe,
};
use crate::template::{Point, Template};

/// Parameters of the matcher.
#[derive(Debug, Clone, PartialEq)]
pub struct MatcherConfig {
    pub alignment: AlignmentConfig,
    pub noise: NoiseModel,
    /// Soft closest-point refinements of each candidate alignment.
    pub refinements: usize,
    /// A pair votes for the rotations within this many standard deviations of the pair's
    /// direction noise of its direction difference.
    pub vote_direction_sigmas: f32,
}

impl Default for MatcherConfig {
    fn default() -> MatcherConfig {
        MatcherConfig {
            alignment: AlignmentConfig {
                rotation_max: 26, // 36.6 degrees: two captures each within 15, and noise
                rotation_step: 5, // 7 degrees
                translation_max: 100.0,
                cell: 16.0,
                candidates: 3,
            },
            noise: NoiseModel::default(),
            refinements: 2,
            vote_direction_sigmas: 1.5,
        }
    }
}

/// What a comparison found under its best alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ComparisonDetail {
    /// The score: the log-likelihood ratio of "same finger".
    pub likelihood: f32,
    /// Probe minutiae with a likely counterpart in the reference.
    pub counterparts: usize,
    pub probe_minutiae: usize,
    pub reference_minutiae: usize,
    /// Votes of the alignment that won.
    pub votes: u16,
}

impl ComparisonDetail {
    /// Keeps `assessment` if it scores better.
    fn absorb(&mut self, assessment: &Assessment, votes: u16) {
        if assessment.likelihood > self.likelihood {
            self.likelihood = assessment.likelihood;
            self.counterparts = assessment.counterparts;
            self.votes = votes;
        }
    }
}

/// Reusable buffers for comparisons.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    alignment: AlignmentScratch,
    candidates: Vec<Candidate>,
    moved: Vec<Point>,
    backward: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matcher {
    config: MatcherConfig,
}

impl Matcher {
    pub fn new(config: MatcherConfig) -> Matcher {
        Matcher { config }
    }

    pub fn compare(&self, probe: &Template, reference: &Template, scratch: &mut Scratch) -> f32 {
        self.compare_detail(probe, reference, scratch).likelihood
    }

    pub fn compare_detail(
        &self,
        probe: &Template,
        reference: &Template,
        scratch: &mut Scratch,
    ) -> ComparisonDetail {
        let model = self.config.noise.pair_model(probe, reference);
        let tolerance = direction_tolerance(&model, self.config.vote_direction_sigmas);
        candidate_alignments(
            probe,
            reference,
            &self.config.alignment,
            tolerance,
            &mut scratch.alignment,
            &mut scratch.candidates,
        );
        let mut best = ComparisonDetail {
            likelihood: self.nothing_matches(probe, reference, &model),
            counterparts: 0,
            probe_minutiae: probe.len(),
            reference_minutiae: reference.len(),
            votes: 0,
        };
        // Each candidate gets `refinements` looks; the best one then gets one more.
        let mut winner: Option<(Assessment, u16)> = None;
        for index in 0..scratch.candidates.len() {
            let candidate = scratch.candidates[index];
            let mut transform = candidate.transform;
            for _ in 0..self.config.refinements {
                let assessment = self.look(probe, reference, &transform, &model, scratch);
                best.absorb(&assessment, candidate.votes);
                if winner.is_none_or(|(held, _)| assessment.likelihood > held.likelihood) {
                    winner = Some((assessment, candidate.votes));
                }
                match assessment.refined {
                    Some(refined) => transform = refined,
                    None => break,
                }
            }
        }
        if let Some((
            Assessment {
                refined: Some(transform),
                ..
            },
            votes,
        )) = winner
        {
            let assessment = self.look(probe, reference, &transform, &model, scratch);
            best.absorb(&assessment, votes);
        }
        best
    }

    /// The score of a probe given as centred points (with its pad area and quality
    /// score) on `reference`, from a known rough alignment of the probe onto the reference
    /// (the 1:N index gives one): the alignment is looked at up to `looks` times, each look
    /// refining it, without the Hough search, and the best look counts. Two looks cost
    /// about a tenth of [`Matcher::compare`], and score as well when the alignment is
    /// within the pair model's reach.
    #[allow(clippy::too_many_arguments)]
    pub fn compare_points_from(
        &self,
        probe: &[Point],
        probe_area: f32,
        probe_quality: u8,
        reference: &Template,
        initial: &Transform,
        looks: usize,
        scratch: &mut Scratch,
    ) -> f32 {
        let model = self
            .config
            .noise
            .pair_model_of(probe_quality, reference.quality());
        let mut best =
            0.5 * (probe.len() + reference.len()) as f32 * (1.0 - model.correspondence).ln();
        let mut transform = *initial;
        for _ in 0..looks {
            move_points(probe, &transform, &mut scratch.moved);
            let assessment = assess_points(
                probe,
                probe_area,
                &scratch.moved,
                reference,
                &model,
                &mut scratch.backward,
            );
            best = best.max(assessment.likelihood);
            match assessment.refined {
                Some(refined) => transform = refined,
                None => break,
            }
        }
        best
    }

    fn look(
        &self,
        probe: &Template,
        reference: &Template,
        transform: &Transform,
        model: &PairModel,
        scratch: &mut Scratch,
    ) -> Assessment {
        move_probe(probe, transform, &mut scratch.moved);
        assess(
            probe,
            &scratch.moved,
            reference,
            model,
            &mut scratch.backward,
        )
    }

    /// The score when no alignment brings any minutiae together.
    fn nothing_matches(&self, probe: &Template, reference: &Template, model: &PairModel) -> f32 {
        0.5 * (probe.len() + reference.len()) as f32 * (1.0 - model.correspondence).ln()
    }
}

/// The direction tolerance of the alignment votes: `sigmas` times the pair's direction
/// noise, within 20 to 45 degrees, in 256ths of a turn.
fn direction_tolerance(model: &PairModel, sigmas: f32) -> u8 {
    let units = sigmas * model.direction_sigma * 256.0 / std::f32::consts::TAU;
    units.clamp(14.0, 32.0) as u8
}
