//! Personalisation of a blank new-generation chip: a sequence of write steps ending in one
//! atomic commit.
//!
//! [`NewGenerationChip::begin_personalisation`] opens a [`Personalisation`]; its steps create
//! files, write them (in order, each byte once), generate the chip-authentication key pair on
//! the chip (the private key is written to the key store and never returned), load the CAN
//! and the MRZ key material, and load the terminal-authentication trust anchor. Every step
//! checks its input first, then appends one record to the staging area of the persistent
//! memory; nothing is visible until [`Personalisation::commit`] checks that the card is
//! complete and programs the commit record (see [`crate::memory`]).
//!
//! A power loss at any write point ends the personalisation with
//! [`PersonalisationError::PowerLost`]; at the next power on the chip mounts nothing and is
//! blank again, ready to be personalised from the start. The production line re-makes it.

use crate::card::Interface;
use crate::image::{self, CardImage, FILE_LENGTH_MAX};
use crate::memory::{MemoryError, STAGING_START};
use crate::new_generation::NewGenerationChip;
use hkic_base::Date;
use hkic_protocol::curve::{Curve, CurveError};
use hkic_protocol::cvc::{CvCertificate, Role};
use hkic_protocol::lds::{ChipAuthenticationKey, ElementaryFile};
use hkic_protocol::mrz::MrzKeyMaterial;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Files a card must hold before it may be committed.
pub const MANDATORY_FILES: [ElementaryFile; 5] = [
    ElementaryFile::CardAccess,
    ElementaryFile::Com,
    ElementaryFile::Dg1,
    ElementaryFile::Dg14,
    ElementaryFile::Sod,
];
/// Digits of a card access number.
pub const CAN_LENGTH: usize = 6;

/// Why a personalisation step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonalisationError {
    #[error("the chip is not powered")]
    NotPowered,
    #[error("the chip is already personalised")]
    AlreadyPersonalised,
    #[error("the power was lost during a write; the chip boots blank")]
    PowerLost,
    #[error("the persistent memory is full ({needed} bytes needed)")]
    MemoryFull { needed: usize },
    #[error("{file:?} already exists")]
    FileExists { file: ElementaryFile },
    #[error("{file:?} was not created")]
    NoSuchFile { file: ElementaryFile },
    #[error("{file:?}: {length} bytes, 1 to {FILE_LENGTH_MAX} allowed")]
    FileLength { file: ElementaryFile, length: usize },
    #[error("{file:?}: write at {offset} of {length} bytes, the next byte to write is {expected}")]
    WriteOutOfOrder {
        file: ElementaryFile,
        offset: usize,
        length: usize,
        expected: usize,
    },
    #[error("{what} was already loaded")]
    AlreadyLoaded { what: &'static str },
    #[error("the card access number must be {CAN_LENGTH} digits")]
    InvalidCan,
    #[error("the trust anchor {reference:?} is not a CVCA certificate")]
    NotTrustAnchor { reference: String },
    #[error("cannot generate the chip-authentication key: {0}")]
    KeyGeneration(CurveError),
    #[error("the card is incomplete: {missing}")]
    Incomplete { missing: String },
}

impl From<MemoryError> for PersonalisationError {
    fn from(error: MemoryError) -> PersonalisationError {
        match error {
            MemoryError::PowerLost => PersonalisationError::PowerLost,
            MemoryError::Full { needed } => PersonalisationError::MemoryFull { needed },
        }
    }
}

/// A file being written.
#[derive(Debug, Clone, Copy)]
struct FileProgress {
    length: usize,
    written: usize,
}

/// A personalisation in progress; see the module documentation.
#[derive(Debug)]
pub struct Personalisation<'chip> {
    chip: &'chip mut NewGenerationChip,
    /// Bytes of the staging area used so far.
    staged: usize,
    files: BTreeMap<ElementaryFile, FileProgress>,
    chip_key: bool,
    access_keys: bool,
    trust_anchor: bool,
    power_lost: bool,
}

impl NewGenerationChip {
    /// Starts personalising a blank, powered chip.
    pub fn begin_personalisation(&mut self) -> Result<Personalisation<'_>, PersonalisationError> {
        if self.powered_interface().is_none() {
            return Err(PersonalisationError::NotPowered);
        }
        if self.is_personalised() {
            return Err(PersonalisationError::AlreadyPersonalised);
        }
        Ok(Personalisation {
            chip: self,
            staged: 0,
            files: BTreeMap::new(),
            chip_key: false,
            access_keys: false,
            trust_anchor: false,
            power_lost: false,
        })
    }
}

