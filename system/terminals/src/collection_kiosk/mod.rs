//! The Self-service Collection Kiosk: the resident scans the acknowledgement QR code; the
//! collection service says which card; the kiosk takes it from the store, reads it (a full
//! read: genuine, the holder's, DG3 read), verifies the live thumbs against DG3, asks the
//! registry to activate it (the old card is cancelled in the same step) and dispenses it.
//!
//! Inputs ([`CollectionKioskInput`]): a collection started, device outcomes, an officer
//! restoring the kiosk, replies, wake-ups.
//! Outputs ([`TerminalOutput`]): requests to the collection service, device requests
//! ([`CollectionKioskDevice`]), wake-up times, and [`CollectionKioskEvent`]s.
//! Persists nothing: the card's whereabouts and the registry's answer are reported in the
//! session's outcome; the registry keeps what must last, and activation is idempotent per
//! card, so a retry (at this kiosk or another, or by an officer) repeats nothing.
//!
//! A failure at any point leaves a state from which the resident can retry or an officer
//! can finish ([`CollectionState`]): a card that fails its checks before activation goes
//! back to the store (or, if it is a forgery, into the reject bin); a card whose activation
//! got no answer goes back to the store (asking again is safe); a device fault takes the
//! kiosk out of service, and a card the mechanism cannot move stays inside for an officer.
//!
//! Invariants: the kiosk asks for activation only after a genuine read of the resident's card
//! with DG3 and a live-thumb match in this session; it dispenses a card only after the
//! registry answered `Activated` for it; it never puts back a card the registry said it
//! activated;
//! one session at a time, one device request and one call outstanding, each matching the
//! current step; every session ends with exactly one [`CollectionKioskEvent::SessionEnded`].

mod interface;

pub use interface::{
    ActivationState, CardWhereabouts, CollectionFailure, CollectionKioskConfig,
    CollectionKioskDefect, CollectionKioskDevice, CollectionKioskEvent, CollectionKioskInput,
    CollectionKioskOutcome, CollectionResult, CollectionState,
};

use hkic_base::{SimTime, Stream};
use hkic_services::messages::{
    AcknowledgementReference, ActivationOutcome, BiometricDigest, CardActivation, CardId,
    CollectionLookupOutcome, Message, ResidentId,
};

use crate::devices::{
    CardReading, CardTake, DeviceFault, DeviceKind, Handling, QrScan, ReadVerdict,
    ThumbVerification,
};
use crate::workflow::{Plumbing, TerminalOutput};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Call {
    Lookup(AcknowledgementReference),
    Activate(CardId),
}

/// The card the collection service named, and its holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Collecting {
    resident: ResidentId,
    card: CardId,
}

/// Why a card goes back, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PutBack {
    reason: CollectionFailure,
    /// Into the reject bin rather than the store.
    retain: bool,
    /// The device fault that stopped the session, if one did: out of service once the card
    /// is away.
    fault: Option<(DeviceKind, DeviceFault)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Idle,
    OutOfService,
    Scanning {
        attempt: u8,
    },
    LookingUp {
        acknowledgement: AcknowledgementReference,
    },
    Taking {
        collecting: Collecting,
    },
    Reading {
        collecting: Collecting,
    },
    Verifying {
        collecting: Collecting,
        attempt: u8,
    },
    Activating {
        collecting: Collecting,
    },
    Dispensing {
        collecting: Collecting,
        cancelled: Option<CardId>,
    },
    PuttingBack {
        collecting: Collecting,
        put_back: PutBack,
    },
}

type Output = TerminalOutput<CollectionKioskDevice, CollectionKioskEvent>;

#[derive(Debug)]
pub struct CollectionKiosk {
    config: CollectionKioskConfig,
    step: Step,
    state: CollectionState,
    plumbing: Plumbing<Call, CollectionKioskDevice, CollectionKioskEvent>,
}

impl CollectionKiosk {
    pub fn new(config: CollectionKioskConfig, jitter: Stream) -> CollectionKiosk {
        CollectionKiosk {
            plumbing: Plumbing::new(config.retry, jitter),
            config,
            step: Step::Idle,
            state: CollectionState::default(),
        }
    }

    pub fn is_free(&self) -> bool {
        self.step == Step::Idle
    }

    pub fn is_out_of_service(&self) -> bool {
        self.step == Step::OutOfService
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.plumbing.poll()
    }

