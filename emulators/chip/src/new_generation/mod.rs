//! The new-generation identity card chip: dual interface, an eMRTD-style application, PACE
//! with the CAN (BAC for legacy readers), secure messaging, chip and terminal authentication.
//!
//! Inputs: power events (`power_on`, `power_off`, `reset`) and command APDUs as bytes
//! (`transmit`), plus personalisation before issue ([`crate::personalisation`]). Outputs: the
//! answer to reset and one [`Exchange`] per command: the response bytes (or what the reader
//! sees when a link fault strikes) and the chip's processing time for the link model.
//! Randomness (challenges, nonces, ephemeral keys, the chip-authentication key pair) comes
//! from the [`Stream`] handed in at construction; link faults draw from their own stream.
//!
//! Persists: the EEPROM image ([`PersistentMemory`]): files, keys, the CAN, the MRZ key
//! material and the terminal-authentication trust anchor, written once at personalisation.
//! Everything else (selection, secure messaging, handshakes in progress) is RAM, dropped at
//! power off, power on and reset; the PACE retry counter is RAM too, dropped at power off
//! only.
//!
//! Invariants: no byte string makes the chip panic, and a powered chip without link faults
//! answers every command with a status word; a file is served only when its access
//! condition holds (see [`files`]); a protected response always carries DO'99' and DO'8E'.

mod authentication;
mod commands;
mod files;
mod session;

pub use authentication::PACE_ATTEMPTS_MAX;

use crate::atr;
use crate::card::{CardChip, Exchange, Interface, TransmissionError};
use crate::faults::{Delivery, LinkFaultState, LinkFaults, T1_RETRANSMISSIONS_MAX};
use crate::image::CardImage;
use crate::memory::PersistentMemory;
use crate::timing::ProcessingTimes;
use hkic_base::Stream;
use hkic_protocol::ta::VerifiedCvCertificates;
use session::Session;
use std::sync::Arc;

/// The new-generation chip; see the module documentation.
#[derive(Debug, Clone)]
pub struct NewGenerationChip {
    pub(crate) memory: PersistentMemory,
    /// The mounted content; `None` while the chip is blank.
    pub(crate) image: Option<Arc<CardImage>>,
    pub(crate) random: Stream,
    power: Option<Interface>,
    session: Session,
    failed_pace_attempts: u8,
    link: LinkFaultState,
    processing_times: ProcessingTimes,
    /// Terminal-authentication certificates whose signatures the chips of this model have
    /// already checked (an emulator's memo of a pure function, see
    /// [`VerifiedCvCertificates`]; the processing time charged is the same).
    verified_certificates: Option<Arc<VerifiedCvCertificates>>,
}

impl NewGenerationChip {
    /// A chip straight from the fab: blank memory, powered off.
    pub fn blank(random: Stream) -> NewGenerationChip {
        NewGenerationChip {
            memory: PersistentMemory::erased(),
            image: None,
            random,
            power: None,
            session: Session::new(None),
            failed_pace_attempts: 0,
            link: LinkFaultState::default(),
            processing_times: ProcessingTimes::TYPICAL,
            verified_certificates: None,
        }
    }

    /// Shares the signature checks of terminal-authentication certificates already made by
    /// chips of the same model (see [`VerifiedCvCertificates`]).
    pub fn share_verified_certificates(&mut self, verified: Arc<VerifiedCvCertificates>) {
        self.verified_certificates = Some(verified);
    }

    /// True once personalisation committed.
    pub fn is_personalised(&self) -> bool {
        self.image.is_some()
    }

    pub fn powered_interface(&self) -> Option<Interface> {
        self.power
    }

    /// The EEPROM as a physical probe would see it (tests compare images byte for byte); no
    /// command reads it, so the chip-authentication key never leaves the chip by APDU.
    pub fn persistent_memory(&self) -> &PersistentMemory {
        &self.memory
    }

    /// Cuts the power during the page program with index `write` (see
    /// [`PersistentMemory::cut_power_at_write`]): the personalisation fault.
    pub fn cut_power_at_write(&mut self, write: u32) {
        self.memory.cut_power_at_write(write);
    }

    /// Link faults from now on, drawing from `random`.
    pub fn set_link_faults(&mut self, faults: LinkFaults, random: Stream) {
        self.link = LinkFaultState::new(faults, random);
    }

    pub fn set_processing_times(&mut self, times: ProcessingTimes) {
        self.processing_times = times;
    }

    /// Powers the chip (cold reset): the memory is mounted if it holds a committed image.
    pub fn power_on(&mut self, interface: Interface) -> Vec<u8> {
        self.memory.restore_power();
        if self.image.is_none() {
            self.image = self
                .memory
                .committed_image()
                .and_then(|staged| CardImage::mount(&staged).ok())
                .map(Arc::new);
        }
        self.power = Some(interface);
        self.failed_pace_attempts = 0;
        self.session = Session::new(self.image.as_deref());
        self.atr()
    }

    pub fn power_off(&mut self) {
        self.power = None;
        self.failed_pace_attempts = 0;
        self.session = Session::new(self.image.as_deref());
    }

    /// Warm reset: the session is dropped, the PACE retry counter kept.
    pub fn reset(&mut self) -> Result<Vec<u8>, TransmissionError> {
        if self.power.is_none() {
            return Err(TransmissionError::NotPowered);
        }
        self.session = Session::new(self.image.as_deref());
        Ok(self.atr())
    }

    /// The answer to reset of the powered interface; empty when off.
    pub fn atr(&self) -> Vec<u8> {
        match self.power {
            Some(Interface::Contact) => atr::contact_atr(atr::NEW_GENERATION_HISTORICAL_BYTES),
            Some(Interface::Contactless) => {
                atr::contactless_atr(atr::NEW_GENERATION_HISTORICAL_BYTES)
            }
            None => Vec::new(),
        }
    }

    /// One command APDU on `interface`.
    pub fn transmit(&mut self, interface: Interface, command: &[u8]) -> Exchange {
        if self.power != Some(interface) {
            return Exchange::failed(TransmissionError::NotPowered);
        }
        let retransmissions = match self.link.deliver(interface) {
            Delivery::Delivered { retransmissions } => retransmissions,
            Delivery::Failed(error) => {
                let retransmissions = match interface {
                    Interface::Contact => T1_RETRANSMISSIONS_MAX,
                    Interface::Contactless => 0,
                };
                return Exchange {
                    retransmissions,
                    ..Exchange::failed(error)
                };
            }
        };
        let (response, work) = self.process(command);
        let processing_time =
            self.processing_times.duration(&work) + self.link.faults.extra_processing_time;
        if self.link.field_lost(interface) {
            self.power_off();
            return Exchange {
                response: Err(TransmissionError::FieldLost),
                processing_time,
                retransmissions,
            };
        }
        Exchange {
            response: Ok(response.to_bytes()),
            processing_time,
            retransmissions,
        }
    }
}

impl CardChip for NewGenerationChip {
    fn power_on(&mut self, interface: Interface) -> Result<Vec<u8>, TransmissionError> {
        Ok(NewGenerationChip::power_on(self, interface))
    }

    fn power_off(&mut self) {
        NewGenerationChip::power_off(self);
    }

    fn reset(&mut self) -> Result<Vec<u8>, TransmissionError> {
        NewGenerationChip::reset(self)
    }

    fn atr(&self) -> Vec<u8> {
        NewGenerationChip::atr(self)
    }

    fn powered_interface(&self) -> Option<Interface> {
        self.power
    }

    fn transmit(&mut self, interface: Interface, command: &[u8]) -> Exchange {
        NewGenerationChip::transmit(self, interface, command)
    }
}
