//! A whole gate-style read, both sides in one process: PACE with the CAN on P-256, the data
//! groups read under secure messaging, passive authentication, chip authentication, terminal
//! authentication, and DG3 read under the chip-authentication session.

use hkic_base::{Date, seed_stream};
use hkic_protocol::apdu::{CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::ca::{
    ChipAuthenticationChip, ChipAuthenticationOutput, ChipAuthenticationTerminal,
};
use hkic_protocol::curve::{Curve, Point};
use hkic_protocol::cvc::{
    CvCertificate, CvCertificateBody, RIGHT_READ_DG3, Role, SigningKey, public_point,
    signing_key_from_random,
};
use hkic_protocol::lds::{self, ElementaryFile, PersonalData, Sex};
use hkic_protocol::pa::{
    CertificateValidity, CountrySigningAuthority, PassiveAuthenticationVerdict, verify_sod,
};
use hkic_protocol::pace::{
    ChipPasswords, PaceChip, PaceChipOutput, PaceOutcome, PacePassword, PaceTerminal,
    PaceTerminalStep,
};
use hkic_protocol::sm::SecureMessaging;
use hkic_protocol::ta::{TerminalAuthenticationChip, TerminalAuthenticationTerminal};

fn pace(can: &str, chip_can: &str, seed: u64) -> Option<(PaceOutcome, PaceOutcome)> {
    let passwords = ChipPasswords {
        can: Some(chip_can.to_owned()),
        mrz: None,
    };
    let mut chip = PaceChip::new(passwords, Curve::NistP256);
    let (mut terminal, mut command) =
        PaceTerminal::start(&PacePassword::Can(can.to_owned()), Curve::NistP256, false);
    let (mut chip_random, mut terminal_random) = (seed_stream(seed), seed_stream(seed + 1));
    let mut chip_outcome = None;
    for _ in 0..5 {
        let response = match chip.handle_command(&command, &mut chip_random) {
            Ok(PaceChipOutput::Respond(response)) => response,
            Ok(PaceChipOutput::Established { response, outcome }) => {
                chip_outcome = Some(outcome);
                response
            }
            Err(error) => ResponseApdu::status_only(error.status_word()),
        };
        match terminal
            .handle_response(&response, &mut terminal_random)
            .ok()?
        {
            PaceTerminalStep::Send(next) => command = next,
            PaceTerminalStep::Established(outcome) => return Some((outcome, chip_outcome?)),
        }
    }
    None
}

/// One protected exchange: the chip answers `content` to `command`.
fn exchange(
    terminal: &mut SecureMessaging,
    chip: &mut SecureMessaging,
    command: &CommandApdu,
    content: ResponseApdu,
) -> ResponseApdu {
    let protected = terminal.protect_command(command).unwrap();
    let received = chip
        .unprotect_command(&CommandApdu::parse(&protected.to_bytes()).unwrap())
        .unwrap();
    assert_eq!(&received, command);
    let response = chip.protect_response(&content);
    terminal
        .unprotect_response(&ResponseApdu::parse(&response.to_bytes()).unwrap())
        .unwrap()
}

fn read_binary(file: ElementaryFile) -> CommandApdu {
    CommandApdu::new(
        [0x00, 0xB0, 0x80 | file.short_file_identifier(), 0],
        vec![],
        Some(256),
    )
    .unwrap()
}

fn signing_key(seed: u64) -> SigningKey {
    signing_key_from_random(&mut seed_stream(seed)).unwrap()
}

fn cv_certificate(
    issuer: &SigningKey,
    authority: &str,
    holder: &SigningKey,
    name: &str,
    role: Role,
) -> CvCertificate {
    let body = CvCertificateBody {
        authority_reference: authority.to_owned(),
        public_key: public_point(holder),
        holder_reference: name.to_owned(),
        role,
        rights: RIGHT_READ_DG3,
        effective_date: Date::from_ymd(2018, 1, 1).unwrap(),
        expiration_date: Date::from_ymd(2030, 1, 1).unwrap(),
    };
    CvCertificate::issue(body, issuer).unwrap()
}

struct Card {
    holder: PersonalData,
    dg1: Vec<u8>,
    dg3: Vec<u8>,
    dg14: Vec<u8>,
    sod: Vec<u8>,
    csca: CountrySigningAuthority,
    chip_authentication: ChipAuthenticationChip,
}

fn personalise() -> Card {
    let holder = PersonalData {
        document_number: lds::document_number_from_card_number("A123456(3)").unwrap(),
        surname: "CHAN".to_owned(),
        given_names: "TAI MAN".to_owned(),
        sex: Sex::Male,
        date_of_birth: Date::from_ymd(1980, 5, 17).unwrap(),
        date_of_issue: Date::from_ymd(2019, 3, 4).unwrap(),
    };
    let chip_key = Curve::NistP256.random_scalar(&mut seed_stream(40)).unwrap();
    let chip_authentication = ChipAuthenticationChip::new(Curve::NistP256, chip_key);
    let dg1 = lds::encode_dg1(&holder).unwrap();
    let dg3 = lds::encode_dg3(&[vec![1; 40], vec![2; 40]]).unwrap();
    let dg14 = lds::encode_dg14(&chip_authentication.public_key()).unwrap();
    let validity = CertificateValidity {
        not_before: Date::from_ymd(2018, 1, 1).unwrap(),
        not_after: Date::from_ymd(2033, 1, 1).unwrap(),
    };
    let csca = CountrySigningAuthority::new(
        "CN=HKSAR CSCA,O=Immigration Department,C=HK",
        1,
        validity,
        &mut seed_stream(41),
    )
    .unwrap();
    let signer = csca
        .issue_document_signer(
            "CN=HKSAR DS 1,O=Immigration Department,C=HK",
            2,
            validity,
            &mut seed_stream(42),
        )
        .unwrap();
    let sod = signer
        .build_sod(&[(1, &dg1), (3, &dg3), (14, &dg14)])
        .unwrap();
    Card {
        holder,
        dg1,
        dg3,
        dg14,
        sod,
        csca,
        chip_authentication,
    }
}

/// Chip authentication with its commands and responses under the PACE session; returns the
/// new sessions (terminal, chip) and the terminal's ephemeral key.
fn chip_authenticate(
    card: &mut Card,
    dg14: &[u8],
    terminal_session: &mut SecureMessaging,
    chip_session: &mut SecureMessaging,
) -> (SecureMessaging, SecureMessaging, Point) {
    let announced = lds::decode_dg14(dg14).unwrap();
    let ca_terminal = ChipAuthenticationTerminal::new(&announced, &mut seed_stream(43)).unwrap();
    let mut responses = Vec::new();
    let mut chip_ca_session = None;
    for command in ca_terminal.commands() {
        let protected = terminal_session.protect_command(&command).unwrap();
        let received = chip_session.unprotect_command(&protected).unwrap();
        let response = match card.chip_authentication.handle_command(&received).unwrap() {
            ChipAuthenticationOutput::Respond(response) => response,
            ChipAuthenticationOutput::Established {
                response,
                secure_messaging,
                terminal_ephemeral_public,
            } => {
                assert_eq!(&terminal_ephemeral_public, ca_terminal.ephemeral_public());
                chip_ca_session = Some(secure_messaging);
                response
            }
        };
        let protected = chip_session.protect_response(&response);
        responses.push(terminal_session.unprotect_response(&protected).unwrap());
    }
    let terminal = ca_terminal.finish([&responses[0], &responses[1]]).unwrap();
    (
        terminal,
        chip_ca_session.unwrap(),
        *ca_terminal.ephemeral_public(),
    )
}

/// Terminal authentication under the chip-authentication session; returns the chip side.
fn terminal_authenticate(
    chip_identifier: Vec<u8>,
    ephemeral: Point,
    terminal_session: &mut SecureMessaging,
    chip_session: &mut SecureMessaging,
) -> TerminalAuthenticationChip {
    let (cvca_key, verifier_key, terminal_key) =
        (signing_key(50), signing_key(51), signing_key(52));
    let cvca = cv_certificate(
        &cvca_key,
        "HKCVCA00001",
        &cvca_key,
        "HKCVCA00001",
        Role::Cvca,
    );
    let verifier = cv_certificate(
        &cvca_key,
        "HKCVCA00001",
        &verifier_key,
        "HKDV00001",
        Role::DomesticDocumentVerifier,
    );
    let terminal_certificate = cv_certificate(
        &verifier_key,
        "HKDV00001",
        &terminal_key,
        "HKGATE00001",
        Role::InspectionSystem,
    );
    let today = Date::from_ymd(2024, 1, 1).unwrap();
    let mut ta_chip =
        TerminalAuthenticationChip::new(&cvca, today, chip_identifier.clone(), ephemeral);
    let chain = vec![verifier, terminal_certificate];
    let ta_terminal =
        TerminalAuthenticationTerminal::new(chain, terminal_key, chip_identifier, ephemeral)
            .unwrap();
    let mut chip_random = seed_stream(53);
    let mut last = None;
    for command in ta_terminal.commands() {
        let received = chip_session
            .unprotect_command(&terminal_session.protect_command(&command).unwrap())
            .unwrap();
        let response = ta_chip.handle_command(&received, &mut chip_random).unwrap();
        last = Some(
            terminal_session
                .unprotect_response(&chip_session.protect_response(&response))
                .unwrap(),
        );
    }
    let authenticate = ta_terminal.authenticate_command(&last.unwrap()).unwrap();
    let received = chip_session
        .unprotect_command(&terminal_session.protect_command(&authenticate).unwrap())
        .unwrap();
    let response = ta_chip.handle_command(&received, &mut chip_random).unwrap();
    let answer = terminal_session
        .unprotect_response(&chip_session.protect_response(&response))
        .unwrap();
    assert_eq!(answer.status, StatusWord::SUCCESS);
    ta_chip
}

#[test]
fn gate_read_end_to_end() {
    let mut card = personalise();
    // A wrong CAN gets no session.
    assert!(pace("000000", "123456", 1).is_none());
    let (terminal_pace, chip_pace) = pace("123456", "123456", 1).unwrap();
    let (mut terminal_session, mut chip_session) = (
        terminal_pace.secure_messaging.clone(),
        chip_pace.secure_messaging,
    );

    // Read DG1, DG14 and the SOD; passive authentication.
    let mut read = |file: ElementaryFile, content: &[u8]| {
        let response = exchange(
            &mut terminal_session,
            &mut chip_session,
            &read_binary(file),
            ResponseApdu::success(content.to_vec()),
        );
        response.data
    };
    let read_dg1 = read(ElementaryFile::Dg1, &card.dg1);
    let read_dg14 = read(ElementaryFile::Dg14, &card.dg14);
    let read_sod = read(ElementaryFile::Sod, &card.sod);
    assert_eq!(lds::decode_dg1(&read_dg1).unwrap(), card.holder);
    let trusted = [card.csca.certificate().clone()];
    let verdict = verify_sod(&read_sod, &[(1, &read_dg1), (14, &read_dg14)], &trusted);
    assert!(
        matches!(verdict, PassiveAuthenticationVerdict::Valid { .. }),
        "{verdict:?}"
    );

    let (mut terminal_session, mut chip_session, ephemeral) = chip_authenticate(
        &mut card,
        &read_dg14,
        &mut terminal_session,
        &mut chip_session,
    );
    let chip_identifier = terminal_pace.chip_ephemeral_public.x().to_vec();
    let ta_chip = terminal_authenticate(
        chip_identifier,
        ephemeral,
        &mut terminal_session,
        &mut chip_session,
    );
    assert!(ta_chip.is_dg3_access_granted());

    // DG3 under the chip-authentication session, and its hash checks.
    let content = ResponseApdu::success(card.dg3.clone());
    let read_dg3 = exchange(
        &mut terminal_session,
        &mut chip_session,
        &read_binary(ElementaryFile::Dg3),
        content,
    )
    .data;
    assert_eq!(lds::decode_dg3(&read_dg3).unwrap().len(), 2);
    let verdict = verify_sod(&read_sod, &[(3, &read_dg3)], &trusted);
    assert!(matches!(
        verdict,
        PassiveAuthenticationVerdict::Valid { .. }
    ));
}
