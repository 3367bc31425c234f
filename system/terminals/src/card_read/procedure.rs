//! The phases of one read attempt. Each phase consumes the chip's response to the command it
//! sent and gives the next command or the verdict; the secure messaging session wraps every
//! command after PACE or BAC.
//!
//! Order: access control (EF.CardAccess then PACE; or SELECT then BAC), SELECT of the
//! application, DG1 (DG2) DG14 and EF.SOD, passive authentication and the revocation list,
//! chip authentication confirmed by one exchange under the new keys, then (with terminal
//! credentials) terminal authentication and DG3 with its hash checked against the SOD.

use super::CardReadConfig;
use super::access::{AccessControl, AccessStep};
use super::file_read::FileRead;
use super::verdict::{CardVerdict, HolderRecord};
use hkic_base::Stream;
use hkic_protocol::apdu::{CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::ca::ChipAuthenticationTerminal;
use hkic_protocol::curve::Point;
use hkic_protocol::lds::{self, APPLICATION_IDENTIFIER, ElementaryFile};
use hkic_protocol::pa::{
    Certificate, PassiveAuthenticationVerdict, check_data_groups_of_verified_sod, verify_sod_with,
};
use hkic_protocol::sm::{SecureMessaging, SecureMessagingError};
use hkic_protocol::ta::TerminalAuthenticationTerminal;
use std::collections::{BTreeMap, VecDeque};

/// What the reader does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    Send(Vec<u8>),
    Finish(CardVerdict),
}

pub(super) fn unreadable(reason: impl Into<String>) -> Step {
    Step::Finish(CardVerdict::Unreadable {
        reason: reason.into(),
    })
}

#[derive(Debug)]
pub(super) enum Phase {
    /// Access control: PACE or BAC, see [`super::access`].
    Access(Box<AccessControl>),
    SelectingApplication,
    ReadingFile(ElementaryFile, FileRead),
    ChipAuthenticating {
        terminal: Box<ChipAuthenticationTerminal>,
        first: Option<ResponseApdu>,
    },
    ConfirmingChipAuthentication,
    TerminalAuthenticating {
        terminal: Box<TerminalAuthenticationTerminal>,
        remaining: VecDeque<CommandApdu>,
        /// EXTERNAL AUTHENTICATE was sent: the next response is the last.
        authenticating: bool,
    },
    ReadingDg3(FileRead),
    Done,
}

/// What one attempt has gathered.
#[derive(Debug, Default)]
pub(super) struct Collected {
    pub files: BTreeMap<ElementaryFile, Vec<u8>>,
    /// ID_PICC for terminal authentication.
    pub chip_identifier: Vec<u8>,
    pub holder: Option<HolderRecord>,
    pub dg3_refused: Option<StatusWord>,
    pub terminal_ephemeral: Option<Point>,
}

/// One read attempt.
#[derive(Debug)]
pub(super) struct Procedure {
    pub phase: Phase,
    pub secure_messaging: Option<SecureMessaging>,
    pending: VecDeque<ElementaryFile>,
    chunk_length: u32,
    pub collected: Collected,
}

/// A chunked read of one of the application's files.
fn file_read(file: ElementaryFile, chunk_length: u32) -> FileRead {
    let name = match file {
        ElementaryFile::CardAccess => "EF.CardAccess",
        ElementaryFile::Com => "EF.COM",
        ElementaryFile::Dg1 => "DG1",
        ElementaryFile::Dg2 => "DG2",
        ElementaryFile::Dg3 => "DG3",
        ElementaryFile::Dg14 => "DG14",
        ElementaryFile::Sod => "EF.SOD",
    };
    FileRead::new(name, file.short_file_identifier(), chunk_length)
}

pub(super) fn select_application() -> CommandApdu {
    CommandApdu {
        class: 0x00,
        instruction: 0xA4,
        parameter1: 0x04,
        parameter2: 0x0C,
        data: APPLICATION_IDENTIFIER.to_vec(),
        expected_length: None,
    }
}

impl Procedure {
    /// A new attempt and its first command.
    pub fn start(config: &CardReadConfig) -> (Procedure, Vec<u8>) {
        let (access, command) = AccessControl::start(&config.access_key);
        let mut pending = VecDeque::from([ElementaryFile::Dg1]);
        if config.read_facial_image {
            pending.push_back(ElementaryFile::Dg2);
        }
        pending.extend([ElementaryFile::Dg14, ElementaryFile::Sod]);
        let procedure = Procedure {
            phase: Phase::Access(Box::new(access)),
            secure_messaging: None,
            pending,
            chunk_length: config.chunk_length,
            collected: Collected::default(),
        };
        (procedure, command.to_bytes())
    }

