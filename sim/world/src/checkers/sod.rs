//! Invariant 6 (SYSTEM.md): every issued card has an SOD that verifies up to the CSCA, and
//! its data-group hashes match.
//!
//! At `full` fidelity the line's cards are real. For each card the line issued (verified),
//! the checker takes the files written to its chip, not what the line's own read-back made
//! of them, and runs passive authentication against the run's CSCA: the SOD's signature under
//! its Document Signer's key, the Document Signer's certificate issued by the CSCA, and the
//! hash of every data group on the card. A Document Signer's certificate is checked once and
//! the answer remembered (a run has a handful of signers and thousands of cards), so a card
//! costs one ECDSA verification and the hashes; a card the line makes again (a request
//! arriving after the line forgot the card, `line.rs`) is checked once. It also tallies the cards per Document Signer, for the report.
//!
//! At `timing` fidelity no card has an SOD: nothing is checked, and the report says so.

use std::collections::BTreeMap;

use der::Encode;
use hkic_protocol::pa::{self, Certificate, PassiveAuthenticationVerdict};

use hkic_services::messages::CardId;
use hkic_services::registry::FIRST_NEW_CARD;

use super::{Checkers, Violation};
use crate::devices::IssuedCard;

pub const SOD_VERIFIES: &str = "issued-card-sod-verifies";

/// What the report says the checker checked.
const CHECKED_AT_FULL_FIDELITY: &str = "every card the line issued: its SOD's signature, its \
     Document Signer's certificate up to the CSCA (once per certificate) and every data \
     group's hash";
const NOT_CHECKED_AT_TIMING: &str = "checked at full fidelity only: timing fidelity makes no SODs";

/// One Document Signer certificate seen in an SOD.
#[derive(Debug)]
struct Signer {
    /// Whether its certificate was issued by the run's CSCA.
    chains: bool,
    /// Its subject, as the report names it.
    name: String,
    cards: u64,
}

#[derive(Debug, Default)]
pub(super) struct SodChecks {
    /// The run's CSCA; `None` at `timing` fidelity.
    anchor: Option<Certificate>,
    /// Every Document Signer certificate seen, by its DER encoding.
    signers: BTreeMap<Vec<u8>, Signer>,
    checked: CheckedCards,
}

/// The new cards already checked, one bit per card number from [`FIRST_NEW_CARD`]:
/// production numbers cards densely from there, and the line makes a card again, byte for
/// byte, if a request for it arrives after the line forgot it (`line.rs`), so each card is
/// checked (and tallied) once.
/// About a megabyte for the exercise's 8.8 million cards.
#[derive(Debug, Default)]
struct CheckedCards {
    bits: Vec<u64>,
}

/// Card numbers this far past the first are checked every time rather than remembered (no
/// run comes near: it bounds the bitset at 512 MB).
const REMEMBERED_CARDS_MAX: u64 = 1 << 32;

impl CheckedCards {
    /// Marks `card` checked; false if it already was.
    fn insert(&mut self, card: CardId) -> bool {
        let Some(offset) = card.0.checked_sub(FIRST_NEW_CARD.0) else {
            return true;
        };
        if offset >= REMEMBERED_CARDS_MAX {
            return true;
        }
        let (word, bit) = ((offset / 64) as usize, offset % 64);
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        let fresh = self.bits[word] & (1 << bit) == 0;
        self.bits[word] |= 1 << bit;
        fresh
    }
}

impl Checkers {
    /// Cards are made for real: check each issued card's SOD up to `csca`.
    pub fn check_sods_against(&mut self, csca: Certificate) {
        self.sods.anchor = Some(csca);
    }

    /// The line issued a card: its SOD must verify up to the CSCA and every data group on
    /// the card must hash to the SOD's value.
    pub fn on_card_issued(&mut self, issued: &IssuedCard) -> Result<(), Violation> {
        let Some(csca) = self.sods.anchor.clone() else {
            return Ok(());
        };
        if !self.sods.checked.insert(issued.card) {
            return Ok(());
        }
        self.count(SOD_VERIFIES);
        let card = issued.card.0;
        let data_groups: Vec<(u8, &[u8])> = issued
            .files
            .files
            .iter()
            .filter_map(|(file, bytes)| Some((file.data_group_number()?, bytes.as_slice())))
            .collect();
        let Some(sod) = issued.files.get(hkic_protocol::lds::ElementaryFile::Sod) else {
            return violation(format!("card {card} was issued without an SOD"));
        };
        let signers = &mut self.sods.signers;
        let mut seen = None;
        let verdict = pa::verify_sod_checking_signer(sod, &data_groups, &mut |document_signer| {
            let Ok(der) = document_signer.to_der() else {
                return false;
            };
            let signer = signers.entry(der.clone()).or_insert_with(|| Signer {
                chains: pa::chains_to(document_signer, std::slice::from_ref(&csca)),
                name: document_signer.tbs_certificate().subject().to_string(),
                cards: 0,
            });
            seen = Some(der);
            signer.chains
        });
        match verdict {
            PassiveAuthenticationVerdict::Valid { .. } => {
                let signer = seen.and_then(|der| signers.get_mut(&der));
                signer.expect("a valid SOD's signer was seen").cards += 1;
                Ok(())
            }
            other => violation(format!("card {card}: {}", problem(&other))),
        }
    }

    /// Cards issued per Document Signer (empty at `timing` fidelity).
    pub fn cards_by_document_signer(&self) -> Vec<(String, u64)> {
        let signers = self.sods.signers.values();
        let signers = signers.filter(|signer| signer.cards > 0);
        signers
            .map(|signer| (signer.name.clone(), signer.cards))
            .collect()
    }

