//! Fingers, readers and populations: the numbers issue 4 sets, measured on many draws.

use super::finger::{MINUTIA_SPACING_MIN_PIXELS, PAD_SEMI_AXIS_X_PIXELS, PAD_SEMI_AXIS_Y_PIXELS};
use super::ridge_flow::{PadPoint, RidgeFlow};
use super::*;
use hkic_base::{SimDuration, Stream, seed_stream};
use hkic_protocol::template::{FingerPosition, MinutiaKind, encode_compact};

fn finger(quality: FingerQuality, seed: u64) -> SyntheticFinger {
    SyntheticFinger::generate(FingerPosition::RightThumb, quality, &mut seed_stream(seed))
}

/// A finger with one minutia at the pad centre pointing along +x.
fn single_minutia_finger() -> SyntheticFinger {
    let mut finger = finger(FingerQuality::Normal, 1);
    finger.minutiae = vec![FingerMinutia {
        position: PadPoint { x: 0.0, y: 0.0 },
        direction: 0.0,
        kind: MinutiaKind::RidgeEnding,
    }];
    finger
}

/// A reader with no noise and no failures at all, to measure one effect at a time.
fn quiet_model() -> ReaderModel {
    let mut model = ReaderModel::default();
    for noise in [&mut model.normal, &mut model.poor] {
        noise.position_jitter_pixels = 0.0;
        noise.angle_jitter_degrees = 0.0;
        noise.missing_probability = 0.0;
        noise.spurious_fraction = 0.0;
        noise.kind_flip_probability = 0.0;
        noise.not_detected_probability = 0.0;
    }
    model.minutiae_min = 1;
    model.quality_score_min = 0;
    model
}

fn captured(outcome: CaptureOutcome) -> FingerprintCapture {
    match outcome {
        CaptureOutcome::Captured(capture) => capture,
        CaptureOutcome::Failed(failure) => panic!("capture failed: {failure:?}"),
    }
}

fn mean_and_deviation(values: &[f64]) -> (f64, f64) {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    (mean, variance.sqrt())
}

#[test]
fn fingers_have_30_to_60_spaced_minutiae_on_the_pad() {
    let mut counts = Vec::new();
    for seed in 0..300 {
        let finger = finger(FingerQuality::Normal, seed);
        counts.push(finger.minutiae.len());
        for (index, minutia) in finger.minutiae.iter().enumerate() {
            let p = minutia.position;
            let radius =
                (p.x / PAD_SEMI_AXIS_X_PIXELS).powi(2) + (p.y / PAD_SEMI_AXIS_Y_PIXELS).powi(2);
            assert!(radius <= 1.0, "{p:?} off the pad");
            for other in &finger.minutiae[..index] {
                let gap = (p.x - other.position.x).hypot(p.y - other.position.y);
                assert!(gap >= MINUTIA_SPACING_MIN_PIXELS, "{gap} px apart");
            }
        }
        let endings = finger
            .minutiae
            .iter()
            .filter(|m| m.kind == MinutiaKind::RidgeEnding)
            .count();
        assert!(endings > 0 && endings < finger.minutiae.len());
    }
    assert_eq!(counts.iter().min(), Some(&30));
    assert_eq!(counts.iter().max(), Some(&60));
}

#[test]
fn minutiae_follow_the_ridge_flow() {
    let finger = finger(FingerQuality::Normal, 5);
    for minutia in &finger.minutiae {
        let along = finger.flow.orientation_at(minutia.position);
        let difference = (minutia.direction - along).rem_euclid(std::f64::consts::PI);
        let off = difference
            .min(std::f64::consts::PI - difference)
            .to_degrees();
        assert!(off < 20.0, "{off} degrees off the flow");
    }
}

#[test]
fn poor_fingers_follow_age() {
    assert_eq!(poor_finger_probability(64), 0.05);
    assert_eq!(poor_finger_probability(65), 0.30);
    let mut stream = seed_stream(3);
    let share = |age: u32, stream: &mut Stream| {
        let poor = (0..20_000)
            .filter(|_| draw_finger_quality(age, stream) == FingerQuality::Poor)
            .count();
        poor as f64 / 20_000.0
    };
    assert!((share(80, &mut stream) - 0.30).abs() < 0.015);
    assert!((share(30, &mut stream) - 0.05).abs() < 0.006);
}

