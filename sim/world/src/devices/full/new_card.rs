//! The new-generation card of a resident's application: made on the personalisation line
//! (`hkic_chip::personalise_chip`: the chip generates its chip-authentication key pair, every
//! LDS file is built, the run's Document Signer signs the SOD, the chip commits), read back
//! there by the real reader procedure, and made again, byte for byte, wherever the card is
//! needed later.
//!
//! Everything about a card is a pure function of the seed, the card's number and its holder,
//! so nothing is kept per card or per resident:
//! - the holder's identity (`population::identity_born`), date of birth and date of issue
//!   (the registration records' [`Applicant`]);
//! - DG2: a portrait from the resident's portrait stream (a JPEG frame around seeded bytes;
//!   nothing decodes it);
//! - DG3: the enrolment captures of the resident's synthetic thumbs ([`super::thumbs`]) at
//!   their age on the date of issue, from the resident's enrolment stream, so a card re-made
//!   for the same application carries the same templates;
//! - the chip's key pair and later nonces from the card's chip stream, the SOD from the
//!   Document Signer in service on the date of issue (deterministic ECDSA);
//! - whether the power fails during personalisation, and at which page program, from the
//!   card's personalisation stream (the card then boots blank: `hkic_chip::memory`).
//!
//! The date of issue is the day the applicant was to register when the run began (see
//! [`Applicants::of_residents`]): the line is not told the day of registration, and a card
//! must be re-made from the card number and its holder alone.

use hkic_base::{Date, SimDuration, bernoulli, seed_stream};
use hkic_chip::personalise::WRITE_CHUNK_LENGTH;
use hkic_chip::{
    CardFiles, HolderData, NewGenerationChip, PersonalisationError, PersonaliseError,
    ProcessingTimes, SodSigning, personalise_chip_signing,
};
use hkic_devices::biometric::FingerprintReader;
use hkic_kernel::Streams;
use hkic_protocol::lds;
use hkic_protocol::random::RandomBytes;
use hkic_services::messages::{CardId, CardOrder, PersonalisationOutcome};
use hkic_terminals::card_read::{CardReadReport, CardReader};
use rand::RngExt;

use super::issuer::Trust;
use super::models::NewCardModel;
use super::{FullDevices, old_card, thumbs};
use crate::card_session::read_card;
use crate::devices::Answer;
use crate::devices::IssuedCard;
use crate::labels;
use crate::population::{self, Sex};
use crate::residents::Resident;

/// What the line reads in the registration records about an applicant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applicant {
    pub born: Date,
    /// The date of issue on the card and in DG1.
    pub date_of_issue: Date,
}

/// Every resident's [`Applicant`] record, by resident number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applicants(pub Vec<Applicant>);

impl Applicants {
    /// The world's residents as applicants: their dates of birth, and as date of issue the
    /// day each was to register when the run began (their preferred day, the day they walk
    /// in, or the day of the holder they accompany; one who registered another day has a
    /// card dated a few days off).
    pub fn of_residents(residents: &[Resident]) -> Applicants {
        let applicant = |resident: &Resident| Applicant {
            born: resident.profile.born,
            date_of_issue: resident.day,
        };
        Applicants(residents.iter().map(applicant).collect())
    }

    /// The record of `resident`; an order for someone who is not a resident is a bug.
    pub fn of(&self, resident: u32) -> Applicant {
        let count = self.0.len();
        *self
            .0
            .get(resident as usize)
            .unwrap_or_else(|| panic!("resident {resident} applied, {count} residents"))
    }
}

/// A card as the line made it, powered off.
#[derive(Debug, Clone)]
pub struct MadeCard {
    pub chip: NewGenerationChip,
    pub holder: HolderData,
    /// The files of the whole card (what the read-back compares with).
    pub files: CardFiles,
    /// Page programs of the whole personalisation, and of this one (fewer when the power
    /// was cut).
    pub page_programs: u32,
    pub page_programs_done: u32,
}

