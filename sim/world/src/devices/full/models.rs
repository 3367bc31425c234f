//! The `full` model's parameters: the emulators' own models (each with its documented
//! defaults) and the few figures the emulators do not hold: how old cards wear, the old-card
//! reader's link and overhead, the fingerprint module's matching time, how residents show
//! QR codes, how new cards are made and read, and the faults of the devices that have no
//! emulator of their own.
//!
//! The added figures are assumptions (none were published, domain.md sections 2 and 7),
//! documented on each field of the defaults.

use hkic_base::{DurationDist, SimDuration};
use hkic_chip::{ContactlessBitRate, Link, SodSigning};
use hkic_devices::biometric::{ReaderError, ReaderModel};
use hkic_devices::kiosk::{
    CameraModel, CardStoreModel, DispenserModel, FaultModel, ParameterError, ParameterProblem,
    PrinterModel, ScannerModel,
};
use hkic_services::production::DocumentSignerSchedule;

/// How first-generation cards have aged (issued 2003 to 2018, carried for years).
#[derive(Debug, Clone, PartialEq)]
pub struct OldCardModel {
    /// A dead chip: no answer to reset. Assumption: 0.3%.
    pub mute_probability: f64,
    /// Worn contacts. Assumption: 5% of cards...
    pub worn_probability: f64,
    /// ...garbling each block with a probability uniform between these (assumption: 0.1 to
    /// 0.7; with the reader's three attempts about a quarter of worn cards cannot be read).
    pub worn_contact_error_probability_min: f64,
    pub worn_contact_error_probability_max: f64,
    /// A flipped byte in the thumbprint file (one template no longer decodes). Assumption:
    /// 0.1%.
    pub corrupted_thumbprints_probability: f64,
    /// The kiosk's contact link (default: T=1 at 9,600 baud, the rate of a reader that does
    /// not negotiate, see `hkic_chip::timing`).
    pub link: Link,
    /// The reader's fixed overhead per read: the card drawn in, seated and activated, and
    /// given back at the end. Assumption: 2 s.
    pub reader_overhead: SimDuration,
    /// Reads from activation before the reader gives up (transmission failures restart it).
    pub read_attempts_max: u8,
}

impl Default for OldCardModel {
    fn default() -> OldCardModel {
        OldCardModel {
            mute_probability: 0.003,
            worn_probability: 0.05,
            worn_contact_error_probability_min: 0.1,
            worn_contact_error_probability_max: 0.7,
            corrupted_thumbprints_probability: 0.001,
            link: Link::contact(9_600),
            reader_overhead: SimDuration::from_secs(2),
            read_attempts_max: 3,
        }
    }
}

/// How new cards are made on the personalisation line and read at the collection kiosks.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCardModel {
    /// A power cut during personalisation (the card boots blank, fails its read-back and is
    /// re-made), at a write point uniform over the card's page programs. Assumption: 0.5%,
    /// the scenarios' `production.failure`.
    pub power_loss_probability: f64,
    /// One EEPROM page program (64 bytes, erase and write) on the chip. Assumption: 2 ms, of
    /// the order smart-card EEPROM data sheets give (1-4 ms); the chip emulator counts the
    /// programs but does not price them.
    pub page_program_time: SimDuration,
    /// The personalisation machine's and its read-back station's contact link. Assumption:
    /// T=1 at 115,200 baud (a negotiated rate; the old gates' 9,600 baud is a reader that does
    /// not negotiate).
    pub line_link: Link,
    /// The collection kiosk's reader, the card brought to its antenna by the store's
    /// mechanism. Assumption: ISO/IEC 14443 at 424 kbit/s (the gates' rate in
    /// `hkic_chip::timing`).
    pub kiosk_link: Link,
    /// Bytes of the portrait in DG2. Assumption: 12,000, a compressed ICAO portrait (as
    /// `hkic-sim card serve` makes).
    pub facial_image_length: usize,
    /// Which Document Signer signs each card, by its date of issue: the scenario's
    /// `production.document_signer_rollover` (default every 91 days, ICAO 9303-12).
    pub document_signers: DocumentSignerSchedule,
    /// When the line signs the SOD: after every data group is built. The other setting is a
    /// line defect only the planted bug `sod-before-dg3` sets.
    pub sod_signing: SodSigning,
}

impl Default for NewCardModel {
    fn default() -> NewCardModel {
        NewCardModel {
            power_loss_probability: 0.005,
            page_program_time: SimDuration::from_millis(2),
            line_link: Link::contact(115_200),
            kiosk_link: Link::contactless(ContactlessBitRate::Kbps424),
            facial_image_length: 12_000,
            document_signers: DocumentSignerSchedule::default(),
            sod_signing: SodSigning::AfterEveryDataGroup,
        }
    }
}

/// A portrait DG2 can hold with room for its record headers (a chip file holds at most
/// 32,767 bytes).
pub const FACIAL_IMAGE_LENGTH_MAX: usize = 30_000;

