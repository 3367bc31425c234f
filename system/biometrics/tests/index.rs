//! The 1:N duplicate index on a small synthetic gallery: duplicates come back as candidates,
//! newcomers do not, and the search is deterministic.

use hkic_biometrics::{DuplicateIndex, IndexBuilder, IndexConfig, IndexError, SearchScratch};
use hkic_devices::biometric::{FingerQuality, SyntheticPopulation};

const GALLERY: u64 = 400;

fn gallery(population: &SyntheticPopulation) -> DuplicateIndex {
    let mut builder = IndexBuilder::new(IndexConfig::default()).unwrap();
    for resident in 0..GALLERY {
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

#[test]
fn duplicates_are_found_and_newcomers_are_not() {
    let population = SyntheticPopulation::new(12);
    let index = gallery(&population);
    assert_eq!(index.len(), GALLERY as usize);
    let mut scratch = SearchScratch::default();
    let (mut normal, mut found) = (0, 0);
    for resident in (0..GALLERY).step_by(8) {
        if population.resident(resident).quality == FingerQuality::Poor {
            continue;
        }
        normal += 1;
        let thumbs = population.capture_thumbs(resident, 1);
        let candidates = index.search(thumbs.each_ref().map(Option::as_ref), &mut scratch);
        found += usize::from(
            candidates
                .first()
                .is_some_and(|best| best.resident == 1000 + resident as u32),
        );
        assert!(
            candidates
                .windows(2)
                .all(|pair| pair[0].score >= pair[1].score)
        );
    }
    assert_eq!(found, normal, "every normal duplicate comes first");
    for newcomer in 0..20 {
        let thumbs = population.capture_thumbs(GALLERY + newcomer, 0);
        assert!(
            index
                .search(thumbs.each_ref().map(Option::as_ref), &mut scratch)
                .is_empty()
        );
    }
}

#[test]
fn searches_are_deterministic_and_reuse_scratch_safely() {
    let population = SyntheticPopulation::new(13);
    let index = gallery(&population);
    let probe = population.capture_thumbs(17, 1);
    let other = population.capture_thumbs(300, 1);
    let mut scratch = SearchScratch::default();
    let first = index.search(probe.each_ref().map(Option::as_ref), &mut scratch);
    let _ = index.search(other.each_ref().map(Option::as_ref), &mut scratch);
    let again = index.search(
        probe.each_ref().map(Option::as_ref),
        &mut SearchScratch::default(),
    );
    assert_eq!(first, again);
    assert_eq!(index.search([None, None], &mut scratch), vec![]);
}

#[test]
fn memory_is_accounted_from_the_structures() {
    let population = SyntheticPopulation::new(14);
    let index = gallery(&population);
    let memory = index.memory();
    // Two thumbs' bucket offsets of 2^24 + 1 entries, 4 bytes each.
    assert_eq!(memory.offsets, 2 * ((1 << 24) + 1) * 4);
    // Each enrolled thumb gives between 50 and 400 triangles.
    assert!(memory.postings > GALLERY as usize * 2 * 50 * 4);
    assert!(memory.postings < GALLERY as usize * 2 * 400 * 4);
    assert!(memory.gallery > GALLERY as usize * 2 * 25 * 6);
    assert_eq!(
        memory.total(),
        memory.postings + memory.offsets + memory.gallery
    );
}

#[test]
fn bad_configurations_are_refused() {
    let config = IndexConfig {
        bucket_bits: 40,
        ..IndexConfig::default()
    };
    assert_eq!(
        IndexBuilder::new(config).err(),
        Some(IndexError::BadBucketBits(40))
    );
}
