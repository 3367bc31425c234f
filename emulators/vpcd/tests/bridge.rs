//! The bridge against an in-process fake vpcd: the vpcd side of the protocol on a tokio
//! `TcpListener`, so these tests run anywhere, without pcscd.
//!
//! The fake plays Debian's vpcd: it listens, the bridge connects, it sends control codes and
//! APDUs and reads replies. Because replies come back in order on one stream, "the first
//! frame read after sending power controls and an APDU is the APDU's reply" proves the power
//! controls were not answered.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use hkic_vpcd::frame::{ATR_LENGTH_MAX, PAYLOAD_LENGTH_MAX};
use hkic_vpcd::{
    Bridge, BridgeConfig, BridgeError, BridgeEvent, DisconnectReason, FrameError, VirtualCard,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::timeout;

/// How long any single wait in these tests may take before the test fails.
const WAIT_LIMIT: Duration = Duration::from_secs(5);
const ATR: [u8; 12] = [0x3B, 0x88, 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x09];

#[derive(Debug, Clone, PartialEq, Eq)]
enum CardCall {
    PowerOn,
    PowerOff,
    Reset,
    Transmit(usize),
}

/// Records every call; answers a command with the command itself followed by 9000.
#[derive(Debug)]
struct RecordingCard {
    atr: Vec<u8>,
    calls: Vec<CardCall>,
}

impl RecordingCard {
    fn new() -> Self {
        Self {
            atr: ATR.to_vec(),
            calls: Vec::new(),
        }
    }
}

impl VirtualCard for RecordingCard {
    fn atr(&self) -> Vec<u8> {
        self.atr.clone()
    }
    fn power_on(&mut self) {
        self.calls.push(CardCall::PowerOn);
    }
    fn power_off(&mut self) {
        self.calls.push(CardCall::PowerOff);
    }
    fn reset(&mut self) {
        self.calls.push(CardCall::Reset);
    }
    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        self.calls.push(CardCall::Transmit(command.len()));
        [command, &[0x90, 0x00]].concat()
    }
}

fn echo(command: &[u8]) -> Vec<u8> {
    [command, &[0x90, 0x00]].concat()
}

/// Short waits so reconnection tests finish quickly.
fn fast_config(address: SocketAddr) -> BridgeConfig {
    BridgeConfig {
        backoff_initial: Duration::from_millis(10),
        backoff_max: Duration::from_millis(80),
        connect_timeout: Duration::from_secs(1),
        frame_timeout: Duration::from_millis(300),
        ..BridgeConfig::new(address)
    }
}

/// The vpcd side: a listener on a free local port.
struct FakeVpcd {
    listener: TcpListener,
}

impl FakeVpcd {
    async fn bind() -> Self {
        Self::bind_at("127.0.0.1:0".parse().expect("literal address")).await
    }

    async fn bind_at(address: SocketAddr) -> Self {
        let listener = TcpListener::bind(address)
            .await
            .expect("bind the fake vpcd");
        Self { listener }
    }

    fn address(&self) -> SocketAddr {
        self.listener.local_addr().expect("listener address")
    }

    /// The bridge connecting: the card inserted.
    async fn accept(&self) -> Slot {
        let accepted = timeout(WAIT_LIMIT, self.listener.accept()).await;
        let (stream, _) = accepted
            .expect("the bridge connects in time")
            .expect("accept");
        Slot { stream }
    }
}

/// A free port with nothing listening on it.
async fn closed_address() -> SocketAddr {
    FakeVpcd::bind().await.address()
}

/// One connected card, seen from vpcd.
struct Slot {
    stream: TcpStream,
}

impl Slot {
    /// Header and payload in one write.
    async fn send(&mut self, payload: &[u8]) {
        let length = u16::try_from(payload.len()).expect("test payloads fit a frame");
        let frame = [&length.to_be_bytes()[..], payload].concat();
        self.stream.write_all(&frame).await.expect("send a frame");
    }

    /// Header and payload in two writes, as Debian's vpcd 3.3 sends them.
    async fn send_split(&mut self, payload: &[u8]) {
        let length = u16::try_from(payload.len()).expect("test payloads fit a frame");
        self.stream
            .write_all(&length.to_be_bytes())
            .await
            .expect("send a header");
        self.stream
            .write_all(payload)
            .await
            .expect("send a payload");
    }

