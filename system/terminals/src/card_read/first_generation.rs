//! Reading a first-generation card at the registration kiosk: SELECT of the application,
//! the card serial in plain, mutual authentication with the card key the kiosk diversifies
//! from its issuer master key, then EF.Personal and EF.Thumbprints under 3DES secure
//! messaging (see [`hkic_protocol::first_generation`]).
//!
//! Sans-IO like [`super::CardReader`], with the same inputs; a transmission failure restarts
//! the read from activation, up to the configured attempts.

use super::CardReadInput;
use super::file_read::FileRead;
use hkic_base::Stream;
use hkic_protocol::apdu::{CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::bac::{self, BacError, BacTerminal};
use hkic_protocol::first_generation::{
    self as format, APPLICATION_IDENTIFIER, FILE_PERSONAL, FILE_SERIAL, FILE_THUMBPRINTS,
    FirstGenerationRecord, IssuerMasterKey,
};
use hkic_protocol::sm::SecureMessaging;

/// The outcome of reading an old card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstGenerationVerdict {
    Read {
        record: FirstGenerationRecord,
        thumbprints: [Vec<u8>; 2],
    },
    /// Mutual authentication failed: not a card of this issuer (or a forged one).
    AuthenticationFailed { status: StatusWord },
    /// Transmission failures beyond the retries, or a card answering outside the protocol
    /// (a corrupted template file included).
    Unreadable { reason: String },
}

/// What the first-generation reader asks of the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstGenerationOutput {
    Activate,
    Transmit(Vec<u8>),
    Finished(Box<FirstGenerationVerdict>),
}

#[derive(Debug)]
enum Phase {
    Activating,
    SelectingApplication,
    SelectingSerial,
    ReadingSerial,
    Challenging(BacTerminal),
    Authenticating(BacTerminal),
    ReadingPersonal(FileRead),
    ReadingThumbprints(FirstGenerationRecord, FileRead),
    Finished,
}

/// The kiosk's old-card reader.
#[derive(Debug)]
pub struct FirstGenerationReader {
    master: IssuerMasterKey,
    random: Stream,
    phase: Phase,
    secure_messaging: Option<SecureMessaging>,
    output: Option<FirstGenerationOutput>,
    attempts: u8,
    attempts_max: u8,
}

fn command(header: [u8; 4], data: &[u8], expected_length: Option<u32>) -> CommandApdu {
    CommandApdu {
        class: header[0],
        instruction: header[1],
        parameter1: header[2],
        parameter2: header[3],
        data: data.to_vec(),
        expected_length,
    }
}

fn read_short_identifier(identifier: u16) -> CommandApdu {
    command(
        [0x00, 0xB0, 0x80 | (identifier & 0x1F) as u8, 0x00],
        &[],
        Some(256),
    )
}

/// Chunks whose protected response fits 256 bytes with 3DES padding and the data objects.
const CHUNK_LENGTH: u32 = 223;

fn file_read(name: &'static str, identifier: u16) -> FileRead {
    FileRead::new(name, (identifier & 0x1F) as u8, CHUNK_LENGTH)
}

/// Sends the next chunk's READ BINARY, or `None` once the file is whole.
fn next_chunk(read: FileRead, phase: impl FnOnce(FileRead) -> Phase) -> Result<Next, FileRead> {
    match read.next_command() {
        Some(command) => Ok(Next::Send(command, phase(read))),
        None => Err(read),
    }
}

/// What a step leads to.
enum Next {
    Send(CommandApdu, Phase),
    Finish(FirstGenerationVerdict),
}

fn unreadable(reason: impl Into<String>) -> Next {
    Next::Finish(FirstGenerationVerdict::Unreadable {
        reason: reason.into(),
    })
}

impl FirstGenerationReader {
    pub fn new(master: IssuerMasterKey, attempts_max: u8, random: Stream) -> FirstGenerationReader {
        FirstGenerationReader {
            master,
            random,
            phase: Phase::Activating,
            secure_messaging: None,
            output: Some(FirstGenerationOutput::Activate),
            attempts: 1,
            attempts_max: attempts_max.max(1),
        }
    }

    pub fn poll_output(&mut self) -> Option<FirstGenerationOutput> {
        self.output.take()
    }

    pub fn handle_input(&mut self, input: CardReadInput) {
        let phase = std::mem::replace(&mut self.phase, Phase::Finished);
        let next = match (phase, input) {
            (Phase::Finished, _) => return,
            (_, CardReadInput::TransmissionFailed) => return self.retry(),
            (Phase::Activating, CardReadInput::Activated) => {
                let select = command([0x00, 0xA4, 0x04, 0x0C], &APPLICATION_IDENTIFIER, None);
                Next::Send(select, Phase::SelectingApplication)
            }
            (phase, CardReadInput::Response(bytes)) => match ResponseApdu::parse(&bytes) {
                Ok(response) => self.step(phase, response),
                Err(_) => unreadable("a response without a status word"),
            },
            (_, input) => unreadable(format!("the reader was driven out of order: {input:?}")),
        };
        match next {
            Next::Send(command, phase) => self.send(command, phase),
            Next::Finish(verdict) => self.finish(verdict),
        }
    }

