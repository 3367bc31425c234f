//! The first-generation identity card chip (issued 2003 to 2018): contact only, the holder's
//! data and two thumbprint templates, readable after mutual authentication with the
//! registration kiosk's issuer key (see [`hkic_protocol::first_generation`] for the design:
//! BAC's 3DES exchange keyed by a per-card key diversified from the issuer's master key).
//!
//! Inputs: power events and command APDUs on the contact interface. Outputs: the answer to
//! reset and one [`Exchange`] per command. Persists: its files and its card key, fixed at
//! issue (long ago: no personalisation API). Volatile: the selection and the session,
//! dropped at power off, power on and reset.
//!
//! Its own faults ([`FirstGenerationFaults`]): a mute chip (no answer to reset: a dead chip
//! after years in a wallet), worn contacts (garbled blocks, see [`crate::faults`]), slow
//! responses, and corrupted thumbprint templates (a flipped byte in the template file: the
//! file still reads, but the template no longer decodes or matches).

use crate::atr;
use crate::card::{CardChip, Exchange, Interface, TransmissionError};
use crate::faults::{Delivery, LinkFaultState, LinkFaults, T1_RETRANSMISSIONS_MAX};
use crate::timing::{ChipWork, ProcessingTimes};
use hkic_base::{SimDuration, Stream};
use hkic_protocol::apdu::{CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::bac::{BacChip, INSTRUCTION_EXTERNAL_AUTHENTICATE, INSTRUCTION_GET_CHALLENGE};
use hkic_protocol::first_generation::{
    self as format, APPLICATION_IDENTIFIER, FILE_PERSONAL, FILE_SERIAL, FILE_THUMBPRINTS,
    FirstGenerationError, FirstGenerationRecord, IssuerMasterKey, SERIAL_LENGTH,
};
use hkic_protocol::sm::SecureMessaging;
use std::collections::BTreeMap;

const INSTRUCTION_SELECT: u8 = 0xA4;
const INSTRUCTION_READ_BINARY: u8 = 0xB0;

/// The first-generation chip's faults.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FirstGenerationFaults {
    /// No answer to reset, no response.
    pub mute: bool,
    /// Per block transmission: the block is garbled.
    pub contact_error_probability: f64,
    pub extra_processing_time: SimDuration,
    /// A byte of the thumbprint file flipped.
    pub corrupted_thumbprints: bool,
}

/// The volatile state.
#[derive(Debug, Clone)]
struct Session {
    application_selected: bool,
    current_file: Option<u16>,
    bac: BacChip,
    secure_messaging: Option<SecureMessaging>,
}

/// The first-generation chip; see the module documentation.
#[derive(Debug, Clone)]
pub struct FirstGenerationChip {
    card_key_seed: [u8; 16],
    files: BTreeMap<u16, Vec<u8>>,
    random: Stream,
    powered: bool,
    session: Session,
    faults: FirstGenerationFaults,
    link: LinkFaultState,
    processing_times: ProcessingTimes,
}

fn status(status: StatusWord) -> ResponseApdu {
    ResponseApdu::status_only(status)
}

impl FirstGenerationChip {
    /// A card issued with `record` and `thumbprints`, keyed from `master` for `serial`.
    pub fn issue(
        record: &FirstGenerationRecord,
        thumbprints: &[Vec<u8>; 2],
        serial: [u8; SERIAL_LENGTH],
        master: &IssuerMasterKey,
        random: Stream,
    ) -> Result<FirstGenerationChip, FirstGenerationError> {
        let files = BTreeMap::from([
            (FILE_SERIAL, format::encode_serial(&serial)),
            (FILE_PERSONAL, record.encode()?),
            (FILE_THUMBPRINTS, format::encode_thumbprints(thumbprints)?),
        ]);
        let card_key_seed = master.card_key_seed(&serial);
        Ok(FirstGenerationChip {
            card_key_seed,
            files,
            random,
            powered: false,
            session: Session::new(&card_key_seed),
            faults: FirstGenerationFaults::default(),
            link: LinkFaultState::default(),
            processing_times: ProcessingTimes::TYPICAL,
        })
    }

