//! The booking service: appointment slots with quotas, check-in at the tag-issuing kiosk,
//! the same-day walk-in quota, and residents' pre-filled e-forms.
//!
//! Inputs: `BookRequest` (with the resident's year of birth, which decides their call-up
//! group), `CancelBookingRequest`, `RescheduleRequest`, `CheckInRequest`,
//! `WalkInRequest`, `EFormSubmitRequest` and `EFormLookupRequest` messages, and disk
//! completions. Outputs: replies, journal disk
//! requests, and [`BookingEvent`]s.
//!
//! Persists: every booking, check-in, walk-in ticket and e-form, in its [`Journal`], before
//! anybody is told about it. A reply (even a refusal) is released only once every record
//! appended before it is durable, so no answer ever depends on state a crash could lose.
//!
//! Invariants it keeps:
//! - a resident is booked only for a day within their call-up group's window (or, when the
//!   schedule accepts late-comers, after it), and only once their group's booking opened;
//!   every other request gets a typed refusal;
//! - a slot never holds more bookings than its quota, and a day never issues more walk-in
//!   tickets than its quota, whatever the order, duplication or timing of requests;
//! - a resident holds at most one booking: a repeated request returns the same booking; a
//!   cancelled booking frees its slot and lets the resident book again; a reschedule takes
//!   the new slot and frees the old one in one record;
//! - check-in and walk-in requests are idempotent (the same ticket again);
//! - a resident has at most one e-form, and its reference and digest never change once
//!   told: a repeated submission returns the same QR payload.
//!
//! [`Journal`]: crate::journal::Journal

mod call_up;
mod changes;
mod eforms;
mod records;
mod slots;

use std::collections::BTreeMap;

use hkic_base::{Calendar, Date, SimDuration, SimTime, TimeOfDay};

pub use call_up::{CallUpError, CallUpGroup, CallUpSchedule};
use eforms::{EForms, Submission};
pub use records::MalformedRecord;
use records::Record;
pub use slots::{CentreTimetable, SlotId, SlotTable};

use crate::durable::{Durable, recovered_event};
use crate::io::{Address, FileNumber, Input, Output};
use crate::messages::{
    BookOutcome, BookingId, CentreId, CheckInOutcome, EFormDigest, EFormQr, EFormReference,
    EFormSubmitOutcome, Message, ResidentId, WalkInOutcome,
};

/// The journal's file on the service's disk.
pub const JOURNAL_FILE: FileNumber = FileNumber(0);

#[derive(Clone, Debug)]
pub struct BookingConfig {
    pub calendar: Calendar,
    /// Indexed by `CentreId`.
    pub centres: Vec<CentreTimetable>,
    /// The booking period: days on which appointments exist.
    pub first_day: Date,
    pub last_day: Date,
    /// How far ahead a resident may book, in working days.
    pub horizon_working_days: u32,
    /// Who may book for which days, by year of birth.
    pub call_up: CallUpSchedule,
    /// How early before its slot an appointment may check in.
    pub check_in_early: SimDuration,
    /// How late after its slot ends an appointment may still check in.
    pub check_in_late: SimDuration,
}

/// What observers learn, once it is durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookingEvent {
    Booked {
        booking: BookingId,
        resident: ResidentId,
        centre: CentreId,
        slot: SlotId,
        slot_start: SimTime,
    },
    CheckedIn {
        booking: BookingId,
        resident: ResidentId,
        ticket: u16,
    },
    WalkInIssued {
        resident: ResidentId,
        centre: CentreId,
        day: Date,
        ticket: u16,
    },
    EFormStored {
        reference: EFormReference,
        resident: ResidentId,
        digest: EFormDigest,
    },
    /// A booking was cancelled: its slot is free again.
    Cancelled {
        booking: BookingId,
        resident: ResidentId,
        slot: SlotId,
    },
    /// A booking moved to another slot (its number stays).
    Rescheduled {
        booking: BookingId,
        resident: ResidentId,
        from: SlotId,
        to: SlotId,
        slot_start: SimTime,
    },
    Recovered {
        records: u64,
        duplicates: u64,
        orphaned: u64,
        skipped_bytes: u64,
    },
}

recovered_event!(BookingEvent);

