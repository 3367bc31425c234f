//! The card store of a Self-service Collection Kiosk: produced cards waiting for their
//! holders in numbered slots, loaded by staff, taken out by the kiosk's mechanism when the
//! holder scans the acknowledgement QR code (domain.md section 2, SYSTEM.md "Collection").
//!
//! Inputs: staff loading and unloading cards, the kiosk asking for a card by id or putting
//! one back (the holder's fingerprint did not match, the read failed), the time and a stream.
//! Outputs: the slot a card went to or came from, [`Retrieval::NotInStore`] for a card that
//! is not there, faults (a mechanism jam, offline), and durations. Persists which card is in
//! which slot, and its fault state.
//!
//! The store keeps card ids only; the simulator keeps the cards (their chips) and moves them
//! as the outcomes say. A jam while retrieving leaves the card in its slot; a jam while
//! putting a card back leaves it outside the store, in the mechanism, for the officer.
//!
//! Invariants: each card is in at most one slot; the number of cards never exceeds the
//! slots; loading takes the lowest free slot.
//!
//! Defaults (assumptions; no collection kiosk figures were published):
//! - 500 slots: a centre has about 4 collection kiosks (domain.md section 2: up to 14 kiosks,
//!   about 10 for registration) and about 855 cards a day to hand out (section 1), so about
//!   210 a kiosk a day; 500 slots hold two days' cards.
//! - Staff load a card in 3-6 s (scan its number, place it in a slot); unloading takes the same.
//! - The mechanism brings a card to the reader in 10-20 s and puts one back in as long;
//!   finding that a card is not in the store takes 1 s (an inventory lookup, no movement).
//! - The mechanism jams once in 5,000 movements; an officer clears it in 5-15 minutes (open
//!   the store, free the card, re-check the slots). Offline and slow as
//!   [`FaultModel::occasional`].

use super::fault::{DeviceFaults, FaultModel, clearing_seconds};
use super::operation::Operation;
use super::parameter::{
    OPERATION_MEAN_MAX, ParameterError, check_distribution, out_of_range, uniform_seconds,
};
use hkic_base::{DurationDist, SimDuration, SimTime, Stream};
use std::collections::{BTreeMap, BTreeSet};

/// The most slots a store may have.
pub const SLOT_COUNT_MAX: u16 = 10_000;

/// A produced card, as the store knows it (the simulator maps it to the card itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CardId(pub u64);

/// A slot of the store, numbered from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlotNumber(pub u16);

/// Everything a card store does.
#[derive(Debug, Clone)]
pub struct CardStoreModel {
    pub slot_count: u16,
    /// Staff placing one card in a slot, or taking one out.
    pub staff_handling_time: DurationDist,
    /// The mechanism taking a card out of its slot, or putting one back.
    pub mechanism_time: DurationDist,
    /// Finding that a card is not in the store.
    pub not_found_time: DurationDist,
    pub faults: FaultModel,
}

impl Default for CardStoreModel {
    /// The defaults of the module documentation.
    fn default() -> CardStoreModel {
        CardStoreModel {
            slot_count: 500,
            staff_handling_time: uniform_seconds(3, 6),
            mechanism_time: uniform_seconds(10, 20),
            not_found_time: DurationDist::constant(SimDuration::from_secs(1)),
            faults: FaultModel::occasional(0.0002, clearing_seconds(300, 900)),
        }
    }
}

impl CardStoreModel {
    pub fn check(&self) -> Result<(), ParameterError> {
        if self.slot_count == 0 || self.slot_count > SLOT_COUNT_MAX {
            let expected = "from 1 to 10000 slots";
            return Err(out_of_range(
                "slot_count",
                f64::from(self.slot_count),
                expected,
            ));
        }
        let times = [
            ("staff_handling_time", &self.staff_handling_time),
            ("mechanism_time", &self.mechanism_time),
            ("not_found_time", &self.not_found_time),
        ];
        for (field, time) in times {
            check_distribution(field, time, OPERATION_MEAN_MAX)?;
        }
        self.faults.check().map_err(|error| error.within("faults"))
    }
}

/// Where a card went or came from, and how long it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotChange {
    pub slot: SlotNumber,
    pub duration: SimDuration,
}

/// What the kiosk's request for a card gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retrieval {
    /// The card is out of its slot, at the kiosk's reader.
    Retrieved { slot: SlotNumber },
    /// No such card in this store (not loaded yet, at another kiosk, already collected).
    NotInStore,
}

/// Why a card cannot go into the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("all {slot_count} slots are taken")]
    StoreFull { slot_count: u16 },
    #[error("card {card:?} is already in slot {slot:?}")]
    AlreadyInStore { card: CardId, slot: SlotNumber },
}

/// A card store built from a checked [`CardStoreModel`], empty.
#[derive(Debug, Clone)]
pub struct CardStore {
    slots: Vec<Option<CardId>>,
    index: BTreeMap<CardId, SlotNumber>,
    free: BTreeSet<SlotNumber>,
    staff_handling_time: DurationDist,
    mechanism_time: DurationDist,
    not_found_time: DurationDist,
    faults: DeviceFaults,
}

