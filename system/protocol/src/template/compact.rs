//! The ISO/IEC 19794-2:2005 compact card format: the minutiae of one finger, 3 bytes each,
//! as a match-on-card chip (and our DG3) stores them.
//!
//! ```text
//! byte 0  x, units of 0.1 mm (0 to 255, so at most 25.5 mm)
//! byte 1  y, units of 0.1 mm
//! byte 2  type (high 2 bits: 00 other, 01 ridge ending, 10 bifurcation),
//!         angle (low 6 bits, units of 360/64 = 5.625 degrees)
//! ```
//!
//! There is no header and no per-minutia quality: the count is the length divided by three
//! and the card's biometric information template carries the rest. Coordinates convert from
//! pixels with the capture's resolution (0.1 mm = 0.01 cm, so units = pixels * 100 /
//! pixels-per-cm), rounded to the nearest unit; angles round from 256 to 64 steps a turn.
//!
//! Sources: the field table of NIST IR 7477 (MINEX II, match-on-card) section 6, as
//! reproduced in the cims-bioko/cims-prints wiki ("Fingerprint Format": X and Y 8 bits each
//! in 0.1 mm, minutia type 2 bits, angle 6 bits of 5.625 degrees), and R. Važan's summary
//! of the 2005 card format (templates.machinezoo.com/iso-19794-2-2005-card). The minutia
//! removal rule of [`select_for_card`] is clause 9.3.2 of the standard as quoted by
//! mealir.com's excerpt of ISO/IEC 19794-2:2011 (unchanged from 2005).

use super::{COORDINATE_MAX, Minutia, MinutiaKind, TemplateError};

/// Bytes per minutia in the compact card format.
pub const COMPACT_MINUTIA_BYTES: usize = 3;
const UNITS_MAX: u32 = 255;
/// At most this many minutiae in one compact block (the record's per-view limit).
const COMPACT_MINUTIAE_MAX: usize = 255;

/// The compact card bytes of `minutiae` captured at the given resolution (pixels per cm).
pub fn encode_compact(
    minutiae: &[Minutia],
    resolution_x_pixels_per_centimetre: u16,
    resolution_y_pixels_per_centimetre: u16,
) -> Result<Vec<u8>, TemplateError> {
    check_resolutions(
        resolution_x_pixels_per_centimetre,
        resolution_y_pixels_per_centimetre,
    )?;
    if minutiae.len() > COMPACT_MINUTIAE_MAX {
        return Err(TemplateError::OutOfRange {
            field: "number of minutiae",
            value: u32::try_from(minutiae.len()).unwrap_or(u32::MAX),
            expected: "0 to 255",
        });
    }
    let mut out = Vec::with_capacity(minutiae.len() * COMPACT_MINUTIA_BYTES);
    for (index, minutia) in minutiae.iter().enumerate() {
        let x = to_units(index, "x", minutia.x, resolution_x_pixels_per_centimetre)?;
        let y = to_units(index, "y", minutia.y, resolution_y_pixels_per_centimetre)?;
        let angle = ((u16::from(minutia.angle) + 2) / 4 % 64) as u8;
        out.extend_from_slice(&[x, y, (minutia.kind.code() << 6) | angle]);
    }
    Ok(out)
}

/// The minutiae in compact card `bytes`, in pixels at the given resolution (pixels per cm).
/// Decoded minutiae have quality 0 ("not reported"): the format does not carry it.
pub fn decode_compact(
    bytes: &[u8],
    resolution_x_pixels_per_centimetre: u16,
    resolution_y_pixels_per_centimetre: u16,
) -> Result<Vec<Minutia>, TemplateError> {
    check_resolutions(
        resolution_x_pixels_per_centimetre,
        resolution_y_pixels_per_centimetre,
    )?;
    if bytes.len() % COMPACT_MINUTIA_BYTES != 0 {
        return Err(TemplateError::CompactLengthNotMultipleOfThree {
            length: bytes.len(),
        });
    }
    let count = bytes.len() / COMPACT_MINUTIA_BYTES;
    if count > COMPACT_MINUTIAE_MAX {
        return Err(TemplateError::OutOfRange {
            field: "number of minutiae",
            value: u32::try_from(count).unwrap_or(u32::MAX),
            expected: "0 to 255",
        });
    }
    let mut minutiae = Vec::with_capacity(count);
    for (index, chunk) in bytes.chunks_exact(COMPACT_MINUTIA_BYTES).enumerate() {
        let kind = MinutiaKind::from_code(chunk[2] >> 6).ok_or(TemplateError::BadMinutiaKind {
            view: 0,
            minutia: index,
        })?;
        minutiae.push(Minutia {
            x: to_pixels(chunk[0], resolution_x_pixels_per_centimetre),
            y: to_pixels(chunk[1], resolution_y_pixels_per_centimetre),
            angle: (chunk[2] & 0x3F) * 4,
            kind,
            quality: 0,
        });
    }
    Ok(minutiae)
}