/// Bytes of a command's header (CLA, INS, P1, P2, Lc) and of a response's status word.
const COMMAND_HEADER_LENGTH: usize = 5;
const STATUS_WORD_LENGTH: usize = 2;
/// The personalisation steps that are one short command each besides the file writes:
/// create each file, generate the key, load the access keys and the trust anchor, commit.
const STEP_COMMAND_LENGTH: usize = 16;
const STEPS_BESIDES_FILES: u64 = 4;

/// Card `card` of `resident`, made as the line makes it.
pub fn make(
    streams: &Streams,
    trust: &Trust,
    reader: &FingerprintReader,
    model: &NewCardModel,
    card: CardId,
    resident: u32,
    applicant: Applicant,
) -> MadeCard {
    let holder = holder(streams, reader, model, resident, applicant);
    let mut blank = NewGenerationChip::blank(streams.stream(labels::card_chip(card.0)));
    blank.share_verified_certificates(trust.verified_cv_certificates().clone());
    let mut chip = blank.clone();
    let issuer = trust.issuer_on(applicant.date_of_issue);
    let files = personalise_chip_signing(&mut chip, &holder, issuer, model.sod_signing)
        .expect("a resident's data fits a card");
    let page_programs = chip.persistent_memory().writes();
    let mut made = MadeCard {
        chip,
        holder,
        files,
        page_programs,
        page_programs_done: page_programs,
    };
    if let Some(write) = power_cut(streams, model, card, page_programs) {
        made.chip = blank;
        made.chip.cut_power_at_write(write);
        let cut = personalise_chip_signing(&mut made.chip, &made.holder, issuer, model.sod_signing);
        assert!(
            matches!(
                cut,
                Err(PersonaliseError::Personalisation(
                    PersonalisationError::PowerLost
                ))
            ),
            "a power cut at write {write} of {page_programs} stops personalisation: {cut:?}"
        );
        made.page_programs_done = made.chip.persistent_memory().writes();
    }
    made.chip.power_off();
    made
}

/// The page program the power fails at, if it does: drawn from the card's personalisation
/// stream, always the same two draws.
pub(super) fn power_cut(
    streams: &Streams,
    model: &NewCardModel,
    card: CardId,
    page_programs: u32,
) -> Option<u32> {
    let mut stream = streams.stream(labels::card_personalisation(card.0));
    let cut = bernoulli(&mut stream, model.power_loss_probability);
    let write = stream.random_range(0..page_programs.max(1));
    cut.then_some(write)
}

fn holder(
    streams: &Streams,
    reader: &FingerprintReader,
    model: &NewCardModel,
    resident: u32,
    applicant: Applicant,
) -> HolderData {
    let identity = population::identity_born(streams.root_seed(), resident, applicant.born);
    let sex = match identity.sex {
        Sex::Female => lds::Sex::Female,
        Sex::Male => lds::Sex::Male,
    };
    HolderData {
        card_number: identity.card_number,
        surname: identity.surname,
        given_names: identity.given_names,
        sex,
        date_of_birth: applicant.born,
        date_of_issue: applicant.date_of_issue,
        card_access_number: identity.card_access_number,
        facial_image: portrait(streams, resident, model.facial_image_length),
        thumb_templates: enrolment(streams, reader, resident, applicant),
    }
}

