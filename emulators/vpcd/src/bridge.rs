//! The IO adapter: one TCP connection to vpcd at a time, frames in, frames out.
//!
//! Inputs: frames from vpcd, the wall clock (timeouts, backoff) and a shutdown future.
//! Outputs: frames to vpcd, calls into the [`VirtualCard`], and [`BridgeEvent`]s for an
//! observer. Nothing is persisted.
//!
//! Invariants:
//! - at most one connection at a time, so one card sits in one reader slot;
//! - `TCP_QUICKACK` is re-armed before every read (see `socket.rs` for why);
//! - every command APDU gets exactly one reply and no power control gets one (`frame.rs`);
//! - when a connection ends or the bridge stops, the card is powered off, as a card pulled
//!   out of a reader would be, so no session outlives its connection;
//! - every wait is bounded by [`BridgeConfig`]; the reconnection loop ends only through the
//!   shutdown future or `connect_failures_max`.
//!
//! The card runs on the bridge's task: an APDU is processed synchronously between two reads,
//! which is what a card does and keeps replies in order.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{sleep, timeout};

use crate::card::VirtualCard;
use crate::config::{Backoff, BridgeConfig};
use crate::error::{BridgeError, FrameError};
use crate::event::{BridgeEvent, DisconnectReason};
use crate::frame::{self, HEADER_LENGTH};
use crate::socket::arm_quickack;

/// Serves `card` to vpcd at `address` until `shutdown` completes, reconnecting whenever the
/// connection drops (pcscd restarted). The shape `hkic-sim card serve` needs.
pub async fn serve<C: VirtualCard>(
    card: C,
    address: SocketAddr,
    shutdown: impl Future,
) -> Result<(), BridgeError> {
    Bridge::new(card, BridgeConfig::new(address))
        .run(shutdown)
        .await
        .map(drop)
}

/// [`serve`] until Ctrl-C. Needs a runtime with IO enabled (`#[tokio::main]` enables it),
/// since the signal is delivered through tokio's IO driver.
pub async fn serve_until_interrupted<C: VirtualCard>(
    card: C,
    address: SocketAddr,
) -> Result<(), BridgeError> {
    let mut bridge = Bridge::new(card, BridgeConfig::new(address));
    bridge
        .run(tokio::signal::ctrl_c())
        .await?
        .map_err(BridgeError::Signal)
}

/// A card, where to serve it, and who hears about it.
pub struct Bridge<C, O = fn(&BridgeEvent)> {
    card: C,
    config: BridgeConfig,
    observer: O,
}

fn ignore_event(_event: &BridgeEvent) {}

impl<C: VirtualCard> Bridge<C> {
    /// A bridge whose events go nowhere; see [`Bridge::with_observer`].
    pub fn new(card: C, config: BridgeConfig) -> Self {
        Self {
            card,
            config,
            observer: ignore_event,
        }
    }
}

impl<C: VirtualCard, O: FnMut(&BridgeEvent)> Bridge<C, O> {
    /// The same bridge, reporting every [`BridgeEvent`] to `observer` (called on the
    /// bridge's task, between frames: keep it short).
    pub fn with_observer<P: FnMut(&BridgeEvent)>(self, observer: P) -> Bridge<C, P> {
        Bridge {
            card: self.card,
            config: self.config,
            observer,
        }
    }

    /// The card, to inspect it between runs.
    pub fn card(&self) -> &C {
        &self.card
    }

    /// Gives the card back.
    pub fn into_card(self) -> C {
        self.card
    }

    /// The configuration in use.
    pub fn config(&self) -> &BridgeConfig {
        &self.config
    }

    /// Serves the card until `shutdown` completes, and returns its output.
    ///
    /// Fails before connecting on an invalid configuration or an over-long ATR; fails later
    /// only if the card's ATR becomes too long or vpcd stays unreachable for
    /// `connect_failures_max` attempts. Dropped connections are reported and retried.
    pub async fn run<F: Future>(&mut self, shutdown: F) -> Result<F::Output, BridgeError> {
        self.config.validate()?;
        frame::check_atr(&self.card.atr())?;
        let outcome = tokio::select! {
            biased;
            output = shutdown => Ok(output),
            error = self.serve_until_error() => Err(error),
        };
        // Dropping the connection removed the card from the reader.
        self.card.power_off();
        if outcome.is_ok() {
            self.emit(&BridgeEvent::ShutDown);
        }
        outcome
    }

