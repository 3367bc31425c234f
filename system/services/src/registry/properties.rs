//! The registry against a reference model of what clients were told, under arbitrary
//! interleavings of dispatches (re-makes included), lookups and activations (repeated,
//! reordered, from two kiosks at once), lost reports and revocations, revocation-list
//! fetches, disk progress with damaged writes, and crashes.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::test_support::{Harness, NOW, config, list_key, lookup, new_card, order};
use super::*;
use crate::messages::{
    ActivationOutcome, CardActivation, CardDispatch, CardOrder, CollectionLookupOutcome,
    RevocationListFetch,
};
use crate::test_disk::{Damage, damage};

/// Applications 0..4; application 3 is resident 0's second (a replacement).
const APPLICATIONS: u32 = 4;
const RESIDENTS: u32 = 3;
const MAKES: u32 = 3;

fn resident_of(application: u32) -> u32 {
    application % RESIDENTS
}

fn dispatch(application: u32, make: u32) -> Message {
    let order = CardOrder {
        resident: ResidentId(resident_of(application)),
        old_card: first_generation_card(ResidentId(resident_of(application))),
        ..order(application)
    };
    let card = new_card(application, make);
    Message::CardDispatchRequest {
        dispatch: CardDispatch { card, order },
    }
}

#[derive(Clone, Debug)]
enum Op {
    Dispatch {
        application: u32,
        make: u32,
    },
    Lookup {
        application: u32,
        centre: u16,
    },
    /// `resident` is usually the card's holder; sometimes anybody.
    Activate {
        kiosk: u16,
        resident: u32,
        application: u32,
        make: u32,
        centre: u16,
    },
    /// `make: None` reports the first-generation card.
    ReportLost {
        resident: u32,
        application: u32,
        make: Option<u32>,
    },
    Revoke {
        application: u32,
        make: u32,
    },
    /// A gate's fetch, holding `held_version`.
    Fetch {
        held_version: u64,
    },
    Disk {
        damage: Damage,
    },
    Crash,
}

fn op() -> impl Strategy<Value = Op> {
    let card = (0..APPLICATIONS, 0..MAKES);
    let dispatch = card
        .clone()
        .prop_map(|(application, make)| Op::Dispatch { application, make });
    let lookup = (0..APPLICATIONS, 0u16..2).prop_map(|(application, centre)| Op::Lookup {
        application,
        centre,
    });
    let activate = (
        card.clone(),
        0u16..2,
        prop_oneof![4 => Just(None), 1 => (0..RESIDENTS).prop_map(Some)],
        prop_oneof![4 => Just(None), 1 => (0u16..2).prop_map(Some)],
    )
        .prop_map(
            |((application, make), kiosk, resident, centre)| Op::Activate {
                kiosk,
                resident: resident.unwrap_or(resident_of(application)),
                application,
                make,
                centre: centre.unwrap_or((application % 2) as u16),
            },
        );
    let lost = (
        0..RESIDENTS,
        0..APPLICATIONS,
        proptest::option::of(0..MAKES),
    )
        .prop_map(|(resident, application, make)| Op::ReportLost {
            resident,
            application,
            make,
        });
    let revoke = card.prop_map(|(application, make)| Op::Revoke { application, make });
    let fetch = (0u64..6).prop_map(|held_version| Op::Fetch { held_version });
    let damage = damage(8);
    prop_oneof![
        1 => fetch,
        3 => dispatch,
        2 => lookup,
        4 => activate,
        1 => lost,
        1 => revoke,
        8 => damage.prop_map(|damage| Op::Disk { damage }),
        1 => Just(Op::Crash),
    ]
}

fn apply_op(harness: &mut Harness, op: Op) {
    match op {
        Op::Dispatch { application, make } => harness.send(NOW, dispatch(application, make)),
        Op::Lookup {
            application,
            centre,
        } => harness.send(NOW, lookup(application, centre)),
        Op::Activate {
            kiosk,
            resident,
            application,
            make,
            centre,
        } => {
            let activation = CardActivation {
                resident: ResidentId(resident),
                card: new_card(application, make),
                centre: CentreId(centre),
                live_thumbs: BiometricDigest(1),
            };
            let message = Message::ActivationRequest { activation };
            let from = Address(7 + kiosk);
            harness.input(NOW, Input::Message { from, message });
        }
        Op::ReportLost {
            resident,
            application,
            make,
        } => {
            let card = match make {
                Some(make) => new_card(application, make),
                None => first_generation_card(ResidentId(resident)),
            };
            harness.service.report_lost(ResidentId(resident), card);
            harness.input(NOW, Input::Wake);
        }
        Op::Revoke { application, make } => {
            harness.service.revoke(new_card(application, make));
            harness.input(NOW, Input::Wake);
        }
        Op::Fetch { held_version } => {
            harness.send(NOW, Message::RevocationListRequest { held_version });
        }
        Op::Disk { damage } => {
            harness.step_disk_with(NOW, damage);
        }
        Op::Crash => harness.crash(),
    }
}

