//! Basic Access Control (ICAO 9303-11 section 4.3 and Appendix D): mutual authentication
//! with keys derived from the MRZ, ending in a 3DES secure messaging session.
//!
//! Terminal: [`challenge_command`], then [`BacTerminal::authenticate_command`] with the
//! chip's challenge (draws RND.IFD, then K.IFD), then [`BacTerminal::finish`] with the
//! EXTERNAL AUTHENTICATE response. Chip: [`BacChip::handle_get_challenge`] (draws RND.ICC),
//! then [`BacChip::handle_external_authenticate`] (draws K.ICC). Both end with the same
//! [`SecureMessaging`] session, SSC = RND.ICC[4..8] ‖ RND.IFD[4..8].

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::mrz::MrzKeyMaterial;
use crate::primitives::{self, KeyAlgorithm, KeyPurpose};
use crate::random::{RandomBytes, RandomExhausted, draw_array};
use crate::sm::{SecureMessaging, SessionCipher, SessionKeys};

pub const INSTRUCTION_GET_CHALLENGE: u8 = 0x84;
pub const INSTRUCTION_EXTERNAL_AUTHENTICATE: u8 = 0x82;
/// E_IFD ‖ M_IFD and E_ICC ‖ M_ICC: 32 bytes of cryptogram and an 8-byte MAC.
const AUTHENTICATION_DATA_LENGTH: usize = 40;

/// Why a BAC step failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BacError {
    #[error("the chip answered {0}")]
    Refused(StatusWord),
    #[error("expected {expected} bytes of authentication data, got {actual}")]
    WrongLength { expected: usize, actual: usize },
    #[error("the cryptogram's MAC does not verify")]
    MacMismatch,
    #[error("the other side did not echo our challenge")]
    ChallengeMismatch,
    #[error("EXTERNAL AUTHENTICATE arrived without a preceding GET CHALLENGE")]
    NoChallenge,
    #[error(transparent)]
    Random(#[from] RandomExhausted),
}

impl BacError {
    /// The status word a chip answers with.
    pub fn status_word(&self) -> StatusWord {
        match self {
            BacError::WrongLength { .. } => StatusWord::WRONG_LENGTH,
            BacError::NoChallenge => StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED,
            BacError::Random(_) => StatusWord::NO_PRECISE_DIAGNOSIS,
            _ => StatusWord::AUTHENTICATION_FAILED,
        }
    }
}

/// K_enc and K_mac, the document basic access keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacKeys {
    pub encryption: [u8; 16],
    pub mac: [u8; 16],
}

impl BacKeys {
    /// K_seed = SHA-1(MRZ_information)[0..16], then the KDF with counters 1 and 2.
    pub fn from_mrz(material: &MrzKeyMaterial) -> BacKeys {
        let digest = primitives::sha1(material.mrz_information().as_bytes());
        BacKeys::from_seed(&digest[..16])
    }

    /// K_enc and K_mac from a 16-byte key seed with the KDF's counters 1 and 2 (the
    /// first-generation card derives its seed from the issuer key instead of the MRZ).
    pub fn from_seed(seed: &[u8]) -> BacKeys {
        BacKeys {
            encryption: primitives::derive_key(KeyAlgorithm::Tdes, seed, KeyPurpose::Encryption),
            mac: primitives::derive_key(KeyAlgorithm::Tdes, seed, KeyPurpose::Mac),
        }
    }

    /// 3DES-CBC encryption of `plain` (32 bytes) followed by its retail MAC.
    fn seal(&self, plain: &[u8; 32]) -> Vec<u8> {
        let mut out = plain.to_vec();
        primitives::tdes_cbc_encrypt(&self.encryption, &mut out);
        let mac = primitives::retail_mac(&self.mac, &primitives::pad(&out, 8));
        out.extend_from_slice(&mac);
        out
    }

    /// Checks the MAC of E ‖ M and decrypts E.
    fn open(&self, data: &[u8]) -> Result<[u8; 32], BacError> {
        if data.len() != AUTHENTICATION_DATA_LENGTH {
            return Err(BacError::WrongLength {
                expected: AUTHENTICATION_DATA_LENGTH,
                actual: data.len(),
            });
        }
        let (cryptogram, mac) = data.split_at(32);
        let expected = primitives::retail_mac(&self.mac, &primitives::pad(cryptogram, 8));
        if !primitives::mac_equal(&expected, mac) {
            return Err(BacError::MacMismatch);
        }
        let mut plain = [0u8; 32];
        plain.copy_from_slice(cryptogram);
        primitives::tdes_cbc_decrypt(&self.encryption, &mut plain);
        Ok(plain)
    }
}

/// GET CHALLENGE for eight bytes.
pub fn challenge_command() -> CommandApdu {
    CommandApdu {
        class: 0x00,
        instruction: INSTRUCTION_GET_CHALLENGE,
        parameter1: 0,
        parameter2: 0,
        data: Vec::new(),
        expected_length: Some(8),
    }
}

