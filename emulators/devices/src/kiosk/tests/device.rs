//! Every kiosk device behind one face, so the failure-mode tests run on all five.

use crate::kiosk::*;
use hkic_base::{DurationDist, SimDuration, SimTime, Stream};

/// Each device with what it needs to repeat its main operation.
#[derive(Debug)]
pub(super) enum AnyDevice {
    Scanner(Scanner),
    Camera(Camera, PhotoSession),
    Printer(Printer),
    CardStore(CardStore),
    Dispenser(Dispenser),
}

pub(super) const DEVICE_KINDS: [&str; 5] =
    ["scanner", "camera", "printer", "card store", "dispenser"];

/// Card store harness: the one card it keeps retrieving and reloading.
const HARNESS_CARD: CardId = CardId(42);

impl AnyDevice {
    /// A device of `kind` with its default service model and `faults`; the camera never asks
    /// for a retake and the printer holds a lot of paper, so only faults stop an operation.
    pub(super) fn build(kind: &str, faults: FaultModel) -> AnyDevice {
        match kind {
            "scanner" => AnyDevice::Scanner(
                Scanner::new(ScannerModel {
                    faults,
                    ..ScannerModel::default()
                })
                .unwrap(),
            ),
            "camera" => {
                let mut model = CameraModel {
                    faults,
                    ..CameraModel::default()
                };
                model.retake_probability = RetakeProbabilities {
                    typical: 0.0,
                    aged_65_or_over: 0.0,
                    needs_assistance: 0.0,
                };
                let session = PhotoSession::new(SubjectGroup::Typical);
                AnyDevice::Camera(Camera::new(model).unwrap(), session)
            }
            "printer" => {
                let model = PrinterModel {
                    paper_capacity_pages: 10_000,
                    faults,
                    ..PrinterModel::default()
                };
                AnyDevice::Printer(Printer::new(model).unwrap())
            }
            "card store" => {
                let model = CardStoreModel {
                    faults,
                    ..CardStoreModel::default()
                };
                let mut store = CardStore::new(model).unwrap();
                store
                    .load(HARNESS_CARD, &mut hkic_base::seed_stream(0))
                    .unwrap();
                AnyDevice::CardStore(store)
            }
            "dispenser" => AnyDevice::Dispenser(
                Dispenser::new(DispenserModel {
                    faults,
                    ..DispenserModel::default()
                })
                .unwrap(),
            ),
            other => panic!("no device kind {other:?}"),
        }
    }

    /// The device's main operation at `now`: the fault (if any) and the duration.
    pub(super) fn operate(
        &mut self,
        now: SimTime,
        stream: &mut Stream,
    ) -> (Option<DeviceFault>, SimDuration) {
        match self {
            AnyDevice::Scanner(scanner) => {
                summary(scanner.scan(now, ScanSource::QrOnPhone, b"E-FORM 1234567", stream))
            }
            AnyDevice::Camera(camera, session) => {
                if session.is_accepted() {
                    *session = PhotoSession::new(SubjectGroup::Typical);
                }
                summary(camera.take_photo(now, session, stream).unwrap())
            }
            AnyDevice::Printer(printer) => summary(printer.print(now, stream)),
            AnyDevice::CardStore(store) => {
                let operation = store.retrieve(now, HARNESS_CARD, stream);
                if operation.result
                    == Ok(Retrieval::Retrieved {
                        slot: SlotNumber(0),
                    })
                {
                    store.load(HARNESS_CARD, stream).unwrap();
                } else {
                    assert!(operation.result.is_err(), "{operation:?}");
                }
                summary(operation)
            }
            AnyDevice::Dispenser(dispenser) => summary(dispenser.dispense(now, stream)),
        }
    }

    pub(super) fn faults_mut(&mut self) -> &mut DeviceFaults {
        match self {
            AnyDevice::Scanner(scanner) => scanner.faults_mut(),
            AnyDevice::Camera(camera, _) => camera.faults_mut(),
            AnyDevice::Printer(printer) => printer.faults_mut(),
            AnyDevice::CardStore(store) => store.faults_mut(),
            AnyDevice::Dispenser(dispenser) => dispenser.faults_mut(),
        }
    }
}

fn summary<T>(operation: Operation<T>) -> (Option<DeviceFault>, SimDuration) {
    (operation.fault(), operation.duration)
}

/// Faults that never happen on their own, with a recognisable detection time and clearing
/// time, to which a test adds the one it measures.
pub(super) fn quiet_faults() -> FaultModel {
    FaultModel {
        clearing_time: DurationDist::constant(SimDuration::from_secs(240)),
        offline_duration: DurationDist::constant(SimDuration::from_secs(600)),
        fault_detection_time: SimDuration::from_millis(1_500),
        ..FaultModel::none()
    }
}
