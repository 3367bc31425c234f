//! The photo counter: registration's one staffed step, and where officers take over what a
//! kiosk could not finish. The officer continues from the progress the resident brings:
//! manual old-card handling when the card was unreadable, manual identity verification when
//! the thumbs failed (or no kiosk verified them), the form entered on the tablet when there
//! is no usable e-form, the application opened if no kiosk opened it; then photos with
//! retakes up to a cap, and the completion, after which the registration service's durable
//! acceptance is the only thing that lets the officer tell the resident "accepted".
//!
//! Inputs ([`PhotoCounterInput`]): a visit begun, device outcomes (the manual steps are
//! device operations too, priced by the simulator), a repair, replies, wake-ups.
//! Outputs ([`TerminalOutput`]): requests to the booking service (an e-form entered at the
//! counter) and the registration service, device requests ([`PhotoCounterDevice`]), wake-up
//! times, and [`PhotoCounterEvent`]s.
//! Persists nothing: an interrupted visit ends [`CounterResult::Unfinished`] with its
//! progress (a photo taken is kept there), and the next visit resumes from it; the
//! services' requests are idempotent, so resuming repeats nothing.
//!
//! Invariants: one visit at a time; at most one device request and one call outstanding,
//! each matching the current step; [`CounterResult::Accepted`] only from a
//! `CompleteApplicationReply` that says accepted, for this resident and application; every
//! visit ends with exactly one [`PhotoCounterEvent::SessionEnded`].

mod interface;

pub use interface::{
    CounterResult, CounterVisit, NotRegisteredReason, PhotoCounterConfig, PhotoCounterDevice,
    PhotoCounterEvent, PhotoCounterInput, PhotoCounterOutcome, UnfinishedReason,
};

use hkic_base::{SimTime, Stream};
use hkic_services::messages::{
    ApplicationId, ApplicationOpening, BiometricDigest, CompleteApplicationOutcome, EFormReference,
    EFormSubmitOutcome, IdentityEvidence, ManualIdentityBasis, Message, OpenApplicationOutcome,
    ResidentId,
};

