//! PACE with the generic mapping over ECDH, AES-128 and CMAC (ICAO 9303-11 section 4.4,
//! protocol id-PACE-ECDH-GM-AES-CBC-CMAC-128), both sides as step-by-step state machines.
//!
//! The password is the card access number (reference 02), the one a Hong Kong card uses, or
//! the MRZ key material (reference 01), the one the Appendix G.1 example uses. The exchange:
//! MSE:Set AT, then four chained GENERAL AUTHENTICATE commands (encrypted nonce; mapping
//! keys; ephemeral keys; authentication tokens). Both sides end with an AES secure messaging
//! session whose SSC starts at zero.
//!
//! Randomness, in draw order: the chip draws the nonce s (16 bytes), its mapping key, then
//! its ephemeral key; the terminal draws its mapping key, then its ephemeral key. Scalars are
//! rejection sampled 32 bytes at a time (see [`Curve::random_scalar`]).
//!
//! The chip state machine accepts any command and answers every wrong one with a status
//! word; after any error it returns to idle, so the terminal must start again with MSE:Set AT.
//! Counting wrong passwords (and blocking with 6983) belongs to the chip emulator: it sees
//! [`PaceError::is_wrong_password`].

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::curve::{Curve, CurveError, Point, SecretScalar};
use crate::mrz::MrzKeyMaterial;
use crate::primitives::{self, KeyAlgorithm, KeyPurpose};
use crate::random::{RandomBytes, RandomExhausted, draw_array};
use crate::sm::{SecureMessaging, SessionCipher, SessionKeys};
use crate::tlv::{self, Tag, TlvError, TlvRef};

/// id-PACE-ECDH-GM-AES-CBC-CMAC-128, 0.4.0.127.0.7.2.2.4.2.2, as DER content bytes.
pub const PACE_ECDH_GM_AES_128: [u8; 10] =
    [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02];
pub const INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT: u8 = 0x22;
pub const INSTRUCTION_GENERAL_AUTHENTICATE: u8 = 0x86;
/// MSE P1-P2 for "set authentication template for mutual authentication".
const SET_AUTHENTICATION_TEMPLATE: [u8; 2] = [0xC1, 0xA4];
const TAG_DYNAMIC_AUTHENTICATION_DATA: Tag = Tag(0x7C);
const TAG_PUBLIC_KEY: Tag = Tag(0x7F49);
const TAG_CRYPTOGRAPHIC_MECHANISM: Tag = Tag(0x80);
const TAG_PASSWORD_REFERENCE: Tag = Tag(0x83);
const TAG_DOMAIN_PARAMETER_ID: Tag = Tag(0x84);
const TAG_OBJECT_IDENTIFIER: Tag = Tag(0x06);
const TAG_PUBLIC_POINT: Tag = Tag(0x86);
/// Length of the PACE nonce s: one AES block.
const NONCE_LENGTH: usize = 16;

/// Which password PACE runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordReference {
    Mrz = 1,
    Can = 2,
}

/// A PACE password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacePassword {
    Mrz(MrzKeyMaterial),
    /// The card access number printed on the card face (six digits on our cards).
    Can(String),
}

impl PacePassword {
    pub fn reference(&self) -> PasswordReference {
        match self {
            PacePassword::Mrz(_) => PasswordReference::Mrz,
            PacePassword::Can(_) => PasswordReference::Can,
        }
    }

    /// K_π = KDF_π(f(π)): f is SHA-1 of the MRZ information, or the CAN's bytes.
    pub fn key(&self) -> [u8; 16] {
        let seed = match self {
            PacePassword::Mrz(material) => {
                primitives::sha1(material.mrz_information().as_bytes()).to_vec()
            }
            PacePassword::Can(can) => can.as_bytes().to_vec(),
        };
        primitives::derive_key(KeyAlgorithm::Aes128, &seed, KeyPurpose::Password)
    }
}

