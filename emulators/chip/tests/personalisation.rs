//! Personalisation: atomic at every write point, deterministic, and strict about its steps.

mod common;

use common::*;
use hkic_base::{Date, seed_stream};
use hkic_chip::specimen::{SpecimenPki, specimen_holder};
use hkic_chip::{
    CardFiles, HolderData, Interface, NewGenerationChip, PersonalisationError, PersonaliseError,
    personalise, personalise_chip,
};
use hkic_protocol::apdu::StatusWord;
use hkic_protocol::curve::Curve;
use hkic_protocol::lds::ElementaryFile;
use hkic_protocol::mrz::MrzKeyMaterial;

const IMAGE_LENGTH: usize = 1_500;

/// What a power-on finds: nothing at all, or the whole card.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    Blank,
    Complete,
}

/// Reads every file through PACE (DG3 through the image the personalisation wrote).
fn read_everything(chip: &mut NewGenerationChip, holder: &HolderData, files: &CardFiles) {
    let mut random = seed_stream(7);
    let mut session = pace(
        chip,
        Interface::Contactless,
        &holder.card_access_number,
        &mut random,
    )
    .unwrap();
    let keys = &mut session.secure_messaging;
    protected(chip, Interface::Contactless, keys, &select_application());
    for file in [
        ElementaryFile::Com,
        ElementaryFile::Dg1,
        ElementaryFile::Dg2,
        ElementaryFile::Dg14,
        ElementaryFile::Sod,
    ] {
        let content = read_file(chip, Interface::Contactless, keys, file, 223).unwrap();
        assert_eq!(content, files.get(file).unwrap(), "{file:?}");
    }
}

fn found(chip: &mut NewGenerationChip) -> Found {
    chip.power_on(Interface::Contactless);
    if chip.is_personalised() {
        return Found::Complete;
    }
    assert_eq!(chip.persistent_memory().committed_image(), None);
    let select = send(chip, Interface::Contactless, &select_application());
    assert_eq!(select.status, StatusWord::FILE_NOT_FOUND);
    Found::Blank
}

#[test]
fn a_power_loss_at_any_write_point_leaves_the_chip_blank_or_complete() {
    let pki = SpecimenPki::new(1).unwrap();
    let holder = specimen_holder(1, IMAGE_LENGTH);
    let mut reference = NewGenerationChip::blank(seed_stream(2));
    personalise_chip(&mut reference, &holder, pki.issuer()).unwrap();
    let write_points = reference.persistent_memory().writes();
    assert!(write_points > 40, "{write_points} write points");
    for write in 0..=write_points {
        let mut chip = NewGenerationChip::blank(seed_stream(2));
        chip.cut_power_at_write(write);
        let outcome = personalise_chip(&mut chip, &holder, pki.issuer());
        let lost = write < write_points;
        if lost {
            assert_eq!(
                outcome,
                Err(PersonaliseError::Personalisation(
                    PersonalisationError::PowerLost
                )),
                "write {write}"
            );
            assert_eq!(chip.powered_interface(), None);
        }
        let expected = if lost { Found::Blank } else { Found::Complete };
        assert_eq!(
            found(&mut chip),
            expected,
            "power lost at write {write} of {write_points}"
        );
        // Blank or not, the production line ends with a complete card.
        let files = match outcome {
            Ok(files) => files,
            Err(_) => personalise_chip(&mut chip, &holder, pki.issuer()).unwrap(),
        };
        assert_eq!(found(&mut chip), Found::Complete);
        if write % 16 == 0 || write + 1 >= write_points {
            read_everything(&mut chip, &holder, &files);
        }
    }
}

