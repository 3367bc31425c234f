//! A population of synthetic residents with two thumbs each, addressed by index, for the
//! matcher's evaluation and benches. (The simulator's residents have their own ages and
//! streams; they draw thumbs with [`SyntheticResident::generate`].)
//!
//! Every resident and every capture session has its own stream derived from the seed, the
//! resident's index and the session, so resident 7's thumbs are the same whether 10 or a
//! million residents are drawn, and in any order. Ages: 20% aged 65 or over (2021 census,
//! domain.md section 6), the others from 11 (the age of a first adult card) to 64.

use super::finger::{FingerQuality, SyntheticFinger, draw_finger_quality};
use super::reader::{CaptureOutcome, FingerprintReader, ReaderModel};
use hkic_base::{Stream, bernoulli, seed_stream};
use hkic_protocol::template::{FingerPosition, FingerView};
use rand::RngExt;

/// Share of card holders aged 65 or over.
pub const SHARE_AGED_65_OR_OVER: f64 = 0.20;
/// Attempts per thumb in one session before the reader gives up (a kiosk's retry limit).
pub const CAPTURE_ATTEMPTS_MAX: u32 = 3;
/// The thumbs, in the order of [`SyntheticResident::thumbs`].
pub const THUMB_POSITIONS: [FingerPosition; 2] =
    [FingerPosition::RightThumb, FingerPosition::LeftThumb];

/// One resident: an age and two thumbs of the same quality class (skin condition is a
/// property of the person, not of one finger).
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticResident {
    pub age_years: u32,
    pub quality: FingerQuality,
    /// Right thumb, then left thumb.
    pub thumbs: [SyntheticFinger; 2],
}

impl SyntheticResident {
    /// A resident of the given age, drawn from `stream`.
    pub fn generate(age_years: u32, stream: &mut Stream) -> SyntheticResident {
        let quality = draw_finger_quality(age_years, stream);
        let thumbs =
            THUMB_POSITIONS.map(|position| SyntheticFinger::generate(position, quality, stream));
        SyntheticResident {
            age_years,
            quality,
            thumbs,
        }
    }
}

/// Residents and their thumb captures, all derived from one seed.
#[derive(Debug, Clone)]
pub struct SyntheticPopulation {
    seed: u64,
    reader: FingerprintReader,
}

/// What a stream is for, mixed into its seed.
const PURPOSE_RESIDENT: u64 = 1;
const PURPOSE_CAPTURE: u64 = 2;

impl SyntheticPopulation {
    /// The population of `seed` captured by issue 4's reader.
    pub fn new(seed: u64) -> SyntheticPopulation {
        let reader = FingerprintReader::new(ReaderModel::default())
            .expect("the default reader model is valid");
        SyntheticPopulation { seed, reader }
    }

    pub fn with_reader(seed: u64, reader: FingerprintReader) -> SyntheticPopulation {
        SyntheticPopulation { seed, reader }
    }

    pub fn reader(&self) -> &FingerprintReader {
        &self.reader
    }

    /// Resident number `index`.
    pub fn resident(&self, index: u64) -> SyntheticResident {
        let mut stream = derived_stream(self.seed, PURPOSE_RESIDENT, index, 0);
        let age_years = if bernoulli(&mut stream, SHARE_AGED_65_OR_OVER) {
            stream.random_range(65..=95)
        } else {
            stream.random_range(11..=64)
        };
        SyntheticResident::generate(age_years, &mut stream)
    }

    /// Both thumbs of resident `index` captured in capture session `session` (enrolment is
    /// session 0, later verifications 1, 2, ...): up to [`CAPTURE_ATTEMPTS_MAX`] attempts
    /// per thumb, `None` for a thumb that failed them all.
    pub fn capture_thumbs(&self, index: u64, session: u32) -> [Option<FingerView>; 2] {
        let resident = self.resident(index);
        let mut stream = derived_stream(self.seed, PURPOSE_CAPTURE, index, session);
        resident.thumbs.each_ref().map(|thumb| {
            (0..CAPTURE_ATTEMPTS_MAX).find_map(|_| match self.reader.capture(thumb, &mut stream) {
                CaptureOutcome::Captured(capture) => Some(capture.view),
                CaptureOutcome::Failed(_) => None,
            })
        })
    }
}

/// A stream for (seed, purpose, index, session): SplitMix64's finaliser over each part in
/// turn, so that nearby indices give unrelated streams.
pub fn derived_stream(seed: u64, purpose: u64, index: u64, session: u32) -> Stream {
    let mut state = mix(seed ^ 0x6A09_E667_F3BC_C908);
    for part in [purpose, index, u64::from(session)] {
        state = mix(state ^ mix(part.wrapping_add(0x9E37_79B9_7F4A_7C15)));
    }
    seed_stream(state)
}

fn mix(value: u64) -> u64 {
    let mut z = value;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
