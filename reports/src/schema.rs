//! The `report.json` schema, version 1. Field names carry their units (`wait_seconds`).
//! Additions keep the version; renames or removals bump it.

use serde::{Deserialize, Serialize};

use crate::Histogram;

pub const REPORT_SCHEMA: &str = "hkic-sim/report/1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub schema: String,
    pub run: RunInfo,
    pub outcome: Outcome,
    pub trace: TraceSummary,
    pub residents: ResidentCounts,
    pub booking: BookingSummary,
    pub registration: RegistrationSummary,
    pub cards: CardSummary,
    pub stages: Vec<StageSummary>,
    pub time_in_centre_seconds: Percentiles,
    pub queues: Vec<QueueSeries>,
    pub throughput_per_day: Vec<DailyCount>,
    pub throughput_per_hour: Vec<HourlyCount>,
    pub faults: Vec<FaultCount>,
    pub invariants: Vec<InvariantSummary>,
}

/// What was run: enough to run it again (`hkic-sim replay` reads this).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInfo {
    pub scenario_name: String,
    /// Where the scenario came from: `embedded:NAME` or the path given.
    pub scenario_source: String,
    /// The scenario argument as given on the command line (`null`: the default scenario).
    pub scenario_reference: Option<String>,
    /// The scenario exactly as run, after `--set` overrides.
    pub scenario: serde_json::Value,
    pub seed: u64,
    pub fidelity: String,
    pub fault_profile_name: String,
    /// The `--faults` argument or the scenario's `faults.profile`: `none`, a name or a path.
    pub fault_profile_reference: String,
    /// The fault profile exactly as run.
    pub fault_profile: serde_json::Value,
    pub planted_bug: Option<String>,
    /// A `--max-events` given on the command line, replacing the scenario's step budget.
    pub max_events_override: Option<u64>,
    pub overrides: Vec<String>,
    pub replay_command: String,
    pub simulated_from: String,
    pub simulated_until: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    InvariantBroken,
    StepBudgetExhausted,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub status: Status,
    pub violation: Option<Violation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    pub invariant: String,
    pub message: String,
    pub at: String,
    /// The number of the trace record at which it was detected.
    pub trace_record: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceSummary {
    pub hash: String,
    pub events: u64,
    pub records: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidentCounts {
    pub with_appointment: u64,
    pub no_shows: u64,
    pub appointments_arrived: u64,
    pub walk_ins_arrived: u64,
    /// Companions aged 65 or over who came with an appointment holder.
    pub companions_arrived: u64,
    pub admitted: u64,
    pub served: u64,
    /// Gave up waiting in a queue.
    pub abandoned: u64,
    /// Of those, came back on a later day (as walk-ins).
    pub returns: u64,
    pub turned_away_too_late: u64,
    pub turned_away_walk_in_quota: u64,
    pub turned_away_closed: u64,
    pub turned_away_service_unavailable: u64,
    pub turned_away_not_valid: u64,
    /// Left without an accepted application: identity not established, refused, or held
    /// as a suspected duplicate.
    pub not_registered: u64,
    /// Left with registration unfinished (no acceptable photo, a service or counter out of
    /// service).
    pub registration_unfinished: u64,
    /// Still inside at the end of the run: zero once queues drain.
    pub in_centre_at_end: u64,
}

/// What happened at the registration kiosks and photo counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationSummary {
    /// Applications the registration service durably accepted and the resident was told.
    pub accepted: u64,
    /// Residents whose application had been accepted on an earlier visit.
    pub already_accepted: u64,
    pub duplicates_suspected: u64,
    /// Kiosk sessions that sent the resident on to the photo counter.
    pub kiosk_completed: u64,
    /// Kiosk sessions that referred the resident to an officer, per reason.
    pub kiosk_referrals: Vec<NamedCount>,
    /// Counter visits that ended unfinished, per reason.
    pub counter_unfinished: Vec<NamedCount>,
    /// Counter visits that ended without registration, per reason.
    pub not_registered: Vec<NamedCount>,
    /// Thumb verifications at kiosks, and of those, ones that did not match or capture.
    pub thumb_verifications: u64,
    pub thumb_failures: u64,
    /// Photos taken at counters, and of those, ones that needed a retake.
    pub photos: u64,
    pub photo_retakes: u64,
    /// Floor officers called to key an e-form reference.
    pub officer_calls: u64,
    /// Devices that failed and took their kiosk or counter out of service.
    pub stations_out_of_service: u64,
}

