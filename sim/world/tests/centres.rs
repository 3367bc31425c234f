//! Which centre residents book at: the simulated one first, another when it has no slot they
//! accept. Those booked elsewhere are a distinct outcome (every resident stays accounted
//! for); a scenario without other centres is the single centre it always was; adding a
//! centre changes nobody's draws.

mod common;

use common::request;
use hkic_reports::Status;
use hkic_world::run;

fn rush() -> hkic_world::RunRequest {
    let mut rush = request(1, "none", &[]);
    rush.scenario =
        hkic_world::scenario::load_scenario(Some("centre-rush-day"), &[]).expect("embedded");
    rush
}

#[test]
fn residents_with_no_slot_here_book_at_another_centre() {
    let report = run(&rush(), None).expect("valid").report;
    // every-resident-accounted and slot-quota (per centre, with the spare quotas) hold.
    assert_eq!(
        report.outcome.status,
        Status::Ok,
        "{:?}",
        report.outcome.violation
    );
    let booking = &report.booking;
    let elsewhere: u64 = booking.booked_elsewhere.iter().map(|c| c.count).sum();
    assert!(booking.fell_back > 100, "{booking:?}");
    assert!(
        elsewhere > 100 && elsewhere <= booking.fell_back,
        "{booking:?}"
    );
    assert_eq!(booking.booked_elsewhere.len(), 8);
    // Equal shares: every other centre gets some.
    assert!(
        booking.booked_elsewhere.iter().all(|c| c.count > 0),
        "{booking:?}"
    );
}

#[test]
fn without_other_centres_nobody_falls_back() {
    let mut single = rush();
    single.scenario = hkic_world::scenario::load_scenario(
        Some("centre-rush-day"),
        &["booking.other_centres=[]".to_string()],
    )
    .expect("embedded");
    let report = run(&single, None).expect("valid").report;
    assert_eq!(report.outcome.status, Status::Ok);
    assert_eq!(report.booking.fell_back, 0);
    assert!(report.booking.booked_elsewhere.is_empty());
    // They come as walk-ins instead, some of them, as before there were other centres.
    assert!(
        report.booking.unbooked_walk_ins > 50,
        "{:?}",
        report.booking
    );
}

/// The embedded eight other centres and a ninth.
fn nine_centres() -> String {
    let names = [
        "Hong Kong Island (Wan Chai)",
        "West Kowloon (Mong Kok)",
        "Tsuen Wan",
        "Sha Tin",
        "Sheung Shui",
        "Tuen Mun",
        "Yuen Long",
        "Tseung Kwan O",
        "Kowloon Bay",
    ];
    let centres: Vec<String> = names
        .iter()
        .map(|name| format!(r#"{{"name": "{name}", "share": 1.0, "spare_quota": 3}}"#))
        .collect();
    format!("booking.other_centres=[{}]", centres.join(", "))
}

#[test]
fn adding_a_centre_leaves_every_residents_draws_unchanged() {
    let mut base = rush();
    base.record_draws = true;
    let base_result = run(&base, None).expect("valid");
    let mut more = rush();
    more.scenario = hkic_world::scenario::load_scenario(Some("centre-rush-day"), &[nine_centres()])
        .expect("embedded");
    more.record_draws = true;
    let result = run(&more, None).expect("valid");
    assert_ne!(result.report.trace.hash, base_result.report.trace.hash);
    assert!(!base_result.draws.is_empty());
    assert_eq!(result.draws, base_result.draws);
    let names: Vec<&str> = result
        .report
        .booking
        .booked_elsewhere
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names.len(), 9, "{names:?}");
}
