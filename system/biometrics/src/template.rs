//! A finger view prepared for matching: minutiae in floating point, in a common frame.
//!
//! Why prepare: a comparison must not repeat per-template work (unit and angle conversion,
//! centring, sorting, trigonometry), and the 1:N search compares one probe with many
//! references.
//!
//! The frame: pixels at 500 ppi (positions scale by 197 / resolution), origin at the
//! centroid of the view's minutiae, y down, directions as `atan2(dy, dx)` in that y-down
//! frame. ISO/IEC 19794-2 angles turn counter-clockwise on screen, so a direction is the
//! negated angle. Centring on the centroid keeps the translation between two impressions of
//! a finger small whatever the image size. Minutiae are sorted by x, so that the neighbours
//! of a point are found by binary search.

use hkic_protocol::template::{
    FingerView, Minutia, MinutiaKind, RESOLUTION_500_PPI, select_for_card,
};
use std::f32::consts::{PI, TAU};

/// A template keeps at most this many minutiae (ISO/IEC 19794-2 clause 9.3.2 chooses which);
/// a thumb has at most 60 real ones.
pub const TEMPLATE_MINUTIAE_MAX: usize = 128;
/// Width of the x buckets that index the minutiae, pixels, and how many there are (they
/// cover x from -`X_BUCKETS_REACH` to +`X_BUCKETS_REACH`; beyond, the first or last bucket).
const X_BUCKET_WIDTH: f32 = 8.0;
const X_BUCKETS: usize = 100;
const X_BUCKETS_REACH: f32 = X_BUCKET_WIDTH * X_BUCKETS as f32 / 2.0;
/// Smallest area a template claims (a 3 mm disc), so that a few clustered minutiae do not
/// make every chance agreement look significant.
const AREA_MIN: f32 = 2_800.0;

/// One minutia of a prepared template.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
    /// Radians in [0, 2 pi), y-down frame.
    pub direction: f32,
    pub cos: f32,
    pub sin: f32,
    /// The direction in 256ths of a turn, for quick differences.
    pub direction_units: u8,
    pub kind: MinutiaKind,
}

impl Point {
    pub fn new(x: f32, y: f32, direction: f32, kind: MinutiaKind) -> Point {
        let direction = direction.rem_euclid(TAU);
        let (sin, cos) = direction.sin_cos();
        Point {
            x,
            y,
            direction,
            cos,
            sin,
            direction_units: ((direction / TAU * 256.0).round() as u32 % 256) as u8,
            kind,
        }
    }
}

/// Why a finger view cannot be prepared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("{axis} resolution is 0 pixels per cm, expected more than 0")]
    ZeroResolution { axis: &'static str },
}

/// A minutia as the alignment search reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DirectionEntry {
    pub x: f32,
    pub y: f32,
    pub direction_units: u8,
}

/// The minutiae of one kind sorted by direction, with the index of the first minutia at or
/// above each direction (257 entries, the last one the count): the minutiae within a range
/// of directions are a contiguous run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DirectionTable {
    pub entries: Vec<DirectionEntry>,
    pub first_at: Vec<u8>,
}

impl DirectionTable {
    fn new(points: &[Point], kind: MinutiaKind) -> DirectionTable {
        let mut entries: Vec<DirectionEntry> = points
            .iter()
            .filter(|point| point.kind == kind)
            .map(|point| DirectionEntry {
                x: point.x,
                y: point.y,
                direction_units: point.direction_units,
            })
            .collect();
        entries.sort_by_key(|entry| entry.direction_units);
        // One sweep: first_at[u] counts the entries below direction u.
        let mut first_at = Vec::with_capacity(257);
        let mut below = 0usize;
        for units in 0..=256u16 {
            while below < entries.len() && u16::from(entries[below].direction_units) < units {
                below += 1;
            }
            first_at.push(below as u8);
        }
        DirectionTable { entries, first_at }
    }

    /// The entries with direction units in `low..=high`, wrapping round the turn: one or
    /// two runs.
    pub fn runs(&self, low: u8, high: u8) -> [std::ops::Range<usize>; 2] {
        let start = usize::from(self.first_at[usize::from(low)]);
        let end = usize::from(self.first_at[usize::from(high) + 1]);
        if low <= high {
            [start..end, 0..0]
        } else {
            [start..self.entries.len(), 0..end]
        }
    }
}

/// The kinds the alignment search pairs (each only with its own kind).
pub const SEARCH_KINDS: [MinutiaKind; 3] = [
    MinutiaKind::RidgeEnding,
    MinutiaKind::Bifurcation,
    MinutiaKind::Other,
];

/// A finger view ready for the matcher and the index.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    minutiae: Vec<Point>,
    quality: u8,
    area: f32,
    /// Index of the first minutia in each x bucket (and the count at the end).
    x_bucket_starts: Vec<u8>,
    /// One table per entry of [`SEARCH_KINDS`].
    by_direction: [DirectionTable; 3],
}

