//! The kiosk's old-card reader against the emulated first-generation chip.

use hkic_base::SimDuration;
use hkic_base::{Date, seed_stream};
use hkic_chip::{CardChip, FirstGenerationChip, FirstGenerationFaults, Interface, Link};
use hkic_protocol::apdu::StatusWord;
use hkic_protocol::first_generation::{FirstGenerationRecord, IssuerMasterKey};
use hkic_protocol::lds::Sex;
use hkic_terminals::card_read::{
    CardReadInput, FirstGenerationOutput, FirstGenerationReader, FirstGenerationVerdict,
};

fn record() -> FirstGenerationRecord {
    FirstGenerationRecord {
        card_number: "C668668(E)".to_owned(),
        surname: "WONG".to_owned(),
        given_names: "SIU MING".to_owned(),
        sex: Sex::Female,
        date_of_birth: Date::from_ymd(1958, 11, 3).unwrap(),
        date_of_issue: Date::from_ymd(2006, 1, 9).unwrap(),
    }
}

/// Two templates long enough to need several READ BINARY chunks each.
fn thumbprints() -> [Vec<u8>; 2] {
    [
        (0..700).map(|index| index as u8).collect(),
        (0..900).map(|index| (index * 7) as u8).collect(),
    ]
}

fn chip(master: &IssuerMasterKey) -> FirstGenerationChip {
    FirstGenerationChip::issue(&record(), &thumbprints(), [4; 8], master, seed_stream(1)).unwrap()
}

fn drive(reader: FirstGenerationReader, chip: &mut dyn CardChip) -> FirstGenerationVerdict {
    drive_timed(reader, chip, &Link::contact(9_600)).0
}

/// The verdict and the time the exchanges take on `link`.
fn drive_timed(
    mut reader: FirstGenerationReader,
    chip: &mut dyn CardChip,
    link: &Link,
) -> (FirstGenerationVerdict, SimDuration) {
    let mut duration = SimDuration::ZERO;
    for _ in 0..1_000 {
        let input = match reader
            .poll_output()
            .expect("the reader always has an output")
        {
            FirstGenerationOutput::Activate => {
                chip.power_off();
                match chip.power_on(Interface::Contact) {
                    Ok(_) => CardReadInput::Activated,
                    Err(_) => CardReadInput::TransmissionFailed,
                }
            }
            FirstGenerationOutput::Transmit(command) => {
                let exchange = chip.transmit(Interface::Contact, &command);
                duration += link.exchange_duration(command.len(), &exchange);
                match exchange.response {
                    Ok(response) => CardReadInput::Response(response),
                    Err(_) => CardReadInput::TransmissionFailed,
                }
            }
            FirstGenerationOutput::Finished(verdict) => return (*verdict, duration),
        };
        reader.handle_input(input);
    }
    panic!("the read did not finish");
}

#[test]
fn the_kiosk_reads_an_old_card_with_its_issuer_key() {
    let master = IssuerMasterKey([0x3C; 16]);
    let verdict = drive(
        FirstGenerationReader::new(master.clone(), 3, seed_stream(2)),
        &mut chip(&master),
    );
    let expected = FirstGenerationVerdict::Read {
        record: record(),
        thumbprints: thumbprints(),
    };
    assert_eq!(verdict, expected);
}

#[test]
fn another_issuer_key_fails_mutual_authentication() {
    let master = IssuerMasterKey([0x3C; 16]);
    let other = IssuerMasterKey([0xC3; 16]);
    let verdict = drive(
        FirstGenerationReader::new(other, 3, seed_stream(3)),
        &mut chip(&master),
    );
    let expected = FirstGenerationVerdict::AuthenticationFailed {
        status: StatusWord::AUTHENTICATION_FAILED,
    };
    assert_eq!(verdict, expected);
}

#[test]
fn dead_worn_and_corrupted_cards() {
    let master = IssuerMasterKey([0x3C; 16]);
    let read = |faults: FirstGenerationFaults| {
        let mut card = chip(&master);
        card.set_faults(faults, seed_stream(4));
        drive(
            FirstGenerationReader::new(master.clone(), 5, seed_stream(5)),
            &mut card,
        )
    };
    let mute = read(FirstGenerationFaults {
        mute: true,
        ..FirstGenerationFaults::default()
    });
    assert!(
        matches!(mute, FirstGenerationVerdict::Unreadable { .. }),
        "{mute:?}"
    );
    let worn = read(FirstGenerationFaults {
        contact_error_probability: 0.3,
        ..FirstGenerationFaults::default()
    });
    let genuine = FirstGenerationVerdict::Read {
        record: record(),
        thumbprints: thumbprints(),
    };
    assert_eq!(worn, genuine);
    // A corrupted template still reads; it is the 1:1 match that will fail.
    let corrupted = read(FirstGenerationFaults {
        corrupted_thumbprints: true,
        ..FirstGenerationFaults::default()
    });
    let FirstGenerationVerdict::Read {
        thumbprints: read_templates,
        ..
    } = corrupted
    else {
        panic!("a corrupted template file still reads: {corrupted:?}");
    };
    assert_eq!(read_templates[0], thumbprints()[0]);
    assert_ne!(read_templates[1], thumbprints()[1]);
}

#[test]
fn an_old_card_reads_in_under_two_seconds_over_9600_baud_contacts() {
    let master = IssuerMasterKey([0x3C; 16]);
    let templates = [vec![0x11; 400], vec![0x22; 400]];
    let mut card =
        FirstGenerationChip::issue(&record(), &templates, [4; 8], &master, seed_stream(6)).unwrap();
    let reader = FirstGenerationReader::new(master, 3, seed_stream(7));
    let (verdict, duration) = drive_timed(reader, &mut card, &Link::contact(9_600));
    assert!(
        matches!(verdict, FirstGenerationVerdict::Read { .. }),
        "{verdict:?}"
    );
    let seconds = duration.as_secs_f64();
    assert!((0.8..2.0).contains(&seconds), "{seconds} s");
}
