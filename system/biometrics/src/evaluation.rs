//! Measuring the matcher: false match and false non-match rates of two-thumb verification
//! on synthetic residents, the threshold for a target false match rate, and the DET curve.
//!
//! Inputs: [`EvaluationParameters`] and a capture function `(resident, session) -> both
//! thumbs' finger views` (the CLI and the tests pass `hkic_devices`' synthetic population;
//! this crate does not depend on the emulators). Session 0 is the enrolment, session 1 the
//! verification. Output: an [`Evaluation`].
//!
//! The design: a pool of residents is enrolled (at least the genuine count, and enough for
//! the impostor pairs to be nearly all distinct). Genuine comparison i verifies resident i
//! against their own enrolment. Impostor comparisons go probe resident by probe resident:
//! each probe is verified against residents drawn at random from the pool (never itself),
//! from a stream derived from the seed. Every comparison fuses both thumbs
//! ([`crate::verification`]); a missing thumb on either side counts for nothing, so a
//! failure to acquire shows up as a likely non-match, never as a skipped comparison. A
//! comparison is a match when its score is at or above the threshold.
//!
//! Timing is not measured here (no clock in a library): the caller times the call and
//! divides by [`Evaluation::thumb_comparisons`].

mod det;

pub use det::{DetPoint, write_det_csv};

use crate::matcher::{Matcher, Scratch};
use crate::template::Template;
use crate::verification::{OPERATING_THRESHOLD, Verifier};
use hkic_base::seed_stream;
use hkic_protocol::template::FingerView;
use rand::RngExt;

/// The false match rate the full target asks for (0.01%).
pub const DEFAULT_TARGET_FALSE_MATCH_RATE: f64 = 1e-4;
/// Points on the DET curve, besides the operating and target thresholds.
pub const DEFAULT_DET_POINTS: usize = 200;
/// The enrolment session and the verification session of every resident.
pub const ENROLMENT_SESSION: u32 = 0;
pub const VERIFICATION_SESSION: u32 = 1;

/// Both thumbs of one capture session, right then left; `None` where the reader failed.
pub type ThumbCaptures = [Option<FingerView>; 2];

/// What to measure.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationParameters {
    /// Seeds the impostor pairing (the captures come from the caller's function).
    pub seed: u64,
    pub genuine: u32,
    pub impostor: u32,
    pub operating_threshold: f32,
    pub target_false_match_rate: f64,
    pub det_points: usize,
}

impl EvaluationParameters {
    /// `genuine` and `impostor` comparisons with the operating threshold, a target false
    /// match rate of 0.01% and 200 DET points.
    pub fn new(seed: u64, genuine: u32, impostor: u32) -> EvaluationParameters {
        EvaluationParameters {
            seed,
            genuine,
            impostor,
            operating_threshold: OPERATING_THRESHOLD,
            target_false_match_rate: DEFAULT_TARGET_FALSE_MATCH_RATE,
            det_points: DEFAULT_DET_POINTS,
        }
    }
}

/// Why an evaluation cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvaluationError {
    #[error("genuine comparisons is 0, expected at least 1")]
    NoGenuineComparisons,
    #[error("impostor comparisons is 0, expected at least 1")]
    NoImpostorComparisons,
    #[error("target false match rate is {0}, expected more than 0 and less than 1")]
    BadTargetRate(f64),
    #[error("operating threshold is {0}, expected a finite number")]
    BadThreshold(f32),
}

/// The results.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub seed: u64,
    pub genuine_comparisons: u32,
    pub impostor_comparisons: u32,
    /// Residents enrolled for the comparisons.
    pub residents: u32,
    /// Thumb-against-thumb comparisons run (both thumbs present on both sides).
    pub thumb_comparisons: u64,
    /// Thumb captures that failed after the reader's retries, of `thumb_captures`.
    pub failed_thumb_captures: u64,
    pub thumb_captures: u64,
    pub operating_threshold: f32,
    pub false_match_rate: f64,
    pub false_non_match_rate: f64,
    pub target_false_match_rate: f64,
    /// The lowest threshold whose false match rate is at most the target, and the rates
    /// there.
    pub threshold_at_target: f32,
    pub false_match_rate_at_target: f64,
    pub false_non_match_rate_at_target: f64,
    /// From the lowest threshold to the highest.
    pub det: Vec<DetPoint>,
    /// Fused scores, sorted ascending.
    pub genuine_scores: Vec<f32>,
    pub impostor_scores: Vec<f32>,
}

