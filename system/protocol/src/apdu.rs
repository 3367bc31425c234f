//! ISO/IEC 7816-4 command and response APDUs, and the status words this system uses.
//!
//! A chip parses every command it receives with [`CommandApdu::parse`], which accepts the
//! four cases in short and extended length and refuses anything else with an [`ApduError`]
//! that names the status word the chip should answer with: no byte string makes it panic.
//! A terminal builds commands with [`CommandApdu::new`] and serialises them with
//! [`CommandApdu::to_bytes`], which picks the short form whenever the lengths allow it.

use std::fmt;

/// The largest command data field (extended Lc).
pub const DATA_LENGTH_MAX: usize = 65_535;
/// The largest number of response bytes a command can ask for (extended Le = 0000).
pub const EXPECTED_LENGTH_MAX: u32 = 65_536;
/// The largest number of response bytes a short Le can ask for (Le = 00).
pub const SHORT_EXPECTED_LENGTH_MAX: u32 = 256;

/// Class byte bit that says more commands of the same chain follow.
pub const CLASS_CHAINING: u8 = 0x10;
/// Class byte bits that say the command is protected by secure messaging with an
/// authenticated header.
pub const CLASS_SECURE_MESSAGING: u8 = 0x0C;

/// SW1-SW2: the outcome of a command.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusWord(pub u16);

impl StatusWord {
    pub const SUCCESS: StatusWord = StatusWord(0x9000);
    /// Fewer bytes than asked for could be read: the end of the file was reached.
    pub const END_OF_FILE_REACHED: StatusWord = StatusWord(0x6282);
    /// Authentication failed (PACE token or mutual authentication cryptogram wrong).
    pub const AUTHENTICATION_FAILED: StatusWord = StatusWord(0x6300);
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    pub const SECURITY_STATUS_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    pub const AUTHENTICATION_METHOD_BLOCKED: StatusWord = StatusWord(0x6983);
    pub const CONDITIONS_OF_USE_NOT_SATISFIED: StatusWord = StatusWord(0x6985);
    /// Command not allowed: no current elementary file (READ BINARY by offset before SELECT).
    pub const NO_CURRENT_ELEMENTARY_FILE: StatusWord = StatusWord(0x6986);
    pub const SECURE_MESSAGING_DATA_OBJECTS_MISSING: StatusWord = StatusWord(0x6987);
    pub const SECURE_MESSAGING_DATA_OBJECTS_INCORRECT: StatusWord = StatusWord(0x6988);
    pub const WRONG_DATA: StatusWord = StatusWord(0x6A80);
    pub const FUNCTION_NOT_SUPPORTED: StatusWord = StatusWord(0x6A81);
    pub const FILE_NOT_FOUND: StatusWord = StatusWord(0x6A82);
    pub const INCORRECT_PARAMETERS: StatusWord = StatusWord(0x6A86);
    pub const REFERENCED_DATA_NOT_FOUND: StatusWord = StatusWord(0x6A88);
    pub const WRONG_PARAMETERS: StatusWord = StatusWord(0x6B00);
    pub const INSTRUCTION_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    pub const CLASS_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    pub const NO_PRECISE_DIAGNOSIS: StatusWord = StatusWord(0x6F00);

    pub const fn from_bytes(first: u8, second: u8) -> StatusWord {
        StatusWord(u16::from_be_bytes([first, second]))
    }

    pub const fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// 9000, or 61xx (more data available). Warnings (62xx, 63xx) are not success: the
    /// caller decides, e.g. 6282 on a short read still carries data.
    pub const fn is_success(self) -> bool {
        self.0 == 0x9000 || (self.0 >> 8) == 0x61
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "StatusWord({:04X})", self.0)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:04X}", self.0)
    }
}

