//! A bridge on a thread of its own, so a test can make blocking PC/SC calls while the card
//! answers vpcd.
//!
//! The thread runs a current-thread tokio runtime with `hkic_vpcd::Bridge`; events come back
//! over a channel. Dropping the handle stops the bridge and joins the thread, so a failing
//! test never leaves its card in the reader for the next one.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use hkic_vpcd::{Bridge, BridgeConfig, BridgeError, BridgeEvent, VirtualCard};
use tokio::sync::oneshot;

use crate::error::InteropError;

/// How many of the last events an error message quotes.
const EVENTS_QUOTED_MAX: usize = 12;

type Outcome<C> = (Result<(), BridgeError>, C);

/// A running bridge; see the module documentation.
#[derive(Debug)]
pub struct BackgroundBridge<C> {
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<Outcome<C>>>,
    events: mpsc::Receiver<BridgeEvent>,
    seen: Vec<BridgeEvent>,
    cursor: usize,
}

impl<C: VirtualCard + Send + 'static> BackgroundBridge<C> {
    /// Starts serving `card` as `config` says.
    pub fn start(card: C, config: BridgeConfig) -> Result<Self, InteropError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(InteropError::Runtime)?;
        let (shutdown, shutdown_signal) = oneshot::channel::<()>();
        let (event_sender, events) = mpsc::channel();
        let serve = move || {
            let mut bridge = Bridge::new(card, config).with_observer(move |event: &BridgeEvent| {
                // The receiver lives as long as the handle, which joins this thread on drop.
                let _ = event_sender.send(event.clone());
            });
            let result = runtime.block_on(bridge.run(shutdown_signal)).map(drop);
            (result, bridge.into_card())
        };
        let thread = thread::Builder::new()
            .name("vpcd-bridge".to_owned())
            .spawn(serve)
            .map_err(InteropError::Runtime)?;
        Ok(Self {
            shutdown: Some(shutdown),
            thread: Some(thread),
            events,
            seen: Vec::new(),
            cursor: 0,
        })
    }
}

impl<C> BackgroundBridge<C> {
    /// Waits at most `limit` for an event that `wanted` accepts, among those not yet matched
    /// by an earlier wait. `description` names the event in the error.
    #[allow(
        clippy::disallowed_types,
        reason = "an IO test waits on the wall clock"
    )]
    pub fn wait_for(
        &mut self,
        description: &'static str,
        limit: Duration,
        wanted: impl Fn(&BridgeEvent) -> bool,
    ) -> Result<BridgeEvent, InteropError> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(offset) = self.seen[self.cursor..].iter().position(&wanted) {
                self.cursor += offset + 1;
                return Ok(self.seen[self.cursor - 1].clone());
            }
            self.cursor = self.seen.len();
            let remaining = deadline.saturating_duration_since(std::time::Instant::now());
            match self.events.recv_timeout(remaining) {
                Ok(event) => self.seen.push(event),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(self.missing(description, limit));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(self.gone(description)),
            }
        }
    }

    /// Every event received so far, in order.
    pub fn events(&mut self) -> &[BridgeEvent] {
        self.seen.extend(self.events.try_iter());
        &self.seen
    }

    /// Stops the bridge and gives the card back.
    pub fn stop(mut self) -> Result<C, InteropError> {
        let (result, card) = self.shut_down().ok_or(InteropError::BridgePanicked)?;
        result?;
        Ok(card)
    }

    fn shut_down(&mut self) -> Option<Outcome<C>> {
        if let Some(shutdown) = self.shutdown.take() {
            // Fails only if the bridge already stopped on its own, which join reports.
            let _ = shutdown.send(());
        }
        self.thread.take().and_then(|thread| thread.join().ok())
    }

    /// The bridge ended on its own: its error if it had one.
    fn gone(&mut self, wanted: &'static str) -> InteropError {
        match self.shut_down() {
            Some((Err(error), _card)) => InteropError::Bridge(error),
            Some((Ok(()), _card)) => InteropError::BridgeGone { wanted },
            None => InteropError::BridgePanicked,
        }
    }

    fn missing(&mut self, wanted: &'static str, limit: Duration) -> InteropError {
        let recent = self.seen.len().saturating_sub(EVENTS_QUOTED_MAX);
        InteropError::EventMissing {
            wanted,
            limit,
            recent_events: self.seen[recent..].to_vec(),
        }
    }
}

impl<C> Drop for BackgroundBridge<C> {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpListener};
    use std::num::NonZeroU32;

    use super::*;
    use crate::test_card::{TEST_CARD_ATR, TestCard};

    const LIMIT: Duration = Duration::from_secs(5);

    fn config(address: SocketAddr) -> BridgeConfig {
        BridgeConfig {
            backoff_initial: Duration::from_millis(10),
            ..BridgeConfig::new(address)
        }
    }

    /// A blocking fake vpcd: the bridge connects, gets one GET ATR, and is stopped.
    #[test]
    fn the_bridge_serves_from_its_thread_and_stops_on_request() -> Result<(), InteropError> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(InteropError::Runtime)?;
        let address = listener.local_addr().map_err(InteropError::Runtime)?;
        let mut bridge = BackgroundBridge::start(TestCard::new(7), config(address))?;
        let (mut stream, _) = listener.accept().map_err(InteropError::Runtime)?;
        stream
            .write_all(&[0x00, 0x01, 0x04])
            .map_err(InteropError::Runtime)?;
        let mut reply = [0_u8; 2 + TEST_CARD_ATR.len()];
        stream
            .read_exact(&mut reply)
            .map_err(InteropError::Runtime)?;
        assert_eq!(reply[2..], TEST_CARD_ATR);
        let atr_sent = BridgeEvent::AtrSent {
            length: TEST_CARD_ATR.len(),
        };
        assert_eq!(
            bridge.wait_for("the ATR", LIMIT, |event| *event == atr_sent)?,
            atr_sent
        );
        let card = bridge.stop()?;
        assert_eq!(
            card.power_off_count, 1,
            "stopping takes the card out of the reader"
        );
        Ok(())
    }

    #[test]
    fn a_bridge_that_gives_up_reports_why_to_the_waiting_test() -> Result<(), InteropError> {
        let address = TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr());
        let address = address.map_err(InteropError::Runtime)?;
        let config = BridgeConfig {
            connect_failures_max: NonZeroU32::new(2),
            ..config(address)
        };
        let mut bridge = BackgroundBridge::start(TestCard::new(7), config)?;
        let connected = |event: &BridgeEvent| matches!(event, BridgeEvent::Connected { .. });
        let error = bridge
            .wait_for("a connection", LIMIT, connected)
            .expect_err("nothing listens");
        assert!(
            matches!(error, InteropError::Bridge(BridgeError::Unreachable { .. })),
            "{error:?}"
        );
        Ok(())
    }

    #[test]
    fn a_missing_event_is_reported_with_the_events_seen() -> Result<(), InteropError> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(InteropError::Runtime)?;
        let address = listener.local_addr().map_err(InteropError::Runtime)?;
        let mut bridge = BackgroundBridge::start(TestCard::new(7), config(address))?;
        let (_stream, _) = listener.accept().map_err(InteropError::Runtime)?;
        let short = Duration::from_millis(200);
        let error = bridge
            .wait_for("a reset", short, |event| *event == BridgeEvent::Reset)
            .expect_err("no reset");
        let message = error.to_string();
        assert!(
            message.contains("a reset") && message.contains("Connected"),
            "{message}"
        );
        Ok(())
    }
}
