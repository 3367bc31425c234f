//! Running a scenario: the one entry point the CLI and the tests use.

use std::io::{self, Write};

use hkic_kernel::{Kernel, Limits, RunEnd, Trace};
use hkic_reports::{Report, RunInfo};

use crate::plant::PlantedBug;
use crate::residents::Draw;
use crate::scenario::{Fidelity, LoadedProfile, Scenario, ScenarioError, build_config};
use crate::world::World;

/// Everything that decides a run. Two equal requests give byte-identical traces and reports.
#[derive(Clone, Debug)]
pub struct RunRequest {
    pub scenario: Scenario,
    pub profile: LoadedProfile,
    pub seed: u64,
    /// Overrides the scenario's fidelity.
    pub fidelity: Option<Fidelity>,
    pub plant: Option<PlantedBug>,
    /// Overrides the scenario's step budget.
    pub max_events: Option<u64>,
    /// Keep every resident's random draws (for determinism tests).
    pub record_draws: bool,
}

#[derive(Debug)]
pub struct RunResult {
    pub report: Report,
    pub draws: Vec<Draw>,
    /// Whether the JSON-lines trace, if any, was written completely.
    pub trace_written: io::Result<()>,
}

impl RunResult {
    /// True when the run broke an invariant.
    pub fn broke_an_invariant(&self) -> bool {
        self.report.outcome.violation.is_some()
    }
}

/// Runs the request; `trace` receives every trace record as one JSON line.
pub fn run(
    request: &RunRequest,
    trace: Option<Box<dyn Write>>,
) -> Result<RunResult, ScenarioError> {
    let config = build_config(&request.scenario, request.profile.clone(), request.fidelity)?;
    let mut draws = request.record_draws.then(Vec::new);
    let mut world = World::new(config, request.seed, request.plant, draws.as_mut());
    let trace = trace.map_or_else(Trace::new, Trace::with_json);
    let mut kernel = Kernel::new(world.config().start, trace);
    world.start(&mut kernel);
    let mut limits = world.config().limits;
    if let Some(max_events) = request.max_events {
        limits = Limits {
            max_steps: max_events,
            ..limits
        };
    }
    let end = kernel.run(limits, |kernel, now, event| {
        world.handle(kernel, now, event)
    });
    if matches!(end, RunEnd::Quiescent | RunEnd::TimeLimit) {
        world.finish(&mut kernel);
    }
    let trace_written = kernel.trace_mut().finish();
    let info = run_info(request, &world);
    let report = world.report(&kernel, end, info);
    Ok(RunResult {
        report,
        draws: draws.unwrap_or_default(),
        trace_written,
    })
}

fn run_info(request: &RunRequest, world: &World) -> RunInfo {
    let scenario = &request.scenario;
    RunInfo {
        scenario_name: scenario.file.name.clone(),
        scenario_source: scenario.source_name.clone(),
        scenario_reference: scenario.reference.clone(),
        scenario: scenario.value.clone(),
        seed: request.seed,
        fidelity: world.config().fidelity.name().to_string(),
        fault_profile_name: request.profile.name.clone(),
        fault_profile_reference: request.profile.reference.clone(),
        fault_profile: request.profile.value.clone(),
        planted_bug: request.plant.map(|bug| bug.name().to_string()),
        max_events_override: request.max_events,
        overrides: scenario.overrides.clone(),
        replay_command: replay_command(request),
        simulated_from: world.config().start.to_string(),
        simulated_until: world.last_event().to_string(),
    }
}

/// The one-line command that runs the same request again.
pub fn replay_command(request: &RunRequest) -> String {
    let mut words = vec!["hkic-sim".to_string(), "run".to_string()];
    if let Some(reference) = &request.scenario.reference {
        words.push(reference.clone());
    }
    words.extend(["--seed".to_string(), request.seed.to_string()]);
    words.extend(["--faults".to_string(), request.profile.reference.clone()]);
    if let Some(fidelity) = request.fidelity {
        words.extend(["--fidelity".to_string(), fidelity.name().to_string()]);
    }
    if let Some(bug) = request.plant {
        words.extend(["--plant-bug".to_string(), bug.name().to_string()]);
    }
    if let Some(max_events) = request.max_events {
        words.extend(["--max-events".to_string(), max_events.to_string()]);
    }
    for item in &request.scenario.overrides {
        words.extend(["--set".to_string(), item.clone()]);
    }
    words
        .iter()
        .map(|word| shell_quote(word))
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:=,@%+".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
