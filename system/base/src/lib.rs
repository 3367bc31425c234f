//! Vocabulary shared by every layer of hkic-sim: the real components in `system/`, the device
//! emulators and the simulator.
//!
//! Nothing here reads a clock or the operating system's entropy: time is a [`SimTime`] that
//! the caller hands in, and randomness is a [`Stream`] that the caller seeded.

mod calendar;
mod date;
mod dist;
mod duration;
mod stream;
mod time;

pub use calendar::{Calendar, CalendarError};
pub use date::{Date, DateError, Weekday};
pub use dist::{DistError, DurationDist, EmpiricalEntry, sample_poisson};
pub use duration::{DurationError, SimDuration};
pub use stream::{Stream, bernoulli, seed_stream};
pub use time::{SimTime, TimeError, TimeOfDay};
