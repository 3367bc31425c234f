//! The ISO/IEC 19794-2:2005 finger minutiae record ("FMR\0", version " 20\0").
//!
//! Layout (all integers big-endian):
//!
//! ```text
//! record header, 24 bytes
//!   0  4  format identifier "FMR\0"
//!   4  4  version " 20\0"
//!   8  4  record length in bytes, this header included
//!  12  2  capture equipment: certification (high 4 bits), device type (low 12 bits)
//!  14  2  image width in pixels          16  2  image height in pixels
//!  18  2  x resolution, pixels per cm    20  2  y resolution, pixels per cm
//!  22  1  number of finger views         23  1  reserved, 0
//! per finger view
//!   0  1  finger position (0-10)
//!   1  1  view number (high 4 bits), impression type (low 4 bits)
//!   2  1  finger quality (0-100)         3  1  number of minutiae
//!   then 6 bytes per minutia:
//!   0  2  type (high 2 bits: 00 other, 01 ridge ending, 10 bifurcation), x (low 14 bits)
//!   2  2  reserved (high 2 bits, 0), y (low 14 bits)
//!   4  1  angle, units of 360/256 degrees
//!   5  1  quality (0-100)
//!   then 2 bytes of extended data block length and that many bytes
//! ```
//!
//! Sources: the field table of NIST IR 7477 (MINEX II) section 6 as reproduced in the
//! cims-bioko/cims-prints wiki ("Fingerprint Format"), and R. Važan's summary of
//! ISO/IEC 19794-2:2005 (templates.machinezoo.com/iso-19794-2-2005) with FingerprintIO's
//! `Iso19794p2v2005Minutia` (type in the top two bits of the x word).

use super::{
    COORDINATE_MAX, FingerPosition, FingerView, ImpressionType, Minutia, MinutiaKind,
    TemplateError, check_quality,
};

const FORMAT_IDENTIFIER: [u8; 4] = *b"FMR\0";
const VERSION: [u8; 4] = *b" 20\0";
const RECORD_HEADER_BYTES: usize = 24;
const VIEW_HEADER_BYTES: usize = 4;
const MINUTIA_BYTES: usize = 6;
/// 500 pixels per inch, as the standard rounds it: 197 pixels per centimetre.
pub const RESOLUTION_500_PPI: u16 = 197;

/// Who made the capture device: a certification flag set (4 bits) and a vendor's device
/// type (12 bits); zero for both means "not reported".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CaptureEquipment {
    /// 0 to 15.
    pub certification: u8,
    /// 0 to 4095.
    pub device_type: u16,
}

/// A whole finger minutiae record: the capture's header and one or more finger views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutiaeRecord {
    pub capture_equipment: CaptureEquipment,
    /// 1 to 16,383; every minutia lies inside the image.
    pub image_width_pixels: u16,
    pub image_height_pixels: u16,
    /// Pixels per centimetre, more than zero ([`RESOLUTION_500_PPI`] for 500 ppi).
    pub resolution_x_pixels_per_centimetre: u16,
    pub resolution_y_pixels_per_centimetre: u16,
    /// 1 to 255 views; no two share a finger position and view number.
    pub views: Vec<FingerView>,
}

impl MinutiaeRecord {
    /// The record's bytes, after checking every field against the standard's ranges.
    pub fn encode(&self) -> Result<Vec<u8>, TemplateError> {
        self.validate()?;
        let mut out = Vec::with_capacity(self.encoded_length());
        out.extend_from_slice(&FORMAT_IDENTIFIER);
        out.extend_from_slice(&VERSION);
        // Validated bounds keep a record under 255 * (6 + 255 * 6 + 65,535) bytes: it fits.
        out.extend_from_slice(&(self.encoded_length() as u32).to_be_bytes());
        let equipment = (u16::from(self.capture_equipment.certification) << 12)
            | self.capture_equipment.device_type;
        for word in [
            equipment,
            self.image_width_pixels,
            self.image_height_pixels,
            self.resolution_x_pixels_per_centimetre,
            self.resolution_y_pixels_per_centimetre,
        ] {
            out.extend_from_slice(&word.to_be_bytes());
        }
        out.push(self.views.len() as u8);
        out.push(0);
        for view in &self.views {
            encode_view(view, &mut out);
        }
        debug_assert_eq!(out.len(), self.encoded_length());
        Ok(out)
    }

