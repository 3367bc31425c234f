//! Terminal authentication (BSI TR-03110 part 3, version 1 as EAC1 runs it after chip
//! authentication): the terminal proves to the chip that it holds a key certified through
//! CVCA → document verifier → terminal, and the chip grants the rights the chain carries.
//! On our cards that right is reading DG3, the fingerprint templates.
//!
//! Commands, all under secure messaging: for each certificate of the chain, MSE:Set DST
//! (0022 81B6, 83 = the reference of the key that verifies it) and PSO:Verify Certificate
//! (002A 00BE, the certificate content); then MSE:Set AT (0022 81A4, 83 = the terminal's
//! holder reference), GET CHALLENGE (8 bytes r_PICC), and EXTERNAL AUTHENTICATE with the
//! terminal's ECDSA-SHA-256 signature (plain r ‖ s) over ID_PICC ‖ r_PICC ‖ x(PK_PCD), where
//! PK_PCD is the terminal's chip-authentication ephemeral key and ID_PICC identifies the chip
//! (with PACE: the x coordinate of the chip's PACE ephemeral key).
//!
//! The chip checks each certificate's signature, its expiry against the chip's current date,
//! and the order of roles, and intersects the rights along the chain. Randomness: the chip
//! draws r_PICC (8 bytes). Terminal signatures use RFC 6979 nonces.

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::curve::Point;
use crate::cvc::{CvCertificate, CvCertificateError, RIGHT_READ_DG3, Role};
use crate::random::{RandomBytes, RandomExhausted, draw_array};
use crate::tlv::{self, Tag, TlvError};
use ecdsa::signature::Signer;
use hkic_base::Date;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use std::sync::Arc;

const INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT: u8 = 0x22;
const INSTRUCTION_PERFORM_SECURITY_OPERATION: u8 = 0x2A;
const INSTRUCTION_GET_CHALLENGE: u8 = 0x84;
const INSTRUCTION_EXTERNAL_AUTHENTICATE: u8 = 0x82;
const TAG_KEY_REFERENCE: Tag = Tag(0x83);
/// Certificates a chain may hold below the CVCA (document verifier and terminal; one link
/// certificate more would be a new CVCA, which this chip does not accept).
pub const CHAIN_LENGTH_MAX: usize = 2;

/// Why terminal authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TerminalAuthenticationError {
    #[error("the chip answered {0}")]
    Refused(StatusWord),
    #[error("the command does not fit the current step")]
    UnexpectedCommand,
    #[error("no public key with reference {0:?} is known")]
    UnknownReference(String),
    #[error("malformed data: {0}")]
    Malformed(String),
    #[error("certificate {0:?} does not verify")]
    CertificateSignatureInvalid(String),
    #[error("certificate {0:?} has expired")]
    CertificateExpired(String),
    #[error("certificate {0:?} has a role that does not fit its place in the chain")]
    WrongRole(String),
    #[error("the terminal's signature does not verify")]
    SignatureInvalid,
    #[error("the chain has {0} certificates, at most {CHAIN_LENGTH_MAX} allowed")]
    ChainTooLong(usize),
    #[error(transparent)]
    Random(#[from] RandomExhausted),
}

impl From<TlvError> for TerminalAuthenticationError {
    fn from(error: TlvError) -> TerminalAuthenticationError {
        TerminalAuthenticationError::Malformed(error.to_string())
    }
}

impl From<CvCertificateError> for TerminalAuthenticationError {
    fn from(error: CvCertificateError) -> TerminalAuthenticationError {
        TerminalAuthenticationError::Malformed(error.to_string())
    }
}

impl TerminalAuthenticationError {
    /// The status word a chip answers with.
    pub fn status_word(&self) -> StatusWord {
        use TerminalAuthenticationError as Error;
        match self {
            Error::Refused(status) => *status,
            Error::UnexpectedCommand => StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED,
            Error::UnknownReference(_) => StatusWord::REFERENCED_DATA_NOT_FOUND,
            Error::Malformed(_) | Error::WrongRole(_) | Error::ChainTooLong(_) => {
                StatusWord::WRONG_DATA
            }
            Error::Random(_) => StatusWord::NO_PRECISE_DIAGNOSIS,
            Error::CertificateSignatureInvalid(_)
            | Error::CertificateExpired(_)
            | Error::SignatureInvalid => StatusWord::AUTHENTICATION_FAILED,
        }
    }
}

fn command(
    instruction: u8,
    parameters: [u8; 2],
    data: Vec<u8>,
    expected_length: Option<u32>,
) -> CommandApdu {
    CommandApdu {
        class: 0x00,
        instruction,
        parameter1: parameters[0],
        parameter2: parameters[1],
        data,
        expected_length,
    }
}