/// Why bytes are not a command APDU, or a command cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    #[error("a command APDU needs at least 4 header bytes, got {length}")]
    TooShort { length: usize },
    #[error("the body of {body_length} bytes matches no ISO 7816-4 case")]
    InconsistentLength { body_length: usize },
    #[error("class byte FF is reserved")]
    InvalidClass,
    #[error("the data field has {length} bytes, at most {DATA_LENGTH_MAX} fit")]
    DataTooLong { length: usize },
    #[error("expected length {expected_length} is outside 1..={EXPECTED_LENGTH_MAX}")]
    ExpectedLengthOutOfRange { expected_length: u32 },
    #[error("a response APDU needs at least the 2 status bytes, got {length}")]
    ResponseTooShort { length: usize },
}

impl ApduError {
    /// The status word a chip answers with when it receives such bytes.
    pub fn status_word(&self) -> StatusWord {
        match self {
            ApduError::InvalidClass => StatusWord::CLASS_NOT_SUPPORTED,
            _ => StatusWord::WRONG_LENGTH,
        }
    }
}

/// A command APDU. `expected_length` is Ne: `None` when the command expects no data, else
/// the number of bytes asked for (256 is short Le = 00, 65 536 is extended Le = 0000).
#[derive(Clone, PartialEq, Eq)]
pub struct CommandApdu {
    pub class: u8,
    pub instruction: u8,
    pub parameter1: u8,
    pub parameter2: u8,
    pub data: Vec<u8>,
    pub expected_length: Option<u32>,
}

impl fmt::Debug for CommandApdu {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "CommandApdu({:02X} {:02X} {:02X} {:02X} data={} le={:?})",
            self.class,
            self.instruction,
            self.parameter1,
            self.parameter2,
            hex_string(&self.data),
            self.expected_length
        )
    }
}

impl CommandApdu {
    /// A command, checked: the data fits an extended Lc and Ne is within 1..=65 536.
    pub fn new(
        header: [u8; 4],
        data: Vec<u8>,
        expected_length: Option<u32>,
    ) -> Result<CommandApdu, ApduError> {
        let command = CommandApdu {
            class: header[0],
            instruction: header[1],
            parameter1: header[2],
            parameter2: header[3],
            data,
            expected_length,
        };
        command.check()?;
        Ok(command)
    }

    fn check(&self) -> Result<(), ApduError> {
        if self.class == 0xFF {
            return Err(ApduError::InvalidClass);
        }
        if self.data.len() > DATA_LENGTH_MAX {
            return Err(ApduError::DataTooLong {
                length: self.data.len(),
            });
        }
        if let Some(expected_length) = self.expected_length
            && !(1..=EXPECTED_LENGTH_MAX).contains(&expected_length)
        {
            return Err(ApduError::ExpectedLengthOutOfRange { expected_length });
        }
        Ok(())
    }

    pub fn header(&self) -> [u8; 4] {
        [
            self.class,
            self.instruction,
            self.parameter1,
            self.parameter2,
        ]
    }

    /// More commands of this chain follow (class bit 0x10).
    pub fn is_chained(&self) -> bool {
        self.class & CLASS_CHAINING != 0
    }

    /// Protected by secure messaging with an authenticated header (class bits 0x0C).
    pub fn is_secure_messaging(&self) -> bool {
        self.class & CLASS_SECURE_MESSAGING == CLASS_SECURE_MESSAGING
    }

    /// True when the lengths need the extended form.
    pub fn needs_extended_length(&self) -> bool {
        self.data.len() > 255 || self.expected_length.unwrap_or(0) > SHORT_EXPECTED_LENGTH_MAX
    }

    /// Parses a command in any of the cases 1, 2, 3 and 4, short or extended.
    pub fn parse(bytes: &[u8]) -> Result<CommandApdu, ApduError> {
        let Some((header, body)) = bytes.split_first_chunk::<4>() else {
            return Err(ApduError::TooShort {
                length: bytes.len(),
            });
        };
        let (data, expected_length) = parse_body(body)?;
        let command = CommandApdu {
            class: header[0],
            instruction: header[1],
            parameter1: header[2],
            parameter2: header[3],
            data: data.to_vec(),
            expected_length,
        };
        command.check()?;
        Ok(command)
    }

