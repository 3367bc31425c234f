//! The checked, plain configuration a run is built from. Scenario files turn into a
//! `Config` in `scenario::validate`; nothing here knows about JSON.

use hkic_base::{Calendar, Date, DurationDist, SimDuration, SimTime, TimeOfDay};
use hkic_kernel::{Limits, PartitionMode};
use hkic_services::booking::{CallUpSchedule, CentreTimetable};
use hkic_services::production::DocumentSignerSchedule;
use hkic_services::rpc::RetryPolicy;

use crate::population::AgeModel;
use crate::scenario::{Fidelity, LoadedProfile};

#[derive(Clone, Debug)]
pub struct Config {
    pub name: String,
    pub fidelity: Fidelity,
    pub calendar: Calendar,
    pub centre: CentreConfig,
    pub booking: BookingPhaseConfig,
    pub residents: ResidentConfig,
    pub service_times: ServiceTimes,
    pub devices: DeviceParams,
    pub public_latency: DurationDist,
    pub centre_latency: DurationDist,
    pub booking_disk: DiskTimes,
    pub registration_disk: DiskTimes,
    pub registry_disk: DiskTimes,
    pub production_disk: DiskTimes,
    pub production: ProductionParams,
    pub collection: CollectionParams,
    pub retry: RetryPolicy,
    pub faults: FaultsConfig,
    pub limits: Limits,
    pub queue_sample_interval: SimDuration,
    /// The first instant of the run: the earlier of booking opening and the first fault window.
    pub start: SimTime,
}

#[derive(Clone, Debug)]
pub struct CentreConfig {
    pub name: String,
    /// The first and last day of the period the scenario covers.
    pub first_day: Date,
    pub last_day: Date,
    /// The days the centre opens in the period (Monday to Saturday, not holidays), in order.
    pub open_days: Vec<Date>,
    /// The last day registration is offered (appointments and walk-ins); after it the
    /// centre only hands out cards.
    pub registration_until: Date,
    /// How many of `open_days` offer registration (a prefix).
    pub registration_days: usize,
    pub opening: TimeOfDay,
    pub closing: TimeOfDay,
    pub tag_kiosks: u16,
    pub registration_kiosks: u16,
    pub photo_counters: u16,
    pub collection_kiosks: u16,
    pub timetable: CentreTimetable,
    pub check_in_early: SimDuration,
    pub check_in_late: SimDuration,
}

impl CentreConfig {
    pub fn opening_on(&self, day: Date) -> SimTime {
        SimTime::at(day, self.opening)
    }

    pub fn closing_on(&self, day: Date) -> SimTime {
        SimTime::at(day, self.closing)
    }

    /// Opening hours of every open day, in order.
    pub fn open_intervals(&self) -> Vec<(SimTime, SimTime)> {
        self.open_days
            .iter()
            .map(|&day| (self.opening_on(day), self.closing_on(day)))
            .collect()
    }

    /// The open day after `day` that still offers registration, if any.
    pub fn next_registration_day(&self, day: Date) -> Option<Date> {
        self.next_open_day(day)
            .filter(|&next| next <= self.registration_until)
    }

    /// The open day after `day` (within the period), if any.
    pub fn next_open_day(&self, day: Date) -> Option<Date> {
        self.open_days.iter().copied().find(|&open| open > day)
    }

    /// When the last open day closes.
    pub fn last_closing(&self) -> SimTime {
        self.closing_on(
            *self
                .open_days
                .last()
                .expect("validated: at least one open day"),
        )
    }
}

#[derive(Clone, Debug)]
pub struct BookingPhaseConfig {
    /// When booking first opens for a group called up within the period.
    pub opens: SimTime,
    /// Who may book for which days, by year of birth (the booking service enforces it;
    /// residents book within their group's window).
    pub call_up: CallUpSchedule,
    pub requests: u32,
    /// How long before the start of their preferred day residents ask for an appointment.
    pub book_ahead: DurationDist,
    /// For those who would have asked before booking opened: how soon after opening they do.
    pub opening_surge: DurationDist,
    /// Preferred appointment time, as the duration since midnight.
    pub preferred_time: DurationDist,
    pub horizon_working_days: u32,
    /// When the day is full, how many later open days a resident tries.
    pub next_day_tries: u32,
    /// The chance that a resident who could not book comes as a walk-in on their day.
    pub walk_in_if_unbooked: f64,
    /// The chances that a booked resident later moves their booking to the next open day,
    /// or cancels it; and how long after booking they do (at the latest the evening before).
    pub reschedule_probability: f64,
    pub cancel_probability: f64,
    pub change_after: DurationDist,
    /// The centres residents fall back to (`CentreId` 1 onwards, in order); their own
    /// residents' bookings are not simulated, only the spare slots they leave.
    pub other_centres: Vec<OtherCentre>,
}

/// A centre that is not simulated: a second choice for booking, with spare slots.
#[derive(Clone, Debug)]
pub struct OtherCentre {
    pub name: String,
    pub share: f64,
    /// The simulated centre's hours and slots, with the spare quota per slot and no walk-ins.
    pub timetable: CentreTimetable,
}

