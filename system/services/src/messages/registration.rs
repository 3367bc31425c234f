//! Registration at a replacement centre: a Self-service Registration Kiosk (or an officer)
//! opens an application once the resident's identity and e-form are established; the photo
//! counter completes it, and only the registration service's durable acceptance lets anyone
//! tell the resident "accepted".
//!
//! Both requests are idempotent: an application is opened at most once per resident (a
//! repeated open returns the same application), and completing an application that is
//! already accepted returns the same acknowledgement.
//!
//! Biometric data and photos never travel in messages: a request carries the digest of what
//! a device captured (the simulator keeps the captures themselves with the resident), so
//! every message is fixed-size and a checker can tell which capture an application used.

use super::{CentreId, EFormReference, ResidentId};

/// The registration service's number for one application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApplicationId(pub u64);

/// The reference on the acknowledgement slip (and in its QR code): what the resident shows
/// to collect the new card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AcknowledgementReference(pub u64);

/// The registry's number for one physical card, old or new (a person's identity card number
/// stays the same across cards, so it cannot tell them apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CardId(pub u64);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OfficerId(pub u16);

/// A digest of one capture: a resident's thumbprint templates (both thumbs), or a photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BiometricDigest(pub u64);

/// How the applicant's identity was established.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityEvidence {
    /// The old card's chip was read at a kiosk and the thumbs matched its templates.
    KioskThumbs,
    /// An officer verified the applicant by hand.
    Officer {
        officer: OfficerId,
        basis: ManualIdentityBasis,
    },
}

/// Why an officer verified an identity by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManualIdentityBasis {
    /// The thumbs did not match the old card's templates within the kiosk's attempts.
    FingerprintsNotVerified,
    /// The old card's chip could not be read.
    OldCardUnreadable,
    /// No kiosk verified the applicant (the kiosk went out of service first, or none was
    /// available).
    KioskUnavailable,
}

/// What opening an application needs; sent as `Message::OpenApplicationRequest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplicationOpening {
    pub resident: ResidentId,
    pub centre: CentreId,
    /// The old card presented (to be cancelled when the new one is collected).
    pub old_card: CardId,
    pub eform: EFormReference,
    pub identity: IdentityEvidence,
    /// The thumbprints captured for the new card (both thumbs, one capture).
    pub thumbs: BiometricDigest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenApplicationOutcome {
    Opened {
        application: ApplicationId,
    },
    /// The resident's application was accepted earlier: nothing to open.
    AlreadyAccepted {
        application: ApplicationId,
        acknowledgement: AcknowledgementReference,
    },
    Refused {
        reason: OpenRefusal,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenRefusal {
    /// The e-form is unknown or belongs to somebody else.
    EFormNotTheResidents,
    /// The old card is not the resident's current card (replaced, lost or cancelled).
    OldCardNotCurrent,
    /// The resident is not called up and has no other ground to apply now.
    NotEligible,
}

impl OpenApplicationOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            OpenApplicationOutcome::Opened { .. } => "opened",
            OpenApplicationOutcome::AlreadyAccepted { .. } => "already_accepted",
            OpenApplicationOutcome::Refused { .. } => "refused",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompleteApplicationOutcome {
    /// The application is durably committed: the resident may now be told "accepted".
    Accepted {
        acknowledgement: AcknowledgementReference,
    },
    /// No open application of this resident has that number.
    NotOpen,
    /// The 1:N check found the thumbprints enrolled under another identity: the application
    /// is held for investigation, not accepted.
    DuplicateSuspected,
}

impl CompleteApplicationOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            CompleteApplicationOutcome::Accepted { .. } => "accepted",
            CompleteApplicationOutcome::NotOpen => "not_open",
            CompleteApplicationOutcome::DuplicateSuspected => "duplicate_suspected",
        }
    }
}
