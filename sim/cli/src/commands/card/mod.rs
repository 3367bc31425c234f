//! `hkic-sim card`: one emulated card in the real world. `serve` personalises a card and puts
//! it in vsmartcard's reader for any PC/SC application; `read` (built with the `pcsc`
//! feature) reads a card in a real PC/SC reader with the same reader procedure the
//! simulator's kiosks and gates use.

pub mod holder;
#[cfg(feature = "pcsc")]
pub mod read;
pub mod serve;
pub mod trust;

use hkic_terminals::card_read::CardVerdict;

/// The verdict as `card read` prints it: one word, then details.
pub fn verdict_name(verdict: &CardVerdict) -> String {
    match verdict {
        CardVerdict::Genuine => "genuine".to_string(),
        CardVerdict::Cloned => "cloned".to_string(),
        CardVerdict::Altered {
            data_group: Some(group),
        } => format!("altered (DG{group})"),
        CardVerdict::Altered { data_group: None } => "altered (SOD signature)".to_string(),
        CardVerdict::UnknownSigner => "unknown signer".to_string(),
        CardVerdict::Revoked => "revoked".to_string(),
        CardVerdict::WrongCan { status } => format!("wrong CAN ({status:?})"),
        CardVerdict::Unreadable { reason } => format!("unreadable ({reason})"),
    }
}