/// The session both sides derive from the exchanged key halves and challenges.
fn session(
    key_terminal: &[u8; 16],
    key_chip: &[u8; 16],
    random_chip: &[u8; 8],
    random_terminal: &[u8; 8],
) -> SecureMessaging {
    let seed: Vec<u8> = key_terminal
        .iter()
        .zip(key_chip)
        .map(|(a, b)| a ^ b)
        .collect();
    let keys = BacKeys::from_seed(&seed);
    let mut counter = [0u8; 8];
    counter[..4].copy_from_slice(&random_chip[4..]);
    counter[4..].copy_from_slice(&random_terminal[4..]);
    let session_keys = SessionKeys {
        cipher: SessionCipher::Tdes,
        encryption: keys.encryption,
        mac: keys.mac,
    };
    SecureMessaging::new(session_keys, u128::from(u64::from_be_bytes(counter)))
}

fn concat_32(first: &[u8; 8], second: &[u8; 8], third: &[u8; 16]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..8].copy_from_slice(first);
    out[8..16].copy_from_slice(second);
    out[16..].copy_from_slice(third);
    out
}

/// What the terminal keeps between EXTERNAL AUTHENTICATE and its response.
#[derive(Debug, Clone)]
struct TerminalSecrets {
    random_chip: [u8; 8],
    random_terminal: [u8; 8],
    key_terminal: [u8; 16],
}

/// The terminal side of BAC.
#[derive(Debug, Clone)]
pub struct BacTerminal {
    keys: BacKeys,
    secrets: Option<TerminalSecrets>,
}

impl BacTerminal {
    pub fn new(keys: BacKeys) -> BacTerminal {
        BacTerminal {
            keys,
            secrets: None,
        }
    }

    /// EXTERNAL AUTHENTICATE, given the chip's answer to [`challenge_command`].
    pub fn authenticate_command(
        &mut self,
        challenge: &ResponseApdu,
        random: &mut dyn RandomBytes,
    ) -> Result<CommandApdu, BacError> {
        if challenge.status != StatusWord::SUCCESS {
            return Err(BacError::Refused(challenge.status));
        }
        let random_chip: [u8; 8] =
            challenge
                .data
                .as_slice()
                .try_into()
                .map_err(|_| BacError::WrongLength {
                    expected: 8,
                    actual: challenge.data.len(),
                })?;
        let random_terminal: [u8; 8] = draw_array(random)?;
        let key_terminal: [u8; 16] = draw_array(random)?;
        let data = self
            .keys
            .seal(&concat_32(&random_terminal, &random_chip, &key_terminal));
        self.secrets = Some(TerminalSecrets {
            random_chip,
            random_terminal,
            key_terminal,
        });
        Ok(CommandApdu {
            class: 0x00,
            instruction: INSTRUCTION_EXTERNAL_AUTHENTICATE,
            parameter1: 0,
            parameter2: 0,
            data,
            expected_length: Some(AUTHENTICATION_DATA_LENGTH as u32),
        })
    }

    /// Checks the chip's cryptogram and opens the session.
    pub fn finish(&mut self, response: &ResponseApdu) -> Result<SecureMessaging, BacError> {
        let secrets = self.secrets.take().ok_or(BacError::NoChallenge)?;
        if response.status != StatusWord::SUCCESS {
            return Err(BacError::Refused(response.status));
        }
        let plain = self.keys.open(&response.data)?;
        if plain[..8] != secrets.random_chip || plain[8..16] != secrets.random_terminal {
            return Err(BacError::ChallengeMismatch);
        }
        let mut key_chip = [0u8; 16];
        key_chip.copy_from_slice(&plain[16..]);
        Ok(session(
            &secrets.key_terminal,
            &key_chip,
            &secrets.random_chip,
            &secrets.random_terminal,
        ))
    }
}

/// The chip side of BAC.
#[derive(Debug, Clone)]
pub struct BacChip {
    keys: BacKeys,
    challenge: Option<[u8; 8]>,
}

impl BacChip {
    pub fn new(keys: BacKeys) -> BacChip {
        BacChip {
            keys,
            challenge: None,
        }
    }

    /// GET CHALLENGE: draws and remembers RND.ICC.
    pub fn handle_get_challenge(
        &mut self,
        command: &CommandApdu,
        random: &mut dyn RandomBytes,
    ) -> Result<ResponseApdu, BacError> {
        if command.expected_length != Some(8) || !command.data.is_empty() {
            return Err(BacError::WrongLength {
                expected: 8,
                actual: command.expected_length.unwrap_or(0) as usize,
            });
        }
        let challenge: [u8; 8] = draw_array(random)?;
        self.challenge = Some(challenge);
        Ok(ResponseApdu::success(challenge.to_vec()))
    }

