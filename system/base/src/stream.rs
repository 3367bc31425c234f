//! Seeded random streams.
//!
//! Every draw in hkic-sim comes from a [`Stream`] that somebody seeded from the run's seed;
//! the workspace builds `rand` without its operating-system entropy features, so nothing can
//! seed itself from the machine. The simulator's kernel derives one stream per (entity,
//! purpose) from the root seed, so that adding a kiosk changes no resident's draws.

use rand::{RngExt, SeedableRng};

/// The generator behind every stream: xoshiro256++ (fast, 32 bytes of state, well studied).
pub type Stream = rand::rngs::Xoshiro256PlusPlus;

/// A stream from a 64-bit seed (expanded with SplitMix64, as `rand` documents).
pub fn seed_stream(seed: u64) -> Stream {
    Stream::seed_from_u64(seed)
}

/// True with probability `p` (clamped to 0..=1; NaN counts as 0).
pub fn bernoulli(stream: &mut Stream, p: f64) -> bool {
    if p.is_nan() || p <= 0.0 {
        return false;
    }
    if p >= 1.0 {
        return true;
    }
    stream.random::<f64>() < p
}
