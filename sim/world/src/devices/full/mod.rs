//! `full` fidelity: the emulators do the work of the registration kiosks', photo counters'
//! and collection kiosks' hardware, and of the personalisation line.
//!
//! - `ReadOldCard`: the resident's first-generation card is issued afresh (a pure function
//!   of the seed and the resident, see [`old_card`]) and read by the kiosk's real reader
//!   procedure against the emulated chip; the time is the link's plus the reader's overhead.
//! - `VerifyThumbs`: both thumbs captured by the synthetic reader (the resident's fingers,
//!   with the finger quality of their age on the day) and verified against the templates
//!   read from the card by the real matcher ([`thumbs`]); the time is the captures' plus
//!   the matching time.
//! - `ScanEFormQr`, `PrintForm`, `TakePhoto`: the scanner, printer and camera emulators.
//! - The personalisation line ([`new_card`]): a new-generation chip personalised for the
//!   order's resident (identity, portrait, DG3 from their thumbs captured at registration, the
//!   chip's own key pair, the SOD signed by the run's Document Signer in service on the
//!   card's date of issue), an occasional power cut leaving it blank, then read back by the
//!   real reader procedure with passive authentication up to the run's CSCA ([`issuer`]); the
//!   time is the chip's writes (the commands on the line's link and the EEPROM page programs)
//!   plus the read-back's link time. A card it issues is kept until the world takes it for
//!   the checkers (`take_issued_card`).
//! - The collection kiosks ([`collection`]): the slip's QR code through the scanner, the card
//!   store and dispenser emulators, the card made again as the line made it and read with
//!   PACE, passive, chip and terminal authentication and DG3, the live thumbs verified against
//!   that DG3.
//! - The officer's manual steps, and repairs the emulators do not price, go to the
//!   `officers` model handed in.
//!
//! Inputs: one device request at a time, with the resident and the time. Outputs: the
//! outcome and its duration ([`Answer`]), or a repair time. Keeps: the run's trust material,
//! the registration records the line reads ([`Applicants`]: each resident's date of birth and
//! date of issue), each station's devices and their fault state, and per station the
//! current session's old-card templates, photo session or DG3 templates (replaced by the next
//! session): no chip and no card, which are made again from the seed whenever needed.
//!
//! Invariants: deterministic (no hash-ordered container, clock or thread); an operation's
//! draws come from the resident's stream for that operation (`subject.operation`), a card's
//! (its chip, a power cut, the line's read-back) from streams named for the card, a device's
//! outage clock, repairs and staff handling from streams named for the station and device,
//! so adding a station changes no resident's draws and the same seed and card give the same
//! chip, byte for byte.

mod collection;
mod counter;
mod issuer;
mod kiosk;
pub mod models;
mod new_card;
mod old_card;
mod stations;
#[cfg(test)]
mod tests;
mod thumbs;

pub use issuer::revocation_list_key;
pub use models::{FullDeviceModels, FullDevicesError};
pub use new_card::Applicants;

use hkic_base::{SimDuration, SimTime, Stream};
use hkic_biometrics::{Scratch, Verifier};
use hkic_devices::biometric::FingerprintReader;
use hkic_kernel::Streams;
use hkic_protocol::first_generation::IssuerMasterKey;
use hkic_protocol::pa::Certificate;
use hkic_services::messages::{CardId, CardOrder, PersonalisationOutcome};
use hkic_terminals::collection_kiosk::{CollectionKioskDevice, CollectionKioskOutcome};
use hkic_terminals::devices::{DeviceFault, DeviceKind};
use hkic_terminals::photo_counter::{PhotoCounterDevice, PhotoCounterOutcome};
use hkic_terminals::registration_kiosk::{RegistrationKioskDevice, RegistrationKioskOutcome};
use rand::RngExt;

use super::timing::StationCounts;
use super::{Answer, DeviceModel, IssuedCard, Station, Subject};
use crate::labels;
use issuer::Trust;
use stations::{CollectionDevices, CounterDevices, KioskDevices};

/// The `full`-fidelity device model; see the module documentation.
pub struct FullDevices {
    streams: Streams,
    master: IssuerMasterKey,
    models: FullDeviceModels,
    reader: FingerprintReader,
    verifier: Verifier,
    scratch: Scratch,
    kiosks: Vec<KioskDevices>,
    counters: Vec<CounterDevices>,
    collection: Vec<CollectionDevices>,
    trust: Trust,
    applicants: Applicants,
    officers: Box<dyn DeviceModel>,
    /// The card the line issued last, until the world takes it for the checkers.
    issued: Option<IssuedCard>,
}

