//! Emulated card chips: the new-generation eMRTD-style chip and the first-generation contact
//! chip, with the faults real cards have.
//!
//! Why emulate at the APDU level: kiosks, gates and the production line read cards with the
//! same reader code that would drive a real card ([`hkic_protocol`] for the protocols), so a
//! card read in the simulator exercises the real procedure, byte for byte, and a card served
//! through vsmartcard answers real PC/SC readers the same way.
//!
//! Sans-IO, like every component: a chip takes power events and command bytes and returns
//! response bytes with the time it computed; randomness is a seeded [`hkic_base::Stream`]
//! handed in; no clock, no OS entropy. [`timing`] turns an exchange into virtual time.
//!
//! Code map: [`card`] the interface every chip offers (the [`CardChip`] trait); [`atr`] the
//! answers to reset; [`new_generation`] the new card's chip and its file system, access
//! control and protocols; [`memory`] and [`image`] its persistent memory and the staged
//! image; [`personalisation`] the atomic personalisation API and [`personalise()`] the
//! production step built on it; [`forgery`] counterfeit cards; [`faults`] link faults;
//! [`first_generation`] the old card's chip; [`specimen`] a deterministic specimen PKI and
//! holder for tests, benches and fuzzing; [`fuzzing`] the fuzz targets' bodies, shared with
//! the corpus replay test.
//!
//! Architecture invariant: this crate knows nothing of services, terminals or the simulator;
//! it is the card, and only the card.

pub mod atr;
pub mod card;
pub mod faults;
pub mod first_generation;
pub mod forgery;
pub mod fuzzing;
pub mod image;
pub mod memory;
pub mod new_generation;
pub mod personalisation;
pub mod personalise;
pub mod specimen;
pub mod timing;

pub use card::{CardChip, Exchange, Interface, TransmissionError};
pub use faults::LinkFaults;
pub use first_generation::{FirstGenerationChip, FirstGenerationFaults};
pub use forgery::{Forgery, ForgeryError, forge};
pub use new_generation::NewGenerationChip;
pub use personalisation::{Personalisation, PersonalisationError};
pub use personalise::{
    CardFiles, HolderData, Issuer, PersonaliseError, SodSigning, personalise, personalise_chip,
    personalise_chip_signing,
};
pub use timing::{ContactlessBitRate, Link, ProcessingTimes};
