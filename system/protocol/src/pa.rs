//! Passive authentication (ICAO 9303-11 section 5.1): the document security object EF.SOD,
//! a CMS SignedData over the hashes of the data groups, signed by a Document Signer whose
//! X.509 certificate is issued by the country signing CA (CSCA).
//!
//! Issuing: [`CountrySigningAuthority::new`] makes a self-signed CSCA certificate,
//! [`CountrySigningAuthority::issue_document_signer`] a Document Signer certificate, and
//! [`DocumentSigner::build_sod`] the SOD. Keys are P-256 scalars built from the caller's
//! random bytes; signatures are ECDSA with SHA-256 and RFC 6979 nonces; validity dates and
//! serial numbers are parameters. So the same inputs give byte-identical certificates and
//! SODs, which the simulator's determinism rests on.
//!
//! Verifying: [`verify_sod`] gives one [`PassiveAuthenticationVerdict`]: the Document Signer
//! must chain to a trusted CSCA (else "unknown signer"), the SOD signature must verify (else
//! "bad signature"), and every data group read must hash to the value in the SOD (else
//! "altered data group"). Certificate validity periods and revocation are the caller's checks.

use crate::curve::Curve;
use crate::random::RandomBytes;
use crate::tlv::{self, Tag, TlvRef};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence};
use ecdsa::signature::Signer;
use hkic_base::Date;
use p256::ecdsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use spki::{
    AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef,
};
use std::str::FromStr;
use x509_cert::attr::Attribute;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
pub use x509_cert::certificate::Certificate;
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

pub const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
pub const OID_ECDSA_WITH_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
pub const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
pub const OID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
pub const OID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// id-icao-mrtd-security-ldsSecurityObject.
pub const OID_LDS_SECURITY_OBJECT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.23.136.1.1.1");
/// At most this many data-group hashes in one SOD (DG1 to DG16).
pub const DATA_GROUPS_MAX: usize = 16;

/// Why a certificate or an SOD could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    #[error("cannot build a key: {0}")]
    Key(String),
    #[error("cannot encode: {0}")]
    Encoding(String),
    #[error("cannot build the certificate: {0}")]
    Certificate(String),
    #[error("{0} is not a valid distinguished name")]
    Name(String),
    #[error("{0} data groups, 1 to {DATA_GROUPS_MAX} allowed")]
    DataGroupCount(usize),
}

impl From<der::Error> for PkiError {
    fn from(error: der::Error) -> PkiError {
        PkiError::Encoding(error.to_string())
    }
}

/// The validity period of a certificate, from midnight UTC of `not_before` to midnight UTC
/// of `not_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateValidity {
    pub not_before: Date,
    pub not_after: Date,
}

fn x509_time(date: Date) -> Result<Time, PkiError> {
    let (year, month, day) = date.ymd();
    let year = u16::try_from(year).map_err(|_| PkiError::Certificate(format!("year {year}")))?;
    let date_time = der::DateTime::new(year, month as u8, day as u8, 0, 0, 0)?;
    Ok(Time::from(date_time))
}

fn x509_validity(validity: CertificateValidity) -> Result<Validity, PkiError> {
    Ok(Validity::new(
        x509_time(validity.not_before)?,
        x509_time(validity.not_after)?,
    ))
}

/// A P-256 signing key from the caller's random bytes.
fn signing_key(random: &mut dyn RandomBytes) -> Result<SigningKey, PkiError> {
    let scalar = Curve::NistP256
        .random_scalar(random)
        .map_err(|error| PkiError::Key(error.to_string()))?;
    SigningKey::from_slice(scalar.as_bytes()).map_err(|error| PkiError::Key(error.to_string()))
}

/// The CSCA profile: self-issued CA certificate that signs Document Signer certificates only.
/// The Document Signer profile: a leaf certificate for digital signatures.
#[derive(Debug)]
struct IcaoProfile {
    subject: Name,
    issuer: Option<Name>,
}

impl BuilderProfile for IcaoProfile {
    fn get_issuer(&self, subject: &Name) -> Name {
        self.issuer.clone().unwrap_or_else(|| subject.clone())
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _subject_key: SubjectPublicKeyInfoRef<'_>,
        _issuer_key: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut extensions = Vec::new();
        let is_authority = self.issuer.is_none();
        let usage = if is_authority {
            KeyUsages::KeyCertSign | KeyUsages::CRLSign
        } else {
            KeyUsages::DigitalSignature.into()
        };
        if is_authority {
            let constraints = BasicConstraints {
                ca: true,
                path_len_constraint: Some(0),
            };
            extensions.push(constraints.to_extension(tbs.subject(), &extensions)?);
        }
        extensions.push(KeyUsage(usage).to_extension(tbs.subject(), &extensions)?);
        Ok(extensions)
    }
}

