//! Checking device parameters, so that a scenario file with a typo gets a typed error naming
//! the field, the value and what was expected, instead of a device that panics or behaves
//! absurdly mid-run.
//!
//! Every model struct (`ScannerModel`, `CameraModel`, ...) is plain data with public fields;
//! its `check()` calls the helpers here. Duration distributions are checked too: their
//! variants have public fields, so a hand-built one (say a uniform with its minimum above its
//! maximum) could otherwise make sampling panic.

use hkic_base::{DistError, DurationDist, SimDuration};

/// A device parameter that is unusable: which field (a dotted path such as
/// `faults.jam_probability`) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct ParameterError {
    pub field: String,
    pub problem: ParameterProblem,
}

/// What is wrong with a parameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParameterProblem {
    #[error("is {value}, expected {expected}")]
    OutOfRange { value: f64, expected: &'static str },
    #[error("is not a usable distribution: {0}")]
    Distribution(DistError),
    #[error("has a mean of {mean}, expected at most {mean_max}")]
    MeanTooLong {
        mean: SimDuration,
        mean_max: SimDuration,
    },
}

impl ParameterError {
    pub(crate) fn new(field: &str, problem: ParameterProblem) -> ParameterError {
        ParameterError {
            field: field.to_string(),
            problem,
        }
    }

    /// The same error with `parent.` in front of the field, for nested parameter structs.
    pub fn within(mut self, parent: &str) -> ParameterError {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

/// The longest mean a device operation may have: an hour is far beyond any kiosk step, so a
/// longer one is a unit mistake in a scenario (minutes typed for seconds).
pub const OPERATION_MEAN_MAX: SimDuration = SimDuration::from_hours(1);

/// The longest mean an outage or an officer's repair may have (a week).
pub const OUTAGE_MEAN_MAX: SimDuration = SimDuration::from_days(7);

pub(crate) fn out_of_range(field: &str, value: f64, expected: &'static str) -> ParameterError {
    ParameterError::new(field, ParameterProblem::OutOfRange { value, expected })
}

/// `value` is a finite number from `low` to `high`.
pub(crate) fn check_range(
    field: &str,
    value: f64,
    low: f64,
    high: f64,
    expected: &'static str,
) -> Result<(), ParameterError> {
    if value.is_finite() && (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(out_of_range(field, value, expected))
    }
}

pub(crate) fn check_probability(field: &str, value: f64) -> Result<(), ParameterError> {
    check_range(field, value, 0.0, 1.0, "a probability from 0 to 1")
}

/// `dist` can be sampled without panicking and its mean is at most `mean_max`.
pub(crate) fn check_distribution(
    field: &str,
    dist: &DurationDist,
    mean_max: SimDuration,
) -> Result<(), ParameterError> {
    let problem =
        |error: DistError| ParameterError::new(field, ParameterProblem::Distribution(error));
    match dist {
        DurationDist::Constant(_) => {}
        DurationDist::Uniform { min, max } => {
            if min > max {
                return Err(problem(DistError::MinAboveMax {
                    min: *min,
                    max: *max,
                }));
            }
        }
        DurationDist::Exponential { mean, .. } => {
            if mean.is_zero() {
                return Err(problem(DistError::ZeroMean));
            }
        }
        DurationDist::LogNormal { median, sigma, .. } => {
            if median.is_zero() {
                return Err(problem(DistError::ZeroMedian));
            }
            if !sigma.is_finite() || !(0.0..=5.0).contains(sigma) {
                return Err(problem(DistError::BadSigma(*sigma)));
            }
        }
        DurationDist::Empirical {
            entries,
            cumulative,
        } => check_empirical(entries.len(), cumulative).map_err(problem)?,
    }
    let mean = dist.mean();
    if mean > mean_max {
        let problem = ParameterProblem::MeanTooLong { mean, mean_max };
        return Err(ParameterError::new(field, problem));
    }
    Ok(())
}

/// An empirical distribution's running weights: one per entry, finite, rising, positive total.
fn check_empirical(entry_count: usize, cumulative: &[f64]) -> Result<(), DistError> {
    if entry_count == 0 {
        return Err(DistError::EmptyEmpirical);
    }
    let mut previous = 0.0;
    for &running in cumulative {
        if !running.is_finite() || running < previous {
            return Err(DistError::BadWeight(running));
        }
        previous = running;
    }
    if cumulative.len() != entry_count || previous <= 0.0 {
        return Err(DistError::BadWeight(previous));
    }
    Ok(())
}

/// A uniform distribution between two whole numbers of seconds, for the documented defaults.
pub(crate) fn uniform_seconds(min_seconds: u64, max_seconds: u64) -> DurationDist {
    DurationDist::uniform(
        SimDuration::from_secs(min_seconds),
        SimDuration::from_secs(max_seconds),
    )
    .expect("the defaults' minimum is at most their maximum")
}

/// A log-normal distribution with a median in seconds, for the documented defaults.
pub(crate) fn lognormal_seconds(median_seconds: u64, sigma: f64) -> DurationDist {
    DurationDist::lognormal(SimDuration::from_secs(median_seconds), sigma)
        .expect("the defaults' median is positive and sigma within 0..=5")
}
