//! The files of the eMRTD application (ICAO 9303-10 logical data structure) as a Hong Kong
//! identity card holds them: EF.CardAccess, EF.COM, DG1, DG2, DG3, DG14 (EF.SOD is built in
//! [`crate::pa`]).
//!
//! DG1 of an HKIC. The card has no printed MRZ, but its chip stores one so that standard
//! readers work: a TD1-layout MRZ (three lines of 30 characters) in DO'5F1F':
//!
//! ```text
//! line 1: "ID" "HKG" card-number(9) check  date-of-issue(YYMMDD) "<"×9
//! line 2: birth(YYMMDD) check  sex  valid-until(YYMMDD) check  "XXX"  birth-century(2) "<"×9  composite-check
//! line 3: SURNAME<<GIVEN<NAMES (truncated or padded to 30)
//! ```
//!
//! The document number is the card number in 9 characters (see
//! [`document_number_from_card_number`]), the expiry date is the card's "valid until" date,
//! ten years after issue; the optional data of line 1 holds the date of issue and that of
//! line 2 starts with the century of the birth year, so a reader recovers full dates. The
//! nationality field is "XXX" (unspecified): the card proves residence, not nationality.
//!
//! DG2 and DG3 put biometric data blocks in the ICAO biometric information template
//! (7F61 / 7F60 / A1 header / 5F2E): in DG2 an ISO/IEC 19794-5 facial record around the
//! portrait (a JPEG or JPEG 2000 image, not decoded here), as ICAO 9303-10 requires; in DG3
//! ISO/IEC 19794-2 finger minutiae templates, opaque here (defined elsewhere).

use crate::curve::{Curve, Point};
use crate::mrz::{self, MrzError, MrzKeyMaterial};
use crate::pace::PACE_ECDH_GM_AES_128;
use crate::tlv::{self, Tag, TlvError, TlvRef};
use der::asn1::{Any, BitString, ObjectIdentifier};
use der::{Decode, Encode, Sequence};
use hkic_base::Date;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// The eMRTD application identifier, selected with SELECT by AID (P2 = 0C).
pub const APPLICATION_IDENTIFIER: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
/// id-PACE-ECDH-GM-AES-CBC-CMAC-128.
pub const OID_PACE_ECDH_GM_AES_128: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.2");
/// id-CA-ECDH-AES-CBC-CMAC-128.
pub const OID_CHIP_AUTHENTICATION_ECDH_AES_128: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3.2.2");
/// id-PK-ECDH: a chip authentication public key.
pub const OID_CHIP_AUTHENTICATION_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.1.2");
pub const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub const OID_NIST_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub const OID_BRAINPOOL_P256R1: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.7");

const TAG_MRZ: Tag = Tag(0x5F1F);
const TAG_BIOMETRIC_GROUP: Tag = Tag(0x7F61);
const TAG_BIOMETRIC_COUNT: Tag = Tag(0x02);
const TAG_BIOMETRIC_TEMPLATE: Tag = Tag(0x7F60);
const TAG_BIOMETRIC_HEADER: Tag = Tag(0xA1);
const TAG_BIOMETRIC_DATA: Tag = Tag(0x5F2E);
/// At most this many biometric templates in DG2 or DG3 (a count byte bounds it anyway).
pub const BIOMETRIC_TEMPLATES_MAX: usize = 16;
/// Years a new-generation card is valid.
pub const VALIDITY_YEARS: i32 = 10;
const MRZ_LINE_LENGTH: usize = 30;

/// The elementary files of the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ElementaryFile {
    CardAccess,
    Com,
    Dg1,
    Dg2,
    Dg3,
    Dg14,
    Sod,
}

impl ElementaryFile {
    pub const ALL: [ElementaryFile; 7] = [
        ElementaryFile::CardAccess,
        ElementaryFile::Com,
        ElementaryFile::Dg1,
        ElementaryFile::Dg2,
        ElementaryFile::Dg3,
        ElementaryFile::Dg14,
        ElementaryFile::Sod,
    ];

    pub fn file_identifier(self) -> u16 {
        match self {
            ElementaryFile::CardAccess => 0x011C,
            ElementaryFile::Com => 0x011E,
            ElementaryFile::Dg1 => 0x0101,
            ElementaryFile::Dg2 => 0x0102,
            ElementaryFile::Dg3 => 0x0103,
            ElementaryFile::Dg14 => 0x010E,
            ElementaryFile::Sod => 0x011D,
        }
    }

    /// The short file identifier (READ BINARY with P1 = 0x80 | SFI).
    pub fn short_file_identifier(self) -> u8 {
        (self.file_identifier() & 0x1F) as u8
    }