fn build_certificate(
    profile: IcaoProfile,
    serial: u64,
    validity: CertificateValidity,
    subject_key: &VerifyingKey,
    issuer_key: &SigningKey,
) -> Result<Certificate, PkiError> {
    let public_key_info = SubjectPublicKeyInfoOwned::from_key(subject_key)
        .map_err(|error| PkiError::Certificate(error.to_string()))?;
    let builder = CertificateBuilder::new(
        profile,
        SerialNumber::from(serial),
        x509_validity(validity)?,
        public_key_info,
    )
    .map_err(|error| PkiError::Certificate(error.to_string()))?;
    builder
        .build::<_, DerSignature>(issuer_key)
        .map_err(|error| PkiError::Certificate(error.to_string()))
}

fn parse_name(text: &str) -> Result<Name, PkiError> {
    Name::from_str(text).map_err(|_| PkiError::Name(text.to_owned()))
}

/// A country signing CA: its key and self-signed certificate.
#[derive(Debug, Clone)]
pub struct CountrySigningAuthority {
    signing_key: SigningKey,
    certificate: Certificate,
}

impl CountrySigningAuthority {
    /// A new CSCA named `distinguished_name` (RFC 4514, e.g. "CN=HKSAR CSCA,O=Immigration
    /// Department,C=HK"), its key drawn from `random`.
    pub fn new(
        distinguished_name: &str,
        serial: u64,
        validity: CertificateValidity,
        random: &mut dyn RandomBytes,
    ) -> Result<CountrySigningAuthority, PkiError> {
        let signing_key = signing_key(random)?;
        let profile = IcaoProfile {
            subject: parse_name(distinguished_name)?,
            issuer: None,
        };
        let certificate = build_certificate(
            profile,
            serial,
            validity,
            signing_key.verifying_key(),
            &signing_key,
        )?;
        Ok(CountrySigningAuthority {
            signing_key,
            certificate,
        })
    }

    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    pub fn certificate_der(&self) -> Result<Vec<u8>, PkiError> {
        Ok(self.certificate.to_der()?)
    }

    /// A Document Signer certificate issued by this CSCA, its key drawn from `random`.
    pub fn issue_document_signer(
        &self,
        distinguished_name: &str,
        serial: u64,
        validity: CertificateValidity,
        random: &mut dyn RandomBytes,
    ) -> Result<DocumentSigner, PkiError> {
        let signing_key = signing_key(random)?;
        let profile = IcaoProfile {
            subject: parse_name(distinguished_name)?,
            issuer: Some(self.certificate.tbs_certificate().subject().clone()),
        };
        let certificate = build_certificate(
            profile,
            serial,
            validity,
            signing_key.verifying_key(),
            &self.signing_key,
        )?;
        Ok(DocumentSigner {
            signing_key,
            certificate,
        })
    }
}

/// A Document Signer: signs SODs at personalisation.
#[derive(Debug, Clone)]
pub struct DocumentSigner {
    signing_key: SigningKey,
    certificate: Certificate,
}

/// LDSSecurityObject (version 0).
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
struct LdsSecurityObject {
    version: u8,
    hash_algorithm: AlgorithmIdentifierOwned,
    data_group_hash_values: Vec<DataGroupHash>,
}

#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
struct DataGroupHash {
    data_group_number: u8,
    data_group_hash_value: OctetString,
}

fn algorithm(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, PkiError> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value])?,
    })
}

/// The signed attributes: content type and message digest of the LDS security object.
fn signed_attributes(lds_security_object: &[u8]) -> Result<SetOfVec<Attribute>, PkiError> {
    let digest = OctetString::new(crate::primitives::sha256(lds_security_object).to_vec())?;
    Ok(SetOfVec::try_from(vec![
        attribute(
            OID_CONTENT_TYPE,
            Any::encode_from(&OID_LDS_SECURITY_OBJECT)?,
        )?,
        attribute(OID_MESSAGE_DIGEST, Any::encode_from(&digest)?)?,
    ])?)
}

impl DocumentSigner {
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    pub fn certificate_der(&self) -> Result<Vec<u8>, PkiError> {
        Ok(self.certificate.to_der()?)
    }

