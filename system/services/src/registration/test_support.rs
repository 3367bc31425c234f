//! What the registration service's tests share: the harness, requests, and reading replies.

use hkic_base::SimDuration;

use super::*;
use crate::messages::{EFormReference, IdentityEvidence};
use crate::test_disk::test_service;

test_service!(RegistrationService, RegistrationConfig, RegistrationEvent);

pub(super) type Harness = crate::test_disk::Harness<RegistrationService>;

/// Where the card orders go.
pub(super) const PRODUCTION: Address = Address(30);

pub(super) fn config_with_key(acknowledgement_key: u64) -> RegistrationConfig {
    RegistrationConfig {
        acknowledgement_key,
        production: PRODUCTION,
        retry: RetryPolicy {
            timeout: SimDuration::from_secs(5),
            backoff_initial: SimDuration::from_secs(1),
            backoff_max: SimDuration::from_secs(60),
            give_up_after: SimDuration::from_secs(30),
        },
        jitter: hkic_base::seed_stream(3),
    }
}

pub(super) fn config() -> RegistrationConfig {
    config_with_key(0x5EED)
}

pub(super) const NOW: SimTime = SimTime::from_nanos(0);

pub(super) fn open(resident: u32, old_card: u64, thumbs: u64) -> Message {
    let opening = ApplicationOpening {
        resident: ResidentId(resident),
        centre: CentreId(2),
        old_card: CardId(old_card),
        eform: EFormReference(u64::from(resident)),
        identity: IdentityEvidence::KioskThumbs,
        thumbs: BiometricDigest(thumbs),
    };
    Message::OpenApplicationRequest { opening }
}

pub(super) fn complete(resident: u32, application: ApplicationId, photo: u64) -> Message {
    Message::CompleteApplicationRequest {
        resident: ResidentId(resident),
        application,
        photo: BiometricDigest(photo),
        officer: OfficerId(4),
    }
}

pub(super) fn opened(reply: Message) -> OpenApplicationOutcome {
    match reply {
        Message::OpenApplicationReply { outcome, .. } => outcome,
        other => panic!("{other:?}"),
    }
}

pub(super) fn completed(reply: Message) -> CompleteApplicationOutcome {
    match reply {
        Message::CompleteApplicationReply { outcome, .. } => outcome,
        other => panic!("{other:?}"),
    }
}

/// Opens an application for a resident with a card and thumbs of their own.
pub(super) fn open_new(harness: &mut Harness, resident: u32, thumbs: u64) -> ApplicationId {
    match opened(harness.request(NOW, open(resident, 100 + u64::from(resident), thumbs))) {
        OpenApplicationOutcome::Opened { application } => application,
        other => panic!("{other:?}"),
    }
}

pub(super) fn accept(harness: &mut Harness, resident: u32, application: ApplicationId) -> u64 {
    match completed(harness.request(NOW, complete(resident, application, 9))) {
        CompleteApplicationOutcome::Accepted { acknowledgement } => acknowledgement.0,
        other => panic!("{other:?}"),
    }
}
