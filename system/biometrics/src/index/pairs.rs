//! Minutia pairs: the features of the duplicate-search index.
//!
//! Every two minutiae of a thumb within a band of distances make a pair. What describes a
//! pair does not depend on where the finger lay: its length, the direction of each minutia
//! relative to the line between them, their kinds (ridge ending or not), and where the pair
//! lies relative to the template's centre (the centroid of its minutiae, see
//! [`crate::template`]) as a distance (the radius of the pair's midpoint) and a bearing (the
//! midpoint's polar angle relative to the line). Those quantised make the key. Pairs survive
//! heavy noise far better than triangles: a pair needs two minutiae seen in both captures, a
//! triangle three, and a poor finger loses 35% of them in each capture.
//!
//! The centre here is not the template's centroid but the centre of the minutiae's convex
//! hull ([`hull_centre`]), which moves less between two captures.
//!
//! The line's own direction (the orientation) depends on the placement, but only within the
//! rotation range of an upright finger: coarsely it is part of the key, and a search looks
//! up every orientation within its rotation reach; exactly it travels with the posting, and
//! a hit counts only when the two lines turn by a plausible amount.
//!
//! A pair is stored once, from the minutia whose line to the other points right (the
//! orientation in [-64, 64) 256ths of a turn); a search tries each probe pair both ways.
//! Angles are in 256ths of a turn, lengths in pixels at 500 ppi.

pub use super::hull::{HullScratch, hull_centre};
use crate::template::Template;
use hkic_protocol::template::MinutiaKind;
use std::f32::consts::TAU;

/// 256ths of a turn per radian.
const UNITS_PER_RADIAN: f32 = 256.0 / TAU;
/// Orientation units in a half turn: stored pairs point right, within 64 of 0.
const HALF_TURN: f32 = 128.0;

/// Which pairs a template gives.
#[derive(Debug, Clone, PartialEq)]
pub struct PairConfig {
    /// Pairs shorter than this or longer than `length_max` are skipped, pixels.
    pub length_min: f32,
    pub length_max: f32,
}

/// One pair, seen from its first minutia.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub length: f32,
    /// Each minutia's direction relative to the line from the first to the second, [0, 256).
    pub first_direction: f32,
    pub second_direction: f32,
    /// 2 if the first is a ridge ending, plus 1 if the second is.
    pub kinds: u8,
    /// Direction of the line from the first minutia to the second, [0, 256).
    pub orientation: f32,
    /// Distance of the midpoint from the template's centre, pixels.
    pub radius: f32,
    /// Polar angle of the midpoint relative to the orientation, [0, 256).
    pub bearing: f32,
    /// Relative to the centre, pixels.
    pub midpoint: (f32, f32),
}

impl Pair {
    /// The same pair seen from its other minutia.
    pub fn reversed(&self) -> Pair {
        Pair {
            first_direction: turn(self.second_direction + HALF_TURN),
            second_direction: turn(self.first_direction + HALF_TURN),
            kinds: (self.kinds & 1) << 1 | self.kinds >> 1,
            orientation: turn(self.orientation + HALF_TURN),
            bearing: turn(self.bearing - HALF_TURN),
            ..*self
        }
    }

    /// Whether this is the way round the index stores the pair (its line points right).
    pub fn is_stored_way(&self) -> bool {
        turn(self.orientation + HALF_TURN / 2.0) < HALF_TURN
    }

    /// The orientation in whole 256ths of a turn, as postings carry it.
    pub fn orientation_units(&self) -> u8 {
        (self.orientation.round() as u32 % 256) as u8
    }
}

/// An angle in 256ths of a turn brought into [0, 256).
fn turn(units: f32) -> f32 {
    let wrapped = units.rem_euclid(256.0);
    // rem_euclid of a value just below 0 can round up to 256.0 itself.
    if wrapped >= 256.0 { 0.0 } else { wrapped }
}