    /// EF.SOD over `data_groups` given as (number, whole file bytes).
    pub fn build_sod(&self, data_groups: &[(u8, &[u8])]) -> Result<Vec<u8>, PkiError> {
        if data_groups.is_empty() || data_groups.len() > DATA_GROUPS_MAX {
            return Err(PkiError::DataGroupCount(data_groups.len()));
        }
        let mut hashes = Vec::with_capacity(data_groups.len());
        for (number, bytes) in data_groups {
            hashes.push(DataGroupHash {
                data_group_number: *number,
                data_group_hash_value: OctetString::new(crate::primitives::sha256(bytes).to_vec())?,
            });
        }
        let security_object = LdsSecurityObject {
            version: 0,
            hash_algorithm: algorithm(OID_SHA256),
            data_group_hash_values: hashes,
        }
        .to_der()?;
        let signed_data = self.signed_data(&security_object)?;
        let content_info = ContentInfo {
            content_type: OID_SIGNED_DATA,
            content: Any::encode_from(&signed_data)?,
        };
        Ok(tlv::encode(Tag(0x77), &content_info.to_der()?))
    }

    fn signed_data(&self, security_object: &[u8]) -> Result<SignedData, PkiError> {
        let attributes = signed_attributes(security_object)?;
        let signature: Signature = self.signing_key.sign(&attributes.to_der()?);
        let tbs = self.certificate.tbs_certificate();
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer().clone(),
                serial_number: tbs.serial_number().clone(),
            }),
            digest_alg: algorithm(OID_SHA256),
            signed_attrs: Some(attributes),
            signature_algorithm: algorithm(OID_ECDSA_WITH_SHA256),
            signature: OctetString::new(signature.to_der().as_bytes().to_vec())?,
            unsigned_attrs: None,
        };
        let certificates = SetOfVec::try_from(vec![CertificateChoices::Certificate(
            self.certificate.clone(),
        )])?;
        Ok(SignedData {
            version: CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![algorithm(OID_SHA256)])?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: OID_LDS_SECURITY_OBJECT,
                econtent: Some(Any::encode_from(&OctetString::new(
                    security_object.to_vec(),
                )?)?),
            },
            certificates: Some(CertificateSet(certificates)),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info])?),
        })
    }
}

/// The outcome of passive authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassiveAuthenticationVerdict {
    /// The SOD is signed by a Document Signer of a trusted CSCA and every data group read
    /// matches it. (Whether the chip is the original is chip authentication's question.)
    Valid { document_signer: Box<Certificate> },
    /// A data group read does not hash to the SOD's value.
    AlteredDataGroup { number: u8 },
    /// A data group read is not listed in the SOD.
    DataGroupNotInSod { number: u8 },
    /// The Document Signer certificate does not chain to any trusted CSCA.
    UnknownSigner,
    /// The SOD's signature (or its signed attributes) does not verify under the Document
    /// Signer's key.
    BadSignature,
    /// The SOD is not a well-formed CMS SignedData of an LDS security object.
    Malformed(String),
}

/// Passive authentication of `sod` (EF.SOD bytes) and the data groups read, given as
/// (number, whole file bytes), against the trusted CSCA certificates.
pub fn verify_sod(
    sod: &[u8],
    data_groups: &[(u8, &[u8])],
    trusted: &[Certificate],
) -> PassiveAuthenticationVerdict {
    verify_sod_with(
        sod,
        data_groups,
        trusted,
        &VerifiedDocumentSigners::default(),
    )
}

/// [`verify_sod`] for a reader that keeps the Document Signer certificates it has already
/// verified: a Document Signer in `verified` with a CSCA still in `trusted` is not verified
/// again (see [`VerifiedDocumentSigners`]); the SOD's own signature and the data groups
/// always are.
pub fn verify_sod_with(
    sod: &[u8],
    data_groups: &[(u8, &[u8])],
    trusted: &[Certificate],
    verified: &VerifiedDocumentSigners,
) -> PassiveAuthenticationVerdict {
    let mut chains = |document_signer: &Certificate| {
        verified.vouches_for(document_signer, trusted) || chains_to(document_signer, trusted)
    };
    match verify(sod, data_groups, &mut chains) {
        Ok(verdict) | Err(verdict) => verdict,
    }
}

/// As [`verify_sod`], with the Document Signer's chain checked by `chains` (true: it chains
/// to a trusted CSCA): for a verifier with its own account of which signers it checked,
/// such as the invariant checker that tallies cards per signer.
pub fn verify_sod_checking_signer(
    sod: &[u8],
    data_groups: &[(u8, &[u8])],
    chains: &mut dyn FnMut(&Certificate) -> bool,
) -> PassiveAuthenticationVerdict {
    match verify(sod, data_groups, chains) {
        Ok(verdict) | Err(verdict) => verdict,
    }
}

