//! One seed gives one trace, byte for byte; a different seed gives another; and changing the
//! centre's equipment changes no resident's random draws.

mod common;

use std::collections::BTreeMap;

use common::{request, run_traced};
use hkic_world::run;

#[test]
fn the_same_seed_gives_the_same_trace_and_report_byte_for_byte() {
    for faults in ["none", "chaos"] {
        let request = request(7, faults, &[]);
        let (first, first_trace) = run_traced(&request);
        let (second, second_trace) = run_traced(&request);
        assert!(
            first_trace.lines().count() > 10_000,
            "a whole day is traced"
        );
        assert_eq!(first_trace, second_trace, "{faults}: traces differ");
        assert_eq!(
            first.report.to_json(),
            second.report.to_json(),
            "{faults}: reports differ"
        );
        let untraced = run(&request, None).expect("valid");
        assert_eq!(
            untraced.report.trace.hash, first.report.trace.hash,
            "the JSON sink changes nothing"
        );
    }
}

#[test]
fn different_seeds_give_different_traces() {
    let hashes: Vec<String> = (7..10)
        .map(|seed| {
            run(&request(seed, "none", &[]), None)
                .expect("valid")
                .report
                .trace
                .hash
        })
        .collect();
    assert_ne!(hashes[0], hashes[1]);
    assert_ne!(hashes[1], hashes[2]);
    assert_ne!(hashes[0], hashes[2]);
}

/// Arrival times per resident, read from the trace.
fn arrivals(trace: &str) -> BTreeMap<u64, Vec<String>> {
    let mut arrivals: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for line in trace
        .lines()
        .filter(|line| line.contains("\"kind\":\"arrive\""))
    {
        let record: serde_json::Value = serde_json::from_str(line).expect("JSON lines");
        let resident = record["resident"].as_u64().expect("a resident");
        arrivals
            .entry(resident)
            .or_default()
            .push(record["t"].as_str().expect("a time").to_string());
    }
    arrivals
}

#[test]
fn adding_a_kiosk_or_counter_leaves_every_residents_draws_unchanged() {
    let mut base = request(3, "none", &[]);
    base.record_draws = true;
    let (base_result, base_trace) = run_traced(&base);
    let changes = [
        "centre.registration_kiosks=11",
        "centre.photo_counters=6",
        "centre.tag_kiosks=3",
    ];
    for change in changes {
        let mut changed = request(3, "none", &[change]);
        changed.record_draws = true;
        let (result, trace) = run_traced(&changed);
        assert_ne!(
            result.report.trace.hash, base_result.report.trace.hash,
            "{change} changed nothing"
        );
        assert!(!base_result.draws.is_empty());
        assert_eq!(
            result.draws, base_result.draws,
            "{change} changed residents' draws"
        );
        // Residents reach the centre when they planned to, whatever the centre's equipment.
        let first_arrivals = |trace: &str| -> BTreeMap<u64, String> {
            arrivals(trace)
                .into_iter()
                .map(|(resident, times)| (resident, times[0].clone()))
                .collect()
        };
        assert_eq!(
            first_arrivals(&trace),
            first_arrivals(&base_trace),
            "{change} moved arrivals"
        );
    }
}
