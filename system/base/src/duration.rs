//! Lengths of simulated time.

use std::fmt;
use std::ops::{Add, AddAssign, Mul};
use std::str::FromStr;

/// A length of simulated time in nanoseconds.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimDuration(u64);

const UNITS: [(&str, u64); 7] = [
    ("d", 86_400_000_000_000),
    ("h", 3_600_000_000_000),
    ("min", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];

/// Why a text is not a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("expected a duration such as \"90s\", \"6min\", \"1h30min\" or \"250ms\", got {0:?}")]
    Malformed(String),
    #[error("duration {0:?} is too long (more than 500 years)")]
    TooLong(String),
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    pub const fn from_nanos(nanos: u64) -> SimDuration {
        SimDuration(nanos)
    }
    pub const fn from_micros(micros: u64) -> SimDuration {
        SimDuration(micros * 1_000)
    }
    pub const fn from_millis(millis: u64) -> SimDuration {
        SimDuration(millis * 1_000_000)
    }
    pub const fn from_secs(secs: u64) -> SimDuration {
        SimDuration(secs * 1_000_000_000)
    }
    pub const fn from_minutes(minutes: u64) -> SimDuration {
        SimDuration(minutes * 60_000_000_000)
    }
    pub const fn from_hours(hours: u64) -> SimDuration {
        SimDuration(hours * 3_600_000_000_000)
    }
    pub const fn from_days(days: u64) -> SimDuration {
        SimDuration(days * 86_400_000_000_000)
    }

    /// Rounds a non-negative number of seconds to the nearest nanosecond; negative and NaN
    /// become zero, and values past `u64::MAX` nanoseconds saturate.
    pub fn from_secs_f64(secs: f64) -> SimDuration {
        let nanos = (secs * 1e9).round();
        if nanos.is_nan() || nanos <= 0.0 {
            SimDuration::ZERO
        } else if nanos >= u64::MAX as f64 {
            SimDuration::MAX
        } else {
            SimDuration(nanos as u64)
        }
    }

    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
    pub fn checked_add(self, other: SimDuration) -> Option<SimDuration> {
        self.0.checked_add(other.0).map(SimDuration)
    }
    pub fn saturating_add(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(other.0))
    }
    pub fn saturating_sub(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }
    pub fn saturating_mul(self, factor: u64) -> SimDuration {
        SimDuration(self.0.saturating_mul(factor))
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.checked_add(other.0).expect("duration overflow"))
    }
}

impl AddAssign for SimDuration {
    fn add_assign(&mut self, other: SimDuration) {
        *self = *self + other;
    }
}

impl Mul<u64> for SimDuration {
    type Output = SimDuration;
    fn mul(self, factor: u64) -> SimDuration {
        SimDuration(self.0.checked_mul(factor).expect("duration overflow"))
    }
}

impl fmt::Display for SimDuration {
    /// Writes the exact value as unit components, largest first: `1h30min`, `90ms`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.0;
        for (unit, nanos) in UNITS {
            if rest >= nanos {
                write!(f, "{}{unit}", rest / nanos)?;
                rest %= nanos;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for SimDuration {
    type Err = DurationError;

    /// Parses one or more `<number><unit>` parts (`90s`, `1.5h`, `1h30min`). Units: `d`,
    /// `h`, `min`, `s`, `ms`, `us`, `ns`. Decimals are rounded to the nanosecond.
    fn from_str(text: &str) -> Result<SimDuration, DurationError> {
        let malformed = || DurationError::Malformed(text.to_string());
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(malformed());
        }
        let mut total: u128 = 0;
        while !rest.is_empty() {
            let number_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .ok_or_else(malformed)?;
            let (number, after) = rest.split_at(number_len);
            let unit_len = after
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(after.len());
            let (unit, after) = after.split_at(unit_len);
            let nanos_per_unit = UNITS
                .iter()
                .find(|(name, _)| *name == unit)
                .map(|(_, nanos)| *nanos)
                .ok_or_else(malformed)?;
            total += parse_scaled(number, nanos_per_unit).ok_or_else(malformed)?;
            rest = after;
        }
        const LIMIT: u128 = 500 * 366 * 86_400_000_000_000;
        if total > LIMIT {
            return Err(DurationError::TooLong(text.to_string()));
        }
        Ok(SimDuration(total as u64))
    }
}

/// `number` (digits with at most one decimal point) times `scale`, rounded, exactly.
fn parse_scaled(number: &str, scale: u64) -> Option<u128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole
        .bytes()
        .chain(fraction.bytes())
        .all(|b| b.is_ascii_digit())
        || fraction.len() > 18
    {
        return None;
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut value = whole.checked_mul(u128::from(scale))?;
    if !fraction.is_empty() {
        let denominator = 10u128.pow(fraction.len() as u32);
        let numerator: u128 = fraction.parse().ok()?;
        value += (numerator * u128::from(scale) + denominator / 2) / denominator;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_readable_units() {
        let cases = [
            ("90s", SimDuration::from_secs(90)),
            ("6min", SimDuration::from_minutes(6)),
            ("1h30min", SimDuration::from_minutes(90)),
            ("1.5h", SimDuration::from_minutes(90)),
            ("250ms", SimDuration::from_millis(250)),
            ("4.5min", SimDuration::from_secs(270)),
            ("2d", SimDuration::from_hours(48)),
            ("0s", SimDuration::ZERO),
            (".5s", SimDuration::from_millis(500)),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<SimDuration>(), Ok(expected), "{text}");
        }
    }

    #[test]
    fn rejects_malformed_text() {
        for text in ["", "90", "s", "5 min", "-5s", "5sec", "1.2.3s", "5m", "."] {
            assert!(
                text.parse::<SimDuration>().is_err(),
                "{text:?} should be rejected"
            );
        }
        assert!(matches!(
            "1000000d".parse::<SimDuration>(),
            Err(DurationError::TooLong(_))
        ));
    }

    #[test]
    fn displays_exact_components() {
        assert_eq!(SimDuration::from_secs(90).to_string(), "1min30s");
        assert_eq!(SimDuration::from_millis(1_250).to_string(), "1s250ms");
        assert_eq!(SimDuration::ZERO.to_string(), "0s");
    }

    proptest::proptest! {
        #[test]
        fn display_parses_back(nanos in 0u64..(400 * 365 * 86_400_000_000_000)) {
            let duration = SimDuration::from_nanos(nanos);
            proptest::prop_assert_eq!(duration.to_string().parse::<SimDuration>(), Ok(duration));
        }
    }
}
