use super::test_support::*;
use super::*;
use crate::journal::Journal;
use crate::messages::{ActivationOutcome, CardDispatch, CollectionLookupOutcome, EFormReference};

fn records_on_media(harness: &Harness) -> usize {
    Journal::recover(JOURNAL_FILE, &harness.disk.media).1.len()
}

fn refused(reason: ActivationRefusal) -> ActivationOutcome {
    ActivationOutcome::Refused { reason }
}

#[test]
fn a_dispatched_card_is_ready_at_its_centre_and_a_repeat_answers_again() {
    let mut harness = Harness::new(config());
    let card = new_card(1, 0);
    let reply = harness.request(NOW, dispatch(1, 0));
    assert_eq!(reply, Message::CardDispatchReply { card });
    let [RegistryEvent::CardReady { withdrawn, .. }] = harness.events[..] else {
        panic!("{:?}", harness.events)
    };
    assert_eq!(withdrawn, None);
    let view = harness.service.card(card).unwrap();
    assert_eq!(
        (view.resident, view.state),
        (ResidentId(1), CardState::ReadyAtCentre)
    );
    assert_eq!(view.issue.unwrap().centre, CentreId(1));
    // A repeat with another order changes nothing and journals nothing.
    let mut moved = CardDispatch {
        card,
        order: order(1),
    };
    moved.order.centre = CentreId(9);
    let repeat = Message::CardDispatchRequest { dispatch: moved };
    assert_eq!(
        harness.request(NOW, repeat),
        Message::CardDispatchReply { card }
    );
    assert_eq!((harness.events.len(), records_on_media(&harness)), (1, 1));
    assert_eq!(harness.service.card(card), Some(view));
}

#[test]
fn lookups_say_where_the_card_is() {
    let mut harness = Harness::new(config());
    assert_eq!(
        looked_up(harness.request(NOW, lookup(1, 1))),
        CollectionLookupOutcome::NotReady
    );
    harness.request(NOW, dispatch(1, 0));
    let (resident, card) = (ResidentId(1), new_card(1, 0));
    let ready = CollectionLookupOutcome::Ready { resident, card };
    assert_eq!(looked_up(harness.request(NOW, lookup(1, 1))), ready);
    let centre = CentreId(1);
    let elsewhere = CollectionLookupOutcome::AtAnotherCentre { centre };
    assert_eq!(looked_up(harness.request(NOW, lookup(1, 0))), elsewhere);
    harness.request(NOW, activate_own(1, 0));
    assert_eq!(
        looked_up(harness.request(NOW, lookup(1, 1))),
        ready,
        "still, once active"
    );
    assert_eq!(looked_up(harness.request(NOW, lookup(1, 0))), elsewhere);
    assert_eq!(
        report_lost(&mut harness, 1, card),
        WithdrawalOutcome::Withdrawn
    );
    let withdrawn = CollectionLookupOutcome::Withdrawn;
    assert_eq!(looked_up(harness.request(NOW, lookup(1, 1))), withdrawn);
}

#[test]
fn activation_cancels_the_old_card_in_one_record_and_a_repeat_answers_the_same() {
    let mut harness = Harness::new(config());
    harness.request(NOW, dispatch(2, 0));
    let (card, old) = (new_card(2, 0), CardId(2));
    assert_eq!(harness.service.active_cards_of(ResidentId(2)), [old]);
    let cancelled = Some(old);
    let outcome = activated(harness.request(NOW, activate_own(2, 0)));
    assert_eq!(outcome, ActivationOutcome::Activated { cancelled });
    assert_eq!(records_on_media(&harness), 2, "one record for both changes");
    assert_eq!(harness.service.active_cards_of(ResidentId(2)), [card]);
    assert_eq!(
        harness.service.card(old).unwrap().state,
        CardState::Cancelled
    );
    let list = harness.service.revocation_list();
    assert_eq!((list.version, list.cards()), (1, vec![old]));
    let events = harness.events.len();
    // From another centre too: the activation happened, so it is told again.
    let again = activated(harness.request(NOW, activate(2, card, 1)));
    assert_eq!(again, ActivationOutcome::Activated { cancelled });
    assert_eq!(
        (harness.events.len(), records_on_media(&harness)),
        (events, 2)
    );
    let activations = harness.events.iter();
    let activations = activations.filter(|event| matches!(event, RegistryEvent::Activated { .. }));
    assert_eq!(activations.count(), 1);
}

