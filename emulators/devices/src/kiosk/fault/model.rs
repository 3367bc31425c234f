//! How often a device jams, drops offline or runs slow, and how long each lasts, as plain
//! parameters a scenario can set per device. The defaults are assumptions (no failure figures
//! for the centres' kiosks were published, domain.md section 2); they are small enough that a
//! centre day sees a handful of faults, not a broken centre.

use super::super::parameter::{
    OPERATION_MEAN_MAX, OUTAGE_MEAN_MAX, ParameterError, check_distribution, check_probability,
    check_range, lognormal_seconds, uniform_seconds,
};
use hkic_base::{DurationDist, SimDuration};

/// At most this many outages a device may start per hour (one a minute): beyond it the device
/// is simply broken, which a scenario says with a high `offline_probability` instead.
pub const OFFLINE_RATE_PER_HOUR_MAX: f64 = 60.0;

/// At most this slowdown factor: a hundred times slower is a device that no longer works.
pub const SLOW_FACTOR_MAX: f64 = 100.0;

/// The failure modes of one device.
#[derive(Debug, Clone)]
pub struct FaultModel {
    /// Per operation: the mechanism jams (or the device hangs) and stays so until an officer
    /// clears it.
    pub jam_probability: f64,
    /// How long the officer takes to clear a jam.
    pub clearing_time: DurationDist,
    /// Per operation: the device is found offline when the operation starts.
    pub offline_probability: f64,
    /// Outages that start on their own while the device is up, per hour (a Poisson process
    /// in simulated time, seen at the next operation or status check).
    pub offline_rate_per_hour: f64,
    /// How long an outage lasts, whichever way it started.
    pub offline_duration: DurationDist,
    /// Per operation: the operation runs slow.
    pub slow_probability: f64,
    /// A slow operation's duration is multiplied by this (at least 1)...
    pub slow_factor: f64,
    /// ...and then lengthened by this.
    pub slow_extra: SimDuration,
    /// How long the kiosk takes to learn that a device cannot start an operation (a status
    /// query that comes back "not ready").
    pub fault_detection_time: SimDuration,
}

impl FaultModel {
    /// A device that never fails: for the healed phase of a run and for measuring service
    /// times alone.
    pub fn none() -> FaultModel {
        FaultModel {
            jam_probability: 0.0,
            clearing_time: DurationDist::constant(SimDuration::ZERO),
            offline_probability: 0.0,
            offline_rate_per_hour: 0.0,
            offline_duration: DurationDist::constant(SimDuration::ZERO),
            slow_probability: 0.0,
            slow_factor: 1.0,
            slow_extra: SimDuration::ZERO,
            fault_detection_time: DEFAULT_FAULT_DETECTION_TIME,
        }
    }

    /// The default failure modes with a device's own jam probability and clearing time.
    /// Assumptions, shared by every device: an outage about once per 100 operating hours
    /// (once a week at a centre open 14 hours a day), lasting a log-normal time with a median
    /// of 5 minutes (a driver or USB reset; a reboot takes longer, hence sigma 0.8, mean about
    /// 7 minutes); one operation in 50 twice as slow (an internal retry, a busy host).
    pub fn occasional(jam_probability: f64, clearing_time: DurationDist) -> FaultModel {
        FaultModel {
            jam_probability,
            clearing_time,
            offline_probability: 0.0,
            offline_rate_per_hour: 0.01,
            offline_duration: lognormal_seconds(300, 0.8),
            slow_probability: 0.02,
            slow_factor: 2.0,
            slow_extra: SimDuration::ZERO,
            fault_detection_time: DEFAULT_FAULT_DETECTION_TIME,
        }
    }

    /// Checks every probability, rate, factor and distribution.
    pub fn check(&self) -> Result<(), ParameterError> {
        check_probability("jam_probability", self.jam_probability)?;
        check_probability("offline_probability", self.offline_probability)?;
        check_probability("slow_probability", self.slow_probability)?;
        check_range(
            "offline_rate_per_hour",
            self.offline_rate_per_hour,
            0.0,
            OFFLINE_RATE_PER_HOUR_MAX,
            "a rate from 0 to 60 outages an hour",
        )?;
        check_range(
            "slow_factor",
            self.slow_factor,
            1.0,
            SLOW_FACTOR_MAX,
            "a factor from 1 to 100",
        )?;
        check_distribution("clearing_time", &self.clearing_time, OUTAGE_MEAN_MAX)?;
        check_distribution("offline_duration", &self.offline_duration, OUTAGE_MEAN_MAX)?;
        let constants = [
            ("slow_extra", self.slow_extra),
            ("fault_detection_time", self.fault_detection_time),
        ];
        for (field, value) in constants {
            check_distribution(field, &DurationDist::constant(value), OPERATION_MEAN_MAX)?;
        }
        Ok(())
    }
}

/// Assumption: a kiosk's driver reports "not ready" within about 2 seconds.
pub const DEFAULT_FAULT_DETECTION_TIME: SimDuration = SimDuration::from_secs(2);

/// An officer's time to clear a jam, in seconds, uniform between the bounds: the defaults
/// of the devices (assumptions: open the device, take out the sheet or card, close it and
/// let the device run its self-test).
pub(crate) fn clearing_seconds(min_seconds: u64, max_seconds: u64) -> DurationDist {
    uniform_seconds(min_seconds, max_seconds)
}