impl PairConfig {
    /// The pairs of `template` into `out`, each the way round the index stores it; returns
    /// the centre they are placed around.
    pub fn pairs(
        &self,
        template: &Template,
        hull: &mut HullScratch,
        out: &mut Vec<Pair>,
    ) -> (f32, f32) {
        out.clear();
        let points = template.minutiae();
        let (cx, cy) = hull_centre(template, hull);
        let (shortest, longest) = (self.length_min.powi(2), self.length_max.powi(2));
        for (i, a) in points.iter().enumerate() {
            // Minutiae are sorted by x: those beyond reach in x end the scan.
            for b in &points[i + 1..] {
                let (dx, dy) = (b.x - a.x, b.y - a.y);
                if dx > self.length_max {
                    break;
                }
                let squared = dx * dx + dy * dy;
                if squared < shortest || squared > longest {
                    continue;
                }
                let line = dy.atan2(dx);
                let (mx, my) = ((a.x + b.x) / 2.0 - cx, (a.y + b.y) / 2.0 - cy);
                let pair = Pair {
                    length: squared.sqrt(),
                    first_direction: turn((a.direction - line) * UNITS_PER_RADIAN),
                    second_direction: turn((b.direction - line) * UNITS_PER_RADIAN),
                    kinds: u8::from(a.kind == MinutiaKind::RidgeEnding) << 1
                        | u8::from(b.kind == MinutiaKind::RidgeEnding),
                    orientation: turn(line * UNITS_PER_RADIAN),
                    radius: (mx * mx + my * my).sqrt(),
                    bearing: turn((my.atan2(mx) - line) * UNITS_PER_RADIAN),
                    midpoint: (mx, my),
                };
                out.push(if pair.is_stored_way() {
                    pair
                } else {
                    pair.reversed()
                });
            }
        }
        (cx, cy)
    }
}

/// How a table quantises pairs into keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantisation {
    /// Width of a length bin, pixels (bins start at the config's `length_min`).
    pub length_bin: f32,
    /// Bins of a minutia's direction relative to the line, per turn.
    pub direction_bins: u8,
    /// Width of a radius bin, pixels, and how many (larger radii share the last).
    pub radius_bin: f32,
    pub radius_bins: u8,
    /// Bins of the bearing per turn (1: the bearing is not part of the key).
    pub bearing_bins: u8,
    /// Bins of the orientation per turn (even; stored pairs fill half of them).
    pub orientation_bins: u8,
}

/// How far from a probe pair's values a search looks: half-widths of the windows.
#[derive(Debug, Clone, PartialEq)]
pub struct Reach {
    /// Pixels.
    pub length: f32,
    /// 256ths of a turn.
    pub direction: f32,
    /// Pixels.
    pub radius: f32,
    /// 256ths of a turn.
    pub bearing: f32,
    /// The largest turn between two placements (plus the line's noise), 256ths of a turn.
    pub rotation: f32,
}

/// Key dimensions, outermost first: orientation, kinds, length, first direction, second
/// direction, radius, bearing. The innermost one varies fastest, so a run of bearing bins
/// is a run of keys: one read of the postings.
const DIMENSIONS: usize = 7;
const KINDS: u32 = 4;

/// A run of keys to read, `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyRun {
    pub first: u32,
    pub last: u32,
}

impl Quantisation {
    fn sizes(&self, pairs: &PairConfig) -> [u32; DIMENSIONS] {
        let lengths = ((pairs.length_max - pairs.length_min) / self.length_bin).floor() as u32 + 1;
        [
            u32::from(self.orientation_bins / 2),
            KINDS,
            lengths,
            u32::from(self.direction_bins),
            u32::from(self.direction_bins),
            u32::from(self.radius_bins),
            u32::from(self.bearing_bins),
        ]
    }

    /// How many keys the table has (its offsets hold one more).
    pub fn keys(&self, pairs: &PairConfig) -> u64 {
        self.sizes(pairs)
            .iter()
            .map(|&size| u64::from(size))
            .product()
    }

    /// Whether the key count and the bins make sense (a key must fit 32 bits).
    pub fn is_valid(&self, pairs: &PairConfig) -> bool {
        let positive = self.length_bin > 0.0 && self.radius_bin > 0.0;
        let bins = [self.direction_bins, self.radius_bins, self.bearing_bins];
        positive
            && pairs.length_min >= 0.0
            && pairs.length_max > pairs.length_min
            && bins.iter().all(|&bins| bins > 0)
            && self.orientation_bins >= 2
            && self.orientation_bins % 2 == 0
            && self.keys(pairs) < u64::from(u32::MAX)
    }

    /// The bin of each dimension for a stored pair.
    fn bins(&self, pairs: &PairConfig, pair: &Pair) -> [u32; DIMENSIONS] {
        let sizes = self.sizes(pairs);
        let circular = |units: f32, bins: u8| {
            ((units * f32::from(bins) / 256.0) as u32).min(u32::from(bins) - 1)
        };
        let linear = |value: f32, width: f32, size: u32| ((value / width) as u32).min(size - 1);
        [
            circular(turn(pair.orientation + 64.0), self.orientation_bins)
                .min(sizes[0].saturating_sub(1)),
            u32::from(pair.kinds),
            linear(pair.length - pairs.length_min, self.length_bin, sizes[2]),
            circular(pair.first_direction, self.direction_bins),
            circular(pair.second_direction, self.direction_bins),
            linear(pair.radius, self.radius_bin, sizes[5]),
            circular(pair.bearing, self.bearing_bins),
        ]
    }

