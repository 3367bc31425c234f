//! What the kiosk and counter workflows share: one output type carrying messages, device
//! requests, wake-ups and events in the order they were decided, and the plumbing behind it
//! (calls with retries through [`Channel`], device requests and events in the same queue).

use hkic_base::{SimTime, Stream};
use hkic_services::io::{Address, Output};
use hkic_services::messages::Message;
use hkic_services::rpc::RetryPolicy;

use crate::channel::Channel;

/// Everything a workflow hands back. `D` is its device request type, `E` its event type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TerminalOutput<D, E> {
    /// Send this message now.
    Send { to: Address, message: Message },
    /// Operate this device; answer with exactly one outcome of the matching kind.
    Device(D),
    /// Wake me at this time (the latest request replaces earlier ones).
    WakeAt(SimTime),
    /// Something the simulator (routing, metrics, checkers) should see.
    Event(E),
}

/// A device request or an event, queued in the channel so that every output keeps its order.
#[derive(Debug)]
enum Signal<D, E> {
    Device(D),
    Event(E),
}

#[derive(Debug)]
pub(crate) struct Plumbing<K, D, E> {
    channel: Channel<K, Signal<D, E>>,
}

impl<K: Ord + Copy, D, E> Plumbing<K, D, E> {
    pub(crate) fn new(retry: RetryPolicy, jitter: Stream) -> Plumbing<K, D, E> {
        Plumbing {
            channel: Channel::new(retry, jitter),
        }
    }

    pub(crate) fn call(&mut self, now: SimTime, key: K, to: Address, message: Message) {
        self.channel.call(now, key, to, message);
    }

    /// A reply for `key` arrived; false if nobody was waiting (a duplicate or a late reply).
    pub(crate) fn complete(&mut self, key: K) -> bool {
        self.channel.complete(key)
    }

    pub(crate) fn device(&mut self, request: D) {
        self.channel.emit(Signal::Device(request));
    }

    pub(crate) fn emit(&mut self, event: E) {
        self.channel.emit(Signal::Event(event));
    }

    /// Resends what timed out; returns the keys of calls given up.
    pub(crate) fn expire(&mut self, now: SimTime) -> Vec<K> {
        self.channel.expire(now)
    }

    pub(crate) fn schedule_wake(&mut self) {
        self.channel.schedule_wake();
    }

    pub(crate) fn poll(&mut self) -> Option<TerminalOutput<D, E>> {
        let output = match self.channel.poll()? {
            Output::Send { to, message } => TerminalOutput::Send { to, message },
            Output::WakeAt(at) => TerminalOutput::WakeAt(at),
            Output::Event(Signal::Device(request)) => TerminalOutput::Device(request),
            Output::Event(Signal::Event(event)) => TerminalOutput::Event(event),
            Output::Disk(_) | Output::Halt(_) => {
                unreachable!("a channel asks for no disk and never halts")
            }
        };
        Some(output)
    }
}
