//! Planted bugs in card activation (SYSTEM.md invariants 1-3): each is a defect a real
//! registry or kiosk could ship, and its checker stops the run at the first collection that
//! shows it, with and without chaos. (Invariants 4 and 5 have theirs in `faults.rs`.)

mod common;

use hkic_reports::{Report, Status};
use hkic_world::scenario::{Fidelity, load_fault_profile, load_scenario};
use hkic_world::{PlantedBug, run};

fn fortnight_with(bug: PlantedBug, seed: u64, faults: &str) -> Report {
    let mut request = common::request(seed, faults, &[]);
    request.scenario = load_scenario(Some("centre-fortnight"), &[]).expect("embedded");
    request.profile = load_fault_profile(faults).expect("profile");
    request.plant = Some(bug);
    // The defects are in the services' and kiosks' logic, the same at both fidelities.
    request.fidelity = Some(Fidelity::Timing);
    run(&request, None).expect("valid").report
}

fn caught(bug: PlantedBug, invariant: &str) {
    for (seed, faults) in [(1, "none"), (2, "chaos")] {
        let report = fortnight_with(bug, seed, faults);
        assert_eq!(report.outcome.status, Status::InvariantBroken, "{bug}");
        let violation = report.outcome.violation.expect("the checker fires");
        assert_eq!(
            violation.invariant, invariant,
            "{bug}, seed {seed}: {violation:?}"
        );
        let plant = format!("--plant-bug {bug}");
        assert!(
            report.run.replay_command.contains(&plant),
            "{}",
            report.run.replay_command
        );
    }
}

#[test]
fn an_old_card_left_active_is_caught_by_the_one_active_card_checker() {
    caught(PlantedBug::OldCardStaysActive, "one-active-card-per-person");
}

#[test]
fn an_activation_without_a_thumb_match_is_caught() {
    caught(
        PlantedBug::SkipThumbCheck,
        "activation-after-fingerprint-match",
    );
}

#[test]
fn an_old_card_cancelled_in_a_second_step_is_caught() {
    caught(
        PlantedBug::CancelInSecondStep,
        "old-card-cancelled-on-activation",
    );
}
