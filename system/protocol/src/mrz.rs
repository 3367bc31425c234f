//! Machine-readable-zone fields (ICAO 9303 part 3): the check digit and the key material
//! that BAC and PACE-with-MRZ derive their keys from.
//!
//! A Hong Kong identity card has no printed MRZ; its reader gets the same three fields from
//! the chip's DG1 and the card face: the document number is the card number (nine
//! characters), and the expiry date is the card's "valid until" date.

/// Why text is not a valid MRZ field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    #[error("{field} {value:?} has a character outside 0-9, A-Z and '<'")]
    BadCharacter { field: &'static str, value: String },
    #[error("{field} {value:?} should be {expected} characters")]
    BadLength {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
}

/// True for the characters an MRZ may hold.
pub fn is_mrz_character(character: u8) -> bool {
    character.is_ascii_digit() || character.is_ascii_uppercase() || character == b'<'
}

/// The ICAO 9303 check digit (weights 7, 3, 1) of MRZ characters.
pub fn check_digit(field: &[u8]) -> u8 {
    debug_assert!(field.iter().all(|&character| is_mrz_character(character)));
    let sum: u32 = field
        .iter()
        .zip([7u32, 3, 1].iter().cycle())
        .map(|(&character, weight)| character_value(character) * weight)
        .sum();
    b'0' + (sum % 10) as u8
}

fn character_value(character: u8) -> u32 {
    match character {
        b'0'..=b'9' => u32::from(character - b'0'),
        b'A'..=b'Z' => u32::from(character - b'A') + 10,
        _ => 0,
    }
}

/// Checks that `value` is MRZ text of the given length range.
pub(crate) fn check_field(
    field: &'static str,
    value: &str,
    lengths: std::ops::RangeInclusive<usize>,
    expected: &'static str,
) -> Result<(), MrzError> {
    if !value.bytes().all(is_mrz_character) {
        return Err(MrzError::BadCharacter {
            field,
            value: value.to_owned(),
        });
    }
    if !lengths.contains(&value.len()) {
        return Err(MrzError::BadLength {
            field,
            value: value.to_owned(),
            expected,
        });
    }
    Ok(())
}

/// Document number, date of birth and date of expiry: the BAC key and the PACE MRZ password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MrzKeyMaterial {
    document_number: String,
    date_of_birth: String,
    date_of_expiry: String,
}

impl MrzKeyMaterial {
    /// `document_number` is 1 to 22 MRZ characters (shorter than 9 is padded with '<');
    /// the dates are `YYMMDD`.
    pub fn new(
        document_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<MrzKeyMaterial, MrzError> {
        check_field("document number", document_number, 1..=22, "1 to 22")?;
        check_date("date of birth", date_of_birth)?;
        check_date("date of expiry", date_of_expiry)?;
        Ok(MrzKeyMaterial {
            document_number: format!("{document_number:<<9}"),
            date_of_birth: date_of_birth.to_owned(),
            date_of_expiry: date_of_expiry.to_owned(),
        })
    }

    pub fn document_number(&self) -> &str {
        &self.document_number
    }

    /// YYMMDD.
    pub fn date_of_birth(&self) -> &str {
        &self.date_of_birth
    }

    /// YYMMDD.
    pub fn date_of_expiry(&self) -> &str {
        &self.date_of_expiry
    }

    /// Document number, date of birth and date of expiry, each followed by its check digit.
    pub fn mrz_information(&self) -> String {
        let mut out = String::with_capacity(self.document_number.len() + 15);
        for field in [
            &self.document_number,
            &self.date_of_birth,
            &self.date_of_expiry,
        ] {
            out.push_str(field);
            out.push(char::from(check_digit(field.as_bytes())));
        }
        out
    }
}

fn check_date(field: &'static str, value: &str) -> Result<(), MrzError> {
    check_field(field, value, 6..=6, "6 (YYMMDD)")?;
    if !value.bytes().all(|character| character.is_ascii_digit()) {
        return Err(MrzError::BadCharacter {
            field,
            value: value.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appendix_d_mrz_information() {
        let material = MrzKeyMaterial::new("L898902C", "690806", "940623").unwrap();
        assert_eq!(material.mrz_information(), "L898902C<369080619406236");
        let long = MrzKeyMaterial::new("D23145890734", "340712", "950712").unwrap();
        assert_eq!(long.mrz_information(), "D23145890734934071279507122");
    }

    #[test]
    fn refuses_bad_fields() {
        assert!(MrzKeyMaterial::new("l898902c", "690806", "940623").is_err());
        assert!(MrzKeyMaterial::new("L898902C", "6908", "940623").is_err());
        assert!(MrzKeyMaterial::new("L898902C", "690806", "94062A").is_err());
        assert!(MrzKeyMaterial::new("", "690806", "940623").is_err());
    }
}
