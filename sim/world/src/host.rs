//! Hosting a service on its node: its disk, its crashes and restarts, and carrying out its
//! outputs. One generic host serves every service; what differs (which node, what its
//! events mean to the checkers) is the service's [`Hosted`] implementation beside it
//! (`host_booking.rs`, `host_registration.rs`).

use hkic_base::{SimDuration, SimTime, Stream};
use hkic_kernel::{Disk, FaultInjector, FaultKind, FileId, Kernel, NodeId};
use hkic_services::io::{Address, DiskCompletion, DiskRequest, FileNumber, Input, Output};
use hkic_services::messages::Message;

use crate::checkers::Violation;
use crate::config::{CrashTarget, DiskTimes};
use crate::event::{DiskOp, Event, Observation};
use crate::world::World;

/// Runs `$body` with `$S` the service type that `$node` names.
macro_rules! with_service {
    ($node:expr, $S:ident => $body:expr) => {
        match $node {
            CrashTarget::Booking => {
                type $S = hkic_services::booking::BookingService;
                $body
            }
            CrashTarget::Registration => {
                type $S = hkic_services::registration::RegistrationService;
                $body
            }
            CrashTarget::Registry => {
                type $S = hkic_services::registry::RegistryService;
                $body
            }
            CrashTarget::Production => {
                type $S = hkic_services::production::ProductionService;
                $body
            }
        }
    };
}

/// A service the world hosts: how to build and rebuild it, where it lives, and what its
/// events mean.
pub(crate) trait Hosted: Sized {
    type Config: Clone;
    type Event;
    const TARGET: CrashTarget;
    /// The journal file the service recovers from.
    const JOURNAL: FileNumber;
    /// For observations: "booking", "registration".
    const NAME: &'static str;

    fn node() -> NodeId;
    fn start(config: Self::Config) -> Self;
    fn recover(config: Self::Config, media: &[u8]) -> Result<Self, String>;
    fn handle_input(&mut self, now: SimTime, input: Input);
    fn poll_output(&mut self) -> Option<Output<Self::Event>>;
    fn host(world: &mut World) -> &mut ServiceHost<Self> {
        Self::parts(world).0
    }
    /// The host and the fault injector its disk draws from.
    fn parts(world: &mut World) -> (&mut ServiceHost<Self>, &mut FaultInjector);
    fn disk_times(world: &World) -> &DiskTimes;
    fn on_event(
        world: &mut World,
        kernel: &mut Kernel<Event>,
        event: Self::Event,
    ) -> Result<(), Violation>;
    /// Checks after a restart that the rebuilt service kept what it promised.
    fn after_recovery(_world: &mut World) -> Result<(), Violation> {
        Ok(())
    }
}

/// A service's process and its disk, which outlives the process.
pub struct ServiceHost<S: Hosted> {
    config: S::Config,
    service: Option<S>,
    disk: Disk,
    incarnation: u32,
    down_until: Option<SimTime>,
    latency: Stream,
    /// With the `read-back-from-cache` planted bug: everything appended, which reads return
    /// instead of the media.
    cache_image: Option<Vec<u8>>,
}

impl<S: Hosted> ServiceHost<S> {
    pub fn new(config: S::Config, latency: Stream, read_back_from_cache: bool) -> ServiceHost<S> {
        ServiceHost {
            service: Some(S::start(config.clone())),
            config,
            disk: Disk::new(),
            incarnation: 0,
            down_until: None,
            latency,
            cache_image: read_back_from_cache.then(Vec::new),
        }
    }

    pub fn is_up(&self) -> bool {
        self.service.is_some()
    }

    pub fn service(&self) -> Option<&S> {
        self.service.as_ref()
    }

    /// A read of the media; with the `read-back-from-cache` planted bug, of what was written.
    fn read_back(&self, token: u64, offset: u64, len: u64) -> DiskCompletion {
        let journal = file(S::JOURNAL);
        let (image, media_len) = match &self.cache_image {
            Some(image) => (image.as_slice(), image.len() as u64),
            None => (self.disk.media(journal), self.disk.media_len(journal)),
        };
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(image.len());
        let end = start
            .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
            .min(image.len());
        DiskCompletion::Read {
            token,
            bytes: image[start..end].to_vec(),
            media_len,
        }
    }
}

fn file(number: FileNumber) -> FileId {
    FileId(number.0)
}

impl World {
    pub(crate) fn service_message<S: Hosted>(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        from: Address,
        message: Message,
    ) -> Result<(), Violation> {
        let Some(service) = S::host(self).service.as_mut() else {
            let mut observation = Observation::new("net.drop", "node_down");
            observation.resident = message.resident().map(|resident| resident.0);
            kernel.observe(&observation);
            return Ok(());
        };
        service.handle_input(now, Input::Message { from, message });
        self.drain_service::<S>(kernel, now)
    }

    pub(crate) fn drain_service<S: Hosted>(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
    ) -> Result<(), Violation> {
        loop {
            let Some(output) = S::host(self).service.as_mut().and_then(S::poll_output) else {
                return Ok(());
            };
            match output {
                Output::Send { to, message } => {
                    self.send(kernel, now, S::node(), NodeId(to.0), message)
                }
                Output::Disk(request) => self.disk_request::<S>(kernel, request),
                Output::WakeAt(at) => kernel.schedule(at.max(now), Event::Wake { node: S::node() }),
                Output::Event(event) => S::on_event(self, kernel, event)?,
                Output::Halt(reason) => {
                    kernel.observe(
                        &Observation::new("service.halt", reason).number(S::TARGET as u64),
                    );
                    self.take_down::<S>(kernel, now, SimDuration::from_secs(1));
                    return Ok(());
                }
            }
        }
    }

