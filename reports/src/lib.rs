//! What users read out of a run: the versioned KPI schema written to `report.json`, the
//! histograms behind its percentiles, and a Markdown rendering.
//!
//! Nothing in a [`Report`] depends on the wall clock, so two runs of one seed give
//! byte-identical files; wall time and events per second are printed by the CLI only.

mod histogram;
mod markdown;
mod schema;

pub use histogram::Histogram;
pub use markdown::render_markdown;
pub use schema::*;