#[test]
fn activations_are_refused_for_the_wrong_card_holder_centre_or_state() {
    let mut harness = Harness::new(config());
    let unknown = refused(ActivationRefusal::UnknownCard);
    assert_eq!(
        activated(harness.request(NOW, activate(3, CardId(3), 1))),
        unknown
    );
    let not_ready = refused(ActivationRefusal::NotReady);
    let card = new_card(3, 0);
    assert_eq!(
        activated(harness.request(NOW, activate(3, card, 1))),
        not_ready,
        "not yet dispatched"
    );
    harness.request(NOW, dispatch(3, 0));
    assert_eq!(
        activated(harness.request(NOW, activate(3, card, 0))),
        not_ready,
        "another centre"
    );
    let not_holder = refused(ActivationRefusal::NotTheHolder);
    assert_eq!(
        activated(harness.request(NOW, activate(4, card, 1))),
        not_holder
    );
    assert_eq!(harness.service.revoke(card), WithdrawalOutcome::Withdrawn);
    harness.settle(NOW);
    let withdrawn = refused(ActivationRefusal::Withdrawn);
    assert_eq!(
        activated(harness.request(NOW, activate_own(3, 0))),
        withdrawn
    );
    assert_eq!(harness.service.active_cards_of(ResidentId(3)), [CardId(3)]);
    let refusals = harness.events.iter();
    let refusals = refusals.filter(|event| matches!(event, RegistryEvent::Refused { .. }));
    assert_eq!(refusals.count(), 5);
}

#[test]
fn a_re_made_card_replaces_a_ready_one_and_never_an_activated_one() {
    let mut harness = Harness::new(config());
    let (first, second, third) = (new_card(1, 0), new_card(1, 1), new_card(1, 2));
    harness.request(NOW, dispatch(1, 0));
    harness.request(NOW, dispatch(1, 1));
    let [
        ..,
        RegistryEvent::CardReady { withdrawn, .. },
        RegistryEvent::RevocationListUpdated { version: 1 },
    ] = harness.events[..]
    else {
        panic!("{:?}", harness.events)
    };
    assert_eq!(withdrawn, Some(first));
    assert_eq!(
        harness.service.card(first).unwrap().state,
        CardState::Revoked
    );
    let ready = CollectionLookupOutcome::Ready {
        resident: ResidentId(1),
        card: second,
    };
    assert_eq!(looked_up(harness.request(NOW, lookup(1, 1))), ready);
    let withdrawn = refused(ActivationRefusal::Withdrawn);
    assert_eq!(
        activated(harness.request(NOW, activate_own(1, 0))),
        withdrawn
    );
    harness.request(NOW, activate_own(1, 1));
    // A third card arriving after the collection is withdrawn on arrival.
    harness.request(NOW, dispatch(1, 2));
    let kept = RegistryEvent::CardWithdrawn {
        card: third,
        resident: ResidentId(1),
        application: ApplicationId(1),
        kept: second,
    };
    let tail = &harness.events[harness.events.len() - 2..];
    assert_eq!(
        tail,
        [kept, RegistryEvent::RevocationListUpdated { version: 3 }]
    );
    assert_eq!(harness.service.active_cards_of(ResidentId(1)), [second]);
    let list = harness.service.revocation_list();
    assert_eq!(list.cards(), vec![CardId(1), first, third]);
    assert_eq!(list.version, 3);
}