/// True when `document_signer` was issued (and signed) by one of the `trusted` CSCAs.
pub fn chains_to(document_signer: &Certificate, trusted: &[Certificate]) -> bool {
    trusted.iter().any(|csca| issued_by(document_signer, csca))
}

fn malformed(what: impl std::fmt::Display) -> PassiveAuthenticationVerdict {
    PassiveAuthenticationVerdict::Malformed(what.to_string())
}

type Verdict<T> = Result<T, PassiveAuthenticationVerdict>;

fn verify(
    sod: &[u8],
    data_groups: &[(u8, &[u8])],
    chains: &mut dyn FnMut(&Certificate) -> bool,
) -> Verdict<PassiveAuthenticationVerdict> {
    let wrapper = TlvRef::decode_exact(sod, Tag(0x77)).map_err(malformed)?;
    let content_info = ContentInfo::from_der(wrapper.value).map_err(malformed)?;
    if content_info.content_type != OID_SIGNED_DATA {
        return Err(malformed("not a SignedData"));
    }
    let signed_data: SignedData = content_info.content.decode_as().map_err(malformed)?;
    let security_object = encapsulated_security_object(&signed_data)?;
    let signer_info = signed_data
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| malformed("no SignerInfo"))?;
    let document_signer = find_document_signer(&signed_data, signer_info)?;
    if !chains(&document_signer) {
        return Err(PassiveAuthenticationVerdict::UnknownSigner);
    }
    verify_signer_info(signer_info, &document_signer, &security_object)?;
    check_data_groups(&security_object, data_groups)?;
    Ok(PassiveAuthenticationVerdict::Valid {
        document_signer: Box::new(document_signer),
    })
}

fn encapsulated_security_object(signed_data: &SignedData) -> Verdict<Vec<u8>> {
    let content = &signed_data.encap_content_info;
    if content.econtent_type != OID_LDS_SECURITY_OBJECT {
        return Err(malformed("the content is not an LDS security object"));
    }
    let octets: OctetString = content
        .econtent
        .as_ref()
        .ok_or_else(|| malformed("no encapsulated content"))?
        .decode_as()
        .map_err(malformed)?;
    Ok(octets.into_bytes().into_vec())
}

fn find_document_signer(
    signed_data: &SignedData,
    signer_info: &SignerInfo,
) -> Verdict<Certificate> {
    let SignerIdentifier::IssuerAndSerialNumber(identifier) = &signer_info.sid else {
        return Err(malformed(
            "the signer is not named by issuer and serial number",
        ));
    };
    let certificates = signed_data
        .certificates
        .as_ref()
        .ok_or(PassiveAuthenticationVerdict::UnknownSigner)?;
    certificates
        .0
        .iter()
        .find_map(|choice| match choice {
            CertificateChoices::Certificate(certificate)
                if certificate.tbs_certificate().issuer() == &identifier.issuer
                    && certificate.tbs_certificate().serial_number()
                        == &identifier.serial_number =>
            {
                Some(certificate.clone())
            }
            _ => None,
        })
        .ok_or(PassiveAuthenticationVerdict::UnknownSigner)
}

fn verifying_key(certificate: &Certificate) -> Option<VerifyingKey> {
    let key = certificate.tbs_certificate().subject_public_key_info();
    VerifyingKey::from_sec1_bytes(key.subject_public_key.raw_bytes()).ok()
}

/// True when `certificate` names `issuer` as its issuer and carries a valid ECDSA-SHA256
/// signature under the issuer's key.
fn issued_by(certificate: &Certificate, issuer: &Certificate) -> bool {
    if certificate.tbs_certificate().issuer() != issuer.tbs_certificate().subject()
        || certificate.signature_algorithm().oid != OID_ECDSA_WITH_SHA256
    {
        return false;
    }
    let (Some(key), Ok(tbs)) = (
        verifying_key(issuer),
        certificate.tbs_certificate().to_der(),
    ) else {
        return false;
    };
    let Ok(signature) = Signature::from_der(certificate.signature().raw_bytes()) else {
        return false;
    };
    crate::curve::verify_p256_sha256(&key, &tbs, &signature)
}