impl std::fmt::Debug for FullDevices {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FullDevices")
            .field("seed", &self.streams.root_seed())
            .field("registration_kiosks", &self.kiosks.len())
            .field("photo_counters", &self.counters.len())
            .field("collection_kiosks", &self.collection.len())
            .field("applicants", &self.applicants.0.len())
            .finish_non_exhaustive()
    }
}

fn answer<T, U>(answer: Answer<T>, wrap: impl FnOnce(T) -> U) -> Answer<U> {
    Answer {
        after: answer.after,
        outcome: wrap(answer.outcome),
    }
}

/// Station `number` of `stations`; a request for a station that was not built is a bug.
fn station<T>(stations: &mut [T], number: u16) -> &mut T {
    let count = stations.len();
    stations
        .get_mut(usize::from(number))
        .unwrap_or_else(|| panic!("station {number} asked for, {count} built"))
}

impl FullDevices {
    /// The emulators with their default models (valid, so this cannot fail), for the
    /// stations counted and the residents of `applicants`. (The world sets the scenario's
    /// Document Signer schedule through [`FullDevices::with_models`].)
    #[cfg(test)]
    pub fn new(
        seed: u64,
        registration_kiosks: u16,
        photo_counters: u16,
        collection_kiosks: u16,
        applicants: Applicants,
        officers: Box<dyn DeviceModel>,
    ) -> FullDevices {
        let models = FullDeviceModels::default();
        let stations = StationCounts {
            registration_kiosks,
            photo_counters,
            collection_kiosks,
        };
        FullDevices::with_models(seed, stations, applicants, officers, models)
            .expect("the default device models are valid")
    }

    /// The emulators with `models`, checked first.
    pub fn with_models(
        seed: u64,
        stations: StationCounts,
        applicants: Applicants,
        officers: Box<dyn DeviceModel>,
        models: FullDeviceModels,
    ) -> Result<FullDevices, FullDevicesError> {
        models.check()?;
        let streams = Streams::new(seed);
        let reader = FingerprintReader::new(models.fingerprint_reader.clone())
            .map_err(FullDevicesError::Reader)?;
        let kiosks = (0..stations.registration_kiosks)
            .map(|number| KioskDevices::new(&models, &streams, number))
            .collect::<Result<_, _>>()?;
        let counters = (0..stations.photo_counters)
            .map(|number| CounterDevices::new(&models, &streams, number))
            .collect::<Result<_, _>>()?;
        let collection = (0..stations.collection_kiosks)
            .map(|number| CollectionDevices::new(&models, &streams, number))
            .collect::<Result<_, _>>()?;
        let dates_of_issue = applicants.0.iter().map(|applicant| applicant.date_of_issue);
        let trust = Trust::new(&streams, models.new_cards.document_signers, dates_of_issue);
        let mut key = streams.stream(labels::issuer_master_key());
        let mut master = [0u8; 16];
        master[..8].copy_from_slice(&key.random::<u64>().to_le_bytes());
        master[8..].copy_from_slice(&key.random::<u64>().to_le_bytes());
        Ok(FullDevices {
            streams,
            master: IssuerMasterKey(master),
            models,
            reader,
            verifier: Verifier::default(),
            scratch: Scratch::default(),
            kiosks,
            counters,
            collection,
            trust,
            applicants,
            officers,
            issued: None,
        })
    }

    fn operation_stream(&self, subject: &Subject) -> Stream {
        let label = labels::resident_device_operation(subject.resident, subject.operation);
        self.streams.stream(label)
    }

    /// The emulator's price for bringing `device` back, if it has one.
    fn priced_repair(
        &mut self,
        now: SimTime,
        at: Station,
        device: DeviceKind,
        fault: DeviceFault,
    ) -> Option<SimDuration> {
        match at {
            Station::RegistrationKiosk(number) => {
                let kiosk = self.kiosks.get_mut(usize::from(number))?;
                match (device, fault) {
                    (DeviceKind::Printer, DeviceFault::OutOfPaper) => {
                        Some(kiosk.printer.load_paper())
                    }
                    (DeviceKind::Printer, _) => kiosk.printer.repair(now, fault),
                    (DeviceKind::Scanner, _) => kiosk.scanner.repair(now, fault),
                    (DeviceKind::OldCardReader, _) => kiosk.old_card_reader.repair(now, fault),
                    (DeviceKind::FingerprintModule, _) => {
                        kiosk.fingerprint_module.repair(now, fault)
                    }
                    _ => None,
                }
            }
            Station::PhotoCounter(number) => {
                let counter = self.counters.get_mut(usize::from(number))?;
                match device {
                    DeviceKind::Camera => counter.camera.repair(now, fault),
                    _ => None,
                }
            }
            Station::CollectionKiosk(number) => {
                let kiosk = self.collection.get_mut(usize::from(number))?;
                match device {
                    DeviceKind::Scanner => kiosk.scanner.repair(now, fault),
                    DeviceKind::CardStore => kiosk.card_store.repair(now, fault),
                    DeviceKind::CardReader => kiosk.card_reader.repair(now, fault),
                    DeviceKind::FingerprintModule => kiosk.fingerprint_module.repair(now, fault),
                    DeviceKind::Dispenser => kiosk.dispenser.repair(now, fault),
                    _ => None,
                }
            }
        }
    }
}

