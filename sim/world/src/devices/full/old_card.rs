//! The resident's first-generation card: issued with their identity and the thumb templates
//! enrolled that day, worn as the card's own stream says, and read by the kiosk's real
//! reader procedure (`hkic_terminals::card_read::FirstGenerationReader`) against the
//! emulated chip, on the link's time.
//!
//! Everything about a card is a pure function of the seed and the resident: its serial
//! number, date of issue (2003 to 2018, not before the holder was 11), wear and templates
//! come from the resident's card stream, the thumbs themselves from the resident's thumbs
//! stream, so nothing is kept per resident and a card is rebuilt whenever it is inserted.
//! The chip's, the link's and the reader's draws come from the operation's stream.

use hkic_base::{Date, SimDuration, Stream, bernoulli, seed_stream};
use hkic_biometrics::Template;
use hkic_chip::{CardChip, FirstGenerationChip, FirstGenerationFaults, Link};
use hkic_devices::biometric::{
    CaptureOutcome, FingerprintReader, SyntheticFinger, SyntheticResident, population,
};
use hkic_kernel::Streams;
use hkic_protocol::first_generation::{FirstGenerationRecord, IssuerMasterKey, SERIAL_LENGTH};
use hkic_protocol::lds;
use hkic_protocol::template::{FingerView, ImpressionType, MinutiaeRecord};
use hkic_terminals::card_read::FirstGenerationVerdict;
use hkic_terminals::card_read::{CardReadInput, FirstGenerationOutput, FirstGenerationReader};
use rand::RngExt;

use super::models::OldCardModel;
use crate::labels;
use crate::population::{self as people, Sex, age_on};

/// Attempts per thumb at the card's issue before the officer records what there is (an
/// empty view: the card of a person whose thumbs would not image).
const ENROLMENT_ATTEMPTS_MAX: u32 = 5;
/// A bound on one read's exchanges (a read is about 12 commands; retries triple it).
const EXCHANGES_MAX: u32 = 1_000;
/// Days from birth to the 11th birthday, the age of a first adult-format card (at most).
const ELEVEN_YEARS_DAYS: i32 = 11 * 365 + 3;

/// The thumbprint templates the fingerprint module holds after a read: right thumb, then
/// left thumb; `None` where a template does not decode or holds no minutiae.
pub type References = [Option<Template>; 2];

/// A resident's card as issued, and how it has worn since.
#[derive(Debug, Clone)]
pub struct IssuedCard {
    pub record: FirstGenerationRecord,
    /// EF.Thumbprints' two templates: ISO/IEC 19794-2 records of one view each.
    pub thumbprints: [Vec<u8>; 2],
    pub serial: [u8; SERIAL_LENGTH],
    pub faults: FirstGenerationFaults,
}

/// The card of `resident` (born on `born`) in the population of `streams`.
pub fn issue(
    streams: &Streams,
    resident: u32,
    born: Date,
    model: &OldCardModel,
    reader: &FingerprintReader,
) -> IssuedCard {
    let identity = people::identity_born(streams.root_seed(), resident, born);
    let mut card = streams.stream(labels::resident_old_card(resident));
    let serial = card.random::<u64>().to_be_bytes();
    let date_of_issue = draw_issue_date(born, &mut card);
    let faults = draw_wear(model, &mut card);
    let mut fingers = streams.stream(labels::resident_thumbs(resident));
    let thumbs = SyntheticResident::generate(age_on(born, date_of_issue), &mut fingers);
    let thumbprints = thumbs
        .thumbs
        .each_ref()
        .map(|thumb| enrol(reader, thumb, &mut card));
    let sex = match identity.sex {
        Sex::Female => lds::Sex::Female,
        Sex::Male => lds::Sex::Male,
    };
    let record = FirstGenerationRecord {
        card_number: identity.card_number,
        surname: identity.surname,
        given_names: identity.given_names,
        sex,
        date_of_birth: born,
        date_of_issue,
    };
    IssuedCard {
        record,
        thumbprints,
        serial,
        faults,
    }
}

/// Uniform over the first-generation card's years (23 June 2003 to 25 November 2018), not
/// before the holder was 11 (nor born).
fn draw_issue_date(born: Date, stream: &mut Stream) -> Date {
    let first = Date::from_ymd(2003, 6, 23).expect("a date");
    let last = Date::from_ymd(2018, 11, 25).expect("a date");
    let earliest = first
        .max(born.add_days(ELEVEN_YEARS_DAYS))
        .min(last)
        .max(born);
    let span = last.days_since(earliest).max(0);
    earliest.add_days(stream.random_range(0..=span))
}