/// What a resident asks for: a day at a centre, a time of day, and who they are (their year
/// of birth, for the call-up).
#[derive(Clone, Copy, Debug)]
pub(super) struct Wish {
    pub(super) born: u16,
    pub(super) centre: CentreId,
    pub(super) day: Date,
    pub(super) preferred: TimeOfDay,
}

#[derive(Clone, Copy, Debug)]
struct Booking {
    resident: ResidentId,
    /// The year of birth given when booking: a move stays within its call-up window.
    born: u16,
    slot: SlotId,
    ticket: Option<u16>,
    cancelled: bool,
}

#[derive(Debug)]
pub struct BookingService {
    config: BookingConfig,
    slots: SlotTable,
    booked: Vec<u16>,
    bookings: Vec<Booking>,
    by_resident: BTreeMap<ResidentId, BookingId>,
    /// Per (centre, day): appointment tickets and walk-in tickets issued.
    appointment_tickets: Vec<u16>,
    walk_in_tickets: Vec<u16>,
    walk_ins: BTreeMap<(ResidentId, CentreId, Date), u16>,
    eforms: EForms,
    /// The journal, the replies held until it is durable, and the outputs.
    durable: Durable<BookingEvent>,
}

impl BookingService {
    pub fn new(config: BookingConfig) -> BookingService {
        let slots = SlotTable::new(config.first_day, config.last_day, config.centres.clone());
        BookingService {
            booked: vec![0; slots.len()],
            appointment_tickets: vec![0; slots.centre_days()],
            walk_in_tickets: vec![0; slots.centre_days()],
            slots,
            config,
            bookings: Vec::new(),
            by_resident: BTreeMap::new(),
            walk_ins: BTreeMap::new(),
            eforms: EForms::default(),
            durable: Durable::new(JOURNAL_FILE),
        }
    }

    /// Rebuilds the service from its journal's media after a crash.
    pub fn recover(config: BookingConfig, media: &[u8]) -> Result<BookingService, MalformedRecord> {
        let (durable, records) = Durable::recover(JOURNAL_FILE, media);
        let mut service = BookingService {
            durable,
            ..BookingService::new(config)
        };
        for (index, bytes) in records.iter().enumerate() {
            service.apply(Record::decode(bytes, index)?);
        }
        Ok(service)
    }

    pub fn slots(&self) -> &SlotTable {
        &self.slots
    }

    pub fn handle_input(&mut self, now: SimTime, input: Input) {
        if let Some((from, message)) = self.durable.receive(input) {
            self.handle_message(now, from, message);
        }
        self.durable.pump();
    }

    pub fn poll_output(&mut self) -> Option<Output<BookingEvent>> {
        self.durable.poll_output()
    }

    fn handle_message(&mut self, now: SimTime, from: Address, message: Message) {
        let Some((reply, event)) = self.answer(now, message) else {
            return;
        };
        self.durable.hold(Some((from, reply)), event);
    }

    /// Decides a request: its reply, and the event it reveals once durable. `None` for
    /// messages not addressed to the booking service: a stray one changes nothing.
    fn answer(
        &mut self,
        now: SimTime,
        message: Message,
    ) -> Option<(Message, Option<BookingEvent>)> {
        let answer = match message {
            Message::BookRequest {
                resident,
                born,
                centre,
                day,
                preferred,
            } => {
                let wish = Wish {
                    born,
                    centre,
                    day,
                    preferred,
                };
                let (outcome, event) = self.book(now, resident, wish);
                (Message::BookReply { resident, outcome }, event)
            }
            Message::CheckInRequest {
                resident,
                booking,
                centre,
            } => {
                let (outcome, event) = self.check_in(now, resident, booking, centre);
                let reply = Message::CheckInReply {
                    resident,
                    booking,
                    outcome,
                };
                (reply, event)
            }
            Message::WalkInRequest { resident, centre } => {
                let (outcome, event) = self.walk_in(now, resident, centre);
                (Message::WalkInReply { resident, outcome }, event)
            }
            Message::EFormSubmitRequest { resident, digest } => {
                let (outcome, event) = self.submit_eform(resident, digest);
                (Message::EFormSubmitReply { resident, outcome }, event)
            }
            Message::CancelBookingRequest { resident, booking } => {
                let (outcome, event) = self.cancel(resident, booking);
                let reply = Message::CancelBookingReply {
                    resident,
                    booking,
                    outcome,
                };
                (reply, event)
            }
            Message::RescheduleRequest {
                resident,
                booking,
                day,
                preferred,
            } => {
                let (outcome, event) = self.reschedule(now, resident, booking, day, preferred);
                let reply = Message::RescheduleReply {
                    resident,
                    booking,
                    outcome,
                };
                (reply, event)
            }
            Message::EFormLookupRequest { reference } => {
                let outcome = self.eforms.lookup(reference);
                (Message::EFormLookupReply { reference, outcome }, None)
            }
            // Not addressed to this service: a stray message changes nothing.
            _ => return None,
        };
        Some(answer)
    }

