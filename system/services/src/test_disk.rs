//! An in-memory disk for the services' unit tests: it carries out `DiskRequest`s as the
//! simulator's disk does (a write cache, syncs to a media, reads from the media), damaging
//! writes on their way to the media when a test asks it to; and a harness that drives any
//! service against it, crashes included.

use std::collections::VecDeque;

use hkic_base::SimTime;
use proptest::prelude::*;

use crate::io::{Address, DiskCompletion, DiskRequest, Input, Output};
use crate::journal::Journal;
use crate::messages::Message;

/// What happens to one write when it reaches the media.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Damage {
    None,
    Lose,
    /// Keep this many bytes (modulo the write's length).
    Tear(usize),
    /// Flip a bit of this byte (modulo the write's length).
    Flip(usize),
}

#[derive(Debug, Default)]
pub(crate) struct TestDisk {
    pub(crate) media: Vec<u8>,
    cache: Vec<Vec<u8>>,
}

impl TestDisk {
    pub(crate) fn with_media(media: Vec<u8>) -> TestDisk {
        TestDisk {
            media,
            cache: Vec::new(),
        }
    }

    /// Carries out one request; `None` for an append, which completes nothing.
    pub(crate) fn execute(
        &mut self,
        request: DiskRequest,
        damage: &mut dyn Iterator<Item = Damage>,
    ) -> Option<DiskCompletion> {
        match request {
            DiskRequest::Append { bytes, .. } => {
                self.cache.push(bytes);
                None
            }
            DiskRequest::Sync { token, .. } => {
                for mut write in std::mem::take(&mut self.cache) {
                    match damage.next().unwrap_or(Damage::None) {
                        Damage::None => {}
                        Damage::Lose => write.clear(),
                        Damage::Tear(keep) => write.truncate(keep % write.len()),
                        Damage::Flip(at) => {
                            let at = at % write.len();
                            write[at] ^= 0x10;
                        }
                    }
                    self.media.extend_from_slice(&write);
                }
                Some(DiskCompletion::Synced { token })
            }
            DiskRequest::Read {
                offset, len, token, ..
            } => {
                let start = (offset as usize).min(self.media.len());
                let end = (start + len as usize).min(self.media.len());
                let bytes = self.media[start..end].to_vec();
                Some(DiskCompletion::Read {
                    token,
                    bytes,
                    media_len: self.media.len() as u64,
                })
            }
        }
    }

    /// A crash: unsynced writes are gone.
    pub(crate) fn crash(&mut self) {
        self.cache.clear();
    }
}

/// Damage to one write: none `intact` times in `intact + 3`, else lost, torn or flipped alike.
pub(crate) fn damage(intact: u32) -> impl Strategy<Value = Damage> {
    prop_oneof![
        intact => Just(Damage::None),
        1 => Just(Damage::Lose),
        1 => any::<usize>().prop_map(Damage::Tear),
        1 => any::<usize>().prop_map(Damage::Flip),
    ]
}

/// Carries out the journal's requests on the disk until it has none left.
pub(crate) fn settle_journal(disk: &mut TestDisk, journal: &mut Journal) {
    while let Some(request) = journal.poll_request() {
        if let Some(completion) = disk.execute(request, &mut std::iter::empty()) {
            journal.handle(&completion);
        }
    }
}

/// A media holding these records, as the journal writes them.
pub(crate) fn media_of(records: &[&[u8]]) -> Vec<u8> {
    let mut journal = Journal::new(crate::io::FileNumber(0));
    for record in records {
        journal.append(record);
    }
    let mut disk = TestDisk::default();
    settle_journal(&mut disk, &mut journal);
    disk.media
}

/// What [`Harness`] needs of a service: the sans-IO interface every service has, and the
/// two ways to build one (fresh, and from its media after a crash).
pub(crate) trait TestService {
    type Config: Clone;
    type Event;

    fn start(config: Self::Config) -> Self;
    fn restart(config: Self::Config, media: &[u8]) -> Self;
    fn handle_input(&mut self, now: SimTime, input: Input);
    fn poll_output(&mut self) -> Option<Output<Self::Event>>;
}