#[test]
fn the_finger_lands_within_15_degrees_and_50_pixels() {
    let reader = FingerprintReader::new(quiet_model()).unwrap();
    let finger = single_minutia_finger();
    let mut stream = seed_stream(9);
    let (mut largest_shift, mut largest_turn) = (0.0f64, 0.0f64);
    for _ in 0..2_000 {
        let view = captured(reader.capture(&finger, &mut stream)).view;
        let minutia = view.minutiae[0];
        let shift = (f64::from(minutia.x) - 250.0)
            .abs()
            .max((f64::from(minutia.y) - 250.0).abs());
        let turn = f64::from(minutia.angle as i8) * 360.0 / 256.0;
        assert!(shift <= 50.5, "shifted {shift} px");
        assert!(turn.abs() <= 15.8, "turned {turn} degrees");
        largest_shift = largest_shift.max(shift);
        largest_turn = largest_turn.max(turn.abs());
    }
    assert!(
        largest_shift > 48.0 && largest_turn > 14.0,
        "{largest_shift} {largest_turn}"
    );
}

/// Position and angle spread of one minutia over many captures with only jitter on.
fn jitter_of(quality: FingerQuality) -> (f64, f64) {
    let mut model = quiet_model();
    model.rotation_degrees_max = 0.0;
    model.translation_pixels_max = 0.0;
    let issue = ReaderNoise::for_quality(quality);
    for noise in [&mut model.normal, &mut model.poor] {
        noise.position_jitter_pixels = issue.position_jitter_pixels;
        noise.angle_jitter_degrees = issue.angle_jitter_degrees;
    }
    let reader = FingerprintReader::new(model).unwrap();
    let mut finger = single_minutia_finger();
    finger.quality = quality;
    let mut stream = seed_stream(4);
    let (mut xs, mut angles) = (Vec::new(), Vec::new());
    for _ in 0..5_000 {
        let minutia = captured(reader.capture(&finger, &mut stream)).view.minutiae[0];
        xs.push(f64::from(minutia.x));
        angles.push(f64::from(minutia.angle as i8) * 360.0 / 256.0);
    }
    (mean_and_deviation(&xs).1, mean_and_deviation(&angles).1)
}

#[test]
fn jitter_is_4_pixels_and_10_degrees_doubled_when_poor() {
    let (position, angle) = jitter_of(FingerQuality::Normal);
    assert!((position - 4.0).abs() < 0.25, "{position}");
    assert!((angle - 10.0).abs() < 0.6, "{angle}");
    let (position, angle) = jitter_of(FingerQuality::Poor);
    assert!((position - 8.0).abs() < 0.4, "{position}");
    assert!((angle - 20.0).abs() < 1.0, "{angle}");
}

/// Mean minutiae per capture, per real minutia, with only missing or spurious on.
fn mean_count(quality: FingerQuality, missing: bool) -> f64 {
    let mut model = quiet_model();
    model.rotation_degrees_max = 0.0;
    model.translation_pixels_max = 0.0;
    let issue = ReaderNoise::for_quality(quality);
    for noise in [&mut model.normal, &mut model.poor] {
        if missing {
            noise.missing_probability = issue.missing_probability;
        } else {
            noise.spurious_fraction = issue.spurious_fraction;
        }
    }
    let reader = FingerprintReader::new(model).unwrap();
    let finger = finger(quality, 8);
    let mut stream = seed_stream(5);
    let counts: Vec<f64> = (0..4_000)
        .map(|_| {
            captured(reader.capture(&finger, &mut stream))
                .view
                .minutiae
                .len() as f64
        })
        .collect();
    mean_and_deviation(&counts).0 / finger.minutiae.len() as f64
}

#[test]
fn minutiae_go_missing_and_spurious_ones_appear_at_the_issue_rates() {
    let rates = [
        (FingerQuality::Normal, true, 0.85),
        (FingerQuality::Poor, true, 0.65),
        (FingerQuality::Normal, false, 1.10),
        (FingerQuality::Poor, false, 1.25),
    ];
    for (quality, missing, expected) in rates {
        let measured = mean_count(quality, missing);
        assert!(
            (measured - expected).abs() < 0.006,
            "{quality:?} {missing}: {measured}"
        );
    }
}

