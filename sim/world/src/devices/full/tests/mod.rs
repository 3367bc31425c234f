//! Tests of the `full` device model: fingers against their own and others' old cards, old
//! card reads, determinism and independence from other residents and stations, the devices'
//! faults and repairs.

mod biometric;
mod stations;

use hkic_base::{Date, SimDuration, SimTime, TimeOfDay};
use hkic_devices::kiosk::{CameraModel, FaultModel, PrinterModel, ScannerModel};
use hkic_services::messages::{EFormDigest, EFormQr, EFormReference};
use hkic_terminals::devices::{
    DeviceFault, DeviceKind, FormEntry, ManualVerification, OldCardInspection,
};
use hkic_terminals::photo_counter::{PhotoCounterDevice, PhotoCounterOutcome};
use hkic_terminals::registration_kiosk::{RegistrationKioskDevice, RegistrationKioskOutcome};

use super::{FullDeviceModels, FullDevices};
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
        request: hkic_terminals::collection_kiosk::CollectionKioskDevice,
    ) -> Answer<hkic_terminals::collection_kiosk::CollectionKioskOutcome> {
        let outcome = hkic_terminals::collection_kiosk::CollectionKioskOutcome::CardTaken(
            hkic_terminals::devices::CardTake::Taken,
        );
        assert!(matches!(
            request,
            hkic_terminals::collection_kiosk::CollectionKioskDevice::TakeCard { .. }
        ));
        let after = SimDuration::from_secs(5);
        Answer { after, outcome }
    }

    fn personalise(
        &mut self,
        _now: SimTime,
        _card: hkic_services::messages::CardId,
        _order: &hkic_services::messages::CardOrder,
    ) -> Answer<hkic_services::messages::PersonalisationOutcome> {
        let outcome = hkic_services::messages::PersonalisationOutcome::Verified;
        let after = SimDuration::from_secs(40);
        Answer { after, outcome }
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
        ..FullDeviceModels::default()
    }
}

fn devices(kiosks: u16, counters: u16, models: FullDeviceModels) -> FullDevices {
    FullDevices::with_models(SEED, kiosks, counters, Box::new(Officers), models)
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
