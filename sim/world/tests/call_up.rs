//! The call-up in the world: residents book within their group's window, and the surge as
//! booking for a group opens (thousands of requests at one instant, duplicated, reordered,
//! partitioned and crashed by the `chaos` profile) never overbooks a slot.

mod common;

use common::request;
use hkic_reports::Status;
use hkic_world::run;

#[test]
fn the_call_up_opening_surge_never_overbooks_under_chaos() {
    let surge = [
        // Everybody asks at the instant booking opens (they would ask 30 days ahead).
        "booking.requests=4000",
        r#"booking.book_ahead={"constant": "30d"}"#,
        r#"booking.opening_surge={"constant": "0s"}"#,
    ];
    for seed in 1..=2 {
        let report = run(&request(seed, "chaos", &surge), None)
            .expect("valid")
            .report;
        // slot-quota and one-booking-per-resident are checked on every booking.
        assert_eq!(
            report.outcome.status,
            Status::Ok,
            "seed {seed}: {:?}",
            report.outcome.violation
        );
        let booking = &report.booking;
        assert!(booking.requests >= 4000, "{booking:?}");
        // 28 slots of 31: at most 868 held at once (cancellations free some again).
        assert!(
            booking.booked - booking.cancelled <= 868,
            "seed {seed}: {booking:?}"
        );
        assert!(booking.booked >= 800, "seed {seed}: {booking:?}");
        assert!(booking.refused_day_full > 2000, "seed {seed}: {booking:?}");
        // The other cohorts' residents (a tenth) are not called up in January 2019.
        assert!(
            (250..=550).contains(&booking.refused_outside_call_up),
            "seed {seed}: {booking:?}"
        );
    }
}

#[test]
fn residents_book_only_within_their_window() {
    // A week of registration; the 1985-86 window closes after Wednesday and late-comers are
    // refused, so nobody with an appointment comes on Thursday to Saturday.
    let week = [
        "centre.last_day=2019-01-26",
        "centre.registration_until=2019-01-26",
        "limits.until=2019-01-27T06:00",
        "booking.call_up.groups.0.window.until=2019-01-23",
        "booking.call_up.late_comers=false",
        "booking.changes.reschedule=0.5",
        "booking.changes.cancel=0",
        "booking.walk_in_if_unbooked=0",
        "residents.walk_ins_per_day=0",
        "residents.return_probability=0",
    ];
    let report = run(&request(1, "none", &week), None).expect("valid").report;
    assert_eq!(report.outcome.status, Status::Ok);
    let served = |day: &str| {
        report
            .throughput_per_day
            .iter()
            .find(|count| count.day.starts_with(day))
            .map_or(0, |count| count.served)
    };
    for day in ["2019-01-21", "2019-01-22", "2019-01-23"] {
        assert!(served(day) > 100, "{day}: {}", served(day));
    }
    for day in ["2019-01-24", "2019-01-25", "2019-01-26"] {
        assert_eq!(served(day), 0, "{day}");
    }
    // Moves stay within the window too (the app offers no later day).
    assert!(report.booking.rescheduled > 100, "{:?}", report.booking);
}
