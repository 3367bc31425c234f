//! What every emulated chip offers its reader: power, an answer to reset, and one command
//! APDU in, one exchange out.
//!
//! An [`Exchange`] says what the reader got (the response bytes, or the transmission failure
//! a reader sees when the field drops, two cards collide or worn contacts garble a block) and
//! how long the chip worked on it. How long the bytes take on the wire is the link's business
//! ([`crate::timing::Link`]), so the same chip serves a contact slot and a contactless antenna.

use hkic_base::SimDuration;

/// The chip's two physical interfaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Interface {
    /// ISO/IEC 7816-3 contacts (T=1).
    Contact,
    /// ISO/IEC 14443 antenna.
    Contactless,
}

/// What a reader sees instead of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransmissionError {
    #[error("the chip is not powered on this interface")]
    NotPowered,
    #[error("the chip has no {0:?} interface")]
    NoSuchInterface(Interface),
    #[error("the chip does not answer (mute)")]
    NoAnswer,
    #[error("the contactless field was lost during the exchange")]
    FieldLost,
    #[error("a collision: more than one card answered")]
    Collision,
    #[error("the contact link failed after retransmissions (worn contacts)")]
    ContactError,
}

/// The outcome of one command APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The response APDU (data ‖ SW1 SW2), or what went wrong on the link.
    pub response: Result<Vec<u8>, TransmissionError>,
    /// Time the chip computed before answering (zero when nothing reached it).
    pub processing_time: SimDuration,
    /// Times the link layer sent the command again after a garbled block (worn contacts).
    pub retransmissions: u8,
}

impl Exchange {
    pub(crate) fn failed(error: TransmissionError) -> Exchange {
        Exchange {
            response: Err(error),
            processing_time: SimDuration::ZERO,
            retransmissions: 0,
        }
    }
}

/// A chip a reader can power and talk to. Contract: [`CardChip::transmit`] on a powered
/// interface without link faults returns a response of at least two bytes (the status word)
/// for any byte string, and never panics; session state is dropped on power off, power on
/// and reset.
pub trait CardChip {
    /// Powers the chip through `interface` (cold reset) and returns the answer to reset.
    fn power_on(&mut self, interface: Interface) -> Result<Vec<u8>, TransmissionError>;
    fn power_off(&mut self);
    /// Warm reset on the powered interface; returns the answer to reset.
    fn reset(&mut self) -> Result<Vec<u8>, TransmissionError>;
    /// The answer to reset of the powered interface (empty when off).
    fn atr(&self) -> Vec<u8>;
    fn powered_interface(&self) -> Option<Interface>;
    fn transmit(&mut self, interface: Interface, command: &[u8]) -> Exchange;
}