    fn book(
        &mut self,
        now: SimTime,
        resident: ResidentId,
        wish: Wish,
    ) -> (BookOutcome, Option<BookingEvent>) {
        if let Some(&booking) = self.by_resident.get(&resident) {
            return (self.booked_outcome(booking), None);
        }
        let slot = match self.place(now, wish) {
            Ok(slot) => slot,
            Err(refusal) => return (refusal, None),
        };
        let centre = wish.centre;
        let booking = BookingId(self.bookings.len() as u32);
        let record = Record::Booked {
            booking,
            resident,
            born: wish.born,
            slot,
        };
        self.durable.append(&record.encode());
        self.apply(record);
        let (_, _, slot_start) = self.slots.describe(slot);
        let event = BookingEvent::Booked {
            booking,
            resident,
            centre,
            slot,
            slot_start,
        };
        (self.booked_outcome(booking), Some(event))
    }

    pub(super) fn booked_outcome(&self, booking: BookingId) -> BookOutcome {
        let slot = self.bookings[booking.0 as usize].slot;
        let (centre, _, slot_start) = self.slots.describe(slot);
        BookOutcome::Booked {
            booking,
            centre,
            slot_start,
        }
    }

    /// The free slot closest to `preferred` on that day, later ones first on a tie.
    fn nearest_free_slot(
        &self,
        centre: CentreId,
        day: Date,
        preferred: TimeOfDay,
    ) -> Option<SlotId> {
        let quota = self.slots.centre(centre)?.slot_quota;
        let slots = self.slots.slots_of_day(centre, day)?;
        let wanted = self.slots.slot_at(centre, day, preferred)?.0;
        let free = |id: u32| slots.contains(&id) && self.booked[id as usize] < quota;
        let reach = slots.len() as u32;
        (0..reach).find_map(|distance| {
            let later = wanted + distance;
            let earlier = wanted.checked_sub(distance);
            if free(later) {
                Some(SlotId(later))
            } else {
                earlier.filter(|&id| free(id)).map(SlotId)
            }
        })
    }

    fn check_in(
        &mut self,
        now: SimTime,
        resident: ResidentId,
        booking: BookingId,
        centre: CentreId,
    ) -> (CheckInOutcome, Option<BookingEvent>) {
        let Some(&record) = self.bookings.get(booking.0 as usize) else {
            return (CheckInOutcome::NotValidHere, None);
        };
        let (slot_centre, day, slot_start) = self.slots.describe(record.slot);
        if record.cancelled
            || record.resident != resident
            || slot_centre != centre
            || day != now.date()
        {
            return (CheckInOutcome::NotValidHere, None);
        }
        if let Some(ticket) = record.ticket {
            return (CheckInOutcome::Admitted { ticket }, None);
        }
        let timetable = self.slots.centre(centre).expect("slot's centre exists");
        let opens = SimTime::from_nanos(
            slot_start
                .as_nanos()
                .saturating_sub(self.config.check_in_early.as_nanos()),
        );
        let closes = slot_start + timetable.slot_length + self.config.check_in_late;
        if now < opens {
            return (CheckInOutcome::TooEarly { from: opens }, None);
        }
        if now > closes {
            return (CheckInOutcome::TooLate, None);
        }
        let index = self
            .slots
            .centre_day(centre, day)
            .expect("slot's day exists");
        let ticket = self.appointment_tickets[index] + 1;
        let record = Record::CheckedIn { booking, ticket };
        self.durable.append(&record.encode());
        self.apply(record);
        (
            CheckInOutcome::Admitted { ticket },
            Some(BookingEvent::CheckedIn {
                booking,
                resident,
                ticket,
            }),
        )
    }

