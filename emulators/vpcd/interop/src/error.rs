//! What can go wrong in an interoperability test, worded so the failing test says why (most
//! often: pcscd is not running, or vsmartcard-vpcd is not installed).

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
}