/// Everything clients and observers were told, to check that nothing later contradicts it.
#[derive(Debug, Default)]
struct Told {
    dispatched: BTreeSet<CardId>,
    activated: BTreeMap<CardId, Option<CardId>>,
    /// Every card some handed-out list named, and the highest version handed out.
    listed: BTreeSet<CardId>,
    version: u64,
    /// Every signed list handed out, by version, and the version of the last fetch reply.
    signed: BTreeMap<u64, Vec<u8>>,
    fetched_version: u64,
}

impl Told {
    fn check_reply(
        &mut self,
        service: &RegistryService,
        reply: Message,
    ) -> Result<(), TestCaseError> {
        match reply {
            Message::CardDispatchReply { card } => {
                self.dispatched.insert(card);
            }
            Message::ActivationReply {
                resident,
                card,
                outcome,
            } => match outcome {
                ActivationOutcome::Activated { cancelled } => {
                    let earlier = self.activated.insert(card, cancelled);
                    prop_assert!(earlier.is_none_or(|earlier| earlier == cancelled));
                }
                ActivationOutcome::Refused { reason } => {
                    let holder = service.card(card).map(|view| view.resident);
                    if self.activated.contains_key(&card) && holder == Some(resident) {
                        prop_assert_eq!(reason, ActivationRefusal::Withdrawn);
                        prop_assert!(service.card(card).unwrap().state.is_withdrawn());
                    }
                }
            },
            Message::CollectionLookupReply { outcome, .. } => {
                if let CollectionLookupOutcome::Ready { resident, card } = outcome {
                    let view = service.card(card);
                    prop_assert_eq!(view.map(|view| view.resident), Some(resident));
                }
            }
            Message::RevocationListReply { outcome } => self.check_fetch(&outcome)?,
            other => prop_assert!(false, "not a registry reply: {other:?}"),
        }
        Ok(())
    }

    /// Fetched lists verify under the registry's key, versions only increase from one reply
    /// to the next (crashes included), and a version always names the same bytes.
    fn check_fetch(&mut self, outcome: &RevocationListFetch) -> Result<(), TestCaseError> {
        let version = match outcome {
            RevocationListFetch::UpToDate { version } => *version,
            RevocationListFetch::Newer { list } => {
                let verified = list.verify(&list_key().verifying_key());
                prop_assert!(verified.is_ok(), "{verified:?}");
                let version = verified.unwrap().version;
                let first = self.signed.entry(version).or_insert(list.encoded.clone());
                prop_assert_eq!(first, &list.encoded, "version {} changed", version);
                version
            }
        };
        prop_assert!(
            version >= self.fetched_version,
            "a fetched version went back"
        );
        self.fetched_version = version;
        Ok(())
    }

    /// Nothing told is lost, whatever crashed since; the list only grows.
    fn check_kept(&mut self, service: &RegistryService) -> Result<(), TestCaseError> {
        for &card in &self.dispatched {
            prop_assert!(service.card(card).is_some_and(|view| view.issue.is_some()));
        }
        for (&card, &cancelled) in &self.activated {
            let issue = service.card(card).and_then(|view| view.issue);
            prop_assert_eq!(issue.and_then(|issue| issue.activation), Some(cancelled));
        }
        let list = service.revocation_list();
        prop_assert!(list.version >= self.version, "the list's version went back");
        let cards: BTreeSet<CardId> = list.cards().into_iter().collect();
        prop_assert!(self.listed.is_subset(&cards), "a listed card left the list");
        self.version = list.version;
        self.listed = cards;
        Ok(())
    }
}

