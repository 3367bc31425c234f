use super::*;
use crate::curve::Curve;
use crate::cvc::{CvCertificateBody, RIGHT_READ_DG4, public_point};
use hkic_base::seed_stream;
use proptest::prelude::*;

fn key(seed: u64) -> SigningKey {
    let scalar = Curve::NistP256
        .random_scalar(&mut seed_stream(seed))
        .unwrap();
    SigningKey::from_slice(scalar.as_bytes()).unwrap()
}

fn date(year: i32) -> Date {
    Date::from_ymd(year, 6, 1).unwrap()
}

fn certificate(
    issuer: &SigningKey,
    authority: &str,
    holder_key: &SigningKey,
    holder: &str,
    role: Role,
    rights: u8,
    expiry_year: i32,
) -> CvCertificate {
    let body = CvCertificateBody {
        authority_reference: authority.to_owned(),
        public_key: public_point(holder_key),
        holder_reference: holder.to_owned(),
        role,
        rights,
        effective_date: date(2018),
        expiration_date: date(expiry_year),
    };
    CvCertificate::issue(body, issuer).unwrap()
}

struct Pki {
    cvca: CvCertificate,
    document_verifier: CvCertificate,
    terminal: CvCertificate,
    terminal_key: SigningKey,
}

fn pki(terminal_rights: u8, terminal_expiry_year: i32) -> Pki {
    let (cvca_key, verifier_key, terminal_key) = (key(1), key(2), key(3));
    let all = RIGHT_READ_DG3 | RIGHT_READ_DG4;
    Pki {
        cvca: certificate(
            &cvca_key,
            "HKCVCA00001",
            &cvca_key,
            "HKCVCA00001",
            Role::Cvca,
            all,
            2040,
        ),
        document_verifier: certificate(
            &cvca_key,
            "HKCVCA00001",
            &verifier_key,
            "HKDVIMMD0001",
            Role::DomesticDocumentVerifier,
            all,
            2030,
        ),
        terminal: certificate(
            &verifier_key,
            "HKDVIMMD0001",
            &terminal_key,
            "HKISGATE0042",
            Role::InspectionSystem,
            terminal_rights,
            terminal_expiry_year,
        ),
        terminal_key,
    }
}

type Outcome = (
    TerminalAuthenticationChip,
    Option<TerminalAuthenticationError>,
);

/// Runs terminal authentication; returns the chip after it and the first error, if any.
fn run(pki: &Pki, terminal_key: SigningKey, seed: u64) -> Outcome {
    run_with(pki, terminal_key, seed, None)
}

/// [`run`] with a chip that shares `verified` signature checks.
fn run_with(
    pki: &Pki,
    terminal_key: SigningKey,
    seed: u64,
    verified: Option<Arc<VerifiedCvCertificates>>,
) -> Outcome {
    let chip_identifier = vec![0x11; 32];
    let ephemeral = Curve::NistP256.public_point(
        &Curve::NistP256
            .random_scalar(&mut seed_stream(seed))
            .unwrap(),
    );
    let mut chip =
        TerminalAuthenticationChip::new(&pki.cvca, date(2024), chip_identifier.clone(), ephemeral);
    if let Some(verified) = verified {
        chip = chip.with_verified_certificates(verified);
    }
    let chain = vec![pki.document_verifier.clone(), pki.terminal.clone()];
    let terminal =
        TerminalAuthenticationTerminal::new(chain, terminal_key, chip_identifier, ephemeral)
            .unwrap();
    let mut random = seed_stream(seed + 1);
    let mut last = ResponseApdu::status_only(StatusWord::SUCCESS);
    for command in terminal.commands() {
        match chip.handle_command(&command, &mut random) {
            Ok(response) => last = response,
            Err(error) => return (chip, Some(error)),
        }
    }
    let authenticate = terminal.authenticate_command(&last).unwrap();
    let error = chip.handle_command(&authenticate, &mut random).err();
    (chip, error)
}

#[test]
fn full_chain_grants_dg3() {
    let pki = pki(RIGHT_READ_DG3, 2026);
    let (chip, error) = run(&pki, pki.terminal_key.clone(), 7);
    assert_eq!(error, None);
    assert!(chip.is_dg3_access_granted());
}

#[test]
fn terminal_without_the_right_is_authenticated_but_not_granted_dg3() {
    let pki = pki(RIGHT_READ_DG4, 2026);
    let (chip, error) = run(&pki, pki.terminal_key.clone(), 7);
    assert_eq!(error, None);
    assert!(!chip.is_dg3_access_granted());
}

#[test]
fn expired_terminal_certificate_is_refused() {
    let pki = pki(RIGHT_READ_DG3, 2023);
    let (chip, error) = run(&pki, pki.terminal_key.clone(), 7);
    let error = error.unwrap();
    assert_eq!(
        error,
        TerminalAuthenticationError::CertificateExpired("HKISGATE0042".to_owned())
    );
    assert_eq!(error.status_word(), StatusWord::AUTHENTICATION_FAILED);
    assert!(!chip.is_dg3_access_granted());
}

#[test]
fn chain_from_another_cvca_is_refused() {
    let mut pki = pki(RIGHT_READ_DG3, 2026);
    let forger = key(50);
    pki.document_verifier = certificate(
        &forger,
        "HKCVCA00001",
        &key(2),
        "HKDVIMMD0001",
        Role::DomesticDocumentVerifier,
        3,
        2030,
    );
    let (chip, error) = run(&pki, pki.terminal_key.clone(), 7);
    assert_eq!(
        error,
        Some(TerminalAuthenticationError::CertificateSignatureInvalid(
            "HKDVIMMD0001".to_owned()
        ))
    );
    assert!(!chip.is_dg3_access_granted());
}

