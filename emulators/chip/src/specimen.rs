//! A specimen card issuer and holder, the way issuing authorities publish specimen documents:
//! a complete, deterministic PKI (CSCA, two Document Signers, the CVCA, a document verifier
//! and a gate terminal with its key) and a holder named CHAN TAI MAN, all derived from one
//! seed. Tests, benches and the fuzz targets build cards from it; the simulator builds its
//! own issuer and residents.
//!
//! The facial image and the thumb templates are opaque bytes here (a JPEG frame around
//! random bytes, an ISO/IEC 19794-2 "FMR" header around random bytes): the chip and its
//! readers never decode them (DG2's facial record only notes that the image is a JPEG).

use crate::personalise::{HolderData, Issuer};
use hkic_base::{Date, Stream, seed_stream};
use hkic_protocol::curve::CurveError;
use hkic_protocol::cvc::{
    CvCertificate, CvCertificateBody, CvCertificateError, RIGHT_READ_DG3, Role, SigningKey,
    public_point, signing_key_from_random,
};
use hkic_protocol::lds::{Sex, hkid_check_character};
use hkic_protocol::pa::{CertificateValidity, CountrySigningAuthority, DocumentSigner, PkiError};
use hkic_protocol::random::RandomBytes;

/// Why the specimen PKI could not be built (only a bug can cause it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecimenError {
    #[error(transparent)]
    Pki(#[from] PkiError),
    #[error(transparent)]
    CvCertificate(#[from] CvCertificateError),
    #[error(transparent)]
    Curve(#[from] CurveError),
}

/// The CSCA, Document Signer and terminal-authentication PKI of the specimen issuer.
#[derive(Debug, Clone)]
pub struct SpecimenPki {
    pub csca: CountrySigningAuthority,
    /// The Document Signer cards are normally signed by (serial 2).
    pub document_signer: DocumentSigner,
    /// A second Document Signer (serial 3): the one the revocation tests revoke.
    pub second_document_signer: DocumentSigner,
    pub cvca: CvCertificate,
    pub document_verifier: CvCertificate,
    pub terminal: CvCertificate,
    pub terminal_key: SigningKey,
}

fn date(year: i32, month: u32, day: u32) -> Date {
    Date::from_ymd(year, month, day).unwrap_or(Date::EPOCH)
}

fn cv_certificate(
    issuer: &SigningKey,
    authority: &str,
    holder: &SigningKey,
    reference: &str,
    role: Role,
) -> Result<CvCertificate, CvCertificateError> {
    let body = CvCertificateBody {
        authority_reference: authority.to_owned(),
        public_key: public_point(holder),
        holder_reference: reference.to_owned(),
        role,
        rights: RIGHT_READ_DG3,
        effective_date: date(2018, 1, 1),
        expiration_date: date(2035, 12, 31),
    };
    CvCertificate::issue(body, issuer)
}

/// The validity of the specimen CSCA and of its Document Signers' certificates.
pub fn specimen_validity() -> CertificateValidity {
    CertificateValidity {
        not_before: date(2018, 1, 1),
        not_after: date(2038, 1, 1),
    }
}

impl SpecimenPki {
    /// The PKI of `seed`: the same seed gives the same keys and certificates.
    pub fn new(seed: u64) -> Result<SpecimenPki, SpecimenError> {
        let mut random = seed_stream(seed);
        let validity = specimen_validity();
        let csca = CountrySigningAuthority::new(
            "CN=HKSAR CSCA,O=Immigration Department,C=HK",
            1,
            validity,
            &mut random,
        )?;
        let signer = |name: &str, serial: u64, random: &mut Stream| {
            csca.issue_document_signer(name, serial, validity, random)
        };
        let document_signer = signer(
            "CN=HKSAR DS 1,O=Immigration Department,C=HK",
            2,
            &mut random,
        )?;
        let second_document_signer = signer(
            "CN=HKSAR DS 2,O=Immigration Department,C=HK",
            3,
            &mut random,
        )?;
        let cvca_key = signing_key_from_random(&mut random)?;
        let verifier_key = signing_key_from_random(&mut random)?;
        let terminal_key = signing_key_from_random(&mut random)?;
        let cvca = cv_certificate(
            &cvca_key,
            "HKCVCA00001",
            &cvca_key,
            "HKCVCA00001",
            Role::Cvca,
        )?;
        let document_verifier = cv_certificate(
            &cvca_key,
            "HKCVCA00001",
            &verifier_key,
            "HKDVIMMD00001",
            Role::DomesticDocumentVerifier,
        )?;
        let terminal = cv_certificate(
            &verifier_key,
            "HKDVIMMD00001",
            &terminal_key,
            "HKISGATE00001",
            Role::InspectionSystem,
        )?;
        Ok(SpecimenPki {
            csca,
            document_signer,
            second_document_signer,
            cvca,
            document_verifier,
            terminal,
            terminal_key,
        })
    }

    /// The issuer of cards signed by the main Document Signer.
    pub fn issuer(&self) -> Issuer<'_> {
        Issuer {
            document_signer: &self.document_signer,
            cvca: &self.cvca,
        }
    }

    /// The chain a gate presents in terminal authentication: document verifier, terminal.
    pub fn terminal_chain(&self) -> Vec<CvCertificate> {
        vec![self.document_verifier.clone(), self.terminal.clone()]
    }
}

fn random_bytes(random: &mut Stream, length: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; length];
    // A Stream never runs out.
    let _ = random.fill_bytes(&mut bytes);
    bytes
}

/// A card number "A" + six digits + check character, the digits drawn from `random`.
pub fn specimen_card_number(random: &mut Stream) -> String {
    let digits: String = random_bytes(random, 6)
        .iter()
        .map(|byte| char::from(b'0' + byte % 10))
        .collect();
    let body = format!("A{digits}");
    let check = char::from(hkid_check_character(body.as_bytes()));
    format!("{body}({check})")
}

/// The specimen holder of `seed`, with a facial image of `facial_image_length` bytes.
pub fn specimen_holder(seed: u64, facial_image_length: usize) -> HolderData {
    let mut random = seed_stream(seed);
    let card_number = specimen_card_number(&mut random);
    let can: String = random_bytes(&mut random, 6)
        .iter()
        .map(|byte| char::from(b'0' + byte % 10))
        .collect();
    let mut facial_image = vec![0xFF, 0xD8, 0xFF, 0xE0];
    facial_image.extend(random_bytes(
        &mut random,
        facial_image_length.saturating_sub(6),
    ));
    facial_image.extend([0xFF, 0xD9]);
    let template =
        |random: &mut Stream| [b"FMR\0 20\0".to_vec(), random_bytes(random, 248)].concat();
    let thumb_templates = [template(&mut random), template(&mut random)];
    HolderData {
        card_number,
        surname: "CHAN".to_owned(),
        given_names: "TAI MAN".to_owned(),
        sex: Sex::Male,
        date_of_birth: date(1980, 5, 17),
        date_of_issue: date(2019, 3, 4),
        card_access_number: can,
        facial_image,
        thumb_templates,
    }
}
