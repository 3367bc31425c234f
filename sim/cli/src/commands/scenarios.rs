//! `hkic-sim scenarios`: what is compiled in.

use std::io::Write;

use hkic_world::scenario::{catalogue, default_scenario_name};

use crate::exit::{CliError, OK};

pub fn list(out: &mut dyn Write) -> Result<u8, CliError> {
    let (scenarios, profiles) = catalogue();
    let _ = writeln!(out, "Embedded scenarios (hkic-sim run NAME):");
    for (name, description) in scenarios {
        let default = if name == default_scenario_name() {
            " (default)"
        } else {
            ""
        };
        let _ = writeln!(out, "  {name}{default}: {description}");
    }
    let _ = writeln!(out, "\nFault profiles (--faults NAME):\n  none: no faults");
    for (name, description) in profiles {
        let _ = writeln!(out, "  {name}: {description}");
    }
    Ok(OK)
}
