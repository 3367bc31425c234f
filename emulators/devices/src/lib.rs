//! Emulated devices: synthetic fingers and readers, cameras, scanners, printers, dispensers,
//! gate doors.
//!
//! Each device is a sans-IO model: it takes what happens to it (a finger on the platen) and
//! a seeded stream, and gives what the real device would report, how long it took and how
//! it failed. [`biometric`] holds the fingers and fingerprint readers; [`kiosk`] the kiosk and
//! counter hardware (scanner, camera, printer, card store, dispenser) and their faults.

pub mod biometric;
pub mod kiosk;
