//! Readable scenario values: durations ("90s", "6min"), dates ("2019-01-21"), times of day
//! ("08:00"), instants ("2019-01-21T08:00") and distributions of durations.

use std::fmt;
use std::str::FromStr;

use hkic_base::{Date, DistError, DurationDist, EmpiricalEntry, SimDuration, SimTime, TimeOfDay};
use serde::Deserialize;
use serde::de::{self, Deserializer};

/// Deserializes any `FromStr` type from a JSON string, with the parser's message on error.
fn from_text<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: fmt::Display,
{
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(de::Error::custom)
}

macro_rules! readable {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
        pub struct $name(pub $inner);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                from_text(deserializer).map($name)
            }
        }
    };
}

readable!(
    /// A duration such as "90s", "6min", "1h30min".
    Dur(SimDuration)
);
readable!(
    /// A date such as "2019-01-21".
    Day(Date)
);
readable!(
    /// A time of day such as "08:00".
    Clock(TimeOfDay)
);
readable!(
    /// A Hong Kong date and time such as "2019-01-21T08:00".
    Instant(SimTime)
);

/// A distribution of durations, written as one of:
/// `{"constant": "2min"}`, `{"uniform": {"min": "1min", "max": "3min"}}`,
/// `{"exponential": {"mean": "90s"}}`, `{"lognormal": {"median": "5min", "sigma": 0.35}}`,
/// `{"empirical": [{"value": "1min", "weight": 3}, {"value": "2min", "weight": 1}]}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DistSpec {
    Constant(Dur),
    Uniform { min: Dur, max: Dur },
    Exponential { mean: Dur },
    Lognormal { median: Dur, sigma: f64 },
    Empirical(Vec<WeightedDur>),
}

#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedDur {
    pub value: Dur,
    pub weight: f64,
}

impl DistSpec {
    pub fn build(&self) -> Result<DurationDist, DistError> {
        match self {
            DistSpec::Constant(value) => Ok(DurationDist::constant(value.0)),
            DistSpec::Uniform { min, max } => DurationDist::uniform(min.0, max.0),
            DistSpec::Exponential { mean } => DurationDist::exponential(mean.0),
            DistSpec::Lognormal { median, sigma } => DurationDist::lognormal(median.0, *sigma),
            DistSpec::Empirical(entries) => DurationDist::empirical(
                entries
                    .iter()
                    .map(|e| EmpiricalEntry {
                        value: e.value.0,
                        weight: e.weight,
                    })
                    .collect(),
            ),
        }
    }
}
