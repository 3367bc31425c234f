//! The registration service against a reference model of what clients were told, under
//! arbitrary interleavings of requests (repeated, reordered), disk progress with damaged
//! writes, and crashes.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::test_support::{Harness, NOW, PRODUCTION, complete, config, open};
use super::*;
use crate::test_disk::{Damage, damage};

const RESIDENTS: u32 = 4;

#[derive(Clone, Debug)]
enum Op {
    /// `card` and `thumbs` are usually the resident's own; sometimes another's.
    Open {
        resident: u32,
        card: u32,
        thumbs: u32,
    },
    /// `application: None` completes the application the resident was last told.
    Complete {
        resident: u32,
        application: Option<u64>,
        photo: u64,
    },
    /// Production acknowledges the card order of this application number.
    Acknowledge {
        application: u64,
    },
    Disk {
        damage: Damage,
    },
    Crash,
}

/// The resident's own number with weight `own`, or anybody's.
fn someones(resident: u32, own: u32) -> impl Strategy<Value = u32> {
    prop_oneof![own => Just(resident), 1 => 0..RESIDENTS]
}

fn op() -> impl Strategy<Value = Op> {
    let open = (0..RESIDENTS).prop_flat_map(|resident| {
        // Shared thumbs are likelier than shared cards: they drive the duplicate check.
        (someones(resident, 3), someones(resident, 1)).prop_map(move |(card, thumbs)| Op::Open {
            resident,
            card,
            thumbs,
        })
    });
    let application = prop_oneof![3 => Just(None), 1 => (0u64..6).prop_map(Some)];
    let complete =
        (0..RESIDENTS, application, 0u64..3).prop_map(|(resident, application, photo)| {
            Op::Complete {
                resident,
                application,
                photo,
            }
        });
    let damage = damage(8);
    prop_oneof![
        3 => open,
        3 => complete,
        1 => (0u64..6).prop_map(|application| Op::Acknowledge { application }),
        6 => damage.prop_map(|damage| Op::Disk { damage }),
        1 => Just(Op::Crash),
    ]
}

/// Everything clients were told, to check that no later answer or state contradicts it.
#[derive(Debug, Default)]
struct Told {
    application_of: BTreeMap<ResidentId, ApplicationId>,
    owner_of: BTreeMap<ApplicationId, ResidentId>,
    acknowledgement_of: BTreeMap<ApplicationId, AcknowledgementReference>,
    held: BTreeSet<ApplicationId>,
}

impl Told {
    fn check(&mut self, reply: Message) -> Result<(), TestCaseError> {
        match reply {
            Message::OpenApplicationReply { resident, outcome } => match outcome {
                OpenApplicationOutcome::Opened { application } => {
                    self.learn(resident, application)?;
                    prop_assert!(!self.acknowledgement_of.contains_key(&application));
                }
                OpenApplicationOutcome::AlreadyAccepted {
                    application,
                    acknowledgement,
                } => self.learn_accepted(resident, application, acknowledgement)?,
                OpenApplicationOutcome::Refused { .. } => {
                    prop_assert!(!self.application_of.contains_key(&resident));
                }
            },
            Message::CompleteApplicationReply {
                resident,
                application,
                outcome,
            } => match outcome {
                CompleteApplicationOutcome::Accepted { acknowledgement } => {
                    self.learn_accepted(resident, application, acknowledgement)?
                }
                CompleteApplicationOutcome::DuplicateSuspected => {
                    self.learn(resident, application)?;
                    prop_assert!(!self.acknowledgement_of.contains_key(&application));
                    self.held.insert(application);
                }
                CompleteApplicationOutcome::NotOpen => {
                    let told = self.application_of.get(&resident);
                    prop_assert_ne!(told, Some(&application), "told, then not open");
                }
            },
            other => prop_assert!(false, "not a registration reply: {other:?}"),
        }
        Ok(())
    }

    fn learn(
        &mut self,
        resident: ResidentId,
        application: ApplicationId,
    ) -> Result<(), TestCaseError> {
        let earlier = self.application_of.insert(resident, application);
        prop_assert!(earlier.is_none_or(|earlier| earlier == application));
        let owner = self.owner_of.insert(application, resident);
        prop_assert!(owner.is_none_or(|owner| owner == resident));
        Ok(())
    }

    fn learn_accepted(
        &mut self,
        resident: ResidentId,
        application: ApplicationId,
        acknowledgement: AcknowledgementReference,
    ) -> Result<(), TestCaseError> {
        self.learn(resident, application)?;
        prop_assert!(!self.held.contains(&application));
        let earlier = self.acknowledgement_of.insert(application, acknowledgement);
        prop_assert!(earlier.is_none_or(|earlier| earlier == acknowledgement));
        Ok(())
    }

    /// Nothing told is lost, whatever crashed since.
    fn check_kept(&self, service: &RegistrationService) -> Result<(), TestCaseError> {
        for (&application, &resident) in &self.owner_of {
            let view = service.application(application);
            prop_assert_eq!(view.map(|view| view.resident), Some(resident));
        }
        for (&application, &acknowledgement) in &self.acknowledgement_of {
            let view = service.application_by_acknowledgement(acknowledgement);
            prop_assert_eq!(view.map(|view| view.application), Some(application));
            prop_assert_eq!(
                view.map(|view| view.state),
                Some(ApplicationState::Accepted)
            );
        }
        for &application in &self.held {
            let view = service.application(application);
            prop_assert_eq!(view.map(|view| view.state), Some(ApplicationState::Held));
        }
        Ok(())
    }
}

