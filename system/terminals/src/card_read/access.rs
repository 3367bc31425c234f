//! Access control, in plain: PACE with the CAN (after reading EF.CardAccess for the domain
//! parameters), or BAC with the document number, date of birth and date of expiry (after
//! selecting the application, as legacy readers do). Either ends with a secure messaging
//! session and the chip identifier terminal authentication signs over.

use super::procedure::select_application;
use super::verdict::CardVerdict;
use hkic_base::Stream;
use hkic_protocol::apdu::{CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::bac::{self, BacError, BacKeys, BacTerminal};
use hkic_protocol::curve::Curve;
use hkic_protocol::lds::{self, ElementaryFile};
use hkic_protocol::mrz::MrzKeyMaterial;
use hkic_protocol::pace::{PaceError, PacePassword, PaceTerminal, PaceTerminalStep};
use hkic_protocol::sm::SecureMessaging;

/// How the reader opens the chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardAccessKey {
    /// PACE with the card access number printed on the card face.
    Can(String),
    /// BAC with the key material of DG1's MRZ.
    Mrz(MrzKeyMaterial),
}

/// What access control does next.
#[derive(Debug)]
pub(super) enum AccessStep {
    Send(Vec<u8>),
    Established {
        secure_messaging: SecureMessaging,
        chip_identifier: Vec<u8>,
    },
    Finish(CardVerdict),
}

#[derive(Debug)]
pub(super) enum AccessControl {
    ReadingCardAccess,
    Pace(Box<PaceTerminal>),
    SelectingForBac,
    BacChallenge(BacTerminal),
    BacAuthenticating(BacTerminal),
}

fn unreadable(reason: impl Into<String>) -> AccessStep {
    AccessStep::Finish(CardVerdict::Unreadable {
        reason: reason.into(),
    })
}

fn read_card_access() -> CommandApdu {
    CommandApdu {
        class: 0x00,
        instruction: 0xB0,
        parameter1: 0x80 | ElementaryFile::CardAccess.short_file_identifier(),
        parameter2: 0x00,
        data: Vec::new(),
        expected_length: Some(256),
    }
}

/// The verdict when the chip refuses the password.
fn refused(status: StatusWord) -> AccessStep {
    if matches!(
        status,
        StatusWord::AUTHENTICATION_FAILED | StatusWord::AUTHENTICATION_METHOD_BLOCKED
    ) {
        return AccessStep::Finish(CardVerdict::WrongCan { status });
    }
    unreadable(format!("access control refused with {status}"))
}

impl AccessControl {
    /// The first phase and its command.
    pub fn start(key: &CardAccessKey) -> (AccessControl, CommandApdu) {
        match key {
            CardAccessKey::Can(_) => (AccessControl::ReadingCardAccess, read_card_access()),
            CardAccessKey::Mrz(_) => (AccessControl::SelectingForBac, select_application()),
        }
    }

    /// Consumes the chip's plain response to the last command.
    pub fn handle_response(
        &mut self,
        key: &CardAccessKey,
        random: &mut Stream,
        response: &ResponseApdu,
    ) -> AccessStep {
        let phase = std::mem::replace(self, AccessControl::ReadingCardAccess);
        match (phase, key) {
            (AccessControl::ReadingCardAccess, CardAccessKey::Can(can)) => {
                self.start_pace(can, response)
            }
            (AccessControl::Pace(terminal), _) => self.continue_pace(terminal, random, response),
            (AccessControl::SelectingForBac, CardAccessKey::Mrz(material)) => {
                if response.status != StatusWord::SUCCESS {
                    return unreadable(format!("SELECT of the application: {}", response.status));
                }
                *self = AccessControl::BacChallenge(BacTerminal::new(BacKeys::from_mrz(material)));
                AccessStep::Send(bac::challenge_command().to_bytes())
            }
            (AccessControl::BacChallenge(mut terminal), _) => {
                match terminal.authenticate_command(response, random) {
                    Ok(command) => {
                        *self = AccessControl::BacAuthenticating(terminal);
                        AccessStep::Send(command.to_bytes())
                    }
                    Err(error) => bac_failed(&error),
                }
            }
            (AccessControl::BacAuthenticating(mut terminal), CardAccessKey::Mrz(material)) => {
                match terminal.finish(response) {
                    Ok(secure_messaging) => AccessStep::Established {
                        secure_messaging,
                        chip_identifier: bac_chip_identifier(material),
                    },
                    Err(error) => bac_failed(&error),
                }
            }
            _ => unreadable("access control out of step"),
        }
    }

    fn start_pace(&mut self, can: &str, response: &ResponseApdu) -> AccessStep {
        if response.status != StatusWord::SUCCESS {
            return unreadable(format!("EF.CardAccess: {}", response.status));
        }
        let curves = match lds::decode_card_access(&response.data) {
            Ok(curves) => curves,
            Err(error) => return unreadable(format!("EF.CardAccess: {error}")),
        };
        let curve = if curves.contains(&Curve::NistP256) {
            Curve::NistP256
        } else if let Some(curve) = curves.first() {
            *curve
        } else {
            return unreadable("EF.CardAccess offers no PACE protocol this reader supports");
        };
        let password = PacePassword::Can(can.to_owned());
        let (terminal, command) = PaceTerminal::start(&password, curve, curves.len() > 1);
        *self = AccessControl::Pace(Box::new(terminal));
        AccessStep::Send(command.to_bytes())
    }

    fn continue_pace(
        &mut self,
        mut terminal: Box<PaceTerminal>,
        random: &mut Stream,
        response: &ResponseApdu,
    ) -> AccessStep {
        match terminal.handle_response(response, random) {
            Ok(PaceTerminalStep::Send(command)) => {
                *self = AccessControl::Pace(terminal);
                AccessStep::Send(command.to_bytes())
            }
            Ok(PaceTerminalStep::Established(outcome)) => AccessStep::Established {
                secure_messaging: outcome.secure_messaging,
                chip_identifier: outcome.chip_ephemeral_public.x().to_vec(),
            },
            Err(PaceError::Refused(status)) => refused(status),
            // The chip's token does not verify: it does not know the CAN either.
            Err(PaceError::TokenMismatch) => refused(StatusWord::AUTHENTICATION_FAILED),
            Err(error) => unreadable(format!("PACE: {error}")),
        }
    }
}

fn bac_failed(error: &BacError) -> AccessStep {
    match error {
        BacError::Refused(status) => refused(*status),
        BacError::MacMismatch | BacError::ChallengeMismatch => {
            refused(StatusWord::AUTHENTICATION_FAILED)
        }
        other => unreadable(format!("BAC: {other}")),
    }
}

/// ID_PICC after BAC: the document number and its check digit.
fn bac_chip_identifier(material: &MrzKeyMaterial) -> Vec<u8> {
    let length = material.document_number().len() + 1;
    material.mrz_information().as_bytes()[..length].to_vec()
}
