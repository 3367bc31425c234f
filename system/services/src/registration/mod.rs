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

mod applications;
mod hand_off;
mod records;

use std::collections::VecDeque;

use hkic_base::{SimTime, Stream};

pub use applications::{ApplicationState, ApplicationView};
pub use records::MalformedRecord;

use applications::Applications;
use records::Record;

use crate::io::{Address, DiskCompletion, FileNumber, Input, Output};
use crate::journal::{Journal, Progress, RecoveryReport};
use crate::messages::{
    AcknowledgementReference, ApplicationId, ApplicationOpening, BiometricDigest, CardId, CentreId,
    CompleteApplicationOutcome, Message, OfficerId, OpenApplicationOutcome, OpenRefusal,
    ResidentId,
};
use crate::outbox::{Outbox, durable_before};
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

/// A reply (and the event it reveals) held until the journal is durable up to `after`.
#[derive(Debug)]
struct Held {
    after: u64,
    to: Address,
    message: Message,
    event: Option<RegistrationEvent>,
}

#[derive(Debug)]
pub struct RegistrationService {
    config: RegistrationConfig,
    applications: Applications,
    journal: Journal,
    held: VecDeque<Held>,
    outputs: VecDeque<Output<RegistrationEvent>>,
    /// Card orders to production, keyed by application.
    outbox: Outbox<ApplicationId>,
    /// Set by recovery: the first input (which brings the time) restarts the hand-offs.
    resume_pending: bool,
    /// The wake-up asked for last, until it is delivered.
    wake: Option<SimTime>,
}

impl RegistrationService {
    pub fn new(config: RegistrationConfig) -> RegistrationService {
        RegistrationService {
            outbox: Outbox::new(config.retry, config.jitter.clone()),
            config,
            applications: Applications::default(),
            journal: Journal::new(JOURNAL_FILE),
            held: VecDeque::new(),
            outputs: VecDeque::new(),
            resume_pending: false,
            wake: None,
        }
    }

    /// Rebuilds the service from its journal's media after a crash.
    pub fn recover(
        config: RegistrationConfig,
        media: &[u8],
    ) -> Result<RegistrationService, MalformedRecord> {
        let (journal, records, report) = Journal::recover(JOURNAL_FILE, media);
        let mut service = RegistrationService {
            journal,
            resume_pending: true,
            ..RegistrationService::new(config)
        };
        for (index, bytes) in records.iter().enumerate() {
            let record = Record::decode(bytes, index)?;
            service
                .applications
                .apply(record)
                .map_err(|problem| MalformedRecord::Inconsistent { index, problem })?;
        }
        let RecoveryReport {
            records,
            duplicates,
            orphaned,
            skipped_bytes,
        } = report;
        let event = RegistrationEvent::Recovered {
            records,
            duplicates,
            orphaned,
            skipped_bytes,
        };
        service.outputs.push_back(Output::Event(event));
        Ok(service)
    }

    /// Registration's rules do not depend on time; the hand-offs' retries do.
    pub fn handle_input(&mut self, now: SimTime, input: Input) {
        if self.resume_pending {
            self.resume(now);
        }
        match input {
            Input::Message {
                message: Message::ProduceCardReply { application },
                ..
            } => self.handed_off(application),
            Input::Message { from, message } => self.handle_message(from, message),
            Input::Disk(completion) => self.handle_disk(&completion),
            Input::Wake => self.wake = None,
        }
        self.outbox.expire(now, &mut self.outputs);
        self.pump(now);
        self.schedule_wake();
    }

    pub fn poll_output(&mut self) -> Option<Output<RegistrationEvent>> {
        self.outputs.pop_front()
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
        self.held.push_back(Held {
            after: self.journal.next_sequence(),
            to: from,
            message: reply,
            event,
        });
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

    fn handle_disk(&mut self, completion: &DiskCompletion) {
        if self.journal.handle(completion) == Progress::Failed {
            self.outputs
                .push_back(Output::Halt("the journal could not make a batch durable"));
        }
    }

    /// Moves disk requests, and every reply and card order whose dependencies are durable,
    /// to the outputs.
    fn pump(&mut self, now: SimTime) {
        while let Some(request) = self.journal.poll_request() {
            self.outputs.push_back(Output::Disk(request));
        }
        while let Some(held) = self.held.front() {
            if !durable_before(&self.journal, held.after) {
                break;
            }
            let held = self.held.pop_front().expect("front exists");
            if let Some(event) = held.event {
                self.outputs.push_back(Output::Event(event));
            }
            self.outputs.push_back(Output::Send {
                to: held.to,
                message: held.message,
            });
        }
        self.outbox.release(now, &self.journal, &mut self.outputs);
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
        self.journal.append(&record.encode());
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
