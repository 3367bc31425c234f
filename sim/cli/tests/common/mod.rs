//! Running the command line from tests: in-process (fast, output captured) or as the built
//! binary (real exit codes, real argument parsing of a printed replay command).

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

pub struct Outcome {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// The trace hash the run printed.
    pub fn trace_hash(&self) -> String {
        self.stdout
            .lines()
            .find_map(|line| line.strip_prefix("trace hash: "))
            .unwrap_or_else(|| panic!("no trace hash in:\n{}{}", self.stdout, self.stderr))
            .to_string()
    }
}

/// Runs `hkic-sim ARGS` in this process.
pub fn hkic_sim(args: &[&str]) -> Outcome {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let arguments = std::iter::once("hkic-sim").chain(args.iter().copied());
    let code = hkic_cli::main_with(arguments, &mut stdout, &mut stderr);
    Outcome {
        code,
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// Runs the built binary.
pub fn binary(args: &[String]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_hkic-sim"))
        .args(args)
        .output()
        .expect("the binary runs");
    Outcome {
        code: output.status.code().expect("an exit code") as u8,
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// A fresh directory for one test's files.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The embedded default scenario's text, to write variants of it.
pub fn default_scenario() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/centre-day.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}
