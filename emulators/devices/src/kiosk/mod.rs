//! Kiosk and counter hardware: the QR and document [`scanner`], the [`camera`], the
//! [`printer`], and the collection kiosk's [`card_store`] and [`dispenser`], each with its
//! failure modes ([`fault`]) and service times.
//!
//! Why: the kiosk software (`hkic-terminals`) must be driven against devices that take time,
//! misread, ask for retakes, run out of paper, jam and drop offline, so that every failure
//! has a defined outcome (retry, officer, out of service) and the simulator's centre times
//! come from the devices rather than from one number per kiosk.
//!
//! # One shape for every device
//! Every operation takes `now` and a [`Stream`](hkic_base::Stream) and returns an
//! [`Operation`]: `result` (the value, or a [`DeviceFault`]) and `duration` (how long the
//! device, and the resident in front of it, were busy). Every device has `faults()` and
//! `faults_mut()` giving its [`DeviceFaults`]: `status(now, stream)` before starting a
//! transaction, `clear_jam(stream)` when an officer comes (it returns the officer's time),
//! `inject_jam()`/`inject_offline(until)` for the simulator's fault schedule, and
//! `set_model(..)` to turn faults on or off. What the kiosk does with a fault:
//! [`DeviceFault::Offline`] says when to try again; [`DeviceFault::Jammed`] and
//! [`DeviceFault::OutOfPaper`] need an officer ([`DeviceFault::needs_officer`]).
//!
//! # Which call for which kiosk step (SYSTEM.md "Services")
//! - Tag kiosk: scan the booking QR code with [`Scanner::scan`] ([`ScanSource::QrOnPhone`] or
//!   `QrOnPaper`); print the queue ticket with [`Printer::print`] on a
//!   [`PrinterModel::queue_ticket`] printer.
//! - Registration kiosk: retrieve the e-form by QR with [`Scanner::scan`]; print the form with
//!   [`Printer::print`] on a [`PrinterModel::registration_form`] printer.
//! - Photo counter (or a photo kiosk): [`Camera::take_photo`] in the applicant's
//!   [`PhotoSession`], until [`PhotoOutcome::Acceptable`] or
//!   [`PhotoOutcome::AttemptsExhausted`].
//! - Collection kiosk: scan the acknowledgement QR with [`Scanner::scan`]; take the card from
//!   storage with [`CardStore::retrieve`]; put a refused card (fingerprint, read) back with
//!   [`CardStore::return_card`]; hand the card over with [`Dispenser::dispense`].
//! - Staff: [`CardStore::load`] and [`CardStore::unload`], [`Printer::load_paper`],
//!   [`DeviceFaults::clear_jam`].
//!
//! The old card's chip and the fingerprint reader are elsewhere: `hkic-chip` and
//! [`crate::biometric`].
//!
//! # Parameters
//! Each device is built from a model struct of plain public fields (`ScannerModel`,
//! `CameraModel`, `PrinterModel`, `CardStoreModel`, `DispenserModel`, each with a `faults:
//! FaultModel`), whose `check()` refuses unusable values with a [`ParameterError`] naming the
//! field; the constructors call it. Defaults and their reasons are in each module's
//! documentation: no per-device figures were published (domain.md section 2 gives only the
//! whole visit, "less than 30 minutes", and 6 photo attempts at the 2023/24 kiosks), so they
//! are assumptions sized so that the devices take one to three minutes of a registration visit
//! (about 1.5 on average, faults included) and under a minute of a collection (`tests::visit`
//! checks both).
//!
//! Architecture invariant: sans-IO and deterministic. No clock (time is the `now` handed in),
//! no randomness but the caller's stream, no files; nothing here knows the kiosk software, the
//! services or the simulator.

pub mod camera;
pub mod card_store;
pub mod dispenser;
pub mod fault;
pub mod operation;
pub mod parameter;
pub mod printer;
pub mod scanner;
#[cfg(test)]
mod tests;

pub use camera::{
    Camera, CameraModel, PHOTO_ATTEMPTS_PUBLISHED, PhotoOutcome, PhotoSession, PhotoSessionError,
    RetakeProbabilities, RetakeReason, RetakeReasonWeights, SubjectGroup,
};
pub use card_store::{
    CardId, CardStore, CardStoreModel, LoadError, Retrieval, SlotChange, SlotNumber,
};
pub use dispenser::{Dispenser, DispenserModel};
pub use fault::{DeviceFaults, FaultModel};
pub use operation::{DeviceFault, Operation};
pub use parameter::{ParameterError, ParameterProblem};
pub use printer::{Printed, Printer, PrinterModel};
pub use scanner::{ScanProfile, ScanRead, ScanSource, Scanner, ScannerModel};