    fn step(&mut self, phase: Phase, response: ResponseApdu) -> Next {
        match phase {
            Phase::SelectingApplication | Phase::SelectingSerial
                if response.status != StatusWord::SUCCESS =>
            {
                unreadable(format!("SELECT: {}", response.status))
            }
            Phase::SelectingApplication => {
                let select = command([0x00, 0xA4, 0x02, 0x0C], &FILE_SERIAL.to_be_bytes(), None);
                Next::Send(select, Phase::SelectingSerial)
            }
            Phase::SelectingSerial => {
                Next::Send(read_short_identifier(FILE_SERIAL), Phase::ReadingSerial)
            }
            Phase::ReadingSerial => match format::decode_serial(&response.data) {
                Ok(serial) => {
                    let terminal = BacTerminal::new(self.master.card_keys(&serial));
                    Next::Send(bac::challenge_command(), Phase::Challenging(terminal))
                }
                Err(error) => unreadable(format!("EF.Serial: {error}")),
            },
            Phase::Challenging(mut terminal) => {
                match terminal.authenticate_command(&response, &mut self.random) {
                    Ok(command) => Next::Send(command, Phase::Authenticating(terminal)),
                    Err(error) => authentication_failed(&error),
                }
            }
            Phase::Authenticating(mut terminal) => match terminal.finish(&response) {
                Ok(secure_messaging) => {
                    self.secure_messaging = Some(secure_messaging);
                    let read = file_read("EF.Personal", FILE_PERSONAL);
                    match next_chunk(read, Phase::ReadingPersonal) {
                        Ok(next) => next,
                        Err(_) => unreadable("nothing to read"),
                    }
                }
                Err(error) => authentication_failed(&error),
            },
            Phase::ReadingPersonal(read) => self.read_personal(read, &response),
            Phase::ReadingThumbprints(record, read) => {
                self.read_thumbprints(record, read, &response)
            }
            Phase::Activating | Phase::Finished => unreadable("a response arrived out of order"),
        }
    }

    /// Unwraps a protected response and adds its data to `read`.
    fn absorb(&mut self, read: &mut FileRead, response: &ResponseApdu) -> Result<(), String> {
        let secure_messaging = self.secure_messaging.as_mut().ok_or("no session")?;
        let opened = secure_messaging
            .unprotect_response(response)
            .map_err(|error| format!("secure messaging: {error}"))?;
        read.absorb(opened).map_err(|error| error.to_string())
    }

    fn read_personal(&mut self, mut read: FileRead, response: &ResponseApdu) -> Next {
        if let Err(reason) = self.absorb(&mut read, response) {
            return unreadable(reason);
        }
        let read = match next_chunk(read, Phase::ReadingPersonal) {
            Ok(next) => return next,
            Err(read) => read,
        };
        match FirstGenerationRecord::decode(&read.content) {
            Ok(record) => {
                let thumbprints = file_read("EF.Thumbprints", FILE_THUMBPRINTS);
                next_chunk(thumbprints, |read| Phase::ReadingThumbprints(record, read))
                    .unwrap_or_else(|_| unreadable("nothing to read"))
            }
            Err(error) => unreadable(format!("EF.Personal: {error}")),
        }
    }

    fn read_thumbprints(
        &mut self,
        record: FirstGenerationRecord,
        mut read: FileRead,
        response: &ResponseApdu,
    ) -> Next {
        if let Err(reason) = self.absorb(&mut read, response) {
            return unreadable(reason);
        }
        let read = match next_chunk(read, |read| Phase::ReadingThumbprints(record.clone(), read)) {
            Ok(next) => return next,
            Err(read) => read,
        };
        match format::decode_thumbprints(&read.content) {
            Ok(thumbprints) => Next::Finish(FirstGenerationVerdict::Read {
                record,
                thumbprints,
            }),
            Err(error) => unreadable(format!("EF.Thumbprints: {error}")),
        }
    }

    fn send(&mut self, command: CommandApdu, phase: Phase) {
        let wrapped = match self.secure_messaging.as_mut() {
            Some(secure_messaging) => secure_messaging.protect_command(&command),
            None => Ok(command),
        };
        match wrapped {
            Ok(wrapped) => {
                self.phase = phase;
                self.output = Some(FirstGenerationOutput::Transmit(wrapped.to_bytes()));
            }
            Err(error) => self.finish(FirstGenerationVerdict::Unreadable {
                reason: format!("cannot protect a command: {error}"),
            }),
        }
    }

    fn retry(&mut self) {
        if self.attempts >= self.attempts_max {
            let attempts = self.attempts;
            return self.finish(FirstGenerationVerdict::Unreadable {
                reason: format!("transmission failed on {attempts} attempts"),
            });
        }
        self.attempts += 1;
        self.secure_messaging = None;
        self.phase = Phase::Activating;
        self.output = Some(FirstGenerationOutput::Activate);
    }

    fn finish(&mut self, verdict: FirstGenerationVerdict) {
        self.phase = Phase::Finished;
        self.secure_messaging = None;
        self.output = Some(FirstGenerationOutput::Finished(Box::new(verdict)));
    }
}

fn authentication_failed(error: &BacError) -> Next {
    match error {
        BacError::Refused(status) => {
            Next::Finish(FirstGenerationVerdict::AuthenticationFailed { status: *status })
        }
        BacError::MacMismatch | BacError::ChallengeMismatch => {
            Next::Finish(FirstGenerationVerdict::AuthenticationFailed {
                status: StatusWord::AUTHENTICATION_FAILED,
            })
        }
        other => unreadable(format!("mutual authentication: {other}")),
    }
}
