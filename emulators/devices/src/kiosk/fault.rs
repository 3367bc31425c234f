//! A device's failure state: jammed or not, offline until when, and the outage clock, driven
//! by the device's [`FaultModel`].
//!
//! Every kiosk device owns one [`DeviceFaults`] and asks it first, at the start of each
//! operation, whether the operation may start (see [`DeviceFaults::status`] for the order of
//! the checks). The simulator reaches it through the device's `faults_mut()` to clear a jam
//! (an officer's visit), to inject a jam or an outage from its fault schedule, or to swap the
//! fault model (faults on for the safety phase, off for the liveness phase).
//!
//! Invariants: a jam ends only through [`DeviceFaults::clear_jam`]; an outage ends at its
//! `until` time and at no other; changing the model keeps a current jam and a current
//! outage (a repair does not happen because the weather changed) and restarts the outage
//! clock. The outage clock starts at the first operation or status check after the device
//! was built or its model changed; outages that began and ended between two operations were
//! never seen by anyone and leave no trace.

mod model;

pub(crate) use model::clearing_seconds;
pub use model::{
    DEFAULT_FAULT_DETECTION_TIME, FaultModel, OFFLINE_RATE_PER_HOUR_MAX, SLOW_FACTOR_MAX,
};

use super::operation::{DeviceFault, Operation};
use super::parameter::ParameterError;
use hkic_base::{SimDuration, SimTime, Stream, bernoulli};
use rand::RngExt;

/// Outages the clock replays at most when a device was idle a long time; past this many it
/// restarts the clock at the current time (an approximation only for absurd idle spans or
/// rates, bounded so that a call never loops long).
pub const OUTAGE_CATCH_UP_MAX: u32 = 10_000;

/// One outage the clock has drawn: from `start` until `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Outage {
    start: SimTime,
    end: SimTime,
}

/// The failure state of one device.
#[derive(Debug, Clone)]
pub struct DeviceFaults {
    model: FaultModel,
    jammed: bool,
    offline_until: Option<SimTime>,
    next_outage: Option<Outage>,
}

/// An operation that may go ahead, and whether it runs slow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Started {
    slowdown: Option<(f64, SimDuration)>,
}

impl Started {
    /// The operation's duration, slowed if it runs slow.
    pub(crate) fn scale(self, duration: SimDuration) -> SimDuration {
        match self.slowdown {
            None => duration,
            Some((factor, extra)) => {
                let nanos = (duration.as_nanos() as f64 * factor).round();
                let scaled = if nanos >= u64::MAX as f64 {
                    SimDuration::MAX
                } else {
                    SimDuration::from_nanos(nanos as u64)
                };
                scaled.saturating_add(extra)
            }
        }
    }
}

impl DeviceFaults {
    pub fn new(model: FaultModel) -> Result<DeviceFaults, ParameterError> {
        model.check().map_err(|error| error.within("faults"))?;
        Ok(DeviceFaults {
            model,
            jammed: false,
            offline_until: None,
            next_outage: None,
        })
    }

    pub fn model(&self) -> &FaultModel {
        &self.model
    }

    /// Replaces the failure modes (see the module's invariants for what carries over).
    pub fn set_model(&mut self, model: FaultModel) -> Result<(), ParameterError> {
        model.check().map_err(|error| error.within("faults"))?;
        self.model = model;
        self.next_outage = None;
        Ok(())
    }

    pub fn is_jammed(&self) -> bool {
        self.jammed
    }

    /// When the current (or last) outage ends, as far as operations have seen.
    pub fn offline_until(&self) -> Option<SimTime> {
        self.offline_until
    }

    /// Whether an operation at `now` could start: a jam first, then an outage. Draws outages
    /// that the clock reaches by `now`, so it takes the stream; it never draws the
    /// per-operation faults, which belong to operations.
    pub fn status(&mut self, now: SimTime, stream: &mut Stream) -> Result<(), DeviceFault> {
        self.advance_outages(now, stream);
        if self.jammed {
            return Err(DeviceFault::Jammed {
                this_operation: false,
            });
        }
        match self.offline_until {
            Some(until) if until > now => Err(DeviceFault::Offline { until }),
            _ => Ok(()),
        }
    }

