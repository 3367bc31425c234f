//! PACE handshake and the cryptography of one gate read, both sides in one process.
//!
//! Run with `CARGO_TARGET_DIR=/work/target-protocol cargo bench -p hkic-protocol`.

use criterion::{Criterion, criterion_group, criterion_main};
use hkic_base::{Date, seed_stream};
use hkic_protocol::apdu::{CommandApdu, ResponseApdu};
use hkic_protocol::ca::{
    ChipAuthenticationChip, ChipAuthenticationOutput, ChipAuthenticationTerminal,
};
use hkic_protocol::curve::Curve;
use hkic_protocol::lds::{self, ElementaryFile, PersonalData, Sex};
use hkic_protocol::pa::{
    Certificate, CertificateValidity, CountrySigningAuthority, PassiveAuthenticationVerdict,
    verify_sod,
};
use hkic_protocol::pace::{
    ChipPasswords, PaceChip, PaceChipOutput, PaceOutcome, PacePassword, PaceTerminal,
    PaceTerminalStep,
};
use hkic_protocol::sm::SecureMessaging;
use std::hint::black_box;

fn pace(seed: u64) -> (PaceOutcome, PaceOutcome) {
    let passwords = ChipPasswords {
        can: Some("123456".to_owned()),
        mrz: None,
    };
    let mut chip = PaceChip::new(passwords, Curve::NistP256);
    let (mut terminal, mut command) = PaceTerminal::start(
        &PacePassword::Can("123456".to_owned()),
        Curve::NistP256,
        false,
    );
    let (mut chip_random, mut terminal_random) = (seed_stream(seed), seed_stream(seed ^ 0xFFFF));
    let mut chip_outcome = None;
    for _ in 0..5 {
        let response = match chip
            .handle_command(&command, &mut chip_random)
            .expect("the chip accepts our terminal")
        {
            PaceChipOutput::Respond(response) => response,
            PaceChipOutput::Established { response, outcome } => {
                chip_outcome = Some(outcome);
                response
            }
        };
        match terminal
            .handle_response(&response, &mut terminal_random)
            .expect("the terminal accepts our chip")
        {
            PaceTerminalStep::Send(next) => command = next,
            PaceTerminalStep::Established(outcome) => {
                return (outcome, chip_outcome.expect("the chip finished first"));
            }
        }
    }
    unreachable!("PACE takes five exchanges")
}

fn exchange(
    terminal: &mut SecureMessaging,
    chip: &mut SecureMessaging,
    command: &CommandApdu,
    content: &[u8],
) -> Vec<u8> {
    let protected = terminal.protect_command(command).expect("protectable");
    chip.unprotect_command(&protected)
        .expect("our own command verifies");
    let response = chip.protect_response(&ResponseApdu::success(content.to_vec()));
    terminal
        .unprotect_response(&response)
        .expect("our own response verifies")
        .data
}

struct Card {
    dg1: Vec<u8>,
    dg14: Vec<u8>,
    sod: Vec<u8>,
    csca: CountrySigningAuthority,
    chip_authentication: ChipAuthenticationChip,
}

fn personalise() -> Card {
    let holder = PersonalData {
        document_number: "A1234563<".to_owned(),
        surname: "CHAN".to_owned(),
        given_names: "TAI MAN".to_owned(),
        sex: Sex::Female,
        date_of_birth: Date::from_ymd(1980, 5, 17).expect("a date"),
        date_of_issue: Date::from_ymd(2019, 3, 4).expect("a date"),
    };
    let key = Curve::NistP256
        .random_scalar(&mut seed_stream(1))
        .expect("a scalar");
    let chip_authentication = ChipAuthenticationChip::new(Curve::NistP256, key);
    let dg1 = lds::encode_dg1(&holder).expect("valid DG1");
    let dg14 = lds::encode_dg14(&chip_authentication.public_key()).expect("valid DG14");
    let validity = CertificateValidity {
        not_before: Date::from_ymd(2018, 1, 1).expect("a date"),
        not_after: Date::from_ymd(2033, 1, 1).expect("a date"),
    };
    let csca = CountrySigningAuthority::new("CN=HKSAR CSCA,C=HK", 1, validity, &mut seed_stream(2))
        .expect("a CSCA");
    let signer = csca
        .issue_document_signer("CN=HKSAR DS,C=HK", 2, validity, &mut seed_stream(3))
        .expect("a DS");
    let sod = signer.build_sod(&[(1, &dg1), (14, &dg14)]).expect("an SOD");
    Card {
        dg1,
        dg14,
        sod,
        csca,
        chip_authentication,
    }
}