    /// The tag wrapping the file's content (EF.CardAccess is a bare DER SET).
    pub fn tag(self) -> Tag {
        Tag(match self {
            ElementaryFile::CardAccess => 0x31,
            ElementaryFile::Com => 0x60,
            ElementaryFile::Dg1 => 0x61,
            ElementaryFile::Dg2 => 0x75,
            ElementaryFile::Dg3 => 0x63,
            ElementaryFile::Dg14 => 0x6E,
            ElementaryFile::Sod => 0x77,
        })
    }

    pub fn data_group_number(self) -> Option<u8> {
        match self {
            ElementaryFile::Dg1 => Some(1),
            ElementaryFile::Dg2 => Some(2),
            ElementaryFile::Dg3 => Some(3),
            ElementaryFile::Dg14 => Some(14),
            _ => None,
        }
    }

    pub fn from_file_identifier(identifier: u16) -> Option<ElementaryFile> {
        ElementaryFile::ALL
            .into_iter()
            .find(|file| file.file_identifier() == identifier)
    }

    pub fn from_short_file_identifier(identifier: u8) -> Option<ElementaryFile> {
        ElementaryFile::ALL
            .into_iter()
            .find(|file| file.short_file_identifier() == identifier)
    }
}

/// Why a file cannot be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdsError {
    #[error("not BER-TLV: {0}")]
    Tlv(#[from] TlvError),
    #[error("not DER: {0}")]
    Der(String),
    #[error(transparent)]
    Mrz(#[from] MrzError),
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
}

impl From<der::Error> for LdsError {
    fn from(error: der::Error) -> LdsError {
        LdsError::Der(error.to_string())
    }
}

fn invalid(field: &'static str, problem: impl Into<String>) -> LdsError {
    LdsError::Invalid {
        field,
        problem: problem.into(),
    }
}

/// SecurityInfo of ICAO 9303-11 section 9.2: the element of EF.CardAccess and DG14.
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
struct SecurityInfo {
    protocol: ObjectIdentifier,
    required_data: Any,
    optional_data: Option<Any>,
}

/// A DER SET OF the given encodings (sorted, as DER requires).
fn security_infos(mut encodings: Vec<Vec<u8>>) -> Vec<u8> {
    encodings.sort();
    tlv::encode(Tag(0x31), &encodings.concat())
}

fn parse_security_infos(bytes: &[u8]) -> Result<Vec<SecurityInfo>, LdsError> {
    let set = TlvRef::decode_exact(bytes, Tag(0x31))?;
    let mut infos = Vec::new();
    for element in set.children() {
        let element = element?;
        let encoded = tlv::encode(element.tag, element.value);
        infos.push(SecurityInfo::from_der(&encoded)?);
    }
    Ok(infos)
}

fn small_integer(value: u8) -> Result<Any, LdsError> {
    Ok(Any::encode_from(&value)?)
}

/// EF.CardAccess with one PACEInfo: PACE-ECDH-GM-AES-128, version 2, on `curve`.
pub fn encode_card_access(curve: Curve) -> Result<Vec<u8>, LdsError> {
    let info = SecurityInfo {
        protocol: OID_PACE_ECDH_GM_AES_128,
        required_data: small_integer(2)?,
        optional_data: Some(small_integer(curve.standardized_parameter_id())?),
    };
    Ok(security_infos(vec![info.to_der()?]))
}

/// The curves of the PACEInfos for the protocol we support, in file order.
pub fn decode_card_access(bytes: &[u8]) -> Result<Vec<Curve>, LdsError> {
    let mut curves = Vec::new();
    for info in parse_security_infos(bytes)? {
        if info.protocol.as_bytes() != PACE_ECDH_GM_AES_128 {
            continue;
        }
        let parameter = info
            .optional_data
            .ok_or_else(|| invalid("PACEInfo", "no parameterId"))?
            .decode_as::<u64>()?;
        let curve = Curve::from_standardized_parameter_id(parameter)
            .ok_or_else(|| invalid("PACEInfo", format!("unknown parameterId {parameter}")))?;
        curves.push(curve);
    }
    Ok(curves)
}

/// EF.COM: LDS version 1.7, Unicode 4.0.0, and the tags of the data groups present.
pub fn encode_com(data_groups: &[ElementaryFile]) -> Vec<u8> {
    let mut content = Vec::new();
    tlv::append(&mut content, Tag(0x5F01), b"0107");
    tlv::append(&mut content, Tag(0x5F36), b"040000");
    let tags: Vec<u8> = data_groups.iter().map(|file| file.tag().0 as u8).collect();
    tlv::append(&mut content, Tag(0x5C), &tags);
    tlv::encode(ElementaryFile::Com.tag(), &content)
}

/// The data-group tags EF.COM lists.
pub fn decode_com(bytes: &[u8]) -> Result<Vec<u8>, LdsError> {
    let com = TlvRef::decode_exact(bytes, ElementaryFile::Com.tag())?;
    Ok(com.child(Tag(0x5C))?.value.to_vec())
}

/// Sex as the MRZ records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
    Unspecified,
}

