//! Error rates as functions of the threshold, and the DET curve.

use std::io::{self, Write};

/// One point of the DET curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetPoint {
    pub threshold: f32,
    pub false_match_rate: f64,
    pub false_non_match_rate: f64,
}

/// Writes `points` as CSV: a header line, then `threshold,false_match_rate,
/// false_non_match_rate` per point, numbers in Rust's shortest round-trip form.
pub fn write_det_csv(points: &[DetPoint], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "threshold,false_match_rate,false_non_match_rate")?;
    for point in points {
        writeln!(
            out,
            "{},{},{}",
            point.threshold, point.false_match_rate, point.false_non_match_rate
        )?;
    }
    Ok(())
}

/// Genuine and impostor scores, each sorted ascending and not empty.
pub(super) struct Rates<'a> {
    genuine: &'a [f32],
    impostor: &'a [f32],
}

impl<'a> Rates<'a> {
    pub(super) fn new(genuine: &'a [f32], impostor: &'a [f32]) -> Rates<'a> {
        debug_assert!(!genuine.is_empty() && !impostor.is_empty());
        debug_assert!(genuine.is_sorted_by(|a, b| a <= b));
        debug_assert!(impostor.is_sorted_by(|a, b| a <= b));
        Rates { genuine, impostor }
    }

    /// Rates when scores at or above `threshold` match.
    pub(super) fn at(&self, threshold: f32) -> DetPoint {
        let rejected_genuine = self.genuine.partition_point(|&score| score < threshold);
        let rejected_impostor = self.impostor.partition_point(|&score| score < threshold);
        DetPoint {
            threshold,
            false_match_rate: (self.impostor.len() - rejected_impostor) as f64
                / self.impostor.len() as f64,
            false_non_match_rate: rejected_genuine as f64 / self.genuine.len() as f64,
        }
    }

    /// The lowest threshold at which at most `target` of the impostor scores match: just
    /// above the highest impostor score that must be refused.
    pub(super) fn threshold_for(&self, target: f64) -> f32 {
        let allowed = (target * self.impostor.len() as f64).floor() as usize;
        if allowed >= self.impostor.len() {
            return self.impostor[0].min(self.genuine[0]);
        }
        just_above(self.impostor[self.impostor.len() - 1 - allowed])
    }

    /// About `points` thresholds plus `extra`, sorted: half of them where the false match
    /// rate takes log-spaced values from 1 down to one impostor, half where the false
    /// non-match rate does the same from 1 down to one genuine comparison (a DET plot's
    /// axes are logarithmic, so that is where the points are needed).
    pub(super) fn curve(&self, points: usize, extra: &[f32]) -> Vec<DetPoint> {
        let half = (points / 2).max(2);
        let impostor = log_spaced_counts(self.impostor.len(), half)
            .map(|matching| self.impostor[self.impostor.len() - matching]);
        let genuine = log_spaced_counts(self.genuine.len(), half)
            .map(|rejected| just_above(self.genuine[rejected - 1]));
        let mut thresholds: Vec<f32> = impostor
            .chain(genuine)
            .chain(extra.iter().copied())
            .filter(|threshold| threshold.is_finite())
            .collect();
        thresholds.sort_by(f32::total_cmp);
        thresholds.dedup();
        thresholds
            .into_iter()
            .map(|threshold| self.at(threshold))
            .collect()
    }
}

/// `count` counts from `length` down to 1, evenly spaced on a log scale.
fn log_spaced_counts(length: usize, count: usize) -> impl Iterator<Item = usize> {
    let decades = (length as f64).log10();
    (0..count).map(move |step| {
        let exponent = decades * step as f64 / (count - 1) as f64;
        ((length as f64 / 10f64.powf(exponent)).round() as usize).clamp(1, length)
    })
}

/// The next f32 above `value` (`f32::next_up`, which needs a newer Rust than 1.85).
pub(super) fn just_above(value: f32) -> f32 {
    if value.is_nan() || value == f32::INFINITY {
        return value;
    }
    if value == 0.0 {
        return f32::from_bits(1);
    }
    let bits = value.to_bits();
    if value > 0.0 {
        f32::from_bits(bits + 1)
    } else {
        f32::from_bits(bits - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_count_scores_at_or_above_the_threshold_as_matches() {
        let genuine = [5.0, 10.0, 20.0, 30.0];
        let impostor = [-5.0, 0.0, 1.0, 5.0, 10.0];
        let rates = Rates::new(&genuine, &impostor);
        let at_ten = rates.at(10.0);
        assert_eq!(at_ten.false_match_rate, 0.2);
        assert_eq!(at_ten.false_non_match_rate, 0.25);
        let at_eleven = rates.at(11.0);
        assert_eq!(at_eleven.false_match_rate, 0.0);
        assert_eq!(at_eleven.false_non_match_rate, 0.5);
    }

    #[test]
    fn the_threshold_for_a_target_refuses_just_enough_impostors() {
        let genuine = [50.0];
        let impostor: Vec<f32> = (0..1000).map(|score| score as f32).collect();
        let rates = Rates::new(&genuine, &impostor);
        // 1% of 1,000: at most 10 impostors (990 to 999) may match.
        let threshold = rates.threshold_for(0.01);
        assert!(threshold > 989.0 && threshold <= 990.0, "{threshold}");
        assert_eq!(rates.at(threshold).false_match_rate, 0.01);
        // Fewer than one allowed: just above the highest impostor.
        assert_eq!(rates.threshold_for(0.0001), just_above(999.0));
        assert_eq!(rates.at(rates.threshold_for(0.0001)).false_match_rate, 0.0);
    }

    #[test]
    fn just_above_is_the_next_float() {
        assert!(just_above(1.0) > 1.0);
        assert_eq!(just_above(1.0), f32::from_bits(1.0f32.to_bits() + 1));
        assert!(just_above(-1.0) > -1.0 && just_above(-1.0) < -0.999_999);
        assert!(just_above(0.0) > 0.0);
        assert!(just_above(-0.0) > 0.0);
    }

    #[test]
    fn csv_has_a_header_and_one_line_per_point() {
        let points = [DetPoint {
            threshold: 18.5,
            false_match_rate: 0.0001,
            false_non_match_rate: 0.0025,
        }];
        let mut out = Vec::new();
        write_det_csv(&points, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "threshold,false_match_rate,false_non_match_rate\n18.5,0.0001,0.0025\n"
        );
    }
}