    /// The chip's faults from now on; worn-contact draws come from `random`.
    pub fn set_faults(&mut self, faults: FirstGenerationFaults, random: Stream) {
        if faults.corrupted_thumbprints != self.faults.corrupted_thumbprints
            && let Some(last) = self
                .files
                .get_mut(&FILE_THUMBPRINTS)
                .and_then(|file| file.last_mut())
        {
            *last ^= 0x01;
        }
        self.faults = faults;
        let link = LinkFaults {
            contact_error_probability: faults.contact_error_probability,
            extra_processing_time: faults.extra_processing_time,
            ..LinkFaults::default()
        };
        self.link = LinkFaultState::new(link, random);
    }

    pub fn power_on(&mut self, interface: Interface) -> Result<Vec<u8>, TransmissionError> {
        if interface != Interface::Contact {
            return Err(TransmissionError::NoSuchInterface(interface));
        }
        if self.faults.mute {
            return Err(TransmissionError::NoAnswer);
        }
        self.powered = true;
        self.session = Session::new(&self.card_key_seed);
        Ok(self.atr())
    }

    pub fn power_off(&mut self) {
        self.powered = false;
        self.session = Session::new(&self.card_key_seed);
    }

    pub fn reset(&mut self) -> Result<Vec<u8>, TransmissionError> {
        if !self.powered {
            return Err(TransmissionError::NotPowered);
        }
        self.session = Session::new(&self.card_key_seed);
        Ok(self.atr())
    }

    pub fn atr(&self) -> Vec<u8> {
        if self.powered {
            atr::contact_atr(atr::FIRST_GENERATION_HISTORICAL_BYTES)
        } else {
            Vec::new()
        }
    }

    pub fn transmit(&mut self, interface: Interface, command: &[u8]) -> Exchange {
        if interface != Interface::Contact {
            return Exchange::failed(TransmissionError::NoSuchInterface(interface));
        }
        if !self.powered {
            return Exchange::failed(TransmissionError::NotPowered);
        }
        let retransmissions = match self.link.deliver(interface) {
            Delivery::Delivered { retransmissions } => retransmissions,
            Delivery::Failed(error) => {
                return Exchange {
                    retransmissions: T1_RETRANSMISSIONS_MAX,
                    ..Exchange::failed(error)
                };
            }
        };
        let (response, work) = self.process(command);
        Exchange {
            response: Ok(response.to_bytes()),
            processing_time: self.processing_times.duration(&work)
                + self.faults.extra_processing_time,
            retransmissions,
        }
    }

    fn process(&mut self, bytes: &[u8]) -> (ResponseApdu, ChipWork) {
        let nothing = ChipWork::default();
        let command = match CommandApdu::parse(bytes) {
            Ok(command) => command,
            Err(error) => return (status(error.status_word()), nothing),
        };
        if command.class & !0x0C != 0 || (command.class != 0 && !command.is_secure_messaging()) {
            return (status(StatusWord::CLASS_NOT_SUPPORTED), nothing);
        }
        if !command.is_secure_messaging() {
            self.session.secure_messaging = None;
            return self.dispatch(&command);
        }
        let Some(secure_messaging) = self.session.secure_messaging.as_mut() else {
            return (status(StatusWord::SECURITY_STATUS_NOT_SATISFIED), nothing);
        };
        let inner = match secure_messaging.unprotect_command(&command) {
            Ok(inner) => inner,
            Err(error) => {
                self.session.secure_messaging = None;
                return (status(error.status_word()), nothing);
            }
        };
        let (response, mut work) = self.dispatch(&inner);
        work.add(ChipWork::secure_messaging(
            inner.data.len(),
            response.data.len(),
        ));
        match self.session.secure_messaging.as_mut() {
            Some(secure_messaging) => (secure_messaging.protect_response(&response), work),
            None => (response, work),
        }
    }

    fn dispatch(&mut self, command: &CommandApdu) -> (ResponseApdu, ChipWork) {
        let authentication = ChipWork {
            cipher_blocks: 12,
            ..ChipWork::default()
        };
        match command.instruction {
            INSTRUCTION_SELECT => (self.select(command), ChipWork::default()),
            INSTRUCTION_READ_BINARY => self.read_binary(command),
            INSTRUCTION_GET_CHALLENGE if self.session.secure_messaging.is_none() => {
                let response = self
                    .session
                    .bac
                    .handle_get_challenge(command, &mut self.random)
                    .unwrap_or_else(|error| status(error.status_word()));
                (response, authentication)
            }
            INSTRUCTION_EXTERNAL_AUTHENTICATE if self.session.secure_messaging.is_none() => {
                let response = match self
                    .session
                    .bac
                    .handle_external_authenticate(command, &mut self.random)
                {
                    Ok((response, secure_messaging)) => {
                        self.session.secure_messaging = Some(secure_messaging);
                        response
                    }
                    Err(error) => status(error.status_word()),
                };
                (response, authentication)
            }
            INSTRUCTION_GET_CHALLENGE | INSTRUCTION_EXTERNAL_AUTHENTICATE => (
                status(StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED),
                ChipWork::default(),
            ),
            _ => (
                status(StatusWord::INSTRUCTION_NOT_SUPPORTED),
                ChipWork::default(),
            ),
        }
    }

