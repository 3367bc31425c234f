//! Card production: the registration service hands each accepted application to the
//! production service; production has the card personalised (a chip key pair, the data
//! groups, the SOD signed by the Document Signer) by the personalisation line, checks it by
//! reading it back, re-makes a card that fails, and after the lead time dispatches it to the
//! centre the resident chose, telling the card registry (which the collection kiosks ask).
//!
//! Every hand-off is idempotent and retried until acknowledged: an order per application, a
//! personalisation per card, a dispatch per card. A card's number is fresh for every card
//! made, so a re-made card never shares a number with the one that failed.

use super::{
    AcknowledgementReference, ApplicationId, BiometricDigest, CardId, CentreId, ResidentId,
};

/// What production needs to make one resident's card; sent as
/// `Message::ProduceCardRequest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardOrder {
    pub application: ApplicationId,
    pub resident: ResidentId,
    /// Where the resident collects the card.
    pub centre: CentreId,
    pub acknowledgement: AcknowledgementReference,
    /// The card the new one replaces (cancelled when the new one is activated).
    pub old_card: CardId,
    pub thumbs: BiometricDigest,
    pub photo: BiometricDigest,
}

/// The personalisation line's answer for one card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonalisationOutcome {
    /// Personalised and read back: the chip answers as the data says, the SOD verifies.
    Verified,
    /// The chip failed personalisation or its read-back check: the card is destroyed.
    Failed,
}

impl PersonalisationOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            PersonalisationOutcome::Verified => "verified",
            PersonalisationOutcome::Failed => "failed",
        }
    }
}

/// A card leaving production for a centre's card store; sent to the card registry as
/// `Message::CardDispatchRequest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardDispatch {
    pub card: CardId,
    pub order: CardOrder,
}
