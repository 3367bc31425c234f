//! Chip authentication (ICAO 9303-11 section 6.2, ECDH with AES, the MSE:Set AT and GENERAL
//! AUTHENTICATE variant): the chip proves it holds the private key whose public half DG14
//! carries, by agreeing on fresh secure messaging keys with it.
//!
//! The terminal draws an ephemeral key pair on the chip key's curve and sends its public key;
//! both sides compute K = x(SK × PK) and switch to AES session keys KDF(K, 1) and KDF(K, 2)
//! with SSC = 0. Both commands and the GENERAL AUTHENTICATE response still travel under the
//! previous session (PACE or BAC); the caller switches sessions after that response. There
//! is no explicit confirmation: a chip without the private key (a clone) derives other keys,
//! and the terminal notices when the first response under the new session fails its MAC.

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::curve::{Curve, CurveError, Point, SecretScalar};
use crate::lds::ChipAuthenticationKey;
use crate::primitives::{self, KeyAlgorithm, KeyPurpose};
use crate::random::RandomBytes;
use crate::sm::{SecureMessaging, SessionCipher, SessionKeys};
use crate::tlv::{self, Tag, TlvError, TlvRef};

/// id-CA-ECDH-AES-CBC-CMAC-128, 0.4.0.127.0.7.2.2.3.2.2, as DER content bytes.
pub const CHIP_AUTHENTICATION_ECDH_AES_128: [u8; 10] =
    [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, 0x02];
/// MSE P1-P2 "set authentication template for internal authentication / key agreement".
const SET_KEY_AGREEMENT_TEMPLATE: [u8; 2] = [0x41, 0xA4];
const TAG_DYNAMIC_AUTHENTICATION_DATA: Tag = Tag(0x7C);
const TAG_EPHEMERAL_PUBLIC_KEY: Tag = Tag(0x80);

