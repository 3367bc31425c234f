//! The one shape every kiosk device answers in, so that the kiosk software and the simulator
//! handle a scanner, a camera, a printer, a card store and a dispenser alike: what the
//! operation gave (or the fault that stopped it) and how long it took.

use hkic_base::{SimDuration, SimTime};

/// What one device operation gave and how long it kept the device (and the resident) busy.
///
/// `duration` is always meaningful, also for a fault: the time until the kiosk learnt of it
/// (a status check for a device that was already out of service, the whole attempt for one
/// that jammed during it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation<T> {
    pub result: Result<T, DeviceFault>,
    pub duration: SimDuration,
}

impl<T> Operation<T> {
    pub fn succeeded(value: T, duration: SimDuration) -> Operation<T> {
        Operation {
            result: Ok(value),
            duration,
        }
    }

    pub fn failed(fault: DeviceFault, duration: SimDuration) -> Operation<T> {
        Operation {
            result: Err(fault),
            duration,
        }
    }

    /// The fault that stopped the operation, if one did.
    pub fn fault(&self) -> Option<DeviceFault> {
        self.result.as_ref().err().copied()
    }

    /// The same operation with its value transformed.
    pub fn map<U>(self, transform: impl FnOnce(T) -> U) -> Operation<U> {
        Operation {
            result: self.result.map(transform),
            duration: self.duration,
        }
    }
}

/// Why a device could not do what it was asked, and what brings it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeviceFault {
    /// The mechanism is jammed (or, for an electronic device, hung) and stays so until an
    /// officer clears it (`faults_mut().clear_jam(..)`). `this_operation` is true when this
    /// operation caused the jam, so whatever it handled (a sheet, a card) is stuck inside;
    /// false when the device was jammed before and the operation never started.
    #[error("jammed (needs an officer)")]
    Jammed { this_operation: bool },
    /// The device is unreachable (link, power or driver) and comes back by itself at `until`;
    /// the operation never started.
    #[error("offline until {until}")]
    Offline { until: SimTime },
    /// The printer has too little paper for a document and stays so until an officer loads
    /// paper (`Printer::load_paper`); nothing was printed.
    #[error("out of paper (needs an officer)")]
    OutOfPaper,
}

impl DeviceFault {
    /// True when only an officer brings the device back (as opposed to waiting).
    pub fn needs_officer(self) -> bool {
        match self {
            DeviceFault::Jammed { .. } | DeviceFault::OutOfPaper => true,
            DeviceFault::Offline { .. } => false,
        }
    }
}
