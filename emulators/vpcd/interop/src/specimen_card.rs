//! Our real chip for the interoperability tests: the specimen holder's new-generation card,
//! personalised by the production step, with what an independent reader needs to check it.
//!
//! Everything comes from one seed (the specimen PKI, the holder, the chip's own stream), so a
//! failing test reads the same card when it runs again.

use hkic_base::seed_stream;
use hkic_chip::specimen::{SpecimenPki, specimen_holder};
use hkic_chip::{CardFiles, HolderData, Interface, NewGenerationChip, personalise};
use hkic_protocol::lds::{ElementaryFile, PersonalData};
use hkic_vpcd::ChipCard;

use crate::error::InteropError;

/// Bytes of the specimen's portrait: about a compressed ICAO portrait, like the CLI's cards,
/// so DG2 takes many READ BINARY chunks.
pub const FACIAL_IMAGE_LENGTH: usize = 12_000;

/// The card's holder, the files written to it and the issuer's CSCA certificate.
#[derive(Debug, Clone)]
pub struct SpecimenCard {
    pub holder: HolderData,
    /// DG1's content, as the card stores it.
    pub personal_data: PersonalData,
    /// Every file written at personalisation, byte for byte.
    pub files: CardFiles,
    /// The CSCA certificate (DER): the trust anchor of passive authentication.
    pub csca_certificate: Vec<u8>,
}

impl SpecimenCard {
    /// Personalises the specimen card of `seed`; returns what is known about it and the chip,
    /// seen through the contactless interface, ready for the bridge.
    pub fn personalise(
        seed: u64,
    ) -> Result<(SpecimenCard, ChipCard<NewGenerationChip>), InteropError> {
        SpecimenCard::personalise_with_portrait(seed, FACIAL_IMAGE_LENGTH)
    }

    /// [`SpecimenCard::personalise`] with a portrait of `facial_image_length` bytes.
    pub fn personalise_with_portrait(
        seed: u64,
        facial_image_length: usize,
    ) -> Result<(SpecimenCard, ChipCard<NewGenerationChip>), InteropError> {
        let failed = |error: &dyn std::fmt::Display| InteropError::Specimen(error.to_string());
        let pki = SpecimenPki::new(seed).map_err(|error| failed(&error))?;
        let holder = specimen_holder(seed, facial_image_length);
        let (chip, files) = personalise(&holder, pki.issuer(), seed_stream(seed))
            .map_err(|error| failed(&error))?;
        let personal_data = holder.personal_data().map_err(|error| failed(&error))?;
        let csca_certificate = pki.csca.certificate_der().map_err(|error| failed(&error))?;
        let card = SpecimenCard {
            holder,
            personal_data,
            files,
            csca_certificate,
        };
        Ok((card, ChipCard::new(chip, Interface::Contactless)))
    }

    /// The content personalisation wrote to `file`.
    pub fn file(&self, file: ElementaryFile) -> Result<&[u8], InteropError> {
        self.files
            .get(file)
            .ok_or_else(|| InteropError::Specimen(format!("the card has no {file:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hkic_vpcd::VirtualCard;

    #[test]
    fn the_specimen_card_is_deterministic_and_answers_in_the_reader() -> Result<(), InteropError> {
        let (first, mut chip) = SpecimenCard::personalise(5)?;
        let (second, _) = SpecimenCard::personalise(5)?;
        assert_eq!(first.files, second.files, "same seed, same card");
        assert_eq!(first.csca_certificate, second.csca_certificate);
        assert_eq!(first.holder.facial_image.len(), FACIAL_IMAGE_LENGTH);
        assert!(!first.file(ElementaryFile::Sod)?.is_empty());
        assert!(!chip.atr().is_empty());
        chip.power_on();
        let select = [
            0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
        ];
        assert_eq!(chip.transmit(&select), [0x90, 0x00]);
        Ok(())
    }
}
