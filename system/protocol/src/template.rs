//! ISO/IEC 19794-2:2005 finger minutiae records and the compact card format of DG3.
//!
//! Why this lives beside the chip's other wire formats: the fingerprint readers (emulators),
//! the chip (DG3) and the matcher all exchange minutiae in these two encodings, and each must
//! read exactly what the others write. The plain data types ([`Minutia`], [`FingerView`],
//! [`MinutiaeRecord`]) are what every side works with; [`record`] turns a record into bytes
//! and back, [`compact`] does the same for the 3-byte-per-minutia card format.
//!
//! Units are the standard's: positions in pixels of the capture (origin at the upper left,
//! y downwards), angles in units of 360/256 degrees counter-clockwise from the x axis, quality
//! 0 to 100. Decoding never panics: every malformed input comes back as a [`TemplateError`]
//! that names the field, the value found and what was expected.

pub mod compact;
pub mod record;
#[cfg(test)]
mod tests;

pub use compact::{COMPACT_MINUTIA_BYTES, decode_compact, encode_compact, select_for_card};
pub use record::{CaptureEquipment, MinutiaeRecord, RESOLUTION_500_PPI};

/// The largest x or y a record can hold (14 bits).
pub const COORDINATE_MAX: u16 = 0x3FFF;
/// The largest finger or minutia quality.
pub const QUALITY_MAX: u8 = 100;
/// Angle units in a full turn (one byte of 360/256 degrees).
pub const ANGLE_UNITS_PER_TURN: u16 = 256;

/// Kind of a minutia, as its 2-bit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MinutiaKind {
    /// Code 00.
    Other,
    /// Code 01.
    RidgeEnding,
    /// Code 10.
    Bifurcation,
}

impl MinutiaKind {
    pub fn code(self) -> u8 {
        match self {
            MinutiaKind::Other => 0,
            MinutiaKind::RidgeEnding => 1,
            MinutiaKind::Bifurcation => 2,
        }
    }

    /// `None` for the reserved code 11.
    pub fn from_code(code: u8) -> Option<MinutiaKind> {
        match code {
            0 => Some(MinutiaKind::Other),
            1 => Some(MinutiaKind::RidgeEnding),
            2 => Some(MinutiaKind::Bifurcation),
            _ => None,
        }
    }
}

/// One minutia of a finger view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Minutia {
    /// Pixels from the left edge of the image (at most [`COORDINATE_MAX`]).
    pub x: u16,
    /// Pixels from the top edge of the image (at most [`COORDINATE_MAX`]).
    pub y: u16,
    /// Direction in units of 360/256 degrees, counter-clockwise from the x axis.
    pub angle: u8,
    pub kind: MinutiaKind,
    /// 1 (worst) to 100 (best); 0 when the extractor reports none.
    pub quality: u8,
}

/// Finger position codes of ISO/IEC 19794-2 (table 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FingerPosition {
    Unknown,
    RightThumb,
    RightIndex,
    RightMiddle,
    RightRing,
    RightLittle,
    LeftThumb,
    LeftIndex,
    LeftMiddle,
    LeftRing,
    LeftLittle,
}

impl FingerPosition {
    pub const ALL: [FingerPosition; 11] = [
        FingerPosition::Unknown,
        FingerPosition::RightThumb,
        FingerPosition::RightIndex,
        FingerPosition::RightMiddle,
        FingerPosition::RightRing,
        FingerPosition::RightLittle,
        FingerPosition::LeftThumb,
        FingerPosition::LeftIndex,
        FingerPosition::LeftMiddle,
        FingerPosition::LeftRing,
        FingerPosition::LeftLittle,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    /// `None` for codes above 10.
    pub fn from_code(code: u8) -> Option<FingerPosition> {
        FingerPosition::ALL.get(usize::from(code)).copied()
    }
}

/// Impression type codes of ISO/IEC 19794-2 (table 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImpressionType {
    LiveScanPlain,
    LiveScanRolled,
    NonLiveScanPlain,
    NonLiveScanRolled,
    Swipe,
}

