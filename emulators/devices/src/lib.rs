//! Emulated devices: synthetic fingers and readers, cameras, scanners, printers, dispensers,
//! gate doors.
//!
//! Each device is a sans-IO model: it takes what happens to it (a finger on the platen) and
//! a seeded stream, and gives what the real device would report, how long it took and how
//! it failed. [`biometric`] holds the fingers and fingerprint readers.

pub mod biometric;
