//! Collecting the new card: a resident whose application was accepted comes back after the
//! date on the acknowledgement slip (the production lead time) to a Self-service Collection
//! Kiosk, which runs its real workflow (`hkic-terminals`) against the card registry: scan
//! the slip, take the card from the store, read it, match the live thumbs against DG3, and
//! have the registry activate the new card and cancel the old one. A card not there yet, or
//! a failure a later visit can mend, brings the resident back another day, up to the
//! scenario's number of visits.

use hkic_base::{SimDuration, SimTime};
use hkic_kernel::Kernel;
use hkic_services::messages::{AcknowledgementReference, ResidentId};
use hkic_terminals::collection_kiosk::ActivationState;
use hkic_terminals::collection_kiosk::{
    CollectionFailure, CollectionKioskDevice, CollectionKioskEvent, CollectionKioskOutcome,
    CollectionResult, CollectionState,
};
use hkic_terminals::devices::ThumbVerification;

use crate::checkers::Violation;
use crate::devices::Station;
use crate::event::{DeviceOutcome, Event, Observation, Stage};
use crate::labels;
use crate::residents::Phase;
use crate::world::World;

impl World {
    /// The counter told the resident their application is accepted: they will come to
    /// collect after the date on the slip.
    pub(crate) fn plan_collection(
        &mut self,
        kernel: &mut Kernel<Event>,
        resident: u32,
        acknowledgement: AcknowledgementReference,
        now: SimTime,
    ) {
        let record = &mut self.residents[resident as usize];
        record.acknowledgement = Some(acknowledgement);
        let lead = self.config.production.lead_time_working_days;
        // The slip says: ready from the lead time's last working day (plus a day's batch).
        let Some(ready) = self.config.calendar.add_working_days(now.date(), lead + 1) else {
            return;
        };
        let mut stream = self
            .streams
            .stream(labels::resident_operation(resident, record.operations));
        record.operations += 1;
        let later = self.config.collection.after_ready.sample(&mut stream);
        self.schedule_collection_visit(kernel, resident, SimTime::at_midnight(ready) + later);
    }

    /// The resident comes on the first open day at or after `not_before`, at their usual
    /// time of day; a visit after the period is not simulated.
    fn schedule_collection_visit(
        &mut self,
        kernel: &mut Kernel<Event>,
        resident: u32,
        not_before: SimTime,
    ) {
        // Gone home: they come back another day (or after the period).
        self.residents[resident as usize].phase = Phase::Away;
        let centre = &self.config.centre;
        let record = &self.residents[resident as usize];
        let same_day = Some(not_before.date())
            .filter(|day| centre.open_days.contains(day))
            .filter(|&day| self.walk_in_time(day, &record.profile) >= not_before);
        let day = same_day.or_else(|| centre.next_open_day(not_before.date()));
        let Some(day) = day else {
            self.metrics.cards.collect_after_period += 1;
            return;
        };
        let at = self.walk_in_time(day, &record.profile);
        kernel.schedule(at, Event::CollectArrive { resident });
    }

    pub(crate) fn collect_arrive(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
    ) -> Result<(), Violation> {
        let record = &mut self.residents[resident as usize];
        record.collect_visits += 1;
        record.phase = Phase::InCentre;
        record.arrived = now;
        self.metrics.cards.collection_visits += 1;
        self.checkers.on_entered(resident)?;
        self.join_queue(kernel, now, Stage::Collection, resident);
        self.start_services(kernel, now, Stage::Collection);
        Ok(())
    }

    /// The queue for the collection kiosks was too long: they leave and come another day.
    pub(crate) fn gave_up_collecting(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
    ) -> Result<(), Violation> {
        self.checkers.on_left(resident, "gave up collecting")?;
        self.metrics.cards.collection_gave_up += 1;
        kernel.observe(&Observation::new("collection.gave_up", "queue").resident(resident));
        self.collect_another_day(kernel, now, resident);
        Ok(())
    }

    /// Another visit, if the resident has visits left; else the officers take over.
    fn collect_another_day(&mut self, kernel: &mut Kernel<Event>, now: SimTime, resident: u32) {
        let record = &self.residents[resident as usize];
        if record.collect_visits >= self.config.collection.visits {
            self.residents[resident as usize].phase = Phase::WithOfficers;
            self.metrics.cards.handed_to_officers += 1;
            return;
        }
        let mut stream = self
            .streams
            .stream(labels::resident_operation(resident, record.operations));
        self.residents[resident as usize].operations += 1;
        let later = self.config.collection.retry_after.sample(&mut stream);
        self.schedule_collection_visit(kernel, resident, now + later);
    }

    /// The resident's own part at the kiosk (reading the screen) before the workflow.
    pub(crate) fn collection_interaction(&mut self, resident: u32) -> SimDuration {
        let record = &mut self.residents[resident as usize];
        let mut stream = self
            .streams
            .stream(labels::resident_operation(resident, record.operations));
        record.operations += 1;
        self.config.collection.interaction.sample(&mut stream)
    }

