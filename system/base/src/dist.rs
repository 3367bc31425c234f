//! Distributions of durations, as scenarios describe service times, latencies and delays.

use rand::RngExt;
use rand_distr::{Distribution, Exp, LogNormal};

use crate::{SimDuration, Stream};

/// A distribution over durations. Build one with the checked constructors; sample it with a
/// stream the caller owns.
#[derive(Clone, Debug)]
pub enum DurationDist {
    Constant(SimDuration),
    Uniform {
        min: SimDuration,
        max: SimDuration,
    },
    Exponential {
        mean: SimDuration,
        sampler: Exp<f64>,
    },
    LogNormal {
        median: SimDuration,
        sigma: f64,
        sampler: LogNormal<f64>,
    },
    Empirical {
        entries: Vec<EmpiricalEntry>,
        cumulative: Vec<f64>,
    },
}

/// One value of an empirical distribution and its relative weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EmpiricalEntry {
    pub value: SimDuration,
    pub weight: f64,
}

/// Why a distribution's parameters are unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    #[error("minimum {min} is greater than maximum {max}")]
    MinAboveMax { min: SimDuration, max: SimDuration },
    #[error("mean must be more than zero")]
    ZeroMean,
    #[error("median must be more than zero")]
    ZeroMedian,
    #[error("sigma must be a finite number from 0 to 5, got {0}")]
    BadSigma(f64),
    #[error("an empirical distribution needs at least one value")]
    EmptyEmpirical,
    #[error("weights must be finite and not negative, and at least one must be positive; got {0}")]
    BadWeight(f64),
}

impl DurationDist {
    pub fn constant(value: SimDuration) -> DurationDist {
        DurationDist::Constant(value)
    }

    pub fn uniform(min: SimDuration, max: SimDuration) -> Result<DurationDist, DistError> {
        if min > max {
            return Err(DistError::MinAboveMax { min, max });
        }
        Ok(DurationDist::Uniform { min, max })
    }

    pub fn exponential(mean: SimDuration) -> Result<DurationDist, DistError> {
        if mean.is_zero() {
            return Err(DistError::ZeroMean);
        }
        let sampler = Exp::new(1.0 / mean.as_secs_f64()).map_err(|_| DistError::ZeroMean)?;
        Ok(DurationDist::Exponential { mean, sampler })
    }

    /// Log-normal with the given median (e^mu) and shape sigma.
    pub fn lognormal(median: SimDuration, sigma: f64) -> Result<DurationDist, DistError> {
        if median.is_zero() {
            return Err(DistError::ZeroMedian);
        }
        if !sigma.is_finite() || !(0.0..=5.0).contains(&sigma) {
            return Err(DistError::BadSigma(sigma));
        }
        let sampler = LogNormal::new(median.as_secs_f64().ln(), sigma)
            .map_err(|_| DistError::BadSigma(sigma))?;
        Ok(DurationDist::LogNormal {
            median,
            sigma,
            sampler,
        })
    }

    pub fn empirical(entries: Vec<EmpiricalEntry>) -> Result<DurationDist, DistError> {
        if entries.is_empty() {
            return Err(DistError::EmptyEmpirical);
        }
        let mut cumulative = Vec::with_capacity(entries.len());
        let mut total = 0.0;
        for entry in &entries {
            if !entry.weight.is_finite() || entry.weight < 0.0 {
                return Err(DistError::BadWeight(entry.weight));
            }
            total += entry.weight;
            cumulative.push(total);
        }
        if total <= 0.0 || !total.is_finite() {
            return Err(DistError::BadWeight(total));
        }
        Ok(DurationDist::Empirical {
            entries,
            cumulative,
        })
    }