    /// The command on the wire, short form when both lengths allow it.
    pub fn to_bytes(&self) -> Vec<u8> {
        debug_assert!(self.check().is_ok());
        let mut out = Vec::with_capacity(self.data.len() + 9);
        out.extend_from_slice(&self.header());
        let extended = self.needs_extended_length();
        if !self.data.is_empty() {
            if extended {
                out.push(0);
                out.extend_from_slice(&(self.data.len() as u16).to_be_bytes());
            } else {
                out.push(self.data.len() as u8);
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(expected_length) = self.expected_length {
            if extended {
                if self.data.is_empty() {
                    out.push(0);
                }
                // 65 536 wraps to 0000, as ISO 7816-4 encodes it.
                out.extend_from_slice(&(expected_length as u16).to_be_bytes());
            } else {
                out.push(expected_length as u8);
            }
        }
        out
    }
}

/// Splits the body after the header into the data field and Ne.
fn parse_body(body: &[u8]) -> Result<(&[u8], Option<u32>), ApduError> {
    let inconsistent = ApduError::InconsistentLength {
        body_length: body.len(),
    };
    match body {
        [] => Ok((&[], None)),
        [le] => Ok((&[], Some(short_expected_length(*le)))),
        [0, rest @ ..] if rest.len() >= 2 => parse_extended_body(rest).ok_or(inconsistent),
        [lc, rest @ ..] if *lc != 0 => {
            let data_length = usize::from(*lc);
            if rest.len() == data_length {
                Ok((rest, None))
            } else if rest.len() == data_length + 1 {
                let le = rest[data_length];
                Ok((&rest[..data_length], Some(short_expected_length(le))))
            } else {
                Err(inconsistent)
            }
        }
        _ => Err(inconsistent),
    }
}

/// The body after the extended-length marker byte 00 (at least two bytes).
fn parse_extended_body(rest: &[u8]) -> Option<(&[u8], Option<u32>)> {
    let (length, tail) = rest.split_first_chunk::<2>()?;
    let length = u16::from_be_bytes(*length);
    if tail.is_empty() {
        return Some((&[], Some(extended_expected_length(length))));
    }
    let data_length = usize::from(length);
    if data_length == 0 {
        return None;
    }
    if tail.len() == data_length {
        return Some((tail, None));
    }
    if tail.len() == data_length + 2 {
        let le = u16::from_be_bytes([tail[data_length], tail[data_length + 1]]);
        return Some((&tail[..data_length], Some(extended_expected_length(le))));
    }
    None
}

fn short_expected_length(le: u8) -> u32 {
    if le == 0 { 256 } else { u32::from(le) }
}

fn extended_expected_length(le: u16) -> u32 {
    if le == 0 { 65_536 } else { u32::from(le) }
}

/// A response APDU: data, then SW1-SW2.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseApdu {
    pub data: Vec<u8>,
    pub status: StatusWord,
}

impl fmt::Debug for ResponseApdu {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "ResponseApdu(data={} sw={})",
            hex_string(&self.data),
            self.status
        )
    }
}

impl ResponseApdu {
    pub fn new(data: Vec<u8>, status: StatusWord) -> ResponseApdu {
        ResponseApdu { data, status }
    }

    /// A response with no data.
    pub fn status_only(status: StatusWord) -> ResponseApdu {
        ResponseApdu {
            data: Vec::new(),
            status,
        }
    }

    pub fn success(data: Vec<u8>) -> ResponseApdu {
        ResponseApdu::new(data, StatusWord::SUCCESS)
    }

