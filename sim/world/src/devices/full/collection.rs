//! The collection kiosk's operations: scan the acknowledgement slip, take the card from the
//! store, read it, verify the live thumbs against its DG3, and put it back, retain it or
//! dispense it.
//!
//! - The slip is printed paper: the scanner emulator scans its QR code (no slip, no read).
//! - The card store and dispenser are the `hkic_devices::kiosk` emulators, with their
//!   faults. The store is kept simple: staff keep the card the registry has ready in the
//!   store of the kiosk its holder uses (out of any other kiosk's store, loaded here if it
//!   is not, the card in the lowest slot taken out when the store is full), by hand and
//!   before the holder asks, so no resident waits for it and it draws from the staff's own
//!   stream. Retaining a card is the store's mechanism moving it into the reject bin (the
//!   workflow puts that movement's faults on the store); the bin is not a slot.
//! - The card is made again exactly as the line made it ([`super::new_card`]) and read over
//!   the kiosk's link by the real reader procedure with PACE (the CAN on the card face),
//!   passive, chip and terminal authentication and DG3, in memory (`card_session`); the
//!   holder DG1 names is mapped to its resident. The re-made chip's own nonces repeat from
//!   one read of a card to the next (its stream restarts); the reader's come from the
//!   operation's stream.
//! - The thumbs are captured live and verified by the matcher against the DG3 templates of
//!   the session's read, the only card data a kiosk keeps (until the card leaves the
//!   reader).
//!
//! The card at a kiosk is the one the registry named for the slip the resident scanned:
//! their own.

use hkic_base::{SimTime, seed_stream};
use hkic_devices::kiosk::{self, Retrieval, ScanSource};
use hkic_services::messages::{CardId, ResidentId};
use hkic_terminals::card_read::CardReader;
use hkic_terminals::devices::{
    CardReading, CardTake, DeviceFault, Handling, QrScan, ReadVerdict, ThumbVerification,
};
use rand::RngExt;

use super::kiosk::{scan, unless_jammed};
use super::old_card::{self, References};
use super::stations::{CardAtReader, CollectionDevices, device_fault, handled};
use super::{FullDevices, station};
use crate::card_session::read_card;
use crate::devices::{Answer, Subject};

/// The store's name for a card.
fn in_store(card: CardId) -> kiosk::CardId {
    kiosk::CardId(card.0)
}

impl FullDevices {
    pub(super) fn scan_acknowledgement(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
    ) -> Answer<QrScan> {
        let mut operation = self.operation_stream(subject);
        let scanner = &mut station(&mut self.collection, kiosk).scanner;
        let payload = subject.acknowledgement.map(|slip| slip.encode_qr());
        let payload = payload.as_ref().map(|bytes| &bytes[..]);
        let model = &self.models.scanner;
        scan(
            scanner,
            model,
            now,
            ScanSource::QrOnPaper,
            payload,
            &mut operation,
        )
    }

    pub(super) fn take_card(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
        card: CardId,
    ) -> Answer<CardTake> {
        let mut operation = self.operation_stream(subject);
        self.stock(kiosk, card);
        let devices = station(&mut self.collection, kiosk);
        devices.card = None;
        let store = &mut devices.card_store;
        if let Some(refused) = store.refuse(now, CardTake::Fault) {
            return refused;
        }
        let retrieval = store.device.retrieve(now, in_store(card), &mut operation);
        let outcome = match retrieval.result {
            Ok(Retrieval::Retrieved { .. }) => CardTake::Taken,
            Ok(Retrieval::NotInStore) => CardTake::NotInStore,
            Err(fault) => CardTake::Fault(device_fault(fault)),
        };
        let after = retrieval.duration;
        Answer { after, outcome }
    }

    /// Staff keep `card` in `kiosk`'s store (see the module documentation).
    fn stock(&mut self, kiosk: u16, card: CardId) {
        let card = in_store(card);
        for (number, devices) in self.collection.iter_mut().enumerate() {
            if number != usize::from(kiosk) {
                devices.card_store.device.unload(card, &mut devices.staff);
            }
        }
        let devices = station(&mut self.collection, kiosk);
        if devices.card_store.device.slot_of(card).is_some() {
            return;
        }
        make_room(devices);
        let loaded = devices.card_store.device.load(card, &mut devices.staff);
        assert!(loaded.is_ok(), "a card not in a store with room loads");
    }

