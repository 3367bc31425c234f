//! The new-generation chip seen from a terminal: file system and access conditions, PACE,
//! BAC, chip and terminal authentication, the PACE retry counter, session lifetime, and
//! replayed or reordered protected APDUs.

mod common;

use common::*;
use hkic_base::seed_stream;
use hkic_chip::{Interface, NewGenerationChip, TransmissionError};
use hkic_protocol::apdu::{CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::bac::{self, BacKeys, BacTerminal};
use hkic_protocol::lds::ElementaryFile;
use hkic_protocol::tlv::{Tag, TlvRef};

const CONTACTLESS: Interface = Interface::Contactless;

fn powered_card(seed: u64) -> Card {
    let mut card = specimen_card(seed, 3_000);
    card.chip.power_on(CONTACTLESS);
    card
}

#[test]
fn plain_access_reaches_only_card_access() {
    let mut card = powered_card(1);
    let chip = &mut card.chip;
    let read = send(
        chip,
        CONTACTLESS,
        &read_short_identifier(ElementaryFile::CardAccess, 0, 256),
    );
    assert_eq!(read.status, StatusWord::SUCCESS);
    assert_eq!(
        read.data,
        card.files.get(ElementaryFile::CardAccess).unwrap()
    );
    assert_eq!(
        send(chip, CONTACTLESS, &select_application()).status,
        StatusWord::SUCCESS
    );
    for file in [
        ElementaryFile::Com,
        ElementaryFile::Dg1,
        ElementaryFile::Dg3,
        ElementaryFile::Sod,
    ] {
        let response = send(chip, CONTACTLESS, &read_short_identifier(file, 0, 16));
        assert_eq!(
            response.status,
            StatusWord::SECURITY_STATUS_NOT_SATISFIED,
            "{file:?}"
        );
        assert!(response.data.is_empty());
    }
    let select_dg1 = command([0x00, 0xA4, 0x02, 0x0C], &[0x01, 0x01], None);
    assert_eq!(
        send(chip, CONTACTLESS, &select_dg1).status,
        StatusWord::SUCCESS
    );
    assert_eq!(
        send(chip, CONTACTLESS, &read_offset(0, 8)).status,
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    let other_application = command([0x00, 0xA4, 0x04, 0x0C], &[0xA0, 0, 0, 0, 0x03], None);
    assert_eq!(
        send(chip, CONTACTLESS, &other_application).status,
        StatusWord::FILE_NOT_FOUND
    );
    let fresh = NewGenerationChip::blank(seed_stream(1));
    assert!(!fresh.is_personalised());
}

#[test]
fn pace_opens_every_file_but_dg3_and_protects_every_response() {
    let mut card = powered_card(2);
    let mut random = seed_stream(20);
    let can = card.holder.card_access_number.clone();
    let mut session = pace(&mut card.chip, CONTACTLESS, &can, &mut random).unwrap();
    let (raw, _) = protected(
        &mut card.chip,
        CONTACTLESS,
        &mut session.secure_messaging,
        &select_application(),
    );
    assert_has_status_and_mac(&raw);
    for file in [
        ElementaryFile::Com,
        ElementaryFile::Dg1,
        ElementaryFile::Dg2,
        ElementaryFile::Dg14,
        ElementaryFile::Sod,
    ] {
        let content = read_file(
            &mut card.chip,
            CONTACTLESS,
            &mut session.secure_messaging,
            file,
            223,
        )
        .unwrap();
        assert_eq!(content, card.files.get(file).unwrap(), "{file:?}");
    }
    let denied = read_file(
        &mut card.chip,
        CONTACTLESS,
        &mut session.secure_messaging,
        ElementaryFile::Dg3,
        223,
    );
    assert_eq!(denied, Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED));
    let (raw, missing) = protected(
        &mut card.chip,
        CONTACTLESS,
        &mut session.secure_messaging,
        &command([0x00, 0xA4, 0x02, 0x0C], &[0x01, 0x05], None),
    );
    assert_eq!(missing.status, StatusWord::FILE_NOT_FOUND);
    assert_has_status_and_mac(&raw);
}

/// DO'99' then DO'8E' (8 bytes) end every protected response.
fn assert_has_status_and_mac(raw: &[u8]) {
    let body = &raw[..raw.len() - 2];
    let mac_start = body.len() - 10;
    assert_eq!(body[mac_start..mac_start + 2], [0x8E, 0x08]);
    let status = TlvRef::decode_first(&body[mac_start - 4..]).unwrap().0;
    assert_eq!(status.tag, Tag(0x99));
    assert_eq!(status.value, &raw[raw.len() - 2..]);
}

#[test]
fn extended_le_and_short_reads_at_the_end_of_a_file() {
    let mut card = powered_card(3);
    let mut random = seed_stream(30);
    let can = card.holder.card_access_number.clone();
    let mut session = pace(&mut card.chip, CONTACTLESS, &can, &mut random).unwrap();
    let keys = &mut session.secure_messaging;
    protected(&mut card.chip, CONTACTLESS, keys, &select_application());
    let dg2 = card.files.get(ElementaryFile::Dg2).unwrap().to_vec();
    let (_, whole) = protected(
        &mut card.chip,
        CONTACTLESS,
        keys,
        &read_short_identifier(ElementaryFile::Dg2, 0, 65_536),
    );
    assert_eq!(
        (whole.status, whole.data),
        (StatusWord::SUCCESS, dg2.clone())
    );
    let tail_offset = (dg2.len() - 10) as u16;
    let (_, tail) = protected(
        &mut card.chip,
        CONTACTLESS,
        keys,
        &read_offset(tail_offset, 100),
    );
    assert_eq!(tail.status, StatusWord::END_OF_FILE_REACHED);
    assert_eq!(tail.data, dg2[dg2.len() - 10..]);
    let (_, all) = protected(
        &mut card.chip,
        CONTACTLESS,
        keys,
        &read_offset(tail_offset, 256),
    );
    assert_eq!((all.status, all.data.len()), (StatusWord::SUCCESS, 10));
    let (_, beyond) = protected(
        &mut card.chip,
        CONTACTLESS,
        keys,
        &read_offset(dg2.len() as u16 + 1, 1),
    );
    assert_eq!(beyond.status, StatusWord::WRONG_PARAMETERS);
}

#[test]
fn bac_opens_a_3des_session_on_the_contacts() {
    let mut card = specimen_card(4, 1_000);
    card.chip.power_on(Interface::Contact);
    let chip = &mut card.chip;
    assert_eq!(
        send(chip, Interface::Contact, &select_application()).status,
        StatusWord::SUCCESS
    );
    let key_material = card.files.personal_data.mrz_key_material().unwrap();
    let mut terminal = BacTerminal::new(BacKeys::from_mrz(&key_material));
    let challenge = send(chip, Interface::Contact, &bac::challenge_command());
    let authenticate = terminal
        .authenticate_command(&challenge, &mut seed_stream(40))
        .unwrap();
    let response = send(chip, Interface::Contact, &authenticate);
    let mut session = terminal.finish(&response).unwrap();
    let dg1 = read_file(
        chip,
        Interface::Contact,
        &mut session,
        ElementaryFile::Dg1,
        0xDF,
    )
    .unwrap();
    assert_eq!(dg1, card.files.get(ElementaryFile::Dg1).unwrap());

    let wrong = hkic_protocol::mrz::MrzKeyMaterial::new("A0000000<", "800517", "290304").unwrap();
    let mut impostor = BacTerminal::new(BacKeys::from_mrz(&wrong));
    let challenge = send(chip, Interface::Contact, &bac::challenge_command());
    let authenticate = impostor
        .authenticate_command(&challenge, &mut seed_stream(41))
        .unwrap();
    assert_eq!(
        send(chip, Interface::Contact, &authenticate).status,
        StatusWord::AUTHENTICATION_FAILED
    );
}

#[test]
fn three_wrong_cans_block_pace_until_the_next_power_cycle() {
    let mut card = powered_card(5);
    let mut random = seed_stream(50);
    let can = card.holder.card_access_number.clone();
    for _ in 0..3 {
        let refused = pace(&mut card.chip, CONTACTLESS, "999999", &mut random);
        assert_eq!(refused.err(), Some(StatusWord::AUTHENTICATION_FAILED));
    }
    for _ in 0..2 {
        let blocked = pace(&mut card.chip, CONTACTLESS, &can, &mut random);
        assert_eq!(
            blocked.err(),
            Some(StatusWord::AUTHENTICATION_METHOD_BLOCKED)
        );
    }
    card.chip.reset().unwrap();
    let still_blocked = pace(&mut card.chip, CONTACTLESS, &can, &mut random);
    assert_eq!(
        still_blocked.err(),
        Some(StatusWord::AUTHENTICATION_METHOD_BLOCKED)
    );
    card.chip.power_off();
    card.chip.power_on(CONTACTLESS);
    assert!(pace(&mut card.chip, CONTACTLESS, &can, &mut random).is_ok());
    // Two wrong attempts, then a right one, clear the count.
    for _ in 0..2 {
        assert!(pace(&mut card.chip, CONTACTLESS, "999999", &mut random).is_err());
    }
    assert!(pace(&mut card.chip, CONTACTLESS, &can, &mut random).is_ok());
    for _ in 0..2 {
        assert!(pace(&mut card.chip, CONTACTLESS, "999999", &mut random).is_err());
    }
    assert!(pace(&mut card.chip, CONTACTLESS, &can, &mut random).is_ok());
}

#[test]
fn power_events_and_plain_commands_drop_the_session() {
    let mut card = powered_card(6);
    let mut random = seed_stream(60);
    let can = card.holder.card_access_number.clone();
    let read_dg1 = read_short_identifier(ElementaryFile::Dg1, 0, 16);
    type Event = fn(&mut NewGenerationChip);
    let events: [Event; 3] = [
        |chip| chip.power_off(),
        |chip| {
            chip.reset().unwrap();
        },
        |chip| {
            send(chip, CONTACTLESS, &select_application());
        },
    ];
    for event in events {
        let mut session = pace(&mut card.chip, CONTACTLESS, &can, &mut random).unwrap();
        protected(
            &mut card.chip,
            CONTACTLESS,
            &mut session.secure_messaging,
            &select_application(),
        );
        event(&mut card.chip);
        if card.chip.powered_interface().is_none() {
            card.chip.power_on(CONTACTLESS);
        }
        let wrapped = session.secure_messaging.protect_command(&read_dg1).unwrap();
        let response = send(&mut card.chip, CONTACTLESS, &wrapped);
        assert_eq!(response.status, StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        assert!(response.data.is_empty());
    }
}

#[test]
fn replayed_and_reordered_protected_apdus_are_refused() {
    let mut card = powered_card(7);
    let mut random = seed_stream(70);
    let can = card.holder.card_access_number.clone();
    let read_dg1 = read_short_identifier(ElementaryFile::Dg1, 0, 16);

    let mut session = pace(&mut card.chip, CONTACTLESS, &can, &mut random).unwrap();
    protected(
        &mut card.chip,
        CONTACTLESS,
        &mut session.secure_messaging,
        &select_application(),
    );
    let wrapped = session.secure_messaging.protect_command(&read_dg1).unwrap();
    let first = send(&mut card.chip, CONTACTLESS, &wrapped);
    assert!(session.secure_messaging.unprotect_response(&first).is_ok());
    let replayed = send(&mut card.chip, CONTACTLESS, &wrapped);
    assert_eq!(
        replayed,
        ResponseApdu::status_only(StatusWord::SECURE_MESSAGING_DATA_OBJECTS_INCORRECT)
    );
    // The replay ended the session: the next correct command is refused too.
    let next = session.secure_messaging.protect_command(&read_dg1).unwrap();
    assert_eq!(
        send(&mut card.chip, CONTACTLESS, &next).status,
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );

    let mut session = pace(&mut card.chip, CONTACTLESS, &can, &mut random).unwrap();
    protected(
        &mut card.chip,
        CONTACTLESS,
        &mut session.secure_messaging,
        &select_application(),
    );
    let earlier = session.secure_messaging.protect_command(&read_dg1).unwrap();
    let later = session.secure_messaging.protect_command(&read_dg1).unwrap();
    let reordered = send(&mut card.chip, CONTACTLESS, &later);
    assert_eq!(
        reordered.status,
        StatusWord::SECURE_MESSAGING_DATA_OBJECTS_INCORRECT
    );
    assert_eq!(
        send(&mut card.chip, CONTACTLESS, &earlier).status,
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
}

#[test]
fn chip_and_terminal_authentication_unlock_dg3() {
    let mut card = powered_card(8);
    let mut random = seed_stream(80);
    let can = card.holder.card_access_number.clone();
    let mut session = pace(&mut card.chip, CONTACTLESS, &can, &mut random).unwrap();
    protected(
        &mut card.chip,
        CONTACTLESS,
        &mut session.secure_messaging,
        &select_application(),
    );
    let dg14 = card.files.get(ElementaryFile::Dg14).unwrap().to_vec();
    let (mut authenticated, ephemeral) = chip_authentication(
        &mut card.chip,
        CONTACTLESS,
        &mut session.secure_messaging,
        &dg14,
        &mut random,
    );
    let before = read_file(
        &mut card.chip,
        CONTACTLESS,
        &mut authenticated,
        ElementaryFile::Dg3,
        223,
    );
    assert_eq!(before, Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED));
    let status = terminal_authentication(
        &mut card.chip,
        CONTACTLESS,
        &mut authenticated,
        &card.pki,
        session.chip_identifier.clone(),
        ephemeral,
    );
    assert_eq!(status, StatusWord::SUCCESS);
    let dg3 = read_file(
        &mut card.chip,
        CONTACTLESS,
        &mut authenticated,
        ElementaryFile::Dg3,
        223,
    )
    .unwrap();
    assert_eq!(dg3, card.files.get(ElementaryFile::Dg3).unwrap());
}

#[test]
fn terminal_authentication_with_a_foreign_chain_leaves_dg3_closed() {
    let mut card = powered_card(9);
    let foreign = hkic_chip::specimen::SpecimenPki::new(99).unwrap();
    let mut random = seed_stream(90);
    let can = card.holder.card_access_number.clone();
    let mut session = pace(&mut card.chip, CONTACTLESS, &can, &mut random).unwrap();
    let dg14 = card.files.get(ElementaryFile::Dg14).unwrap().to_vec();
    let (mut authenticated, ephemeral) = chip_authentication(
        &mut card.chip,
        CONTACTLESS,
        &mut session.secure_messaging,
        &dg14,
        &mut random,
    );
    let status = terminal_authentication(
        &mut card.chip,
        CONTACTLESS,
        &mut authenticated,
        &foreign,
        session.chip_identifier.clone(),
        ephemeral,
    );
    assert_ne!(status, StatusWord::SUCCESS);
    protected(
        &mut card.chip,
        CONTACTLESS,
        &mut authenticated,
        &select_application(),
    );
    let dg3 = read_file(
        &mut card.chip,
        CONTACTLESS,
        &mut authenticated,
        ElementaryFile::Dg3,
        223,
    );
    assert_eq!(dg3, Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED));
}

#[test]
fn interfaces_answers_to_reset_and_unpowered_transmission() {
    let mut card = specimen_card(10, 1_000);
    let chip = &mut card.chip;
    assert!(chip.atr().is_empty());
    let select = select_application().to_bytes();
    assert_eq!(
        chip.transmit(CONTACTLESS, &select).response,
        Err(TransmissionError::NotPowered)
    );
    let contact_atr = chip.power_on(Interface::Contact);
    assert_eq!(&contact_atr[..3], &[0x3B, 0x97, 0x96]);
    assert_eq!(
        chip.transmit(CONTACTLESS, &select).response,
        Err(TransmissionError::NotPowered)
    );
    assert_eq!(
        send(chip, Interface::Contact, &select_application()).status,
        StatusWord::SUCCESS
    );
    let contactless_atr = chip.power_on(CONTACTLESS);
    assert_eq!(&contactless_atr[..4], &[0x3B, 0x87, 0x80, 0x01]);
    assert_eq!(chip.reset().unwrap(), contactless_atr);
    chip.power_off();
    assert_eq!(chip.reset(), Err(TransmissionError::NotPowered));
}

#[test]
fn a_blank_chip_answers_with_status_words() {
    let mut chip = NewGenerationChip::blank(seed_stream(11));
    chip.power_on(CONTACTLESS);
    assert!(!chip.is_personalised());
    assert_eq!(
        send(&mut chip, CONTACTLESS, &select_application()).status,
        StatusWord::FILE_NOT_FOUND
    );
    let general = CommandApdu::parse(&[0x00, 0x86, 0x00, 0x00, 0x02, 0x7C, 0x00, 0x00]).unwrap();
    assert_eq!(
        send(&mut chip, CONTACTLESS, &general).status,
        StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED
    );
}
