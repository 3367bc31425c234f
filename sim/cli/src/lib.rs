//! The `hkic-sim` command line as a library, so tests can run it with captured output.
//!
//! Only this crate touches the wall clock (to print how long a run took) and writes output
//! files; everything it runs is deterministic.

mod args;
mod biometric_templates;
pub mod commands;
pub mod exit;

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;

use crate::args::{CardCommand, Cli, Command, ReadArgs};
use crate::exit::{BAD_INPUT, CliError, OK};

/// Runs the command line; returns the process exit code.
pub fn main_with<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { BAD_INPUT } else { OK };
            let text = error.render().to_string();
            let _ = if error.use_stderr() {
                err.write_all(text.as_bytes())
            } else {
                out.write_all(text.as_bytes())
            };
            return code;
        }
    };
    let result: Result<u8, CliError> = match cli.command {
        Command::Run(args) => commands::run::run(&args, out, err),
        Command::Replay { dir } => commands::replay::replay(&dir, out, err),
        Command::Diff { a, b } => commands::diff::diff(&a, &b, out),
        Command::Validate { scenario, input } => {
            commands::validate::validate(&scenario, &input, out)
        }
        Command::Scenarios => commands::scenarios::list(out),
        Command::Biometrics(args) => commands::biometrics::run(&args, out),
        Command::Card(CardCommand::Serve(args)) => commands::card::serve::serve(&args, out),
        Command::Card(CardCommand::Read(args)) => read_card(&args, out),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            let _ = writeln!(err, "error: {error}");
            error.code()
        }
    }
}

#[cfg(feature = "pcsc")]
fn read_card(args: &ReadArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    commands::card::read::read(args, out)
}

#[cfg(not(feature = "pcsc"))]
fn read_card(_: &ReadArgs, _: &mut dyn Write) -> Result<u8, CliError> {
    Err(CliError::BadInput(
        "this hkic-sim was built without PC/SC support: build it with `cargo build --release --features pcsc` \
         (needs libpcsclite-dev)"
            .to_string(),
    ))
}
