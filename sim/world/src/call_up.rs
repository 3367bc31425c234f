//! Residents and the call-up: a resident's group follows from their year of birth; they
//! prefer a day within their group's window and ask once booking for their group opens.
//! Nothing is stored per resident: the group is looked up from the year of birth.

use hkic_base::{Date, SimTime};

use crate::config::Config;
use crate::residents::Profile;

/// The year of birth a resident gives when booking.
pub(crate) fn born_year(profile: &Profile) -> u16 {
    u16::try_from(profile.born.year()).unwrap_or(0)
}

/// The registration days (indices into the open days) on which a resident's group may
/// register: a contiguous run, since a window is an interval (open-ended for late-comers).
fn window_days(config: &Config, born: u16) -> std::ops::Range<usize> {
    let days = &config.centre.open_days[..config.centre.registration_days];
    let call_up = &config.booking.call_up;
    let first = days.iter().position(|&day| call_up.covers(born, day));
    let Some(first) = first else {
        return 0..0;
    };
    let after = days[first..]
        .iter()
        .position(|&day| !call_up.covers(born, day))
        .map_or(days.len(), |count| first + count);
    first..after
}

/// The index of the day a resident prefers: the drawn index, spread over the days of their
/// window (so the draw itself never depends on the schedule). Residents with no day of
/// their window in the period keep the drawn day: they ask for it and are refused.
pub(crate) fn preferred_day(config: &Config, profile: &Profile) -> u16 {
    let window = window_days(config, born_year(profile));
    if window.is_empty() {
        return profile.preferred_day;
    }
    let drawn = usize::from(profile.preferred_day);
    let all = config.centre.registration_days.max(1);
    let index = window.start + drawn * window.len() / all;
    u16::try_from(index).expect("fewer than 65536 open days")
}

/// Whether a resident may register on `day` (for trying a later day, or moving to one).
/// The centre's next registration day after `after` on which the resident may register.
pub(crate) fn next_day_in_window(config: &Config, profile: &Profile, after: Date) -> Option<Date> {
    let day = config.centre.next_registration_day(after)?;
    may_register(config, profile, day).then_some(day)
}

pub(crate) fn may_register(config: &Config, profile: &Profile, day: Date) -> bool {
    config.booking.call_up.covers(born_year(profile), day)
}

/// When booking opens for the resident's group; for those in no group, when it first opens
/// for a group called up in the period (they try then, and are refused).
pub(crate) fn booking_opens(config: &Config, profile: &Profile) -> SimTime {
    config
        .booking
        .call_up
        .group_of(born_year(profile))
        .map_or(config.booking.opens, |group| group.booking_opens)
}