/// The service's own state: one application per resident and per old card, and accepted
/// thumbs and acknowledgements each belonging to one application.
fn check_state(service: &RegistrationService) -> Result<(), TestCaseError> {
    let mut residents = BTreeSet::new();
    let mut cards = BTreeSet::new();
    let mut thumbs = BTreeSet::new();
    for number in 0..service.application_count() as u64 {
        let view = service.application(ApplicationId(number)).unwrap();
        prop_assert!(residents.insert(view.resident), "{view:?}");
        prop_assert!(cards.insert(view.old_card), "{view:?}");
        if let Some(acknowledgement) = view.acknowledgement {
            prop_assert!(thumbs.insert(view.thumbs), "{view:?}");
            let found = service.application_by_acknowledgement(acknowledgement);
            prop_assert_eq!(found, Some(view));
        }
    }
    Ok(())
}

/// Every event of every incarnation: an application is accepted once, with one
/// acknowledgement, and no two residents' accepted thumbs are the same.
fn check_events(events: &[RegistrationEvent]) -> Result<(), TestCaseError> {
    let mut accepted = BTreeSet::new();
    let mut enrolled = BTreeMap::new();
    for event in events {
        if let RegistrationEvent::Accepted {
            application,
            resident,
            thumbs,
            ..
        } = *event
        {
            prop_assert!(accepted.insert(application), "{application:?} twice");
            let earlier = enrolled.insert(thumbs, resident);
            prop_assert!(earlier.is_none(), "{thumbs:?} enrolled twice");
        }
    }
    Ok(())
}

fn apply_op(harness: &mut Harness, told: &Told, op: Op) {
    match op {
        Op::Open {
            resident,
            card,
            thumbs,
        } => harness.send(
            NOW,
            open(resident, 100 + u64::from(card), u64::from(thumbs)),
        ),
        Op::Complete {
            resident,
            application,
            photo,
        } => {
            let application = application.map(ApplicationId).unwrap_or_else(|| {
                let told = told.application_of.get(&ResidentId(resident));
                told.copied().unwrap_or(ApplicationId(0))
            });
            harness.send(NOW, complete(resident, application, photo));
        }
        Op::Acknowledge { application } => {
            let message = Message::ProduceCardReply {
                application: ApplicationId(application),
            };
            let from = PRODUCTION;
            harness.input(NOW, Input::Message { from, message });
        }
        Op::Disk { damage } => {
            harness.step_disk_with(NOW, damage);
        }
        Op::Crash => harness.restart_at(NOW),
    }
}

proptest! {
    /// An accepted application is never lost once told, its acknowledgement never changes,
    /// a resident never has two applications, and two residents never share accepted thumbs.
    #[test]
    fn never_forgets_an_answer_and_never_enrols_thumbs_twice(
        ops in proptest::collection::vec(op(), 1..150),
    ) {
        let mut harness = Harness::new(config());
        let mut told = Told::default();
        for op in ops {
            apply_op(&mut harness, &told, op);
            for reply in harness.replies.drain(..) {
                told.check(reply)?;
            }
            told.check_kept(&harness.service)?;
            check_state(&harness.service)?;
        }
        check_events(&harness.events)?;
        // In the end the disk settles and every request decided meanwhile is answered.
        harness.settle(NOW);
        for reply in harness.replies.drain(..) {
            told.check(reply)?;
        }
        told.check_kept(&harness.service)?;
        check_hand_offs(&mut harness, &told)?;
    }
}

/// Every application a resident was told is accepted was ordered from production with what
/// the resident was told; after a restart, exactly the orders production has not
/// acknowledged are sent again.
fn check_hand_offs(harness: &mut Harness, told: &Told) -> Result<(), TestCaseError> {
    let sent = |harness: &Harness| -> BTreeMap<ApplicationId, crate::messages::CardOrder> {
        let orders = harness
            .outgoing
            .iter()
            .filter_map(|(_, message)| match message {
                Message::ProduceCardRequest { order } => Some((order.application, *order)),
                _ => None,
            });
        orders.collect()
    };
    let ordered = sent(harness);
    for (&application, &acknowledgement) in &told.acknowledgement_of {
        let order = ordered.get(&application);
        prop_assert_eq!(
            order.map(|order| order.acknowledgement),
            Some(acknowledgement)
        );
        prop_assert_eq!(
            order.map(|order| order.resident),
            told.owner_of.get(&application).copied()
        );
    }
    harness.outgoing.clear();
    harness.restart_at(NOW);
    let awaiting: BTreeSet<ApplicationId> = (0..harness.service.application_count() as u64)
        .map(ApplicationId)
        .filter(|&application| {
            let view = harness.service.application(application).unwrap();
            view.state == ApplicationState::Accepted && !view.handed_to_production
        })
        .collect();
    let resent: BTreeSet<ApplicationId> = sent(harness).into_keys().collect();
    prop_assert_eq!(resent, awaiting);
    Ok(())
}
