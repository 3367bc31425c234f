//! New cards: made on the line and read back genuine; collected at a kiosk, their DG3
//! matching their holder's live thumbs and no one else's; the same bytes from the same seed
//! whatever the stations; a power cut during personalisation makes a blank card that fails.

use hkic_base::seed_stream;
use hkic_chip::Interface;
use hkic_devices::biometric::FingerQuality;
use hkic_services::messages::{
    AcknowledgementReference, ApplicationId, BiometricDigest, CentreId, ResidentId,
};
use hkic_terminals::devices::ThumbVerification;
use hkic_terminals::devices::{CardReading, CardTake, Handling, QrScan, ReadVerdict};

use super::*;
use crate::devices::full::models::NewCardModel;
use crate::devices::full::{new_card, thumbs};

/// Resident `resident`'s card number here (production numbers cards from 2^40).
fn card_of(resident: u32) -> CardId {
    CardId((1 << 40) + u64::from(resident))
}

fn slip(resident: u32) -> AcknowledgementReference {
    AcknowledgementReference(u64::from(resident) * 7_919 + 1)
}

fn order(resident: u32) -> CardOrder {
    CardOrder {
        application: ApplicationId(u64::from(resident)),
        resident: ResidentId(resident),
        centre: CentreId(1),
        acknowledgement: slip(resident),
        old_card: CardId(u64::from(resident)),
        thumbs: BiometricDigest(0),
        photo: BiometricDigest(0),
    }
}

/// Quiet devices, and cards that lose power during personalisation with `probability`.
fn with_power_loss(probability: f64) -> FullDeviceModels {
    let new_cards = NewCardModel {
        power_loss_probability: probability,
        ..NewCardModel::default()
    };
    FullDeviceModels {
        new_cards,
        ..quiet_models()
    }
}

/// `resident` at a collection kiosk with their slip, at their operation `operation`.
fn collector(resident: u32, operation: u32) -> Subject {
    Subject {
        acknowledgement: Some(slip(resident)),
        ..subject(resident, operation)
    }
}

/// The answers to collecting `resident`'s card at `kiosk`: scan, take, read, verify the
/// thumbs, dispense, each a minute after the last.
fn collect(
    devices: &mut FullDevices,
    kiosk: u16,
    resident: u32,
) -> Vec<Answer<CollectionKioskOutcome>> {
    let card = card_of(resident);
    let requests = [
        CollectionKioskDevice::ScanAcknowledgementQr,
        CollectionKioskDevice::TakeCard { card },
        CollectionKioskDevice::ReadCard { card },
        CollectionKioskDevice::VerifyThumbs { card },
        CollectionKioskDevice::DispenseCard { card },
    ];
    let start = now() + SimDuration::from_secs(86_400 * 20);
    let minute = SimDuration::from_secs(60);
    let ask = |(step, request): (usize, CollectionKioskDevice)| {
        let at = start + minute * step as u64;
        (at, collector(resident, 100 + step as u32), request)
    };
    let asks: Vec<_> = requests.into_iter().enumerate().map(ask).collect();
    asks.into_iter()
        .map(|(at, subject, request)| devices.collection_kiosk(at, kiosk, &subject, request))
        .collect()
}

