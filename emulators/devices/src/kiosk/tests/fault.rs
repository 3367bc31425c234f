//! Jams, outages and slowness on every device.

use super::device::{AnyDevice, DEVICE_KINDS, quiet_faults};
use super::{assert_mean, assert_share, opening, seconds};
use crate::kiosk::*;
use hkic_base::{DurationDist, SimDuration, SimTime, seed_stream};

const NOT_THIS_OPERATION: Option<DeviceFault> = Some(DeviceFault::Jammed {
    this_operation: false,
});

#[test]
fn an_injected_jam_persists_until_an_officer_clears_it() {
    for kind in DEVICE_KINDS {
        let mut device = AnyDevice::build(kind, quiet_faults());
        let mut stream = seed_stream(1);
        device.faults_mut().inject_jam();
        for minute in 0..30 {
            let now = opening() + SimDuration::from_minutes(minute);
            let (fault, duration) = device.operate(now, &mut stream);
            assert_eq!(fault, NOT_THIS_OPERATION, "{kind} at minute {minute}");
            assert_eq!(
                duration,
                SimDuration::from_millis(1_500),
                "{kind}: detection time"
            );
        }
        assert_eq!(
            device.faults_mut().clear_jam(&mut stream),
            Some(seconds(240)),
            "{kind}"
        );
        assert_eq!(
            device.faults_mut().clear_jam(&mut stream),
            None,
            "{kind}: nothing left"
        );
        let now = opening() + SimDuration::from_minutes(31);
        assert_eq!(
            device.operate(now, &mut stream).0,
            None,
            "{kind} after clearing"
        );
    }
}

#[test]
fn a_jam_during_an_operation_is_reported_then_persists() {
    for kind in DEVICE_KINDS {
        let faults = FaultModel {
            jam_probability: 1.0,
            ..quiet_faults()
        };
        let mut device = AnyDevice::build(kind, faults);
        let mut stream = seed_stream(2);
        let (fault, duration) = device.operate(opening(), &mut stream);
        assert_eq!(
            fault,
            Some(DeviceFault::Jammed {
                this_operation: true
            }),
            "{kind}"
        );
        assert!(
            duration > SimDuration::from_millis(1_500),
            "{kind}: the whole attempt"
        );
        let (fault, _) = device.operate(opening() + seconds(600), &mut stream);
        assert_eq!(fault, NOT_THIS_OPERATION, "{kind}: still jammed");
        assert!(device.faults_mut().is_jammed());
        device.faults_mut().set_model(quiet_faults()).unwrap();
        let (fault, _) = device.operate(opening() + seconds(1_200), &mut stream);
        assert_eq!(
            fault, NOT_THIS_OPERATION,
            "{kind}: a new model does not clear a jam"
        );
        assert!(device.faults_mut().clear_jam(&mut stream).is_some());
        assert_eq!(
            device.operate(opening() + seconds(1_800), &mut stream).0,
            None,
            "{kind}"
        );
    }
}

#[test]
fn an_outage_ends_at_its_time_and_not_before() {
    for kind in DEVICE_KINDS {
        let faults = FaultModel {
            offline_probability: 1.0,
            ..quiet_faults()
        };
        let mut device = AnyDevice::build(kind, faults);
        let mut stream = seed_stream(3);
        let until = opening() + seconds(600);
        let (fault, duration) = device.operate(opening(), &mut stream);
        assert_eq!(fault, Some(DeviceFault::Offline { until }), "{kind}");
        assert_eq!(duration, SimDuration::from_millis(1_500), "{kind}");
        device.faults_mut().set_model(quiet_faults()).unwrap();
        let just_before = SimTime::from_nanos(until.as_nanos() - 1);
        for now in [
            opening() + seconds(1),
            opening() + seconds(300),
            just_before,
        ] {
            let (fault, _) = device.operate(now, &mut stream);
            assert_eq!(
                fault,
                Some(DeviceFault::Offline { until }),
                "{kind} at {now}"
            );
        }
        assert_eq!(
            device.operate(until, &mut stream).0,
            None,
            "{kind} at its end"
        );
    }
}

#[test]
fn an_injected_outage_keeps_the_later_end() {
    let mut device = AnyDevice::build("dispenser", quiet_faults());
    let mut stream = seed_stream(4);
    let later = opening() + seconds(900);
    device.faults_mut().inject_offline(later);
    device.faults_mut().inject_offline(opening() + seconds(60));
    let (fault, _) = device.operate(opening() + seconds(120), &mut stream);
    assert_eq!(fault, Some(DeviceFault::Offline { until: later }));
    assert_eq!(device.operate(later, &mut stream).0, None);
}