fn verify_signer_info(
    signer_info: &SignerInfo,
    document_signer: &Certificate,
    security_object: &[u8],
) -> Verdict<()> {
    if signer_info.digest_alg.oid != OID_SHA256
        || signer_info.signature_algorithm.oid != OID_ECDSA_WITH_SHA256
    {
        return Err(malformed("only SHA-256 with ECDSA is supported"));
    }
    let attributes = signer_info
        .signed_attrs
        .as_ref()
        .ok_or_else(|| malformed("no signed attributes"))?;
    let digest = attributes
        .iter()
        .find(|attribute| attribute.oid == OID_MESSAGE_DIGEST)
        .and_then(|attribute| attribute.values.iter().next())
        .and_then(|value| value.decode_as::<OctetString>().ok())
        .ok_or_else(|| malformed("no message digest attribute"))?;
    if digest.as_bytes() != crate::primitives::sha256(security_object) {
        return Err(PassiveAuthenticationVerdict::BadSignature);
    }
    let key = verifying_key(document_signer)
        .ok_or_else(|| malformed("the Document Signer key is not P-256"))?;
    let signature = Signature::from_der(signer_info.signature.as_bytes())
        .map_err(|_| PassiveAuthenticationVerdict::BadSignature)?;
    let signed = attributes.to_der().map_err(malformed)?;
    crate::curve::verify_p256_sha256(&key, &signed, &signature)
        .then_some(())
        .ok_or(PassiveAuthenticationVerdict::BadSignature)
}

fn check_data_groups(security_object: &[u8], data_groups: &[(u8, &[u8])]) -> Verdict<()> {
    let object = LdsSecurityObject::from_der(security_object).map_err(malformed)?;
    if object.hash_algorithm.oid != OID_SHA256 {
        return Err(malformed("the data groups are not hashed with SHA-256"));
    }
    for (number, bytes) in data_groups {
        let expected = object
            .data_group_hash_values
            .iter()
            .find(|hash| hash.data_group_number == *number)
            .ok_or(PassiveAuthenticationVerdict::DataGroupNotInSod { number: *number })?;
        if expected.data_group_hash_value.as_bytes() != crate::primitives::sha256(bytes) {
            return Err(PassiveAuthenticationVerdict::AlteredDataGroup { number: *number });
        }
    }
    Ok(())
}

/// Checks data groups read later in a session (DG3 after terminal authentication) against
/// an SOD that [`verify_sod`] already found valid in the same session, without verifying its
/// signatures a second time: only the hashes are compared. Given an SOD that was never
/// verified, a "valid" answer here means nothing.
pub fn check_data_groups_of_verified_sod(
    sod: &[u8],
    data_groups: &[(u8, &[u8])],
) -> Result<(), PassiveAuthenticationVerdict> {
    let wrapper = TlvRef::decode_exact(sod, Tag(0x77)).map_err(malformed)?;
    let content_info = ContentInfo::from_der(wrapper.value).map_err(malformed)?;
    if content_info.content_type != OID_SIGNED_DATA {
        return Err(malformed("not a SignedData"));
    }
    let signed_data: SignedData = content_info.content.decode_as().map_err(malformed)?;
    check_data_groups(&encapsulated_security_object(&signed_data)?, data_groups)
}

/// Document Signers a reader has verified: how many it keeps at most (a country has a few
/// Document Signers at a time; one that does not fit is verified on every read).
pub const VERIFIED_DOCUMENT_SIGNERS_MAX: usize = 64;

/// The Document Signer certificates a reader has already verified, each with the CSCA that
/// issued it, as inspection systems keep the Document Signer certificates they have
/// validated instead of checking the same certificate's signature at every read.
///
/// Only the certificate's issuance is remembered, and only for identical certificates
/// (equal in every field, so byte for byte in DER) under a CSCA that is still trusted:
/// the verification is a pure function of those two certificates, so its answer cannot
/// differ. Passive authentication still checks each SOD's signature and every data group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifiedDocumentSigners {
    /// (Document Signer, the CSCA whose signature on it verified).
    verified: Vec<(Certificate, Certificate)>,
}

impl VerifiedDocumentSigners {
    /// Verifies `document_signer` against `trusted` and keeps it, with its issuer, if one
    /// issued it and there is room; true if it is kept.
    pub fn admit(&mut self, document_signer: &Certificate, trusted: &[Certificate]) -> bool {
        if self.vouches_for(document_signer, trusted) {
            return true;
        }
        if self.verified.len() >= VERIFIED_DOCUMENT_SIGNERS_MAX {
            return false;
        }
        let Some(csca) = trusted.iter().find(|csca| issued_by(document_signer, csca)) else {
            return false;
        };
        self.verified.push((document_signer.clone(), csca.clone()));
        true
    }

    pub fn len(&self) -> usize {
        self.verified.len()
    }

    pub fn is_empty(&self) -> bool {
        self.verified.is_empty()
    }

    /// True when `document_signer` was verified against a CSCA that is in `trusted`.
    fn vouches_for(&self, document_signer: &Certificate, trusted: &[Certificate]) -> bool {
        self.verified
            .iter()
            .any(|(signer, csca)| signer == document_signer && trusted.contains(csca))
    }
}

#[cfg(test)]
mod tests;
