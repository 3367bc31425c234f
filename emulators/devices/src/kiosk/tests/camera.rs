//! Photo attempts: retake shares by group, reasons by weight, the attempt cap and times.

use super::device::quiet_faults;
use super::{assert_mean, assert_share, opening, uniform};
use crate::kiosk::*;
use hkic_base::{SimDuration, Stream, seed_stream};

/// Distinct retake probabilities per group and distinct reason weights, no faults.
fn distinct_model(attempts_max: u8) -> CameraModel {
    CameraModel {
        retake_probability: RetakeProbabilities {
            typical: 0.15,
            aged_65_or_over: 0.40,
            needs_assistance: 0.65,
        },
        retake_reasons: RetakeReasonWeights {
            eyes_closed: 1.0,
            head_pose: 2.0,
            lighting: 3.0,
            glasses_glare: 4.0,
            expression: 5.0,
            motion_blur: 6.0,
            face_obscured: 7.0,
        },
        attempts_max,
        attempt_time: uniform(30, 60),
        faults: quiet_faults(),
    }
}

fn photo(camera: &mut Camera, session: &mut PhotoSession, stream: &mut Stream) -> PhotoOutcome {
    let operation = camera.take_photo(opening(), session, stream).unwrap();
    operation.result.unwrap()
}

#[test]
fn the_retake_share_depends_on_who_is_photographed() {
    let model = distinct_model(u8::MAX);
    let probabilities = model.retake_probability;
    let mut camera = Camera::new(model).unwrap();
    let mut stream = seed_stream(31);
    let groups = [
        SubjectGroup::Typical,
        SubjectGroup::Aged65OrOver,
        SubjectGroup::NeedsAssistance,
    ];
    for group in groups {
        let (mut attempts, mut retakes, mut durations) = (0, 0, Vec::new());
        while attempts < 60_000 {
            let mut session = PhotoSession::new(group);
            while !session.is_accepted() {
                let operation = camera
                    .take_photo(opening(), &mut session, &mut stream)
                    .unwrap();
                attempts += 1;
                retakes += usize::from(operation.result != Ok(PhotoOutcome::Acceptable));
                durations.push(operation.duration);
            }
        }
        let what = format!("{group:?}");
        assert_share(&what, retakes, attempts, probabilities.for_group(group));
        assert_mean(&what, &durations, SimDuration::from_secs(45));
    }
}

#[test]
fn retake_reasons_follow_their_weights() {
    let mut model = distinct_model(u8::MAX);
    model.retake_probability.typical = 1.0;
    let weights = model.retake_reasons.as_array();
    let mut camera = Camera::new(model).unwrap();
    let mut stream = seed_stream(32);
    let mut counts = [0usize; 7];
    let mut session = PhotoSession::new(SubjectGroup::Typical);
    let trials = 140_000;
    for _ in 0..trials {
        if camera.attempts_left(&session) == 0 {
            session = PhotoSession::new(SubjectGroup::Typical);
        }
        let reason = match photo(&mut camera, &mut session, &mut stream) {
            PhotoOutcome::Retake(reason) | PhotoOutcome::AttemptsExhausted(reason) => reason,
            PhotoOutcome::Acceptable => panic!("retakes are certain"),
        };
        let index = RetakeReason::ALL.iter().position(|&r| r == reason).unwrap();
        counts[index] += 1;
    }
    let total: f64 = weights.iter().sum();
    for (index, reason) in RetakeReason::ALL.iter().enumerate() {
        let what = format!("{reason:?}");
        assert_share(&what, counts[index], trials, weights[index] / total);
    }
}