    fn walk_in(
        &mut self,
        now: SimTime,
        resident: ResidentId,
        centre: CentreId,
    ) -> (WalkInOutcome, Option<BookingEvent>) {
        let day = now.date();
        if let Some(&ticket) = self.walk_ins.get(&(resident, centre, day)) {
            return (WalkInOutcome::Ticket { ticket }, None);
        }
        let (Some(timetable), Some(index)) = (
            self.slots.centre(centre),
            self.slots.centre_day(centre, day),
        ) else {
            return (WalkInOutcome::Closed, None);
        };
        let time = now.time_of_day();
        let open_now = time >= timetable.opening && time < timetable.closing;
        if !open_now
            || !self.config.calendar.covers(day)
            || !self.config.calendar.is_centre_open_day(day)
        {
            return (WalkInOutcome::Closed, None);
        }
        if self.walk_in_tickets[index] >= timetable.walk_in_quota {
            return (WalkInOutcome::QuotaExhausted, None);
        }
        let ticket = self.walk_in_tickets[index] + 1;
        let record = Record::WalkIn {
            resident,
            centre,
            day,
            ticket,
        };
        self.durable.append(&record.encode());
        self.apply(record);
        (
            WalkInOutcome::Ticket { ticket },
            Some(BookingEvent::WalkInIssued {
                resident,
                centre,
                day,
                ticket,
            }),
        )
    }

    fn submit_eform(
        &mut self,
        resident: ResidentId,
        digest: EFormDigest,
    ) -> (EFormSubmitOutcome, Option<BookingEvent>) {
        let reference = match self.eforms.submit(resident, digest) {
            Submission::Answered(outcome) => return (outcome, None),
            Submission::Store { reference } => reference,
        };
        let record = Record::EFormStored {
            reference,
            resident,
            digest,
        };
        self.durable.append(&record.encode());
        self.apply(record);
        let event = BookingEvent::EFormStored {
            reference,
            resident,
            digest,
        };
        let qr = EFormQr { reference, digest };
        (EFormSubmitOutcome::Stored { qr }, Some(event))
    }

    /// E-forms stored so far.
    pub fn eform_count(&self) -> usize {
        self.eforms.len()
    }

    /// Applies a record to the in-memory state (on decision, and on recovery).
    fn apply(&mut self, record: Record) {
        match record {
            Record::Booked {
                booking,
                resident,
                born,
                slot,
            } => {
                debug_assert_eq!(booking.0 as usize, self.bookings.len());
                self.booked[slot.0 as usize] += 1;
                self.bookings.push(Booking {
                    resident,
                    born,
                    slot,
                    ticket: None,
                    cancelled: false,
                });
                self.by_resident.insert(resident, booking);
            }
            Record::CheckedIn { booking, ticket } => {
                let slot = self.bookings[booking.0 as usize].slot;
                let (centre, day, _) = self.slots.describe(slot);
                let index = self
                    .slots
                    .centre_day(centre, day)
                    .expect("slot's day exists");
                self.appointment_tickets[index] = self.appointment_tickets[index].max(ticket);
                self.bookings[booking.0 as usize].ticket = Some(ticket);
            }
            Record::WalkIn {
                resident,
                centre,
                day,
                ticket,
            } => {
                let index = self
                    .slots
                    .centre_day(centre, day)
                    .expect("walk-in day exists");
                self.walk_in_tickets[index] = self.walk_in_tickets[index].max(ticket);
                self.walk_ins.insert((resident, centre, day), ticket);
            }
            Record::EFormStored {
                reference,
                resident,
                digest,
            } => self.eforms.apply(reference, resident, digest),
            Record::Cancelled { booking } => {
                let record = &mut self.bookings[booking.0 as usize];
                record.cancelled = true;
                self.booked[record.slot.0 as usize] -= 1;
                if self.by_resident.get(&record.resident) == Some(&booking) {
                    self.by_resident.remove(&record.resident);
                }
            }
            Record::Moved { booking, slot } => {
                let record = &mut self.bookings[booking.0 as usize];
                self.booked[record.slot.0 as usize] -= 1;
                self.booked[slot.0 as usize] += 1;
                record.slot = slot;
            }
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
use tests as tests_support;
#[cfg(test)]
mod changes_tests;
#[cfg(test)]
mod model_tests;
#[cfg(test)]
mod surge_tests;