impl Sex {
    fn code(self) -> u8 {
        match self {
            Sex::Female => b'F',
            Sex::Male => b'M',
            Sex::Unspecified => b'<',
        }
    }
}

/// The holder data in DG1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalData {
    /// The card number in 9 MRZ characters.
    pub document_number: String,
    /// Upper-case Latin letters, spaces and hyphens; stored with '<' for both.
    pub surname: String,
    pub given_names: String,
    pub sex: Sex,
    pub date_of_birth: Date,
    pub date_of_issue: Date,
}

impl PersonalData {
    /// The card's "valid until" date: ten years after issue (28 February for 29 February).
    pub fn date_of_expiry(&self) -> Date {
        let (year, month, day) = self.date_of_issue.ymd();
        Date::from_ymd(year + VALIDITY_YEARS, month, day)
            .or_else(|| Date::from_ymd(year + VALIDITY_YEARS, month, day - 1))
            .unwrap_or(self.date_of_issue)
    }

    /// The BAC key and PACE MRZ password of the card.
    pub fn mrz_key_material(&self) -> Result<MrzKeyMaterial, MrzError> {
        MrzKeyMaterial::new(
            &self.document_number,
            &yymmdd(self.date_of_birth),
            &yymmdd(self.date_of_expiry()),
        )
    }
}

/// YYMMDD of a date.
pub fn yymmdd(date: Date) -> String {
    let (year, month, day) = date.ymd();
    format!("{:02}{month:02}{day:02}", year.rem_euclid(100))
}

fn date_from_digits(field: &'static str, century: i32, digits: &[u8]) -> Result<Date, LdsError> {
    let text = std::str::from_utf8(digits).map_err(|_| invalid(field, "not ASCII"))?;
    let number = |range: std::ops::Range<usize>| -> Result<u32, LdsError> {
        text.get(range)
            .and_then(|part| part.parse().ok())
            .ok_or_else(|| invalid(field, format!("{text:?} is not YYMMDD")))
    };
    let (year, month, day) = (number(0..2)?, number(2..4)?, number(4..6)?);
    Date::from_ymd(century * 100 + year as i32, month, day)
        .ok_or_else(|| invalid(field, format!("{text:?} is not a date")))
}

/// "A123456(7)" → "A1234567<"; "AB123456(7)" → "AB1234567". Checks the HKID check digit.
pub fn document_number_from_card_number(card_number: &str) -> Result<String, LdsError> {
    let compact: String = card_number
        .chars()
        .filter(|c| !matches!(c, '(' | ')'))
        .collect();
    let bytes = compact.as_bytes();
    let letters = bytes
        .iter()
        .take_while(|byte| byte.is_ascii_uppercase())
        .count();
    let valid_shape = (1..=2).contains(&letters)
        && bytes.len() == letters + 7
        && bytes[letters..letters + 6].iter().all(u8::is_ascii_digit)
        && (bytes[bytes.len() - 1].is_ascii_digit() || bytes[bytes.len() - 1] == b'A');
    if !valid_shape {
        return Err(invalid(
            "card number",
            format!("{card_number:?} is not like A123456(7)"),
        ));
    }
    let expected = hkid_check_character(&bytes[..bytes.len() - 1]);
    if bytes[bytes.len() - 1] != expected {
        return Err(invalid(
            "card number",
            format!("{card_number:?} should end in ({})", char::from(expected)),
        ));
    }
    Ok(format!("{compact:<<9}"))
}

/// The HKID check character of a card number's letters and six digits (`b"A123456"` gives
/// `b'3'`): weights 9..2 over the space-padded characters, mod 11, with 10 written 'A'.
/// The body must be one or two upper-case letters and six digits.
pub fn hkid_check_character(body: &[u8]) -> u8 {
    let padded: Vec<u32> = if body.len() == 7 {
        std::iter::once(36)
            .chain(body.iter().map(|&byte| hkid_value(byte)))
            .collect()
    } else {
        body.iter().map(|&byte| hkid_value(byte)).collect()
    };
    let sum: u32 = padded
        .iter()
        .zip((2..=9).rev())
        .map(|(value, weight)| value * weight)
        .sum();
    match (11 - sum % 11) % 11 {
        10 => b'A',
        digit => b'0' + digit as u8,
    }
}

