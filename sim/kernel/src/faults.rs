//! Fault profiles and the injector that decides, from its own seeded streams, when faults
//! strike.
//!
//! Each fault kind has a **rate** and a **minimum count**:
//! - per-opportunity kinds (`loss`, `duplication`, `delay` per message sent; `lost_write`,
//!   `torn_write`, `corrupt_write` per write reaching the disk): the rate is a probability;
//! - timed kinds (`partition`, `crash`): the rate is events per hour of the fault window,
//!   placed as a Poisson process.
//!
//! The minimum is a promise: the injector plans that many forced occurrences at times spread
//! uniformly over the fault window, and the next opportunity after each forced time takes
//! the fault. A run therefore exercises every kind its profile names, which a rate alone
//! cannot guarantee on a short scenario. Outside the window nothing is injected (the
//! liveness phase after it is fault-free).

use std::collections::VecDeque;
use std::fmt;

use hkic_base::{DurationDist, SimDuration, SimTime, Stream, bernoulli};
use rand::RngExt;

use crate::streams::{StreamLabel, Streams};

/// Stream domains the kernel reserves for itself.
pub const FAULT_DOMAIN: u16 = 0xF000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    Partition,
    Loss,
    Duplication,
    Delay,
    Crash,
    LostWrite,
    TornWrite,
    CorruptWrite,
}

impl FaultKind {
    pub const ALL: [FaultKind; 8] = [
        FaultKind::Partition,
        FaultKind::Loss,
        FaultKind::Duplication,
        FaultKind::Delay,
        FaultKind::Crash,
        FaultKind::LostWrite,
        FaultKind::TornWrite,
        FaultKind::CorruptWrite,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            FaultKind::Partition => "partition",
            FaultKind::Loss => "loss",
            FaultKind::Duplication => "duplication",
            FaultKind::Delay => "delay",
            FaultKind::Crash => "crash",
            FaultKind::LostWrite => "lost_write",
            FaultKind::TornWrite => "torn_write",
            FaultKind::CorruptWrite => "corrupt_write",
        }
    }

    pub fn from_name(name: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Partitions and crashes are placed in time; the others strike per message or write.
    pub const fn is_timed(self) -> bool {
        matches!(self, FaultKind::Partition | FaultKind::Crash)
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How often one kind of fault strikes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FaultSpec {
    /// A probability per opportunity, or events per hour for timed kinds.
    pub rate: f64,
    /// At least this many occurrences inside the fault window.
    pub minimum: u32,
}

/// A named set of fault rates and the shapes of their effects.
#[derive(Clone, Debug)]
pub struct FaultProfile {
    pub name: String,
    pub specs: [FaultSpec; 8],
    /// How long a partition lasts.
    pub partition_duration: DurationDist,
    /// How long a crashed process stays down before it restarts.
    pub crash_downtime: DurationDist,
    /// The extra latency a delayed message suffers.
    pub extra_delay: DurationDist,
}

impl FaultProfile {
    /// No faults at all.
    pub fn none() -> FaultProfile {
        let zero = DurationDist::constant(SimDuration::ZERO);
        FaultProfile {
            name: "none".to_string(),
            specs: [FaultSpec::default(); 8],
            partition_duration: zero.clone(),
            crash_downtime: zero.clone(),
            extra_delay: zero,
        }
    }

    pub fn spec(&self, kind: FaultKind) -> FaultSpec {
        self.specs[kind.index()]
    }
}

/// How many faults of each kind were injected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultCounts([u64; 8]);

impl FaultCounts {
    pub fn get(&self, kind: FaultKind) -> u64 {
        self.0[kind.index()]
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FaultKind, u64)> + '_ {
        FaultKind::ALL
            .into_iter()
            .map(|kind| (kind, self.get(kind)))
    }
}

/// Decides when faults strike. Owns one stream per kind, so a kind's decisions do not shift
/// when another kind's rate changes.
pub struct FaultInjector {
    profile: FaultProfile,
    /// Sorted, non-overlapping `[start, end)` intervals.
    windows: Vec<(SimTime, SimTime)>,
    forced: [VecDeque<SimTime>; 8],
    counts: FaultCounts,
    decisions: [Stream; 8],
    shapes: Stream,
}

impl fmt::Debug for FaultInjector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultInjector")
            .field("profile", &self.profile.name)
            .field("windows", &self.windows)
            .field("counts", &self.counts)
            .finish()
    }
}

