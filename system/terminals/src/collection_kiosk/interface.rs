//! The collection kiosk's inputs, device requests and outcomes, results and events.

use std::num::NonZeroU8;

use hkic_services::io::Address;
use hkic_services::messages::{
    AcknowledgementReference, ActivationRefusal, CardId, CentreId, Message, ResidentId,
};
use hkic_services::rpc::RetryPolicy;

use crate::devices::{
    CardReading, CardTake, DeviceFault, DeviceKind, Handling, QrScan, ReadVerdict,
    ThumbVerification,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CollectionKioskConfig {
    pub centre: CentreId,
    pub collection_service: Address,
    pub retry: RetryPolicy,
    /// Scans of the acknowledgement QR code before the resident is sent to an officer.
    pub qr_attempts_max: NonZeroU8,
    /// Live-thumb verification attempts against DG3 before the card goes back to the store.
    pub thumb_attempts_max: NonZeroU8,
    /// Always `None` but in the simulator's runs that prove its checkers fire.
    pub defect: Option<CollectionKioskDefect>,
}

/// A deliberate defect the simulator plants (`hkic-sim run --plant-bug`) to prove that the
/// world's checkers notice a kiosk that breaks invariant 2. No deployment configures one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionKioskDefect {
    /// A bring-up switch left on: after a genuine read of the holder's card the kiosk asks
    /// for activation at once, with an empty capture, and never verifies the live thumbs.
    SkipThumbCheck,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CollectionKioskInput {
    /// A resident starts a collection (if the kiosk is free and in service).
    Start,
    Device(CollectionKioskOutcome),
    /// An officer cleared the fault (and took out any card held inside): back in service.
    Restored,
    Message {
        from: Address,
        message: Message,
    },
    Wake,
}

/// What the kiosk asks of its hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionKioskDevice {
    /// Scan the acknowledgement QR code: answer `QrScanned`.
    ScanAcknowledgementQr,
    /// Bring the card from the store to the reader: answer `CardTaken`.
    TakeCard { card: CardId },
    /// Read the card at the reader (PACE, passive, chip and terminal authentication, DG3):
    /// answer `CardRead`.
    ReadCard { card: CardId },
    /// Capture the live thumbs and verify them against the DG3 just read: answer
    /// `ThumbsVerified`.
    VerifyThumbs { card: CardId },
    /// Put the card back in the store: answer `CardReturned`.
    ReturnCard { card: CardId },
    /// Keep a card that failed its checks in the reject bin: answer `CardRetained`.
    RetainCard { card: CardId },
    /// Hand the card to the resident through the dispenser: answer `CardDispensed`.
    DispenseCard { card: CardId },
}

/// One per request, of the request's kind; anything else is ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CollectionKioskOutcome {
    QrScanned(QrScan),
    CardTaken(CardTake),
    CardRead(CardReading),
    ThumbsVerified(ThumbVerification),
    CardReturned(Handling),
    CardRetained(Handling),
    CardDispensed(Handling),
}

/// Where the card is when a session ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CardWhereabouts {
    /// In the store: never taken, or put back.
    #[default]
    InStore,
    /// The store does not hold it.
    Missing,
    /// At the reader (only while a session runs).
    AtReader,
    /// In the kiosk's reject bin (it failed authentication).
    Retained,
    /// Stuck in the kiosk's mechanism: an officer takes it out.
    HeldInKiosk,
    Dispensed,
}

/// What the registry was asked, and answered, about the card.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ActivationState {
    #[default]
    NotRequested,
    /// Requested, and no answer came: the card may be active (asking again is safe).
    Unknown,
    Refused {
        reason: ActivationRefusal,
    },
    Activated {
        cancelled: Option<CardId>,
    },
}

/// What a session leaves behind: enough for the resident to retry at a kiosk, or for an
/// officer to finish.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CollectionState {
    pub acknowledgement: Option<AcknowledgementReference>,
    pub resident: Option<ResidentId>,
    pub card: Option<CardId>,
    pub whereabouts: CardWhereabouts,
    pub activation: ActivationState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionFailure {
    AcknowledgementUnreadable,
    UnknownAcknowledgement,
    NotReady,
    AtAnotherCentre {
        centre: CentreId,
    },
    Withdrawn,
    CardNotInStore,
    /// The read could not finish (transmission, a refused CAN).
    CardUnreadable,
    /// The chip is not what it claims: the card is retained.
    CardNotGenuine {
        verdict: ReadVerdict,
    },
    /// DG1 names somebody else: the store handed the wrong card.
    WrongCard,
    /// Terminal authentication did not grant DG3, so no thumb can be verified.
    Dg3NotRead,
    FingerprintsNotVerified,
    ActivationRefused {
        reason: ActivationRefusal,
    },
    /// The collection service did not answer within the retry policy.
    ServiceUnreachable,
    /// A device failed and the kiosk went out of service.
    KioskOutOfService,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionResult {
    /// The card is activated, the old card cancelled, and the card in the resident's hand.
    Collected {
        resident: ResidentId,
        card: CardId,
        cancelled: Option<CardId>,
    },
    NotCollected {
        reason: CollectionFailure,
        state: CollectionState,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionKioskEvent {
    /// The session is over: exactly one per session started.
    SessionEnded {
        result: CollectionResult,
    },
    OutOfService {
        device: DeviceKind,
        fault: DeviceFault,
    },
    BackInService,
    /// A collection was started while the kiosk was busy or out of service.
    StartRefused,
}