    /// A service's wake-up time came (a down service sleeps through it: it re-arms its
    /// timers when it recovers).
    pub(crate) fn wake_service<S: Hosted>(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
    ) -> Result<(), Violation> {
        let Some(service) = S::host(self).service.as_mut() else {
            return Ok(());
        };
        service.handle_input(now, Input::Wake);
        self.drain_service::<S>(kernel, now)
    }

    fn disk_request<S: Hosted>(&mut self, kernel: &mut Kernel<Event>, request: DiskRequest) {
        let (sync, read) = {
            let times = S::disk_times(self);
            (times.sync.clone(), times.read.clone())
        };
        let host = S::host(self);
        let incarnation = host.incarnation;
        let op = match request {
            DiskRequest::Append {
                file: number,
                bytes,
            } => {
                if let Some(image) = host.cache_image.as_mut() {
                    image.extend_from_slice(&bytes);
                }
                host.disk.append(file(number), &bytes);
                return;
            }
            DiskRequest::Sync { token, .. } => {
                (sync.sample(&mut host.latency), DiskOp::Synced { token })
            }
            DiskRequest::Read {
                offset, len, token, ..
            } => (
                read.sample(&mut host.latency),
                DiskOp::Read { token, offset, len },
            ),
        };
        kernel.schedule_after(
            op.0,
            Event::DiskDone {
                node: S::TARGET,
                incarnation,
                op: op.1,
            },
        );
    }

    /// A sync or read-back completes; completions for a crashed incarnation are void.
    pub(crate) fn disk_done<S: Hosted>(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        incarnation: u32,
        op: DiskOp,
    ) -> Result<(), Violation> {
        let host = S::host(self);
        if incarnation != host.incarnation || !host.is_up() {
            return Ok(());
        }
        let completion = match op {
            DiskOp::Synced { token } => {
                let (host, faults) = S::parts(self);
                let report = host.disk.sync(now, file(S::JOURNAL), faults);
                for (count, detail) in [
                    (report.lost, "lost"),
                    (report.torn, "torn"),
                    (report.corrupted, "corrupt"),
                ] {
                    if count > 0 {
                        kernel.observe(
                            &Observation::new("disk.fault", detail).number(u64::from(count)),
                        );
                    }
                }
                DiskCompletion::Synced { token }
            }
            DiskOp::Read { token, offset, len } => host.read_back(token, offset, len),
        };
        if let Some(service) = S::host(self).service.as_mut() {
            service.handle_input(now, Input::Disk(completion));
        }
        self.drain_service::<S>(kernel, now)
    }

    /// A crash fault: the process dies, its disk loses what was not synced.
    pub(crate) fn crash_service<S: Hosted>(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        down_for: Option<SimDuration>,
    ) -> Result<(), Violation> {
        if let Some(until) = S::host(self).down_until {
            // Already down: strike again once it is back, if still inside a fault window.
            let retry = until + SimDuration::from_secs(1);
            if self.faults.in_window(retry) {
                let node = S::TARGET;
                kernel.schedule(retry, Event::Crash { node, down_for });
            }
            return Ok(());
        }
        let down_for = down_for.unwrap_or_else(|| self.faults.crash_downtime());
        self.faults.note(FaultKind::Crash);
        self.take_down::<S>(kernel, now, down_for);
        Ok(())
    }

    fn take_down<S: Hosted>(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        down_for: SimDuration,
    ) {
        let (host, faults) = S::parts(self);
        let report = host.disk.crash(now, faults);
        kernel.observe(
            &Observation::new("service.crash", S::NAME).number(u64::from(report.writes_lost)),
        );
        let host = S::host(self);
        host.service = None;
        host.incarnation += 1;
        let until = now + down_for;
        host.down_until = Some(until);
        let incarnation = host.incarnation;
        kernel.schedule(
            until,
            Event::Restart {
                node: S::TARGET,
                incarnation,
            },
        );
    }

    /// The process starts again and rebuilds itself from its journal.
    pub(crate) fn restart_service<S: Hosted>(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        incarnation: u32,
    ) -> Result<(), Violation> {
        let host = S::host(self);
        if incarnation != host.incarnation || host.is_up() {
            return Ok(());
        }
        let media = host.disk.media(file(S::JOURNAL));
        let recovered = S::recover(host.config.clone(), media);
        match recovered {
            Ok(service) => {
                S::host(self).service = Some(service);
                self.checkers.on_recovery(None)?;
                S::after_recovery(self)?;
                // A rebuilt service has no clock: the first wake-up re-arms its timers and
                // resends what was in flight.
                if let Some(service) = S::host(self).service.as_mut() {
                    service.handle_input(now, Input::Wake);
                }
            }
            Err(error) => self.checkers.on_recovery(Some(error))?,
        }
        S::host(self).down_until = None;
        self.drain_service::<S>(kernel, now)
    }

    /// Routes a crash to the service it concerns.
    pub(crate) fn crash(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        node: CrashTarget,
        down_for: Option<SimDuration>,
    ) -> Result<(), Violation> {
        with_service!(node, S => self.crash_service::<S>(kernel, now, down_for))
    }

    pub(crate) fn restart(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        node: CrashTarget,
        incarnation: u32,
    ) -> Result<(), Violation> {
        with_service!(node, S => self.restart_service::<S>(kernel, now, incarnation))
    }

    pub(crate) fn disk_done_at(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        node: CrashTarget,
        incarnation: u32,
        op: DiskOp,
    ) -> Result<(), Violation> {
        with_service!(node, S => self.disk_done::<S>(kernel, now, incarnation, op))
    }
}
