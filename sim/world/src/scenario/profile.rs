//! Fault profiles: `none`, the embedded `light` and `chaos`, or a profile file.

use std::path::Path;

use hkic_base::DurationDist;
use hkic_kernel::{FaultKind, FaultProfile, FaultSpec, PartitionMode};
use serde_json::{Value, json};

use super::schema::{ChanceFaultSpec, FaultProfileFile, PartitionModeSpec, TimedFaultSpec};
use super::values::DistSpec;
use super::{ScenarioError, decode, embedded, parse_json};

/// A checked fault profile and the JSON it came from (kept for the report and replays).
#[derive(Clone, Debug)]
pub struct LoadedProfile {
    /// How the user named it: `none`, an embedded name, or a path.
    pub reference: String,
    pub name: String,
    pub value: Value,
    pub profile: FaultProfile,
    pub partition_mode: PartitionMode,
}

/// `none`, an embedded profile name, or a path to a profile file.
pub fn load_fault_profile(reference: &str) -> Result<LoadedProfile, ScenarioError> {
    if reference == "none" {
        return profile_from_value("none", reference, none_value());
    }
    let (source_name, text) = if Path::new(reference).exists() {
        let text = std::fs::read_to_string(reference).map_err(|error| ScenarioError::Read {
            source_name: reference.to_string(),
            message: error.to_string(),
        })?;
        (reference.to_string(), text)
    } else if let Some(text) = embedded::fault_profile(reference) {
        (format!("embedded:faults/{reference}"), text.to_string())
    } else {
        return Err(ScenarioError::NotFound(format!(
            "no fault profile file {reference:?} and no profile of that name (known: none, {})",
            embedded::names(embedded::FAULT_PROFILES)
        )));
    };
    let value = parse_json(&source_name, &text)?;
    profile_from_value(&source_name, reference, value)
}

fn none_value() -> Value {
    json!({"name": "none"})
}

/// A profile from JSON in hand (a file's contents, or a report's copy).
pub fn profile_from_value(
    source_name: &str,
    reference: &str,
    value: Value,
) -> Result<LoadedProfile, ScenarioError> {
    if value == none_value() {
        return Ok(LoadedProfile {
            reference: reference.to_string(),
            name: "none".to_string(),
            value,
            profile: FaultProfile::none(),
            partition_mode: PartitionMode::Drop,
        });
    }
    let file: FaultProfileFile = decode(source_name, &value)?;
    let field = |path: &str, problem: String| ScenarioError::field(source_name, path, problem);
    let dist = |path: &str, spec: &DistSpec| -> Result<DurationDist, ScenarioError> {
        spec.build().map_err(|error| field(path, error.to_string()))
    };
    let mut specs = [FaultSpec::default(); 8];
    for kind in FaultKind::ALL {
        specs[kind as usize] = match kind {
            FaultKind::Partition => timed(&field, "partition", file.partition)?,
            FaultKind::Crash => timed(&field, "crash", file.crash)?,
            FaultKind::Loss => chance(&field, "loss", file.loss)?,
            FaultKind::Duplication => chance(&field, "duplication", file.duplication)?,
            FaultKind::Delay => chance(&field, "delay", file.delay)?,
            FaultKind::LostWrite => chance(&field, "lost_write", file.lost_write)?,
            FaultKind::TornWrite => chance(&field, "torn_write", file.torn_write)?,
            FaultKind::CorruptWrite => chance(&field, "corrupt_write", file.corrupt_write)?,
        };
    }
    let profile = FaultProfile {
        name: file.name.clone(),
        specs,
        partition_duration: dist("partition_duration", &file.partition_duration)?,
        crash_downtime: dist("crash_downtime", &file.crash_downtime)?,
        extra_delay: dist("extra_delay", &file.extra_delay)?,
    };
    let partition_mode = match file.partition_mode {
        PartitionModeSpec::Drop => PartitionMode::Drop,
        PartitionModeSpec::Hold => PartitionMode::Hold,
    };
    Ok(LoadedProfile {
        reference: reference.to_string(),
        name: file.name,
        value,
        profile,
        partition_mode,
    })
}

const MAX_MINIMUM: u32 = 10_000;

fn timed(
    field: &impl Fn(&str, String) -> ScenarioError,
    name: &str,
    spec: TimedFaultSpec,
) -> Result<FaultSpec, ScenarioError> {
    if !(spec.per_hour.is_finite() && (0.0..=3600.0).contains(&spec.per_hour)) {
        return Err(field(
            &format!("{name}.per_hour"),
            format!(
                "expected a rate from 0 to 3600 an hour, got {}",
                spec.per_hour
            ),
        ));
    }
    if spec.minimum > MAX_MINIMUM {
        return Err(field(
            &format!("{name}.minimum"),
            format!("expected at most {MAX_MINIMUM}, got {}", spec.minimum),
        ));
    }
    Ok(FaultSpec {
        rate: spec.per_hour,
        minimum: spec.minimum,
    })
}

fn chance(
    field: &impl Fn(&str, String) -> ScenarioError,
    name: &str,
    spec: ChanceFaultSpec,
) -> Result<FaultSpec, ScenarioError> {
    if !(spec.probability.is_finite() && (0.0..=1.0).contains(&spec.probability)) {
        return Err(field(
            &format!("{name}.probability"),
            format!(
                "expected a probability from 0 to 1, got {}",
                spec.probability
            ),
        ));
    }
    if spec.minimum > MAX_MINIMUM {
        return Err(field(
            &format!("{name}.minimum"),
            format!("expected at most {MAX_MINIMUM}, got {}", spec.minimum),
        ));
    }
    Ok(FaultSpec {
        rate: spec.probability,
        minimum: spec.minimum,
    })
}
