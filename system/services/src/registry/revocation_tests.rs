//! The signed revocation list as gates and verifiers fetch it: signed with the configured
//! key, newer versions only when there are any, a withdrawal in the next version with its
//! state (lost or revoked), and never before it is durable.

use std::sync::Arc;

use super::test_support::*;
use super::*;
use crate::messages::RevocationListFetch;

fn fetch(harness: &mut Harness, held_version: u64) -> RevocationListFetch {
    match harness.request(NOW, Message::RevocationListRequest { held_version }) {
        Message::RevocationListReply { outcome } => outcome,
        other => panic!("{other:?}"),
    }
}

/// The list a fetch handed out, checked against the registry's public key.
fn fetched_list(outcome: &RevocationListFetch) -> RevocationList {
    let RevocationListFetch::Newer { list } = outcome else {
        panic!("no newer list: {outcome:?}")
    };
    list.verify(&list_key().verifying_key())
        .expect("the registry's signature verifies")
}

#[test]
fn a_withdrawn_cards_state_is_in_the_next_signed_version() {
    let mut harness = Harness::new(config());
    let up_to_date = RevocationListFetch::UpToDate { version: 0 };
    assert_eq!(fetch(&mut harness, 0), up_to_date, "nothing withdrawn yet");
    harness.request(NOW, dispatch(2, 0));
    assert_eq!(
        report_lost(&mut harness, 1, CardId(1)),
        WithdrawalOutcome::Withdrawn
    );
    let first = fetched_list(&fetch(&mut harness, 0));
    assert_eq!(first.version, 1);
    assert_eq!(first.state_of(CardId(1)), Some(CardState::Lost));
    assert_eq!(first.state_of(new_card(2, 0)), None);
    let up_to_date = RevocationListFetch::UpToDate { version: 1 };
    assert_eq!(fetch(&mut harness, 1), up_to_date);
    assert_eq!(
        harness.service.revoke(new_card(2, 0)),
        WithdrawalOutcome::Withdrawn
    );
    harness.input(NOW, Input::Wake);
    harness.settle(NOW);
    let second = fetched_list(&fetch(&mut harness, 1));
    assert_eq!(second.version, 2);
    assert_eq!(second.state_of(new_card(2, 0)), Some(CardState::Revoked));
    assert_eq!(second.state_of(CardId(1)), Some(CardState::Lost), "kept");
    assert_eq!(second, harness.service.revocation_list());
}

#[test]
fn each_version_is_signed_once_and_always_names_the_same_list() {
    let mut harness = Harness::new(config());
    report_lost(&mut harness, 3, CardId(3));
    let (RevocationListFetch::Newer { list: first }, RevocationListFetch::Newer { list: again }) =
        (fetch(&mut harness, 0), fetch(&mut harness, 0))
    else {
        panic!("no list handed out")
    };
    assert!(Arc::ptr_eq(&first, &again), "signed once");
    // After a crash the registry signs it afresh: the same bytes (RFC 6979 nonces).
    harness.restart_at(NOW);
    harness.settle(NOW);
    let RevocationListFetch::Newer { list: recovered } = fetch(&mut harness, 0) else {
        panic!("no list handed out after recovery")
    };
    assert!(!Arc::ptr_eq(&first, &recovered));
    assert_eq!(first, recovered);
}

#[test]
fn a_fetch_never_hands_out_a_withdrawal_before_it_is_durable() {
    let mut harness = Harness::new(config());
    assert_eq!(
        harness.service.revoke(CardId(4)),
        WithdrawalOutcome::Withdrawn
    );
    harness.input(NOW, Input::Wake);
    // Asked before the revocation reached the media: the reply waits for it, and names
    // the list as it was durable when asked.
    harness.send(NOW, Message::RevocationListRequest { held_version: 0 });
    assert!(
        harness.replies.is_empty(),
        "held until the journal is durable"
    );
    harness.settle(NOW);
    let up_to_date = RevocationListFetch::UpToDate { version: 0 };
    assert_eq!(
        harness.replies,
        [Message::RevocationListReply {
            outcome: up_to_date
        }]
    );
    let list = fetched_list(&fetch(&mut harness, 0));
    assert_eq!(list.state_of(CardId(4)), Some(CardState::Revoked));
}

#[test]
fn a_list_from_another_key_or_altered_is_refused() {
    let mut harness = Harness::new(config());
    report_lost(&mut harness, 5, CardId(5));
    let RevocationListFetch::Newer { list } = fetch(&mut harness, 0) else {
        panic!("no list handed out")
    };
    let other = RevocationListSigningKey::from_scalar(&[0x43; 32]).unwrap();
    let refused = list.verify(&other.verifying_key());
    assert_eq!(refused, Err(RevocationListError::BadSignature));
    let mut altered = (*list).clone();
    let last = altered.encoded.len() - 1;
    altered.encoded[last] = 3; // "revoked" where the registry signed "lost"
    let refused = altered.verify(&list_key().verifying_key());
    assert_eq!(refused, Err(RevocationListError::BadSignature));
}
