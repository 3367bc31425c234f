//! Property: the registration kiosk, driven by arbitrary interleavings of device outcomes
//! (of any kind, at any time), replies (delivered, lost, duplicated, reordered, forged),
//! wake-ups, residents and officers, never panics, ends every session it began exactly once,
//! and acts only on the input that allows it: it opens an application only on an e-form
//! lookup that found the opener's own form, prints only on an opened application, and sends
//! to the photo counter only once the form is printed.

mod common;

use std::num::NonZeroU8;

use common::fuzz::{Fuzz, Produced, action};
use common::{BOOKING, REGISTRATION, Run, Services};
use hkic_base::seed_stream;
use hkic_services::messages::{
    AcknowledgementReference, ApplicationId, BiometricDigest, CardId, CentreId, EFormDigest,
    EFormLookupOutcome, EFormQr, EFormReference, IdentityEvidence, Message, OpenApplicationOutcome,
    OpenRefusal, ResidentId,
};
use hkic_terminals::RegistrationKiosk;
use hkic_terminals::devices::{
    DeviceFault, Handling, OldCardIdentity, OldCardReading, QrScan, ThumbVerification,
};
use hkic_terminals::registration_kiosk::{
    RegistrationKioskConfig, RegistrationKioskDevice as Device, RegistrationKioskEvent as Event,
    RegistrationKioskInput as Input, RegistrationKioskOutcome as Outcome, RegistrationResult,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

fn holder(resident: u32) -> OldCardIdentity {
    OldCardIdentity {
        resident: ResidentId(resident),
        card: CardId(10_000 + u64::from(resident)),
    }
}

/// Residents 0 to 3 have e-forms 0 to 3, with digest 100 + the resident.
fn services() -> Services {
    let mut services = Services::new();
    for resident in 0..4 {
        let message = Message::EFormSubmitRequest {
            resident: ResidentId(resident),
            digest: EFormDigest(100 + u64::from(resident)),
        };
        services.booking.deliver(common::start(), BOOKING, message);
    }
    services
}

fn fault() -> impl Strategy<Value = DeviceFault> {
    prop_oneof![
        any::<bool>().prop_map(|this_operation| DeviceFault::Jammed { this_operation }),
        Just(DeviceFault::Offline),
        Just(DeviceFault::OutOfPaper),
    ]
}

fn qr_bytes(reference: u64, digest: u64) -> Vec<u8> {
    let qr = EFormQr {
        reference: EFormReference(reference),
        digest: EFormDigest(digest),
    };
    qr.encode().to_vec()
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        prop_oneof![
            (0u32..5).prop_map(|r| OldCardReading::Read(holder(r))),
            Just(OldCardReading::Unreadable),
            fault().prop_map(OldCardReading::Fault),
        ]
        .prop_map(Outcome::OldCardRead),
        prop_oneof![
            any::<u64>().prop_map(|d| ThumbVerification::Matched {
                capture: BiometricDigest(d)
            }),
            Just(ThumbVerification::NotMatched),
            Just(ThumbVerification::CaptureFailed),
            fault().prop_map(ThumbVerification::Fault),
        ]
        .prop_map(Outcome::ThumbsVerified),
        prop_oneof![
            (0u64..5, 100u64..105).prop_map(|(r, d)| QrScan::Decoded(qr_bytes(r, d))),
            proptest::collection::vec(any::<u8>(), 0..24).prop_map(QrScan::Decoded),
            Just(QrScan::NoRead),
            fault().prop_map(QrScan::Fault),
        ]
        .prop_map(Outcome::QrScanned),
        prop_oneof![Just(Handling::Done), fault().prop_map(Handling::Fault)]
            .prop_map(Outcome::FormPrinted),
    ]
}

fn forged() -> impl Strategy<Value = Message> {
    let lookup = prop_oneof![
        (0u32..5, 100u64..105).prop_map(|(r, d)| EFormLookupOutcome::Found {
            resident: ResidentId(r),
            digest: EFormDigest(d)
        }),
        Just(EFormLookupOutcome::NotFound),
    ];
    let open = prop_oneof![
        (100u64..104).prop_map(|a| OpenApplicationOutcome::Opened {
            application: ApplicationId(a)
        }),
        (100u64..104).prop_map(|a| OpenApplicationOutcome::AlreadyAccepted {
            application: ApplicationId(a),
            acknowledgement: AcknowledgementReference(a)
        }),
        Just(OpenApplicationOutcome::Refused {
            reason: OpenRefusal::NotEligible
        }),
    ];
    prop_oneof![
        (0u64..5, lookup).prop_map(|(r, outcome)| Message::EFormLookupReply {
            reference: EFormReference(r),
            outcome
        }),
        (0u32..5, open).prop_map(|(r, outcome)| Message::OpenApplicationReply {
            resident: ResidentId(r),
            outcome
        }),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        3 => Just(Input::InsertOldCard),
        4 => outcome().prop_map(Input::Device),
        1 => (0u64..5).prop_map(|r| Input::OfficerKeyedReference { reference: EFormReference(r) }),
        1 => Just(Input::OfficerDeclined),
        1 => Just(Input::Restored),
        2 => forged().prop_map(|message| Input::Message { from: REGISTRATION, message }),
    ]
}

