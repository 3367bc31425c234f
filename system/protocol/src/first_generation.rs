//! The first-generation identity card's chip application (cards issued 2003 to 2018), as the
//! card emulator and the registration kiosk both see it.
//!
//! The real card's specification is not public; this is our design, kept to what a contact
//! card of that era could do and reusing the building blocks of ICAO 9303:
//!
//! - One application (proprietary AID `F0 48 4B 49 44 01`, "HKID" 01) with three transparent
//!   files: EF.Serial (`0201`, readable in plain: `5A 08` and the card serial number),
//!   EF.Personal (`0202`, the holder's data) and EF.Thumbprints (`0203`, two ISO/IEC 19794-2
//!   templates). The last two are readable only under secure messaging.
//! - Mutual authentication is BAC's exchange (GET CHALLENGE, EXTERNAL AUTHENTICATE with 3DES
//!   and the retail MAC, then 3DES secure messaging with a send-sequence counter), keyed not
//!   by an MRZ, which the old card does not have, but by a static issuer key. The kiosk's
//!   secure access module holds the master key K_M; each card holds its own key seed
//!   K_card = SHA-1(K_M ‖ serial)[0..16], from which K_enc and K_mac follow by the ICAO key
//!   derivation. Why: the kiosk reads any old card with nothing printed on it, and a key
//!   extracted from one card opens that card only (the diversification a card issuer of that
//!   time used).
//!
//! Everything here is pure: encodings of the files and the key derivation.

use crate::bac::BacKeys;
use crate::lds::Sex;
use crate::primitives;
use crate::tlv::{self, Tag, TlvError, TlvRef};
use hkic_base::Date;

/// The first-generation application identifier (proprietary, "HKID" 01).
pub const APPLICATION_IDENTIFIER: [u8; 6] = [0xF0, 0x48, 0x4B, 0x49, 0x44, 0x01];
/// EF.Serial: the card serial number, readable without authentication.
pub const FILE_SERIAL: u16 = 0x0201;
/// EF.Personal: the holder's data, after mutual authentication.
pub const FILE_PERSONAL: u16 = 0x0202;
/// EF.Thumbprints: the two thumbprint templates, after mutual authentication.
pub const FILE_THUMBPRINTS: u16 = 0x0203;
/// Bytes of a card serial number.
pub const SERIAL_LENGTH: usize = 8;
/// Bytes of the longest text field (card number, surname, given names).
pub const TEXT_LENGTH_MAX: usize = 64;
/// Bytes of the longest thumbprint template.
pub const TEMPLATE_LENGTH_MAX: usize = 4_096;

const TAG_SERIAL: Tag = Tag(0x5A);
const TAG_PERSONAL: Tag = Tag(0x70);
const TAG_THUMBPRINTS: Tag = Tag(0x71);
const TAG_CARD_NUMBER: Tag = Tag(0x80);
const TAG_SURNAME: Tag = Tag(0x81);
const TAG_GIVEN_NAMES: Tag = Tag(0x82);
const TAG_SEX: Tag = Tag(0x83);
const TAG_DATE_OF_BIRTH: Tag = Tag(0x84);
const TAG_DATE_OF_ISSUE: Tag = Tag(0x85);
const TAG_TEMPLATE: Tag = Tag(0x5F2E);

/// Why a first-generation file cannot be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FirstGenerationError {
    #[error("not BER-TLV: {0}")]
    Tlv(#[from] TlvError),
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
}

fn invalid(field: &'static str, problem: impl Into<String>) -> FirstGenerationError {
    FirstGenerationError::Invalid {
        field,
        problem: problem.into(),
    }
}

/// The issuer's master key, held in the kiosk's secure access module (two-key 3DES).
#[derive(Clone, PartialEq, Eq)]
pub struct IssuerMasterKey(pub [u8; 16]);

impl std::fmt::Debug for IssuerMasterKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("IssuerMasterKey(..)")
    }
}

impl IssuerMasterKey {
    /// The card's key seed: SHA-1(K_M ‖ serial)[0..16]. The card stores this, never K_M.
    pub fn card_key_seed(&self, serial: &[u8; SERIAL_LENGTH]) -> [u8; 16] {
        let digest = primitives::sha1(&[&self.0[..], &serial[..]].concat());
        let mut seed = [0u8; 16];
        seed.copy_from_slice(&digest[..16]);
        seed
    }