#[test]
fn an_older_card_arriving_after_a_newer_one_is_withdrawn_on_arrival() {
    let mut harness = Harness::new(config());
    harness.request(NOW, dispatch(1, 1));
    harness.request(NOW, dispatch(1, 0));
    let view = harness.service.card(new_card(1, 0)).unwrap();
    assert_eq!(view.state, CardState::Revoked);
    let current = harness.service.card_by_acknowledgement(acknowledgement(1));
    assert_eq!(current.map(|view| view.card), Some(new_card(1, 1)));
}

#[test]
fn a_card_withdrawn_before_collection_is_replaced_by_the_next_dispatch() {
    let mut harness = Harness::new(config());
    harness.request(NOW, dispatch(1, 1));
    assert_eq!(
        report_lost(&mut harness, 1, new_card(1, 1)),
        WithdrawalOutcome::Withdrawn
    );
    // Even an older number: the lost card is on the list, the other is collectable.
    harness.request(NOW, dispatch(1, 0));
    let view = harness.service.card(new_card(1, 0)).unwrap();
    assert_eq!(view.state, CardState::ReadyAtCentre);
    let cancelled = Some(CardId(1));
    let outcome = activated(harness.request(NOW, activate_own(1, 0)));
    assert_eq!(outcome, ActivationOutcome::Activated { cancelled });
}

#[test]
fn a_lost_card_is_revoked_and_its_replacement_never_makes_two_active_cards() {
    let mut harness = Harness::new(config());
    assert_eq!(
        report_lost(&mut harness, 1, CardId(1)),
        WithdrawalOutcome::Withdrawn
    );
    assert!(harness.service.active_cards_of(ResidentId(1)).is_empty());
    harness.request(NOW, dispatch(1, 0));
    let outcome = activated(harness.request(NOW, activate_own(1, 0)));
    assert_eq!(outcome, ActivationOutcome::Activated { cancelled: None });
    assert_eq!(
        report_lost(&mut harness, 1, new_card(1, 0)),
        WithdrawalOutcome::Withdrawn
    );
    // A lost card never comes back: its activation is refused, so a found card and its
    // replacement can never both be active.
    let withdrawn = refused(ActivationRefusal::Withdrawn);
    assert_eq!(
        activated(harness.request(NOW, activate_own(1, 0))),
        withdrawn
    );
    // The replacement comes from another application of the same resident.
    let mut replacement = order(1);
    replacement.application = ApplicationId(77);
    replacement.acknowledgement = AcknowledgementReference(77);
    let card = new_card(5, 0);
    let dispatch = Message::CardDispatchRequest {
        dispatch: CardDispatch {
            card,
            order: replacement,
        },
    };
    harness.request(NOW, dispatch);
    assert!(harness.service.active_cards_of(ResidentId(1)).is_empty());
    let outcome = activated(harness.request(NOW, activate(1, card, 1)));
    assert_eq!(outcome, ActivationOutcome::Activated { cancelled: None });
    assert_eq!(harness.service.active_cards_of(ResidentId(1)), [card]);
    let lost = harness.events.iter();
    let lost = lost.filter(|event| matches!(event, RegistryEvent::CardLost { .. }));
    assert_eq!(lost.count(), 2);
    let list = harness.service.revocation_list();
    assert_eq!(
        (list.version, list.cards()),
        (2, vec![CardId(1), new_card(1, 0)])
    );
    assert_eq!(list.state_of(new_card(1, 0)), Some(CardState::Lost));
    // The replacement's holder asking again changes nothing: still one active card.
    let again = activated(harness.request(NOW, activate(1, card, 1)));
    assert_eq!(again, ActivationOutcome::Activated { cancelled: None });
    assert_eq!(harness.service.active_cards_of(ResidentId(1)), [card]);
}

