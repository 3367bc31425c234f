//! The production service against a reference model, under arbitrary interleavings of
//! orders (repeated, reordered), answers from the personalisation line (failures included)
//! and the registry, time passing, disk progress with damaged writes, and crashes. Then the
//! faults stop, the line and the registry answer everything, and every acknowledged order
//! must end in exactly one dispatched, verified card.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::test_support::*;
use super::*;
use crate::test_disk::{Damage, damage};

const ORDERS: u64 = 5;
const LEAD: u32 = 2;
/// Rounds of the healed phase: each answers everything outstanding or moves time on.
const HEALED_ROUNDS: usize = 400;

#[derive(Clone, Debug)]
enum Op {
    Order {
        number: u64,
    },
    Disk {
        damage: Damage,
    },
    Advance {
        minutes: u64,
    },
    /// The line answers one of the requests it got; `fail` decides a card's first verdict.
    Line {
        pick: usize,
        fail: bool,
    },
    Registry {
        pick: usize,
    },
    Crash,
}

fn op() -> impl Strategy<Value = Op> {
    let damage = damage(8);
    let minutes = prop_oneof![Just(1u64), Just(20), Just(240), Just(1_440)];
    prop_oneof![
        3 => (0..ORDERS).prop_map(|number| Op::Order { number }),
        6 => damage.prop_map(|damage| Op::Disk { damage }),
        3 => minutes.prop_map(|minutes| Op::Advance { minutes }),
        3 => (any::<usize>(), prop::bool::weighted(0.3)).prop_map(|(pick, fail)| Op::Line { pick, fail }),
        2 => any::<usize>().prop_map(|pick| Op::Registry { pick }),
        1 => Just(Op::Crash),
    ]
}

/// What the peers saw and were told, and what the rules allow.
#[derive(Debug, Default)]
struct Model {
    /// When each order was first sent: its batch can be no earlier than that time's.
    first_sent: BTreeMap<ApplicationId, SimTime>,
    acknowledged: BTreeSet<ApplicationId>,
    /// Every card number the line was asked about, and whose it is.
    card_owner: BTreeMap<CardId, ApplicationId>,
    /// The line's verdict per card: decided once, repeated on every retry (idempotent).
    verdict: BTreeMap<CardId, bool>,
    line_requests: Vec<CardId>,
    registry_requests: Vec<CardId>,
    /// The cards the registry was asked to dispatch, per application.
    dispatched: BTreeMap<ApplicationId, BTreeSet<CardId>>,
    allocated: BTreeSet<CardId>,
    /// Events may be lost in a crash (a record reached the media, its read-back did not
    /// happen) but never repeat.
    dispatched_events: BTreeSet<ApplicationId>,
}

/// The reference rule for a batch day, written independently of the service's.
fn batch_of(time: SimTime) -> Date {
    let calendar = calendar();
    let mut day = time.date();
    let cut_off: TimeOfDay = "17:00".parse().unwrap();
    if time.time_of_day() >= cut_off || !calendar.is_working_day(day) {
        day = day.next();
        while !calendar.is_working_day(day) {
            day = day.next();
        }
    }
    day
}

fn earliest_dispatch(first_sent: SimTime) -> SimTime {
    let day = calendar()
        .add_working_days(batch_of(first_sent), LEAD)
        .unwrap();
    SimTime::at(day, "17:00".parse().unwrap())
}

impl Model {
    /// Checks and records everything the service sent and every event since the last call.
    fn observe(
        &mut self,
        harness: &mut Harness,
        now: SimTime,
        events_seen: &mut usize,
    ) -> Result<(), TestCaseError> {
        for reply in harness.replies.drain(..) {
            let Message::ProduceCardReply { application } = reply else {
                return Err(TestCaseError::fail(format!(
                    "not a production reply: {reply:?}"
                )));
            };
            prop_assert!(self.first_sent.contains_key(&application));
            self.acknowledged.insert(application);
        }
        for (_, message) in std::mem::take(&mut harness.outgoing) {
            match message {
                Message::PersonaliseRequest { card, order: sent } => {
                    prop_assert!(card >= FIRST_CARD, "{card:?}");
                    prop_assert_eq!(sent, order(sent.application.0));
                    let owner = *self.card_owner.entry(card).or_insert(sent.application);
                    prop_assert_eq!(owner, sent.application, "card number reused");
                    self.line_requests.push(card);
                }
                Message::CardDispatchRequest { dispatch } => {
                    let application = dispatch.order.application;
                    prop_assert_eq!(self.verdict.get(&dispatch.card), Some(&true), "unverified");
                    prop_assert_eq!(self.card_owner.get(&dispatch.card), Some(&application));
                    let first_sent = self.first_sent[&application];
                    prop_assert!(now >= earliest_dispatch(first_sent), "before the lead time");
                    let view = harness.service.order(application).unwrap();
                    prop_assert!(now >= harness.service.dispatch_due(view.batch_day));
                    let cards = self.dispatched.entry(application).or_default();
                    cards.insert(dispatch.card);
                    prop_assert_eq!(cards.len(), 1, "two cards dispatched for one application");
                    self.registry_requests.push(dispatch.card);
                }
                other => prop_assert!(false, "unexpected request {other:?}"),
            }
        }
        for event in &harness.events[*events_seen..] {
            match *event {
                ProductionEvent::CardAllocated { card, .. } => {
                    prop_assert!(self.allocated.insert(card), "{card:?} allocated twice");
                }
                ProductionEvent::Dispatched { application, .. } => {
                    prop_assert!(self.dispatched_events.insert(application));
                }
                _ => {}
            }
        }
        *events_seen = harness.events.len();
        let counts = harness.service.counts();
        prop_assert_eq!(counts.backlog, counts.orders - counts.cards_dispatched);
        Ok(())
    }

