//! What can go wrong in an interoperability test, worded so the failing test says why (most
//! often: pcscd is not running, or vsmartcard-vpcd is not installed).

use std::error::Error;
use std::fmt;
use std::io;
use std::time::Duration;

use hkic_vpcd::{BridgeError, BridgeEvent};

/// An interoperability test failed for this reason.
#[derive(Debug, thiserror::Error)]
pub enum InteropError {
    /// The bridge's thread or runtime could not start.
    #[error("cannot start the bridge's thread or runtime: {0}")]
    Runtime(#[source] io::Error),
    /// The bridge stopped with an error (vpcd unreachable, bad card).
    #[error("the bridge stopped: {0}")]
    Bridge(#[from] BridgeError),
    /// The bridge's thread panicked.
    #[error("the bridge's thread panicked")]
    BridgePanicked,
    /// The bridge ended while a test waited for one of its events.
    #[error("the bridge stopped while waiting for {wanted}")]
    BridgeGone {
        /// What the test waited for.
        wanted: &'static str,
    },
    /// An expected bridge event did not come in time.
    #[error("no {wanted} within {limit:?}; the bridge's last events: {recent_events:?}")]
    EventMissing {
        /// What the test waited for.
        wanted: &'static str,
        /// How long it waited.
        limit: Duration,
        /// The last events seen, oldest first.
        recent_events: Vec<BridgeEvent>,
    },
    /// pcscd did not answer `SCardEstablishContext`.
    #[cfg(feature = "pcsc")]
    #[error(
        "pcscd is not reachable ({source}): install pcscd and vsmartcard-vpcd and start pcscd; \
         `bash ci/interop.sh` does both, then runs these tests"
    )]
    PcscdUnreachable {
        /// The PC/SC error.
        source: pcsc::Error,
    },
    /// A PC/SC call failed.
    #[cfg(feature = "pcsc")]
    #[error("PC/SC {operation} failed: {source}")]
    Pcsc {
        /// The call, as the test names it.
        operation: &'static str,
        /// The PC/SC error.
        source: pcsc::Error,
    },
    /// pcscd does not list the vpcd reader.
    #[error(
        "pcscd lists no reader {reader:?} (it lists {readers:?}): is vsmartcard-vpcd installed, \
         and was pcscd started after it?"
    )]
    ReaderMissing {
        /// The reader wanted.
        reader: String,
        /// The readers pcscd lists.
        readers: Vec<String>,
    },
    /// The reader reported no card in time.
    #[error("no card in reader {reader:?} after {limit:?} (its last state: {state})")]
    CardAbsent {
        /// The reader.
        reader: String,
        /// How long the test waited.
        limit: Duration,
        /// The reader's last state, as pcsc-lite reports it.
        state: String,
    },
    /// A card stayed in the reader that should be empty.
    #[error(
        "a card is still in reader {reader:?} after {limit:?} (its last state: {state}): \
         is another card served to vpcd's slot, by another test or an `hkic-sim card serve`?"
    )]
    ReaderOccupied {
        /// The reader.
        reader: String,
        /// How long the test waited.
        limit: Duration,
        /// The reader's last state, as pcsc-lite reports it.
        state: String,
    },
    /// A program the test runs could not be started.
    #[error("cannot run `{program}`: {source} (is it installed? `bash ci/interop.sh` installs it)")]
    ProgramMissing {
        /// The program.
        program: String,
        /// Why it did not start.
        #[source]
        source: io::Error,
    },
    /// A program the test runs failed.
    #[error("`{command}` failed ({status}); it printed: {output}")]
    ProgramFailed {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// Its standard output and error.
        output: String,
    },
    /// pcscd could not be found, stopped or started for the restart test.
    #[error("pcscd restart: {0}")]
    Pcscd(String),
    /// A program the test runs did not finish in time (it was killed).
    #[error("`{command}` did not finish within {limit:?}; it printed: {output}")]
    ProcessTimedOut {
        /// The command line.
        command: String,
        /// How long it was given.
        limit: Duration,
        /// What it printed.
        output: String,
    },
    /// A background program did not print an expected line.
    #[error("`{command}` printed no {wanted} ({status}); it printed: {output}")]
    ProcessOutputMissing {
        /// The command line.
        command: String,
        /// The line the test waited for.
        wanted: &'static str,
        /// Whether the program ended, or how long the test waited.
        status: String,
        /// The last lines it printed.
        output: String,
    },
    /// The specimen card could not be personalised (only a bug can cause it).
    #[error("cannot personalise the specimen card: {0}")]
    Specimen(String),
    /// The independent reader (dmrtd) failed a step.
    #[error("dmrtd: {operation} failed: {message}")]
    Reader {
        /// The step, as the test names it.
        operation: &'static str,
        /// dmrtd's error, with the card's status word when it gave one.
        message: String,
    },
}

/// A test's failure, printed as its reason (the message and its sources) rather than as a
/// Debug dump: the tests return `Result<(), Failure>`.
pub struct Failure(pub InteropError);

impl fmt::Debug for Failure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.0.to_string();
        write!(formatter, "{message}")?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            let cause_text = cause.to_string();
            if !message.contains(&cause_text) {
                write!(formatter, "\n  caused by: {cause_text}")?;
            }
            source = cause.source();
        }
        Ok(())
    }
}

impl From<InteropError> for Failure {
    fn from(error: InteropError) -> Self {
        Self(error)
    }
}
