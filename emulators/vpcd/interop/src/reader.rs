//! The PC/SC client side, through the `pcsc` crate (pcsc-lite's `libpcsclite`): what any
//! PC/SC application on the machine does to reach a card behind vpcd; and
//! [`PcscTransceiver`], the transport that puts the independent reader `dmrtd` on it.
//!
//! Every wait is bounded; every failure says what was expected (pcscd running, the vpcd
//! reader listed, a card present), so a test run without pcscd fails with the reason.

use std::ffi::CStr;
use std::time::Duration;

use pcsc::{Card, Context, Error, Protocols, ReaderState, Scope, ShareMode, State};

use crate::error::InteropError;

/// vpcd's first slot, where the bridge's default address (127.0.0.1:35963) puts the card.
pub const READER_NAME: &CStr = c"Virtual PCD 00 00";
/// The longest single `SCardGetStatusChange` wait, so the overall limit is kept.
const STATUS_POLL_MAX: Duration = Duration::from_millis(500);
/// Bounded retries of `SCardConnect` while pcscd catches up with a card just inserted.
const CONNECT_ATTEMPTS_MAX: u32 = 20;
const CONNECT_RETRY_INTERVAL: Duration = Duration::from_millis(100);

/// A PC/SC context; fails with [`InteropError::PcscdUnreachable`] when pcscd is not running.
pub fn establish() -> Result<Context, InteropError> {
    Context::establish(Scope::User).map_err(|source| InteropError::PcscdUnreachable { source })
}

/// [`establish`], retried for at most `limit` (pcscd was just started).
pub fn establish_within(limit: Duration) -> Result<Context, InteropError> {
    let attempts = limit
        .as_millis()
        .div_ceil(CONNECT_RETRY_INTERVAL.as_millis())
        .max(1);
    for _ in 1..attempts {
        if let Ok(context) = Context::establish(Scope::User) {
            return Ok(context);
        }
        std::thread::sleep(CONNECT_RETRY_INTERVAL);
    }
    establish()
}

/// The readers pcscd lists, as text.
pub fn reader_names(context: &Context) -> Result<Vec<String>, InteropError> {
    let names = context
        .list_readers_owned()
        .map_err(|source| InteropError::Pcsc {
            operation: "SCardListReaders",
            source,
        })?;
    Ok(names
        .iter()
        .map(|name| name.to_string_lossy().into_owned())
        .collect())
}

/// Waits at most `limit` until [`READER_NAME`] reports a card present; returns its ATR.
pub fn wait_for_card(context: &Context, limit: Duration) -> Result<Vec<u8>, InteropError> {
    let present = |state: State| state.contains(State::PRESENT) && !state.contains(State::MUTE);
    match wait_for_reader_state(context, limit, present)? {
        Ok(reader) => Ok(reader.atr().to_vec()),
        Err(state) => Err(InteropError::CardAbsent {
            reader: reader_text(),
            limit,
            state: format!("{state:?}"),
        }),
    }
}

/// Waits at most `limit` until [`READER_NAME`] reports no card: pcscd has noticed that the
/// previous card left (it polls vpcd about every 400 ms), and no other card is in the slot.
pub fn wait_for_empty_reader(context: &Context, limit: Duration) -> Result<(), InteropError> {
    let empty = |state: State| state.contains(State::EMPTY);
    match wait_for_reader_state(context, limit, empty)? {
        Ok(_) => Ok(()),
        Err(state) => Err(InteropError::ReaderOccupied {
            reader: reader_text(),
            limit,
            state: format!("{state:?}"),
        }),
    }
}