impl Template {
    /// Prepares `view`, captured at the given resolution (pixels per cm).
    pub fn from_view(
        view: &FingerView,
        resolution_x_pixels_per_centimetre: u16,
        resolution_y_pixels_per_centimetre: u16,
    ) -> Result<Template, TemplateError> {
        if resolution_x_pixels_per_centimetre == 0 {
            return Err(TemplateError::ZeroResolution { axis: "x" });
        }
        if resolution_y_pixels_per_centimetre == 0 {
            return Err(TemplateError::ZeroResolution { axis: "y" });
        }
        let scale_x = f32::from(RESOLUTION_500_PPI) / f32::from(resolution_x_pixels_per_centimetre);
        let scale_y = f32::from(RESOLUTION_500_PPI) / f32::from(resolution_y_pixels_per_centimetre);
        Ok(Template::from_scaled_minutiae(
            &view.minutiae,
            view.quality,
            scale_x,
            scale_y,
        ))
    }

    /// Prepares minutiae captured at 500 ppi, with the view's quality score.
    pub fn from_minutiae_500_ppi(minutiae: &[Minutia], quality: u8) -> Template {
        Template::from_scaled_minutiae(minutiae, quality, 1.0, 1.0)
    }

    fn from_scaled_minutiae(
        minutiae: &[Minutia],
        quality: u8,
        scale_x: f32,
        scale_y: f32,
    ) -> Template {
        let kept = select_for_card(minutiae, TEMPLATE_MINUTIAE_MAX);
        let points = kept.iter().map(|minutia| {
            let direction = -f32::from(minutia.angle) * TAU / 256.0;
            (
                f32::from(minutia.x) * scale_x,
                f32::from(minutia.y) * scale_y,
                direction,
                minutia.kind,
            )
        });
        Template::from_points(points, quality)
    }

    /// Prepares a view captured at 500 ppi (197 pixels per cm), as every reader here does.
    pub fn from_view_500_ppi(view: &FingerView) -> Template {
        Template::from_view(view, RESOLUTION_500_PPI, RESOLUTION_500_PPI)
            .expect("500 ppi is a valid resolution")
    }

    /// A template of (x, y, direction in radians, kind) points in pixels at 500 ppi, at most
    /// [`TEMPLATE_MINUTIAE_MAX`] of them (the rest are dropped).
    pub fn from_points(
        points: impl Iterator<Item = (f32, f32, f32, MinutiaKind)>,
        quality: u8,
    ) -> Template {
        let mut raw: Vec<(f32, f32, f32, MinutiaKind)> =
            points.take(TEMPLATE_MINUTIAE_MAX).collect();
        let count = raw.len().max(1) as f32;
        let centre_x = raw.iter().map(|point| point.0).sum::<f32>() / count;
        let centre_y = raw.iter().map(|point| point.1).sum::<f32>() / count;
        for point in &mut raw {
            point.0 -= centre_x;
            point.1 -= centre_y;
        }
        let mut minutiae: Vec<Point> = raw
            .iter()
            .map(|&(x, y, direction, kind)| Point::new(x, y, direction, kind))
            .collect();
        minutiae.sort_by(|a, b| a.x.total_cmp(&b.x));
        let area = pad_area(&minutiae);
        let by_direction = SEARCH_KINDS.map(|kind| DirectionTable::new(&minutiae, kind));
        let x_bucket_starts = (0..=X_BUCKETS)
            .map(|bucket| {
                let x = bucket as f32 * X_BUCKET_WIDTH - X_BUCKETS_REACH;
                let first = minutiae.partition_point(|point| point.x < x);
                if bucket == 0 {
                    0
                } else if bucket == X_BUCKETS {
                    minutiae.len() as u8
                } else {
                    first as u8
                }
            })
            .collect();
        Template {
            minutiae,
            quality,
            area,
            x_bucket_starts,
            by_direction,
        }
    }

    /// Sorted by x.
    pub fn minutiae(&self) -> &[Point] {
        &self.minutiae
    }

    /// The minutiae of `SEARCH_KINDS[kind]` sorted by direction.
    pub fn by_direction(&self, kind: usize) -> &DirectionTable {
        &self.by_direction[kind]
    }

    /// The finger quality the reader reported (0 to 100).
    pub fn quality(&self) -> u8 {
        self.quality
    }

    /// The area the minutiae spread over, square pixels: the ellipse whose semi-axes are
    /// twice the standard deviations of x and y (exact for minutiae uniform on an ellipse).
    pub fn area(&self) -> f32 {
        self.area
    }

    pub fn len(&self) -> usize {
        self.minutiae.len()
    }

    pub fn is_empty(&self) -> bool {
        self.minutiae.is_empty()
    }

    /// The indices of a run of minutiae that holds every minutia whose x lies within
    /// `reach` of `x` (and perhaps a few more, up to a bucket's width further).
    pub fn x_range(&self, x: f32, reach: f32) -> std::ops::Range<usize> {
        let bucket = |x: f32| {
            ((x + X_BUCKETS_REACH) / X_BUCKET_WIDTH).clamp(0.0, (X_BUCKETS - 1) as f32) as usize
        };
        let start = usize::from(self.x_bucket_starts[bucket(x - reach)]);
        let end = usize::from(self.x_bucket_starts[bucket(x + reach) + 1]);
        start..end.max(start)
    }
}

/// The area the centred points spread over, as [`Template::area`] gives it.
pub(crate) fn pad_area(centred: &[Point]) -> f32 {
    if centred.is_empty() {
        return AREA_MIN;
    }
    let count = centred.len() as f32;
    let variance_x = centred.iter().map(|point| point.x * point.x).sum::<f32>() / count;
    let variance_y = centred.iter().map(|point| point.y * point.y).sum::<f32>() / count;
    (4.0 * PI * (variance_x * variance_y).sqrt()).max(AREA_MIN)
}
