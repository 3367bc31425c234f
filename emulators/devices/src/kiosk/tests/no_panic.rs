//! Arbitrary parameters, times, payloads and call orders never make a device panic, and the
//! card store's inventory stays consistent through them.

use crate::kiosk::*;
use hkic_base::{DurationDist, EmpiricalEntry, SimDuration, SimTime, seed_stream};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// Any distribution, including hand-built ones that break the constructors' rules.
fn any_distribution() -> impl Strategy<Value = DurationDist> {
    let nanos = any::<u64>().prop_map(SimDuration::from_nanos);
    prop_oneof![
        nanos.clone().prop_map(DurationDist::Constant),
        (nanos.clone(), nanos.clone()).prop_map(|(min, max)| DurationDist::Uniform { min, max }),
        nanos.clone().prop_map(
            |mean| DurationDist::exponential(mean).unwrap_or(DurationDist::Constant(mean))
        ),
        (nanos.clone(), proptest::num::f64::ANY).prop_map(|(median, sigma)| {
            DurationDist::lognormal(median, sigma).unwrap_or(DurationDist::Constant(median))
        }),
        (
            proptest::collection::vec((nanos, proptest::num::f64::ANY), 0..4),
            proptest::collection::vec(proptest::num::f64::ANY, 0..4)
        )
            .prop_map(|(entries, cumulative)| DurationDist::Empirical {
                entries: entries
                    .into_iter()
                    .map(|(value, weight)| EmpiricalEntry { value, weight })
                    .collect(),
                cumulative,
            }),
        Just(DurationDist::Constant(SimDuration::from_secs(3))),
    ]
}

/// A probability that is usually usable and sometimes anything at all.
fn any_probability() -> impl Strategy<Value = f64> {
    prop_oneof![3 => 0.0..=1.0, 1 => proptest::num::f64::ANY]
}

fn any_faults() -> impl Strategy<Value = FaultModel> {
    let probabilities = (any_probability(), any_probability(), any_probability());
    let rates = (
        prop_oneof![0.0..=60.0, proptest::num::f64::ANY],
        prop_oneof![1.0..=100.0, proptest::num::f64::ANY],
    );
    let times = (
        any_distribution(),
        any_distribution(),
        any::<u64>(),
        any::<u64>(),
    );
    (probabilities, rates, times).prop_map(|((jam, offline, slow), (rate, factor), times)| {
        let (clearing_time, offline_duration, extra, detection) = times;
        FaultModel {
            jam_probability: jam,
            clearing_time,
            offline_probability: offline,
            offline_rate_per_hour: rate,
            offline_duration,
            slow_probability: slow,
            slow_factor: factor,
            slow_extra: SimDuration::from_nanos(extra),
            fault_detection_time: SimDuration::from_nanos(detection),
        }
    })
}

/// One thing done to the devices of a collection kiosk and a registration kiosk.
#[derive(Debug, Clone)]
enum Action {
    Scan(u8, Vec<u8>),
    Photo(u8),
    Print,
    LoadPaper,
    Load(u8),
    Unload(u8),
    Retrieve(u8),
    Return(u8),
    Dispense,
    ClearJams,
    InjectJam(u8),
    InjectOffline(u8, u64),
    SetFaults(u8, FaultModel),
}

fn any_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(s, p)| Action::Scan(s, p)),
        any::<u8>().prop_map(Action::Photo),
        Just(Action::Print),
        Just(Action::LoadPaper),
        any::<u8>().prop_map(Action::Load),
        any::<u8>().prop_map(Action::Unload),
        any::<u8>().prop_map(Action::Retrieve),
        any::<u8>().prop_map(Action::Return),
        Just(Action::Dispense),
        Just(Action::ClearJams),
        any::<u8>().prop_map(Action::InjectJam),
        (any::<u8>(), any::<u64>()).prop_map(|(d, t)| Action::InjectOffline(d, t)),
        (any::<u8>(), any_faults()).prop_map(|(d, f)| Action::SetFaults(d, f)),
    ]
}

/// The five devices, one each.
struct Devices {
    scanner: Scanner,
    camera: Camera,
    printer: Printer,
    store: CardStore,
    dispenser: Dispenser,
    session: PhotoSession,
}

impl Devices {
    fn faults_mut(&mut self, device: u8) -> &mut DeviceFaults {
        match device % 5 {
            0 => self.scanner.faults_mut(),
            1 => self.camera.faults_mut(),
            2 => self.printer.faults_mut(),
            3 => self.store.faults_mut(),
            _ => self.dispenser.faults_mut(),
        }
    }
}