/// Implements [`TestService`] for a service with the shape every service has: `new(config)`,
/// `recover(config, media)`, `handle_input` and `poll_output`.
macro_rules! test_service {
    ($service:ident, $config:ident, $event:ident) => {
        impl $crate::test_disk::TestService for $service {
            type Config = $config;
            type Event = $event;

            fn start(config: $config) -> $service {
                $service::new(config)
            }

            fn restart(config: $config, media: &[u8]) -> $service {
                $service::recover(config, media).unwrap()
            }

            fn handle_input(&mut self, now: hkic_base::SimTime, input: $crate::io::Input) {
                $service::handle_input(self, now, input);
            }

            fn poll_output(&mut self) -> Option<$crate::io::Output<$event>> {
                $service::poll_output(self)
            }
        }
    };
}
pub(crate) use test_service;

/// The address every test request comes from.
pub(crate) const CLIENT: Address = Address(7);

/// Drives a service against a [`TestDisk`]; disk operations complete one at a time, when the
/// test says, so crashes can strike between any two of them.
pub(crate) struct Harness<S: TestService> {
    config: S::Config,
    pub(crate) service: S,
    pub(crate) disk: TestDisk,
    pub(crate) pending: VecDeque<DiskRequest>,
    /// Messages to [`CLIENT`]: the replies to the test's requests.
    pub(crate) replies: Vec<Message>,
    /// Messages to anybody else: the service's own requests to other services.
    pub(crate) outgoing: Vec<(Address, Message)>,
    /// The wake-up time the service asked for last, until it is delivered.
    pub(crate) wake: Option<SimTime>,
    /// Every event of every incarnation, in order.
    pub(crate) events: Vec<S::Event>,
}

impl<S: TestService> Harness<S> {
    pub(crate) fn new(config: S::Config) -> Harness<S> {
        Harness {
            service: S::start(config.clone()),
            config,
            disk: TestDisk::default(),
            pending: VecDeque::new(),
            replies: Vec::new(),
            outgoing: Vec::new(),
            wake: None,
            events: Vec::new(),
        }
    }

    pub(crate) fn input(&mut self, now: SimTime, input: Input) {
        self.service.handle_input(now, input);
        self.drain();
    }

    fn drain(&mut self) {
        while let Some(output) = self.service.poll_output() {
            match output {
                Output::Send { to, message } if to == CLIENT => self.replies.push(message),
                Output::Send { to, message } => self.outgoing.push((to, message)),
                Output::Disk(request) => self.pending.push_back(request),
                Output::Event(event) => self.events.push(event),
                Output::WakeAt(at) => self.wake = Some(at),
                Output::Halt(reason) => panic!("halted: {reason}"),
            }
        }
    }

    pub(crate) fn send(&mut self, now: SimTime, message: Message) {
        let from = CLIENT;
        self.input(now, Input::Message { from, message });
    }

    /// Delivers the wake-up the service asked for if its time has come; false if not.
    pub(crate) fn wake_if_due(&mut self, now: SimTime) -> bool {
        if self.wake.is_none_or(|at| at > now) {
            return false;
        }
        self.wake = None;
        self.input(now, Input::Wake);
        true
    }

    /// Carries out the oldest pending disk request; false if there was none.
    pub(crate) fn step_disk(&mut self, now: SimTime) -> bool {
        self.step_disk_with(now, Damage::None)
    }

    /// As [`Harness::step_disk`], doing `damage` to a write the step takes to the media.
    pub(crate) fn step_disk_with(&mut self, now: SimTime, damage: Damage) -> bool {
        let Some(request) = self.pending.pop_front() else {
            return false;
        };
        if let Some(completion) = self.disk.execute(request, &mut std::iter::once(damage)) {
            self.input(now, Input::Disk(completion));
        }
        true
    }

    pub(crate) fn settle(&mut self, now: SimTime) {
        while self.step_disk(now) {}
    }

    /// A crash: unsynced writes, requests in flight and the wake-up asked for are gone; the
    /// service restarts from its media.
    pub(crate) fn crash(&mut self) {
        self.disk.crash();
        self.pending.clear();
        self.wake = None;
        self.service = S::restart(self.config.clone(), &self.disk.media);
        self.drain();
    }

    /// A crash, then the restarted service's first input: the host wakes it at `now`.
    pub(crate) fn restart_at(&mut self, now: SimTime) {
        self.crash();
        self.input(now, Input::Wake);
    }

    /// Sends a request, lets the disk settle and returns the one reply it got.
    pub(crate) fn request(&mut self, now: SimTime, message: Message) -> Message {
        let before = self.replies.len();
        self.send(now, message);
        self.settle(now);
        assert_eq!(self.replies.len(), before + 1, "one reply");
        self.replies.last().expect("one reply").clone()
    }
}
