//! The hand-off of accepted applications to production: a `ProduceCardRequest` per
//! accepted application, released once the acceptance is durable, retried until production
//! acknowledges it, and the acknowledgement journaled so that a restart sends again exactly
//! the orders production has not acknowledged.

use hkic_base::SimTime;

use super::RegistrationService;
use super::records::Record;
use crate::messages::{ApplicationId, CardOrder, Message};

impl RegistrationService {
    /// Accepted applications whose card order production has not acknowledged.
    pub fn awaiting_production(&self) -> usize {
        self.applications.awaiting_production_len()
    }

    /// The card order for an accepted application; `None` for any other.
    fn card_order(&self, application: ApplicationId) -> Option<CardOrder> {
        let view = self.applications.view(application)?;
        Some(CardOrder {
            application,
            resident: view.resident,
            centre: view.centre,
            acknowledgement: view.acknowledgement?,
            old_card: view.old_card,
            thumbs: view.thumbs,
            photo: view.photo?,
        })
    }

    fn card_order_request(&self, application: ApplicationId) -> Message {
        let order = self
            .card_order(application)
            .expect("an accepted application");
        Message::ProduceCardRequest { order }
    }

    /// Sends the order of an application just accepted once its acceptance is durable.
    pub(super) fn hold_hand_off(&mut self, application: ApplicationId) {
        let message = self.card_order_request(application);
        let to = self.config.production;
        self.durable
            .hold_call(&mut self.outbox, application, to, message);
    }

    /// Production acknowledged the order: no more attempts, and the journal remembers it.
    /// An acknowledgement of an order that has not left yet is stray (production cannot have
    /// it): it changes nothing.
    pub(super) fn handed_off(&mut self, application: ApplicationId) {
        if !self.outbox.is_sent(application) {
            return;
        }
        self.outbox.complete(application);
        if self.applications.is_awaiting_production(application) {
            self.commit(Record::HandedOff { application });
        }
    }

    /// After recovery: every accepted application production has not acknowledged is sent
    /// again (the acceptances are durable: they were read from the media).
    pub(super) fn resume(&mut self, now: SimTime) {
        let awaiting: Vec<ApplicationId> = self.applications.awaiting_production().collect();
        let to = self.config.production;
        for application in awaiting {
            let message = self.card_order_request(application);
            self.outbox
                .start(now, application, to, message, self.durable.outputs());
        }
    }

    /// Asks for a wake-up at the next retry.
    pub(super) fn schedule_wake(&mut self) {
        self.durable.wake_at(self.outbox.next_deadline());
    }
}
