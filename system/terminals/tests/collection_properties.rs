//! Property: the collection kiosk, driven by arbitrary interleavings of device outcomes
//! (of any kind, at any time), replies (delivered, lost, duplicated, reordered, forged),
//! wake-ups and residents, never panics, ends every session it began exactly once, and acts
//! only on the input that allows it: it verifies thumbs only after a genuine read of the
//! named resident's card with DG3, asks for activation only on a live-thumb match (sending
//! that capture), dispenses only on the registry's `Activated` for that card, reports a card
//! collected only once dispensed, and never puts back a card the registry activated.

mod common;

use std::collections::BTreeSet;
use std::num::NonZeroU8;

use common::fuzz::{Fuzz, Produced, action};
use common::{COLLECTION, Collectable, Run, Services};
use hkic_base::seed_stream;
use hkic_services::messages::{
    AcknowledgementReference, ActivationOutcome, ActivationRefusal, BiometricDigest, CardId,
    CentreId, CollectionLookupOutcome, Message, ResidentId,
};
use hkic_terminals::CollectionKiosk;
use hkic_terminals::collection_kiosk::{
    CollectionKioskConfig, CollectionKioskDevice as Device, CollectionKioskEvent as Event,
    CollectionKioskInput as Input, CollectionKioskOutcome as Outcome, CollectionResult,
};
use hkic_terminals::devices::{
    CardReading, CardTake, DeviceFault, Handling, QrScan, ReadVerdict, ThumbVerification,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Acknowledgements 0 and 1 collect resident 0's and 1's cards (100, 101); 2 is not ready.
fn services() -> Services {
    let mut services = Services::new();
    for resident in 0..3u32 {
        let card = CardId(100 + u64::from(resident));
        let lookup = if resident < 2 {
            CollectionLookupOutcome::Ready {
                resident: ResidentId(resident),
                card,
            }
        } else {
            CollectionLookupOutcome::NotReady
        };
        let collectable = Collectable {
            resident: ResidentId(resident),
            card,
            old_card: CardId(u64::from(resident)),
            lookup,
        };
        let acknowledgement = AcknowledgementReference(u64::from(resident));
        services
            .collection
            .collectables
            .insert(acknowledgement, collectable);
    }
    services
}

fn fault() -> impl Strategy<Value = DeviceFault> {
    prop_oneof![
        any::<bool>().prop_map(|this_operation| DeviceFault::Jammed { this_operation }),
        Just(DeviceFault::Offline),
    ]
}

fn handling() -> impl Strategy<Value = Handling> {
    prop_oneof![Just(Handling::Done), fault().prop_map(Handling::Fault)]
}

fn verdict() -> impl Strategy<Value = ReadVerdict> {
    prop_oneof![
        Just(ReadVerdict::Genuine),
        Just(ReadVerdict::Cloned),
        Just(ReadVerdict::Altered),
        Just(ReadVerdict::UnknownSigner),
        Just(ReadVerdict::Revoked),
        Just(ReadVerdict::WrongCan),
        Just(ReadVerdict::Unreadable),
    ]
}

fn outcome() -> impl Strategy<Value = Outcome> {
    let scan = prop_oneof![
        (0u64..4).prop_map(|a| QrScan::Decoded(AcknowledgementReference(a).encode_qr().to_vec())),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(QrScan::Decoded),
        Just(QrScan::NoRead),
        fault().prop_map(QrScan::Fault),
    ];
    let take = prop_oneof![
        Just(CardTake::Taken),
        Just(CardTake::NotInStore),
        fault().prop_map(CardTake::Fault),
    ];
    let read = prop_oneof![
        (
            verdict(),
            proptest::option::of((0u32..3).prop_map(ResidentId)),
            any::<bool>()
        )
            .prop_map(|(verdict, holder, dg3_read)| CardReading::Read {
                verdict,
                holder,
                dg3_read
            }),
        fault().prop_map(CardReading::Fault),
    ];
    let thumbs = prop_oneof![
        any::<u64>().prop_map(|d| ThumbVerification::Matched {
            capture: BiometricDigest(d)
        }),
        Just(ThumbVerification::NotMatched),
        Just(ThumbVerification::CaptureFailed),
        fault().prop_map(ThumbVerification::Fault),
    ];
    prop_oneof![
        scan.prop_map(Outcome::QrScanned),
        take.prop_map(Outcome::CardTaken),
        read.prop_map(Outcome::CardRead),
        thumbs.prop_map(Outcome::ThumbsVerified),
        handling().prop_map(Outcome::CardReturned),
        handling().prop_map(Outcome::CardRetained),
        handling().prop_map(Outcome::CardDispensed),
    ]
}

fn forged() -> impl Strategy<Value = Message> {
    let lookup = prop_oneof![
        (0u32..3).prop_map(|r| CollectionLookupOutcome::Ready {
            resident: ResidentId(r),
            card: CardId(100 + u64::from(r))
        }),
        Just(CollectionLookupOutcome::NotReady),
        Just(CollectionLookupOutcome::Unknown),
    ];
    let activation = prop_oneof![
        Just(ActivationOutcome::Activated {
            cancelled: Some(CardId(0))
        }),
        Just(ActivationOutcome::Refused {
            reason: ActivationRefusal::NotReady
        }),
    ];
    prop_oneof![
        (0u64..4, lookup).prop_map(|(a, outcome)| Message::CollectionLookupReply {
            acknowledgement: AcknowledgementReference(a),
            outcome
        }),
        (0u32..3, 100u64..103, activation).prop_map(|(r, c, outcome)| {
            Message::ActivationReply {
                resident: ResidentId(r),
                card: CardId(c),
                outcome,
            }
        }),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        3 => Just(Input::Start),
        4 => outcome().prop_map(Input::Device),
        1 => Just(Input::Restored),
        2 => forged().prop_map(|message| Input::Message { from: COLLECTION, message }),
    ]
}

/// The holder of card 100 + r is resident r.
fn answer(device: &Device, choice: u32) -> Input {
    let jam = DeviceFault::Jammed {
        this_operation: true,
    };
    let handled = |choice: u32| match choice % 16 {
        0 => Handling::Fault(jam),
        _ => Handling::Done,
    };
    let outcome = match *device {
        Device::ScanAcknowledgementQr => Outcome::QrScanned(match choice % 16 {
            0..=2 => QrScan::NoRead,
            3 => QrScan::Fault(DeviceFault::Offline),
            _ => {
                let acknowledgement = AcknowledgementReference(u64::from(choice / 16 % 3));
                QrScan::Decoded(acknowledgement.encode_qr().to_vec())
            }
        }),
        Device::TakeCard { .. } => Outcome::CardTaken(match choice % 16 {
            0 => CardTake::NotInStore,
            1 => CardTake::Fault(jam),
            _ => CardTake::Taken,
        }),
        Device::ReadCard { card } => {
            let holder = ResidentId(card.0.saturating_sub(100) as u32);
            Outcome::CardRead(match choice % 16 {
                0 => CardReading::Fault(DeviceFault::Offline),
                1 => CardReading::Read {
                    verdict: ReadVerdict::Cloned,
                    holder: Some(holder),
                    dg3_read: false,
                },
                2 => CardReading::Read {
                    verdict: ReadVerdict::Unreadable,
                    holder: None,
                    dg3_read: false,
                },
                // The store handed somebody else's card.
                3 => CardReading::Read {
                    verdict: ReadVerdict::Genuine,
                    holder: Some(ResidentId(holder.0 + 1)),
                    dg3_read: true,
                },
                _ => CardReading::Read {
                    verdict: ReadVerdict::Genuine,
                    holder: Some(holder),
                    dg3_read: choice % 16 != 4,
                },
            })
        }
        Device::VerifyThumbs { .. } => Outcome::ThumbsVerified(match choice % 16 {
            0..=3 => ThumbVerification::NotMatched,
            4 => ThumbVerification::CaptureFailed,
            5 => ThumbVerification::Fault(DeviceFault::Offline),
            _ => ThumbVerification::Matched {
                capture: BiometricDigest(u64::from(choice)),
            },
        }),
        Device::ReturnCard { .. } => Outcome::CardReturned(handled(choice)),
        Device::RetainCard { .. } => Outcome::CardRetained(handled(choice)),
        Device::DispenseCard { .. } => Outcome::CardDispensed(handled(choice)),
    };
    Input::Device(outcome)
}

fn kiosk() -> Run<CollectionKiosk> {
    let config = CollectionKioskConfig {
        centre: CentreId(0),
        collection_service: COLLECTION,
        retry: common::retry(),
        qr_attempts_max: NonZeroU8::new(2).unwrap(),
        thumb_attempts_max: NonZeroU8::new(3).unwrap(),
        defect: None,
    };
    Run::new(
        CollectionKiosk::new(config, seed_stream(9)),
        common::start(),
    )
}

/// What the checks remember across inputs.
#[derive(Debug, Default)]
struct Seen {
    sent: Vec<Message>,
    /// The resident whose genuine card (with DG3) led to the current thumb verification.
    verifying: Option<(ResidentId, CardId)>,
    /// Cards the registry said it activated, this session.
    activated: BTreeSet<CardId>,
}

fn check_devices(
    seen: &mut Seen,
    input: &Input,
    produced: &Produced<CollectionKiosk>,
) -> Result<(), TestCaseError> {
    for device in &produced.devices {
        match *device {
            Device::VerifyThumbs { card } => {
                if let Input::Device(Outcome::CardRead(CardReading::Read {
                    verdict,
                    holder,
                    dg3_read,
                })) = *input
                {
                    prop_assert!(verdict == ReadVerdict::Genuine && dg3_read);
                    let holder = holder.expect("a genuine read names its holder");
                    seen.verifying = Some((holder, card));
                } else {
                    let retry = matches!(
                        input,
                        Input::Device(Outcome::ThumbsVerified(
                            ThumbVerification::NotMatched | ThumbVerification::CaptureFailed
                        ))
                    );
                    prop_assert!(retry, "{input:?} asked for thumbs");
                    prop_assert_eq!(seen.verifying.map(|(_, c)| c), Some(card));
                }
            }
            Device::DispenseCard { card } => {
                let activated = matches!(input, Input::Message { message: Message::ActivationReply {
                    card: answered,
                    outcome: ActivationOutcome::Activated { .. }, ..
                }, .. } if *answered == card);
                prop_assert!(activated, "{input:?} dispensed");
                seen.activated.insert(card);
            }
            Device::ReturnCard { card } | Device::RetainCard { card } => {
                prop_assert!(
                    !seen.activated.contains(&card),
                    "an activated card went back"
                );
            }
            _ => {}
        }
    }
    Ok(())
}

fn check(
    seen: &mut Seen,
    input: &Input,
    produced: &Produced<CollectionKiosk>,
) -> Result<(), TestCaseError> {
    prop_assert!(produced.devices.len() <= 1, "{produced:?}");
    check_devices(seen, input, produced)?;
    for message in &produced.sent {
        if *input == Input::Wake {
            prop_assert!(
                seen.sent.contains(message),
                "{message:?} resent but never sent"
            );
        } else if let Message::ActivationRequest { activation } = message {
            let matched = Input::Device(Outcome::ThumbsVerified(ThumbVerification::Matched {
                capture: activation.live_thumbs,
            }));
            prop_assert_eq!(input, &matched);
            prop_assert_eq!(seen.verifying, Some((activation.resident, activation.card)));
        }
    }
    seen.sent.extend(produced.sent.iter().cloned());
    for event in &produced.events {
        if let Event::SessionEnded { result } = event {
            if let CollectionResult::Collected { card, .. } = result {
                prop_assert!(seen.activated.contains(card));
                prop_assert_eq!(
                    input,
                    &Input::Device(Outcome::CardDispensed(Handling::Done))
                );
            }
            seen.activated.clear();
            seen.verifying = None;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn every_session_ends_once_and_a_card_is_dispensed_only_once_activated(
        actions in proptest::collection::vec(action(input()), 1..80),
        refuse in proptest::bool::weighted(0.1),
        silent in proptest::bool::weighted(0.1),
    ) {
        let mut services = services();
        if refuse {
            services.collection.refuse_activation = Some(ActivationRefusal::Withdrawn);
        }
        services.collection.mute = silent;
        let mut fuzz = Fuzz::new(kiosk(), services, answer);
        let mut seen = Seen::default();
        let mut check = |input: &Input, produced: &Produced<CollectionKiosk>| {
            check(&mut seen, input, produced)
        };
        for action in actions {
            fuzz.act(action, &mut check)?;
        }
        fuzz.settle(&|_| None, &mut check)?;
        let run = &fuzz.run;
        prop_assert!(run.terminal.is_free() || run.terminal.is_out_of_service());
        prop_assert!(run.devices.is_empty());
        let count = |wanted: fn(&Event) -> bool| run.events.iter().filter(|e| wanted(e)).count();
        let ended = count(|event| matches!(event, Event::SessionEnded { .. }));
        let refused = count(|event| *event == Event::StartRefused);
        let started = fuzz.inputs.iter().filter(|input| **input == Input::Start).count();
        prop_assert_eq!(ended + refused, started);
    }
}
