use super::*;
use crate::random::ScriptedBytes;
use hex_literal::hex;
use proptest::prelude::*;

const NONCE: [u8; 16] = hex!("3F00C4D39D153F2B2A214A078D899B22");
const TERMINAL_MAPPING_SECRET: [u8; 32] =
    hex!("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99");
const CHIP_MAPPING_SECRET: [u8; 32] =
    hex!("498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560");
const TERMINAL_SECRET: [u8; 32] =
    hex!("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595");
const CHIP_SECRET: [u8; 32] =
    hex!("107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A");

/// ICAO 9303-11 Appendix G.1: (command, response) pairs in order.
fn appendix_g1_transcript() -> Vec<(Vec<u8>, Vec<u8>)> {
    let terminal_mapping = hex!(
        "047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D"
    );
    let chip_mapping = hex!(
        "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"
    );
    let terminal_public = hex!(
        "042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462"
    );
    let chip_public = hex!(
        "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
    );
    let join = |parts: &[&[u8]]| parts.concat();
    vec![
        (
            hex!("0022C1A40F800A04007F00070202040202830101").to_vec(),
            hex!("9000").to_vec(),
        ),
        (
            hex!("10860000027C0000").to_vec(),
            hex!("7C12801095A3A016522EE98D01E76CB6B98B42C39000").to_vec(),
        ),
        (
            join(&[&hex!("10860000457C438141"), &terminal_mapping, &hex!("00")]),
            join(&[&hex!("7C438241"), &chip_mapping, &hex!("9000")]),
        ),
        (
            join(&[&hex!("10860000457C438341"), &terminal_public, &hex!("00")]),
            join(&[&hex!("7C438441"), &chip_public, &hex!("9000")]),
        ),
        (
            hex!("008600000C7C0A8508C2B0BD78D94BA86600").to_vec(),
            hex!("7C0A86083ABB9674BCE93C089000").to_vec(),
        ),
    ]
}

fn appendix_g1_password() -> MrzKeyMaterial {
    MrzKeyMaterial::new("T22000129", "640812", "101031").unwrap()
}

fn check_appendix_g1_keys(outcome: &PaceOutcome) {
    let keys = outcome.secure_messaging.keys();
    assert_eq!(keys.encryption, hex!("F5F0E35C0D7161EE6724EE513A0D9A7F"));
    assert_eq!(keys.mac, hex!("FE251C7858B356B24514B3BD5F4297D1"));
    assert_eq!(outcome.secure_messaging.send_sequence_counter(), 0);
}

#[test]
fn password_key_matches_appendix_g1() {
    let password = PacePassword::Mrz(appendix_g1_password());
    assert_eq!(password.key(), hex!("89DED1B26624EC1E634C1989302849DD"));
}

#[test]
fn terminal_side_reproduces_appendix_g1() {
    let transcript = appendix_g1_transcript();
    let password = PacePassword::Mrz(appendix_g1_password());
    let (mut terminal, first) = PaceTerminal::start(&password, Curve::BrainpoolP256r1, false);
    assert_eq!(first.to_bytes(), transcript[0].0);
    let mut random = ScriptedBytes::new([TERMINAL_MAPPING_SECRET, TERMINAL_SECRET]);
    for index in 0..transcript.len() {
        let response = ResponseApdu::parse(&transcript[index].1).unwrap();
        match terminal.handle_response(&response, &mut random).unwrap() {
            PaceTerminalStep::Send(command) => {
                assert_eq!(command.to_bytes(), transcript[index + 1].0)
            }
            PaceTerminalStep::Established(outcome) => {
                assert_eq!(index, transcript.len() - 1);
                check_appendix_g1_keys(&outcome);
            }
        }
    }
    assert_eq!(random.remaining(), 0);
}

#[test]
fn chip_side_reproduces_appendix_g1() {
    let passwords = ChipPasswords {
        can: None,
        mrz: Some(appendix_g1_password()),
    };
    let mut chip = PaceChip::new(passwords, Curve::BrainpoolP256r1);
    let mut random = ScriptedBytes::new([&NONCE[..], &CHIP_MAPPING_SECRET, &CHIP_SECRET]);
    let mut established = false;
    for (command, expected_response) in appendix_g1_transcript() {
        let command = CommandApdu::parse(&command).unwrap();
        match chip.handle_command(&command, &mut random).unwrap() {
            PaceChipOutput::Respond(response) => assert_eq!(response.to_bytes(), expected_response),
            PaceChipOutput::Established { response, outcome } => {
                assert_eq!(response.to_bytes(), expected_response);
                check_appendix_g1_keys(&outcome);
                established = true;
            }
        }
    }
    assert!(established);
    assert!(!chip.is_in_progress());
}