    /// Consumes the chip's response to the last command.
    pub fn handle_response(
        &mut self,
        config: &CardReadConfig,
        random: &mut Stream,
        bytes: &[u8],
    ) -> Step {
        let Ok(response) = ResponseApdu::parse(bytes) else {
            return unreadable("a response without a status word");
        };
        let Phase::Access(access) = &mut self.phase else {
            return self.handle_protected(config, random, &response);
        };
        match access.handle_response(&config.access_key, random, &response) {
            AccessStep::Send(command) => Step::Send(command),
            AccessStep::Established {
                secure_messaging,
                chip_identifier,
            } => self.session_opened(secure_messaging, chip_identifier),
            AccessStep::Finish(verdict) => Step::Finish(verdict),
        }
    }

    /// Wraps `command` in the session and moves to `next`.
    pub fn send_protected(&mut self, command: &CommandApdu, next: Phase) -> Step {
        let Some(secure_messaging) = self.secure_messaging.as_mut() else {
            return unreadable("no secure messaging session");
        };
        match secure_messaging.protect_command(command) {
            Ok(wrapped) => {
                self.phase = next;
                Step::Send(wrapped.to_bytes())
            }
            Err(error) => unreadable(format!("cannot protect a command: {error}")),
        }
    }

    /// Unwraps a protected response. A plain error status word (which the chip may answer
    /// after ending the session) becomes a response with that status.
    fn open(&mut self, response: &ResponseApdu) -> Result<ResponseApdu, SecureMessagingError> {
        let secure_messaging = self
            .secure_messaging
            .as_mut()
            .ok_or(SecureMessagingError::NotProtected)?;
        match secure_messaging.unprotect_response(response) {
            Err(SecureMessagingError::UnprotectedStatus(status)) => {
                Ok(ResponseApdu::status_only(status))
            }
            other => other,
        }
    }

    /// After PACE or BAC: the session is open.
    fn session_opened(
        &mut self,
        secure_messaging: SecureMessaging,
        chip_identifier: Vec<u8>,
    ) -> Step {
        self.secure_messaging = Some(secure_messaging);
        self.collected.chip_identifier = chip_identifier;
        self.send_protected(&select_application(), Phase::SelectingApplication)
    }

    /// Consumes the response to the last command of a phase after access control.
    fn handle_protected(
        &mut self,
        config: &CardReadConfig,
        random: &mut Stream,
        response: &ResponseApdu,
    ) -> Step {
        let phase = std::mem::replace(&mut self.phase, Phase::Done);
        if let Phase::ConfirmingChipAuthentication = phase {
            return self.confirm_chip_authentication(config, response);
        }
        let opened = match self.open(response) {
            Ok(opened) => opened,
            Err(error) => return unreadable(format!("secure messaging: {error}")),
        };
        match phase {
            Phase::SelectingApplication if opened.status == StatusWord::SUCCESS => {
                self.read_next_file(config, random)
            }
            Phase::SelectingApplication => {
                unreadable(format!("SELECT of the application: {}", opened.status))
            }
            Phase::ReadingFile(file, read) => {
                self.continue_file(config, random, file, read, opened)
            }
            Phase::ChipAuthenticating { terminal, first } => {
                self.continue_chip_authentication(terminal, first, opened)
            }
            Phase::TerminalAuthenticating {
                terminal,
                remaining,
                authenticating,
            } => self.continue_terminal_authentication(terminal, remaining, authenticating, opened),
            Phase::ReadingDg3(read) => self.continue_dg3(read, opened),
            Phase::Access(_) | Phase::ConfirmingChipAuthentication | Phase::Done => {
                unreadable("a response arrived after the read ended")
            }
        }
    }

    fn read_next_file(&mut self, config: &CardReadConfig, random: &mut Stream) -> Step {
        let Some(file) = self.pending.pop_front() else {
            return self.authenticate(config, random);
        };
        let read = file_read(file, config.chunk_length);
        match read.next_command() {
            Some(command) => self.send_protected(&command, Phase::ReadingFile(file, read)),
            None => unreadable("nothing to read"),
        }
    }

