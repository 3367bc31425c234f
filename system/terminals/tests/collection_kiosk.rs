//! The Self-service Collection Kiosk against a double of the collection service: the happy
//! path, every failure path with where the card ends up, retries and give-up (the card goes
//! back, and a later session finishes), and duplicated replies.

mod common;

use std::num::NonZeroU8;

use common::{COLLECTION, Collectable, Run, Services};
use hkic_base::seed_stream;
use hkic_services::messages::{
    AcknowledgementReference, ActivationRefusal, BiometricDigest, CardId, CentreId,
    CollectionLookupOutcome, Message, ResidentId,
};
use hkic_terminals::CollectionKiosk;
use hkic_terminals::collection_kiosk::{
    ActivationState, CardWhereabouts, CollectionFailure, CollectionKioskConfig,
    CollectionKioskDevice as Device, CollectionKioskEvent as Event, CollectionKioskInput as Input,
    CollectionKioskOutcome as Outcome, CollectionResult, CollectionState,
};
use hkic_terminals::devices::{
    CardReading, CardTake, DeviceFault, DeviceKind, Handling, QrScan, ReadVerdict,
    ThumbVerification,
};

const QR_ATTEMPTS: u8 = 2;
const THUMB_ATTEMPTS: u8 = 3;
const ACKNOWLEDGEMENT: AcknowledgementReference = AcknowledgementReference(5_100);
const RESIDENT: ResidentId = ResidentId(7);
const CARD: CardId = CardId(70);
const OLD_CARD: CardId = CardId(7);
const LIVE: BiometricDigest = BiometricDigest(0x1ee);

fn kiosk() -> Run<CollectionKiosk> {
    let config = CollectionKioskConfig {
        centre: CentreId(0),
        collection_service: COLLECTION,
        retry: common::retry(),
        qr_attempts_max: NonZeroU8::new(QR_ATTEMPTS).unwrap(),
        thumb_attempts_max: NonZeroU8::new(THUMB_ATTEMPTS).unwrap(),
        defect: None,
    };
    Run::new(
        CollectionKiosk::new(config, seed_stream(5)),
        common::start(),
    )
}

fn services() -> Services {
    let mut services = Services::new();
    let ready = Collectable {
        resident: RESIDENT,
        card: CARD,
        old_card: OLD_CARD,
        lookup: CollectionLookupOutcome::Ready {
            resident: RESIDENT,
            card: CARD,
        },
    };
    services
        .collection
        .collectables
        .insert(ACKNOWLEDGEMENT, ready);
    services
}

fn answer(run: &mut Run<CollectionKiosk>, expected: Device, outcome: Outcome) {
    assert_eq!(run.device(), expected);
    run.input(Input::Device(outcome));
}

fn genuine() -> CardReading {
    CardReading::Read {
        verdict: ReadVerdict::Genuine,
        holder: Some(RESIDENT),
        dg3_read: true,
    }
}

/// Starts, scans the acknowledgement and takes the card to the reader.
fn at_reader(run: &mut Run<CollectionKiosk>, services: &mut Services) {
    run.input(Input::Start);
    let scan = QrScan::Decoded(ACKNOWLEDGEMENT.encode_qr().to_vec());
    answer(run, Device::ScanAcknowledgementQr, Outcome::QrScanned(scan));
    run.exchange(services);
    answer(
        run,
        Device::TakeCard { card: CARD },
        Outcome::CardTaken(CardTake::Taken),
    );
}

/// Reads the card (genuine, the resident's) and matches the live thumbs.
fn matched(run: &mut Run<CollectionKiosk>, services: &mut Services) {
    at_reader(run, services);
    answer(
        run,
        Device::ReadCard { card: CARD },
        Outcome::CardRead(genuine()),
    );
    let matched = ThumbVerification::Matched { capture: LIVE };
    answer(
        run,
        Device::VerifyThumbs { card: CARD },
        Outcome::ThumbsVerified(matched),
    );
}

