//! Card-verifiable certificates (BSI TR-03110 part 3, appendix C) for terminal
//! authentication: the chain CVCA → document verifier → inspection system that tells a chip
//! which terminals may read the fingerprints in DG3.
//!
//! Encoding: 7F21 { 7F4E body, 5F37 signature }, the body holding the profile identifier
//! (5F29 = 00), the certification authority reference (42), the public key (7F49 { 06
//! id-TA-ECDSA-SHA-256, 86 point }), the holder reference (5F20), the holder authorisation
//! template (7F4C { 06 id-IS, 53 rights }), the effective date (5F25) and the expiry date
//! (5F24) as six unpacked BCD digits. The signature is plain ECDSA (r ‖ s) with SHA-256 and
//! RFC 6979 nonces over the encoded body. Simplification: every key is on P-256, so the CVCA
//! certificate carries no explicit domain parameters.

use crate::curve::CurveError;
use crate::curve::{Curve, Point};
use crate::random::RandomBytes;
use crate::tlv::{self, Tag, TlvError, TlvRef};
use ecdsa::signature::Signer;
use hkic_base::Date;
/// The P-256 ECDSA private key of a CVCA, a document verifier or a terminal.
pub use p256::ecdsa::SigningKey;
use p256::ecdsa::{Signature, VerifyingKey};

/// id-TA-ECDSA-SHA-256, 0.4.0.127.0.7.2.2.2.2.3.
pub const TERMINAL_AUTHENTICATION_ECDSA_SHA256: [u8; 10] =
    [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02, 0x02, 0x03];
/// id-IS, 0.4.0.127.0.7.3.1.2.1: the inspection-system role of the holder template.
pub const INSPECTION_SYSTEM: [u8; 9] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x03, 0x01, 0x02, 0x01];
/// Access right: read DG3 (fingerprints).
pub const RIGHT_READ_DG3: u8 = 0x01;
/// Access right: read DG4 (iris).
pub const RIGHT_READ_DG4: u8 = 0x02;
/// Longest certification authority or holder reference (country, mnemonic, sequence).
pub const REFERENCE_LENGTH_MAX: usize = 16;

const TAG_CERTIFICATE: Tag = Tag(0x7F21);
const TAG_BODY: Tag = Tag(0x7F4E);
const TAG_SIGNATURE: Tag = Tag(0x5F37);

/// The role bits (the two high bits of the rights byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    InspectionSystem = 0b00,
    ForeignDocumentVerifier = 0b01,
    DomesticDocumentVerifier = 0b10,
    Cvca = 0b11,
}

impl Role {
    fn from_bits(bits: u8) -> Role {
        match bits & 0b11 {
            0b11 => Role::Cvca,
            0b10 => Role::DomesticDocumentVerifier,
            0b01 => Role::ForeignDocumentVerifier,
            _ => Role::InspectionSystem,
        }
    }

    pub fn is_document_verifier(self) -> bool {
        matches!(
            self,
            Role::DomesticDocumentVerifier | Role::ForeignDocumentVerifier
        )
    }
}

/// Why bytes are not a CV certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvCertificateError {
    #[error("not BER-TLV: {0}")]
    Tlv(#[from] TlvError),
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
}

fn invalid(field: &'static str, problem: impl Into<String>) -> CvCertificateError {
    CvCertificateError::Invalid {
        field,
        problem: problem.into(),
    }
}

/// The signed content of a CV certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvCertificateBody {
    pub authority_reference: String,
    pub public_key: Point,
    pub holder_reference: String,
    pub role: Role,
    /// Access rights below the role bits (RIGHT_READ_DG3, RIGHT_READ_DG4).
    pub rights: u8,
    pub effective_date: Date,
    pub expiration_date: Date,
}

fn encode_date(date: Date) -> [u8; 6] {
    let (year, month, day) = date.ymd();
    let year = year.rem_euclid(100) as u8;
    let (month, day) = (month as u8, day as u8);
    [
        year / 10,
        year % 10,
        month / 10,
        month % 10,
        day / 10,
        day % 10,
    ]
}