#[test]
fn lost_reports_are_refused_for_unknown_cards_and_other_holders_and_repeat_harmlessly() {
    let mut harness = Harness::new(config());
    assert_eq!(
        report_lost(&mut harness, 1, new_card(1, 0)),
        WithdrawalOutcome::UnknownCard
    );
    assert_eq!(
        report_lost(&mut harness, 1, CardId(2)),
        WithdrawalOutcome::NotTheHolder
    );
    assert_eq!(
        report_lost(&mut harness, 1, CardId(1)),
        WithdrawalOutcome::Withdrawn
    );
    let state = CardState::Lost;
    let again = WithdrawalOutcome::AlreadyWithdrawn { state };
    assert_eq!(report_lost(&mut harness, 1, CardId(1)), again);
    assert_eq!(harness.service.revoke(CardId(1)), again);
    assert_eq!(harness.service.revocation_list().version, 1);
}

#[test]
fn no_reply_leaves_before_its_record_is_durable() {
    let mut harness = Harness::new(config());
    // The dispatch's batch goes out at once; the lookup, decided on it, waits for it; the
    // activation's record waits for the next batch, and its reply for that batch.
    harness.send(NOW, dispatch(1, 0));
    harness.send(NOW, lookup(1, 1));
    harness.send(NOW, activate_own(1, 0));
    let mut replies_per_step = Vec::new();
    while harness.step_disk(NOW) {
        replies_per_step.push(harness.replies.len());
    }
    assert_eq!(replies_per_step, [0, 0, 2, 2, 2, 3]);
    assert!(matches!(
        harness.replies[0],
        Message::CardDispatchReply { .. }
    ));
    let (resident, card) = (ResidentId(1), new_card(1, 0));
    let ready = CollectionLookupOutcome::Ready { resident, card };
    assert_eq!(looked_up(harness.replies[1].clone()), ready);
    assert_eq!(harness.service.active_cards_of(ResidentId(1)), [card]);
}

#[test]
fn two_kiosks_activating_one_card_at_once_both_hear_the_same_activation() {
    let mut harness = Harness::new(config());
    harness.request(NOW, dispatch(1, 0));
    harness.send(NOW, activate_own(1, 0));
    let from = Address(8);
    let message = activate_own(1, 0);
    harness.input(NOW, Input::Message { from, message });
    harness.settle(NOW);
    let cancelled = Some(CardId(1));
    // One reply to the test's kiosk, one to the other kiosk.
    let to_other: Vec<_> = harness
        .outgoing
        .iter()
        .filter(|(to, _)| *to == from)
        .map(|(_, message)| message.clone())
        .collect();
    let told: Vec<_> = harness.replies[1..]
        .iter()
        .cloned()
        .chain(to_other)
        .map(activated)
        .collect();
    assert_eq!(told, [ActivationOutcome::Activated { cancelled }; 2]);
    assert_eq!(records_on_media(&harness), 2);
}

#[test]
fn a_dispatch_the_registry_cannot_take_gets_no_reply() {
    let mut harness = Harness::new(config());
    let first_generation = CardDispatch {
        card: CardId(9),
        order: order(1),
    };
    harness.send(
        NOW,
        Message::CardDispatchRequest {
            dispatch: first_generation,
        },
    );
    harness.request(NOW, dispatch(1, 0));
    // Application 2's card with application 1's acknowledgement.
    let mut stolen = order(2);
    stolen.acknowledgement = acknowledgement(1);
    let card = new_card(2, 0);
    let dispatch = CardDispatch {
        card,
        order: stolen,
    };
    harness.send(NOW, Message::CardDispatchRequest { dispatch });
    harness.settle(NOW);
    assert_eq!(harness.replies.len(), 1);
    let refusals: Vec<_> = harness
        .events
        .iter()
        .filter_map(|event| match *event {
            RegistryEvent::DispatchRefused { card, .. } => Some(card),
            _ => None,
        })
        .collect();
    assert_eq!(refusals, [CardId(9), card]);
    assert_eq!(harness.service.card(card), None);
}

#[test]
fn messages_for_other_services_are_ignored() {
    let mut harness = Harness::new(config());
    let reference = EFormReference(0);
    harness.send(NOW, Message::EFormLookupRequest { reference });
    harness.send(NOW, Message::CardDispatchReply { card: CardId(1) });
    harness.settle(NOW);
    assert!(harness.replies.is_empty() && harness.events.is_empty());
}
