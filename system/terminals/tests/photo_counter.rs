//! The photo counter (the officer's workflow) against a double of the registration service
//! and the real booking service: photos with retakes, completion and acceptance only on the
//! service's durable reply, and the officer exceptions: manual old-card handling, manual
//! identity verification, taking over from a kiosk out of service.

mod common;

use std::num::NonZeroU8;

use common::{BOOKING, REGISTRATION, Run, Services};
use hkic_base::seed_stream;
use hkic_services::messages::{
    ApplicationId, BiometricDigest, CardId, CentreId, EFormDigest, EFormReference,
    IdentityEvidence, ManualIdentityBasis, Message, OfficerId, OpenRefusal, ResidentId,
};
use hkic_terminals::PhotoCounter;
use hkic_terminals::devices::{
    DeviceFault, DeviceKind, FormEntry, ManualVerification, OldCardIdentity, OldCardInspection,
    PhotoCapture,
};
use hkic_terminals::photo_counter::{
    CounterResult, CounterVisit, NotRegisteredReason, PhotoCounterConfig,
    PhotoCounterDevice as Device, PhotoCounterEvent as Event, PhotoCounterInput as Input,
    PhotoCounterOutcome as Outcome, UnfinishedReason,
};
use hkic_terminals::registration::{RegistrationProgress, RegistrationReferral, VerifiedIdentity};

const PHOTO_ATTEMPTS: u8 = 3;
const OFFICER: OfficerId = OfficerId(12);
const KIOSK_THUMBS: BiometricDigest = BiometricDigest(1);
const COUNTER_THUMBS: BiometricDigest = BiometricDigest(2);

fn counter() -> Run<PhotoCounter> {
    let config = PhotoCounterConfig {
        centre: CentreId(0),
        officer: OFFICER,
        booking_service: BOOKING,
        registration_service: REGISTRATION,
        retry: common::retry(),
        photo_attempts_max: NonZeroU8::new(PHOTO_ATTEMPTS).unwrap(),
    };
    Run::new(PhotoCounter::new(config, seed_stream(4)), common::start())
}

fn holder(resident: u32) -> OldCardIdentity {
    OldCardIdentity {
        resident: ResidentId(resident),
        card: CardId(10_000 + u64::from(resident)),
    }
}

/// The progress a kiosk hands over after opening the application (as the double opens it).
fn opened_at_kiosk(services: &mut Services, resident: u32) -> RegistrationProgress {
    let mut progress = RegistrationProgress {
        holder: Some(holder(resident)),
        identity: Some(VerifiedIdentity {
            evidence: IdentityEvidence::KioskThumbs,
            thumbs: KIOSK_THUMBS,
        }),
        eform: Some(EFormReference(0)),
        application: None,
        photo: None,
    };
    let mut run = counter();
    run.input(Input::Begin {
        visit: CounterVisit::from(progress),
    });
    run.exchange(services);
    progress.application = Some(services.registration.applications[&ResidentId(resident)].id);
    progress
}

fn answer(run: &mut Run<PhotoCounter>, expected: Device, outcome: Outcome) {
    assert_eq!(run.device(), expected);
    run.input(Input::Device(outcome));
}

fn photo(run: &mut Run<PhotoCounter>, attempt: u8, acceptable: bool) {
    let taken = PhotoCapture::Taken {
        photo: BiometricDigest(900 + u64::from(attempt)),
        acceptable,
    };
    answer(
        run,
        Device::TakePhoto { attempt },
        Outcome::PhotoTaken(taken),
    );
}

fn result(run: &Run<PhotoCounter>) -> CounterResult {
    let results: Vec<CounterResult> = run
        .events
        .iter()
        .filter_map(|event| match event {
            Event::SessionEnded { result } => Some(*result),
            _ => None,
        })
        .collect();
    assert_eq!(results.len(), 1, "{:?}", run.events);
    results[0]
}

