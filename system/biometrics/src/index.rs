//! The 1:N duplicate search of registration: is this person already enrolled under another
//! identity?
//!
//! Features are minutia pairs ([`pairs`]): invariant to where the finger lay, and robust to
//! the minutiae a capture misses or invents. Two tables of them ([`tables`]): the main one
//! over every enrolled resident, quantised for normal captures, and a low one over the
//! residents enrolled with poor captures, quantised coarsely. A search looks up every pair
//! of the new thumbs in the main table (and, for a poor capture, in the low table too),
//! reads the runs of keys they reach from the shortest up within a budget of postings per
//! resident, counts a hit when the rotation (and, in the low table, the translation) it
//! implies is plausible, and scores each resident by how far its hits exceed what chance
//! gives a resident with as many pairs ([`reading`]). The best of the main table, and the
//! best of the low table after a cheap look at the alignment their hits imply
//! ([`aligned`]), are re-scored by the 1:1 matcher on both thumbs ([`search`]); those at or
//! above the duplicate threshold are the candidates an officer examines. Only postings
//! under the probe's keys are read, never the whole gallery.
//!
//! Why a second table: a poor capture keeps about two thirds of a finger's minutiae, with
//! twice the jitter, so two captures share under half of their pairs and those disagree
//! more; windows wide enough for them over the whole population would read most of it.
//! Skin that images badly does so at every capture, so a poor probe's earlier enrolment is
//! among the poor enrolments (the reader's quality score tells them apart), a tenth of the
//! population, which can afford wide windows. A poor probe still searches the main table.
//!
//! Inputs: enrolments through an [`IndexBuilder`], then searches. Outputs: candidates,
//! best first. The index is static once built (a service rebuilds it from its enrolment
//! journal); it holds the enrolled templates compactly for re-scoring. Invariants: a search
//! is a pure function of the index and the probe (ties between residents break by
//! enrolment order), and a built index holds every enrolled thumb exactly once per table.

mod aligned;
mod gallery;
mod hull;
pub mod pairs;
mod postings;
mod reading;
mod search;
pub mod tables;

use crate::matcher::{Matcher, Scratch};
use crate::verification::{OPERATING_THRESHOLD, Verifier};
use gallery::Gallery;
use hkic_protocol::template::FingerView;
use pairs::{PairConfig, Quantisation, Reach};
use reading::{AlignmentSums, ReadScratch};
pub use tables::TableConfig;
use tables::{LowPosting, MainPosting, Table};

/// At most this many residents (positions fit 24 bits of a main posting).
pub const RESIDENTS_MAX: usize = 1 << 24;

/// Parameters of the index and the search.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexConfig {
    /// The main table, over every resident.
    pub main: TableConfig,
    /// The low table, over residents enrolled with poor captures.
    pub low: TableConfig,
    /// An enrolment joins the low table, and a probe also searches it, when the mean
    /// quality score of its captured thumbs is below this.
    pub low_quality_below: u8,
    /// Residents with the best main-table scores that the matcher re-scores.
    pub candidates: usize,
    /// Members with the best low-table scores whose thumbs are scored at the alignment
    /// their hits imply (poor probes; see [`aligned`]).
    pub low_aligned: usize,
    /// Looks at each alignment, each refining it.
    pub low_looks: usize,
    /// Of those, the best by that score that the matcher re-scores in full.
    pub low_candidates: usize,
    /// Re-scored residents at or above this fused score are reported.
    pub duplicate_threshold: f32,
}

impl Default for IndexConfig {
    fn default() -> IndexConfig {
        IndexConfig {
            main: TableConfig {
                pairs: PairConfig {
                    length_min: 20.0,
                    length_max: 90.0,
                },
                quantisation: Quantisation {
                    length_bin: 10.0,
                    direction_bins: 12,
                    radius_bin: 20.0,
                    radius_bins: 12,
                    bearing_bins: 16,
                    orientation_bins: 16,
                },
                reach: Reach {
                    length: 4.0,
                    direction: 9.0,
                    radius: 8.0,
                    bearing: 7.0,
                    rotation: 25.0,
                },
                translation: f32::INFINITY,
                reads_per_member: 0.6,
                reads_min: 20_000,
            },
            low: TableConfig {
                pairs: PairConfig {
                    length_min: 18.0,
                    length_max: 90.0,
                },
                quantisation: Quantisation {
                    length_bin: 16.0,
                    direction_bins: 8,
                    radius_bin: 40.0,
                    radius_bins: 6,
                    bearing_bins: 12,
                    orientation_bins: 16,
                },
                reach: Reach {
                    length: 4.0,
                    direction: 18.0,
                    radius: 20.0,
                    bearing: 14.0,
                    rotation: 25.0,
                },
                translation: 35.0,
                reads_per_member: 20.0,
                reads_min: 20_000,
            },
            low_quality_below: 66,
            candidates: 12,
            low_aligned: 3000,
            low_looks: 2,
            low_candidates: 30,
            duplicate_threshold: OPERATING_THRESHOLD,
        }
    }
}

