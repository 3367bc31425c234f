//! Semantic checks that turn a decoded scenario into a [`Config`]: capacities, ordering of
//! times, probabilities, calendar coverage. Each failure names the field and the value.

use hkic_base::{Calendar, Date, DurationDist, EmpiricalEntry, SimDuration, SimTime};
use hkic_kernel::{FaultKind, Limits, PartitionMode};
use hkic_services::booking::CentreTimetable;
use hkic_services::rpc::RetryPolicy;

use super::schema::{BornSpec, PartitionModeSpec, ScheduledFaultSpec, ServiceHostSpec};
use super::values::DistSpec;
use super::{Fidelity, LoadedProfile, Scenario, ScenarioError, blame_override, embedded};
use crate::config::{
    BookingPhaseConfig, CentreConfig, Config, CrashTarget, DiskTimes, FaultsConfig, LinkName,
    ResidentConfig, ScheduledFault, ServiceTimes,
};
use crate::population::AgeModel;

/// Checks one scenario field at a time; the first problem is returned.
pub(super) struct Check<'a> {
    pub(super) source_name: &'a str,
}

impl Check<'_> {
    pub(super) fn fail<T>(
        &self,
        path: &str,
        problem: impl Into<String>,
    ) -> Result<T, ScenarioError> {
        Err(ScenarioError::field(self.source_name, path, problem))
    }

    pub(super) fn count(
        &self,
        path: &str,
        value: u32,
        min: u32,
        max: u32,
    ) -> Result<u32, ScenarioError> {
        if value < min || value > max {
            return self.fail(path, format!("expected {min} to {max}, got {value}"));
        }
        Ok(value)
    }

    pub(super) fn probability(&self, path: &str, value: f64) -> Result<f64, ScenarioError> {
        if !(value.is_finite() && (0.0..=1.0).contains(&value)) {
            return self.fail(
                path,
                format!("expected a probability from 0 to 1, got {value}"),
            );
        }
        Ok(value)
    }

    pub(super) fn dist(&self, path: &str, spec: &DistSpec) -> Result<DurationDist, ScenarioError> {
        spec.build()
            .or_else(|error| self.fail(path, error.to_string()))
    }

    pub(super) fn positive(
        &self,
        path: &str,
        value: SimDuration,
    ) -> Result<SimDuration, ScenarioError> {
        if value.is_zero() {
            return self.fail(path, "expected a duration more than zero, got 0s");
        }
        Ok(value)
    }

    pub(super) fn covered(
        &self,
        calendar: &Calendar,
        path: &str,
        date: Date,
    ) -> Result<Date, ScenarioError> {
        if !calendar.covers(date) {
            let (first, last) = (calendar.first(), calendar.last());
            return self.fail(
                path,
                format!("{date} is outside the holiday calendar ({first} to {last})"),
            );
        }
        Ok(date)
    }
}

/// Turns a scenario and a fault profile into a checked configuration.
pub fn build_config(
    scenario: &Scenario,
    profile: LoadedProfile,
    fidelity: Option<Fidelity>,
) -> Result<Config, ScenarioError> {
    check_all(scenario, profile, fidelity)
        .map_err(|error| blame_override(error, &scenario.overrides))
}

