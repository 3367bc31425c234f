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
    let bands: Vec<((u32, u32), u32)> = AGE_BANDS
        .iter()
        .map(|&(low, high, weight)| ((low, high), weight))
        .collect();
    let (youngest, oldest) = weighted(stream, &bands);
    let reference = Date::from_ymd(2019, 7, 1).expect("a date");
    // Born between (oldest + 1) years and youngest years before the reference date.
    let latest = reference.add_days(-(youngest as i32 * 365) - (youngest as i32 / 4));
    let span = (oldest + 1 - youngest) as i32 * 365 + (oldest + 1 - youngest) as i32 / 4;
    latest.add_days(-stream.random_range(1..=span))
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
