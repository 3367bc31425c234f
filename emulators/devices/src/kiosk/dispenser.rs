//! The card dispenser of a Self-service Collection Kiosk: once the new card is read,
//! verified and activated, it moves the card from the reader out through the slot to its
//! holder (SYSTEM.md "Collection").
//!
//! Inputs: a request to dispense the card at the reader, the time and a stream. Output: an
//! [`Operation`] that succeeded (the card is in the holder's hand) or a fault. A jam during the
//! operation ([`DeviceFault::Jammed`] with `this_operation` true) leaves the card stuck inside
//! until an officer clears the jam and hands it over; a jam or outage found at the start
//! leaves the card at the reader. The dispenser holds no card ids (the simulator tracks which
//! card is where) and persists only its fault state.
//!
//! Defaults (assumptions; no figures were published): 3-5 s to dispense (uniform), a jam once
//! in 5,000 cards cleared by an officer in 2-5 minutes, offline and slow as
//! [`FaultModel::occasional`].

use super::fault::{DeviceFaults, FaultModel, clearing_seconds};
#[cfg(doc)]
use super::operation::DeviceFault;
use super::operation::Operation;
use super::parameter::{OPERATION_MEAN_MAX, ParameterError, check_distribution, uniform_seconds};
use hkic_base::{DurationDist, SimTime, Stream};

/// Everything a dispenser does.
#[derive(Debug, Clone)]
pub struct DispenserModel {
    pub dispense_time: DurationDist,
    pub faults: FaultModel,
}

impl Default for DispenserModel {
    fn default() -> DispenserModel {
        DispenserModel {
            dispense_time: uniform_seconds(3, 5),
            faults: FaultModel::occasional(0.0002, clearing_seconds(120, 300)),
        }
    }
}

impl DispenserModel {
    pub fn check(&self) -> Result<(), ParameterError> {
        check_distribution("dispense_time", &self.dispense_time, OPERATION_MEAN_MAX)?;
        self.faults.check().map_err(|error| error.within("faults"))
    }
}

/// A card dispenser built from a checked [`DispenserModel`].
#[derive(Debug, Clone)]
pub struct Dispenser {
    dispense_time: DurationDist,
    faults: DeviceFaults,
}

impl Dispenser {
    pub fn new(model: DispenserModel) -> Result<Dispenser, ParameterError> {
        model.check()?;
        Ok(Dispenser {
            dispense_time: model.dispense_time,
            faults: DeviceFaults::new(model.faults)?,
        })
    }

    pub fn faults(&self) -> &DeviceFaults {
        &self.faults
    }

    pub fn faults_mut(&mut self) -> &mut DeviceFaults {
        &mut self.faults
    }

    /// Dispenses the card at the reader at `now`.
    pub fn dispense(&mut self, now: SimTime, stream: &mut Stream) -> Operation<()> {
        let started = match self.faults.start(now, stream) {
            Ok(started) => started,
            Err(fault) => return self.faults.refuse(fault),
        };
        let duration = started.scale(self.dispense_time.sample(stream));
        self.faults.finish((), duration, stream)
    }
}
