//! The command line's promises: deterministic runs, reports, traces, replay, diff, validate,
//! and a planted bug that exits with code 3 and a replay command that reproduces it.

mod common;

use common::{binary, default_scenario, hkic_sim, scratch};

#[test]
fn the_default_run_prints_a_summary_and_the_same_hash_for_the_same_seed() {
    let first = hkic_sim(&["run", "--seed", "7"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    for expected in [
        "served (application taken)",
        "time in centre",
        "photo_counter",
        "Faults injected",
        "events per second",
    ] {
        assert!(
            first.stdout.contains(expected),
            "summary lacks {expected:?}:\n{}",
            first.stdout
        );
    }
    let second = hkic_sim(&["run", "--seed", "7", "--quiet"]);
    assert_eq!(first.trace_hash(), second.trace_hash());
    let other = hkic_sim(&["run", "--seed", "8", "--quiet"]);
    assert_ne!(first.trace_hash(), other.trace_hash());
}

#[test]
fn trace_report_replay_and_diff_work_together() {
    let dir = scratch("trace_report_replay");
    let trace_a = dir.join("a.jsonl");
    let out = dir.join("run");
    let run = hkic_sim(&[
        "run",
        "centre-day",
        "--seed",
        "7",
        "--faults",
        "light",
        "--set",
        "centre.photo_counters=6",
        "--trace",
        trace_a.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["schema"], "hkic-sim/report/1");
    assert_eq!(report["trace"]["hash"], run.trace_hash().as_str());
    assert_eq!(report["run"]["scenario"]["centre"]["photo_counters"], 6);
    let lines = std::fs::read_to_string(&trace_a).unwrap().lines().count() as u64;
    assert_eq!(
        report["trace"]["records"].as_u64(),
        Some(lines),
        "one JSON line per trace record"
    );

    let replay = hkic_sim(&["replay", out.to_str().unwrap()]);
    assert_eq!(replay.code, 0, "{}", replay.stderr);
    assert!(
        replay.stdout.contains("matches the recorded run"),
        "{}",
        replay.stdout
    );

    let trace_b = dir.join("b.jsonl");
    let again = hkic_sim(&[
        "run",
        "--seed",
        "7",
        "--faults",
        "light",
        "--set",
        "centre.photo_counters=6",
        "--trace",
        trace_b.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(again.code, 0);
    let same = hkic_sim(&["diff", trace_a.to_str().unwrap(), trace_b.to_str().unwrap()]);
    assert_eq!(
        (same.code, same.stdout.contains("identical")),
        (0, true),
        "{}",
        same.stdout
    );

    let trace_c = dir.join("c.jsonl");
    hkic_sim(&[
        "run",
        "--seed",
        "8",
        "--faults",
        "light",
        "--trace",
        trace_c.to_str().unwrap(),
        "--quiet",
    ]);
    let different = hkic_sim(&["diff", trace_a.to_str().unwrap(), trace_c.to_str().unwrap()]);
    assert_eq!(different.code, 1);
    assert!(
        different.stdout.contains("diverge at record"),
        "{}",
        different.stdout
    );
}

#[test]
fn two_runs_of_a_seed_write_byte_identical_reports() {
    let dir = scratch("identical_reports");
    let (a, b) = (dir.join("a"), dir.join("b"));
    for out in [&a, &b] {
        let run = hkic_sim(&[
            "run",
            "--seed",
            "11",
            "--faults",
            "chaos",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let read = |dir: &std::path::Path| std::fs::read(dir.join("report.json")).unwrap();
    assert_eq!(read(&a), read(&b));
}

#[test]
fn a_replay_that_does_not_match_breaks_the_determinism_invariant() {
    let dir = scratch("tampered_replay");
    let out = dir.join("run");
    assert_eq!(
        hkic_sim(&["run", "--out", out.to_str().unwrap(), "--quiet"]).code,
        0
    );
    let path = out.join("report.json");
    let mut report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    report["trace"]["hash"] = serde_json::Value::String("0000000000000000".to_string());
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    let replay = hkic_sim(&["replay", out.to_str().unwrap()]);
    assert_eq!(replay.code, 3);
    assert!(replay.stderr.contains("determinism"), "{}", replay.stderr);
}

#[test]
fn a_planted_bug_exits_3_with_a_replay_command_that_reproduces_it() {
    let args: Vec<String> = [
        "run",
        "--seed",
        "5",
        "--faults",
        "chaos",
        "--plant-bug",
        "overbook",
        "--quiet",
    ]
    .map(String::from)
    .to_vec();
    let broken = binary(&args);
    assert_eq!(broken.code, 3, "{}", broken.stderr);
    assert!(
        broken.stderr.contains("invariant broken: slot-quota"),
        "{}",
        broken.stderr
    );
    assert!(broken.stderr.contains("seed 5"), "{}", broken.stderr);
    let replay = broken
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("replay: "))
        .expect("a replay command");
    let words: Vec<String> = replay.split_whitespace().map(String::from).collect();
    assert_eq!(words[0], "hkic-sim");
    let again = binary(&words[1..]);
    assert_eq!(again.code, 3);
    let violation = |stderr: &str| stderr.lines().next().unwrap_or_default().to_string();
    assert_eq!(
        violation(&again.stderr),
        violation(&broken.stderr),
        "the replay reproduces the same violation"
    );
    assert_eq!(again.trace_hash(), broken.trace_hash());
}

#[test]
fn validate_and_scenarios_describe_without_running() {
    let ok = hkic_sim(&["validate", "centre-day"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(
        ok.stdout
            .contains("ok: centre-day from 2019-01-21 to 2019-01-21 (1 open days)"),
        "{}",
        ok.stdout
    );
    let dir = scratch("validate_file");
    let path = dir.join("scenario.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&default_scenario()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        hkic_sim(&["validate", path.to_str().unwrap(), "--faults", "chaos"]).code,
        0
    );
    let list = hkic_sim(&["scenarios"]);
    assert_eq!(list.code, 0);
    for name in ["centre-day (default)", "none", "light", "chaos"] {
        assert!(list.stdout.contains(name), "{}", list.stdout);
    }
}

#[test]
fn a_scenario_file_and_its_embedded_twin_give_the_same_run() {
    let dir = scratch("file_scenario");
    let path = dir.join("centre-day.json");
    std::fs::write(&path, serde_json::to_string(&default_scenario()).unwrap()).unwrap();
    let from_file = hkic_sim(&["run", path.to_str().unwrap(), "--quiet"]);
    let embedded = hkic_sim(&["run", "--quiet"]);
    assert_eq!(from_file.trace_hash(), embedded.trace_hash());
}

#[test]
fn biometrics_measures_the_matcher_and_writes_a_det_curve() {
    let det = scratch("biometrics").join("det.csv");
    let outcome = hkic_sim(&[
        "biometrics",
        "--genuine",
        "200",
        "--impostor",
        "2000",
        "--seed",
        "1",
        "--det",
        det.to_str().unwrap(),
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    for expected in [
        "false match rate",
        "false non-match rate",
        "threshold for a false match rate",
        "time per thumb comparison",
    ] {
        assert!(
            outcome.stdout.contains(expected),
            "{expected:?} missing:\n{}",
            outcome.stdout
        );
    }
    let csv = std::fs::read_to_string(&det).unwrap();
    assert_eq!(
        csv.lines().next(),
        Some("threshold,false_match_rate,false_non_match_rate")
    );
    assert!(csv.lines().count() > 10, "a curve, not a point");
    let zero = hkic_sim(&[
        "biometrics",
        "--genuine",
        "0",
        "--det",
        det.to_str().unwrap(),
    ]);
    assert_eq!(zero.code, 2, "bad input: {}", zero.stderr);
}

#[test]
fn a_planted_unsigned_dg3_exits_3_naming_invariant_6_at_full_fidelity() {
    let args = [
        "run",
        "--fidelity",
        "full",
        "--set",
        "booking.requests=60",
        "--set",
        "residents.walk_ins_per_day=4",
        "--plant-bug",
        "sod-before-dg3",
        "--quiet",
    ];
    let broken = hkic_sim(&args);
    assert_eq!(broken.code, 3, "{}", broken.stderr);
    let first_line = broken.stderr.lines().next().unwrap_or_default();
    assert!(
        first_line.starts_with("invariant broken: issued-card-sod-verifies: card ")
            && first_line.contains("DG3 does not hash to the value its SOD holds"),
        "{}",
        broken.stderr
    );
    assert!(
        broken
            .stderr
            .contains("--fidelity full --plant-bug sod-before-dg3"),
        "the replay command says how: {}",
        broken.stderr
    );
    // At timing fidelity there are no SODs to get wrong: the same plant breaks nothing.
    let timing_args: Vec<&str> = std::iter::once("run")
        .chain(args[3..].iter().copied())
        .collect();
    let timing = hkic_sim(&timing_args);
    assert_eq!(timing.code, 0, "{}", timing.stderr);
}
