//! The kiosks' and counters' view of their hardware: what a workflow asks a device to do is
//! its own request enum; what comes back is one of the outcome types here. They are kept
//! simple so that the simulator can answer them at either fidelity: at `timing` fidelity
//! with sampled outcomes and durations, at `full` fidelity with the emulators
//! (`hkic_devices::kiosk` for the scanner, camera, printer, card store and dispenser,
//! `hkic_devices::biometric` with the real matcher for the fingerprint module, and the card
//! read procedures of [`crate::card_read`] against emulated chips).
//!
//! A workflow never runs cryptography or matching itself: reading a card and verifying
//! thumbprints are each one device operation whose outcome is the verdict.

use hkic_services::messages::{BiometricDigest, CardId, EFormDigest, ResidentId};

use crate::card_read::CardVerdict;

/// Why a device could not do what it was asked (the emulators' `DeviceFault`, without the
/// times the workflow cannot know).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceFault {
    /// Jammed or hung until an officer clears it. `this_operation`: the operation caused the
    /// jam, so what it handled (a sheet, a card) is stuck inside.
    Jammed { this_operation: bool },
    /// Unreachable (link, power, driver); the operation never started.
    Offline,
    /// The printer has no paper for a document; nothing was printed.
    OutOfPaper,
}

/// Which device of a kiosk or counter, for out-of-service events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceKind {
    OldCardReader,
    FingerprintModule,
    Scanner,
    Printer,
    Camera,
    Tablet,
    CardStore,
    CardReader,
    Dispenser,
}

/// Who the first-generation card says its holder is (the simulator maps the card read to its
/// resident and the registry's number for that card).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OldCardIdentity {
    pub resident: ResidentId,
    pub card: CardId,
}

/// Reading the inserted first-generation card (at `full` fidelity, the
/// [`crate::card_read::FirstGenerationReader`] procedure against the emulated chip).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OldCardReading {
    /// Read and mutually authenticated; the thumbprint templates are now in the fingerprint
    /// module for verification.
    Read(OldCardIdentity),
    /// Transmission failures beyond the reader's retries, a failed authentication, a
    /// corrupted file.
    Unreadable,
    Fault(DeviceFault),
}

/// One verification attempt of the fingerprint module: capture both thumbs and verify them
/// 1:1 against the reference templates (the old card's at registration, DG3 at collection),
/// the two thumbs' scores fused as `hkic_biometrics::Verifier` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThumbVerification {
    /// The fused score reached the threshold; `capture` is the digest of the live templates.
    Matched {
        capture: BiometricDigest,
    },
    NotMatched,
    /// No usable capture (finger not detected, too few minutiae, quality too low).
    CaptureFailed,
    Fault(DeviceFault),
}

/// One scan of a QR code. The workflow decodes the bytes itself: a misread or a code of the
/// wrong kind fails to decode and counts as no read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QrScan {
    Decoded(Vec<u8>),
    /// Nothing decoded before the scan window closed.
    NoRead,
    Fault(DeviceFault),
}

/// Printing one document, or moving a card (putting it back in the store, into the reject
/// bin, out through the dispenser): done, or a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handling {
    Done,
    Fault(DeviceFault),
}

/// Taking a card out of the card store to the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardTake {
    Taken,
    NotInStore,
    /// A jam while retrieving leaves the card in its slot.
    Fault(DeviceFault),
}

/// A card read's verdict without its explanation (see [`CardVerdict`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadVerdict {
    Genuine,
    Cloned,
    Altered,
    UnknownSigner,
    Revoked,
    WrongCan,
    Unreadable,
}

impl From<&CardVerdict> for ReadVerdict {
    fn from(verdict: &CardVerdict) -> ReadVerdict {
        match verdict {
            CardVerdict::Genuine => ReadVerdict::Genuine,
            CardVerdict::Cloned => ReadVerdict::Cloned,
            CardVerdict::Altered { .. } => ReadVerdict::Altered,
            CardVerdict::UnknownSigner => ReadVerdict::UnknownSigner,
            CardVerdict::Revoked => ReadVerdict::Revoked,
            CardVerdict::WrongCan { .. } => ReadVerdict::WrongCan,
            CardVerdict::Unreadable { .. } => ReadVerdict::Unreadable,
        }
    }
}

impl ReadVerdict {
    /// The chip answered but is not what it claims (as opposed to a card that could not be
    /// read): such a card must never go back into circulation.
    pub fn is_forgery(self) -> bool {
        matches!(
            self,
            ReadVerdict::Cloned
                | ReadVerdict::Altered
                | ReadVerdict::UnknownSigner
                | ReadVerdict::Revoked
        )
    }
}

/// A full read of a new card at the collection kiosk (at `full` fidelity,
/// [`crate::card_read::CardReader`] with the kiosk's terminal credentials, so DG3 is read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardReading {
    Read {
        verdict: ReadVerdict,
        /// Whose card DG1 says it is (the simulator maps the personal data to its resident);
        /// `None` when DG1 was not read.
        holder: Option<ResidentId>,
        /// DG3 was read (terminal authentication granted it) and its hash checked.
        dg3_read: bool,
    },
    Fault(DeviceFault),
}

/// One photo at the counter's camera.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoCapture {
    /// `acceptable`: the photo meets the quality criteria; otherwise a retake is needed.
    Taken {
        photo: BiometricDigest,
        acceptable: bool,
    },
    Fault(DeviceFault),
}

/// The officer enters the application form with the resident on the counter's tablet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormEntry {
    Entered { digest: EFormDigest },
    Fault(DeviceFault),
}

/// Manual old-card handling: the officer examines a card the kiosk could not read (the card
/// face, the security features) and finds the holder's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OldCardInspection {
    Identified(OldCardIdentity),
    /// The card is not genuine, or no record matches: identity not established.
    NotIdentified,
}

/// Manual identity verification (longer than a kiosk's): the officer questions the resident
/// against the records, checks the documents, and captures the thumbs for the new card on
/// the counter's reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManualVerification {
    Verified { thumbs: BiometricDigest },
    NotVerified,
}
