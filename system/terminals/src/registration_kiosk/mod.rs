//! The Self-service Registration Kiosk: the resident inserts the old card, the kiosk reads it,
//! verifies both thumbs against the card's templates, scans the e-form QR code, retrieves the
//! e-form from the booking service and checks it is the holder's, opens the application with
//! the registration service, prints the form, and sends the resident to the photo counter.
//!
//! Inputs ([`RegistrationKioskInput`]): a card inserted, device outcomes, a floor officer
//! keying an e-form reference, an officer restoring the kiosk, replies, wake-ups.
//! Outputs ([`TerminalOutput`]): requests to the booking and registration services, device
//! requests ([`RegistrationKioskDevice`]), wake-up times, and [`RegistrationKioskEvent`]s.
//! Persists nothing: a session lives as long as the resident stands at the kiosk; what the
//! services must remember they keep (the application is idempotent per resident).
//!
//! Every failure has a defined outcome, and the session ends with exactly one
//! [`RegistrationResult`]: an unreadable card, fingerprints that fail `thumb_attempts_max`
//! times, an e-form that is missing or not the holder's, a service that does not answer
//! within the retry policy, all refer the resident to an officer with the progress so far;
//! QR codes unreadable `qr_attempts_max` times call a floor officer to key the reference
//! (or refer, if the officer cannot); a device fault (a printer jam, no paper, a reader
//! offline) refers the resident and takes the kiosk out of service until an officer
//! restores it.
//!
//! Invariants: one session at a time; at most one device request and one service call
//! outstanding, each matching the current step (anything else that arrives is ignored, so a
//! duplicated or late reply has no effect); the application is opened only for the holder
//! of the card read, with their thumbs verified and their own e-form; a session ends only by
//! [`RegistrationKioskEvent::SessionEnded`].

mod interface;

pub use interface::{
    RegistrationKioskConfig, RegistrationKioskDevice, RegistrationKioskEvent,
    RegistrationKioskInput, RegistrationKioskOutcome, RegistrationResult,
};

use hkic_base::{SimTime, Stream};
use hkic_services::messages::{
    ApplicationId, ApplicationOpening, BiometricDigest, EFormDigest, EFormLookupOutcome, EFormQr,
    EFormReference, IdentityEvidence, Message, OpenApplicationOutcome, ResidentId,
};

use crate::devices::{
    DeviceFault, DeviceKind, Handling, OldCardIdentity, OldCardReading, QrScan, ThumbVerification,
};
use crate::registration::{RegistrationProgress, RegistrationReferral, VerifiedIdentity};
use crate::workflow::{Plumbing, TerminalOutput};

/// A call in flight, keyed by what makes the request idempotent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Call {
    EFormLookup(EFormReference),
    Open(ResidentId),
}

/// The holder of the card read, with thumbs verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Verified {
    holder: OldCardIdentity,
    thumbs: BiometricDigest,
}

/// The e-form being retrieved: its reference, and the digest when it came from a QR code
/// (an officer keys only the reference).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct EFormClaim {
    reference: EFormReference,
    digest: Option<EFormDigest>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Idle,
    OutOfService,
    ReadingOldCard,
    VerifyingThumbs {
        holder: OldCardIdentity,
        attempt: u8,
    },
    ScanningQr {
        verified: Verified,
        attempt: u8,
    },
    AwaitingOfficer {
        verified: Verified,
    },
    LookingUp {
        verified: Verified,
        claim: EFormClaim,
    },
    Opening {
        resident: ResidentId,
    },
    Printing {
        application: ApplicationId,
    },
}

type Output = TerminalOutput<RegistrationKioskDevice, RegistrationKioskEvent>;

#[derive(Debug)]
pub struct RegistrationKiosk {
    config: RegistrationKioskConfig,
    step: Step,
    progress: RegistrationProgress,
    plumbing: Plumbing<Call, RegistrationKioskDevice, RegistrationKioskEvent>,
}

impl RegistrationKiosk {
    pub fn new(config: RegistrationKioskConfig, jitter: Stream) -> RegistrationKiosk {
        RegistrationKiosk {
            plumbing: Plumbing::new(config.retry, jitter),
            config,
            step: Step::Idle,
            progress: RegistrationProgress::default(),
        }
    }

    /// True when the kiosk is free and in service: a card inserted now starts a session.
    pub fn is_free(&self) -> bool {
        self.step == Step::Idle
    }

    pub fn is_out_of_service(&self) -> bool {
        self.step == Step::OutOfService
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.plumbing.poll()
    }

