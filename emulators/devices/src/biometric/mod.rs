//! Synthetic fingers and fingerprint readers.
//!
//! Why synthetic: no real fingerprints may be used, yet the registration kiosk, the
//! collection kiosk, the e-Channel gate and the matcher's evaluation all need fingers that
//! behave like real ones under a reader: the same finger gives a different template each
//! time, some people's fingers image badly, and a capture can fail or take long.
//!
//! [`finger`] draws a finger's true minutiae along a [`ridge_flow`]; [`reader`] turns a
//! finger into ISO/IEC 19794-2 finger views with noise, quality scores, failures and capture
//! times; [`population`] addresses residents and their captures by index from one seed.
//!
//! Architecture invariant: sans-IO and deterministic. Every draw comes from a stream the
//! caller hands in (or, in [`population`], one derived from the caller's seed); nothing here
//! knows the matcher, the services or the simulator.

pub mod finger;
pub mod population;
pub mod reader;
pub mod ridge_flow;
#[cfg(test)]
mod tests;

pub use finger::{
    FingerMinutia, FingerQuality, SyntheticFinger, draw_finger_quality, poor_finger_probability,
};
pub use population::{SyntheticPopulation, SyntheticResident};
pub use reader::{
    CaptureFailure, CaptureOutcome, FailureReason, FingerprintCapture, FingerprintReader,
    ReaderError, ReaderModel, ReaderNoise,
};
