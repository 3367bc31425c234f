//! What registration's kiosk and counter pass along with the resident: how far the
//! registration got, and why the kiosk sent the resident to an officer. The photo counter
//! continues from exactly this point, so nothing a kiosk established is done twice and
//! nothing it did not establish is assumed.

use hkic_services::messages::{
    AcknowledgementReference, ApplicationId, BiometricDigest, EFormReference, IdentityEvidence,
    OpenRefusal, ResidentId,
};

use crate::devices::OldCardIdentity;

/// The applicant's identity, verified, and the thumbprints captured for the new card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedIdentity {
    pub evidence: IdentityEvidence,
    pub thumbs: BiometricDigest,
}

/// How far a registration got. Each field is set only once its step succeeded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegistrationProgress {
    /// The old card was read (or inspected by an officer).
    pub holder: Option<OldCardIdentity>,
    /// The holder's identity was verified (thumbs at a kiosk, or an officer).
    pub identity: Option<VerifiedIdentity>,
    /// The holder's e-form, retrieved and checked.
    pub eform: Option<EFormReference>,
    /// The application the registration service opened.
    pub application: Option<ApplicationId>,
    /// An acceptable photo, taken at the counter.
    pub photo: Option<BiometricDigest>,
}

impl RegistrationProgress {
    pub fn resident(&self) -> Option<ResidentId> {
        self.holder.map(|holder| holder.resident)
    }
}

/// Why a registration kiosk sent the resident to an officer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationReferral {
    /// The old card's chip could not be read: manual old-card handling.
    OldCardUnreadable,
    /// The thumbs did not match the old card's templates within the attempts: manual
    /// identity verification.
    FingerprintsNotVerified,
    /// The e-form QR code could not be read and no reference was keyed.
    EFormUnavailable,
    /// No e-form has the reference.
    EFormNotFound,
    /// The e-form belongs to somebody else.
    EFormNotTheHolders,
    /// The QR code's digest differs from the stored form's (an old or altered code).
    EFormContentMismatch,
    /// The resident's application was accepted before.
    AlreadyAccepted {
        acknowledgement: AcknowledgementReference,
    },
    ApplicationRefused {
        reason: OpenRefusal,
    },
    /// A service did not answer within the retry policy.
    ServiceUnreachable,
    /// A device failed and the kiosk went out of service.
    KioskOutOfService,
}