/// The card's wear: always the same draws, whatever they decide.
fn draw_wear(model: &OldCardModel, stream: &mut Stream) -> FirstGenerationFaults {
    let mute = bernoulli(stream, model.mute_probability);
    let worn = bernoulli(stream, model.worn_probability);
    let low = model.worn_contact_error_probability_min;
    let high = model.worn_contact_error_probability_max;
    let contact_error_probability = low + stream.random::<f64>() * (high - low);
    let corrupted_thumbprints = bernoulli(stream, model.corrupted_thumbprints_probability);
    FirstGenerationFaults {
        mute,
        contact_error_probability: if worn { contact_error_probability } else { 0.0 },
        extra_processing_time: SimDuration::ZERO,
        corrupted_thumbprints,
    }
}

/// The enrolment capture of `thumb`, as the card's template.
pub fn enrol(reader: &FingerprintReader, thumb: &SyntheticFinger, stream: &mut Stream) -> Vec<u8> {
    let captured = (0..ENROLMENT_ATTEMPTS_MAX).find_map(|_| match reader.capture(thumb, stream) {
        CaptureOutcome::Captured(capture) => Some(capture.view),
        CaptureOutcome::Failed(_) => None,
    });
    let view = captured.unwrap_or_else(|| FingerView {
        position: thumb.position,
        view_number: 0,
        impression: ImpressionType::LiveScanPlain,
        quality: 0,
        minutiae: Vec::new(),
        extended_data: Vec::new(),
    });
    reader
        .record(vec![view])
        .encode()
        .expect("the reader's captures encode")
}

/// What the kiosk's reader made of the card, and the time on the link.
#[derive(Debug, Clone)]
pub struct CardReading {
    pub verdict: FirstGenerationVerdict,
    pub link_time: SimDuration,
}

/// Reads `card`, worn as `faults` say, with the issuer's `master` key: a fresh chip (its
/// session state is volatile anyway), the link's and the reader's draws from `stream`.
pub fn read(
    card: &IssuedCard,
    faults: FirstGenerationFaults,
    master: &IssuerMasterKey,
    model: &OldCardModel,
    stream: &mut Stream,
) -> CardReading {
    let chip_stream = seed_stream(stream.random());
    let mut chip = FirstGenerationChip::issue(
        &card.record,
        &card.thumbprints,
        card.serial,
        master,
        chip_stream,
    )
    .expect("an issued card's record and templates fit the card");
    chip.set_faults(faults, seed_stream(stream.random()));
    let attempts = model.read_attempts_max;
    let reader = FirstGenerationReader::new(master.clone(), attempts, seed_stream(stream.random()));
    drive(reader, &mut chip, &model.link)
}

/// Runs the reader against the chip until its verdict, pricing each exchange on `link`.
fn drive(mut reader: FirstGenerationReader, chip: &mut dyn CardChip, link: &Link) -> CardReading {
    let interface = link.interface();
    let mut link_time = SimDuration::ZERO;
    for _ in 0..EXCHANGES_MAX {
        let input = match reader.poll_output() {
            Some(FirstGenerationOutput::Finished(verdict)) => {
                let verdict = *verdict;
                return CardReading { verdict, link_time };
            }
            Some(FirstGenerationOutput::Activate) => {
                let activated = if chip.powered_interface() == Some(interface) {
                    chip.reset()
                } else {
                    chip.power_off();
                    chip.power_on(interface)
                };
                match activated {
                    Ok(_) => CardReadInput::Activated,
                    Err(_) => CardReadInput::TransmissionFailed,
                }
            }
            Some(FirstGenerationOutput::Transmit(command)) => {
                let exchange = chip.transmit(interface, &command);
                link_time += link.exchange_duration(command.len(), &exchange);
                match exchange.response {
                    Ok(response) => CardReadInput::Response(response),
                    Err(_) => CardReadInput::TransmissionFailed,
                }
            }
            None => break,
        };
        reader.handle_input(input);
    }
    panic!("the old-card reader did not finish within {EXCHANGES_MAX} exchanges");
}

/// The templates of a read card, or `None` when it could not be read. A card that reads is
/// the one issued: secure messaging guarantees its content, checked here again.
pub fn references(verdict: &FirstGenerationVerdict, card: &IssuedCard) -> Option<References> {
    let FirstGenerationVerdict::Read {
        record,
        thumbprints,
    } = verdict
    else {
        return None;
    };
    assert_eq!(record, &card.record, "the card read is the card issued");
    Some(decode_references(thumbprints))
}

/// Each template's view, in the verifier's thumb order, by the finger position it records.
pub fn decode_references(thumbprints: &[Vec<u8>]) -> References {
    let mut references = [None, None];
    for bytes in thumbprints {
        let Ok(record) = MinutiaeRecord::decode(bytes) else {
            continue;
        };
        for view in record.views.iter().filter(|view| !view.minutiae.is_empty()) {
            let thumb = population::THUMB_POSITIONS
                .iter()
                .position(|position| *position == view.position);
            if let Some(thumb) = thumb {
                references[thumb] = Template::from_view(
                    view,
                    record.resolution_x_pixels_per_centimetre,
                    record.resolution_y_pixels_per_centimetre,
                )
                .ok();
            }
        }
    }
    references
}