fn hkid_value(byte: u8) -> u32 {
    if byte.is_ascii_digit() {
        u32::from(byte - b'0')
    } else {
        // Saturating: a character outside A-Z gives a wrong check character, not a panic.
        u32::from(byte.saturating_sub(b'A')) + 10
    }
}

/// MRZ text of a name field: upper-case letters; spaces and hyphens become '<'.
fn mrz_name(field: &'static str, name: &str) -> Result<String, LdsError> {
    let converted: String = name
        .chars()
        .map(|c| if c == ' ' || c == '-' { '<' } else { c })
        .collect();
    mrz::check_field(field, &converted, 0..=MRZ_LINE_LENGTH * 2, "at most 60")?;
    Ok(converted)
}

fn with_check_digit(field: &str) -> String {
    format!("{field}{}", char::from(mrz::check_digit(field.as_bytes())))
}

/// The three MRZ lines of DG1, concatenated (90 characters).
pub fn mrz_text(data: &PersonalData) -> Result<String, LdsError> {
    mrz::check_field("document number", &data.document_number, 9..=9, "9")?;
    let surname = mrz_name("surname", &data.surname)?;
    let given_names = mrz_name("given names", &data.given_names)?;
    let line1 = format!(
        "IDHKG{}{:<<15}",
        with_check_digit(&data.document_number),
        yymmdd(data.date_of_issue)
    );
    let century = data.date_of_birth.year().div_euclid(100);
    let birth = with_check_digit(&yymmdd(data.date_of_birth));
    let expiry = with_check_digit(&yymmdd(data.date_of_expiry()));
    let optional = format!("{century:02}{}", "<".repeat(9));
    let composite_input = format!("{}{birth}{expiry}{optional}", &line1[5..30]);
    let line2 = format!(
        "{birth}{}{expiry}XXX{optional}{}",
        char::from(data.sex.code()),
        char::from(mrz::check_digit(composite_input.as_bytes()))
    );
    let mut line3 = format!("{surname}<<{given_names}");
    line3.truncate(MRZ_LINE_LENGTH);
    let line3 = format!("{line3:<<30}");
    debug_assert_eq!(line1.len() + line2.len() + line3.len(), MRZ_LINE_LENGTH * 3);
    Ok(format!("{line1}{line2}{line3}"))
}

/// DG1: 61 { 5F1F MRZ }.
pub fn encode_dg1(data: &PersonalData) -> Result<Vec<u8>, LdsError> {
    let mrz = mrz_text(data)?;
    Ok(tlv::encode(
        ElementaryFile::Dg1.tag(),
        &tlv::encode(TAG_MRZ, mrz.as_bytes()),
    ))
}

/// Reads DG1 back, checking every check digit.
pub fn decode_dg1(bytes: &[u8]) -> Result<PersonalData, LdsError> {
    let group = TlvRef::decode_exact(bytes, ElementaryFile::Dg1.tag())?;
    let mrz = group.child(TAG_MRZ)?.value;
    if mrz.len() != MRZ_LINE_LENGTH * 3 || !mrz.iter().all(|&c| mrz::is_mrz_character(c)) {
        return Err(invalid("DG1 MRZ", "not 90 MRZ characters"));
    }
    let (line1, rest) = mrz.split_at(MRZ_LINE_LENGTH);
    let (line2, line3) = rest.split_at(MRZ_LINE_LENGTH);
    if &line1[..5] != b"IDHKG" {
        return Err(invalid("DG1 MRZ", "not an HKG identity card"));
    }
    let checks = [
        (&line1[5..14], line1[14]),
        (&line2[0..6], line2[6]),
        (&line2[8..14], line2[14]),
    ];
    for (field, check) in checks {
        if mrz::check_digit(field) != check {
            return Err(invalid("DG1 MRZ", "a check digit does not match"));
        }
    }
    let composite = [&line1[5..30], &line2[0..7], &line2[8..15], &line2[18..29]].concat();
    if mrz::check_digit(&composite) != line2[29] {
        return Err(invalid(
            "DG1 MRZ",
            "the composite check digit does not match",
        ));
    }
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let century: i32 = text(&line2[18..20])
        .parse()
        .map_err(|_| invalid("DG1 MRZ", "no birth century"))?;
    let (surname, given_names) = split_name(&text(line3));
    Ok(PersonalData {
        document_number: text(&line1[5..14]),
        surname,
        given_names,
        sex: match line2[7] {
            b'F' => Sex::Female,
            b'M' => Sex::Male,
            _ => Sex::Unspecified,
        },
        date_of_birth: date_from_digits("date of birth", century, &line2[0..6])?,
        date_of_issue: date_from_digits("date of issue", 20, &line1[15..21])?,
    })
}

