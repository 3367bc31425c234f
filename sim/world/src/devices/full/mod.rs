//! `full` fidelity: the emulators do the work of the registration kiosks' and photo
//! counters' hardware.
//!
//! - `ReadOldCard`: the resident's first-generation card is issued afresh (a pure function
//!   of the seed and the resident, see [`old_card`]) and read by the kiosk's real reader
//!   procedure against the emulated chip; the time is the link's plus the reader's overhead.
//! - `VerifyThumbs`: both thumbs captured by the synthetic reader (the resident's fingers,
//!   with the finger quality of their age on the day) and verified against the templates
//!   read from the card by the real matcher ([`thumbs`]); the time is the captures' plus
//!   the matching time.
//! - `ScanEFormQr`, `PrintForm`, `TakePhoto`: the scanner, printer and camera emulators.
//! - The officer's manual steps, and repairs the emulators do not price, go to the
//!   `officers` model handed in.
//!
//! Inputs: one device request at a time, with the resident and the time. Outputs: the
//! outcome and its duration ([`Answer`]), or a repair time. Keeps: each station's devices
//! and their fault state, and per station the current session's old-card templates or photo
//! session (replaced by the next session): nothing per resident.
//!
//! Invariants: deterministic (no hash-ordered container, clock or thread); an operation's
//! draws come from the resident's stream for that operation (`subject.operation`), a
//! device's outage clock and repairs from streams named for the station and device, so
//! adding a station changes no resident's draws.

mod counter;
mod kiosk;
pub mod models;
mod old_card;
mod stations;
#[cfg(test)]
mod tests;
mod thumbs;

pub use models::{FullDeviceModels, FullDevicesError};

use hkic_base::{SimDuration, SimTime, Stream};
use hkic_biometrics::{Scratch, Verifier};
use hkic_devices::biometric::FingerprintReader;
use hkic_kernel::Streams;
use hkic_protocol::first_generation::IssuerMasterKey;
use hkic_terminals::collection_kiosk::{CollectionKioskDevice, CollectionKioskOutcome};
use hkic_terminals::devices::{DeviceFault, DeviceKind};
use hkic_terminals::photo_counter::{PhotoCounterDevice, PhotoCounterOutcome};
use hkic_terminals::registration_kiosk::{RegistrationKioskDevice, RegistrationKioskOutcome};
use rand::RngExt;

use super::{Answer, DeviceModel, Station, Subject};
use crate::labels;
use stations::{CounterDevices, KioskDevices};

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
    officers: Box<dyn DeviceModel>,
}

impl std::fmt::Debug for FullDevices {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FullDevices")
            .field("seed", &self.streams.root_seed())
            .field("registration_kiosks", &self.kiosks.len())
            .field("photo_counters", &self.counters.len())
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
    /// The emulators with their default models (valid, so this cannot fail).
    pub fn new(
        seed: u64,
        registration_kiosks: u16,
        photo_counters: u16,
        officers: Box<dyn DeviceModel>,
    ) -> FullDevices {
        let models = FullDeviceModels::default();
        FullDevices::with_models(seed, registration_kiosks, photo_counters, officers, models)
            .expect("the default device models are valid")
    }

    /// The emulators with `models`, checked first.
    pub fn with_models(
        seed: u64,
        registration_kiosks: u16,
        photo_counters: u16,
        officers: Box<dyn DeviceModel>,
        models: FullDeviceModels,
    ) -> Result<FullDevices, FullDevicesError> {
        models.check()?;
        let streams = Streams::new(seed);
        let reader = FingerprintReader::new(models.fingerprint_reader.clone())
            .map_err(FullDevicesError::Reader)?;
        let kiosks = (0..registration_kiosks)
            .map(|number| KioskDevices::new(&models, &streams, number))
            .collect::<Result<_, _>>()?;
        let counters = (0..photo_counters)
            .map(|number| CounterDevices::new(&models, &streams, number))
            .collect::<Result<_, _>>()?;
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
            officers,
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
            Station::CollectionKiosk(_) => None,
        }
    }
}

impl DeviceModel for FullDevices {
    /// Collection kiosks are not emulated yet: the card store, the new card's chip and the
    /// live thumbs against DG3 are drawn like the `timing` model's (see the kiosks issue).
    fn collection_kiosk(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
        request: CollectionKioskDevice,
    ) -> Answer<CollectionKioskOutcome> {
        self.officers.collection_kiosk(now, kiosk, subject, request)
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

    /// Cards are not emulated on the line yet: a drawn duration and failure, like the
    /// `timing` model's.
    fn personalise(
        &mut self,
        now: SimTime,
        card: hkic_services::messages::CardId,
        order: &hkic_services::messages::CardOrder,
    ) -> Answer<hkic_services::messages::PersonalisationOutcome> {
        self.officers.personalise(now, card, order)
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
}
