//! Scenario files: finding them (a path or an embedded name), reading them, applying
//! `--set` overrides, and checking them into a [`Config`](crate::Config).
//!
//! Every error names where the scenario came from, the field path, the value and what was
//! expected; none panics.

pub mod embedded;
mod overrides;
mod profile;
mod schema;
mod validate;
mod validate_call_up;
mod validate_devices;
mod validate_other_centres;
mod values;

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use profile::{LoadedProfile, load_fault_profile, profile_from_value};
pub use schema::{Fidelity, ScenarioFile};
pub use validate::build_config;

/// Why a scenario (or fault profile) cannot be used. Exit code 2 in the CLI.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{0}")]
    NotFound(String),
    #[error("{source_name}: cannot read the file: {message}")]
    Read {
        source_name: String,
        message: String,
    },
    #[error("{source_name}: line {line}, column {column}: {message}")]
    Syntax {
        source_name: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{source_name}: {path}: {problem}")]
    Field {
        source_name: String,
        path: String,
        problem: String,
    },
}

impl ScenarioError {
    pub fn field(source_name: &str, path: &str, problem: impl Into<String>) -> ScenarioError {
        ScenarioError::Field {
            source_name: source_name.to_string(),
            path: path.to_string(),
            problem: problem.into(),
        }
    }
}

/// A scenario as read, after overrides, before semantic checks.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// For messages: the path given, `embedded:NAME`, or `report.json`.
    pub source_name: String,
    /// For replay commands: the path or the embedded name as the user gave it, or `None`
    /// for the default scenario.
    pub reference: Option<String>,
    /// The scenario exactly as it will run.
    pub value: Value,
    pub file: ScenarioFile,
    pub overrides: Vec<String>,
}

/// The name of the scenario `hkic-sim run` uses when given none.
pub fn default_scenario_name() -> &'static str {
    embedded::SCENARIOS[0].0
}

/// Reads a scenario from a path, or an embedded scenario by name (`None`: the default).
/// A path that exists wins over an embedded name.
pub fn load_scenario(
    reference: Option<&str>,
    overrides: &[String],
) -> Result<Scenario, ScenarioError> {
    let (source_name, text) = match reference {
        None => {
            let name = default_scenario_name();
            (
                format!("embedded:{name}"),
                embedded::scenario(name)
                    .expect("default exists")
                    .to_string(),
            )
        }
        Some(reference) if Path::new(reference).exists() => {
            let text = std::fs::read_to_string(reference).map_err(|error| ScenarioError::Read {
                source_name: reference.to_string(),
                message: error.to_string(),
            })?;
            (reference.to_string(), text)
        }
        Some(reference) => match embedded::scenario(reference) {
            Some(text) => (format!("embedded:{reference}"), text.to_string()),
            None => {
                return Err(ScenarioError::NotFound(format!(
                    "no scenario file {reference:?} and no embedded scenario of that name (embedded: {})",
                    embedded::names(embedded::SCENARIOS)
                )));
            }
        },
    };
    let value = parse_json(&source_name, &text)?;
    scenario_from_value(
        &source_name,
        reference.map(str::to_string),
        value,
        overrides,
    )
}

/// A scenario from JSON already in hand (as `hkic-sim replay` finds it in a report).
pub fn scenario_from_value(
    source_name: &str,
    reference: Option<String>,
    mut value: Value,
    overrides: &[String],
) -> Result<Scenario, ScenarioError> {
    for text in overrides {
        let at = format!("--set {text}");
        let item = overrides::parse(text)
            .map_err(|problem| ScenarioError::field(source_name, &at, problem))?;
        overrides::apply(&mut value, &item)
            .map_err(|problem| ScenarioError::field(source_name, &at, problem))?;
    }
    let file: ScenarioFile =
        decode(source_name, &value).map_err(|error| blame_override(error, overrides))?;
    Ok(Scenario {
        source_name: source_name.to_string(),
        reference,
        value,
        file,
        overrides: overrides.to_vec(),
    })
}

/// A scenario as a report recorded it: `value` already has its `overrides` applied.
pub fn scenario_as_recorded(
    source_name: &str,
    reference: Option<String>,
    value: Value,
    overrides: Vec<String>,
) -> Result<Scenario, ScenarioError> {
    let file: ScenarioFile = decode(source_name, &value)?;
    Ok(Scenario {
        source_name: source_name.to_string(),
        reference,
        value,
        file,
        overrides,
    })
}

/// (name, description) pairs, for `hkic-sim scenarios`.
pub type Described = Vec<(&'static str, String)>;

/// Each embedded scenario and fault profile with its description.
pub fn catalogue() -> (Described, Described) {
    let describe = |text: &str, field: &str| {
        serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.get(field)?.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let scenarios = embedded::SCENARIOS
        .iter()
        .map(|(name, text)| (*name, describe(text, "description")))
        .collect();
    let profiles = embedded::FAULT_PROFILES
        .iter()
        .map(|(name, text)| (*name, describe(text, "description")))
        .collect();
    (scenarios, profiles)
}

/// Names the `--set` override responsible for a field error, if one is.
pub(crate) fn blame_override(error: ScenarioError, overrides: &[String]) -> ScenarioError {
    let ScenarioError::Field {
        source_name,
        path,
        problem,
    } = error
    else {
        return error;
    };
    // Error paths index lists as `a[0]`; `--set` paths as `a.0`.
    let dotted = path.replace('[', ".").replace(']', "");
    let culprit = overrides.iter().rev().find(|text| {
        let set = text.split_once('=').map_or(text.as_str(), |(path, _)| path);
        set == dotted
            || set.starts_with(&format!("{dotted}."))
            || dotted.starts_with(&format!("{set}."))
    });
    let source_name = match culprit {
        Some(text) => format!("{source_name} with --set {text}"),
        None => source_name,
    };
    ScenarioError::Field {
        source_name,
        path,
        problem,
    }
}

impl Scenario {
    /// An error about one of the scenario's fields, naming the `--set` that changed it.
    pub fn field_error(&self, path: &str, problem: impl Into<String>) -> ScenarioError {
        blame_override(
            ScenarioError::field(&self.source_name, path, problem),
            &self.overrides,
        )
    }
}

pub(crate) fn parse_json(source_name: &str, text: &str) -> Result<Value, ScenarioError> {
    serde_json::from_str(text).map_err(|error| ScenarioError::Syntax {
        source_name: source_name.to_string(),
        line: error.line(),
        column: error.column(),
        message: strip_position(&error.to_string()),
    })
}

/// serde_json appends " at line L column C"; the error already carries them.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// Typed decoding with the path of the offending field.
pub(crate) fn decode<T: DeserializeOwned>(
    source_name: &str,
    value: &Value,
) -> Result<T, ScenarioError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = match error.path().to_string() {
            path if path == "." || path.is_empty() => "(top level)".to_string(),
            path => path,
        };
        ScenarioError::field(
            source_name,
            &path,
            strip_position(&error.inner().to_string()),
        )
    })
}
