//! The architecture invariants of ARCHITECTURE.md, checked: which crate may depend on which
//! (from `cargo metadata`), and that the sans-IO crates touch no clock, file, socket,
//! thread or environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const SYSTEM: [&str; 5] = [
    "hkic-base",
    "hkic-protocol",
    "hkic-biometrics",
    "hkic-services",
    "hkic-terminals",
];
const EMULATORS: [&str; 3] = ["hkic-chip", "hkic-devices", "hkic-vpcd"];
const SIMULATOR: [&str; 3] = ["hkic-kernel", "hkic-world", "hkic-sim"];
const REPORTS: &str = "hkic-reports";

/// Package name -> (manifest directory, normal dependencies).
fn workspace() -> BTreeMap<String, (PathBuf, Vec<String>)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(&root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    let mut packages = BTreeMap::new();
    for package in metadata["packages"].as_array().expect("packages") {
        let name = package["name"].as_str().expect("a name").to_string();
        let manifest = PathBuf::from(package["manifest_path"].as_str().expect("a manifest"));
        let dependencies = package["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter(|dependency| dependency["kind"].is_null())
            .map(|dependency| dependency["name"].as_str().expect("a name").to_string())
            .collect();
        packages.insert(
            name,
            (
                manifest.parent().expect("a directory").to_path_buf(),
                dependencies,
            ),
        );
    }
    packages
}

fn forbid(
    packages: &BTreeMap<String, (PathBuf, Vec<String>)>,
    crates: &[&str],
    forbidden: &[&str],
    why: &str,
) {
    for name in crates {
        let (_, dependencies) = packages
            .get(*name)
            .unwrap_or_else(|| panic!("{name} is in the workspace"));
        for dependency in dependencies {
            assert!(
                !forbidden.contains(&dependency.as_str()),
                "{name} depends on {dependency}: {why}"
            );
        }
    }
}

#[test]
fn crates_depend_only_in_the_allowed_direction() {
    let packages = workspace();
    let mut not_system: Vec<&str> = EMULATORS.to_vec();
    not_system.extend(SIMULATOR);
    not_system.push(REPORTS);
    forbid(
        &packages,
        &SYSTEM,
        &not_system,
        "the system under test knows nothing of emulators, the simulator or reports",
    );
    let mut not_for_emulators: Vec<&str> = vec!["hkic-services", "hkic-terminals", REPORTS];
    not_for_emulators.extend(SIMULATOR);
    forbid(
        &packages,
        &EMULATORS,
        &not_for_emulators,
        "devices know nothing of services or the simulator",
    );
    let mut not_for_kernel: Vec<&str> = SYSTEM[1..].to_vec();
    not_for_kernel.extend(EMULATORS);
    not_for_kernel.extend(["hkic-world", "hkic-sim", REPORTS]);
    forbid(
        &packages,
        &["hkic-kernel"],
        &not_for_kernel,
        "the kernel is generic over what it simulates",
    );
    let mut not_for_reports: Vec<&str> = SYSTEM[1..].to_vec();
    not_for_reports.extend(EMULATORS);
    not_for_reports.extend(SIMULATOR);
    forbid(
        &packages,
        &[REPORTS],
        &not_for_reports,
        "reports only know the KPI schema",
    );
    for (name, (_, dependencies)) in &packages {
        if dependencies.iter().any(|d| d == "clap") {
            assert_eq!(name, "hkic-sim", "only the CLI parses command lines");
        }
        if dependencies.iter().any(|d| d == "tokio") {
            let io_edge = ["hkic-vpcd", "hkic-interop", "hkic-sim"].contains(&name.as_str());
            assert!(
                io_edge,
                "{name} uses tokio; only the vpcd bridge, its tests and the CLI may"
            );
        }
    }
}

/// What a sans-IO crate must not mention in its source.
const FORBIDDEN_IO: [&str; 8] = [
    "std::fs",
    "std::net",
    "std::thread",
    "std::env",
    "Instant::now",
    "SystemTime",
    "tokio",
    "thread_rng",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn sans_io_crates_touch_no_clock_file_socket_thread_or_environment() {
    let packages = workspace();
    let sans_io = SYSTEM
        .iter()
        .chain(&["hkic-chip", "hkic-devices", "hkic-kernel"]);
    for name in sans_io {
        let (dir, _) = &packages[*name];
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable source");
            for forbidden in FORBIDDEN_IO {
                assert!(
                    !text.contains(forbidden),
                    "{} mentions {forbidden}",
                    file.display()
                );
            }
        }
    }
}
