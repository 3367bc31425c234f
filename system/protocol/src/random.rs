//! Where the protocols get their random bytes.
//!
//! Every key, nonce, challenge and ephemeral scalar in this crate is built from bytes drawn
//! through [`RandomBytes`]. In the simulator the source is the caller's seeded [`Stream`], so
//! the same seed gives the same handshakes; in the ICAO test vectors it is a
//! [`ScriptedBytes`] holding the example's nonces and private keys in the order the protocol
//! draws them, which is how one code path reproduces the published transcripts on both sides.
//! Nothing here reads the operating system's entropy.
//!
//! The RustCrypto crates never see the stream: they get scalars and keys built from the
//! drawn bytes (see `curve::random_scalar`), which keeps their `rand_core` version out of
//! our determinism story.

use hkic_base::Stream;
use rand::RngExt;

/// A script ran out: the protocol asked for more bytes than the test supplied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the scripted random source has {remaining} bytes left, {requested} were requested")]
pub struct RandomExhausted {
    pub requested: usize,
    pub remaining: usize,
}

/// A source of random bytes for the protocols.
pub trait RandomBytes {
    /// Fills `out` entirely, or fails without promising anything about `out`.
    fn fill_bytes(&mut self, out: &mut [u8]) -> Result<(), RandomExhausted>;
}

impl RandomBytes for Stream {
    fn fill_bytes(&mut self, out: &mut [u8]) -> Result<(), RandomExhausted> {
        self.fill(out);
        Ok(())
    }
}

/// Bytes fixed in advance, handed out in order: the "random" values of a published example.
#[derive(Debug, Clone, Default)]
pub struct ScriptedBytes {
    bytes: Vec<u8>,
    position: usize,
}

impl ScriptedBytes {
    /// A script made of `parts` concatenated (one part per draw reads best in tests).
    pub fn new<I, P>(parts: I) -> ScriptedBytes
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let bytes = parts
            .into_iter()
            .flat_map(|part| part.as_ref().to_vec())
            .collect();
        ScriptedBytes { bytes, position: 0 }
    }

    /// Bytes not drawn yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }
}

impl RandomBytes for ScriptedBytes {
    fn fill_bytes(&mut self, out: &mut [u8]) -> Result<(), RandomExhausted> {
        let remaining = self.remaining();
        if out.len() > remaining {
            return Err(RandomExhausted {
                requested: out.len(),
                remaining,
            });
        }
        let end = self.position + out.len();
        out.copy_from_slice(&self.bytes[self.position..end]);
        self.position = end;
        Ok(())
    }
}

/// Draws a fixed-size array.
pub(crate) fn draw_array<const N: usize>(
    random: &mut dyn RandomBytes,
) -> Result<[u8; N], RandomExhausted> {
    let mut out = [0u8; N];
    random.fill_bytes(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hkic_base::seed_stream;

    #[test]
    fn script_hands_out_bytes_in_order_then_refuses() {
        let mut script = ScriptedBytes::new([[1u8, 2], [3, 4]]);
        assert_eq!(draw_array::<3>(&mut script), Ok([1, 2, 3]));
        assert_eq!(
            draw_array::<2>(&mut script),
            Err(RandomExhausted {
                requested: 2,
                remaining: 1
            })
        );
    }

    #[test]
    fn stream_draws_are_reproducible() {
        let first: [u8; 16] = draw_array(&mut seed_stream(7)).unwrap();
        let second: [u8; 16] = draw_array(&mut seed_stream(7)).unwrap();
        let other: [u8; 16] = draw_array(&mut seed_stream(8)).unwrap();
        assert_eq!(first, second);
        assert_ne!(first, other);
    }
}