    pub fn handle_input(&mut self, now: SimTime, input: RegistrationKioskInput) {
        match input {
            RegistrationKioskInput::InsertOldCard => self.insert(),
            RegistrationKioskInput::Device(outcome) => self.on_device(now, outcome),
            RegistrationKioskInput::OfficerKeyedReference { reference } => {
                if let Step::AwaitingOfficer { verified } = self.step {
                    let claim = EFormClaim {
                        reference,
                        digest: None,
                    };
                    self.look_up(now, verified, claim);
                }
            }
            RegistrationKioskInput::OfficerDeclined => {
                if let Step::AwaitingOfficer { .. } = self.step {
                    self.refer(RegistrationReferral::EFormUnavailable);
                }
            }
            RegistrationKioskInput::Restored => {
                if self.step == Step::OutOfService {
                    self.step = Step::Idle;
                    self.plumbing.emit(RegistrationKioskEvent::BackInService);
                }
            }
            RegistrationKioskInput::Message { message, .. } => self.on_reply(now, message),
            RegistrationKioskInput::Wake => self.on_wake(now),
        }
        self.plumbing.schedule_wake();
    }

    fn insert(&mut self) {
        if self.step != Step::Idle {
            self.plumbing.emit(RegistrationKioskEvent::InsertRefused);
            return;
        }
        self.progress = RegistrationProgress::default();
        self.step = Step::ReadingOldCard;
        self.plumbing.device(RegistrationKioskDevice::ReadOldCard);
    }

    fn on_device(&mut self, now: SimTime, outcome: RegistrationKioskOutcome) {
        match (self.step, outcome) {
            (Step::ReadingOldCard, RegistrationKioskOutcome::OldCardRead(reading)) => {
                self.on_old_card(reading)
            }
            (
                Step::VerifyingThumbs { holder, attempt },
                RegistrationKioskOutcome::ThumbsVerified(verification),
            ) => self.on_thumbs(holder, attempt, verification),
            (Step::ScanningQr { verified, attempt }, RegistrationKioskOutcome::QrScanned(scan)) => {
                self.on_scan(now, verified, attempt, scan)
            }
            (Step::Printing { .. }, RegistrationKioskOutcome::FormPrinted(printing)) => {
                self.on_printed(printing)
            }
            // Not the outcome awaited (or none is): ignored.
            _ => {}
        }
    }

    fn on_old_card(&mut self, reading: OldCardReading) {
        match reading {
            OldCardReading::Read(holder) => {
                self.progress.holder = Some(holder);
                self.verify_thumbs(holder, 1);
            }
            OldCardReading::Unreadable => self.refer(RegistrationReferral::OldCardUnreadable),
            OldCardReading::Fault(fault) => self.out_of_service(DeviceKind::OldCardReader, fault),
        }
    }

    fn verify_thumbs(&mut self, holder: OldCardIdentity, attempt: u8) {
        self.step = Step::VerifyingThumbs { holder, attempt };
        self.plumbing.device(RegistrationKioskDevice::VerifyThumbs);
    }

    fn on_thumbs(&mut self, holder: OldCardIdentity, attempt: u8, verification: ThumbVerification) {
        match verification {
            ThumbVerification::Matched { capture } => {
                self.progress.identity = Some(VerifiedIdentity {
                    evidence: IdentityEvidence::KioskThumbs,
                    thumbs: capture,
                });
                let verified = Verified {
                    holder,
                    thumbs: capture,
                };
                self.scan(verified, 1);
            }
            ThumbVerification::NotMatched | ThumbVerification::CaptureFailed => {
                if attempt < self.config.thumb_attempts_max.get() {
                    self.verify_thumbs(holder, attempt + 1);
                } else {
                    self.refer(RegistrationReferral::FingerprintsNotVerified);
                }
            }
            ThumbVerification::Fault(fault) => {
                self.out_of_service(DeviceKind::FingerprintModule, fault)
            }
        }
    }

    fn scan(&mut self, verified: Verified, attempt: u8) {
        self.step = Step::ScanningQr { verified, attempt };
        self.plumbing.device(RegistrationKioskDevice::ScanEFormQr);
    }

    fn on_scan(&mut self, now: SimTime, verified: Verified, attempt: u8, scan: QrScan) {
        let bytes = match scan {
            QrScan::Fault(fault) => return self.out_of_service(DeviceKind::Scanner, fault),
            QrScan::Decoded(bytes) => bytes,
            QrScan::NoRead => Vec::new(),
        };
        // A misread, or a code of another kind, fails to decode: the same as no read.
        if let Ok(qr) = EFormQr::decode(&bytes) {
            let claim = EFormClaim {
                reference: qr.reference,
                digest: Some(qr.digest),
            };
            self.look_up(now, verified, claim);
        } else if attempt < self.config.qr_attempts_max.get() {
            self.scan(verified, attempt + 1);
        } else {
            self.step = Step::AwaitingOfficer { verified };
            self.plumbing.emit(RegistrationKioskEvent::OfficerCalled);
        }
    }

