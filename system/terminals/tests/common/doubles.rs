//! The services the workflows talk to: the real booking service (its journal on a perfect
//! in-memory disk) and doubles of registration and collection that keep the messages'
//! contracts (idempotent per key, replies typed) and record what they were asked.

use std::collections::{BTreeMap, VecDeque};

use hkic_base::SimTime;
use hkic_services::booking::BookingService;
use hkic_services::io::{Address, DiskCompletion, DiskRequest, Input, Output};
use hkic_services::messages::{
    AcknowledgementReference, ActivationOutcome, ActivationRefusal, ApplicationId,
    ApplicationOpening, BiometricDigest, CardActivation, CardId, CollectionLookupOutcome,
    CompleteApplicationOutcome, Message, OpenApplicationOutcome, OpenRefusal, ResidentId,
};

use super::{BOOKING, COLLECTION, REGISTRATION};

/// The booking service with a disk that never fails: every request is answered once its
/// journal records are durable, before `deliver` returns.
#[derive(Debug)]
pub struct BookingHost {
    pub service: BookingService,
    media: Vec<u8>,
    cache: Vec<u8>,
}

impl BookingHost {
    pub fn new() -> BookingHost {
        BookingHost {
            service: BookingService::new(super::booking_config()),
            media: Vec::new(),
            cache: Vec::new(),
        }
    }

    pub fn deliver(&mut self, now: SimTime, from: Address, message: Message) -> Vec<Message> {
        let mut replies = Vec::new();
        let mut inputs = VecDeque::from([Input::Message { from, message }]);
        for _ in 0..1_000 {
            let Some(input) = inputs.pop_front() else {
                break;
            };
            self.service.handle_input(now, input);
            while let Some(output) = self.service.poll_output() {
                match output {
                    Output::Send { message, .. } => replies.push(message),
                    Output::Disk(request) => inputs.extend(self.execute(request)),
                    Output::WakeAt(_) | Output::Event(_) => {}
                    Output::Halt(reason) => panic!("booking service halted: {reason}"),
                }
            }
        }
        replies
    }

