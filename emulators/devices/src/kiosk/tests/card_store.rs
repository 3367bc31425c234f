//! The card store: what is loaded is found, what is not is not, capacity, slots, jams.

use super::device::quiet_faults;
use super::{assert_mean, opening, seconds, uniform};
use crate::kiosk::*;
use hkic_base::{DurationDist, SimDuration, Stream, seed_stream};

fn store(slot_count: u16) -> CardStore {
    let model = CardStoreModel {
        slot_count,
        staff_handling_time: uniform(3, 6),
        mechanism_time: uniform(10, 20),
        not_found_time: DurationDist::constant(seconds(1)),
        faults: quiet_faults(),
    };
    CardStore::new(model).unwrap()
}

fn retrieve(store: &mut CardStore, card: u64, stream: &mut Stream) -> Retrieval {
    store
        .retrieve(opening(), CardId(card), stream)
        .result
        .unwrap()
}

#[test]
fn finds_the_cards_that_were_loaded_and_not_the_others() {
    let mut store = store(100);
    let mut stream = seed_stream(51);
    for card in (1_000..1_100).step_by(2) {
        store.load(CardId(card), &mut stream).unwrap();
    }
    assert_eq!(store.card_count(), 50);
    for card in 1_000..1_100 {
        let slot = store.slot_of(CardId(card));
        let retrieval = retrieve(&mut store, card, &mut stream);
        if card % 2 == 0 {
            let slot = slot.expect("loaded");
            assert_eq!(retrieval, Retrieval::Retrieved { slot }, "card {card}");
            assert_eq!(
                store.slot_of(CardId(card)),
                None,
                "card {card} left its slot"
            );
        } else {
            assert_eq!(retrieval, Retrieval::NotInStore, "card {card}");
        }
    }
    assert_eq!(store.card_count(), 0);
    assert_eq!(
        retrieve(&mut store, 1_000, &mut stream),
        Retrieval::NotInStore,
        "collected"
    );
}

#[test]
fn refuses_a_card_beyond_its_slots_and_a_card_it_holds() {
    let mut store = store(3);
    let mut stream = seed_stream(52);
    for card in 0..3 {
        let change = store.load(CardId(card), &mut stream).unwrap();
        assert_eq!(change.slot, SlotNumber(card as u16));
        assert!((seconds(3)..=seconds(6)).contains(&change.duration));
    }
    let full = store.load(CardId(9), &mut stream);
    assert_eq!(full, Err(LoadError::StoreFull { slot_count: 3 }));
    let duplicate = store.return_card(opening(), CardId(1), &mut stream);
    let already = LoadError::AlreadyInStore {
        card: CardId(1),
        slot: SlotNumber(1),
    };
    assert_eq!(duplicate, Err(already));
    assert_eq!(store.card_count(), 3);
    assert_eq!(store.free_slot_count(), 0);
}

#[test]
fn a_freed_slot_is_reused_and_cards_go_back_in() {
    let mut store = store(4);
    let mut stream = seed_stream(53);
    for card in 10..14 {
        store.load(CardId(card), &mut stream).unwrap();
    }
    let taken = retrieve(&mut store, 11, &mut stream);
    assert_eq!(
        taken,
        Retrieval::Retrieved {
            slot: SlotNumber(1)
        }
    );
    let unloaded = store.unload(CardId(13), &mut stream).unwrap();
    assert_eq!(unloaded.slot, SlotNumber(3));
    assert_eq!(store.unload(CardId(13), &mut stream), None);
    let back = store
        .return_card(opening(), CardId(11), &mut stream)
        .unwrap();
    assert_eq!(back.result, Ok(SlotNumber(1)), "the lowest free slot");
    assert_eq!(
        store.load(CardId(20), &mut stream).unwrap().slot,
        SlotNumber(3)
    );
    let inventory: Vec<(SlotNumber, CardId)> = store.cards().collect();
    let expected = [(0, 10), (1, 11), (2, 12), (3, 20)].map(|(s, c)| (SlotNumber(s), CardId(c)));
    assert_eq!(inventory, expected);
    assert_eq!(store.card_in(SlotNumber(2)), Some(CardId(12)));
    assert_eq!(store.card_in(SlotNumber(40)), None);
}

#[test]
fn a_jam_while_retrieving_leaves_the_card_in_its_slot() {
    let mut store = store(10);
    let mut stream = seed_stream(54);
    store.load(CardId(7), &mut stream).unwrap();
    let mut faults = quiet_faults();
    faults.jam_probability = 1.0;
    store.faults_mut().set_model(faults).unwrap();
    let jammed = store.retrieve(opening(), CardId(7), &mut stream);
    assert_eq!(
        jammed.fault(),
        Some(DeviceFault::Jammed {
            this_operation: true
        })
    );
    assert_eq!(store.slot_of(CardId(7)), Some(SlotNumber(0)));
    store.faults_mut().set_model(quiet_faults()).unwrap();
    store.faults_mut().clear_jam(&mut stream).unwrap();
    let retrieval = retrieve(&mut store, 7, &mut stream);
    assert_eq!(
        retrieval,
        Retrieval::Retrieved {
            slot: SlotNumber(0)
        }
    );
}

#[test]
fn a_jam_while_putting_a_card_back_leaves_it_outside() {
    let mut store = store(10);
    let mut stream = seed_stream(55);
    store.faults_mut().inject_jam();
    let operation = store
        .return_card(opening(), CardId(3), &mut stream)
        .unwrap();
    assert_eq!(
        operation.fault(),
        Some(DeviceFault::Jammed {
            this_operation: false
        })
    );
    assert_eq!(store.slot_of(CardId(3)), None);
    assert_eq!(store.card_count(), 0);
}

#[test]
fn retrieval_and_lookup_times_follow_the_model() {
    let mut store = store(1_000);
    let mut stream = seed_stream(56);
    let (mut found, mut missing) = (Vec::new(), Vec::new());
    for round in 0..100u64 {
        for card in 0..1_000 {
            store
                .load(CardId(round * 1_000 + card), &mut stream)
                .unwrap();
        }
        for card in 0..1_000 {
            let operation = store.retrieve(opening(), CardId(round * 1_000 + card), &mut stream);
            found.push(operation.duration);
            let absent = store.retrieve(opening(), CardId(u64::MAX - card), &mut stream);
            assert_eq!(absent.result, Ok(Retrieval::NotInStore));
            missing.push(absent.duration);
        }
    }
    assert_mean("retrieval", &found, SimDuration::from_secs(15));
    assert_mean("not found", &missing, seconds(1));
}
