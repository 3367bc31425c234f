//! How a search reads the tables: which postings, and which of them count as hits.

use super::pairs::{HullScratch, KeyRun, Pair};
use super::postings::PostingTable;
use super::tables::{LowPosting, MainPosting, TableConfig};
use crate::template::Template;

/// Reusable buffers of the table reads.
#[derive(Debug, Default, Clone)]
pub(super) struct ReadScratch {
    pairs: Vec<Pair>,
    hull: HullScratch,
    /// The hull centre of the last probe gathered.
    centre: (f32, f32),
    runs: Vec<KeyRun>,
    /// A run of keys and the directed probe pair (its index in `directed`) that reached it,
    /// packed so that sorting orders by key: the first key in the high 32 bits, the run's
    /// extent beyond it in the next 8, the pair in the low 24.
    lookups: Vec<u64>,
    directed: Vec<Pair>,
    /// (postings in the range, first posting, index of the directed probe pair).
    ranges: Vec<(u32, u32, u32)>,
    /// Ranges per length, for the read budget.
    lengths: Vec<u64>,
    /// What the early loads of `touch` read, kept so that they are not dropped.
    touched: u32,
}

impl ReadScratch {
    /// Every run of keys the probe's pairs reach, with the directed probe pair of each, in
    /// key order (the key offsets, bigger than the caches, are then read front to back).
    fn gather(&mut self, config: &TableConfig, probe: &Template) {
        self.centre = config.pairs.pairs(probe, &mut self.hull, &mut self.pairs);
        self.directed.clear();
        self.lookups.clear();
        // A template of a few hundred minutiae has far fewer directed pairs than 24 bits
        // count; any beyond that (not a capture) are left out.
        let directed_max = 1 << 24;
        for pair in self.pairs.iter().take(directed_max / 2) {
            for directed in [*pair, pair.reversed()] {
                self.runs.clear();
                config
                    .quantisation
                    .runs(&config.pairs, &config.reach, &directed, &mut self.runs);
                let index = self.directed.len() as u64;
                self.directed.push(directed);
                self.lookups.extend(self.runs.iter().map(|run| {
                    let extent = u64::from(run.last - run.first);
                    assert!(extent < 1 << 8, "a run spans at most the bearing bins");
                    u64::from(run.first) << 32 | extent << 24 | index
                }));
            }
        }
        self.lookups.sort_unstable();
    }

    /// The posting ranges to read for `probe`: its runs from the shortest up, within the
    /// read budget, kept in key order (a table far bigger than the caches is then read
    /// front to back). Among runs as long as the last one that fits, earlier keys go first.
    fn select<P: Copy + Default>(
        &mut self,
        config: &TableConfig,
        table: &PostingTable<P>,
        members: usize,
        probe: &Template,
    ) {
        self.gather(config, probe);
        self.ranges.clear();
        for &lookup in &self.lookups {
            let first = (lookup >> 32) as u32;
            let last = first + (lookup >> 24 & 0xFF) as u32;
            let (start, end) = table.range(first, last);
            if end > start {
                self.ranges
                    .push((end - start, start, (lookup & 0xFF_FFFF) as u32));
            }
        }
        let budget = (config.reads_per_member * members as f32).max(config.reads_min as f32) as u64;
        admit(&mut self.ranges, budget, &mut self.lengths);
    }
}

/// Keeps of `ranges` (length first) the shortest, up to `budget` postings in all; among
/// those as long as the last one that fits, the earlier ones. A histogram of the lengths
/// finds where the budget ends without sorting the tens of thousands of runs a search
/// reaches. `lengths` is scratch space.
fn admit(ranges: &mut Vec<(u32, u32, u32)>, budget: u64, lengths: &mut Vec<u64>) {
    let (longest, mut room) = cutoff(ranges, budget, lengths);
    ranges.retain(|&(length, _, _)| {
        if length < longest {
            return true;
        }
        let fits = length == longest && u64::from(length) <= room;
        room -= if fits { u64::from(length) } else { 0 };
        fits
    });
}

