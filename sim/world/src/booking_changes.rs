//! Booked residents changing their minds: moving the booking to the next open day, or
//! cancelling it. The arrival waits for the answer, so a resident always comes for the slot
//! the service confirmed last.

use hkic_base::{SimDuration, SimTime};
use hkic_kernel::Kernel;
use hkic_services::messages::{BookOutcome, CancelOutcome, ResidentId};
use hkic_terminals::BookingAppInput;

use crate::checkers::Violation;
use crate::event::{Event, Observation};
use crate::residents::{BookingChange, Phase};
use crate::world::World;

/// Tries of a change that gets no answer before the resident gives up on it (and, not
/// knowing what became of the booking, stays away).
const CHANGE_TRIES: u8 = 3;

impl World {
    pub(crate) fn change_booking(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
    ) -> Result<(), Violation> {
        let record = &self.residents[resident as usize];
        let Some(booking) = record.booking else {
            return Ok(());
        };
        let who = ResidentId(resident);
        let input = match record.profile.change {
            BookingChange::Keep => return Ok(()),
            BookingChange::Cancel => BookingAppInput::Cancel {
                resident: who,
                booking,
            },
            BookingChange::Reschedule => {
                let after = record.slot_start.date();
                let next = crate::call_up::next_day_in_window(&self.config, &record.profile, after);
                let Some(day) = next else {
                    // No later day in the period and their window: they keep the booking.
                    self.schedule_arrival(kernel, now, resident);
                    return Ok(());
                };
                BookingAppInput::Reschedule {
                    resident: who,
                    booking,
                    day,
                    preferred: record.profile.preferred,
                }
            }
        };
        self.app.handle_input(now, input);
        self.drain_app(kernel, now)
    }

    pub(crate) fn cancel_answered(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
        outcome: CancelOutcome,
    ) -> Result<(), Violation> {
        kernel.observe(&Observation::new("app.cancel", outcome.name()).resident(resident));
        if outcome == CancelOutcome::Cancelled {
            self.metrics.booking.cancelled += 1;
            self.residents[resident as usize].phase = Phase::Cancelled;
            self.checkers.on_booking_given_up(ResidentId(resident));
        } else {
            self.schedule_arrival(kernel, now, resident);
        }
        Ok(())
    }

    pub(crate) fn reschedule_answered(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
        outcome: BookOutcome,
    ) -> Result<(), Violation> {
        kernel.observe(&Observation::new("app.reschedule", outcome.name()).resident(resident));
        let counts = &mut self.metrics.booking;
        match outcome {
            BookOutcome::Booked {
                booking,
                slot_start,
                ..
            } => {
                counts.rescheduled += 1;
                self.checkers
                    .on_booking_confirmed(ResidentId(resident), booking)?;
                let record = &mut self.residents[resident as usize];
                record.slot_start = slot_start;
                record.day = slot_start.date();
            }
            // Refused (the day is full, or outside their window): the booking stays.
            _ => counts.reschedule_refused += 1,
        }
        self.schedule_arrival(kernel, now, resident);
        Ok(())
    }

    /// No answer: ask again in an hour (the request is idempotent), up to three times; then
    /// the resident does not know what became of the booking and stays away.
    pub(crate) fn change_gave_up(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
    ) {
        let record = &mut self.residents[resident as usize];
        record.change_tries += 1;
        let latest = SimTime::at_midnight(record.slot_start.date());
        let retry = now + SimDuration::from_hours(1);
        if record.change_tries < CHANGE_TRIES && retry < latest {
            kernel.schedule(retry, Event::ChangeBooking { resident });
            return;
        }
        record.phase = Phase::Cancelled;
        self.metrics.booking.change_gave_up += 1;
        self.checkers.on_booking_given_up(ResidentId(resident));
        kernel.observe(&Observation::new("app.gave_up", "change").resident(resident));
    }
}