impl DeviceModel for FullDevices {
    fn collection_kiosk(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
        request: CollectionKioskDevice,
    ) -> Answer<CollectionKioskOutcome> {
        use CollectionKioskDevice as Device;
        use CollectionKioskOutcome as Outcome;
        match request {
            Device::ScanAcknowledgementQr => answer(
                self.scan_acknowledgement(now, kiosk, subject),
                Outcome::QrScanned,
            ),
            Device::TakeCard { card } => answer(
                self.take_card(now, kiosk, subject, card),
                Outcome::CardTaken,
            ),
            Device::ReadCard { card } => answer(
                self.read_new_card(now, kiosk, subject, card),
                Outcome::CardRead,
            ),
            Device::VerifyThumbs { card } => answer(
                self.verify_against_dg3(now, kiosk, subject, card),
                Outcome::ThumbsVerified,
            ),
            Device::ReturnCard { card } => answer(
                self.put_card_back(now, kiosk, subject, card, false),
                Outcome::CardReturned,
            ),
            Device::RetainCard { card } => answer(
                self.put_card_back(now, kiosk, subject, card, true),
                Outcome::CardRetained,
            ),
            Device::DispenseCard { .. } => answer(
                self.dispense_card(now, kiosk, subject),
                Outcome::CardDispensed,
            ),
        }
    }

    fn registration_kiosk(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
        request: RegistrationKioskDevice,
    ) -> Answer<RegistrationKioskOutcome> {
        match request {
            RegistrationKioskDevice::ReadOldCard => answer(
                self.read_old_card(now, kiosk, subject),
                RegistrationKioskOutcome::OldCardRead,
            ),
            RegistrationKioskDevice::VerifyThumbs => answer(
                self.verify_thumbs(now, kiosk, subject),
                RegistrationKioskOutcome::ThumbsVerified,
            ),
            RegistrationKioskDevice::ScanEFormQr => answer(
                self.scan_eform(now, kiosk, subject),
                RegistrationKioskOutcome::QrScanned,
            ),
            RegistrationKioskDevice::PrintForm { .. } => answer(
                self.print_form(now, kiosk, subject),
                RegistrationKioskOutcome::FormPrinted,
            ),
        }
    }

    fn photo_counter(
        &mut self,
        now: SimTime,
        counter: u16,
        subject: &Subject,
        request: PhotoCounterDevice,
    ) -> Answer<PhotoCounterOutcome> {
        match request {
            PhotoCounterDevice::TakePhoto { attempt } => answer(
                self.take_photo(now, counter, subject, attempt),
                PhotoCounterOutcome::PhotoTaken,
            ),
            PhotoCounterDevice::InspectOldCard
            | PhotoCounterDevice::VerifyIdentity { .. }
            | PhotoCounterDevice::EnterForm => {
                self.officers.photo_counter(now, counter, subject, request)
            }
        }
    }

    fn personalise(
        &mut self,
        _now: SimTime,
        card: CardId,
        order: &CardOrder,
    ) -> Answer<PersonalisationOutcome> {
        self.personalise_card(card, order)
    }

    fn repair(
        &mut self,
        now: SimTime,
        station: Station,
        device: DeviceKind,
        fault: DeviceFault,
    ) -> SimDuration {
        match self.priced_repair(now, station, device, fault) {
            Some(duration) => duration,
            None => self.officers.repair(now, station, device, fault),
        }
    }

    fn take_issued_card(&mut self) -> Option<IssuedCard> {
        self.issued.take()
    }

    fn trust_anchor(&self) -> Option<Certificate> {
        Some(self.trust.csca_certificate().clone())
    }
}