const PURPOSE_DECISION: u16 = 1;
const PURPOSE_FORCED: u16 = 2;
const PURPOSE_SHAPES: u16 = 3;

impl FaultInjector {
    /// An injector active in `windows`, each `[start, end)`; they must be sorted and must not
    /// overlap.
    pub fn new(
        profile: FaultProfile,
        windows: Vec<(SimTime, SimTime)>,
        streams: &Streams,
    ) -> FaultInjector {
        assert!(
            windows.iter().all(|(start, end)| start < end),
            "empty fault window"
        );
        assert!(
            windows.windows(2).all(|pair| pair[0].1 <= pair[1].0),
            "fault windows overlap or are unsorted"
        );
        let label =
            |purpose, kind: FaultKind| StreamLabel::new(FAULT_DOMAIN, kind.index() as u64, purpose);
        let decisions = FaultKind::ALL.map(|kind| streams.stream(label(PURPOSE_DECISION, kind)));
        let forced = FaultKind::ALL.map(|kind| {
            if kind.is_timed() {
                return VecDeque::new();
            }
            let mut stream = streams.stream(label(PURPOSE_FORCED, kind));
            let minimum = profile.spec(kind).minimum;
            uniform_times(&mut stream, &windows, minimum).into()
        });
        let shapes = streams.stream(StreamLabel::new(FAULT_DOMAIN, 0, PURPOSE_SHAPES));
        FaultInjector {
            profile,
            windows,
            forced,
            counts: FaultCounts::default(),
            decisions,
            shapes,
        }
    }

    pub fn profile(&self) -> &FaultProfile {
        &self.profile
    }

    pub fn windows(&self) -> &[(SimTime, SimTime)] {
        &self.windows
    }

    /// The window containing `now`, if any.
    fn window_of(&self, now: SimTime) -> Option<(SimTime, SimTime)> {
        self.windows
            .iter()
            .copied()
            .find(|&(start, end)| now >= start && now < end)
    }

    pub fn in_window(&self, now: SimTime) -> bool {
        self.window_of(now).is_some()
    }

    /// For a per-opportunity kind: does this message or write take the fault? Counts it if so.
    pub fn inject(&mut self, kind: FaultKind, now: SimTime) -> bool {
        debug_assert!(!kind.is_timed());
        if !self.in_window(now) {
            return false;
        }
        let index = kind.index();
        // A forced time from an earlier window that found no opportunity there carries over.
        let forced_due = self.forced[index].front().is_some_and(|&due| due <= now);
        let strikes = if forced_due {
            self.forced[index].pop_front();
            true
        } else {
            bernoulli(&mut self.decisions[index], self.profile.specs[index].rate)
        };
        if strikes {
            self.counts.0[index] += 1;
        }
        strikes
    }

    /// For a timed kind: when it strikes, as a Poisson process at the profile's hourly rate
    /// over the windows, topped up with uniform times to the minimum. Sorted.
    pub fn plan_timed(&mut self, kind: FaultKind) -> Vec<SimTime> {
        debug_assert!(kind.is_timed());
        let spec = self.profile.spec(kind);
        let stream = &mut self.decisions[kind.index()];
        let mut times: Vec<SimTime> = self
            .windows
            .iter()
            .flat_map(|&(start, end)| poisson_times(stream, start, end, spec.rate))
            .collect();
        let missing = spec.minimum.saturating_sub(times.len() as u32);
        times.extend(uniform_times(stream, &self.windows, missing));
        times.sort_unstable();
        times
    }

    /// Counts a timed or scheduled fault at the moment it takes effect.
    pub fn note(&mut self, kind: FaultKind) {
        self.counts.0[kind.index()] += 1;
    }

    pub fn counts(&self) -> FaultCounts {
        self.counts
    }

    pub fn partition_duration(&mut self) -> SimDuration {
        self.profile.partition_duration.sample(&mut self.shapes)
    }