/// The service's state: one active card per person, the old card cancelled exactly when a
/// replacement activation cancelled it, one live card per application, and a list of every
/// card withdrawn, sorted, one version per card.
fn check_state(service: &RegistryService) -> Result<(), TestCaseError> {
    let mut cancellations = BTreeMap::new();
    for application in 0..APPLICATIONS {
        let mut live = 0;
        for make in 0..MAKES {
            let Some(view) = service.card(new_card(application, make)) else {
                continue;
            };
            live += usize::from(!view.state.is_withdrawn());
            if let Some(Some(cancelled)) = view.issue.unwrap().activation {
                prop_assert!(cancellations.insert(cancelled, view.card).is_none());
            }
        }
        prop_assert!(live <= 1, "application {application} has {live} live cards");
    }
    for resident in 0..RESIDENTS {
        let resident = ResidentId(resident);
        prop_assert!(service.active_cards_of(resident).len() <= 1, "{resident:?}");
        let old = service.card(first_generation_card(resident)).unwrap();
        let replaced = cancellations.contains_key(&old.card);
        prop_assert_eq!(old.state == CardState::Cancelled, replaced, "{:?}", old);
    }
    for &cancelled in cancellations.keys() {
        prop_assert_eq!(service.card(cancelled).unwrap().state, CardState::Cancelled);
    }
    let list = service.revocation_list();
    prop_assert!(
        list.cards().windows(2).all(|pair| pair[0] < pair[1]),
        "{list:?}"
    );
    prop_assert_eq!(list.version, list.entries.len() as u64);
    for card in list.cards() {
        let view = service.card(card).unwrap();
        prop_assert!(view.state.is_withdrawn() && view.listed_in <= Some(list.version));
    }
    Ok(())
}

/// Replays the history the events tell: an activation always cancels exactly the card the
/// model says its holder held, and no card activates twice. A record can reach the media
/// unverified and be recovered after a crash without its event ever being released, so at
/// each recovery the model takes the recovered state as its own, as the world's checkers do.
#[derive(Debug, Default)]
struct EventModel {
    active: BTreeMap<ResidentId, Option<CardId>>,
    activated: BTreeSet<CardId>,
    seen: usize,
}

impl EventModel {
    fn active_of(&mut self, resident: ResidentId) -> &mut Option<CardId> {
        let old = Some(first_generation_card(resident));
        self.active.entry(resident).or_insert(old)
    }

    fn check(
        &mut self,
        events: &[RegistryEvent],
        service: &RegistryService,
    ) -> Result<(), TestCaseError> {
        for event in &events[self.seen..] {
            match *event {
                RegistryEvent::Activated {
                    resident,
                    card,
                    cancelled,
                    ..
                } => {
                    let held = self.active_of(resident);
                    prop_assert_eq!(*held, cancelled, "{:?}", event);
                    *held = Some(card);
                    prop_assert!(self.activated.insert(card), "{card:?} activated twice");
                }
                RegistryEvent::CardLost { resident, card }
                | RegistryEvent::CardRevoked { resident, card } => {
                    let held = self.active_of(resident);
                    if *held == Some(card) {
                        *held = None;
                    }
                }
                RegistryEvent::Recovered { .. } => self.adopt(service),
                _ => {}
            }
        }
        self.seen = events.len();
        Ok(())
    }

    fn adopt(&mut self, service: &RegistryService) {
        for resident in 0..RESIDENTS {
            let resident = ResidentId(resident);
            *self.active_of(resident) = service.active_cards_of(resident).first().copied();
        }
        for application in 0..APPLICATIONS {
            for make in 0..MAKES {
                let card = new_card(application, make);
                let issue = service.card(card).and_then(|view| view.issue);
                if issue.is_some_and(|issue| issue.activation.is_some()) {
                    self.activated.insert(card);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Never two active cards, the old card cancelled iff its replacement activated, an
    /// activation never lost once told, and a list that only grows and names every
    /// withdrawn card.
    #[test]
    fn collection_keeps_one_active_card_per_person_through_crashes(
        ops in proptest::collection::vec(op(), 1..160),
    ) {
        let mut harness = Harness::new(config());
        let mut told = Told::default();
        let mut model = EventModel::default();
        for op in ops {
            apply_op(&mut harness, op);
            model.check(&harness.events, &harness.service)?;
            for reply in std::mem::take(&mut harness.replies) {
                told.check_reply(&harness.service, reply)?;
            }
            told.check_kept(&harness.service)?;
            check_state(&harness.service)?;
        }
        // In the end the disk settles: every decision is answered and every withdrawal listed.
        harness.settle(NOW);
        for reply in std::mem::take(&mut harness.replies) {
            told.check_reply(&harness.service, reply)?;
        }
        told.check_kept(&harness.service)?;
        check_state(&harness.service)?;
        model.check(&harness.events, &harness.service)?;
        let list = harness.service.revocation_list();
        for application in 0..APPLICATIONS {
            for make in 0..MAKES {
                let view = harness.service.card(new_card(application, make));
                if view.is_some_and(|view| view.state.is_withdrawn()) {
                    prop_assert!(list.cards().contains(&new_card(application, make)));
                }
            }
        }
    }
}
