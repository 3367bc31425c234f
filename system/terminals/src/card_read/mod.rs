//! Reading an identity card's chip, as a gate, a kiosk or a verifier does: one procedure
//! from activation to one verdict.
//!
//! Sans-IO: [`CardReader`] never touches a reader device. It asks for the card to be
//! activated and for command bytes to be sent ([`CardReadOutput`]); the caller (the
//! simulator with an emulated chip, or a PC/SC program with a real one) answers with
//! [`CardReadInput`]s. Time and transmission cost are the caller's; randomness (PACE, BAC
//! and chip-authentication keys) comes from the [`Stream`] handed in.
//!
//! The procedure: PACE with the CAN (or BAC with the MRZ key material); DG1, DG14 and the SOD
//! (and DG2 when asked); passive authentication up to the trusted CSCAs (a Document Signer
//! certificate in [`CardReadConfig::verified_document_signers`] is not verified again, the
//! SOD's signature always is); the revocation list; chip authentication; and, with terminal
//! credentials, terminal authentication and DG3, checked against the hashes of the SOD
//! verified before. It ends in one [`CardVerdict`]: the first failed check decides, in that
//! order.
//!
//! Retries: a transmission failure (field lost, collision, worn contacts) restarts the read
//! from activation, up to [`CardReadConfig::attempts_max`] attempts; then the verdict is
//! unreadable. A refused CAN is not retried (each attempt would count against the chip's
//! retry counter).
//!
//! [`FirstGenerationReader`] reads the first-generation card at the registration kiosk the
//! same way (mutual authentication with the kiosk's issuer key, then the holder's data and
//! thumbprints).
//!
//! Persists nothing. Invariant: exactly one output is pending after each input until the
//! read finishes; after [`CardReadOutput::Finished`] the reader produces nothing more.

mod access;
mod file_read;
mod first_generation;
mod procedure;
mod revocation;
mod verdict;

pub use access::CardAccessKey;
pub use file_read::FileReadError;
pub use first_generation::{FirstGenerationOutput, FirstGenerationReader, FirstGenerationVerdict};
pub use revocation::{RevocationList, serial_of};
pub use verdict::{CardReadReport, CardVerdict, HolderRecord};

use hkic_base::Stream;
use hkic_protocol::cvc::{CvCertificate, SigningKey};
use hkic_protocol::pa::{Certificate, VerifiedDocumentSigners};
use procedure::{Procedure, Step};
use std::sync::Arc;

/// The credentials of a terminal allowed to read DG3: its CV certificate chain (document
/// verifier, then terminal) and the terminal's private key.
#[derive(Debug, Clone)]
pub struct TerminalCredentials {
    pub chain: Vec<CvCertificate>,
    pub key: SigningKey,
}

/// How to read a card.
#[derive(Debug, Clone)]
pub struct CardReadConfig {
    pub access_key: CardAccessKey,
    pub trusted_cscas: Vec<Certificate>,
    /// Document Signer certificates this reader has already verified against its trusted
    /// CSCAs (shared by every read of the reader; empty: verify each at every read).
    pub verified_document_signers: Arc<VerifiedDocumentSigners>,
    pub revocation_list: Option<RevocationList>,
    pub terminal: Option<TerminalCredentials>,
    /// Read DG2 (the facial image) too.
    pub read_facial_image: bool,
    /// Bytes per READ BINARY: up to 255 uses short Le, more uses extended Le.
    pub chunk_length: u32,
    /// Attempts, counting the first, before transmission failures make the card unreadable.
    pub attempts_max: u8,
}

impl CardReadConfig {
    /// Short-Le chunks whose protected response still fits 256 bytes (223 bytes pad to 224,
    /// plus DO'87', DO'99' and DO'8E').
    pub const DEFAULT_CHUNK_LENGTH: u32 = 223;
    pub const DEFAULT_ATTEMPTS_MAX: u8 = 3;

