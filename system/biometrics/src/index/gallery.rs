//! The enrolled thumbs, kept compactly for re-scoring and for building the tables: 4 bytes
//! a minutia.

use super::IndexError;
use crate::template::{Point, Template};
use hkic_protocol::template::{FingerView, Minutia, MinutiaKind};
use std::f32::consts::TAU;

/// Coordinates the packed minutia holds: 11 bits each (a 500 ppi platen needs 9).
pub(super) const COORDINATE_LIMIT: u16 = 1 << 11;
/// The quality recorded for a thumb that was not captured.
const ABSENT: u8 = u8::MAX;

/// Enrolled thumbs: the minutiae of every (resident, thumb) slot in one array.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Gallery {
    pub(super) identifiers: Vec<u32>,
    /// x (11 bits), y (11 bits), angle (8 bits), kind code (2 bits).
    minutiae: Vec<u32>,
    /// Slot s (resident * 2 + thumb) holds `minutiae[starts[s]..starts[s + 1]]`.
    starts: Vec<u32>,
    /// The reader's quality score of each slot, `ABSENT` for a thumb not captured.
    qualities: Vec<u8>,
}

fn pack(minutia: &Minutia) -> u32 {
    u32::from(minutia.x) << 21
        | u32::from(minutia.y) << 10
        | u32::from(minutia.angle) << 2
        | u32::from(minutia.kind.code())
}

fn unpack(packed: u32) -> Minutia {
    Minutia {
        x: (packed >> 21) as u16,
        y: (packed >> 10 & 0x7FF) as u16,
        angle: (packed >> 2) as u8,
        kind: MinutiaKind::from_code((packed & 3) as u8).unwrap_or(MinutiaKind::Other),
        quality: 0,
    }
}

impl Gallery {
    /// Checks that `thumbs` can be stored and that the 32-bit slot offsets have room.
    pub(super) fn check(&self, thumbs: [Option<&FingerView>; 2]) -> Result<(), IndexError> {
        let mut adding = 0usize;
        for view in thumbs.iter().flatten() {
            adding += view.minutiae.len();
            let beyond = |m: &&Minutia| m.x >= COORDINATE_LIMIT || m.y >= COORDINATE_LIMIT;
            if let Some(minutia) = view.minutiae.iter().find(beyond) {
                return Err(IndexError::CoordinateTooLarge {
                    x: minutia.x,
                    y: minutia.y,
                });
            }
        }
        if self.minutiae.len() + adding > u32::MAX as usize {
            return Err(IndexError::Full);
        }
        Ok(())
    }

    /// Stores a resident's thumbs (checked by [`Gallery::check`]).
    pub(super) fn push(&mut self, identifier: u32, thumbs: [Option<&FingerView>; 2]) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.identifiers.push(identifier);
        for thumb in thumbs {
            let view = thumb.map(|view| (view.quality.min(ABSENT - 1), &view.minutiae[..]));
            let (quality, minutiae) = view.unwrap_or((ABSENT, &[]));
            self.minutiae.extend(minutiae.iter().map(pack));
            self.starts.push(self.minutiae.len() as u32);
            self.qualities.push(quality);
        }
    }

    pub(super) fn len(&self) -> usize {
        self.identifiers.len()
    }

    /// The quality score of `thumb` of the resident at `position`, if it was captured.
    pub(super) fn quality(&self, position: usize, thumb: usize) -> Option<u8> {
        Some(self.qualities[position * 2 + thumb]).filter(|&quality| quality != ABSENT)
    }

    /// The prepared template of `thumb` of the resident at `position`, if enrolled.
    pub(super) fn template(&self, position: usize, thumb: usize) -> Option<Template> {
        let slot = position * 2 + thumb;
        let quality = self.quality(position, thumb)?;
        let range = self.starts[slot] as usize..self.starts[slot + 1] as usize;
        let minutiae: Vec<Minutia> = self.minutiae[range].iter().map(|&m| unpack(m)).collect();
        Some(Template::from_minutiae_500_ppi(&minutiae, quality))
    }

    /// The minutiae of `thumb` of the resident at `position` as its template would hold
    /// them (centred on their centroid; unsorted), into `out`, without preparing a
    /// template; the thumb's quality score, or `None` if it was not captured.
    pub(super) fn points(&self, position: usize, thumb: usize, out: &mut Vec<Point>) -> Option<u8> {
        out.clear();
        let slot = position * 2 + thumb;
        let quality = self.quality(position, thumb)?;
        let packed = &self.minutiae[self.starts[slot] as usize..self.starts[slot + 1] as usize];
        let count = packed.len().max(1) as f32;
        let coordinate = |m: u32, shift: u32| f32::from((m >> shift & 0x7FF) as u16);
        let centre_x = packed.iter().map(|&m| coordinate(m, 21)).sum::<f32>() / count;
        let centre_y = packed.iter().map(|&m| coordinate(m, 10)).sum::<f32>() / count;
        out.extend(packed.iter().map(|&m| {
            let minutia = unpack(m);
            let direction = -f32::from(minutia.angle) * TAU / 256.0;
            Point::new(
                f32::from(minutia.x) - centre_x,
                f32::from(minutia.y) - centre_y,
                direction,
                minutia.kind,
            )
        }));
        Some(quality)
    }

    pub(super) fn bytes(&self) -> usize {
        self.identifiers.len() * 4
            + self.minutiae.len() * 4
            + self.starts.len() * 4
            + self.qualities.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutiae_pack_into_four_bytes_and_back() {
        for (x, y, angle, kind) in [
            (0, 0, 0, MinutiaKind::Other),
            (2047, 2047, 255, MinutiaKind::Bifurcation),
            (499, 13, 128, MinutiaKind::RidgeEnding),
        ] {
            let minutia = Minutia {
                x,
                y,
                angle,
                kind,
                quality: 0,
            };
            assert_eq!(unpack(pack(&minutia)), minutia);
        }
    }
}
