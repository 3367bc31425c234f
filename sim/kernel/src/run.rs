//! The event loop: pop the earliest event, fold it into the trace, hand it to the world.

use std::fmt;

use hkic_base::{SimDuration, SimTime};

use crate::queue::EventQueue;
use crate::trace::{Trace, TraceRecord};

/// Whether the world wants the run to go on after an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// When a run ends even if events remain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Events after this time stay pending.
    pub until: SimTime,
    /// At most this many events are processed.
    pub max_steps: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            until: SimTime::MAX,
            max_steps: u64::MAX,
        }
    }
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// No events remain.
    Quiescent,
    /// The next event is after the time limit.
    TimeLimit,
    /// The step budget is spent.
    StepBudget,
    /// The world asked to stop (an invariant broke).
    Stopped,
}

/// The pending events, the trace and the step count.
pub struct Kernel<E> {
    queue: EventQueue<E>,
    trace: Trace,
    steps: u64,
}

impl<E> fmt::Debug for Kernel<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kernel")
            .field("now", &self.queue.now())
            .field("pending", &self.queue.len())
            .field("steps", &self.steps)
            .field("trace", &self.trace)
            .finish()
    }
}

impl<E: TraceRecord> Kernel<E> {
    pub fn new(start: SimTime, trace: Trace) -> Kernel<E> {
        Kernel {
            queue: EventQueue::new(start),
            trace,
            steps: 0,
        }
    }

    pub fn now(&self) -> SimTime {
        self.queue.now()
    }

    /// Schedules `event` at `time` (not before now).
    pub fn schedule(&mut self, time: SimTime, event: E) {
        self.queue.push(time, event);
    }

    pub fn schedule_after(&mut self, delay: SimDuration, event: E) {
        let time = self.queue.now() + delay;
        self.queue.push(time, event);
    }

    /// Writes an observation (something a component reported) to the trace at the current time.
    pub fn observe<R: TraceRecord + ?Sized>(&mut self, record: &R) {
        let now = self.queue.now();
        self.trace.record(now, record);
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    pub fn trace_mut(&mut self) -> &mut Trace {
        &mut self.trace
    }

    pub fn steps(&self) -> u64 {
        self.steps
    }

    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Runs events in `(time, sequence)` order until one of the limits, quiescence, or the
    /// handler's `Flow::Stop`. Every event is recorded in the trace before it is handled.
    pub fn run(
        &mut self,
        limits: Limits,
        mut handler: impl FnMut(&mut Kernel<E>, SimTime, E) -> Flow,
    ) -> RunEnd {
        loop {
            if self.steps >= limits.max_steps {
                return if self.queue.is_empty() {
                    RunEnd::Quiescent
                } else {
                    RunEnd::StepBudget
                };
            }
            let Some((now, event)) = self.queue.pop_not_after(limits.until) else {
                return if self.queue.is_empty() {
                    RunEnd::Quiescent
                } else {
                    RunEnd::TimeLimit
                };
            };
            self.trace.record(now, &event);
            self.steps += 1;
            if handler(self, now, event) == Flow::Stop {
                return RunEnd::Stopped;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Fields;

    #[derive(Debug)]
    struct Tick(u32);

    impl TraceRecord for Tick {
        fn kind(&self) -> &'static str {
            "tick"
        }
        fn write_fields(&self, fields: &mut Fields<'_>) {
            fields.u64("n", u64::from(self.0));
        }
    }

    fn ticking(limits: Limits) -> (RunEnd, Vec<u32>, u64) {
        let mut kernel = Kernel::new(SimTime::EPOCH, Trace::new());
        kernel.schedule(SimTime::EPOCH, Tick(0));
        let mut seen = Vec::new();
        let end = kernel.run(limits, |kernel, _, Tick(n)| {
            seen.push(n);
            if n < 9 {
                kernel.schedule_after(SimDuration::from_secs(1), Tick(n + 1));
            }
            if n == 7 { Flow::Stop } else { Flow::Continue }
        });
        (end, seen, kernel.steps())
    }

    #[test]
    fn every_loop_ends() {
        let second = |s| SimTime::EPOCH + SimDuration::from_secs(s);
        assert_eq!(ticking(Limits::default()).0, RunEnd::Stopped);
        let (end, seen, steps) = ticking(Limits {
            until: second(3),
            max_steps: 100,
        });
        assert_eq!((end, seen, steps), (RunEnd::TimeLimit, vec![0, 1, 2, 3], 4));
        let (end, seen, _) = ticking(Limits {
            until: SimTime::MAX,
            max_steps: 2,
        });
        assert_eq!((end, seen), (RunEnd::StepBudget, vec![0, 1]));
    }
}
