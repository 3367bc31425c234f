//! The production service: card orders from registration, daily personalisation batches, the
//! read-back check and re-makes, and dispatch to the card registry after the lead time.
//!
//! Inputs: `ProduceCardRequest` (from registration), `PersonaliseReply` (from the
//! personalisation line), `CardDispatchReply` (from the card registry), disk completions and
//! wake-ups; other messages are ignored. Outputs: `ProduceCardReply`, `PersonaliseRequest`,
//! `CardDispatchRequest`, journal disk requests, wake-up times and [`ProductionEvent`]s.
//!
//! Rules:
//! - an order received before the day's cut-off on a working day joins that day's batch,
//!   any other the next working day's; the batch day is journaled with the order;
//! - at the batch's cut-off each order gets a fresh card number and goes to the line;
//! - a verified card is due for dispatch `lead_time_working_days` working days after its
//!   batch day, at the cut-off time (or when verified, if a re-make ends later);
//! - a failed card is destroyed; the order gets a new number and goes to the line again.
//!
//! The Document Signer schedule ([`DocumentSignerSchedule`]: a new signer every period,
//! ICAO 9303-12) is defined here, with production's rules; the line applies it, signing
//! each card with the signer in service on its date of issue (the simulator's issuer).
//!
//! Persists: every order (with its batch day), card number, verdict and acknowledged
//! dispatch, in its [`Journal`], before anybody is told about it: a reply, event or request
//! to the line or the registry leaves only once every record appended before it is durable,
//! so no peer ever learns a card number or an order that a crash could make the service
//! forget. Requests to the line and the registry are retried until answered, never given up.
//!
//! Recovery rebuilds the state from the media; the first input after it (hosts deliver a
//! wake-up to a restarted service) starts again every personalisation and dispatch whose
//! answer the journal does not hold and re-arms the timers (`batches.rs`: batch days, due
//! times and what each wake-up does).
//!
//! Invariants it keeps: one order per application (a repeat is acknowledged with no second
//! card); a card number is never given twice, a failed card's included; an order has at most
//! one card at the line, and only a verified card is dispatched, once, never before its due
//! time.
//!
//! [`Journal`]: crate::journal::Journal

mod batches;
pub mod document_signers;
mod orders;
mod records;

use hkic_base::{Calendar, Date, SimTime, Stream, TimeOfDay};

pub use crate::records::MalformedRecord;
pub use document_signers::{DocumentSignerSchedule, ScheduleError};
pub use orders::{OrderState, OrderView, ProductionCounts};

use orders::Orders;
use records::Record;

use crate::durable::{Durable, recovered_event};
use crate::io::{Address, FileNumber, Input, Output};
use crate::messages::{
    ApplicationId, CardId, CardOrder, CentreId, Message, PersonalisationOutcome, ResidentId,
};
use crate::outbox::Outbox;
use crate::records::{JournalRecord, replay};
use crate::rpc::RetryPolicy;

/// The journal's file on the service's disk.
pub const JOURNAL_FILE: FileNumber = FileNumber(0);

/// New cards are numbered from here by default: old cards are numbered by resident, far
/// below.
pub const FIRST_CARD_DEFAULT: CardId = CardId(1 << 40);

#[derive(Clone, Debug)]
pub struct ProductionConfig {
    /// Must cover every day the service runs and the lead time after it.
    pub calendar: Calendar,
    pub lead_time_working_days: u32,
    /// Orders received before this time of a working day join that day's batch.
    pub batch_cut_off: TimeOfDay,
    pub personalisation_line: Address,
    pub registry: Address,
    /// For requests to the line and the registry (retried without giving up).
    pub retry: RetryPolicy,
    pub jitter: Stream,
    /// The lowest card number the service allocates.
    pub first_card: CardId,
}

/// What observers learn, once it is durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductionEvent {
    OrderReceived {
        application: ApplicationId,
        resident: ResidentId,
        centre: CentreId,
        batch_day: Date,
    },
    CardAllocated {
        application: ApplicationId,
        card: CardId,
    },
    /// `verified: false` means the card failed and a re-make follows.
    Personalised {
        application: ApplicationId,
        card: CardId,
        verified: bool,
    },
    Dispatched {
        application: ApplicationId,
        card: CardId,
        centre: CentreId,
    },
    Recovered {
        records: u64,
        duplicates: u64,
        orphaned: u64,
        skipped_bytes: u64,
    },
}

recovered_event!(ProductionEvent);

/// A request to another service, keyed by what makes it idempotent there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum CallKey {
    Personalise(CardId),
    Dispatch(CardId),
}

#[derive(Debug)]
pub struct ProductionService {
    config: ProductionConfig,
    orders: Orders,
    /// The journal, the replies and events held until it is durable, and the outputs.
    durable: Durable<ProductionEvent>,
    outbox: Outbox<CallKey>,
}

