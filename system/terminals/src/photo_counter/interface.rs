//! The photo counter's inputs, device requests and outcomes, results and events.

use std::num::NonZeroU8;

use hkic_services::io::Address;
use hkic_services::messages::{
    AcknowledgementReference, ApplicationId, CentreId, ManualIdentityBasis, Message, OfficerId,
    OpenRefusal, ResidentId,
};
use hkic_services::rpc::RetryPolicy;

use crate::devices::{
    DeviceFault, DeviceKind, FormEntry, ManualVerification, OldCardInspection, PhotoCapture,
};
use crate::registration::{RegistrationProgress, RegistrationReferral};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhotoCounterConfig {
    pub centre: CentreId,
    /// The officer staffing the counter (named in manual identity evidence and completions).
    pub officer: OfficerId,
    pub booking_service: Address,
    pub registration_service: Address,
    pub retry: RetryPolicy,
    /// Photos taken before the officer gives up for this visit.
    pub photo_attempts_max: NonZeroU8,
}

/// Who sits down at the counter: how far their registration got, and why a kiosk referred
/// them (`None`: they come for the photo, or no kiosk served them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterVisit {
    pub progress: RegistrationProgress,
    pub referral: Option<RegistrationReferral>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhotoCounterInput {
    /// A resident sits down: a visit begins (if the counter is free and in service).
    Begin {
        visit: CounterVisit,
    },
    Device(PhotoCounterOutcome),
    /// The failed device was repaired: back in service.
    Restored,
    Message {
        from: Address,
        message: Message,
    },
    Wake,
}

/// What the officer does with the counter's equipment. The manual steps are device requests
/// too, so that the simulator prices them (and decides their outcome) like any other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoCounterDevice {
    /// Manual old-card handling (the kiosk could not read it): answer `OldCardInspected`.
    InspectOldCard,
    /// Manual identity verification, thumbs captured for the new card: answer
    /// `IdentityVerified`.
    VerifyIdentity { basis: ManualIdentityBasis },
    /// Enter the application form on the tablet with the resident: answer `FormEntered`.
    EnterForm,
    /// Take photo number `attempt` (from 1): answer `PhotoTaken`.
    TakePhoto { attempt: u8 },
}

/// One per request, of the request's kind; anything else is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoCounterOutcome {
    OldCardInspected(OldCardInspection),
    IdentityVerified(ManualVerification),
    FormEntered(FormEntry),
    PhotoTaken(PhotoCapture),
}

/// How a visit ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterResult {
    /// The registration service durably accepted the application: only now is the resident
    /// told "accepted" and handed the acknowledgement slip.
    Accepted {
        resident: ResidentId,
        application: ApplicationId,
        acknowledgement: AcknowledgementReference,
    },
    /// The resident's application was accepted on an earlier visit; it stands.
    AlreadyAccepted {
        resident: ResidentId,
        application: ApplicationId,
        acknowledgement: AcknowledgementReference,
    },
    /// Registration cannot go on; the resident leaves without an accepted application.
    NotRegistered {
        resident: Option<ResidentId>,
        reason: NotRegisteredReason,
    },
    /// Interrupted; a later visit continues from `progress`. The resident is not told
    /// "accepted".
    Unfinished {
        reason: UnfinishedReason,
        progress: RegistrationProgress,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotRegisteredReason {
    /// The officer could not identify the card's holder or verify the resident.
    IdentityNotEstablished,
    ApplicationRefused {
        reason: OpenRefusal,
    },
    /// The 1:N check found the thumbprints under another identity: held for investigation.
    DuplicateSuspected,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnfinishedReason {
    /// No acceptable photo within `photo_attempts_max`.
    PhotoNotObtained,
    /// A service did not answer within the retry policy.
    ServiceUnreachable,
    /// The registration service knows no such open application: the next visit opens one.
    ApplicationNotOpen,
    /// A counter device failed.
    CounterOutOfService,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoCounterEvent {
    /// The visit is over: exactly one per visit begun.
    SessionEnded {
        result: CounterResult,
    },
    OutOfService {
        device: DeviceKind,
        fault: DeviceFault,
    },
    BackInService,
    /// A visit was offered while the counter was busy or out of service.
    BeginRefused,
}