    /// The key of a stored pair.
    pub fn key(&self, pairs: &PairConfig, pair: &Pair) -> u32 {
        let sizes = self.sizes(pairs);
        let bins = self.bins(pairs, pair);
        flatten(&sizes, &bins)
    }

    /// The runs of keys where a stored pair within `reach` of the directed probe pair
    /// `pair` would be, appended to `out`. A probe pair is looked up both ways round: this
    /// covers the stored pairs whose line points within `reach.rotation` of this one's.
    pub fn runs(&self, pairs: &PairConfig, reach: &Reach, pair: &Pair, out: &mut Vec<KeyRun>) {
        let sizes = self.sizes(pairs);
        let orientation = bin_range(
            turn(pair.orientation + 64.0),
            reach.rotation,
            256.0 / f32::from(self.orientation_bins),
        );
        let length = bin_range(
            pair.length - pairs.length_min,
            reach.length,
            self.length_bin,
        );
        let direction_width = 256.0 / f32::from(self.direction_bins);
        let first = bin_range(pair.first_direction, reach.direction, direction_width);
        let second = bin_range(pair.second_direction, reach.direction, direction_width);
        let radius = bin_range(pair.radius, reach.radius, self.radius_bin);
        let bearing_width = 256.0 / f32::from(self.bearing_bins);
        let bearing = bin_range(pair.bearing, reach.bearing, bearing_width);
        let full_orientations = i64::from(self.orientation_bins);
        let mut bins = [0u32; DIMENSIONS];
        bins[1] = u32::from(pair.kinds);
        for o in orientation.0..=orientation.1 {
            // Only the half of the orientations stored pairs point to.
            let Some(o) = stored_bin(o.rem_euclid(full_orientations), sizes[0]) else {
                continue;
            };
            bins[0] = o;
            for l in clamp_range(length, sizes[2]) {
                bins[2] = l;
                for f in circular_range(first, sizes[3]) {
                    bins[3] = f;
                    for s in circular_range(second, sizes[4]) {
                        bins[4] = s;
                        for r in clamp_range(radius, sizes[5]) {
                            bins[5] = r;
                            push_bearing_runs(&sizes, &mut bins, bearing, out);
                        }
                    }
                }
            }
        }
    }
}

/// The bins that values within `reach` of `value` fall in, unwrapped (possibly negative
/// or beyond the last).
fn bin_range(value: f32, reach: f32, width: f32) -> (i64, i64) {
    (
        ((value - reach) / width).floor() as i64,
        ((value + reach) / width).floor() as i64,
    )
}

fn stored_bin(bin: i64, stored: u32) -> Option<u32> {
    u32::try_from(bin).ok().filter(|&bin| bin < stored)
}

/// A linear dimension: the bins of the range that exist; the last bin also holds every
/// value beyond it.
fn clamp_range((low, high): (i64, i64), size: u32) -> std::ops::RangeInclusive<u32> {
    let last = i64::from(size) - 1;
    let low = low.clamp(0, last) as u32;
    let high = high.clamp(0, last) as u32;
    low..=high
}

/// A circular dimension: each bin of the range once, wrapped.
fn circular_range((low, high): (i64, i64), size: u32) -> impl Iterator<Item = u32> {
    let size = i64::from(size);
    let count = (high - low + 1).min(size);
    (low..low + count).map(move |bin| bin.rem_euclid(size) as u32)
}

/// The bearing range as one or two runs of keys (two when it wraps round the turn).
fn push_bearing_runs(
    sizes: &[u32; DIMENSIONS],
    bins: &mut [u32; DIMENSIONS],
    (low, high): (i64, i64),
    out: &mut Vec<KeyRun>,
) {
    let size = i64::from(sizes[DIMENSIONS - 1]);
    let mut run = |from: u32, to: u32, bins: &mut [u32; DIMENSIONS]| {
        bins[DIMENSIONS - 1] = from;
        let first = flatten(sizes, bins);
        out.push(KeyRun {
            first,
            last: first + (to - from),
        });
    };
    if high - low + 1 >= size {
        run(0, (size - 1) as u32, bins);
        return;
    }
    let (low, high) = (low.rem_euclid(size), high.rem_euclid(size));
    if low <= high {
        run(low as u32, high as u32, bins);
    } else {
        run(low as u32, (size - 1) as u32, bins);
        run(0, high as u32, bins);
    }
}

fn flatten(sizes: &[u32; DIMENSIONS], bins: &[u32; DIMENSIONS]) -> u32 {
    sizes
        .iter()
        .zip(bins)
        .fold(0u32, |key, (&size, &bin)| key * size + bin)
}

#[cfg(test)]
#[path = "pairs_tests.rs"]
mod tests;