impl ProductionService {
    pub fn new(config: ProductionConfig) -> ProductionService {
        ProductionService {
            orders: Orders::new(config.first_card),
            durable: Durable::new(JOURNAL_FILE),
            outbox: Outbox::new(config.retry, config.jitter.clone()),
            config,
        }
    }

    /// Rebuilds the service from its journal's media after a crash.
    pub fn recover(
        config: ProductionConfig,
        media: &[u8],
    ) -> Result<ProductionService, MalformedRecord> {
        let (durable, records) = Durable::recover(JOURNAL_FILE, media);
        let mut service = ProductionService {
            durable,
            ..ProductionService::new(config)
        };
        let orders = &mut service.orders;
        replay(&records, |record| orders.apply(record))?;
        Ok(service)
    }

    pub fn handle_input(&mut self, now: SimTime, input: Input) {
        if self.durable.resuming() {
            self.resume(now);
        }
        if let Some((from, message)) = self.durable.receive(input) {
            self.handle_message(now, from, message);
        }
        self.outbox.expire(now, self.durable.outputs());
        self.allocate_due(now);
        self.start_due_dispatches(now);
        self.durable.pump();
        self.durable.release_calls(now, &mut self.outbox);
        self.schedule_wake();
    }

    pub fn poll_output(&mut self) -> Option<Output<ProductionEvent>> {
        self.durable.poll_output()
    }

    /// The order for that application, as far as this incarnation knows (an answer about it
    /// may still be waiting for the journal).
    pub fn order(&self, application: ApplicationId) -> Option<OrderView> {
        self.orders.view(application)
    }

    /// The application a card number was allocated to, failed cards included.
    pub fn application_of(&self, card: CardId) -> Option<ApplicationId> {
        self.orders.application_of(card)
    }

    /// Orders, backlog (orders not yet dispatched) and cards allocated, produced (verified),
    /// re-made and dispatched.
    pub fn counts(&self) -> ProductionCounts {
        self.orders.counts()
    }

    fn handle_message(&mut self, now: SimTime, from: Address, message: Message) {
        match message {
            Message::ProduceCardRequest { order } => self.receive(now, from, order),
            Message::PersonaliseReply {
                card,
                application,
                outcome,
            } => self.personalised(card, application, outcome),
            Message::CardDispatchReply { card } => self.dispatched(card),
            // Not addressed to this service: a stray message changes nothing.
            _ => {}
        }
    }

    fn receive(&mut self, now: SimTime, from: Address, order: CardOrder) {
        let application = order.application;
        let reply = Some((from, Message::ProduceCardReply { application }));
        if self.orders.contains(application) {
            // Idempotent: the first order stays; acknowledged once it is durable.
            self.durable.hold(reply, None);
            return;
        }
        let batch_day = self.batch_day_for(now);
        self.commit(Record::OrderReceived { order, batch_day });
        let event = ProductionEvent::OrderReceived {
            application,
            resident: order.resident,
            centre: order.centre,
            batch_day,
        };
        self.durable.hold(reply, Some(event));
    }

    fn personalised(
        &mut self,
        card: CardId,
        application: ApplicationId,
        outcome: PersonalisationOutcome,
    ) {
        self.outbox.complete(CallKey::Personalise(card));
        let view = self.orders.view(application);
        let at_line = view
            .is_some_and(|view| view.state == OrderState::Personalising && view.card == Some(card));
        if !at_line {
            return; // a repeated or stray answer
        }
        let verified = outcome == PersonalisationOutcome::Verified;
        self.commit(Record::Personalised {
            application,
            card,
            verified,
        });
        let event = ProductionEvent::Personalised {
            application,
            card,
            verified,
        };
        self.durable.hold(None, Some(event));
        // A failed card's order is queued again with a past cut-off: `allocate_due` re-makes
        // it at once.
    }

    fn dispatched(&mut self, card: CardId) {
        self.outbox.complete(CallKey::Dispatch(card));
        let Some(application) = self.orders.application_of(card) else {
            return;
        };
        let view = self
            .orders
            .view(application)
            .expect("a card's order exists");
        if view.state != OrderState::Verified || view.card != Some(card) {
            return; // a repeated or stray answer
        }
        self.commit(Record::Dispatched { application, card });
        let centre = view.order.centre;
        let event = ProductionEvent::Dispatched {
            application,
            card,
            centre,
        };
        self.durable.hold(None, Some(event));
    }

    /// Applies a decided record and journals it. A record the state refuses is a bug in the
    /// decision, not bad input: it stops the service before it reaches the journal.
    fn commit(&mut self, record: Record) {
        if let Err(problem) = self.orders.apply(record) {
            panic!("production decided a record that contradicts its state: {problem}");
        }
        self.durable.append(&record.encode());
    }
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
