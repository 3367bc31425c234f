//! Old cards and thumbs: holders read and verify, impostors never match, worn cards fail.

use hkic_biometrics::{Scratch, Verifier};
use hkic_devices::biometric::{FingerQuality, FingerprintReader, SyntheticResident};
use hkic_kernel::Streams;
use hkic_services::messages::{CardId, ResidentId};
use hkic_terminals::devices::{OldCardIdentity, OldCardReading, ThumbVerification};

use super::*;
use crate::devices::full::{old_card, thumbs};
use crate::labels;
use crate::population::age_on;

fn thumbs_of(streams: &Streams, resident: u32) -> SyntheticResident {
    let age = age_on(born(resident), now().date());
    SyntheticResident::generate(age, &mut streams.stream(labels::resident_thumbs(resident)))
}

#[test]
fn residents_with_normal_fingers_verify_against_their_own_old_cards() {
    let streams = Streams::new(SEED);
    let mut devices = devices(1, 0, quiet_models());
    let (mut normal, mut normal_matched) = (0u32, 0u32);
    for resident in 0..400 {
        let read = kiosk(
            &mut devices,
            0,
            &subject(resident, 0),
            RegistrationKioskDevice::ReadOldCard,
        );
        let RegistrationKioskOutcome::OldCardRead(OldCardReading::Read(_)) = read.outcome else {
            continue;
        };
        let request = RegistrationKioskDevice::VerifyThumbs;
        let verified = kiosk(&mut devices, 0, &subject(resident, 1), request);
        let RegistrationKioskOutcome::ThumbsVerified(verification) = verified.outcome else {
            panic!("a verification answers a verification: {verified:?}");
        };
        assert!(verified.after > SimDuration::from_secs(1), "{verified:?}");
        if thumbs_of(&streams, resident).quality == FingerQuality::Normal {
            normal += 1;
            if matches!(verification, ThumbVerification::Matched { .. }) {
                normal_matched += 1;
            }
        }
    }
    assert!(normal > 300, "{normal} residents with normal fingers");
    assert!(
        normal_matched * 100 >= normal * 97,
        "{normal_matched} of {normal} matched"
    );
}

#[test]
fn another_residents_thumbs_never_match_a_card() {
    let streams = Streams::new(SEED);
    let models = FullDeviceModels::default();
    let reader = FingerprintReader::new(models.fingerprint_reader.clone()).expect("valid");
    let verifier = Verifier::default();
    let mut scratch = Scratch::default();
    for impostor in 0..300 {
        let holder = impostor + 1;
        let card = old_card::issue(&streams, holder, born(holder), &models.old_cards, &reader);
        let references = old_card::decode_references(&card.thumbprints);
        let label = labels::resident_device_operation(impostor, 1);
        let live = thumbs::capture(
            &reader,
            &thumbs_of(&streams, impostor),
            &mut streams.stream(label),
        );
        let (outcome, _) = thumbs::verify(&verifier, &mut scratch, &reader, &live, &references);
        assert!(
            !matches!(outcome, ThumbVerification::Matched { .. }),
            "resident {impostor} matched resident {holder}'s card"
        );
    }
}

#[test]
fn old_cards_read_as_their_holders_and_only_faulty_ones_fail() {
    let streams = Streams::new(SEED);
    let models = quiet_models();
    let reader = FingerprintReader::new(models.fingerprint_reader.clone()).expect("valid");
    let mut devices = devices(1, 0, models.clone());
    let residents = 2_000;
    let mut unreadable = 0;
    for resident in 0..residents {
        let card = old_card::issue(
            &streams,
            resident,
            born(resident),
            &models.old_cards,
            &reader,
        );
        let faulty = card.faults.mute || card.faults.contact_error_probability > 0.0;
        let read = kiosk(
            &mut devices,
            0,
            &subject(resident, 0),
            RegistrationKioskDevice::ReadOldCard,
        );
        match read.outcome {
            RegistrationKioskOutcome::OldCardRead(OldCardReading::Read(holder)) => {
                let expected = OldCardIdentity {
                    resident: ResidentId(resident),
                    card: CardId(u64::from(resident)),
                };
                assert_eq!(holder, expected);
                let seconds = read.after.as_secs_f64();
                assert!((2.5..6.0).contains(&seconds), "{seconds} s");
            }
            RegistrationKioskOutcome::OldCardRead(OldCardReading::Unreadable) => {
                assert!(faulty, "resident {resident}'s sound card did not read");
                unreadable += 1;
            }
            other => panic!("an old-card read answered {other:?}"),
        }
    }
    // Dead chips (0.3%) and a quarter of the worn cards (5%).
    assert!(
        (10..=80).contains(&unreadable),
        "{unreadable} of {residents}"
    );
}