    pub(super) fn read_new_card(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
        card: CardId,
    ) -> Answer<CardReading> {
        let mut operation = self.operation_stream(subject);
        let resident = subject.resident;
        let born = self.applicants.of(resident).born;
        assert_eq!(born, subject.born, "the records and the resident agree");
        let devices = station(&mut self.collection, kiosk);
        devices.card = None;
        let reader = &mut devices.card_reader;
        if let Some(refused) = reader.refuse(now, CardReading::Fault) {
            return refused;
        }
        let mut made = self.make_card(card, resident);
        let config = self.trust.full_read(&made.holder.card_access_number, false);
        let procedure = CardReader::new(config, seed_stream(operation.random()));
        let link = &self.models.new_cards.kiosk_link;
        let session =
            read_card(procedure, &mut made.chip, link).expect("the reader procedure finishes");
        let after = session.duration;
        let devices = &mut self.collection[usize::from(kiosk)];
        if devices.card_reader.jams_now(&mut operation) {
            let fault = DeviceFault::Jammed {
                this_operation: true,
            };
            let outcome = CardReading::Fault(fault);
            return Answer { after, outcome };
        }
        let report = session.report;
        let holder = report.holder.as_ref().map(|holder| {
            let written = &made.files.personal_data;
            assert_eq!(&holder.personal_data, written, "DG1 reads as written");
            ResidentId(resident)
        });
        let dg3 = report
            .holder
            .as_ref()
            .and_then(|holder| holder.thumb_templates.as_ref());
        devices.card = dg3.map(|templates| CardAtReader {
            resident,
            card,
            references: old_card::decode_references(templates),
        });
        let outcome = CardReading::Read {
            verdict: ReadVerdict::from(&report.verdict),
            holder,
            dg3_read: dg3.is_some(),
        };
        Answer { after, outcome }
    }

    pub(super) fn verify_against_dg3(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
        card: CardId,
    ) -> Answer<ThumbVerification> {
        let mut operation = self.operation_stream(subject);
        let module = &mut station(&mut self.collection, kiosk).fingerprint_module;
        if let Some(refused) = module.refuse(now, ThumbVerification::Fault) {
            return refused;
        }
        let references = self.dg3(kiosk, subject.resident, card);
        let answer = self.verify_live(now, subject, &references, &mut operation);
        let module = &mut self.collection[usize::from(kiosk)].fingerprint_module;
        unless_jammed(module, answer, &mut operation)
    }

    /// The DG3 templates of the session's read; if the session read none of this card (a
    /// workflow never asks so), the card's DG3 as the line wrote it.
    fn dg3(&self, kiosk: u16, resident: u32, card: CardId) -> References {
        let session = self.collection[usize::from(kiosk)].card.as_ref();
        if let Some(read) = session.filter(|read| read.resident == resident && read.card == card) {
            return read.references.clone();
        }
        let made = self.make_card(card, resident);
        old_card::decode_references(&made.holder.thumb_templates)
    }

    /// Puts the card back in the store, or with `retain` into the reject bin.
    pub(super) fn put_card_back(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
        card: CardId,
        retain: bool,
    ) -> Answer<Handling> {
        let mut operation = self.operation_stream(subject);
        let devices = station(&mut self.collection, kiosk);
        devices.card = None;
        make_room(devices);
        let store = &mut devices.card_store;
        if let Some(refused) = store.refuse(now, Handling::Fault) {
            return refused;
        }
        let card = in_store(card);
        let returned = store.device.return_card(now, card, &mut operation);
        let returned = returned.expect("the card at the reader is in no slot, and there is room");
        if retain && returned.result.is_ok() {
            devices.card_store.device.unload(card, &mut devices.staff);
        }
        handled(returned)
    }

    pub(super) fn dispense_card(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
    ) -> Answer<Handling> {
        let mut operation = self.operation_stream(subject);
        let devices = station(&mut self.collection, kiosk);
        devices.card = None;
        let dispenser = &mut devices.dispenser;
        if let Some(refused) = dispenser.refuse(now, Handling::Fault) {
            return refused;
        }
        let dispensed = dispenser.device.dispense(now, &mut operation);
        handled(dispensed)
    }
}

/// Staff take the card in the lowest slot out of a full store.
fn make_room(devices: &mut CollectionDevices) {
    let store = &mut devices.card_store.device;
    if store.free_slot_count() > 0 {
        return;
    }
    let lowest = store.cards().next().map(|(_, card)| card);
    if let Some(card) = lowest {
        store.unload(card, &mut devices.staff);
    }
}