    async fn receive(&mut self) -> Vec<u8> {
        let read = async {
            let mut header = [0_u8; 2];
            self.stream.read_exact(&mut header).await?;
            let mut payload = vec![0_u8; usize::from(u16::from_be_bytes(header))];
            self.stream.read_exact(&mut payload).await?;
            Ok::<_, std::io::Error>(payload)
        };
        timeout(WAIT_LIMIT, read)
            .await
            .expect("a reply in time")
            .expect("read a reply")
    }

    async fn exchange(&mut self, command: &[u8]) -> Vec<u8> {
        self.send(command).await;
        self.receive().await
    }

    /// The bridge closed its end (the card left the reader).
    async fn expect_closed(&mut self) {
        let mut byte = [0_u8; 1];
        let read = timeout(WAIT_LIMIT, self.stream.read(&mut byte)).await;
        assert_eq!(
            read.expect("the bridge closes in time").expect("read"),
            0,
            "no data, then end of stream"
        );
    }
}

/// A bridge on its own task, with its events and a way to stop it.
struct Running {
    shutdown: oneshot::Sender<()>,
    events: mpsc::UnboundedReceiver<BridgeEvent>,
    task: JoinHandle<(Result<(), BridgeError>, RecordingCard)>,
}

fn start(card: RecordingCard, config: BridgeConfig) -> Running {
    let (shutdown, shutdown_signal) = oneshot::channel::<()>();
    let (event_sender, events) = mpsc::unbounded_channel();
    let mut bridge = Bridge::new(card, config).with_observer(move |event: &BridgeEvent| {
        // The receiver outlives the bridge in every test; a send error cannot happen.
        let _ = event_sender.send(event.clone());
    });
    let task = tokio::spawn(async move {
        let result = bridge.run(shutdown_signal).await.map(drop);
        (result, bridge.into_card())
    });
    Running {
        shutdown,
        events,
        task,
    }
}

impl Running {
    /// Events up to and including the first that `wanted` accepts.
    async fn wait_for(&mut self, wanted: impl Fn(&BridgeEvent) -> bool) -> Vec<BridgeEvent> {
        let mut seen = Vec::new();
        loop {
            let next = timeout(WAIT_LIMIT, self.events.recv()).await;
            let event = next.unwrap_or_else(|_| panic!("no awaited event in time; saw {seen:?}"));
            let event = event.expect("the bridge is still running");
            let done = wanted(&event);
            seen.push(event);
            if done {
                return seen;
            }
        }
    }

    async fn stop(self) -> (Result<(), BridgeError>, RecordingCard, Vec<BridgeEvent>) {
        let Running {
            shutdown,
            mut events,
            task,
        } = self;
        shutdown
            .send(())
            .expect("the bridge is listening for shutdown");
        let (result, card) = timeout(WAIT_LIMIT, task)
            .await
            .expect("stops in time")
            .expect("task");
        let mut rest = Vec::new();
        while let Ok(event) = events.try_recv() {
            rest.push(event);
        }
        (result, card, rest)
    }

    /// Runs to its own end (an error), without a shutdown.
    async fn finish(self) -> (Result<(), BridgeError>, RecordingCard) {
        let (result, card) = timeout(WAIT_LIMIT, self.task)
            .await
            .expect("ends in time")
            .expect("task");
        drop(self.shutdown);
        (result, card)
    }
}

#[tokio::test]
async fn get_atr_is_answered_with_the_atr() {
    let vpcd = FakeVpcd::bind().await;
    let running = start(RecordingCard::new(), fast_config(vpcd.address()));
    let mut slot = vpcd.accept().await;
    assert_eq!(slot.exchange(&[4]).await, ATR);
    assert_eq!(slot.exchange(&[4]).await, ATR, "every poll is answered");
    let (result, _, events) = running.stop().await;
    assert!(result.is_ok());
    assert_eq!(events.last(), Some(&BridgeEvent::ShutDown));
}