/// Everything the `full` model's devices do.
#[derive(Debug, Clone)]
pub struct FullDeviceModels {
    pub old_cards: OldCardModel,
    /// The old-card reader's faults (a jam keeps the card inside). Default:
    /// [`FaultModel::occasional`] with a jam once in 5,000 reads, cleared in 1-3 minutes.
    pub old_card_reader: FaultModel,
    pub fingerprint_reader: ReaderModel,
    /// The fingerprint module's faults (a jam is a hung module). Default:
    /// [`FaultModel::occasional`] with a hang once in 10,000 verifications, a restart of 2-5
    /// minutes.
    pub fingerprint_module: FaultModel,
    /// The module's time to compare one live thumb with the card's. Assumption: 50 ms on the
    /// kiosk's embedded processor (a comparison takes 28-39 us of a desktop core here, MINEX
    /// II's match-on-card target is 2.5 s).
    pub matching_time_per_thumb: SimDuration,
    pub scanner: ScannerModel,
    pub printer: PrinterModel,
    pub camera: CameraModel,
    /// Share of residents who show their e-form QR code on a phone (the others print it).
    /// Assumption: 70%.
    pub qr_on_phone_share: f64,
    pub new_cards: NewCardModel,
    /// The collection kiosk's card reader's faults (a jam keeps the card inside). Default:
    /// [`FaultModel::occasional`] with a jam once in 5,000 reads, cleared in 1-3 minutes.
    pub card_reader: FaultModel,
    pub card_store: CardStoreModel,
    pub dispenser: DispenserModel,
}

fn uniform_seconds(min_seconds: u64, max_seconds: u64) -> DurationDist {
    DurationDist::uniform(
        SimDuration::from_secs(min_seconds),
        SimDuration::from_secs(max_seconds),
    )
    .expect("the defaults' minimum is at most their maximum")
}

impl Default for FullDeviceModels {
    fn default() -> FullDeviceModels {
        FullDeviceModels {
            old_cards: OldCardModel::default(),
            old_card_reader: FaultModel::occasional(0.0002, uniform_seconds(60, 180)),
            fingerprint_reader: ReaderModel::default(),
            fingerprint_module: FaultModel::occasional(0.0001, uniform_seconds(120, 300)),
            matching_time_per_thumb: SimDuration::from_millis(50),
            scanner: ScannerModel::default(),
            printer: PrinterModel::registration_form(),
            camera: CameraModel::photo_counter(),
            qr_on_phone_share: 0.7,
            new_cards: NewCardModel::default(),
            card_reader: FaultModel::occasional(0.0002, uniform_seconds(60, 180)),
            card_store: CardStoreModel::default(),
            dispenser: DispenserModel::default(),
        }
    }
}

/// Why the device models cannot be used: the field (a dotted path under `devices`) and what
/// is wrong with it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FullDevicesError {
    #[error("devices.{0}")]
    Parameter(ParameterError),
    #[error("devices.fingerprint_reader.{0}")]
    Reader(ReaderError),
}

fn probability(field: &str, value: f64) -> Result<(), ParameterError> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        return Ok(());
    }
    Err(ParameterError {
        field: field.to_string(),
        problem: ParameterProblem::OutOfRange {
            value,
            expected: "a probability from 0 to 1",
        },
    })
}

impl OldCardModel {
    pub fn check(&self) -> Result<(), ParameterError> {
        probability("mute_probability", self.mute_probability)?;
        probability("worn_probability", self.worn_probability)?;
        let low = self.worn_contact_error_probability_min;
        let high = self.worn_contact_error_probability_max;
        probability("worn_contact_error_probability_min", low)?;
        probability("worn_contact_error_probability_max", high)?;
        if low > high {
            return Err(ParameterError {
                field: "worn_contact_error_probability_max".to_string(),
                problem: ParameterProblem::OutOfRange {
                    value: high,
                    expected: "at least worn_contact_error_probability_min",
                },
            });
        }
        probability(
            "corrupted_thumbprints_probability",
            self.corrupted_thumbprints_probability,
        )
    }
}

impl NewCardModel {
    pub fn check(&self) -> Result<(), ParameterError> {
        probability("power_loss_probability", self.power_loss_probability)?;
        let length = self.facial_image_length;
        if length == 0 || length > FACIAL_IMAGE_LENGTH_MAX {
            return Err(ParameterError {
                field: "facial_image_length".to_string(),
                problem: ParameterProblem::OutOfRange {
                    value: length as f64,
                    expected: "from 1 to 30000 bytes",
                },
            });
        }
        Ok(())
    }
}

impl FullDeviceModels {
    /// Checks every model, naming the first bad field.
    pub fn check(&self) -> Result<(), FullDevicesError> {
        let parameter = |result: Result<(), ParameterError>, parent: &str| {
            result.map_err(|error| FullDevicesError::Parameter(error.within(parent)))
        };
        parameter(self.old_cards.check(), "old_cards")?;
        parameter(self.old_card_reader.check(), "old_card_reader")?;
        parameter(self.fingerprint_module.check(), "fingerprint_module")?;
        parameter(self.scanner.check(), "scanner")?;
        parameter(self.printer.check(), "printer")?;
        parameter(self.camera.check(), "camera")?;
        parameter(self.new_cards.check(), "new_cards")?;
        parameter(self.card_reader.check(), "card_reader")?;
        parameter(self.card_store.check(), "card_store")?;
        parameter(self.dispenser.check(), "dispenser")?;
        probability("qr_on_phone_share", self.qr_on_phone_share)
            .map_err(FullDevicesError::Parameter)?;
        self.fingerprint_reader
            .check()
            .map_err(FullDevicesError::Reader)
    }
}
