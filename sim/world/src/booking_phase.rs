//! Residents booking appointments through the app, and what they do with the answer.

use hkic_base::SimTime;
use hkic_kernel::Kernel;
use hkic_services::messages::{BookOutcome, CentreId, ResidentId};
use hkic_terminals::{BookingAppEvent, BookingAppInput};

use crate::checkers::Violation;
use crate::event::{Event, Observation};
use crate::residents::{BookingChange, Kind, Phase};
use crate::world::World;

/// Changes are made by the evening before the day (nanoseconds before its midnight).
const CHANGE_BEFORE_DAY: u64 = 4 * 3_600_000_000_000;

impl World {
    pub(crate) fn booking_due(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
    ) -> Result<(), Violation> {
        let record = &mut self.residents[resident as usize];
        record.phase = Phase::Booking;
        let (day, preferred) = (record.day, record.profile.preferred);
        let born = crate::call_up::born_year(&record.profile);
        let centre = CentreId(u16::from(record.centre));
        self.metrics.booking.requests += 1;
        let input = BookingAppInput::Book {
            resident: ResidentId(resident),
            born,
            centre,
            day,
            preferred,
        };
        self.app.handle_input(now, input);
        self.drain_app(kernel, now)
    }

    /// The day was full: try the next open day of their call-up window, if the resident
    /// still tries; else give up.
    fn day_full(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
    ) -> Result<(), Violation> {
        let record = &self.residents[resident as usize];
        let next = crate::call_up::next_day_in_window(&self.config, &record.profile, record.day);
        match next {
            Some(day) if u32::from(record.day_tries) < self.config.booking.next_day_tries => {
                let record = &mut self.residents[resident as usize];
                record.day = day;
                record.day_tries += 1;
                self.booking_due(kernel, now, resident)
            }
            _ => self.fall_back(kernel, now, resident),
        }
    }

    /// No slot they accept at their centre: they try another from their preferred day on,
    /// once; after that (or with no other centre) they are unbooked.
    fn fall_back(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
    ) -> Result<(), Violation> {
        let record = &self.residents[resident as usize];
        let fallback = (record.centre == 0)
            .then(|| crate::centre_choice::fallback_centre(&self.config, &self.streams, resident))
            .flatten();
        let Some(centre) = fallback else {
            self.unbooked(kernel, now, resident);
            return Ok(());
        };
        let preferred_day = usize::from(record.profile.preferred_day);
        let record = &mut self.residents[resident as usize];
        record.centre = centre;
        record.day = self.config.centre.open_days[preferred_day];
        record.day_tries = 0;
        self.metrics.booking.fell_back += 1;
        self.booking_due(kernel, now, resident)
    }

    /// No appointment: some come on their preferred day as walk-ins, the others do not come.
    fn unbooked(&mut self, kernel: &mut Kernel<Event>, now: SimTime, resident: u32) {
        let preferred_day = {
            let record = &self.residents[resident as usize];
            self.config.centre.open_days[usize::from(record.profile.preferred_day)]
        };
        let record = &self.residents[resident as usize];
        let arrival = self.walk_in_time(preferred_day, &record.profile);
        if !record.profile.walk_in_if_unbooked || arrival <= now {
            self.residents[resident as usize].phase = Phase::Unbooked;
            return;
        }
        let record = &mut self.residents[resident as usize];
        record.kind = Kind::WalkIn;
        record.day = preferred_day;
        record.phase = Phase::Away;
        self.metrics.booking.unbooked_walk_ins += 1;
        kernel.schedule(arrival, Event::Arrive { resident });
    }

