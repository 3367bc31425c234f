//! Turning a finished world into the versioned report.

use hkic_base::SimTime;
use hkic_kernel::{FaultKind, Kernel, RunEnd};
use hkic_reports::{
    BookingSummary, CardSummary, DailyCount, FaultCount, HourlyCount, InvariantSummary, NamedCount,
    Outcome, Percentiles, QueueSeries, REPORT_SCHEMA, RegistrationSummary, Report, RunInfo,
    StageSummary, Status, TraceSummary,
};

use crate::event::{Event, Stage};
use crate::world::World;

const DAY_SECONDS: f64 = 86_400.0;

impl World {
    pub(crate) fn report(&self, kernel: &Kernel<Event>, end: RunEnd, run: RunInfo) -> Report {
        let status = match (&self.detected, end) {
            (Some(_), _) => Status::InvariantBroken,
            (None, RunEnd::StepBudget) => Status::StepBudgetExhausted,
            (None, _) => Status::Ok,
        };
        let violation = self
            .detected
            .as_ref()
            .map(|detected| hkic_reports::Violation {
                invariant: detected.violation.invariant.to_string(),
                message: detected.violation.message.clone(),
                at: detected.at.to_string(),
                trace_record: detected.trace_record,
            });
        Report {
            schema: REPORT_SCHEMA.to_string(),
            run,
            outcome: Outcome { status, violation },
            trace: TraceSummary {
                hash: kernel.trace().hash().to_string(),
                events: kernel.steps(),
                records: kernel.trace().records(),
            },
            residents: self.metrics.residents.clone(),
            booking: self.booking_summary(),
            registration: self.registration_summary(),
            cards: self.card_summary(),
            stages: Stage::ALL
                .iter()
                .map(|&stage| self.stage_summary(stage))
                .collect(),
            time_in_centre_seconds: Percentiles::of(&self.metrics.time_in_centre),
            queues: self.queue_series(),
            throughput_per_day: self.daily(),
            throughput_per_hour: self
                .metrics
                .hourly
                .iter()
                .map(|(hour, &(arrivals, served))| HourlyCount {
                    hour: hour.to_string(),
                    arrivals,
                    served,
                })
                .collect(),
            faults: FaultKind::ALL
                .iter()
                .map(|&kind| FaultCount {
                    kind: kind.name().to_string(),
                    injected: self.faults.counts().get(kind),
                    minimum: self.faults.profile().spec(kind).minimum,
                })
                .collect(),
            invariants: self
                .checkers
                .checks()
                .map(|(name, checks)| InvariantSummary {
                    name: name.to_string(),
                    note: self.checkers.note(name),
                    checks,
                    violations: u64::from(
                        self.detected
                            .as_ref()
                            .is_some_and(|d| d.violation.invariant == name),
                    ),
                })
                .collect(),
        }
    }

    fn card_summary(&self) -> CardSummary {
        let c = &self.metrics.cards;
        CardSummary {
            ordered: c.ordered,
            produced: c.produced,
            remade: c.remade,
            personalised: c.personalised,
            line_repeats: c.line_repeats,
            dispatched: c.dispatched,
            ready: c.ready,
            activated: c.activated,
            collected: c.collected,
            collected_by_officer: c.collected_by_officer,
            old_cards_cancelled: c.old_cancelled,
            collection_visits: c.collection_visits,
            collection_gave_up: c.collection_gave_up,
            not_collected: named_counts(&c.not_collected),
            handed_to_officers: c.handed_to_officers,
            collections_after_period: c.collect_after_period,
            signed_by: self
                .checkers
                .cards_by_document_signer()
                .into_iter()
                .map(|(name, count)| NamedCount { name, count })
                .collect(),
        }
    }

    fn registration_summary(&self) -> RegistrationSummary {
        let counts = &self.metrics.registration;
        let named = named_counts;
        RegistrationSummary {
            accepted: counts.accepted,
            already_accepted: counts.already_accepted,
            duplicates_suspected: counts.duplicates_suspected,
            kiosk_completed: counts.kiosk_completed,
            kiosk_referrals: named(&counts.kiosk_referrals),
            counter_unfinished: named(&counts.counter_unfinished),
            not_registered: named(&counts.not_registered),
            thumb_verifications: counts.thumb_verifications,
            thumb_failures: counts.thumb_failures,
            photos: counts.photos,
            photo_retakes: counts.photo_retakes,
            officer_calls: counts.officer_calls,
            stations_out_of_service: counts.stations_out_of_service,
        }
    }