    pub fn handle_input(&mut self, now: SimTime, input: CollectionKioskInput) {
        match input {
            CollectionKioskInput::Start => {
                if self.step == Step::Idle {
                    self.state = CollectionState::default();
                    self.scan(1);
                } else {
                    self.plumbing.emit(CollectionKioskEvent::StartRefused);
                }
            }
            CollectionKioskInput::Device(outcome) => self.on_device(now, outcome),
            CollectionKioskInput::Restored => {
                if self.step == Step::OutOfService {
                    self.step = Step::Idle;
                    self.plumbing.emit(CollectionKioskEvent::BackInService);
                }
            }
            CollectionKioskInput::Message { message, .. } => self.on_reply(message),
            CollectionKioskInput::Wake => self.on_wake(now),
        }
        self.plumbing.schedule_wake();
    }

    fn on_device(&mut self, now: SimTime, outcome: CollectionKioskOutcome) {
        use CollectionKioskOutcome as Outcome;
        match (self.step, outcome) {
            (Step::Scanning { attempt }, Outcome::QrScanned(scan)) => {
                self.on_scan(now, attempt, scan)
            }
            (Step::Taking { collecting }, Outcome::CardTaken(take)) => {
                self.on_take(collecting, take)
            }
            (Step::Reading { collecting }, Outcome::CardRead(reading)) => {
                self.on_read(now, collecting, reading)
            }
            (
                Step::Verifying {
                    collecting,
                    attempt,
                },
                Outcome::ThumbsVerified(verification),
            ) => self.on_thumbs(now, collecting, attempt, verification),
            (
                Step::Dispensing {
                    collecting,
                    cancelled,
                },
                Outcome::CardDispensed(handling),
            ) => self.on_dispensed(collecting, cancelled, handling),
            (Step::PuttingBack { put_back, .. }, Outcome::CardReturned(handling))
                if !put_back.retain =>
            {
                self.on_put_back(put_back, handling)
            }
            (Step::PuttingBack { put_back, .. }, Outcome::CardRetained(handling))
                if put_back.retain =>
            {
                self.on_put_back(put_back, handling)
            }
            // Not the outcome awaited (or none is): ignored.
            _ => {}
        }
    }

    fn scan(&mut self, attempt: u8) {
        self.step = Step::Scanning { attempt };
        self.plumbing
            .device(CollectionKioskDevice::ScanAcknowledgementQr);
    }

    fn on_scan(&mut self, now: SimTime, attempt: u8, scan: QrScan) {
        let bytes = match scan {
            QrScan::Fault(fault) => {
                let reason = CollectionFailure::KioskOutOfService;
                return self.out_of_service(reason, DeviceKind::Scanner, fault);
            }
            QrScan::Decoded(bytes) => bytes,
            QrScan::NoRead => Vec::new(),
        };
        // A misread, or a code of another kind, fails to decode: the same as no read.
        if let Ok(acknowledgement) = AcknowledgementReference::decode_qr(&bytes) {
            self.state.acknowledgement = Some(acknowledgement);
            self.step = Step::LookingUp { acknowledgement };
            let message = Message::CollectionLookupRequest {
                acknowledgement,
                centre: self.config.centre,
            };
            let to = self.config.collection_service;
            self.plumbing
                .call(now, Call::Lookup(acknowledgement), to, message);
        } else if attempt < self.config.qr_attempts_max.get() {
            self.scan(attempt + 1);
        } else {
            self.fail(CollectionFailure::AcknowledgementUnreadable);
        }
    }

    fn on_looked_up(&mut self, outcome: CollectionLookupOutcome) {
        let (resident, card) = match outcome {
            CollectionLookupOutcome::Ready { resident, card } => (resident, card),
            CollectionLookupOutcome::NotReady => return self.fail(CollectionFailure::NotReady),
            CollectionLookupOutcome::AtAnotherCentre { centre } => {
                return self.fail(CollectionFailure::AtAnotherCentre { centre });
            }
            CollectionLookupOutcome::Withdrawn => return self.fail(CollectionFailure::Withdrawn),
            CollectionLookupOutcome::Unknown => {
                return self.fail(CollectionFailure::UnknownAcknowledgement);
            }
        };
        self.state.resident = Some(resident);
        self.state.card = Some(card);
        let collecting = Collecting { resident, card };
        self.step = Step::Taking { collecting };
        self.plumbing
            .device(CollectionKioskDevice::TakeCard { card });
    }

