//! Tests of the `full` device model: fingers against their own and others' old cards, old
//! card reads, new cards made, read back and collected, determinism and independence from
//! other residents and stations, the devices' faults and repairs.

mod biometric;
mod new_card;
mod stations;

use hkic_base::{Date, SimDuration, SimTime, TimeOfDay};
use hkic_devices::kiosk::{
    CameraModel, CardStoreModel, DispenserModel, FaultModel, PrinterModel, ScannerModel,
};
use hkic_services::messages::{
    CardId, CardOrder, EFormDigest, EFormQr, EFormReference, PersonalisationOutcome,
};
use hkic_terminals::collection_kiosk::{CollectionKioskDevice, CollectionKioskOutcome};
use hkic_terminals::devices::{
    DeviceFault, DeviceKind, FormEntry, ManualVerification, OldCardInspection,
};
use hkic_terminals::photo_counter::{PhotoCounterDevice, PhotoCounterOutcome};
use hkic_terminals::registration_kiosk::{RegistrationKioskDevice, RegistrationKioskOutcome};

use super::new_card::{Applicant, Applicants};
use super::{FullDeviceModels, FullDevices};
use crate::devices::timing::StationCounts;
use crate::devices::{Answer, DeviceModel, Station, Subject};

/// The officers' steps and repairs at fixed answers, so tests see what the emulators decide.
#[derive(Debug)]
struct Officers;

/// What the stand-in officers take for a repair.
const OFFICER_REPAIR: SimDuration = SimDuration::from_secs(600);

impl DeviceModel for Officers {
    fn registration_kiosk(
        &mut self,
        _now: SimTime,
        _kiosk: u16,
        _subject: &Subject,
        request: RegistrationKioskDevice,
    ) -> Answer<RegistrationKioskOutcome> {
        panic!("the full model asked the officers for a kiosk device: {request:?}")
    }

    fn photo_counter(
        &mut self,
        _now: SimTime,
        _counter: u16,
        _subject: &Subject,
        request: PhotoCounterDevice,
    ) -> Answer<PhotoCounterOutcome> {
        let outcome = match request {
            PhotoCounterDevice::InspectOldCard => {
                PhotoCounterOutcome::OldCardInspected(OldCardInspection::NotIdentified)
            }
            PhotoCounterDevice::VerifyIdentity { .. } => {
                PhotoCounterOutcome::IdentityVerified(ManualVerification::NotVerified)
            }
            PhotoCounterDevice::EnterForm => PhotoCounterOutcome::FormEntered(FormEntry::Entered {
                digest: EFormDigest(7),
            }),
            PhotoCounterDevice::TakePhoto { .. } => {
                panic!("the full model asked the officers to take a photo")
            }
        };
        let after = SimDuration::from_secs(123);
        Answer { after, outcome }
    }

    fn collection_kiosk(
        &mut self,
        _now: SimTime,
        _kiosk: u16,
        _subject: &Subject,
        request: CollectionKioskDevice,
    ) -> Answer<CollectionKioskOutcome> {
        panic!("the full model asked the officers for a collection kiosk device: {request:?}")
    }

    fn personalise(
        &mut self,
        _now: SimTime,
        card: CardId,
        _order: &CardOrder,
    ) -> Answer<PersonalisationOutcome> {
        panic!("the full model asked the officers to personalise card {card:?}")
    }

    fn repair(
        &mut self,
        _now: SimTime,
        _station: Station,
        _device: DeviceKind,
        _fault: DeviceFault,
    ) -> SimDuration {
        OFFICER_REPAIR
    }
}

const SEED: u64 = 20_190_301;

fn now() -> SimTime {
    let date = Date::from_ymd(2019, 3, 1).expect("a date");
    SimTime::at(date, TimeOfDay::from_hm(10, 0).expect("a time"))
}

/// Born between 1950 and 1999, by resident number.
fn born(resident: u32) -> Date {
    let first = Date::from_ymd(1950, 1, 1).expect("a date");
    first.add_days((resident.wrapping_mul(7_919) % 18_250) as i32)
}

fn subject(resident: u32, operation: u32) -> Subject {
    Subject {
        resident,
        born: born(resident),
        needs_assistance: false,
        eform: Some(EFormQr {
            reference: EFormReference(u64::from(resident) + 1_000),
            digest: EFormDigest(u64::from(resident) * 31),
        }),
        acknowledgement: None,
        operation,
    }
}

/// Models whose devices never fail (the cards still wear), for tests of what the cards and
/// fingers decide.
fn quiet_models() -> FullDeviceModels {
    let defaults = FullDeviceModels::default();
    FullDeviceModels {
        old_card_reader: FaultModel::none(),
        fingerprint_module: FaultModel::none(),
        scanner: ScannerModel {
            faults: FaultModel::none(),
            ..defaults.scanner
        },
        printer: PrinterModel {
            faults: FaultModel::none(),
            ..defaults.printer
        },
        camera: CameraModel {
            faults: FaultModel::none(),
            ..defaults.camera
        },
        card_reader: FaultModel::none(),
        card_store: CardStoreModel {
            faults: FaultModel::none(),
            ..defaults.card_store
        },
        dispenser: DispenserModel {
            faults: FaultModel::none(),
            ..defaults.dispenser
        },
        ..FullDeviceModels::default()
    }
}

/// Residents the tests' registration records know: 0 to 2,999.
const RESIDENTS: u32 = 3_000;

/// The registration records of residents 0 to [`RESIDENTS`]: born as [`born`] says, cards
/// dated [`now`].
fn applicants() -> Applicants {
    let applicant = |resident| Applicant {
        born: born(resident),
        date_of_issue: now().date(),
    };
    Applicants((0..RESIDENTS).map(applicant).collect())
}

fn stations(kiosks: u16, counters: u16, collection_kiosks: u16) -> StationCounts {
    StationCounts {
        registration_kiosks: kiosks,
        photo_counters: counters,
        collection_kiosks,
    }
}

/// The default models' devices of seed `seed` with the stations counted.
fn new_devices(seed: u64, kiosks: u16, counters: u16, collection_kiosks: u16) -> FullDevices {
    let officers = Box::new(Officers);
    FullDevices::new(
        seed,
        kiosks,
        counters,
        collection_kiosks,
        applicants(),
        officers,
    )
}

fn devices(kiosks: u16, counters: u16, models: FullDeviceModels) -> FullDevices {
    let stations = stations(kiosks, counters, 2);
    FullDevices::with_models(SEED, stations, applicants(), Box::new(Officers), models)
        .expect("valid models")
}

fn kiosk(
    devices: &mut FullDevices,
    kiosk: u16,
    subject: &Subject,
    request: RegistrationKioskDevice,
) -> Answer<RegistrationKioskOutcome> {
    devices.registration_kiosk(now(), kiosk, subject, request)
}