fn decode_date(field: &'static str, bytes: &[u8]) -> Result<Date, CvCertificateError> {
    let digits: [u8; 6] = bytes
        .try_into()
        .map_err(|_| invalid(field, "not six digits"))?;
    if digits.iter().any(|digit| *digit > 9) {
        return Err(invalid(field, "not BCD digits"));
    }
    let pair = |index: usize| u32::from(digits[index] * 10 + digits[index + 1]);
    Date::from_ymd(2000 + pair(0) as i32, pair(2), pair(4))
        .ok_or_else(|| invalid(field, "not a date"))
}

fn check_reference(field: &'static str, reference: &str) -> Result<(), CvCertificateError> {
    let valid = !reference.is_empty()
        && reference.len() <= REFERENCE_LENGTH_MAX
        && reference.bytes().all(|byte| byte.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("{reference:?} is not 1 to 16 letters and digits"),
        ))
    }
}

impl CvCertificateBody {
    /// The 7F4E TLV, the bytes the issuer signs.
    pub fn encode(&self) -> Result<Vec<u8>, CvCertificateError> {
        check_reference("authority reference", &self.authority_reference)?;
        check_reference("holder reference", &self.holder_reference)?;
        let mut key = tlv::encode(Tag(0x06), &TERMINAL_AUTHENTICATION_ECDSA_SHA256);
        tlv::append(&mut key, Tag(0x86), self.public_key.as_bytes());
        let mut template = tlv::encode(Tag(0x06), &INSPECTION_SYSTEM);
        tlv::append(
            &mut template,
            Tag(0x53),
            &[((self.role as u8) << 6) | (self.rights & 0x3F)],
        );
        let mut body = tlv::encode(Tag(0x5F29), &[0x00]);
        tlv::append(&mut body, Tag(0x42), self.authority_reference.as_bytes());
        tlv::append(&mut body, Tag(0x7F49), &key);
        tlv::append(&mut body, Tag(0x5F20), self.holder_reference.as_bytes());
        tlv::append(&mut body, Tag(0x7F4C), &template);
        tlv::append(&mut body, Tag(0x5F25), &encode_date(self.effective_date));
        tlv::append(&mut body, Tag(0x5F24), &encode_date(self.expiration_date));
        Ok(tlv::encode(TAG_BODY, &body))
    }

    /// Reads a 7F4E TLV.
    pub fn decode(bytes: &[u8]) -> Result<CvCertificateBody, CvCertificateError> {
        let body = TlvRef::decode_exact(bytes, TAG_BODY)?;
        if body.child(Tag(0x5F29))?.value != [0x00] {
            return Err(invalid("profile identifier", "not 00"));
        }
        let text = |tag: u32, field: &'static str| -> Result<String, CvCertificateError> {
            let value = String::from_utf8(body.child(Tag(tag))?.value.to_vec())
                .map_err(|_| invalid(field, "not ASCII"))?;
            check_reference(field, &value)?;
            Ok(value)
        };
        let key = body.child(Tag(0x7F49))?;
        if key.child(Tag(0x06))?.value != TERMINAL_AUTHENTICATION_ECDSA_SHA256 {
            return Err(invalid("public key", "not id-TA-ECDSA-SHA-256"));
        }
        let public_key = Curve::NistP256
            .point(key.child(Tag(0x86))?.value)
            .map_err(|error| invalid("public key", error.to_string()))?;
        let template = body.child(Tag(0x7F4C))?;
        if template.child(Tag(0x06))?.value != INSPECTION_SYSTEM {
            return Err(invalid(
                "holder authorisation template",
                "not an inspection system template",
            ));
        }
        let [rights] = template.child(Tag(0x53))?.value else {
            return Err(invalid(
                "holder authorisation template",
                "rights are not one byte",
            ));
        };
        Ok(CvCertificateBody {
            authority_reference: text(0x42, "authority reference")?,
            public_key,
            holder_reference: text(0x5F20, "holder reference")?,
            role: Role::from_bits(rights >> 6),
            rights: rights & 0x3F,
            effective_date: decode_date("effective date", body.child(Tag(0x5F25))?.value)?,
            expiration_date: decode_date("expiration date", body.child(Tag(0x5F24))?.value)?,
        })
    }
}

/// A CV certificate: the body, its encoding and the issuer's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvCertificate {
    pub body: CvCertificateBody,
    encoded_body: Vec<u8>,
    signature: [u8; 64],
}

