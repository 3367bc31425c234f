//! The core every durable service is built on: its journal, the replies and events it holds
//! until the records they depend on are durable, and its queue of outputs.
//!
//! Inputs: the service's inputs ([`Durable::receive`] handles disk completions and the
//! delivery of a wake-up, and hands messages back), records to append ([`Durable::append`]),
//! replies and events to hold ([`Durable::hold`]), calls to hold in an [`Outbox`]
//! ([`Durable::hold_call`]), and the next time the service must wake ([`Durable::wake_at`]).
//! Outputs, in the order [`Durable::pump`] queues them: the journal's disk requests, then
//! every held reply and event whose records are durable (an event before its reply), then the
//! outbox's calls whose records are durable ([`Durable::release_calls`]); a wake-up when the
//! time asked for changes; a `Halt` when the journal cannot make a batch durable.
//!
//! Persists: what the service appends, through its [`Journal`]. [`Durable::recover`] rebuilds
//! the core from the media, hands the records back for the service to replay, and queues the
//! service's `Recovered` event, built from the journal's [`RecoveryReport`]; the first input
//! after it is the service's cue to restart what was in flight ([`Durable::resuming`]).
//!
//! Invariants it keeps: a held reply or event leaves only once every record appended before
//! it was held is durable, so no answer ever depends on state a crash could lose; held
//! replies and events leave in the order they were held.

use std::collections::VecDeque;

use hkic_base::SimTime;

use crate::io::{Address, DiskCompletion, FileNumber, Input, Output};
use crate::journal::{Journal, Progress, RecoveryReport};
use crate::messages::Message;
use crate::outbox::{Outbox, durable_before};

/// A service's event type, which reports a recovery with the journal's counts.
pub(crate) trait RecoveredEvent {
    fn recovered(report: RecoveryReport) -> Self;
}

/// Implements [`RecoveredEvent`] for an event enum whose `Recovered` variant has the four
/// fields of [`RecoveryReport`].
macro_rules! recovered_event {
    ($event:ident) => {
        impl $crate::durable::RecoveredEvent for $event {
            fn recovered(report: $crate::journal::RecoveryReport) -> $event {
                let $crate::journal::RecoveryReport {
                    records,
                    duplicates,
                    orphaned,
                    skipped_bytes,
                } = report;
                $event::Recovered {
                    records,
                    duplicates,
                    orphaned,
                    skipped_bytes,
                }
            }
        }
    };
}
pub(crate) use recovered_event;

/// A reply and the event it reveals, held until the journal is durable up to `after`.
#[derive(Debug)]
struct Held<E> {
    after: u64,
    reply: Option<(Address, Message)>,
    event: Option<E>,
}

#[derive(Debug)]
pub(crate) struct Durable<E> {
    journal: Journal,
    /// `after` never decreases along the queue.
    held: VecDeque<Held<E>>,
    outputs: VecDeque<Output<E>>,
    /// Set by recovery: the first input (which brings the time) restarts what was in flight.
    resume_pending: bool,
    /// The wake-up asked for last, until it is delivered.
    wake: Option<SimTime>,
}

impl<E> Durable<E> {
    /// An empty journal on the file, nothing held.
    pub(crate) fn new(file: FileNumber) -> Durable<E> {
        Durable {
            journal: Journal::new(file),
            held: VecDeque::new(),
            outputs: VecDeque::new(),
            resume_pending: false,
            wake: None,
        }
    }

    /// Reads the media: a core that appends after the valid records, and those records in
    /// sequence order for the service to replay. The `Recovered` event is queued already.
    pub(crate) fn recover(file: FileNumber, media: &[u8]) -> (Durable<E>, Vec<Vec<u8>>)
    where
        E: RecoveredEvent,
    {
        let (journal, records, report) = Journal::recover(file, media);
        let mut durable = Durable {
            journal,
            resume_pending: true,
            ..Durable::new(file)
        };
        durable.push(Output::Event(E::recovered(report)));
        (durable, records)
    }

