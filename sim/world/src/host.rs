//! Hosting the booking service on the central node: its disk, its crashes and restarts, and
//! carrying out its outputs.

use hkic_base::{SimDuration, SimTime, Stream};
use hkic_kernel::{Disk, FaultKind, FileId, Kernel};
use hkic_services::booking::{BookingConfig, BookingEvent, BookingService, JOURNAL_FILE};
use hkic_services::io::{Address, DiskCompletion, DiskRequest, FileNumber, Input, Output};
use hkic_services::messages::Message;

use crate::checkers::Violation;
use crate::config::CrashTarget;
use crate::event::{DiskOp, Event, Observation};
use crate::wiring::CENTRAL;
use crate::world::World;

/// The booking service's process and its disk, which outlives the process.
pub struct BookingHost {
    config: BookingConfig,
    service: Option<BookingService>,
    disk: Disk,
    incarnation: u32,
    down_until: Option<SimTime>,
    latency: Stream,
    /// With the `read-back-from-cache` planted bug: everything appended, which reads return
    /// instead of the media.
    cache_image: Option<Vec<u8>>,
}

impl BookingHost {
    pub fn new(config: BookingConfig, latency: Stream, read_back_from_cache: bool) -> BookingHost {
        BookingHost {
            service: Some(BookingService::new(config.clone())),
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
}

fn file(number: FileNumber) -> FileId {
    FileId(number.0)
}

impl World {
    pub(crate) fn booking_message(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        from: Address,
        message: Message,
    ) -> Result<(), Violation> {
        let Some(service) = self.booking.service.as_mut() else {
            let mut observation = Observation::new("net.drop", "node_down");
            observation.resident = message.resident().map(|resident| resident.0);
            kernel.observe(&observation);
            return Ok(());
        };
        service.handle_input(now, Input::Message { from, message });
        self.drain_booking(kernel, now)
    }

    pub(crate) fn drain_booking(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
    ) -> Result<(), Violation> {
        loop {
            let Some(output) = self
                .booking
                .service
                .as_mut()
                .and_then(BookingService::poll_output)
            else {
                return Ok(());
            };
            match output {
                Output::Send { to, message } => {
                    self.send(kernel, now, CENTRAL, hkic_kernel::NodeId(to.0), message)
                }
                Output::Disk(request) => self.disk_request(kernel, request),
                Output::WakeAt(_) => {}
                Output::Event(event) => self.on_booking_event(kernel, event)?,
                Output::Halt(reason) => {
                    kernel.observe(&Observation::new("booking.halt", reason));
                    self.take_down(kernel, now, SimDuration::from_secs(1));
                    return Ok(());
                }
            }
        }
    }

    fn disk_request(&mut self, kernel: &mut Kernel<Event>, request: DiskRequest) {
        let incarnation = self.booking.incarnation;
        match request {
            DiskRequest::Append {
                file: number,
                bytes,
            } => {
                if let Some(image) = self.booking.cache_image.as_mut() {
                    image.extend_from_slice(&bytes);
                }
                self.booking.disk.append(file(number), &bytes);
            }
            DiskRequest::Sync { token, .. } => {
                let delay = self.config.disk_sync.sample(&mut self.booking.latency);
                kernel.schedule_after(
                    delay,
                    Event::DiskDone {
                        incarnation,
                        op: DiskOp::Synced { token },
                    },
                );
            }
            DiskRequest::Read {
                offset, len, token, ..
            } => {
                let delay = self.config.disk_read.sample(&mut self.booking.latency);
                kernel.schedule_after(
                    delay,
                    Event::DiskDone {
                        incarnation,
                        op: DiskOp::Read { token, offset, len },
                    },
                );
            }
        }
    }

    fn on_booking_event(
        &mut self,
        kernel: &mut Kernel<Event>,
        event: BookingEvent,
    ) -> Result<(), Violation> {
        let observation = match event {
            BookingEvent::Booked {
                resident,
                slot,
                slot_start,
                ..
            } => Observation::new("booking.booked", "slot")
                .resident(resident.0)
                .number(u64::from(slot.0))
                .time(slot_start),
            BookingEvent::CheckedIn {
                resident, ticket, ..
            } => Observation::new("booking.checked_in", "ticket")
                .resident(resident.0)
                .number(u64::from(ticket)),
            BookingEvent::WalkInIssued {
                resident, ticket, ..
            } => Observation::new("booking.walk_in", "ticket")
                .resident(resident.0)
                .number(u64::from(ticket)),
            BookingEvent::EFormStored {
                resident,
                reference,
                ..
            } => Observation::new("booking.eform", "reference")
                .resident(resident.0)
                .number(reference.0),
            BookingEvent::Recovered { records, .. } => {
                Observation::new("booking.recovered", "records").number(records)
            }
        };
        kernel.observe(&observation);
        self.checkers.on_booking_event(&event)
    }

    /// A sync or read-back completes; completions for a crashed incarnation are void.
    pub(crate) fn disk_done(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        incarnation: u32,
        op: DiskOp,
    ) -> Result<(), Violation> {
        if incarnation != self.booking.incarnation || !self.booking.is_up() {
            return Ok(());
        }
        let journal = file(JOURNAL_FILE);
        let completion = match op {
            DiskOp::Synced { token } => {
                let report = self.booking.disk.sync(now, journal, &mut self.faults);
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
            DiskOp::Read { token, offset, len } => self.read_back(journal, token, offset, len),
        };
        if let Some(service) = self.booking.service.as_mut() {
            service.handle_input(now, Input::Disk(completion));
        }
        self.drain_booking(kernel, now)
    }

    /// A read of the media; with the `read-back-from-cache` planted bug, of what was written.
    fn read_back(&self, journal: FileId, token: u64, offset: u64, len: u64) -> DiskCompletion {
        let (image, media_len) = match &self.booking.cache_image {
            Some(image) => (image.as_slice(), image.len() as u64),
            None => (
                self.booking.disk.media(journal),
                self.booking.disk.media_len(journal),
            ),
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

    /// A crash fault: the process dies, its disk loses what was not synced.
    pub(crate) fn crash(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        node: CrashTarget,
        down_for: Option<SimDuration>,
    ) -> Result<(), Violation> {
        match node {
            CrashTarget::BookingService => {}
        }
        if let Some(until) = self.booking.down_until {
            // Already down: strike again once it is back, if still inside a fault window.
            let retry = until + SimDuration::from_secs(1);
            if self.faults.in_window(retry) {
                kernel.schedule(retry, Event::Crash { node, down_for });
            }
            return Ok(());
        }
        let down_for = down_for.unwrap_or_else(|| self.faults.crash_downtime());
        self.faults.note(FaultKind::Crash);
        self.take_down(kernel, now, down_for);
        Ok(())
    }

    fn take_down(&mut self, kernel: &mut Kernel<Event>, now: SimTime, down_for: SimDuration) {
        let report = self.booking.disk.crash(now, &mut self.faults);
        kernel.observe(
            &Observation::new("booking.crash", "unsynced_writes_lost")
                .number(u64::from(report.writes_lost)),
        );
        self.booking.service = None;
        self.booking.incarnation += 1;
        let until = now + down_for;
        self.booking.down_until = Some(until);
        let incarnation = self.booking.incarnation;
        kernel.schedule(
            until,
            Event::Restart {
                node: CrashTarget::BookingService,
                incarnation,
            },
        );
    }

    /// The process starts again and rebuilds itself from its journal.
    pub(crate) fn restart(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        node: CrashTarget,
        incarnation: u32,
    ) -> Result<(), Violation> {
        match node {
            CrashTarget::BookingService => {}
        }
        if incarnation != self.booking.incarnation || self.booking.is_up() {
            return Ok(());
        }
        let media = self.booking.disk.media(file(JOURNAL_FILE));
        match BookingService::recover(self.booking.config.clone(), media) {
            Ok(service) => {
                self.booking.service = Some(service);
                self.checkers.on_recovery(None)?;
            }
            Err(error) => self.checkers.on_recovery(Some(error.to_string()))?,
        }
        self.booking.down_until = None;
        self.drain_booking(kernel, now)
    }
}