impl CvCertificate {
    /// Signs `body` with the issuer's key (the holder's own key for a CVCA).
    pub fn issue(
        body: CvCertificateBody,
        issuer_key: &SigningKey,
    ) -> Result<CvCertificate, CvCertificateError> {
        let encoded_body = body.encode()?;
        let signature: Signature = issuer_key.sign(&encoded_body);
        Ok(CvCertificate {
            body,
            encoded_body,
            signature: signature.to_bytes().into(),
        })
    }

    /// 7F4E body ‖ 5F37 signature: the data of PSO:Verify Certificate.
    pub fn content(&self) -> Vec<u8> {
        let mut out = self.encoded_body.clone();
        tlv::append(&mut out, TAG_SIGNATURE, &self.signature);
        out
    }

    /// 7F21 { content }.
    pub fn encode(&self) -> Vec<u8> {
        tlv::encode(TAG_CERTIFICATE, &self.content())
    }

    /// Reads the content (7F4E ‖ 5F37), as PSO:Verify Certificate carries it.
    pub fn decode_content(bytes: &[u8]) -> Result<CvCertificate, CvCertificateError> {
        let (_body, rest) = TlvRef::decode_first(bytes)?;
        let signature = TlvRef::decode_exact(rest, TAG_SIGNATURE)?;
        let encoded_body = bytes[..bytes.len() - rest.len()].to_vec();
        Ok(CvCertificate {
            body: CvCertificateBody::decode(&encoded_body)?,
            encoded_body,
            signature: signature
                .value
                .try_into()
                .map_err(|_| invalid("signature", "not 64 bytes"))?,
        })
    }

    /// Reads a whole certificate (7F21).
    pub fn decode(bytes: &[u8]) -> Result<CvCertificate, CvCertificateError> {
        CvCertificate::decode_content(TlvRef::decode_exact(bytes, TAG_CERTIFICATE)?.value)
    }

    /// True when the signature verifies under `issuer_key`.
    pub fn is_signed_by(&self, issuer_key: &Point) -> bool {
        let (Ok(key), Ok(signature)) = (
            VerifyingKey::from_sec1_bytes(issuer_key.as_bytes()),
            Signature::from_slice(&self.signature),
        ) else {
            return false;
        };
        crate::curve::verify_p256_sha256(&key, &self.encoded_body, &signature)
    }
}

/// A P-256 signing key from the caller's random bytes.
pub fn signing_key_from_random(random: &mut dyn RandomBytes) -> Result<SigningKey, CurveError> {
    let scalar = Curve::NistP256.random_scalar(random)?;
    SigningKey::from_slice(scalar.as_bytes()).map_err(|_| CurveError::InvalidScalar)
}

/// The P-256 public point of a signing key.
pub fn public_point(key: &SigningKey) -> Point {
    let encoded = key.verifying_key().to_sec1_point(false);
    Curve::NistP256
        .point(encoded.as_bytes())
        .expect("a verifying key is a valid P-256 point")
}

#[cfg(test)]
mod tests {
    use super::*;
    use hkic_base::seed_stream;

    pub(crate) fn key(seed: u64) -> SigningKey {
        let scalar = Curve::NistP256
            .random_scalar(&mut seed_stream(seed))
            .unwrap();
        SigningKey::from_slice(scalar.as_bytes()).unwrap()
    }

    #[test]
    fn certificate_round_trips_and_verifies() {
        let cvca = key(1);
        let body = CvCertificateBody {
            authority_reference: "HKCVCA00001".to_owned(),
            public_key: public_point(&cvca),
            holder_reference: "HKCVCA00001".to_owned(),
            role: Role::Cvca,
            rights: RIGHT_READ_DG3 | RIGHT_READ_DG4,
            effective_date: Date::from_ymd(2018, 1, 1).unwrap(),
            expiration_date: Date::from_ymd(2031, 12, 31).unwrap(),
        };
        let certificate = CvCertificate::issue(body, &cvca).unwrap();
        let decoded = CvCertificate::decode(&certificate.encode()).unwrap();
        assert_eq!(decoded, certificate);
        assert!(decoded.is_signed_by(&public_point(&cvca)));
        assert!(!decoded.is_signed_by(&public_point(&key(2))));
        let mut tampered = certificate.content();
        let position = tampered.len() - 70;
        tampered[position] ^= 1;
        let verifies =
            CvCertificate::decode_content(&tampered).map(|c| c.is_signed_by(&public_point(&cvca)));
        assert_ne!(verifies, Ok(true));
    }
}
