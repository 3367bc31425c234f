//! The request plumbing terminals share: start calls, resend on timeout, give up, and keep
//! the host's wake-up time current.

use std::collections::VecDeque;

use hkic_base::{SimTime, Stream};
use hkic_services::io::{Address, Output};
use hkic_services::messages::Message;
use hkic_services::rpc::{Calls, Expiry, RetryPolicy};

#[derive(Debug)]
pub(crate) struct Channel<K, E> {
    calls: Calls<K>,
    outputs: VecDeque<Output<E>>,
    wake: Option<SimTime>,
}

impl<K: Ord + Copy, E> Channel<K, E> {
    pub(crate) fn new(policy: RetryPolicy, jitter: Stream) -> Channel<K, E> {
        Channel {
            calls: Calls::new(policy, jitter),
            outputs: VecDeque::new(),
            wake: None,
        }
    }

    pub(crate) fn call(&mut self, now: SimTime, key: K, to: Address, message: Message) {
        let message = self.calls.start(now, key, to, message);
        self.outputs.push_back(Output::Send { to, message });
    }

    /// A reply for `key` arrived; false if nobody was waiting (a duplicate or a late reply).
    pub(crate) fn complete(&mut self, key: K) -> bool {
        self.calls.complete(key)
    }

    pub(crate) fn emit(&mut self, event: E) {
        self.outputs.push_back(Output::Event(event));
    }

    /// Resends what timed out; returns the keys of calls given up.
    pub(crate) fn expire(&mut self, now: SimTime) -> Vec<K> {
        let mut gave_up = Vec::new();
        for expiry in self.calls.expire(now) {
            match expiry {
                Expiry::Resend { to, message, .. } => {
                    self.outputs.push_back(Output::Send { to, message })
                }
                Expiry::GaveUp { key, .. } => gave_up.push(key),
            }
        }
        gave_up
    }

    /// Asks the host for a wake-up when the earliest deadline changes.
    pub(crate) fn schedule_wake(&mut self) {
        let next = self.calls.next_deadline();
        if next != self.wake {
            self.wake = next;
            if let Some(at) = next {
                self.outputs.push_back(Output::WakeAt(at));
            }
        }
    }

    pub(crate) fn poll(&mut self) -> Option<Output<E>> {
        self.outputs.pop_front()
    }
}