/// Why a resident cannot be enrolled or an index built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error("the index holds at most {RESIDENTS_MAX} residents and 4,294,967,295 minutiae")]
    Full,
    #[error("a table would hold {postings} postings, more than 4,294,967,294")]
    TooManyPostings { postings: u64 },
    #[error(
        "a minutia at ({x}, {y}) px lies beyond the 2,047 px the index stores, expected a 500 ppi capture"
    )]
    CoordinateTooLarge { x: u16, y: u16 },
    #[error(
        "the {table} table's quantisation is unusable: expected positive widths and bin counts, an even orientation bin count and fewer than 2^32 keys"
    )]
    BadQuantisation { table: &'static str },
}

/// A resident the search found, with the fused score of both thumbs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuplicateCandidate {
    /// The identifier given at enrolment.
    pub resident: u32,
    pub score: f32,
    /// Index hits of both thumbs in the table that shortlisted the resident (up to 255).
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
        for (table, name) in [(&config.main, "main"), (&config.low, "low")] {
            if !table.quantisation.is_valid(&table.pairs) {
                return Err(IndexError::BadQuantisation { table: name });
            }
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
        if self.gallery.len() >= RESIDENTS_MAX {
            return Err(IndexError::Full);
        }
        self.gallery.check(thumbs)?;
        self.gallery.push(resident, thumbs);
        Ok(())
    }

    /// The index of everything enrolled: each table's pairs counted into keys, then placed
    /// (two passes, so that no list of all postings is ever held).
    pub fn build(self) -> Result<DuplicateIndex, IndexError> {
        let everyone: Vec<u32> = (0..self.gallery.len() as u32).collect();
        let low_members: Vec<u32> = everyone
            .iter()
            .copied()
            .filter(|&position| {
                let qualities = [0, 1].map(|thumb| self.gallery.quality(position as usize, thumb));
                is_low_quality(qualities, self.config.low_quality_below)
            })
            .collect();
        let main = tables::build_table(&self.config.main, &self.gallery, &everyone, false)?;
        let low = tables::build_table(&self.config.low, &self.gallery, &low_members, true)?;
        Ok(DuplicateIndex {
            main,
            low,
            low_members,
            gallery: self.gallery,
            verifier: Verifier::new(Matcher::default(), self.config.duplicate_threshold),
            config: self.config,
        })
    }
}

/// Whether the mean quality score of the captured thumbs is below `below` (never, with
/// none captured).
fn is_low_quality(qualities: [Option<u8>; 2], below: u8) -> bool {
    let captured: Vec<u32> = qualities.iter().flatten().map(|&q| u32::from(q)).collect();
    !captured.is_empty() && captured.iter().sum::<u32>() < u32::from(below) * captured.len() as u32
}

/// Reusable buffers of a search.
#[derive(Debug, Default, Clone)]
pub struct SearchScratch {
    /// Hits of member m's thumb t at 2 m + t.
    hits: Vec<u8>,
    /// The alignment sums of the low table's hits, by the same slots.
    sums: Vec<AlignmentSums>,
    points: Vec<crate::template::Point>,
    reads: ReadScratch,
    matcher: Scratch,
    /// (score, member, hits) of the best members of a table.
    best: Vec<(f32, u32, u8)>,
    /// (position, hits) of every resident to re-score.
    shortlist: Vec<(u32, u8)>,
}

/// The built index.
#[derive(Debug, Clone)]
pub struct DuplicateIndex {
    config: IndexConfig,
    main: Table<MainPosting>,
    low: Table<LowPosting>,
    /// Gallery positions of the low table's members, in enrolment order.
    low_members: Vec<u32>,
    gallery: Gallery,
    verifier: Verifier,
}

/// Bytes an index occupies, by part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexMemory {
    pub main_postings: usize,
    pub low_postings: usize,
    /// Key offsets of both tables (fixed by the quantisation, whatever the population).
    pub offsets: usize,
    /// Pair counts of both tables, the low table's hull centres and member list.
    pub members: usize,
    /// The enrolled templates.
    pub gallery: usize,
}

impl IndexMemory {
    pub fn total(&self) -> usize {
        self.main_postings + self.low_postings + self.offsets + self.members + self.gallery
    }
}

impl DuplicateIndex {
    pub fn len(&self) -> usize {
        self.gallery.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gallery.len() == 0
    }

    /// Residents in the low table.
    pub fn low_len(&self) -> usize {
        self.low_members.len()
    }

    /// Memory held by the index's structures (their lengths times their element sizes).
    pub fn memory(&self) -> IndexMemory {
        let tables = [&self.main.thumbs[0], &self.main.thumbs[1]];
        let low = [&self.low.thumbs[0], &self.low.thumbs[1]];
        IndexMemory {
            main_postings: tables.iter().map(|table| table.posting_bytes()).sum(),
            low_postings: low.iter().map(|table| table.posting_bytes()).sum(),
            offsets: tables
                .iter()
                .map(|table| table.offset_bytes())
                .sum::<usize>()
                + low.iter().map(|table| table.offset_bytes()).sum::<usize>(),
            members: self.main.pairs.len() * 2
                + self.low.pairs.len() * 2
                + self.low.centres.len() * size_of::<[i16; 2]>()
                + self.low_members.len() * size_of::<u32>(),
            gallery: self.gallery.bytes(),
        }
    }
}