#[derive(Clone, Debug)]
pub struct ResidentConfig {
    pub no_show_probability: f64,
    pub arrival_before_slot: DurationDist,
    pub late_probability: f64,
    pub lateness: DurationDist,
    pub walk_ins_per_day: f64,
    pub walk_in_from: TimeOfDay,
    pub walk_in_until: TimeOfDay,
    /// How long a resident waits in one queue before giving up.
    pub patience: DurationDist,
    /// The chance that one who gave up comes back on the next open day, as a walk-in.
    pub return_probability: f64,
    /// When residents were born (the call-up cohort and its late-comers).
    pub ages: AgeModel,
    /// The chance of needing assistance, under 65 and at 65 or over.
    pub assistance_under_65: f64,
    pub assistance_65_or_over: f64,
    /// How much longer every stage takes for someone who needs assistance.
    pub assistance_service_factor: f64,
    /// The chance that an appointment holder brings companions aged 65 or over (the caring
    /// arrangement), and that they bring a second one.
    pub companion_probability: f64,
    pub second_companion_probability: f64,
    /// The chance that a booked resident fills in the e-form in the app before coming.
    pub eform_probability: f64,
}

#[derive(Clone, Debug)]
pub struct ServiceTimes {
    pub tag_kiosk: DurationDist,
    pub registration_kiosk: DurationDist,
    pub photo_counter: DurationDist,
}

/// Card production: the lead time, the daily batch cut-off, and the personalisation line.
#[derive(Clone, Debug)]
pub struct ProductionParams {
    pub lead_time_working_days: u32,
    pub cut_off: TimeOfDay,
    pub personalisation: DurationDist,
    /// The chance a card fails personalisation or its read-back check.
    pub failure: f64,
    /// Which Document Signer signs a card (at `full` fidelity, where cards are signed).
    pub document_signers: DocumentSignerSchedule,
}

/// Residents coming back to collect, and the collection kiosks' timing.
#[derive(Clone, Debug)]
pub struct CollectionParams {
    pub after_ready: DurationDist,
    pub retry_after: DurationDist,
    /// Collection visits before a resident stops coming (the officers take over).
    pub visits: u8,
    pub interaction: DurationDist,
    pub card_handling: DurationDist,
    pub card_read: DurationDist,
    pub read_failure: f64,
}

/// How long a service host's disk takes to sync and to read.
#[derive(Clone, Debug)]
pub struct DiskTimes {
    pub sync: DurationDist,
    pub read: DurationDist,
}

/// The scenario's `devices` section: what each kiosk and counter operation takes and how
/// often it fails, for the `timing` fidelity's device model (and, at `full` fidelity, for
/// the officers' manual steps, which are people rather than emulated devices).
#[derive(Clone, Debug)]
pub struct DeviceParams {
    pub old_card_read: DurationDist,
    pub old_card_unreadable: f64,
    pub thumb_capture: DurationDist,
    pub thumb_attempts: u8,
    pub capture_failure: f64,
    /// Chance that one verification of a genuine holder fails, normal and poor fingers.
    pub non_match: f64,
    pub non_match_poor: f64,
    pub poor_fingers_under_65: f64,
    pub poor_fingers_65_or_over: f64,
    pub qr_scan: DurationDist,
    pub qr_attempts: u8,
    pub qr_no_read: f64,
    pub print: DurationDist,
    pub out_of_paper: f64,
    pub photo: DurationDist,
    pub photo_attempts: u8,
    pub photo_retake: f64,
    pub photo_retake_assisted: f64,
    pub key_reference: DurationDist,
    pub reference_found: f64,
    pub form_entry: DurationDist,
    pub inspect_old_card: DurationDist,
    pub not_identified: f64,
    pub verify_identity: DurationDist,
    pub not_verified: f64,
    /// Per device operation: the chance of a jam and of the device going offline.
    pub jam: f64,
    pub offline: f64,
    pub repair: DurationDist,
}

/// Nodes that can crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CrashTarget {
    Booking,
    Registration,
    Registry,
    Production,
}

impl CrashTarget {
    pub const ALL: [CrashTarget; 4] = [
        CrashTarget::Booking,
        CrashTarget::Registration,
        CrashTarget::Registry,
        CrashTarget::Production,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CrashTarget::Booking => "booking",
            CrashTarget::Registration => "registration",
            CrashTarget::Registry => "registry",
            CrashTarget::Production => "production",
        }
    }
}

/// Network links that can be partitioned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkName {
    /// Residents' phones and browsers to the central services.
    PublicCentral,
    /// The centre's kiosks to the central services.
    CentreCentral,
}

impl LinkName {
    pub const ALL: [LinkName; 2] = [LinkName::PublicCentral, LinkName::CentreCentral];

    pub fn name(self) -> &'static str {
        match self {
            LinkName::PublicCentral => "public-central",
            LinkName::CentreCentral => "centre-central",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduledFault {
    Partition {
        at: SimTime,
        link: LinkName,
        lasting: SimDuration,
        mode: PartitionMode,
    },
    Crash {
        at: SimTime,
        node: CrashTarget,
        down_for: SimDuration,
    },
}

#[derive(Clone, Debug)]
pub struct FaultsConfig {
    pub profile: LoadedProfile,
    /// Sorted, non-overlapping `[from, until)` intervals in which faults strike.
    pub windows: Vec<(SimTime, SimTime)>,
    pub crash_nodes: Vec<CrashTarget>,
    pub partition_links: Vec<LinkName>,
    pub scheduled: Vec<ScheduledFault>,
}
