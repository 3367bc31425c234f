//! Reading one elementary file in chunks: the first READ BINARY by short file identifier, the
//! file's length from its TLV header, then READ BINARY by offset until the file is whole.

use hkic_protocol::apdu::{CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::tlv::{TlvError, TlvRef};

/// The furthest offset READ BINARY (B0) can address.
const OFFSET_MAX: usize = 0x7FFF;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileReadError {
    #[error("{file}: the chip answered {status}")]
    Refused {
        file: &'static str,
        status: StatusWord,
    },
    #[error("{file}: {problem}")]
    Malformed { file: &'static str, problem: String },
}

/// A file being read.
#[derive(Debug, Clone)]
pub(super) struct FileRead {
    /// The file's name, for errors.
    name: &'static str,
    short_identifier: u8,
    pub content: Vec<u8>,
    /// Known after the first chunk.
    total: Option<usize>,
    chunk_length: u32,
}

fn read_binary(parameters: [u8; 2], expected_length: u32) -> CommandApdu {
    CommandApdu {
        class: 0x00,
        instruction: 0xB0,
        parameter1: parameters[0],
        parameter2: parameters[1],
        data: Vec::new(),
        expected_length: Some(expected_length),
    }
}

impl FileRead {
    /// Reads the file with this short identifier in chunks of `chunk_length` bytes.
    pub fn new(name: &'static str, short_identifier: u8, chunk_length: u32) -> FileRead {
        debug_assert!(short_identifier <= 0x1F);
        FileRead {
            name,
            short_identifier,
            content: Vec::new(),
            total: None,
            // At least a TLV header; at most what an extended Le asks for.
            chunk_length: chunk_length.clamp(8, 65_536),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.content.is_empty()
    }

    /// The next READ BINARY, or `None` once the file is whole.
    pub fn next_command(&self) -> Option<CommandApdu> {
        let Some(total) = self.total else {
            let parameter1 = 0x80 | self.short_identifier;
            return Some(read_binary([parameter1, 0], self.chunk_length));
        };
        let remaining = total - self.content.len();
        if remaining == 0 {
            return None;
        }
        let offset = (self.content.len() as u16).to_be_bytes();
        let expected_length = self.chunk_length.min(remaining as u32);
        Some(read_binary(offset, expected_length))
    }

    /// Takes the answer to [`FileRead::next_command`].
    pub fn absorb(&mut self, response: ResponseApdu) -> Result<(), FileReadError> {
        let has_data = matches!(
            response.status,
            StatusWord::SUCCESS | StatusWord::END_OF_FILE_REACHED
        );
        if !has_data || response.data.is_empty() {
            return Err(FileReadError::Refused {
                file: self.name,
                status: response.status,
            });
        }
        self.content.extend(response.data);
        let total = match self.total {
            Some(total) => total,
            None => self.total_from_header()?,
        };
        if self.content.len() > total {
            self.content.truncate(total);
        }
        self.total = Some(total);
        Ok(())
    }

    /// The whole file's length from its TLV header in the first chunk.
    fn total_from_header(&self) -> Result<usize, FileReadError> {
        let malformed = |problem: String| FileReadError::Malformed {
            file: self.name,
            problem,
        };
        let total = match TlvRef::decode_first(&self.content) {
            Ok((_, rest)) => self.content.len() - rest.len(),
            Err(TlvError::TruncatedValue {
                declared,
                available,
            }) => self.content.len() - available + declared,
            Err(error) => return Err(malformed(error.to_string())),
        };
        if total > OFFSET_MAX {
            return Err(malformed(format!(
                "{total} bytes is beyond READ BINARY's offsets"
            )));
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_file_in_chunks_from_its_header() {
        let mut content = vec![0x75, 0x82, 0x01, 0x00];
        content.extend((0..256).map(|byte| byte as u8));
        let mut read = FileRead::new("DG2", 2, 100);
        let mut commands = 0;
        while let Some(command) = read.next_command() {
            commands += 1;
            let start = if command.parameter1 & 0x80 != 0 {
                0
            } else {
                usize::from(u16::from_be_bytes([command.parameter1, command.parameter2]))
            };
            let end = content
                .len()
                .min(start + command.expected_length.unwrap() as usize);
            read.absorb(ResponseApdu::success(content[start..end].to_vec()))
                .unwrap();
        }
        assert_eq!(commands, 3);
        assert_eq!(read.content, content);
    }

    #[test]
    fn refusals_and_bad_headers_are_errors() {
        let mut read = FileRead::new("DG3", 3, 100);
        let refused = read.absorb(ResponseApdu::status_only(
            StatusWord::SECURITY_STATUS_NOT_SATISFIED,
        ));
        assert!(matches!(refused, Err(FileReadError::Refused { .. })));
        let mut read = FileRead::new("DG1", 1, 100);
        let bad = read.absorb(ResponseApdu::success(vec![0x61, 0x85, 1, 2, 3, 4, 5, 6]));
        assert!(matches!(bad, Err(FileReadError::Malformed { .. })));
        let mut read = FileRead::new("DG2", 2, 100);
        let huge = read.absorb(ResponseApdu::success(vec![0x75, 0x82, 0x80, 0x00, 1]));
        assert!(matches!(huge, Err(FileReadError::Malformed { .. })));
    }
}