#[test]
fn captures_fail_with_too_few_minutiae_or_by_chance() {
    let reader = FingerprintReader::new(ReaderModel::default()).unwrap();
    let mut sparse = finger(FingerQuality::Poor, 2);
    sparse.minutiae.truncate(5);
    let mut stream = seed_stream(6);
    for _ in 0..100 {
        match reader.capture(&sparse, &mut stream) {
            CaptureOutcome::Failed(failure) => {
                assert!(matches!(
                    failure.reason,
                    FailureReason::TooFewMinutiae { .. } | FailureReason::FingerNotDetected
                ));
                assert!(failure.duration > SimDuration::ZERO);
            }
            CaptureOutcome::Captured(capture) => panic!("{} minutiae", capture.view.minutiae.len()),
        }
    }
    let poor = finger(FingerQuality::Poor, 3);
    let failures = (0..4_000)
        .filter(|_| {
            matches!(
                reader.capture(&poor, &mut stream),
                CaptureOutcome::Failed(_)
            )
        })
        .count();
    // 4% not detected plus about half of the captures scoring under 25 (a tenth of them).
    assert!((100..400).contains(&failures), "{failures} of 4000");
}

#[test]
fn captures_are_valid_records_and_fit_the_card_format() {
    let population = SyntheticPopulation::new(11);
    let reader = population.reader();
    let mut durations = Vec::new();
    let mut stream = seed_stream(12);
    for index in 0..200 {
        let resident = population.resident(index);
        for thumb in &resident.thumbs {
            if let CaptureOutcome::Captured(capture) = reader.capture(thumb, &mut stream) {
                durations.push(capture.duration.as_secs_f64());
                let record = reader.record(vec![capture.view.clone()]);
                let bytes = record.encode().unwrap();
                let decoded = hkic_protocol::template::MinutiaeRecord::decode(&bytes).unwrap();
                assert_eq!(decoded, record);
                encode_compact(&capture.view.minutiae, 197, 197).unwrap();
            }
        }
    }
    durations.sort_by(f64::total_cmp);
    let median = durations[durations.len() / 2];
    assert!((1.3..2.0).contains(&median), "median capture {median} s");
}

#[test]
fn the_same_seed_gives_the_same_fingers_and_captures() {
    let first = SyntheticPopulation::new(21);
    let second = SyntheticPopulation::new(21);
    for index in [0, 1, 999_999] {
        assert_eq!(first.resident(index), second.resident(index));
        assert_eq!(
            first.capture_thumbs(index, 1),
            second.capture_thumbs(index, 1)
        );
    }
    assert_ne!(first.capture_thumbs(3, 0), first.capture_thumbs(3, 1));
    assert_ne!(first.resident(3), SyntheticPopulation::new(22).resident(3));
    let flow = RidgeFlow::generate(&mut seed_stream(1));
    assert_eq!(flow, RidgeFlow::generate(&mut seed_stream(1)));
}

#[test]
fn a_tenth_of_the_population_has_poor_thumbs() {
    let population = SyntheticPopulation::new(31);
    let residents: Vec<SyntheticResident> = (0..10_000)
        .map(|index| population.resident(index))
        .collect();
    let elderly = residents.iter().filter(|r| r.age_years >= 65).count();
    let poor = residents
        .iter()
        .filter(|r| r.quality == FingerQuality::Poor)
        .count();
    assert!((1_850..2_150).contains(&elderly), "{elderly}");
    assert!((880..1_120).contains(&poor), "{poor}");
    assert!(
        residents
            .iter()
            .all(|r| r.thumbs.iter().all(|t| t.quality == r.quality))
    );
}

#[test]
fn unusable_reader_parameters_are_refused() {
    let mut model = ReaderModel::default();
    model.poor.missing_probability = 1.5;
    let error = FingerprintReader::new(model).unwrap_err();
    assert_eq!(
        error.to_string(),
        "missing_probability is 1.5, expected from 0 to its bound, and finite"
    );
    let model = ReaderModel {
        rotation_degrees_max: f64::NAN,
        ..ReaderModel::default()
    };
    assert!(FingerprintReader::new(model).is_err());
    let mut model = ReaderModel::default();
    model.normal.minutia_quality_range = (90, 40);
    assert!(FingerprintReader::new(model).is_err());
}
