//! What the registry's tests share: the harness, requests, and reading replies.

use super::*;
use crate::messages::{
    ActivationOutcome, CardActivation, CardDispatch, CardOrder, CollectionLookupOutcome,
};
use crate::test_disk::test_service;

test_service!(RegistryService, RegistryConfig, RegistryEvent);

pub(super) type Harness = crate::test_disk::Harness<RegistryService>;

/// The registry's revocation-list key in the tests (any scalar below the group order).
pub(super) fn list_key() -> RevocationListSigningKey {
    RevocationListSigningKey::from_scalar(&[0x42; 32]).expect("a valid P-256 scalar")
}

pub(super) fn config() -> RegistryConfig {
    RegistryConfig {
        revocation_list_key: list_key(),
        defect: None,
    }
}

pub(super) const NOW: SimTime = SimTime::from_nanos(0);

/// Application `application` is resident `application`'s, collected at centre
/// `application % 2`, with acknowledgement `1000 + application`.
pub(super) fn order(application: u32) -> CardOrder {
    CardOrder {
        application: ApplicationId(u64::from(application)),
        resident: ResidentId(application),
        centre: CentreId((application % 2) as u16),
        acknowledgement: acknowledgement(application),
        old_card: first_generation_card(ResidentId(application)),
        thumbs: BiometricDigest(u64::from(application)),
        photo: BiometricDigest(u64::from(application) + 1),
    }
}

pub(super) fn acknowledgement(application: u32) -> AcknowledgementReference {
    AcknowledgementReference(1000 + u64::from(application))
}

/// The `make`th card made for application `application`: later ones have higher numbers.
pub(super) fn new_card(application: u32, make: u32) -> CardId {
    CardId(FIRST_NEW_CARD.0 + u64::from(application) * 16 + u64::from(make))
}

pub(super) fn dispatch(application: u32, make: u32) -> Message {
    let dispatch = CardDispatch {
        card: new_card(application, make),
        order: order(application),
    };
    Message::CardDispatchRequest { dispatch }
}

pub(super) fn lookup(application: u32, centre: u16) -> Message {
    Message::CollectionLookupRequest {
        acknowledgement: acknowledgement(application),
        centre: CentreId(centre),
    }
}

pub(super) fn activate(resident: u32, card: CardId, centre: u16) -> Message {
    let activation = CardActivation {
        resident: ResidentId(resident),
        card,
        centre: CentreId(centre),
        live_thumbs: BiometricDigest(7),
    };
    Message::ActivationRequest { activation }
}

/// Activates application `application`'s `make`th card at its own centre.
pub(super) fn activate_own(application: u32, make: u32) -> Message {
    activate(
        application,
        new_card(application, make),
        (application % 2) as u16,
    )
}

pub(super) fn looked_up(reply: Message) -> CollectionLookupOutcome {
    match reply {
        Message::CollectionLookupReply { outcome, .. } => outcome,
        other => panic!("{other:?}"),
    }
}

pub(super) fn activated(reply: Message) -> ActivationOutcome {
    match reply {
        Message::ActivationReply { outcome, .. } => outcome,
        other => panic!("{other:?}"),
    }
}

/// Reports a card lost through the internal API and lets the disk settle.
pub(super) fn report_lost(harness: &mut Harness, resident: u32, card: CardId) -> WithdrawalOutcome {
    let outcome = harness.service.report_lost(ResidentId(resident), card);
    harness.input(NOW, Input::Wake);
    harness.settle(NOW);
    outcome
}
