//! `hkic-sim replay DIR`: run again exactly what DIR/report.json records and compare hashes.

use std::io::Write;
use std::path::Path;

use hkic_reports::Report;
use hkic_world::scenario::{Fidelity, profile_from_value, scenario_as_recorded};
use hkic_world::{PlantedBug, RunRequest};

use crate::exit::{CliError, INVARIANT_BROKEN};

pub fn replay(dir: &Path, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, CliError> {
    let path = dir.join("report.json");
    let source_name = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .map_err(|error| CliError::BadInput(format!("{source_name}: cannot read: {error}")))?;
    let recorded = Report::from_json(&text).map_err(|error| {
        CliError::BadInput(format!(
            "{source_name}: not a report this version reads: {error}"
        ))
    })?;
    let request = request_from(&recorded, &source_name)?;
    #[allow(clippy::disallowed_types)] // How long the replay took, for the user only.
    let started = std::time::Instant::now();
    let result = hkic_world::run(&request, None)?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let expected = &recorded.trace.hash;
    let actual = &result.report.trace.hash;
    let _ = writeln!(
        out,
        "replayed {} (seed {}) in {wall_seconds:.3} s",
        recorded.run.scenario_name, recorded.run.seed
    );
    if actual != expected {
        let _ = writeln!(
            err,
            "invariant broken: determinism: trace hash {actual} differs from the recorded {expected}"
        );
        return Ok(INVARIANT_BROKEN);
    }
    let _ = writeln!(out, "trace hash {actual} matches the recorded run");
    Ok(super::run::outcome_code(&result.report, err))
}

fn request_from(report: &Report, source_name: &str) -> Result<RunRequest, CliError> {
    let run = &report.run;
    let scenario = scenario_as_recorded(
        source_name,
        run.scenario_reference.clone(),
        run.scenario.clone(),
        run.overrides.clone(),
    )?;
    let profile = profile_from_value(
        source_name,
        &run.fault_profile_reference,
        run.fault_profile.clone(),
    )?;
    let plant = run
        .planted_bug
        .as_deref()
        .map(str::parse::<PlantedBug>)
        .transpose()
        .map_err(CliError::BadInput)?;
    let fidelity = match run.fidelity.as_str() {
        "timing" => Fidelity::Timing,
        "full" => Fidelity::Full,
        other => {
            return Err(CliError::BadInput(format!(
                "{source_name}: run.fidelity: unknown fidelity {other:?}"
            )));
        }
    };
    Ok(RunRequest {
        fidelity: (fidelity != scenario.file.fidelity).then_some(fidelity),
        scenario,
        profile,
        seed: run.seed,
        plant,
        max_events: run.max_events_override,
        record_draws: false,
    })
}
