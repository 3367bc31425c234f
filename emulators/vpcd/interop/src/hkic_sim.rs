//! The `hkic-sim` binary with `card read --pcsc`, built from this workspace.
//!
//! The CLI tests need the binary built with the `pcsc` feature, which the ordinary build
//! leaves off. [`build_with_pcsc`] asks cargo (the one that built these tests) to build it and
//! takes the executable's path from cargo's JSON messages, so the tests always run the binary
//! of the tree they were built from, in the same target directory (`CARGO_TARGET_DIR` is
//! inherited). `ci/interop.sh` builds it first, so here it is up to date and the call is
//! quick; run on its own, the first call compiles it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::error::InteropError;

/// The cargo that built this crate.
const CARGO: &str = env!("CARGO");
/// The crate's directory: `emulators/vpcd/interop` in the workspace.
const MANIFEST_DIRECTORY: &str = env!("CARGO_MANIFEST_DIR");
const PACKAGE: &str = "hkic-sim";
const BINARY: &str = "hkic-sim";

/// The workspace's manifest, three levels above this crate's.
fn workspace_manifest() -> PathBuf {
    Path::new(MANIFEST_DIRECTORY).join("../../../Cargo.toml")
}

/// The executable once built, for the other tests of the same test binary.
static BUILT: OnceLock<PathBuf> = OnceLock::new();

/// Builds `hkic-sim` with the `pcsc` feature (once per test binary); the executable's path.
pub fn build_with_pcsc() -> Result<PathBuf, InteropError> {
    if let Some(executable) = BUILT.get() {
        return Ok(executable.clone());
    }
    let executable = build()?;
    Ok(BUILT.get_or_init(|| executable).clone())
}

fn build() -> Result<PathBuf, InteropError> {
    let manifest = workspace_manifest();
    let manifest = manifest.to_string_lossy();
    let arguments = [
        "build",
        "--manifest-path",
        &manifest,
        "--package",
        PACKAGE,
        "--bin",
        BINARY,
        "--features",
        "pcsc",
        "--message-format=json-render-diagnostics",
    ];
    let output = Command::new(CARGO)
        .args(arguments)
        .output()
        .map_err(|source| InteropError::ProgramMissing {
            program: CARGO.to_owned(),
            source,
        })?;
    let command = format!("{CARGO} {}", arguments.join(" "));
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(InteropError::ProgramFailed {
            command,
            status: output.status.to_string(),
            output: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    executable(&stdout).ok_or_else(|| InteropError::ProgramFailed {
        command,
        status: "no executable for hkic-sim among cargo's messages".to_owned(),
        output: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// The executable of the `hkic-sim` binary in cargo's JSON messages (one object per line).
fn executable(messages: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| message["target"]["name"] == BINARY)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_is_found_among_cargo_messages() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"hkic_cli"},"executable":null}"#,
            "\n",
            "not json\n",
            r#"{"reason":"compiler-artifact","target":{"name":"hkic-sim"},"executable":"/t/debug/hkic-sim"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            executable(messages),
            Some(PathBuf::from("/t/debug/hkic-sim"))
        );
        assert_eq!(executable(r#"{"reason":"build-finished"}"#), None);
    }

    #[test]
    fn the_workspace_manifest_is_the_root_one() -> Result<(), InteropError> {
        let text = std::fs::read_to_string(workspace_manifest()).map_err(InteropError::Runtime)?;
        assert!(text.contains("[workspace]"), "{text}");
        assert!(text.contains("\"sim/cli\""), "{text}");
        Ok(())
    }
}
