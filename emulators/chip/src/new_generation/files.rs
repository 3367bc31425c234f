//! The ISO/IEC 7816-4 file system of the new-generation chip: SELECT, READ BINARY and the
//! access conditions of each file.
//!
//! The master file holds EF.CardAccess; the eMRTD application (selected by AID with P2 = 0C
//! or 00) holds EF.COM, the data groups and EF.SOD. EF.CardAccess is found from either
//! directory, as several reader stacks read it after selecting the application.
//!
//! Access conditions: EF.CardAccess always; EF.COM, DG1, DG2, DG14 and EF.SOD under secure
//! messaging after PACE or BAC; DG3 only after chip authentication and a terminal
//! authentication whose certificate chain grants DG3. Anything else gets 6982.
//!
//! READ BINARY: by short file identifier (P1 = 0x80 | SFI, offset in P2; the file becomes
//! current) or by offset in the current file (P1-P2, 15 bits). Short Le (up to 256) and
//! extended Le (up to 65 536) are both served; when fewer bytes remain than an explicit Le
//! asks for, the chip answers them with 6282, and with 9000 when Le was "all" (00 or 0000).

use super::session::{AccessLevel, Directory, Session};
use crate::image::CardImage;
use crate::timing::ChipWork;
use hkic_protocol::apdu::{CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::lds::{APPLICATION_IDENTIFIER, ElementaryFile};
use hkic_protocol::tlv::{self, Tag};

const SELECT_BY_FILE_IDENTIFIER: u8 = 0x00;
const SELECT_ELEMENTARY_FILE: u8 = 0x02;
const SELECT_BY_NAME: u8 = 0x04;
const NO_RESPONSE_DATA: u8 = 0x0C;
const MASTER_FILE: [u8; 2] = [0x3F, 0x00];
/// Le = 00 and Le = 0000: "as many bytes as there are".
const EXPECTED_LENGTHS_MEANING_ALL: [u32; 2] = [256, 65_536];

fn status(status: StatusWord) -> ResponseApdu {
    ResponseApdu::status_only(status)
}

/// True when `file` may be read at `level`.
pub(crate) fn may_read(file: ElementaryFile, level: AccessLevel) -> bool {
    match file {
        ElementaryFile::CardAccess => true,
        ElementaryFile::Dg3 => level == AccessLevel::ChipAuthenticated { dg3_granted: true },
        _ => level != AccessLevel::None,
    }
}

/// True when `file` exists and can be reached from `directory`.
fn is_visible(image: &CardImage, directory: Directory, file: ElementaryFile) -> bool {
    image.files.contains_key(&file)
        && (file == ElementaryFile::CardAccess || directory == Directory::Application)
}

/// SELECT.
pub(crate) fn select(
    session: &mut Session,
    image: &CardImage,
    command: &CommandApdu,
) -> ResponseApdu {
    let wants_data = match command.parameter2 {
        NO_RESPONSE_DATA => false,
        0x00 | 0x04 => true,
        _ => return status(StatusWord::INCORRECT_PARAMETERS),
    };
    match command.parameter1 {
        SELECT_BY_NAME => select_application(session, command, wants_data),
        SELECT_BY_FILE_IDENTIFIER if command.data.is_empty() || command.data == MASTER_FILE => {
            session.directory = Directory::Master;
            session.current_file = None;
            status(StatusWord::SUCCESS)
        }
        SELECT_BY_FILE_IDENTIFIER | SELECT_ELEMENTARY_FILE => {
            select_file(session, image, &command.data, wants_data)
        }
        _ => status(StatusWord::INCORRECT_PARAMETERS),
    }
}

fn select_application(
    session: &mut Session,
    command: &CommandApdu,
    wants_data: bool,
) -> ResponseApdu {
    if command.data != APPLICATION_IDENTIFIER {
        return status(StatusWord::FILE_NOT_FOUND);
    }
    session.directory = Directory::Application;
    session.current_file = None;
    if wants_data {
        let information = tlv::encode(Tag(0x84), &APPLICATION_IDENTIFIER);
        return ResponseApdu::success(tlv::encode(Tag(0x6F), &information));
    }
    status(StatusWord::SUCCESS)
}

fn select_file(
    session: &mut Session,
    image: &CardImage,
    data: &[u8],
    wants_data: bool,
) -> ResponseApdu {
    let Ok(identifier) = <[u8; 2]>::try_from(data) else {
        return status(StatusWord::WRONG_LENGTH);
    };
    let file = ElementaryFile::from_file_identifier(u16::from_be_bytes(identifier))
        .filter(|file| is_visible(image, session.directory, *file));
    let Some(file) = file else {
        return status(StatusWord::FILE_NOT_FOUND);
    };
    session.current_file = Some(file);
    if !wants_data {
        return status(StatusWord::SUCCESS);
    }
    let length = image.files.get(&file).map_or(0, Vec::len) as u16;
    let mut control = tlv::encode(Tag(0x80), &length.to_be_bytes());
    tlv::append(&mut control, Tag(0x82), &[0x01]);
    tlv::append(&mut control, Tag(0x83), &identifier);
    ResponseApdu::success(tlv::encode(Tag(0x62), &control))
}

/// READ BINARY at `level`.
pub(crate) fn read_binary(
    session: &mut Session,
    image: &CardImage,
    command: &CommandApdu,
    level: AccessLevel,
) -> (ResponseApdu, ChipWork) {
    let nothing = ChipWork::default();
    let target = if command.parameter1 & 0x80 != 0 {
        target_by_short_identifier(session, image, command.parameter1, command.parameter2)
    } else {
        let offset = usize::from(u16::from_be_bytes([command.parameter1, command.parameter2]));
        session
            .current_file
            .map(|file| (file, offset))
            .ok_or(StatusWord::NO_CURRENT_ELEMENTARY_FILE)
    };
    let (file, offset) = match target {
        Ok(target) => target,
        Err(error) => return (status(error), nothing),
    };
    if !command.data.is_empty() {
        return (status(StatusWord::WRONG_LENGTH), nothing);
    }
    let Some(expected_length) = command.expected_length else {
        return (status(StatusWord::WRONG_LENGTH), nothing);
    };
    if !may_read(file, level) {
        return (status(StatusWord::SECURITY_STATUS_NOT_SATISFIED), nothing);
    }
    let Some(content) = image.files.get(&file) else {
        return (status(StatusWord::FILE_NOT_FOUND), nothing);
    };
    if offset > content.len() {
        return (status(StatusWord::WRONG_PARAMETERS), nothing);
    }
    let end = content.len().min(offset + expected_length as usize);
    let data = content[offset..end].to_vec();
    let work = ChipWork {
        memory_bytes_read: data.len() as u32,
        ..ChipWork::default()
    };
    let short = data.len() < expected_length as usize
        && !EXPECTED_LENGTHS_MEANING_ALL.contains(&expected_length);
    let status = if short {
        StatusWord::END_OF_FILE_REACHED
    } else {
        StatusWord::SUCCESS
    };
    (ResponseApdu::new(data, status), work)
}

/// The file and offset of READ BINARY with P1 = 0x80 | SFI; the file becomes current.
fn target_by_short_identifier(
    session: &mut Session,
    image: &CardImage,
    parameter1: u8,
    parameter2: u8,
) -> Result<(ElementaryFile, usize), StatusWord> {
    if parameter1 & 0x60 != 0 {
        return Err(StatusWord::INCORRECT_PARAMETERS);
    }
    let file = ElementaryFile::from_short_file_identifier(parameter1 & 0x1F)
        .filter(|file| is_visible(image, session.directory, *file))
        .ok_or(StatusWord::FILE_NOT_FOUND)?;
    session.current_file = Some(file);
    Ok((file, usize::from(parameter2)))
}
