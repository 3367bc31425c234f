//! The deterministic simulation kernel.
//!
//! One seed in, one trace out: events run in `(time, sequence)` order from a monotone
//! [`EventQueue`]; randomness comes from [`Streams`] derived from the root seed per (entity,
//! purpose); the [`Network`] and [`Disk`] models and the [`FaultInjector`] draw from their own
//! streams; every event folds into the [`Trace`] hash. Nothing here reads a clock, touches a
//! file or spawns a thread: the world owns the payloads, the CLI owns the files.

mod disk;
mod faults;
mod network;
mod queue;
mod run;
mod streams;
mod trace;

pub use disk::{CrashReport, Disk, FileId, SyncReport};
pub use faults::{FAULT_DOMAIN, FaultCounts, FaultInjector, FaultKind, FaultProfile, FaultSpec};
pub use network::{DropCause, NETWORK_DOMAIN, Network, NodeId, PartitionMode, SendPlan, Verdict};
pub use queue::EventQueue;
pub use run::{Flow, Kernel, Limits, RunEnd};
pub use streams::{StreamLabel, Streams};
pub use trace::{Fields, Trace, TraceHash, TraceRecord};

pub use hkic_base::{SimDuration, SimTime};
