//! Changing a booking: cancelling it, or moving it to another day. Both are idempotent, and
//! a move takes the new slot and frees the old one in one journal record, so no crash can
//! leave a resident with two slots or none.

use hkic_base::{Date, SimTime, TimeOfDay};

use super::records::Record;
use super::slots::SlotId;
use super::{BookingEvent, BookingService, Wish};
use crate::messages::{BookOutcome, BookingId, CancelOutcome, ResidentId};

impl BookingService {
    /// A free slot on the wished day at the wished centre as close as possible to the
    /// wished time, or why there is none: the resident's call-up group must be open for the
    /// day, the day bookable, after today and within the horizon.
    pub(super) fn place(&self, now: SimTime, wish: Wish) -> Result<SlotId, BookOutcome> {
        let Wish {
            born,
            centre,
            day,
            preferred,
        } = wish;
        self.config.call_up.admit(born, now, day)?;
        let today = now.date();
        let calendar = &self.config.calendar;
        if !self.slots.is_bookable(calendar, centre, day) {
            return Err(BookOutcome::NoService);
        }
        let horizon = calendar.working_days_between(today, day);
        if day <= today || horizon > self.config.horizon_working_days {
            return Err(BookOutcome::OutsideHorizon);
        }
        self.nearest_free_slot(centre, day, preferred)
            .ok_or(BookOutcome::DayFull)
    }

    pub(super) fn cancel(
        &mut self,
        resident: ResidentId,
        booking: BookingId,
    ) -> (CancelOutcome, Option<BookingEvent>) {
        let Some(&record) = self
            .bookings
            .get(booking.0 as usize)
            .filter(|record| record.resident == resident)
        else {
            return (CancelOutcome::Unknown, None);
        };
        if record.cancelled {
            return (CancelOutcome::Cancelled, None);
        }
        if record.ticket.is_some() {
            return (CancelOutcome::AlreadyUsed, None);
        }
        let change = Record::Cancelled { booking };
        self.durable.append(&change.encode());
        self.apply(change);
        let event = BookingEvent::Cancelled {
            booking,
            resident,
            slot: record.slot,
        };
        (CancelOutcome::Cancelled, Some(event))
    }

    /// Moves a booking to `day`. A booking that is cancelled, used or somebody else's cannot
    /// be moved (`NoService`); one already on `day` stays where it is.
    pub(super) fn reschedule(
        &mut self,
        now: SimTime,
        resident: ResidentId,
        booking: BookingId,
        day: Date,
        preferred: TimeOfDay,
    ) -> (BookOutcome, Option<BookingEvent>) {
        let Some(&record) = self.bookings.get(booking.0 as usize).filter(|record| {
            record.resident == resident && !record.cancelled && record.ticket.is_none()
        }) else {
            return (BookOutcome::NoService, None);
        };
        let (centre, booked_day, _) = self.slots.describe(record.slot);
        if booked_day == day {
            return (self.booked_outcome(booking), None);
        }
        let wish = Wish {
            born: record.born,
            centre,
            day,
            preferred,
        };
        let slot = match self.place(now, wish) {
            Ok(slot) => slot,
            Err(refusal) => return (refusal, None),
        };
        let change = Record::Moved { booking, slot };
        self.durable.append(&change.encode());
        self.apply(change);
        let (_, _, slot_start) = self.slots.describe(slot);
        let event = BookingEvent::Rescheduled {
            booking,
            resident,
            from: record.slot,
            to: slot,
            slot_start,
        };
        (self.booked_outcome(booking), Some(event))
    }
}
