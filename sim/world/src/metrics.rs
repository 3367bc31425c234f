//! What the run measures for the report: histograms, counters and samples. Observers only:
//! nothing here changes what the world does.

use std::collections::BTreeMap;

use hkic_base::{SimDuration, SimTime};
use hkic_reports::{Histogram, ResidentCounts};

use crate::event::{STAGES, Stage};

#[derive(Debug, Default)]
pub struct BookingCounts {
    pub requests: u64,
    pub booked: u64,
    pub day_full: u64,
    pub outside_horizon: u64,
    pub no_service: u64,
    /// Refused for the call-up: not called up, booking not open yet, or outside the window.
    pub outside_call_up: u64,
    pub gave_up: u64,
    /// Residents who could not book and came as walk-ins instead.
    pub unbooked_walk_ins: u64,
    pub cancelled: u64,
    pub rescheduled: u64,
    pub reschedule_refused: u64,
    /// Residents who got no answer to a change and stayed away.
    pub change_gave_up: u64,
    /// Residents who found no slot they accept at the simulated centre and tried another.
    pub fell_back: u64,
    /// Residents booked at another centre (by `CentreId`), who register there.
    pub booked_elsewhere: BTreeMap<u8, u64>,
}

/// What happened at the registration kiosks and photo counters.
#[derive(Debug, Default)]
pub struct RegistrationCounts {
    pub accepted: u64,
    pub already_accepted: u64,
    pub duplicates_suspected: u64,
    pub kiosk_completed: u64,
    pub kiosk_referrals: BTreeMap<&'static str, u64>,
    pub counter_unfinished: BTreeMap<&'static str, u64>,
    pub not_registered: BTreeMap<&'static str, u64>,
    pub thumb_verifications: u64,
    pub thumb_failures: u64,
    pub photos: u64,
    pub photo_retakes: u64,
    pub officer_calls: u64,
    pub stations_out_of_service: u64,
    /// E-forms the booking service stored for residents.
    pub eforms: u64,
}

/// Cards: production and collection.
#[derive(Debug, Default)]
pub struct CardCounts {
    pub ordered: u64,
    pub produced: u64,
    pub remade: u64,
    /// Cards the personalisation line made, and production's requests it answered from its
    /// work in hand instead.
    pub personalised: u64,
    pub line_repeats: u64,
    pub dispatched: u64,
    pub ready: u64,
    pub activated: u64,
    pub collected: u64,
    /// Of those, cards activated at a kiosk that failed before handing them over.
    pub collected_by_officer: u64,
    pub old_cancelled: u64,
    pub collection_visits: u64,
    pub collection_gave_up: u64,
    pub not_collected: BTreeMap<&'static str, u64>,
    /// Residents who ran out of visits (or met a card that must not be handed over).
    pub handed_to_officers: u64,
    /// Collection visits that would fall after the scenario's period.
    pub collect_after_period: u64,
}

/// Queue lengths through one day, per stage.
#[derive(Debug, Default)]
pub struct QueueDay {
    pub start: SimTime,
    /// The backlogs when the day's sampling began: (production, collection).
    pub backlogs: (u64, u64),
    pub lengths: [Vec<u64>; STAGES],
}

#[derive(Debug, Default)]
pub struct Metrics {
    pub wait: [Histogram; STAGES],
    pub service: [Histogram; STAGES],
    pub time_in_centre: Histogram,
    pub lead_time: Histogram,
    pub residents: ResidentCounts,
    pub booking: BookingCounts,
    pub registration: RegistrationCounts,
    pub cards: CardCounts,
    /// Per hour (start of the hour): arrivals and residents served.
    pub hourly: BTreeMap<SimTime, (u64, u64)>,
    /// Queue lengths sampled at a fixed interval, one run of samples per open day.
    pub queue_days: Vec<QueueDay>,
}

fn hour_of(time: SimTime) -> SimTime {
    const HOUR: u64 = 3_600_000_000_000;
    SimTime::from_nanos(time.as_nanos() / HOUR * HOUR)
}

fn index(stage: Stage) -> usize {
    match stage {
        Stage::Tag => 0,
        Stage::Registration => 1,
        Stage::Photo => 2,
        Stage::Collection => 3,
    }
}

impl Metrics {
    pub fn waited(&mut self, stage: Stage, wait: SimDuration) {
        self.wait[index(stage)].record(wait);
    }

    pub fn served_by(&mut self, stage: Stage, service: SimDuration) {
        self.service[index(stage)].record(service);
    }

    pub fn wait_of(&self, stage: Stage) -> &Histogram {
        &self.wait[index(stage)]
    }

    pub fn service_of(&self, stage: Stage) -> &Histogram {
        &self.service[index(stage)]
    }

    pub fn arrived(&mut self, now: SimTime) {
        self.hourly.entry(hour_of(now)).or_default().0 += 1;
    }

    pub fn served(&mut self, now: SimTime, time_in_centre: SimDuration) {
        self.residents.served += 1;
        self.time_in_centre.record(time_in_centre);
        self.hourly.entry(hour_of(now)).or_default().1 += 1;
    }

    /// Records one sample; a sample that does not follow the last one by `interval` starts
    /// a new run (a new day).
    pub fn sample(&mut self, now: SimTime, interval: SimDuration, lengths: [usize; STAGES]) {
        let continues = self.queue_days.last().is_some_and(|day| {
            let taken = day.lengths[0].len() as u64;
            day.start + interval.saturating_mul(taken) == now
        });
        if !continues {
            let cards = &self.cards;
            let backlogs = (
                cards.ordered.saturating_sub(cards.dispatched),
                cards.ready.saturating_sub(cards.collected),
            );
            self.queue_days.push(QueueDay {
                start: now,
                backlogs,
                lengths: Default::default(),
            });
        }
        let day = self.queue_days.last_mut().expect("a run exists");
        for (samples, length) in day.lengths.iter_mut().zip(lengths) {
            samples.push(length as u64);
        }
    }
}