fn split_name(line: &str) -> (String, String) {
    let trimmed = line.trim_end_matches('<');
    let (surname, given) = trimmed.split_once("<<").unwrap_or((trimmed, ""));
    (surname.replace('<', " "), given.replace('<', " "))
}

/// A biometric information group: 7F61 { 02 count, 7F60 { A1 header, 5F2E data } ... }.
fn encode_biometric_group(
    group_tag: Tag,
    format_type: u16,
    blocks: &[Vec<u8>],
) -> Result<Vec<u8>, LdsError> {
    if blocks.is_empty() || blocks.len() > BIOMETRIC_TEMPLATES_MAX {
        return Err(invalid(
            "biometric templates",
            format!(
                "{} templates, 1 to {BIOMETRIC_TEMPLATES_MAX} allowed",
                blocks.len()
            ),
        ));
    }
    let mut header = Vec::new();
    tlv::append(&mut header, Tag(0x80), &[0x01, 0x01]);
    // Format owner ISO/IEC JTC 1/SC 37 (0x0101) and the format type.
    tlv::append(&mut header, Tag(0x87), &[0x01, 0x01]);
    tlv::append(&mut header, Tag(0x88), &format_type.to_be_bytes());
    let mut group = Vec::new();
    tlv::append(&mut group, TAG_BIOMETRIC_COUNT, &[blocks.len() as u8]);
    for block in blocks {
        let mut template = tlv::encode(TAG_BIOMETRIC_HEADER, &header);
        tlv::append(&mut template, TAG_BIOMETRIC_DATA, block);
        tlv::append(&mut group, TAG_BIOMETRIC_TEMPLATE, &template);
    }
    Ok(tlv::encode(
        group_tag,
        &tlv::encode(TAG_BIOMETRIC_GROUP, &group),
    ))
}

fn decode_biometric_group(bytes: &[u8], group_tag: Tag) -> Result<Vec<Vec<u8>>, LdsError> {
    let outer = TlvRef::decode_exact(bytes, group_tag)?;
    let group = TlvRef::decode_exact(outer.value, TAG_BIOMETRIC_GROUP)?;
    let mut blocks = Vec::new();
    for item in group.children() {
        let item = item?;
        if item.tag == TAG_BIOMETRIC_TEMPLATE {
            blocks.push(item.child(TAG_BIOMETRIC_DATA)?.value.to_vec());
        }
    }
    let count = group.child(TAG_BIOMETRIC_COUNT)?.value;
    if count != [blocks.len() as u8] {
        return Err(invalid(
            "biometric group",
            "the count does not match the templates",
        ));
    }
    Ok(blocks)
}

/// DG2 around one facial image, a JPEG or JPEG 2000 portrait: its biometric data block is
/// the ISO/IEC 19794-5 facial record (format type 0x0008) that holds the image, as ICAO
/// 9303-10 requires and independent readers parse.
pub fn encode_dg2(facial_image: &[u8]) -> Result<Vec<u8>, LdsError> {
    let record = encode_facial_record(facial_image)?;
    encode_biometric_group(ElementaryFile::Dg2.tag(), 0x0008, &[record])
}

/// The portrait of DG2: the image of its (last) facial record.
pub fn decode_dg2(bytes: &[u8]) -> Result<Vec<u8>, LdsError> {
    let mut records = decode_biometric_group(bytes, ElementaryFile::Dg2.tag())?;
    let record = records
        .pop()
        .ok_or_else(|| invalid("DG2", "no facial image"))?;
    decode_facial_record(&record)
}

const FACIAL_RECORD_FORMAT: &[u8; 4] = b"FAC\0";
const FACIAL_RECORD_VERSION: &[u8; 4] = b"010\0";
/// Format identifier, version, record length (4 bytes), number of facial images (2 bytes).
const FACIAL_RECORD_HEADER_LENGTH: usize = 14;
/// Facial information: data length (4), feature points (2), gender, eye and hair colours,
/// feature mask (3), expression (2), pose angles (3) and their uncertainty (3).
const FACIAL_INFORMATION_LENGTH: usize = 20;
const FEATURE_POINT_LENGTH: usize = 8;
/// Image information: face image type, image data type, width (2), height (2), colour
/// space, source type, device type (2), quality (2).
const IMAGE_INFORMATION_LENGTH: usize = 12;
const FACE_IMAGE_TYPE_FULL_FRONTAL: u8 = 0x01;
const IMAGE_DATA_TYPE_JPEG: u8 = 0x00;
const IMAGE_DATA_TYPE_JPEG_2000: u8 = 0x01;

