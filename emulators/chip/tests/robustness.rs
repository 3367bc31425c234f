//! Any byte string, in any state of either chip, gets a status word and never a panic.

mod common;

use common::*;
use hkic_base::seed_stream;
use hkic_chip::{FirstGenerationChip, Interface, NewGenerationChip, fuzzing};
use hkic_protocol::apdu::{CommandApdu, ResponseApdu};
use hkic_protocol::bac::{self, BacKeys, BacTerminal};
use hkic_protocol::curve::Curve;
use hkic_protocol::first_generation::{FirstGenerationRecord, IssuerMasterKey};
use hkic_protocol::lds::{ElementaryFile, Sex};
use hkic_protocol::pace::{PacePassword, PaceTerminal, PaceTerminalStep};
use proptest::prelude::*;
use std::sync::OnceLock;

const CONTACTLESS: Interface = Interface::Contactless;

/// A new-generation chip in each state a reader can leave it in.
fn states() -> &'static Vec<(&'static str, NewGenerationChip)> {
    static STATES: OnceLock<Vec<(&'static str, NewGenerationChip)>> = OnceLock::new();
    STATES.get_or_init(build_states)
}

fn build_states() -> Vec<(&'static str, NewGenerationChip)> {
    let card = specimen_card(1, 800);
    let can = card.holder.card_access_number.clone();
    let mut random = seed_stream(2);
    let mut states = Vec::new();
    let mut blank = NewGenerationChip::blank(seed_stream(3));
    blank.power_on(CONTACTLESS);
    states.push(("blank", blank));
    let mut chip = card.chip.clone();
    chip.power_on(CONTACTLESS);
    states.push(("personalised", chip.clone()));
    send(&mut chip, CONTACTLESS, &select_application());
    states.push(("application selected", chip.clone()));
    states.push(("in PACE", mid_pace(chip.clone(), &can)));
    let mut session = pace(&mut chip, CONTACTLESS, &can, &mut random).unwrap();
    states.push(("PACE", chip.clone()));
    let dg14 = card.files.get(ElementaryFile::Dg14).unwrap().to_vec();
    let (mut authenticated, ephemeral) = chip_authentication(
        &mut chip,
        CONTACTLESS,
        &mut session.secure_messaging,
        &dg14,
        &mut random,
    );
    states.push(("chip authentication", chip.clone()));
    terminal_authentication(
        &mut chip,
        CONTACTLESS,
        &mut authenticated,
        &card.pki,
        session.chip_identifier,
        ephemeral,
    );
    states.push(("terminal authentication", chip.clone()));
    let mut blocked = card.chip.clone();
    blocked.power_on(CONTACTLESS);
    for _ in 0..3 {
        let _ = pace(&mut blocked, CONTACTLESS, "000000", &mut random);
    }
    states.push(("PACE blocked", blocked));
    states.push(("BAC", bac_session(card.chip.clone(), &card)));
    states
}

/// After MSE:Set AT and the first GENERAL AUTHENTICATE.
fn mid_pace(mut chip: NewGenerationChip, can: &str) -> NewGenerationChip {
    let (mut terminal, command) =
        PaceTerminal::start(&PacePassword::Can(can.to_owned()), Curve::NistP256, false);
    let response = send(&mut chip, CONTACTLESS, &command);
    let Ok(PaceTerminalStep::Send(next)) = terminal.handle_response(&response, &mut seed_stream(4))
    else {
        panic!("PACE did not start");
    };
    send(&mut chip, CONTACTLESS, &next);
    chip
}

fn bac_session(mut chip: NewGenerationChip, card: &Card) -> NewGenerationChip {
    chip.power_on(Interface::Contact);
    let keys = BacKeys::from_mrz(&card.files.personal_data.mrz_key_material().unwrap());
    let mut terminal = BacTerminal::new(keys);
    let challenge = send(&mut chip, Interface::Contact, &bac::challenge_command());
    let authenticate = terminal
        .authenticate_command(&challenge, &mut seed_stream(5))
        .unwrap();
    let response = send(&mut chip, Interface::Contact, &authenticate);
    terminal.finish(&response).unwrap();
    chip
}

fn first_generation_states() -> Vec<FirstGenerationChip> {
    let record = FirstGenerationRecord {
        card_number: "A123456(3)".to_owned(),
        surname: "CHAN".to_owned(),
        given_names: "TAI MAN".to_owned(),
        sex: Sex::Male,
        date_of_birth: hkic_base::Date::from_ymd(1961, 2, 28).unwrap(),
        date_of_issue: hkic_base::Date::from_ymd(2004, 7, 1).unwrap(),
    };
    let master = IssuerMasterKey([7; 16]);
    let thumbprints = [vec![1; 20], vec![2; 20]];
    let mut chip =
        FirstGenerationChip::issue(&record, &thumbprints, [3; 8], &master, seed_stream(6)).unwrap();
    chip.power_on(Interface::Contact).unwrap();
    let plain = chip.clone();
    chip.transmit(
        Interface::Contact,
        &[
            0x00, 0xA4, 0x04, 0x0C, 0x06, 0xF0, 0x48, 0x4B, 0x49, 0x44, 0x01,
        ],
    );
    let mut terminal = BacTerminal::new(master.card_keys(&[3; 8]));
    let challenge = chip
        .transmit(Interface::Contact, &bac::challenge_command().to_bytes())
        .response
        .unwrap();
    let authenticate = terminal
        .authenticate_command(
            &ResponseApdu::parse(&challenge).unwrap(),
            &mut seed_stream(7),
        )
        .unwrap();
    let response = chip
        .transmit(Interface::Contact, &authenticate.to_bytes())
        .response
        .unwrap();
    terminal
        .finish(&ResponseApdu::parse(&response).unwrap())
        .unwrap();
    vec![plain, chip]
}

fn assert_status_word(response: Result<Vec<u8>, hkic_chip::TransmissionError>, state: &str) {
    let response = response.unwrap_or_else(|error| panic!("{state}: {error}"));
    assert!(response.len() >= 2, "{state}: {response:02X?}");
}

/// Bytes that are mostly well-formed APDUs of the instructions the chips know, sometimes
/// anything at all.
fn apdu_bytes() -> impl Strategy<Value = Vec<u8>> {
    let instruction =
        prop::sample::select(vec![0xA4u8, 0xB0, 0x84, 0x82, 0x22, 0x86, 0x2A, 0xB1, 0xCA]);
    let class = prop::sample::select(vec![0x00u8, 0x0C, 0x10, 0x1C, 0x80, 0xFF]);
    let structured = (
        class,
        instruction,
        any::<[u8; 2]>(),
        prop::collection::vec(any::<u8>(), 0..80),
        prop::option::of(1u32..=65_536),
    )
        .prop_filter_map(
            "a valid APDU",
            |(class, instruction, [first, second], data, expected_length)| {
                CommandApdu::new([class, instruction, first, second], data, expected_length)
                    .ok()
                    .map(|command| command.to_bytes())
            },
        );
    prop_oneof![structured, prop::collection::vec(any::<u8>(), 0..300)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_commands_in_any_state_get_a_status_word(
        commands in prop::collection::vec(apdu_bytes(), 1..6),
    ) {
        for (state, chip) in states() {
            let mut chip = chip.clone();
            let interface = chip.powered_interface().unwrap();
            for command in &commands {
                assert_status_word(chip.transmit(interface, command).response, state);
            }
        }
        for mut chip in first_generation_states() {
            for command in &commands {
                let response = chip.transmit(Interface::Contact, command).response;
                assert_status_word(response, "first generation");
            }
        }
    }

    #[test]
    fn the_fuzz_harness_finds_nothing_on_random_sessions(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        fuzzing::chip_session(&bytes);
        fuzzing::apdu_parse(&bytes);
    }
}