#[test]
fn terminal_without_the_certified_key_is_refused() {
    let pki = pki(RIGHT_READ_DG3, 2026);
    let (chip, error) = run(&pki, key(99), 7);
    assert_eq!(error, Some(TerminalAuthenticationError::SignatureInvalid));
    assert!(!chip.is_dg3_access_granted());
}

#[test]
fn steps_out_of_order_are_refused() {
    let pki = pki(RIGHT_READ_DG3, 2026);
    let ephemeral =
        Curve::NistP256.public_point(&Curve::NistP256.random_scalar(&mut seed_stream(1)).unwrap());
    let mut chip = TerminalAuthenticationChip::new(&pki.cvca, date(2024), vec![1], ephemeral);
    let get_challenge = command(INSTRUCTION_GET_CHALLENGE, [0, 0], Vec::new(), Some(8));
    let error = chip
        .handle_command(&get_challenge, &mut seed_stream(2))
        .unwrap_err();
    assert_eq!(
        error.status_word(),
        StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED
    );
    // A terminal certificate presented directly under the CVCA does not fit the chain.
    let mut chip = TerminalAuthenticationChip::new(&pki.cvca, date(2024), vec![1], ephemeral);
    let select = command(
        INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT,
        [0x81, 0xB6],
        tlv::encode(TAG_KEY_REFERENCE, b"HKCVCA00001"),
        None,
    );
    chip.handle_command(&select, &mut seed_stream(2)).unwrap();
    let verify = command(
        INSTRUCTION_PERFORM_SECURITY_OPERATION,
        [0x00, 0xBE],
        pki.terminal.content(),
        None,
    );
    assert!(matches!(
        chip.handle_command(&verify, &mut seed_stream(2)),
        Err(TerminalAuthenticationError::WrongRole(_))
    ));
}

fn verified(pki: &Pki) -> Arc<VerifiedCvCertificates> {
    let chain = [pki.document_verifier.clone(), pki.terminal.clone()];
    Arc::new(VerifiedCvCertificates::chain(&pki.cvca, &chain))
}

#[test]
fn shared_signature_checks_leave_every_other_check_in_place() {
    let genuine = pki(RIGHT_READ_DG3, 2026);
    let shared = verified(&genuine);
    assert_eq!(shared.len(), 2);
    let (chip, error) = run_with(&genuine, genuine.terminal_key.clone(), 7, Some(shared));
    assert_eq!(error, None);
    assert!(chip.is_dg3_access_granted());
    // The same certificates, verified before, still expire by the chip's date.
    let expired = pki(RIGHT_READ_DG3, 2023);
    let (_, error) = run_with(&expired, key(3), 7, Some(verified(&expired)));
    assert_eq!(
        error,
        Some(TerminalAuthenticationError::CertificateExpired(
            "HKISGATE0042".to_owned()
        ))
    );
    // The terminal's own signature is checked at every authentication.
    let (chip, error) = run_with(&genuine, key(99), 7, Some(verified(&genuine)));
    assert_eq!(error, Some(TerminalAuthenticationError::SignatureInvalid));
    assert!(!chip.is_dg3_access_granted());
}

#[test]
fn only_identical_certificates_under_the_same_key_count_as_verified() {
    let genuine = pki(RIGHT_READ_DG3, 2026);
    let shared = verified(&genuine);
    // A forged document verifier certificate (other bytes) is verified, and refused.
    let mut forged = pki(RIGHT_READ_DG3, 2026);
    forged.document_verifier = certificate(
        &key(50),
        "HKCVCA00001",
        &key(2),
        "HKDVIMMD0001",
        Role::DomesticDocumentVerifier,
        3,
        2030,
    );
    let (chip, error) = run_with(
        &forged,
        forged.terminal_key.clone(),
        7,
        Some(shared.clone()),
    );
    assert_eq!(
        error,
        Some(TerminalAuthenticationError::CertificateSignatureInvalid(
            "HKDVIMMD0001".to_owned()
        ))
    );
    assert!(!chip.is_dg3_access_granted());
    // Pre-verifying a chain stops at its first bad link.
    let chain = [forged.document_verifier.clone(), forged.terminal.clone()];
    assert!(VerifiedCvCertificates::chain(&genuine.cvca, &chain).is_empty());
    // The genuine terminal certificate under another key than its issuer's is no match.
    let content = genuine.terminal.content();
    assert!(shared.contains(&genuine.document_verifier.body.public_key, &content));
    assert!(!shared.contains(&genuine.cvca.body.public_key, &content));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn chip_answers_any_command_with_a_status_word(
        commands in prop::collection::vec(prop::collection::vec(any::<u8>(), 4..120), 1..8),
    ) {
        let pki = pki(RIGHT_READ_DG3, 2026);
        let ephemeral = Curve::NistP256.public_point(&Curve::NistP256.random_scalar(&mut seed_stream(1)).unwrap());
        let mut chip = TerminalAuthenticationChip::new(&pki.cvca, date(2024), vec![1], ephemeral);
        let mut random = seed_stream(3);
        for bytes in commands {
            if let Ok(command) = CommandApdu::parse(&bytes) {
                let _ = chip.handle_command(&command, &mut random);
            }
        }
        prop_assert!(!chip.is_dg3_access_granted());
    }
}