    pub(crate) fn on_app_event(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        event: BookingAppEvent,
    ) -> Result<(), Violation> {
        let (resident, outcome) = match event {
            BookingAppEvent::Answered { resident, outcome } => (resident, outcome),
            BookingAppEvent::GaveUp { resident } => {
                kernel.observe(&Observation::new("app.gave_up", "booking").resident(resident.0));
                self.metrics.booking.gave_up += 1;
                self.unbooked(kernel, now, resident.0);
                return Ok(());
            }
            BookingAppEvent::EFormAnswered { resident, outcome } => {
                self.residents[resident.0 as usize].eform = Some(outcome.qr());
                self.metrics.registration.eforms += 1;
                return Ok(());
            }
            BookingAppEvent::EFormGaveUp { resident } => {
                kernel.observe(&Observation::new("app.gave_up", "eform").resident(resident.0));
                return Ok(());
            }
            BookingAppEvent::CancelAnswered {
                resident, outcome, ..
            } => return self.cancel_answered(kernel, now, resident.0, outcome),
            BookingAppEvent::RescheduleAnswered {
                resident, outcome, ..
            } => return self.reschedule_answered(kernel, now, resident.0, outcome),
            BookingAppEvent::ChangeGaveUp { resident, .. } => {
                self.change_gave_up(kernel, now, resident.0);
                return Ok(());
            }
        };
        kernel.observe(&Observation::new("app.answer", outcome.name()).resident(resident.0));
        let counts = &mut self.metrics.booking;
        let (booking, slot_start) = match outcome {
            BookOutcome::Booked {
                booking,
                slot_start,
                ..
            } => (booking, slot_start),
            BookOutcome::DayFull => {
                counts.day_full += 1;
                return self.day_full(kernel, now, resident.0);
            }
            BookOutcome::NotCalledUp
            | BookOutcome::NotYetOpen { .. }
            | BookOutcome::OutsideWindow { .. } => {
                // Not called up for this day: they come in their own window, outside this
                // period (not as a walk-in now).
                counts.outside_call_up += 1;
                self.residents[resident.0 as usize].phase = Phase::Unbooked;
                return Ok(());
            }
            refusal => {
                match refusal {
                    BookOutcome::OutsideHorizon => counts.outside_horizon += 1,
                    _ => counts.no_service += 1,
                }
                self.unbooked(kernel, now, resident.0);
                return Ok(());
            }
        };
        self.checkers.on_booking_confirmed(resident, booking)?;
        self.metrics
            .lead_time
            .record(slot_start.saturating_since(now));
        let centre = self.residents[resident.0 as usize].centre;
        if centre != 0 {
            // They register at the other centre, which is not simulated.
            *self
                .metrics
                .booking
                .booked_elsewhere
                .entry(centre)
                .or_default() += 1;
            self.residents[resident.0 as usize].phase = Phase::BookedElsewhere;
            kernel
                .observe(&Observation::new("app.booked_elsewhere", "booking").resident(resident.0));
            return Ok(());
        }
        self.metrics.booking.booked += 1;
        self.metrics.residents.with_appointment += 1;
        let record = &mut self.residents[resident.0 as usize];
        record.booking = Some(booking);
        record.slot_start = slot_start;
        record.booked_at = now;
        if record.profile.no_show {
            record.phase = Phase::NoShow;
            self.metrics.residents.no_shows += 1;
            return Ok(());
        }
        record.phase = Phase::Away;
        let profile = record.profile;
        if profile.fills_eform {
            // They fill in the application form in the app straight after booking.
            self.submit_eform(now, resident.0);
        }
        if profile.change != BookingChange::Keep {
            // They change the booking before coming: the arrival waits for the answer.
            let day_start = SimTime::at_midnight(slot_start.date());
            let latest =
                SimTime::from_nanos(day_start.as_nanos().saturating_sub(CHANGE_BEFORE_DAY));
            let at = (now + profile.change_after).min(latest).max(now);
            kernel.schedule(
                at,
                Event::ChangeBooking {
                    resident: resident.0,
                },
            );
            return Ok(());
        }
        self.schedule_arrival(kernel, now, resident.0);
        Ok(())
    }

    /// An appointment holder sets off for their slot: early, or late.
    pub(crate) fn schedule_arrival(&self, kernel: &mut Kernel<Event>, now: SimTime, resident: u32) {
        let record = &self.residents[resident as usize];
        let (profile, slot_start) = (record.profile, record.slot_start);
        let early = SimTime::from_nanos(
            slot_start
                .as_nanos()
                .saturating_sub(profile.before_slot.as_nanos()),
        );
        let arrival = if profile.late {
            slot_start + profile.lateness
        } else {
            early
        };
        kernel.schedule(arrival.max(now), Event::Arrive { resident });
    }

    fn submit_eform(&mut self, now: SimTime, resident: u32) {
        let digest = crate::devices::timing::form_digest(resident);
        let resident = ResidentId(resident);
        self.app
            .handle_input(now, BookingAppInput::SubmitEForm { resident, digest });
    }

    /// A resident without an appointment fills in the e-form in the app.
    pub(crate) fn fill_eform(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
    ) -> Result<(), Violation> {
        self.submit_eform(now, resident);
        self.drain_app(kernel, now)
    }

    /// Residents whose booking request is still in the app's hands.
    pub(crate) fn unsettled(&self) -> usize {
        self.residents
            .iter()
            .filter(|r| r.phase == Phase::Booking)
            .count()
    }
}