    pub fn sample(&self, stream: &mut Stream) -> SimDuration {
        match self {
            DurationDist::Constant(value) => *value,
            DurationDist::Uniform { min, max } => {
                SimDuration::from_nanos(stream.random_range(min.as_nanos()..=max.as_nanos()))
            }
            DurationDist::Exponential { sampler, .. } => {
                SimDuration::from_secs_f64(sampler.sample(stream))
            }
            DurationDist::LogNormal { sampler, .. } => {
                SimDuration::from_secs_f64(sampler.sample(stream))
            }
            DurationDist::Empirical {
                entries,
                cumulative,
            } => {
                let total = *cumulative.last().expect("validated non-empty");
                let point = stream.random::<f64>() * total;
                let index = cumulative
                    .partition_point(|&c| c <= point)
                    .min(entries.len() - 1);
                entries[index].value
            }
        }
    }

    /// The distribution's mean, for reports and capacity estimates.
    pub fn mean(&self) -> SimDuration {
        match self {
            DurationDist::Constant(value) => *value,
            DurationDist::Uniform { min, max } => {
                SimDuration::from_nanos(min.as_nanos() / 2 + max.as_nanos() / 2)
            }
            DurationDist::Exponential { mean, .. } => *mean,
            DurationDist::LogNormal { median, sigma, .. } => {
                SimDuration::from_secs_f64(median.as_secs_f64() * (sigma * sigma / 2.0).exp())
            }
            DurationDist::Empirical {
                entries,
                cumulative,
            } => {
                let total = *cumulative.last().expect("validated non-empty");
                let sum: f64 = entries
                    .iter()
                    .map(|e| e.value.as_secs_f64() * e.weight)
                    .sum();
                SimDuration::from_secs_f64(sum / total)
            }
        }
    }
}

/// A Poisson-distributed count with the given mean (zero for a mean that is not positive).
pub fn sample_poisson(stream: &mut Stream, mean: f64) -> u64 {
    if !(mean > 0.0 && mean.is_finite()) {
        return 0;
    }
    match rand_distr::Poisson::new(mean) {
        Ok(poisson) => poisson.sample(stream) as u64,
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed_stream;

    fn sample_mean(dist: &DurationDist, samples: u32) -> f64 {
        let mut stream = seed_stream(1);
        (0..samples)
            .map(|_| dist.sample(&mut stream).as_secs_f64())
            .sum::<f64>()
            / f64::from(samples)
    }

    #[test]
    fn sample_means_match_declared_means() {
        let dists = [
            DurationDist::exponential(SimDuration::from_secs(90)).unwrap(),
            DurationDist::lognormal(SimDuration::from_secs(300), 0.4).unwrap(),
            DurationDist::uniform(SimDuration::from_secs(10), SimDuration::from_secs(50)).unwrap(),
            DurationDist::empirical(vec![
                EmpiricalEntry {
                    value: SimDuration::from_secs(60),
                    weight: 1.0,
                },
                EmpiricalEntry {
                    value: SimDuration::from_secs(120),
                    weight: 3.0,
                },
            ])
            .unwrap(),
        ];
        for dist in &dists {
            let expected = dist.mean().as_secs_f64();
            let measured = sample_mean(dist, 200_000);
            assert!(
                (measured - expected).abs() < expected * 0.01,
                "{dist:?}: {measured} vs {expected}"
            );
        }
    }

    #[test]
    fn rejects_unusable_parameters() {
        let second = SimDuration::from_secs(1);
        assert!(DurationDist::uniform(second * 2, second).is_err());
        assert!(DurationDist::exponential(SimDuration::ZERO).is_err());
        assert!(DurationDist::lognormal(second, f64::NAN).is_err());
        assert!(DurationDist::lognormal(second, -1.0).is_err());
        assert!(DurationDist::empirical(vec![]).is_err());
        let zero = EmpiricalEntry {
            value: second,
            weight: 0.0,
        };
        assert!(DurationDist::empirical(vec![zero]).is_err());
    }

    #[test]
    fn poisson_counts_have_the_right_mean() {
        let mut stream = seed_stream(3);
        let total: u64 = (0..10_000).map(|_| sample_poisson(&mut stream, 12.5)).sum();
        let mean = total as f64 / 10_000.0;
        assert!((mean - 12.5).abs() < 0.2, "{mean}");
    }
}