    pub fn crash_downtime(&mut self) -> SimDuration {
        self.profile.crash_downtime.sample(&mut self.shapes)
    }

    pub fn extra_delay(&mut self) -> SimDuration {
        self.profile.extra_delay.sample(&mut self.shapes)
    }

    /// A uniform choice among `count` targets (nodes, links, bytes); `count` must be positive.
    pub fn choose(&mut self, count: usize) -> usize {
        assert!(count > 0, "choose among no targets");
        self.shapes.random_range(0..count)
    }
}

/// `count` times uniform over the union of the windows, sorted.
fn uniform_times(stream: &mut Stream, windows: &[(SimTime, SimTime)], count: u32) -> Vec<SimTime> {
    let total: u64 = windows
        .iter()
        .map(|(start, end)| end.saturating_since(*start).as_nanos())
        .sum();
    if total == 0 {
        return Vec::new();
    }
    let mut times: Vec<SimTime> = (0..count)
        .map(|_| {
            let mut offset = stream.random_range(0..total);
            for &(start, end) in windows {
                let length = end.saturating_since(start).as_nanos();
                if offset < length {
                    return SimTime::from_nanos(start.as_nanos() + offset);
                }
                offset -= length;
            }
            unreachable!("offset within the total length")
        })
        .collect();
    times.sort_unstable();
    times
}

/// Arrival times of a Poisson process with `per_hour` events an hour over `[start, end)`.
fn poisson_times(stream: &mut Stream, start: SimTime, end: SimTime, per_hour: f64) -> Vec<SimTime> {
    const MAX_EVENTS: usize = 1_000_000;
    if !(per_hour > 0.0 && per_hour.is_finite()) || end <= start {
        return Vec::new();
    }
    let Ok(gap) = DurationDist::exponential(SimDuration::from_secs_f64(3600.0 / per_hour)) else {
        return Vec::new();
    };
    let mut times = Vec::new();
    let mut t = start;
    while times.len() < MAX_EVENTS {
        t = t.saturating_add(gap.sample(stream));
        if t >= end {
            break;
        }
        times.push(t);
    }
    times
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(rate: f64, minimum: u32) -> FaultProfile {
        let mut profile = FaultProfile::none();
        profile.specs = [FaultSpec { rate, minimum }; 8];
        profile
    }

    fn hour(h: u64) -> SimTime {
        SimTime::from_nanos(h * 3_600_000_000_000)
    }

    #[test]
    fn minimums_are_met_even_at_rate_zero() {
        let mut injector =
            FaultInjector::new(profile(0.0, 3), vec![(hour(1), hour(2))], &Streams::new(1));
        let mut t = hour(1);
        while t < hour(2) {
            injector.inject(FaultKind::Loss, t);
            t += SimDuration::from_secs(10);
        }
        assert_eq!(injector.counts().get(FaultKind::Loss), 3);
        assert_eq!(injector.plan_timed(FaultKind::Crash).len(), 3);
    }

    #[test]
    fn nothing_strikes_outside_the_window() {
        let mut injector = FaultInjector::new(
            profile(1.0, 5),
            vec![(hour(1), hour(2)), (hour(5), hour(6))],
            &Streams::new(1),
        );
        assert!(!injector.inject(FaultKind::Loss, hour(0)));
        assert!(!injector.inject(FaultKind::Loss, hour(2)));
        assert!(injector.inject(FaultKind::Loss, hour(1)));
        assert!(
            injector
                .plan_timed(FaultKind::Partition)
                .iter()
                .all(|&t| t >= hour(1) && t < hour(2))
        );
    }

    #[test]
    fn rates_are_probabilities_and_hourly_rates() {
        let mut injector = FaultInjector::new(
            profile(0.1, 0),
            vec![(hour(0), hour(100))],
            &Streams::new(2),
        );
        let strikes = (0..100_000)
            .filter(|_| injector.inject(FaultKind::Duplication, hour(1)))
            .count();
        assert!((9_500..10_500).contains(&strikes), "{strikes}");
        // 0.1 an hour over 100 hours: about 10 partitions.
        let partitions = injector.plan_timed(FaultKind::Partition).len();
        assert!((2..25).contains(&partitions), "{partitions}");
    }
}