#[test]
fn attempts_stop_at_the_cap() {
    let mut model = distinct_model(6);
    model.retake_probability.aged_65_or_over = 1.0;
    let mut camera = Camera::new(model).unwrap();
    let mut stream = seed_stream(33);
    let mut session = PhotoSession::new(SubjectGroup::Aged65OrOver);
    for attempt in 1..=5 {
        assert!(matches!(
            photo(&mut camera, &mut session, &mut stream),
            PhotoOutcome::Retake(_)
        ));
        assert_eq!(session.attempts_taken(), attempt);
        assert_eq!(camera.attempts_left(&session), 6 - attempt);
    }
    let last = photo(&mut camera, &mut session, &mut stream);
    assert!(
        matches!(last, PhotoOutcome::AttemptsExhausted(_)),
        "{last:?}"
    );
    let refused = camera.take_photo(opening(), &mut session, &mut stream);
    assert_eq!(
        refused,
        Err(PhotoSessionError::NoAttemptsLeft { attempts_max: 6 })
    );
    assert_eq!(session.attempts_taken(), 6);
}

#[test]
fn an_accepted_session_takes_no_more_photos() {
    let mut camera = Camera::new(distinct_model(6)).unwrap();
    let mut stream = seed_stream(34);
    let mut session = PhotoSession::new(SubjectGroup::Typical);
    while !session.is_accepted() {
        photo(&mut camera, &mut session, &mut stream);
    }
    assert_eq!(camera.attempts_left(&session), 0);
    let refused = camera.take_photo(opening(), &mut session, &mut stream);
    assert_eq!(refused, Err(PhotoSessionError::AlreadyAccepted));
}

#[test]
fn a_fault_uses_no_attempt() {
    let mut camera = Camera::new(distinct_model(6)).unwrap();
    let mut stream = seed_stream(35);
    let mut session = PhotoSession::new(SubjectGroup::NeedsAssistance);
    camera.faults_mut().inject_jam();
    let operation = camera
        .take_photo(opening(), &mut session, &mut stream)
        .unwrap();
    assert_eq!(
        operation.fault(),
        Some(DeviceFault::Jammed {
            this_operation: false
        })
    );
    assert_eq!(session.attempts_taken(), 0);
    assert_eq!(camera.attempts_left(&session), 6);
}

#[test]
fn attempts_per_applicant_follow_a_capped_geometric_law() {
    // Retake probability 0.65, cap 6: 1 + p + ... + p^5 attempts on average, and p^6 of the
    // applicants leave without a photo.
    let mut camera = Camera::new(distinct_model(6)).unwrap();
    let mut stream = seed_stream(36);
    let p: f64 = 0.65;
    let applicants = 50_000;
    let (mut attempts, mut exhausted) = (0usize, 0usize);
    for _ in 0..applicants {
        let mut session = PhotoSession::new(SubjectGroup::NeedsAssistance);
        loop {
            match photo(&mut camera, &mut session, &mut stream) {
                PhotoOutcome::Retake(_) => continue,
                PhotoOutcome::Acceptable => break,
                PhotoOutcome::AttemptsExhausted(_) => {
                    exhausted += 1;
                    break;
                }
            }
        }
        attempts += usize::from(session.attempts_taken());
    }
    assert_share("no photo after 6", exhausted, applicants, p.powi(6));
    let expected = (1.0 - p.powi(6)) / (1.0 - p);
    let measured = attempts as f64 / applicants as f64;
    assert!(
        (measured - expected).abs() < 0.02,
        "{measured} attempts, expected {expected}"
    );
}

#[test]
fn defaults_are_the_published_cap_and_counter_times() {
    let counter = CameraModel::default();
    assert_eq!(counter.attempts_max, PHOTO_ATTEMPTS_PUBLISHED);
    assert_eq!(counter.attempt_time.mean(), SimDuration::from_secs(45));
    let kiosk = CameraModel::self_service_kiosk();
    assert_eq!(kiosk.attempts_max, 6);
    let groups = [
        SubjectGroup::Typical,
        SubjectGroup::Aged65OrOver,
        SubjectGroup::NeedsAssistance,
    ];
    for pair in groups.windows(2) {
        let more = |model: &CameraModel| {
            let probabilities = model.retake_probability;
            probabilities.for_group(pair[0]) < probabilities.for_group(pair[1])
        };
        assert!(more(&counter) && more(&kiosk), "{pair:?} retake more");
    }
    assert!(Camera::new(kiosk).is_ok() && Camera::new(counter).is_ok());
}