    /// The record in `bytes`, which must hold exactly one record and nothing after it.
    pub fn decode(bytes: &[u8]) -> Result<MinutiaeRecord, TemplateError> {
        let mut cursor = Cursor::new(bytes);
        let identifier = cursor.array::<4>("format identifier")?;
        if identifier != FORMAT_IDENTIFIER {
            return Err(TemplateError::BadFormatIdentifier { found: identifier });
        }
        let version = cursor.array::<4>("version")?;
        if version != VERSION {
            return Err(TemplateError::UnsupportedVersion { found: version });
        }
        let declared = cursor.u32("record length")?;
        if usize::try_from(declared).ok() != Some(bytes.len()) {
            return Err(TemplateError::RecordLengthMismatch {
                declared,
                actual: bytes.len(),
            });
        }
        let equipment = cursor.u16("capture equipment")?;
        let mut record = MinutiaeRecord {
            capture_equipment: CaptureEquipment {
                certification: (equipment >> 12) as u8,
                device_type: equipment & 0x0FFF,
            },
            image_width_pixels: cursor.u16("image width")?,
            image_height_pixels: cursor.u16("image height")?,
            resolution_x_pixels_per_centimetre: cursor.u16("x resolution")?,
            resolution_y_pixels_per_centimetre: cursor.u16("y resolution")?,
            views: Vec::new(),
        };
        let view_count = cursor.u8("number of finger views")?;
        let reserved = cursor.u8("reserved byte")?;
        if reserved != 0 {
            return Err(TemplateError::ReservedNotZero {
                field: "byte of the record header",
                value: u32::from(reserved),
            });
        }
        record.validate_header(usize::from(view_count))?;
        for view in 0..usize::from(view_count) {
            let finger_view = decode_view(&mut cursor, view, &record)?;
            record.views.push(finger_view);
        }
        if cursor.remaining() > 0 {
            return Err(TemplateError::TrailingBytes {
                count: cursor.remaining(),
            });
        }
        check_views_distinct(&record.views)?;
        Ok(record)
    }

    fn encoded_length(&self) -> usize {
        RECORD_HEADER_BYTES
            + self
                .views
                .iter()
                .map(|view| {
                    VIEW_HEADER_BYTES
                        + view.minutiae.len() * MINUTIA_BYTES
                        + 2
                        + view.extended_data.len()
                })
                .sum::<usize>()
    }

    /// Every check that decoding makes, on a record about to be encoded.
    fn validate(&self) -> Result<(), TemplateError> {
        let equipment = self.capture_equipment;
        let certification = usize::from(equipment.certification);
        check_at_most(
            "capture equipment certification",
            certification,
            15,
            "0 to 15",
        )?;
        let device_type = usize::from(equipment.device_type);
        check_at_most("capture device type", device_type, 0x0FFF, "0 to 4095")?;
        self.validate_header(self.views.len())?;
        for (index, view) in self.views.iter().enumerate() {
            validate_view(view, index, self)?;
        }
        check_views_distinct(&self.views)
    }

    fn validate_header(&self, view_count: usize) -> Result<(), TemplateError> {
        let image = [
            ("image width", self.image_width_pixels),
            ("image height", self.image_height_pixels),
        ];
        for (field, value) in image {
            if value == 0 || value > COORDINATE_MAX {
                return Err(out_of_range(field, value.into(), "1 to 16383 pixels"));
            }
        }
        let resolutions = [
            ("x resolution", self.resolution_x_pixels_per_centimetre),
            ("y resolution", self.resolution_y_pixels_per_centimetre),
        ];
        for (field, value) in resolutions {
            if value == 0 {
                return Err(out_of_range(field, 0, "more than 0 pixels per cm"));
            }
        }
        if view_count == 0 {
            return Err(out_of_range("number of finger views", 0, "1 to 255"));
        }
        check_at_most("number of finger views", view_count, 255, "1 to 255")
    }
}

fn out_of_range(field: &'static str, value: u32, expected: &'static str) -> TemplateError {
    TemplateError::OutOfRange {
        field,
        value,
        expected,
    }
}

fn check_at_most(
    field: &'static str,
    value: usize,
    max: usize,
    expected: &'static str,
) -> Result<(), TemplateError> {
    if value > max {
        return Err(out_of_range(
            field,
            u32::try_from(value).unwrap_or(u32::MAX),
            expected,
        ));
    }
    Ok(())
}

fn validate_view(
    view: &FingerView,
    index: usize,
    record: &MinutiaeRecord,
) -> Result<(), TemplateError> {
    check_at_most("view number", view.view_number.into(), 15, "0 to 15")?;
    check_quality("finger quality", view.quality)?;
    check_at_most("number of minutiae", view.minutiae.len(), 255, "0 to 255")?;
    let extended = view.extended_data.len();
    check_at_most(
        "extended data block length",
        extended,
        0xFFFF,
        "0 to 65535 bytes",
    )?;
    for (minutia, point) in view.minutiae.iter().enumerate() {
        check_minutia(point, index, minutia, record)?;
    }
    Ok(())
}