fn check_all(
    scenario: &Scenario,
    profile: LoadedProfile,
    fidelity: Option<Fidelity>,
) -> Result<Config, ScenarioError> {
    let check = Check {
        source_name: &scenario.source_name,
    };
    let file = &scenario.file;
    if file.name.trim().is_empty() {
        return check.fail("name", "expected a non-empty name");
    }
    let fidelity = fidelity.unwrap_or(file.fidelity);
    let calendar = calendar(&check, &file.holidays)?;
    let centre = centre(&check, scenario, &calendar)?;
    let booking = booking(&check, scenario, &calendar, &centre)?;
    let residents = residents(&check, scenario, &centre)?;
    let service_times = ServiceTimes {
        tag_kiosk: check.dist("service_times.tag_kiosk", &file.service_times.tag_kiosk)?,
        registration_kiosk: check.dist(
            "service_times.registration_kiosk",
            &file.service_times.registration_kiosk,
        )?,
        photo_counter: check.dist(
            "service_times.photo_counter",
            &file.service_times.photo_counter,
        )?,
    };
    let retry = retry(&check, scenario)?;
    let limits = Limits {
        until: file.limits.until.0,
        max_steps: file.limits.max_events,
    };
    if limits.max_steps == 0 {
        return check.fail("limits.max_events", "expected at least 1, got 0");
    }
    if limits.until <= centre.last_closing() {
        return check.fail(
            "limits.until",
            format!(
                "{} is not after the centre closes on its last day ({})",
                limits.until,
                centre.last_closing()
            ),
        );
    }
    let faults = faults(&check, scenario, profile, &limits, booking.opens)?;
    let interval = file.report.queue_sample_interval.0;
    if interval < SimDuration::from_minutes(1) {
        return check.fail(
            "report.queue_sample_interval",
            format!("expected at least 1min, got {interval}"),
        );
    }
    let start = faults
        .windows
        .first()
        .map_or(booking.opens, |&(from, _)| booking.opens.min(from));
    Ok(Config {
        name: file.name.clone(),
        fidelity,
        calendar,
        centre,
        booking,
        residents,
        service_times,
        devices: super::validate_devices::devices(&check, &file.devices)?,
        public_latency: check.dist(
            "network.public_to_central.latency",
            &file.network.public_to_central.latency,
        )?,
        centre_latency: check.dist(
            "network.centre_to_central.latency",
            &file.network.centre_to_central.latency,
        )?,
        booking_disk: disk_times(&check, "services.booking", &file.services.booking)?,
        registry_disk: disk_times(&check, "services.registry", &file.services.registry)?,
        production_disk: disk_times(&check, "services.production", &file.services.production)?,
        production: super::validate_devices::production(&check, &file.production)?,
        collection: super::validate_devices::collection(&check, &file.collection)?,
        registration_disk: disk_times(
            &check,
            "services.registration",
            &file.services.registration,
        )?,
        retry,
        faults,
        limits,
        queue_sample_interval: interval,
        start,
    })
}

/// Parses an embedded `date,name` holiday list into a calendar covering its whole years.
fn calendar(check: &Check<'_>, name: &str) -> Result<Calendar, ScenarioError> {
    let Some(text) = embedded::holidays(name) else {
        let known = embedded::names(embedded::HOLIDAYS);
        return check.fail(
            "holidays",
            format!("no embedded holiday list {name:?} (known: {known})"),
        );
    };
    let mut dates = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        let field = line.split(',').next().unwrap_or_default();
        match field.parse::<Date>() {
            Ok(date) => dates.push(date),
            Err(error) => {
                return check.fail("holidays", format!("{name}, line {}: {error}", index + 1));
            }
        }
    }
    let (Some(first), Some(last)) = (dates.iter().min(), dates.iter().max()) else {
        return check.fail("holidays", format!("{name} lists no holidays"));
    };
    let first = Date::from_ymd(first.year(), 1, 1).expect("1 January exists");
    let last = Date::from_ymd(last.year(), 12, 31).expect("31 December exists");
    Calendar::new(first, last, dates).or_else(|error| check.fail("holidays", error.to_string()))
}

const MAX_SERVERS: u32 = 1_000;
/// A centre scenario covers at most about four years (the replacement exercise's length).
const MAX_PERIOD_DAYS: i32 = 4 * 366;

fn open_days(calendar: &Calendar, first: Date, last: Date) -> Vec<Date> {
    let mut days = Vec::new();
    let mut day = first;
    while day <= last {
        if calendar.is_centre_open_day(day) {
            days.push(day);
        }
        day = day.next();
    }
    days
}

