//! The replacement centre on the day: tag-issuing kiosks, registration kiosks, photo
//! counters, and residents moving through them.
//!
//! At `timing` fidelity a stage's work is a duration from the resident's profile. The tag
//! kiosk stage is the interaction time plus the kiosk's exchange with the booking service,
//! so a slow or unreachable service holds the kiosk (and the queue behind it).

use hkic_base::SimTime;
use hkic_kernel::Kernel;
use hkic_services::messages::{CheckInOutcome, ResidentId, WalkInOutcome};
use hkic_terminals::{TagKioskEvent, TagKioskInput, TagRequest};

use crate::checkers::Violation;
use crate::devices::Station;
use crate::event::{Event, Observation, Stage};
use crate::residents::{Kind, Phase, TurnedAway};
use crate::world::World;

/// A resident sent back by "too early" more often than this leaves (a loop guard).
const MAX_TAG_VISITS: u8 = 3;

impl World {
    pub(crate) fn arrive(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
    ) -> Result<(), Violation> {
        self.enter(now, resident)?;
        for companion in self.companions_of(resident) {
            self.enter(now, companion)?;
        }
        self.residents[resident as usize].tag_visits += 1;
        self.join_queue(kernel, now, Stage::Tag, resident);
        self.start_services(kernel, now, Stage::Tag);
        Ok(())
    }

    /// Queues a resident at a stage; they give up if not served within their patience.
    pub(crate) fn join_queue(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        stage: Stage,
        resident: u32,
    ) {
        self.pool(stage).enqueue(resident, now);
        let patience = self.residents[resident as usize].profile.patience;
        kernel.schedule(
            now + patience,
            Event::GiveUp {
                resident,
                stage,
                queued_at: now,
            },
        );
    }

    /// A resident's patience ran out: if they are still waiting there, they leave (with the
    /// companions waiting with them at the tag kiosk), and may come back another day.
    pub(crate) fn give_up(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        resident: u32,
        stage: Stage,
        queued_at: SimTime,
    ) -> Result<(), Violation> {
        if !self.pool(stage).leave_queue(resident, queued_at) {
            return Ok(());
        }
        // What a kiosk established is lost with them; a later visit starts over.
        self.visits.remove(&resident);
        let companions = if stage == Stage::Tag {
            self.companions_of(resident)
        } else {
            0..0
        };
        if stage == Stage::Collection {
            return self.gave_up_collecting(kernel, now, resident);
        }
        for leaving in std::iter::once(resident).chain(companions) {
            self.checkers.on_left(leaving, "gave up")?;
            self.residents[leaving as usize].phase = Phase::Abandoned;
            self.metrics.residents.abandoned += 1;
            kernel.observe(&Observation::new("centre.gave_up", stage.name()).resident(leaving));
            self.come_back_another_day(kernel, now, leaving);
        }
        Ok(())
    }

    /// One who gave up returns alone, as a walk-in, on the next open day, if they mean to.
    fn come_back_another_day(&mut self, kernel: &mut Kernel<Event>, now: SimTime, resident: u32) {
        let record = &self.residents[resident as usize];
        let Some(day) = self.config.centre.next_registration_day(now.date()) else {
            return;
        };
        if !record.profile.returns {
            return;
        }
        let arrival = self.walk_in_time(day, &record.profile);
        let record = &mut self.residents[resident as usize];
        record.kind = Kind::WalkIn;
        record.day = day;
        record.phase = Phase::Away;
        record.tag_visits = 0;
        record.counter_visits = 0;
        record.late_walk_in = false;
        record.profile.companions = 0;
        self.metrics.residents.returns += 1;
        kernel.schedule(arrival, Event::Arrive { resident });
    }

    /// A resident comes in (the first time, they are counted as arriving).
    fn enter(&mut self, now: SimTime, resident: u32) -> Result<(), Violation> {
        let record = &mut self.residents[resident as usize];
        debug_assert!(matches!(record.phase, Phase::Away | Phase::WaitingOutside));
        let first_time = record.phase == Phase::Away;
        record.phase = Phase::InCentre;
        if !first_time {
            return Ok(());
        }
        record.arrived = now;
        self.metrics.arrived(now);
        let counts = &mut self.metrics.residents;
        match record.kind {
            Kind::Appointment => counts.appointments_arrived += 1,
            Kind::WalkIn => counts.walk_ins_arrived += 1,
            Kind::Companion => counts.companions_arrived += 1,
        }
        self.checkers.on_entered(resident)
    }