#[test]
fn the_same_seed_gives_a_byte_identical_chip() {
    let pki = SpecimenPki::new(3).unwrap();
    let holder = specimen_holder(3, IMAGE_LENGTH);
    let (first, first_files) = personalise(&holder, pki.issuer(), seed_stream(4)).unwrap();
    let (second, second_files) = personalise(&holder, pki.issuer(), seed_stream(4)).unwrap();
    assert_eq!(
        first.persistent_memory().as_bytes(),
        second.persistent_memory().as_bytes()
    );
    assert_eq!(first_files, second_files);
    let (third, third_files) = personalise(&holder, pki.issuer(), seed_stream(5)).unwrap();
    assert_ne!(
        first.persistent_memory().as_bytes(),
        third.persistent_memory().as_bytes()
    );
    // Another chip key: another DG14 and SOD, the same DG1.
    assert_ne!(
        first_files.get(ElementaryFile::Dg14),
        third_files.get(ElementaryFile::Dg14)
    );
    assert_eq!(
        first_files.get(ElementaryFile::Dg1),
        third_files.get(ElementaryFile::Dg1)
    );
    let again = SpecimenPki::new(3).unwrap();
    assert_eq!(
        again.document_signer.certificate_der().unwrap(),
        pki.document_signer.certificate_der().unwrap()
    );
}

#[test]
fn personalisation_refuses_steps_out_of_order_and_incomplete_cards() {
    let pki = SpecimenPki::new(6).unwrap();
    let mut chip = NewGenerationChip::blank(seed_stream(6));
    assert_eq!(
        chip.begin_personalisation().err(),
        Some(PersonalisationError::NotPowered)
    );
    chip.power_on(Interface::Contact);
    let mut personalisation = chip.begin_personalisation().unwrap();
    let dg1 = ElementaryFile::Dg1;
    assert_eq!(
        personalisation.write_file(dg1, 0, b"x"),
        Err(PersonalisationError::NoSuchFile { file: dg1 })
    );
    personalisation.create_file(dg1, 4).unwrap();
    assert_eq!(
        personalisation.create_file(dg1, 4),
        Err(PersonalisationError::FileExists { file: dg1 })
    );
    assert!(matches!(
        personalisation.write_file(dg1, 1, b"x"),
        Err(PersonalisationError::WriteOutOfOrder { expected: 0, .. })
    ));
    assert!(personalisation.write_file(dg1, 0, b"12345").is_err());
    personalisation.write_file(dg1, 0, b"12").unwrap();
    assert!(matches!(
        personalisation.create_file(ElementaryFile::Dg2, 0x8000),
        Err(PersonalisationError::FileLength { .. })
    ));
    let mrz = MrzKeyMaterial::new("A1234563<", "800517", "290304").unwrap();
    assert_eq!(
        personalisation.load_access_keys("12345", &mrz),
        Err(PersonalisationError::InvalidCan)
    );
    assert!(matches!(
        personalisation.load_terminal_authentication_anchor(&pki.terminal, Date::EPOCH),
        Err(PersonalisationError::NotTrustAnchor { .. })
    ));
    personalisation
        .generate_chip_authentication_key(Curve::NistP256)
        .unwrap();
    let Err(PersonalisationError::Incomplete { missing }) = personalisation.commit() else {
        panic!("an incomplete card was committed");
    };
    assert!(
        missing.contains("CardAccess") && missing.contains("Dg1 (2 of 4 bytes)"),
        "{missing}"
    );
    assert!(missing.contains("access keys"), "{missing}");
    assert!(!chip.is_personalised());
    let holder = specimen_holder(6, IMAGE_LENGTH);
    // A refused commit wrote nothing: the chip is still blank and can start again.
    chip.power_off();
    personalise_chip(&mut chip, &holder, pki.issuer()).unwrap();
    assert_eq!(
        chip.begin_personalisation().err(),
        Some(PersonalisationError::AlreadyPersonalised)
    );
}

#[test]
fn holder_data_errors_are_reported_before_anything_is_written() {
    let pki = SpecimenPki::new(7).unwrap();
    let mut holder = specimen_holder(7, IMAGE_LENGTH);
    holder.card_number = "A123456(0)".to_owned();
    let mut chip = NewGenerationChip::blank(seed_stream(7));
    assert!(matches!(
        personalise_chip(&mut chip, &holder, pki.issuer()),
        Err(PersonaliseError::Lds(_))
    ));
    assert_eq!(chip.persistent_memory().writes(), 0);
}
