//! Secure messaging (ICAO 9303-11 section 9.8): protecting command and response APDUs with
//! the session keys that BAC, PACE or chip authentication agreed on.
//!
//! One [`SecureMessaging`] value holds a session: the cipher (two-key 3DES after BAC, AES-128
//! after PACE and chip authentication), the two keys and the send-sequence counter (SSC). The
//! terminal calls [`SecureMessaging::protect_command`] and
//! [`SecureMessaging::unprotect_response`]; the chip calls
//! [`SecureMessaging::unprotect_command`] and [`SecureMessaging::protect_response`]. Each call
//! first increments the SSC, so one exchange uses two counter values and both sides stay in
//! step; a replayed or reordered APDU is MACed under a counter the receiver has already
//! passed, and fails verification.
//!
//! Data objects: DO'87' (encrypted data with padding-content indicator 01) or DO'85' (odd
//! instructions, no indicator) for data, DO'97' for Le, DO'99' for the status word, DO'8E'
//! for the MAC. The chip side always puts DO'99' and DO'8E' in a protected response, as the
//! independent readers require.
//!
//! Invariant: after any error the session must be dropped by its owner (the chip answers the
//! error's status word in plain and forgets the keys; the terminal re-authenticates).

use crate::apdu::{CLASS_SECURE_MESSAGING, CommandApdu, ResponseApdu, StatusWord};
use crate::primitives::{self, AES_BLOCK_LENGTH, DES_BLOCK_LENGTH};
use crate::tlv::{self, Tag, TlvError, TlvRef};

pub const TAG_ENCRYPTED_DATA_WITH_INDICATOR: Tag = Tag(0x87);
pub const TAG_ENCRYPTED_DATA: Tag = Tag(0x85);
pub const TAG_EXPECTED_LENGTH: Tag = Tag(0x97);
pub const TAG_STATUS_WORD: Tag = Tag(0x99);
pub const TAG_MAC: Tag = Tag(0x8E);
/// Padding-content indicator of DO'87': ISO/IEC 9797-1 method 2 padding.
const PADDING_INDICATOR: u8 = 0x01;

/// The block cipher of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCipher {
    /// Two-key 3DES CBC with zero IV, retail MAC, 8-byte SSC (BAC).
    Tdes,
    /// AES-128 CBC with IV = E(K_enc, SSC), AES-CMAC truncated to 8 bytes, 16-byte SSC.
    Aes128,
}

impl SessionCipher {
    pub fn block_length(self) -> usize {
        match self {
            SessionCipher::Tdes => DES_BLOCK_LENGTH,
            SessionCipher::Aes128 => AES_BLOCK_LENGTH,
        }
    }
}

/// The keys of a secure messaging session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKeys {
    pub cipher: SessionCipher,
    pub encryption: [u8; 16],
    pub mac: [u8; 16],
}

/// Why a protected APDU was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecureMessagingError {
    #[error("the command's class byte does not announce secure messaging")]
    NotProtected,
    #[error("data object {0:X} is missing")]
    MissingDataObject(u32),
    #[error("data object {0:X} is not expected here")]
    UnexpectedDataObject(u32),
    #[error("the secure messaging data objects are not BER-TLV: {0}")]
    Malformed(#[from] TlvError),
    #[error("the MAC does not verify")]
    MacMismatch,
    #[error("the decrypted data has no ISO/IEC 9797-1 method 2 padding")]
    BadPadding,
    #[error("the cryptogram is not whole cipher blocks")]
    CiphertextLength,
    #[error("data object {tag:X} has a value of {length} bytes")]
    BadValueLength { tag: u32, length: usize },
    #[error("the chip answered {0} without secure messaging")]
    UnprotectedStatus(StatusWord),
    #[error("DO'99' says {protected} but the response trailer says {plain}")]
    StatusMismatch {
        protected: StatusWord,
        plain: StatusWord,
    },
    #[error("the unprotected command is not a valid APDU: {0}")]
    InvalidCommand(#[from] crate::apdu::ApduError),
}

impl SecureMessagingError {
    /// The plain status word a chip answers with.
    pub fn status_word(&self) -> StatusWord {
        match self {
            SecureMessagingError::NotProtected | SecureMessagingError::MissingDataObject(_) => {
                StatusWord::SECURE_MESSAGING_DATA_OBJECTS_MISSING
            }
            _ => StatusWord::SECURE_MESSAGING_DATA_OBJECTS_INCORRECT,
        }
    }
}

/// The data objects of a protected APDU, borrowed from its data field.
#[derive(Debug, Default)]
struct DataObjects<'a> {
    cryptogram: Option<TlvRef<'a>>,
    expected_length: Option<&'a [u8]>,
    status_word: Option<&'a [u8]>,
    /// Everything before DO'8E': the MACed part.
    authenticated: &'a [u8],
    mac: &'a [u8],
}

