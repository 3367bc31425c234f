//! 1:N duplicate search (issue 4, a bench outside CI): a million synthetic residents of seed 1
//! enrolled, then 1,000 planted duplicates (enrolled residents registering again, a new
//! capture of the same thumbs) and 1,000 newcomers searched. Reports the share of
//! duplicates found (overall and by finger quality), false candidates, time per search
//! and the index's memory.
//!
//! Run with `cargo bench -p hkic-biometrics --bench search`; `HKIC_BIOMETRICS_RESIDENTS`
//! (default 1000000) sets the gallery size. It takes several minutes and about 3 GB.
// A benchmark reports on standard output and reads the wall clock by design.
#![allow(clippy::print_stdout, clippy::disallowed_types)]

use hkic_biometrics::{
    DuplicateCandidate, DuplicateIndex, IndexBuilder, IndexConfig, SearchScratch,
};
use hkic_devices::biometric::{FingerQuality, SyntheticPopulation};
use std::time::Instant;

const DUPLICATES: u64 = 1_000;
const NEWCOMERS: u64 = 1_000;
/// A stricter threshold than the 1:1 operating one, for reporting: about one false match
/// in 100,000 random impostor comparisons on seed 2.
const STRICT_THRESHOLD: f32 = 24.0;

struct Outcome {
    /// The fused score of the true resident among the candidates, if there.
    found: Option<f32>,
    poor: bool,
    /// Scores of the other residents returned.
    false_candidates: Vec<f32>,
    seconds: f64,
}

fn search(
    index: &DuplicateIndex,
    population: &SyntheticPopulation,
    resident: u64,
    session: u32,
    scratch: &mut SearchScratch,
) -> Outcome {
    let thumbs = population.capture_thumbs(resident, session);
    let started = Instant::now();
    let candidates = index.search(thumbs.each_ref().map(Option::as_ref), scratch);
    let seconds = started.elapsed().as_secs_f64();
    let is_resident = |candidate: &&DuplicateCandidate| u64::from(candidate.resident) == resident;
    Outcome {
        found: candidates
            .iter()
            .find(is_resident)
            .map(|candidate| candidate.score),
        poor: population.resident(resident).quality == FingerQuality::Poor,
        false_candidates: candidates
            .iter()
            .filter(|candidate| !is_resident(candidate))
            .map(|candidate| candidate.score)
            .collect(),
        seconds,
    }
}

fn times(outcomes: &[Outcome]) -> String {
    let mut milliseconds: Vec<f64> = outcomes
        .iter()
        .map(|outcome| outcome.seconds * 1e3)
        .collect();
    milliseconds.sort_by(f64::total_cmp);
    let mean = milliseconds.iter().sum::<f64>() / milliseconds.len() as f64;
    let at = |share: f64| milliseconds[((milliseconds.len() - 1) as f64 * share) as usize];
    format!(
        "mean {mean:.2} ms, median {:.2} ms, p99 {:.2} ms",
        at(0.5),
        at(0.99)
    )
}

fn report(duplicates: &[Outcome], newcomers: &[Outcome], threshold: f32) {
    let found_at = |outcome: &&Outcome| outcome.found.is_some_and(|score| score >= threshold);
    let found = duplicates.iter().filter(found_at).count();
    let poor = duplicates.iter().filter(|outcome| outcome.poor).count();
    let poor_found = duplicates
        .iter()
        .filter(|outcome| outcome.poor)
        .filter(found_at)
        .count();
    let false_at = |outcomes: &[Outcome]| -> usize {
        outcomes
            .iter()
            .map(|outcome| {
                outcome
                    .false_candidates
                    .iter()
                    .filter(|&&score| score >= threshold)
                    .count()
            })
            .sum()
    };
    println!(
        "  fused score >= {threshold}: duplicates found {found} of {DUPLICATES} ({:.1}%): normal thumbs {} of {}, poor thumbs {poor_found} of {poor}",
        found as f64 * 100.0 / DUPLICATES as f64,
        found - poor_found,
        duplicates.len() - poor,
    );
    println!(
        "    false candidates: {} in the duplicate searches, {} in {NEWCOMERS} newcomer searches",
        false_at(duplicates),
        false_at(newcomers)
    );
}

fn main() {
    let residents = std::env::var("HKIC_BIOMETRICS_RESIDENTS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1_000_000u64);
    let population = SyntheticPopulation::new(1);
    let started = Instant::now();
    let mut builder =
        IndexBuilder::new(IndexConfig::default()).expect("the default configuration is valid");
    for resident in 0..residents {
        let thumbs = population.capture_thumbs(resident, 0);
        builder
            .enrol(resident as u32, thumbs.each_ref().map(Option::as_ref))
            .expect("room for every resident");
    }
    let index = builder.build().expect("postings fit");
    let memory = index.memory();
    println!(
        "biometrics 1:N: {residents} residents enrolled and indexed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "  memory {:.0} MB: postings {:.0} MB, bucket offsets {:.0} MB, enrolled templates {:.0} MB",
        memory.total() as f64 / 1e6,
        memory.postings as f64 / 1e6,
        memory.offsets as f64 / 1e6,
        memory.gallery as f64 / 1e6
    );
    let mut scratch = SearchScratch::default();
    let step = residents / DUPLICATES;
    let duplicates: Vec<Outcome> = (0..DUPLICATES)
        .map(|duplicate| search(&index, &population, duplicate * step, 1, &mut scratch))
        .collect();
    let newcomers: Vec<Outcome> = (0..NEWCOMERS)
        .map(|newcomer| search(&index, &population, residents + newcomer, 0, &mut scratch))
        .collect();
    for threshold in [IndexConfig::default().duplicate_threshold, STRICT_THRESHOLD] {
        report(&duplicates, &newcomers, threshold);
    }
    println!(
        "  time per search: duplicates {}; newcomers {}",
        times(&duplicates),
        times(&newcomers)
    );
}