/// A JPEG frame (SOI, APP0 "JFIF", EOI) of `length` bytes around the resident's seeded bytes.
fn portrait(streams: &Streams, resident: u32, length: usize) -> Vec<u8> {
    const HEADER: [u8; 11] = [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    const TRAILER: [u8; 2] = [0xFF, 0xD9];
    let mut body = vec![0u8; length.saturating_sub(HEADER.len() + TRAILER.len())];
    let mut stream = streams.stream(labels::resident_portrait(resident));
    RandomBytes::fill_bytes(&mut stream, &mut body).expect("a stream never runs out");
    [&HEADER[..], &body, &TRAILER].concat()
}

/// The thumbs captured for the application, as DG3's two templates.
fn enrolment(
    streams: &Streams,
    reader: &FingerprintReader,
    resident: u32,
    applicant: Applicant,
) -> [Vec<u8>; 2] {
    let fingers = thumbs::fingers(streams, resident, applicant.born, applicant.date_of_issue);
    let mut stream = streams.stream(labels::resident_thumb_enrolment(resident));
    fingers
        .thumbs
        .each_ref()
        .map(|thumb| old_card::enrol(reader, thumb, &mut stream))
}

/// The line's time to write the card: every write command on the line's link, the chip
/// generating its key pair (one scalar multiplication, `hkic_chip::timing`), and every page
/// program; a personalisation the power cut short costs its share.
pub fn writing_time(made: &MadeCard, model: &NewCardModel) -> SimDuration {
    let link = &model.line_link;
    let command =
        |length: usize| link.transfer_duration(length, STATUS_WORD_LENGTH, SimDuration::ZERO);
    let mut commands = SimDuration::ZERO;
    for (_, content) in &made.files.files {
        for chunk in content.chunks(WRITE_CHUNK_LENGTH) {
            commands += command(COMMAND_HEADER_LENGTH + chunk.len());
        }
    }
    let steps = made.files.files.len() as u64 + STEPS_BESIDES_FILES;
    commands += command(STEP_COMMAND_LENGTH) * steps;
    let key_generation = ProcessingTimes::TYPICAL.scalar_multiplication;
    let whole = commands + key_generation + model.page_program_time * u64::from(made.page_programs);
    let done = u64::from(made.page_programs_done);
    let total = u64::from(made.page_programs.max(1));
    SimDuration::from_nanos(whole.as_nanos().saturating_mul(done) / total)
}

/// Whether the line's read-back found the card it wrote: genuine, and DG1, DG2 and DG3 as
/// written.
pub fn read_back_matches(report: &CardReadReport, made: &MadeCard, signing: SodSigning) -> bool {
    let Some(holder) = report.holder.as_ref() else {
        return false;
    };
    let written = &made.holder;
    let dg3_as_written = signing == SodSigning::BeforeDg3
        || holder.thumb_templates.as_deref() == Some(&written.thumb_templates[..]);
    report.verdict.is_genuine()
        && holder.personal_data == made.files.personal_data
        && holder.facial_image.as_deref() == Some(&written.facial_image[..])
        && dg3_as_written
}

impl FullDevices {
    /// Card `card` of `resident`, made as the line makes it.
    pub(super) fn make_card(&self, card: CardId, resident: u32) -> MadeCard {
        let applicant = self.applicants.of(resident);
        let model = &self.models.new_cards;
        make(
            &self.streams,
            &self.trust,
            &self.reader,
            model,
            card,
            resident,
            applicant,
        )
    }

    /// The line personalises `card` for `order` and reads it back on its contact link
    /// (PACE, DG1, DG2, DG14 and the SOD, passive authentication up to the CSCA, chip and
    /// terminal authentication, DG3): verified only if genuine and as written.
    pub(super) fn personalise_card(
        &mut self,
        card: CardId,
        order: &CardOrder,
    ) -> Answer<PersonalisationOutcome> {
        let mut made = self.make_card(card, order.resident.0);
        let model = &self.models.new_cards;
        let writing = writing_time(&made, model);
        let mut stream = self.streams.stream(labels::card_read_back(card.0));
        let mut config = self.trust.full_read(&made.holder.card_access_number, true);
        let signing = model.sod_signing;
        if signing == SodSigning::BeforeDg3 {
            // The defective line reads the card back before it writes DG3, so it reads and
            // checks no DG3 at all (the planted bug `sod-before-dg3`).
            config.terminal = None;
        }
        let reader = CardReader::new(config, seed_stream(stream.random()));
        let session = read_card(reader, &mut made.chip, &model.line_link)
            .expect("the reader procedure finishes");
        let outcome = if read_back_matches(&session.report, &made, signing) {
            PersonalisationOutcome::Verified
        } else {
            PersonalisationOutcome::Failed
        };
        let issued = IssuedCard {
            card,
            files: made.files,
        };
        self.issued = (outcome == PersonalisationOutcome::Verified).then_some(issued);
        let after = writing + session.duration;
        Answer { after, outcome }
    }
}