    fn continue_file(
        &mut self,
        config: &CardReadConfig,
        random: &mut Stream,
        file: ElementaryFile,
        mut read: FileRead,
        response: ResponseApdu,
    ) -> Step {
        if let Err(error) = read.absorb(response) {
            return unreadable(error.to_string());
        }
        match read.next_command() {
            Some(command) => self.send_protected(&command, Phase::ReadingFile(file, read)),
            None => {
                self.collected.files.insert(file, read.content);
                self.read_next_file(config, random)
            }
        }
    }

    /// Passive authentication, the revocation list, then chip authentication.
    fn authenticate(&mut self, config: &CardReadConfig, random: &mut Stream) -> Step {
        let document_signer = match self.passive_authentication(config) {
            Ok(document_signer) => document_signer,
            Err(verdict) => return Step::Finish(verdict),
        };
        if config
            .revocation_list
            .as_ref()
            .is_some_and(|list| list.is_revoked(&document_signer))
        {
            return Step::Finish(CardVerdict::Revoked);
        }
        let Some(dg14) = self.collected.files.get(&ElementaryFile::Dg14) else {
            return unreadable("DG14 was not read");
        };
        let key = match lds::decode_dg14(dg14) {
            Ok(key) => key,
            Err(error) => return unreadable(format!("DG14: {error}")),
        };
        let terminal = match ChipAuthenticationTerminal::new(&key, random) {
            Ok(terminal) => terminal,
            Err(error) => return unreadable(format!("chip authentication: {error}")),
        };
        let [set, _] = terminal.commands();
        let next = Phase::ChipAuthenticating {
            terminal: Box::new(terminal),
            first: None,
        };
        self.send_protected(&set, next)
    }

    /// Verifies the SOD and the data groups read; decodes DG1 for the holder record.
    fn passive_authentication(
        &mut self,
        config: &CardReadConfig,
    ) -> Result<Box<Certificate>, CardVerdict> {
        let files = &self.collected.files;
        let sod = files
            .get(&ElementaryFile::Sod)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let data_groups: Vec<(u8, &[u8])> = files
            .iter()
            .filter_map(|(file, content)| Some((file.data_group_number()?, content.as_slice())))
            .collect();
        let verified = &config.verified_document_signers;
        match verify_sod_with(sod, &data_groups, &config.trusted_cscas, verified) {
            PassiveAuthenticationVerdict::Valid { document_signer } => {
                self.record_holder(Some(&document_signer));
                Ok(document_signer)
            }
            failed => {
                self.record_holder(None);
                Err(verdict_of(failed).unwrap_or(CardVerdict::Altered { data_group: None }))
            }
        }
    }

    fn record_holder(&mut self, document_signer: Option<&Certificate>) {
        let files = &self.collected.files;
        let Some(personal_data) = files
            .get(&ElementaryFile::Dg1)
            .and_then(|dg1| lds::decode_dg1(dg1).ok())
        else {
            return;
        };
        self.collected.holder = Some(HolderRecord {
            personal_data,
            facial_image: files
                .get(&ElementaryFile::Dg2)
                .and_then(|dg2| lds::decode_dg2(dg2).ok()),
            thumb_templates: None,
            document_signer_serial: document_signer
                .map(super::revocation::serial_of)
                .unwrap_or_default(),
        });
    }

    fn continue_chip_authentication(
        &mut self,
        terminal: Box<ChipAuthenticationTerminal>,
        first: Option<ResponseApdu>,
        response: ResponseApdu,
    ) -> Step {
        let Some(first) = first else {
            let [_, authenticate] = terminal.commands();
            let next = Phase::ChipAuthenticating {
                terminal,
                first: Some(response),
            };
            return self.send_protected(&authenticate, next);
        };
        // A chip that refuses chip authentication cannot prove it holds the key.
        let Ok(secure_messaging) = terminal.finish([&first, &response]) else {
            return Step::Finish(CardVerdict::Cloned);
        };
        self.secure_messaging = Some(secure_messaging);
        self.collected.terminal_ephemeral = Some(*terminal.ephemeral_public());
        self.send_protected(&select_application(), Phase::ConfirmingChipAuthentication)
    }

