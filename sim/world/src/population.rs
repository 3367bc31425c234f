//! Who the residents are: a synthetic identity for each resident, a pure function of the
//! seed and the resident's number. Nothing here is stored per resident (the hot paths keep
//! ids and fixed fields only); an identity is derived when a card is made or checked.
//!
//! The age structure follows domain.md section 6 (2020: 12.67% aged 0-14, 69.13% aged
//! 15-64, 18.20% aged 65 or over; of those, 53% aged 65-74, 17.7% aged 75-79 and 29.3% aged
//! 80 or over, from the 2016 by-census), with ages taken on 1 July 2019. Names are common
//! Hong Kong romanisations; they are synthetic and belong to nobody.

use hkic_base::{Date, Stream};
use hkic_kernel::Streams;
use rand::RngExt;

use crate::labels;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

/// What is printed on a resident's card and stored in its chip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// "A123456(3)": a prefix letter, six digits and the check character.
    pub card_number: String,
    pub surname: String,
    pub given_names: String,
    pub sex: Sex,
    pub date_of_birth: Date,
    /// The six-digit card access number printed on the card face (the PACE password).
    pub card_access_number: String,
}

const SURNAMES: [&str; 24] = [
    "CHAN", "LEUNG", "CHEUNG", "LAU", "LEE", "WONG", "HO", "NG", "LAM", "TSANG", "CHOW", "YEUNG",
    "TANG", "FUNG", "LAI", "CHU", "KWOK", "CHOI", "SO", "YIP", "LO", "MAK", "TAM", "KWAN",
];
const MALE_SYLLABLES: [&str; 16] = [
    "TAI", "MAN", "SIU", "MING", "KA", "CHUN", "WAI", "KIN", "HO", "YIN", "CHI", "KEUNG", "WING",
    "HEI", "TSZ", "LOK",
];
const FEMALE_SYLLABLES: [&str; 16] = [
    "KA", "YAN", "WING", "SZE", "MEI", "LING", "HIU", "TUNG", "YEE", "SHAN", "PUI", "KWAN", "WAI",
    "CHING", "LAM", "YU",
];
/// Card number prefix letters in use for residents, with rough weights.
const PREFIXES: [(u8, u32); 10] = [
    (b'A', 6),
    (b'B', 2),
    (b'C', 3),
    (b'D', 2),
    (b'E', 2),
    (b'G', 2),
    (b'H', 1),
    (b'K', 3),
    (b'P', 2),
    (b'Z', 2),
];
/// Age bands (first age, last age, weight in ten-thousandths of the population).
const AGE_BANDS: [(u32, u32, u32); 5] = [
    (0, 14, 1267),
    (15, 64, 6913),
    (65, 74, 965),
    (75, 79, 322),
    (80, 100, 533),
];

/// The identity of `resident` in the population of `seed`, with a date of birth decided
/// elsewhere (the world's residents are born in their call-up cohort).
pub fn identity_born(seed: u64, resident: u32, date_of_birth: Date) -> Identity {
    Identity {
        date_of_birth,
        ..identity(seed, resident)
    }
}

/// The identity of `resident` in the population of `seed`: the same every time.
pub fn identity(seed: u64, resident: u32) -> Identity {
    let mut stream = Streams::new(seed).stream(labels::resident_identity(resident));
    let sex = if stream.random::<bool>() {
        Sex::Female
    } else {
        Sex::Male
    };
    let surname = SURNAMES[stream.random_range(0..SURNAMES.len())];
    let syllables = match sex {
        Sex::Female => &FEMALE_SYLLABLES,
        Sex::Male => &MALE_SYLLABLES,
    };
    let first = syllables[stream.random_range(0..syllables.len())];
    let second = syllables[stream.random_range(0..syllables.len())];
    Identity {
        card_number: card_number(&mut stream),
        surname: surname.to_string(),
        given_names: format!("{first} {second}"),
        sex,
        date_of_birth: date_of_birth(&mut stream),
        card_access_number: format!("{:06}", stream.random_range(0..1_000_000u32)),
    }
}

fn weighted<T: Copy>(stream: &mut Stream, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, weight)| weight).sum();
    let mut point = stream.random_range(0..total);
    for &(item, weight) in items {
        if point < weight {
            return item;
        }
        point -= weight;
    }
    items[items.len() - 1].0
}

fn card_number(stream: &mut Stream) -> String {
    let prefix = weighted(stream, &PREFIXES);
    let digits = stream.random_range(0..1_000_000u32);
    let body = format!("{}{digits:06}", char::from(prefix));
    let check = hkic_protocol::lds::hkid_check_character(body.as_bytes());
    format!("{body}({})", char::from(check))
}

fn date_of_birth(stream: &mut Stream) -> Date {
    draw_date_of_birth(&AgeModel::Census, stream)
}

