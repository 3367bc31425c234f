//! Unusable parameters are refused with the field named; the defaults are usable.

use crate::kiosk::*;
use hkic_base::{DistError, DurationDist, EmpiricalEntry, SimDuration};

fn field_of<T: std::fmt::Debug>(result: Result<T, ParameterError>) -> String {
    match result {
        Ok(device) => panic!("accepted: {device:?}"),
        Err(error) => error.field,
    }
}

fn scanner_with(change: impl FnOnce(&mut ScannerModel)) -> String {
    let mut model = ScannerModel::default();
    change(&mut model);
    field_of(Scanner::new(model))
}

fn camera_with(change: impl FnOnce(&mut CameraModel)) -> String {
    let mut model = CameraModel::default();
    change(&mut model);
    field_of(Camera::new(model))
}

fn printer_with(change: impl FnOnce(&mut PrinterModel)) -> String {
    let mut model = PrinterModel::default();
    change(&mut model);
    field_of(Printer::new(model))
}

fn store_with(change: impl FnOnce(&mut CardStoreModel)) -> String {
    let mut model = CardStoreModel::default();
    change(&mut model);
    field_of(CardStore::new(model))
}

fn dispenser_with(change: impl FnOnce(&mut DispenserModel)) -> String {
    let mut model = DispenserModel::default();
    change(&mut model);
    field_of(Dispenser::new(model))
}

#[test]
fn the_defaults_are_usable() {
    Scanner::new(ScannerModel::default()).unwrap();
    Camera::new(CameraModel::photo_counter()).unwrap();
    Camera::new(CameraModel::self_service_kiosk()).unwrap();
    Printer::new(PrinterModel::registration_form()).unwrap();
    Printer::new(PrinterModel::queue_ticket()).unwrap();
    CardStore::new(CardStoreModel::default()).unwrap();
    Dispenser::new(DispenserModel::default()).unwrap();
    DeviceFaults::new(FaultModel::none()).unwrap();
}

#[test]
fn bad_scanner_and_camera_parameters_are_refused_with_their_field() {
    let minute = SimDuration::from_minutes(1);
    let inverted = DurationDist::Uniform {
        min: minute * 2,
        max: minute,
    };
    let cases = [
        (
            scanner_with(|m| m.qr_on_phone.no_read_probability = 1.5),
            "qr_on_phone.no_read_probability",
        ),
        (
            scanner_with(|m| m.document.misread_probability = f64::NAN),
            "document.misread_probability",
        ),
        (
            scanner_with(|m| m.qr_on_paper.misread_probability = 0.98),
            "qr_on_paper.misread_probability",
        ),
        (
            scanner_with(|m| m.document.read_time = inverted.clone()),
            "document.read_time",
        ),
        (
            scanner_with(|m| m.faults.jam_probability = -0.1),
            "faults.jam_probability",
        ),
        (
            camera_with(|m| m.retake_probability.aged_65_or_over = 2.0),
            "retake_probability.aged_65_or_over",
        ),
        (
            camera_with(|m| m.retake_reasons.glasses_glare = -1.0),
            "retake_reasons.glasses_glare",
        ),
        (
            camera_with(|m| m.retake_reasons = zero_weights()),
            "retake_reasons.total",
        ),
        (camera_with(|m| m.attempts_max = 0), "attempts_max"),
        (
            camera_with(|m| m.faults.slow_factor = 0.5),
            "faults.slow_factor",
        ),
        (
            camera_with(|m| m.faults.offline_rate_per_hour = 61.0),
            "faults.offline_rate_per_hour",
        ),
    ];
    for (field, expected) in cases {
        assert_eq!(field, expected);
    }
}