#[tokio::test]
async fn power_controls_reach_the_card_without_a_reply() {
    let vpcd = FakeVpcd::bind().await;
    let running = start(RecordingCard::new(), fast_config(vpcd.address()));
    let mut slot = vpcd.accept().await;
    // The insertion sequence pcscd uses, then an SCardConnect's power on, then a reset.
    for control in [4_u8, 4, 1, 4, 0, 1, 2] {
        slot.send(&[control]).await;
    }
    let atr_replies = [
        slot.receive().await,
        slot.receive().await,
        slot.receive().await,
    ];
    assert_eq!(atr_replies, [ATR, ATR, ATR].map(Vec::from));
    let command = [0x00, 0x84, 0x00, 0x00, 0x08];
    assert_eq!(
        slot.exchange(&command).await,
        echo(&command),
        "the next frame is the APDU's reply"
    );
    let (result, card, _) = running.stop().await;
    assert!(result.is_ok());
    let expected = [
        CardCall::PowerOn,
        CardCall::PowerOff,
        CardCall::PowerOn,
        CardCall::Reset,
        CardCall::Transmit(5),
        CardCall::PowerOff, // the bridge stopped: the card left the reader
    ];
    assert_eq!(card.calls, expected);
}

#[tokio::test]
async fn apdus_of_every_size_round_trip() {
    let vpcd = FakeVpcd::bind().await;
    let running = start(RecordingCard::new(), fast_config(vpcd.address()));
    let mut slot = vpcd.accept().await;
    // Two bytes (not even a header), a case 1 APDU, extended data, the largest that fits.
    for length in [2, 4, 5, 300, 4000, PAYLOAD_LENGTH_MAX - 2] {
        let command: Vec<u8> = (0..length).map(|index| (index % 251) as u8).collect();
        assert_eq!(
            slot.exchange(&command).await,
            echo(&command),
            "command of {length} bytes"
        );
    }
    let (result, _, _) = running.stop().await;
    assert!(result.is_ok());
}

#[tokio::test]
async fn a_response_too_long_to_frame_is_answered_6f00_and_the_stream_stays_in_step() {
    let vpcd = FakeVpcd::bind().await;
    let mut running = start(RecordingCard::new(), fast_config(vpcd.address()));
    let mut slot = vpcd.accept().await;
    let command = vec![0xCC; PAYLOAD_LENGTH_MAX]; // echoed with 9000: two bytes too long
    assert_eq!(slot.exchange(&command).await, [0x6F, 0x00]);
    let seen = running
        .wait_for(|event| matches!(event, BridgeEvent::ResponseTooLong { .. }))
        .await;
    let expected = BridgeEvent::ResponseTooLong {
        command_length: PAYLOAD_LENGTH_MAX,
        response_length: PAYLOAD_LENGTH_MAX + 2,
    };
    assert_eq!(seen.last(), Some(&expected));
    let next = [0x00, 0xA4, 0x04, 0x0C];
    assert_eq!(slot.exchange(&next).await, echo(&next));
    let (result, _, _) = running.stop().await;
    assert!(result.is_ok());
}

#[tokio::test]
async fn unknown_controls_and_empty_frames_get_no_reply() {
    let vpcd = FakeVpcd::bind().await;
    let mut running = start(RecordingCard::new(), fast_config(vpcd.address()));
    let mut slot = vpcd.accept().await;
    slot.send(&[3]).await;
    slot.send(&[0xFF]).await;
    slot.send(&[]).await;
    let command = [0x00, 0xB0, 0x00, 0x00, 0x04];
    assert_eq!(slot.exchange(&command).await, echo(&command));
    let seen = running
        .wait_for(|event| matches!(event, BridgeEvent::ApduAnswered { .. }))
        .await;
    let expected = [
        BridgeEvent::Connected {
            address: vpcd.address(),
        },
        BridgeEvent::UnknownControl { code: 3 },
        BridgeEvent::UnknownControl { code: 0xFF },
        BridgeEvent::EmptyFrame,
        BridgeEvent::ApduAnswered {
            command_length: 5,
            response_length: 7,
        },
    ];
    assert_eq!(seen, expected);
    let (result, card, _) = running.stop().await;
    assert!(result.is_ok());
    assert_eq!(card.calls, [CardCall::Transmit(5), CardCall::PowerOff]);
}

