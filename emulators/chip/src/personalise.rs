//! The production line's step: from the holder's data to a personalised chip.
//!
//! [`personalise_chip`] has the chip generate its chip-authentication key pair, builds every
//! LDS file with hkic-protocol (EF.CardAccess for PACE on P-256, EF.COM, DG1 with the
//! holder's MRZ, DG2 with the facial image, DG3 with the two thumb templates, DG14 with the
//! chip's public key), has the Document Signer sign the SOD over DG1, DG2, DG3 and DG14,
//! writes it all with the CAN, the BAC key material and the CVCA trust anchor, and commits.
//! Every byte comes from the inputs and the chip's stream, so the same seed gives a
//! byte-identical chip.

use crate::card::Interface;
use crate::new_generation::NewGenerationChip;
use crate::personalisation::{Personalisation, PersonalisationError};
use hkic_base::{Date, Stream};
use hkic_protocol::curve::Curve;
use hkic_protocol::cvc::CvCertificate;
use hkic_protocol::lds::{self, ElementaryFile, LdsError, PersonalData, Sex};
use hkic_protocol::mrz::{MrzError, MrzKeyMaterial};
use hkic_protocol::pa::{DocumentSigner, PkiError};

/// Bytes per write step (the size of a personalisation machine's write command).
pub const WRITE_CHUNK_LENGTH: usize = 512;
/// The curve of PACE and of the chip-authentication key.
pub const CARD_CURVE: Curve = Curve::NistP256;

/// What the card holds about its holder, and what is printed on its face.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderData {
    /// As printed, e.g. "A123456(3)".
    pub card_number: String,
    pub surname: String,
    pub given_names: String,
    pub sex: Sex,
    pub date_of_birth: Date,
    pub date_of_issue: Date,
    /// The six-digit card access number printed on the card face.
    pub card_access_number: String,
    /// The portrait, a JPEG or JPEG 2000 image (opaque bytes otherwise); DG2 holds it in an
    /// ISO/IEC 19794-5 facial record.
    pub facial_image: Vec<u8>,
    /// ISO/IEC 19794-2 templates of the two thumbs (opaque bytes here).
    pub thumb_templates: [Vec<u8>; 2],
}

impl HolderData {
    /// DG1's content.
    pub fn personal_data(&self) -> Result<PersonalData, LdsError> {
        Ok(PersonalData {
            document_number: lds::document_number_from_card_number(&self.card_number)?,
            surname: self.surname.clone(),
            given_names: self.given_names.clone(),
            sex: self.sex,
            date_of_birth: self.date_of_birth,
            date_of_issue: self.date_of_issue,
        })
    }
}

/// Who issues the card: the Document Signer of the SOD and the CVCA of terminal
/// authentication.
#[derive(Debug, Clone, Copy)]
pub struct Issuer<'a> {
    pub document_signer: &'a DocumentSigner,
    pub cvca: &'a CvCertificate,
}

/// Why a card could not be personalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonaliseError {
    #[error("holder data: {0}")]
    Lds(#[from] LdsError),
    #[error("key material: {0}")]
    Mrz(#[from] MrzError),
    #[error("signing the SOD: {0}")]
    Pki(#[from] PkiError),
    #[error(transparent)]
    Personalisation(#[from] PersonalisationError),
}

/// The files written to a card (the production line keeps them for the read-back check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardFiles {
    pub files: Vec<(ElementaryFile, Vec<u8>)>,
    pub personal_data: PersonalData,
}

impl CardFiles {
    pub fn get(&self, file: ElementaryFile) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(candidate, _)| *candidate == file)
            .map(|(_, content)| content.as_slice())
    }
}

/// A new chip drawing from `random`, personalised for `holder`.
pub fn personalise(
    holder: &HolderData,
    issuer: Issuer<'_>,
    random: Stream,
) -> Result<(NewGenerationChip, CardFiles), PersonaliseError> {
    let mut chip = NewGenerationChip::blank(random);
    let files = personalise_chip(&mut chip, holder, issuer)?;
    chip.power_off();
    Ok((chip, files))
}

