//! Crash at every persistence point of the collection flow: dispatch, lookup, activation
//! (with and without a re-made card dispatched on the way). The disk carries out one request
//! at a time (append, sync, read-back), and the service crashes after each of them in turn,
//! with the write of that step intact or damaged; the clients then retry what was not
//! answered, as production and the kiosk do. After each crash and at the end: one active
//! card, the old card cancelled exactly when the new one is active, and no activation told
//! and then lost.

use super::test_support::{Harness, NOW, activate, config, dispatch, lookup, new_card};
use super::*;
use crate::messages::{ActivationOutcome, CollectionLookupOutcome};
use crate::test_disk::Damage;

const RESIDENT: ResidentId = ResidentId(1);
const OLD_CARD: CardId = CardId(1);

#[derive(Clone, Copy, Debug)]
enum Step {
    /// Production dispatches application 1's `make`th card.
    Dispatch(u32),
    /// The kiosk looks the acknowledgement up at the card's centre.
    Lookup,
    /// The kiosk activates the card the last lookup named.
    ActivateLookedUp,
}

const FLOW: [Step; 3] = [Step::Dispatch(0), Step::Lookup, Step::ActivateLookedUp];
const FLOW_WITH_RE_MAKE: [Step; 4] = [
    Step::Dispatch(0),
    Step::Dispatch(1),
    Step::Lookup,
    Step::ActivateLookedUp,
];

#[derive(Debug, Default)]
struct Client {
    looked_up: Option<CardId>,
    told_activated: Option<(CardId, Option<CardId>)>,
}

fn request(step: Step, client: &Client) -> Message {
    match step {
        Step::Dispatch(make) => dispatch(1, make),
        Step::Lookup => lookup(1, 1),
        Step::ActivateLookedUp => {
            let card = client.looked_up.expect("looked up first");
            activate(1, card, 1)
        }
    }
}

fn learn(client: &mut Client, reply: Message) {
    match reply {
        Message::CollectionLookupReply { outcome, .. } => {
            let CollectionLookupOutcome::Ready { card, .. } = outcome else {
                panic!("{outcome:?}")
            };
            client.looked_up = Some(card);
        }
        Message::ActivationReply { card, outcome, .. } => {
            let ActivationOutcome::Activated { cancelled } = outcome else {
                panic!("{outcome:?}")
            };
            assert!(
                client
                    .told_activated
                    .is_none_or(|told| told == (card, cancelled))
            );
            client.told_activated = Some((card, cancelled));
        }
        Message::CardDispatchReply { .. } => {}
        other => panic!("{other:?}"),
    }
}

/// The safety invariants, and that a told activation survived.
fn check(service: &RegistryService, client: &Client) {
    let active = service.active_cards_of(RESIDENT);
    assert!(active.len() <= 1, "{active:?}");
    let old = service.card(OLD_CARD).unwrap().state;
    let new_active = active.first().is_some_and(|&card| card != OLD_CARD);
    assert_eq!(old == CardState::Cancelled, new_active, "{active:?}");
    assert_eq!(old == CardState::Active, !new_active);
    if let Some((card, cancelled)) = client.told_activated {
        assert_eq!(active, [card]);
        assert_eq!(cancelled, Some(OLD_CARD));
    }
    let list = service.revocation_list();
    assert_eq!(list.version, list.entries.len() as u64);
}

/// Runs the flow, crashing once after `crash_after` disk steps with `damage` done to that
/// step's write; returns the disk steps taken and the client's view.
fn run(flow: &[Step], crash_after: usize, damage: Damage) -> (usize, Client) {
    let mut harness = Harness::new(config());
    let mut client = Client::default();
    let (mut steps, mut crashed) = (0, false);
    for &step in flow {
        let mut answered = false;
        while !answered {
            let before = harness.replies.len();
            harness.send(NOW, request(step, &client));
            loop {
                if !crashed && steps == crash_after.saturating_add(1) {
                    crashed = true;
                    harness.crash();
                    check(&harness.service, &client);
                    if harness.replies.len() == before {
                        break;
                    }
                }
                if harness.replies.len() > before {
                    learn(&mut client, harness.replies.pop().expect("a reply"));
                    answered = true;
                    break;
                }
                let damage = if steps == crash_after {
                    damage
                } else {
                    Damage::None
                };
                assert!(harness.step_disk_with(NOW, damage), "the flow stalled");
                steps += 1;
            }
        }
        check(&harness.service, &client);
    }
    assert!(
        crashed || crash_after == usize::MAX,
        "no crash after step {crash_after}"
    );
    let (card, cancelled) = client.told_activated.expect("collected");
    assert_eq!(harness.service.active_cards_of(RESIDENT), [card]);
    assert_eq!(cancelled, Some(OLD_CARD));
    (steps, client)
}

fn crash_everywhere(flow: &[Step], expected: CardId) {
    let (baseline, _) = run(flow, usize::MAX, Damage::None);
    let damages = [Damage::None, Damage::Lose, Damage::Tear(5), Damage::Flip(3)];
    for crash_after in 0..baseline {
        for damage in damages {
            let (_, client) = run(flow, crash_after, damage);
            let (card, _) = client.told_activated.unwrap();
            assert_eq!(card, expected, "crash after step {crash_after}, {damage:?}");
        }
    }
}

#[test]
fn a_crash_at_any_persistence_point_of_collection_keeps_one_active_card() {
    // Dispatch and activation take an append, a sync and a read-back each.
    assert_eq!(run(&FLOW, usize::MAX, Damage::None).0, 6);
    crash_everywhere(&FLOW, new_card(1, 0));
}

#[test]
fn a_crash_at_any_persistence_point_with_a_re_made_card_collects_the_newest() {
    assert_eq!(run(&FLOW_WITH_RE_MAKE, usize::MAX, Damage::None).0, 9);
    crash_everywhere(&FLOW_WITH_RE_MAKE, new_card(1, 1));
}
