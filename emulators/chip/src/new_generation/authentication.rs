//! How the chip runs the access-control protocols of hkic-protocol: PACE and BAC in plain,
//! chip authentication and terminal authentication under secure messaging, and the PACE
//! retry counter.
//!
//! The retry counter counts consecutive PACE attempts that failed on a wrong password; at
//! [`PACE_ATTEMPTS_MAX`] every further PACE command is answered 6983 until the next power
//! cycle (a warm reset does not clear it, so a reader cannot reset its way around the
//! block). A successful PACE clears it.

use super::NewGenerationChip;
use super::session::Access;
use crate::image::CardImage;
use crate::timing::ChipWork;
use hkic_protocol::apdu::{CommandApdu, ResponseApdu, StatusWord};
use hkic_protocol::ca::ChipAuthenticationOutput;
use hkic_protocol::pace::{INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT, PaceChipOutput};
use hkic_protocol::ta::TerminalAuthenticationChip;

/// Consecutive wrong-password PACE attempts before PACE is blocked.
pub const PACE_ATTEMPTS_MAX: u8 = 3;
const INSTRUCTION_PERFORM_SECURITY_OPERATION: u8 = 0x2A;
const INSTRUCTION_EXTERNAL_AUTHENTICATE: u8 = 0x82;

fn status(status: StatusWord) -> ResponseApdu {
    ResponseApdu::status_only(status)
}

fn scalar_multiplications(count: u8) -> ChipWork {
    ChipWork {
        scalar_multiplications: count,
        ..ChipWork::default()
    }
}

/// The chip's work for a PACE step, told by the data object the command carries.
fn pace_work(command: &CommandApdu) -> ChipWork {
    match command.data.get(2) {
        // Mapping: a key pair, the shared point and the mapped generator.
        Some(0x81) => scalar_multiplications(3),
        // Key agreement: a key pair on the mapped generator and the shared secret.
        Some(0x83) => scalar_multiplications(2),
        _ => ChipWork {
            cipher_blocks: 4,
            ..ChipWork::default()
        },
    }
}

impl NewGenerationChip {
    /// MSE:Set AT for PACE, or a GENERAL AUTHENTICATE step of PACE (plain).
    pub(super) fn pace(&mut self, command: &CommandApdu) -> (ResponseApdu, ChipWork) {
        let work = pace_work(command);
        let Some(pace) = self.session.pace.as_mut() else {
            return (status(StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED), work);
        };
        if self.failed_pace_attempts >= PACE_ATTEMPTS_MAX {
            pace.reset();
            return (status(StatusWord::AUTHENTICATION_METHOD_BLOCKED), work);
        }
        match pace.handle_command(command, &mut self.random) {
            Ok(PaceChipOutput::Respond(response)) => (response, work),
            Ok(PaceChipOutput::Established { response, outcome }) => {
                self.failed_pace_attempts = 0;
                self.session.access = Access::Basic {
                    secure_messaging: outcome.secure_messaging,
                    chip_identifier: outcome.chip_ephemeral_public.x().to_vec(),
                };
                (response, work)
            }
            Err(error) => {
                if error.is_wrong_password() {
                    self.failed_pace_attempts = self.failed_pace_attempts.saturating_add(1);
                }
                (status(error.status_word()), work)
            }
        }
    }

    /// GET CHALLENGE for BAC (plain).
    pub(super) fn bac_challenge(&mut self, command: &CommandApdu) -> ResponseApdu {
        let Some(bac) = self.session.bac.as_mut() else {
            return status(StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED);
        };
        bac.handle_get_challenge(command, &mut self.random)
            .unwrap_or_else(|error| status(error.status_word()))
    }

    /// EXTERNAL AUTHENTICATE for BAC (plain); opens a 3DES session.
    pub(super) fn bac_authenticate(
        &mut self,
        command: &CommandApdu,
        image: &CardImage,
    ) -> ResponseApdu {
        let (Some(bac), Some(mrz)) = (self.session.bac.as_mut(), image.mrz.as_ref()) else {
            return status(StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED);
        };
        match bac.handle_external_authenticate(command, &mut self.random) {
            Ok((response, secure_messaging)) => {
                // ID_PICC after BAC: the document number and its check digit.
                let length = mrz.document_number().len() + 1;
                let chip_identifier = mrz.mrz_information().as_bytes()[..length].to_vec();
                self.session.access = Access::Basic {
                    secure_messaging,
                    chip_identifier,
                };
                response
            }
            Err(error) => status(error.status_word()),
        }
    }

    /// MSE:Set AT or GENERAL AUTHENTICATE of chip authentication (protected). The new
    /// access, when chip authentication completes, takes effect after the response is
    /// protected under the old session.
    pub(super) fn chip_authentication(
        &mut self,
        command: &CommandApdu,
        image: &CardImage,
    ) -> (ResponseApdu, Option<Access>, ChipWork) {
        let Access::Basic {
            chip_identifier, ..
        } = &self.session.access
        else {
            return (
                status(StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED),
                None,
                ChipWork::default(),
            );
        };
        let Some(chip_authentication) = self.session.chip_authentication.as_mut() else {
            return (
                status(StatusWord::REFERENCED_DATA_NOT_FOUND),
                None,
                ChipWork::default(),
            );
        };
        match chip_authentication.handle_command(command) {
            Ok(ChipAuthenticationOutput::Respond(response)) => {
                (response, None, ChipWork::default())
            }
            Ok(ChipAuthenticationOutput::Established {
                response,
                secure_messaging,
                terminal_ephemeral_public,
            }) => {
                let verified = self.verified_certificates.clone();
                let terminal_authentication = image.trust_anchor.as_ref().map(|anchor| {
                    let chip = TerminalAuthenticationChip::new(
                        &anchor.cvca,
                        anchor.current_date,
                        chip_identifier.clone(),
                        terminal_ephemeral_public,
                    );
                    Box::new(match verified {
                        Some(verified) => chip.with_verified_certificates(verified),
                        None => chip,
                    })
                });
                let access = Access::ChipAuthenticated {
                    secure_messaging,
                    terminal_authentication,
                };
                (response, Some(access), scalar_multiplications(1))
            }
            Err(error) => (status(error.status_word()), None, ChipWork::default()),
        }
    }

    /// A command of terminal authentication (protected, after chip authentication).
    pub(super) fn terminal_authentication(
        &mut self,
        command: &CommandApdu,
    ) -> (ResponseApdu, ChipWork) {
        let Access::ChipAuthenticated {
            terminal_authentication: Some(terminal_authentication),
            ..
        } = &mut self.session.access
        else {
            return (
                status(StatusWord::CONDITIONS_OF_USE_NOT_SATISFIED),
                ChipWork::default(),
            );
        };
        let work = match command.instruction {
            INSTRUCTION_PERFORM_SECURITY_OPERATION | INSTRUCTION_EXTERNAL_AUTHENTICATE => {
                ChipWork {
                    signature_verifications: 1,
                    ..ChipWork::default()
                }
            }
            _ => ChipWork::default(),
        };
        let response = terminal_authentication
            .handle_command(command, &mut self.random)
            .unwrap_or_else(|error| status(error.status_word()));
        (response, work)
    }

    /// True for MSE:Set AT of PACE (P1-P2 = C1 A4).
    pub(super) fn is_pace_start(command: &CommandApdu) -> bool {
        command.instruction == INSTRUCTION_MANAGE_SECURITY_ENVIRONMENT
            && command.parameter1 == 0xC1
            && command.parameter2 == 0xA4
    }
}