/// Why a PACE step failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaceError {
    #[error("the chip answered {0}")]
    Refused(StatusWord),
    #[error("the command does not fit the current PACE step")]
    UnexpectedCommand,
    #[error("the protocol or domain parameters are not supported")]
    UnsupportedProtocol,
    #[error("the chip holds no password with reference {0}")]
    UnknownPassword(u8),
    #[error("the authentication data is malformed: {0}")]
    Malformed(String),
    #[error("a public key is invalid: {0}")]
    InvalidKey(#[from] CurveError),
    #[error("both sides sent the same ephemeral public key")]
    IdenticalKeys,
    #[error("the authentication token does not verify: wrong password or tampering")]
    TokenMismatch,
    #[error("PACE is already finished")]
    Finished,
    #[error(transparent)]
    Random(#[from] RandomExhausted),
}

impl From<TlvError> for PaceError {
    fn from(error: TlvError) -> PaceError {
        PaceError::Malformed(error.to_string())
    }
}

impl PaceError {
    /// The status word a chip answers with.
    pub fn status_word(&self) -> StatusWord {
        match self {
            PaceError::Refused(status) => *status,
            PaceError::UnexpectedCommand | PaceError::Finished => {
                StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED
            }
            PaceError::UnknownPassword(_) => StatusWord::REFERENCED_DATA_NOT_FOUND,
            PaceError::TokenMismatch => StatusWord::AUTHENTICATION_FAILED,
            PaceError::Random(_) => StatusWord::NO_PRECISE_DIAGNOSIS,
            PaceError::UnsupportedProtocol
            | PaceError::Malformed(_)
            | PaceError::InvalidKey(_)
            | PaceError::IdenticalKeys => StatusWord::WRONG_DATA,
        }
    }

    /// True when the failure means the terminal used a wrong password.
    pub fn is_wrong_password(&self) -> bool {
        matches!(self, PaceError::TokenMismatch)
    }
}

/// What both sides hold after PACE.
#[derive(Debug, Clone)]
pub struct PaceOutcome {
    pub secure_messaging: SecureMessaging,
    pub curve: Curve,
    /// PK_IC: its x coordinate is ID_PICC for terminal authentication.
    pub chip_ephemeral_public: Point,
    pub terminal_ephemeral_public: Point,
}

/// MSE:Set AT selecting PACE with the password `reference`; DO'84' names the domain
/// parameters when given (a card with a single PACEInfo needs none).
pub fn set_authentication_template(
    reference: PasswordReference,
    domain_parameter: Option<Curve>,
) -> CommandApdu {
    let mut data = Vec::with_capacity(20);
    tlv::append(
        &mut data,
        TAG_CRYPTOGRAPHIC_MECHANISM,
        &PACE_ECDH_GM_AES_128,
    );
    tlv::append(&mut data, TAG_PASSWORD_REFERENCE, &[reference as u8]);
    if let Some(curve) = domain_parameter {
        tlv::append(
            &mut data,
            TAG_DOMAIN_PARAMETER_ID,
            &[curve.standardized_parameter_id()],
        );
    }
    CommandApdu {
        class: 0x00,
        instruction: INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT,
        parameter1: SET_AUTHENTICATION_TEMPLATE[0],
        parameter2: SET_AUTHENTICATION_TEMPLATE[1],
        data,
        expected_length: None,
    }
}

/// GENERAL AUTHENTICATE carrying `7C { tag value }` (or an empty 7C for step 1).
fn general_authenticate(chained: bool, inner: Option<(Tag, &[u8])>) -> CommandApdu {
    let mut content = Vec::with_capacity(70);
    if let Some((tag, value)) = inner {
        tlv::append(&mut content, tag, value);
    }
    CommandApdu {
        class: if chained { 0x10 } else { 0x00 },
        instruction: INSTRUCTION_GENERAL_AUTHENTICATE,
        parameter1: 0,
        parameter2: 0,
        data: tlv::encode(TAG_DYNAMIC_AUTHENTICATION_DATA, &content),
        expected_length: Some(256),
    }
}

/// `7C { tag value }` as a successful response.
fn dynamic_authentication_response(tag: Tag, value: &[u8]) -> ResponseApdu {
    ResponseApdu::success(tlv::encode(
        TAG_DYNAMIC_AUTHENTICATION_DATA,
        &tlv::encode(tag, value),
    ))
}

/// The value of `tag` inside the 7C template that fills `data`.
fn dynamic_authentication_value(data: &[u8], tag: Tag) -> Result<&[u8], PaceError> {
    let template = TlvRef::decode_exact(data, TAG_DYNAMIC_AUTHENTICATION_DATA)?;
    let inner = TlvRef::decode_exact(template.value, tag)?;
    Ok(inner.value)
}

/// The session keys and the two authentication tokens' inputs.
fn session_keys(
    curve: Curve,
    secret: &SecretScalar,
    other_public: &Point,
) -> Result<SessionKeys, PaceError> {
    let shared = curve.multiply(secret, other_public)?.x();
    Ok(SessionKeys {
        cipher: SessionCipher::Aes128,
        encryption: primitives::derive_key(KeyAlgorithm::Aes128, &shared, KeyPurpose::Encryption),
        mac: primitives::derive_key(KeyAlgorithm::Aes128, &shared, KeyPurpose::Mac),
    })
}

/// T = CMAC(KS_mac, 7F49 { 06 OID, 86 point }) truncated to 8 bytes.
pub(crate) fn authentication_token(mac_key: &[u8; 16], protocol: &[u8], public: &Point) -> [u8; 8] {
    let mut content = Vec::with_capacity(80);
    tlv::append(&mut content, TAG_OBJECT_IDENTIFIER, protocol);
    tlv::append(&mut content, TAG_PUBLIC_POINT, public.as_bytes());
    primitives::aes_cmac_truncated(mac_key, &tlv::encode(TAG_PUBLIC_KEY, &content))
}

fn decrypt_nonce(
    password_key: &[u8; 16],
    encrypted: &[u8],
) -> Result<[u8; NONCE_LENGTH], PaceError> {
    let mut nonce: [u8; NONCE_LENGTH] = encrypted.try_into().map_err(|_| {
        PaceError::Malformed(format!("the encrypted nonce has {} bytes", encrypted.len()))
    })?;
    primitives::aes_cbc_decrypt(password_key, &[0; 16], &mut nonce);
    Ok(nonce)
}

#[derive(Debug, Clone)]
enum TerminalState {
    AwaitingSetAuthenticationTemplate,
    AwaitingNonce,
    AwaitingMappingKey {
        nonce: [u8; NONCE_LENGTH],
        secret: SecretScalar,
    },
    AwaitingEphemeralKey {
        secret: SecretScalar,
        public: Point,
    },
    AwaitingToken {
        keys: SessionKeys,
        chip_public: Point,
        terminal_public: Point,
    },
    Finished,
}

/// What the terminal does next.
#[derive(Debug, Clone)]
pub enum PaceTerminalStep {
    Send(CommandApdu),
    Established(PaceOutcome),
}

/// The terminal side of PACE.
#[derive(Debug, Clone)]
pub struct PaceTerminal {
    password_key: [u8; 16],
    curve: Curve,
    state: TerminalState,
}

impl PaceTerminal {
    /// Starts PACE; the returned command is MSE:Set AT. `send_domain_parameter` adds DO'84'
    /// (needed only when the card offers several PACEInfos).
    pub fn start(
        password: &PacePassword,
        curve: Curve,
        send_domain_parameter: bool,
    ) -> (PaceTerminal, CommandApdu) {
        let terminal = PaceTerminal {
            password_key: password.key(),
            curve,
            state: TerminalState::AwaitingSetAuthenticationTemplate,
        };
        let domain_parameter = send_domain_parameter.then_some(curve);
        (
            terminal,
            set_authentication_template(password.reference(), domain_parameter),
        )
    }

    /// Consumes the chip's answer to the last command and gives the next step.
    pub fn handle_response(
        &mut self,
        response: &ResponseApdu,
        random: &mut dyn RandomBytes,
    ) -> Result<PaceTerminalStep, PaceError> {
        let state = std::mem::replace(&mut self.state, TerminalState::Finished);
        if response.status != StatusWord::SUCCESS {
            return Err(PaceError::Refused(response.status));
        }
        let (next_state, step) = match state {
            TerminalState::AwaitingSetAuthenticationTemplate => (
                TerminalState::AwaitingNonce,
                PaceTerminalStep::Send(general_authenticate(true, None)),
            ),
            TerminalState::AwaitingNonce => self.send_mapping_key(response, random)?,
            TerminalState::AwaitingMappingKey { nonce, secret } => {
                self.send_ephemeral_key(response, &nonce, &secret, random)?
            }
            TerminalState::AwaitingEphemeralKey { secret, public } => {
                self.send_token(response, &secret, public)?
            }
            TerminalState::AwaitingToken {
                keys,
                chip_public,
                terminal_public,
            } => self.check_chip_token(response, keys, chip_public, terminal_public)?,
            TerminalState::Finished => return Err(PaceError::Finished),
        };
        self.state = next_state;
        Ok(step)
    }

    fn send_mapping_key(
        &self,
        response: &ResponseApdu,
        random: &mut dyn RandomBytes,
    ) -> Result<(TerminalState, PaceTerminalStep), PaceError> {
        let encrypted = dynamic_authentication_value(&response.data, Tag(0x80))?;
        let nonce = decrypt_nonce(&self.password_key, encrypted)?;
        let secret = self.curve.random_scalar(random)?;
        let public = self.curve.public_point(&secret);
        let command = general_authenticate(true, Some((Tag(0x81), public.as_bytes())));
        Ok((
            TerminalState::AwaitingMappingKey { nonce, secret },
            PaceTerminalStep::Send(command),
        ))
    }

    fn send_ephemeral_key(
        &self,
        response: &ResponseApdu,
        nonce: &[u8; NONCE_LENGTH],
        mapping_secret: &SecretScalar,
        random: &mut dyn RandomBytes,
    ) -> Result<(TerminalState, PaceTerminalStep), PaceError> {
        let chip_mapping = self
            .curve
            .point(dynamic_authentication_value(&response.data, Tag(0x82))?)?;
        let shared = self.curve.multiply(mapping_secret, &chip_mapping)?;
        let generator = self.curve.map_generator(nonce, &shared)?;
        let secret = self.curve.random_scalar(random)?;
        let public = self.curve.multiply(&secret, &generator)?;
        let command = general_authenticate(true, Some((Tag(0x83), public.as_bytes())));
        Ok((
            TerminalState::AwaitingEphemeralKey { secret, public },
            PaceTerminalStep::Send(command),
        ))
    }

    fn send_token(
        &self,
        response: &ResponseApdu,
        secret: &SecretScalar,
        terminal_public: Point,
    ) -> Result<(TerminalState, PaceTerminalStep), PaceError> {
        let chip_public = self
            .curve
            .point(dynamic_authentication_value(&response.data, Tag(0x84))?)?;
        if chip_public == terminal_public {
            return Err(PaceError::IdenticalKeys);
        }
        let keys = session_keys(self.curve, secret, &chip_public)?;
        let token = authentication_token(&keys.mac, &PACE_ECDH_GM_AES_128, &chip_public);
        let command = general_authenticate(false, Some((Tag(0x85), &token)));
        let state = TerminalState::AwaitingToken {
            keys,
            chip_public,
            terminal_public,
        };
        Ok((state, PaceTerminalStep::Send(command)))
    }

    fn check_chip_token(
        &self,
        response: &ResponseApdu,
        keys: SessionKeys,
        chip_public: Point,
        terminal_public: Point,
    ) -> Result<(TerminalState, PaceTerminalStep), PaceError> {
        let template = TlvRef::decode_exact(&response.data, TAG_DYNAMIC_AUTHENTICATION_DATA)?;
        // The chip may add certification authority references (87, 88) after the token.
        let received = template.child(Tag(0x86))?.value;
        let expected = authentication_token(&keys.mac, &PACE_ECDH_GM_AES_128, &terminal_public);
        if !primitives::mac_equal(&expected, received) {
            return Err(PaceError::TokenMismatch);
        }
        let outcome = PaceOutcome {
            secure_messaging: SecureMessaging::new(keys, 0),
            curve: self.curve,
            chip_ephemeral_public: chip_public,
            terminal_ephemeral_public: terminal_public,
        };
        Ok((
            TerminalState::Finished,
            PaceTerminalStep::Established(outcome),
        ))
    }
}

/// The passwords a chip accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipPasswords {
    pub can: Option<String>,
    pub mrz: Option<MrzKeyMaterial>,
}