/// Why chip authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChipAuthenticationError {
    #[error("the chip answered {0}")]
    Refused(StatusWord),
    #[error("the command does not fit the current step")]
    UnexpectedCommand,
    #[error("the protocol is not supported")]
    UnsupportedProtocol,
    #[error("the authentication data is malformed: {0}")]
    Malformed(#[from] TlvError),
    #[error("a key is invalid: {0}")]
    InvalidKey(#[from] CurveError),
}

impl ChipAuthenticationError {
    /// The status word a chip answers with.
    pub fn status_word(&self) -> StatusWord {
        match self {
            ChipAuthenticationError::Refused(status) => *status,
            ChipAuthenticationError::UnexpectedCommand => {
                StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED
            }
            ChipAuthenticationError::InvalidKey(CurveError::Random(_)) => {
                StatusWord::NO_PRECISE_DIAGNOSIS
            }
            _ => StatusWord::WRONG_DATA,
        }
    }
}

fn session(
    curve: Curve,
    secret: &SecretScalar,
    public: &Point,
) -> Result<SecureMessaging, CurveError> {
    let shared = curve.multiply(secret, public)?.x();
    let keys = SessionKeys {
        cipher: SessionCipher::Aes128,
        encryption: primitives::derive_key(KeyAlgorithm::Aes128, &shared, KeyPurpose::Encryption),
        mac: primitives::derive_key(KeyAlgorithm::Aes128, &shared, KeyPurpose::Mac),
    };
    Ok(SecureMessaging::new(keys, 0))
}

/// The terminal side: one ephemeral key, two commands, then the new session.
#[derive(Debug, Clone)]
pub struct ChipAuthenticationTerminal {
    curve: Curve,
    chip_public: Point,
    secret: SecretScalar,
    ephemeral_public: Point,
}

impl ChipAuthenticationTerminal {
    /// Draws the ephemeral key for the chip key read from DG14.
    pub fn new(
        chip_key: &ChipAuthenticationKey,
        random: &mut dyn RandomBytes,
    ) -> Result<ChipAuthenticationTerminal, ChipAuthenticationError> {
        let secret = chip_key.curve.random_scalar(random)?;
        let ephemeral_public = chip_key.curve.public_point(&secret);
        Ok(ChipAuthenticationTerminal {
            curve: chip_key.curve,
            chip_public: chip_key.public_key,
            secret,
            ephemeral_public,
        })
    }

    /// PK_PCD: its x coordinate is what terminal authentication signs.
    pub fn ephemeral_public(&self) -> &Point {
        &self.ephemeral_public
    }

    /// MSE:Set AT, then GENERAL AUTHENTICATE with the ephemeral public key.
    pub fn commands(&self) -> [CommandApdu; 2] {
        let set = CommandApdu {
            class: 0x00,
            instruction: 0x22,
            parameter1: SET_KEY_AGREEMENT_TEMPLATE[0],
            parameter2: SET_KEY_AGREEMENT_TEMPLATE[1],
            data: tlv::encode(Tag(0x80), &CHIP_AUTHENTICATION_ECDH_AES_128),
            expected_length: None,
        };
        let inner = tlv::encode(TAG_EPHEMERAL_PUBLIC_KEY, self.ephemeral_public.as_bytes());
        let authenticate = CommandApdu {
            class: 0x00,
            instruction: 0x86,
            parameter1: 0,
            parameter2: 0,
            data: tlv::encode(TAG_DYNAMIC_AUTHENTICATION_DATA, &inner),
            expected_length: Some(256),
        };
        [set, authenticate]
    }

    /// The new session, given the (unprotected) responses to both commands.
    pub fn finish(
        &self,
        responses: [&ResponseApdu; 2],
    ) -> Result<SecureMessaging, ChipAuthenticationError> {
        for response in responses {
            if response.status != StatusWord::SUCCESS {
                return Err(ChipAuthenticationError::Refused(response.status));
            }
        }
        if !responses[1].data.is_empty() {
            TlvRef::decode_exact(&responses[1].data, TAG_DYNAMIC_AUTHENTICATION_DATA)?;
        }
        Ok(session(self.curve, &self.secret, &self.chip_public)?)
    }
}

/// What the chip answers.
#[derive(Debug, Clone)]
pub enum ChipAuthenticationOutput {
    Respond(ResponseApdu),
    /// Send `response` under the old session, then use `secure_messaging`.
    Established {
        response: ResponseApdu,
        secure_messaging: SecureMessaging,
        terminal_ephemeral_public: Point,
    },
}

/// The chip side; holds the chip authentication private key.
#[derive(Debug, Clone)]
pub struct ChipAuthenticationChip {
    curve: Curve,
    private_key: SecretScalar,
    selected: bool,
}

impl ChipAuthenticationChip {
    pub fn new(curve: Curve, private_key: SecretScalar) -> ChipAuthenticationChip {
        ChipAuthenticationChip {
            curve,
            private_key,
            selected: false,
        }
    }

    /// The public key DG14 must carry.
    pub fn public_key(&self) -> ChipAuthenticationKey {
        ChipAuthenticationKey {
            curve: self.curve,
            public_key: self.curve.public_point(&self.private_key),
        }
    }

    pub fn reset(&mut self) {
        self.selected = false;
    }

    /// Handles MSE:Set AT (41 A4) and GENERAL AUTHENTICATE.
    pub fn handle_command(
        &mut self,
        command: &CommandApdu,
    ) -> Result<ChipAuthenticationOutput, ChipAuthenticationError> {
        let selected = std::mem::replace(&mut self.selected, false);
        match (command.instruction, command.parameter1, command.parameter2) {
            (0x22, 0x41, 0xA4) => {
                let mechanism = tlv::find(&command.data, Tag(0x80))?;
                if mechanism.value != CHIP_AUTHENTICATION_ECDH_AES_128 {
                    return Err(ChipAuthenticationError::UnsupportedProtocol);
                }
                self.selected = true;
                Ok(ChipAuthenticationOutput::Respond(
                    ResponseApdu::status_only(StatusWord::SUCCESS),
                ))
            }
            (0x86, 0, 0) if selected && !command.is_chained() => {
                let template =
                    TlvRef::decode_exact(&command.data, TAG_DYNAMIC_AUTHENTICATION_DATA)?;
                let key = TlvRef::decode_exact(template.value, TAG_EPHEMERAL_PUBLIC_KEY)?;
                let terminal_ephemeral_public = self.curve.point(key.value)?;
                let secure_messaging =
                    session(self.curve, &self.private_key, &terminal_ephemeral_public)?;
                Ok(ChipAuthenticationOutput::Established {
                    response: ResponseApdu::success(tlv::encode(
                        TAG_DYNAMIC_AUTHENTICATION_DATA,
                        &[],
                    )),
                    secure_messaging,
                    terminal_ephemeral_public,
                })
            }
            _ => Err(ChipAuthenticationError::UnexpectedCommand),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hkic_base::seed_stream;
    use proptest::prelude::*;

    /// Runs chip authentication; returns the terminal's and the chip's sessions.
    pub(crate) fn run(
        chip: &mut ChipAuthenticationChip,
        announced: &ChipAuthenticationKey,
        seed: u64,
    ) -> (SecureMessaging, SecureMessaging) {
        let terminal = ChipAuthenticationTerminal::new(announced, &mut seed_stream(seed)).unwrap();
        let [set, authenticate] = terminal.commands();
        let ChipAuthenticationOutput::Respond(first) = chip.handle_command(&set).unwrap() else {
            panic!("MSE:Set AT should not establish a session");
        };
        let ChipAuthenticationOutput::Established {
            response,
            secure_messaging,
            terminal_ephemeral_public,
        } = chip.handle_command(&authenticate).unwrap()
        else {
            panic!("GENERAL AUTHENTICATE should establish a session");
        };
        assert_eq!(&terminal_ephemeral_public, terminal.ephemeral_public());
        (
            terminal.finish([&first, &response]).unwrap(),
            secure_messaging,
        )
    }

    fn chip(seed: u64) -> ChipAuthenticationChip {
        let curve = Curve::NistP256;
        ChipAuthenticationChip::new(curve, curve.random_scalar(&mut seed_stream(seed)).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        #[test]
        fn genuine_chip_and_terminal_agree(chip_seed in any::<u64>(), terminal_seed in any::<u64>()) {
            let mut chip = chip(chip_seed);
            let announced = chip.public_key();
            let (mut terminal_session, mut chip_session) = run(&mut chip, &announced, terminal_seed);
            prop_assert_eq!(terminal_session.keys(), chip_session.keys());
            let command = terminal_session.protect_command(&CommandApdu::new([0, 0xB0, 0x81, 0], vec![], Some(4)).unwrap()).unwrap();
            prop_assert!(chip_session.unprotect_command(&command).is_ok());
        }
    }

    #[test]
    fn cloned_chip_without_the_private_key_is_found_out() {
        let genuine = chip(1);
        let announced = genuine.public_key();
        let mut clone = chip(2);
        let (mut terminal_session, mut clone_session) = run(&mut clone, &announced, 3);
        assert_ne!(terminal_session.keys(), clone_session.keys());
        let command = CommandApdu::new([0, 0xB0, 0x81, 0], vec![], Some(4)).unwrap();
        terminal_session.protect_command(&command).unwrap();
        let response =
            clone_session.protect_response(&ResponseApdu::success(vec![0x61, 0x02, 0, 0]));
        assert!(terminal_session.unprotect_response(&response).is_err());
    }

    #[test]
    fn chip_refuses_authenticate_without_set_and_bad_keys() {
        let mut chip = chip(1);
        let terminal =
            ChipAuthenticationTerminal::new(&chip.public_key(), &mut seed_stream(2)).unwrap();
        let [set, authenticate] = terminal.commands();
        let error = chip.handle_command(&authenticate).unwrap_err();
        assert_eq!(
            error.status_word(),
            StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED
        );
        chip.handle_command(&set).unwrap();
        let mut bad = authenticate.clone();
        let last = bad.data.len() - 1;
        bad.data[last] ^= 1;
        assert_eq!(
            chip.handle_command(&bad).unwrap_err().status_word(),
            StatusWord::WRONG_DATA
        );
    }
}
