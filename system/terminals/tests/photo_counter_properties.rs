//! Property: the photo counter, driven by arbitrary visits (any progress, any referral) and
//! arbitrary interleavings of device outcomes, replies (delivered, lost, duplicated,
//! reordered, forged) and wake-ups, never panics, ends every visit it began exactly once,
//! and never tells a resident "accepted" except on the registration service's reply that
//! accepted that resident's application, with that acknowledgement.

mod common;

use std::num::NonZeroU8;

use common::fuzz::{Fuzz, Produced, action};
use common::{BOOKING, REGISTRATION, Run, Services};
use hkic_base::seed_stream;
use hkic_services::messages::{
    AcknowledgementReference, ApplicationId, ApplicationOpening, BiometricDigest, CardId, CentreId,
    CompleteApplicationOutcome, EFormDigest, EFormQr, EFormReference, EFormSubmitOutcome,
    IdentityEvidence, ManualIdentityBasis, Message, OfficerId, OpenApplicationOutcome, ResidentId,
};
use hkic_terminals::PhotoCounter;
use hkic_terminals::devices::{
    DeviceFault, FormEntry, ManualVerification, OldCardIdentity, OldCardInspection, PhotoCapture,
};
use hkic_terminals::photo_counter::{
    CounterResult, CounterVisit, PhotoCounterConfig, PhotoCounterDevice as Device,
    PhotoCounterEvent as Event, PhotoCounterInput as Input, PhotoCounterOutcome as Outcome,
};
use hkic_terminals::registration::{RegistrationProgress, RegistrationReferral, VerifiedIdentity};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

fn holder(resident: u32) -> OldCardIdentity {
    OldCardIdentity {
        resident: ResidentId(resident),
        card: CardId(10_000 + u64::from(resident)),
    }
}

/// Residents 0 and 1 have applications open (100 and 101) at the registration double.
fn services() -> Services {
    let mut services = Services::new();
    for resident in 0..2 {
        let opening = ApplicationOpening {
            resident: ResidentId(resident),
            centre: CentreId(0),
            old_card: holder(resident).card,
            eform: EFormReference(u64::from(resident)),
            identity: IdentityEvidence::KioskThumbs,
            thumbs: BiometricDigest(1),
        };
        services
            .registration
            .handle(Message::OpenApplicationRequest { opening });
    }
    services
}

fn progress() -> impl Strategy<Value = RegistrationProgress> {
    let identity = (any::<bool>(), any::<u64>()).prop_map(|(kiosk, thumbs)| VerifiedIdentity {
        evidence: if kiosk {
            IdentityEvidence::KioskThumbs
        } else {
            IdentityEvidence::Officer {
                officer: OfficerId(1),
                basis: ManualIdentityBasis::KioskUnavailable,
            }
        },
        thumbs: BiometricDigest(thumbs),
    });
    (
        proptest::option::of((0u32..3).prop_map(holder)),
        proptest::option::of(identity),
        proptest::option::of((0u64..3).prop_map(EFormReference)),
        proptest::option::of((99u64..103).prop_map(ApplicationId)),
        proptest::option::of(any::<u64>().prop_map(BiometricDigest)),
    )
        .prop_map(
            |(holder, identity, eform, application, photo)| RegistrationProgress {
                holder,
                identity,
                eform,
                application,
                photo,
            },
        )
}

fn visit() -> impl Strategy<Value = CounterVisit> {
    let referral = proptest::option::of(prop_oneof![
        Just(RegistrationReferral::OldCardUnreadable),
        Just(RegistrationReferral::FingerprintsNotVerified),
        Just(RegistrationReferral::KioskOutOfService),
        Just(RegistrationReferral::EFormNotFound),
        Just(RegistrationReferral::ServiceUnreachable),
    ]);
    (progress(), referral).prop_map(|(progress, referral)| CounterVisit { progress, referral })
}

fn fault() -> impl Strategy<Value = DeviceFault> {
    prop_oneof![
        any::<bool>().prop_map(|this_operation| DeviceFault::Jammed { this_operation }),
        Just(DeviceFault::Offline),
    ]
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        prop_oneof![
            (0u32..3).prop_map(|r| OldCardInspection::Identified(holder(r))),
            Just(OldCardInspection::NotIdentified),
        ]
        .prop_map(Outcome::OldCardInspected),
        prop_oneof![
            any::<u64>().prop_map(|t| ManualVerification::Verified {
                thumbs: BiometricDigest(t)
            }),
            Just(ManualVerification::NotVerified),
        ]
        .prop_map(Outcome::IdentityVerified),
        prop_oneof![
            any::<u64>().prop_map(|d| FormEntry::Entered {
                digest: EFormDigest(d)
            }),
            fault().prop_map(FormEntry::Fault),
        ]
        .prop_map(Outcome::FormEntered),
        prop_oneof![
            (any::<u64>(), any::<bool>()).prop_map(|(p, acceptable)| PhotoCapture::Taken {
                photo: BiometricDigest(p),
                acceptable
            }),
            fault().prop_map(PhotoCapture::Fault),
        ]
        .prop_map(Outcome::PhotoTaken),
    ]
}

