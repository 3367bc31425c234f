//! Minutia triangles: the keys of the duplicate-search index.
//!
//! Every minutia forms triangles with pairs of its nearest neighbours. A triangle is
//! described without reference to where the finger lay: its three sides (sorted), the
//! direction of each corner's minutia relative to the longest side, the corners' kinds and
//! which way round the triangle turns. Those quantised make the key. The direction of the
//! longest side itself does depend on the placement, but only within the rotation range of
//! an upright finger: coarsely (sixteenths of a turn) it is part of the key too, and a
//! search looks up every orientation within the rotation window; exactly it travels with
//! the posting, and the search counts a hit only when the two triangles turn by a plausible
//! amount.
//!
//! Corners are named by the side opposite them: A faces the shortest side, B the middle
//! one, C the longest; the longest side runs from A to B.

use crate::template::Template;
use std::f32::consts::TAU;

/// How triangles are formed and quantised.
#[derive(Debug, Clone, PartialEq)]
pub struct TriangleConfig {
    /// Neighbours of each minutia that it forms triangles with.
    pub neighbours: usize,
    /// Neighbours nearer than this or farther than `side_max` are skipped, pixels.
    pub side_min: f32,
    pub side_max: f32,
    /// Width of a side-length bin, pixels.
    pub side_bin: f32,
    /// Bins of a corner's direction relative to the longest side (a power of two).
    pub direction_bins: u8,
}

impl Default for TriangleConfig {
    fn default() -> TriangleConfig {
        TriangleConfig {
            neighbours: 5,
            side_min: 18.0,
            side_max: 90.0,
            side_bin: 12.0,
            direction_bins: 8,
        }
    }
}

/// One triangle's description.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Triangle {
    /// Shortest first, pixels.
    pub sides: [f32; 3],
    /// Corner directions relative to the longest side, quantised.
    pub directions: [u8; 3],
    /// The corners' kind codes, A then B then C, in base 3.
    pub kinds: u8,
    /// Whether C lies to the left of the side from A to B.
    pub turns_left: bool,
    /// Direction of the longest side from A to B, 256ths of a turn.
    pub orientation: u8,
}

/// Orientation bins of the key: sixteenths of a turn (16 units of 256).
pub const ORIENTATION_BINS: u8 = 16;
const ORIENTATION_BIN_UNITS: u8 = 16;

/// A length this close to a bin edge (in bins) is also looked up across the edge.
const PROBE_MARGIN: f32 = 0.3;
/// Longest sides beyond this many side bins are not indexed.
const SIDE_BINS_MAX: u64 = 16;

impl TriangleConfig {
    /// The key of `triangle` with each side's bin moved by `offsets` (-1, 0 or 1) and its
    /// orientation taken as falling in `orientation_bin`; `None` when a side falls outside
    /// the indexed range.
    pub fn key(&self, triangle: &Triangle, offsets: [i8; 3], orientation_bin: u8) -> Option<u64> {
        let mut key = 0u64;
        for (side, offset) in triangle.sides.iter().zip(offsets) {
            let bin = (side / self.side_bin).floor() as i64 + i64::from(offset);
            if !(0..SIDE_BINS_MAX as i64).contains(&bin) {
                return None;
            }
            key = key * SIDE_BINS_MAX + bin as u64;
        }
        for direction in triangle.directions {
            key = key * u64::from(self.direction_bins) + u64::from(direction);
        }
        key = (key * 27 + u64::from(triangle.kinds)) * 2 + u64::from(triangle.turns_left);
        Some(key * u64::from(ORIENTATION_BINS) + u64::from(orientation_bin % ORIENTATION_BINS))
    }

    /// The orientation bin a triangle is indexed under.
    pub fn orientation_bin(triangle: &Triangle) -> u8 {
        triangle.orientation / ORIENTATION_BIN_UNITS
    }

