//! The simulated world: one replacement centre's booking period and day, wired from the real
//! components (`hkic-services`, `hkic-terminals`) on the deterministic kernel, with faults,
//! invariant checkers and the report.
//!
//! Entry points: [`scenario::load_scenario`] and [`scenario::load_fault_profile`] read
//! inputs; [`run`] runs them and returns the [`hkic_reports::Report`]. Only the CLI touches
//! files other than scenarios, and nothing here reads the wall clock.

mod booking_changes;
mod booking_phase;
mod call_up;
pub mod card_session;
mod centre;
mod centre_choice;
pub mod checkers;
mod collection;
mod config;
mod devices;
mod event;
mod fault_events;
mod host;
mod host_booking;
mod host_production;
mod host_registration;
mod host_registry;
mod labels;
mod line;
mod metrics;
mod plant;
mod pool;
pub mod population;
mod report;
mod residents;
mod run;
pub mod scenario;
mod station_names;
mod stations;
mod wiring;
mod workflows;
mod world;

pub use config::Config;
pub use event::{Event, Stage};
pub use plant::PlantedBug;
pub use pool::ServerPool;
pub use residents::Draw;
pub use run::{RunRequest, RunResult, replay_command, run};
