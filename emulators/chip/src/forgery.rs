//! Counterfeit cards, made from a genuine card the way a forger would: everything that can be
//! read out of the chip (the files; the CAN from the card face; the BAC key material from
//! DG1) is copied onto a blank chip. The chip-authentication private key cannot be read out,
//! so every counterfeit has its own. The forger is given DG3 too (the worst case: a forger
//! who got past terminal authentication somewhere).
//!
//! - [`Forgery::Clone`]: the copy, unchanged. Passive authentication succeeds (the data and
//!   the SOD are genuine), chip authentication fails: DG14 announces the genuine card's key.
//! - [`Forgery::AlteredDataGroup`]: the copy with one data group changed (DG1: the holder's
//!   surname; any other: its last byte). Passive authentication finds the hash mismatch.
//! - [`Forgery::UnknownSigner`]: the copy with DG1 changed, DG14 announcing the counterfeit's
//!   own key, and an SOD re-signed by a Document Signer of the forger's own CSCA. Everything
//!   verifies except the Document Signer's chain to a trusted CSCA.
//!
//! A card whose genuine Document Signer was later revoked is not a forgery: it is a genuine
//! card, and the reader's revocation list decides.

use crate::card::Interface;
use crate::image::CardImage;
use crate::new_generation::NewGenerationChip;
use crate::personalise::{CARD_CURVE, PersonaliseError, write_and_commit};
use hkic_base::{Date, Stream};
use hkic_protocol::lds::{self, ChipAuthenticationKey, ElementaryFile};
use hkic_protocol::pa::{CertificateValidity, CountrySigningAuthority, DocumentSigner};

/// What the forger makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgery {
    Clone,
    AlteredDataGroup { number: u8 },
    UnknownSigner,
}

/// Why a counterfeit could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForgeryError {
    #[error("the original card is blank")]
    BlankOriginal,
    #[error("the original card has no data group {0}")]
    NoSuchDataGroup(u8),
    #[error("the original card's data cannot be rebuilt: {0}")]
    Personalise(#[from] PersonaliseError),
}

fn data_group_file(number: u8) -> Option<ElementaryFile> {
    ElementaryFile::ALL
        .into_iter()
        .find(|file| file.data_group_number() == Some(number))
}

/// The surname with its first letter moved one place on in the alphabet.
fn altered_surname(surname: &str) -> String {
    let mut characters: Vec<char> = surname.chars().collect();
    match characters.first_mut() {
        Some(first) if first.is_ascii_uppercase() => {
            *first = char::from(b'A' + (*first as u8 - b'A' + 1) % 26);
        }
        _ => characters.insert(0, 'X'),
    }
    characters.into_iter().collect()
}

fn alter(file: ElementaryFile, content: &[u8]) -> Result<Vec<u8>, PersonaliseError> {
    if file == ElementaryFile::Dg1 {
        let mut data = lds::decode_dg1(content)?;
        data.surname = altered_surname(&data.surname);
        return Ok(lds::encode_dg1(&data)?);
    }
    let mut altered = content.to_vec();
    if let Some(last) = altered.last_mut() {
        *last ^= 0x01;
    }
    Ok(altered)
}

/// The forger's own CSCA and Document Signer, keys drawn from `random`.
fn rogue_signer(random: &mut Stream) -> Result<DocumentSigner, PersonaliseError> {
    let validity = CertificateValidity {
        not_before: Date::from_ymd(2015, 1, 1).unwrap_or(Date::EPOCH),
        not_after: Date::from_ymd(2040, 1, 1).unwrap_or(Date::EPOCH),
    };
    let csca = CountrySigningAuthority::new(
        "CN=HKSAR CSCA,O=Immigration Department,C=HK",
        1,
        validity,
        random,
    )
    .map_err(PersonaliseError::Pki)?;
    csca.issue_document_signer(
        "CN=HKSAR DS 1,O=Immigration Department,C=HK",
        2,
        validity,
        random,
    )
    .map_err(PersonaliseError::Pki)
}

/// The file a forgery changes, checked to exist on the original.
fn altered_file(
    image: &CardImage,
    forgery: Forgery,
) -> Result<Option<ElementaryFile>, ForgeryError> {
    let (file, number) = match forgery {
        Forgery::Clone => return Ok(None),
        Forgery::AlteredDataGroup { number } => (data_group_file(number), number),
        Forgery::UnknownSigner => (Some(ElementaryFile::Dg1), 1),
    };
    match file {
        Some(file) if image.files.contains_key(&file) => Ok(Some(file)),
        _ => Err(ForgeryError::NoSuchDataGroup(number)),
    }
}

/// The original's files with `altered` changed, and, for a rogue signer, DG14 announcing the
/// counterfeit's own key and the SOD re-signed.
fn counterfeit_files(
    image: &CardImage,
    altered: Option<ElementaryFile>,
    rogue: Option<(&DocumentSigner, &ChipAuthenticationKey)>,
) -> Result<Vec<(ElementaryFile, Vec<u8>)>, PersonaliseError> {
    let mut files = Vec::with_capacity(image.files.len());
    for (file, content) in &image.files {
        let content = match (*file, rogue) {
            (file, _) if Some(file) == altered => alter(file, content)?,
            (ElementaryFile::Dg14, Some((_, key))) => lds::encode_dg14(key)?,
            _ => content.clone(),
        };
        files.push((*file, content));
    }
    if let Some((signer, _)) = rogue {
        let data_groups: Vec<(u8, &[u8])> = files
            .iter()
            .filter_map(|(file, content)| Some((file.data_group_number()?, content.as_slice())))
            .collect();
        let sod = signer.build_sod(&data_groups)?;
        if let Some((_, content)) = files
            .iter_mut()
            .find(|(file, _)| *file == ElementaryFile::Sod)
        {
            *content = sod;
        }
    }
    Ok(files)
}

/// A counterfeit of `original`, drawing its randomness from `random`.
pub fn forge(
    original: &NewGenerationChip,
    forgery: Forgery,
    mut random: Stream,
) -> Result<NewGenerationChip, ForgeryError> {
    let image: &CardImage = original
        .image
        .as_deref()
        .ok_or(ForgeryError::BlankOriginal)?;
    let (Some(can), Some(mrz)) = (image.can.as_deref(), image.mrz.as_ref()) else {
        return Err(ForgeryError::BlankOriginal);
    };
    let altered = altered_file(image, forgery)?;
    let rogue = match forgery {
        Forgery::UnknownSigner => Some(rogue_signer(&mut random)?),
        _ => None,
    };
    let curve = image
        .chip_key
        .as_ref()
        .map_or(CARD_CURVE, |(curve, _)| *curve);
    let mut chip = NewGenerationChip::blank(random);
    chip.power_on(Interface::Contact);
    let mut personalisation = chip
        .begin_personalisation()
        .map_err(PersonaliseError::from)?;
    let key = personalisation
        .generate_chip_authentication_key(curve)
        .map_err(PersonaliseError::from)?;
    let files = counterfeit_files(image, altered, rogue.as_ref().map(|signer| (signer, &key)))?;
    let anchor = image
        .trust_anchor
        .as_ref()
        .map(|anchor| (&anchor.cvca, anchor.current_date));
    write_and_commit(personalisation, &files, can, mrz, anchor).map_err(PersonaliseError::from)?;
    chip.power_off();
    Ok(chip)
}
