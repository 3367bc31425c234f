//! How the world answers the kiosks' and counters' device requests, at either fidelity.
//!
//! The workflows in `hkic-terminals` ask their hardware for one operation at a time (read the
//! old card, verify the thumbs, scan a QR code, print, take a photo) and wait for exactly one
//! outcome of the matching kind. A [`DeviceModel`] decides that outcome and how long the
//! operation takes; the world delivers the outcome after that time.
//!
//! - [`timing::TimingDevices`] (`timing` fidelity): durations and outcome probabilities from
//!   the scenario's `devices` section, drawn from the resident's and the station's streams.
//! - [`full::FullDevices`] (`full` fidelity): the emulators do the work: the old card's chip
//!   is read by the real first-generation reader procedure, the thumbs are captured by the
//!   synthetic reader and verified by the real matcher, the QR code goes through the scanner
//!   emulator, the form through the printer, the photo through the camera; new cards are
//!   personalised and signed for real on the line, and read (with DG3) and matched at the
//!   collection kiosks.
//!
//! Both are deterministic: every draw comes from a stream named for the resident (and the
//! number of the operation), or for the station, never from who else is in the centre.

pub mod full;
pub mod timing;

use hkic_base::{Date, SimDuration, SimTime};
use hkic_chip::CardFiles;
use hkic_protocol::pa::Certificate;
use hkic_services::messages::{
    AcknowledgementReference, CardId, CardOrder, EFormQr, PersonalisationOutcome,
};
use hkic_terminals::collection_kiosk::{CollectionKioskDevice, CollectionKioskOutcome};
use hkic_terminals::devices::{DeviceFault, DeviceKind};
use hkic_terminals::photo_counter::{PhotoCounterDevice, PhotoCounterOutcome};
use hkic_terminals::registration_kiosk::{RegistrationKioskDevice, RegistrationKioskOutcome};

/// A kiosk or counter, numbered within its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Station {
    RegistrationKiosk(u16),
    PhotoCounter(u16),
    CollectionKiosk(u16),
}

/// What a device model may know about the resident at the station. Everything else about
/// them (their identity, their fingers, their face) the full model derives from the seed and
/// `resident`, so the world keeps nothing per resident for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    pub resident: u32,
    pub born: Date,
    pub needs_assistance: bool,
    /// The e-form the booking service stored for them (what their QR code holds), if any.
    pub eform: Option<EFormQr>,
    /// The acknowledgement slip they carry (after their application was accepted).
    pub acknowledgement: Option<AcknowledgementReference>,
    /// How many device operations this resident has had before this one (over all visits):
    /// each operation draws from its own stream.
    pub operation: u32,
}

/// An operation's outcome and how long it took (the resident is at the station meanwhile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer<T> {
    pub after: SimDuration,
    pub outcome: T,
}

pub trait DeviceModel {
    /// One operation of registration kiosk `kiosk` for `subject`.
    fn registration_kiosk(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
        request: RegistrationKioskDevice,
    ) -> Answer<RegistrationKioskOutcome>;

    /// One operation at photo counter `counter` for `subject` (the officer's manual steps
    /// included: inspecting an old card, verifying an identity, entering a form).
    fn photo_counter(
        &mut self,
        now: SimTime,
        counter: u16,
        subject: &Subject,
        request: PhotoCounterDevice,
    ) -> Answer<PhotoCounterOutcome>;

    /// One operation of collection kiosk `kiosk` for `subject`, whose new card is `card`.
    fn collection_kiosk(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
        request: CollectionKioskDevice,
    ) -> Answer<CollectionKioskOutcome>;

    /// The personalisation line makes card `card` for `order` and reads it back.
    fn personalise(
        &mut self,
        now: SimTime,
        card: CardId,
        order: &CardOrder,
    ) -> Answer<PersonalisationOutcome>;

    /// How long until an officer has cleared `fault` of `device` at `station` and it is back
    /// in service.
    fn repair(
        &mut self,
        now: SimTime,
        station: Station,
        device: DeviceKind,
        fault: DeviceFault,
    ) -> SimDuration;

    /// The card the last [`DeviceModel::personalise`] issued (verified), as its chip holds
    /// it, for the checkers to inspect; `None` if it failed, or where cards are not made for
    /// real (`timing` fidelity). Taking it leaves `None`.
    fn take_issued_card(&mut self) -> Option<IssuedCard> {
        None
    }

    /// The CSCA certificate the run's cards chain to, where cards are made for real.
    fn trust_anchor(&self) -> Option<Certificate> {
        None
    }
}

/// A card the personalisation line issued: its number and the files written to its chip.
#[derive(Clone, Debug)]
pub struct IssuedCard {
    pub card: CardId,
    pub files: CardFiles,
}
