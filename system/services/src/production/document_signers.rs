//! Which Document Signer signs a card. ICAO Doc 9303-12 (section 5, key management) has a
//! Document Signer's private key used for a short period only, about three months at most,
//! so that a compromised key taints few cards, while its certificate stays valid for the
//! lifetime of the cards it signed. Production therefore rolls over to a new Document Signer
//! on a fixed schedule, every one certified by the one CSCA, and signs each card with the
//! signer in service on the card's date of issue.
//!
//! Why the date of issue and not the day the line happens to personalise the card: the date
//! of issue is printed on the card and in DG1, so the choice is a pure function of the card's
//! own data and the same card is always signed by the same Document Signer, however often
//! (and whenever) it is made. A card dated just before a rollover and made a few days after
//! it is signed with the earlier key, a few days past its period; the certificate is still
//! valid, so readers are unaffected.
//!
//! The schedule counts from the day the first new cards were issued, 26 November 2018
//! (domain.md): signer `n` (from 0) is in service for one period from
//! `FIRST_IN_SERVICE + n * period`; dates before the first day belong to signer 0.

use hkic_base::Date;

/// The rollover period, in days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentSignerSchedule {
    rollover_days: u32,
}

/// A schedule the rules refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "a Document Signer rollover every {rollover_days} days; from 1 to {} days allowed",
    DocumentSignerSchedule::ROLLOVER_DAYS_MAX
)]
pub struct ScheduleError {
    pub rollover_days: u32,
}

impl Default for DocumentSignerSchedule {
    fn default() -> DocumentSignerSchedule {
        DocumentSignerSchedule {
            rollover_days: DocumentSignerSchedule::DEFAULT_ROLLOVER_DAYS,
        }
    }
}

impl DocumentSignerSchedule {
    /// Three months (ICAO 9303-12's usual private key usage period).
    pub const DEFAULT_ROLLOVER_DAYS: u32 = 91;
    /// Four years: the whole replacement exercise with one signer.
    pub const ROLLOVER_DAYS_MAX: u32 = 1_461;

    /// The day the first Document Signer went into service: the first new cards' issue.
    pub fn first_in_service() -> Date {
        Date::from_ymd(2018, 11, 26).expect("a calendar date")
    }

    pub fn new(rollover_days: u32) -> Result<DocumentSignerSchedule, ScheduleError> {
        if rollover_days == 0 || rollover_days > DocumentSignerSchedule::ROLLOVER_DAYS_MAX {
            return Err(ScheduleError { rollover_days });
        }
        Ok(DocumentSignerSchedule { rollover_days })
    }

    /// The signer in service on `date`: its number counted from 0.
    pub fn signer_on(self, date: Date) -> u32 {
        let days = date.days_since(DocumentSignerSchedule::first_in_service());
        let days = u32::try_from(days).unwrap_or(0);
        days / self.rollover_days
    }

    /// The first day signer `signer` is in service.
    pub fn in_service_from(self, signer: u32) -> Date {
        let days = u64::from(signer) * u64::from(self.rollover_days);
        let days = i32::try_from(days).expect("a schedule within the calendar");
        DocumentSignerSchedule::first_in_service().add_days(days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn a_signer_serves_one_period_from_the_first_cards_issue() {
        let schedule = DocumentSignerSchedule::default();
        assert_eq!(schedule.signer_on(date("2018-11-26")), 0);
        assert_eq!(schedule.signer_on(date("2019-02-24")), 0);
        assert_eq!(schedule.signer_on(date("2019-02-25")), 1, "91 days on");
        assert_eq!(schedule.in_service_from(1), date("2019-02-25"));
        assert_eq!(
            schedule.signer_on(date("2017-01-01")),
            0,
            "before the first"
        );
        let every_63_days = DocumentSignerSchedule::new(63).unwrap();
        assert_eq!(every_63_days.in_service_from(1), date("2019-01-28"));
        assert_eq!(every_63_days.signer_on(date("2019-01-27")), 0);
        assert_eq!(every_63_days.signer_on(date("2019-01-28")), 1);
    }

    #[test]
    fn a_period_is_from_one_day_to_four_years() {
        assert!(DocumentSignerSchedule::new(1).is_ok());
        assert!(DocumentSignerSchedule::new(1_461).is_ok());
        assert_eq!(
            DocumentSignerSchedule::new(0),
            Err(ScheduleError { rollover_days: 0 })
        );
        assert!(DocumentSignerSchedule::new(1_462).is_err());
    }
}