    fn select(&mut self, command: &CommandApdu) -> ResponseApdu {
        if !matches!(command.parameter2, 0x00 | 0x0C) {
            return status(StatusWord::INCORRECT_PARAMETERS);
        }
        match command.parameter1 {
            0x04 if command.data == APPLICATION_IDENTIFIER => {
                self.session.application_selected = true;
                self.session.current_file = None;
                status(StatusWord::SUCCESS)
            }
            0x04 => status(StatusWord::FILE_NOT_FOUND),
            0x00 | 0x02 => {
                let Ok(identifier) = <[u8; 2]>::try_from(command.data.as_slice()) else {
                    return status(StatusWord::WRONG_LENGTH);
                };
                let identifier = u16::from_be_bytes(identifier);
                if !self.session.application_selected || !self.files.contains_key(&identifier) {
                    return status(StatusWord::FILE_NOT_FOUND);
                }
                self.session.current_file = Some(identifier);
                status(StatusWord::SUCCESS)
            }
            _ => status(StatusWord::INCORRECT_PARAMETERS),
        }
    }

    fn read_binary(&mut self, command: &CommandApdu) -> (ResponseApdu, ChipWork) {
        let nothing = ChipWork::default();
        let target = if command.parameter1 & 0x80 != 0 {
            let short_identifier = u16::from(command.parameter1 & 0x1F);
            self.files
                .keys()
                .find(|identifier| {
                    *identifier & 0x1F == short_identifier && command.parameter1 & 0x60 == 0
                })
                .copied()
                .filter(|_| self.session.application_selected)
                .map(|identifier| (identifier, usize::from(command.parameter2)))
                .ok_or(StatusWord::FILE_NOT_FOUND)
        } else {
            let offset = usize::from(u16::from_be_bytes([command.parameter1, command.parameter2]));
            self.session
                .current_file
                .map(|identifier| (identifier, offset))
                .ok_or(StatusWord::NO_CURRENT_ELEMENTARY_FILE)
        };
        let (identifier, offset) = match target {
            Ok(target) => target,
            Err(error) => return (status(error), nothing),
        };
        self.session.current_file = Some(identifier);
        if identifier != FILE_SERIAL && self.session.secure_messaging.is_none() {
            return (status(StatusWord::SECURITY_STATUS_NOT_SATISFIED), nothing);
        }
        let (Some(expected_length), Some(content)) =
            (command.expected_length, self.files.get(&identifier))
        else {
            return (status(StatusWord::WRONG_LENGTH), nothing);
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
        (ResponseApdu::success(data), work)
    }
}

impl Session {
    fn new(card_key_seed: &[u8; 16]) -> Session {
        Session {
            application_selected: false,
            current_file: None,
            bac: BacChip::new(hkic_protocol::bac::BacKeys::from_seed(card_key_seed)),
            secure_messaging: None,
        }
    }
}

impl CardChip for FirstGenerationChip {
    fn power_on(&mut self, interface: Interface) -> Result<Vec<u8>, TransmissionError> {
        FirstGenerationChip::power_on(self, interface)
    }

    fn power_off(&mut self) {
        FirstGenerationChip::power_off(self);
    }

    fn reset(&mut self) -> Result<Vec<u8>, TransmissionError> {
        FirstGenerationChip::reset(self)
    }

    fn atr(&self) -> Vec<u8> {
        FirstGenerationChip::atr(self)
    }

    fn powered_interface(&self) -> Option<Interface> {
        self.powered.then_some(Interface::Contact)
    }

    fn transmit(&mut self, interface: Interface, command: &[u8]) -> Exchange {
        FirstGenerationChip::transmit(self, interface, command)
    }
}
