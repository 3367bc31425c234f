//! The 1:N duplicate index on synthetic galleries: duplicates come back as candidates,
//! poor-quality ones included, newcomers do not, and the search is deterministic.

use hkic_biometrics::{
    DuplicateCandidate, DuplicateIndex, IndexBuilder, IndexConfig, IndexError, SearchScratch,
};
use hkic_devices::biometric::{FingerQuality, SyntheticPopulation};
use hkic_protocol::template::{FingerView, ImpressionType, Minutia, MinutiaKind};
use std::sync::OnceLock;

const GALLERY: u64 = 400;
/// About one false match in 10 million impostor comparisons (seed 2).
const STRICT_THRESHOLD: f32 = 30.0;
/// The gallery the search is measured on: big enough that the index, not a scan, finds
/// the duplicates (a shortlist of a dozen among ten thousand), small enough for a test.
const LARGE_GALLERY: u64 = 10_000;

fn gallery(population: &SyntheticPopulation) -> DuplicateIndex {
    gallery_of(population, GALLERY)
}

fn gallery_of(population: &SyntheticPopulation, residents: u64) -> DuplicateIndex {
    let mut builder = IndexBuilder::new(IndexConfig::default()).unwrap();
    for resident in 0..residents {
        let thumbs = population.capture_thumbs(resident, 0);
        // Identifiers need not be positions: enrol under 1000 + the resident's index.
        builder
            .enrol(
                1000 + resident as u32,
                thumbs.each_ref().map(Option::as_ref),
            )
            .unwrap();
    }
    builder.build().unwrap()
}

/// Ten thousand residents of seed 1 (the acceptance bench's seed), built once for the tests
/// that share it.
fn large() -> &'static (SyntheticPopulation, DuplicateIndex) {
    static LARGE: OnceLock<(SyntheticPopulation, DuplicateIndex)> = OnceLock::new();
    LARGE.get_or_init(|| {
        let population = SyntheticPopulation::new(1);
        let index = gallery_of(&population, LARGE_GALLERY);
        (population, index)
    })
}

fn search(index: &DuplicateIndex, thumbs: &[Option<FingerView>; 2]) -> Vec<DuplicateCandidate> {
    index.search(
        thumbs.each_ref().map(Option::as_ref),
        &mut SearchScratch::default(),
    )
}

#[test]
fn planted_duplicates_are_found_among_ten_thousand_poor_ones_too() {
    let (population, index) = large();
    assert_eq!(index.len(), LARGE_GALLERY as usize);
    // About a tenth of the residents have poor fingers; their enrolments form the low table.
    assert!(
        (700..=1500).contains(&index.low_len()),
        "{}",
        index.low_len()
    );
    let (mut normal, mut normal_first, mut poor, mut poor_found) = (0, 0, 0, 0);
    // Every poor resident among the first 1,000 and every 50th normal one, registering
    // again (capture session 1).
    for resident in 0..1_000 {
        let is_poor = population.resident(resident).quality == FingerQuality::Poor;
        if !is_poor && resident % 50 != 0 {
            continue;
        }
        let candidates = search(index, &population.capture_thumbs(resident, 1));
        let identifier = 1000 + resident as u32;
        assert!(
            candidates
                .windows(2)
                .all(|pair| pair[0].score >= pair[1].score)
        );
        if is_poor {
            poor += 1;
            poor_found += usize::from(candidates.iter().any(|c| c.resident == identifier));
        } else {
            normal += 1;
            normal_first +=
                usize::from(candidates.first().is_some_and(|c| c.resident == identifier));
        }
    }
    assert_eq!(normal_first, normal, "every normal duplicate comes first");
    assert!(poor >= 50, "{poor} poor duplicates searched");
    // The 1:1 matcher itself misses about 2% of poor duplicates at its threshold.
    assert!(
        poor_found * 100 >= poor * 95,
        "{poor_found} of {poor} poor duplicates found"
    );
}

