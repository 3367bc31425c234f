//! The evaluation's contract: rates, the threshold for a target, the DET curve and its CSV,
//! refused parameters, determinism.

mod common;

use hkic_biometrics::{EvaluationError, EvaluationParameters, evaluate, write_det_csv};

#[test]
fn a_small_evaluation_reports_consistent_rates() {
    let parameters = EvaluationParameters::new(4, 300, 3_000);
    let evaluation = evaluate(&parameters, &mut common::captures(4)).unwrap();
    assert_eq!(evaluation.genuine_scores.len(), 300);
    assert_eq!(evaluation.impostor_scores.len(), 3_000);
    assert_eq!(evaluation.residents, 300);
    assert_eq!(evaluation.thumb_captures, 600 * 2);
    assert!(evaluation.thumb_comparisons <= 2 * 3_300);
    assert!(evaluation.genuine_scores.is_sorted_by(|a, b| a <= b));
    // The threshold for 0.01% of 3,000 impostors lets none through.
    assert_eq!(evaluation.false_match_rate_at_target, 0.0);
    assert!(evaluation.threshold_at_target > *evaluation.impostor_scores.last().unwrap());
    assert!(evaluation.false_non_match_rate < 0.05);
    assert!(evaluation.false_match_rate < 0.002);
    // The DET curve: thresholds rise, false matches fall, false non-matches rise.
    let det = &evaluation.det;
    assert!(det.len() > 50);
    for pair in det.windows(2) {
        assert!(pair[0].threshold < pair[1].threshold);
        assert!(pair[0].false_match_rate >= pair[1].false_match_rate);
        assert!(pair[0].false_non_match_rate <= pair[1].false_non_match_rate);
    }
    assert_eq!(det[0].false_match_rate, 1.0);
    assert_eq!(det.last().unwrap().false_match_rate, 0.0);
    assert!(
        det.iter()
            .any(|point| point.threshold == evaluation.operating_threshold)
    );
}

#[test]
fn the_same_seed_gives_the_same_evaluation() {
    let run = || {
        evaluate(
            &EvaluationParameters::new(9, 40, 400),
            &mut common::captures(9),
        )
        .unwrap()
    };
    assert_eq!(run(), run());
}

#[test]
fn the_det_curve_writes_as_csv() {
    let evaluation = evaluate(
        &EvaluationParameters::new(5, 20, 100),
        &mut common::captures(5),
    )
    .unwrap();
    let mut out = Vec::new();
    write_det_csv(&evaluation.det, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("threshold,false_match_rate,false_non_match_rate")
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|line| {
            line.split(',')
                .map(|field| field.parse().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), evaluation.det.len());
    assert!(rows.iter().all(|row| row.len() == 3));
    assert_eq!(rows[0][0] as f32, evaluation.det[0].threshold);
}

#[test]
fn unusable_parameters_are_refused() {
    let mut captures = common::captures(1);
    let cases = [
        (
            EvaluationParameters::new(1, 0, 10),
            EvaluationError::NoGenuineComparisons,
        ),
        (
            EvaluationParameters::new(1, 10, 0),
            EvaluationError::NoImpostorComparisons,
        ),
        (
            EvaluationParameters {
                target_false_match_rate: 0.0,
                ..EvaluationParameters::new(1, 10, 10)
            },
            EvaluationError::BadTargetRate(0.0),
        ),
        (
            EvaluationParameters {
                operating_threshold: f32::NAN,
                ..EvaluationParameters::new(1, 10, 10)
            },
            EvaluationError::BadThreshold(f32::NAN),
        ),
    ];
    for (parameters, expected) in cases {
        let error = evaluate(&parameters, &mut captures).unwrap_err();
        assert_eq!(error.to_string(), expected.to_string());
    }
}
