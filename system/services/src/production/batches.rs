//! The production service's clock: which batch an order joins, when a card is due, and
//! what each wake-up does (allocate the batch's card numbers at its cut-off, start the
//! dispatches now due, restart after recovery what was in flight).

use hkic_base::{Date, SimTime};

use super::records::Record;
use super::{CallKey, ProductionEvent, ProductionService};
use crate::io::Address;
use crate::messages::{CardDispatch, CardId, CardOrder, Message};

impl ProductionService {
    /// When a card of an order in this batch is due for dispatch.
    pub fn dispatch_due(&self, batch_day: Date) -> SimTime {
        let calendar = &self.config.calendar;
        let day = calendar
            .add_working_days(batch_day, self.config.lead_time_working_days)
            .expect("the calendar covers the production lead time");
        SimTime::at(day, self.config.batch_cut_off)
    }

    /// The batch an order received at `now` joins.
    pub fn batch_day_for(&self, now: SimTime) -> Date {
        let calendar = &self.config.calendar;
        let today = now.date();
        if calendar.is_working_day(today) && now.time_of_day() < self.config.batch_cut_off {
            return today;
        }
        calendar
            .add_working_days(today, 1)
            .expect("the calendar covers the next working day")
    }

    pub(super) fn cut_off(&self, batch_day: Date) -> SimTime {
        SimTime::at(batch_day, self.config.batch_cut_off)
    }

    /// Gives a card number to every queued order whose batch's cut-off has passed (a re-make
    /// has passed it already) and sends it to the line once the number is durable.
    pub(super) fn allocate_due(&mut self, now: SimTime) {
        for _ in 0..self.orders.queued_len() {
            let Some((batch_day, application)) = self.orders.first_queued() else {
                return;
            };
            if self.cut_off(batch_day) > now {
                return;
            }
            let card = self.orders.next_card();
            self.commit(Record::CardAllocated { application, card });
            let order = self
                .orders
                .view(application)
                .expect("queued, so held")
                .order;
            let (to, message) = self.personalise_request(card, order);
            let key = CallKey::Personalise(card);
            self.durable.hold_call(&mut self.outbox, key, to, message);
            let event = ProductionEvent::CardAllocated { application, card };
            self.durable.hold(None, Some(event));
        }
    }

    /// Starts the dispatch of every verified card now due; it leaves once the verdict is
    /// durable.
    pub(super) fn start_due_dispatches(&mut self, now: SimTime) {
        for _ in 0..self.orders.awaiting_dispatch_len() {
            let Some((batch_day, application)) = self.orders.first_awaiting_dispatch() else {
                return;
            };
            if self.dispatch_due(batch_day) > now {
                return;
            }
            self.orders.dispatch_started(batch_day, application);
            let view = self.orders.view(application).expect("verified, so held");
            let card = view.card.expect("a verified order has a card");
            let dispatch = CardDispatch {
                card,
                order: view.order,
            };
            let (to, message) = (
                self.config.registry,
                Message::CardDispatchRequest { dispatch },
            );
            let key = CallKey::Dispatch(card);
            self.durable.hold_call(&mut self.outbox, key, to, message);
        }
    }

    pub(super) fn personalise_request(&self, card: CardId, order: CardOrder) -> (Address, Message) {
        let message = Message::PersonaliseRequest { card, order };
        (self.config.personalisation_line, message)
    }

    /// After recovery: every card the journal says is at the line goes to it again (the line
    /// is idempotent per card); verified cards are re-armed by `start_due_dispatches`.
    pub(super) fn resume(&mut self, now: SimTime) {
        let at_line: Vec<(CardId, CardOrder)> = self.orders.personalising().collect();
        for (card, order) in at_line {
            let (to, message) = self.personalise_request(card, order);
            self.outbox.start(
                now,
                CallKey::Personalise(card),
                to,
                message,
                self.durable.outputs(),
            );
        }
    }

    /// Asks for a wake-up at the earliest of: a retry, a batch cut-off, a dispatch due.
    pub(super) fn schedule_wake(&mut self) {
        let cut_off = self
            .orders
            .first_queued()
            .map(|(batch_day, _)| self.cut_off(batch_day));
        let due = self
            .orders
            .first_awaiting_dispatch()
            .map(|(batch_day, _)| self.dispatch_due(batch_day));
        let next = [self.outbox.next_deadline(), cut_off, due]
            .into_iter()
            .flatten()
            .min();
        self.durable.wake_at(next);
    }
}
