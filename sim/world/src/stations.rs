//! Registration at the centre: the Self-service Registration Kiosks and the photo counters,
//! each running its real workflow (`hkic-terminals`), their device requests answered by the
//! run's [`DeviceModel`](crate::devices::DeviceModel), their requests carried to the booking
//! and registration services over the simulated network.
//!
//! A resident assigned to a kiosk or counter first spends their own interaction time there
//! (reading the screen, sitting down: the scenario's `service_times`), then the workflow runs
//! its steps, each device operation taking the time the device model says. Whatever the
//! kiosk established travels with the resident to the counter ([`CounterVisit`]).

use hkic_base::SimTime;
use hkic_kernel::Kernel;
use hkic_services::messages::{EFormReference, ResidentId};
use hkic_terminals::devices::{PhotoCapture, ThumbVerification};
use hkic_terminals::photo_counter::{
    CounterResult, CounterVisit, NotRegisteredReason, PhotoCounterDevice, PhotoCounterEvent,
    PhotoCounterOutcome, UnfinishedReason,
};
use hkic_terminals::registration_kiosk::{
    RegistrationKioskDevice, RegistrationKioskEvent, RegistrationKioskInput,
    RegistrationKioskOutcome, RegistrationResult,
};

use hkic_terminals::RegistrationKiosk;

use crate::checkers::Violation;
use crate::devices::Station;
use crate::event::{DeviceOutcome, Event, Observation, Stage};
use crate::residents::{Phase, TurnedAway};
use crate::station_names::{not_registered_name, referral_name, unfinished_name};
use crate::world::World;

/// Counter visits on one trip after which an unfinished registration is left for another
/// day (a loop guard against a counter that keeps failing).
const MAX_COUNTER_VISITS: u8 = 3;

impl World {
    pub(crate) fn operate_kiosk(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        kiosk: u16,
        request: RegistrationKioskDevice,
    ) {
        let station = Station::RegistrationKiosk(kiosk);
        let resident = self.occupant(station);
        let subject = self.subject(resident);
        let answer = self
            .devices
            .registration_kiosk(now, kiosk, &subject, request);
        if let RegistrationKioskOutcome::ThumbsVerified(verification) = &answer.outcome {
            let counts = &mut self.metrics.registration;
            counts.thumb_verifications += 1;
            if !matches!(verification, ThumbVerification::Matched { .. }) {
                counts.thumb_failures += 1;
            }
        }
        let outcome = DeviceOutcome::RegistrationKiosk(answer.outcome);
        self.deliver_device_outcome(kernel, now, station, resident, answer.after, outcome);
    }

    pub(crate) fn operate_counter(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        counter: u16,
        request: PhotoCounterDevice,
    ) {
        let station = Station::PhotoCounter(counter);
        let resident = self.occupant(station);
        let subject = self.subject(resident);
        let answer = self.devices.photo_counter(now, counter, &subject, request);
        if let PhotoCounterOutcome::PhotoTaken(PhotoCapture::Taken { acceptable, .. }) =
            answer.outcome
        {
            let counts = &mut self.metrics.registration;
            counts.photos += 1;
            counts.photo_retakes += u64::from(!acceptable);
        }
        let outcome = DeviceOutcome::PhotoCounter(answer.outcome);
        self.deliver_device_outcome(kernel, now, station, resident, answer.after, outcome);
    }

    pub(crate) fn officer_keyed(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        kiosk: u16,
        reference: Option<EFormReference>,
    ) -> Result<(), Violation> {
        let input = match reference {
            Some(reference) => RegistrationKioskInput::OfficerKeyedReference { reference },
            None => RegistrationKioskInput::OfficerDeclined,
        };
        self.drive::<RegistrationKiosk>(kernel, now, kiosk, input)
    }

    pub(crate) fn on_kiosk_session(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        kiosk: u16,
        event: RegistrationKioskEvent,
    ) -> Result<(), Violation> {
        let station = Station::RegistrationKiosk(kiosk);
        match event {
            RegistrationKioskEvent::SessionEnded { result } => {
                let resident = self.end_session(now, station);
                let counts = &mut self.metrics.registration;
                let visit = match result {
                    RegistrationResult::ToPhotoCounter { progress } => {
                        counts.kiosk_completed += 1;
                        CounterVisit {
                            progress,
                            referral: None,
                        }
                    }
                    RegistrationResult::Referred { reason, progress } => {
                        *counts
                            .kiosk_referrals
                            .entry(referral_name(reason))
                            .or_default() += 1;
                        kernel.observe(
                            &Observation::new("kiosk.referred", referral_name(reason))
                                .resident(resident),
                        );
                        CounterVisit {
                            progress,
                            referral: Some(reason),
                        }
                    }
                };
                self.visits.insert(resident, visit);
                self.join_queue(kernel, now, Stage::Photo, resident);
                self.start_services(kernel, now, Stage::Photo);
                self.start_services(kernel, now, Stage::Registration);
            }
            RegistrationKioskEvent::OfficerCalled => {
                self.metrics.registration.officer_calls += 1;
                let resident = self.occupant(station);
                let subject = self.subject(resident);
                let answer = self.people.key_reference(&subject);
                kernel.schedule(
                    now + answer.after,
                    Event::OfficerKeyed {
                        kiosk,
                        reference: answer.outcome,
                    },
                );
            }
            RegistrationKioskEvent::OutOfService { device, fault } => {
                self.out_of_service(kernel, now, station, device, fault)
            }
            RegistrationKioskEvent::BackInService => self.back_in_service(kernel, now, station),
            RegistrationKioskEvent::InsertRefused => {
                kernel.observe(&Observation::new("kiosk.refused", "busy_or_out_of_service"));
            }
        }
        Ok(())
    }