/// Runs this long or longer share the last count of [`cutoff`]'s histogram.
const LENGTHS_COUNTED: usize = 4096;

/// Which ranges the budget admits, shortest first: every range shorter than the first
/// value returned, and as many as the second value (postings) allows of those exactly that
/// long. `lengths` is scratch space.
fn cutoff(ranges: &[(u32, u32, u32)], budget: u64, lengths: &mut Vec<u64>) -> (u32, u64) {
    lengths.clear();
    lengths.resize(LENGTHS_COUNTED, 0);
    for &(length, _, _) in ranges {
        lengths[(length as usize).min(LENGTHS_COUNTED - 1)] += 1;
    }
    let mut left = budget;
    for (length, &count) in lengths.iter().enumerate().take(LENGTHS_COUNTED - 1) {
        let needed = count * length as u64;
        if needed > left {
            return (length as u32, left);
        }
        left -= needed;
    }
    // Rare: the budget reaches the longest runs, which the histogram does not tell apart.
    let mut long: Vec<u32> = ranges
        .iter()
        .map(|&(length, _, _)| length)
        .filter(|&length| length as usize >= LENGTHS_COUNTED - 1)
        .collect();
    long.sort_unstable();
    for group in long.chunk_by(|a, b| a == b) {
        let needed = group.len() as u64 * u64::from(group[0]);
        if needed > left {
            return (group[0], left);
        }
        left -= needed;
    }
    (u32::MAX, left)
}

/// Counts into `hits[m]` the main postings that `probe` reaches and whose orientation turns
/// by no more than the rotation reach (both thumbs into one counter: half the memory the
/// counting touches at random).
pub(super) fn count_main(
    config: &TableConfig,
    table: &PostingTable<MainPosting>,
    probe: &Template,
    scratch: &mut ReadScratch,
    hits: &mut [u8],
) {
    scratch.select(config, table, hits.len(), probe);
    let rotation = config.reach.rotation as u8;
    let ranges = &scratch.ranges;
    let mut touched = touch(table, batch(ranges, 0));
    for number in 0..ranges.len().div_ceil(TOUCH_BATCH) {
        touched ^= touch(table, batch(ranges, number + 1));
        for &(length, start, index) in batch(ranges, number) {
            let orientation = scratch.directed[index as usize].orientation_units();
            for &posting in table.postings(start, length) {
                // Without a branch: whether a posting counts is a coin toss to the processor.
                let turn = posting.orientation().wrapping_sub(orientation) as i8;
                let count = &mut hits[posting.member()];
                *count = count.saturating_add(u8::from(turn.unsigned_abs() <= rotation));
            }
        }
    }
    scratch.touched = touched;
}

/// Ranges whose first postings are loaded together, a batch ahead of their counting.
const TOUCH_BATCH: usize = 16;

/// The `number`th batch of `ranges` (empty past the last).
fn batch(ranges: &[(u32, u32, u32)], number: usize) -> &[(u32, u32, u32)] {
    let start = (number * TOUCH_BATCH).min(ranges.len());
    &ranges[start..(start + TOUCH_BATCH).min(ranges.len())]
}

/// The first posting of each of `ranges`, folded into bits to keep. A range is a few cache
/// lines somewhere in a table of hundreds of megabytes: its first line misses the caches
/// (and its page the TLB). Loaded one after another with nothing else between them, the
/// misses overlap instead of queueing behind the counting (safe code has no prefetch
/// instruction); when the ranges' turn comes, their first lines are in the cache.
fn touch<P: Copy + Default + Into<u64>>(
    table: &PostingTable<P>,
    ranges: &[(u32, u32, u32)],
) -> u32 {
    ranges.iter().fold(0, |bits, &(length, start, _)| {
        let first = table.postings(start, length.min(1)).first();
        bits ^ first.map_or(0, |&posting| posting.into() as u32)
    })
}

