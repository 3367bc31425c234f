//! Residents: who they are to the simulation (compact, fixed-size records) and everything
//! random about them, drawn once, in a fixed order, from their own stream.

use hkic_base::{Date, DurationDist, SimDuration, SimTime, Stream, TimeOfDay, bernoulli};
use hkic_kernel::Streams;
use hkic_services::messages::{AcknowledgementReference, BookingId, EFormQr};
use rand::RngExt;

use crate::config::Config;
use crate::labels;
use crate::population::{AgeModel, age_on, draw_date_of_birth};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Books an appointment when booking opens, then comes at the slot.
    Appointment,
    /// Comes on the day without one and asks for a walk-in ticket.
    WalkIn,
    /// Aged 65 or over, comes with an appointment holder under the caring arrangement and is
    /// served on the holder's ticket.
    Companion,
}

/// Why a resident left without being served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TurnedAway {
    TooLate,
    WalkInQuota,
    Closed,
    ServiceUnavailable,
    NotValid,
    /// Registration could not go on (identity not established, refused, a suspected
    /// duplicate).
    NotRegistered,
    /// Registration was interrupted (no acceptable photo, a service or counter out of
    /// service) and the resident left without an accepted application.
    Unfinished,
}

impl TurnedAway {
    pub fn name(self) -> &'static str {
        match self {
            TurnedAway::TooLate => "too_late",
            TurnedAway::WalkInQuota => "walk_in_quota",
            TurnedAway::Closed => "closed",
            TurnedAway::ServiceUnavailable => "service_unavailable",
            TurnedAway::NotValid => "not_valid",
            TurnedAway::NotRegistered => "not_registered",
            TurnedAway::Unfinished => "unfinished",
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
    /// Booked at another centre (not simulated): registers there.
    BookedElsewhere,
    NoShow,
    /// Cancelled their booking (or gave up changing it) and does not come.
    Cancelled,
    /// Inside the centre, in some stage's queue or service.
    InCentre,
    /// Gave up waiting in a queue (and may come back another day).
    Abandoned,
    /// Waiting outside until the check-in window opens.
    WaitingOutside,
    Served,
    /// Collected the new card: it is active, the old one cancelled.
    Collected,
    /// Their collection went to the officers (out of visits, or a card a kiosk must not hand
    /// over; outside what the simulation follows): they may have finished an activation the
    /// kiosk began.
    WithOfficers,
    Left(TurnedAway),
}

/// Everything random about a resident. Everything is drawn at once, whether or not the
/// resident gets that far, so the draws never depend on what the system did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Profile {
    /// How long before the start of their preferred day they ask for an appointment.
    pub book_ahead: SimDuration,
    /// If that would be before booking opens: how soon after opening they ask.
    pub surge_delay: SimDuration,
    /// Index of the preferred day among the centre's open days.
    pub preferred_day: u16,
    pub preferred: TimeOfDay,
    pub no_show: bool,
    pub before_slot: SimDuration,
    pub late: bool,
    pub lateness: SimDuration,
    /// Whether they come as a walk-in when they could not book.
    pub walk_in_if_unbooked: bool,
    /// For walk-ins: when they arrive, as the time after the walk-in hours begin.
    pub walk_in_after: SimDuration,
    pub tag_service: SimDuration,
    pub registration_service: SimDuration,
    pub photo_service: SimDuration,
    pub born: Date,
    /// How long they wait in one queue before giving up.
    pub patience: SimDuration,
    /// Whether, having given up, they come back on the next open day.
    pub returns: bool,
    pub needs_assistance: bool,
    /// Companions aged 65 or over who come along (appointment holders only).
    pub companions: u8,
    /// Whether, once booked, they fill in the e-form in the app.
    pub fills_eform: bool,
    /// What they later do with their booking, and how long after booking.
    pub change: BookingChange,
    pub change_after: SimDuration,
}

/// A change a booked resident makes to their booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookingChange {
    Keep,
    /// Move it to the next open day.
    Reschedule,
    Cancel,
}

/// One draw, for the determinism tests: which resident, which purpose, what value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Draw {
    pub resident: u32,
    pub purpose: &'static str,
    pub value: u64,
}

/// Draws from one resident's stream and remembers them when asked to.
struct Drawing<'a> {
    resident: u32,
    stream: Stream,
    log: Option<&'a mut Vec<Draw>>,
}

impl Drawing<'_> {
    fn note(&mut self, purpose: &'static str, value: u64) {
        if let Some(log) = self.log.as_deref_mut() {
            log.push(Draw {
                resident: self.resident,
                purpose,
                value,
            });
        }
    }

    fn duration(&mut self, purpose: &'static str, dist: &DurationDist) -> SimDuration {
        let value = dist.sample(&mut self.stream);
        self.note(purpose, value.as_nanos());
        value
    }

    fn chance(&mut self, purpose: &'static str, probability: f64) -> bool {
        let value = bernoulli(&mut self.stream, probability);
        self.note(purpose, u64::from(value));
        value
    }

    fn index(&mut self, purpose: &'static str, count: usize) -> u16 {
        let value = self.stream.random_range(0..count.max(1)) as u16;
        self.note(purpose, u64::from(value));
        value
    }
}