/// Runs the evaluation. `captures(resident, session)` gives both thumbs of that resident in
/// that session; it must be deterministic for the evaluation to be.
///
/// ```
/// use hkic_biometrics::{EvaluationParameters, evaluate, write_det_csv};
/// use hkic_devices::biometric::SyntheticPopulation;
///
/// let seed = 1;
/// let population = SyntheticPopulation::new(seed);
/// let parameters = EvaluationParameters::new(seed, 50, 500);
/// let mut captures = |resident, session| population.capture_thumbs(resident, session);
/// let evaluation = evaluate(&parameters, &mut captures).unwrap();
/// assert!(evaluation.false_non_match_rate < 0.1);
/// let mut csv = Vec::new();
/// write_det_csv(&evaluation.det, &mut csv).unwrap();
/// ```
pub fn evaluate(
    parameters: &EvaluationParameters,
    captures: &mut dyn FnMut(u64, u32) -> ThumbCaptures,
) -> Result<Evaluation, EvaluationError> {
    check(parameters)?;
    let residents = pool_size(parameters);
    let mut counts = CaptureCounts::default();
    let enrolled: Vec<[Option<Template>; 2]> = (0..u64::from(residents))
        .map(|resident| counts.prepare(captures(resident, ENROLMENT_SESSION)))
        .collect();
    let verifier = Verifier::new(Matcher::default(), parameters.operating_threshold);
    let mut scratch = Scratch::default();
    let mut stream = seed_stream(parameters.seed ^ IMPOSTOR_STREAM);
    let mut genuine_scores = Vec::with_capacity(parameters.genuine as usize);
    let mut impostor_scores = Vec::with_capacity(parameters.impostor as usize);
    let mut thumb_comparisons = 0u64;
    for probe_resident in 0..residents {
        let probe = counts.prepare(captures(u64::from(probe_resident), VERIFICATION_SESSION));
        let mut verify = |reference: u32, scratch: &mut Scratch| {
            let references = enrolled[reference as usize].each_ref().map(Option::as_ref);
            let verification =
                verifier.verify(probe.each_ref().map(Option::as_ref), references, scratch);
            thumb_comparisons += verification.thumb_scores.iter().flatten().count() as u64;
            verification.score
        };
        if probe_resident < parameters.genuine {
            genuine_scores.push(verify(probe_resident, &mut scratch));
        }
        for _ in 0..impostors_for(parameters.impostor, residents, probe_resident) {
            let reference = other_resident(&mut stream, residents, probe_resident);
            impostor_scores.push(verify(reference, &mut scratch));
        }
    }
    genuine_scores.sort_by(f32::total_cmp);
    impostor_scores.sort_by(f32::total_cmp);
    let rates = det::Rates::new(&genuine_scores, &impostor_scores);
    let operating = rates.at(parameters.operating_threshold);
    let threshold_at_target = rates.threshold_for(parameters.target_false_match_rate);
    let at_target = rates.at(threshold_at_target);
    let extra = [parameters.operating_threshold, threshold_at_target];
    Ok(Evaluation {
        seed: parameters.seed,
        genuine_comparisons: parameters.genuine,
        impostor_comparisons: parameters.impostor,
        residents,
        thumb_comparisons,
        failed_thumb_captures: counts.failed,
        thumb_captures: counts.total,
        operating_threshold: parameters.operating_threshold,
        false_match_rate: operating.false_match_rate,
        false_non_match_rate: operating.false_non_match_rate,
        target_false_match_rate: parameters.target_false_match_rate,
        threshold_at_target,
        false_match_rate_at_target: at_target.false_match_rate,
        false_non_match_rate_at_target: at_target.false_non_match_rate,
        det: rates.curve(parameters.det_points, &extra),
        genuine_scores,
        impostor_scores,
    })
}

/// Mixed into the seed for the impostor pairing stream.
const IMPOSTOR_STREAM: u64 = 0x1D7E_570F_1A57;

fn check(parameters: &EvaluationParameters) -> Result<(), EvaluationError> {
    if parameters.genuine == 0 {
        return Err(EvaluationError::NoGenuineComparisons);
    }
    if parameters.impostor == 0 {
        return Err(EvaluationError::NoImpostorComparisons);
    }
    let target = parameters.target_false_match_rate;
    if !(target > 0.0 && target < 1.0) {
        return Err(EvaluationError::BadTargetRate(target));
    }
    if !parameters.operating_threshold.is_finite() {
        return Err(EvaluationError::BadThreshold(
            parameters.operating_threshold,
        ));
    }
    Ok(())
}

/// Residents to enrol: the genuine ones, and at least twice the square root of the impostor
/// count so that random impostor pairs rarely repeat (and never fewer than two).
fn pool_size(parameters: &EvaluationParameters) -> u32 {
    let for_impostors = 2 * (f64::from(parameters.impostor).sqrt().ceil() as u32);
    parameters.genuine.max(for_impostors).max(2)
}

/// How many impostor comparisons probe resident `probe` makes: an even share.
fn impostors_for(impostor: u32, residents: u32, probe: u32) -> u32 {
    impostor / residents + u32::from(probe < impostor % residents)
}

/// A pool resident other than `probe`, uniformly.
fn other_resident(stream: &mut hkic_base::Stream, residents: u32, probe: u32) -> u32 {
    let drawn = stream.random_range(0..residents - 1);
    if drawn >= probe { drawn + 1 } else { drawn }
}

#[derive(Debug, Default)]
struct CaptureCounts {
    total: u64,
    failed: u64,
}

impl CaptureCounts {
    fn prepare(&mut self, thumbs: ThumbCaptures) -> [Option<Template>; 2] {
        self.total += 2;
        self.failed += thumbs.iter().filter(|thumb| thumb.is_none()).count() as u64;
        thumbs.map(|thumb| thumb.map(|view| Template::from_view_500_ppi(&view)))
    }
}
