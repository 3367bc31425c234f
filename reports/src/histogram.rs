//! A log-linear histogram of durations: constant memory whatever the population, about 0.8%
//! relative error on percentiles, exact count, sum, minimum and maximum.
//!
//! Why not keep every sample: a territory-wide run records tens of millions of waits, and
//! percentiles must not cost memory that grows with the population.

use hkic_base::SimDuration;

/// Sub-buckets per power of two: the relative width of a bucket is 1/128.
const SUB_BITS: u32 = 7;
const SUB_BUCKETS: usize = 1 << SUB_BITS;
const BUCKETS: usize = (64 - SUB_BITS as usize + 1) * SUB_BUCKETS;

#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    count: u64,
    sum_nanos: u128,
    min: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

/// Values below `SUB_BUCKETS` get a bucket each; above, each power of two is split into
/// `SUB_BUCKETS` equal parts.
fn bucket_of(value: u64) -> usize {
    if value < SUB_BUCKETS as u64 {
        return value as usize;
    }
    let magnitude = 63 - value.leading_zeros(); // >= SUB_BITS
    let shift = magnitude - SUB_BITS;
    let sub = (value >> shift) as usize - SUB_BUCKETS;
    (shift as usize + 1) * SUB_BUCKETS + sub
}

/// The smallest and largest value of a bucket.
fn bucket_bounds(bucket: usize) -> (u64, u64) {
    if bucket < SUB_BUCKETS {
        return (bucket as u64, bucket as u64);
    }
    let shift = (bucket / SUB_BUCKETS - 1) as u32;
    let sub = (bucket % SUB_BUCKETS + SUB_BUCKETS) as u64;
    let low = sub << shift;
    (low, low + ((1u64 << shift) - 1))
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram {
            counts: vec![0; BUCKETS],
            count: 0,
            sum_nanos: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    pub fn record(&mut self, value: SimDuration) {
        let nanos = value.as_nanos();
        self.counts[bucket_of(nanos)] += 1;
        self.count += 1;
        self.sum_nanos += u128::from(nanos);
        self.min = self.min.min(nanos);
        self.max = self.max.max(nanos);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn max(&self) -> SimDuration {
        SimDuration::from_nanos(self.max)
    }

    pub fn min(&self) -> SimDuration {
        SimDuration::from_nanos(if self.count == 0 { 0 } else { self.min })
    }

    pub fn mean(&self) -> SimDuration {
        if self.count == 0 {
            return SimDuration::ZERO;
        }
        SimDuration::from_nanos((self.sum_nanos / u128::from(self.count)) as u64)
    }

    /// The nearest-rank quantile (`q` in 0..=1): the smallest recorded value with at least
    /// `q` of the samples at or below it, to within a bucket's width; exact at the extremes.
    pub fn quantile(&self, q: f64) -> SimDuration {
        if self.count == 0 {
            return SimDuration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        if rank >= self.count {
            return self.max();
        }
        let mut seen = 0;
        for (bucket, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                let (low, high) = bucket_bounds(bucket);
                let middle = low + (high - low) / 2;
                return SimDuration::from_nanos(middle.clamp(self.min, self.max));
            }
        }
        self.max()
    }

    /// Adds another histogram's samples to this one.
    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.count += other.count;
        self.sum_nanos += other.sum_nanos;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn buckets_tile_the_value_range() {
        let mut expected_low = 0u64;
        for bucket in 0..BUCKETS {
            let (low, high) = bucket_bounds(bucket);
            assert_eq!(low, expected_low, "bucket {bucket}");
            assert_eq!(bucket_of(low), bucket);
            assert_eq!(bucket_of(high), bucket);
            if high == u64::MAX {
                assert_eq!(bucket, BUCKETS - 1);
                return;
            }
            expected_low = high + 1;
        }
        panic!("buckets end before u64::MAX");
    }

    proptest! {
        /// Against the exact nearest-rank quantile of the sorted samples: within 1%.
        #[test]
        fn quantiles_are_within_one_percent(
            mut samples in proptest::collection::vec(0u64..10_000_000_000_000, 1..500),
            q in 0.0f64..=1.0,
        ) {
            let mut histogram = Histogram::new();
            for &sample in &samples {
                histogram.record(SimDuration::from_nanos(sample));
            }
            samples.sort_unstable();
            let rank = ((q * samples.len() as f64).ceil() as usize).max(1);
            let exact = samples[rank - 1] as f64;
            let estimate = histogram.quantile(q).as_nanos() as f64;
            prop_assert!((estimate - exact).abs() <= exact * 0.01 + 1.0, "{estimate} vs {exact}");
            prop_assert_eq!(histogram.max().as_nanos(), *samples.last().unwrap());
        }
    }
}