#[test]
fn retakes_then_completes_and_tells_accepted_only_after_the_durable_reply() {
    let mut services = Services::new();
    let progress = opened_at_kiosk(&mut services, 3);
    let application = progress.application.unwrap();
    let mut run = counter();
    run.input(Input::Begin {
        visit: CounterVisit::from(progress),
    });
    photo(&mut run, 1, false);
    photo(&mut run, 2, true);
    assert!(run.events.is_empty(), "nothing is told before the reply");
    let [Message::CompleteApplicationRequest { photo, officer, .. }] =
        run.sent_to(REGISTRATION)[..]
    else {
        panic!("{:?}", run.sent)
    };
    assert_eq!((*photo, *officer), (BiometricDigest(902), OFFICER));
    run.exchange(&mut services);
    let (committed, acknowledgement) = services.registration.accepted[0];
    assert_eq!(committed, application);
    assert_eq!(
        result(&run),
        CounterResult::Accepted {
            resident: ResidentId(3),
            application,
            acknowledgement
        }
    );
    assert!(run.terminal.is_free());
}

#[test]
fn no_acceptable_photo_within_the_cap_leaves_the_application_open_for_another_visit() {
    let mut services = Services::new();
    let progress = opened_at_kiosk(&mut services, 3);
    let mut run = counter();
    run.input(Input::Begin {
        visit: CounterVisit::from(progress),
    });
    for attempt in 1..=PHOTO_ATTEMPTS {
        photo(&mut run, attempt, false);
    }
    let CounterResult::Unfinished {
        reason,
        progress: left,
    } = result(&run)
    else {
        panic!("{:?}", run.events)
    };
    assert_eq!(reason, UnfinishedReason::PhotoNotObtained);
    assert_eq!(left, progress);
    assert!(run.sent.is_empty());
    let mut again = counter();
    again.input(Input::Begin {
        visit: CounterVisit::from(left),
    });
    photo(&mut again, 1, true);
    again.exchange(&mut services);
    assert!(matches!(result(&again), CounterResult::Accepted { .. }));
}

#[test]
fn fingerprints_that_failed_at_the_kiosk_get_manual_verification_and_a_form() {
    let mut services = Services::new();
    let visit = CounterVisit {
        progress: RegistrationProgress {
            holder: Some(holder(5)),
            ..RegistrationProgress::default()
        },
        referral: Some(RegistrationReferral::FingerprintsNotVerified),
    };
    let mut run = counter();
    run.input(Input::Begin { visit });
    let basis = ManualIdentityBasis::FingerprintsNotVerified;
    let verified = ManualVerification::Verified {
        thumbs: COUNTER_THUMBS,
    };
    answer(
        &mut run,
        Device::VerifyIdentity { basis },
        Outcome::IdentityVerified(verified),
    );
    let entered = FormEntry::Entered {
        digest: EFormDigest(55),
    };
    answer(&mut run, Device::EnterForm, Outcome::FormEntered(entered));
    run.exchange(&mut services);
    let application = services.registration.applications[&ResidentId(5)];
    let evidence = IdentityEvidence::Officer {
        officer: OFFICER,
        basis,
    };
    assert_eq!(application.opening.identity, evidence);
    assert_eq!(application.opening.thumbs, COUNTER_THUMBS);
    assert_eq!(application.opening.old_card, holder(5).card);
    assert_eq!(services.booking.service.eform_count(), 1);
    photo(&mut run, 1, true);
    run.exchange(&mut services);
    assert!(matches!(result(&run), CounterResult::Accepted { .. }));
}

