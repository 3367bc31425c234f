//! Durable hand-offs: requests a service must see through to an acknowledgement, whatever
//! crashes meanwhile (registration to production, production to the personalisation line
//! and the card registry).
//!
//! A call is *held* until every journal record it depends on is durable, so a crash never
//! leaves a peer knowing of something the service forgot (a card number it would give
//! again, an order it no longer holds). Once started, a call is retried with the owner's
//! [`RetryPolicy`] (timeout, capped exponential backoff with jitter) **without giving up**:
//! the hand-off of an accepted application or a verified card must never be abandoned. The
//! rate is still bounded: one attempt per timeout plus a backoff of at most `backoff_max`.
//!
//! After a crash the owner starts again, from its recovered state, every call whose
//! acknowledgement its journal does not hold; the peer's idempotency makes the repeat
//! harmless.

use std::collections::VecDeque;

use hkic_base::{SimDuration, SimTime, Stream};

use crate::io::{Address, Output};
use crate::journal::Journal;
use crate::messages::Message;
use crate::rpc::{Calls, Expiry, RetryPolicy};

/// True when every record appended before the journal's sequence number `after` is durable.
pub(crate) fn durable_before(journal: &Journal, after: u64) -> bool {
    after == 0 || journal.is_durable(after - 1)
}

#[derive(Debug)]
struct HeldCall<K> {
    after: u64,
    key: K,
    to: Address,
    message: Message,
}

#[derive(Debug)]
pub(crate) struct Outbox<K> {
    calls: Calls<K>,
    /// Calls waiting for their records; `after` never decreases along the queue.
    held: VecDeque<HeldCall<K>>,
}

impl<K: Ord + Copy> Outbox<K> {
    pub(crate) fn new(policy: RetryPolicy, jitter: Stream) -> Outbox<K> {
        let never_give_up = RetryPolicy {
            give_up_after: SimDuration::MAX,
            ..policy
        };
        Outbox {
            calls: Calls::new(never_give_up, jitter),
            held: VecDeque::new(),
        }
    }

    /// Queues a call that starts once every record before sequence number `after` is durable.
    pub(crate) fn hold(&mut self, after: u64, key: K, to: Address, message: Message) {
        let ordered = self.held.back().is_none_or(|last| last.after <= after);
        assert!(ordered, "held calls are queued in journal order");
        self.held.push_back(HeldCall {
            after,
            key,
            to,
            message,
        });
    }

    /// Starts a call now: what it depends on is durable already (recovered from the media).
    pub(crate) fn start<E>(
        &mut self,
        now: SimTime,
        key: K,
        to: Address,
        message: Message,
        outputs: &mut VecDeque<Output<E>>,
    ) {
        let message = self.calls.start(now, key, to, message);
        outputs.push_back(Output::Send { to, message });
    }

    /// Starts every held call whose records are durable.
    pub(crate) fn release<E>(
        &mut self,
        now: SimTime,
        journal: &Journal,
        outputs: &mut VecDeque<Output<E>>,
    ) {
        while let Some(held) = self.held.front() {
            if !durable_before(journal, held.after) {
                break;
            }
            let held = self.held.pop_front().expect("front exists");
            self.start(now, held.key, held.to, held.message, outputs);
        }
    }

    /// The acknowledgement for `key` arrived: no more attempts, and a call still held (a
    /// repeat of one an earlier incarnation made) never starts. False if nothing was pending.
    pub(crate) fn complete(&mut self, key: K) -> bool {
        let held = self.held.len();
        self.held.retain(|call| call.key != key);
        self.calls.complete(key) || self.held.len() != held
    }

    /// True once the call's request has left (and until it is acknowledged).
    pub(crate) fn is_sent(&self, key: K) -> bool {
        self.calls.is_pending(key)
    }

    /// Sends again every attempt that timed out.
    pub(crate) fn expire<E>(&mut self, now: SimTime, outputs: &mut VecDeque<Output<E>>) {
        for expiry in self.calls.expire(now) {
            match expiry {
                Expiry::Resend { to, message, .. } => {
                    outputs.push_back(Output::Send { to, message })
                }
                Expiry::GaveUp { .. } => unreachable!("hand-offs never give up"),
            }
        }
    }

    pub(crate) fn next_deadline(&self) -> Option<SimTime> {
        self.calls.next_deadline()
    }

    /// Calls started or held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.calls.len() + self.held.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::FileNumber;
    use crate::messages::ApplicationId;
    use hkic_base::seed_stream;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            timeout: SimDuration::from_secs(2),
            backoff_initial: SimDuration::from_secs(1),
            backoff_max: SimDuration::from_secs(8),
            give_up_after: SimDuration::from_secs(30),
        }
    }

    fn message(number: u64) -> Message {
        Message::ProduceCardReply {
            application: ApplicationId(number),
        }
    }

    fn sends(outputs: &mut VecDeque<Output<()>>) -> usize {
        let count = outputs
            .iter()
            .filter(|output| matches!(output, Output::Send { .. }))
            .count();
        outputs.clear();
        count
    }

    #[test]
    fn a_held_call_waits_for_its_records() {
        let mut journal = Journal::new(FileNumber(0));
        let mut outbox = Outbox::new(policy(), seed_stream(1));
        let mut outputs = VecDeque::new();
        journal.append(b"order");
        outbox.hold(journal.next_sequence(), 1u32, Address(3), message(1));
        outbox.release(SimTime::EPOCH, &journal, &mut outputs);
        assert_eq!((sends(&mut outputs), outbox.len()), (0, 1));
        let mut disk = crate::test_disk::TestDisk::default();
        crate::test_disk::settle_journal(&mut disk, &mut journal);
        assert!(journal.is_idle());
        outbox.release(SimTime::EPOCH, &journal, &mut outputs);
        assert_eq!(sends(&mut outputs), 1);
        assert!(outbox.next_deadline().is_some());
    }

    #[test]
    fn a_started_call_is_retried_long_after_the_policy_would_give_up() {
        let mut outbox = Outbox::new(policy(), seed_stream(1));
        let mut outputs = VecDeque::new();
        outbox.start(SimTime::EPOCH, 1u32, Address(3), message(1), &mut outputs);
        let mut attempts = sends(&mut outputs);
        for _ in 0..1_000 {
            let due = outbox.next_deadline().expect("still pending");
            outbox.expire(due, &mut outputs);
            attempts += sends(&mut outputs);
        }
        let elapsed = outbox
            .next_deadline()
            .unwrap()
            .saturating_since(SimTime::EPOCH);
        assert!(elapsed > SimDuration::from_secs(3_000), "{elapsed}");
        assert!(attempts > 300, "{attempts}");
        assert!(outbox.complete(1));
        assert_eq!((outbox.len(), outbox.next_deadline()), (0, None));
    }

    #[test]
    fn an_acknowledgement_cancels_a_call_still_held() {
        let journal = {
            let mut journal = Journal::new(FileNumber(0));
            journal.append(b"not yet durable");
            journal
        };
        let mut outbox = Outbox::new(policy(), seed_stream(1));
        outbox.hold(journal.next_sequence(), 1u32, Address(3), message(1));
        outbox.hold(journal.next_sequence(), 2u32, Address(3), message(2));
        assert!(outbox.complete(1));
        assert!(!outbox.complete(1));
        assert_eq!(outbox.len(), 1);
    }
}
