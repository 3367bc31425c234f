//! Real PC/SC interoperability: our cards served through vsmartcard's vpcd and pcscd, and
//! driven by PC/SC clients we did not write (the `pcsc` crate, opensc-tool, the eMRTD reader
//! `dmrtd`) and by our own `hkic-sim card read --pcsc`.
//!
//! Why a crate of its own: these tests need a running pcscd with the vpcd driver, and the
//! `pcsc` crate needs libpcsclite-dev to build. The ordinary test run must build and pass on
//! a machine without either, so everything that touches PC/SC sits behind the `pcsc` feature
//! (off by default), and `ci/interop.sh` installs the packages, starts pcscd and runs
//! `cargo test -p hkic-interop --features pcsc -- --test-threads=1` (one card per vpcd slot).
//! With the feature on, the tests fail with the reason when pcscd is not reachable; they never
//! skip.
//!
//! What is here without the feature: [`TestCard`], a minimal card with known answers;
//! [`SpecimenCard`], our real chip personalised for the specimen holder;
//! [`BackgroundBridge`], which serves a card through `hkic-vpcd` on a thread of its own so a
//! test can make blocking PC/SC calls; [`system`] (pcscd's process), [`process`] (the
//! `hkic-sim` child processes) and [`hkic_sim`] (building that binary). With the feature:
//! [`reader`], the PC/SC client side and the PC/SC transport of the independent eMRTD reader
//! `dmrtd`.
//!
//! The tests: `tests/pcsc.rs` (the raw `pcsc` crate and opensc-tool against the test card),
//! `tests/dmrtd.rs` (dmrtd reads our chip over BAC and PACE and checks passive
//! authentication), `tests/cli.rs` (`hkic-sim card serve` and `card read --pcsc`, including
//! a pcscd restart under a served card).

mod background;
mod error;
pub mod hkic_sim;
pub mod process;
#[cfg(feature = "pcsc")]
pub mod reader;
mod specimen_card;
pub mod system;
mod test_card;

pub use background::BackgroundBridge;
pub use error::{Failure, InteropError};
pub use specimen_card::{FACIAL_IMAGE_LENGTH, SpecimenCard};
pub use test_card::{
    APPLICATION_ID, GET_CHALLENGE, SELECT_APPLICATION, STATUS_INSTRUCTION_NOT_SUPPORTED,
    STATUS_SUCCESS, TEST_CARD_ATR, TestCard,
};