fn centre(
    check: &Check<'_>,
    scenario: &Scenario,
    calendar: &Calendar,
) -> Result<CentreConfig, ScenarioError> {
    let spec = &scenario.file.centre;
    let first_day = check.covered(calendar, "centre.first_day", spec.first_day.0)?;
    let last_day = check.covered(calendar, "centre.last_day", spec.last_day.0)?;
    if last_day < first_day {
        return check.fail(
            "centre.last_day",
            format!("{last_day} is before the first day ({first_day})"),
        );
    }
    if last_day.days_since(first_day) > MAX_PERIOD_DAYS {
        return check.fail(
            "centre.last_day",
            format!("the period is longer than {MAX_PERIOD_DAYS} days"),
        );
    }
    let open_days = open_days(calendar, first_day, last_day);
    if open_days.is_empty() {
        let why = if calendar.is_holiday(first_day) {
            "a general holiday"
        } else {
            "a Sunday"
        };
        return check.fail(
            "centre.first_day",
            format!("{first_day} is {why} and the period has no other day: replacement centres are closed"),
        );
    }
    let registration_until = spec.registration_until.0;
    if registration_until < first_day || registration_until > last_day {
        return check.fail(
            "centre.registration_until",
            format!("{registration_until} is outside the period ({first_day} to {last_day})"),
        );
    }
    let registration_days = open_days
        .iter()
        .filter(|&&day| day <= registration_until)
        .count();
    if registration_days == 0 {
        return check.fail(
            "centre.registration_until",
            format!("no open day from {first_day} to {registration_until} offers registration"),
        );
    }
    let (opening, closing) = (spec.opening.0, spec.closing.0);
    if closing <= opening {
        return check.fail(
            "centre.closing",
            format!("closing ({closing}) must be after opening ({opening})"),
        );
    }
    let slot_length = check.positive("centre.slot_length", spec.slot_length.0)?;
    let open_for = closing
        .since_midnight()
        .saturating_sub(opening.since_midnight());
    if slot_length > open_for {
        return check.fail(
            "centre.slot_length",
            format!("{slot_length} is longer than the opening hours ({open_for})"),
        );
    }
    let timetable = CentreTimetable {
        opening,
        closing,
        slot_length,
        slot_quota: check.count("centre.slot_quota", spec.slot_quota, 1, u32::from(u16::MAX))?
            as u16,
        walk_in_quota: check.count(
            "centre.walk_in_quota",
            spec.walk_in_quota,
            0,
            u32::from(u16::MAX),
        )? as u16,
    };
    let twelve_hours = SimDuration::from_hours(12);
    for (path, value) in [
        ("centre.check_in.early", spec.check_in.early.0),
        ("centre.check_in.late", spec.check_in.late.0),
    ] {
        if value > twelve_hours {
            return check.fail(path, format!("expected at most 12h, got {value}"));
        }
    }
    Ok(CentreConfig {
        name: spec.name.clone(),
        first_day,
        last_day,
        open_days,
        registration_until,
        registration_days,
        opening,
        closing,
        tag_kiosks: check.count("centre.tag_kiosks", spec.tag_kiosks, 1, MAX_SERVERS)? as u16,
        registration_kiosks: check.count(
            "centre.registration_kiosks",
            spec.registration_kiosks,
            1,
            MAX_SERVERS,
        )? as u16,
        photo_counters: check.count("centre.photo_counters", spec.photo_counters, 1, MAX_SERVERS)?
            as u16,
        collection_kiosks: check.count(
            "centre.collection_kiosks",
            spec.collection_kiosks,
            1,
            MAX_SERVERS,
        )? as u16,
        timetable,
        check_in_early: spec.check_in.early.0,
        check_in_late: spec.check_in.late.0,
    })
}

fn booking(
    check: &Check<'_>,
    scenario: &Scenario,
    calendar: &Calendar,
    centre: &CentreConfig,
) -> Result<BookingPhaseConfig, ScenarioError> {
    let spec = &scenario.file.booking;
    let horizon = check.count(
        "booking.horizon_working_days",
        spec.horizon_working_days,
        1,
        250,
    )?;
    let (call_up, opens) =
        super::validate_call_up::call_up(check, &spec.call_up, calendar, centre, horizon)?;
    if calendar
        .add_working_days(centre.last_day, horizon)
        .is_none()
    {
        return check.fail(
            "centre.last_day",
            format!(
                "the booking horizon from {} runs past the holiday calendar ({})",
                centre.last_day,
                calendar.last()
            ),
        );
    }
    let requests = check.count("booking.requests", spec.requests, 0, 10_000_000)?;
    if spec.preferred_times.is_empty() {
        return check.fail(
            "booking.preferred_times",
            "expected at least one preferred time",
        );
    }
    let mut entries = Vec::with_capacity(spec.preferred_times.len());
    for (index, preferred) in spec.preferred_times.iter().enumerate() {
        let time = preferred.time.0;
        if time < centre.timetable.opening || time >= centre.timetable.closing {
            return check.fail(
                &format!("booking.preferred_times[{index}].time"),
                format!("{time} is outside opening hours"),
            );
        }
        entries.push(EmpiricalEntry {
            value: time.since_midnight(),
            weight: preferred.weight,
        });
    }
    let preferred_time = DurationDist::empirical(entries)
        .or_else(|error| check.fail("booking.preferred_times", error.to_string()))?;
    Ok(BookingPhaseConfig {
        opens,
        call_up,
        requests,
        book_ahead: check.dist("booking.book_ahead", &spec.book_ahead)?,
        opening_surge: check.dist("booking.opening_surge", &spec.opening_surge)?,
        preferred_time,
        horizon_working_days: horizon,
        next_day_tries: check.count("booking.next_day_tries", spec.next_day_tries, 0, 30)?,
        walk_in_if_unbooked: check
            .probability("booking.walk_in_if_unbooked", spec.walk_in_if_unbooked)?,
        reschedule_probability: check
            .probability("booking.changes.reschedule", spec.changes.reschedule)?,
        cancel_probability: check.probability("booking.changes.cancel", spec.changes.cancel)?,
        change_after: check.dist("booking.changes.after", &spec.changes.after)?,
        other_centres: super::validate_other_centres::other_centres(
            check,
            &spec.other_centres,
            &centre.timetable,
        )?,
    })
}

