//! Typed errors of the bridge and of the wire format.
//!
//! A dropped connection is not an error: the bridge reports it as an event and reconnects.
//! Errors are what stops the bridge: a bad configuration, a card that breaks its contract,
//! vpcd unreachable for longer than the caller allowed, or no way to listen for Ctrl-C.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::frame::{ATR_LENGTH_MAX, PAYLOAD_LENGTH_MAX};

/// A payload that the vpcd framing cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The u16 length prefix cannot describe the payload.
    #[error("vpcd frame payload is {length} bytes, expected at most {PAYLOAD_LENGTH_MAX}")]
    PayloadTooLong {
        /// The payload's length in bytes.
        length: usize,
    },
    /// The card's answer to reset is longer than ISO 7816-3 allows.
    #[error("the card's ATR is {length} bytes, expected at most {ATR_LENGTH_MAX} (ISO 7816-3)")]
    AtrTooLong {
        /// The ATR's length in bytes.
        length: usize,
    },
}

/// Why the bridge stopped other than by the shutdown future.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// A [`crate::BridgeConfig`] field is out of range.
    #[error("bridge configuration field `{field}` is {value:?}, expected {expected}")]
    InvalidConfig {
        /// The field's name.
        field: &'static str,
        /// The value given.
        value: Duration,
        /// What the field accepts.
        expected: &'static str,
    },
    /// The card broke the framing contract (its ATR is too long).
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// vpcd refused or ignored every connection attempt the configuration allowed.
    #[error(
        "vpcd at {address} unreachable after {attempts} consecutive connection attempts \
         (last error: {source}); is pcscd running with vsmartcard-vpcd installed?"
    )]
    Unreachable {
        /// The address of vpcd.
        address: SocketAddr,
        /// How many attempts failed in a row.
        attempts: u32,
        /// The last attempt's error.
        #[source]
        source: io::Error,
    },
    /// Ctrl-C could not be listened for.
    #[error("cannot listen for Ctrl-C: {0}")]
    Signal(#[source] io::Error),
}