    /// The companions who came with `holder` (numbered consecutively from `linked`).
    pub(crate) fn companions_of(&self, holder: u32) -> std::ops::Range<u32> {
        let record = &self.residents[holder as usize];
        if record.kind == Kind::Companion || record.linked == u32::MAX {
            return 0..0;
        }
        record.linked..record.linked + u32::from(record.profile.companions)
    }

    /// Starts service for as many queued residents as there are free servers.
    pub(crate) fn start_services(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        stage: Stage,
    ) {
        while let Some((server, resident, queued_at)) = self.pool(stage).assign(now) {
            self.metrics.waited(stage, now.saturating_since(queued_at));
            let base = match stage {
                Stage::Collection => self.collection_interaction(resident),
                _ => {
                    let profile = &self.residents[resident as usize].profile;
                    match stage {
                        Stage::Tag => profile.tag_service,
                        Stage::Registration => profile.registration_service,
                        _ => profile.photo_service,
                    }
                }
            };
            let profile = &self.residents[resident as usize].profile;
            let work = profile.work(base, self.config.residents.assistance_service_factor);
            kernel.schedule(now + work, Event::ServiceDone { stage, server });
        }
    }

    pub(crate) fn service_done(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        stage: Stage,
        server: u16,
    ) -> Result<(), Violation> {
        if stage == Stage::Tag {
            // The interaction is over; the kiosk now asks the booking service.
            let resident = self.pools[Stage::Tag as usize]
                .occupant(server)
                .expect("a resident at the kiosk");
            let record = &self.residents[resident as usize];
            let request = match (record.kind, record.booking, record.late_walk_in) {
                (Kind::Appointment, Some(booking), false) => TagRequest::Appointment { booking },
                _ => TagRequest::WalkIn,
            };
            let input = TagKioskInput::Present {
                resident: ResidentId(resident),
                request,
            };
            self.kiosks[usize::from(server)].handle_input(now, input);
            return self.drain_kiosk(kernel, now, server);
        }
        let station = match stage {
            Stage::Registration => Station::RegistrationKiosk(server),
            Stage::Photo => Station::PhotoCounter(server),
            _ => Station::CollectionKiosk(server),
        };
        self.begin_session(kernel, now, station)
    }

    pub(crate) fn on_kiosk_event(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        kiosk: u16,
        event: TagKioskEvent,
    ) -> Result<(), Violation> {
        let at_kiosk = self.pools[Stage::Tag as usize].occupant(kiosk);
        let resident = match event {
            TagKioskEvent::Ticket { resident, .. }
            | TagKioskEvent::CheckInRefused { resident, .. }
            | TagKioskEvent::WalkInRefused { resident, .. }
            | TagKioskEvent::Unavailable { resident } => resident,
        };
        assert_eq!(
            at_kiosk,
            Some(resident.0),
            "kiosk {kiosk} answered for someone not at it"
        );
        match event {
            TagKioskEvent::Ticket { .. } => {
                self.metrics.residents.admitted += 1;
                kernel.observe(&Observation::new("centre.ticket", "admitted").resident(resident.0));
                self.leave_tag_kiosk(kernel, now, kiosk);
                self.join_queue(kernel, now, Stage::Registration, resident.0);
                for companion in self.companions_of(resident.0) {
                    self.metrics.residents.admitted += 1;
                    self.join_queue(kernel, now, Stage::Registration, companion);
                }
                self.start_services(kernel, now, Stage::Registration);
            }
            TagKioskEvent::CheckInRefused { outcome, .. } => {
                self.check_in_refused(kernel, now, kiosk, resident, outcome)?
            }
            TagKioskEvent::WalkInRefused { outcome, .. } => {
                let late = self.residents[resident.0 as usize].late_walk_in;
                let reason = match outcome {
                    _ if late => TurnedAway::TooLate,
                    WalkInOutcome::QuotaExhausted => TurnedAway::WalkInQuota,
                    _ => TurnedAway::Closed,
                };
                self.turn_away(kernel, now, kiosk, resident.0, reason)?;
            }
            TagKioskEvent::Unavailable { .. } => self.turn_away(
                kernel,
                now,
                kiosk,
                resident.0,
                TurnedAway::ServiceUnavailable,
            )?,
        }
        Ok(())
    }