    /// A read with `access_key` trusting `trusted_cscas`: no verified Document Signers, no
    /// revocation list, no terminal authentication, no facial image, default chunks and
    /// attempts.
    pub fn new(access_key: CardAccessKey, trusted_cscas: Vec<Certificate>) -> CardReadConfig {
        CardReadConfig {
            access_key,
            trusted_cscas,
            verified_document_signers: Arc::default(),
            revocation_list: None,
            terminal: None,
            read_facial_image: false,
            chunk_length: CardReadConfig::DEFAULT_CHUNK_LENGTH,
            attempts_max: CardReadConfig::DEFAULT_ATTEMPTS_MAX,
        }
    }
}

/// What the caller tells the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardReadInput {
    /// The card is powered (contacts) or in the field, and answered to reset.
    Activated,
    /// The response APDU to the last command (data ‖ SW1 SW2).
    Response(Vec<u8>),
    /// The activation or the last exchange failed on the link.
    TransmissionFailed,
}

/// What the reader asks of the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardReadOutput {
    /// Power the card (again): answer [`CardReadInput::Activated`] or `TransmissionFailed`.
    Activate,
    /// Send these command bytes: answer `Response` or `TransmissionFailed`.
    Transmit(Vec<u8>),
    Finished(Box<CardReadReport>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    Activation,
    Response,
    Nothing,
}

/// The card read procedure; see the module documentation.
#[derive(Debug)]
pub struct CardReader {
    config: CardReadConfig,
    random: Stream,
    procedure: Option<Procedure>,
    waiting: Waiting,
    output: Option<CardReadOutput>,
    attempts: u8,
    commands_sent: u32,
}

impl CardReader {
    pub fn new(config: CardReadConfig, random: Stream) -> CardReader {
        CardReader {
            config,
            random,
            procedure: None,
            waiting: Waiting::Activation,
            output: Some(CardReadOutput::Activate),
            attempts: 1,
            commands_sent: 0,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.waiting == Waiting::Nothing
    }

    pub fn poll_output(&mut self) -> Option<CardReadOutput> {
        self.output.take()
    }

    pub fn handle_input(&mut self, input: CardReadInput) {
        match (self.waiting, input) {
            (Waiting::Nothing, _) => {}
            (_, CardReadInput::TransmissionFailed) => self.retry(),
            (Waiting::Activation, CardReadInput::Activated) => {
                let (procedure, command) = Procedure::start(&self.config);
                self.procedure = Some(procedure);
                self.transmit(command);
            }
            (Waiting::Response, CardReadInput::Response(bytes)) => {
                let step = match self.procedure.as_mut() {
                    Some(procedure) => {
                        procedure.handle_response(&self.config, &mut self.random, &bytes)
                    }
                    None => procedure::unreadable("no read in progress"),
                };
                match step {
                    Step::Send(command) => self.transmit(command),
                    Step::Finish(verdict) => self.finish(verdict),
                }
            }
            (_, input) => self.finish(CardVerdict::Unreadable {
                reason: format!("the reader was driven out of order: {input:?}"),
            }),
        }
    }

    fn transmit(&mut self, command: Vec<u8>) {
        self.commands_sent += 1;
        self.waiting = Waiting::Response;
        self.output = Some(CardReadOutput::Transmit(command));
    }

    fn retry(&mut self) {
        if self.attempts >= self.config.attempts_max {
            let attempts = self.attempts;
            return self.finish(CardVerdict::Unreadable {
                reason: format!("transmission failed on {attempts} attempts"),
            });
        }
        self.attempts += 1;
        self.procedure = None;
        self.waiting = Waiting::Activation;
        self.output = Some(CardReadOutput::Activate);
    }

    fn finish(&mut self, verdict: CardVerdict) {
        let collected = self.procedure.take().map(|procedure| procedure.collected);
        let (holder, dg3_refused) = match collected {
            Some(collected) => (collected.holder, collected.dg3_refused),
            None => (None, None),
        };
        self.waiting = Waiting::Nothing;
        self.output = Some(CardReadOutput::Finished(Box::new(CardReadReport {
            verdict,
            holder,
            dg3_refused,
            attempts: self.attempts,
            commands_sent: self.commands_sent,
        })));
    }
}