/// ID_PICC ‖ r_PICC ‖ x(PK_PCD): what the terminal signs.
fn signed_message(
    chip_identifier: &[u8],
    challenge: &[u8; 8],
    terminal_ephemeral: &Point,
) -> Vec<u8> {
    [chip_identifier, challenge, &terminal_ephemeral.x()].concat()
}

/// The terminal side.
#[derive(Debug, Clone)]
pub struct TerminalAuthenticationTerminal {
    chain: Vec<CvCertificate>,
    terminal_key: SigningKey,
    chip_identifier: Vec<u8>,
    terminal_ephemeral: Point,
}

impl TerminalAuthenticationTerminal {
    /// `chain` is document verifier then terminal certificate; `terminal_ephemeral` is the
    /// chip-authentication ephemeral public key.
    pub fn new(
        chain: Vec<CvCertificate>,
        terminal_key: SigningKey,
        chip_identifier: Vec<u8>,
        terminal_ephemeral: Point,
    ) -> Result<TerminalAuthenticationTerminal, TerminalAuthenticationError> {
        if chain.is_empty() || chain.len() > CHAIN_LENGTH_MAX {
            return Err(TerminalAuthenticationError::ChainTooLong(chain.len()));
        }
        Ok(TerminalAuthenticationTerminal {
            chain,
            terminal_key,
            chip_identifier,
            terminal_ephemeral,
        })
    }

    /// Everything before EXTERNAL AUTHENTICATE: the chain, MSE:Set AT and GET CHALLENGE.
    /// Each must be answered 9000; the last answer carries r_PICC.
    pub fn commands(&self) -> Vec<CommandApdu> {
        let mut commands = Vec::with_capacity(self.chain.len() * 2 + 2);
        for certificate in &self.chain {
            let reference = tlv::encode(
                TAG_KEY_REFERENCE,
                certificate.body.authority_reference.as_bytes(),
            );
            commands.push(command(
                INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT,
                [0x81, 0xB6],
                reference,
                None,
            ));
            commands.push(command(
                INSTRUCTION_PERFORM_SECURITY_OPERATION,
                [0x00, 0xBE],
                certificate.content(),
                None,
            ));
        }
        let holder = &self.chain[self.chain.len() - 1].body.holder_reference;
        let reference = tlv::encode(TAG_KEY_REFERENCE, holder.as_bytes());
        commands.push(command(
            INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT,
            [0x81, 0xA4],
            reference,
            None,
        ));
        commands.push(command(
            INSTRUCTION_GET_CHALLENGE,
            [0, 0],
            Vec::new(),
            Some(8),
        ));
        commands
    }

    /// EXTERNAL AUTHENTICATE, given the answer to GET CHALLENGE.
    pub fn authenticate_command(
        &self,
        challenge: &ResponseApdu,
    ) -> Result<CommandApdu, TerminalAuthenticationError> {
        if challenge.status != StatusWord::SUCCESS {
            return Err(TerminalAuthenticationError::Refused(challenge.status));
        }
        let challenge: [u8; 8] = challenge.data.as_slice().try_into().map_err(|_| {
            TerminalAuthenticationError::Malformed("the challenge is not 8 bytes".to_owned())
        })?;
        let message = signed_message(&self.chip_identifier, &challenge, &self.terminal_ephemeral);
        let signature: Signature = self.terminal_key.sign(&message);
        Ok(command(
            INSTRUCTION_EXTERNAL_AUTHENTICATE,
            [0, 0],
            signature.to_bytes().to_vec(),
            None,
        ))
    }
}

/// A public key the chip may verify with, and what it is allowed.
#[derive(Debug, Clone)]
struct TrustedKey {
    reference: String,
    public_key: Point,
    role: Role,
    rights: u8,
}

#[derive(Debug, Clone)]
enum ChipState {
    /// Collecting certificates; `selected` is the key set by MSE:Set DST.
    Chain {
        selected: Option<usize>,
    },
    /// MSE:Set AT named the terminal key.
    TerminalSelected {
        terminal: usize,
    },
    /// GET CHALLENGE answered.
    Challenged {
        terminal: usize,
        challenge: [u8; 8],
    },
    Authenticated {
        rights: u8,
    },
    Failed,
}

/// Certificates a chain may be pre-verified with ([`VerifiedCvCertificates::chain`]).
pub const VERIFIED_CV_CERTIFICATES_MAX: usize = 16;

