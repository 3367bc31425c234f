//! Which days Hong Kong's public offices work.
//!
//! Two notions, as the government counts them:
//! - a **centre open day** is Monday to Saturday except general holidays (the replacement
//!   centres opened six days a week);
//! - a **working day** is Monday to Friday except general holidays; booking horizons
//!   ("up to 24 working days ahead") and production lead times ("about 10 working days")
//!   are counted in working days.
//!
//! Holidays are data (a list of dates) with a coverage range: asking about a day outside the
//! range is a caller bug, because nobody knows whether it is a holiday. Scenario validation
//! checks a run's dates against [`Calendar::covers`] before anything runs.

use crate::{Date, Weekday};

#[derive(Clone, Debug)]
pub struct Calendar {
    first: Date,
    /// One flag per day from `first`, true on general holidays.
    holiday: Vec<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("coverage ends ({last}) before it starts ({first})")]
    EmptyCoverage { first: Date, last: Date },
    #[error("holiday {date} is outside the calendar's coverage {first} to {last}")]
    HolidayOutsideCoverage { date: Date, first: Date, last: Date },
}

impl Calendar {
    /// A calendar that knows the holidays from `first` to `last` inclusive.
    pub fn new(
        first: Date,
        last: Date,
        holidays: impl IntoIterator<Item = Date>,
    ) -> Result<Calendar, CalendarError> {
        if last < first {
            return Err(CalendarError::EmptyCoverage { first, last });
        }
        let mut holiday = vec![false; last.days_since(first) as usize + 1];
        for date in holidays {
            if date < first || date > last {
                return Err(CalendarError::HolidayOutsideCoverage { date, first, last });
            }
            holiday[date.days_since(first) as usize] = true;
        }
        Ok(Calendar { first, holiday })
    }

    pub fn first(&self) -> Date {
        self.first
    }

    pub fn last(&self) -> Date {
        self.first.add_days(self.holiday.len() as i32 - 1)
    }

    pub fn covers(&self, date: Date) -> bool {
        date >= self.first && date <= self.last()
    }

    /// Whether `date` is a general holiday. `date` must be covered.
    pub fn is_holiday(&self, date: Date) -> bool {
        assert!(
            self.covers(date),
            "{date} is outside the calendar ({} to {})",
            self.first,
            self.last()
        );
        self.holiday[date.days_since(self.first) as usize]
    }

    /// Monday to Saturday, not a general holiday.
    pub fn is_centre_open_day(&self, date: Date) -> bool {
        date.weekday() != Weekday::Sunday && !self.is_holiday(date)
    }

    /// Monday to Friday, not a general holiday.
    pub fn is_working_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.is_holiday(date)
    }

    /// The `count`-th working day after `date` (`date` itself is not counted), or `None` if
    /// the answer lies beyond the calendar's coverage.
    pub fn add_working_days(&self, date: Date, count: u32) -> Option<Date> {
        let mut day = date;
        let mut remaining = count;
        while remaining > 0 {
            day = day.next();
            if !self.covers(day) {
                return None;
            }
            if self.is_working_day(day) {
                remaining -= 1;
            }
        }
        Some(day)
    }

    /// The earliest day `d` from which `date` is at most `count` working days ahead
    /// (`working_days_between(d, date) <= count`): the first day a booking horizon of `count`
    /// working days reaches `date`. `None` if that lies before the calendar's coverage.
    pub fn working_days_before(&self, date: Date, count: u32) -> Option<Date> {
        let mut day = date;
        let mut counted = 0;
        loop {
            let adds = u32::from(self.covers(day) && self.is_working_day(day));
            if counted + adds > count {
                return Some(day);
            }
            counted += adds;
            day = day.previous();
            if !self.covers(day) {
                return None;
            }
        }
    }

    /// Working days in `(from, to]`: zero when `to` is not after `from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut count = 0;
        let mut day = from;
        while day < to {
            day = day.next();
            count += u32::from(self.is_working_day(day));
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn calendar() -> Calendar {
        // Chinese New Year 2019: 5, 6 and 7 February.
        let holidays = ["2019-01-01", "2019-02-05", "2019-02-06", "2019-02-07"].map(date);
        Calendar::new(date("2019-01-01"), date("2019-12-31"), holidays).unwrap()
    }

    #[test]
    fn centres_open_saturdays_but_saturdays_are_not_working_days() {
        let calendar = calendar();
        let saturday = date("2019-01-26");
        assert!(calendar.is_centre_open_day(saturday));
        assert!(!calendar.is_working_day(saturday));
        assert!(!calendar.is_centre_open_day(date("2019-01-27")));
        assert!(!calendar.is_centre_open_day(date("2019-02-05")));
        assert!(calendar.is_working_day(date("2019-02-08")));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let calendar = calendar();
        // Friday 1 Feb + 1 working day: Mon 4 Feb; + 2: Fri 8 Feb (5-7 Feb are holidays).
        assert_eq!(
            calendar.add_working_days(date("2019-02-01"), 1),
            Some(date("2019-02-04"))
        );
        assert_eq!(
            calendar.add_working_days(date("2019-02-01"), 2),
            Some(date("2019-02-08"))
        );
        assert_eq!(
            calendar.working_days_between(date("2019-02-01"), date("2019-02-08")),
            2
        );
        assert_eq!(calendar.add_working_days(date("2019-12-30"), 5), None);
    }

    #[test]
    fn a_horizon_reaches_a_day_from_the_earliest_day_within_it() {
        let calendar = calendar();
        let monday = date("2019-02-11");
        for count in 0..30 {
            let Some(earliest) = calendar.working_days_before(monday, count) else {
                continue;
            };
            assert!(calendar.working_days_between(earliest, monday) <= count);
            assert!(
                calendar.working_days_between(earliest.previous(), monday) > count,
                "{count}"
            );
        }
        // Monday 11 Feb, one working day ahead: from Friday 8 Feb.
        assert_eq!(
            calendar.working_days_before(monday, 1),
            Some(date("2019-02-08"))
        );
        assert_eq!(calendar.working_days_before(date("2019-01-03"), 24), None);
    }

    #[test]
    fn rejects_holidays_outside_coverage() {
        let result = Calendar::new(date("2019-01-01"), date("2019-12-31"), [date("2020-01-01")]);
        assert!(matches!(
            result,
            Err(CalendarError::HolidayOutsideCoverage { .. })
        ));
    }
}