#[test]
fn cards_read_back_genuine_and_collect_with_their_holders_thumbs() {
    let streams = hkic_kernel::Streams::new(SEED);
    let mut devices = devices(1, 0, with_power_loss(0.0));
    let (mut normal, mut normal_matched) = (0u32, 0u32);
    for resident in 0..40 {
        let made = devices.personalise(now(), card_of(resident), &order(resident));
        assert_eq!(made.outcome, PersonalisationOutcome::Verified);
        let seconds = made.after.as_secs_f64();
        assert!(
            (1.0..30.0).contains(&seconds),
            "personalised in {seconds} s"
        );
        let answers = collect(&mut devices, 0, resident);
        let outcomes: Vec<_> = answers
            .iter()
            .map(|answer| answer.outcome.clone())
            .collect();
        let expected_qr = slip(resident).encode_qr().to_vec();
        assert!(
            matches!(
                &outcomes[0],
                CollectionKioskOutcome::QrScanned(QrScan::Decoded(bytes)) if *bytes == expected_qr
            ) || outcomes[0] == CollectionKioskOutcome::QrScanned(QrScan::NoRead)
        );
        assert_eq!(
            outcomes[1],
            CollectionKioskOutcome::CardTaken(CardTake::Taken)
        );
        let read = CardReading::Read {
            verdict: ReadVerdict::Genuine,
            holder: Some(ResidentId(resident)),
            dg3_read: true,
        };
        assert_eq!(outcomes[2], CollectionKioskOutcome::CardRead(read));
        let read_seconds = answers[2].after.as_secs_f64();
        assert!(
            (0.3..5.0).contains(&read_seconds),
            "read in {read_seconds} s"
        );
        assert_eq!(
            outcomes[4],
            CollectionKioskOutcome::CardDispensed(Handling::Done)
        );
        let fingers = thumbs::fingers(&streams, resident, born(resident), now().date());
        if fingers.quality == FingerQuality::Normal {
            normal += 1;
            let matched = matches!(
                outcomes[3],
                CollectionKioskOutcome::ThumbsVerified(ThumbVerification::Matched { .. })
            );
            normal_matched += u32::from(matched);
        }
    }
    assert!(normal >= 30, "{normal} residents with normal fingers");
    assert!(
        normal_matched * 100 >= normal * 95,
        "{normal_matched} of {normal} matched"
    );
}

#[test]
fn another_residents_thumbs_never_match_a_card() {
    let mut devices = devices(1, 0, with_power_loss(0.0));
    for resident in 0..60 {
        let card = card_of(resident);
        for (step, request) in [
            CollectionKioskDevice::TakeCard { card },
            CollectionKioskDevice::ReadCard { card },
        ]
        .into_iter()
        .enumerate()
        {
            let subject = collector(resident, step as u32);
            devices.collection_kiosk(now(), 0, &subject, request);
        }
        let card = devices.collection[0]
            .card
            .clone()
            .expect("DG3 read this session");
        assert_eq!(card.card, card_of(resident));
        let impostor = subject(resident + 1_000, 7);
        let mut stream = seed_stream(u64::from(resident));
        let answer = devices.verify_live(now(), &impostor, &card.references, &mut stream);
        assert!(
            !matches!(answer.outcome, ThumbVerification::Matched { .. }),
            "resident {} matched resident {resident}'s card",
            resident + 1_000
        );
    }
}

#[test]
fn the_same_seed_makes_the_same_card() {
    let devices = |seed| {
        let officers = Box::new(Officers);
        let stations = stations(1, 1, 1);
        FullDevices::with_models(seed, stations, applicants(), officers, quiet_models())
            .expect("valid models")
    };
    let (first, second, other) = (devices(SEED), devices(SEED), devices(SEED + 1));
    for resident in [0, 7, 2_999] {
        let bytes = |devices: &FullDevices| {
            let made = devices.make_card(card_of(resident), resident);
            made.chip.persistent_memory().as_bytes().to_vec()
        };
        assert_eq!(bytes(&first), bytes(&second));
        assert_ne!(bytes(&first), bytes(&other));
    }
    let one = first.make_card(card_of(3), 3);
    let remade = first.make_card(CardId(card_of(3).0 + 1), 3);
    assert_eq!(
        one.holder, remade.holder,
        "a re-made card carries the same data"
    );
    assert_ne!(one.files, remade.files, "with its own chip key and SOD");
}

#[test]
fn more_stations_change_no_residents_new_card() {
    let answers = |devices: &mut FullDevices| {
        let mut answers = Vec::new();
        for resident in 200..230 {
            let made = devices.personalise(now(), card_of(resident), &order(resident));
            answers.push(format!("{resident}: {made:?}"));
            let kiosk = (resident % 2) as u16;
            answers.push(format!(
                "{resident}: {:?}",
                collect(devices, kiosk, resident)
            ));
        }
        answers
    };
    let few = answers(&mut new_devices(SEED, 1, 1, 2));
    let many = answers(&mut new_devices(SEED, 4, 3, 6));
    assert_eq!(few, many);
    let again = answers(&mut new_devices(SEED, 1, 1, 2));
    assert_eq!(few, again);
}