#[test]
fn newcomers_meet_no_false_duplicate_among_ten_thousand() {
    let (population, index) = large();
    let mut with_any = Vec::new();
    for newcomer in LARGE_GALLERY..LARGE_GALLERY + 100 {
        let candidates = search(index, &population.capture_thumbs(newcomer, 0));
        // No newcomer meets anyone above a threshold set for a search rather than for one
        // comparison.
        assert!(
            candidates.iter().all(|c| c.score < STRICT_THRESHOLD),
            "newcomer {newcomer}: {candidates:?}"
        );
        if !candidates.is_empty() {
            with_any.push(newcomer);
        }
    }
    // Above the 1:1 threshold a few do: the index shortlists the residents most like the
    // newcomer, and among ten thousand some pass a threshold set for one comparison in
    // ten thousand (an officer examines them).
    assert!(with_any.len() <= 5, "{with_any:?}");
}

#[test]
fn searches_are_deterministic_and_reuse_scratch_safely() {
    let population = SyntheticPopulation::new(13);
    let index = gallery(&population);
    // Two poorly captured residents, so that the low table's state is dirtied too.
    let mut poor = (0..GALLERY).filter(|&r| population.resident(r).quality == FingerQuality::Poor);
    let (poor, other_poor) = (poor.next().unwrap(), poor.next().unwrap());
    let probe = population.capture_thumbs(poor, 1);
    let other = population.capture_thumbs(other_poor, 1);
    let fresh = index.search(
        probe.each_ref().map(Option::as_ref),
        &mut SearchScratch::default(),
    );
    let mut scratch = SearchScratch::default();
    let first = index.search(probe.each_ref().map(Option::as_ref), &mut scratch);
    let _ = index.search(other.each_ref().map(Option::as_ref), &mut scratch);
    let again = index.search(probe.each_ref().map(Option::as_ref), &mut scratch);
    assert_eq!(first, again);
    assert_eq!(first, fresh);
    assert_eq!(index.search([None, None], &mut scratch), vec![]);
}

#[test]
fn memory_is_accounted_from_the_structures() {
    let population = SyntheticPopulation::new(14);
    let index = gallery(&population);
    let memory = index.memory();
    // The key offsets do not depend on the population: both thumbs of both tables.
    let config = IndexConfig::default();
    let keys = |table: &hkic_biometrics::index::TableConfig| {
        table.quantisation.keys(&table.pairs) as usize + 1
    };
    assert_eq!(
        memory.offsets,
        2 * 4 * (keys(&config.main) + keys(&config.low))
    );
    // Each enrolled thumb gives between 20 and 200 pairs to the main table (4 bytes each).
    assert!(memory.main_postings > GALLERY as usize * 2 * 20 * 4);
    assert!(memory.main_postings < GALLERY as usize * 2 * 200 * 4);
    // Low postings are 6 bytes; only the low table's members have them.
    assert!(memory.low_postings > index.low_len() * 2 * 20 * 6);
    assert!(memory.low_postings < index.low_len() * 2 * 400 * 6);
    // 4 bytes a minutia, 25 to 80 minutiae a thumb.
    assert!(memory.gallery > GALLERY as usize * 2 * 25 * 4);
    assert!(memory.gallery < GALLERY as usize * 2 * 80 * 4 + GALLERY as usize * 16);
    assert_eq!(
        memory.total(),
        memory.main_postings
            + memory.low_postings
            + memory.offsets
            + memory.members
            + memory.gallery
    );
}

#[test]
fn bad_configurations_and_enrolments_are_refused() {
    let mut config = IndexConfig::default();
    config.low.quantisation.orientation_bins = 7;
    assert_eq!(
        IndexBuilder::new(config).err(),
        Some(IndexError::BadQuantisation { table: "low" })
    );
    let mut builder = IndexBuilder::new(IndexConfig::default()).unwrap();
    let minutia = |x: u16| Minutia {
        x,
        y: 10,
        angle: 0,
        kind: MinutiaKind::RidgeEnding,
        quality: 60,
    };
    let view = FingerView {
        position: hkic_protocol::template::FingerPosition::RightThumb,
        view_number: 0,
        impression: ImpressionType::LiveScanPlain,
        quality: 70,
        minutiae: vec![minutia(100), minutia(3000)],
        extended_data: Vec::new(),
    };
    assert_eq!(
        builder.enrol(7, [Some(&view), None]),
        Err(IndexError::CoordinateTooLarge { x: 3000, y: 10 })
    );
    let fine = FingerView {
        minutiae: vec![minutia(100), minutia(140)],
        ..view
    };
    assert_eq!(builder.enrol(7, [Some(&fine), None]), Ok(()));
}