/// CV certificate signatures already found valid, each as (the issuer's public key, the
/// certificate's content as PSO:Verify Certificate carries it).
///
/// Whether a certificate's signature verifies under a key is a pure function of the key
/// and the certificate's bytes, so every chip of one model presented the same chain gets
/// the same answer: an emulator verifies the chain once and shares the answers among its
/// chips ([`TerminalAuthenticationChip::with_verified_certificates`]) instead of verifying
/// the identical bytes at every read. Only the signature check is memoised: each chip still
/// checks roles, references, expiry against its own date, and the terminal's signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifiedCvCertificates {
    verified: Vec<(Point, Vec<u8>)>,
}

impl VerifiedCvCertificates {
    /// Verifies `chain` (document verifier, then terminal) link by link from `anchor` (the
    /// CVCA) and keeps every certificate whose signature verifies, stopping at the first
    /// that does not.
    pub fn chain(anchor: &CvCertificate, chain: &[CvCertificate]) -> VerifiedCvCertificates {
        let mut verified = Vec::with_capacity(chain.len());
        let mut issuer_key = anchor.body.public_key;
        for certificate in chain.iter().take(VERIFIED_CV_CERTIFICATES_MAX) {
            if !certificate.is_signed_by(&issuer_key) {
                break;
            }
            verified.push((issuer_key, certificate.content()));
            issuer_key = certificate.body.public_key;
        }
        VerifiedCvCertificates { verified }
    }

    pub fn len(&self) -> usize {
        self.verified.len()
    }

    pub fn is_empty(&self) -> bool {
        self.verified.is_empty()
    }

    /// True when the certificate with `content` was found signed under `issuer_key`.
    fn contains(&self, issuer_key: &Point, content: &[u8]) -> bool {
        self.verified
            .iter()
            .any(|(key, verified)| key == issuer_key && verified.as_slice() == content)
    }
}

/// The chip side.
#[derive(Debug, Clone)]
pub struct TerminalAuthenticationChip {
    keys: Vec<TrustedKey>,
    current_date: Date,
    chip_identifier: Vec<u8>,
    terminal_ephemeral: Point,
    state: ChipState,
    /// Signature checks already made on identical bytes, shared by the chips of a model.
    verified: Option<Arc<VerifiedCvCertificates>>,
}

impl TerminalAuthenticationChip {
    /// `trust_anchor` is the CVCA certificate stored at personalisation; `current_date` the
    /// chip's notion of today; the other two come from PACE and chip authentication.
    pub fn new(
        trust_anchor: &CvCertificate,
        current_date: Date,
        chip_identifier: Vec<u8>,
        terminal_ephemeral: Point,
    ) -> TerminalAuthenticationChip {
        let anchor = TrustedKey {
            reference: trust_anchor.body.holder_reference.clone(),
            public_key: trust_anchor.body.public_key,
            role: Role::Cvca,
            rights: trust_anchor.body.rights,
        };
        TerminalAuthenticationChip {
            keys: vec![anchor],
            current_date,
            chip_identifier,
            terminal_ephemeral,
            state: ChipState::Chain { selected: None },
            verified: None,
        }
    }

    /// Certificates whose signatures need no second check (see [`VerifiedCvCertificates`]).
    pub fn with_verified_certificates(
        mut self,
        verified: Arc<VerifiedCvCertificates>,
    ) -> TerminalAuthenticationChip {
        self.verified = Some(verified);
        self
    }

    /// True once a terminal holding DG3 read rights has authenticated.
    pub fn is_dg3_access_granted(&self) -> bool {
        matches!(self.state, ChipState::Authenticated { rights } if rights & RIGHT_READ_DG3 != 0)
    }

