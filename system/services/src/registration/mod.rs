//! The registration service: applications for a new card, opened at a registration kiosk
//! or counter and completed at the photo counter, with the duplicate check on the thumbs.
//!
//! Inputs: `OpenApplicationRequest` and `CompleteApplicationRequest` messages,
//! `ProduceCardReply` from production (others are ignored), disk completions and wake-ups.
//! Outputs: replies, `ProduceCardRequest`s, journal disk requests, wake-up times and
//! [`RegistrationEvent`]s.
//!
//! Persists: every opening, hold and acceptance, and production's acknowledgement of each
//! card order, in its [`Journal`], before anybody is told about it. A reply (even a refusal)
//! is released only once every record appended before it is durable, so no answer ever
//! depends on state a crash could lose.
//!
//! The hand-off to production (`hand_off.rs`): once an acceptance is durable, its card order
//! goes to production, retried until acknowledged; on the first input after recovery (hosts
//! wake a restarted service) every accepted application without a durable acknowledgement
//! is sent again. Production never depends on the `Accepted` event, which a crash can lose.
//!
//! Invariants it keeps:
//! - a resident has at most one application: a repeated opening returns the same number;
//! - one old card opens one resident's application;
//! - two residents never share accepted thumbs: the second is held as a suspected duplicate;
//! - an acknowledgement never changes once told: a repeated completion returns it again.
//!
//! The duplicate check compares digests: the 1:N matcher over templates (in
//! `hkic-biometrics`) decides which enrolled capture a new one matches, and the simulator
//! hands the service the digest of that capture.
//!
//! [`Journal`]: crate::journal::Journal

mod applications;
mod hand_off;
mod records;

use hkic_base::{SimTime, Stream};

pub use crate::records::MalformedRecord;
pub use applications::{ApplicationState, ApplicationView};

use applications::Applications;
use records::Record;

use crate::durable::{Durable, recovered_event};
use crate::io::{Address, FileNumber, Input, Output};
use crate::messages::{
    AcknowledgementReference, ApplicationId, ApplicationOpening, BiometricDigest, CardId, CentreId,
    CompleteApplicationOutcome, Message, OfficerId, OpenApplicationOutcome, OpenRefusal,
    ResidentId,
};
use crate::outbox::Outbox;
use crate::records::{JournalRecord, replay};
use crate::rpc::RetryPolicy;

/// The journal's file on the service's disk.
pub const JOURNAL_FILE: FileNumber = FileNumber(0);

#[derive(Clone, Debug)]
pub struct RegistrationConfig {
    /// Keys the acknowledgement references, so that nobody can work one out from an
    /// application number.
    pub acknowledgement_key: u64,
    /// The production service, which gets every accepted application's card order.
    pub production: Address,
    /// For the card orders (retried without giving up).
    pub retry: RetryPolicy,
    pub jitter: Stream,
}

/// What observers learn, once it is durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationEvent {
    Opened {
        application: ApplicationId,
        resident: ResidentId,
        centre: CentreId,
    },
    Accepted {
        application: ApplicationId,
        resident: ResidentId,
        centre: CentreId,
        acknowledgement: AcknowledgementReference,
        old_card: CardId,
        thumbs: BiometricDigest,
        photo: BiometricDigest,
    },
    DuplicateHeld {
        application: ApplicationId,
        resident: ResidentId,
        enrolled_by: ResidentId,
    },
    Recovered {
        records: u64,
        duplicates: u64,
        orphaned: u64,
        skipped_bytes: u64,
    },
}

recovered_event!(RegistrationEvent);

#[derive(Debug)]
pub struct RegistrationService {
    config: RegistrationConfig,
    applications: Applications,
    /// The journal, the replies held until it is durable, and the outputs.
    durable: Durable<RegistrationEvent>,
    /// Card orders to production, keyed by application.
    outbox: Outbox<ApplicationId>,
}

impl RegistrationService {
    pub fn new(config: RegistrationConfig) -> RegistrationService {
        RegistrationService {
            outbox: Outbox::new(config.retry, config.jitter.clone()),
            config,
            applications: Applications::default(),
            durable: Durable::new(JOURNAL_FILE),
        }
    }

    /// Rebuilds the service from its journal's media after a crash.
    pub fn recover(
        config: RegistrationConfig,
        media: &[u8],
    ) -> Result<RegistrationService, MalformedRecord> {
        let (durable, records) = Durable::recover(JOURNAL_FILE, media);
        let mut service = RegistrationService {
            durable,
            ..RegistrationService::new(config)
        };
        let applications = &mut service.applications;
        replay(&records, |record| applications.apply(record))?;
        Ok(service)
    }

    /// Registration's rules do not depend on time; the hand-offs' retries do.
    pub fn handle_input(&mut self, now: SimTime, input: Input) {
        if self.durable.resuming() {
            self.resume(now);
        }
        match self.durable.receive(input) {
            Some((_, Message::ProduceCardReply { application })) => self.handed_off(application),
            Some((from, message)) => self.handle_message(from, message),
            None => {}
        }
        self.outbox.expire(now, self.durable.outputs());
        self.durable.pump();
        self.durable.release_calls(now, &mut self.outbox);
        self.schedule_wake();
    }