/// A secure messaging session; see the module documentation.
#[derive(Debug, Clone)]
pub struct SecureMessaging {
    keys: SessionKeys,
    send_sequence_counter: u128,
}

impl SecureMessaging {
    /// A session starting at `send_sequence_counter` (BAC: from the challenges; PACE and
    /// chip authentication: zero). For 3DES only the low 64 bits count.
    pub fn new(keys: SessionKeys, send_sequence_counter: u128) -> SecureMessaging {
        let mut session = SecureMessaging {
            keys,
            send_sequence_counter,
        };
        session.send_sequence_counter &= session.counter_mask();
        session
    }

    pub fn keys(&self) -> &SessionKeys {
        &self.keys
    }

    pub fn send_sequence_counter(&self) -> u128 {
        self.send_sequence_counter
    }

    fn counter_mask(&self) -> u128 {
        match self.keys.cipher {
            SessionCipher::Tdes => u128::from(u64::MAX),
            SessionCipher::Aes128 => u128::MAX,
        }
    }

    fn increment_counter(&mut self) {
        self.send_sequence_counter =
            self.send_sequence_counter.wrapping_add(1) & self.counter_mask();
    }

    fn counter_bytes(&self) -> Vec<u8> {
        let bytes = self.send_sequence_counter.to_be_bytes();
        bytes[16 - self.keys.cipher.block_length()..].to_vec()
    }

    /// MAC over SSC ‖ `message`, padded.
    fn mac(&self, message_parts: &[&[u8]]) -> [u8; 8] {
        let mut input = self.counter_bytes();
        for part in message_parts {
            input.extend_from_slice(part);
        }
        let input = primitives::pad(&input, self.keys.cipher.block_length());
        match self.keys.cipher {
            SessionCipher::Tdes => primitives::retail_mac(&self.keys.mac, &input),
            SessionCipher::Aes128 => primitives::aes_cmac_truncated(&self.keys.mac, &input),
        }
    }

    fn aes_iv(&self) -> [u8; 16] {
        primitives::aes_encrypt_block(
            &self.keys.encryption,
            self.send_sequence_counter.to_be_bytes(),
        )
    }

    fn encrypt(&self, plain: &[u8]) -> Vec<u8> {
        let mut data = primitives::pad(plain, self.keys.cipher.block_length());
        match self.keys.cipher {
            SessionCipher::Tdes => primitives::tdes_cbc_encrypt(&self.keys.encryption, &mut data),
            SessionCipher::Aes128 => {
                primitives::aes_cbc_encrypt(&self.keys.encryption, &self.aes_iv(), &mut data)
            }
        }
        data
    }

    fn decrypt(&self, cryptogram: &[u8]) -> Result<Vec<u8>, SecureMessagingError> {
        if cryptogram.is_empty() || cryptogram.len() % self.keys.cipher.block_length() != 0 {
            return Err(SecureMessagingError::CiphertextLength);
        }
        let mut data = cryptogram.to_vec();
        match self.keys.cipher {
            SessionCipher::Tdes => primitives::tdes_cbc_decrypt(&self.keys.encryption, &mut data),
            SessionCipher::Aes128 => {
                primitives::aes_cbc_decrypt(&self.keys.encryption, &self.aes_iv(), &mut data)
            }
        }
        let plain_length = primitives::unpad(&data)
            .ok_or(SecureMessagingError::BadPadding)?
            .len();
        data.truncate(plain_length);
        Ok(data)
    }

    /// Terminal side: the protected form of `command`.
    pub fn protect_command(
        &mut self,
        command: &CommandApdu,
    ) -> Result<CommandApdu, SecureMessagingError> {
        self.increment_counter();
        let mut header = command.header();
        header[0] |= CLASS_SECURE_MESSAGING;
        let mut objects = Vec::with_capacity(command.data.len() + 32);
        if !command.data.is_empty() {
            self.append_cryptogram(&mut objects, command.instruction, &command.data);
        }
        if let Some(expected_length) = command.expected_length {
            tlv::append(
                &mut objects,
                TAG_EXPECTED_LENGTH,
                &expected_length_bytes(expected_length),
            );
        }
        let padded_header = primitives::pad(&header, self.keys.cipher.block_length());
        let mac = self.mac(&[&padded_header, &objects]);
        tlv::append(&mut objects, TAG_MAC, &mac);
        let extended = objects.len() > 255 || command.expected_length.unwrap_or(0) > 256;
        let expected_length = if extended { 65_536 } else { 256 };
        Ok(CommandApdu::new(header, objects, Some(expected_length))?)
    }

