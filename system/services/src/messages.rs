//! The messages services and their clients exchange over the network.
//!
//! A closed enum: the simulator's network carries `Message`s, and every request carries what
//! makes a retry idempotent (the resident, the booking) so that a duplicated or retried
//! request has no second effect.

use hkic_base::{Date, SimTime, TimeOfDay};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResidentId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BookingId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CentreId(pub u16);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Book an appointment at `centre` on `day`, as close as possible to `preferred`.
    /// Idempotent per resident: a resident holds at most one booking.
    BookRequest {
        resident: ResidentId,
        centre: CentreId,
        day: Date,
        preferred: TimeOfDay,
    },
    BookReply {
        resident: ResidentId,
        outcome: BookOutcome,
    },
    /// At the tag-issuing kiosk: admit the holder of `booking` to today's queue.
    CheckInRequest {
        resident: ResidentId,
        booking: BookingId,
        centre: CentreId,
    },
    CheckInReply {
        resident: ResidentId,
        booking: BookingId,
        outcome: CheckInOutcome,
    },
    /// At the tag-issuing kiosk: a same-day ticket from the walk-in quota.
    /// Idempotent per (resident, centre, day).
    WalkInRequest {
        resident: ResidentId,
        centre: CentreId,
    },
    WalkInReply {
        resident: ResidentId,
        outcome: WalkInOutcome,
    },
}

impl Message {
    /// A short stable name, for traces.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::BookRequest { .. } => "book",
            Message::BookReply { .. } => "book.reply",
            Message::CheckInRequest { .. } => "check_in",
            Message::CheckInReply { .. } => "check_in.reply",
            Message::WalkInRequest { .. } => "walk_in",
            Message::WalkInReply { .. } => "walk_in.reply",
        }
    }

    /// The resident the message is about (every message today is about one).
    pub fn resident(&self) -> ResidentId {
        match self {
            Message::BookRequest { resident, .. }
            | Message::BookReply { resident, .. }
            | Message::CheckInRequest { resident, .. }
            | Message::CheckInReply { resident, .. }
            | Message::WalkInRequest { resident, .. }
            | Message::WalkInReply { resident, .. } => *resident,
        }
    }
}

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
}

impl BookOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            BookOutcome::Booked { .. } => "booked",
            BookOutcome::DayFull => "day_full",
            BookOutcome::OutsideHorizon => "outside_horizon",
            BookOutcome::NoService => "no_service",
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