    fn execute(&mut self, request: DiskRequest) -> Option<Input> {
        let completion = match request {
            DiskRequest::Append { bytes, .. } => {
                self.cache.extend_from_slice(&bytes);
                return None;
            }
            DiskRequest::Sync { token, .. } => {
                self.media.append(&mut self.cache);
                DiskCompletion::Synced { token }
            }
            DiskRequest::Read {
                offset, len, token, ..
            } => {
                let start = (offset as usize).min(self.media.len());
                let end = (start + len as usize).min(self.media.len());
                DiskCompletion::Read {
                    token,
                    bytes: self.media[start..end].to_vec(),
                    media_len: self.media.len() as u64,
                }
            }
        };
        Some(Input::Disk(completion))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Application {
    pub id: ApplicationId,
    pub opening: ApplicationOpening,
    pub photo: Option<BiometricDigest>,
    pub acknowledgement: Option<AcknowledgementReference>,
}

/// The registration service's contract: one application per resident; completion commits
/// it (here at once: the double's memory is its durable store) and is idempotent.
#[derive(Debug, Default)]
pub struct RegistrationDouble {
    pub applications: BTreeMap<ResidentId, Application>,
    /// Answers nothing while set (the service is unreachable), though it still acts.
    pub mute: bool,
    pub refuse_open: Option<OpenRefusal>,
    pub suspect_duplicates: bool,
    /// Every acceptance it committed, in order.
    pub accepted: Vec<(ApplicationId, AcknowledgementReference)>,
}

impl RegistrationDouble {
    pub fn handle(&mut self, message: Message) -> Option<Message> {
        let reply = match message {
            Message::OpenApplicationRequest { opening } => self.open(opening),
            Message::CompleteApplicationRequest {
                resident,
                application,
                photo,
                ..
            } => self.complete(resident, application, photo),
            _ => return None,
        };
        (!self.mute).then_some(reply)
    }

    fn open(&mut self, opening: ApplicationOpening) -> Message {
        let resident = opening.resident;
        let outcome = match (self.applications.get(&resident), self.refuse_open) {
            (Some(existing), _) => match existing.acknowledgement {
                Some(acknowledgement) => OpenApplicationOutcome::AlreadyAccepted {
                    application: existing.id,
                    acknowledgement,
                },
                None => OpenApplicationOutcome::Opened {
                    application: existing.id,
                },
            },
            (None, Some(reason)) => OpenApplicationOutcome::Refused { reason },
            (None, None) => {
                let id = ApplicationId(100 + self.applications.len() as u64);
                let application = Application {
                    id,
                    opening,
                    photo: None,
                    acknowledgement: None,
                };
                self.applications.insert(resident, application);
                OpenApplicationOutcome::Opened { application: id }
            }
        };
        Message::OpenApplicationReply { resident, outcome }
    }

    fn complete(
        &mut self,
        resident: ResidentId,
        application: ApplicationId,
        photo: BiometricDigest,
    ) -> Message {
        let outcome = match self.applications.get_mut(&resident) {
            Some(open) if open.id == application && self.suspect_duplicates => {
                CompleteApplicationOutcome::DuplicateSuspected
            }
            Some(open) if open.id == application => {
                let acknowledgement = *open.acknowledgement.get_or_insert_with(|| {
                    let acknowledgement = AcknowledgementReference(5_000 + application.0);
                    self.accepted.push((application, acknowledgement));
                    acknowledgement
                });
                open.photo.get_or_insert(photo);
                CompleteApplicationOutcome::Accepted { acknowledgement }
            }
            _ => CompleteApplicationOutcome::NotOpen,
        };
        Message::CompleteApplicationReply {
            resident,
            application,
            outcome,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Collectable {
    pub resident: ResidentId,
    pub card: CardId,
    pub old_card: CardId,
    /// What a lookup answers while the card is not activated.
    pub lookup: CollectionLookupOutcome,
}

/// The collection service's contract: lookups are read-only; activation is idempotent per
/// card and cancels the old card in the same step.
#[derive(Debug, Default)]
pub struct CollectionDouble {
    pub collectables: BTreeMap<AcknowledgementReference, Collectable>,
    pub mute: bool,
    pub refuse_activation: Option<ActivationRefusal>,
    /// Each activation it made (once per card), with the live thumbs that matched.
    pub activations: Vec<CardActivation>,
}

impl CollectionDouble {
    pub fn handle(&mut self, message: Message) -> Option<Message> {
        let reply = match message {
            Message::CollectionLookupRequest {
                acknowledgement, ..
            } => {
                let outcome = self
                    .collectables
                    .get(&acknowledgement)
                    .map_or(CollectionLookupOutcome::Unknown, |entry| entry.lookup);
                Message::CollectionLookupReply {
                    acknowledgement,
                    outcome,
                }
            }
            Message::ActivationRequest { activation } => self.activate(activation),
            _ => return None,
        };
        (!self.mute).then_some(reply)
    }

    fn activate(&mut self, activation: CardActivation) -> Message {
        let CardActivation { resident, card, .. } = activation;
        let entry = self.collectables.values().find(|entry| entry.card == card);
        let outcome = match (entry, self.refuse_activation) {
            (None, _) => ActivationOutcome::Refused {
                reason: ActivationRefusal::UnknownCard,
            },
            (Some(entry), _) if entry.resident != resident => ActivationOutcome::Refused {
                reason: ActivationRefusal::NotTheHolder,
            },
            (Some(_), Some(reason)) => ActivationOutcome::Refused { reason },
            (Some(entry), None) => {
                if !self.activations.iter().any(|done| done.card == card) {
                    self.activations.push(activation);
                }
                ActivationOutcome::Activated {
                    cancelled: Some(entry.old_card),
                }
            }
        };
        Message::ActivationReply {
            resident,
            card,
            outcome,
        }
    }
}

/// The three services at their addresses.
#[derive(Debug)]
pub struct Services {
    pub booking: BookingHost,
    pub registration: RegistrationDouble,
    pub collection: CollectionDouble,
    /// While set, messages to the booking service are lost.
    pub booking_unreachable: bool,
}

impl Services {
    pub fn new() -> Services {
        Services {
            booking: BookingHost::new(),
            registration: RegistrationDouble::default(),
            collection: CollectionDouble::default(),
            booking_unreachable: false,
        }
    }

    /// Delivers a message from `from` to `to`; returns the replies.
    pub fn deliver(
        &mut self,
        now: SimTime,
        from: Address,
        to: Address,
        message: Message,
    ) -> Vec<Message> {
        match to {
            BOOKING if !self.booking_unreachable => self.booking.deliver(now, from, message),
            REGISTRATION => self.registration.handle(message).into_iter().collect(),
            COLLECTION => self.collection.handle(message).into_iter().collect(),
            _ => Vec::new(),
        }
    }
}