/// The ISO/IEC 19794-5 image data type of a portrait, from its first bytes.
fn image_data_type(image: &[u8]) -> Result<u8, LdsError> {
    const JPEG: &[u8] = &[0xFF, 0xD8];
    const JPEG_2000_FILE: &[u8] = &[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20];
    const JPEG_2000_CODESTREAM: &[u8] = &[0xFF, 0x4F, 0xFF, 0x51];
    if image.starts_with(JPEG) {
        Ok(IMAGE_DATA_TYPE_JPEG)
    } else if image.starts_with(JPEG_2000_FILE) || image.starts_with(JPEG_2000_CODESTREAM) {
        Ok(IMAGE_DATA_TYPE_JPEG_2000)
    } else {
        Err(invalid("facial image", "neither JPEG nor JPEG 2000"))
    }
}

/// An ISO/IEC 19794-5:2005 facial record with one full-frontal image and no feature points.
/// What the simulator does not know of its synthetic portraits is recorded as unspecified
/// (gender, colours, expression, pose, source, device, quality: 0) and the pixel width and
/// height as 0.
fn encode_facial_record(image: &[u8]) -> Result<Vec<u8>, LdsError> {
    let image_type = image_data_type(image)?;
    let data_length = FACIAL_INFORMATION_LENGTH + IMAGE_INFORMATION_LENGTH + image.len();
    let record_length = FACIAL_RECORD_HEADER_LENGTH + data_length;
    let length_field = |length: usize| {
        u32::try_from(length).map_err(|_| invalid("facial image", "longer than 4 GB"))
    };
    let mut record = Vec::with_capacity(record_length);
    record.extend_from_slice(FACIAL_RECORD_FORMAT);
    record.extend_from_slice(FACIAL_RECORD_VERSION);
    record.extend(length_field(record_length)?.to_be_bytes());
    record.extend(1_u16.to_be_bytes());
    record.extend(length_field(data_length)?.to_be_bytes());
    record.extend([0; FACIAL_INFORMATION_LENGTH - 4]);
    record.extend([FACE_IMAGE_TYPE_FULL_FRONTAL, image_type]);
    record.extend([0; IMAGE_INFORMATION_LENGTH - 2]);
    record.extend_from_slice(image);
    debug_assert_eq!(record.len(), record_length);
    Ok(record)
}

/// The first image of an ISO/IEC 19794-5 facial record, every length checked.
fn decode_facial_record(record: &[u8]) -> Result<Vec<u8>, LdsError> {
    let field = |range: std::ops::Range<usize>| {
        record
            .get(range)
            .ok_or_else(|| invalid("facial record", "truncated"))
    };
    let number = |range: std::ops::Range<usize>| -> Result<usize, LdsError> {
        Ok(field(range)?
            .iter()
            .fold(0, |value, &byte| (value << 8) | usize::from(byte)))
    };
    if field(0..4)? != FACIAL_RECORD_FORMAT || field(4..8)? != FACIAL_RECORD_VERSION {
        return Err(invalid("facial record", "not ISO/IEC 19794-5 (FAC, 010)"));
    }
    if number(8..12)? != record.len() || number(12..14)? == 0 {
        return Err(invalid(
            "facial record",
            "the record length or image count is wrong",
        ));
    }
    let start = FACIAL_RECORD_HEADER_LENGTH;
    let data_end = start.saturating_add(number(start..start + 4)?);
    let feature_points = number(start + 4..start + 6)?;
    let image_start = start
        + FACIAL_INFORMATION_LENGTH
        + feature_points * FEATURE_POINT_LENGTH
        + IMAGE_INFORMATION_LENGTH;
    Ok(field(image_start..data_end)?.to_vec())
}

/// DG3 around finger minutiae templates (format type 0x0002, ISO/IEC 19794-2).
pub fn encode_dg3(templates: &[Vec<u8>]) -> Result<Vec<u8>, LdsError> {
    encode_biometric_group(ElementaryFile::Dg3.tag(), 0x0002, templates)
}

pub fn decode_dg3(bytes: &[u8]) -> Result<Vec<Vec<u8>>, LdsError> {
    decode_biometric_group(bytes, ElementaryFile::Dg3.tag())
}

/// The chip authentication key DG14 announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationKey {
    pub curve: Curve,
    pub public_key: Point,
}

fn curve_oid(curve: Curve) -> ObjectIdentifier {
    match curve {
        Curve::NistP256 => OID_NIST_P256,
        Curve::BrainpoolP256r1 => OID_BRAINPOOL_P256R1,
    }
}