    /// Connects, serves, reconnects with backoff; returns only when it must give up.
    async fn serve_until_error(&mut self) -> BridgeError {
        let address = self.config.address;
        let mut backoff = Backoff::new(&self.config);
        let mut failures: u32 = 0;
        loop {
            match self.connect().await {
                Ok(stream) => {
                    failures = 0;
                    backoff.reset();
                    self.emit(&BridgeEvent::Connected { address });
                    let reason = match self.serve_connection(stream).await {
                        Ok(reason) => reason,
                        Err(error) => return error.into(),
                    };
                    self.card.power_off();
                    self.emit(&BridgeEvent::Disconnected { reason });
                    // Even a server that accepts and closes at once cannot make this spin.
                    sleep(backoff.next_delay()).await;
                }
                Err(error) => {
                    failures = failures.saturating_add(1);
                    let limit = self.config.connect_failures_max;
                    if limit.is_some_and(|max| failures >= max.get()) {
                        return BridgeError::Unreachable {
                            address,
                            attempts: failures,
                            source: error,
                        };
                    }
                    let retry_in = backoff.next_delay();
                    let event = BridgeEvent::ConnectFailed {
                        address,
                        error: error.kind(),
                        attempt: failures,
                        retry_in,
                    };
                    self.emit(&event);
                    sleep(retry_in).await;
                }
            }
        }
    }

    async fn connect(&self) -> io::Result<TcpStream> {
        let attempt = TcpStream::connect(self.config.address);
        let stream = match timeout(self.config.connect_timeout, attempt).await {
            Ok(result) => result?,
            Err(_elapsed) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connection attempt to vpcd timed out",
                ));
            }
        };
        // Replies leave in one write anyway; this keeps a reply from waiting on an ACK.
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    /// Answers frames until the connection ends; fails only when the card breaks its contract.
    async fn serve_connection(
        &mut self,
        mut stream: TcpStream,
    ) -> Result<DisconnectReason, FrameError> {
        let frame_timeout = self.config.frame_timeout;
        let mut payload = Vec::new();
        loop {
            if let Err(reason) = read_frame(&mut stream, &mut payload, frame_timeout).await {
                return Ok(reason);
            }
            let answer = frame::answer(&mut self.card, &payload)?;
            self.emit(&answer.event);
            if let Some(reply) = answer.reply {
                if let Err(reason) = write_frame(&mut stream, &reply, frame_timeout).await {
                    return Ok(reason);
                }
            }
        }
    }

    fn emit(&mut self, event: &BridgeEvent) {
        (self.observer)(event);
    }
}

impl<C, O> fmt::Debug for Bridge<C, O> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Bridge")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Reads one frame into `payload`. Waiting for a frame to start is unbounded (vpcd polls every
/// 400 ms while a card is present); a started frame must complete within `frame_timeout`.
/// The u16 header bounds `payload` to [`frame::PAYLOAD_LENGTH_MAX`] bytes.
async fn read_frame(
    stream: &mut TcpStream,
    payload: &mut Vec<u8>,
    frame_timeout: Duration,
) -> Result<(), DisconnectReason> {
    let io_reason = |error: io::Error| DisconnectReason::Io(error.kind());
    let mut header = [0_u8; HEADER_LENGTH];
    arm_quickack(stream).map_err(io_reason)?;
    if let Err(error) = stream.read_exact(&mut header).await {
        return Err(end_of_stream_or(error, DisconnectReason::Closed));
    }
    let payload_length = frame::payload_length(header);
    payload.clear();
    payload.resize(payload_length, 0);
    arm_quickack(stream).map_err(io_reason)?;
    match timeout(frame_timeout, stream.read_exact(payload)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(end_of_stream_or(
            error,
            DisconnectReason::Truncated { payload_length },
        )),
        Err(_elapsed) => Err(DisconnectReason::FrameTimeout),
    }
}

async fn write_frame(
    stream: &mut TcpStream,
    frame: &[u8],
    frame_timeout: Duration,
) -> Result<(), DisconnectReason> {
    match timeout(frame_timeout, stream.write_all(frame)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(DisconnectReason::Io(error.kind())),
        Err(_elapsed) => Err(DisconnectReason::FrameTimeout),
    }
}

/// `on_end_of_stream` when the peer closed the connection, the error's kind otherwise.
fn end_of_stream_or(error: io::Error, on_end_of_stream: DisconnectReason) -> DisconnectReason {
    if error.kind() == io::ErrorKind::UnexpectedEof {
        on_end_of_stream
    } else {
        DisconnectReason::Io(error.kind())
    }
}