    fn line_answer(&mut self, card: CardId, fail: bool) -> Input {
        let verified = *self.verdict.entry(card).or_insert(!fail);
        line_reply(card, self.card_owner[&card], verified)
    }
}

fn apply_op(harness: &mut Harness, model: &mut Model, now: &mut SimTime, op: Op) {
    match op {
        Op::Order { number } => {
            model
                .first_sent
                .entry(ApplicationId(number))
                .or_insert(*now);
            harness.send(*now, produce(number));
        }
        Op::Disk { damage } => {
            harness.step_disk_with(*now, damage);
        }
        Op::Advance { minutes } => {
            *now += hkic_base::SimDuration::from_minutes(minutes);
            harness.wake_if_due(*now);
        }
        Op::Line { pick, fail } if !model.line_requests.is_empty() => {
            let card = model.line_requests[pick % model.line_requests.len()];
            let answer = model.line_answer(card, fail);
            harness.input(*now, answer);
        }
        Op::Registry { pick } if !model.registry_requests.is_empty() => {
            let card = model.registry_requests[pick % model.registry_requests.len()];
            harness.input(*now, registry_reply(card));
        }
        Op::Line { .. } | Op::Registry { .. } => {}
        Op::Crash => harness.restart_at(*now),
    }
}

/// Faults healed: the disk keeps up, the line and the registry answer every request, time
/// moves to each wake-up the service asks for.
fn heal(
    harness: &mut Harness,
    model: &mut Model,
    now: &mut SimTime,
    events_seen: &mut usize,
) -> Result<(), TestCaseError> {
    let (mut line_done, mut registry_done) = (0, 0);
    for _ in 0..HEALED_ROUNDS {
        harness.settle(*now);
        model.observe(harness, *now, events_seen)?;
        let line_new = model.line_requests[line_done..].to_vec();
        let registry_new = model.registry_requests[registry_done..].to_vec();
        (line_done, registry_done) = (model.line_requests.len(), model.registry_requests.len());
        for &card in &line_new {
            let answer = model.line_answer(card, false);
            harness.input(*now, answer);
        }
        for &card in &registry_new {
            harness.input(*now, registry_reply(card));
        }
        if line_new.is_empty() && registry_new.is_empty() && harness.pending.is_empty() {
            if harness.service.counts().backlog == 0 {
                return Ok(());
            }
            let Some(wake) = harness.wake else {
                return Err(TestCaseError::fail(
                    "work remains and no wake-up is asked for",
                ));
            };
            *now = (*now).max(wake);
            harness.wake_if_due(*now);
        }
    }
    Err(TestCaseError::fail("the healed phase did not converge"))
}

proptest! {
    /// Every acknowledged order ends in exactly one dispatched, verified card; card numbers
    /// are never reused; nothing is dispatched before its lead time.
    #[test]
    fn every_acknowledged_order_yields_exactly_one_dispatched_verified_card(
        ops in proptest::collection::vec(op(), 1..200),
    ) {
        let mut harness = Harness::new(config_with_lead(LEAD));
        let mut model = Model::default();
        let mut now = at("2024-03-04", "08:00");
        let mut events_seen = 0;
        for op in ops {
            apply_op(&mut harness, &mut model, &mut now, op);
            model.observe(&mut harness, now, &mut events_seen)?;
        }
        heal(&mut harness, &mut model, &mut now, &mut events_seen)?;
        for &application in &model.acknowledged {
            let view = harness.service.order(application).unwrap();
            prop_assert_eq!(view.state, OrderState::Dispatched);
            let cards = &model.dispatched[&application];
            prop_assert_eq!(cards.len(), 1);
            prop_assert_eq!(Some(*cards.first().unwrap()), view.card);
        }
        let counts = harness.service.counts();
        prop_assert_eq!(counts.cards_allocated, counts.cards_verified + counts.cards_remade);
        prop_assert_eq!(counts.cards_dispatched, counts.orders);
    }
}