/// Debian's vpcd sends each header and payload in two writes with Nagle on. Without
/// TCP_QUICKACK re-armed before every read, the payload waits for a delayed ACK (about 40 ms
/// on Linux) and the median round trip is above 40 ms; with it, well under a millisecond.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn split_frames_are_answered_without_waiting_for_delayed_acks() {
    let vpcd = FakeVpcd::bind().await;
    let running = start(RecordingCard::new(), fast_config(vpcd.address()));
    let mut slot = vpcd.accept().await;
    let command = [
        0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
    ];
    let mut round_trips = Vec::new();
    for _ in 0..60 {
        let started = tokio::time::Instant::now();
        slot.send_split(&command).await;
        assert_eq!(slot.receive().await, echo(&command));
        round_trips.push(started.elapsed());
    }
    round_trips.sort();
    let median = round_trips[round_trips.len() / 2];
    assert!(
        median < Duration::from_millis(10),
        "median round trip {median:?}: delayed ACKs are back"
    );
    let (result, _, _) = running.stop().await;
    assert!(result.is_ok());
}

#[tokio::test]
async fn the_bridge_reconnects_when_vpcd_restarts() {
    let vpcd = FakeVpcd::bind().await;
    let address = vpcd.address();
    let mut running = start(RecordingCard::new(), fast_config(address));
    let mut slot = vpcd.accept().await;
    slot.send(&[1]).await;
    assert_eq!(slot.exchange(&[4]).await, ATR);
    // pcscd stops: the connection and the listening socket go away.
    drop(slot);
    drop(vpcd);
    let reason = DisconnectReason::Closed;
    running
        .wait_for(|event| *event == BridgeEvent::Disconnected { reason })
        .await;
    let failed = running
        .wait_for(|event| matches!(event, BridgeEvent::ConnectFailed { .. }))
        .await;
    assert!(matches!(
        failed.last(),
        Some(BridgeEvent::ConnectFailed {
            error: std::io::ErrorKind::ConnectionRefused,
            attempt: 1,
            ..
        })
    ));
    // pcscd is back on the same port.
    let vpcd = FakeVpcd::bind_at(address).await;
    let mut slot = vpcd.accept().await;
    let command = [0x00, 0x84, 0x00, 0x00, 0x08];
    assert_eq!(slot.exchange(&command).await, echo(&command));
    let (result, card, _) = running.stop().await;
    assert!(result.is_ok());
    let expected = [
        CardCall::PowerOn,
        CardCall::PowerOff,
        CardCall::Transmit(5),
        CardCall::PowerOff,
    ];
    assert_eq!(
        card.calls, expected,
        "the card is powered off when it leaves the reader"
    );
}

#[tokio::test]
async fn a_truncated_frame_ends_the_connection_and_the_bridge_comes_back() {
    let vpcd = FakeVpcd::bind().await;
    let mut running = start(RecordingCard::new(), fast_config(vpcd.address()));
    let mut slot = vpcd.accept().await;
    slot.stream
        .write_all(&[0x00, 0x0A, 0x00, 0xA4, 0x04])
        .await
        .expect("partial frame");
    drop(slot);
    let reason = DisconnectReason::Truncated { payload_length: 10 };
    running
        .wait_for(|event| *event == BridgeEvent::Disconnected { reason })
        .await;
    let mut slot = vpcd.accept().await;
    assert_eq!(slot.exchange(&[4]).await, ATR);
    let (result, _, _) = running.stop().await;
    assert!(result.is_ok());
}

#[tokio::test]
async fn a_stalled_frame_times_out_and_the_bridge_comes_back() {
    let vpcd = FakeVpcd::bind().await;
    let mut running = start(RecordingCard::new(), fast_config(vpcd.address()));
    let mut stalled = vpcd.accept().await;
    stalled
        .stream
        .write_all(&[0x00, 0x0A, 0x00, 0xA4])
        .await
        .expect("partial frame");
    let reason = DisconnectReason::FrameTimeout;
    running
        .wait_for(|event| *event == BridgeEvent::Disconnected { reason })
        .await;
    stalled.expect_closed().await;
    let mut slot = vpcd.accept().await;
    assert_eq!(slot.exchange(&[4]).await, ATR);
    let (result, _, _) = running.stop().await;
    assert!(result.is_ok());
}

#[tokio::test]
async fn shutdown_while_connected_takes_the_card_out_of_the_reader() {
    let vpcd = FakeVpcd::bind().await;
    let mut running = start(RecordingCard::new(), fast_config(vpcd.address()));
    let mut slot = vpcd.accept().await;
    slot.send(&[1]).await;
    running
        .wait_for(|event| *event == BridgeEvent::PoweredOn)
        .await;
    let (result, card, events) = running.stop().await;
    assert!(result.is_ok());
    assert_eq!(events, [BridgeEvent::ShutDown]);
    assert_eq!(card.calls, [CardCall::PowerOn, CardCall::PowerOff]);
    slot.expect_closed().await;
}