    fn on_take(&mut self, collecting: Collecting, take: CardTake) {
        match take {
            CardTake::Taken => {
                self.state.whereabouts = CardWhereabouts::AtReader;
                self.step = Step::Reading { collecting };
                let card = collecting.card;
                self.plumbing
                    .device(CollectionKioskDevice::ReadCard { card });
            }
            CardTake::NotInStore => {
                self.state.whereabouts = CardWhereabouts::Missing;
                self.fail(CollectionFailure::CardNotInStore);
            }
            // A jam while retrieving leaves the card in its slot.
            CardTake::Fault(fault) => {
                let reason = CollectionFailure::KioskOutOfService;
                self.out_of_service(reason, DeviceKind::CardStore, fault);
            }
        }
    }

    /// The card must be genuine, the resident's, with DG3 read, before any thumb is asked.
    fn on_read(&mut self, now: SimTime, collecting: Collecting, reading: CardReading) {
        let (verdict, holder, dg3_read) = match reading {
            CardReading::Read {
                verdict,
                holder,
                dg3_read,
            } => (verdict, holder, dg3_read),
            CardReading::Fault(fault) => {
                let fault = Some((DeviceKind::CardReader, fault));
                let reason = CollectionFailure::KioskOutOfService;
                return self.put_back(collecting, reason, fault);
            }
        };
        let reason = if verdict.is_forgery() {
            CollectionFailure::CardNotGenuine { verdict }
        } else if verdict != ReadVerdict::Genuine {
            CollectionFailure::CardUnreadable
        } else if holder != Some(collecting.resident) {
            CollectionFailure::WrongCard
        } else if !dg3_read {
            CollectionFailure::Dg3NotRead
        } else if self.config.defect == Some(CollectionKioskDefect::SkipThumbCheck) {
            return self.activate(now, collecting, BiometricDigest(0));
        } else {
            return self.verify_thumbs(collecting, 1);
        };
        self.put_back(collecting, reason, None);
    }

    fn verify_thumbs(&mut self, collecting: Collecting, attempt: u8) {
        self.step = Step::Verifying {
            collecting,
            attempt,
        };
        let card = collecting.card;
        self.plumbing
            .device(CollectionKioskDevice::VerifyThumbs { card });
    }

    fn on_thumbs(
        &mut self,
        now: SimTime,
        collecting: Collecting,
        attempt: u8,
        verification: ThumbVerification,
    ) {
        match verification {
            ThumbVerification::Matched { capture } => self.activate(now, collecting, capture),
            ThumbVerification::NotMatched | ThumbVerification::CaptureFailed => {
                if attempt < self.config.thumb_attempts_max.get() {
                    self.verify_thumbs(collecting, attempt + 1);
                } else {
                    let reason = CollectionFailure::FingerprintsNotVerified;
                    self.put_back(collecting, reason, None);
                }
            }
            ThumbVerification::Fault(fault) => {
                let fault = Some((DeviceKind::FingerprintModule, fault));
                let reason = CollectionFailure::KioskOutOfService;
                self.put_back(collecting, reason, fault);
            }
        }
    }

    fn activate(&mut self, now: SimTime, collecting: Collecting, live_thumbs: BiometricDigest) {
        let Collecting { resident, card } = collecting;
        let activation = CardActivation {
            resident,
            card,
            centre: self.config.centre,
            live_thumbs,
        };
        self.state.activation = ActivationState::Unknown;
        self.step = Step::Activating { collecting };
        let message = Message::ActivationRequest { activation };
        let to = self.config.collection_service;
        self.plumbing.call(now, Call::Activate(card), to, message);
    }

    fn on_reply(&mut self, message: Message) {
        match (self.step, message) {
            (
                Step::LookingUp { acknowledgement },
                Message::CollectionLookupReply {
                    acknowledgement: answered,
                    outcome,
                },
            ) if acknowledgement == answered
                && self.plumbing.complete(Call::Lookup(acknowledgement)) =>
            {
                self.on_looked_up(outcome);
            }
            (
                Step::Activating { collecting },
                Message::ActivationReply {
                    resident,
                    card,
                    outcome,
                },
            ) if collecting.card == card
                && collecting.resident == resident
                && self.plumbing.complete(Call::Activate(card)) =>
            {
                self.on_activation(collecting, outcome);
            }
            // A duplicate, a late reply from an earlier session, or not for this kiosk.
            _ => {}
        }
    }

