//! Re-ranking the low table's best members before the matcher sees them.
//!
//! A poor capture's true resident is rarely the low table's very best member, but nearly
//! always among its best one or two percent. The hits that put a member there also say
//! how its thumbs lie on the probe's: each counted hit implies a rotation and a translation,
//! and their means are a rough alignment. The matcher's likelihood at that alignment,
//! refined, but without the matcher's Hough search (two thirds of a comparison), ranks the
//! members almost as well as the full comparison does. The member's minutiae are moved onto
//! the probe's, so that only the probe is prepared as a template, once per search. The
//! best by that score go to the full matcher.

use super::reading::AlignmentSums;
use super::{DuplicateIndex, SearchScratch};
use crate::geometry::Transform;
use crate::template::{Template, pad_area};
use std::f32::consts::TAU;

impl DuplicateIndex {
    /// From the low table's best members in `scratch.best`, with their hits and alignment
    /// sums still in `scratch`, the `low_candidates` best after the two looks, added to the
    /// shortlist (as gallery positions).
    pub(super) fn rerank_low(
        &self,
        probes: &[Option<Template>; 2],
        centres: [(f32, f32); 2],
        scratch: &mut SearchScratch,
    ) {
        let alignments: Vec<(u32, u8, [Option<Transform>; 2])> = scratch
            .best
            .iter()
            .map(|&(_, member, hits)| {
                let alignment = [0, 1].map(|thumb| {
                    let slot = member as usize * 2 + thumb;
                    let count = scratch.hits[slot];
                    let centre = self.low.centres[slot];
                    let reference_centre = (f32::from(centre[0]), f32::from(centre[1]));
                    (count > 0 && probes[thumb].is_some()).then(|| {
                        mean_alignment(&scratch.sums[slot], count, centres[thumb], reference_centre)
                    })
                });
                (member, hits, alignment)
            })
            .collect();
        let mut looked: Vec<(f32, usize)> = Vec::with_capacity(alignments.len());
        for (index, (member, _, alignment)) in alignments.iter().enumerate() {
            let position = self.low_members[*member as usize] as usize;
            let mut score = 0.0f32;
            for (thumb, alignment) in alignment.iter().enumerate() {
                let (Some(alignment), Some(probe)) = (alignment, &probes[thumb]) else {
                    continue;
                };
                let Some(quality) = self.gallery.points(position, thumb, &mut scratch.points)
                else {
                    continue;
                };
                let area = pad_area(&scratch.points);
                // The member's thumb is moved onto the probe's, prepared once per search.
                let matcher = self.verifier.matcher();
                let thumb_score = matcher.compare_points_from(
                    &scratch.points,
                    area,
                    quality,
                    probe,
                    &inverse(alignment),
                    self.config.low_looks,
                    &mut scratch.matcher,
                );
                score += thumb_score.max(0.0);
            }
            looked.push((score, index));
        }
        looked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        looked.truncate(self.config.low_candidates);
        let members = &self.low_members;
        scratch.shortlist.extend(looked.iter().map(|&(_, index)| {
            let (member, hits, _) = alignments[index];
            (members[member as usize], hits)
        }));
    }
}

/// The transform that undoes `transform`.
fn inverse(transform: &Transform) -> Transform {
    let (sin, cos) = transform.rotation.sin_cos();
    let (x, y) = (transform.translation_x, transform.translation_y);
    Transform {
        rotation: -transform.rotation,
        translation_x: -(cos * x + sin * y),
        translation_y: -(cos * y - sin * x),
    }
}

/// The alignment of a probe thumb onto a reference thumb, in the templates' own frames,
/// from the sums of `count` hits (between hull centres) and the two hull centres: if
/// `r - c_r = R (p - c_p) + t`, then `r = R p + (t + c_r - R c_p)`.
fn mean_alignment(
    sums: &AlignmentSums,
    count: u8,
    probe_centre: (f32, f32),
    reference_centre: (f32, f32),
) -> Transform {
    let count = f32::from(count);
    let rotation = f32::from(sums[0]) / count * TAU / 256.0;
    let (sin, cos) = rotation.sin_cos();
    let (px, py) = probe_centre;
    Transform {
        rotation,
        translation_x: f32::from(sums[1]) / count + reference_centre.0 - (cos * px - sin * py),
        translation_y: f32::from(sums[2]) / count + reference_centre.1 - (sin * px + cos * py),
    }
}
