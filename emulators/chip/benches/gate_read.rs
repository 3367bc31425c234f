//! One complete gate read, reader and chip together (PACE with the CAN, DG1, DG14 and the
//! SOD read under secure messaging, passive authentication, chip authentication and its
//! confirming exchange), and the split of its CPU time into cryptography and everything
//! else.
//!
//! The split: the cryptographic operations of a gate read are counted from the protocols and
//! each is timed on its own (`crypto/*`); their sum is the cryptography, the rest of
//! `gate_read/full` is everything else (APDU and TLV handling, ASN.1 parsing, state
//! machines, copies). Counted, both sides together: s·G 3 times (each side's PACE mapping
//! key, the terminal's chip-authentication key), k·P 8 times (per PACE side the mapping
//! secret, the key on the mapped generator and the shared secret; per chip-authentication
//! side the shared secret), the generic mapping s·G + H twice, ECDSA verification twice (the
//! Document Signer certificate, the SOD's signed attributes), SHA-256 over DG1, DG14 and the
//! SOD, and secure messaging on each protected APDU:
//!
//! ```text
//! cryptography = 3 base_point_multiplication + 8 point_multiplication
//!              + 2 generator_mapping + 2 ecdsa_verification + sha256_of_the_files_read
//!              + (GATE_READ_COMMANDS - 6) secure_messaging_only
//! ```
//!
//! Every protected APDU is priced as a 223-byte read, which overestimates the cryptography
//! of the short ones; key derivations, nonce encryption and authentication tokens stay in
//! "everything else". Both err on the safe side for the "everything else" figure.
//!
//! Per APDU, `apdu/plain_read_binary` is the whole non-cryptographic path of one exchange
//! (build, chip dispatch, file read, parse), and `apdu/protected_read_binary` minus
//! `apdu/secure_messaging_only` is the same for a protected one.
//!
//! Run with `cargo bench -p hkic-chip --bench gate_read`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use hkic_base::seed_stream;
use hkic_chip::specimen::{SpecimenPki, specimen_holder};
use hkic_chip::{Interface, NewGenerationChip, personalise};
use hkic_protocol::apdu::{CommandApdu, ResponseApdu};
use hkic_protocol::curve::Curve;
use hkic_protocol::cvc::CvCertificate;
use hkic_protocol::lds::ElementaryFile;
use hkic_protocol::pace::{PacePassword, PaceTerminal, PaceTerminalStep};
use hkic_protocol::primitives;
use hkic_protocol::sm::{SecureMessaging, SessionCipher, SessionKeys};
use hkic_terminals::card_read::{
    CardAccessKey, CardReadConfig, CardReadInput, CardReadOutput, CardReader, CardVerdict,
};
use std::hint::black_box;

struct Fixture {
    chip: NewGenerationChip,
    config: CardReadConfig,
    can: String,
    /// DG1, DG14 and the SOD: what passive authentication hashes.
    read_files_length: usize,
    cvca: CvCertificate,
}

fn fixture() -> Fixture {
    let pki = SpecimenPki::new(1).unwrap();
    let holder = specimen_holder(1, 15_000);
    let (mut chip, files) = personalise(&holder, pki.issuer(), seed_stream(2)).unwrap();
    chip.power_on(Interface::Contactless);
    let config = CardReadConfig::new(
        CardAccessKey::Can(holder.card_access_number.clone()),
        vec![pki.csca.certificate().clone()],
    );
    let length = |file| files.get(file).map_or(0, <[u8]>::len);
    let read_files_length =
        length(ElementaryFile::Dg1) + length(ElementaryFile::Dg14) + length(ElementaryFile::Sod);
    let mut probe = chip.clone();
    assert_eq!(gate_read(&mut probe, &config), GATE_READ_COMMANDS);
    Fixture {
        read_files_length,
        chip,
        config,
        can: holder.card_access_number,
        cvca: pki.cvca,
    }
}

/// One gate read, both sides; panics unless genuine.
fn gate_read(chip: &mut NewGenerationChip, config: &CardReadConfig) -> u32 {
    let mut reader = CardReader::new(config.clone(), seed_stream(3));
    loop {
        let input = match reader.poll_output() {
            Some(CardReadOutput::Activate) => {
                chip.reset().unwrap();
                CardReadInput::Activated
            }
            Some(CardReadOutput::Transmit(command)) => CardReadInput::Response(
                chip.transmit(Interface::Contactless, &command)
                    .response
                    .unwrap(),
            ),
            Some(CardReadOutput::Finished(report)) => {
                assert_eq!(report.verdict, CardVerdict::Genuine);
                return report.commands_sent;
            }
            None => panic!("the reader stalled"),
        };
        reader.handle_input(input);
    }
}

