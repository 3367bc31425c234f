//! The pending-event set: a radix heap over event times, FIFO among equal times.
//!
//! Why a radix heap: simulated time never goes backwards, so the queue is *monotone* (every
//! new event is at or after the last one popped). A radix heap exploits that: an event sits in
//! bucket `b` = the position of the highest bit in which its time differs from the current
//! time, so buckets only ever move events downwards and each event moves at most 64 times,
//! usually a handful. Pushes are an append to a `Vec`; pops scan one small bucket. With a
//! million pending events a binary heap pays about 20 cache misses per pop walking its tree;
//! the radix heap touches memory sequentially. See ARCHITECTURE.md for the measurements.
//!
//! Ordering is exactly `(time, sequence)`: every bucket stays sorted by sequence number
//! because redistribution preserves relative order and only fills empty buckets, and new
//! events always carry the largest sequence number so far.

use std::collections::VecDeque;

use hkic_base::SimTime;

const BUCKETS: usize = 65;

struct Entry<E> {
    time: u64,
    sequence: u64,
    event: E,
}

/// Pending events ordered by `(time, sequence)`.
pub struct EventQueue<E> {
    /// The time of the last event popped; no event may be pushed before it.
    now: u64,
    next_sequence: u64,
    /// Events at exactly `now`, in sequence order.
    ready: VecDeque<(u64, E)>,
    buckets: Vec<Vec<Entry<E>>>,
    /// An empty vector that trades places with the bucket being emptied, so that buckets
    /// keep their allocations and the hot path never allocates.
    spare: Vec<Entry<E>>,
    /// Bit `b` is set when `buckets[b]` is not empty.
    occupied: u128,
    len: usize,
}

impl<E> std::fmt::Debug for EventQueue<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventQueue")
            .field("now", &self.now)
            .field("len", &self.len)
            .finish()
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue::new(SimTime::EPOCH)
    }
}

impl<E> EventQueue<E> {
    pub fn new(start: SimTime) -> EventQueue<E> {
        EventQueue {
            now: start.as_nanos(),
            next_sequence: 0,
            ready: VecDeque::new(),
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            spare: Vec::new(),
            occupied: 0,
            len: 0,
        }
    }

    /// The time of the last event popped (or the start time).
    pub fn now(&self) -> SimTime {
        SimTime::from_nanos(self.now)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Schedules `event` at `time`, which must not be before [`EventQueue::now`].
    pub fn push(&mut self, time: SimTime, event: E) {
        let time = time.as_nanos();
        assert!(
            time >= self.now,
            "event scheduled in the past: {time} < {}",
            self.now
        );
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.len += 1;
        if time == self.now {
            self.ready.push_back((sequence, event));
        } else {
            let bucket = bucket_of(time, self.now);
            self.buckets[bucket].push(Entry {
                time,
                sequence,
                event,
            });
            self.occupied |= 1 << bucket;
        }
    }

    /// The earliest pending event's time, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        if !self.ready.is_empty() {
            return Some(SimTime::from_nanos(self.now));
        }
        if self.occupied == 0 {
            return None;
        }
        let bucket = self.occupied.trailing_zeros() as usize;
        self.buckets[bucket]
            .iter()
            .map(|entry| entry.time)
            .min()
            .map(SimTime::from_nanos)
    }

    /// Removes and returns the earliest event (lowest sequence number among equal times).
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.pop_not_after(SimTime::MAX)
    }

    /// Like [`EventQueue::pop`], but leaves events later than `limit` in place (and `now`
    /// unchanged), so a run can stop at a time limit and resume.
    pub fn pop_not_after(&mut self, limit: SimTime) -> Option<(SimTime, E)> {
        if self.ready.is_empty() {
            self.refill(limit.as_nanos())?;
        }
        let (_, event) = self.ready.pop_front()?;
        self.len -= 1;
        Some((SimTime::from_nanos(self.now), event))
    }

    /// Advances `now` to the earliest pending time, if it is not after `limit`, and moves
    /// that time's events to `ready`.
    fn refill(&mut self, limit: u64) -> Option<()> {
        if self.occupied == 0 {
            return None;
        }
        let bucket = self.occupied.trailing_zeros() as usize;
        let earliest = self.buckets[bucket].iter().map(|entry| entry.time).min()?;
        if earliest > limit {
            return None;
        }
        let mut entries = std::mem::take(&mut self.spare);
        std::mem::swap(&mut entries, &mut self.buckets[bucket]);
        self.occupied &= !(1 << bucket);
        debug_assert!(earliest > self.now);
        self.now = earliest;
        for entry in entries.drain(..) {
            if entry.time == earliest {
                debug_assert!(
                    self.ready
                        .back()
                        .is_none_or(|(last, _)| *last < entry.sequence)
                );
                self.ready.push_back((entry.sequence, entry.event));
            } else {
                let lower = bucket_of(entry.time, earliest);
                debug_assert!(lower < bucket);
                self.buckets[lower].push(entry);
                self.occupied |= 1 << lower;
            }
        }
        self.spare = entries;
        Some(())
    }
}