fn result(run: &Run<CollectionKiosk>) -> CollectionResult {
    let results: Vec<CollectionResult> = run
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

fn failure(run: &Run<CollectionKiosk>) -> (CollectionFailure, CollectionState) {
    match result(run) {
        CollectionResult::NotCollected { reason, state } => (reason, state),
        other => panic!("{other:?}"),
    }
}

#[test]
fn reads_verifies_activates_and_dispenses() {
    let mut services = services();
    let mut run = kiosk();
    matched(&mut run, &mut services);
    run.exchange(&mut services);
    let activation = services.collection.activations[0];
    assert_eq!(
        (activation.resident, activation.card, activation.live_thumbs),
        (RESIDENT, CARD, LIVE)
    );
    answer(
        &mut run,
        Device::DispenseCard { card: CARD },
        Outcome::CardDispensed(Handling::Done),
    );
    assert_eq!(
        result(&run),
        CollectionResult::Collected {
            resident: RESIDENT,
            card: CARD,
            cancelled: Some(OLD_CARD)
        }
    );
    assert!(run.terminal.is_free());
}

#[test]
fn an_unreadable_or_misread_acknowledgement_is_retried_then_refused() {
    let mut run = kiosk();
    run.input(Input::Start);
    let mut misread = ACKNOWLEDGEMENT.encode_qr();
    misread[2] ^= 1;
    let scans = [QrScan::Decoded(misread.to_vec()), QrScan::NoRead];
    for scan in scans {
        answer(
            &mut run,
            Device::ScanAcknowledgementQr,
            Outcome::QrScanned(scan),
        );
    }
    let (reason, state) = failure(&run);
    assert_eq!(reason, CollectionFailure::AcknowledgementUnreadable);
    assert_eq!(state, CollectionState::default());
    assert!(run.sent.is_empty());
}

#[test]
fn a_card_that_is_not_ready_is_not_taken() {
    let cases = [
        (
            CollectionLookupOutcome::NotReady,
            CollectionFailure::NotReady,
        ),
        (
            CollectionLookupOutcome::Withdrawn,
            CollectionFailure::Withdrawn,
        ),
        (
            CollectionLookupOutcome::AtAnotherCentre {
                centre: CentreId(4),
            },
            CollectionFailure::AtAnotherCentre {
                centre: CentreId(4),
            },
        ),
    ];
    for (lookup, expected) in cases {
        let mut services = services();
        services
            .collection
            .collectables
            .get_mut(&ACKNOWLEDGEMENT)
            .unwrap()
            .lookup = lookup;
        let mut run = kiosk();
        run.input(Input::Start);
        let scan = QrScan::Decoded(ACKNOWLEDGEMENT.encode_qr().to_vec());
        answer(
            &mut run,
            Device::ScanAcknowledgementQr,
            Outcome::QrScanned(scan),
        );
        run.exchange(&mut services);
        assert_eq!(failure(&run).0, expected);
        assert!(run.devices.is_empty());
    }
    let mut run = kiosk();
    run.input(Input::Start);
    let unknown = AcknowledgementReference(1).encode_qr().to_vec();
    let scan = QrScan::Decoded(unknown);
    answer(
        &mut run,
        Device::ScanAcknowledgementQr,
        Outcome::QrScanned(scan),
    );
    run.exchange(&mut services());
    assert_eq!(failure(&run).0, CollectionFailure::UnknownAcknowledgement);
}

#[test]
fn a_card_missing_from_the_store_is_reported_missing() {
    let mut services = services();
    let mut run = kiosk();
    run.input(Input::Start);
    let scan = QrScan::Decoded(ACKNOWLEDGEMENT.encode_qr().to_vec());
    answer(
        &mut run,
        Device::ScanAcknowledgementQr,
        Outcome::QrScanned(scan),
    );
    run.exchange(&mut services);
    answer(
        &mut run,
        Device::TakeCard { card: CARD },
        Outcome::CardTaken(CardTake::NotInStore),
    );
    let (reason, state) = failure(&run);
    assert_eq!(reason, CollectionFailure::CardNotInStore);
    assert_eq!(state.whereabouts, CardWhereabouts::Missing);
    assert_eq!(state.card, Some(CARD));
}

#[test]
fn a_card_that_fails_its_read_goes_back_or_into_the_reject_bin() {
    let read = |verdict, holder, dg3_read| CardReading::Read {
        verdict,
        holder,
        dg3_read,
    };
    let cases = [
        (
            read(ReadVerdict::Cloned, Some(RESIDENT), false),
            CollectionFailure::CardNotGenuine {
                verdict: ReadVerdict::Cloned,
            },
            true,
        ),
        (
            read(ReadVerdict::Altered, Some(RESIDENT), true),
            CollectionFailure::CardNotGenuine {
                verdict: ReadVerdict::Altered,
            },
            true,
        ),
        (
            read(ReadVerdict::Unreadable, None, false),
            CollectionFailure::CardUnreadable,
            false,
        ),
        (
            read(ReadVerdict::Genuine, Some(ResidentId(8)), true),
            CollectionFailure::WrongCard,
            false,
        ),
        (
            read(ReadVerdict::Genuine, Some(RESIDENT), false),
            CollectionFailure::Dg3NotRead,
            false,
        ),
    ];
    for (reading, expected, retained) in cases {
        let mut services = services();
        let mut run = kiosk();
        at_reader(&mut run, &mut services);
        answer(
            &mut run,
            Device::ReadCard { card: CARD },
            Outcome::CardRead(reading),
        );
        let (request, handled, whereabouts) = if retained {
            (
                Device::RetainCard { card: CARD },
                Outcome::CardRetained(Handling::Done),
                CardWhereabouts::Retained,
            )
        } else {
            (
                Device::ReturnCard { card: CARD },
                Outcome::CardReturned(Handling::Done),
                CardWhereabouts::InStore,
            )
        };
        answer(&mut run, request, handled);
        let (reason, state) = failure(&run);
        assert_eq!(reason, expected);
        assert_eq!(state.whereabouts, whereabouts);
        assert_eq!(state.activation, ActivationState::NotRequested);
        assert!(services.collection.activations.is_empty());
        assert!(
            !run.device_log
                .contains(&Device::VerifyThumbs { card: CARD })
        );
    }
}

#[test]
fn thumbs_that_never_match_send_the_card_back_unactivated() {
    let mut services = services();
    let mut run = kiosk();
    at_reader(&mut run, &mut services);
    answer(
        &mut run,
        Device::ReadCard { card: CARD },
        Outcome::CardRead(genuine()),
    );
    for _ in 0..THUMB_ATTEMPTS {
        answer(
            &mut run,
            Device::VerifyThumbs { card: CARD },
            Outcome::ThumbsVerified(ThumbVerification::NotMatched),
        );
    }
    answer(
        &mut run,
        Device::ReturnCard { card: CARD },
        Outcome::CardReturned(Handling::Done),
    );
    let (reason, state) = failure(&run);
    assert_eq!(reason, CollectionFailure::FingerprintsNotVerified);
    assert_eq!(state.whereabouts, CardWhereabouts::InStore);
    assert!(run.sent_to(COLLECTION).len() == 1, "only the lookup");
}

#[test]
fn a_refused_activation_sends_the_card_back() {
    let mut services = services();
    services.collection.refuse_activation = Some(ActivationRefusal::Withdrawn);
    let mut run = kiosk();
    matched(&mut run, &mut services);
    run.exchange(&mut services);
    answer(
        &mut run,
        Device::ReturnCard { card: CARD },
        Outcome::CardReturned(Handling::Done),
    );
    let (reason, state) = failure(&run);
    let refusal = ActivationRefusal::Withdrawn;
    assert_eq!(
        reason,
        CollectionFailure::ActivationRefused { reason: refusal }
    );
    assert_eq!(
        state.activation,
        ActivationState::Refused { reason: refusal }
    );
}

#[test]
fn an_unanswered_activation_sends_the_card_back_and_a_retry_finishes_it_once() {
    let mut services = services();
    let mut run = kiosk();
    matched(&mut run, &mut services);
    services.collection.mute = true;
    run.run_out_the_clock(&mut services);
    let activations: Vec<&Message> = run
        .sent_to(COLLECTION)
        .into_iter()
        .filter(|message| matches!(message, Message::ActivationRequest { .. }))
        .collect();
    assert!(activations.len() >= 3);
    assert!(activations.iter().all(|message| *message == activations[0]));
    answer(
        &mut run,
        Device::ReturnCard { card: CARD },
        Outcome::CardReturned(Handling::Done),
    );
    let (reason, state) = failure(&run);
    assert_eq!(reason, CollectionFailure::ServiceUnreachable);
    assert_eq!(state.activation, ActivationState::Unknown);
    assert_eq!(state.whereabouts, CardWhereabouts::InStore);
    // The registry did activate it; the resident retries and the kiosk finishes.
    services.collection.mute = false;
    let mut retry = kiosk();
    matched(&mut retry, &mut services);
    retry.exchange(&mut services);
    answer(
        &mut retry,
        Device::DispenseCard { card: CARD },
        Outcome::CardDispensed(Handling::Done),
    );
    assert!(matches!(result(&retry), CollectionResult::Collected { .. }));
    assert_eq!(services.collection.activations.len(), 1);
}

#[test]
fn a_dispenser_jam_leaves_the_activated_card_in_the_kiosk_for_an_officer() {
    let mut services = services();
    let mut run = kiosk();
    matched(&mut run, &mut services);
    run.exchange(&mut services);
    let jam = DeviceFault::Jammed {
        this_operation: true,
    };
    answer(
        &mut run,
        Device::DispenseCard { card: CARD },
        Outcome::CardDispensed(Handling::Fault(jam)),
    );
    assert!(run.events.contains(&Event::OutOfService {
        device: DeviceKind::Dispenser,
        fault: jam
    }));
    let (reason, state) = failure(&run);
    assert_eq!(reason, CollectionFailure::KioskOutOfService);
    assert_eq!(state.whereabouts, CardWhereabouts::HeldInKiosk);
    assert_eq!(
        state.activation,
        ActivationState::Activated {
            cancelled: Some(OLD_CARD)
        }
    );
    assert!(!run.device_log.contains(&Device::ReturnCard { card: CARD }));
    run.input(Input::Start);
    assert_eq!(run.events.last(), Some(&Event::StartRefused));
    run.input(Input::Restored);
    assert_eq!(run.events.last(), Some(&Event::BackInService));
}

#[test]
fn device_faults_put_the_card_away_first_then_stop_the_kiosk() {
    let offline = DeviceFault::Offline;
    // The reader fails: the card goes back, then the kiosk is out of service.
    let mut services = services();
    let mut run = kiosk();
    at_reader(&mut run, &mut services);
    answer(
        &mut run,
        Device::ReadCard { card: CARD },
        Outcome::CardRead(CardReading::Fault(offline)),
    );
    answer(
        &mut run,
        Device::ReturnCard { card: CARD },
        Outcome::CardReturned(Handling::Done),
    );
    assert!(run.events.contains(&Event::OutOfService {
        device: DeviceKind::CardReader,
        fault: offline
    }));
    assert_eq!(failure(&run).1.whereabouts, CardWhereabouts::InStore);
    // Putting it back jams: the card stays inside.
    let mut run = kiosk();
    at_reader(&mut run, &mut services);
    answer(
        &mut run,
        Device::ReadCard { card: CARD },
        Outcome::CardRead(CardReading::Fault(offline)),
    );
    let jam = DeviceFault::Jammed {
        this_operation: true,
    };
    answer(
        &mut run,
        Device::ReturnCard { card: CARD },
        Outcome::CardReturned(Handling::Fault(jam)),
    );
    assert_eq!(failure(&run).1.whereabouts, CardWhereabouts::HeldInKiosk);
    assert!(run.terminal.is_out_of_service());
    // The store jams while retrieving: the card stays in its slot.
    let mut run = kiosk();
    run.input(Input::Start);
    let scan = QrScan::Decoded(ACKNOWLEDGEMENT.encode_qr().to_vec());
    answer(
        &mut run,
        Device::ScanAcknowledgementQr,
        Outcome::QrScanned(scan),
    );
    run.exchange(&mut services);
    answer(
        &mut run,
        Device::TakeCard { card: CARD },
        Outcome::CardTaken(CardTake::Fault(jam)),
    );
    assert_eq!(failure(&run).1.whereabouts, CardWhereabouts::InStore);
    assert!(run.terminal.is_out_of_service());
}

#[test]
fn a_duplicated_activation_reply_dispenses_once() {
    let mut services = services();
    let mut run = kiosk();
    matched(&mut run, &mut services);
    let (to, request) = run.outbox.pop_front().unwrap();
    let reply = services.deliver(run.now, common::driver_address(), to, request);
    for _ in 0..3 {
        run.input(Input::Message {
            from: COLLECTION,
            message: reply[0].clone(),
        });
    }
    let dispenses = run
        .device_log
        .iter()
        .filter(|request| matches!(request, Device::DispenseCard { .. }))
        .count();
    assert_eq!(dispenses, 1);
}