/// Chip authentication under the PACE session; returns the new (terminal, chip) sessions.
fn chip_authenticate(
    card: &mut Card,
    dg14: &[u8],
    terminal: &mut SecureMessaging,
    chip: &mut SecureMessaging,
    seed: u64,
) -> (SecureMessaging, SecureMessaging) {
    let key = lds::decode_dg14(dg14).expect("our DG14");
    let ca = ChipAuthenticationTerminal::new(&key, &mut seed_stream(seed + 7)).expect("a key");
    let mut responses = Vec::new();
    let mut chip_session = None;
    for command in ca.commands() {
        let protected = terminal.protect_command(&command).expect("protectable");
        let received = chip.unprotect_command(&protected).expect("verifies");
        let response = match card
            .chip_authentication
            .handle_command(&received)
            .expect("accepted")
        {
            ChipAuthenticationOutput::Respond(response) => response,
            ChipAuthenticationOutput::Established {
                response,
                secure_messaging,
                ..
            } => {
                chip_session = Some(secure_messaging);
                response
            }
        };
        let protected = chip.protect_response(&response);
        responses.push(terminal.unprotect_response(&protected).expect("verifies"));
    }
    let terminal = ca
        .finish([&responses[0], &responses[1]])
        .expect("established");
    (terminal, chip_session.expect("established"))
}

fn read_binary(file: ElementaryFile) -> CommandApdu {
    let header = [0, 0xB0, 0x80 | file.short_file_identifier(), 0];
    CommandApdu::new(header, vec![], Some(256)).expect("valid")
}

/// PACE, DG1/DG14/SOD read under secure messaging, passive and chip authentication.
fn gate_read(card: &mut Card, trusted: &[Certificate], seed: u64) {
    let (terminal_pace, chip_pace) = pace(seed);
    let (mut terminal, mut chip) = (terminal_pace.secure_messaging, chip_pace.secure_messaging);
    let dg1 = exchange(
        &mut terminal,
        &mut chip,
        &read_binary(ElementaryFile::Dg1),
        &card.dg1,
    );
    let dg14 = exchange(
        &mut terminal,
        &mut chip,
        &read_binary(ElementaryFile::Dg14),
        &card.dg14,
    );
    let sod = exchange(
        &mut terminal,
        &mut chip,
        &read_binary(ElementaryFile::Sod),
        &card.sod,
    );
    let verdict = verify_sod(&sod, &[(1, &dg1), (14, &dg14)], trusted);
    assert!(matches!(
        verdict,
        PassiveAuthenticationVerdict::Valid { .. }
    ));
    let (mut terminal, mut chip) = chip_authenticate(card, &dg14, &mut terminal, &mut chip, seed);
    black_box(exchange(
        &mut terminal,
        &mut chip,
        &read_binary(ElementaryFile::Dg1),
        b"ok",
    ));
}

fn benches(criterion: &mut Criterion) {
    let mut seed = 0u64;
    criterion.bench_function("pace_p256_both_sides", |bencher| {
        bencher.iter(|| {
            seed += 1;
            black_box(pace(seed))
        })
    });
    let mut card = personalise();
    let trusted = [card.csca.certificate().clone()];
    criterion.bench_function("gate_read_crypto_pace_pa_ca", |bencher| {
        bencher.iter(|| {
            seed += 1;
            gate_read(&mut card, &trusted, seed)
        })
    });
    let (terminal_pace, chip_pace) = pace(1);
    let (mut terminal, mut chip) = (terminal_pace.secure_messaging, chip_pace.secure_messaging);
    let command = CommandApdu::new([0, 0xB0, 0x81, 0], vec![], Some(224)).expect("valid");
    let content = vec![0x5A; 224];
    criterion.bench_function("secure_messaging_read_224_bytes_both_sides", |bencher| {
        bencher.iter(|| black_box(exchange(&mut terminal, &mut chip, &command, &content)))
    });
    criterion.bench_function("apdu_parse_and_build", |bencher| {
        let bytes = command.to_bytes();
        bencher.iter(|| {
            black_box(
                CommandApdu::parse(black_box(&bytes))
                    .expect("valid")
                    .to_bytes(),
            )
        })
    });
}

criterion_group!(pace_benches, benches);
criterion_main!(pace_benches);