/// An outcome of the request's kind, mostly successes so that sessions get far.
fn answer(device: &Device, choice: u32) -> Input {
    let outcome = match device {
        Device::ReadOldCard => Outcome::OldCardRead(match choice % 32 {
            0..=2 => OldCardReading::Unreadable,
            3 => OldCardReading::Fault(DeviceFault::Offline),
            _ => OldCardReading::Read(holder(choice / 32 % 4)),
        }),
        Device::VerifyThumbs => Outcome::ThumbsVerified(match choice % 32 {
            0..=5 => ThumbVerification::NotMatched,
            6..=8 => ThumbVerification::CaptureFailed,
            9 => ThumbVerification::Fault(DeviceFault::Offline),
            _ => ThumbVerification::Matched {
                capture: BiometricDigest(u64::from(choice)),
            },
        }),
        Device::ScanEFormQr => Outcome::QrScanned(match choice % 32 {
            0..=4 => QrScan::NoRead,
            5..=6 => QrScan::Decoded(vec![choice as u8; 5]),
            7 => QrScan::Fault(DeviceFault::Offline),
            // The holder's code more often than not (the answerer does not know the holder:
            // residents 0 to 3 are equally likely), now and then with a stale digest.
            _ => {
                let reference = u64::from(choice / 32 % 4);
                let stale = u64::from(choice % 32 == 8);
                QrScan::Decoded(qr_bytes(reference, 100 + reference + stale))
            }
        }),
        Device::PrintForm { .. } => Outcome::FormPrinted(match choice % 16 {
            0 => Handling::Fault(DeviceFault::OutOfPaper),
            1 => Handling::Fault(DeviceFault::Jammed {
                this_operation: true,
            }),
            _ => Handling::Done,
        }),
    };
    Input::Device(outcome)
}

fn kiosk() -> Run<RegistrationKiosk> {
    let config = RegistrationKioskConfig {
        centre: CentreId(0),
        booking_service: BOOKING,
        registration_service: REGISTRATION,
        retry: common::retry(),
        thumb_attempts_max: NonZeroU8::new(3).unwrap(),
        qr_attempts_max: NonZeroU8::new(2).unwrap(),
    };
    Run::new(
        RegistrationKiosk::new(config, seed_stream(7)),
        common::start(),
    )
}

/// Each output only follows the input that allows it; a wake-up only resends a request
/// sent before (a retry is the same request again).
fn check(
    sent: &mut Vec<Message>,
    input: &Input,
    produced: &Produced<RegistrationKiosk>,
) -> Result<(), TestCaseError> {
    prop_assert!(produced.devices.len() <= 1, "{produced:?}");
    for message in &produced.sent {
        if *input == Input::Wake {
            prop_assert!(sent.contains(message), "{message:?} resent but never sent");
        } else if let Message::OpenApplicationRequest { opening } = message {
            prop_assert_eq!(opening.identity, IdentityEvidence::KioskThumbs);
            let found_own_form = matches!(input, Input::Message { message: Message::EFormLookupReply {
                reference,
                outcome: EFormLookupOutcome::Found { resident, .. },
            }, .. } if *reference == opening.eform && *resident == opening.resident);
            prop_assert!(found_own_form, "{input:?} opened {opening:?}");
        }
    }
    for device in &produced.devices {
        if let Device::PrintForm { application } = device {
            let opened = matches!(input, Input::Message { message: Message::OpenApplicationReply {
                outcome: OpenApplicationOutcome::Opened { application: opened }, ..
            }, .. } if opened == application);
            prop_assert!(opened, "{input:?} printed");
        }
    }
    let ends = produced
        .events
        .iter()
        .filter(|event| matches!(event, Event::SessionEnded { .. }))
        .count();
    prop_assert!(ends <= 1);
    for event in &produced.events {
        if let Event::SessionEnded {
            result: RegistrationResult::ToPhotoCounter { progress },
        } = event
        {
            prop_assert!(progress.application.is_some());
            prop_assert!(progress.eform.is_some() && progress.identity.is_some());
            prop_assert_eq!(input, &Input::Device(Outcome::FormPrinted(Handling::Done)));
        }
    }
    sent.extend(produced.sent.iter().cloned());
    Ok(())
}

/// The kiosk waits for the floor officer: the officer cannot key a reference.
fn nudge(run: &Run<RegistrationKiosk>) -> Option<Input> {
    let last = |wanted: fn(&Event) -> bool| run.events.iter().rposition(wanted);
    let called = last(|event| *event == Event::OfficerCalled)?;
    let ended = last(|event| matches!(event, Event::SessionEnded { .. }));
    let waiting = ended.is_none_or(|ended| ended < called) && !run.terminal.is_free();
    waiting.then_some(Input::OfficerDeclined)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn every_session_ends_once_and_every_step_has_its_cause(
        actions in proptest::collection::vec(action(input()), 1..80),
        refuse in proptest::bool::weighted(0.2),
        registration_silent in proptest::bool::weighted(0.1),
        booking_silent in proptest::bool::weighted(0.1),
    ) {
        let mut services = services();
        if refuse {
            services.registration.refuse_open = Some(OpenRefusal::NotEligible);
        }
        services.registration.mute = registration_silent;
        services.booking_unreachable = booking_silent;
        let mut fuzz = Fuzz::new(kiosk(), services, answer);
        let mut sent = Vec::new();
        let mut check = |input: &Input, produced: &Produced<RegistrationKiosk>| {
            check(&mut sent, input, produced)
        };
        for action in actions {
            fuzz.act(action, &mut check)?;
        }
        fuzz.settle(&nudge, &mut check)?;
        let run = &fuzz.run;
        prop_assert!(run.terminal.is_free() || run.terminal.is_out_of_service());
        prop_assert!(run.devices.is_empty());
        let count = |wanted: fn(&Event) -> bool| run.events.iter().filter(|e| wanted(e)).count();
        let ended = count(|event| matches!(event, Event::SessionEnded { .. }));
        let refused = count(|event| *event == Event::InsertRefused);
        let inserts = fuzz.inputs.iter().filter(|input| **input == Input::InsertOldCard).count();
        prop_assert_eq!(ended + refused, inserts);
    }
}
