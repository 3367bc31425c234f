//! Civil dates in Hong Kong (proleptic Gregorian).

use std::fmt;
use std::str::FromStr;

/// A calendar date, stored as days since 2000-01-01 (the simulator's epoch).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// Why a text or a triple is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("expected a date such as \"2019-01-21\" (year-month-day), got {0:?}")]
    Malformed(String),
    #[error("{0:?} is not a day of the calendar")]
    NoSuchDay(String),
}

/// Days from 1970-01-01 to 2000-01-01.
const EPOCH_FROM_UNIX_DAYS: i64 = 10_957;

impl Date {
    /// The simulator's epoch, 2000-01-01, a Saturday.
    pub const EPOCH: Date = Date(0);

    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if !(1900..=2500).contains(&year) {
            return None;
        }
        let days = days_from_civil(i64::from(year), month, day) - EPOCH_FROM_UNIX_DAYS;
        Some(Date(days as i32))
    }

    pub const fn from_days_since_epoch(days: i32) -> Date {
        Date(days)
    }

    pub const fn days_since_epoch(self) -> i32 {
        self.0
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(i64::from(self.0) + EPOCH_FROM_UNIX_DAYS)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    pub fn weekday(self) -> Weekday {
        // 2000-01-01 was a Saturday (index 5 from Monday).
        match (self.0 + 5).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    pub fn next(self) -> Date {
        Date(self.0 + 1)
    }

    pub fn previous(self) -> Date {
        Date(self.0 - 1)
    }

    pub fn add_days(self, days: i32) -> Date {
        Date(self.0 + days)
    }

    /// Whole days from `earlier` to `self` (negative if `self` is before `earlier`).
    pub fn days_since(self, earlier: Date) -> i32 {
        self.0 - earlier.0
    }
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        _ => 28,
    }
}

// Howard Hinnant's `days_from_civil` and `civil_from_days`: days relative to 1970-01-01.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Date, DateError> {
        let malformed = || DateError::Malformed(text.to_string());
        let mut parts = text.split('-');
        let (Some(year), Some(month), Some(day), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let digits =
            |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) || !digits(day, 2) {
            return Err(malformed());
        }
        let (year, month, day) = (
            year.parse().map_err(|_| malformed())?,
            month.parse().map_err(|_| malformed())?,
            day.parse().map_err(|_| malformed())?,
        );
        Date::from_ymd(year, month, day).ok_or_else(|| DateError::NoSuchDay(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_weekdays() {
        let cases = [
            ("2000-01-01", Weekday::Saturday),
            ("2018-12-27", Weekday::Thursday),
            ("2019-01-21", Weekday::Monday),
            ("2020-02-29", Weekday::Saturday),
            ("2023-03-03", Weekday::Friday),
            ("2025-10-12", Weekday::Sunday),
        ];
        for (text, weekday) in cases {
            assert_eq!(
                text.parse::<Date>().map(Date::weekday),
                Ok(weekday),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_impossible_days() {
        assert!(matches!(
            "2019-02-29".parse::<Date>(),
            Err(DateError::NoSuchDay(_))
        ));
        assert!(matches!(
            "2019-13-01".parse::<Date>(),
            Err(DateError::NoSuchDay(_))
        ));
        for text in ["2019-1-21", "21/01/2019", "2019-01-21T08:00", "", "2019-01"] {
            assert!(
                matches!(text.parse::<Date>(), Err(DateError::Malformed(_))),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn round_trips_through_text(days in -36_000i32..180_000) {
            let date = Date::from_days_since_epoch(days);
            proptest::prop_assert_eq!(date.to_string().parse::<Date>(), Ok(date));
            proptest::prop_assert_eq!(date.next().days_since(date), 1);
        }
    }
}
