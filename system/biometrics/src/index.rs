//! The 1:N duplicate search of registration: is this person already enrolled under another
//! identity?
//!
//! An inverted index per thumb maps each triangle key ([`triangle`]) to the enrolled
//! residents whose thumb has such a triangle (postings of 32 bits: the resident's position
//! in 24 bits, the triangle's orientation in 8). A search looks up every triangle of the
//! new thumbs (with the side-length probes), counts per resident the hits whose orientation
//! differs from the probe's by no more than a finger turns on a platen, takes the residents
//! with the most hits and re-scores them with the 1:1 matcher on both thumbs; those at or
//! above the duplicate threshold are the candidates an officer examines. Only postings
//! under the probe's keys are read, never the whole gallery.
//!
//! Inputs: enrolments through an [`IndexBuilder`], then searches. Outputs: candidates,
//! best first. The index is static once built (a service rebuilds it from its enrolment
//! journal); it holds the enrolled templates compactly for re-scoring. Invariants: a search
//! is a pure function of the index and the probe (ties between residents break by
//! enrolment order), and a built index holds every enrolled thumb exactly once.

mod gallery;
mod postings;
pub mod triangle;

use crate::matcher::{Matcher, Scratch};
use crate::template::Template;
use crate::verification::{OPERATING_THRESHOLD, Verifier};
use gallery::Gallery;
use hkic_protocol::template::FingerView;
use postings::{PostingTable, TriangleScratch, bucket_of};
use triangle::TriangleConfig;

/// At most this many residents (positions fit 24 bits of a posting).
pub const RESIDENTS_MAX: usize = 1 << 24;

/// Parameters of the index and the search.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexConfig {
    pub triangles: TriangleConfig,
    /// A hit counts when the two triangles' orientations differ by at most this, 256ths of
    /// a turn (45 degrees: two placements within 15 degrees each, and noise).
    pub rotation_window: u8,
    /// Buckets of each inverted index: 2 to this power.
    pub bucket_bits: u8,
    /// Residents with the most hits that the matcher re-scores.
    pub candidates: usize,
    /// Re-scored residents at or above this fused score are reported.
    pub duplicate_threshold: f32,
}

impl Default for IndexConfig {
    fn default() -> IndexConfig {
        IndexConfig {
            triangles: TriangleConfig::default(),
            rotation_window: 32,
            bucket_bits: 24,
            candidates: 40,
            duplicate_threshold: OPERATING_THRESHOLD,
        }
    }
}

/// Why a resident cannot be enrolled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error("the index holds at most {RESIDENTS_MAX} residents and 4,294,967,295 minutiae")]
    Full,
    #[error("an inverted index would hold {postings} postings, more than 4,294,967,295")]
    TooManyPostings { postings: u64 },
    #[error("bucket bits is {0}, expected 8 to 30")]
    BadBucketBits(u8),
}

/// A resident the search found, with the fused score of both thumbs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuplicateCandidate {
    /// The identifier given at enrolment.
    pub resident: u32,
    pub score: f32,
    /// Index hits (both thumbs, counted up to 255).
    pub hits: u8,
}

/// Collects enrolments; [`IndexBuilder::build`] makes the index.
#[derive(Debug, Clone)]
pub struct IndexBuilder {
    config: IndexConfig,
    gallery: Gallery,
}

impl IndexBuilder {
    pub fn new(config: IndexConfig) -> Result<IndexBuilder, IndexError> {
        if !(8..=30).contains(&config.bucket_bits) {
            return Err(IndexError::BadBucketBits(config.bucket_bits));
        }
        Ok(IndexBuilder {
            config,
            gallery: Gallery::default(),
        })
    }

    /// Enrols a resident's thumbs (right, left) captured at 500 ppi; `None` for a thumb
    /// the reader could not capture.
    pub fn enrol(
        &mut self,
        resident: u32,
        thumbs: [Option<&FingerView>; 2],
    ) -> Result<(), IndexError> {
        let adding: usize = thumbs
            .iter()
            .flatten()
            .map(|view| view.minutiae.len())
            .sum();
        if self.gallery.len() >= RESIDENTS_MAX || !self.gallery.has_room_for(adding) {
            return Err(IndexError::Full);
        }
        self.gallery.push(resident, thumbs);
        Ok(())
    }

    /// The index of everything enrolled: triangles of every thumb counted into buckets,
    /// then placed (two passes, so that no list of all postings is ever held).
    pub fn build(self) -> Result<DuplicateIndex, IndexError> {
        let thumbs = [0, 1].map(|thumb| PostingTable::build(&self.config, &self.gallery, thumb));
        let [right, left] = thumbs;
        Ok(DuplicateIndex {
            tables: [right?, left?],
            gallery: self.gallery,
            verifier: Verifier::new(Matcher::default(), self.config.duplicate_threshold),
            config: self.config,
        })
    }
}

/// Reusable buffers of a search.
#[derive(Debug, Default, Clone)]
pub struct SearchScratch {
    hits: Vec<u8>,
    triangles: TriangleScratch,
    matcher: Scratch,
    best: Vec<(u8, u32)>,
    probes: Vec<[i8; 3]>,
    /// Bucket (high bits) and probe orientation (low 8 bits) of every lookup.
    lookups: Vec<u64>,
}

