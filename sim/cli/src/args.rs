//! The command line, with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "hkic-sim",
    version,
    about = "Deterministic simulator of Hong Kong's smart identity card system and its replacement exercise",
    after_help = "Exit codes: 0 ok, 1 internal error, 2 bad input, 3 invariant broken, 4 service level missed."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario (the embedded default when none is given) and print its summary.
    Run(RunArgs),
    /// Re-run the scenario and seed recorded in DIR/report.json and confirm the trace hash.
    Replay {
        /// A directory written by `run --out`.
        dir: PathBuf,
    },
    /// Print the first event where two JSON-lines traces diverge.
    Diff { a: PathBuf, b: PathBuf },
    /// Check a scenario without running it.
    Validate {
        /// A scenario file or an embedded scenario's name.
        scenario: String,
        #[command(flatten)]
        input: InputArgs,
    },
    /// List the embedded scenarios and fault profiles.
    Scenarios,
}

/// What picks the scenario and its variations.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Fault profile: none, light, chaos, or a profile file (default: the scenario's).
    #[arg(long)]
    pub faults: Option<String>,
    /// Override any scenario field, e.g. --set centre.registration_kiosks=11 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub overrides: Vec<String>,
    /// Override the scenario's fidelity.
    #[arg(long, value_enum)]
    pub fidelity: Option<FidelityArg>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A scenario file or an embedded scenario's name (default: centre-day).
    pub scenario: Option<String>,
    /// The root seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Write every trace record as one JSON line to FILE.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Write report.json and report.md to DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Plant a known bug in the system under test, to prove a checker fires.
    #[arg(long, value_name = "BUG")]
    pub plant_bug: Option<String>,
    /// Stop after this many events (replaces the scenario's limit).
    #[arg(long)]
    pub max_events: Option<u64>,
    /// Print only the outcome line, not the summary.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FidelityArg {
    Timing,
    Full,
}
