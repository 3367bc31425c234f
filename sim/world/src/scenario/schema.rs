//! The scenario file format, as serde reads it. Every field is documented in
//! `scenarios/README.md`; [`super::validate`] turns this into a checked [`crate::Config`].

use serde::Deserialize;

use super::values::{Clock, Day, DistSpec, Dur, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fidelity {
    /// Device interactions are durations and outcome probabilities from the scenario.
    Timing,
    /// Device interactions are real (APDUs, cryptography, fingerprint matching).
    Full,
}

impl Fidelity {
    pub fn name(self) -> &'static str {
        match self {
            Fidelity::Timing => "timing",
            Fidelity::Full => "full",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub fidelity: Fidelity,
    /// An embedded holiday list (see `hkic-sim scenarios`).
    pub holidays: String,
    pub centre: CentreSpec,
    pub booking: BookingSpec,
    pub residents: ResidentSpec,
    pub service_times: ServiceTimesSpec,
    pub devices: DevicesSpec,
    pub production: ProductionSpec,
    pub collection: CollectionSpec,
    pub network: NetworkSpec,
    pub services: ServicesSpec,
    pub terminals: TerminalsSpec,
    pub faults: FaultsSpec,
    pub limits: LimitsSpec,
    pub report: ReportSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentreSpec {
    pub name: String,
    pub first_day: Day,
    pub last_day: Day,
    pub registration_until: Day,
    pub opening: Clock,
    pub closing: Clock,
    pub tag_kiosks: u32,
    pub registration_kiosks: u32,
    pub photo_counters: u32,
    pub collection_kiosks: u32,
    pub slot_length: Dur,
    pub slot_quota: u32,
    pub walk_in_quota: u32,
    pub check_in: CheckInSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInSpec {
    pub early: Dur,
    pub late: Dur,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingSpec {
    pub call_up: CallUpSpec,
    pub requests: u32,
    pub book_ahead: DistSpec,
    pub opening_surge: DistSpec,
    pub preferred_times: Vec<PreferredTime>,
    pub horizon_working_days: u32,
    pub next_day_tries: u32,
    pub walk_in_if_unbooked: f64,
    pub changes: BookingChangesSpec,
    pub other_centres: Vec<OtherCentreSpec>,
}

/// A centre residents fall back to when theirs (the simulated one) has no slot they accept.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherCentreSpec {
    pub name: String,
    /// Relative weight: how many of the residents choose it as their second choice.
    pub share: f64,
    /// Bookings per slot left there for residents from elsewhere.
    pub spare_quota: u32,
}

/// The call-up schedule: groups by year of birth, each with its window of days.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallUpSpec {
    pub groups: Vec<CallUpGroupSpec>,
    /// How long before its window's first day opens booking for a group opens.
    pub booking_opens_before: Dur,
    /// Whether members of a group whose window has closed may still book.
    pub late_comers: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallUpGroupSpec {
    pub born: YearsSpec,
    pub window: DaysSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearsSpec {
    pub from: i32,
    pub until: i32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaysSpec {
    pub from: Day,
    pub until: Day,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingChangesSpec {
    pub reschedule: f64,
    pub cancel: f64,
    pub after: DistSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferredTime {
    pub time: Clock,
    pub weight: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidentSpec {
    pub no_show_probability: f64,
    pub arrival_before_slot: DistSpec,
    pub late_probability: f64,
    pub lateness: DistSpec,
    pub walk_ins_per_day: f64,
    pub walk_in_hours: HoursSpec,
    pub patience: DistSpec,
    pub return_probability: f64,
    pub born: BornSpec,
    pub assistance: AssistanceSpec,
    pub companions: CompanionsSpec,
    pub eform: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BornSpec {
    pub from: i32,
    pub until: i32,
    pub others: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistanceSpec {
    pub under_65: f64,
    pub aged_65_or_over: f64,
    pub service_factor: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanionsSpec {
    pub probability: f64,
    pub second: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursSpec {
    pub from: Clock,
    pub until: Clock,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceTimesSpec {
    pub tag_kiosk: DistSpec,
    pub registration_kiosk: DistSpec,
    pub photo_counter: DistSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductionSpec {
    pub lead_time_working_days: u32,
    pub cut_off: Clock,
    pub personalisation: DistSpec,
    pub failure: f64,
    /// How long each Document Signer signs before the next takes over (whole days); when
    /// absent, `DocumentSignerSchedule::DEFAULT_ROLLOVER_DAYS`.
    #[serde(default)]
    pub document_signer_rollover: Option<Dur>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionSpec {
    /// How long after the date on the slip residents come to collect.
    pub after_ready: DistSpec,
    /// How long they wait before trying again when the card was not there.
    pub retry_after: DistSpec,
    pub visits: u32,
    pub interaction: DistSpec,
    pub card_handling: DistSpec,
    pub card_read: DistSpec,
    pub read_failure: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevicesSpec {
    pub old_card: OldCardSpec,
    pub thumbs: ThumbsSpec,
    pub qr: QrSpec,
    pub printer: PrinterSpec,
    pub camera: CameraSpec,
    pub officers: OfficersSpec,
    pub faults: DeviceFaultsSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OldCardSpec {
    pub read: DistSpec,
    pub unreadable: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThumbsSpec {
    pub capture: DistSpec,
    pub attempts: u32,
    pub capture_failure: f64,
    pub non_match: f64,
    pub non_match_poor: f64,
    pub poor_fingers: AgeSharesSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeSharesSpec {
    pub under_65: f64,
    pub aged_65_or_over: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrSpec {
    pub scan: DistSpec,
    pub attempts: u32,
    pub no_read: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterSpec {
    pub print: DistSpec,
    pub out_of_paper: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraSpec {
    pub photo: DistSpec,
    pub attempts: u32,
    pub retake: f64,
    pub retake_assisted: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficersSpec {
    pub key_reference: DistSpec,
    pub reference_found: f64,
    pub form_entry: DistSpec,
    pub inspect_old_card: DistSpec,
    pub not_identified: f64,
    pub verify_identity: DistSpec,
    pub not_verified: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceFaultsSpec {
    pub jam: f64,
    pub offline: f64,
    pub repair: DistSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    pub public_to_central: LinkSpec,
    pub centre_to_central: LinkSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    pub latency: DistSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicesSpec {
    pub booking: ServiceHostSpec,
    pub registration: ServiceHostSpec,
    pub registry: ServiceHostSpec,
    pub production: ServiceHostSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceHostSpec {
    pub disk_sync: DistSpec,
    pub disk_read: DistSpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalsSpec {
    pub retry: RetrySpec,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    pub timeout: Dur,
    pub backoff_initial: Dur,
    pub backoff_max: Dur,
    pub give_up_after: Dur,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsSpec {
    /// `none`, an embedded profile (`light`, `chaos`) or a path to a profile file.
    pub profile: String,
    pub windows: Vec<WindowSpec>,
    pub crash_nodes: Vec<String>,
    pub partition_links: Vec<String>,
    pub scheduled: Vec<ScheduledFaultSpec>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    pub from: Instant,
    pub until: Instant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionModeSpec {
    Drop,
    Hold,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScheduledFaultSpec {
    Partition {
        at: Instant,
        link: String,
        lasting: Dur,
        mode: PartitionModeSpec,
    },
    Crash {
        at: Instant,
        node: String,
        down_for: Dur,
    },
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    pub max_events: u64,
    pub until: Instant,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    pub queue_sample_interval: Dur,
}

/// A fault profile file (`scenarios/faults/*.json`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultProfileFile {
    pub name: String,
    /// Read by `hkic-sim scenarios` from the raw JSON; kept here so the format is one place.
    #[allow(dead_code)]
    pub description: String,
    pub partition: TimedFaultSpec,
    pub crash: TimedFaultSpec,
    pub loss: ChanceFaultSpec,
    pub duplication: ChanceFaultSpec,
    pub delay: ChanceFaultSpec,
    pub lost_write: ChanceFaultSpec,
    pub torn_write: ChanceFaultSpec,
    pub corrupt_write: ChanceFaultSpec,
    pub partition_duration: DistSpec,
    pub partition_mode: PartitionModeSpec,
    pub crash_downtime: DistSpec,
    pub extra_delay: DistSpec,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedFaultSpec {
    pub per_hour: f64,
    pub minimum: u32,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChanceFaultSpec {
    pub probability: f64,
    pub minimum: u32,
}