impl ChipPasswords {
    fn key(&self, reference: u8) -> Option<[u8; 16]> {
        match reference {
            1 => self.mrz.clone().map(|mrz| PacePassword::Mrz(mrz).key()),
            2 => self.can.clone().map(|can| PacePassword::Can(can).key()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
enum ChipState {
    Idle,
    AwaitingNonceRequest {
        password_key: [u8; 16],
    },
    AwaitingMappingKey {
        nonce: [u8; NONCE_LENGTH],
    },
    AwaitingEphemeralKey {
        generator: Point,
    },
    AwaitingToken {
        keys: SessionKeys,
        chip_public: Point,
        terminal_public: Point,
    },
}

/// What the chip answers.
#[derive(Debug, Clone)]
pub enum PaceChipOutput {
    Respond(ResponseApdu),
    /// The final response, and the session that protects every later APDU.
    Established {
        response: ResponseApdu,
        outcome: PaceOutcome,
    },
}

/// The chip side of PACE.
#[derive(Debug, Clone)]
pub struct PaceChip {
    passwords: ChipPasswords,
    curve: Curve,
    state: ChipState,
}

impl PaceChip {
    pub fn new(passwords: ChipPasswords, curve: Curve) -> PaceChip {
        PaceChip {
            passwords,
            curve,
            state: ChipState::Idle,
        }
    }

    /// True between MSE:Set AT and the last GENERAL AUTHENTICATE.
    pub fn is_in_progress(&self) -> bool {
        !matches!(self.state, ChipState::Idle)
    }

    /// Forgets any exchange in progress (power off, reset, another protocol starting).
    pub fn reset(&mut self) {
        self.state = ChipState::Idle;
    }

    /// Handles MSE:Set AT or GENERAL AUTHENTICATE. Any error leaves the chip idle.
    pub fn handle_command(
        &mut self,
        command: &CommandApdu,
        random: &mut dyn RandomBytes,
    ) -> Result<PaceChipOutput, PaceError> {
        let state = std::mem::replace(&mut self.state, ChipState::Idle);
        if command.instruction == INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT {
            return self.handle_set_authentication_template(command);
        }
        let is_last_step = matches!(state, ChipState::AwaitingToken { .. });
        if command.instruction != INSTRUCTION_GENERAL_AUTHENTICATE
            || command.header()[2..] != [0, 0]
            || command.is_chained() == is_last_step
        {
            return Err(PaceError::UnexpectedCommand);
        }
        let (next_state, output) = match state {
            ChipState::Idle => return Err(PaceError::UnexpectedCommand),
            ChipState::AwaitingNonceRequest { password_key } => {
                self.send_nonce(command, &password_key, random)?
            }
            ChipState::AwaitingMappingKey { nonce } => {
                self.send_mapping_key(command, &nonce, random)?
            }
            ChipState::AwaitingEphemeralKey { generator } => {
                self.send_ephemeral_key(command, &generator, random)?
            }
            ChipState::AwaitingToken {
                keys,
                chip_public,
                terminal_public,
            } => self.check_terminal_token(command, keys, chip_public, terminal_public)?,
        };
        self.state = next_state;
        Ok(output)
    }

    fn handle_set_authentication_template(
        &mut self,
        command: &CommandApdu,
    ) -> Result<PaceChipOutput, PaceError> {
        if command.header()[2..] != SET_AUTHENTICATION_TEMPLATE {
            return Err(PaceError::UnexpectedCommand);
        }
        let mechanism = tlv::find(&command.data, TAG_CRYPTOGRAPHIC_MECHANISM)?;
        if mechanism.value != PACE_ECDH_GM_AES_128 {
            return Err(PaceError::UnsupportedProtocol);
        }
        if let Ok(parameter) = tlv::find(&command.data, TAG_DOMAIN_PARAMETER_ID)
            && parameter.value != [self.curve.standardized_parameter_id()]
        {
            return Err(PaceError::UnsupportedProtocol);
        }
        let reference = match tlv::find(&command.data, TAG_PASSWORD_REFERENCE)?.value {
            [reference] => *reference,
            other => {
                return Err(PaceError::Malformed(format!(
                    "password reference of {} bytes",
                    other.len()
                )));
            }
        };
        let password_key = self
            .passwords
            .key(reference)
            .ok_or(PaceError::UnknownPassword(reference))?;
        self.state = ChipState::AwaitingNonceRequest { password_key };
        Ok(PaceChipOutput::Respond(ResponseApdu::status_only(
            StatusWord::SUCCESS,
        )))
    }

    fn send_nonce(
        &self,
        command: &CommandApdu,
        password_key: &[u8; 16],
        random: &mut dyn RandomBytes,
    ) -> Result<(ChipState, PaceChipOutput), PaceError> {
        let template = TlvRef::decode_exact(&command.data, TAG_DYNAMIC_AUTHENTICATION_DATA)?;
        if !template.value.is_empty() {
            return Err(PaceError::Malformed("step 1 carries data".to_owned()));
        }
        let nonce: [u8; NONCE_LENGTH] = draw_array(random)?;
        let mut encrypted = nonce;
        primitives::aes_cbc_encrypt(password_key, &[0; 16], &mut encrypted);
        let response = dynamic_authentication_response(Tag(0x80), &encrypted);
        Ok((
            ChipState::AwaitingMappingKey { nonce },
            PaceChipOutput::Respond(response),
        ))
    }

    fn send_mapping_key(
        &self,
        command: &CommandApdu,
        nonce: &[u8; NONCE_LENGTH],
        random: &mut dyn RandomBytes,
    ) -> Result<(ChipState, PaceChipOutput), PaceError> {
        let terminal_mapping = self
            .curve
            .point(dynamic_authentication_value(&command.data, Tag(0x81))?)?;
        let secret = self.curve.random_scalar(random)?;
        let public = self.curve.public_point(&secret);
        let shared = self.curve.multiply(&secret, &terminal_mapping)?;
        let generator = self.curve.map_generator(nonce, &shared)?;
        let response = dynamic_authentication_response(Tag(0x82), public.as_bytes());
        Ok((
            ChipState::AwaitingEphemeralKey { generator },
            PaceChipOutput::Respond(response),
        ))
    }

    fn send_ephemeral_key(
        &self,
        command: &CommandApdu,
        generator: &Point,
        random: &mut dyn RandomBytes,
    ) -> Result<(ChipState, PaceChipOutput), PaceError> {
        let terminal_public = self
            .curve
            .point(dynamic_authentication_value(&command.data, Tag(0x83))?)?;
        let secret = self.curve.random_scalar(random)?;
        let chip_public = self.curve.multiply(&secret, generator)?;
        if chip_public == terminal_public {
            return Err(PaceError::IdenticalKeys);
        }
        let keys = session_keys(self.curve, &secret, &terminal_public)?;
        let response = dynamic_authentication_response(Tag(0x84), chip_public.as_bytes());
        let state = ChipState::AwaitingToken {
            keys,
            chip_public,
            terminal_public,
        };
        Ok((state, PaceChipOutput::Respond(response)))
    }

    fn check_terminal_token(
        &self,
        command: &CommandApdu,
        keys: SessionKeys,
        chip_public: Point,
        terminal_public: Point,
    ) -> Result<(ChipState, PaceChipOutput), PaceError> {
        let received = dynamic_authentication_value(&command.data, Tag(0x85))?;
        let expected = authentication_token(&keys.mac, &PACE_ECDH_GM_AES_128, &chip_public);
        if !primitives::mac_equal(&expected, received) {
            return Err(PaceError::TokenMismatch);
        }
        let token = authentication_token(&keys.mac, &PACE_ECDH_GM_AES_128, &terminal_public);
        let response = dynamic_authentication_response(Tag(0x86), &token);
        let outcome = PaceOutcome {
            secure_messaging: SecureMessaging::new(keys, 0),
            curve: self.curve,
            chip_ephemeral_public: chip_public,
            terminal_ephemeral_public: terminal_public,
        };
        Ok((
            ChipState::Idle,
            PaceChipOutput::Established { response, outcome },
        ))
    }
}

#[cfg(test)]
mod tests;