#[test]
fn outages_at_a_rate_cover_their_share_of_time() {
    // Up for an exponential time with mean 2 h (0.5 an hour), then down for 30 minutes: an
    // alternating renewal process is down 0.5 / (2 + 0.5) = 20% of the time.
    let faults = FaultModel {
        offline_rate_per_hour: 0.5,
        offline_duration: DurationDist::constant(SimDuration::from_minutes(30)),
        ..quiet_faults()
    };
    let mut device = AnyDevice::build("dispenser", faults);
    let mut stream = seed_stream(5);
    let checks = 300_000;
    let mut offline = 0;
    for step in 0..checks {
        let now = opening() + SimDuration::from_minutes(2 * step);
        match device.operate(now, &mut stream).0 {
            Some(DeviceFault::Offline { until }) => {
                assert!(until > now && until <= now + SimDuration::from_minutes(30));
                offline += 1;
            }
            None => {}
            other => panic!("{other:?}"),
        }
    }
    // Checks two minutes apart see the same outage 15 times: allow for the correlation.
    let share = f64::from(offline) / f64::from(checks as u32);
    assert!((share - 0.2).abs() < 0.01, "offline share {share}");
}

#[test]
fn a_long_idle_spell_replays_the_outage_clock_in_bounded_time() {
    let faults = FaultModel {
        offline_rate_per_hour: 60.0,
        offline_duration: DurationDist::constant(seconds(30)),
        ..quiet_faults()
    };
    let mut device = AnyDevice::build("scanner", faults);
    let mut stream = seed_stream(6);
    device.operate(opening(), &mut stream);
    // Ten years idle: far more outages than the catch-up bound; the call still returns.
    let later = opening() + SimDuration::from_days(3_650);
    let (fault, _) = device.operate(later, &mut stream);
    assert!(
        matches!(fault, None | Some(DeviceFault::Offline { .. })),
        "{fault:?}"
    );
}

#[test]
fn slow_operations_take_the_factor_times_as_long_plus_the_extra() {
    for kind in DEVICE_KINDS {
        // Probabilities of 0 and 1 draw nothing, so the three devices see the same draws.
        let mut normal = AnyDevice::build(kind, quiet_faults());
        let slow_faults = |extra| FaultModel {
            slow_probability: 1.0,
            slow_factor: 3.0,
            slow_extra: extra,
            ..quiet_faults()
        };
        let mut slow = AnyDevice::build(kind, slow_faults(SimDuration::ZERO));
        let mut slower = AnyDevice::build(kind, slow_faults(seconds(5)));
        let streams = [seed_stream(7), seed_stream(7), seed_stream(7)];
        let [mut normal_stream, mut slow_stream, mut slower_stream] = streams;
        for minute in 0..50 {
            let now = opening() + SimDuration::from_minutes(minute);
            let (_, base) = normal.operate(now, &mut normal_stream);
            let (_, slowed) = slow.operate(now, &mut slow_stream);
            let (_, slowed_more) = slower.operate(now, &mut slower_stream);
            assert!(!base.is_zero(), "{kind}");
            assert_eq!(slowed, base * 3, "{kind}");
            assert_eq!(slowed_more, base * 3 + seconds(5), "{kind}");
        }
    }
}

#[test]
fn slow_probability_sets_the_share_of_slow_operations() {
    let faults = FaultModel {
        slow_probability: 0.3,
        slow_factor: 2.0,
        ..quiet_faults()
    };
    let model = DispenserModel {
        dispense_time: DurationDist::constant(seconds(4)),
        faults,
    };
    let mut dispenser = Dispenser::new(model).unwrap();
    let mut stream = seed_stream(8);
    let durations: Vec<SimDuration> = (0..100_000)
        .map(|_| dispenser.dispense(opening(), &mut stream).duration)
        .collect();
    let slow = durations.iter().filter(|&&d| d == seconds(8)).count();
    assert_eq!(
        durations.iter().filter(|&&d| d == seconds(4)).count() + slow,
        100_000
    );
    assert_share("slow", slow, durations.len(), 0.3);
    assert_mean(
        "slow and normal",
        &durations,
        SimDuration::from_millis(5_200),
    );
}

#[test]
fn jam_and_offline_probabilities_set_their_shares() {
    let faults = FaultModel {
        jam_probability: 0.01,
        offline_probability: 0.05,
        offline_duration: DurationDist::constant(seconds(1)),
        ..quiet_faults()
    };
    let mut device = AnyDevice::build("dispenser", faults);
    let mut stream = seed_stream(9);
    let (mut jams, mut outages, mut started) = (0, 0, 0);
    let trials = 200_000;
    for step in 0..trials {
        let now = opening() + SimDuration::from_secs(10 * step);
        match device.operate(now, &mut stream).0 {
            None => started += 1,
            Some(DeviceFault::Jammed {
                this_operation: true,
            }) => {
                started += 1;
                jams += 1;
                device.faults_mut().clear_jam(&mut stream);
            }
            Some(DeviceFault::Offline { .. }) => outages += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_share("offline", outages, trials as usize, 0.05);
    assert_share("jammed among started", jams, started, 0.01);
}
