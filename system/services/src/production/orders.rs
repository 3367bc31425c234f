//! The orders the production service holds, their cards, and the indexes its timers read.
//! State changes only through [`Orders::apply`], on decision and on recovery alike, and
//! `apply` refuses a record that contradicts the state: the same check guards what the
//! service decides and what it reads back from its media.

use std::collections::{BTreeMap, BTreeSet};

use hkic_base::Date;

use super::records::Record;
use crate::messages::{ApplicationId, CardId, CardOrder};

/// Where an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderState {
    /// Waiting for a card number: its batch's cut-off has not come, or its last card failed
    /// and the re-make is not allocated yet.
    Queued,
    /// A card is at the personalisation line.
    Personalising,
    /// The card passed its read-back check and waits for its dispatch.
    Verified,
    /// The card registry acknowledged the dispatch.
    Dispatched,
}

/// What the service knows of one order, for checkers and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderView {
    pub order: CardOrder,
    /// The working day whose batch the order joined.
    pub batch_day: Date,
    pub state: OrderState,
    /// The current card: `None` while queued.
    pub card: Option<CardId>,
    /// Cards that failed personalisation for this order.
    pub failures: u16,
}

/// Totals, for reports and checkers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProductionCounts {
    pub orders: u64,
    /// Orders not yet dispatched.
    pub backlog: u64,
    /// Card numbers allocated (first cards and re-makes).
    pub cards_allocated: u64,
    /// Cards that passed their read-back check: the cards produced.
    pub cards_verified: u64,
    /// Cards that failed, each re-made under a new number.
    pub cards_remade: u64,
    pub cards_dispatched: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Queued,
    Personalising(CardId),
    Verified(CardId),
    Dispatched(CardId),
}

/// Fixed-size: no strings or boxes.
#[derive(Clone, Copy, Debug)]
struct Stored {
    order: CardOrder,
    batch_day: Date,
    stage: Stage,
    failures: u16,
}

#[derive(Debug)]
pub(super) struct Orders {
    orders: BTreeMap<ApplicationId, Stored>,
    /// Every card number ever allocated, failed ones included: numbers are never reused.
    cards: BTreeMap<CardId, ApplicationId>,
    /// Orders waiting for a card, by batch day.
    queued: BTreeSet<(Date, ApplicationId)>,
    /// Verified orders whose dispatch this incarnation has not started, by batch day (the
    /// due time grows with it).
    awaiting_dispatch: BTreeSet<(Date, ApplicationId)>,
    next_card: CardId,
    counts: ProductionCounts,
}

impl Orders {
    pub(super) fn new(first_card: CardId) -> Orders {
        Orders {
            orders: BTreeMap::new(),
            cards: BTreeMap::new(),
            queued: BTreeSet::new(),
            awaiting_dispatch: BTreeSet::new(),
            next_card: first_card,
            counts: ProductionCounts::default(),
        }
    }

    pub(super) fn contains(&self, application: ApplicationId) -> bool {
        self.orders.contains_key(&application)
    }

    /// A number above every card allocated so far (and at least the configured first).
    pub(super) fn next_card(&self) -> CardId {
        self.next_card
    }

    pub(super) fn application_of(&self, card: CardId) -> Option<ApplicationId> {
        self.cards.get(&card).copied()
    }

    pub(super) fn counts(&self) -> ProductionCounts {
        ProductionCounts {
            backlog: self.counts.orders - self.counts.cards_dispatched,
            ..self.counts
        }
    }

    pub(super) fn queued_len(&self) -> usize {
        self.queued.len()
    }

    /// The earliest batch day an order waits on.
    pub(super) fn first_queued(&self) -> Option<(Date, ApplicationId)> {
        self.queued.first().copied()
    }

    pub(super) fn awaiting_dispatch_len(&self) -> usize {
        self.awaiting_dispatch.len()
    }

    pub(super) fn first_awaiting_dispatch(&self) -> Option<(Date, ApplicationId)> {
        self.awaiting_dispatch.first().copied()
    }

    /// The dispatch of this verified order is under way in this incarnation.
    pub(super) fn dispatch_started(&mut self, batch_day: Date, application: ApplicationId) {
        let removed = self.awaiting_dispatch.remove(&(batch_day, application));
        assert!(removed, "a dispatch starts for a verified order");
    }