    /// The mutual-authentication keys of the card with this serial number.
    pub fn card_keys(&self, serial: &[u8; SERIAL_LENGTH]) -> BacKeys {
        BacKeys::from_seed(&self.card_key_seed(serial))
    }
}

/// EF.Serial: `5A 08 serial`.
pub fn encode_serial(serial: &[u8; SERIAL_LENGTH]) -> Vec<u8> {
    tlv::encode(TAG_SERIAL, serial)
}

pub fn decode_serial(bytes: &[u8]) -> Result<[u8; SERIAL_LENGTH], FirstGenerationError> {
    let serial = TlvRef::decode_exact(bytes, TAG_SERIAL)?;
    serial.value.try_into().map_err(|_| {
        invalid(
            "serial",
            format!("{} bytes, 8 expected", serial.value.len()),
        )
    })
}

/// The holder's data on a first-generation card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstGenerationRecord {
    /// As printed, e.g. "A123456(3)".
    pub card_number: String,
    pub surname: String,
    pub given_names: String,
    pub sex: Sex,
    pub date_of_birth: Date,
    pub date_of_issue: Date,
}

fn text_field(field: &'static str, value: &str) -> Result<(), FirstGenerationError> {
    if value.len() > TEXT_LENGTH_MAX || !value.is_ascii() {
        return Err(invalid(
            field,
            format!("{value:?} is not ASCII of at most {TEXT_LENGTH_MAX} bytes"),
        ));
    }
    Ok(())
}

fn encode_date(date: Date) -> Vec<u8> {
    let (year, month, day) = date.ymd();
    format!("{year:04}{month:02}{day:02}").into_bytes()
}

fn decode_date(field: &'static str, bytes: &[u8]) -> Result<Date, FirstGenerationError> {
    let text = std::str::from_utf8(bytes).map_err(|_| invalid(field, "not ASCII"))?;
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        part.bytes()
            .all(|byte| byte.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let parts = (number(0..4), number(4..6), number(6..8));
    let (Some(year), Some(month), Some(day)) = parts else {
        return Err(invalid(field, format!("{text:?} is not YYYYMMDD")));
    };
    if text.len() != 8 {
        return Err(invalid(field, format!("{text:?} is not YYYYMMDD")));
    }
    Date::from_ymd(year as i32, month, day)
        .ok_or_else(|| invalid(field, format!("{text:?} is not a date")))
}

fn sex_code(sex: Sex) -> u8 {
    match sex {
        Sex::Female => b'F',
        Sex::Male => b'M',
        Sex::Unspecified => b'X',
    }
}

impl FirstGenerationRecord {
    /// EF.Personal: `70 { 80 card number, 81 surname, 82 given names, 83 sex, 84 birth,
    /// 85 issue }`, text in ASCII and dates as YYYYMMDD.
    pub fn encode(&self) -> Result<Vec<u8>, FirstGenerationError> {
        text_field("card number", &self.card_number)?;
        text_field("surname", &self.surname)?;
        text_field("given names", &self.given_names)?;
        let mut content = Vec::with_capacity(128);
        tlv::append(&mut content, TAG_CARD_NUMBER, self.card_number.as_bytes());
        tlv::append(&mut content, TAG_SURNAME, self.surname.as_bytes());
        tlv::append(&mut content, TAG_GIVEN_NAMES, self.given_names.as_bytes());
        tlv::append(&mut content, TAG_SEX, &[sex_code(self.sex)]);
        tlv::append(
            &mut content,
            TAG_DATE_OF_BIRTH,
            &encode_date(self.date_of_birth),
        );
        tlv::append(
            &mut content,
            TAG_DATE_OF_ISSUE,
            &encode_date(self.date_of_issue),
        );
        Ok(tlv::encode(TAG_PERSONAL, &content))
    }

    pub fn decode(bytes: &[u8]) -> Result<FirstGenerationRecord, FirstGenerationError> {
        let record = TlvRef::decode_exact(bytes, TAG_PERSONAL)?;
        let text = |tag: Tag, field: &'static str| -> Result<String, FirstGenerationError> {
            let value = record.child(tag)?.value;
            let value =
                String::from_utf8(value.to_vec()).map_err(|_| invalid(field, "not ASCII"))?;
            text_field(field, &value)?;
            Ok(value)
        };
        let sex = match record.child(TAG_SEX)?.value {
            b"F" => Sex::Female,
            b"M" => Sex::Male,
            b"X" => Sex::Unspecified,
            other => return Err(invalid("sex", format!("{other:02X?} is not F, M or X"))),
        };
        Ok(FirstGenerationRecord {
            card_number: text(TAG_CARD_NUMBER, "card number")?,
            surname: text(TAG_SURNAME, "surname")?,
            given_names: text(TAG_GIVEN_NAMES, "given names")?,
            sex,
            date_of_birth: decode_date("date of birth", record.child(TAG_DATE_OF_BIRTH)?.value)?,
            date_of_issue: decode_date("date of issue", record.child(TAG_DATE_OF_ISSUE)?.value)?,
        })
    }
}