#[test]
fn an_unreadable_old_card_is_inspected_then_the_identity_verified_by_hand() {
    let mut services = Services::new();
    let earlier = Message::EFormSubmitRequest {
        resident: ResidentId(6),
        digest: EFormDigest(8),
    };
    services.booking.deliver(common::start(), BOOKING, earlier);
    let visit = CounterVisit {
        progress: RegistrationProgress::default(),
        referral: Some(RegistrationReferral::OldCardUnreadable),
    };
    let mut run = counter();
    run.input(Input::Begin { visit });
    answer(
        &mut run,
        Device::InspectOldCard,
        Outcome::OldCardInspected(OldCardInspection::Identified(holder(6))),
    );
    let basis = ManualIdentityBasis::OldCardUnreadable;
    let verified = ManualVerification::Verified {
        thumbs: COUNTER_THUMBS,
    };
    answer(
        &mut run,
        Device::VerifyIdentity { basis },
        Outcome::IdentityVerified(verified),
    );
    let entered = FormEntry::Entered {
        digest: EFormDigest(9),
    };
    answer(&mut run, Device::EnterForm, Outcome::FormEntered(entered));
    run.exchange(&mut services);
    // The resident's own e-form, stored before, stands.
    let opening = services.registration.applications[&ResidentId(6)].opening;
    assert_eq!(opening.eform, EFormReference(0));
    assert_eq!(services.booking.service.eform_count(), 1);
    photo(&mut run, 1, true);
    run.exchange(&mut services);
    assert!(matches!(result(&run), CounterResult::Accepted { .. }));
}

#[test]
fn an_identity_the_officer_cannot_establish_is_not_registered() {
    let cases = [
        Outcome::OldCardInspected(OldCardInspection::NotIdentified),
        Outcome::IdentityVerified(ManualVerification::NotVerified),
    ];
    for (index, outcome) in cases.into_iter().enumerate() {
        let progress = RegistrationProgress {
            holder: (index == 1).then_some(holder(2)),
            ..RegistrationProgress::default()
        };
        let mut run = counter();
        run.input(Input::Begin {
            visit: CounterVisit::from(progress),
        });
        run.device();
        run.input(Input::Device(outcome));
        let CounterResult::NotRegistered { reason, .. } = result(&run) else {
            panic!("{:?}", run.events)
        };
        assert_eq!(reason, NotRegisteredReason::IdentityNotEstablished);
        assert!(run.sent.is_empty());
    }
}

#[test]
fn a_kiosk_out_of_service_before_verification_is_taken_over_with_manual_verification() {
    let visit = CounterVisit {
        progress: RegistrationProgress {
            holder: Some(holder(2)),
            ..RegistrationProgress::default()
        },
        referral: Some(RegistrationReferral::KioskOutOfService),
    };
    let mut run = counter();
    run.input(Input::Begin { visit });
    assert_eq!(
        run.device(),
        Device::VerifyIdentity {
            basis: ManualIdentityBasis::KioskUnavailable
        }
    );
}

#[test]
fn a_lost_completion_reply_is_not_acceptance_and_a_later_visit_gets_the_same_one() {
    let mut services = Services::new();
    let progress = opened_at_kiosk(&mut services, 4);
    services.registration.mute = true;
    let mut run = counter();
    run.input(Input::Begin {
        visit: CounterVisit::from(progress),
    });
    photo(&mut run, 1, true);
    run.run_out_the_clock(&mut services);
    assert!(run.sent_to(REGISTRATION).len() >= 3);
    // The double committed the application, but no reply arrived: not told accepted.
    assert_eq!(services.registration.accepted.len(), 1);
    let CounterResult::Unfinished {
        reason,
        progress: left,
    } = result(&run)
    else {
        panic!("{:?}", run.events)
    };
    assert_eq!(reason, UnfinishedReason::ServiceUnreachable);
    assert_eq!(left.photo, Some(BiometricDigest(901)));
    services.registration.mute = false;
    let mut again = counter();
    again.input(Input::Begin {
        visit: CounterVisit::from(left),
    });
    assert!(again.devices.is_empty(), "the photo is not taken again");
    again.exchange(&mut services);
    let (_, acknowledgement) = services.registration.accepted[0];
    let CounterResult::Accepted {
        acknowledgement: told,
        ..
    } = result(&again)
    else {
        panic!("{:?}", again.events)
    };
    assert_eq!(told, acknowledgement);
    assert_eq!(services.registration.accepted.len(), 1);
}