    pub fn parse(bytes: &[u8]) -> Result<ResponseApdu, ApduError> {
        let Some((data, status)) = bytes.split_last_chunk::<2>() else {
            return Err(ApduError::ResponseTooShort {
                length: bytes.len(),
            });
        };
        Ok(ResponseApdu {
            data: data.to_vec(),
            status: StatusWord::from_bytes(status[0], status[1]),
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.status.to_bytes());
        out
    }
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;
    use proptest::prelude::*;

    #[test]
    fn parses_the_four_cases_in_short_form() {
        let case1 = CommandApdu::parse(&hex!("00A4040C")).unwrap();
        assert_eq!((case1.data.len(), case1.expected_length), (0, None));
        let case2 = CommandApdu::parse(&hex!("0084000008")).unwrap();
        assert_eq!(case2.expected_length, Some(8));
        let case3 = CommandApdu::parse(&hex!("00A4040C07A0000002471001")).unwrap();
        assert_eq!(case3.data, hex!("A0000002471001"));
        assert_eq!(case3.expected_length, None);
        let case4 = CommandApdu::parse(&hex!("10860000027C0000")).unwrap();
        assert_eq!(case4.data, hex!("7C00"));
        assert_eq!(case4.expected_length, Some(256));
        assert!(case4.is_chained());
    }

    #[test]
    fn parses_extended_lengths() {
        let case2 = CommandApdu::parse(&hex!("00B0000000 0000")).unwrap();
        assert_eq!(case2.expected_length, Some(65_536));
        let case3 = CommandApdu::parse(&hex!("00D6000000 0002 AABB")).unwrap();
        assert_eq!(case3.data, hex!("AABB"));
        let case4 = CommandApdu::parse(&hex!("00D6000000 0002 AABB 0200")).unwrap();
        assert_eq!(case4.expected_length, Some(512));
    }

    #[test]
    fn wrong_lengths_map_to_6700_and_class_ff_to_6e00() {
        for bytes in [
            &hex!("00A404")[..],
            &hex!("00A4040C0300")[..],
            &hex!("00A4040C00000001")[..],
            &hex!("00A4040C0000020101 01")[..],
            &hex!("00A4040C0000")[..],
            &hex!("00A4040C00000300")[..],
        ] {
            let error = CommandApdu::parse(bytes).unwrap_err();
            assert_eq!(
                error.status_word(),
                StatusWord::WRONG_LENGTH,
                "{bytes:02X?}"
            );
        }
        let error = CommandApdu::parse(&hex!("FFA4040C")).unwrap_err();
        assert_eq!(error.status_word(), StatusWord::CLASS_NOT_SUPPORTED);
    }

    #[test]
    fn builds_short_unless_lengths_need_extended() {
        let short = CommandApdu::new(hex!("00B09E00"), vec![], Some(256)).unwrap();
        assert_eq!(short.to_bytes(), hex!("00B09E0000"));
        let extended = CommandApdu::new(hex!("00B00000"), vec![], Some(1000)).unwrap();
        assert_eq!(extended.to_bytes(), hex!("00B000000003E8"));
        let big = CommandApdu::new(hex!("00D60000"), vec![7; 300], Some(65_536)).unwrap();
        let bytes = big.to_bytes();
        assert_eq!(&bytes[4..7], &hex!("00012C"));
        assert_eq!(&bytes[bytes.len() - 2..], &hex!("0000"));
        assert!(CommandApdu::new(hex!("00B00000"), vec![], Some(0)).is_err());
    }

    #[test]
    fn response_needs_two_status_bytes() {
        let response = ResponseApdu::parse(&hex!("60149000")).unwrap();
        assert_eq!(response.data, hex!("6014"));
        assert_eq!(response.status, StatusWord::SUCCESS);
        assert!(ResponseApdu::parse(&[0x90]).is_err());
    }

    fn arbitrary_command() -> impl Strategy<Value = CommandApdu> {
        (
            any::<[u8; 4]>().prop_filter("class FF is reserved", |header| header[0] != 0xFF),
            prop::collection::vec(any::<u8>(), 0..600),
            prop::option::of(1..=EXPECTED_LENGTH_MAX),
        )
            .prop_map(|(header, data, expected_length)| {
                CommandApdu::new(header, data, expected_length).unwrap()
            })
    }

    proptest! {
        #[test]
        fn parsing_any_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            match CommandApdu::parse(&bytes) {
                // Whatever parses re-encodes to a command that parses to the same thing.
                Ok(command) => prop_assert_eq!(CommandApdu::parse(&command.to_bytes()), Ok(command)),
                Err(error) => prop_assert!(error.status_word().0 >> 8 >= 0x67),
            }
        }

        #[test]
        fn build_then_parse_round_trips(command in arbitrary_command()) {
            prop_assert_eq!(CommandApdu::parse(&command.to_bytes()), Ok(command));
        }
    }
}