/// At most `maximum` of `minutiae`, removed as ISO/IEC 19794-2 clause 9.3.2 says when a card
/// takes fewer than a capture has: lowest quality first; among equal quality, farthest from
/// the centre of mass (computed before any removal) first; then ridge endings before other
/// kinds, then the largest angle first. The survivors keep their order.
pub fn select_for_card(minutiae: &[Minutia], maximum: usize) -> Vec<Minutia> {
    if minutiae.len() <= maximum {
        return minutiae.to_vec();
    }
    let count = minutiae.len() as u64;
    let centre_x = minutiae.iter().map(|m| u64::from(m.x)).sum::<u64>() as f64 / count as f64;
    let centre_y = minutiae.iter().map(|m| u64::from(m.y)).sum::<u64>() as f64 / count as f64;
    let distance_squared = |m: &Minutia| {
        let dx = f64::from(m.x) - centre_x;
        let dy = f64::from(m.y) - centre_y;
        dx * dx + dy * dy
    };
    // Sorted from the first to remove to the last; the tail survives.
    let mut order: Vec<usize> = (0..minutiae.len()).collect();
    order.sort_by(|&a, &b| {
        let (first, second) = (&minutiae[a], &minutiae[b]);
        first
            .quality
            .cmp(&second.quality)
            .then(distance_squared(second).total_cmp(&distance_squared(first)))
            .then(removal_rank(first.kind).cmp(&removal_rank(second.kind)))
            .then(second.angle.cmp(&first.angle))
            .then(a.cmp(&b))
    });
    let mut keep = vec![false; minutiae.len()];
    for &index in &order[minutiae.len() - maximum..] {
        keep[index] = true;
    }
    minutiae
        .iter()
        .zip(keep)
        .filter_map(|(minutia, kept)| kept.then_some(*minutia))
        .collect()
}

/// Ridge endings go first among equals.
fn removal_rank(kind: MinutiaKind) -> u8 {
    match kind {
        MinutiaKind::RidgeEnding => 0,
        MinutiaKind::Bifurcation | MinutiaKind::Other => 1,
    }
}

/// 25.5 mm (255 units) must fit in the 14 bits of a record's coordinates.
const RESOLUTION_MAX: u16 = 6424;

fn check_resolutions(x: u16, y: u16) -> Result<(), TemplateError> {
    for (field, value) in [("x resolution", x), ("y resolution", y)] {
        if value == 0 || value > RESOLUTION_MAX {
            return Err(TemplateError::OutOfRange {
                field,
                value: u32::from(value),
                expected: "1 to 6424 pixels per cm, so that 25.5 mm fits in 16,383 pixels",
            });
        }
    }
    Ok(())
}

/// Pixels to units of 0.1 mm, rounded half up.
fn to_units(
    minutia: usize,
    axis: &'static str,
    pixels: u16,
    resolution: u16,
) -> Result<u8, TemplateError> {
    let resolution = u32::from(resolution);
    let units = (u32::from(pixels) * 200 + resolution) / (2 * resolution);
    if units > UNITS_MAX {
        return Err(TemplateError::CompactCoordinateTooLarge {
            minutia,
            axis,
            pixels,
            units,
        });
    }
    Ok(units as u8)
}

/// Units of 0.1 mm to pixels, rounded half up; at most [`COORDINATE_MAX`] since
/// [`check_resolutions`] bounds the resolution.
fn to_pixels(units: u8, resolution: u16) -> u16 {
    let pixels = (u32::from(units) * u32::from(resolution) * 2 + 100) / 200;
    debug_assert!(pixels <= u32::from(COORDINATE_MAX));
    pixels as u16
}