/// Waits at most `limit` until [`READER_NAME`]'s state satisfies `wanted`: the reader's
/// state, or the last state seen when the time ran out.
#[allow(
    clippy::disallowed_types,
    reason = "an IO test waits on the wall clock"
)]
fn wait_for_reader_state(
    context: &Context,
    limit: Duration,
    wanted: impl Fn(State) -> bool,
) -> Result<Result<ReaderState, State>, InteropError> {
    let deadline = std::time::Instant::now() + limit;
    let mut states = [ReaderState::new(READER_NAME, State::UNAWARE)];
    loop {
        let remaining = deadline.saturating_duration_since(std::time::Instant::now());
        if remaining.is_zero() {
            return Ok(Err(states[0].event_state()));
        }
        match context.get_status_change(remaining.min(STATUS_POLL_MAX), &mut states) {
            Ok(()) | Err(Error::Timeout) => {}
            Err(Error::UnknownReader) => {
                let readers = reader_names(context)?;
                return Err(InteropError::ReaderMissing {
                    reader: reader_text(),
                    readers,
                });
            }
            Err(source) => {
                return Err(InteropError::Pcsc {
                    operation: "SCardGetStatusChange",
                    source,
                });
            }
        }
        if wanted(states[0].event_state()) {
            let [reader] = states;
            return Ok(Ok(reader));
        }
        states[0].sync_current_state();
    }
}

/// Connects to the card in [`READER_NAME`], retrying briefly while pcscd settles (a card that
/// was just replaced reports "removed" or "reset" once).
pub fn connect(context: &Context) -> Result<Card, InteropError> {
    let mut attempt = 1;
    loop {
        match context.connect(READER_NAME, ShareMode::Shared, Protocols::ANY) {
            Ok(card) => return Ok(card),
            Err(
                Error::RemovedCard | Error::ResetCard | Error::NoSmartcard | Error::UnpoweredCard,
            ) if attempt < CONNECT_ATTEMPTS_MAX => {
                attempt += 1;
                std::thread::sleep(CONNECT_RETRY_INTERVAL);
            }
            Err(source) => {
                return Err(InteropError::Pcsc {
                    operation: "SCardConnect",
                    source,
                });
            }
        }
    }
}

/// Sends one command APDU and returns the response APDU.
pub fn transmit(card: &Card, command: &[u8]) -> Result<Vec<u8>, InteropError> {
    let mut buffer = vec![0_u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
    let response = card
        .transmit(command, &mut buffer)
        .map_err(|source| InteropError::Pcsc {
            operation: "SCardTransmit",
            source,
        })?;
    Ok(response.to_vec())
}

/// The ATR of a connected card, as pcscd reports it.
pub fn atr(card: &Card) -> Result<Vec<u8>, InteropError> {
    let status = card.status2_owned().map_err(|source| InteropError::Pcsc {
        operation: "SCardStatus",
        source,
    })?;
    Ok(status.atr().to_vec())
}

/// dmrtd's transport over PC/SC: every APDU dmrtd builds goes through pcscd and vpcd to the
/// card, unchanged, and the whole response (data and status word) comes back.
pub struct PcscTransceiver {
    card: Card,
    buffer: Vec<u8>,
    /// APDUs exchanged so far.
    pub command_count: u64,
}

impl PcscTransceiver {
    /// Carries APDUs to `card`, a connected PC/SC card.
    pub fn new(card: Card) -> Self {
        Self {
            card,
            buffer: vec![0_u8; pcsc::MAX_BUFFER_SIZE_EXTENDED],
            command_count: 0,
        }
    }
}

impl std::fmt::Debug for PcscTransceiver {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // pcsc::Card has no Debug: name the reader instead.
        formatter
            .debug_struct("PcscTransceiver")
            .field("reader", &reader_text())
            .field("command_count", &self.command_count)
            .finish_non_exhaustive()
    }
}

impl dmrtd::com::Transceiver for PcscTransceiver {
    fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, dmrtd::com::TransceiveError> {
        self.command_count = self.command_count.saturating_add(1);
        self.card
            .transmit(apdu, &mut self.buffer)
            .map(<[u8]>::to_vec)
            .map_err(|error| dmrtd::com::TransceiveError::new(format!("SCardTransmit: {error}")))
    }
}

fn reader_text() -> String {
    READER_NAME.to_string_lossy().into_owned()
}