fn forged() -> impl Strategy<Value = Message> {
    let completion = prop_oneof![
        (0u64..3).prop_map(|a| CompleteApplicationOutcome::Accepted {
            acknowledgement: AcknowledgementReference(a)
        }),
        Just(CompleteApplicationOutcome::NotOpen),
        Just(CompleteApplicationOutcome::DuplicateSuspected),
    ];
    let open = prop_oneof![
        (99u64..103).prop_map(|a| OpenApplicationOutcome::Opened {
            application: ApplicationId(a)
        }),
        (99u64..103).prop_map(|a| OpenApplicationOutcome::AlreadyAccepted {
            application: ApplicationId(a),
            acknowledgement: AcknowledgementReference(a)
        }),
    ];
    let qr = (0u64..3, any::<u64>()).prop_map(|(r, d)| EFormQr {
        reference: EFormReference(r),
        digest: EFormDigest(d),
    });
    prop_oneof![
        (0u32..3, 99u64..103, completion).prop_map(|(r, a, outcome)| {
            Message::CompleteApplicationReply {
                resident: ResidentId(r),
                application: ApplicationId(a),
                outcome,
            }
        }),
        (0u32..3, open).prop_map(|(r, outcome)| Message::OpenApplicationReply {
            resident: ResidentId(r),
            outcome
        }),
        (0u32..3, qr).prop_map(|(r, qr)| Message::EFormSubmitReply {
            resident: ResidentId(r),
            outcome: EFormSubmitOutcome::Stored { qr }
        }),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        3 => visit().prop_map(|visit| Input::Begin { visit }),
        4 => outcome().prop_map(Input::Device),
        1 => Just(Input::Restored),
        2 => forged().prop_map(|message| Input::Message { from: REGISTRATION, message }),
    ]
}

fn answer(device: &Device, choice: u32) -> Input {
    let outcome = match device {
        Device::InspectOldCard => Outcome::OldCardInspected(match choice % 8 {
            0 => OldCardInspection::NotIdentified,
            _ => OldCardInspection::Identified(holder(choice / 8 % 3)),
        }),
        Device::VerifyIdentity { .. } => Outcome::IdentityVerified(match choice % 8 {
            0 => ManualVerification::NotVerified,
            _ => ManualVerification::Verified {
                thumbs: BiometricDigest(u64::from(choice)),
            },
        }),
        Device::EnterForm => Outcome::FormEntered(match choice % 16 {
            0 => FormEntry::Fault(DeviceFault::Offline),
            _ => FormEntry::Entered {
                digest: EFormDigest(u64::from(choice % 4)),
            },
        }),
        Device::TakePhoto { .. } => Outcome::PhotoTaken(match choice % 16 {
            0 => PhotoCapture::Fault(DeviceFault::Jammed {
                this_operation: false,
            }),
            1..=5 => PhotoCapture::Taken {
                photo: BiometricDigest(u64::from(choice)),
                acceptable: false,
            },
            _ => PhotoCapture::Taken {
                photo: BiometricDigest(u64::from(choice)),
                acceptable: true,
            },
        }),
    };
    Input::Device(outcome)
}

fn counter() -> Run<PhotoCounter> {
    let config = PhotoCounterConfig {
        centre: CentreId(0),
        officer: OfficerId(3),
        booking_service: BOOKING,
        registration_service: REGISTRATION,
        retry: common::retry(),
        photo_attempts_max: NonZeroU8::new(3).unwrap(),
    };
    Run::new(PhotoCounter::new(config, seed_stream(8)), common::start())
}

/// "Accepted" and "already accepted" only on the service's reply saying so.
fn check(input: &Input, produced: &Produced<PhotoCounter>) -> Result<(), TestCaseError> {
    prop_assert!(produced.devices.len() <= 1, "{produced:?}");
    for event in &produced.events {
        let Event::SessionEnded { result } = event else {
            continue;
        };
        let reply = match input {
            Input::Message { message, .. } => Some(message),
            _ => None,
        };
        match *result {
            CounterResult::Accepted {
                resident,
                application,
                acknowledgement,
            } => {
                let expected = Message::CompleteApplicationReply {
                    resident,
                    application,
                    outcome: CompleteApplicationOutcome::Accepted { acknowledgement },
                };
                prop_assert_eq!(reply, Some(&expected));
            }
            CounterResult::AlreadyAccepted {
                resident,
                application,
                acknowledgement,
            } => {
                let expected = Message::OpenApplicationReply {
                    resident,
                    outcome: OpenApplicationOutcome::AlreadyAccepted {
                        application,
                        acknowledgement,
                    },
                };
                prop_assert_eq!(reply, Some(&expected));
            }
            CounterResult::NotRegistered { .. } | CounterResult::Unfinished { .. } => {}
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn every_visit_ends_once_and_acceptance_only_comes_from_the_service(
        actions in proptest::collection::vec(action(input()), 1..80),
        suspect in proptest::bool::weighted(0.1),
        registration_silent in proptest::bool::weighted(0.1),
        booking_silent in proptest::bool::weighted(0.1),
    ) {
        let mut services = services();
        services.registration.suspect_duplicates = suspect;
        services.registration.mute = registration_silent;
        services.booking_unreachable = booking_silent;
        let mut fuzz = Fuzz::new(counter(), services, answer);
        let mut check = check;
        for action in actions {
            fuzz.act(action, &mut check)?;
        }
        fuzz.settle(&|_| None, &mut check)?;
        let run = &fuzz.run;
        prop_assert!(run.terminal.is_free() || run.terminal.is_out_of_service());
        prop_assert!(run.devices.is_empty());
        let count = |wanted: fn(&Event) -> bool| run.events.iter().filter(|e| wanted(e)).count();
        let ended = count(|event| matches!(event, Event::SessionEnded { .. }));
        let refused = count(|event| *event == Event::BeginRefused);
        let begun = fuzz.inputs.iter().filter(|input| matches!(input, Input::Begin { .. })).count();
        prop_assert_eq!(ended + refused, begun);
    }
}