/// The bucket for `time` relative to `now`: one more than the index of the highest bit in
/// which they differ (so 0 only for equal times, which live in `ready`).
fn bucket_of(time: u64, now: u64) -> usize {
    (u64::BITS - (time ^ now).leading_zeros()) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut queue = EventQueue::new(SimTime::EPOCH);
        for (time, label) in [(5, 'a'), (3, 'b'), (5, 'c'), (0, 'd'), (3, 'e')] {
            queue.push(SimTime::from_nanos(time), label);
        }
        let order: Vec<char> = std::iter::from_fn(|| queue.pop().map(|(_, label)| label)).collect();
        assert_eq!(order, ['d', 'b', 'e', 'a', 'c']);
        assert!(queue.is_empty());
    }

    #[test]
    fn stops_at_a_limit_without_moving_time() {
        let mut queue = EventQueue::new(SimTime::EPOCH);
        queue.push(SimTime::from_nanos(10), 'a');
        queue.push(SimTime::from_nanos(20), 'b');
        assert_eq!(
            queue.pop_not_after(SimTime::from_nanos(15)).map(|(_, e)| e),
            Some('a')
        );
        assert_eq!(queue.pop_not_after(SimTime::from_nanos(15)), None);
        assert_eq!(queue.now(), SimTime::from_nanos(10));
        queue.push(SimTime::from_nanos(12), 'c');
        assert_eq!(queue.pop().map(|(_, e)| e), Some('c'));
        assert_eq!(queue.pop().map(|(_, e)| e), Some('b'));
    }

    #[test]
    fn refuses_events_in_the_past() {
        let mut queue = EventQueue::new(SimTime::EPOCH);
        queue.push(SimTime::from_nanos(10), ());
        queue.pop();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            queue.push(SimTime::from_nanos(9), ());
        }));
        assert!(result.is_err());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push(u64),
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            // Small, large and zero delays, so that equal times and far buckets both occur.
            (0u64..4).prop_map(Op::Push),
            (0u64..1_000).prop_map(Op::Push),
            (0u64..u64::from(u32::MAX)).prop_map(Op::Push),
            Just(Op::Pop),
        ]
    }

    proptest! {
        /// Against a sorted reference: the same (time, sequence) order, never back in time.
        #[test]
        fn matches_a_sorted_reference(ops in proptest::collection::vec(op(), 0..400)) {
            let mut queue = EventQueue::new(SimTime::EPOCH);
            let mut reference: Vec<(u64, u64)> = Vec::new();
            let mut sequence = 0u64;
            let mut last_popped = 0u64;
            for op in ops {
                match op {
                    Op::Push(delay) => {
                        let time = queue.now().as_nanos() + delay;
                        queue.push(SimTime::from_nanos(time), sequence);
                        reference.push((time, sequence));
                        sequence += 1;
                    }
                    Op::Pop => {
                        reference.sort_unstable();
                        let expected = (!reference.is_empty()).then(|| reference.remove(0));
                        let popped = queue.pop().map(|(time, seq)| (time.as_nanos(), seq));
                        prop_assert_eq!(popped, expected);
                        if let Some((time, _)) = popped {
                            prop_assert!(time >= last_popped);
                            last_popped = time;
                        }
                    }
                }
                prop_assert_eq!(queue.len(), reference.len());
            }
        }
    }
}
