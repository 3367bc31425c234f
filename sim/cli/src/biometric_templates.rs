//! A card holder's thumbprint templates for DG3: two synthetic thumbs of the holder's age,
//! enrolled with the fingerprint reader model, in the ISO/IEC 19794-2 compact card format.

use hkic_base::Date;
use hkic_devices::biometric::{CaptureOutcome, FingerprintReader, ReaderModel, SyntheticResident};
use hkic_kernel::{StreamLabel, Streams};
use hkic_protocol::template::{RESOLUTION_500_PPI, encode_compact, select_for_card};

/// Stream domain of the CLI's card making (the same as `card serve`'s holder and chip).
const CARD_DOMAIN: u16 = 100;
const FINGERS_PURPOSE: u16 = 3;
const CAPTURES_PURPOSE: u16 = 4;
/// Minutiae a card template keeps (the MINEX II plan allowed up to 83 before chaining).
const CARD_MINUTIAE_MAX: usize = 60;
/// Enrolment attempts per thumb before the officer records what the best attempt gave.
const ENROLMENT_ATTEMPTS: u32 = 5;

fn age_on(date_of_birth: Date, on: Date) -> u32 {
    let (birth_year, birth_month, birth_day) = date_of_birth.ymd();
    let (year, month, day) = on.ymd();
    let before_birthday = (month, day) < (birth_month, birth_day);
    (year - birth_year - i32::from(before_birthday)).max(0) as u32
}

/// The two compact templates (right thumb, left thumb) of holder `key` of `seed`. A thumb
/// that fails every enrolment attempt gets an empty template, as a card of a person with
/// unreadable thumbs carries.
pub fn thumbs(seed: u64, key: u64, date_of_birth: Date, issued: Date) -> [Vec<u8>; 2] {
    let streams = Streams::new(seed);
    let mut fingers = streams.stream(StreamLabel::new(CARD_DOMAIN, key, FINGERS_PURPOSE));
    let mut captures = streams.stream(StreamLabel::new(CARD_DOMAIN, key, CAPTURES_PURPOSE));
    let resident = SyntheticResident::generate(age_on(date_of_birth, issued), &mut fingers);
    let reader =
        FingerprintReader::new(ReaderModel::default()).expect("the default reader model is valid");
    resident.thumbs.each_ref().map(|thumb| {
        (0..ENROLMENT_ATTEMPTS)
            .find_map(|_| match reader.capture(thumb, &mut captures) {
                CaptureOutcome::Captured(capture) => {
                    let kept = select_for_card(&capture.view.minutiae, CARD_MINUTIAE_MAX);
                    encode_compact(&kept, RESOLUTION_500_PPI, RESOLUTION_500_PPI).ok()
                }
                CaptureOutcome::Failed(_) => None,
            })
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_count_whole_years() {
        let date = |text: &str| text.parse::<Date>().unwrap();
        assert_eq!(age_on(date("1980-05-17"), date("2019-05-16")), 38);
        assert_eq!(age_on(date("1980-05-17"), date("2019-05-17")), 39);
    }

    #[test]
    fn thumbs_are_compact_templates_and_stable() {
        let birth = "1950-01-01".parse().unwrap();
        let issued = "2019-01-21".parse().unwrap();
        let first = thumbs(42, 7, birth, issued);
        assert_eq!(first, thumbs(42, 7, birth, issued));
        assert_ne!(first, thumbs(42, 8, birth, issued));
        for template in &first {
            assert_eq!(template.len() % 3, 0);
            assert!(template.len() >= 3 * 10, "{} bytes", template.len());
        }
    }
}
