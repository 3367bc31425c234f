//! Pre-filled e-forms: a resident fills in the application form in the booking app before
//! the visit; the booking service keeps it and answers with a reference and a QR payload; the
//! registration kiosk scans the QR and retrieves the form by reference.
//!
//! Messages stay fixed-size: the form's content never travels, only its digest. The app (or
//! the simulator, on the resident's behalf) computes the digest of what the resident entered;
//! the kiosk compares the digest in the QR with the one the service holds, so a stale or
//! altered QR is caught without carrying per-resident strings.

use super::ResidentId;

/// The booking service's number for one stored e-form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EFormReference(pub u64);

/// A digest of an e-form's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EFormDigest(pub u64);

/// What the QR code the app shows (and prints) holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EFormQr {
    pub reference: EFormReference,
    pub digest: EFormDigest,
}

/// The answer to a submission. A resident has at most one e-form: the first one stored
/// stays, so a retried or duplicated submission has no second effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EFormSubmitOutcome {
    /// This form is stored (now, or by an earlier copy of the same request).
    Stored { qr: EFormQr },
    /// Another form with different content was stored for this resident earlier; it stands,
    /// and `qr` is its QR payload.
    AlreadySubmitted { qr: EFormQr },
}

impl EFormSubmitOutcome {
    pub fn qr(&self) -> EFormQr {
        match *self {
            EFormSubmitOutcome::Stored { qr } | EFormSubmitOutcome::AlreadySubmitted { qr } => qr,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            EFormSubmitOutcome::Stored { .. } => "stored",
            EFormSubmitOutcome::AlreadySubmitted { .. } => "already_submitted",
        }
    }
}

/// The answer to a retrieval by reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EFormLookupOutcome {
    Found {
        resident: ResidentId,
        digest: EFormDigest,
    },
    NotFound,
}

impl EFormLookupOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            EFormLookupOutcome::Found { .. } => "found",
            EFormLookupOutcome::NotFound => "not_found",
        }
    }
}