fn residents(
    check: &Check<'_>,
    scenario: &Scenario,
    centre: &CentreConfig,
) -> Result<ResidentConfig, ScenarioError> {
    let spec = &scenario.file.residents;
    let walk_ins = spec.walk_ins_per_day;
    if !(walk_ins.is_finite() && (0.0..=1_000_000.0).contains(&walk_ins)) {
        return check.fail(
            "residents.walk_ins_per_day",
            format!("expected 0 to 1000000, got {walk_ins}"),
        );
    }
    let (from, until) = (spec.walk_in_hours.from.0, spec.walk_in_hours.until.0);
    if until <= from || from < centre.timetable.opening || until > centre.timetable.closing {
        return check.fail(
            "residents.walk_in_hours",
            format!(
                "expected hours within opening hours, from before until; got {from} to {until}"
            ),
        );
    }
    Ok(ResidentConfig {
        no_show_probability: check
            .probability("residents.no_show_probability", spec.no_show_probability)?,
        arrival_before_slot: check
            .dist("residents.arrival_before_slot", &spec.arrival_before_slot)?,
        late_probability: check.probability("residents.late_probability", spec.late_probability)?,
        lateness: check.dist("residents.lateness", &spec.lateness)?,
        walk_ins_per_day: walk_ins,
        walk_in_from: from,
        walk_in_until: until,
        patience: check.dist("residents.patience", &spec.patience)?,
        return_probability: check
            .probability("residents.return_probability", spec.return_probability)?,
        ages: ages(check, &spec.born)?,
        assistance_under_65: check
            .probability("residents.assistance.under_65", spec.assistance.under_65)?,
        assistance_65_or_over: check.probability(
            "residents.assistance.aged_65_or_over",
            spec.assistance.aged_65_or_over,
        )?,
        assistance_service_factor: factor(
            check,
            "residents.assistance.service_factor",
            spec.assistance.service_factor,
        )?,
        companion_probability: check.probability(
            "residents.companions.probability",
            spec.companions.probability,
        )?,
        second_companion_probability: check
            .probability("residents.companions.second", spec.companions.second)?,
        eform_probability: check.probability("residents.eform", spec.eform)?,
    })
}

fn ages(check: &Check<'_>, born: &BornSpec) -> Result<AgeModel, ScenarioError> {
    for (path, year) in [
        ("residents.born.from", born.from),
        ("residents.born.until", born.until),
    ] {
        if !(1900..=2100).contains(&year) {
            return check.fail(
                path,
                format!("expected a year from 1900 to 2100, got {year}"),
            );
        }
    }
    if born.until < born.from {
        return check.fail(
            "residents.born.until",
            format!("{} is before {}", born.until, born.from),
        );
    }
    Ok(AgeModel::Cohort {
        first_year: born.from,
        last_year: born.until,
        others: check.probability("residents.born.others", born.others)?,
    })
}

fn disk_times(
    check: &Check<'_>,
    path: &str,
    spec: &ServiceHostSpec,
) -> Result<DiskTimes, ScenarioError> {
    Ok(DiskTimes {
        sync: check.dist(&format!("{path}.disk_sync"), &spec.disk_sync)?,
        read: check.dist(&format!("{path}.disk_read"), &spec.disk_read)?,
    })
}

/// A multiplier from 1 to 10.
fn factor(check: &Check<'_>, path: &str, value: f64) -> Result<f64, ScenarioError> {
    if !(value.is_finite() && (1.0..=10.0).contains(&value)) {
        return check.fail(path, format!("expected a factor from 1 to 10, got {value}"));
    }
    Ok(value)
}

