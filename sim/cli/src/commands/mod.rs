//! One module per subcommand, and what they share: turning arguments into a run request.

pub mod biometrics;
pub mod card;
pub mod diff;
pub mod replay;
pub mod run;
pub mod scenarios;
pub mod validate;

use hkic_world::scenario::{Fidelity, ScenarioError, load_fault_profile, load_scenario};
use hkic_world::{PlantedBug, RunRequest};

use crate::args::{FidelityArg, InputArgs};
use crate::exit::CliError;

pub(crate) fn fidelity(arg: Option<FidelityArg>) -> Option<Fidelity> {
    arg.map(|arg| match arg {
        FidelityArg::Timing => Fidelity::Timing,
        FidelityArg::Full => Fidelity::Full,
    })
}

/// Reads the scenario and fault profile the arguments name.
pub(crate) fn request(
    scenario: Option<&str>,
    input: &InputArgs,
    seed: Option<u64>,
    plant: Option<&str>,
    max_events: Option<u64>,
) -> Result<RunRequest, CliError> {
    let scenario = load_scenario(scenario, &input.overrides)?;
    let profile = match &input.faults {
        Some(reference) => load_fault_profile(reference).map_err(|error| match error {
            ScenarioError::NotFound(message) => {
                ScenarioError::NotFound(format!("--faults: {message}"))
            }
            other => other,
        })?,
        None => load_fault_profile(&scenario.file.faults.profile).map_err(|error| match error {
            ScenarioError::NotFound(message) => scenario.field_error("faults.profile", message),
            other => other,
        })?,
    };
    let plant = plant
        .map(str::parse::<PlantedBug>)
        .transpose()
        .map_err(CliError::BadInput)?;
    if max_events == Some(0) {
        return Err(CliError::BadInput(
            "--max-events: expected at least 1, got 0".to_string(),
        ));
    }
    Ok(RunRequest {
        seed: seed.unwrap_or(scenario.file.seed),
        scenario,
        profile,
        fidelity: fidelity(input.fidelity),
        plant,
        max_events,
        record_draws: false,
    })
}