    pub(crate) fn on_counter_session(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        counter: u16,
        event: PhotoCounterEvent,
    ) -> Result<(), Violation> {
        let station = Station::PhotoCounter(counter);
        match event {
            PhotoCounterEvent::SessionEnded { result } => {
                let resident = self.end_session(now, station);
                self.on_counter_result(kernel, now, resident, result)?;
                self.start_services(kernel, now, Stage::Photo);
            }
            PhotoCounterEvent::OutOfService { device, fault } => {
                self.out_of_service(kernel, now, station, device, fault)
            }
            PhotoCounterEvent::BackInService => self.back_in_service(kernel, now, station),
            PhotoCounterEvent::BeginRefused => {
                kernel.observe(&Observation::new(
                    "counter.refused",
                    "busy_or_out_of_service",
                ));
            }
        }
        Ok(())
    }

    fn on_counter_result(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
        result: CounterResult,
    ) -> Result<(), Violation> {
        let counts = &mut self.metrics.registration;
        match result {
            CounterResult::Accepted {
                resident: applicant,
                acknowledgement,
                ..
            } => {
                counts.accepted += 1;
                self.check_applicant(resident, applicant);
                self.checkers.on_told_accepted(applicant, acknowledgement)?;
                self.leave_served(kernel, now, resident)?;
                self.plan_collection(kernel, resident, acknowledgement, now);
                Ok(())
            }
            CounterResult::AlreadyAccepted {
                resident: applicant,
                acknowledgement,
                ..
            } => {
                counts.already_accepted += 1;
                self.check_applicant(resident, applicant);
                self.leave_served(kernel, now, resident)?;
                if self.residents[resident as usize].acknowledgement.is_none() {
                    self.plan_collection(kernel, resident, acknowledgement, now);
                }
                Ok(())
            }
            CounterResult::NotRegistered { reason, .. } => {
                if matches!(reason, NotRegisteredReason::DuplicateSuspected) {
                    counts.duplicates_suspected += 1;
                }
                *counts
                    .not_registered
                    .entry(not_registered_name(reason))
                    .or_default() += 1;
                self.leave_unserved(kernel, resident, TurnedAway::NotRegistered)
            }
            CounterResult::Unfinished { reason, progress } => {
                *counts
                    .counter_unfinished
                    .entry(unfinished_name(reason))
                    .or_default() += 1;
                let retry = matches!(
                    reason,
                    UnfinishedReason::CounterOutOfService | UnfinishedReason::ServiceUnreachable
                );
                let visits = self.residents[resident as usize].counter_visits;
                if retry && visits < MAX_COUNTER_VISITS {
                    // Another officer picks up where this one stopped.
                    let visit = CounterVisit {
                        progress,
                        referral: None,
                    };
                    self.visits.insert(resident, visit);
                    self.join_queue(kernel, now, Stage::Photo, resident);
                    Ok(())
                } else {
                    self.leave_unserved(kernel, resident, TurnedAway::Unfinished)
                }
            }
        }
    }

    /// The counter's result names the resident whose card was read: the one at the counter.
    fn check_applicant(&self, at_counter: u32, applicant: ResidentId) {
        assert_eq!(
            applicant.0, at_counter,
            "a counter registered somebody other than the resident at it"
        );
    }

    /// A resident leaves registered (or with their earlier registration confirmed).
    pub(crate) fn leave_served(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
    ) -> Result<(), Violation> {
        let record = &mut self.residents[resident as usize];
        record.phase = Phase::Served;
        let time_in_centre = now.saturating_since(record.arrived);
        self.checkers.on_left(resident, "was served")?;
        self.metrics.served(now, time_in_centre);
        kernel.observe(
            &Observation::new("centre.served", "time_in_centre")
                .resident(resident)
                .number(time_in_centre.as_nanos()),
        );
        Ok(())
    }

    /// A resident leaves after the counter, without an accepted application.
    fn leave_unserved(
        &mut self,
        kernel: &mut Kernel<Event>,
        resident: u32,
        reason: TurnedAway,
    ) -> Result<(), Violation> {
        self.checkers.on_left(resident, "left unregistered")?;
        self.residents[resident as usize].phase = Phase::Left(reason);
        let counts = &mut self.metrics.residents;
        match reason {
            TurnedAway::NotRegistered => counts.not_registered += 1,
            _ => counts.registration_unfinished += 1,
        }
        kernel.observe(&Observation::new("centre.left", reason.name()).resident(resident));
        Ok(())
    }
}
