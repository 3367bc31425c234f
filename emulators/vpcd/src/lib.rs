//! A tokio bridge from an emulated chip to vsmartcard's vpcd, so real PC/SC applications see
//! the card.
//!
//! Why it exists: vpcd is a pcscd driver that listens on TCP (127.0.0.1:35963 is the reader
//! `Virtual PCD 00 00`) and waits for a virtual card to connect. Once a card is connected, any
//! PC/SC application on the machine (pcsc_scan, opensc-tool, pyscard, the `pcsc` crate, an
//! independent eMRTD reader) talks to it as to a card in a real reader. That is how the
//! simulator's chips are checked against software we did not write.
//!
//! The crate is the thin IO edge around a sans-IO core:
//! - [`VirtualCard`] is all it knows of a card: an ATR, three power events and APDUs in and
//!   out; [`ChipCard`] adapts any emulated chip (`hkic_chip::CardChip`) to it.
//! - [`frame`] is the vpcd wire format and the rule "which request gets which reply", with no
//!   sockets, so it is tested on its own (including "no input panics").
//! - [`Bridge`] owns the socket, the wall clock and the reconnection policy.
//!
//! Architecture invariant: this is the only emulator crate that opens sockets and reads the
//! wall clock; nothing in the simulator depends on it.
//!
//! The one trap it exists to avoid (INTEROP.md section 2): Debian's vpcd sends the length and
//! the payload of each frame in two `send()` calls; with Nagle on vpcd's side and delayed ACKs
//! on ours, every APDU waits about 40 ms. The bridge re-arms `TCP_QUICKACK` before every read,
//! which brings an APDU round trip down to a fraction of a millisecond.
//!
//! Serving a card is one call:
//! ```no_run
//! # use hkic_vpcd::{VirtualCard, DEFAULT_ADDRESS};
//! # async fn example(card: impl VirtualCard) -> Result<(), hkic_vpcd::BridgeError> {
//! hkic_vpcd::serve_until_interrupted(card, DEFAULT_ADDRESS).await
//! # }
//! ```

mod bridge;
mod card;
mod chip_card;
mod config;
mod error;
mod event;
pub mod frame;
mod socket;

pub use bridge::{Bridge, serve, serve_until_interrupted};
pub use card::VirtualCard;
pub use chip_card::ChipCard;
pub use config::{BridgeConfig, DEFAULT_ADDRESS};
pub use error::{BridgeError, FrameError};
pub use event::{BridgeEvent, DisconnectReason};