#[test]
fn refusals_duplicates_and_unknown_applications_end_without_acceptance() {
    let mut services = Services::new();
    let progress = opened_at_kiosk(&mut services, 1);
    services.registration.suspect_duplicates = true;
    let mut run = counter();
    run.input(Input::Begin {
        visit: CounterVisit::from(progress),
    });
    photo(&mut run, 1, true);
    run.exchange(&mut services);
    let CounterResult::NotRegistered { reason, .. } = result(&run) else {
        panic!("{:?}", run.events)
    };
    assert_eq!(reason, NotRegisteredReason::DuplicateSuspected);

    services.registration.suspect_duplicates = false;
    let unknown = RegistrationProgress {
        application: Some(ApplicationId(999)),
        ..progress
    };
    let mut run = counter();
    run.input(Input::Begin {
        visit: CounterVisit::from(unknown),
    });
    photo(&mut run, 1, true);
    run.exchange(&mut services);
    let CounterResult::Unfinished {
        reason,
        progress: left,
    } = result(&run)
    else {
        panic!("{:?}", run.events)
    };
    assert_eq!(reason, UnfinishedReason::ApplicationNotOpen);
    assert_eq!(left.application, None);

    services.registration.refuse_open = Some(OpenRefusal::NotEligible);
    let fresh = RegistrationProgress {
        holder: Some(holder(2)),
        application: None,
        ..progress
    };
    let mut run = counter();
    run.input(Input::Begin {
        visit: CounterVisit::from(fresh),
    });
    run.exchange(&mut services);
    assert_eq!(
        result(&run),
        CounterResult::NotRegistered {
            resident: Some(ResidentId(2)),
            reason: NotRegisteredReason::ApplicationRefused {
                reason: OpenRefusal::NotEligible
            }
        }
    );
}

#[test]
fn an_application_accepted_earlier_is_reported_as_such() {
    let mut services = Services::new();
    let progress = opened_at_kiosk(&mut services, 1);
    let mut run = counter();
    run.input(Input::Begin {
        visit: CounterVisit::from(progress),
    });
    photo(&mut run, 1, true);
    run.exchange(&mut services);
    let CounterResult::Accepted {
        acknowledgement, ..
    } = result(&run)
    else {
        panic!()
    };
    let reopened = RegistrationProgress {
        application: None,
        photo: None,
        ..progress
    };
    let mut again = counter();
    again.input(Input::Begin {
        visit: CounterVisit::from(reopened),
    });
    again.exchange(&mut services);
    assert_eq!(
        result(&again),
        CounterResult::AlreadyAccepted {
            resident: ResidentId(1),
            application: progress.application.unwrap(),
            acknowledgement
        }
    );
}

#[test]
fn a_camera_fault_takes_the_counter_out_of_service_and_keeps_the_progress() {
    let mut services = Services::new();
    let progress = opened_at_kiosk(&mut services, 1);
    let mut run = counter();
    run.input(Input::Begin {
        visit: CounterVisit::from(progress),
    });
    let fault = DeviceFault::Jammed {
        this_operation: false,
    };
    answer(
        &mut run,
        Device::TakePhoto { attempt: 1 },
        Outcome::PhotoTaken(PhotoCapture::Fault(fault)),
    );
    assert_eq!(
        run.events[0],
        Event::OutOfService {
            device: DeviceKind::Camera,
            fault
        }
    );
    assert_eq!(
        result(&run),
        CounterResult::Unfinished {
            reason: UnfinishedReason::CounterOutOfService,
            progress
        }
    );
    run.input(Input::Begin {
        visit: CounterVisit::from(progress),
    });
    assert_eq!(run.events.last(), Some(&Event::BeginRefused));
    run.input(Input::Restored);
    assert!(run.terminal.is_free());
}