    /// An officer clears the jam: the time it took, or `None` if nothing was jammed.
    pub fn clear_jam(&mut self, stream: &mut Stream) -> Option<SimDuration> {
        if !self.jammed {
            return None;
        }
        self.jammed = false;
        Some(self.model.clearing_time.sample(stream))
    }

    /// Jams the device now (the simulator's fault schedule).
    pub fn inject_jam(&mut self) {
        self.jammed = true;
    }

    /// Takes the device offline until `until` (the simulator's fault schedule); an outage
    /// already running longer keeps its end.
    pub fn inject_offline(&mut self, until: SimTime) {
        self.extend_offline(until);
    }

    /// The checks at the start of an operation: [`DeviceFaults::status`], then whether the
    /// device is found offline, then whether the operation runs slow.
    pub(crate) fn start(
        &mut self,
        now: SimTime,
        stream: &mut Stream,
    ) -> Result<Started, DeviceFault> {
        self.status(now, stream)?;
        if bernoulli(stream, self.model.offline_probability) {
            let until = now.saturating_add(self.model.offline_duration.sample(stream));
            self.extend_offline(until);
            return Err(DeviceFault::Offline { until });
        }
        let slowdown = bernoulli(stream, self.model.slow_probability)
            .then_some((self.model.slow_factor, self.model.slow_extra));
        Ok(Started { slowdown })
    }

    /// Whether the operation under way jams the device (which then stays jammed).
    pub(crate) fn jams_now(&mut self, stream: &mut Stream) -> bool {
        let jams = bernoulli(stream, self.model.jam_probability);
        if jams {
            self.jammed = true;
        }
        jams
    }

    /// The end of an operation that ran for `duration` and gave `value`, unless it jams the
    /// device now, which loses the value.
    pub(crate) fn finish<T>(
        &mut self,
        value: T,
        duration: SimDuration,
        stream: &mut Stream,
    ) -> Operation<T> {
        if self.jams_now(stream) {
            let fault = DeviceFault::Jammed {
                this_operation: true,
            };
            return Operation::failed(fault, duration);
        }
        Operation::succeeded(value, duration)
    }

    /// The answer to an operation that could not start.
    pub(crate) fn refuse<T>(&self, fault: DeviceFault) -> Operation<T> {
        Operation::failed(fault, self.model.fault_detection_time)
    }

    fn extend_offline(&mut self, until: SimTime) {
        self.offline_until = Some(
            self.offline_until
                .map_or(until, |current| current.max(until)),
        );
    }

    /// Replays the outage clock up to `now`, marking the device offline if an outage covers it.
    fn advance_outages(&mut self, now: SimTime, stream: &mut Stream) {
        if self.model.offline_rate_per_hour <= 0.0 {
            self.next_outage = None;
            return;
        }
        let mut outage = match self.next_outage {
            Some(outage) => outage,
            None => self.draw_outage_after(now, stream),
        };
        for _ in 0..OUTAGE_CATCH_UP_MAX {
            if outage.start > now {
                self.next_outage = Some(outage);
                return;
            }
            if outage.end > now {
                self.extend_offline(outage.end);
                self.next_outage = Some(self.draw_outage_after(outage.end, stream));
                return;
            }
            outage = self.draw_outage_after(outage.end, stream);
        }
        self.next_outage = Some(self.draw_outage_after(now, stream));
    }

    /// The next outage once the device has been up since `up_since`: an exponential gap with
    /// the model's rate, then a drawn length.
    fn draw_outage_after(&self, up_since: SimTime, stream: &mut Stream) -> Outage {
        let uniform: f64 = stream.random();
        let gap_hours = -(1.0 - uniform).ln() / self.model.offline_rate_per_hour;
        let start = up_since.saturating_add(SimDuration::from_secs_f64(gap_hours * 3600.0));
        let end = start.saturating_add(self.model.offline_duration.sample(stream));
        Outage { start, end }
    }
}