    fn append_cryptogram(&self, objects: &mut Vec<u8>, instruction: u8, plain: &[u8]) {
        let cryptogram = self.encrypt(plain);
        if instruction % 2 == 1 {
            tlv::append(objects, TAG_ENCRYPTED_DATA, &cryptogram);
        } else {
            let mut value = Vec::with_capacity(cryptogram.len() + 1);
            value.push(PADDING_INDICATOR);
            value.extend_from_slice(&cryptogram);
            tlv::append(objects, TAG_ENCRYPTED_DATA_WITH_INDICATOR, &value);
        }
    }

    /// Terminal side: checks and decrypts a protected response.
    pub fn unprotect_response(
        &mut self,
        response: &ResponseApdu,
    ) -> Result<ResponseApdu, SecureMessagingError> {
        self.increment_counter();
        if response.data.is_empty() {
            return Err(SecureMessagingError::UnprotectedStatus(response.status));
        }
        let objects = parse_data_objects(&response.data, false)?;
        let status_bytes = objects
            .status_word
            .ok_or(SecureMessagingError::MissingDataObject(TAG_STATUS_WORD.0))?;
        let [first, second] = <[u8; 2]>::try_from(status_bytes).map_err(|_| {
            SecureMessagingError::BadValueLength {
                tag: TAG_STATUS_WORD.0,
                length: status_bytes.len(),
            }
        })?;
        self.verify_mac(&[objects.authenticated], objects.mac)?;
        let protected = StatusWord::from_bytes(first, second);
        if protected != response.status {
            return Err(SecureMessagingError::StatusMismatch {
                protected,
                plain: response.status,
            });
        }
        let data = match objects.cryptogram {
            Some(cryptogram) => self.decrypt(cryptogram_bytes(cryptogram)?)?,
            None => Vec::new(),
        };
        Ok(ResponseApdu::new(data, protected))
    }

    fn verify_mac(&self, parts: &[&[u8]], received: &[u8]) -> Result<(), SecureMessagingError> {
        let expected = self.mac(parts);
        if primitives::mac_equal(&expected, received) {
            Ok(())
        } else {
            Err(SecureMessagingError::MacMismatch)
        }
    }

    /// Chip side: checks and decrypts a protected command.
    pub fn unprotect_command(
        &mut self,
        command: &CommandApdu,
    ) -> Result<CommandApdu, SecureMessagingError> {
        self.increment_counter();
        if !command.is_secure_messaging() {
            return Err(SecureMessagingError::NotProtected);
        }
        let objects = parse_data_objects(&command.data, true)?;
        let padded_header = primitives::pad(&command.header(), self.keys.cipher.block_length());
        self.verify_mac(&[&padded_header, objects.authenticated], objects.mac)?;
        let data = match objects.cryptogram {
            Some(cryptogram) => self.decrypt(cryptogram_bytes(cryptogram)?)?,
            None => Vec::new(),
        };
        let expected_length = objects
            .expected_length
            .map(parse_expected_length)
            .transpose()?;
        let mut header = command.header();
        header[0] &= !CLASS_SECURE_MESSAGING;
        Ok(CommandApdu::new(header, data, expected_length)?)
    }

    /// Chip side: the protected form of `response`, always with DO'99' and DO'8E'.
    pub fn protect_response(&mut self, response: &ResponseApdu) -> ResponseApdu {
        self.increment_counter();
        let mut objects = Vec::with_capacity(response.data.len() + 32);
        if !response.data.is_empty() {
            // Responses always use DO'87'.
            self.append_cryptogram(&mut objects, 0, &response.data);
        }
        tlv::append(&mut objects, TAG_STATUS_WORD, &response.status.to_bytes());
        let mac = self.mac(&[&objects]);
        tlv::append(&mut objects, TAG_MAC, &mac);
        ResponseApdu::new(objects, response.status)
    }
}

/// The Le data object's value: one byte up to 256, two bytes above.
fn expected_length_bytes(expected_length: u32) -> Vec<u8> {
    if expected_length <= 256 {
        vec![expected_length as u8]
    } else {
        (expected_length as u16).to_be_bytes().to_vec()
    }
}

fn parse_expected_length(bytes: &[u8]) -> Result<u32, SecureMessagingError> {
    match *bytes {
        [0] => Ok(256),
        [byte] => Ok(u32::from(byte)),
        [0, 0] => Ok(65_536),
        [high, low] => Ok(u32::from(u16::from_be_bytes([high, low]))),
        _ => Err(SecureMessagingError::BadValueLength {
            tag: TAG_EXPECTED_LENGTH.0,
            length: bytes.len(),
        }),
    }
}

