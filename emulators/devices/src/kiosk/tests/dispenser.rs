//! The dispenser's time and its jams.

use super::device::quiet_faults;
use super::{assert_mean, assert_share, opening, uniform};
use crate::kiosk::*;
use hkic_base::{SimDuration, seed_stream};

#[test]
fn dispensing_takes_its_mean_and_jams_at_its_rate() {
    let model = DispenserModel {
        dispense_time: uniform(3, 5),
        faults: FaultModel {
            jam_probability: 0.02,
            ..quiet_faults()
        },
    };
    let mut dispenser = Dispenser::new(model).unwrap();
    let mut stream = seed_stream(21);
    let (mut durations, mut jams) = (Vec::new(), 0);
    for step in 0..100_000 {
        let now = opening() + SimDuration::from_secs(30 * step);
        let operation = dispenser.dispense(now, &mut stream);
        match operation.result {
            Ok(()) => {}
            Err(DeviceFault::Jammed {
                this_operation: true,
            }) => {
                jams += 1;
                dispenser.faults_mut().clear_jam(&mut stream).unwrap();
            }
            Err(other) => panic!("{other:?}"),
        }
        durations.push(operation.duration);
    }
    assert_share("jams", jams, durations.len(), 0.02);
    assert_mean("dispense", &durations, SimDuration::from_secs(4));
}
