//! Verification of a resident by both thumbs: the fused score and the decision.
//!
//! Fusion: the sum of the two thumbs' scores. Each score is a log-likelihood ratio, and
//! the two thumbs are independent fingers, so the sum is the log-likelihood ratio of the
//! pair. A thumb that is missing on either side (the reader failed on it) contributes
//! nothing, neither for nor against: the decision then rests on the other thumb alone.
//!
//! The operating threshold is calibrated on the synthetic population of seed 2 (not the
//! seed the acceptance test uses), 20,000 genuine and 1,000,000 impostor two-thumb
//! comparisons (`HKIC_BIOMETRICS_SEED=2 cargo bench -p hkic-biometrics --bench accuracy`):
//! the lowest score that keeps the false match rate at or under 0.01% there was 18.58
//! (false non-match rate 0.20%), rounded up to 18.6.

use crate::matcher::{Matcher, Scratch};
use crate::template::Template;

/// Fused scores at or above this are accepted as the same resident.
pub const OPERATING_THRESHOLD: f32 = 18.6;

/// One thumb per entry: right thumb, then left thumb; `None` where there is no template.
pub type Thumbs<'a> = [Option<&'a Template>; 2];

/// The sum of the thumb scores that exist (0 when none does).
pub fn fuse(thumb_scores: [Option<f32>; 2]) -> f32 {
    thumb_scores.iter().flatten().sum()
}

/// The outcome of a two-thumb verification.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verification {
    pub score: f32,
    /// The score of each thumb compared (right, left).
    pub thumb_scores: [Option<f32>; 2],
    pub accepted: bool,
}

/// A matcher and a threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Verifier {
    matcher: Matcher,
    threshold: f32,
}

impl Default for Verifier {
    fn default() -> Verifier {
        Verifier::new(Matcher::default(), OPERATING_THRESHOLD)
    }
}

impl Verifier {
    pub fn new(matcher: Matcher, threshold: f32) -> Verifier {
        Verifier { matcher, threshold }
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Compares each thumb of `probes` with the same thumb of `references` and decides.
    pub fn verify(
        &self,
        probes: Thumbs<'_>,
        references: Thumbs<'_>,
        scratch: &mut Scratch,
    ) -> Verification {
        let thumb_scores = [0, 1].map(|thumb| match (probes[thumb], references[thumb]) {
            (Some(probe), Some(reference)) => Some(self.matcher.compare(probe, reference, scratch)),
            _ => None,
        });
        let score = fuse(thumb_scores);
        Verification {
            score,
            thumb_scores,
            accepted: score >= self.threshold,
        }
    }
}