    fn on_activation(&mut self, collecting: Collecting, outcome: ActivationOutcome) {
        match outcome {
            ActivationOutcome::Activated { cancelled } => {
                self.state.activation = ActivationState::Activated { cancelled };
                self.step = Step::Dispensing {
                    collecting,
                    cancelled,
                };
                let card = collecting.card;
                self.plumbing
                    .device(CollectionKioskDevice::DispenseCard { card });
            }
            ActivationOutcome::Refused { reason } => {
                self.state.activation = ActivationState::Refused { reason };
                let reason = CollectionFailure::ActivationRefused { reason };
                self.put_back(collecting, reason, None);
            }
        }
    }

    fn on_dispensed(
        &mut self,
        collecting: Collecting,
        cancelled: Option<CardId>,
        handling: Handling,
    ) {
        match handling {
            Handling::Done => {
                self.state.whereabouts = CardWhereabouts::Dispensed;
                let Collecting { resident, card } = collecting;
                self.end(CollectionResult::Collected {
                    resident,
                    card,
                    cancelled,
                });
            }
            // The card is active and inside the kiosk: an officer hands it over.
            Handling::Fault(fault) => {
                self.state.whereabouts = CardWhereabouts::HeldInKiosk;
                let reason = CollectionFailure::KioskOutOfService;
                self.out_of_service(reason, DeviceKind::Dispenser, fault);
            }
        }
    }

    fn put_back(
        &mut self,
        collecting: Collecting,
        reason: CollectionFailure,
        fault: Option<(DeviceKind, DeviceFault)>,
    ) {
        assert!(
            !matches!(self.state.activation, ActivationState::Activated { .. }),
            "a card the registry activated never goes back"
        );
        let retain = matches!(reason, CollectionFailure::CardNotGenuine { .. });
        let put_back = PutBack {
            reason,
            retain,
            fault,
        };
        self.step = Step::PuttingBack {
            collecting,
            put_back,
        };
        let card = collecting.card;
        let request = if retain {
            CollectionKioskDevice::RetainCard { card }
        } else {
            CollectionKioskDevice::ReturnCard { card }
        };
        self.plumbing.device(request);
    }

    fn on_put_back(&mut self, put_back: PutBack, handling: Handling) {
        match (handling, put_back.fault) {
            (Handling::Done, fault) => {
                self.state.whereabouts = if put_back.retain {
                    CardWhereabouts::Retained
                } else {
                    CardWhereabouts::InStore
                };
                match fault {
                    Some((device, fault)) => self.out_of_service(put_back.reason, device, fault),
                    None => self.fail(put_back.reason),
                }
            }
            // The card stays in the mechanism for an officer.
            (Handling::Fault(fault), _) => {
                self.state.whereabouts = CardWhereabouts::HeldInKiosk;
                self.out_of_service(put_back.reason, DeviceKind::CardStore, fault);
            }
        }
    }

    fn on_wake(&mut self, now: SimTime) {
        for key in self.plumbing.expire(now) {
            match (self.step, key) {
                (Step::LookingUp { acknowledgement }, Call::Lookup(asked))
                    if acknowledgement == asked =>
                {
                    self.fail(CollectionFailure::ServiceUnreachable)
                }
                // The card may be active: it goes back (asking again later is safe).
                (Step::Activating { collecting }, Call::Activate(card))
                    if collecting.card == card =>
                {
                    let reason = CollectionFailure::ServiceUnreachable;
                    self.put_back(collecting, reason, None);
                }
                _ => {}
            }
        }
    }

    fn fail(&mut self, reason: CollectionFailure) {
        let state = self.state;
        self.end(CollectionResult::NotCollected { reason, state });
    }

    fn out_of_service(
        &mut self,
        reason: CollectionFailure,
        device: DeviceKind,
        fault: DeviceFault,
    ) {
        self.plumbing
            .emit(CollectionKioskEvent::OutOfService { device, fault });
        self.fail(reason);
        self.step = Step::OutOfService;
    }

    fn end(&mut self, result: CollectionResult) {
        self.plumbing
            .emit(CollectionKioskEvent::SessionEnded { result });
        self.step = Step::Idle;
        self.state = CollectionState::default();
    }
}
