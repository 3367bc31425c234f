//! Determinism, independence from other stations and residents, the devices' faults and
//! repairs, the scanner, the camera and what goes to the officers.

use hkic_services::messages::ApplicationId;
use hkic_terminals::devices::{Handling, PhotoCapture, QrScan};

use super::*;
use crate::devices::full::FullDevicesError;

const KIOSK_REQUESTS: [RegistrationKioskDevice; 5] = [
    RegistrationKioskDevice::ReadOldCard,
    RegistrationKioskDevice::VerifyThumbs,
    RegistrationKioskDevice::VerifyThumbs,
    RegistrationKioskDevice::ScanEFormQr,
    RegistrationKioskDevice::PrintForm {
        application: ApplicationId(1),
    },
];

/// Every answer to a registration and a photo visit of each resident in `residents`, at
/// kiosk `resident % 3` and counter `resident % 2`, each visit's steps a minute apart.
fn visits(devices: &mut FullDevices, residents: &[u32]) -> Vec<String> {
    let mut answers = Vec::new();
    for (visit, &resident) in residents.iter().enumerate() {
        let mut now = now() + SimDuration::from_secs(600) * visit as u64;
        let (kiosk, counter) = ((resident % 3) as u16, (resident % 2) as u16);
        for (operation, request) in KIOSK_REQUESTS.into_iter().enumerate() {
            let subject = subject(resident, operation as u32);
            let answer = devices.registration_kiosk(now, kiosk, &subject, request);
            answers.push(format!("{resident}: {answer:?}"));
            now += SimDuration::from_secs(60);
        }
        for attempt in 1..=3 {
            let subject = subject(resident, 4 + u32::from(attempt));
            let request = PhotoCounterDevice::TakePhoto { attempt };
            let answer = devices.photo_counter(now, counter, &subject, request);
            answers.push(format!("{resident}: {answer:?}"));
            now += SimDuration::from_secs(60);
        }
    }
    answers
}

#[test]
fn the_same_seed_gives_the_same_answers() {
    let residents: Vec<u32> = (0..60).collect();
    let first = visits(&mut new_devices(SEED, 3, 2, 2), &residents);
    let second = visits(&mut new_devices(SEED, 3, 2, 2), &residents);
    assert_eq!(first, second);
    let other = visits(&mut new_devices(SEED + 1, 3, 2, 2), &residents);
    assert_ne!(first, other);
}

#[test]
fn more_stations_change_no_residents_answers() {
    let residents: Vec<u32> = (100..160).collect();
    let few = visits(&mut new_devices(SEED, 3, 2, 2), &residents);
    let many = visits(&mut new_devices(SEED, 9, 6, 2), &residents);
    assert_eq!(few, many);
}

#[test]
fn a_residents_answers_do_not_depend_on_who_came_before() {
    let alone = visits(&mut devices(3, 2, quiet_models()), &[42]);
    let crowd: Vec<u32> = (0..30).map(|other| other * 3).chain([42]).collect();
    let after_others = visits(&mut devices(3, 2, quiet_models()), &crowd);
    let offset = alone.len();
    assert_eq!(alone, after_others[after_others.len() - offset..]);
}

#[test]
fn a_printer_jam_faults_the_form_until_an_officer_clears_it() {
    let mut models = quiet_models();
    models.printer.faults = FaultModel {
        jam_probability: 1.0,
        clearing_time: FullDeviceModels::default().printer.faults.clearing_time,
        ..FaultModel::none()
    };
    let mut devices = devices(1, 0, models);
    let print = RegistrationKioskDevice::PrintForm {
        application: ApplicationId(9),
    };
    let jammed = |this_operation| {
        RegistrationKioskOutcome::FormPrinted(Handling::Fault(DeviceFault::Jammed {
            this_operation,
        }))
    };
    let first = kiosk(&mut devices, 0, &subject(1, 0), print);
    assert_eq!(first.outcome, jammed(true));
    assert!(first.after > SimDuration::ZERO);
    assert_eq!(
        kiosk(&mut devices, 0, &subject(2, 0), print).outcome,
        jammed(false)
    );
    let fault = DeviceFault::Jammed {
        this_operation: true,
    };
    let station = Station::RegistrationKiosk(0);
    let repair = devices.repair(now(), station, DeviceKind::Printer, fault);
    assert!(repair > SimDuration::ZERO);
    assert_ne!(
        repair, OFFICER_REPAIR,
        "the printer prices clearing its jam"
    );
    // Cleared: the next form is printed (and jams the printer again).
    assert_eq!(
        kiosk(&mut devices, 0, &subject(3, 0), print).outcome,
        jammed(true)
    );
}

