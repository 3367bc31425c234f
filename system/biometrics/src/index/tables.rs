//! The two tables of the index.
//!
//! The main table holds every enrolled resident's pairs, quantised finely for the noise of
//! a normal capture; a posting (4 bytes) is the resident's position and the stored pair's
//! orientation, so that a hit counts only if the rotation it implies is plausible. The low
//! table holds only the residents enrolled with poor captures (worn or dry skin images
//! badly every time), quantised coarsely for the noise of a poor capture; a posting (6
//! bytes) also carries the pair's midpoint, so that a hit counts only if the translation
//! it implies is plausible too ([`super::reading`]). For the main table, the key's radius
//! and bearing already do most of what a translation check would.

use super::IndexError;
use super::gallery::Gallery;
use super::pairs::{HullScratch, Pair, PairConfig, Quantisation, Reach};
use super::postings::PostingTable;

/// Midpoints in a posting: 8 bits a coordinate, in steps of this many pixels from the
/// centre, so within +-256 px (a 500 ppi platen is 500 px across).
const MIDPOINT_STEP: f32 = 2.0;
const MIDPOINT_OFFSET: f32 = 128.0;

/// How one table quantises and how far its searches reach.
#[derive(Debug, Clone, PartialEq)]
pub struct TableConfig {
    pub pairs: PairConfig,
    pub quantisation: Quantisation,
    pub reach: Reach,
    /// The largest translation between the two templates' centres that a hit may imply,
    /// pixels per axis (checked by the low table only).
    pub translation: f32,
    /// A search reads the probe's runs of keys from the shortest up, until it has read
    /// this many postings per table member (but at least `reads_min`) for a thumb. Every run
    /// is as likely to hold the true resident's pair, but a long one (the common
    /// configurations, where ridges run parallel) holds more chance hits for its cost.
    pub reads_per_member: f32,
    pub reads_min: u32,
}

/// Both thumbs of one table, with each member's pair count: a resident with many minutiae
/// has many pairs and so many chance hits, and its hits are scored against that.
#[derive(Debug, Clone)]
pub(super) struct Table<P> {
    pub(super) thumbs: [PostingTable<P>; 2],
    /// The main table counts member m's pairs of both thumbs together, at m; the low table
    /// each thumb apart, at 2 m + t (up to 65,535).
    pub(super) pairs: Vec<u16>,
    /// The pairs of each slot (one for the main table, two for the low) over all members.
    pub(super) total_pairs: [u64; 2],
    /// Hull centre of member m's thumb t at 2 m + t, whole pixels in the template's frame
    /// (kept for the low table only, whose re-ranking needs it).
    pub(super) centres: Vec<[i16; 2]>,
}

/// Making a posting from a member's index and a pair.
pub(super) trait NewPosting: Copy + Default {
    fn new(member: u32, pair: &Pair) -> Self;
}

/// A main posting: the resident's position (24 bits) and the pair's orientation (8 bits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct MainPosting(u32);

impl NewPosting for MainPosting {
    fn new(member: u32, pair: &Pair) -> MainPosting {
        assert!(member < 1 << 24, "member {member} fits 24 bits");
        MainPosting(member << 8 | u32::from(pair.orientation_units()))
    }
}

impl From<MainPosting> for u64 {
    fn from(posting: MainPosting) -> u64 {
        u64::from(posting.0)
    }
}

impl From<LowPosting> for u64 {
    fn from(posting: LowPosting) -> u64 {
        u64::from(posting.0[0]) | u64::from(posting.0[1]) << 16 | u64::from(posting.0[2]) << 32
    }
}

impl MainPosting {
    pub(super) fn member(self) -> usize {
        (self.0 >> 8) as usize
    }

    pub(super) fn orientation(self) -> u8 {
        self.0 as u8
    }
}

/// A low posting: the member's index (24 bits), the pair's orientation (8 bits, 256ths of
/// a turn) and its midpoint relative to the hull centre (8 bits a coordinate).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct LowPosting([u16; 3]);

impl NewPosting for LowPosting {
    fn new(member: u32, pair: &Pair) -> LowPosting {
        assert!(member < 1 << 24, "member {member} fits 24 bits");
        let coordinate = |value: f32| {
            (value / MIDPOINT_STEP + MIDPOINT_OFFSET)
                .round()
                .clamp(0.0, 255.0) as u16
        };
        LowPosting([
            member as u16,
            ((member >> 16) as u16 & 0xFF) | u16::from(pair.orientation_units()) << 8,
            coordinate(pair.midpoint.0) | coordinate(pair.midpoint.1) << 8,
        ])
    }
}

impl LowPosting {
    pub(super) fn member(self) -> usize {
        usize::from(self.0[0]) | usize::from(self.0[1] & 0xFF) << 16
    }

    pub(super) fn orientation(self) -> u8 {
        (self.0[1] >> 8) as u8
    }

    pub(super) fn midpoint(self) -> (f32, f32) {
        let coordinate = |bits: u16| (f32::from(bits & 0xFF) - MIDPOINT_OFFSET) * MIDPOINT_STEP;
        (coordinate(self.0[2]), coordinate(self.0[2] >> 8))
    }
}

/// Builds a table over the residents at `members` (gallery positions); `per_thumb` counts
/// the pairs (and keeps the hull centre) of each thumb apart, as the low table does.
pub(super) fn build_table<P: NewPosting>(
    config: &TableConfig,
    gallery: &Gallery,
    members: &[u32],
    per_thumb: bool,
) -> Result<Table<P>, IndexError> {
    let keys = config.quantisation.keys(&config.pairs) as u32;
    let mut pair_counts = vec![0u32; members.len() * 2];
    let mut centres = vec![[0i16; 2]; if per_thumb { members.len() * 2 } else { 0 }];
    let mut pairs = Vec::new();
    let mut hull = HullScratch::default();
    let thumbs = [0, 1].map(|thumb| {
        PostingTable::build(keys, |place| {
            for (member, &position) in members.iter().enumerate() {
                let Some(template) = gallery.template(position as usize, thumb) else {
                    continue;
                };
                let (x, y) = config.pairs.pairs(&template, &mut hull, &mut pairs);
                pair_counts[member * 2 + thumb] = pairs.len() as u32;
                if per_thumb {
                    centres[member * 2 + thumb] = [x.round() as i16, y.round() as i16];
                }
                for pair in &pairs {
                    let key = config.quantisation.key(&config.pairs, pair);
                    place(key, P::new(member as u32, pair));
                }
            }
        })
    });
    let [right, left] = thumbs;
    let clamp = |count: u32| count.min(u32::from(u16::MAX)) as u16;
    let pairs: Vec<u16> = if per_thumb {
        pair_counts.iter().map(|&count| clamp(count)).collect()
    } else {
        pair_counts
            .chunks_exact(2)
            .map(|counts| clamp(counts[0] + counts[1]))
            .collect()
    };
    let slots = if per_thumb { 2 } else { 1 };
    let total_pairs = [0, 1].map(|slot| {
        let of_slot = pairs.iter().skip(slot).step_by(slots);
        if slot < slots {
            of_slot.map(|&p| u64::from(p)).sum()
        } else {
            0
        }
    });
    Ok(Table {
        thumbs: [right?, left?],
        pairs,
        total_pairs,
        centres,
    })
}