    /// Orders whose card is at the line, with that card.
    pub(super) fn personalising(&self) -> impl Iterator<Item = (CardId, CardOrder)> + '_ {
        self.orders
            .values()
            .filter_map(|stored| match stored.stage {
                Stage::Personalising(card) => Some((card, stored.order)),
                _ => None,
            })
    }

    pub(super) fn view(&self, application: ApplicationId) -> Option<OrderView> {
        let stored = self.orders.get(&application)?;
        let (state, card) = match stored.stage {
            Stage::Queued => (OrderState::Queued, None),
            Stage::Personalising(card) => (OrderState::Personalising, Some(card)),
            Stage::Verified(card) => (OrderState::Verified, Some(card)),
            Stage::Dispatched(card) => (OrderState::Dispatched, Some(card)),
        };
        Some(OrderView {
            order: stored.order,
            batch_day: stored.batch_day,
            state,
            card,
            failures: stored.failures,
        })
    }

    /// Applies a record, or says what it contradicts (and changes nothing).
    pub(super) fn apply(&mut self, record: Record) -> Result<(), &'static str> {
        match record {
            Record::OrderReceived { order, batch_day } => {
                let application = order.application;
                if self.orders.contains_key(&application) {
                    return Err("an order repeats an application already ordered");
                }
                let stage = Stage::Queued;
                let failures = 0;
                let stored = Stored {
                    order,
                    batch_day,
                    stage,
                    failures,
                };
                self.orders.insert(application, stored);
                self.queued.insert((batch_day, application));
                self.counts.orders += 1;
            }
            Record::CardAllocated { application, card } => {
                let stored = self.in_stage(application, Stage::Queued)?;
                if self.cards.contains_key(&card) {
                    return Err("an allocation reuses a card number");
                }
                let batch_day = stored.batch_day;
                let following = card.0.checked_add(1).ok_or("card numbers ran out")?;
                self.set_stage(application, Stage::Personalising(card));
                self.queued.remove(&(batch_day, application));
                self.cards.insert(card, application);
                self.next_card = self.next_card.max(CardId(following));
                self.counts.cards_allocated += 1;
            }
            Record::Personalised {
                application,
                card,
                verified,
            } => {
                let stored = self.in_stage(application, Stage::Personalising(card))?;
                let batch_day = stored.batch_day;
                if verified {
                    self.set_stage(application, Stage::Verified(card));
                    self.awaiting_dispatch.insert((batch_day, application));
                    self.counts.cards_verified += 1;
                } else {
                    self.set_stage(application, Stage::Queued);
                    self.queued.insert((batch_day, application));
                    let stored = self.orders.get_mut(&application).expect("checked");
                    stored.failures = stored.failures.saturating_add(1);
                    self.counts.cards_remade += 1;
                }
            }
            Record::Dispatched { application, card } => {
                let stored = self.in_stage(application, Stage::Verified(card))?;
                let batch_day = stored.batch_day;
                self.set_stage(application, Stage::Dispatched(card));
                self.awaiting_dispatch.remove(&(batch_day, application));
                self.counts.cards_dispatched += 1;
            }
        }
        Ok(())
    }

    fn in_stage(&self, application: ApplicationId, stage: Stage) -> Result<Stored, &'static str> {
        match self.orders.get(&application) {
            Some(stored) if stored.stage == stage => Ok(*stored),
            Some(_) => Err("a record finds its order in another stage"),
            None => Err("a record names an application never ordered"),
        }
    }

    fn set_stage(&mut self, application: ApplicationId, stage: Stage) {
        self.orders.get_mut(&application).expect("checked").stage = stage;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{AcknowledgementReference, BiometricDigest, CentreId, ResidentId};

    fn order(number: u64) -> CardOrder {
        CardOrder {
            application: ApplicationId(number),
            resident: ResidentId(number as u32),
            centre: CentreId(0),
            acknowledgement: AcknowledgementReference(number),
            old_card: CardId(number),
            thumbs: BiometricDigest(number),
            photo: BiometricDigest(number),
        }
    }

    #[test]
    fn an_order_stays_small() {
        assert!(size_of::<Stored>() <= 80, "{}", size_of::<Stored>());
    }

    #[test]
    fn a_card_number_is_never_allocated_twice_even_after_a_failure() {
        let mut orders = Orders::new(CardId(10));
        let batch_day = Date::from_days_since_epoch(100);
        for number in 0..2 {
            let received = Record::OrderReceived {
                order: order(number),
                batch_day,
            };
            orders.apply(received).unwrap();
        }
        let (application, card) = (ApplicationId(0), CardId(10));
        orders
            .apply(Record::CardAllocated { application, card })
            .unwrap();
        let failed = Record::Personalised {
            application,
            card,
            verified: false,
        };
        orders.apply(failed).unwrap();
        assert_eq!(orders.next_card(), CardId(11));
        let reuse = Record::CardAllocated {
            application: ApplicationId(1),
            card,
        };
        assert_eq!(
            orders.apply(reuse),
            Err("an allocation reuses a card number")
        );
        let view = orders.view(application).unwrap();
        assert_eq!((view.state, view.failures), (OrderState::Queued, 1));
        assert_eq!(orders.counts().cards_remade, 1);
    }

    #[test]
    fn records_out_of_stage_are_refused() {
        let mut orders = Orders::new(CardId(10));
        let (application, card) = (ApplicationId(0), CardId(10));
        let dispatched = Record::Dispatched { application, card };
        let never = "a record names an application never ordered";
        assert_eq!(orders.apply(dispatched), Err(never));
        let batch_day = Date::from_days_since_epoch(100);
        let received = Record::OrderReceived {
            order: order(0),
            batch_day,
        };
        orders.apply(received).unwrap();
        let other = "a record finds its order in another stage";
        assert_eq!(orders.apply(dispatched), Err(other));
        assert_eq!(
            orders.apply(received),
            Err("an order repeats an application already ordered")
        );
        assert_eq!(orders.counts().backlog, 1);
    }
}
