//! The client side of request and reply: timeouts, retries with capped exponential backoff
//! and jitter, and giving up.
//!
//! A call is keyed by what makes it idempotent on the server (the resident, the booking), so
//! a retry is the same request again and has no second effect. Jitter comes from a stream the
//! owner hands in; the owner sends what [`Calls::start`] and [`Calls::expire`] return and
//! wakes at [`Calls::next_deadline`].

use std::collections::{BTreeMap, BTreeSet};

use hkic_base::{SimDuration, SimTime, Stream};
use rand::RngExt;

use crate::io::Address;
use crate::messages::Message;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How long to wait for a reply to one attempt.
    pub timeout: SimDuration,
    /// The pause before the first retry; it doubles with each retry up to `backoff_max`.
    pub backoff_initial: SimDuration,
    pub backoff_max: SimDuration,
    /// After this long since the first attempt, stop trying.
    pub give_up_after: SimDuration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    AwaitingReply,
    BackingOff,
}

#[derive(Clone, Debug)]
struct Call {
    to: Address,
    message: Message,
    started: SimTime,
    attempts: u32,
    phase: Phase,
    due: SimTime,
}

/// What a deadline means for a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expiry<K> {
    /// Send the request again.
    Resend {
        key: K,
        to: Address,
        message: Message,
    },
    /// No reply in time: the call is abandoned.
    GaveUp { key: K, attempts: u32 },
}

#[derive(Debug)]
pub struct Calls<K> {
    policy: RetryPolicy,
    calls: BTreeMap<K, Call>,
    deadlines: BTreeSet<(SimTime, K)>,
    jitter: Stream,
}

impl<K: Ord + Copy> Calls<K> {
    pub fn new(policy: RetryPolicy, jitter: Stream) -> Calls<K> {
        Calls {
            policy,
            calls: BTreeMap::new(),
            deadlines: BTreeSet::new(),
            jitter,
        }
    }

    /// Starts a call (replacing any call with the same key); send the returned message now.
    pub fn start(&mut self, now: SimTime, key: K, to: Address, message: Message) -> Message {
        self.complete(key);
        let due = now + self.policy.timeout;
        let call = Call {
            to,
            message: message.clone(),
            started: now,
            attempts: 1,
            phase: Phase::AwaitingReply,
            due,
        };
        self.calls.insert(key, call);
        self.deadlines.insert((due, key));
        message
    }

    /// A reply arrived: forget the call. False if it was not pending (a duplicate reply).
    pub fn complete(&mut self, key: K) -> bool {
        match self.calls.remove(&key) {
            Some(call) => {
                self.deadlines.remove(&(call.due, key));
                true
            }
            None => false,
        }
    }

    pub fn is_pending(&self, key: K) -> bool {
        self.calls.contains_key(&key)
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    pub fn next_deadline(&self) -> Option<SimTime> {
        self.deadlines.first().map(|(due, _)| *due)
    }

    /// Everything due at or before `now`: resends and calls given up.
    pub fn expire(&mut self, now: SimTime) -> Vec<Expiry<K>> {
        let mut expired = Vec::new();
        while let Some(&(due, key)) = self.deadlines.first() {
            if due > now {
                break;
            }
            self.deadlines.pop_first();
            let mut call = self.calls.remove(&key).expect("deadline of a pending call");
            match call.phase {
                Phase::AwaitingReply
                    if now.saturating_since(call.started) >= self.policy.give_up_after =>
                {
                    expired.push(Expiry::GaveUp {
                        key,
                        attempts: call.attempts,
                    });
                    continue;
                }
                Phase::AwaitingReply => {
                    call.phase = Phase::BackingOff;
                    call.due = now + self.backoff(call.attempts);
                }
                Phase::BackingOff => {
                    call.attempts += 1;
                    call.phase = Phase::AwaitingReply;
                    call.due = now + self.policy.timeout;
                    expired.push(Expiry::Resend {
                        key,
                        to: call.to,
                        message: call.message.clone(),
                    });
                }
            }
            self.deadlines.insert((call.due, key));
            self.calls.insert(key, call);
        }
        expired
    }

    /// Capped exponential backoff with "equal jitter": half fixed, half uniform.
    fn backoff(&mut self, attempts: u32) -> SimDuration {
        let doubling = 1u64 << attempts.saturating_sub(1).min(20);
        let ceiling = self
            .policy
            .backoff_initial
            .saturating_mul(doubling)
            .min(self.policy.backoff_max);
        let half = ceiling.as_nanos() / 2;
        SimDuration::from_nanos(half + self.jitter.random_range(0..=half))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{CentreId, ResidentId};
    use hkic_base::seed_stream;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            timeout: SimDuration::from_secs(2),
            backoff_initial: SimDuration::from_secs(1),
            backoff_max: SimDuration::from_secs(8),
            give_up_after: SimDuration::from_secs(60),
        }
    }

    fn message() -> Message {
        Message::WalkInRequest {
            resident: ResidentId(1),
            centre: CentreId(0),
        }
    }

    #[test]
    fn retries_with_growing_pauses_then_gives_up() {
        let mut calls = Calls::new(policy(), seed_stream(1));
        let mut now = SimTime::EPOCH;
        calls.start(now, 1u32, Address(0), message());
        let mut sends = vec![now];
        let mut gave_up = None;
        for _ in 0..100 {
            let Some(due) = calls.next_deadline() else {
                break;
            };
            now = due;
            for expiry in calls.expire(now) {
                match expiry {
                    Expiry::Resend { .. } => sends.push(now),
                    Expiry::GaveUp { attempts, .. } => gave_up = Some((now, attempts)),
                }
            }
        }
        let (when, attempts) = gave_up.expect("gave up");
        assert_eq!(attempts as usize, sends.len());
        assert!(when.saturating_since(SimTime::EPOCH) >= SimDuration::from_secs(60));
        let gaps: Vec<u64> = sends
            .windows(2)
            .map(|w| w[1].saturating_since(w[0]).as_nanos())
            .collect();
        // Each gap is the 2 s timeout plus a backoff of at least half its ceiling.
        assert!(
            gaps[0] >= 2_500_000_000 && gaps[0] <= 3_000_000_000,
            "{gaps:?}"
        );
        assert!(gaps.iter().all(|&gap| gap <= 10_000_000_000), "{gaps:?}");
        assert!(calls.is_empty());
    }

    #[test]
    fn a_reply_stops_the_retries() {
        let mut calls = Calls::new(policy(), seed_stream(1));
        calls.start(SimTime::EPOCH, 1u32, Address(0), message());
        assert!(calls.complete(1));
        assert!(!calls.complete(1));
        assert_eq!(calls.next_deadline(), None);
    }
}
