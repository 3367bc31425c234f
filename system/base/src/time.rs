//! Instants of simulated time, in Hong Kong time (UTC+8, no daylight saving since 1979).

use std::fmt;
use std::ops::{Add, AddAssign};
use std::str::FromStr;

use crate::{Date, SimDuration};

const NANOS_PER_DAY: u64 = 86_400_000_000_000;

/// An instant: nanoseconds since 2000-01-01T00:00 Hong Kong time. Components are handed
/// the current `SimTime`; none of them reads a clock.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(u64);

/// A time of day, as the duration since midnight (less than 24 hours).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TimeOfDay(SimDuration);

/// Why a text is not an instant or a time of day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("expected a Hong Kong date and time such as \"2019-01-21T08:00\", got {0:?}")]
    MalformedInstant(String),
    #[error("expected a time of day such as \"08:00\" or \"21:30:15\", got {0:?}")]
    MalformedTimeOfDay(String),
    #[error("{0:?} is before 2000-01-01, the simulator's epoch")]
    BeforeEpoch(String),
}

impl SimTime {
    pub const EPOCH: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub const fn from_nanos(nanos: u64) -> SimTime {
        SimTime(nanos)
    }

    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Midnight at the start of `date` (dates before the epoch are a caller bug).
    pub fn at_midnight(date: Date) -> SimTime {
        let days = u64::try_from(date.days_since_epoch()).expect("date before the epoch");
        SimTime(days * NANOS_PER_DAY)
    }

    pub fn at(date: Date, time_of_day: TimeOfDay) -> SimTime {
        SimTime::at_midnight(date) + time_of_day.since_midnight()
    }

    pub fn date(self) -> Date {
        Date::from_days_since_epoch((self.0 / NANOS_PER_DAY) as i32)
    }

    pub fn time_of_day(self) -> TimeOfDay {
        TimeOfDay(SimDuration::from_nanos(self.0 % NANOS_PER_DAY))
    }

    pub fn checked_add(self, duration: SimDuration) -> Option<SimTime> {
        self.0.checked_add(duration.as_nanos()).map(SimTime)
    }

    pub fn saturating_add(self, duration: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(duration.as_nanos()))
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, duration: SimDuration) -> SimTime {
        self.checked_add(duration).expect("simulated time overflow")
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, duration: SimDuration) {
        *self = *self + duration;
    }
}

impl fmt::Display for SimTime {
    /// `2019-01-21T08:00:00`, with nine fractional digits when the instant is not on a second.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{}", self.date(), self.time_of_day())
    }
}

impl fmt::Debug for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for SimTime {
    type Err = TimeError;

    /// Accepts `2019-01-21`, `2019-01-21T08:00`, `2019-01-21T08:00:30` and fractions of a
    /// second, all in Hong Kong time.
    fn from_str(text: &str) -> Result<SimTime, TimeError> {
        let malformed = || TimeError::MalformedInstant(text.to_string());
        let (date_text, time_text) = text.split_once('T').unwrap_or((text, "00:00"));
        let date: Date = date_text.parse().map_err(|_| malformed())?;
        let time_of_day: TimeOfDay = time_text.parse().map_err(|_| malformed())?;
        if date < Date::EPOCH {
            return Err(TimeError::BeforeEpoch(text.to_string()));
        }
        Ok(SimTime::at(date, time_of_day))
    }
}

impl TimeOfDay {
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(SimDuration::ZERO);

    pub fn from_hm(hours: u32, minutes: u32) -> Option<TimeOfDay> {
        (hours < 24 && minutes < 60).then(|| {
            TimeOfDay(SimDuration::from_minutes(
                u64::from(hours) * 60 + u64::from(minutes),
            ))
        })
    }

    pub const fn since_midnight(self) -> SimDuration {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        let secs = nanos / 1_000_000_000;
        let (hours, minutes, seconds) = (secs / 3600, secs / 60 % 60, secs % 60);
        write!(f, "{hours:02}:{minutes:02}:{seconds:02}")?;
        match nanos % 1_000_000_000 {
            0 => Ok(()),
            fraction => write!(f, ".{fraction:09}"),
        }
    }
}

impl fmt::Debug for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for TimeOfDay {
    type Err = TimeError;

    /// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fraction` (up to nine digits).
    fn from_str(text: &str) -> Result<TimeOfDay, TimeError> {
        let malformed = || TimeError::MalformedTimeOfDay(text.to_string());
        let (clock, fraction) = text.split_once('.').unwrap_or((text, ""));
        let fields: Vec<&str> = clock.split(':').collect();
        let two_digits = |s: &&str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !(2..=3).contains(&fields.len()) || !fields.iter().all(two_digits) {
            return Err(malformed());
        }
        if !fraction.is_empty() && (fields.len() != 3 || fraction.len() > 9) {
            return Err(malformed());
        }
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let number = |s: &str| s.parse::<u64>().map_err(|_| malformed());
        let (hours, minutes) = (number(fields[0])?, number(fields[1])?);
        let seconds = if fields.len() == 3 {
            number(fields[2])?
        } else {
            0
        };
        if hours > 23 || minutes > 59 || seconds > 59 {
            return Err(malformed());
        }
        let fraction_nanos = if fraction.is_empty() {
            0
        } else {
            number(fraction)? * 10u64.pow(9 - fraction.len() as u32)
        };
        let nanos = ((hours * 60 + minutes) * 60 + seconds) * 1_000_000_000 + fraction_nanos;
        Ok(TimeOfDay(SimDuration::from_nanos(nanos)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hong_kong_instants() {
        let t: SimTime = "2019-01-21T08:00".parse().unwrap();
        assert_eq!(t.date().to_string(), "2019-01-21");
        assert_eq!(t.time_of_day(), TimeOfDay::from_hm(8, 0).unwrap());
        assert_eq!(t.to_string(), "2019-01-21T08:00:00");
        let precise: SimTime = "2019-01-21T08:00:00.000000123".parse().unwrap();
        assert_eq!(precise.saturating_since(t), SimDuration::from_nanos(123));
        assert_eq!(
            "2019-01-21".parse::<SimTime>(),
            Ok(SimTime::at_midnight(t.date()))
        );
    }

    #[test]
    fn rejects_malformed_instants() {
        for text in [
            "2019-01-21T8:00",
            "2019-01-21T24:00",
            "2019-01-21 08:00",
            "1999-12-31",
            "08:00",
        ] {
            assert!(text.parse::<SimTime>().is_err(), "{text}");
        }
        for text in ["8:00", "08:60", "08:00:00.1234567890", "08", "08:00.5"] {
            assert!(text.parse::<TimeOfDay>().is_err(), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn display_parses_back(nanos in 0u64..(300 * 365 * NANOS_PER_DAY)) {
            let t = SimTime::from_nanos(nanos);
            proptest::prop_assert_eq!(t.to_string().parse::<SimTime>(), Ok(t));
        }
    }
}