impl CardStore {
    pub fn new(model: CardStoreModel) -> Result<CardStore, ParameterError> {
        model.check()?;
        Ok(CardStore {
            slots: vec![None; usize::from(model.slot_count)],
            index: BTreeMap::new(),
            free: (0..model.slot_count).map(SlotNumber).collect(),
            staff_handling_time: model.staff_handling_time,
            mechanism_time: model.mechanism_time,
            not_found_time: model.not_found_time,
            faults: DeviceFaults::new(model.faults)?,
        })
    }

    pub fn slot_count(&self) -> u16 {
        self.slots.len() as u16
    }

    pub fn card_count(&self) -> usize {
        self.index.len()
    }

    pub fn free_slot_count(&self) -> usize {
        self.free.len()
    }

    pub fn slot_of(&self, card: CardId) -> Option<SlotNumber> {
        self.index.get(&card).copied()
    }

    pub fn card_in(&self, slot: SlotNumber) -> Option<CardId> {
        self.slots.get(usize::from(slot.0)).copied().flatten()
    }

    /// The cards in the store, by slot.
    pub fn cards(&self) -> impl Iterator<Item = (SlotNumber, CardId)> + '_ {
        let numbered = self.slots.iter().enumerate();
        numbered.filter_map(|(slot, card)| card.map(|card| (SlotNumber(slot as u16), card)))
    }

    pub fn faults(&self) -> &DeviceFaults {
        &self.faults
    }

    pub fn faults_mut(&mut self) -> &mut DeviceFaults {
        &mut self.faults
    }

    /// Staff place `card` in the lowest free slot (by hand: no fault applies).
    pub fn load(&mut self, card: CardId, stream: &mut Stream) -> Result<SlotChange, LoadError> {
        let slot = self.place(card)?;
        let duration = self.staff_handling_time.sample(stream);
        Ok(SlotChange { slot, duration })
    }

    /// Staff take `card` out (to hand it over at a counter, say): `None` if it is not here.
    pub fn unload(&mut self, card: CardId, stream: &mut Stream) -> Option<SlotChange> {
        let slot = self.remove(card)?;
        let duration = self.staff_handling_time.sample(stream);
        Some(SlotChange { slot, duration })
    }

    /// The kiosk asks for `card` at `now`.
    pub fn retrieve(
        &mut self,
        now: SimTime,
        card: CardId,
        stream: &mut Stream,
    ) -> Operation<Retrieval> {
        let started = match self.faults.start(now, stream) {
            Ok(started) => started,
            Err(fault) => return self.faults.refuse(fault),
        };
        let Some(slot) = self.slot_of(card) else {
            let duration = started.scale(self.not_found_time.sample(stream));
            return Operation::succeeded(Retrieval::NotInStore, duration);
        };
        let duration = started.scale(self.mechanism_time.sample(stream));
        let operation = self
            .faults
            .finish(Retrieval::Retrieved { slot }, duration, stream);
        if operation.result.is_ok() {
            self.remove(card);
        }
        operation
    }

    /// The kiosk puts `card` back (into the lowest free slot) at `now`. A full store or a
    /// card already here is the caller's mistake and gets a [`LoadError`].
    pub fn return_card(
        &mut self,
        now: SimTime,
        card: CardId,
        stream: &mut Stream,
    ) -> Result<Operation<SlotNumber>, LoadError> {
        self.check_room_for(card)?;
        let started = match self.faults.start(now, stream) {
            Ok(started) => started,
            Err(fault) => return Ok(self.faults.refuse(fault)),
        };
        let duration = started.scale(self.mechanism_time.sample(stream));
        let operation = self.faults.finish((), duration, stream);
        Ok(match operation.result {
            Ok(()) => Operation::succeeded(self.place(card)?, duration),
            Err(fault) => Operation::failed(fault, duration),
        })
    }

    fn check_room_for(&self, card: CardId) -> Result<(), LoadError> {
        if let Some(slot) = self.slot_of(card) {
            return Err(LoadError::AlreadyInStore { card, slot });
        }
        if self.free.is_empty() {
            let slot_count = self.slot_count();
            return Err(LoadError::StoreFull { slot_count });
        }
        Ok(())
    }

    fn place(&mut self, card: CardId) -> Result<SlotNumber, LoadError> {
        self.check_room_for(card)?;
        let slot = self.free.pop_first().expect("checked: a free slot exists");
        self.slots[usize::from(slot.0)] = Some(card);
        self.index.insert(card, slot);
        Ok(slot)
    }

    fn remove(&mut self, card: CardId) -> Option<SlotNumber> {
        let slot = self.index.remove(&card)?;
        self.slots[usize::from(slot.0)] = None;
        self.free.insert(slot);
        Some(slot)
    }
}
