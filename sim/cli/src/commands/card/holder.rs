//! Whose card: a resident of a seed's population, or a holder described in a JSON file.
//!
//! A person file is a JSON object with `card_number` ("A123456(3)", check digit verified),
//! `surname` and `given_names` (upper-case Latin letters, spaces, hyphens), `sex` ("F" or
//! "M"), `date_of_birth` ("1980-05-17"), and optionally `date_of_issue` (default: the
//! `--issued` date) and `card_access_number` (six digits; default: drawn from the seed).

use std::path::Path;

use hkic_base::{Date, Stream};
use hkic_chip::HolderData;
use hkic_protocol::lds::{self, Sex};
use hkic_world::population::{self, Identity};
use rand::RngExt;
use serde::Deserialize;

use crate::biometric_templates;
use crate::exit::CliError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonFile {
    card_number: String,
    surname: String,
    given_names: String,
    sex: String,
    date_of_birth: String,
    date_of_issue: Option<String>,
    card_access_number: Option<String>,
}

/// Bytes of the synthetic facial image: about the size of a compressed ICAO portrait.
const FACIAL_IMAGE_LENGTH: usize = 12_000;

/// The holder of the card for resident `person` of `seed`'s population.
pub fn resident(seed: u64, person: u32, issued: Date, stream: &mut Stream) -> HolderData {
    let identity = population::identity(seed, person);
    let thumb_templates =
        biometric_templates::thumbs(seed, u64::from(person), identity.date_of_birth, issued);
    holder(
        &identity,
        issued,
        identity.card_access_number.clone(),
        thumb_templates,
        stream,
    )
}

fn holder(
    identity: &Identity,
    issued: Date,
    card_access_number: String,
    thumb_templates: [Vec<u8>; 2],
    stream: &mut Stream,
) -> HolderData {
    HolderData {
        card_number: identity.card_number.clone(),
        surname: identity.surname.clone(),
        given_names: identity.given_names.clone(),
        sex: match identity.sex {
            population::Sex::Female => Sex::Female,
            population::Sex::Male => Sex::Male,
        },
        date_of_birth: identity.date_of_birth,
        date_of_issue: issued,
        card_access_number,
        facial_image: facial_image(stream),
        thumb_templates,
    }
}

/// A synthetic portrait: a JPEG frame (SOI, APP0 "JFIF", EOI) around seeded bytes. The chip
/// and its readers store and hash DG2's image without decoding it.
fn facial_image(stream: &mut Stream) -> Vec<u8> {
    let mut image = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    image.extend((0..FACIAL_IMAGE_LENGTH).map(|_| stream.random::<u8>()));
    image.extend([0xFF, 0xD9]);
    image
}

fn bad(path: &Path, field: &str, problem: impl std::fmt::Display) -> CliError {
    CliError::BadInput(format!("{}: {field}: {problem}", path.display()))
}

/// The holder a person file describes; the seed supplies what the file leaves out.
pub fn from_file(
    path: &Path,
    seed: u64,
    issued: Date,
    stream: &mut Stream,
) -> Result<HolderData, CliError> {
    let text = std::fs::read_to_string(path).map_err(|error| bad(path, "(file)", error))?;
    let file: PersonFile =
        serde_json::from_str(&text).map_err(|error| bad(path, "(JSON)", error))?;
    lds::document_number_from_card_number(&file.card_number)
        .map_err(|error| bad(path, "card_number", error))?;
    let date = |field: &str, text: &str| {
        text.parse::<Date>()
            .map_err(|error| bad(path, field, error))
    };
    let sex = match file.sex.as_str() {
        "F" => population::Sex::Female,
        "M" => population::Sex::Male,
        other => {
            return Err(bad(
                path,
                "sex",
                format!("expected \"F\" or \"M\", got {other:?}"),
            ));
        }
    };
    let issued = match &file.date_of_issue {
        Some(text) => date("date_of_issue", text)?,
        None => issued,
    };
    let card_access_number = match file.card_access_number {
        Some(can) if can.len() == 6 && can.bytes().all(|b| b.is_ascii_digit()) => can,
        Some(can) => {
            return Err(bad(
                path,
                "card_access_number",
                format!("expected six digits, got {can:?}"),
            ));
        }
        None => format!("{:06}", stream.random_range(0..1_000_000u32)),
    };
    let names_ok = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == ' ' || c == '-')
    };
    for (field, value) in [
        ("surname", &file.surname),
        ("given_names", &file.given_names),
    ] {
        if !names_ok(value) {
            return Err(bad(
                path,
                field,
                format!("expected upper-case Latin letters, spaces and hyphens, got {value:?}"),
            ));
        }
    }
    let identity = Identity {
        card_number: file.card_number,
        surname: file.surname,
        given_names: file.given_names,
        sex,
        date_of_birth: date("date_of_birth", &file.date_of_birth)?,
        card_access_number: card_access_number.clone(),
    };
    // The thumbs of a holder from a file are keyed by the card number, so they are stable.
    let key = identity.card_number.bytes().fold(0u64, |key, byte| {
        key.wrapping_mul(131).wrapping_add(u64::from(byte))
    });
    let thumb_templates = biometric_templates::thumbs(seed, key, identity.date_of_birth, issued);
    Ok(holder(
        &identity,
        issued,
        card_access_number,
        thumb_templates,
        stream,
    ))
}
