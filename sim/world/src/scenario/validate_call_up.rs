//! Checks the scenario's call-up schedule (`booking.call_up`) and turns it into the booking
//! service's [`CallUpSchedule`]; each failure names the group and the field.

use hkic_base::{Calendar, SimDuration, SimTime};
use hkic_services::booking::{CallUpError, CallUpGroup, CallUpSchedule};

use super::ScenarioError;
use super::schema::CallUpSpec;
use super::validate::Check;
use crate::config::CentreConfig;

/// At most this many groups (the real exercise had about 25).
const MAX_GROUPS: usize = 64;
/// Booking opens at most a year before a window.
const MAX_OPENS_BEFORE: SimDuration = SimDuration::from_hours(365 * 24);

/// The schedule, and when booking first opens for a group called up within the period (the
/// run starts then; with no such group, when the centre first opens).
pub(super) fn call_up(
    check: &Check<'_>,
    spec: &CallUpSpec,
    calendar: &Calendar,
    centre: &CentreConfig,
    horizon: u32,
) -> Result<(CallUpSchedule, SimTime), ScenarioError> {
    let count = spec.groups.len();
    if !(1..=MAX_GROUPS).contains(&count) {
        let expected = format!("expected 1 to {MAX_GROUPS} groups, got {count}");
        return check.fail("booking.call_up.groups", expected);
    }
    let before = spec.booking_opens_before.0;
    if before > MAX_OPENS_BEFORE {
        let path = "booking.call_up.booking_opens_before";
        return check.fail(path, format!("expected at most 365d, got {before}"));
    }
    let mut groups = Vec::with_capacity(count);
    for index in 0..count {
        groups.push(group(check, spec, index, calendar, centre, horizon)?);
    }
    let schedule = CallUpSchedule::new(groups.clone(), spec.late_comers).or_else(|error| {
        let CallUpError::Overlap {
            first,
            second,
            year,
        } = error
        else {
            // Years and windows were checked one group at a time above.
            return check.fail("booking.call_up.groups", error.to_string());
        };
        let path = format!("booking.call_up.groups[{second}].born");
        check.fail(&path, format!("year {year} is also in groups[{first}]"))
    })?;
    let in_period = |group: &&CallUpGroup| {
        group.window_from <= centre.registration_until
            && (group.window_until >= centre.first_day || spec.late_comers)
    };
    let opens = groups
        .iter()
        .filter(in_period)
        .map(|group| group.booking_opens)
        .min()
        .unwrap_or_else(|| centre.opening_on(centre.open_days[0]));
    Ok((schedule, opens))
}

fn group(
    check: &Check<'_>,
    spec: &CallUpSpec,
    index: usize,
    calendar: &Calendar,
    centre: &CentreConfig,
    horizon: u32,
) -> Result<CallUpGroup, ScenarioError> {
    let path = format!("booking.call_up.groups[{index}]");
    let group = &spec.groups[index];
    let year = |field: &str, year: i32| match u16::try_from(year) {
        Ok(year) if (1900..=2100).contains(&year) => Ok(year),
        _ => check.fail(
            &format!("{path}.born.{field}"),
            format!("expected a year from 1900 to 2100, got {year}"),
        ),
    };
    let (born_from, born_until) = (
        year("from", group.born.from)?,
        year("until", group.born.until)?,
    );
    if born_until < born_from {
        let problem = format!("{born_until} is before {born_from}");
        return check.fail(&format!("{path}.born.until"), problem);
    }
    let window_from = check.covered(
        calendar,
        &format!("{path}.window.from"),
        group.window.from.0,
    )?;
    let window_until = check.covered(
        calendar,
        &format!("{path}.window.until"),
        group.window.until.0,
    )?;
    if window_until < window_from {
        let problem = format!("{window_until} is before {window_from}");
        return check.fail(&format!("{path}.window.until"), problem);
    }
    let first_opening = centre.opening_on(window_from);
    let booking_opens = SimTime::from_nanos(
        first_opening
            .as_nanos()
            .saturating_sub(spec.booking_opens_before.0.as_nanos()),
    );
    let opens_path = "booking.call_up.booking_opens_before";
    if !calendar.covers(booking_opens.date()) {
        let (first, last) = (calendar.first(), calendar.last());
        let problem = format!(
            "booking for groups[{index}] would open on {}, outside the holiday calendar ({first} to {last})",
            booking_opens.date()
        );
        return check.fail(opens_path, problem);
    }
    let ahead = calendar.working_days_between(booking_opens.date(), window_from);
    if ahead > horizon {
        let problem = format!(
            "booking for groups[{index}] opens {ahead} working days before its window ({window_from}), beyond the {horizon}-working-day horizon"
        );
        return check.fail(opens_path, problem);
    }
    Ok(CallUpGroup {
        born_from,
        born_until,
        window_from,
        window_until,
        booking_opens,
    })
}