/// Runs PACE between our terminal and our chip; returns both outcomes or the first error.
pub(crate) fn run_pace(
    terminal_password: &PacePassword,
    chip_passwords: ChipPasswords,
    curve: Curve,
    terminal_random: &mut dyn RandomBytes,
    chip_random: &mut dyn RandomBytes,
) -> Result<(PaceOutcome, PaceOutcome), PaceError> {
    let mut chip = PaceChip::new(chip_passwords, curve);
    let (mut terminal, mut command) = PaceTerminal::start(terminal_password, curve, true);
    let mut chip_outcome = None;
    // MSE:Set AT and four GENERAL AUTHENTICATE: five exchanges at most.
    for _ in 0..5 {
        let response = match chip.handle_command(&command, chip_random) {
            Ok(PaceChipOutput::Respond(response)) => response,
            Ok(PaceChipOutput::Established { response, outcome }) => {
                chip_outcome = Some(outcome);
                response
            }
            Err(error) => ResponseApdu::status_only(error.status_word()),
        };
        match terminal.handle_response(&response, terminal_random)? {
            PaceTerminalStep::Send(next) => command = next,
            PaceTerminalStep::Established(outcome) => {
                let chip_outcome = chip_outcome.ok_or(PaceError::Finished)?;
                return Ok((outcome, chip_outcome));
            }
        }
    }
    Err(PaceError::UnexpectedCommand)
}

#[test]
fn wrong_can_is_detected_by_the_chip_token_check() {
    let passwords = ChipPasswords {
        can: Some("123456".to_owned()),
        mrz: None,
    };
    let error = run_pace(
        &PacePassword::Can("123457".to_owned()),
        passwords,
        Curve::NistP256,
        &mut hkic_base::seed_stream(1),
        &mut hkic_base::seed_stream(2),
    )
    .unwrap_err();
    assert_eq!(error, PaceError::Refused(StatusWord::AUTHENTICATION_FAILED));
}

#[test]
fn chip_refuses_unknown_password_and_out_of_order_steps() {
    let passwords = ChipPasswords {
        can: Some("123456".to_owned()),
        mrz: None,
    };
    let mut chip = PaceChip::new(passwords, Curve::NistP256);
    let mut random = hkic_base::seed_stream(3);
    let mse = set_authentication_template(PasswordReference::Mrz, None);
    let error = chip.handle_command(&mse, &mut random).unwrap_err();
    assert_eq!(error.status_word(), StatusWord::REFERENCED_DATA_NOT_FOUND);
    let step_one = general_authenticate(true, None);
    let error = chip.handle_command(&step_one, &mut random).unwrap_err();
    assert_eq!(
        error.status_word(),
        StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED
    );
    let wrong_curve =
        set_authentication_template(PasswordReference::Can, Some(Curve::BrainpoolP256r1));
    let error = chip.handle_command(&wrong_curve, &mut random).unwrap_err();
    assert_eq!(error.status_word(), StatusWord::WRONG_DATA);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn terminal_and_chip_agree_on_p256(terminal_seed in any::<u64>(), chip_seed in any::<u64>(), can in 0u32..1_000_000) {
        let can = format!("{can:06}");
        let passwords = ChipPasswords { can: Some(can.clone()), mrz: None };
        let (terminal, chip) = run_pace(
            &PacePassword::Can(can),
            passwords,
            Curve::NistP256,
            &mut hkic_base::seed_stream(terminal_seed),
            &mut hkic_base::seed_stream(chip_seed),
        ).unwrap();
        prop_assert_eq!(terminal.secure_messaging.keys(), chip.secure_messaging.keys());
        prop_assert_eq!(terminal.chip_ephemeral_public, chip.chip_ephemeral_public);
        prop_assert_eq!(terminal.terminal_ephemeral_public, chip.terminal_ephemeral_public);
    }

    #[test]
    fn chip_answers_any_command_with_a_status_word(
        commands in prop::collection::vec(prop::collection::vec(any::<u8>(), 4..80), 1..6),
    ) {
        let passwords = ChipPasswords { can: Some("123456".to_owned()), mrz: None };
        let mut chip = PaceChip::new(passwords, Curve::NistP256);
        let mut random = hkic_base::seed_stream(5);
        for bytes in commands {
            if let Ok(command) = CommandApdu::parse(&bytes) {
                let _ = chip.handle_command(&command, &mut random);
            }
        }
    }
}
