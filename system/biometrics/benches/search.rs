//! 1:N duplicate search (issue 4, a bench outside CI): a million synthetic residents of seed 1
//! enrolled, then 1,000 planted duplicates (enrolled residents registering again, a new
//! capture of the same thumbs) and 1,000 newcomers searched. Reports the share of
//! duplicates found (overall and by finger quality), false candidates, time per search
//! (median and 95th percentile, by finger quality) and the index's memory.
//!
//! Run with `cargo bench -p hkic-biometrics --bench search`; `HKIC_BIOMETRICS_RESIDENTS`
//! (default 1000000) sets the gallery size. It takes about ten minutes on a shared 2-core
//! machine and 2.5 GB at full size (most of it drawing the synthetic captures and building
//! the index). On a shared machine, compare the mean time on a CPU with the wall clock.
// A benchmark reports on standard output and reads the wall clock by design.
#![allow(clippy::print_stdout, clippy::disallowed_types)]

use hkic_biometrics::{
    DuplicateCandidate, DuplicateIndex, IndexBuilder, IndexConfig, Scratch, SearchScratch,
    Template, Verifier,
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
    /// Time this thread spent on a CPU during the search, when the OS tells.
    cpu_seconds: Option<f64>,
}

/// Nanoseconds this thread has spent on a CPU (Linux: /proc/thread-self/schedstat), so
/// that a search's own cost can be told from time lost to other jobs on a shared machine.
fn thread_cpu_nanoseconds() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn search(
    index: &DuplicateIndex,
    population: &SyntheticPopulation,
    resident: u64,
    session: u32,
    scratch: &mut SearchScratch,
) -> Outcome {
    let thumbs = population.capture_thumbs(resident, session);
    let cpu_started = thread_cpu_nanoseconds();
    let started = Instant::now();
    let candidates = index.search(thumbs.each_ref().map(Option::as_ref), scratch);
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = cpu_started
        .zip(thread_cpu_nanoseconds())
        .map(|(start, end)| end.saturating_sub(start) as f64 * 1e-9);
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
        cpu_seconds,
    }
}

/// Median, 95th percentile and mean of the search times (wall clock), and the mean time
/// on a CPU (the OS counts it in scheduler ticks, so only its mean means much), milliseconds.
fn times<'a>(outcomes: impl Iterator<Item = &'a Outcome> + Clone) -> String {
    let mut wall: Vec<f64> = outcomes
        .clone()
        .map(|outcome| outcome.seconds * 1e3)
        .collect();
    if wall.is_empty() {
        return "none".to_string();
    }
    wall.sort_by(f64::total_cmp);
    let at = |share: f64| wall[((wall.len() - 1) as f64 * share).round() as usize];
    let mean = wall.iter().sum::<f64>() / wall.len() as f64;
    let cpu: Option<Vec<f64>> = outcomes.map(|outcome| outcome.cpu_seconds).collect();
    let cpu_mean = cpu.map(|cpu| cpu.iter().sum::<f64>() * 1e3 / cpu.len() as f64);
    let on_cpu = cpu_mean.map_or(String::new(), |ms| format!(", on a CPU {ms:.2} ms"));
    format!(
        "median {:.2} ms, p95 {:.2} ms (mean {mean:.2} ms{on_cpu})",
        at(0.5),
        at(0.95)
    )
}

fn percent(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole.max(1) as f64
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
    let normal = duplicates.len() - poor;
    let over = |outcome: &Outcome| {
        let above = |score: &&f32| **score >= threshold;
        outcome.false_candidates.iter().filter(above).count()
    };
    let false_in = |outcomes: &mut dyn Iterator<Item = &Outcome>| -> (usize, usize, usize) {
        outcomes.fold((0, 0, 0), |(searches, with_any, total), outcome| {
            let count = over(outcome);
            (
                searches + 1,
                with_any + usize::from(count > 0),
                total + count,
            )
        })
    };
    println!(
        "  fused score >= {threshold}: duplicates found {found} of {} ({:.1}%): normal thumbs {} of {normal} ({:.1}%), poor thumbs {poor_found} of {poor} ({:.1}%)",
        duplicates.len(),
        percent(found, duplicates.len()),
        found - poor_found,
        percent(found - poor_found, normal),
        percent(poor_found, poor),
    );
    let (searches, with_any, total) = false_in(&mut newcomers.iter());
    let (normal_searches, _, normal_total) = false_in(&mut newcomers.iter().filter(|o| !o.poor));
    let (poor_searches, _, poor_total) = false_in(&mut newcomers.iter().filter(|o| o.poor));
    let (_, _, in_duplicates) = false_in(&mut duplicates.iter());
    println!(
        "    false candidates: {total} in the {searches} newcomer searches ({with_any} searches with any): {normal_total} in the {normal_searches} with normal thumbs, {poor_total} in the {poor_searches} with poor thumbs; {in_duplicates} besides the true resident in the duplicate searches"
    );
}