    /// Handles MSE:Set DST/AT, PSO:Verify Certificate, GET CHALLENGE and EXTERNAL
    /// AUTHENTICATE. Any error ends the attempt: the terminal must run CA and TA again.
    pub fn handle_command(
        &mut self,
        command: &CommandApdu,
        random: &mut dyn RandomBytes,
    ) -> Result<ResponseApdu, TerminalAuthenticationError> {
        let state = std::mem::replace(&mut self.state, ChipState::Failed);
        let header = (command.instruction, command.parameter1, command.parameter2);
        let (next, response) = match (state, header) {
            (ChipState::Chain { .. }, (INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT, 0x81, 0xB6)) => {
                let index = self.find_key(command)?;
                (
                    ChipState::Chain {
                        selected: Some(index),
                    },
                    ResponseApdu::status_only(StatusWord::SUCCESS),
                )
            }
            (
                ChipState::Chain {
                    selected: Some(issuer),
                },
                (INSTRUCTION_PERFORM_SECURITY_OPERATION, 0x00, 0xBE),
            ) => {
                self.verify_certificate(issuer, &command.data)?;
                (
                    ChipState::Chain { selected: None },
                    ResponseApdu::status_only(StatusWord::SUCCESS),
                )
            }
            (ChipState::Chain { .. }, (INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT, 0x81, 0xA4)) => {
                let terminal = self.find_key(command)?;
                if self.keys[terminal].role != Role::InspectionSystem {
                    return Err(TerminalAuthenticationError::WrongRole(
                        self.keys[terminal].reference.clone(),
                    ));
                }
                (
                    ChipState::TerminalSelected { terminal },
                    ResponseApdu::status_only(StatusWord::SUCCESS),
                )
            }
            (ChipState::TerminalSelected { terminal }, (INSTRUCTION_GET_CHALLENGE, 0, 0)) => {
                let challenge: [u8; 8] = draw_array(random)?;
                (
                    ChipState::Challenged {
                        terminal,
                        challenge,
                    },
                    ResponseApdu::success(challenge.to_vec()),
                )
            }
            (
                ChipState::Challenged {
                    terminal,
                    challenge,
                },
                (INSTRUCTION_EXTERNAL_AUTHENTICATE, 0, 0),
            ) => {
                self.verify_terminal_signature(terminal, &challenge, &command.data)?;
                let rights = self.keys[terminal].rights;
                (
                    ChipState::Authenticated { rights },
                    ResponseApdu::status_only(StatusWord::SUCCESS),
                )
            }
            _ => return Err(TerminalAuthenticationError::UnexpectedCommand),
        };
        self.state = next;
        Ok(response)
    }

    fn find_key(&self, command: &CommandApdu) -> Result<usize, TerminalAuthenticationError> {
        let reference = tlv::find(&command.data, TAG_KEY_REFERENCE)?.value;
        self.keys
            .iter()
            .position(|key| key.reference.as_bytes() == reference)
            .ok_or_else(|| {
                TerminalAuthenticationError::UnknownReference(
                    String::from_utf8_lossy(reference).into_owned(),
                )
            })
    }

    fn verify_certificate(
        &mut self,
        issuer: usize,
        content: &[u8],
    ) -> Result<(), TerminalAuthenticationError> {
        if self.keys.len() > CHAIN_LENGTH_MAX {
            return Err(TerminalAuthenticationError::ChainTooLong(self.keys.len()));
        }
        let certificate = CvCertificate::decode_content(content)?;
        let body = &certificate.body;
        let issuer = &self.keys[issuer];
        let fits = match issuer.role {
            Role::Cvca => body.role.is_document_verifier(),
            Role::DomesticDocumentVerifier | Role::ForeignDocumentVerifier => {
                body.role == Role::InspectionSystem
            }
            Role::InspectionSystem => false,
        };
        if !fits || body.authority_reference != issuer.reference {
            return Err(TerminalAuthenticationError::WrongRole(
                body.holder_reference.clone(),
            ));
        }
        let already_verified = self
            .verified
            .as_ref()
            .is_some_and(|verified| verified.contains(&issuer.public_key, content));
        if !already_verified && !certificate.is_signed_by(&issuer.public_key) {
            return Err(TerminalAuthenticationError::CertificateSignatureInvalid(
                body.holder_reference.clone(),
            ));
        }
        if body.expiration_date < self.current_date {
            return Err(TerminalAuthenticationError::CertificateExpired(
                body.holder_reference.clone(),
            ));
        }
        let rights = issuer.rights & body.rights;
        self.keys.push(TrustedKey {
            reference: body.holder_reference.clone(),
            public_key: body.public_key,
            role: body.role,
            rights,
        });
        Ok(())
    }

    fn verify_terminal_signature(
        &self,
        terminal: usize,
        challenge: &[u8; 8],
        signature: &[u8],
    ) -> Result<(), TerminalAuthenticationError> {
        let key = VerifyingKey::from_sec1_bytes(self.keys[terminal].public_key.as_bytes())
            .map_err(|_| TerminalAuthenticationError::SignatureInvalid)?;
        let signature = Signature::from_slice(signature)
            .map_err(|_| TerminalAuthenticationError::SignatureInvalid)?;
        let message = signed_message(&self.chip_identifier, challenge, &self.terminal_ephemeral);
        crate::curve::verify_p256_sha256(&key, &message, &signature)
            .then_some(())
            .ok_or(TerminalAuthenticationError::SignatureInvalid)
    }
}

#[cfg(test)]
mod tests;
