//! Bad input gets exit code 2 and a message naming the file, the field, the value and what
//! was expected; never a panic. Messages are snapshots (tests/snapshots).

mod common;

use common::{default_scenario, hkic_sim, scratch};
use serde_json::{Value, json};

/// An edit to the default scenario.
type Change = Box<dyn FnOnce(&mut Value)>;

/// Writes a variant of the default scenario and validates it; returns the error message.
fn error_for(name: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut scenario = default_scenario();
    change(&mut scenario);
    let path = scratch(&format!("bad_{name}")).join("scenario.json");
    std::fs::write(&path, serde_json::to_string_pretty(&scenario).unwrap()).unwrap();
    let outcome = hkic_sim(&["validate", path.to_str().unwrap()]);
    assert_eq!(
        outcome.code, 2,
        "{name}: {}{}",
        outcome.stdout, outcome.stderr
    );
    outcome
        .stderr
        .replace(path.to_str().unwrap(), "scenario.json")
}

fn error_of(args: &[&str]) -> String {
    let outcome = hkic_sim(args);
    assert_eq!(
        outcome.code, 2,
        "{args:?}: {}{}",
        outcome.stdout, outcome.stderr
    );
    outcome.stderr
}

#[test]
fn scenario_field_errors_name_the_field_the_value_and_the_expectation() {
    let cases: Vec<(&str, Change)> = vec![
        (
            "unknown_field",
            Box::new(|s| s["centre"]["kiosks"] = json!(3)),
        ),
        (
            "zero_capacity",
            Box::new(|s| s["centre"]["registration_kiosks"] = json!(0)),
        ),
        (
            "negative_capacity",
            Box::new(|s| s["centre"]["photo_counters"] = json!(-2)),
        ),
        (
            "closing_before_opening",
            Box::new(|s| s["centre"]["closing"] = json!("07:00")),
        ),
        (
            "bad_duration",
            Box::new(|s| s["centre"]["slot_length"] = json!("30 minutes")),
        ),
        (
            "bad_date",
            Box::new(|s| s["centre"]["first_day"] = json!("2019-02-30")),
        ),
        (
            "sunday",
            Box::new(|s| {
                s["centre"]["first_day"] = json!("2019-01-20");
                s["centre"]["last_day"] = json!("2019-01-20");
            }),
        ),
        (
            "holiday",
            Box::new(|s| {
                s["centre"]["first_day"] = json!("2019-02-05");
                s["centre"]["last_day"] = json!("2019-02-05");
            }),
        ),
        (
            "outside_calendar",
            Box::new(|s| s["centre"]["last_day"] = json!("2024-01-22")),
        ),
        (
            "missing_field",
            Box::new(|s| {
                s["residents"].as_object_mut().unwrap().remove("lateness");
            }),
        ),
        (
            "bad_probability",
            Box::new(|s| s["residents"]["no_show_probability"] = json!(1.5)),
        ),
        (
            "bad_distribution",
            Box::new(|s| {
                s["service_times"]["photo_counter"] =
                    json!({"lognormal": {"median": "0s", "sigma": 0.4}})
            }),
        ),
        (
            "unknown_distribution",
            Box::new(|s| s["service_times"]["photo_counter"] = json!({"gamma": {"shape": 2}})),
        ),
        (
            "beyond_horizon",
            Box::new(|s| s["booking"]["call_up"]["booking_opens_before"] = json!("50d")),
        ),
        (
            "call_up_overlap",
            Box::new(|s| s["booking"]["call_up"]["groups"][1]["born"]["from"] = json!(1960)),
        ),
        (
            "call_up_window_backwards",
            Box::new(|s| {
                s["booking"]["call_up"]["groups"][0]["window"]["until"] = json!("2019-01-20")
            }),
        ),
        (
            "call_up_no_groups",
            Box::new(|s| s["booking"]["call_up"]["groups"] = json!([])),
        ),
        (
            "other_centre_share",
            Box::new(|s| s["booking"]["other_centres"][3]["share"] = json!(0)),
        ),
        (
            "other_centre_quota",
            Box::new(|s| s["booking"]["other_centres"][0]["spare_quota"] = json!(70000)),
        ),
        (
            "call_up_bad_year",
            Box::new(|s| s["booking"]["call_up"]["groups"][2]["born"]["until"] = json!(19670)),
        ),
        (
            "unknown_fault_profile",
            Box::new(|s| s["faults"]["profile"] = json!("mayhem")),
        ),
        (
            "unknown_crash_node",
            Box::new(|s| s["faults"]["crash_nodes"] = json!(["printer"])),
        ),
        (
            "unknown_fidelity",
            Box::new(|s| s["fidelity"] = json!("fast")),
        ),
        (
            "bad_document_signer_rollover",
            Box::new(|s| s["production"]["document_signer_rollover"] = json!("36h")),
        ),
    ];
    for (name, change) in cases {
        insta::assert_snapshot!(name, error_for(name, change));
    }
}

#[test]
fn malformed_json_names_the_line_and_column() {
    let path = scratch("bad_json").join("scenario.json");
    std::fs::write(&path, "{\n  \"name\": \"x\",\n  \"seed\": 1,,\n}\n").unwrap();
    let message =
        error_of(&["run", path.to_str().unwrap()]).replace(path.to_str().unwrap(), "scenario.json");
    insta::assert_snapshot!("malformed_json", message);
}

#[test]
fn command_line_errors_explain_themselves() {
    insta::assert_snapshot!("missing_file", error_of(&["run", "no/such/scenario.json"]));
    insta::assert_snapshot!(
        "unknown_set_path",
        error_of(&["run", "--set", "centre.kiosk=3"])
    );
    insta::assert_snapshot!(
        "set_into_a_number",
        error_of(&["run", "--set", "centre.slot_quota.x=3"])
    );
    insta::assert_snapshot!(
        "set_without_value",
        error_of(&["run", "--set", "centre.slot_quota"])
    );
    insta::assert_snapshot!(
        "set_zero",
        error_of(&["run", "--set", "centre.tag_kiosks=0"])
    );
    insta::assert_snapshot!(
        "unknown_plant",
        error_of(&["run", "--plant-bug", "everything"])
    );
    insta::assert_snapshot!(
        "unknown_fidelity_flag",
        error_of(&["run", "--fidelity", "fast"])
    );
    insta::assert_snapshot!(
        "unknown_profile_flag",
        error_of(&["run", "--faults", "mayhem"])
    );
    let unknown_flag = error_of(&["run", "--sed", "7"]);
    assert!(
        unknown_flag.contains("unexpected argument '--sed'"),
        "{unknown_flag}"
    );
}

#[test]
fn a_bad_fault_profile_file_is_bad_input() {
    let path = scratch("bad_profile").join("profile.json");
    let mut profile: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scenarios/faults/chaos.json"
        ))
        .unwrap(),
    )
    .unwrap();
    profile["loss"]["probability"] = json!(2.0);
    std::fs::write(&path, serde_json::to_string_pretty(&profile).unwrap()).unwrap();
    let message = error_of(&["run", "--faults", path.to_str().unwrap()])
        .replace(path.to_str().unwrap(), "profile.json");
    insta::assert_snapshot!("bad_profile_probability", message);
}
