//! A centre open over a period: every open day runs, closed days do not, booking spreads over
//! the days, and residents whose day is full try the next ones.

mod common;

use common::request;
use hkic_reports::Status;
use hkic_world::run;

const FORTNIGHT: [&str; 4] = [
    "centre.last_day=2019-02-09",
    "centre.registration_until=2019-02-09",
    "limits.until=2019-02-10T06:00",
    "booking.requests=9000",
];

#[test]
fn every_open_day_of_the_period_runs_and_closed_days_do_not() {
    let report = run(&request(1, "none", &FORTNIGHT), None)
        .expect("valid")
        .report;
    assert_eq!(
        report.outcome.status,
        Status::Ok,
        "{:?}",
        report.outcome.violation
    );
    let days: Vec<&str> = report
        .throughput_per_day
        .iter()
        .map(|day| day.day.as_str())
        .collect();
    // 21 Jan to 9 Feb 2019, Mondays to Saturdays, less the Chinese New Year holidays (5-7 Feb).
    assert_eq!(days.len(), 15, "{days:?}");
    for closed in [
        "2019-01-27",
        "2019-02-03",
        "2019-02-05",
        "2019-02-06",
        "2019-02-07",
    ] {
        assert!(!days.contains(&closed), "{closed} is closed: {days:?}");
    }
    assert!(
        report.throughput_per_day.iter().all(|day| day.served > 300),
        "{:?}",
        report.throughput_per_day
    );
    let sampled_days: std::collections::BTreeSet<&str> = report
        .queues
        .iter()
        .map(|series| &series.start[..10])
        .collect();
    assert_eq!(sampled_days.len(), 15, "queues sampled on each open day");
}

#[test]
fn residents_whose_day_is_full_try_later_days() {
    // Demand for the period is well above its 15 x 868 slots: days fill, people move on.
    // (A tenth of the requests come from cohorts not called up, and are refused.)
    let mut people = FORTNIGHT.to_vec();
    for item in &mut people {
        if item.starts_with("booking.requests=") {
            *item = "booking.requests=14500";
        }
    }
    // One centre alone: nobody falls back to another (tests/centres.rs covers that).
    people.push("booking.other_centres=[]");
    let report = run(&request(2, "none", &people), None)
        .expect("valid")
        .report;
    let booking = &report.booking;
    assert!(booking.refused_day_full > 0);
    assert!(
        booking.booked > 9_000,
        "later days took people: {booking:?}"
    );
    assert!(
        booking.requests > 14_500,
        "a full day sends residents to ask again: {}",
        booking.requests
    );
    assert!(
        booking.unbooked_walk_ins > 0,
        "some who never got a slot came anyway"
    );
    assert!(
        booking.lead_time_days.max <= 40.0,
        "booked within the horizon: {:?}",
        booking.lead_time_days
    );
    assert_eq!(
        report.outcome.status,
        Status::Ok,
        "{:?}",
        report.outcome.violation
    );
}

#[test]
fn the_rush_shows_cancellations_reschedules_abandonment_and_returns() {
    let mut request = request(1, "none", &[]);
    request.scenario =
        hkic_world::scenario::load_scenario(Some("centre-rush-day"), &[]).expect("embedded");
    let report = run(&request, None).expect("valid").report;
    assert_eq!(
        report.outcome.status,
        Status::Ok,
        "{:?}",
        report.outcome.violation
    );
    let booking = &report.booking;
    assert!(booking.cancelled > 20, "{booking:?}");
    assert!(booking.rescheduled > 10, "{booking:?}");
    // Moving to the last day, some find it full and keep their first booking.
    assert!(booking.reschedule_refused > 0, "{booking:?}");
    // Freed slots are sold again, and never beyond the slots there are.
    assert!(booking.slots_filled_fraction <= 1.0, "{booking:?}");
    let residents = &report.residents;
    assert!(residents.abandoned > 50, "{residents:?}");
    assert!(residents.returns > 10, "{residents:?}");
    assert!(residents.turned_away_walk_in_quota > 100, "{residents:?}");
}

/// A month: two weeks of registration, then the lead time, then collection.
const MONTH: [&str; 5] = [
    "centre.last_day=2019-02-23",
    "centre.registration_until=2019-02-02",
    "limits.until=2019-02-24T06:00",
    "booking.requests=9000",
    "booking.book_ahead.exponential.mean=4d",
];

#[test]
fn registered_residents_collect_their_cards_after_the_lead_time() {
    let report = run(&request(2, "none", &MONTH), None)
        .expect("valid")
        .report;
    assert_eq!(
        report.outcome.status,
        Status::Ok,
        "{:?}",
        report.outcome.violation
    );
    let cards = &report.cards;
    assert!(cards.collected > 1_000, "{cards:?}");
    // Every collection activated its card and cancelled the old one, atomically.
    assert_eq!(cards.activated, cards.collected, "{cards:?}");
    assert_eq!(cards.old_cards_cancelled, cards.collected, "{cards:?}");
    assert!(cards.produced >= cards.dispatched, "{cards:?}");
    assert!(
        cards.remade > 0,
        "failed personalisations are re-made: {cards:?}"
    );
    let checks = |name: &str| {
        report
            .invariants
            .iter()
            .find(|i| i.name == name)
            .map_or(0, |i| i.checks)
    };
    // Once per activation, and once per resident at the end.
    assert!(checks("one-active-card-per-person") > cards.activated);
    assert_eq!(
        checks("activation-after-fingerprint-match"),
        cards.activated
    );
}