/// DG14: ChipAuthenticationPublicKeyInfo (id-PK-ECDH, named curve) and ChipAuthenticationInfo
/// (id-CA-ECDH-AES-CBC-CMAC-128, version 1).
pub fn encode_dg14(key: &ChipAuthenticationKey) -> Result<Vec<u8>, LdsError> {
    let public_key_info = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: OID_EC_PUBLIC_KEY,
            parameters: Some(Any::encode_from(&curve_oid(key.curve))?),
        },
        subject_public_key: BitString::from_bytes(key.public_key.as_bytes())?,
    };
    let public_key_entry = SecurityInfo {
        protocol: OID_CHIP_AUTHENTICATION_PUBLIC_KEY,
        required_data: Any::encode_from(&public_key_info)?,
        optional_data: None,
    };
    let protocol_entry = SecurityInfo {
        protocol: OID_CHIP_AUTHENTICATION_ECDH_AES_128,
        required_data: small_integer(1)?,
        optional_data: None,
    };
    let set = security_infos(vec![public_key_entry.to_der()?, protocol_entry.to_der()?]);
    Ok(tlv::encode(ElementaryFile::Dg14.tag(), &set))
}

/// The chip authentication key of DG14, if DG14 offers the protocol we support.
pub fn decode_dg14(bytes: &[u8]) -> Result<ChipAuthenticationKey, LdsError> {
    let group = TlvRef::decode_exact(bytes, ElementaryFile::Dg14.tag())?;
    let infos = parse_security_infos(group.value)?;
    if !infos
        .iter()
        .any(|info| info.protocol == OID_CHIP_AUTHENTICATION_ECDH_AES_128)
    {
        return Err(invalid(
            "DG14",
            "no ChipAuthenticationInfo for ECDH-AES-128",
        ));
    }
    let entry = infos
        .iter()
        .find(|info| info.protocol == OID_CHIP_AUTHENTICATION_PUBLIC_KEY)
        .ok_or_else(|| invalid("DG14", "no ChipAuthenticationPublicKeyInfo"))?;
    let public_key_info: SubjectPublicKeyInfoOwned = entry.required_data.decode_as()?;
    let curve_parameter: ObjectIdentifier = public_key_info
        .algorithm
        .parameters
        .ok_or_else(|| invalid("DG14", "no curve"))?
        .decode_as()?;
    let curve = [Curve::NistP256, Curve::BrainpoolP256r1]
        .into_iter()
        .find(|curve| curve_oid(*curve) == curve_parameter)
        .ok_or_else(|| invalid("DG14", format!("unsupported curve {curve_parameter}")))?;
    let point = public_key_info.subject_public_key.raw_bytes();
    let public_key = curve
        .point(point)
        .map_err(|error| invalid("DG14 public key", error.to_string()))?;
    Ok(ChipAuthenticationKey { curve, public_key })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    fn holder() -> PersonalData {
        PersonalData {
            document_number: document_number_from_card_number("A123456(3)").unwrap(),
            surname: "CHAN".to_owned(),
            given_names: "TAI MAN".to_owned(),
            sex: Sex::Male,
            date_of_birth: Date::from_ymd(1924, 2, 29).unwrap(),
            date_of_issue: Date::from_ymd(2020, 2, 29).unwrap(),
        }
    }

    #[test]
    fn card_access_matches_appendix_g1() {
        let encoded = encode_card_access(Curve::BrainpoolP256r1).unwrap();
        assert_eq!(
            encoded,
            hex!("31143012060A04007F0007020204020202010202010D")
        );
        assert_eq!(
            decode_card_access(&encoded).unwrap(),
            vec![Curve::BrainpoolP256r1]
        );
    }

    #[test]
    fn com_lists_the_data_groups() {
        let com = encode_com(&[ElementaryFile::Dg1, ElementaryFile::Dg2]);
        assert_eq!(com, hex!("60145F0104303130375F36063034303030305C026175"));
        assert_eq!(decode_com(&com).unwrap(), vec![0x61, 0x75]);
    }

    #[test]
    fn hkid_card_numbers_become_document_numbers() {
        assert_eq!(
            document_number_from_card_number("A123456(3)").unwrap(),
            "A1234563<"
        );
        assert_eq!(
            document_number_from_card_number("AB987654(3)").unwrap(),
            "AB9876543"
        );
        assert!(document_number_from_card_number("A123456(4)").is_err());
        assert!(document_number_from_card_number("123456(7)").is_err());
    }

    #[test]
    fn dg1_round_trips_with_full_dates() {
        let data = holder();
        assert_eq!(data.date_of_expiry(), Date::from_ymd(2030, 2, 28).unwrap());
        let mrz = mrz_text(&data).unwrap();
        assert_eq!(&mrz[..30], "IDHKGA1234563<4200229<<<<<<<<<");
        assert_eq!(&mrz[60..], "CHAN<<TAI<MAN<<<<<<<<<<<<<<<<<");
        let encoded = encode_dg1(&data).unwrap();
        assert_eq!(decode_dg1(&encoded).unwrap(), data);
        let mut altered = encoded.clone();
        altered[10] = b'B';
        assert!(decode_dg1(&altered).is_err());
        let key = data.mrz_key_material().unwrap();
        assert!(key.mrz_information().starts_with("A1234563<4240229"));
        assert_eq!(&key.mrz_information()[17..23], "300228");
    }

    #[test]
    fn biometric_groups_round_trip() {
        let image = vec![0xFF, 0xD8, 0xFF, 0xE0];
        assert_eq!(decode_dg2(&encode_dg2(&image).unwrap()).unwrap(), image);
        let jpeg_2000 = hex!("FF4FFF51 0000").to_vec();
        assert_eq!(
            decode_dg2(&encode_dg2(&jpeg_2000).unwrap()).unwrap(),
            jpeg_2000
        );
        let templates = vec![vec![1, 2, 3], vec![4, 5]];
        assert_eq!(
            decode_dg3(&encode_dg3(&templates).unwrap()).unwrap(),
            templates
        );
        assert!(encode_dg3(&[]).is_err());
    }

    #[test]
    fn dg14_round_trips() {
        let curve = Curve::NistP256;
        let public_key = curve.public_point(&curve.scalar(&[3; 32]).unwrap());
        let key = ChipAuthenticationKey { curve, public_key };
        let encoded = encode_dg14(&key).unwrap();
        assert_eq!(decode_dg14(&encoded).unwrap(), key);
        assert!(decode_dg14(&encoded[..encoded.len() - 1]).is_err());
    }

    /// ICAO 9303-10 puts an ISO/IEC 19794-5 facial record in DG2's biometric data block:
    /// the 14-byte record header, 20 bytes of facial information, 12 of image information,
    /// then the image (independent readers such as dmrtd reject DG2 without it).
    #[test]
    fn dg2_holds_an_iso_19794_5_facial_record() {
        let image = [0xFF, 0xD8, 0xFF, 0xE0, 0x01, 0x02, 0xFF, 0xD9];
        let dg2 = encode_dg2(&image).unwrap();
        let outer = TlvRef::decode_exact(&dg2, ElementaryFile::Dg2.tag()).unwrap();
        let group = TlvRef::decode_exact(outer.value, TAG_BIOMETRIC_GROUP).unwrap();
        let template = group.child(TAG_BIOMETRIC_TEMPLATE).unwrap();
        let record = template.child(TAG_BIOMETRIC_DATA).unwrap().value;
        let expected = [
            &b"FAC\x00010\x00"[..],
            &hex!("00000036 0001"),
            &hex!("00000028 0000 00 00 00 000000 0000 000000 000000"),
            &hex!("01 00 0000 0000 00 00 0000 0000"),
            &image,
        ]
        .concat();
        assert_eq!(record, expected);
    }

    #[test]
    fn malformed_facial_records_are_refused() {
        assert!(encode_dg2(b"GIF89a").is_err(), "neither JPEG nor JPEG 2000");
        let record = encode_facial_record(&[0xFF, 0xD8, 0xFF, 0xD9]).unwrap();
        assert_eq!(
            decode_facial_record(&record).unwrap(),
            [0xFF, 0xD8, 0xFF, 0xD9]
        );
        for length in 0..record.len() {
            assert!(decode_facial_record(&record[..length]).is_err(), "{length}");
        }
        let mut wrong_format = record.clone();
        wrong_format[0] = b'G';
        assert!(decode_facial_record(&wrong_format).is_err());
        let mut no_images = record.clone();
        no_images[13] = 0;
        assert!(decode_facial_record(&no_images).is_err());
        let mut data_too_long = record.clone();
        data_too_long[17] += 1;
        assert!(decode_facial_record(&data_too_long).is_err());
        let mut feature_points = record;
        feature_points[19] = 0xFF;
        assert!(decode_facial_record(&feature_points).is_err());
    }

    #[test]
    fn file_identifiers_and_short_identifiers_agree() {
        for file in ElementaryFile::ALL {
            assert_eq!(
                ElementaryFile::from_file_identifier(file.file_identifier()),
                Some(file)
            );
            assert_eq!(
                ElementaryFile::from_short_file_identifier(file.short_file_identifier()),
                Some(file)
            );
        }
        assert_eq!(ElementaryFile::Com.short_file_identifier(), 0x1E);
    }
}