    pub(crate) fn operate_collection_kiosk(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        kiosk: u16,
        request: CollectionKioskDevice,
    ) {
        let station = Station::CollectionKiosk(kiosk);
        let resident = self.occupant(station);
        let subject = self.subject(resident);
        let answer = self.devices.collection_kiosk(now, kiosk, &subject, request);
        if let CollectionKioskOutcome::ThumbsVerified(ThumbVerification::Matched { capture }) =
            answer.outcome
        {
            self.checkers
                .on_collection_match(ResidentId(resident), capture);
        }
        let outcome = DeviceOutcome::CollectionKiosk(answer.outcome);
        self.deliver_device_outcome(kernel, now, station, resident, answer.after, outcome);
    }

    pub(crate) fn on_collection_session(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        kiosk: u16,
        event: CollectionKioskEvent,
    ) -> Result<(), Violation> {
        let station = Station::CollectionKiosk(kiosk);
        match event {
            CollectionKioskEvent::SessionEnded { result } => {
                let resident = self.end_session(now, station);
                self.on_collection_result(kernel, now, resident, result)?;
                self.start_services(kernel, now, Stage::Collection);
            }
            CollectionKioskEvent::OutOfService { device, fault } => {
                self.out_of_service(kernel, now, station, device, fault)
            }
            CollectionKioskEvent::BackInService => self.back_in_service(kernel, now, station),
            CollectionKioskEvent::StartRefused => {
                kernel.observe(&Observation::new("kiosk.refused", "busy_or_out_of_service"));
            }
        }
        Ok(())
    }

    fn on_collection_result(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
        result: CollectionResult,
    ) -> Result<(), Violation> {
        self.checkers
            .on_left(resident, "left the collection kiosk")?;
        let cards = &mut self.metrics.cards;
        let reason = match result {
            CollectionResult::Collected { cancelled, .. } => {
                cards.collected += 1;
                cards.old_cancelled += u64::from(cancelled.is_some());
                self.residents[resident as usize].phase = Phase::Collected;
                kernel
                    .observe(&Observation::new("collection.collected", "card").resident(resident));
                return Ok(());
            }
            // The registry activated the card but the kiosk failed before handing it over
            // (it is stuck inside, or the session broke off): the card is the resident's
            // now, so the officer on the floor takes it out and hands it over there and then.
            CollectionResult::NotCollected {
                reason,
                state:
                    CollectionState {
                        activation: ActivationState::Activated { cancelled },
                        ..
                    },
            } => {
                cards.collected += 1;
                cards.collected_by_officer += 1;
                cards.old_cancelled += u64::from(cancelled.is_some());
                self.residents[resident as usize].phase = Phase::Collected;
                let name = failure_name(reason);
                kernel.observe(
                    &Observation::new("collection.collected_by_officer", name).resident(resident),
                );
                return Ok(());
            }
            CollectionResult::NotCollected { reason, .. } => reason,
        };
        let name = failure_name(reason);
        *cards.not_collected.entry(name).or_default() += 1;
        kernel.observe(&Observation::new("collection.not_collected", name).resident(resident));
        let comes_back = !matches!(
            reason,
            CollectionFailure::CardNotGenuine { .. }
                | CollectionFailure::WrongCard
                | CollectionFailure::Withdrawn
                | CollectionFailure::UnknownAcknowledgement
                | CollectionFailure::AtAnotherCentre { .. }
        );
        if comes_back {
            self.collect_another_day(kernel, now, resident);
        } else {
            // The officers take over (outside what the simulation follows).
            self.residents[resident as usize].phase = Phase::WithOfficers;
            self.metrics.cards.handed_to_officers += 1;
        }
        Ok(())
    }
}

fn failure_name(reason: CollectionFailure) -> &'static str {
    match reason {
        CollectionFailure::AcknowledgementUnreadable => "acknowledgement_unreadable",
        CollectionFailure::UnknownAcknowledgement => "unknown_acknowledgement",
        CollectionFailure::NotReady => "not_ready",
        CollectionFailure::AtAnotherCentre { .. } => "at_another_centre",
        CollectionFailure::Withdrawn => "withdrawn",
        CollectionFailure::CardNotInStore => "card_not_in_store",
        CollectionFailure::CardUnreadable => "card_unreadable",
        CollectionFailure::CardNotGenuine { .. } => "card_not_genuine",
        CollectionFailure::WrongCard => "wrong_card",
        CollectionFailure::Dg3NotRead => "dg3_not_read",
        CollectionFailure::FingerprintsNotVerified => "fingerprints_not_verified",
        CollectionFailure::ActivationRefused { .. } => "activation_refused",
        CollectionFailure::ServiceUnreachable => "service_unreachable",
        CollectionFailure::KioskOutOfService => "kiosk_out_of_service",
    }
}