fn build(faults: &[FaultModel; 5], slot_count: u16, pages: (u32, u32)) -> Option<Devices> {
    let scanner = Scanner::new(ScannerModel {
        faults: faults[0].clone(),
        ..Default::default()
    });
    let camera = Camera::new(CameraModel {
        faults: faults[1].clone(),
        ..Default::default()
    });
    let printer = Printer::new(PrinterModel {
        paper_capacity_pages: pages.0,
        pages_per_document: pages.1,
        faults: faults[2].clone(),
        ..Default::default()
    });
    let store = CardStore::new(CardStoreModel {
        slot_count,
        faults: faults[3].clone(),
        ..Default::default()
    });
    let dispenser = Dispenser::new(DispenserModel {
        faults: faults[4].clone(),
        ..Default::default()
    });
    Some(Devices {
        scanner: scanner.ok()?,
        camera: camera.ok()?,
        printer: printer.ok()?,
        store: store.ok()?,
        dispenser: dispenser.ok()?,
        session: PhotoSession::new(SubjectGroup::Typical),
    })
}

const GROUPS: [SubjectGroup; 3] = [
    SubjectGroup::Typical,
    SubjectGroup::Aged65OrOver,
    SubjectGroup::NeedsAssistance,
];
const SOURCES: [ScanSource; 3] = [
    ScanSource::QrOnPhone,
    ScanSource::QrOnPaper,
    ScanSource::Document,
];

/// Does `action` at `now`, keeping `inventory` as the cards that must be in the store.
fn apply(
    devices: &mut Devices,
    action: Action,
    now: SimTime,
    inventory: &mut BTreeSet<CardId>,
    seed: u64,
) {
    let stream = &mut seed_stream(seed);
    match action {
        Action::Scan(source, payload) => {
            devices
                .scanner
                .scan(now, SOURCES[usize::from(source) % 3], &payload, stream);
        }
        Action::Photo(group) => {
            if devices.camera.attempts_left(&devices.session) == 0 {
                devices.session = PhotoSession::new(GROUPS[usize::from(group) % 3]);
            }
            devices
                .camera
                .take_photo(now, &mut devices.session, stream)
                .unwrap();
        }
        Action::Print => drop(devices.printer.print(now, stream)),
        Action::LoadPaper => drop(devices.printer.load_paper(stream)),
        Action::Load(card) => {
            if devices.store.load(CardId(card.into()), stream).is_ok() {
                inventory.insert(CardId(card.into()));
            }
        }
        Action::Unload(card) => {
            if devices.store.unload(CardId(card.into()), stream).is_some() {
                assert!(inventory.remove(&CardId(card.into())));
            }
        }
        Action::Retrieve(card) => {
            let operation = devices.store.retrieve(now, CardId(card.into()), stream);
            if let Ok(Retrieval::Retrieved { .. }) = operation.result {
                assert!(inventory.remove(&CardId(card.into())));
            }
        }
        Action::Return(card) => {
            if let Ok(Operation { result: Ok(_), .. }) =
                devices.store.return_card(now, CardId(card.into()), stream)
            {
                inventory.insert(CardId(card.into()));
            }
        }
        Action::Dispense => drop(devices.dispenser.dispense(now, stream)),
        Action::ClearJams => {
            for device in 0..5 {
                devices.faults_mut(device).clear_jam(stream);
            }
        }
        Action::InjectJam(device) => devices.faults_mut(device).inject_jam(),
        Action::InjectOffline(device, until) => {
            devices
                .faults_mut(device)
                .inject_offline(SimTime::from_nanos(until));
        }
        Action::SetFaults(device, faults) => drop(devices.faults_mut(device).set_model(faults)),
    }
}

proptest! {
    #[test]
    fn no_parameters_times_or_calls_make_a_device_panic(
        faults in proptest::array::uniform5(any_faults()),
        slot_count in 0u16..40,
        pages in (0u32..30, 0u32..5),
        actions in proptest::collection::vec((any_action(), any::<u64>()), 0..80),
    ) {
        let Some(mut devices) = build(&faults, slot_count, pages) else {
            return Ok(());
        };
        let mut inventory = BTreeSet::new();
        for (index, (action, nanos)) in actions.into_iter().enumerate() {
            apply(&mut devices, action, SimTime::from_nanos(nanos), &mut inventory, index as u64);
            let store = &devices.store;
            prop_assert!(store.card_count() <= usize::from(store.slot_count()));
            let slots = usize::from(store.slot_count());
            prop_assert_eq!(store.card_count() + store.free_slot_count(), slots);
            let held: BTreeSet<CardId> = store.cards().map(|(_, card)| card).collect();
            prop_assert_eq!(&held, &inventory);
            for (slot, card) in store.cards() {
                prop_assert_eq!(store.slot_of(card), Some(slot));
            }
        }
    }
}
