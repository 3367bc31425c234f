//! The registration kiosk's inputs, device requests and outcomes, and events.

use std::num::NonZeroU8;

use hkic_services::io::Address;
use hkic_services::messages::{ApplicationId, CentreId, EFormReference, Message};
use hkic_services::rpc::RetryPolicy;

use crate::devices::{
    DeviceFault, DeviceKind, Handling, OldCardReading, QrScan, ThumbVerification,
};
use crate::registration::{RegistrationProgress, RegistrationReferral};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistrationKioskConfig {
    pub centre: CentreId,
    pub booking_service: Address,
    pub registration_service: Address,
    pub retry: RetryPolicy,
    /// Two-thumb verification attempts before the resident is referred to an officer.
    pub thumb_attempts_max: NonZeroU8,
    /// Scans of the e-form QR code before a floor officer is called to key the reference.
    pub qr_attempts_max: NonZeroU8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistrationKioskInput {
    /// A resident inserts their old card: a session begins (if the kiosk is free and in
    /// service; otherwise the card is not taken).
    InsertOldCard,
    Device(RegistrationKioskOutcome),
    /// The floor officer called after unreadable QR codes keyed the e-form reference.
    OfficerKeyedReference {
        reference: EFormReference,
    },
    /// The floor officer could not key a reference (the resident has none with them).
    OfficerDeclined,
    /// An officer cleared the fault (or the device is back online): back in service.
    Restored,
    Message {
        from: Address,
        message: Message,
    },
    Wake,
}

/// What the kiosk asks of its hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationKioskDevice {
    /// Read the inserted first-generation card: answer `OldCardRead`.
    ReadOldCard,
    /// Capture both thumbs and verify them against the old card's templates: answer
    /// `ThumbsVerified`.
    VerifyThumbs,
    /// Scan the e-form QR code: answer `QrScanned`.
    ScanEFormQr,
    /// Print the application form: answer `FormPrinted`.
    PrintForm { application: ApplicationId },
}

/// What the hardware answers, one per request, of the request's kind. An outcome of another
/// kind than the one awaited (or when none is) is ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistrationKioskOutcome {
    OldCardRead(OldCardReading),
    ThumbsVerified(ThumbVerification),
    QrScanned(QrScan),
    FormPrinted(Handling),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationResult {
    /// Go to the photo counter with the printed form (`progress.application` is set).
    ToPhotoCounter { progress: RegistrationProgress },
    /// See an officer, who continues from `progress`.
    Referred {
        reason: RegistrationReferral,
        progress: RegistrationProgress,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationKioskEvent {
    /// The session is over: exactly one per card taken.
    SessionEnded {
        result: RegistrationResult,
    },
    /// A floor officer is needed at the kiosk to key the e-form reference: answer
    /// `OfficerKeyedReference` or `OfficerDeclined`.
    OfficerCalled,
    /// A device failed: the kiosk takes nobody until `Restored`.
    OutOfService {
        device: DeviceKind,
        fault: DeviceFault,
    },
    BackInService,
    /// A card was offered while the kiosk was busy or out of service; it was not taken.
    InsertRefused,
}