    /// What an invariant's checks covered, where the count alone does not say.
    pub fn note(&self, invariant: &str) -> Option<String> {
        if invariant != SOD_VERIFIES {
            return None;
        }
        let Some(_) = self.sods.anchor else {
            return Some(NOT_CHECKED_AT_TIMING.to_string());
        };
        let signers = self.cards_by_document_signer().len();
        Some(format!(
            "{CHECKED_AT_FULL_FIDELITY}; cards of {signers} Document Signer(s) verified"
        ))
    }
}

fn violation(message: String) -> Result<(), Violation> {
    Err(Violation {
        invariant: SOD_VERIFIES,
        message,
    })
}

/// What failed, in words.
fn problem(verdict: &PassiveAuthenticationVerdict) -> String {
    match verdict {
        PassiveAuthenticationVerdict::Valid { .. } => "the SOD verifies".to_string(),
        PassiveAuthenticationVerdict::AlteredDataGroup { number } => {
            format!("DG{number} does not hash to the value its SOD holds")
        }
        PassiveAuthenticationVerdict::DataGroupNotInSod { number } => {
            format!("DG{number} is on the card but not in its SOD")
        }
        PassiveAuthenticationVerdict::UnknownSigner => {
            "the SOD's Document Signer does not chain to the CSCA".to_string()
        }
        PassiveAuthenticationVerdict::BadSignature => {
            "the SOD's signature does not verify under its Document Signer's key".to_string()
        }
        PassiveAuthenticationVerdict::Malformed(what) => format!("the SOD is malformed: {what}"),
    }
}

#[cfg(test)]
mod tests {
    use hkic_base::seed_stream;
    use hkic_chip::specimen::{SpecimenPki, specimen_holder};
    use hkic_chip::{Issuer, NewGenerationChip, SodSigning, personalise_chip_signing};

    use super::*;

    fn issued(number: u64, issuer: Issuer<'_>, signing: SodSigning) -> IssuedCard {
        let mut chip = NewGenerationChip::blank(seed_stream(number));
        let holder = specimen_holder(number, 2_000);
        let files = personalise_chip_signing(&mut chip, &holder, issuer, signing).unwrap();
        let card = CardId(FIRST_NEW_CARD.0 + number);
        IssuedCard { card, files }
    }

    fn checkers(pki: &SpecimenPki) -> Checkers {
        let mut checkers = Checkers::new(10, 10);
        checkers.check_sods_against(pki.csca.certificate().clone());
        checkers
    }

    fn checks(checkers: &Checkers) -> u64 {
        let mut all = checkers.checks();
        all.find(|(name, _)| *name == SOD_VERIFIES).unwrap().1
    }

    #[test]
    fn genuine_cards_pass_once_each_and_are_tallied_by_signer() {
        let pki = SpecimenPki::new(1).unwrap();
        let mut checkers = checkers(&pki);
        let mut second = pki.issuer();
        second.document_signer = &pki.second_document_signer;
        let cards = [
            issued(1, pki.issuer(), SodSigning::AfterEveryDataGroup),
            issued(2, pki.issuer(), SodSigning::AfterEveryDataGroup),
            issued(3, second, SodSigning::AfterEveryDataGroup),
        ];
        for card in cards.iter().chain(&cards[..1]) {
            checkers.on_card_issued(card).unwrap();
        }
        assert_eq!(checks(&checkers), 3, "a card made again is checked once");
        let ds = |n| format!("CN=HKSAR DS {n},O=Immigration Department,C=HK");
        let tally = checkers.cards_by_document_signer();
        assert_eq!(tally, [(ds(1), 2), (ds(2), 1)]);
        assert_eq!(
            checkers.sods.signers.len(),
            2,
            "one chain check per certificate"
        );
    }

    #[test]
    fn an_sod_signed_before_dg3_was_written_breaks_invariant_6() {
        let pki = SpecimenPki::new(2).unwrap();
        let mut checkers = checkers(&pki);
        let card = issued(4, pki.issuer(), SodSigning::BeforeDg3);
        let violation = checkers.on_card_issued(&card).unwrap_err();
        assert_eq!(violation.invariant, SOD_VERIFIES);
        assert!(
            violation.message.contains("DG3 does not hash"),
            "{violation:?}"
        );
    }

    #[test]
    fn a_card_of_another_cscas_signer_breaks_invariant_6() {
        let pki = SpecimenPki::new(3).unwrap();
        let rogue = SpecimenPki::new(4).unwrap();
        let mut checkers = checkers(&pki);
        let card = issued(5, rogue.issuer(), SodSigning::AfterEveryDataGroup);
        let violation = checkers.on_card_issued(&card).unwrap_err();
        assert!(
            violation.message.contains("does not chain"),
            "{violation:?}"
        );
    }

    #[test]
    fn at_timing_fidelity_nothing_is_checked_and_the_note_says_why() {
        let pki = SpecimenPki::new(5).unwrap();
        let mut checkers = Checkers::new(10, 10);
        let card = issued(6, pki.issuer(), SodSigning::BeforeDg3);
        checkers.on_card_issued(&card).unwrap();
        assert_eq!(checks(&checkers), 0);
        let note = checkers.note(SOD_VERIFIES).unwrap();
        assert_eq!(
            note,
            "checked at full fidelity only: timing fidelity makes no SODs"
        );
        assert_eq!(checkers.note("slot-quota"), None);
    }
}