/// False matches when each newcomer is compared with `per_search` residents drawn at
/// random (deterministically) instead of the index's shortlist: what the matcher's false
/// match rate alone gives, at each threshold.
fn random_shortlist_false_matches(
    population: &SyntheticPopulation,
    residents: u64,
    per_search: u64,
    thresholds: [f32; 2],
) -> [usize; 2] {
    let verifier = Verifier::default();
    let mut scratch = Scratch::default();
    let prepare = |views: [Option<hkic_protocol::template::FingerView>; 2]| {
        views.map(|view| view.map(|view| Template::from_view_500_ppi(&view)))
    };
    let mut false_matches = [0; 2];
    for newcomer in 0..NEWCOMERS {
        let probe = prepare(population.capture_thumbs(residents + newcomer, 0));
        for draw in 0..per_search {
            let resident = (newcomer * 7_919 + draw * 104_729 + 13) % residents;
            let reference = prepare(population.capture_thumbs(resident, 0));
            let score = verifier
                .verify(
                    probe.each_ref().map(Option::as_ref),
                    reference.each_ref().map(Option::as_ref),
                    &mut scratch,
                )
                .score;
            for (count, threshold) in false_matches.iter_mut().zip(thresholds) {
                *count += usize::from(score >= threshold);
            }
        }
    }
    false_matches
}

fn main() {
    let residents = std::env::var("HKIC_BIOMETRICS_RESIDENTS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1_000_000u64);
    let population = SyntheticPopulation::new(1);
    let started = Instant::now();
    let config = IndexConfig::default();
    let candidates = (config.candidates, config.low_aligned, config.low_candidates);
    let mut builder = IndexBuilder::new(config).expect("the default configuration is valid");
    for resident in 0..residents {
        let thumbs = population.capture_thumbs(resident, 0);
        builder
            .enrol(resident as u32, thumbs.each_ref().map(Option::as_ref))
            .expect("room for every resident");
    }
    let captured = started.elapsed().as_secs_f64();
    let index = builder.build().expect("postings fit");
    let memory = index.memory();
    println!(
        "biometrics 1:N: {residents} residents captured in {captured:.0} s and indexed in {:.0} s ({} in the low-quality table)",
        started.elapsed().as_secs_f64() - captured,
        index.low_len()
    );
    println!(
        "  memory {:.0} MB, {:.0} bytes per enrolled resident: main table postings {:.0} MB, low table postings {:.0} MB, key offsets {:.0} MB, pair counts and members {:.0} MB, enrolled templates {:.0} MB",
        memory.total() as f64 / 1e6,
        memory.total() as f64 / residents.max(1) as f64,
        memory.main_postings as f64 / 1e6,
        memory.low_postings as f64 / 1e6,
        memory.offsets as f64 / 1e6,
        memory.members as f64 / 1e6,
        memory.gallery as f64 / 1e6
    );
    println!(
        "  re-scored by the 1:1 matcher: the best {} of the main table, and for poor probes the best {} by aligned score of the best {} of the low table",
        candidates.0, candidates.2, candidates.1
    );
    let mut scratch = SearchScratch::default();
    let step = residents / DUPLICATES;
    let duplicates: Vec<Outcome> = (0..DUPLICATES)
        .map(|duplicate| search(&index, &population, duplicate * step, 1, &mut scratch))
        .collect();
    let newcomers: Vec<Outcome> = (0..NEWCOMERS)
        .map(|newcomer| search(&index, &population, residents + newcomer, 0, &mut scratch))
        .collect();
    let thresholds = [IndexConfig::default().duplicate_threshold, STRICT_THRESHOLD];
    for threshold in thresholds {
        report(&duplicates, &newcomers, threshold);
    }
    let random =
        random_shortlist_false_matches(&population, residents, candidates.0 as u64, thresholds);
    println!(
        "  for comparison, {} random residents re-scored for each newcomer instead: {} false matches at {}, {} at {}",
        candidates.0, random[0], thresholds[0], random[1], thresholds[1]
    );
    let all = || duplicates.iter().chain(&newcomers);
    println!("  time per search: all {}", times(all()));
    println!(
        "    normal probes {}; poor probes {}",
        times(all().filter(|outcome| !outcome.poor)),
        times(all().filter(|outcome| outcome.poor))
    );
}