impl ImpressionType {
    pub fn code(self) -> u8 {
        match self {
            ImpressionType::LiveScanPlain => 0,
            ImpressionType::LiveScanRolled => 1,
            ImpressionType::NonLiveScanPlain => 2,
            ImpressionType::NonLiveScanRolled => 3,
            ImpressionType::Swipe => 8,
        }
    }

    /// `None` for the unassigned codes 4 to 7 and 9 to 15.
    pub fn from_code(code: u8) -> Option<ImpressionType> {
        match code {
            0 => Some(ImpressionType::LiveScanPlain),
            1 => Some(ImpressionType::LiveScanRolled),
            2 => Some(ImpressionType::NonLiveScanPlain),
            3 => Some(ImpressionType::NonLiveScanRolled),
            8 => Some(ImpressionType::Swipe),
            _ => None,
        }
    }
}

/// One impression of one finger: its header fields and its minutiae.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerView {
    pub position: FingerPosition,
    /// 0 to 15: distinguishes several impressions of the same finger in one record.
    pub view_number: u8,
    pub impression: ImpressionType,
    /// 0 to 100.
    pub quality: u8,
    /// At most 255.
    pub minutiae: Vec<Minutia>,
    /// The extended data block (ridge counts, cores and deltas, vendor data), kept as bytes:
    /// nothing in hkic-sim writes or reads its areas. At most 65,535 bytes.
    pub extended_data: Vec<u8>,
}

/// Why bytes are not a valid template, or a template cannot be encoded. `view` and
/// `minutia` are zero-based indices.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("{field} at byte {offset} needs {needed} bytes, only {available} left")]
    Truncated {
        field: &'static str,
        offset: usize,
        needed: usize,
        available: usize,
    },
    #[error("format identifier is {found:02X?}, expected \"FMR\\0\" (46 4D 52 00)")]
    BadFormatIdentifier { found: [u8; 4] },
    #[error("version is {found:02X?}, expected \" 20\\0\" (20 32 30 00)")]
    UnsupportedVersion { found: [u8; 4] },
    #[error("record length field says {declared} bytes, the record has {actual}")]
    RecordLengthMismatch { declared: u32, actual: usize },
    #[error("{field} is {value}, expected {expected}")]
    OutOfRange {
        field: &'static str,
        value: u32,
        expected: &'static str,
    },
    #[error("reserved {field} is {value:#X}, expected 0")]
    ReservedNotZero { field: &'static str, value: u32 },
    #[error("view {view}: finger position code {code}, expected 0 to 10")]
    BadFingerPosition { view: usize, code: u8 },
    #[error("view {view}: impression type code {code}, expected 0 to 3 or 8")]
    BadImpressionType { view: usize, code: u8 },
    #[error("view {view}: minutia {minutia} has the reserved type code 11")]
    BadMinutiaKind { view: usize, minutia: usize },
    #[error("view {view}: minutia {minutia} quality {quality}, expected 0 to 100")]
    BadMinutiaQuality {
        view: usize,
        minutia: usize,
        quality: u8,
    },
    #[error("view {view}: minutia {minutia} at ({x}, {y}) lies outside the {width}x{height} image")]
    MinutiaOutsideImage {
        view: usize,
        minutia: usize,
        x: u16,
        y: u16,
        width: u16,
        height: u16,
    },
    #[error("views {first} and {second} are both view {view_number} of {position:?}")]
    DuplicateView {
        first: usize,
        second: usize,
        position: FingerPosition,
        view_number: u8,
    },
    #[error("{count} bytes follow the last finger view")]
    TrailingBytes { count: usize },
    #[error("compact card data of {length} bytes is not a whole number of 3-byte minutiae")]
    CompactLengthNotMultipleOfThree { length: usize },
    #[error("minutia {minutia}: {axis} of {pixels} px is {units} units of 0.1 mm, at most 255 fit")]
    CompactCoordinateTooLarge {
        minutia: usize,
        axis: &'static str,
        pixels: u16,
        units: u32,
    },
}

/// Checks a quality byte (finger or minutia) against 0..=100.
pub(crate) fn check_quality(field: &'static str, value: u8) -> Result<(), TemplateError> {
    if value > QUALITY_MAX {
        return Err(TemplateError::OutOfRange {
            field,
            value: u32::from(value),
            expected: "0 to 100",
        });
    }
    Ok(())
}