    /// The orientation bins that hold every orientation within `window` (256ths of a turn)
    /// of the triangle's: a run from `first`, `count` long, wrapping round the turn.
    pub fn orientation_bins_within(triangle: &Triangle, window: u8) -> (u8, u8) {
        let low = triangle.orientation.wrapping_sub(window) / ORIENTATION_BIN_UNITS;
        let high = triangle.orientation.wrapping_add(window) / ORIENTATION_BIN_UNITS;
        let count = high.wrapping_sub(low) % ORIENTATION_BINS + 1;
        (low, count)
    }

    /// Side offsets to probe into `out`: each side's own bin and, when the measured length
    /// lies within a quarter bin of an edge, the bin across that edge (the other impression
    /// may have landed there); every combination of those, at most eight.
    pub fn probes(&self, triangle: &Triangle, out: &mut Vec<[i8; 3]>) {
        out.clear();
        out.push([0; 3]);
        for (side, length) in triangle.sides.iter().enumerate() {
            let within = (length / self.side_bin).fract();
            let across = if within < PROBE_MARGIN {
                -1
            } else if within > 1.0 - PROBE_MARGIN {
                1
            } else {
                continue;
            };
            for existing in 0..out.len() {
                let mut offsets = out[existing];
                offsets[side] = across;
                out.push(offsets);
            }
        }
    }

    /// The triangles of `template` into `out` (`corners` is scratch space).
    pub fn triangles(
        &self,
        template: &Template,
        corners: &mut Vec<[u8; 3]>,
        out: &mut Vec<Triangle>,
    ) {
        out.clear();
        corners.clear();
        let points = template.minutiae();
        let mut near: Vec<(f32, u8)> = Vec::with_capacity(points.len());
        let (nearest, farthest) = (self.side_min * self.side_min, self.side_max * self.side_max);
        for (i, a) in points.iter().enumerate() {
            near.clear();
            for (j, b) in points.iter().enumerate() {
                let (dx, dy) = (b.x - a.x, b.y - a.y);
                let squared = dx * dx + dy * dy;
                if j != i && squared >= nearest && squared <= farthest {
                    near.push((squared, j as u8));
                }
            }
            near.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            near.truncate(self.neighbours);
            for (first, &(_, j)) in near.iter().enumerate() {
                for &(_, k) in &near[first + 1..] {
                    let mut triple = [i as u8, j, k];
                    triple.sort_unstable();
                    corners.push(triple);
                }
            }
        }
        corners.sort_unstable();
        corners.dedup();
        out.extend(
            corners
                .iter()
                .map(|&triple| self.describe(template, triple)),
        );
    }

