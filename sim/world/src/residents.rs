//! Residents: who they are to the simulation (compact, fixed-size records) and everything
//! random about them, drawn once, in a fixed order, from their own stream.

use hkic_base::{SimDuration, SimTime, Stream, TimeOfDay, bernoulli};
use hkic_kernel::Streams;
use hkic_services::messages::BookingId;

use crate::config::Config;
use crate::labels;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Books an appointment when booking opens, then comes at the slot.
    Appointment,
    /// Comes on the day without one and asks for a walk-in ticket.
    WalkIn,
}

/// Why a resident left without being served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TurnedAway {
    TooLate,
    WalkInQuota,
    Closed,
    ServiceUnavailable,
    NotValid,
}

impl TurnedAway {
    pub fn name(self) -> &'static str {
        match self {
            TurnedAway::TooLate => "too_late",
            TurnedAway::WalkInQuota => "walk_in_quota",
            TurnedAway::Closed => "closed",
            TurnedAway::ServiceUnavailable => "service_unavailable",
            TurnedAway::NotValid => "not_valid",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not yet in the story (waiting to book, or travelling).
    Away,
    /// The booking app is working on the request.
    Booking,
    /// Could not book (day full, gave up, refused).
    Unbooked,
    NoShow,
    /// Inside the centre, in some stage's queue or service.
    InCentre,
    /// Waiting outside until the check-in window opens.
    WaitingOutside,
    Served,
    Left(TurnedAway),
}

/// Everything random about a resident. Durations are drawn whether or not the resident gets
/// that far, so the draws never depend on what the system did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Profile {
    pub request_delay: SimDuration,
    pub preferred: TimeOfDay,
    pub no_show: bool,
    pub before_slot: SimDuration,
    pub late: bool,
    pub lateness: SimDuration,
    /// For walk-ins: when they arrive, as the time after the walk-in hours begin.
    pub walk_in_after: SimDuration,
    pub tag_service: SimDuration,
    pub registration_service: SimDuration,
    pub photo_service: SimDuration,
}

/// One draw, for the determinism tests: which resident, which purpose, what value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Draw {
    pub resident: u32,
    pub purpose: &'static str,
    pub value: u64,
}

impl Profile {
    pub fn draw(
        config: &Config,
        streams: &Streams,
        resident: u32,
        log: Option<&mut Vec<Draw>>,
    ) -> Profile {
        let mut stream = streams.stream(labels::resident_profile(resident));
        let mut drawn = Vec::new();
        let mut duration = |purpose, dist: &hkic_base::DurationDist, stream: &mut Stream| {
            let value = dist.sample(stream);
            drawn.push((purpose, value.as_nanos()));
            value
        };
        let booking = &config.booking;
        let residents = &config.residents;
        let walk_in_span = hkic_base::DurationDist::uniform(
            SimDuration::ZERO,
            residents
                .walk_in_until
                .saturating_since(residents.walk_in_from),
        )
        .expect("validated hours");
        let request_delay = duration("request_delay", &booking.request_delay, &mut stream);
        let preferred = duration("preferred_time", &booking.preferred_time, &mut stream);
        let no_show = bernoulli(&mut stream, residents.no_show_probability);
        let before_slot = duration("before_slot", &residents.arrival_before_slot, &mut stream);
        let late = bernoulli(&mut stream, residents.late_probability);
        let lateness = duration("lateness", &residents.lateness, &mut stream);
        let walk_in_after = duration("walk_in_after", &walk_in_span, &mut stream);
        let services = &config.service_times;
        let tag_service = duration("tag_service", &services.tag_kiosk, &mut stream);
        let registration_service = duration(
            "registration_service",
            &services.registration_kiosk,
            &mut stream,
        );
        let photo_service = duration("photo_service", &services.photo_counter, &mut stream);
        if let Some(log) = log {
            log.extend(drawn.into_iter().map(|(purpose, value)| Draw {
                resident,
                purpose,
                value,
            }));
            log.push(Draw {
                resident,
                purpose: "no_show",
                value: u64::from(no_show),
            });
            log.push(Draw {
                resident,
                purpose: "late",
                value: u64::from(late),
            });
        }
        let preferred = time_of_day(preferred);
        Profile {
            request_delay,
            preferred,
            no_show,
            before_slot,
            late,
            lateness,
            walk_in_after,
            tag_service,
            registration_service,
            photo_service,
        }
    }
}

fn time_of_day(since_midnight: SimDuration) -> TimeOfDay {
    (SimTime::EPOCH + since_midnight).time_of_day()
}

/// A resident's state: a fixed-size record with no strings or boxes.
#[derive(Clone, Copy, Debug)]
pub struct Resident {
    pub kind: Kind,
    pub phase: Phase,
    pub profile: Profile,
    pub booking: Option<BookingId>,
    pub slot_start: SimTime,
    pub booked_at: SimTime,
    /// When the resident first entered the centre.
    pub arrived: SimTime,
    pub tag_visits: u8,
    /// An appointment holder who came too late and is now asking for a walk-in ticket.
    pub late_walk_in: bool,
}

impl Resident {
    pub fn new(kind: Kind, profile: Profile) -> Resident {
        Resident {
            kind,
            phase: Phase::Away,
            profile,
            booking: None,
            slot_start: SimTime::EPOCH,
            booked_at: SimTime::EPOCH,
            arrived: SimTime::EPOCH,
            tag_visits: 0,
            late_walk_in: false,
        }
    }
}