/// Card production and collection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardSummary {
    /// Card orders production received, cards it personalised and verified, cards re-made
    /// after a failed personalisation, and cards dispatched to the centre.
    pub ordered: u64,
    pub produced: u64,
    pub remade: u64,
    /// Cards the personalisation line made (each once, however often production asked), and
    /// production's repeated requests it answered from its work in hand.
    #[serde(default)]
    pub personalised: u64,
    #[serde(default)]
    pub line_repeats: u64,
    pub dispatched: u64,
    /// Cards the registry holds ready at the centre, and cards it activated.
    pub ready: u64,
    pub activated: u64,
    /// Cards handed over at the kiosks, and old cards cancelled with them.
    pub collected: u64,
    /// Of those, activated at a kiosk that failed before handing them over: an officer did.
    pub collected_by_officer: u64,
    pub old_cards_cancelled: u64,
    pub collection_visits: u64,
    pub collection_gave_up: u64,
    /// Collection visits that ended without the card, per reason.
    pub not_collected: Vec<NamedCount>,
    pub handed_to_officers: u64,
    /// Visits that would come after the scenario's period (not simulated).
    pub collections_after_period: u64,
    /// Cards the line issued, per Document Signer (its certificate's subject); only at
    /// `full` fidelity, where cards are signed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signed_by: Vec<NamedCount>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedCount {
    pub name: String,
    pub count: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingSummary {
    pub requests: u64,
    pub booked: u64,
    pub refused_day_full: u64,
    pub refused_outside_horizon: u64,
    pub refused_no_service: u64,
    /// Refused for the call-up: the resident's group is not called up, its booking has not
    /// opened, or the day is outside its window.
    pub refused_outside_call_up: u64,
    /// Residents who found no slot they accept at this centre and tried another.
    pub fell_back: u64,
    /// Per other centre, the residents booked there (they register there, outside the
    /// simulation).
    pub booked_elsewhere: Vec<NamedCount>,
    pub gave_up: u64,
    /// Residents who could not book and came as walk-ins on their preferred day.
    pub unbooked_walk_ins: u64,
    /// Bookings residents cancelled, moved to another day, or could not move (the day was
    /// full: they kept the booking they had).
    pub cancelled: u64,
    pub rescheduled: u64,
    pub reschedule_refused: u64,
    /// Residents whose change got no answer after three tries, and who stayed away.
    pub change_gave_up: u64,
    /// Days from the request to the appointment.
    pub lead_time_days: Percentiles,
    /// Share of appointment slots booked (and not cancelled), over the period's open days.
    pub slots_filled_fraction: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageSummary {
    pub stage: String,
    pub servers: u32,
    pub served: u64,
    pub wait_seconds: Percentiles,
    pub service_seconds: Percentiles,
    pub queue_length_max: u64,
    /// Busy server time over available server time during opening hours.
    pub busy_fraction: f64,
    /// Service after closing time (server-seconds), to drain the queue.
    pub overtime_seconds: f64,
}

/// A summary of a distribution of durations, in seconds rounded to the millisecond.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Percentiles {
    pub count: u64,
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

fn seconds(duration: hkic_base::SimDuration) -> f64 {
    round3(duration.as_secs_f64())
}

/// Rounds to three decimals, so reports read well and compare exactly.
pub fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

impl Percentiles {
    pub fn of(histogram: &Histogram) -> Percentiles {
        Percentiles {
            count: histogram.count(),
            mean: seconds(histogram.mean()),
            p50: seconds(histogram.quantile(0.50)),
            p95: seconds(histogram.quantile(0.95)),
            p99: seconds(histogram.quantile(0.99)),
            max: seconds(histogram.max()),
        }
    }

    /// The same summary with every figure divided by `unit_seconds` (for days, hours).
    pub fn in_units(self, unit_seconds: f64) -> Percentiles {
        let scale = |value: f64| round3(value / unit_seconds);
        Percentiles {
            count: self.count,
            mean: scale(self.mean),
            p50: scale(self.p50),
            p95: scale(self.p95),
            p99: scale(self.p99),
            max: scale(self.max),
        }
    }
}

/// Queue length sampled at a fixed interval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSeries {
    pub stage: String,
    pub start: String,
    pub interval_seconds: u64,
    pub lengths: Vec<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DailyCount {
    pub day: String,
    pub arrivals: u64,
    pub served: u64,
    /// At the day's opening: card orders production has not yet dispatched, and cards ready
    /// at the centre that nobody has collected yet.
    pub production_backlog: u64,
    pub collection_backlog: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HourlyCount {
    pub hour: String,
    pub arrivals: u64,
    pub served: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultCount {
    pub kind: String,
    pub injected: u64,
    pub minimum: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvariantSummary {
    pub name: String,
    pub checks: u64,
    pub violations: u64,
    /// What the checks covered, where the count alone does not say (e.g. a checker that
    /// only has something to check at `full` fidelity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Report {
    /// Pretty JSON with a trailing newline; byte-identical for identical reports.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("reports serialize");
        text.push('\n');
        text
    }

    pub fn from_json(text: &str) -> Result<Report, serde_json::Error> {
        serde_json::from_str(text)
    }
}
