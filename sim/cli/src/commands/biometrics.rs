//! `hkic-sim biometrics`: measure the fingerprint matcher on synthetic residents: false match
//! and false non-match rates at the operating threshold, the threshold for a target false
//! match rate, time per comparison, and the DET curve as CSV.

use std::fs::File;
use std::io::{BufWriter, Write};

use hkic_biometrics::evaluation::{EvaluationParameters, evaluate, write_det_csv};
use hkic_devices::biometric::SyntheticPopulation;

use crate::args::BiometricsArgs;
use crate::exit::{CliError, OK};

fn percent(rate: f64) -> String {
    format!("{:.4}%", rate * 100.0)
}

pub fn run(args: &BiometricsArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let mut parameters = EvaluationParameters::new(args.seed, args.genuine, args.impostor);
    parameters.target_false_match_rate = args.target_fmr;
    let population = SyntheticPopulation::new(args.seed);
    #[allow(clippy::disallowed_types)] // Time per comparison is what the user asked for.
    let started = std::time::Instant::now();
    let evaluation = evaluate(&parameters, &mut |resident, session| {
        population.capture_thumbs(resident, session)
    })
    .map_err(|error| CliError::BadInput(error.to_string()))?;
    let seconds = started.elapsed().as_secs_f64();
    let per_comparison = seconds * 1e6 / evaluation.thumb_comparisons.max(1) as f64;
    let lines = [
        format!(
            "seed {}: {} genuine and {} impostor two-thumb comparisons over {} synthetic residents",
            evaluation.seed,
            evaluation.genuine_comparisons,
            evaluation.impostor_comparisons,
            evaluation.residents
        ),
        format!(
            "failures to capture: {} of {} thumb captures",
            evaluation.failed_thumb_captures, evaluation.thumb_captures
        ),
        format!(
            "operating threshold {:.2}: false match rate {}, false non-match rate {}",
            evaluation.operating_threshold,
            percent(evaluation.false_match_rate),
            percent(evaluation.false_non_match_rate)
        ),
        format!(
            "threshold for a false match rate of at most {}: {:.2} (false match rate {}, false non-match rate {})",
            percent(evaluation.target_false_match_rate),
            evaluation.threshold_at_target,
            percent(evaluation.false_match_rate_at_target),
            percent(evaluation.false_non_match_rate_at_target)
        ),
        format!(
            "time per thumb comparison: {per_comparison:.1} us (wall {seconds:.1} s for {} comparisons, captures included)",
            evaluation.thumb_comparisons
        ),
    ];
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    let path = &args.det;
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|error| CliError::Internal(format!("{}: {error}", parent.display())))?;
    }
    let file = File::create(path)
        .map_err(|error| CliError::BadInput(format!("--det {}: {error}", path.display())))?;
    let mut writer = BufWriter::new(file);
    write_det_csv(&evaluation.det, &mut writer)
        .and_then(|()| writer.flush())
        .map_err(|error| CliError::Internal(format!("--det {}: {error}", path.display())))?;
    let _ = writeln!(
        out,
        "DET curve: {} ({} points)",
        path.display(),
        evaluation.det.len()
    );
    Ok(OK)
}
