//! The first-generation chip: issuer-keyed mutual authentication, its files, and its faults.

use hkic_base::{Date, SimDuration, seed_stream};
use hkic_chip::{
    Exchange, FirstGenerationChip, FirstGenerationFaults, Interface, TransmissionError,
};
use hkic_protocol::apdu::{CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::bac::{self, BacTerminal};
use hkic_protocol::first_generation::{
    self as format, APPLICATION_IDENTIFIER, FILE_PERSONAL, FILE_SERIAL, FILE_THUMBPRINTS,
    FirstGenerationRecord, IssuerMasterKey,
};
use hkic_protocol::lds::Sex;
use hkic_protocol::sm::SecureMessaging;
use proptest::prelude::*;

const CONTACT: Interface = Interface::Contact;

fn record() -> FirstGenerationRecord {
    FirstGenerationRecord {
        card_number: "A123456(3)".to_owned(),
        surname: "CHAN".to_owned(),
        given_names: "TAI MAN".to_owned(),
        sex: Sex::Male,
        date_of_birth: Date::from_ymd(1961, 2, 28).unwrap(),
        date_of_issue: Date::from_ymd(2004, 7, 1).unwrap(),
    }
}

fn thumbprints() -> [Vec<u8>; 2] {
    [
        vec![0x46, 0x4D, 0x52, 0, 1, 2, 3],
        vec![0x46, 0x4D, 0x52, 0, 4, 5, 6, 7],
    ]
}

fn issue(master: &IssuerMasterKey, serial: [u8; 8], seed: u64) -> FirstGenerationChip {
    FirstGenerationChip::issue(&record(), &thumbprints(), serial, master, seed_stream(seed))
        .unwrap()
}

fn send(chip: &mut FirstGenerationChip, command: &CommandApdu) -> ResponseApdu {
    ResponseApdu::parse(
        &chip
            .transmit(CONTACT, &command.to_bytes())
            .response
            .unwrap(),
    )
    .unwrap()
}

fn command(header: [u8; 4], data: &[u8], expected_length: Option<u32>) -> CommandApdu {
    CommandApdu::new(header, data.to_vec(), expected_length).unwrap()
}

fn select(identifier: u16) -> CommandApdu {
    command([0x00, 0xA4, 0x02, 0x0C], &identifier.to_be_bytes(), None)
}

/// Selects the application, reads the serial in plain and authenticates with `master`.
fn authenticate(
    chip: &mut FirstGenerationChip,
    master: &IssuerMasterKey,
    seed: u64,
) -> Result<SecureMessaging, StatusWord> {
    let application = command([0x00, 0xA4, 0x04, 0x0C], &APPLICATION_IDENTIFIER, None);
    assert_eq!(send(chip, &application).status, StatusWord::SUCCESS);
    assert_eq!(send(chip, &select(FILE_SERIAL)).status, StatusWord::SUCCESS);
    let serial_file = send(chip, &command([0x00, 0xB0, 0x00, 0x00], &[], Some(256)));
    let serial = format::decode_serial(&serial_file.data).unwrap();
    let mut terminal = BacTerminal::new(master.card_keys(&serial));
    let challenge = send(chip, &bac::challenge_command());
    let authenticate = terminal
        .authenticate_command(&challenge, &mut seed_stream(seed))
        .unwrap();
    let response = send(chip, &authenticate);
    terminal.finish(&response).map_err(|_| response.status)
}

fn read_protected(
    chip: &mut FirstGenerationChip,
    session: &mut SecureMessaging,
    identifier: u16,
) -> ResponseApdu {
    let short_identifier = (identifier & 0x1F) as u8;
    let read = command([0x00, 0xB0, 0x80 | short_identifier, 0x00], &[], Some(256));
    let wrapped = session.protect_command(&read).unwrap();
    let response = ResponseApdu::parse(
        &chip
            .transmit(CONTACT, &wrapped.to_bytes())
            .response
            .unwrap(),
    )
    .unwrap();
    session.unprotect_response(&response).unwrap()
}

#[test]
fn the_kiosk_reads_the_holder_and_thumbprints_after_mutual_authentication() {
    let master = IssuerMasterKey([0x5A; 16]);
    let mut chip = issue(&master, [1, 2, 3, 4, 5, 6, 7, 8], 1);
    chip.power_on(CONTACT).unwrap();
    assert_eq!(
        send(&mut chip, &select(FILE_PERSONAL)).status,
        StatusWord::FILE_NOT_FOUND
    );
    let mut session = authenticate(&mut chip, &master, 2).unwrap();
    let personal = read_protected(&mut chip, &mut session, FILE_PERSONAL);
    assert_eq!(
        FirstGenerationRecord::decode(&personal.data).unwrap(),
        record()
    );
    let templates = read_protected(&mut chip, &mut session, FILE_THUMBPRINTS);
    assert_eq!(
        format::decode_thumbprints(&templates.data).unwrap(),
        thumbprints()
    );
    // A plain command ends the session.
    assert_eq!(
        send(&mut chip, &select(FILE_PERSONAL)).status,
        StatusWord::SUCCESS
    );
    let plain_read = send(&mut chip, &command([0x00, 0xB0, 0x00, 0x00], &[], Some(16)));
    assert_eq!(plain_read.status, StatusWord::SECURITY_STATUS_NOT_SATISFIED);
}

#[test]
fn another_issuer_key_or_card_key_is_refused() {
    let master = IssuerMasterKey([0x5A; 16]);
    let mut chip = issue(&master, [9; 8], 3);
    chip.power_on(CONTACT).unwrap();
    let other = IssuerMasterKey([0xA5; 16]);
    assert_eq!(
        authenticate(&mut chip, &other, 4).err(),
        Some(StatusWord::AUTHENTICATION_FAILED)
    );
    assert!(authenticate(&mut chip, &master, 5).is_ok());
    // A key extracted from another card opens only that card.
    let neighbour_seed = master.card_key_seed(&[8; 8]);
    let mut impostor = BacTerminal::new(bac::BacKeys::from_seed(&neighbour_seed));
    let challenge = send(&mut chip, &bac::challenge_command());
    let attempt = impostor
        .authenticate_command(&challenge, &mut seed_stream(6))
        .unwrap();
    assert_eq!(
        send(&mut chip, &attempt).status,
        StatusWord::AUTHENTICATION_FAILED
    );
}

#[test]
fn faults_of_the_old_card() {
    let master = IssuerMasterKey([0x5A; 16]);
    let mut chip = issue(&master, [1; 8], 7);
    assert_eq!(
        chip.power_on(Interface::Contactless),
        Err(TransmissionError::NoSuchInterface(Interface::Contactless))
    );
    let mute = FirstGenerationFaults {
        mute: true,
        ..FirstGenerationFaults::default()
    };
    chip.set_faults(mute, seed_stream(8));
    assert_eq!(chip.power_on(CONTACT), Err(TransmissionError::NoAnswer));

    let corrupted = FirstGenerationFaults {
        corrupted_thumbprints: true,
        extra_processing_time: SimDuration::from_millis(300),
        ..FirstGenerationFaults::default()
    };
    chip.set_faults(corrupted, seed_stream(8));
    chip.power_on(CONTACT).unwrap();
    let mut session = authenticate(&mut chip, &master, 9).unwrap();
    let templates = read_protected(&mut chip, &mut session, FILE_THUMBPRINTS);
    assert_ne!(
        format::decode_thumbprints(&templates.data).ok(),
        Some(thumbprints())
    );
    let exchange = chip.transmit(CONTACT, &[0x00, 0xA4, 0x00, 0x0C]);
    assert!(exchange.processing_time >= SimDuration::from_millis(300));

    let worn = FirstGenerationFaults {
        contact_error_probability: 1.0,
        ..FirstGenerationFaults::default()
    };
    chip.set_faults(worn, seed_stream(10));
    let failed: Exchange = chip.transmit(CONTACT, &[0x00, 0xA4, 0x00, 0x0C]);
    assert_eq!(failed.response, Err(TransmissionError::ContactError));
    assert_eq!(failed.retransmissions, 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn mutual_authentication_round_trips(
        master in any::<[u8; 16]>(),
        serial in any::<[u8; 8]>(),
        chip_seed in any::<u64>(),
        terminal_seed in any::<u64>(),
    ) {
        let master = IssuerMasterKey(master);
        let mut chip = issue(&master, serial, chip_seed);
        chip.power_on(CONTACT).unwrap();
        let mut session = authenticate(&mut chip, &master, terminal_seed).unwrap();
        let personal = read_protected(&mut chip, &mut session, FILE_PERSONAL);
        prop_assert_eq!(FirstGenerationRecord::decode(&personal.data).unwrap(), record());
    }
}
