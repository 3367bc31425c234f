//! What the bridge tells observers: connections, power events, APDUs, and why a connection
//! ended. The bridge itself prints nothing; the CLI decides what a user sees.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// One thing that happened in the bridge, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BridgeEvent {
    /// The card is connected to vpcd (inserted in the reader).
    Connected {
        /// The address of vpcd.
        address: SocketAddr,
    },
    /// A connection attempt failed; the next one follows after `retry_in`.
    ConnectFailed {
        /// The address of vpcd.
        address: SocketAddr,
        /// The kind of the attempt's error (`ConnectionRefused` while pcscd is down).
        error: io::ErrorKind,
        /// How many attempts have failed in a row, this one included.
        attempt: u32,
        /// The wait before the next attempt.
        retry_in: Duration,
    },
    /// The connection ended (the card left the reader) and the card was powered off.
    Disconnected {
        /// Why it ended.
        reason: DisconnectReason,
    },
    /// Control code 0 reached the card.
    PoweredOff,
    /// Control code 1 reached the card.
    PoweredOn,
    /// Control code 2 reached the card.
    Reset,
    /// Control code 4 was answered with the ATR.
    AtrSent {
        /// The ATR's length in bytes.
        length: usize,
    },
    /// A command APDU was answered with the card's response.
    ApduAnswered {
        /// The command's length in bytes.
        command_length: usize,
        /// The response's length in bytes.
        response_length: usize,
    },
    /// The card's response did not fit a frame; the bridge answered 6F00 instead, so the
    /// stream stays in step.
    ResponseTooLong {
        /// The command's length in bytes.
        command_length: usize,
        /// The length of the response the card produced.
        response_length: usize,
    },
    /// A one-byte payload that is no known control code; ignored, with no reply.
    UnknownControl {
        /// The byte received.
        code: u8,
    },
    /// A zero-length payload; ignored, with no reply.
    EmptyFrame,
    /// The shutdown future completed; the bridge stopped.
    ShutDown,
}

/// Why a connection to vpcd ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisconnectReason {
    /// vpcd closed the connection between frames (pcscd stopped or restarted).
    Closed,
    /// vpcd closed the connection in the middle of a frame.
    Truncated {
        /// The payload length announced by the frame's header.
        payload_length: usize,
    },
    /// A frame that had started did not complete (or a reply could not be written) within
    /// [`crate::BridgeConfig::frame_timeout`].
    FrameTimeout,
    /// A socket error.
    Io(io::ErrorKind),
}
