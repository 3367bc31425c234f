//! The kiosk devices measured: outcome shares and mean durations against their parameters
//! (fixed seeds, tolerances of about five standard errors), the failure modes, determinism,
//! parameter checks, the visit budget and arbitrary input.

mod camera;
mod card_store;
mod determinism;
mod device;
mod dispenser;
mod fault;
mod no_panic;
mod parameters;
mod printer;
mod scanner;
mod visit;

use hkic_base::{DurationDist, SimDuration, SimTime};

/// A Monday morning at a centre: 2019-01-21T08:00, the first call-up day.
pub(super) fn opening() -> SimTime {
    "2019-01-21T08:00".parse().expect("a valid instant")
}

pub(super) fn seconds(seconds: u64) -> SimDuration {
    SimDuration::from_secs(seconds)
}

pub(super) fn uniform(min_seconds: u64, max_seconds: u64) -> DurationDist {
    DurationDist::uniform(seconds(min_seconds), seconds(max_seconds)).expect("min <= max")
}

/// Asserts that `count` of `total` trials is the share `expected`, within five standard
/// errors (and at least one trial's worth).
pub(super) fn assert_share(what: &str, count: usize, total: usize, expected: f64) {
    assert!(total > 0, "{what}: no trials");
    let measured = count as f64 / total as f64;
    let standard_error = (expected * (1.0 - expected) / total as f64).sqrt();
    let tolerance = (5.0 * standard_error).max(1.0 / total as f64);
    assert!(
        (measured - expected).abs() <= tolerance,
        "{what}: share {measured:.5}, expected {expected:.5} +- {tolerance:.5} ({count} of {total})"
    );
}

/// Asserts that the mean of `durations` is within 1% of `expected`.
pub(super) fn assert_mean(what: &str, durations: &[SimDuration], expected: SimDuration) {
    assert!(!durations.is_empty(), "{what}: no durations");
    let total: f64 = durations
        .iter()
        .map(|duration| duration.as_secs_f64())
        .sum();
    let measured = total / durations.len() as f64;
    let expected = expected.as_secs_f64();
    assert!(
        (measured - expected).abs() <= expected * 0.01,
        "{what}: mean {measured:.3} s, expected {expected:.3} s"
    );
}