    pub fn poll_output(&mut self) -> Option<Output<RegistrationEvent>> {
        self.durable.poll_output()
    }

    /// The application with that number, as far as this incarnation knows (an answer about
    /// it may still be waiting for the journal).
    pub fn application(&self, application: ApplicationId) -> Option<ApplicationView> {
        self.applications.view(application)
    }

    /// The accepted application an acknowledgement slip refers to.
    pub fn application_by_acknowledgement(
        &self,
        acknowledgement: AcknowledgementReference,
    ) -> Option<ApplicationView> {
        self.applications.by_acknowledgement(acknowledgement)
    }

    /// Applications opened so far.
    pub fn application_count(&self) -> usize {
        self.applications.len()
    }

    fn handle_message(&mut self, from: Address, message: Message) {
        let Some((reply, event)) = self.answer(message) else {
            return;
        };
        self.durable.hold(Some((from, reply)), event);
    }

    /// Decides a request: its reply, and the event it reveals once durable. `None` for
    /// messages not addressed to the registration service: a stray one changes nothing.
    fn answer(&mut self, message: Message) -> Option<(Message, Option<RegistrationEvent>)> {
        let answer = match message {
            Message::OpenApplicationRequest { opening } => {
                let resident = opening.resident;
                let (outcome, event) = self.open(opening);
                (Message::OpenApplicationReply { resident, outcome }, event)
            }
            Message::CompleteApplicationRequest {
                resident,
                application,
                photo,
                officer,
            } => {
                let (outcome, event) = self.complete(resident, application, photo, officer);
                let reply = Message::CompleteApplicationReply {
                    resident,
                    application,
                    outcome,
                };
                (reply, event)
            }
            // Not addressed to this service: a stray message changes nothing.
            _ => return None,
        };
        Some(answer)
    }

    fn open(
        &mut self,
        opening: ApplicationOpening,
    ) -> (OpenApplicationOutcome, Option<RegistrationEvent>) {
        let resident = opening.resident;
        if let Some(application) = self.applications.of_resident(resident) {
            let view = self.applications.view(application).expect("indexed");
            let outcome = match view.acknowledgement {
                Some(acknowledgement) => OpenApplicationOutcome::AlreadyAccepted {
                    application,
                    acknowledgement,
                },
                None => OpenApplicationOutcome::Opened { application },
            };
            return (outcome, None);
        }
        if self.applications.card_holder(opening.old_card).is_some() {
            let reason = OpenRefusal::OldCardNotCurrent;
            return (OpenApplicationOutcome::Refused { reason }, None);
        }
        let application = self.applications.next_id();
        self.commit(Record::Opened {
            application,
            resident,
            centre: opening.centre,
            old_card: opening.old_card,
            eform: opening.eform,
            identity: opening.identity,
            thumbs: opening.thumbs,
        });
        let event = RegistrationEvent::Opened {
            application,
            resident,
            centre: opening.centre,
        };
        (OpenApplicationOutcome::Opened { application }, Some(event))
    }

    fn complete(
        &mut self,
        resident: ResidentId,
        application: ApplicationId,
        photo: BiometricDigest,
        officer: OfficerId,
    ) -> (CompleteApplicationOutcome, Option<RegistrationEvent>) {
        let view = self.applications.view(application);
        let Some(view) = view.filter(|view| view.resident == resident) else {
            return (CompleteApplicationOutcome::NotOpen, None);
        };
        match view.state {
            ApplicationState::Accepted => {
                let acknowledgement = view.acknowledgement.expect("accepted, so acknowledged");
                return (
                    CompleteApplicationOutcome::Accepted { acknowledgement },
                    None,
                );
            }
            ApplicationState::Held => {
                return (CompleteApplicationOutcome::DuplicateSuspected, None);
            }
            ApplicationState::Open => {}
        }
        if let Some(enrolled_by) = self.applications.enrolled_by(view.thumbs) {
            self.commit(Record::Held {
                application,
                enrolled_by,
            });
            let event = RegistrationEvent::DuplicateHeld {
                application,
                resident,
                enrolled_by,
            };
            return (CompleteApplicationOutcome::DuplicateSuspected, Some(event));
        }
        let acknowledgement = self
            .applications
            .fresh_acknowledgement(application, self.config.acknowledgement_key);
        self.commit(Record::Accepted {
            application,
            photo,
            officer,
            acknowledgement,
        });
        self.hold_hand_off(application);
        let event = RegistrationEvent::Accepted {
            application,
            resident,
            centre: view.centre,
            acknowledgement,
            old_card: view.old_card,
            thumbs: view.thumbs,
            photo,
        };
        (
            CompleteApplicationOutcome::Accepted { acknowledgement },
            Some(event),
        )
    }

    /// Applies a decided record and journals it. A record the state refuses is a bug in the
    /// decision, not bad input: it stops the service before it reaches the journal.
    fn commit(&mut self, record: Record) {
        if let Err(problem) = self.applications.apply(record) {
            panic!("registration decided a record that contradicts its state: {problem}");
        }
        self.durable.append(&record.encode());
    }
}

#[cfg(test)]
mod hand_off_tests;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