    fn describe(&self, template: &Template, triple: [u8; 3]) -> Triangle {
        let point = |corner: u8| template.minutiae()[usize::from(corner)];
        let length = |a: u8, b: u8| {
            let (dx, dy) = (point(b).x - point(a).x, point(b).y - point(a).y);
            (dx * dx + dy * dy).sqrt()
        };
        // The side opposite each corner, shortest first (ties by corner index).
        let mut opposite = [
            (length(triple[1], triple[2]), triple[0]),
            (length(triple[0], triple[2]), triple[1]),
            (length(triple[0], triple[1]), triple[2]),
        ];
        opposite.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        let [a, b, c] = opposite.map(|(_, corner)| point(corner));
        let along = (b.y - a.y).atan2(b.x - a.x);
        let turn_units = |direction: f32| {
            let relative = (direction - along).rem_euclid(TAU);
            ((relative / TAU * f32::from(self.direction_bins)) as u8).min(self.direction_bins - 1)
        };
        let cross = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
        let kind_code = |corner: &crate::template::Point| corner.kind.code();
        Triangle {
            sides: opposite.map(|(side, _)| side),
            directions: [
                turn_units(a.direction),
                turn_units(b.direction),
                turn_units(c.direction),
            ],
            kinds: (kind_code(&a) * 3 + kind_code(&b)) * 3 + kind_code(&c),
            turns_left: cross > 0.0,
            orientation: ((along.rem_euclid(TAU) / TAU * 256.0) as u32 % 256) as u8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Transform;
    use hkic_protocol::template::MinutiaKind;

    fn template(transform: &Transform) -> Template {
        let corners = [
            (0.0, 0.0, 0.3),
            (62.0, 0.0, 1.9),
            (20.0, 45.0, 4.0),
            (300.0, 300.0, 0.0),
        ];
        let points = corners.iter().map(|&(x, y, direction)| {
            let (x, y) = transform.apply(x, y);
            (
                x,
                y,
                direction + transform.rotation,
                MinutiaKind::Bifurcation,
            )
        });
        Template::from_points(points, 80)
    }

    #[test]
    fn keys_do_not_depend_on_where_the_finger_lay() {
        let config = TriangleConfig::default();
        let (mut corners, mut first, mut second) = (Vec::new(), Vec::new(), Vec::new());
        config.triangles(&template(&Transform::IDENTITY), &mut corners, &mut first);
        let moved = Transform {
            rotation: 0.4,
            translation_x: 35.0,
            translation_y: -20.0,
        };
        config.triangles(&template(&moved), &mut corners, &mut second);
        // The far fourth minutia has no neighbour within reach: one triangle.
        assert_eq!(first.len(), 1);
        assert_eq!(second.len(), 1);
        let (a, b) = (first[0], second[0]);
        assert_eq!(
            config.key(&a, [0; 3], 0),
            config.key(&b, [0; 3], 0),
            "{a:?} {b:?}"
        );
        let turn = b.orientation.wrapping_sub(a.orientation) as i8;
        assert!((i32::from(turn) - 16).abs() <= 1, "turned {turn} of 256");
        // Sides 49.2, 61.6 and 62 px: shortest first (none near a 12 px bin edge).
        assert!((a.sides[0] - 49.24).abs() < 0.1 && (a.sides[2] - 62.0).abs() < 0.1);
    }

    #[test]
    fn orientation_bins_cover_the_rotation_window() {
        let at = |orientation: u8| Triangle {
            sides: [30.0; 3],
            directions: [0; 3],
            kinds: 0,
            turns_left: false,
            orientation,
        };
        // 100 +- 32 runs from 68 (bin 4) to 132 (bin 8): five bins.
        assert_eq!(
            TriangleConfig::orientation_bins_within(&at(100), 32),
            (4, 5)
        );
        // 96 +- 32 runs from 64 (bin 4) to 128 (bin 8).
        assert_eq!(TriangleConfig::orientation_bins_within(&at(96), 32), (4, 5));
        // Round the turn: 10 +- 32 runs from 234 (bin 14) to 42 (bin 2).
        assert_eq!(
            TriangleConfig::orientation_bins_within(&at(10), 32),
            (14, 5)
        );
        assert_eq!(TriangleConfig::orientation_bin(&at(250)), 15);
    }

    #[test]
    fn lengths_near_a_bin_edge_are_probed_across_it() {
        let config = TriangleConfig::default();
        let triangle = Triangle {
            sides: [24.5, 30.0, 47.5],
            directions: [0, 1, 2],
            kinds: 0,
            turns_left: true,
            orientation: 0,
        };
        let mut probes = Vec::new();
        config.probes(&triangle, &mut probes);
        // 24.5 is just above the edge at 24 (probe down), 30 mid-bin, 47.5 near 48 (up).
        assert_eq!(probes, vec![[0, 0, 0], [-1, 0, 0], [0, 0, 1], [-1, 0, 1]]);
        let keys: Vec<_> = probes
            .iter()
            .map(|&offsets| config.key(&triangle, offsets, 0))
            .collect();
        assert!(keys.iter().all(Option::is_some));
        let mut distinct = keys.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 4);
    }
}