    /// The first response under the chip-authentication keys: only the genuine chip can
    /// protect it.
    fn confirm_chip_authentication(
        &mut self,
        config: &CardReadConfig,
        response: &ResponseApdu,
    ) -> Step {
        let confirmed = self
            .secure_messaging
            .as_mut()
            .and_then(|secure_messaging| secure_messaging.unprotect_response(response).ok())
            .is_some_and(|opened| opened.status == StatusWord::SUCCESS);
        if !confirmed {
            return Step::Finish(CardVerdict::Cloned);
        }
        let (Some(credentials), Some(ephemeral)) =
            (&config.terminal, self.collected.terminal_ephemeral)
        else {
            return Step::Finish(CardVerdict::Genuine);
        };
        let terminal = TerminalAuthenticationTerminal::new(
            credentials.chain.clone(),
            credentials.key.clone(),
            self.collected.chip_identifier.clone(),
            ephemeral,
        );
        let terminal = match terminal {
            Ok(terminal) => terminal,
            Err(error) => return unreadable(format!("terminal credentials: {error}")),
        };
        let mut remaining: VecDeque<CommandApdu> = terminal.commands().into();
        let Some(first) = remaining.pop_front() else {
            return Step::Finish(CardVerdict::Genuine);
        };
        let next = Phase::TerminalAuthenticating {
            terminal: Box::new(terminal),
            remaining,
            authenticating: false,
        };
        self.send_protected(&first, next)
    }

    fn continue_terminal_authentication(
        &mut self,
        terminal: Box<TerminalAuthenticationTerminal>,
        mut remaining: VecDeque<CommandApdu>,
        authenticating: bool,
        response: ResponseApdu,
    ) -> Step {
        if response.status != StatusWord::SUCCESS {
            self.collected.dg3_refused = Some(response.status);
            return Step::Finish(CardVerdict::Genuine);
        }
        if let Some(command) = remaining.pop_front() {
            let next = Phase::TerminalAuthenticating {
                terminal,
                remaining,
                authenticating: false,
            };
            return self.send_protected(&command, next);
        }
        if authenticating {
            let read = file_read(ElementaryFile::Dg3, self.chunk_length);
            return match read.next_command() {
                Some(command) => self.send_protected(&command, Phase::ReadingDg3(read)),
                None => unreadable("nothing to read"),
            };
        }
        // The answer to GET CHALLENGE: sign it.
        match terminal.authenticate_command(&response) {
            Ok(command) => {
                let next = Phase::TerminalAuthenticating {
                    terminal,
                    remaining,
                    authenticating: true,
                };
                self.send_protected(&command, next)
            }
            Err(error) => unreadable(format!("terminal authentication: {error}")),
        }
    }

    fn continue_dg3(&mut self, mut read: FileRead, response: ResponseApdu) -> Step {
        let status = response.status;
        if read.is_empty()
            && !matches!(
                status,
                StatusWord::SUCCESS | StatusWord::END_OF_FILE_REACHED
            )
        {
            self.collected.dg3_refused = Some(status);
            return Step::Finish(CardVerdict::Genuine);
        }
        if let Err(error) = read.absorb(response) {
            return unreadable(error.to_string());
        }
        if let Some(command) = read.next_command() {
            return self.send_protected(&command, Phase::ReadingDg3(read));
        }
        let sod = self
            .collected
            .files
            .get(&ElementaryFile::Sod)
            .map(Vec::as_slice)
            .unwrap_or_default();
        // Passive authentication verified this SOD before chip authentication: DG3 is
        // checked against its hashes.
        if let Err(failed) = check_data_groups_of_verified_sod(sod, &[(3, &read.content)]) {
            return Step::Finish(
                verdict_of(failed).unwrap_or(CardVerdict::Altered { data_group: None }),
            );
        }
        let templates = lds::decode_dg3(&read.content).ok();
        if let Some(holder) = self.collected.holder.as_mut() {
            holder.thumb_templates = templates;
        }
        self.collected
            .files
            .insert(ElementaryFile::Dg3, read.content);
        Step::Finish(CardVerdict::Genuine)
    }
}

/// The card verdict of a failed passive authentication; `None` when it succeeded.
fn verdict_of(verdict: PassiveAuthenticationVerdict) -> Option<CardVerdict> {
    match verdict {
        PassiveAuthenticationVerdict::Valid { .. } => None,
        PassiveAuthenticationVerdict::AlteredDataGroup { number }
        | PassiveAuthenticationVerdict::DataGroupNotInSod { number } => {
            Some(CardVerdict::Altered {
                data_group: Some(number),
            })
        }
        PassiveAuthenticationVerdict::UnknownSigner => Some(CardVerdict::UnknownSigner),
        PassiveAuthenticationVerdict::BadSignature | PassiveAuthenticationVerdict::Malformed(_) => {
            Some(CardVerdict::Altered { data_group: None })
        }
    }
}