    fn check_in_refused(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        kiosk: u16,
        resident: ResidentId,
        outcome: CheckInOutcome,
    ) -> Result<(), Violation> {
        let record = &mut self.residents[resident.0 as usize];
        match outcome {
            CheckInOutcome::TooEarly { from } if record.tag_visits < MAX_TAG_VISITS => {
                record.phase = Phase::WaitingOutside;
                for companion in self.companions_of(resident.0) {
                    self.residents[companion as usize].phase = Phase::WaitingOutside;
                }
                kernel.observe(
                    &Observation::new("centre.too_early", "come_back")
                        .resident(resident.0)
                        .time(from),
                );
                kernel.schedule(
                    from.max(now),
                    Event::Arrive {
                        resident: resident.0,
                    },
                );
                self.leave_tag_kiosk(kernel, now, kiosk);
            }
            CheckInOutcome::TooLate if !record.late_walk_in => {
                // Too late for the appointment: ask, at the same kiosk, for a walk-in ticket.
                record.late_walk_in = true;
                let input = TagKioskInput::Present {
                    resident,
                    request: TagRequest::WalkIn,
                };
                self.kiosks[usize::from(kiosk)].handle_input(now, input);
                return self.drain_kiosk(kernel, now, kiosk);
            }
            CheckInOutcome::NotValidHere => {
                let booking = record.booking.expect("an appointment holder checked in");
                self.checkers.on_booking_not_recognised(resident, booking)?;
                self.turn_away(kernel, now, kiosk, resident.0, TurnedAway::NotValid)?;
            }
            _ => self.turn_away(kernel, now, kiosk, resident.0, TurnedAway::TooLate)?,
        }
        Ok(())
    }

    /// Frees the tag kiosk and lets the next resident in the queue use it.
    fn leave_tag_kiosk(&mut self, kernel: &mut Kernel<Event>, now: SimTime, kiosk: u16) {
        let (_, since) = self.pool(Stage::Tag).finish(kiosk, now);
        self.metrics
            .served_by(Stage::Tag, now.saturating_since(since));
        self.start_services(kernel, now, Stage::Tag);
    }

    fn turn_away(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        kiosk: u16,
        resident: u32,
        reason: TurnedAway,
    ) -> Result<(), Violation> {
        for leaving in std::iter::once(resident).chain(self.companions_of(resident)) {
            self.checkers.on_left(leaving, "was turned away")?;
            self.residents[leaving as usize].phase = Phase::Left(reason);
            let counts = &mut self.metrics.residents;
            match reason {
                TurnedAway::TooLate => counts.turned_away_too_late += 1,
                TurnedAway::WalkInQuota => counts.turned_away_walk_in_quota += 1,
                TurnedAway::Closed => counts.turned_away_closed += 1,
                TurnedAway::ServiceUnavailable => counts.turned_away_service_unavailable += 1,
                TurnedAway::NotValid => counts.turned_away_not_valid += 1,
                TurnedAway::NotRegistered => counts.not_registered += 1,
                TurnedAway::Unfinished => counts.registration_unfinished += 1,
            }
            kernel
                .observe(&Observation::new("centre.turned_away", reason.name()).resident(leaving));
        }
        self.leave_tag_kiosk(kernel, now, kiosk);
        Ok(())
    }

    /// Residents inside the centre or waiting for their check-in window.
    pub(crate) fn in_centre(&self) -> usize {
        self.residents
            .iter()
            .filter(|r| matches!(r.phase, Phase::InCentre | Phase::WaitingOutside))
            .count()
    }

    /// Samples queue lengths while the centre is open or still has people in it, then
    /// resumes at the next open day's opening.
    pub(crate) fn sample(&mut self, kernel: &mut Kernel<Event>, now: SimTime) {
        let lengths = Stage::ALL.map(|stage| self.pools[stage as usize].queue_len());
        let interval = self.config.queue_sample_interval;
        self.metrics.sample(now, interval, lengths);
        let centre = &self.config.centre;
        let next = now + interval;
        let busy = self
            .pools
            .iter()
            .any(|pool| pool.busy() > 0 || pool.queue_len() > 0);
        let open_still = next <= centre.closing_on(now.date());
        let at = if busy || open_still {
            Some(next)
        } else {
            centre
                .next_open_day(now.date())
                .map(|day| centre.opening_on(day))
        };
        if let Some(at) = at.filter(|&at| at <= self.config.limits.until) {
            kernel.schedule(at, Event::Sample);
        }
    }
}
