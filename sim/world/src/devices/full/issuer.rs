//! The issuer's trust material for one run, made once from the seed with the helpers
//! `hkic-sim card serve` uses (`hkic_chip::specimen::SpecimenPki`): the Country Signing CA,
//! the Document Signer whose certificate it signed and who signs every card's SOD, and the
//! terminal-authentication PKI: the CVCA each chip trusts, a document verifier, and the
//! inspection-system certificate and key the collection kiosks (and the line's read-back
//! station) present to read DG3.
//!
//! Every reader of the run trusts the one CSCA; no Document Signer is revoked during a run,
//! so readers carry no revocation list.

use hkic_chip::Issuer;
use hkic_chip::specimen::SpecimenPki;
use hkic_kernel::Streams;
use hkic_terminals::card_read::{CardAccessKey, CardReadConfig, TerminalCredentials};
use rand::RngExt;

use crate::labels;

/// The run's PKI and the terminal credentials made from it.
#[derive(Debug, Clone)]
pub struct Trust {
    pki: SpecimenPki,
    terminal: TerminalCredentials,
}

impl Trust {
    /// The trust material of the run of `streams`: the same seed, the same keys and
    /// certificates (ECDSA signs with RFC 6979 nonces).
    pub fn new(streams: &Streams) -> Trust {
        let seed = streams.stream(labels::issuer_pki()).random::<u64>();
        let pki = SpecimenPki::new(seed).expect("the specimen PKI builds from any seed");
        let terminal = TerminalCredentials {
            chain: pki.terminal_chain(),
            key: pki.terminal_key.clone(),
        };
        Trust { pki, terminal }
    }

    /// Who issues the cards: the Document Signer of the SOD, the CVCA of terminal
    /// authentication.
    pub fn issuer(&self) -> Issuer<'_> {
        self.pki.issuer()
    }

    /// A full read with the card access number `can`: PACE, passive authentication up to the
    /// run's CSCA, chip authentication, terminal authentication with the run's inspection
    /// system and DG3 (and DG2 when `facial_image` is asked for).
    pub fn full_read(&self, can: &str, facial_image: bool) -> CardReadConfig {
        let anchor = self.pki.csca.certificate().clone();
        CardReadConfig {
            terminal: Some(self.terminal.clone()),
            read_facial_image: facial_image,
            ..CardReadConfig::new(CardAccessKey::Can(can.to_owned()), vec![anchor])
        }
    }
}