#[tokio::test]
async fn shutdown_while_vpcd_is_down_stops_the_retries() {
    let address = closed_address().await;
    let mut running = start(RecordingCard::new(), fast_config(address));
    running
        .wait_for(|event| matches!(event, BridgeEvent::ConnectFailed { attempt: 3, .. }))
        .await;
    let (result, _, events) = running.stop().await;
    assert!(result.is_ok());
    assert_eq!(events.last(), Some(&BridgeEvent::ShutDown));
}

#[tokio::test]
async fn the_backoff_between_attempts_doubles_up_to_its_cap() {
    let address = closed_address().await;
    let mut running = start(RecordingCard::new(), fast_config(address));
    let seen = running
        .wait_for(|event| matches!(event, BridgeEvent::ConnectFailed { attempt: 6, .. }))
        .await;
    let waits: Vec<u128> = seen
        .iter()
        .filter_map(|event| match event {
            BridgeEvent::ConnectFailed { retry_in, .. } => Some(retry_in.as_millis()),
            _ => None,
        })
        .collect();
    assert_eq!(waits, [10, 20, 40, 80, 80, 80]);
    let (result, _, _) = running.stop().await;
    assert!(result.is_ok());
}

#[tokio::test]
async fn the_bridge_gives_up_after_connect_failures_max_and_says_why() {
    let address = closed_address().await;
    let config = BridgeConfig {
        connect_failures_max: NonZeroU32::new(3),
        ..fast_config(address)
    };
    let (result, _) = start(RecordingCard::new(), config).finish().await;
    let error = result.expect_err("vpcd is not there");
    assert!(
        matches!(error, BridgeError::Unreachable { attempts: 3, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains(&address.to_string()), "{message}");
    assert!(message.contains("pcscd"), "{message}");
}

#[tokio::test]
async fn an_over_long_atr_is_refused_before_connecting() {
    let vpcd = FakeVpcd::bind().await;
    let card = RecordingCard {
        atr: vec![0x3B; ATR_LENGTH_MAX + 1],
        calls: Vec::new(),
    };
    let (result, _) = start(card, fast_config(vpcd.address())).finish().await;
    let expected_length = ATR_LENGTH_MAX + 1;
    assert!(
        matches!(result, Err(BridgeError::Frame(FrameError::AtrTooLong { length })) if length == expected_length),
        "{result:?}"
    );
    let accepted = timeout(Duration::from_millis(100), vpcd.listener.accept()).await;
    assert!(accepted.is_err(), "no connection was made");
}

#[tokio::test]
async fn an_invalid_config_is_refused_with_the_field_named() {
    let config = BridgeConfig {
        connect_timeout: Duration::ZERO,
        ..BridgeConfig::default()
    };
    let (result, _) = start(RecordingCard::new(), config).finish().await;
    let error = result.expect_err("a zero timeout is refused");
    assert!(
        matches!(
            error,
            BridgeError::InvalidConfig {
                field: "connect_timeout",
                ..
            }
        ),
        "{error:?}"
    );
}

/// The convenience entry point, through the `&mut C` implementation so the card can be
/// inspected afterwards.
#[tokio::test]
async fn serve_runs_until_its_shutdown_future_completes() {
    let vpcd = FakeVpcd::bind().await;
    let address = vpcd.address();
    let mut card = RecordingCard::new();
    let (shutdown, shutdown_signal) = oneshot::channel::<()>();
    let vpcd_side = async move {
        let mut slot = vpcd.accept().await;
        let command = [0x00, 0x84, 0x00, 0x00, 0x08];
        assert_eq!(slot.exchange(&command).await, echo(&command));
        shutdown.send(()).expect("serve is running");
        slot.expect_closed().await;
    };
    let (result, ()) = tokio::join!(
        hkic_vpcd::serve(&mut card, address, shutdown_signal),
        vpcd_side
    );
    assert!(result.is_ok());
    assert_eq!(card.calls, [CardCall::Transmit(5), CardCall::PowerOff]);
}
