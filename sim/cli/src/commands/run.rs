//! `hkic-sim run`: run a scenario, print its summary, write the report and trace if asked.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

use hkic_reports::{Report, Status, render_markdown};
use hkic_world::RunResult;

use crate::args::RunArgs;
use crate::exit::{CliError, INTERNAL, INVARIANT_BROKEN, OK};

pub fn run(args: &RunArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, CliError> {
    let request = super::request(
        args.scenario.as_deref(),
        &args.input,
        args.seed,
        args.plant_bug.as_deref(),
        args.max_events,
    )?;
    let trace: Option<Box<dyn Write>> = match &args.trace {
        Some(path) => Some(Box::new(BufWriter::new(File::create(path).map_err(
            |error| {
                CliError::BadInput(format!(
                    "--trace {}: cannot create the file: {error}",
                    path.display()
                ))
            },
        )?))),
        None => None,
    };
    #[allow(clippy::disallowed_types)] // The one wall-clock reading: how long the run took.
    let started = std::time::Instant::now();
    let result = hkic_world::run(&request, trace)?;
    let wall_seconds = started.elapsed().as_secs_f64();
    finish(&result, args, wall_seconds, out, err)
}

/// Writes what a finished run produced and decides the exit code (shared with `replay`).
pub(crate) fn finish(
    result: &RunResult,
    args: &RunArgs,
    wall_seconds: f64,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, CliError> {
    if let Err(error) = &result.trace_written {
        return Err(CliError::Internal(format!(
            "the trace could not be written completely: {error}"
        )));
    }
    let report = &result.report;
    if let Some(dir) = &args.out {
        write_report(dir, report)?;
    }
    if !args.quiet {
        let _ = write!(out, "{}", render_markdown(report));
    }
    let events = report.trace.events;
    let rate = if wall_seconds > 0.0 {
        events as f64 / wall_seconds
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "\nevents: {events}, wall time: {wall_seconds:.3} s, events per second: {rate:.0}"
    );
    let _ = writeln!(out, "trace hash: {}", report.trace.hash);
    Ok(outcome_code(report, err))
}

pub(crate) fn outcome_code(report: &Report, err: &mut dyn Write) -> u8 {
    let run = &report.run;
    match (&report.outcome.violation, report.outcome.status) {
        (Some(violation), _) => {
            let _ = writeln!(
                err,
                "invariant broken: {}: {} (at {}, trace record {}, seed {})\nreplay: {}",
                violation.invariant,
                violation.message,
                violation.at,
                violation.trace_record,
                run.seed,
                run.replay_command
            );
            INVARIANT_BROKEN
        }
        (None, Status::StepBudgetExhausted) => {
            let _ = writeln!(
                err,
                "the run stopped at its step budget before finishing; raise limits.max_events or --max-events\nreplay: {}",
                run.replay_command
            );
            INTERNAL
        }
        _ => OK,
    }
}

fn write_report(dir: &Path, report: &Report) -> Result<(), CliError> {
    let fail =
        |error: std::io::Error| CliError::Internal(format!("--out {}: {error}", dir.display()));
    fs::create_dir_all(dir).map_err(fail)?;
    fs::write(dir.join("report.json"), report.to_json()).map_err(fail)?;
    fs::write(dir.join("report.md"), render_markdown(report)).map_err(fail)?;
    Ok(())
}