impl Profile {
    pub fn draw(
        config: &Config,
        ages: &AgeModel,
        streams: &Streams,
        resident: u32,
        log: Option<&mut Vec<Draw>>,
    ) -> Profile {
        let stream = streams.stream(labels::resident_profile(resident));
        let mut draw = Drawing {
            resident,
            stream,
            log,
        };
        let booking = &config.booking;
        let residents = &config.residents;
        let walk_in_span = DurationDist::uniform(
            SimDuration::ZERO,
            residents
                .walk_in_until
                .since_midnight()
                .saturating_sub(residents.walk_in_from.since_midnight()),
        )
        .expect("validated hours");
        let services = &config.service_times;
        Profile {
            book_ahead: draw.duration("book_ahead", &booking.book_ahead),
            surge_delay: draw.duration("surge_delay", &booking.opening_surge),
            preferred_day: draw.index("preferred_day", config.centre.registration_days),
            preferred: time_of_day(draw.duration("preferred_time", &booking.preferred_time)),
            no_show: draw.chance("no_show", residents.no_show_probability),
            before_slot: draw.duration("before_slot", &residents.arrival_before_slot),
            late: draw.chance("late", residents.late_probability),
            lateness: draw.duration("lateness", &residents.lateness),
            walk_in_if_unbooked: draw.chance("walk_in_if_unbooked", booking.walk_in_if_unbooked),
            walk_in_after: draw.duration("walk_in_after", &walk_in_span),
            tag_service: draw.duration("tag_service", &services.tag_kiosk),
            registration_service: draw
                .duration("registration_service", &services.registration_kiosk),
            photo_service: draw.duration("photo_service", &services.photo_counter),
            born: {
                let born = draw_date_of_birth(ages, &mut draw.stream);
                draw.note("born", born.days_since_epoch() as u64);
                born
            },
            patience: draw.duration("patience", &residents.patience),
            returns: draw.chance("returns", residents.return_probability),
            needs_assistance: false,
            companions: 0,
            fills_eform: false,
            change: BookingChange::Keep,
            change_after: SimDuration::ZERO,
        }
        .with_needs(config, &mut draw)
    }

    /// Draws what depends on age: assistance, and the companions a holder brings.
    fn with_needs(mut self, config: &Config, draw: &mut Drawing<'_>) -> Profile {
        let residents = &config.residents;
        let elderly = age_on(self.born, config.centre.first_day) >= 65;
        let assistance = if elderly {
            residents.assistance_65_or_over
        } else {
            residents.assistance_under_65
        };
        self.needs_assistance = draw.chance("needs_assistance", assistance);
        let first = draw.chance("companion", residents.companion_probability);
        let second = draw.chance("second_companion", residents.second_companion_probability);
        self.companions = u8::from(first) * (1 + u8::from(second));
        self.fills_eform = draw.chance("eform", residents.eform_probability);
        let booking = &config.booking;
        let reschedules = draw.chance("reschedule", booking.reschedule_probability);
        let cancels = draw.chance("cancel", booking.cancel_probability);
        self.change = match (cancels, reschedules) {
            (true, _) => BookingChange::Cancel,
            (false, true) => BookingChange::Reschedule,
            (false, false) => BookingChange::Keep,
        };
        self.change_after = draw.duration("change_after", &booking.change_after);
        self
    }

    /// A stage's work for this resident: the drawn time, longer for those needing assistance.
    pub fn work(&self, base: SimDuration, assistance_factor: f64) -> SimDuration {
        if self.needs_assistance {
            SimDuration::from_secs_f64(base.as_secs_f64() * assistance_factor)
        } else {
            base
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
    /// The day they intend to come (their booking's day, or the day they walk in).
    pub day: Date,
    /// Later days tried after their preferred day was full.
    pub day_tries: u8,
    /// The centre they are booking at (`CentreId`): 0, the simulated one, until they fall
    /// back to another.
    pub centre: u8,
    pub slot_start: SimTime,
    pub booked_at: SimTime,
    /// When the resident first entered the centre.
    pub arrived: SimTime,
    pub tag_visits: u8,
    /// An appointment holder who came too late and is now asking for a walk-in ticket.
    pub late_walk_in: bool,
    /// For a holder, the first of their companions (they are numbered consecutively); for a
    /// companion, their holder.
    pub linked: u32,
    /// The e-form the booking service stored for them (what their QR code holds).
    pub eform: Option<EFormQr>,
    /// Device operations so far (each draws from its own stream).
    pub operations: u32,
    /// Visits to a photo counter on this trip to the centre.
    pub counter_visits: u8,
    /// Attempts at changing their booking that got no answer.
    pub change_tries: u8,
    /// The slip of their accepted application (what the collection kiosk scans).
    pub acknowledgement: Option<AcknowledgementReference>,
    /// Visits to collect the new card so far.
    pub collect_visits: u8,
}

impl Resident {
    pub fn new(kind: Kind, profile: Profile, day: Date) -> Resident {
        Resident {
            kind,
            phase: Phase::Away,
            profile,
            booking: None,
            day,
            day_tries: 0,
            centre: 0,
            slot_start: SimTime::EPOCH,
            booked_at: SimTime::EPOCH,
            arrived: SimTime::EPOCH,
            tag_visits: 0,
            late_walk_in: false,
            linked: u32::MAX,
            eform: None,
            operations: 0,
            counter_visits: 0,
            change_tries: 0,
            acknowledgement: None,
            collect_visits: 0,
        }
    }
}
