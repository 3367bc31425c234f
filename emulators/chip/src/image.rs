//! The staged image: the records personalisation writes, and the card content they mount to.
//!
//! Each record is a BER-TLV with a private-class tag, so the stream parses without any other
//! bookkeeping; the commit record ([`crate::memory`]) vouches for the stream as a whole.
//!
//! ```text
//! C1 create file      FID(2) ‖ length(4)
//! C2 write file       FID(2) ‖ offset(4) ‖ data
//! C3 chip key         domain parameter id(1) ‖ private scalar(32)
//! C4 CAN              ASCII digits
//! C5 MRZ key          80 document number, 81 birth YYMMDD, 82 expiry YYMMDD
//! C6 TA trust anchor  80 CVCA certificate (7F21), 81 chip date YYYYMMDD
//! ```

use hkic_base::Date;
use hkic_protocol::curve::{Curve, SecretScalar};
use hkic_protocol::cvc::CvCertificate;
use hkic_protocol::lds::ElementaryFile;
use hkic_protocol::mrz::MrzKeyMaterial;
use hkic_protocol::tlv::{self, Tag, TlvIterator, TlvRef};
use std::collections::BTreeMap;

pub(crate) const TAG_CREATE_FILE: Tag = Tag(0xC1);
pub(crate) const TAG_WRITE_FILE: Tag = Tag(0xC2);
pub(crate) const TAG_CHIP_KEY: Tag = Tag(0xC3);
pub(crate) const TAG_CAN: Tag = Tag(0xC4);
pub(crate) const TAG_MRZ: Tag = Tag(0xC5);
pub(crate) const TAG_TRUST_ANCHOR: Tag = Tag(0xC6);
/// The largest file: READ BINARY with an offset in P1-P2 addresses 15 bits.
pub const FILE_LENGTH_MAX: usize = 0x7FFF;

/// Why a staged image does not mount (only a bug in personalisation can cause it: the
/// personalisation API checks every record before writing it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("staged record {tag:X}: {problem}")]
pub struct ImageError {
    pub tag: u32,
    pub problem: String,
}

fn image_error(tag: Tag, problem: impl Into<String>) -> ImageError {
    ImageError {
        tag: tag.0,
        problem: problem.into(),
    }
}

/// The terminal-authentication trust anchor and the chip's notion of today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrustAnchor {
    pub cvca: CvCertificate,
    pub current_date: Date,
}

/// What a personalised chip holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct CardImage {
    pub files: BTreeMap<ElementaryFile, Vec<u8>>,
    pub chip_key: Option<(Curve, SecretScalar)>,
    pub can: Option<String>,
    pub mrz: Option<MrzKeyMaterial>,
    pub trust_anchor: Option<TrustAnchor>,
}

pub(crate) fn create_file_record(file: ElementaryFile, length: u32) -> Vec<u8> {
    let mut value = file.file_identifier().to_be_bytes().to_vec();
    value.extend_from_slice(&length.to_be_bytes());
    tlv::encode(TAG_CREATE_FILE, &value)
}

pub(crate) fn write_file_record(file: ElementaryFile, offset: u32, data: &[u8]) -> Vec<u8> {
    let mut value = Vec::with_capacity(data.len() + 6);
    value.extend_from_slice(&file.file_identifier().to_be_bytes());
    value.extend_from_slice(&offset.to_be_bytes());
    value.extend_from_slice(data);
    tlv::encode(TAG_WRITE_FILE, &value)
}

pub(crate) fn chip_key_record(curve: Curve, key: &SecretScalar) -> Vec<u8> {
    let mut value = vec![curve.standardized_parameter_id()];
    value.extend_from_slice(key.as_bytes());
    tlv::encode(TAG_CHIP_KEY, &value)
}

pub(crate) fn access_key_records(can: &str, mrz: &MrzKeyMaterial) -> Vec<u8> {
    let mut out = tlv::encode(TAG_CAN, can.as_bytes());
    let mut value = tlv::encode(Tag(0x80), mrz.document_number().as_bytes());
    tlv::append(&mut value, Tag(0x81), mrz.date_of_birth().as_bytes());
    tlv::append(&mut value, Tag(0x82), mrz.date_of_expiry().as_bytes());
    tlv::append(&mut out, TAG_MRZ, &value);
    out
}

pub(crate) fn trust_anchor_record(cvca: &CvCertificate, current_date: Date) -> Vec<u8> {
    let (year, month, day) = current_date.ymd();
    let mut value = tlv::encode(Tag(0x80), &cvca.encode());
    tlv::append(
        &mut value,
        Tag(0x81),
        format!("{year:04}{month:02}{day:02}").as_bytes(),
    );
    tlv::encode(TAG_TRUST_ANCHOR, &value)
}

fn u32_at(tag: Tag, value: &[u8], at: usize) -> Result<u32, ImageError> {
    value
        .get(at..at + 4)
        .and_then(|bytes| bytes.try_into().ok())
        .map(u32::from_be_bytes)
        .ok_or_else(|| image_error(tag, "truncated"))
}

fn file_of(tag: Tag, value: &[u8]) -> Result<ElementaryFile, ImageError> {
    let identifier = value
        .get(..2)
        .map(|bytes| u16::from_be_bytes([bytes[0], bytes[1]]))
        .ok_or_else(|| image_error(tag, "truncated"))?;
    ElementaryFile::from_file_identifier(identifier)
        .ok_or_else(|| image_error(tag, format!("unknown file {identifier:04X}")))
}