    /// EXTERNAL AUTHENTICATE: checks the terminal, draws K.ICC, answers and opens the session.
    /// The challenge is used up whatever the outcome.
    pub fn handle_external_authenticate(
        &mut self,
        command: &CommandApdu,
        random: &mut dyn RandomBytes,
    ) -> Result<(ResponseApdu, SecureMessaging), BacError> {
        let random_chip = self.challenge.take().ok_or(BacError::NoChallenge)?;
        let plain = self.keys.open(&command.data)?;
        if plain[8..16] != random_chip {
            return Err(BacError::ChallengeMismatch);
        }
        let mut random_terminal = [0u8; 8];
        random_terminal.copy_from_slice(&plain[..8]);
        let mut key_terminal = [0u8; 16];
        key_terminal.copy_from_slice(&plain[16..]);
        let key_chip: [u8; 16] = draw_array(random)?;
        let data = self
            .keys
            .seal(&concat_32(&random_chip, &random_terminal, &key_chip));
        let session = session(&key_terminal, &key_chip, &random_chip, &random_terminal);
        Ok((ResponseApdu::success(data), session))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::ScriptedBytes;
    use hex_literal::hex;

    const RANDOM_CHIP: [u8; 8] = hex!("4608F91988702212");
    const RANDOM_TERMINAL: [u8; 8] = hex!("781723860C06C226");
    const KEY_TERMINAL: [u8; 16] = hex!("0B795240CB7049B01C19B33E32804F0B");
    const KEY_CHIP: [u8; 16] = hex!("0B4F80323EB3191CB04970CB4052790B");
    const EXTERNAL_AUTHENTICATE: [u8; 46] = hex!(
        "0082000028 72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2 5F1448EEA8AD90A7 28"
    );
    const EXTERNAL_AUTHENTICATE_RESPONSE: [u8; 42] = hex!(
        "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F 2F2D235D074D7449 9000"
    );

    fn appendix_d_keys() -> BacKeys {
        BacKeys::from_mrz(&MrzKeyMaterial::new("L898902C", "690806", "940623").unwrap())
    }

    fn check_appendix_d_session(session: &SecureMessaging) {
        assert_eq!(
            session.keys().encryption,
            hex!("979EC13B1CBFE9DCD01AB0FED307EAE5")
        );
        assert_eq!(session.keys().mac, hex!("F1CB1F1FB5ADF208806B89DC579DC1F8"));
        assert_eq!(session.send_sequence_counter(), 0x887022120C06C226);
    }

    #[test]
    fn document_basic_access_keys_match_appendix_d2() {
        let keys = appendix_d_keys();
        assert_eq!(keys.encryption, hex!("AB94FDECF2674FDFB9B391F85D7F76F2"));
        assert_eq!(keys.mac, hex!("7962D9ECE03D1ACD4C76089DCE131543"));
    }

    #[test]
    fn terminal_side_reproduces_appendix_d3() {
        let mut terminal = BacTerminal::new(appendix_d_keys());
        assert_eq!(challenge_command().to_bytes(), hex!("0084000008"));
        let challenge = ResponseApdu::success(RANDOM_CHIP.to_vec());
        let mut random = ScriptedBytes::new([&RANDOM_TERMINAL[..], &KEY_TERMINAL[..]]);
        let command = terminal
            .authenticate_command(&challenge, &mut random)
            .unwrap();
        assert_eq!(command.to_bytes(), EXTERNAL_AUTHENTICATE);
        let response = ResponseApdu::parse(&EXTERNAL_AUTHENTICATE_RESPONSE).unwrap();
        check_appendix_d_session(&terminal.finish(&response).unwrap());
    }

    #[test]
    fn chip_side_reproduces_appendix_d3() {
        let mut chip = BacChip::new(appendix_d_keys());
        let mut random = ScriptedBytes::new([&RANDOM_CHIP[..], &KEY_CHIP[..]]);
        let challenge = chip
            .handle_get_challenge(&challenge_command(), &mut random)
            .unwrap();
        assert_eq!(challenge.to_bytes(), hex!("4608F919887022129000"));
        let command = CommandApdu::parse(&EXTERNAL_AUTHENTICATE).unwrap();
        let (response, session) = chip
            .handle_external_authenticate(&command, &mut random)
            .unwrap();
        assert_eq!(response.to_bytes(), EXTERNAL_AUTHENTICATE_RESPONSE);
        check_appendix_d_session(&session);
    }

    #[test]
    fn chip_refuses_wrong_keys_and_missing_challenge() {
        let mut chip = BacChip::new(appendix_d_keys());
        let command = CommandApdu::parse(&EXTERNAL_AUTHENTICATE).unwrap();
        let mut random = ScriptedBytes::new([&RANDOM_CHIP[..], &KEY_CHIP[..]]);
        let error = chip
            .handle_external_authenticate(&command, &mut random)
            .unwrap_err();
        assert_eq!(
            error.status_word(),
            StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED
        );

        let other = MrzKeyMaterial::new("L898902C", "690806", "940624").unwrap();
        let mut chip = BacChip::new(BacKeys::from_mrz(&other));
        chip.handle_get_challenge(&challenge_command(), &mut random)
            .unwrap();
        let error = chip
            .handle_external_authenticate(&command, &mut random)
            .unwrap_err();
        assert_eq!(error, BacError::MacMismatch);
        assert_eq!(error.status_word(), StatusWord::AUTHENTICATION_FAILED);
    }
}