    /// Takes an input: handles what is the core's own (a disk completion, the delivery of the
    /// wake-up asked for) and hands a message back for the service to decide.
    pub(crate) fn receive(&mut self, input: Input) -> Option<(Address, Message)> {
        match input {
            Input::Message { from, message } => return Some((from, message)),
            Input::Disk(completion) => self.handle_disk(&completion),
            Input::Wake => self.wake = None,
        }
        None
    }

    /// True on the first call after recovery only: the service restarts then, at the time
    /// its first input brings, what its recovered state says was in flight.
    pub(crate) fn resuming(&mut self) -> bool {
        std::mem::take(&mut self.resume_pending)
    }

    /// Appends a record to the journal; returns its sequence number.
    pub(crate) fn append(&mut self, record: &[u8]) -> u64 {
        self.journal.append(record)
    }

    /// True when every record up to and including `sequence` is durable.
    pub(crate) fn is_durable(&self, sequence: u64) -> bool {
        self.journal.is_durable(sequence)
    }

    /// Holds a reply and the event it reveals until everything appended so far is durable.
    pub(crate) fn hold(&mut self, reply: Option<(Address, Message)>, event: Option<E>) {
        let after = self.journal.next_sequence();
        self.held.push_back(Held {
            after,
            reply,
            event,
        });
    }

    /// Queues a call in the outbox that starts once everything appended so far is durable.
    pub(crate) fn hold_call<K: Ord + Copy>(
        &self,
        outbox: &mut Outbox<K>,
        key: K,
        to: Address,
        message: Message,
    ) {
        outbox.hold(self.journal.next_sequence(), key, to, message);
    }

    /// Feeds a disk completion to the journal; a batch it cannot make durable halts the
    /// service.
    fn handle_disk(&mut self, completion: &DiskCompletion) {
        if self.journal.handle(completion) == Progress::Failed {
            self.push(Output::Halt("the journal could not make a batch durable"));
        }
    }

    /// Moves the journal's disk requests, and every held reply and event whose records are
    /// durable, to the outputs.
    pub(crate) fn pump(&mut self) {
        while let Some(request) = self.journal.poll_request() {
            self.outputs.push_back(Output::Disk(request));
        }
        while let Some(held) = self.held.front() {
            if !durable_before(&self.journal, held.after) {
                break;
            }
            let held = self.held.pop_front().expect("front exists");
            if let Some(event) = held.event {
                self.outputs.push_back(Output::Event(event));
            }
            if let Some((to, message)) = held.reply {
                self.outputs.push_back(Output::Send { to, message });
            }
        }
    }

    /// Starts every call the outbox holds whose records are durable.
    pub(crate) fn release_calls<K: Ord + Copy>(&mut self, now: SimTime, outbox: &mut Outbox<K>) {
        outbox.release(now, &self.journal, &mut self.outputs);
    }

    /// Asks for a wake-up at `at` (the earliest of the service's timers), unless that is
    /// the wake-up asked for last and not delivered yet.
    pub(crate) fn wake_at(&mut self, at: Option<SimTime>) {
        if let Some(at) = at.filter(|&at| Some(at) != self.wake) {
            self.wake = Some(at);
            self.outputs.push_back(Output::WakeAt(at));
        }
    }

    /// Queues an output that depends on nothing still to be made durable (an event about
    /// the durable state).
    pub(crate) fn push(&mut self, output: Output<E>) {
        self.outputs.push_back(output);
    }

    /// The queue of outputs, for an outbox to start and resend calls into.
    pub(crate) fn outputs(&mut self) -> &mut VecDeque<Output<E>> {
        &mut self.outputs
    }

