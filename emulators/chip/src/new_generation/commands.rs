//! Command dispatch: from bytes to a response APDU, for plain and protected commands.
//!
//! A plain command received while a secure messaging session is open ends the session
//! first (ICAO 9303-11: the chip aborts secure messaging on any unprotected APDU), which is
//! also how a reader starts PACE again. A protected command that fails unwrapping (wrong
//! MAC, replayed or reordered SSC, malformed data objects) ends the session and gets the
//! plain error status word. Errors of the command itself travel protected (DO'99').
//!
//! Class bytes: 00 and 0C, with the chaining bit 10 on GENERAL AUTHENTICATE only; anything
//! else is 6E00 (other classes, logical channels) or 6884 (chaining elsewhere).

use super::NewGenerationChip;
use super::files;
use super::session::Access;
use crate::image::CardImage;
use crate::timing::ChipWork;
use hkic_protocol::apdu::{CLASS_CHAINING, CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::bac::{INSTRUCTION_EXTERNAL_AUTHENTICATE, INSTRUCTION_GET_CHALLENGE};
use hkic_protocol::pace::{
    INSTRUCTION_GENERAL_AUTHENTICATE, INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT,
};

const INSTRUCTION_SELECT: u8 = 0xA4;
const INSTRUCTION_READ_BINARY: u8 = 0xB0;
const INSTRUCTION_PERFORM_SECURITY_OPERATION: u8 = 0x2A;
const CHAINING_NOT_SUPPORTED: StatusWord = StatusWord(0x6884);
/// The class bits this chip interprets: secure messaging (0C) and chaining (10).
const CLASS_BITS_SUPPORTED: u8 = 0x1C;

fn status(status: StatusWord) -> ResponseApdu {
    ResponseApdu::status_only(status)
}

impl NewGenerationChip {
    /// One command: parse, dispatch, answer. Never panics, always a status word.
    pub(super) fn process(&mut self, bytes: &[u8]) -> (ResponseApdu, ChipWork) {
        let nothing = ChipWork::default();
        let command = match CommandApdu::parse(bytes) {
            Ok(command) => command,
            Err(error) => return (status(error.status_word()), nothing),
        };
        let Some(image) = self.image.clone() else {
            return (status(blank_status(&command)), nothing);
        };
        if command.class & !CLASS_BITS_SUPPORTED != 0
            || (command.class & 0x0C != 0 && !command.is_secure_messaging())
        {
            return (status(StatusWord::CLASS_NOT_SUPPORTED), nothing);
        }
        if command.is_secure_messaging() {
            return self.process_protected(&command, &image);
        }
        self.session.access = Access::None;
        if command.is_chained() && command.instruction != INSTRUCTION_GENERAL_AUTHENTICATE {
            return (status(CHAINING_NOT_SUPPORTED), nothing);
        }
        self.process_plain(&command, &image)
    }

    fn process_plain(
        &mut self,
        command: &CommandApdu,
        image: &CardImage,
    ) -> (ResponseApdu, ChipWork) {
        let nothing = ChipWork::default();
        match command.instruction {
            INSTRUCTION_SELECT => (files::select(&mut self.session, image, command), nothing),
            INSTRUCTION_READ_BINARY => {
                let level = self.session.access.level();
                files::read_binary(&mut self.session, image, command, level)
            }
            INSTRUCTION_GET_CHALLENGE => (self.bac_challenge(command), bac_work()),
            INSTRUCTION_EXTERNAL_AUTHENTICATE => {
                (self.bac_authenticate(command, image), bac_work())
            }
            INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT if Self::is_pace_start(command) => {
                self.pace(command)
            }
            INSTRUCTION_GENERAL_AUTHENTICATE => self.pace(command),
            INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT | INSTRUCTION_PERFORM_SECURITY_OPERATION => {
                (status(StatusWord::SECURITY_STATUS_NOT_SATISFIED), nothing)
            }
            _ => (status(StatusWord::INSTRUCTION_NOT_SUPPORTED), nothing),
        }
    }

    fn process_protected(
        &mut self,
        command: &CommandApdu,
        image: &CardImage,
    ) -> (ResponseApdu, ChipWork) {
        let Some(secure_messaging) = self.session.access.secure_messaging_mut() else {
            return (
                status(StatusWord::SECURITY_STATUS_NOT_SATISFIED),
                ChipWork::default(),
            );
        };
        let inner = match secure_messaging.unprotect_command(command) {
            Ok(inner) => inner,
            Err(error) => {
                self.session.access = Access::None;
                let work = ChipWork::secure_messaging(command.data.len(), 0);
                return (status(error.status_word()), work);
            }
        };
        let (response, new_access, mut work) = self.dispatch_protected(&inner, image);
        work.add(ChipWork::secure_messaging(
            inner.data.len(),
            response.data.len(),
        ));
        let protected = match self.session.access.secure_messaging_mut() {
            Some(secure_messaging) => secure_messaging.protect_response(&response),
            None => response,
        };
        if let Some(access) = new_access {
            self.session.access = access;
        }
        (protected, work)
    }

    fn dispatch_protected(
        &mut self,
        command: &CommandApdu,
        image: &CardImage,
    ) -> (ResponseApdu, Option<Access>, ChipWork) {
        let nothing = ChipWork::default();
        if command.class & CLASS_CHAINING != 0 {
            return (status(CHAINING_NOT_SUPPORTED), None, nothing);
        }
        let (response, work) = match command.instruction {
            INSTRUCTION_SELECT => (files::select(&mut self.session, image, command), nothing),
            INSTRUCTION_READ_BINARY => {
                let level = self.session.access.level();
                files::read_binary(&mut self.session, image, command, level)
            }
            INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT => {
                match (command.parameter1, command.parameter2) {
                    (0x41, 0xA4) => return self.chip_authentication(command, image),
                    (0x81, 0xB6) | (0x81, 0xA4) => self.terminal_authentication(command),
                    _ => (status(StatusWord::INCORRECT_PARAMETERS), nothing),
                }
            }
            INSTRUCTION_GENERAL_AUTHENTICATE => return self.chip_authentication(command, image),
            INSTRUCTION_PERFORM_SECURITY_OPERATION
            | INSTRUCTION_GET_CHALLENGE
            | INSTRUCTION_EXTERNAL_AUTHENTICATE => self.terminal_authentication(command),
            _ => (status(StatusWord::INSTRUCTION_NOT_SUPPORTED), nothing),
        };
        (response, None, work)
    }
}

/// What a blank chip answers: no application, no file, nothing to authenticate.
fn blank_status(command: &CommandApdu) -> StatusWord {
    match command.instruction {
        INSTRUCTION_SELECT | INSTRUCTION_READ_BINARY => StatusWord::FILE_NOT_FOUND,
        _ => StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED,
    }
}

fn bac_work() -> ChipWork {
    ChipWork {
        cipher_blocks: 12,
        ..ChipWork::default()
    }
}