/// The built index.
#[derive(Debug, Clone)]
pub struct DuplicateIndex {
    config: IndexConfig,
    tables: [PostingTable; 2],
    gallery: Gallery,
    verifier: Verifier,
}

/// Bytes an index occupies, by part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexMemory {
    pub postings: usize,
    pub offsets: usize,
    pub gallery: usize,
}

impl IndexMemory {
    pub fn total(&self) -> usize {
        self.postings + self.offsets + self.gallery
    }
}

impl DuplicateIndex {
    pub fn len(&self) -> usize {
        self.gallery.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gallery.len() == 0
    }

    /// Memory held by the index's structures (their lengths times their element sizes).
    pub fn memory(&self) -> IndexMemory {
        IndexMemory {
            postings: self
                .tables
                .iter()
                .map(|table| table.postings.len() * 4)
                .sum(),
            offsets: self
                .tables
                .iter()
                .map(|table| table.offsets.len() * 4)
                .sum(),
            gallery: self.gallery.bytes(),
        }
    }

    /// Enrolled residents whose thumbs match `thumbs` (right, left), best first.
    pub fn search(
        &self,
        thumbs: [Option<&FingerView>; 2],
        scratch: &mut SearchScratch,
    ) -> Vec<DuplicateCandidate> {
        let probes = thumbs.map(|thumb| thumb.map(Template::from_view_500_ppi));
        scratch.hits.clear();
        scratch.hits.resize(self.gallery.len(), 0);
        for (thumb, probe) in probes.iter().enumerate() {
            if let Some(probe) = probe {
                self.count_hits(thumb, probe, scratch);
            }
        }
        self.most_hits(scratch);
        let mut found = Vec::new();
        for &(hits, position) in &scratch.best {
            let references = [0, 1].map(|thumb| self.gallery.template(position as usize, thumb));
            let verification = self.verifier.verify(
                probes.each_ref().map(Option::as_ref),
                references.each_ref().map(Option::as_ref),
                &mut scratch.matcher,
            );
            if verification.accepted {
                let resident = self.gallery.identifiers[position as usize];
                found.push((
                    position,
                    DuplicateCandidate {
                        resident,
                        score: verification.score,
                        hits,
                    },
                ));
            }
        }
        found.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(&b.0)));
        found.into_iter().map(|(_, candidate)| candidate).collect()
    }

    fn count_hits(&self, thumb: usize, probe: &Template, scratch: &mut SearchScratch) {
        let triangles = &self.config.triangles;
        let table = &self.tables[thumb];
        triangles.triangles(
            probe,
            &mut scratch.triangles.corners,
            &mut scratch.triangles.triangles,
        );
        let window = self.config.rotation_window;
        // Gather every lookup first and visit the buckets in order: a million-resident
        // table is far bigger than the caches, and ordered visits touch each page once.
        scratch.lookups.clear();
        for triangle in &scratch.triangles.triangles {
            triangles.probes(triangle, &mut scratch.probes);
            let (first_bin, bins) = TriangleConfig::orientation_bins_within(triangle, window);
            for &offsets in &scratch.probes {
                for bin in 0..bins {
                    if let Some(key) = triangles.key(triangle, offsets, first_bin.wrapping_add(bin))
                    {
                        let bucket = bucket_of(key, self.config.bucket_bits) as u64;
                        scratch
                            .lookups
                            .push(bucket << 8 | u64::from(triangle.orientation));
                    }
                }
            }
        }
        scratch.lookups.sort_unstable();
        for &lookup in &scratch.lookups {
            let bucket = table.bucket((lookup >> 8) as usize);
            count_bucket(bucket, lookup as u8, window, &mut scratch.hits);
        }
    }

    /// The `config.candidates` positions with the most hits (at least one), most first,
    /// earlier enrolments first among equals.
    fn most_hits(&self, scratch: &mut SearchScratch) {
        let wanted = self.config.candidates;
        scratch.best.clear();
        if wanted == 0 {
            return;
        }
        let mut floor = 1u8;
        for (position, &hits) in scratch.hits.iter().enumerate() {
            if hits < floor {
                continue;
            }
            scratch.best.push((hits, position as u32));
            if scratch.best.len() >= 2 * wanted {
                keep_best(&mut scratch.best, wanted);
                // Later positions lose ties: only more hits than the last kept can enter.
                floor = scratch
                    .best
                    .last()
                    .map_or(1, |&(hits, _)| hits.saturating_add(1));
            }
        }
        keep_best(&mut scratch.best, wanted);
    }
}

/// Counts a hit for every posting in `bucket` whose orientation is within `window` of
/// `orientation`.
fn count_bucket(bucket: &[u32], orientation: u8, window: u8, hits: &mut [u8]) {
    for &posting in bucket {
        let turn = orientation.wrapping_sub(posting as u8) as i8;
        if turn.unsigned_abs() <= window {
            let count = &mut hits[(posting >> 8) as usize];
            *count = count.saturating_add(1);
        }
    }
}

/// Sorts by hits (most first, then position) and keeps `wanted`.
fn keep_best(best: &mut Vec<(u8, u32)>, wanted: usize) {
    best.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    best.truncate(wanted);
}