fn text(tag: Tag, value: &[u8]) -> Result<String, ImageError> {
    String::from_utf8(value.to_vec()).map_err(|_| image_error(tag, "not ASCII"))
}

impl CardImage {
    /// Mounts a staged record stream.
    pub(crate) fn mount(staged: &[u8]) -> Result<CardImage, ImageError> {
        let mut image = CardImage::default();
        for record in TlvIterator::new(staged) {
            let record = record.map_err(|error| image_error(Tag(0), error.to_string()))?;
            image.apply(record)?;
        }
        Ok(image)
    }

    fn apply(&mut self, record: TlvRef<'_>) -> Result<(), ImageError> {
        let (tag, value) = (record.tag, record.value);
        match tag {
            TAG_CREATE_FILE => {
                let length = u32_at(tag, value, 2)? as usize;
                if length > FILE_LENGTH_MAX {
                    return Err(image_error(tag, format!("{length} bytes")));
                }
                self.files.insert(file_of(tag, value)?, vec![0; length]);
            }
            TAG_WRITE_FILE => self.write_file(tag, value)?,
            TAG_CHIP_KEY => self.chip_key = Some(chip_key(tag, value)?),
            TAG_CAN => self.can = Some(text(tag, value)?),
            TAG_MRZ => self.mrz = Some(mrz_key(tag, value)?),
            TAG_TRUST_ANCHOR => self.trust_anchor = Some(trust_anchor(tag, value)?),
            other => return Err(image_error(other, "unknown record")),
        }
        Ok(())
    }

    fn write_file(&mut self, tag: Tag, value: &[u8]) -> Result<(), ImageError> {
        let file = file_of(tag, value)?;
        let offset = u32_at(tag, value, 2)? as usize;
        let data = &value[6..];
        let content = self
            .files
            .get_mut(&file)
            .ok_or_else(|| image_error(tag, format!("{file:?} was not created")))?;
        let end = offset.saturating_add(data.len());
        let target = content
            .get_mut(offset..end)
            .ok_or_else(|| image_error(tag, format!("{file:?} is shorter than {end}")))?;
        target.copy_from_slice(data);
        Ok(())
    }
}

fn chip_key(tag: Tag, value: &[u8]) -> Result<(Curve, SecretScalar), ImageError> {
    let (&parameter, scalar) = value
        .split_first()
        .ok_or_else(|| image_error(tag, "empty"))?;
    let curve = Curve::from_standardized_parameter_id(u64::from(parameter))
        .ok_or_else(|| image_error(tag, format!("unknown curve {parameter}")))?;
    let scalar = curve
        .scalar(scalar)
        .map_err(|error| image_error(tag, error.to_string()))?;
    Ok((curve, scalar))
}

fn mrz_key(tag: Tag, value: &[u8]) -> Result<MrzKeyMaterial, ImageError> {
    let field = |inner: u32| -> Result<String, ImageError> {
        let found =
            tlv::find(value, Tag(inner)).map_err(|error| image_error(tag, error.to_string()))?;
        text(tag, found.value)
    };
    MrzKeyMaterial::new(&field(0x80)?, &field(0x81)?, &field(0x82)?)
        .map_err(|error| image_error(tag, error.to_string()))
}

fn trust_anchor(tag: Tag, value: &[u8]) -> Result<TrustAnchor, ImageError> {
    let inner = |number: u32| {
        tlv::find(value, Tag(number)).map_err(|error| image_error(tag, error.to_string()))
    };
    let cvca = CvCertificate::decode(inner(0x80)?.value)
        .map_err(|error| image_error(tag, error.to_string()))?;
    let date_text = text(tag, inner(0x81)?.value)?;
    let number =
        |range: std::ops::Range<usize>| -> Option<u32> { date_text.get(range)?.parse().ok() };
    let current_date = match (number(0..4), number(4..6), number(6..8)) {
        (Some(year), Some(month), Some(day)) => Date::from_ymd(year as i32, month, day),
        _ => None,
    }
    .ok_or_else(|| image_error(tag, format!("{date_text:?} is not YYYYMMDD")))?;
    Ok(TrustAnchor { cvca, current_date })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_mount_to_the_content_they_describe() {
        let curve = Curve::NistP256;
        let key = curve.scalar(&[5; 32]).unwrap();
        let mrz = MrzKeyMaterial::new("A1234563<", "800517", "290304").unwrap();
        let mut staged = create_file_record(ElementaryFile::Dg1, 6);
        staged.extend(write_file_record(ElementaryFile::Dg1, 0, b"abc"));
        staged.extend(write_file_record(ElementaryFile::Dg1, 3, b"def"));
        staged.extend(chip_key_record(curve, &key));
        staged.extend(access_key_records("123456", &mrz));
        let image = CardImage::mount(&staged).unwrap();
        assert_eq!(image.files[&ElementaryFile::Dg1], b"abcdef");
        assert_eq!(image.chip_key, Some((curve, key)));
        assert_eq!(image.can.as_deref(), Some("123456"));
        assert_eq!(image.mrz, Some(mrz));
    }

    #[test]
    fn inconsistent_records_do_not_mount() {
        let overflow = [
            create_file_record(ElementaryFile::Dg1, 2),
            write_file_record(ElementaryFile::Dg1, 1, b"xy"),
        ]
        .concat();
        assert!(CardImage::mount(&overflow).is_err());
        assert!(CardImage::mount(&write_file_record(ElementaryFile::Dg2, 0, b"x")).is_err());
        assert!(CardImage::mount(&tlv::encode(Tag(0xC9), b"")).is_err());
        assert!(CardImage::mount(&[0xC1, 0x05, 0x01]).is_err());
    }
}