    fn look_up(&mut self, now: SimTime, verified: Verified, claim: EFormClaim) {
        self.step = Step::LookingUp { verified, claim };
        let message = Message::EFormLookupRequest {
            reference: claim.reference,
        };
        let key = Call::EFormLookup(claim.reference);
        self.plumbing
            .call(now, key, self.config.booking_service, message);
    }

    fn on_reply(&mut self, now: SimTime, message: Message) {
        match (self.step, message) {
            (
                Step::LookingUp { verified, claim },
                Message::EFormLookupReply { reference, outcome },
            ) if claim.reference == reference
                && self.plumbing.complete(Call::EFormLookup(reference)) =>
            {
                self.on_eform(now, verified, claim, outcome);
            }
            (
                Step::Opening { resident },
                Message::OpenApplicationReply {
                    resident: to,
                    outcome,
                },
            ) if resident == to && self.plumbing.complete(Call::Open(resident)) => {
                self.on_opened(outcome);
            }
            // A duplicate, a late reply from an earlier session, or not for this kiosk.
            _ => {}
        }
    }

    fn on_eform(
        &mut self,
        now: SimTime,
        verified: Verified,
        claim: EFormClaim,
        outcome: EFormLookupOutcome,
    ) {
        let EFormLookupOutcome::Found { resident, digest } = outcome else {
            return self.refer(RegistrationReferral::EFormNotFound);
        };
        if resident != verified.holder.resident {
            return self.refer(RegistrationReferral::EFormNotTheHolders);
        }
        if claim.digest.is_some_and(|scanned| scanned != digest) {
            return self.refer(RegistrationReferral::EFormContentMismatch);
        }
        self.progress.eform = Some(claim.reference);
        self.open(now, verified, claim.reference);
    }

    fn open(&mut self, now: SimTime, verified: Verified, eform: EFormReference) {
        let resident = verified.holder.resident;
        let opening = ApplicationOpening {
            resident,
            centre: self.config.centre,
            old_card: verified.holder.card,
            eform,
            identity: IdentityEvidence::KioskThumbs,
            thumbs: verified.thumbs,
        };
        self.step = Step::Opening { resident };
        let message = Message::OpenApplicationRequest { opening };
        let to = self.config.registration_service;
        self.plumbing.call(now, Call::Open(resident), to, message);
    }

    fn on_opened(&mut self, outcome: OpenApplicationOutcome) {
        match outcome {
            OpenApplicationOutcome::Opened { application } => {
                self.progress.application = Some(application);
                self.step = Step::Printing { application };
                let print = RegistrationKioskDevice::PrintForm { application };
                self.plumbing.device(print);
            }
            OpenApplicationOutcome::AlreadyAccepted {
                acknowledgement, ..
            } => self.refer(RegistrationReferral::AlreadyAccepted { acknowledgement }),
            OpenApplicationOutcome::Refused { reason } => {
                self.refer(RegistrationReferral::ApplicationRefused { reason })
            }
        }
    }

    fn on_printed(&mut self, printing: Handling) {
        match printing {
            Handling::Done => self.end(RegistrationResult::ToPhotoCounter {
                progress: self.progress,
            }),
            Handling::Fault(fault) => self.out_of_service(DeviceKind::Printer, fault),
        }
    }

    fn on_wake(&mut self, now: SimTime) {
        for key in self.plumbing.expire(now) {
            let awaited = match (self.step, key) {
                (Step::LookingUp { claim, .. }, Call::EFormLookup(reference)) => {
                    claim.reference == reference
                }
                (Step::Opening { resident }, Call::Open(opened)) => resident == opened,
                _ => false,
            };
            if awaited {
                self.refer(RegistrationReferral::ServiceUnreachable);
            }
        }
    }

    fn refer(&mut self, reason: RegistrationReferral) {
        let progress = self.progress;
        self.end(RegistrationResult::Referred { reason, progress });
    }

    /// A device failed: the resident is referred with the progress so far (an open
    /// application included), and the kiosk takes nobody until an officer restores it.
    fn out_of_service(&mut self, device: DeviceKind, fault: DeviceFault) {
        self.plumbing
            .emit(RegistrationKioskEvent::OutOfService { device, fault });
        self.refer(RegistrationReferral::KioskOutOfService);
        self.step = Step::OutOfService;
    }

    fn end(&mut self, result: RegistrationResult) {
        self.plumbing
            .emit(RegistrationKioskEvent::SessionEnded { result });
        self.step = Step::Idle;
        self.progress = RegistrationProgress::default();
    }
}