#[test]
fn bad_printer_store_and_dispenser_parameters_are_refused_with_their_field() {
    let cases = [
        (
            printer_with(|m| m.paper_capacity_pages = 0),
            "paper_capacity_pages",
        ),
        (
            printer_with(|m| m.pages_per_document = 501),
            "pages_per_document",
        ),
        (
            printer_with(|m| m.pages_per_document = 0),
            "pages_per_document",
        ),
        (
            printer_with(|m| m.faults.offline_probability = f64::INFINITY),
            "faults.offline_probability",
        ),
        (store_with(|m| m.slot_count = 0), "slot_count"),
        (store_with(|m| m.slot_count = 10_001), "slot_count"),
        (
            store_with(|m| m.mechanism_time = DurationDist::constant(SimDuration::from_hours(2))),
            "mechanism_time",
        ),
        (
            store_with(|m| m.faults.fault_detection_time = SimDuration::from_hours(3)),
            "faults.fault_detection_time",
        ),
        (
            dispenser_with(|m| m.dispense_time = empty_empirical()),
            "dispense_time",
        ),
        (
            dispenser_with(|m| m.faults.slow_probability = 1.01),
            "faults.slow_probability",
        ),
        (
            dispenser_with(|m| {
                m.faults.offline_duration = DurationDist::constant(SimDuration::from_days(8))
            }),
            "faults.offline_duration",
        ),
    ];
    for (field, expected) in cases {
        assert_eq!(field, expected);
    }
}

fn zero_weights() -> RetakeReasonWeights {
    RetakeReasonWeights {
        eyes_closed: 0.0,
        head_pose: 0.0,
        lighting: 0.0,
        glasses_glare: 0.0,
        expression: 0.0,
        motion_blur: 0.0,
        face_obscured: 0.0,
    }
}

/// An empirical distribution built by hand with nothing in it (the checked constructor
/// refuses it; the public variant does not).
fn empty_empirical() -> DurationDist {
    DurationDist::Empirical {
        entries: Vec::new(),
        cumulative: Vec::new(),
    }
}

#[test]
fn errors_say_the_value_and_what_was_expected() {
    let mut model = PrinterModel::default();
    model.faults.jam_probability = 1.5;
    let error = Printer::new(model).unwrap_err();
    assert_eq!(
        error.to_string(),
        "faults.jam_probability is 1.5, expected a probability from 0 to 1"
    );
    let model = DispenserModel {
        dispense_time: DurationDist::Uniform {
            min: SimDuration::from_secs(5),
            max: SimDuration::from_secs(3),
        },
        ..DispenserModel::default()
    };
    let error = Dispenser::new(model).unwrap_err();
    let problem = ParameterProblem::Distribution(DistError::MinAboveMax {
        min: SimDuration::from_secs(5),
        max: SimDuration::from_secs(3),
    });
    assert_eq!(error.problem, problem);
    assert_eq!(
        error.to_string(),
        "dispense_time is not a usable distribution: minimum 5s is greater than maximum 3s"
    );
    assert_eq!(
        error.within("collection_kiosk.dispenser").field,
        "collection_kiosk.dispenser.dispense_time"
    );
}

#[test]
fn a_hand_built_empirical_distribution_is_checked_like_a_constructed_one() {
    let entry = EmpiricalEntry {
        value: SimDuration::from_secs(4),
        weight: 1.0,
    };
    let good = DurationDist::empirical(vec![entry]).unwrap();
    let mut model = DispenserModel {
        dispense_time: good,
        ..DispenserModel::default()
    };
    assert!(Dispenser::new(model.clone()).is_ok());
    model.dispense_time = DurationDist::Empirical {
        entries: vec![entry],
        cumulative: vec![f64::NAN],
    };
    assert_eq!(field_of(Dispenser::new(model.clone())), "dispense_time");
    model.dispense_time = DurationDist::Empirical {
        entries: vec![entry, entry],
        cumulative: vec![1.0],
    };
    assert_eq!(field_of(Dispenser::new(model)), "dispense_time");
}

#[test]
fn a_refused_fault_model_leaves_the_old_one() {
    let mut dispenser = Dispenser::new(DispenserModel::default()).unwrap();
    let mut bad = FaultModel::none();
    bad.jam_probability = 7.0;
    let error = dispenser.faults_mut().set_model(bad).unwrap_err();
    assert_eq!(error.field, "faults.jam_probability");
    assert_eq!(dispenser.faults().model().jam_probability, 0.0002);
}
