//! What the booking service answers: appointments, check-in at the tag-issuing kiosk, and
//! same-day walk-in tickets.

use hkic_base::{Date, SimTime};

use super::{BookingId, CentreId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookOutcome {
    Booked {
        booking: BookingId,
        centre: CentreId,
        slot_start: SimTime,
    },
    /// Every slot of that day at that centre is taken.
    DayFull,
    /// The day is today or earlier, or beyond the booking horizon.
    OutsideHorizon,
    /// The centre is closed that day, or the centre is unknown.
    NoService,
    /// The resident's year of birth is in no call-up group: they are not called up.
    NotCalledUp,
    /// Booking for the resident's call-up group opens only at `opens`.
    NotYetOpen { opens: SimTime },
    /// The day lies outside the resident's call-up window, `from` to `until` (late-comers,
    /// when accepted, may book any day after `from`).
    OutsideWindow { from: Date, until: Date },
}

impl BookOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            BookOutcome::Booked { .. } => "booked",
            BookOutcome::DayFull => "day_full",
            BookOutcome::OutsideHorizon => "outside_horizon",
            BookOutcome::NoService => "no_service",
            BookOutcome::NotCalledUp => "not_called_up",
            BookOutcome::NotYetOpen { .. } => "not_yet_open",
            BookOutcome::OutsideWindow { .. } => "outside_window",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    /// The booking is cancelled (now, or by an earlier copy of the request).
    Cancelled,
    /// The resident has checked in with it: it can no longer be cancelled.
    AlreadyUsed,
    /// No such booking of this resident.
    Unknown,
}

impl CancelOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            CancelOutcome::Cancelled => "cancelled",
            CancelOutcome::AlreadyUsed => "already_used",
            CancelOutcome::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckInOutcome {
    /// A queue ticket (appointment tickets and walk-in tickets are numbered separately).
    Admitted {
        ticket: u16,
    },
    /// Too early: come back at `from`.
    TooEarly {
        from: SimTime,
    },
    TooLate,
    /// The booking is for another centre or another resident, or does not exist.
    NotValidHere,
}

impl CheckInOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            CheckInOutcome::Admitted { .. } => "admitted",
            CheckInOutcome::TooEarly { .. } => "too_early",
            CheckInOutcome::TooLate => "too_late",
            CheckInOutcome::NotValidHere => "not_valid_here",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalkInOutcome {
    Ticket {
        ticket: u16,
    },
    QuotaExhausted,
    /// The centre is not open now.
    Closed,
}

impl WalkInOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            WalkInOutcome::Ticket { .. } => "ticket",
            WalkInOutcome::QuotaExhausted => "quota_exhausted",
            WalkInOutcome::Closed => "closed",
        }
    }
}