/// EF.Thumbprints: `71 { 5F2E left thumb, 5F2E right thumb }`.
pub fn encode_thumbprints(templates: &[Vec<u8>; 2]) -> Result<Vec<u8>, FirstGenerationError> {
    let mut content = Vec::with_capacity(templates[0].len() + templates[1].len() + 8);
    for template in templates {
        if template.is_empty() || template.len() > TEMPLATE_LENGTH_MAX {
            return Err(invalid(
                "thumbprint template",
                format!(
                    "{} bytes, 1 to {TEMPLATE_LENGTH_MAX} allowed",
                    template.len()
                ),
            ));
        }
        tlv::append(&mut content, TAG_TEMPLATE, template);
    }
    Ok(tlv::encode(TAG_THUMBPRINTS, &content))
}

pub fn decode_thumbprints(bytes: &[u8]) -> Result<[Vec<u8>; 2], FirstGenerationError> {
    let group = TlvRef::decode_exact(bytes, TAG_THUMBPRINTS)?;
    let mut templates = Vec::with_capacity(2);
    for item in group.children() {
        let item = item?;
        if item.tag != TAG_TEMPLATE {
            return Err(invalid(
                "thumbprints",
                format!("unexpected tag {:X}", item.tag.0),
            ));
        }
        templates.push(item.value.to_vec());
    }
    let count = templates.len();
    <[Vec<u8>; 2]>::try_from(templates)
        .map_err(|_| invalid("thumbprints", format!("{count} templates, 2 expected")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record() -> FirstGenerationRecord {
        FirstGenerationRecord {
            card_number: "A123456(3)".to_owned(),
            surname: "CHAN".to_owned(),
            given_names: "TAI MAN".to_owned(),
            sex: Sex::Male,
            date_of_birth: Date::from_ymd(1961, 2, 28).unwrap(),
            date_of_issue: Date::from_ymd(2004, 7, 1).unwrap(),
        }
    }

    #[test]
    fn personal_record_round_trips_and_refuses_bad_fields() {
        let encoded = record().encode().unwrap();
        assert_eq!(FirstGenerationRecord::decode(&encoded).unwrap(), record());
        let mut long = record();
        long.surname = "X".repeat(TEXT_LENGTH_MAX + 1);
        assert!(long.encode().is_err());
        let mut bad_date = encoded.clone();
        let position = bad_date.len() - 3;
        bad_date[position] = b'9';
        bad_date[position - 1] = b'9';
        assert!(FirstGenerationRecord::decode(&bad_date).is_err());
    }

    #[test]
    fn serial_and_thumbprints_round_trip() {
        let serial = [1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(decode_serial(&encode_serial(&serial)).unwrap(), serial);
        assert!(decode_serial(&tlv::encode(TAG_SERIAL, &[1; 7])).is_err());
        let templates = [vec![1, 2, 3], vec![4; 300]];
        let encoded = encode_thumbprints(&templates).unwrap();
        assert_eq!(decode_thumbprints(&encoded).unwrap(), templates);
        assert!(encode_thumbprints(&[vec![], vec![1]]).is_err());
        let one = tlv::encode(TAG_THUMBPRINTS, &tlv::encode(TAG_TEMPLATE, &[1]));
        assert!(decode_thumbprints(&one).is_err());
    }

    #[test]
    fn card_keys_are_diversified_by_serial() {
        let master = IssuerMasterKey([0x42; 16]);
        let first = master.card_keys(&[1; 8]);
        let second = master.card_keys(&[2; 8]);
        assert_ne!(first, second);
        assert_eq!(first, BacKeys::from_seed(&master.card_key_seed(&[1; 8])));
        let other_master = IssuerMasterKey([0x43; 16]);
        assert_ne!(other_master.card_keys(&[1; 8]), first);
    }

    proptest! {
        #[test]
        fn decoding_garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = FirstGenerationRecord::decode(&bytes);
            let _ = decode_thumbprints(&bytes);
            let _ = decode_serial(&bytes);
        }
    }
}
