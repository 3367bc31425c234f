//! The enrolled thumbs, kept compactly for re-scoring: 6 bytes a minutia.

use crate::template::Template;
use hkic_protocol::template::{FingerView, Minutia, MinutiaKind};

/// Enrolled thumbs, compactly: the minutiae of every (resident, thumb) slot in one array.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Gallery {
    pub(super) identifiers: Vec<u32>,
    minutiae: Vec<StoredMinutia>,
    /// Slot s (resident * 2 + thumb) holds `minutiae[starts[s]..starts[s + 1]]`.
    starts: Vec<u32>,
    qualities: Vec<u8>,
    present: Vec<bool>,
}

/// A minutia in 6 bytes: what the ISO record holds, less the minutia quality.
#[derive(Debug, Clone, Copy, PartialEq)]
struct StoredMinutia {
    x: u16,
    y: u16,
    angle: u8,
    kind: u8,
}

impl Gallery {
    pub(super) fn push(&mut self, identifier: u32, thumbs: [Option<&FingerView>; 2]) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.identifiers.push(identifier);
        for thumb in thumbs {
            let view = thumb.map(|view| (view.quality, &view.minutiae[..]));
            let (quality, minutiae) = view.unwrap_or((0, &[]));
            self.minutiae.extend(minutiae.iter().map(|m| StoredMinutia {
                x: m.x,
                y: m.y,
                angle: m.angle,
                kind: m.kind.code(),
            }));
            self.starts.push(self.minutiae.len() as u32);
            self.qualities.push(quality);
            self.present.push(thumb.is_some());
        }
    }

    /// Whether `minutiae` more still fit the 32-bit slot offsets.
    pub(super) fn has_room_for(&self, minutiae: usize) -> bool {
        self.minutiae.len() + minutiae <= u32::MAX as usize
    }

    pub(super) fn len(&self) -> usize {
        self.identifiers.len()
    }

    /// The prepared template of `thumb` of the resident at `position`, if enrolled.
    pub(super) fn template(&self, position: usize, thumb: usize) -> Option<Template> {
        let slot = position * 2 + thumb;
        if !self.present[slot] {
            return None;
        }
        let range = self.starts[slot] as usize..self.starts[slot + 1] as usize;
        let minutiae: Vec<Minutia> = self.minutiae[range]
            .iter()
            .map(|m| Minutia {
                x: m.x,
                y: m.y,
                angle: m.angle,
                kind: MinutiaKind::from_code(m.kind).unwrap_or(MinutiaKind::Other),
                quality: 0,
            })
            .collect();
        Some(Template::from_minutiae_500_ppi(
            &minutiae,
            self.qualities[slot],
        ))
    }

    pub(super) fn bytes(&self) -> usize {
        self.identifiers.len() * 4
            + self.minutiae.len() * size_of::<StoredMinutia>()
            + self.starts.len() * 4
            + self.qualities.len()
            + self.present.len()
    }
}
