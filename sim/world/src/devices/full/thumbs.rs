//! The registration kiosk's fingerprint module: both thumbs captured live by the synthetic
//! reader, then verified 1:1 against the old card's templates by the real matcher, the two
//! thumbs' scores fused (`hkic_biometrics::Verifier`, at the threshold the matcher's
//! calibration set).
//!
//! A thumb gets up to `CAPTURE_ATTEMPTS_MAX` attempts, as the emulator's kiosk does; a thumb
//! that fails them all is left out of the decision (the verifier then rests on the other),
//! and when both fail the verification is a failure to capture. The capture digest is the
//! xxh3 of the live templates' ISO/IEC 19794-2 record.
//!
//! A resident's fingers ([`fingers`]) come from their own thumbs stream: the same ridges
//! whenever and wherever they are captured, with the skin of their age on the day.

use hkic_base::{Date, SimDuration, Stream};
use hkic_biometrics::{Scratch, Template, Verifier};
use hkic_devices::biometric::population::CAPTURE_ATTEMPTS_MAX;
use hkic_devices::biometric::{CaptureOutcome, FingerprintReader, SyntheticResident};
use hkic_kernel::Streams;
use hkic_protocol::template::FingerView;
use hkic_services::messages::BiometricDigest;
use hkic_terminals::devices::ThumbVerification;
use xxhash_rust::xxh3::xxh3_64;

use super::old_card::References;
use crate::labels;
use crate::population::age_on;

/// The thumbs of `resident` (born on `born`) as they are on `on`.
pub fn fingers(streams: &Streams, resident: u32, born: Date, on: Date) -> SyntheticResident {
    let mut stream = streams.stream(labels::resident_thumbs(resident));
    SyntheticResident::generate(age_on(born, on), &mut stream)
}

/// Both thumbs as the reader captured them (right, then left) and the time it took.
#[derive(Debug, Clone)]
pub struct LiveThumbs {
    pub views: [Option<FingerView>; 2],
    pub duration: SimDuration,
}

/// Captures both thumbs of `resident`, every attempt's time counted.
pub fn capture(
    reader: &FingerprintReader,
    resident: &SyntheticResident,
    stream: &mut Stream,
) -> LiveThumbs {
    let mut duration = SimDuration::ZERO;
    let views = resident.thumbs.each_ref().map(|thumb| {
        for _ in 0..CAPTURE_ATTEMPTS_MAX {
            match reader.capture(thumb, stream) {
                CaptureOutcome::Captured(capture) => {
                    duration += capture.duration;
                    return Some(capture.view);
                }
                CaptureOutcome::Failed(failure) => duration += failure.duration,
            }
        }
        None
    });
    LiveThumbs { views, duration }
}

/// The decision on `live` against the card's `references`, and how many thumbs were
/// compared (for the matching time).
pub fn verify(
    verifier: &Verifier,
    scratch: &mut Scratch,
    reader: &FingerprintReader,
    live: &LiveThumbs,
    references: &References,
) -> (ThumbVerification, u64) {
    if live.views.iter().all(Option::is_none) {
        return (ThumbVerification::CaptureFailed, 0);
    }
    let probes: [Option<Template>; 2] = live
        .views
        .each_ref()
        .map(|view| view.as_ref().map(Template::from_view_500_ppi));
    let verification = verifier.verify(
        [probes[0].as_ref(), probes[1].as_ref()],
        [references[0].as_ref(), references[1].as_ref()],
        scratch,
    );
    let compared = verification.thumb_scores.iter().flatten().count() as u64;
    let outcome = if verification.accepted {
        ThumbVerification::Matched {
            capture: digest(reader, &live.views),
        }
    } else {
        ThumbVerification::NotMatched
    };
    (outcome, compared)
}

/// xxh3 of the live views' record, as the reader writes it.
pub fn digest(reader: &FingerprintReader, views: &[Option<FingerView>; 2]) -> BiometricDigest {
    let views = views.iter().flatten().cloned().collect();
    let bytes = reader
        .record(views)
        .encode()
        .expect("the reader's captures encode");
    BiometricDigest(xxh3_64(&bytes))
}