    /// Bookings at the other centres, named, in the scenario's order.
    fn booked_elsewhere(&self) -> Vec<NamedCount> {
        let others = &self.config.booking.other_centres;
        let counts = &self.metrics.booking.booked_elsewhere;
        others
            .iter()
            .enumerate()
            .map(|(index, centre)| NamedCount {
                name: centre.name.clone(),
                count: counts.get(&((index + 1) as u8)).copied().unwrap_or(0),
            })
            .collect()
    }

    fn booking_summary(&self) -> BookingSummary {
        let counts = &self.metrics.booking;
        let timetable = &self.config.centre.timetable;
        let capacity = u64::from(timetable.slots_per_day())
            * u64::from(timetable.slot_quota)
            * self.config.centre.open_days.len() as u64;
        BookingSummary {
            requests: counts.requests,
            booked: counts.booked,
            refused_day_full: counts.day_full,
            refused_outside_horizon: counts.outside_horizon,
            refused_no_service: counts.no_service,
            refused_outside_call_up: counts.outside_call_up,
            fell_back: counts.fell_back,
            booked_elsewhere: self.booked_elsewhere(),
            gave_up: counts.gave_up,
            unbooked_walk_ins: counts.unbooked_walk_ins,
            cancelled: counts.cancelled,
            rescheduled: counts.rescheduled,
            reschedule_refused: counts.reschedule_refused,
            change_gave_up: counts.change_gave_up,
            lead_time_days: Percentiles::of(&self.metrics.lead_time).in_units(DAY_SECONDS),
            slots_filled_fraction: if capacity == 0 {
                0.0
            } else {
                hkic_reports::round3(
                    counts.booked.saturating_sub(counts.cancelled) as f64 / capacity as f64,
                )
            },
        }
    }

    fn stage_summary(&self, stage: Stage) -> StageSummary {
        let pool = &self.pools[stage as usize];
        StageSummary {
            stage: stage.name().to_string(),
            servers: u32::from(pool.servers()),
            served: self.metrics.service_of(stage).count(),
            wait_seconds: Percentiles::of(self.metrics.wait_of(stage)),
            service_seconds: Percentiles::of(self.metrics.service_of(stage)),
            queue_length_max: pool.max_queue() as u64,
            busy_fraction: hkic_reports::round3(pool.busy_fraction()),
            overtime_seconds: hkic_reports::round3(pool.overtime().as_secs_f64()),
        }
    }

    fn queue_series(&self) -> Vec<QueueSeries> {
        let interval_seconds = self.config.queue_sample_interval.as_nanos() / 1_000_000_000;
        self.metrics
            .queue_days
            .iter()
            .flat_map(|day| {
                Stage::ALL.iter().map(move |&stage| QueueSeries {
                    stage: stage.name().to_string(),
                    start: day.start.to_string(),
                    interval_seconds,
                    lengths: day.lengths[stage as usize].clone(),
                })
            })
            .collect()
    }

    fn daily(&self) -> Vec<DailyCount> {
        let mut days: std::collections::BTreeMap<hkic_base::Date, (u64, u64)> =
            std::collections::BTreeMap::new();
        for (hour, &(arrivals, served)) in &self.metrics.hourly {
            let day = days.entry(hour.date()).or_default();
            day.0 += arrivals;
            day.1 += served;
        }
        let backlogs: std::collections::BTreeMap<hkic_base::Date, (u64, u64)> = self
            .metrics
            .queue_days
            .iter()
            .map(|day| (day.start.date(), day.backlogs))
            .collect();
        // Days the centre only handed out cards have backlogs but no registrations.
        for &day in backlogs.keys() {
            days.entry(day).or_default();
        }
        days.into_iter()
            .map(|(day, (arrivals, served))| {
                let (production_backlog, collection_backlog) =
                    backlogs.get(&day).copied().unwrap_or_default();
                DailyCount {
                    day: day.to_string(),
                    arrivals,
                    served,
                    production_backlog,
                    collection_backlog,
                }
            })
            .collect()
    }

    pub(crate) fn last_event(&self) -> SimTime {
        self.last_event
    }
}

fn named_counts(map: &std::collections::BTreeMap<&'static str, u64>) -> Vec<NamedCount> {
    map.iter()
        .map(|(name, &count)| NamedCount {
            name: name.to_string(),
            count,
        })
        .collect()
}