/// Sums of the rotations (256ths of a turn) and translations (pixels, between the hull
/// centres) that a member thumb's counted hits imply.
pub(super) type AlignmentSums = [i16; 3];

/// Counts into `hits[2 m + thumb]` the low postings that `probe` reaches and whose rotation
/// and translation are both within reach, and sums what they imply into `sums[2 m + thumb]`
/// (while the count is below 255). Returns the probe's hull centre.
pub(super) fn count_low(
    config: &TableConfig,
    table: &PostingTable<LowPosting>,
    thumb: usize,
    probe: &Template,
    scratch: &mut ReadScratch,
    hits: &mut [u8],
    sums: &mut [AlignmentSums],
) -> (f32, f32) {
    scratch.select(config, table, hits.len() / 2, probe);
    for_each_hit(config, table, scratch, |member, turn, dx, dy| {
        let slot = member * 2 + thumb;
        if hits[slot] < u8::MAX {
            hits[slot] += 1;
            let sum = &mut sums[slot];
            sum[0] += i16::from(turn);
            sum[1] += dx.round() as i16;
            sum[2] += dy.round() as i16;
        }
    });
    scratch.centre
}

/// Calls `hit(member, turn, dx, dy)` for every posting of the selected ranges whose
/// orientation turns from the probe pair's by no more than the rotation reach, and whose
/// midpoint, once the probe pair's is turned as much, lies within the translation reach of
/// it (dx and dy: the translation implied, pixels between the hull centres).
fn for_each_hit(
    config: &TableConfig,
    table: &PostingTable<LowPosting>,
    scratch: &mut ReadScratch,
    mut hit: impl FnMut(usize, i8, f32, f32),
) {
    let rotation = config.reach.rotation as u8;
    let translation = config.translation;
    let turns = turn_table();
    let ranges = &scratch.ranges;
    let mut touched = touch(table, batch(ranges, 0));
    for number in 0..ranges.len().div_ceil(TOUCH_BATCH) {
        touched ^= touch(table, batch(ranges, number + 1));
        for &(length, start, index) in batch(ranges, number) {
            let pair = &scratch.directed[index as usize];
            let orientation = pair.orientation_units();
            let (mx, my) = pair.midpoint;
            for &posting in table.postings(start, length) {
                let turn = posting.orientation().wrapping_sub(orientation);
                if (turn as i8).unsigned_abs() > rotation {
                    continue;
                }
                let (sin, cos) = turns[usize::from(turn)];
                let (x, y) = posting.midpoint();
                let dx = x - (cos * mx - sin * my);
                let dy = y - (sin * mx + cos * my);
                if dx.abs() <= translation && dy.abs() <= translation {
                    hit(posting.member(), turn as i8, dx, dy);
                }
            }
        }
    }
    scratch.touched = touched;
}

/// (sin, cos) of every turn in 256ths.
fn turn_table() -> [(f32, f32); 256] {
    std::array::from_fn(|units| (units as f32 * std::f32::consts::TAU / 256.0).sin_cos())
}

