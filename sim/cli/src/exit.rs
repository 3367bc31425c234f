//! Exit codes and the one error type the binary folds every failure into.

use hkic_world::scenario::ScenarioError;

/// Everything went as it should.
pub const OK: u8 = 0;
/// A bug or an environment problem (an unwritable output directory, a determinism failure in
/// `replay` is reported as an invariant instead).
pub const INTERNAL: u8 = 1;
/// Bad input: a missing or malformed scenario, an unknown flag value.
pub const BAD_INPUT: u8 = 2;
/// A safety or liveness invariant broke (including a replay whose trace hash differs).
pub const INVARIANT_BROKEN: u8 = 3;
/// A service level was missed (used by the release gate).
pub const SERVICE_LEVEL_MISSED: u8 = 4;
/// `card read` finished with a verdict other than genuine (cloned, altered, revoked, ...).
pub const CARD_NOT_GENUINE: u8 = 5;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    Internal(String),
}

impl CliError {
    pub fn code(&self) -> u8 {
        match self {
            CliError::Scenario(_) | CliError::BadInput(_) => BAD_INPUT,
            CliError::Internal(_) => INTERNAL,
        }
    }
}