/// The day census ages are taken on.
fn census_day() -> Date {
    Date::from_ymd(2019, 7, 1).expect("a date")
}

/// Where residents' dates of birth come from.
#[derive(Clone, Debug, PartialEq)]
pub enum AgeModel {
    /// The territory's age structure (the census bands above), ages on 1 July 2019.
    Census,
    /// A call-up cohort born from `first_year` to `last_year`, except a share `others` who
    /// come from anywhere in the census (late-comers from earlier windows, people back from
    /// abroad).
    Cohort {
        first_year: i32,
        last_year: i32,
        others: f64,
    },
    /// Aged `youngest` to `oldest` years on `on` (the caring arrangement's companions: 65 and
    /// over).
    Aged {
        youngest: u32,
        oldest: u32,
        on: Date,
    },
}

/// Born between `oldest + 1` years and `youngest` years before `on`.
fn born_aged(stream: &mut Stream, youngest: u32, oldest: u32, on: Date) -> Date {
    let years = |count: u32| count as i32 * 365 + count as i32 / 4;
    let latest = on.add_days(-years(youngest));
    latest.add_days(-stream.random_range(1..=years(oldest + 1 - youngest).max(1)))
}

/// A date of birth drawn from `model`.
pub fn draw_date_of_birth(model: &AgeModel, stream: &mut Stream) -> Date {
    match *model {
        AgeModel::Census => {
            let bands: Vec<((u32, u32), u32)> = AGE_BANDS
                .iter()
                .map(|&(low, high, weight)| ((low, high), weight))
                .collect();
            let (youngest, oldest) = weighted(stream, &bands);
            born_aged(stream, youngest, oldest, census_day())
        }
        AgeModel::Cohort {
            first_year,
            last_year,
            others,
        } => {
            if hkic_base::bernoulli(stream, others) {
                return draw_date_of_birth(&AgeModel::Census, stream);
            }
            let first = Date::from_ymd(first_year, 1, 1).expect("validated year");
            let last = Date::from_ymd(last_year, 12, 31).expect("validated year");
            first.add_days(stream.random_range(0..=last.days_since(first)))
        }
        AgeModel::Aged {
            youngest,
            oldest,
            on,
        } => born_aged(stream, youngest, oldest, on),
    }
}

/// Whole years from `date_of_birth` to `on`.
pub fn age_on(date_of_birth: Date, on: Date) -> u32 {
    let (birth_year, birth_month, birth_day) = date_of_birth.ymd();
    let (year, month, day) = on.ymd();
    let before_birthday = (month, day) < (birth_month, birth_day);
    (year - birth_year - i32::from(before_birthday)).max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_stable_valid_and_varied() {
        let first = identity(42, 42);
        assert_eq!(first, identity(42, 42));
        assert_ne!(first, identity(42, 43));
        assert_ne!(first, identity(43, 42));
        for resident in 0..2_000 {
            let person = identity(1, resident);
            assert!(
                hkic_protocol::lds::document_number_from_card_number(&person.card_number).is_ok(),
                "{}",
                person.card_number
            );
            assert_eq!(person.card_access_number.len(), 6);
            assert!(person.date_of_birth.year() >= 1918 && person.date_of_birth.year() <= 2019);
        }
    }

    #[test]
    fn cohorts_and_age_bands_give_the_ages_asked_for() {
        let mut stream = hkic_base::seed_stream(3);
        let cohort = AgeModel::Cohort {
            first_year: 1985,
            last_year: 1986,
            others: 0.1,
        };
        let born: Vec<Date> = (0..5_000)
            .map(|_| draw_date_of_birth(&cohort, &mut stream))
            .collect();
        let in_cohort = born
            .iter()
            .filter(|date| (1985..=1986).contains(&date.year()))
            .count();
        assert!((4_400..4_700).contains(&in_cohort), "{in_cohort}");
        let on = Date::from_ymd(2019, 1, 21).unwrap();
        let elderly = AgeModel::Aged {
            youngest: 65,
            oldest: 95,
            on,
        };
        for _ in 0..1_000 {
            let age = age_on(draw_date_of_birth(&elderly, &mut stream), on);
            assert!((65..=95).contains(&age), "{age}");
        }
        assert_eq!(
            age_on(
                Date::from_ymd(1980, 5, 17).unwrap(),
                Date::from_ymd(2019, 5, 16).unwrap()
            ),
            38
        );
    }

    #[test]
    fn the_age_structure_follows_the_census() {
        let reference = Date::from_ymd(2019, 7, 1).unwrap();
        let people = 20_000;
        let elderly = (0..people)
            .filter(|&resident| {
                reference.days_since(identity(5, resident).date_of_birth) >= 65 * 365 + 16
            })
            .count();
        let share = elderly as f64 / f64::from(people);
        assert!((share - 0.182).abs() < 0.01, "{share}");
    }
}