fn check_minutia(
    point: &Minutia,
    view: usize,
    minutia: usize,
    record: &MinutiaeRecord,
) -> Result<(), TemplateError> {
    if point.quality > super::QUALITY_MAX {
        return Err(TemplateError::BadMinutiaQuality {
            view,
            minutia,
            quality: point.quality,
        });
    }
    if point.x >= record.image_width_pixels || point.y >= record.image_height_pixels {
        return Err(TemplateError::MinutiaOutsideImage {
            view,
            minutia,
            x: point.x,
            y: point.y,
            width: record.image_width_pixels,
            height: record.image_height_pixels,
        });
    }
    Ok(())
}

fn check_views_distinct(views: &[FingerView]) -> Result<(), TemplateError> {
    for (second, view) in views.iter().enumerate() {
        let earlier = views[..second].iter().position(|other| {
            other.position == view.position && other.view_number == view.view_number
        });
        if let Some(first) = earlier {
            return Err(TemplateError::DuplicateView {
                first,
                second,
                position: view.position,
                view_number: view.view_number,
            });
        }
    }
    Ok(())
}

fn encode_view(view: &FingerView, out: &mut Vec<u8>) {
    out.push(view.position.code());
    out.push((view.view_number << 4) | view.impression.code());
    out.push(view.quality);
    out.push(view.minutiae.len() as u8);
    for minutia in &view.minutiae {
        let x = (u16::from(minutia.kind.code()) << 14) | minutia.x;
        out.extend_from_slice(&x.to_be_bytes());
        out.extend_from_slice(&minutia.y.to_be_bytes());
        out.push(minutia.angle);
        out.push(minutia.quality);
    }
    out.extend_from_slice(&(view.extended_data.len() as u16).to_be_bytes());
    out.extend_from_slice(&view.extended_data);
}

fn decode_view(
    cursor: &mut Cursor<'_>,
    view: usize,
    record: &MinutiaeRecord,
) -> Result<FingerView, TemplateError> {
    let position_code = cursor.u8("finger position")?;
    let position =
        FingerPosition::from_code(position_code).ok_or(TemplateError::BadFingerPosition {
            view,
            code: position_code,
        })?;
    let view_and_impression = cursor.u8("view number and impression type")?;
    let impression_code = view_and_impression & 0x0F;
    let impression =
        ImpressionType::from_code(impression_code).ok_or(TemplateError::BadImpressionType {
            view,
            code: impression_code,
        })?;
    let quality = cursor.u8("finger quality")?;
    check_quality("finger quality", quality)?;
    let count = usize::from(cursor.u8("number of minutiae")?);
    let mut minutiae = Vec::with_capacity(count);
    for minutia in 0..count {
        let point = decode_minutia(cursor, view, minutia)?;
        check_minutia(&point, view, minutia, record)?;
        minutiae.push(point);
    }
    let extended_length = usize::from(cursor.u16("extended data block length")?);
    let extended_data = cursor
        .take("extended data block", extended_length)?
        .to_vec();
    Ok(FingerView {
        position,
        view_number: view_and_impression >> 4,
        impression,
        quality,
        minutiae,
        extended_data,
    })
}

fn decode_minutia(
    cursor: &mut Cursor<'_>,
    view: usize,
    minutia: usize,
) -> Result<Minutia, TemplateError> {
    let bytes = cursor.array::<MINUTIA_BYTES>("minutia")?;
    let x_word = u16::from_be_bytes([bytes[0], bytes[1]]);
    let y_word = u16::from_be_bytes([bytes[2], bytes[3]]);
    let kind = MinutiaKind::from_code((x_word >> 14) as u8)
        .ok_or(TemplateError::BadMinutiaKind { view, minutia })?;
    if y_word >> 14 != 0 {
        return Err(TemplateError::ReservedNotZero {
            field: "bits above a minutia's y",
            value: u32::from(y_word >> 14),
        });
    }
    Ok(Minutia {
        x: x_word & COORDINATE_MAX,
        y: y_word & COORDINATE_MAX,
        angle: bytes[4],
        kind,
        quality: bytes[5],
    })
}

/// Reads big-endian fields from a byte slice, reporting truncation with the field's name.
struct Cursor<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor { bytes, offset: 0 }
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.offset
    }

    fn take(&mut self, field: &'static str, length: usize) -> Result<&'a [u8], TemplateError> {
        if self.remaining() < length {
            return Err(TemplateError::Truncated {
                field,
                offset: self.offset,
                needed: length,
                available: self.remaining(),
            });
        }
        let taken = &self.bytes[self.offset..self.offset + length];
        self.offset += length;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], TemplateError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(field, N)?);
        Ok(out)
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, TemplateError> {
        Ok(self.array::<1>(field)?[0])
    }

    fn u16(&mut self, field: &'static str) -> Result<u16, TemplateError> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    fn u32(&mut self, field: &'static str) -> Result<u32, TemplateError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }
}