/// When the line signs the SOD. A line signs once every data group is built
/// (`AfterEveryDataGroup`); `BeforeDg3` is a line defect kept for the simulator's planted bug
/// `sod-before-dg3`: the SOD is signed while DG3's two template slots are still empty, so the
/// DG3 hash it carries is not that of the DG3 written to the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SodSigning {
    #[default]
    AfterEveryDataGroup,
    BeforeDg3,
}

/// Personalises a blank chip (powering it through the contacts if it is off).
pub fn personalise_chip(
    chip: &mut NewGenerationChip,
    holder: &HolderData,
    issuer: Issuer<'_>,
) -> Result<CardFiles, PersonaliseError> {
    personalise_chip_signing(chip, holder, issuer, SodSigning::AfterEveryDataGroup)
}

/// [`personalise_chip`], signing the SOD at the step `signing` says.
pub fn personalise_chip_signing(
    chip: &mut NewGenerationChip,
    holder: &HolderData,
    issuer: Issuer<'_>,
    signing: SodSigning,
) -> Result<CardFiles, PersonaliseError> {
    let personal_data = holder.personal_data()?;
    let mrz = personal_data.mrz_key_material()?;
    if chip.powered_interface().is_none() {
        chip.power_on(Interface::Contact);
    }
    let mut personalisation = chip.begin_personalisation()?;
    let key = personalisation.generate_chip_authentication_key(CARD_CURVE)?;
    let dg1 = lds::encode_dg1(&personal_data)?;
    let dg2 = lds::encode_dg2(&holder.facial_image)?;
    let dg3 = lds::encode_dg3(&holder.thumb_templates)?;
    let dg14 = lds::encode_dg14(&key)?;
    let empty_dg3;
    let signed_dg3: &[u8] = match signing {
        SodSigning::AfterEveryDataGroup => &dg3,
        SodSigning::BeforeDg3 => {
            empty_dg3 = lds::encode_dg3(&[Vec::new(), Vec::new()])?;
            &empty_dg3
        }
    };
    let data_groups = [
        (1, &dg1[..]),
        (2, &dg2[..]),
        (3, signed_dg3),
        (14, &dg14[..]),
    ];
    let sod = issuer.document_signer.build_sod(&data_groups)?;
    let files = vec![
        (
            ElementaryFile::CardAccess,
            lds::encode_card_access(CARD_CURVE)?,
        ),
        (ElementaryFile::Com, lds::encode_com(&DATA_GROUPS)),
        (ElementaryFile::Dg1, dg1),
        (ElementaryFile::Dg2, dg2),
        (ElementaryFile::Dg3, dg3),
        (ElementaryFile::Dg14, dg14),
        (ElementaryFile::Sod, sod),
    ];
    let anchor = (issuer.cvca, holder.date_of_issue);
    write_and_commit(
        personalisation,
        &files,
        &holder.card_access_number,
        &mrz,
        Some(anchor),
    )?;
    Ok(CardFiles {
        files,
        personal_data,
    })
}

/// The data groups our cards hold, as EF.COM lists them.
pub const DATA_GROUPS: [ElementaryFile; 4] = [
    ElementaryFile::Dg1,
    ElementaryFile::Dg2,
    ElementaryFile::Dg3,
    ElementaryFile::Dg14,
];

/// Writes `files` in chunks, the access keys and the trust anchor, then commits.
pub(crate) fn write_and_commit(
    mut personalisation: Personalisation<'_>,
    files: &[(ElementaryFile, Vec<u8>)],
    can: &str,
    mrz: &MrzKeyMaterial,
    anchor: Option<(&CvCertificate, Date)>,
) -> Result<(), PersonalisationError> {
    for (file, content) in files {
        personalisation.create_file(*file, content.len())?;
        for (index, chunk) in content.chunks(WRITE_CHUNK_LENGTH).enumerate() {
            personalisation.write_file(*file, index * WRITE_CHUNK_LENGTH, chunk)?;
        }
    }
    personalisation.load_access_keys(can, mrz)?;
    if let Some((cvca, date)) = anchor {
        personalisation.load_terminal_authentication_anchor(cvca, date)?;
    }
    personalisation.commit()
}
