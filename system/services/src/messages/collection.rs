//! Collection at a Self-service Collection Kiosk: the acknowledgement QR names the
//! application; the collection service says which card to take from the store; after the
//! kiosk has read the card (genuine, DG3 read) and the live thumbs matched DG3, the registry
//! activates the new card and cancels the old one in one atomic step.
//!
//! Lookups are read-only; activation is idempotent per card (a repeated request for an
//! activated card answers `Activated` again), so a kiosk that lost a reply, or a kiosk that
//! finishes a collection another one began, can simply ask again.

use super::{BiometricDigest, CardId, CentreId, ResidentId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionLookupOutcome {
    /// The card is in this centre's store and has not been handed over as far as the service
    /// knows (it may already be active: activation is idempotent).
    Ready { resident: ResidentId, card: CardId },
    /// Not produced or not delivered yet: come back later.
    NotReady,
    /// The card was dispatched to another centre.
    AtAnotherCentre { centre: CentreId },
    /// The card was withdrawn (revoked, or the application was cancelled): see an officer.
    Withdrawn,
    /// No application has this acknowledgement reference.
    Unknown,
}

impl CollectionLookupOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            CollectionLookupOutcome::Ready { .. } => "ready",
            CollectionLookupOutcome::NotReady => "not_ready",
            CollectionLookupOutcome::AtAnotherCentre { .. } => "at_another_centre",
            CollectionLookupOutcome::Withdrawn => "withdrawn",
            CollectionLookupOutcome::Unknown => "unknown",
        }
    }
}

/// What an activation request asserts; sent as `Message::ActivationRequest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardActivation {
    pub resident: ResidentId,
    pub card: CardId,
    pub centre: CentreId,
    /// The live thumbprints that matched the card's DG3 (their digest).
    pub live_thumbs: BiometricDigest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivationOutcome {
    /// The card is active; the old card (if the resident had one) was cancelled in the same
    /// step.
    Activated {
        cancelled: Option<CardId>,
    },
    Refused {
        reason: ActivationRefusal,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivationRefusal {
    UnknownCard,
    /// The card belongs to somebody else.
    NotTheHolder,
    /// The card is not ready for collection (not produced, or not at this centre).
    NotReady,
    /// The card was revoked, reported lost or cancelled.
    Withdrawn,
}

impl ActivationOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            ActivationOutcome::Activated { .. } => "activated",
            ActivationOutcome::Refused { .. } => "refused",
        }
    }
}