#[test]
fn a_printer_out_of_paper_prints_again_once_loaded() {
    let mut models = quiet_models();
    models.printer.paper_capacity_pages = 1;
    let mut devices = devices(1, 0, models);
    let print = RegistrationKioskDevice::PrintForm {
        application: ApplicationId(9),
    };
    let printed = RegistrationKioskOutcome::FormPrinted(Handling::Done);
    assert_eq!(
        kiosk(&mut devices, 0, &subject(1, 0), print).outcome,
        printed
    );
    let empty = RegistrationKioskOutcome::FormPrinted(Handling::Fault(DeviceFault::OutOfPaper));
    assert_eq!(kiosk(&mut devices, 0, &subject(2, 0), print).outcome, empty);
    let station = Station::RegistrationKiosk(0);
    let loading = devices.repair(now(), station, DeviceKind::Printer, DeviceFault::OutOfPaper);
    assert!(loading > SimDuration::ZERO && loading != OFFICER_REPAIR);
    assert_eq!(
        kiosk(&mut devices, 0, &subject(3, 0), print).outcome,
        printed
    );
}

#[test]
fn the_scanner_reads_the_eform_and_nothing_from_a_resident_without_one() {
    let mut devices = devices(1, 0, quiet_models());
    let mut decoded = 0;
    for resident in 0..200 {
        let with_eform = subject(resident, 3);
        let scan = kiosk(
            &mut devices,
            0,
            &with_eform,
            RegistrationKioskDevice::ScanEFormQr,
        );
        match scan.outcome {
            RegistrationKioskOutcome::QrScanned(QrScan::Decoded(bytes)) => {
                if EFormQr::decode(&bytes) == Ok(with_eform.eform.expect("an e-form")) {
                    decoded += 1;
                }
            }
            RegistrationKioskOutcome::QrScanned(QrScan::NoRead) => {}
            other => panic!("a scan answered {other:?}"),
        }
        let without = Subject {
            eform: None,
            ..with_eform
        };
        let nothing = kiosk(
            &mut devices,
            0,
            &without,
            RegistrationKioskDevice::ScanEFormQr,
        );
        assert_eq!(
            nothing.outcome,
            RegistrationKioskOutcome::QrScanned(QrScan::NoRead)
        );
        assert!(nothing.after >= SimDuration::from_secs(8), "{nothing:?}");
    }
    // No read 3-5% of the time.
    assert!((180..200).contains(&decoded), "{decoded} of 200");
}

#[test]
fn the_camera_takes_as_many_photos_as_the_counter_asks_for() {
    let mut models = quiet_models();
    models.camera.retake_probability.typical = 1.0;
    let mut devices = devices(0, 1, models);
    for attempt in 1..=9 {
        let request = PhotoCounterDevice::TakePhoto { attempt };
        let answer = devices.photo_counter(now(), 0, &subject(5, u32::from(attempt)), request);
        let PhotoCounterOutcome::PhotoTaken(PhotoCapture::Taken { acceptable, .. }) =
            answer.outcome
        else {
            panic!("a photo answered {answer:?}");
        };
        assert!(!acceptable);
        assert!(answer.after >= SimDuration::from_secs(30), "{answer:?}");
    }
}

#[test]
fn officers_do_the_manual_steps_and_the_repairs_no_emulator_prices() {
    let mut devices = devices(1, 1, quiet_models());
    let answer = devices.photo_counter(now(), 0, &subject(1, 0), PhotoCounterDevice::EnterForm);
    assert_eq!(answer.after, SimDuration::from_secs(123));
    let tablet = devices.repair(
        now(),
        Station::PhotoCounter(0),
        DeviceKind::Tablet,
        DeviceFault::Offline,
    );
    assert_eq!(tablet, OFFICER_REPAIR);
    // The scanner is not jammed: nothing for the emulator to clear.
    let fault = DeviceFault::Jammed {
        this_operation: false,
    };
    let scanner = devices.repair(
        now(),
        Station::RegistrationKiosk(0),
        DeviceKind::Scanner,
        fault,
    );
    assert_eq!(scanner, OFFICER_REPAIR);
}

#[test]
fn bad_models_are_refused_naming_the_field() {
    let mut models = FullDeviceModels::default();
    models.old_cards.mute_probability = 2.0;
    let error = FullDevices::with_models(
        SEED,
        stations(1, 1, 1),
        applicants(),
        Box::new(Officers),
        models,
    )
    .expect_err("a probability of 2");
    assert!(matches!(error, FullDevicesError::Parameter(_)));
    assert_eq!(
        error.to_string(),
        "devices.old_cards.mute_probability is 2, expected a probability from 0 to 1"
    );
    let mut models = FullDeviceModels::default();
    models.printer.faults.jam_probability = -1.0;
    let error = FullDevices::with_models(
        SEED,
        stations(1, 1, 1),
        applicants(),
        Box::new(Officers),
        models,
    )
    .expect_err("a negative probability");
    assert!(
        error
            .to_string()
            .starts_with("devices.printer.faults.jam_probability"),
        "{error}"
    );
}
