//! The chip's volatile state: what is selected, which access has been granted, and the
//! protocol state machines of the handshake in progress. All of it lives in RAM and is
//! rebuilt from the card image at every power on, power off and reset.

use crate::image::CardImage;
use hkic_protocol::bac::{BacChip, BacKeys};
use hkic_protocol::ca::ChipAuthenticationChip;
use hkic_protocol::curve::Curve;
use hkic_protocol::lds::ElementaryFile;
use hkic_protocol::pace::{ChipPasswords, PaceChip};
use hkic_protocol::sm::SecureMessaging;
use hkic_protocol::ta::TerminalAuthenticationChip;

/// The curve our cards run PACE on (EF.CardAccess announces it).
pub(crate) const PACE_CURVE: Curve = Curve::NistP256;

/// The dedicated file in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Directory {
    Master,
    Application,
}

/// The access granted so far in this session.
#[derive(Debug, Clone)]
pub(crate) enum Access {
    None,
    /// PACE or BAC succeeded: secure messaging protects every command.
    Basic {
        secure_messaging: SecureMessaging,
        /// ID_PICC for terminal authentication: x of the chip's PACE key, or the document
        /// number and its check digit after BAC.
        chip_identifier: Vec<u8>,
    },
    /// Chip authentication replaced the session keys; terminal authentication may follow.
    ChipAuthenticated {
        secure_messaging: SecureMessaging,
        /// Absent when the card holds no terminal-authentication trust anchor.
        terminal_authentication: Option<Box<TerminalAuthenticationChip>>,
    },
}

/// What the file rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccessLevel {
    None,
    Basic,
    ChipAuthenticated { dg3_granted: bool },
}

impl Access {
    pub fn secure_messaging_mut(&mut self) -> Option<&mut SecureMessaging> {
        match self {
            Access::None => None,
            Access::Basic {
                secure_messaging, ..
            }
            | Access::ChipAuthenticated {
                secure_messaging, ..
            } => Some(secure_messaging),
        }
    }

    pub fn level(&self) -> AccessLevel {
        match self {
            Access::None => AccessLevel::None,
            Access::Basic { .. } => AccessLevel::Basic,
            Access::ChipAuthenticated {
                terminal_authentication,
                ..
            } => AccessLevel::ChipAuthenticated {
                dg3_granted: terminal_authentication
                    .as_ref()
                    .is_some_and(|chip| chip.is_dg3_access_granted()),
            },
        }
    }
}

/// The volatile state of a powered chip.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub directory: Directory,
    pub current_file: Option<ElementaryFile>,
    pub access: Access,
    pub pace: Option<PaceChip>,
    pub bac: Option<BacChip>,
    pub chip_authentication: Option<ChipAuthenticationChip>,
}

impl Session {
    /// A fresh session for a chip holding `image` (none: a blank chip).
    pub fn new(image: Option<&CardImage>) -> Session {
        let passwords = image.map(|image| ChipPasswords {
            can: image.can.clone(),
            mrz: image.mrz.clone(),
        });
        Session {
            directory: Directory::Master,
            current_file: None,
            access: Access::None,
            pace: passwords.map(|passwords| PaceChip::new(passwords, PACE_CURVE)),
            bac: image
                .and_then(|image| image.mrz.as_ref())
                .map(|mrz| BacChip::new(BacKeys::from_mrz(mrz))),
            chip_authentication: image
                .and_then(|image| image.chip_key.clone())
                .map(|(curve, key)| ChipAuthenticationChip::new(curve, key)),
        }
    }
}