    pub(crate) fn poll_output(&mut self) -> Option<Output<E>> {
        self.outputs.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::ApplicationId;
    use crate::test_disk::TestDisk;

    #[derive(Debug, PartialEq, Eq)]
    enum Event {
        Noted(u8),
        Recovered {
            records: u64,
            duplicates: u64,
            orphaned: u64,
            skipped_bytes: u64,
        },
    }
    recovered_event!(Event);

    const FILE: FileNumber = FileNumber(0);
    const CLIENT: Address = Address(7);

    fn reply(number: u64) -> Option<(Address, Message)> {
        let application = ApplicationId(number);
        Some((CLIENT, Message::ProduceCardReply { application }))
    }

    /// Carries out the disk requests among the outputs until none is left; returns the other
    /// outputs in order.
    fn settle(durable: &mut Durable<Event>, disk: &mut TestDisk) -> Vec<Output<Event>> {
        let mut others = Vec::new();
        for _ in 0..1_000 {
            durable.pump();
            let mut completions = Vec::new();
            while let Some(output) = durable.poll_output() {
                match output {
                    Output::Disk(request) => {
                        completions.extend(disk.execute(request, &mut std::iter::empty()));
                    }
                    other => others.push(other),
                }
            }
            if completions.is_empty() {
                return others;
            }
            for completion in completions {
                durable.handle_disk(&completion);
            }
        }
        panic!("the journal did not settle");
    }

    #[test]
    fn a_held_reply_waits_for_the_records_appended_before_it() {
        let mut durable = Durable::new(FILE);
        durable.hold(reply(0), Some(Event::Noted(0)));
        durable.append(b"record");
        durable.hold(reply(1), Some(Event::Noted(1)));
        durable.hold(None, Some(Event::Noted(2)));
        durable.pump();
        let (mut first, mut requests) = (Vec::new(), Vec::new());
        while let Some(output) = durable.poll_output() {
            match output {
                Output::Disk(request) => requests.push(request),
                other => first.push(other),
            }
        }
        let (to, message) = reply(0).unwrap();
        let expected = [Output::Event(Event::Noted(0)), Output::Send { to, message }];
        assert_eq!(first, expected);
        let mut disk = TestDisk::default();
        for request in requests {
            if let Some(completion) = disk.execute(request, &mut std::iter::empty()) {
                durable.handle_disk(&completion);
            }
        }
        let rest = settle(&mut durable, &mut disk);
        let (to, message) = reply(1).unwrap();
        let expected = [
            Output::Event(Event::Noted(1)),
            Output::Send { to, message },
            Output::Event(Event::Noted(2)),
        ];
        assert_eq!(rest, expected);
    }

    #[test]
    fn recovery_queues_the_recovered_event_and_hands_back_the_records() {
        let mut durable: Durable<Event> = Durable::new(FILE);
        let mut disk = TestDisk::default();
        durable.append(b"one");
        durable.append(b"two");
        settle(&mut durable, &mut disk);
        let (mut recovered, records) = Durable::<Event>::recover(FILE, &disk.media);
        assert_eq!(records, [b"one".to_vec(), b"two".to_vec()]);
        let event = Event::Recovered {
            records: 2,
            duplicates: 0,
            orphaned: 0,
            skipped_bytes: 0,
        };
        assert_eq!(recovered.poll_output(), Some(Output::Event(event)));
        assert_eq!(recovered.append(b"three"), 2);
        assert!(recovered.resuming());
        assert!(!recovered.resuming());
        assert!(!durable.resuming());
    }

    #[test]
    fn a_wake_up_is_asked_for_again_only_when_its_time_changes_or_it_was_delivered() {
        let mut durable: Durable<Event> = Durable::new(FILE);
        let (early, late) = (SimTime::from_nanos(5), SimTime::from_nanos(9));
        for at in [Some(late), Some(late), None, Some(early)] {
            durable.wake_at(at);
        }
        assert_eq!(durable.receive(Input::Wake), None);
        durable.wake_at(Some(early));
        let asked: Vec<_> = std::iter::from_fn(|| durable.poll_output()).collect();
        let expected = [late, early, early].map(Output::WakeAt);
        assert_eq!(asked, expected);
    }
}
