//! `hkic-sim validate FILE`: every check a run makes on its inputs, without running.

use std::io::Write;

use hkic_world::scenario::build_config;

use crate::args::InputArgs;
use crate::exit::{CliError, OK};

pub fn validate(scenario: &str, input: &InputArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let request = super::request(Some(scenario), input, None, None, None)?;
    let config = build_config(&request.scenario, request.profile.clone(), request.fidelity)?;
    let centre = &config.centre;
    let _ = writeln!(
        out,
        "{}: ok: {} from {} to {} ({} open days), {} booking requests, {} tag kiosks, {} registration kiosks, {} photo counters, faults: {}",
        request.scenario.source_name,
        config.name,
        centre.first_day,
        centre.last_day,
        centre.open_days.len(),
        config.booking.requests,
        centre.tag_kiosks,
        centre.registration_kiosks,
        centre.photo_counters,
        request.profile.name
    );
    Ok(OK)
}