use crate::devices::{
    DeviceFault, DeviceKind, FormEntry, ManualVerification, OldCardIdentity, OldCardInspection,
    PhotoCapture,
};
use crate::registration::{RegistrationProgress, RegistrationReferral, VerifiedIdentity};
use crate::workflow::{Plumbing, TerminalOutput};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Call {
    EForm(ResidentId),
    Open(ResidentId),
    Complete(ApplicationId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Idle,
    OutOfService,
    InspectingOldCard,
    VerifyingIdentity {
        basis: ManualIdentityBasis,
    },
    EnteringForm {
        resident: ResidentId,
    },
    SubmittingForm {
        resident: ResidentId,
    },
    Opening {
        resident: ResidentId,
    },
    TakingPhoto {
        application: ApplicationId,
        attempt: u8,
    },
    Completing {
        resident: ResidentId,
        application: ApplicationId,
    },
}

type Output = TerminalOutput<PhotoCounterDevice, PhotoCounterEvent>;

#[derive(Debug)]
pub struct PhotoCounter {
    config: PhotoCounterConfig,
    step: Step,
    visit: CounterVisit,
    plumbing: Plumbing<Call, PhotoCounterDevice, PhotoCounterEvent>,
}

impl PhotoCounter {
    pub fn new(config: PhotoCounterConfig, jitter: Stream) -> PhotoCounter {
        PhotoCounter {
            plumbing: Plumbing::new(config.retry, jitter),
            config,
            step: Step::Idle,
            visit: CounterVisit::default(),
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

    pub fn handle_input(&mut self, now: SimTime, input: PhotoCounterInput) {
        match input {
            PhotoCounterInput::Begin { visit } => {
                if self.step == Step::Idle {
                    self.visit = visit;
                    self.advance(now);
                } else {
                    self.plumbing.emit(PhotoCounterEvent::BeginRefused);
                }
            }
            PhotoCounterInput::Device(outcome) => self.on_device(now, outcome),
            PhotoCounterInput::Restored => {
                if self.step == Step::OutOfService {
                    self.step = Step::Idle;
                    self.plumbing.emit(PhotoCounterEvent::BackInService);
                }
            }
            PhotoCounterInput::Message { message, .. } => self.on_reply(now, message),
            PhotoCounterInput::Wake => self.on_wake(now),
        }
        self.plumbing.schedule_wake();
    }

    /// Takes the next step the progress still lacks, in the order registration needs them.
    fn advance(&mut self, now: SimTime) {
        let progress = self.visit.progress;
        let Some(holder) = progress.holder else {
            self.step = Step::InspectingOldCard;
            return self.plumbing.device(PhotoCounterDevice::InspectOldCard);
        };
        let resident = holder.resident;
        let Some(identity) = progress.identity else {
            let basis = self.manual_basis();
            self.step = Step::VerifyingIdentity { basis };
            return self
                .plumbing
                .device(PhotoCounterDevice::VerifyIdentity { basis });
        };
        let Some(eform) = progress.eform else {
            self.step = Step::EnteringForm { resident };
            return self.plumbing.device(PhotoCounterDevice::EnterForm);
        };
        let Some(application) = progress.application else {
            return self.open(now, holder, identity, eform);
        };
        match progress.photo {
            None => self.take_photo(application, 1),
            Some(photo) => self.complete(now, resident, application, photo),
        }
    }

    /// Why the officer, not a kiosk, verifies the identity.
    fn manual_basis(&self) -> ManualIdentityBasis {
        match self.visit.referral {
            Some(RegistrationReferral::OldCardUnreadable) => ManualIdentityBasis::OldCardUnreadable,
            Some(RegistrationReferral::FingerprintsNotVerified) => {
                ManualIdentityBasis::FingerprintsNotVerified
            }
            _ => ManualIdentityBasis::KioskUnavailable,
        }
    }

    fn on_device(&mut self, now: SimTime, outcome: PhotoCounterOutcome) {
        match (self.step, outcome) {
            (Step::InspectingOldCard, PhotoCounterOutcome::OldCardInspected(inspection)) => {
                match inspection {
                    OldCardInspection::Identified(holder) => {
                        self.visit.progress.holder = Some(holder);
                        self.advance(now);
                    }
                    OldCardInspection::NotIdentified => self.not_identified(),
                }
            }
            (
                Step::VerifyingIdentity { basis },
                PhotoCounterOutcome::IdentityVerified(verification),
            ) => match verification {
                ManualVerification::Verified { thumbs } => {
                    let officer = self.config.officer;
                    self.visit.progress.identity = Some(VerifiedIdentity {
                        evidence: IdentityEvidence::Officer { officer, basis },
                        thumbs,
                    });
                    self.advance(now);
                }
                ManualVerification::NotVerified => self.not_identified(),
            },
            (Step::EnteringForm { resident }, PhotoCounterOutcome::FormEntered(entry)) => {
                match entry {
                    FormEntry::Entered { digest } => {
                        self.step = Step::SubmittingForm { resident };
                        let message = Message::EFormSubmitRequest { resident, digest };
                        let to = self.config.booking_service;
                        self.plumbing.call(now, Call::EForm(resident), to, message);
                    }
                    FormEntry::Fault(fault) => self.out_of_service(DeviceKind::Tablet, fault),
                }
            }
            (
                Step::TakingPhoto {
                    application,
                    attempt,
                },
                PhotoCounterOutcome::PhotoTaken(capture),
            ) => self.on_photo(now, application, attempt, capture),
            // Not the outcome awaited (or none is): ignored.
            _ => {}
        }
    }

    fn open(
        &mut self,
        now: SimTime,
        holder: OldCardIdentity,
        identity: VerifiedIdentity,
        eform: EFormReference,
    ) {
        let resident = holder.resident;
        let opening = ApplicationOpening {
            resident,
            centre: self.config.centre,
            old_card: holder.card,
            eform,
            identity: identity.evidence,
            thumbs: identity.thumbs,
        };
        self.step = Step::Opening { resident };
        let message = Message::OpenApplicationRequest { opening };
        let to = self.config.registration_service;
        self.plumbing.call(now, Call::Open(resident), to, message);
    }

    fn take_photo(&mut self, application: ApplicationId, attempt: u8) {
        self.step = Step::TakingPhoto {
            application,
            attempt,
        };
        self.plumbing
            .device(PhotoCounterDevice::TakePhoto { attempt });
    }

    fn on_photo(
        &mut self,
        now: SimTime,
        application: ApplicationId,
        attempt: u8,
        capture: PhotoCapture,
    ) {
        match capture {
            PhotoCapture::Taken {
                photo,
                acceptable: true,
            } => {
                self.visit.progress.photo = Some(photo);
                self.advance(now);
            }
            PhotoCapture::Taken { .. } if attempt < self.config.photo_attempts_max.get() => {
                self.take_photo(application, attempt + 1)
            }
            PhotoCapture::Taken { .. } => self.unfinished(UnfinishedReason::PhotoNotObtained),
            PhotoCapture::Fault(fault) => self.out_of_service(DeviceKind::Camera, fault),
        }
    }

    fn complete(
        &mut self,
        now: SimTime,
        resident: ResidentId,
        application: ApplicationId,
        photo: BiometricDigest,
    ) {
        self.step = Step::Completing {
            resident,
            application,
        };
        let message = Message::CompleteApplicationRequest {
            resident,
            application,
            photo,
            officer: self.config.officer,
        };
        let to = self.config.registration_service;
        self.plumbing
            .call(now, Call::Complete(application), to, message);
    }

    fn on_reply(&mut self, now: SimTime, message: Message) {
        match (self.step, message) {
            (
                Step::SubmittingForm { resident },
                Message::EFormSubmitReply {
                    resident: submitter,
                    outcome,
                },
            ) if resident == submitter && self.plumbing.complete(Call::EForm(resident)) => {
                self.on_eform(now, outcome);
            }
            (
                Step::Opening { resident },
                Message::OpenApplicationReply {
                    resident: applicant,
                    outcome,
                },
            ) if resident == applicant && self.plumbing.complete(Call::Open(resident)) => {
                self.on_opened(now, resident, outcome);
            }
            (
                Step::Completing {
                    resident,
                    application,
                },
                Message::CompleteApplicationReply {
                    resident: applicant,
                    application: completed,
                    outcome,
                },
            ) if resident == applicant
                && application == completed
                && self.plumbing.complete(Call::Complete(application)) =>
            {
                self.on_completed(resident, application, outcome);
            }
            // A duplicate, a late reply from an earlier visit, or not for this counter.
            _ => {}
        }
    }

    /// Stored now or earlier: either way the reference is the resident's own e-form.
    fn on_eform(&mut self, now: SimTime, outcome: EFormSubmitOutcome) {
        self.visit.progress.eform = Some(outcome.qr().reference);
        self.advance(now);
    }

    fn on_opened(&mut self, now: SimTime, resident: ResidentId, outcome: OpenApplicationOutcome) {
        match outcome {
            OpenApplicationOutcome::Opened { application } => {
                self.visit.progress.application = Some(application);
                self.advance(now);
            }
            OpenApplicationOutcome::AlreadyAccepted {
                application,
                acknowledgement,
            } => self.end(CounterResult::AlreadyAccepted {
                resident,
                application,
                acknowledgement,
            }),
            OpenApplicationOutcome::Refused { reason } => self.end(CounterResult::NotRegistered {
                resident: Some(resident),
                reason: NotRegisteredReason::ApplicationRefused { reason },
            }),
        }
    }

    fn on_completed(
        &mut self,
        resident: ResidentId,
        application: ApplicationId,
        outcome: CompleteApplicationOutcome,
    ) {
        match outcome {
            CompleteApplicationOutcome::Accepted { acknowledgement } => {
                self.end(CounterResult::Accepted {
                    resident,
                    application,
                    acknowledgement,
                })
            }
            CompleteApplicationOutcome::NotOpen => {
                self.visit.progress.application = None;
                self.unfinished(UnfinishedReason::ApplicationNotOpen);
            }
            CompleteApplicationOutcome::DuplicateSuspected => {
                self.end(CounterResult::NotRegistered {
                    resident: Some(resident),
                    reason: NotRegisteredReason::DuplicateSuspected,
                })
            }
        }
    }

    fn on_wake(&mut self, now: SimTime) {
        for key in self.plumbing.expire(now) {
            let awaited = match (self.step, key) {
                (Step::SubmittingForm { resident }, Call::EForm(submitter)) => {
                    resident == submitter
                }
                (Step::Opening { resident }, Call::Open(applicant)) => resident == applicant,
                (Step::Completing { application, .. }, Call::Complete(completed)) => {
                    application == completed
                }
                _ => false,
            };
            if awaited {
                self.unfinished(UnfinishedReason::ServiceUnreachable);
            }
        }
    }

    fn not_identified(&mut self) {
        self.end(CounterResult::NotRegistered {
            resident: self.visit.progress.resident(),
            reason: NotRegisteredReason::IdentityNotEstablished,
        });
    }

    fn unfinished(&mut self, reason: UnfinishedReason) {
        let progress = self.visit.progress;
        self.end(CounterResult::Unfinished { reason, progress });
    }

    fn out_of_service(&mut self, device: DeviceKind, fault: DeviceFault) {
        self.plumbing
            .emit(PhotoCounterEvent::OutOfService { device, fault });
        self.unfinished(UnfinishedReason::CounterOutOfService);
        self.step = Step::OutOfService;
    }

    fn end(&mut self, result: CounterResult) {
        self.plumbing
            .emit(PhotoCounterEvent::SessionEnded { result });
        self.step = Step::Idle;
        self.visit = CounterVisit::default();
    }
}

/// The progress a resident brings when no kiosk served them at all.
impl From<RegistrationProgress> for CounterVisit {
    fn from(progress: RegistrationProgress) -> CounterVisit {
        CounterVisit {
            progress,
            referral: None,
        }
    }
}
