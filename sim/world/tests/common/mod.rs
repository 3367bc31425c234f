//! Helpers shared by the world's integration tests.

#![allow(dead_code)]

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use hkic_world::scenario::{load_fault_profile, load_scenario};
use hkic_world::{RunRequest, RunResult, run};

/// The embedded default scenario with overrides, a fault profile and a seed.
pub fn request(seed: u64, faults: &str, overrides: &[&str]) -> RunRequest {
    let overrides: Vec<String> = overrides.iter().map(|item| item.to_string()).collect();
    RunRequest {
        scenario: load_scenario(None, &overrides).expect("the default scenario loads"),
        profile: load_fault_profile(faults).expect("the profile loads"),
        seed,
        fidelity: None,
        plant: None,
        max_events: None,
        record_draws: false,
    }
}

/// A writer whose bytes the test can read afterwards.
#[derive(Clone, Debug, Default)]
pub struct Captured(Rc<RefCell<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8(self.0.borrow().clone()).expect("traces are UTF-8")
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs with a captured JSON-lines trace.
pub fn run_traced(request: &RunRequest) -> (RunResult, String) {
    let captured = Captured::default();
    let result = run(request, Some(Box::new(captured.clone()))).expect("the scenario is valid");
    result.trace_written.as_ref().expect("trace written");
    (result, captured.text())
}