#[test]
fn a_torn_personalisation_fails_and_leaves_a_blank_card() {
    let mut torn = devices(0, 0, with_power_loss(1.0));
    let mut whole = devices(0, 0, with_power_loss(0.0));
    for resident in 0..10 {
        let (card, order) = (card_of(resident), order(resident));
        let failed = torn.personalise(now(), card, &order);
        assert_eq!(failed.outcome, PersonalisationOutcome::Failed);
        let verified = whole.personalise(now(), card, &order);
        assert_eq!(verified.outcome, PersonalisationOutcome::Verified);
        assert!(failed.after < verified.after, "{failed:?} {verified:?}");
        let mut made = torn.make_card(card, resident);
        assert!(made.page_programs_done < made.page_programs);
        made.chip.power_on(Interface::Contact);
        assert!(!made.chip.is_personalised(), "a torn card boots blank");
    }
    let mut kiosk = devices(0, 0, with_power_loss(1.0));
    kiosk.collection.truncate(1);
    let read = &collect(&mut kiosk, 0, 5)[2].outcome;
    let CollectionKioskOutcome::CardRead(CardReading::Read {
        verdict,
        holder,
        dg3_read,
    }) = read
    else {
        panic!("a read answers a read: {read:?}");
    };
    assert_eq!(*verdict, ReadVerdict::Unreadable);
    assert_eq!(*holder, None);
    assert!(!dg3_read);
}

#[test]
fn about_one_card_in_two_hundred_loses_power() {
    let streams = hkic_kernel::Streams::new(SEED);
    let model = NewCardModel::default();
    let cards = 20_000;
    let cut = (0..cards)
        .filter_map(|card| new_card::power_cut(&streams, &model, CardId(card), 300))
        .inspect(|write| assert!(*write < 300))
        .count();
    assert!((60..=140).contains(&cut), "{cut} of {cards}");
}

#[test]
fn the_store_holds_the_ready_card_where_its_holder_collects() {
    let mut devices = devices(0, 0, with_power_loss(0.0));
    let card = card_of(9);
    let store = |devices: &FullDevices, kiosk: usize| {
        let id = hkic_devices::kiosk::CardId(card.0);
        devices.collection[kiosk].card_store.device.slot_of(id)
    };
    let ask = |devices: &mut FullDevices, kiosk, request| {
        devices
            .collection_kiosk(now(), kiosk, &collector(9, 1), request)
            .outcome
    };
    let taken = CollectionKioskOutcome::CardTaken(CardTake::Taken);
    assert_eq!(
        ask(&mut devices, 0, CollectionKioskDevice::TakeCard { card }),
        taken
    );
    assert_eq!(store(&devices, 0), None, "at the reader");
    let returned = ask(&mut devices, 0, CollectionKioskDevice::ReturnCard { card });
    assert_eq!(
        returned,
        CollectionKioskOutcome::CardReturned(Handling::Done)
    );
    assert!(store(&devices, 0).is_some());
    assert_eq!(
        ask(&mut devices, 1, CollectionKioskDevice::TakeCard { card }),
        taken
    );
    assert_eq!(store(&devices, 0), None, "staff moved it to kiosk 1");
    let retained = ask(&mut devices, 1, CollectionKioskDevice::RetainCard { card });
    assert_eq!(
        retained,
        CollectionKioskOutcome::CardRetained(Handling::Done)
    );
    assert_eq!(store(&devices, 1), None, "in the reject bin");
}

#[test]
fn a_bad_new_card_model_is_refused_naming_the_field() {
    let mut models = FullDeviceModels::default();
    models.new_cards.facial_image_length = 0;
    let officers = Box::new(Officers);
    let error = FullDevices::with_models(SEED, stations(1, 1, 1), applicants(), officers, models)
        .expect_err("an empty portrait");
    let message = error.to_string();
    assert!(
        message.starts_with("devices.new_cards.facial_image_length"),
        "{message}"
    );
}
