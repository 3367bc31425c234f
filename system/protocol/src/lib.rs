//! Wire formats and protocol logic of the card chip and its readers: ISO/IEC 7816-4 APDUs,
//! BER-TLV, the ICAO 9303 logical data structure, BAC, PACE, secure messaging, chip
//! authentication, terminal authentication and passive authentication.
//!
//! Everything here is sans-IO: functions and state machines take bytes (and, where the
//! protocol needs randomness, a [`random::RandomBytes`] source) and give bytes back. No
//! clock, socket, file or thread is touched, so the chip emulator, the terminals and the
//! simulator all run the same code on virtual time. Cryptography comes from RustCrypto;
//! this crate only composes it as ICAO 9303 and BSI TR-03110 specify.
//!
//! Code map: [`apdu`] and [`tlv`] are the wire formats; [`mrz`] and [`lds`] the card's files;
//! [`primitives`] and [`curve`] thin wrappers over the cryptographic crates; [`random`] the
//! source of random bytes (a seeded stream, or a script for the ICAO examples); [`bac`],
//! [`pace`] and [`sm`] access control and secure messaging; [`ca`], [`cvc`] and [`ta`] the
//! extended access control that unlocks DG3; [`pa`] the document security object;
//! [`first_generation`] the old card's files and its issuer-keyed mutual authentication.
//! ISO/IEC 19794-2 finger templates are opaque bytes here (another crate defines them).
//!
//! Architecture invariant: this crate knows nothing of the chip emulator's file system,
//! access rules or retry counters, nor of any terminal workflow; it gives each side of each
//! protocol as a value that consumes one APDU and returns the next.

pub mod apdu;
pub mod bac;
pub mod ca;
pub mod curve;
pub mod cvc;
pub mod first_generation;
pub mod lds;
pub mod mrz;
pub mod pa;
pub mod pace;
pub mod primitives;
pub mod random;
pub mod sm;
pub mod ta;
pub mod template;
pub mod tlv;