fn retry(check: &Check<'_>, scenario: &Scenario) -> Result<RetryPolicy, ScenarioError> {
    let spec = &scenario.file.terminals.retry;
    let policy = RetryPolicy {
        timeout: check.positive("terminals.retry.timeout", spec.timeout.0)?,
        backoff_initial: check
            .positive("terminals.retry.backoff_initial", spec.backoff_initial.0)?,
        backoff_max: spec.backoff_max.0,
        give_up_after: check.positive("terminals.retry.give_up_after", spec.give_up_after.0)?,
    };
    if policy.backoff_max < policy.backoff_initial {
        return check.fail(
            "terminals.retry.backoff_max",
            format!(
                "{} is less than backoff_initial ({})",
                policy.backoff_max, policy.backoff_initial
            ),
        );
    }
    Ok(policy)
}

fn faults(
    check: &Check<'_>,
    scenario: &Scenario,
    profile: LoadedProfile,
    limits: &Limits,
    booking_opens: SimTime,
) -> Result<FaultsConfig, ScenarioError> {
    let spec = &scenario.file.faults;
    let mut windows = Vec::with_capacity(spec.windows.len());
    for (index, window) in spec.windows.iter().enumerate() {
        let (from, until) = (window.from.0, window.until.0);
        if until <= from || until > limits.until {
            let path = format!("faults.windows[{index}]");
            return check.fail(
                &path,
                format!("expected from before until, within the run; got {from} to {until}"),
            );
        }
        if windows
            .last()
            .is_some_and(|&(_, previous_until)| from < previous_until)
        {
            let path = format!("faults.windows[{index}].from");
            return check.fail(
                &path,
                format!("{from} overlaps or precedes the window before it"),
            );
        }
        windows.push((from, until));
    }
    let start = windows
        .first()
        .map_or(booking_opens, |&(from, _)| booking_opens.min(from));
    let crash_target =
        |path: &str, name: &str| match CrashTarget::ALL.into_iter().find(|t| t.name() == name) {
            Some(target) => Ok(target),
            None => check.fail(path, format!("no crashable node {name:?} (known: booking)")),
        };
    let link = |path: &str, name: &str| match LinkName::ALL.into_iter().find(|l| l.name() == name) {
        Some(link) => Ok(link),
        None => check.fail(
            path,
            format!("no link {name:?} (known: public-central, centre-central)"),
        ),
    };
    let crash_nodes = (spec.crash_nodes.iter().enumerate())
        .map(|(index, name)| crash_target(&format!("faults.crash_nodes[{index}]"), name))
        .collect::<Result<Vec<_>, _>>()?;
    let partition_links = (spec.partition_links.iter().enumerate())
        .map(|(index, name)| link(&format!("faults.partition_links[{index}]"), name))
        .collect::<Result<Vec<_>, _>>()?;
    let strikes = |kind| {
        let spec = profile.profile.spec(kind);
        spec.rate > 0.0 || spec.minimum > 0
    };
    if crash_nodes.is_empty() && strikes(FaultKind::Crash) {
        return check.fail(
            "faults.crash_nodes",
            format!(
                "the {} profile crashes nodes, but none is listed",
                profile.name
            ),
        );
    }
    if partition_links.is_empty() && strikes(FaultKind::Partition) {
        return check.fail(
            "faults.partition_links",
            format!(
                "the {} profile partitions links, but none is listed",
                profile.name
            ),
        );
    }
    let mut scheduled = Vec::with_capacity(spec.scheduled.len());
    for (index, fault) in spec.scheduled.iter().enumerate() {
        let path = format!("faults.scheduled[{index}]");
        let fault = match fault {
            ScheduledFaultSpec::Partition {
                at,
                link: name,
                lasting,
                mode,
            } => ScheduledFault::Partition {
                at: at.0,
                link: link(&format!("{path}.link"), name)?,
                lasting: check.positive(&format!("{path}.lasting"), lasting.0)?,
                mode: match mode {
                    PartitionModeSpec::Drop => PartitionMode::Drop,
                    PartitionModeSpec::Hold => PartitionMode::Hold,
                },
            },
            ScheduledFaultSpec::Crash { at, node, down_for } => ScheduledFault::Crash {
                at: at.0,
                node: crash_target(&format!("{path}.node"), node)?,
                down_for: check.positive(&format!("{path}.down_for"), down_for.0)?,
            },
        };
        let at = match fault {
            ScheduledFault::Partition { at, .. } | ScheduledFault::Crash { at, .. } => at,
        };
        if at < start || at >= limits.until {
            return check.fail(
                &format!("{path}.at"),
                format!("{at} is outside the run ({start} to {})", limits.until),
            );
        }
        scheduled.push(fault);
    }
    Ok(FaultsConfig {
        profile,
        windows,
        crash_nodes,
        partition_links,
        scheduled,
    })
}