/// The ciphertext inside DO'87' (after the padding indicator) or DO'85'.
fn cryptogram_bytes(cryptogram: TlvRef<'_>) -> Result<&[u8], SecureMessagingError> {
    if cryptogram.tag == TAG_ENCRYPTED_DATA {
        return Ok(cryptogram.value);
    }
    match cryptogram.value.split_first() {
        Some((&PADDING_INDICATOR, rest)) => Ok(rest),
        _ => Err(SecureMessagingError::BadPadding),
    }
}

/// Splits a protected data field into its data objects, in the order ICAO 9303 fixes:
/// cryptogram, then DO'97' (commands) or DO'99' (responses), then DO'8E' last.
fn parse_data_objects(
    data: &[u8],
    is_command: bool,
) -> Result<DataObjects<'_>, SecureMessagingError> {
    let mut objects = DataObjects::default();
    let mut rest = data;
    while !rest.is_empty() {
        let offset = data.len() - rest.len();
        let (object, after) = TlvRef::decode_first(rest)?;
        rest = after;
        match object.tag {
            TAG_MAC if rest.is_empty() => {
                objects.authenticated = &data[..offset];
                objects.mac = object.value;
                return Ok(objects);
            }
            TAG_ENCRYPTED_DATA | TAG_ENCRYPTED_DATA_WITH_INDICATOR
                if objects.cryptogram.is_none()
                    && objects.expected_length.is_none()
                    && objects.status_word.is_none() =>
            {
                objects.cryptogram = Some(object);
            }
            TAG_EXPECTED_LENGTH if is_command && objects.expected_length.is_none() => {
                objects.expected_length = Some(object.value);
            }
            TAG_STATUS_WORD if !is_command && objects.status_word.is_none() => {
                objects.status_word = Some(object.value);
            }
            other => return Err(SecureMessagingError::UnexpectedDataObject(other.0)),
        }
    }
    Err(SecureMessagingError::MissingDataObject(TAG_MAC.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;
    use proptest::prelude::*;

    /// The session of ICAO 9303-11 Appendix D.3/D.4.
    fn appendix_d_session() -> SecureMessaging {
        let keys = SessionKeys {
            cipher: SessionCipher::Tdes,
            encryption: hex!("979EC13B1CBFE9DCD01AB0FED307EAE5"),
            mac: hex!("F1CB1F1FB5ADF208806B89DC579DC1F8"),
        };
        SecureMessaging::new(keys, 0x887022120C06C226)
    }

    /// Command, its protected form, the chip's plain response, its protected form.
    type Exchange = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

    fn appendix_d4_exchanges() -> Vec<Exchange> {
        vec![
            (
                hex!("00A4020C02011E").to_vec(),
                hex!("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800").to_vec(),
                hex!("9000").to_vec(),
                hex!("990290008E08FA855A5D4C50A8ED9000").to_vec(),
            ),
            (
                hex!("00B0000004").to_vec(),
                hex!("0CB000000D9701048E08ED6705417E96BA5500").to_vec(),
                hex!("60145F019000").to_vec(),
                hex!("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000").to_vec(),
            ),
            (
                hex!("00B0000412").to_vec(),
                hex!("0CB000040D9701128E082EA28A70F3C7B53500").to_vec(),
                hex!("04303130365F36063034303030305C0261759000").to_vec(),
                hex!("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000").to_vec(),
            ),
        ]
    }

    #[test]
    fn terminal_side_reproduces_appendix_d4() {
        let mut terminal = appendix_d_session();
        for (plain, protected, plain_response, protected_response) in appendix_d4_exchanges() {
            let command = CommandApdu::parse(&plain).unwrap();
            let wrapped = terminal.protect_command(&command).unwrap();
            assert_eq!(wrapped.to_bytes(), protected);
            let response = ResponseApdu::parse(&protected_response).unwrap();
            let unwrapped = terminal.unprotect_response(&response).unwrap();
            assert_eq!(unwrapped.to_bytes(), plain_response);
        }
        assert_eq!(terminal.send_sequence_counter(), 0x887022120C06C22C);
    }

    #[test]
    fn chip_side_reproduces_appendix_d4() {
        let mut chip = appendix_d_session();
        for (plain, protected, plain_response, protected_response) in appendix_d4_exchanges() {
            let command = CommandApdu::parse(&protected).unwrap();
            let unwrapped = chip.unprotect_command(&command).unwrap();
            assert_eq!(unwrapped.to_bytes(), plain);
            let response = ResponseApdu::parse(&plain_response).unwrap();
            assert_eq!(
                chip.protect_response(&response).to_bytes(),
                protected_response
            );
        }
    }

    #[test]
    fn replayed_and_reordered_commands_fail() {
        let mut terminal = appendix_d_session();
        let mut chip = appendix_d_session();
        let first = terminal
            .protect_command(&CommandApdu::parse(&hex!("00B0000004")).unwrap())
            .unwrap();
        chip.unprotect_command(&first).unwrap();
        chip.protect_response(&ResponseApdu::success(vec![1, 2, 3, 4]));
        let error = chip.unprotect_command(&first).unwrap_err();
        assert_eq!(error, SecureMessagingError::MacMismatch);
        assert_eq!(
            error.status_word(),
            StatusWord::SECURE_MESSAGING_DATA_OBJECTS_INCORRECT
        );

        let mut terminal = appendix_d_session();
        let mut chip = appendix_d_session();
        let read = CommandApdu::parse(&hex!("00B0000004")).unwrap();
        let _skipped = terminal.protect_command(&read).unwrap();
        terminal.increment_counter();
        let second = terminal.protect_command(&read).unwrap();
        assert_eq!(
            chip.unprotect_command(&second),
            Err(SecureMessagingError::MacMismatch)
        );
    }

    #[test]
    fn refuses_plain_and_malformed_protected_apdus() {
        let mut chip = appendix_d_session();
        let plain = CommandApdu::parse(&hex!("00B0000004")).unwrap();
        let error = chip.unprotect_command(&plain).unwrap_err();
        assert_eq!(
            error.status_word(),
            StatusWord::SECURE_MESSAGING_DATA_OBJECTS_MISSING
        );
        let no_mac = CommandApdu::parse(&hex!("0CB0000003970104 00")).unwrap();
        assert_eq!(
            chip.unprotect_command(&no_mac),
            Err(SecureMessagingError::MissingDataObject(0x8E))
        );
        let mut terminal = appendix_d_session();
        let plain_error = ResponseApdu::status_only(StatusWord::FILE_NOT_FOUND);
        assert_eq!(
            terminal.unprotect_response(&plain_error),
            Err(SecureMessagingError::UnprotectedStatus(
                StatusWord::FILE_NOT_FOUND
            ))
        );
    }

    fn arbitrary_session() -> impl Strategy<Value = SecureMessaging> {
        (
            any::<bool>(),
            any::<[u8; 16]>(),
            any::<[u8; 16]>(),
            any::<u128>(),
        )
            .prop_map(|(aes, encryption, mac, counter)| {
                let cipher = if aes {
                    SessionCipher::Aes128
                } else {
                    SessionCipher::Tdes
                };
                SecureMessaging::new(
                    SessionKeys {
                        cipher,
                        encryption,
                        mac,
                    },
                    counter,
                )
            })
    }

    proptest! {
        #[test]
        fn protect_then_unprotect_round_trips(
            session in arbitrary_session(),
            header in any::<[u8; 4]>().prop_filter("class FF is reserved", |h| h[0] & 0xF0 != 0xF0),
            data in prop::collection::vec(any::<u8>(), 0..400),
            expected_length in prop::option::of(1u32..=65_536),
            response_data in prop::collection::vec(any::<u8>(), 0..400),
            status in any::<u16>(),
        ) {
            let mut terminal = session.clone();
            let mut chip = session;
            let command = CommandApdu::new(header, data, expected_length).unwrap();
            let protected = terminal.protect_command(&command).unwrap();
            let received = CommandApdu::parse(&protected.to_bytes()).unwrap();
            let mut expected = command.clone();
            expected.class &= !CLASS_SECURE_MESSAGING;
            prop_assert_eq!(chip.unprotect_command(&received).unwrap(), expected);
            let response = ResponseApdu::new(response_data, StatusWord(status));
            let protected_response = chip.protect_response(&response);
            let received = ResponseApdu::parse(&protected_response.to_bytes()).unwrap();
            prop_assert_eq!(terminal.unprotect_response(&received).unwrap(), response);
        }

        #[test]
        fn unprotecting_garbage_never_panics(
            session in arbitrary_session(),
            bytes in prop::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut chip = session.clone();
            if let Ok(command) = CommandApdu::parse(&bytes) {
                let _ = chip.unprotect_command(&command);
            }
            let mut terminal = session;
            if let Ok(response) = ResponseApdu::parse(&bytes) {
                let _ = terminal.unprotect_response(&response);
            }
        }
    }
}