/// A PACE session between the bench's terminal and `chip`.
fn pace_session(chip: &mut NewGenerationChip, can: &str) -> SecureMessaging {
    let (mut terminal, mut command) =
        PaceTerminal::start(&PacePassword::Can(can.to_owned()), Curve::NistP256, false);
    let mut random = seed_stream(4);
    loop {
        let response = chip
            .transmit(Interface::Contactless, &command.to_bytes())
            .response
            .unwrap();
        match terminal
            .handle_response(&ResponseApdu::parse(&response).unwrap(), &mut random)
            .unwrap()
        {
            PaceTerminalStep::Send(next) => command = next,
            PaceTerminalStep::Established(outcome) => return outcome.secure_messaging,
        }
    }
}

/// Commands of a gate read: EF.CardAccess, five of PACE, then eleven protected.
const GATE_READ_COMMANDS: u32 = 17;

fn read_binary(short_identifier: u8, expected_length: u32) -> CommandApdu {
    CommandApdu::new(
        [0x00, 0xB0, 0x80 | short_identifier, 0x00],
        Vec::new(),
        Some(expected_length),
    )
    .unwrap()
}

fn benches(criterion: &mut Criterion) {
    let fixture = fixture();
    criterion.bench_function("gate_read/full", |bencher| {
        bencher.iter_batched(
            || fixture.chip.clone(),
            |mut chip| black_box(gate_read(&mut chip, &fixture.config)),
            BatchSize::SmallInput,
        )
    });
    let curve = Curve::NistP256;
    let scalar = curve.random_scalar(&mut seed_stream(5)).unwrap();
    let point = curve.public_point(&curve.random_scalar(&mut seed_stream(6)).unwrap());
    criterion.bench_function("crypto/base_point_multiplication", |bencher| {
        bencher.iter(|| curve.public_point(black_box(&scalar)))
    });
    criterion.bench_function("crypto/point_multiplication", |bencher| {
        bencher.iter(|| {
            curve
                .multiply(black_box(&scalar), black_box(&point))
                .unwrap()
        })
    });
    criterion.bench_function("crypto/generator_mapping", |bencher| {
        bencher.iter(|| {
            curve
                .map_generator(black_box(&[7; 16]), black_box(&point))
                .unwrap()
        })
    });
    criterion.bench_function("crypto/ecdsa_verification", |bencher| {
        bencher.iter(|| black_box(&fixture.cvca).is_signed_by(&fixture.cvca.body.public_key))
    });
    let read_files = vec![0x5A; fixture.read_files_length];
    criterion.bench_function("crypto/sha256_of_the_files_read", |bencher| {
        bencher.iter(|| primitives::sha256(black_box(&read_files)))
    });
    apdu_benches(criterion, &fixture);
}

fn sessions() -> (SecureMessaging, SecureMessaging) {
    let keys = SessionKeys {
        cipher: SessionCipher::Aes128,
        encryption: [1; 16],
        mac: [2; 16],
    };
    (
        SecureMessaging::new(keys.clone(), 0),
        SecureMessaging::new(keys, 0),
    )
}

fn apdu_benches(criterion: &mut Criterion, fixture: &Fixture) {
    let mut chip = fixture.chip.clone();
    let plain = read_binary(ElementaryFile::CardAccess.short_file_identifier(), 256);
    criterion.bench_function("apdu/plain_read_binary", |bencher| {
        bencher.iter(|| {
            let response = chip
                .transmit(Interface::Contactless, &plain.to_bytes())
                .response
                .unwrap();
            ResponseApdu::parse(&response).unwrap()
        })
    });
    let mut session = pace_session(&mut chip, &fixture.can);
    let select = CommandApdu::new(
        [0x00, 0xA4, 0x04, 0x0C],
        hkic_protocol::lds::APPLICATION_IDENTIFIER.to_vec(),
        None,
    )
    .unwrap();
    let wrapped = session.protect_command(&select).unwrap();
    let response = chip
        .transmit(Interface::Contactless, &wrapped.to_bytes())
        .response
        .unwrap();
    session
        .unprotect_response(&ResponseApdu::parse(&response).unwrap())
        .unwrap();
    let protected = read_binary(ElementaryFile::Sod.short_file_identifier(), 223);
    criterion.bench_function("apdu/protected_read_binary", |bencher| {
        bencher.iter(|| {
            let wrapped = session.protect_command(&protected).unwrap();
            let response = chip
                .transmit(Interface::Contactless, &wrapped.to_bytes())
                .response
                .unwrap();
            session
                .unprotect_response(&ResponseApdu::parse(&response).unwrap())
                .unwrap()
        })
    });
    let (mut terminal, mut card) = sessions();
    let content = ResponseApdu::success(vec![0x5A; 223]);
    criterion.bench_function("apdu/secure_messaging_only", |bencher| {
        bencher.iter(|| {
            let wrapped = terminal.protect_command(&protected).unwrap();
            card.unprotect_command(&wrapped).unwrap();
            let response = card.protect_response(&content);
            terminal.unprotect_response(&response).unwrap()
        })
    });
}

criterion_group!(gate, benches);
criterion_main!(gate);
