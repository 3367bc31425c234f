//! The command line, with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "hkic-sim",
    version,
    about = "Deterministic simulator of Hong Kong's smart identity card system and its replacement exercise",
    after_help = "Exit codes: 0 ok, 1 internal error, 2 bad input, 3 invariant broken, 4 service level missed, 5 card read not genuine."
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
    /// Measure the fingerprint matcher on synthetic residents (FMR, FNMR, DET curve).
    Biometrics(BiometricsArgs),
    /// One emulated card in the real world: serve it to PC/SC applications, or read a card.
    #[command(subcommand)]
    Card(CardCommand),
}

#[derive(Debug, Args)]
pub struct BiometricsArgs {
    /// Genuine comparisons: residents verified against their own enrolment.
    #[arg(long, default_value_t = 20_000)]
    pub genuine: u32,
    /// Impostor comparisons: residents verified against someone else's enrolment.
    #[arg(long, default_value_t = 100_000)]
    pub impostor: u32,
    /// The seed of the synthetic population and of the impostor pairing.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The false match rate to find a threshold for.
    #[arg(long, default_value_t = 0.0001)]
    pub target_fmr: f64,
    /// Where to write the DET curve (CSV).
    #[arg(
        long,
        value_name = "FILE",
        default_value = "reports/out/biometrics-det.csv"
    )]
    pub det: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum CardCommand {
    /// Personalise a new-generation card and serve it through vsmartcard's vpcd.
    Serve(ServeArgs),
    /// Read a card in a PC/SC reader and print the holder and a verdict (needs the pcsc feature).
    Read(ReadArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The resident of the seed's population whose card to make.
    #[arg(long, conflicts_with = "person_file")]
    pub person: Option<u32>,
    /// A JSON file describing the holder instead (fields in README.md).
    #[arg(long, value_name = "FILE")]
    pub person_file: Option<PathBuf>,
    /// The seed of the population, the issuer's keys and the card's keys.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The card's date of issue (it is valid for ten years).
    #[arg(long, default_value = "2019-01-21")]
    pub issued: String,
    /// Where to write the trust material (default reports/out/card-PERSON/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// vpcd's address (the reader "Virtual PCD 00 00" listens on 127.0.0.1:35963).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:35963")]
    pub vpcd: String,
    /// The chip interface the reader sees (it decides the ATR).
    #[arg(long, value_enum, default_value_t = CardInterfaceArg::Contactless)]
    pub interface: CardInterfaceArg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CardInterfaceArg {
    Contact,
    Contactless,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The PC/SC reader's name, e.g. "Virtual PCD 00 00".
    #[arg(long, value_name = "READER")]
    pub pcsc: String,
    /// PACE with the card access number printed on the card.
    #[arg(long, conflicts_with = "bac")]
    pub can: Option<String>,
    /// BAC with the document number, date of birth and date of expiry.
    #[arg(long, value_name = "DOCNO,YYMMDD,YYMMDD")]
    pub bac: Option<String>,
    /// The Country Signing CA certificate (PEM or DER) that passive authentication trusts.
    #[arg(long, value_name = "FILE")]
    pub csca: PathBuf,
    /// A revocation list written by `card serve` (JSON).
    #[arg(long, value_name = "FILE")]
    pub revocation_list: Option<PathBuf>,
    /// Terminal credentials (a `terminal/` directory written by `card serve`): read DG3 too.
    #[arg(long, value_name = "DIR")]
    pub terminal: Option<PathBuf>,
    /// Seed the reader's ephemeral keys (default: from the operating system).
    #[arg(long)]
    pub seed: Option<u64>,
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