/// The `wanted` members with the best scores (and at least one hit), best first, earlier
/// members first among equals, into `best` as (score, member, hits). `hits` and `pairs`
/// hold one counter per slot of each member, `total_pairs` the pairs of each slot over all
/// members. A slot's score is how far its hits exceed what chance
/// gives a member with its pair count, in standard deviations of a Poisson count:
/// `(h - l p) / sqrt(l p + 1)`, where `l`, the chance hits per pair, is the slot's hits
/// over its pairs across all members (the true resident is one of many). A member's
/// score is the sum over its slots.
pub(super) fn best_scores<const SLOTS: usize>(
    hits: &[u8],
    pairs: &[u16],
    total_pairs: [u64; SLOTS],
    wanted: usize,
    best: &mut Vec<(f32, u32, u8)>,
) {
    assert_eq!(hits.len(), pairs.len());
    best.clear();
    if wanted == 0 {
        return;
    }
    let mut rates = [0.0f32; SLOTS];
    for (slot, rate) in rates.iter_mut().enumerate() {
        let slot_hits = hits
            .chunks_exact(SLOTS)
            .map(|member| u64::from(member[slot]));
        *rate = slot_hits.sum::<u64>() as f32 / total_pairs[slot].max(1) as f32;
    }
    let mut floor = f32::NEG_INFINITY;
    // A slot's score is at most its hits: a member with no more hits than the floor
    // cannot enter, and most are told so by one integer comparison (most blocks of
    // members, by the largest count in the block: a comparison the processor does for
    // many bytes at once).
    let mut floor_hits = 0u32;
    for (block, block_hits) in hits.chunks(SCORE_BLOCK * SLOTS).enumerate() {
        let most = block_hits.iter().copied().max().unwrap_or(0);
        if u32::from(most) * SLOTS as u32 <= floor_hits {
            continue;
        }
        let members = block_hits.chunks_exact(SLOTS).enumerate();
        for (offset, hits) in members {
            let member = block * SCORE_BLOCK + offset;
            let total: u32 = hits.iter().map(|&h| u32::from(h)).sum();
            if total <= floor_hits {
                continue;
            }
            let pairs = &pairs[member * SLOTS..(member + 1) * SLOTS];
            let mut score = 0.0f32;
            for slot in 0..SLOTS {
                let expected = rates[slot] * f32::from(pairs[slot]);
                score += (f32::from(hits[slot]) - expected) / (expected + 1.0).sqrt();
            }
            if score <= floor {
                continue;
            }
            best.push((score, member as u32, total.min(255) as u8));
            if best.len() >= 2 * wanted {
                keep_best(best, wanted);
                // Later members lose ties: only more than the last kept can enter.
                floor = best
                    .last()
                    .map_or(f32::NEG_INFINITY, |&(score, _, _)| score);
                floor_hits = floor.max(0.0).floor() as u32;
            }
        }
    }
    keep_best(best, wanted);
}

/// Members whose largest hit count [`best_scores`] checks at once.
const SCORE_BLOCK: usize = 64;

/// Sorts by score (best first, then member) and keeps `wanted`.
fn keep_best(best: &mut Vec<(f32, u32, u8)>, wanted: usize) {
    best.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    best.truncate(wanted);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lengths of the ranges the budget admits, in the order the ranges came.
    fn admitted(lengths: &[u32], budget: u64) -> Vec<u32> {
        let mut ranges: Vec<(u32, u32, u32)> = lengths.iter().map(|&l| (l, 0, 0)).collect();
        admit(&mut ranges, budget, &mut Vec::new());
        ranges.iter().map(|range| range.0).collect()
    }

    #[test]
    fn the_budget_admits_the_shortest_runs_and_the_earliest_of_the_last_length() {
        assert_eq!(admitted(&[5, 1, 3, 3, 3, 2], 8), vec![1, 3, 2]);
        assert_eq!(admitted(&[5, 1, 3, 3, 3, 2], 9), vec![1, 3, 3, 2]);
        assert_eq!(admitted(&[5, 1, 3, 3, 3, 2], 12), vec![1, 3, 3, 3, 2]);
        assert_eq!(admitted(&[5, 1, 3], 100), vec![5, 1, 3]);
        assert_eq!(admitted(&[5, 1, 3], 0), Vec::<u32>::new());
        // Runs beyond the histogram: told apart by sorting them.
        assert_eq!(
            admitted(&[9_000, 5_000, 1, 5_000, 6_000], 10_001),
            vec![5_000, 1, 5_000]
        );
        assert_eq!(
            admitted(&[9_000, 5_000, 1, 5_000, 6_000], 10_000),
            vec![5_000, 1]
        );
    }
}