impl Personalisation<'_> {
    /// Appends one record to the staging area.
    fn stage(&mut self, record: &[u8]) -> Result<(), PersonalisationError> {
        if self.power_lost {
            return Err(PersonalisationError::PowerLost);
        }
        let offset = STAGING_START + self.staged;
        if let Err(error) = self.chip.memory.write(offset, record) {
            if error == MemoryError::PowerLost {
                self.power_lost = true;
                self.chip.power_off();
            }
            return Err(error.into());
        }
        self.staged += record.len();
        Ok(())
    }

    pub fn create_file(
        &mut self,
        file: ElementaryFile,
        length: usize,
    ) -> Result<(), PersonalisationError> {
        if self.files.contains_key(&file) {
            return Err(PersonalisationError::FileExists { file });
        }
        if length == 0 || length > FILE_LENGTH_MAX {
            return Err(PersonalisationError::FileLength { file, length });
        }
        self.stage(&image::create_file_record(file, length as u32))?;
        self.files.insert(file, FileProgress { length, written: 0 });
        Ok(())
    }

    /// Writes `data` at `offset`: the next bytes of the file, in order.
    pub fn write_file(
        &mut self,
        file: ElementaryFile,
        offset: usize,
        data: &[u8],
    ) -> Result<(), PersonalisationError> {
        let progress = *self
            .files
            .get(&file)
            .ok_or(PersonalisationError::NoSuchFile { file })?;
        if offset != progress.written || data.is_empty() || offset + data.len() > progress.length {
            return Err(PersonalisationError::WriteOutOfOrder {
                file,
                offset,
                length: data.len(),
                expected: progress.written,
            });
        }
        self.stage(&image::write_file_record(file, offset as u32, data))?;
        self.files.insert(
            file,
            FileProgress {
                written: offset + data.len(),
                ..progress
            },
        );
        Ok(())
    }

    /// Generates the chip-authentication key pair on the chip; returns the public key (for
    /// DG14). The private key stays in the chip's key store.
    pub fn generate_chip_authentication_key(
        &mut self,
        curve: Curve,
    ) -> Result<ChipAuthenticationKey, PersonalisationError> {
        if self.chip_key {
            return Err(PersonalisationError::AlreadyLoaded {
                what: "the chip-authentication key",
            });
        }
        let private_key = curve
            .random_scalar(&mut self.chip.random)
            .map_err(PersonalisationError::KeyGeneration)?;
        self.stage(&image::chip_key_record(curve, &private_key))?;
        self.chip_key = true;
        Ok(ChipAuthenticationKey {
            curve,
            public_key: curve.public_point(&private_key),
        })
    }

    /// The PACE password printed on the card face and the BAC key material.
    pub fn load_access_keys(
        &mut self,
        can: &str,
        mrz: &MrzKeyMaterial,
    ) -> Result<(), PersonalisationError> {
        if self.access_keys {
            return Err(PersonalisationError::AlreadyLoaded {
                what: "the access keys",
            });
        }
        if can.len() != CAN_LENGTH || !can.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(PersonalisationError::InvalidCan);
        }
        self.stage(&image::access_key_records(can, mrz))?;
        self.access_keys = true;
        Ok(())
    }

    /// The CVCA certificate terminal authentication starts from, and the chip's date.
    pub fn load_terminal_authentication_anchor(
        &mut self,
        cvca: &CvCertificate,
        current_date: Date,
    ) -> Result<(), PersonalisationError> {
        if self.trust_anchor {
            return Err(PersonalisationError::AlreadyLoaded {
                what: "the trust anchor",
            });
        }
        if cvca.body.role != Role::Cvca {
            return Err(PersonalisationError::NotTrustAnchor {
                reference: cvca.body.holder_reference.clone(),
            });
        }
        self.stage(&image::trust_anchor_record(cvca, current_date))?;
        self.trust_anchor = true;
        Ok(())
    }

    /// What is missing before the card may be committed, if anything.
    fn missing(&self) -> Option<String> {
        let mut missing: Vec<String> = MANDATORY_FILES
            .iter()
            .filter(|file| !self.files.contains_key(file))
            .map(|file| format!("{file:?}"))
            .collect();
        missing.extend(
            self.files
                .iter()
                .filter(|(_, progress)| progress.written < progress.length)
                .map(|(file, progress)| {
                    format!(
                        "{file:?} ({} of {} bytes)",
                        progress.written, progress.length
                    )
                }),
        );
        if !self.chip_key {
            missing.push("the chip-authentication key".to_owned());
        }
        if !self.access_keys {
            missing.push("the access keys".to_owned());
        }
        (!missing.is_empty()).then(|| missing.join(", "))
    }

    /// Checks completeness, programs the commit record and mounts the card.
    pub fn commit(mut self) -> Result<(), PersonalisationError> {
        if self.power_lost {
            return Err(PersonalisationError::PowerLost);
        }
        if let Some(missing) = self.missing() {
            return Err(PersonalisationError::Incomplete { missing });
        }
        if let Err(error) = self.chip.memory.commit(self.staged) {
            if error == MemoryError::PowerLost {
                self.power_lost = true;
                self.chip.power_off();
            }
            return Err(error.into());
        }
        let staged = self.chip.memory.committed_image();
        let image = staged.and_then(|staged| CardImage::mount(&staged).ok());
        debug_assert!(image.is_some(), "a committed image always mounts");
        let Some(image) = image else {
            return Err(PersonalisationError::Incomplete {
                missing: "an image that mounts".to_owned(),
            });
        };
        self.chip.image = Some(Arc::new(image));
        let interface = self.chip.powered_interface().unwrap_or(Interface::Contact);
        self.chip.power_on(interface);
        Ok(())
    }
}
