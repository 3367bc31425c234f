//! The centre's defaults reproduce the published figures (docs/calibration.md): with 10
//! registration kiosks and the default counters, arrivals well above capacity give a
//! saturated throughput of 55-67 residents an hour (published: about 61); with about 855
//! booked a day and the default no-show and walk-in rates, the p95 time in the centre is
//! under 30 minutes (published: "less than 30 minutes"). Both at `timing` fidelity and at
//! `full` fidelity (the emulated old cards, the synthetic fingers and the real matcher).
//! Medians over five seeds, because one seed's day can be unlucky (a counter out of service
//! at the evening peak).

mod common;

use common::request;
use hkic_reports::{Report, Status};
use hkic_world::run;
use hkic_world::scenario::Fidelity;

const SEEDS: std::ops::RangeInclusive<u64> = 1..=5;
const FIDELITIES: [Fidelity; 2] = [Fidelity::Timing, Fidelity::Full];

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn report(seed: u64, fidelity: Fidelity, overrides: &[&str]) -> Report {
    let mut request = request(seed, "none", overrides);
    request.fidelity = Some(fidelity);
    let report = run(&request, None).expect("valid").report;
    assert_eq!(
        report.outcome.status,
        Status::Ok,
        "{:?}",
        report.outcome.violation
    );
    report
}

/// Residents served per hour in the hours the centre is full (09:00 to 22:00).
fn served_per_hour(report: &Report) -> f64 {
    let hours: Vec<u64> = report
        .throughput_per_hour
        .iter()
        .filter(|hour| ("09".."22").contains(&&hour.hour[11..13]))
        .map(|hour| hour.served)
        .collect();
    hours.iter().sum::<u64>() as f64 / hours.len() as f64
}

#[test]
fn arrivals_far_above_capacity_give_the_published_throughput() {
    let saturating = [
        // 100 an hour from 08:00 to 20:00, so the queue lasts past closing.
        "residents.walk_ins_per_day=1200",
        "centre.walk_in_quota=2000",
        "limits.until=2019-01-23T06:00",
        "residents.patience.lognormal.median=20h",
        "booking.requests=0",
    ];
    for fidelity in FIDELITIES {
        let rates: Vec<f64> = SEEDS
            .map(|seed| served_per_hour(&report(seed, fidelity, &saturating)))
            .collect();
        let rate = median(rates.clone());
        assert!(
            (55.0..=67.0).contains(&rate),
            "{fidelity:?}: median {rate:.1} of {rates:?}"
        );
    }
}

#[test]
fn a_fully_booked_day_keeps_the_p95_time_in_the_centre_under_half_an_hour() {
    for fidelity in FIDELITIES {
        let p95s: Vec<f64> = SEEDS
            .map(|seed| {
                let report = report(seed, fidelity, &[]);
                let booked = report.booking.booked;
                assert!(booked >= 855, "booked {booked}");
                report.time_in_centre_seconds.p95 / 60.0
            })
            .collect();
        let p95 = median(p95s.clone());
        assert!(
            p95 < 30.0,
            "{fidelity:?}: median p95 {p95:.1} min of {p95s:?}"
        );
    }
}

#[test]
fn every_device_failure_ends_in_a_defined_outcome_and_everyone_leaves() {
    let failing = [
        "devices.faults.jam=0.03",
        "devices.faults.offline=0.02",
        "devices.printer.out_of_paper=0.05",
        "devices.old_card.unreadable=0.1",
    ];
    let report = report(3, Fidelity::Timing, &failing);
    let registration = &report.registration;
    assert!(
        registration.stations_out_of_service > 20,
        "{registration:?}"
    );
    for reason in ["kiosk_out_of_service", "old_card_unreadable"] {
        assert!(
            registration
                .kiosk_referrals
                .iter()
                .any(|r| r.name == reason),
            "{reason}: {:?}",
            registration.kiosk_referrals
        );
    }
    let residents = &report.residents;
    assert_eq!(residents.in_centre_at_end, 0);
    let came =
        residents.appointments_arrived + residents.walk_ins_arrived + residents.companions_arrived;
    let left = residents.served
        + residents.abandoned
        + residents.not_registered
        + residents.registration_unfinished
        + residents.turned_away_too_late
        + residents.turned_away_walk_in_quota
        + residents.turned_away_closed
        + residents.turned_away_service_unavailable
        + residents.turned_away_not_valid;
    assert_eq!(came, left, "{residents:?}");
}
