//! The registry's durability: what a crash keeps and loses, recovery from the media, and
//! the revocation list that lists only what is durable.

use super::test_support::*;
use super::*;
use crate::messages::ActivationOutcome;
use crate::test_disk::media_of;

#[test]
fn the_revocation_list_lists_only_durable_withdrawals() {
    let mut harness = Harness::new(config());
    assert_eq!(
        harness.service.revoke(CardId(5)),
        WithdrawalOutcome::Withdrawn
    );
    harness.input(NOW, Input::Wake);
    assert_eq!(harness.service.revocation_list(), RevocationList::default());
    assert_eq!(
        harness.service.card(CardId(5)).unwrap().state,
        CardState::Revoked
    );
    harness.step_disk(NOW);
    harness.step_disk(NOW);
    assert_eq!(
        harness.service.revocation_list().version,
        0,
        "not read back yet"
    );
    harness.step_disk(NOW);
    let list = harness.service.revocation_list();
    assert_eq!((list.version, list.cards()), (1, vec![CardId(5)]));
    let tail = &harness.events[harness.events.len() - 2..];
    let revoked = RegistryEvent::CardRevoked {
        resident: ResidentId(5),
        card: CardId(5),
    };
    assert_eq!(
        tail,
        [revoked, RegistryEvent::RevocationListUpdated { version: 1 }]
    );
}

#[test]
fn an_activation_lost_in_a_crash_was_never_told_and_is_decided_again() {
    let mut harness = Harness::new(config());
    harness.request(NOW, dispatch(1, 0));
    harness.send(NOW, activate_own(1, 0));
    harness.step_disk(NOW); // appended to the cache only
    harness.crash();
    assert_eq!(harness.replies.len(), 1);
    assert_eq!(harness.service.active_cards_of(ResidentId(1)), [CardId(1)]);
    assert_eq!(
        harness.service.card(CardId(1)).unwrap().state,
        CardState::Active
    );
    let outcome = activated(harness.request(NOW, activate_own(1, 0)));
    let cancelled = Some(CardId(1));
    assert_eq!(outcome, ActivationOutcome::Activated { cancelled });
}

#[test]
fn an_activation_on_the_media_but_not_read_back_survives_untold_and_a_retry_hears_it() {
    let mut harness = Harness::new(config());
    harness.request(NOW, dispatch(1, 0));
    harness.send(NOW, activate_own(1, 0));
    harness.step_disk(NOW);
    harness.step_disk(NOW); // synced to the media; the read-back never happens
    harness.crash();
    assert_eq!(harness.replies.len(), 1);
    let card = new_card(1, 0);
    assert_eq!(harness.service.active_cards_of(ResidentId(1)), [card]);
    assert_eq!(
        harness.service.card(CardId(1)).unwrap().state,
        CardState::Cancelled
    );
    let list = harness.service.revocation_list();
    assert_eq!((list.version, list.cards()), (1, vec![CardId(1)]));
    let outcome = activated(harness.request(NOW, activate_own(1, 0)));
    let cancelled = Some(CardId(1));
    assert_eq!(outcome, ActivationOutcome::Activated { cancelled });
}

#[test]
fn recovery_restores_cards_and_the_list() {
    let mut harness = Harness::new(config());
    harness.request(NOW, dispatch(1, 0));
    harness.request(NOW, dispatch(1, 1));
    harness.request(NOW, activate_own(1, 1));
    harness.request(NOW, dispatch(2, 0));
    report_lost(&mut harness, 3, CardId(3));
    let cards = [
        CardId(1),
        CardId(3),
        new_card(1, 0),
        new_card(1, 1),
        new_card(2, 0),
    ];
    let before: Vec<_> = cards
        .iter()
        .map(|&card| harness.service.card(card))
        .collect();
    let list = harness.service.revocation_list();
    harness.crash();
    let recovered = RegistryEvent::Recovered {
        records: 5,
        duplicates: 0,
        orphaned: 0,
        skipped_bytes: 0,
    };
    assert_eq!(harness.events.last(), Some(&recovered));
    let after: Vec<_> = cards
        .iter()
        .map(|&card| harness.service.card(card))
        .collect();
    assert_eq!(before, after);
    assert_eq!(harness.service.revocation_list(), list);
    assert_eq!(list.version, 3);
    assert_eq!(harness.service.new_card_count(), 3);
}

#[test]
fn recovery_refuses_a_record_it_cannot_use_and_says_which() {
    let lost = Record::Lost { card: CardId(4) };
    let lost = lost.encode();
    let error = RegistryService::recover(config(), &media_of(&[&lost, &lost])).unwrap_err();
    assert_eq!(
        error.to_string(),
        "registry journal record 1 contradicts the records before it: \
         a withdrawal names a card already withdrawn"
    );
    let activation = Record::Activated {
        card: new_card(1, 0),
        cancelled: Some(CardId(1)),
        live_thumbs: BiometricDigest(0),
    };
    let media = media_of(&[&activation.encode()]);
    let error = RegistryService::recover(config(), &media).unwrap_err();
    let problem = "an activation names no new card";
    let expected = MalformedRecord::Inconsistent {
        service: "registry",
        index: 0,
        problem,
    };
    assert_eq!(error, expected);
}
