//! Finding how a probe lies on a reference: a Hough transform over rotation and translation.
//!
//! Every probe minutia i and reference minutia j of the same kind whose directions differ
//! by about a candidate rotation r vote for the translation that carries i onto j under r.
//! Among the rotations tried (a sweep over the range an upright finger turns on a platen),
//! the translation with the most votes is where the two prints agree; chance agreements of
//! unrelated minutiae spread their votes over the whole lattice. Each vote lands in one cell;
//! peaks are read as sums of two by two cells, so a peak never splits across a cell
//! boundary.
//!
//! Why a sweep and not one estimate per pair: minutia directions are too noisy (sigma up
//! to 28 degrees between two captures of a poor finger) to fix the rotation, and a rotation
//! error of 5 degrees moves a minutia 150 px from the centre by 13 px. Why same kind only:
//! readers swap endings and bifurcations rarely, so the filter keeps most true pairs and
//! halves the chance ones (and the work).

use crate::geometry::Transform;
use crate::template::{DirectionTable, SEARCH_KINDS, Template};

/// Parameters of the search. Angles in 256ths of a turn, lengths in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignmentConfig {
    /// Rotations tried: from -`rotation_max` to +`rotation_max` by `rotation_step`.
    pub rotation_max: u8,
    pub rotation_step: u8,
    /// Largest translation between the two centred templates.
    pub translation_max: f32,
    /// Spacing of the translation lattice.
    pub cell: f32,
    /// How many candidate alignments (the best lattice point of the best rotations) to keep.
    pub candidates: usize,
}

/// A candidate alignment and its votes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub transform: Transform,
    pub votes: u16,
}

/// Reusable buffers: the search allocates nothing once these have grown.
#[derive(Debug, Default, Clone)]
pub struct AlignmentScratch {
    rotated: Vec<(f32, f32)>,
    votes: Vec<u16>,
}

/// The best candidate alignments of `probe` onto `reference`, best first, into `out`. A pair
/// votes for the rotations within `direction_tolerance` (256ths of a turn) of its direction
/// difference.
pub fn candidate_alignments(
    probe: &Template,
    reference: &Template,
    config: &AlignmentConfig,
    direction_tolerance: u8,
    scratch: &mut AlignmentScratch,
    out: &mut Vec<Candidate>,
) {
    out.clear();
    let steps = usize::from(2 * (config.rotation_max / config.rotation_step)) + 1;
    let side = (2.0 * config.translation_max / config.cell).ceil() as usize + 2;
    scratch.votes.clear();
    scratch.votes.resize(steps * side * side, 0);
    for kind in 0..SEARCH_KINDS.len() {
        let probe_table = probe.by_direction(kind);
        let reference_table = reference.by_direction(kind);
        if probe_table.entries.is_empty() || reference_table.entries.is_empty() {
            continue;
        }
        rotate(probe_table, config, steps, &mut scratch.rotated);
        let count = probe_table.entries.len();
        for step in 0..steps {
            let turn = (step as i32 * i32::from(config.rotation_step)
                - i32::from(config.rotation_max)) as i8 as u8;
            let votes = &mut scratch.votes[step * side * side..(step + 1) * side * side];
            let rotated = &scratch.rotated[step * count..(step + 1) * count];
            for (a, &(x, y)) in probe_table.entries.iter().zip(rotated) {
                let centre = a.direction_units.wrapping_add(turn);
                let low = centre.wrapping_sub(direction_tolerance);
                let high = centre.wrapping_add(direction_tolerance);
                for run in reference_table.runs(low, high) {
                    for b in &reference_table.entries[run] {
                        let u = (b.x - x + config.translation_max) * (1.0 / config.cell);
                        let v = (b.y - y + config.translation_max) * (1.0 / config.cell);
                        if u >= 0.0 && v >= 0.0 && u < side as f32 && v < side as f32 {
                            // At most 128 x 128 votes per rotation: a u16 cannot overflow.
                            votes[v as usize * side + u as usize] += 1;
                        }
                    }
                }
            }
        }
    }
    collect_best(config, steps, side, &scratch.votes, out);
}

/// The probe entries rotated by every step's rotation, step after step.
fn rotate(
    table: &DirectionTable,
    config: &AlignmentConfig,
    steps: usize,
    rotated: &mut Vec<(f32, f32)>,
) {
    rotated.clear();
    for step in 0..steps {
        let (sin, cos) = rotation_of_step(config, step).sin_cos();
        rotated.extend(
            table
                .entries
                .iter()
                .map(|p| (cos * p.x - sin * p.y, sin * p.x + cos * p.y)),
        );
    }
}

fn rotation_of_step(config: &AlignmentConfig, step: usize) -> f32 {
    let units = step as f32 * f32::from(config.rotation_step) - f32::from(config.rotation_max);
    units * std::f32::consts::TAU / 256.0
}

/// For each rotation, the lattice point with the most votes within one cell (the sum of the
/// four cells around it); the `config.candidates` best of them.
fn collect_best(
    config: &AlignmentConfig,
    steps: usize,
    side: usize,
    votes: &[u16],
    out: &mut Vec<Candidate>,
) {
    for step in 0..steps {
        let grid = &votes[step * side * side..(step + 1) * side * side];
        let mut best = (0u16, 0usize, 0usize);
        for row in 1..side {
            let (above, here) = (
                &grid[(row - 1) * side..row * side],
                &grid[row * side..(row + 1) * side],
            );
            for column in 1..side {
                let sum = above[column - 1]
                    .saturating_add(above[column])
                    .saturating_add(here[column - 1])
                    .saturating_add(here[column]);
                if sum > best.0 {
                    best = (sum, row, column);
                }
            }
        }
        let (count, row, column) = best;
        if count == 0 {
            continue;
        }
        // Cell c spans translations [c * cell - max, (c + 1) * cell - max): the lattice point
        // between cells c - 1 and c sits at c * cell - max.
        out.push(Candidate {
            transform: Transform {
                rotation: rotation_of_step(config, step),
                translation_x: column as f32 * config.cell - config.translation_max,
                translation_y: row as f32 * config.cell - config.translation_max,
            },
            votes: count,
        });
    }
    out.sort_by_key(|candidate| std::cmp::Reverse(candidate.votes));
    out.truncate(config.candidates);
}
