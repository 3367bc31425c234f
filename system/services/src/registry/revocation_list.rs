//! The revocation list the registry publishes to gates and verifiers: every cancelled, lost
//! and revoked card with its state, under a version that every withdrawal bumps, signed with
//! the registry's revocation-list key.
//!
//! Wire format: the canonical bytes of [`RevocationList::encode`] ("HKRL", the list version,
//! the count, then each card's number and state, little-endian, cards strictly ascending) and
//! an ECDSA P-256 signature over exactly those bytes (SHA-256, RFC 6979 nonces, so signing is
//! deterministic; `r || s`, 64 bytes). A consumer verifies the signature first and only then
//! decodes, so it never parses bytes the registry did not sign, and no re-encoding step can
//! make signer and verifier disagree about what was signed.
//!
//! Why a bare ECDSA signature and not CMS SignedData (as the SOD is): the list travels inside
//! the system, from the one registry to terminals configured with the registry's one public
//! key. There is no certificate path to build and no outside party to interoperate with, so
//! CMS would add a certificate set, signed attributes and an ASN.1 parser at every gate for
//! nothing a gate checks. Were the list ever published outside the system (as ICAO's PKD
//! publishes CRLs), CMS with a signer certificate chained to the CSCA would be the format.
//!
//! Invariants: versions only increase, and a version names one list for good (the registry
//! hands out durable lists only; see the registry's module documentation).

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

use super::cards::CardState;
use crate::messages::CardId;
use crate::records::u64_at;

/// "HKRL", then the list version and the count (u64 each).
const MAGIC: [u8; 4] = *b"HKRL";
const HEADER_LENGTH: usize = 4 + 8 + 8;
/// A card number (u64) and its state (one byte).
const ENTRY_LENGTH: usize = 9;
/// `r || s` of a P-256 signature.
pub const SIGNATURE_LENGTH: usize = 64;

/// Why a list, a signature or a key was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RevocationListError {
    /// The signature does not verify under the configured key: the list was altered, or
    /// signed with another key.
    #[error("the revocation list's signature does not verify under the registry's key")]
    BadSignature,
    /// Signed, but not a list this format allows (a registry bug, never trusted).
    #[error("the revocation list is malformed: {0}")]
    Malformed(&'static str),
    #[error("not a P-256 private key (zero, or not below the group order)")]
    InvalidKey,
}

/// One withdrawn card and why: cancelled (replaced at collection), lost or revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListedCard {
    pub card: CardId,
    pub state: CardState,
}

/// The revocation list: every cancelled, lost and revoked card, sorted by number, with a
/// version that every addition bumps (so version `n` lists exactly `n` cards).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RevocationList {
    pub version: u64,
    pub entries: Vec<ListedCard>,
}

fn state_code(state: CardState) -> u8 {
    match state {
        CardState::Cancelled => 1,
        CardState::Lost => 2,
        CardState::Revoked => 3,
        CardState::ReadyAtCentre | CardState::Active => {
            panic!("a {state:?} card on the revocation list")
        }
    }
}

fn state_of_code(code: u8) -> Option<CardState> {
    match code {
        1 => Some(CardState::Cancelled),
        2 => Some(CardState::Lost),
        3 => Some(CardState::Revoked),
        _ => None,
    }
}

impl RevocationList {
    /// The listed card numbers, ascending.
    pub fn cards(&self) -> Vec<CardId> {
        self.entries.iter().map(|entry| entry.card).collect()
    }

    /// The state the list gives `card`; `None` if it is not listed (not withdrawn as of
    /// this version).
    pub fn state_of(&self, card: CardId) -> Option<CardState> {
        let at = self.entries.binary_search_by_key(&card, |entry| entry.card);
        at.ok().map(|at| self.entries[at].state)
    }

    /// The canonical bytes to sign.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LENGTH + ENTRY_LENGTH * self.entries.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&(self.entries.len() as u64).to_le_bytes());
        for entry in &self.entries {
            out.extend_from_slice(&entry.card.0.to_le_bytes());
            out.push(state_code(entry.state));
        }
        out
    }

    /// Reads [`RevocationList::encode`]'s bytes, refusing anything it would not have written.
    pub fn decode(bytes: &[u8]) -> Result<RevocationList, RevocationListError> {
        let malformed = RevocationListError::Malformed;
        if bytes.len() < HEADER_LENGTH || bytes[..4] != MAGIC {
            return Err(malformed("no HKRL header"));
        }
        let header = malformed("no HKRL header");
        let version = u64_at(bytes, 4).ok_or(header.clone())?;
        let count = u64_at(bytes, 12).ok_or(header)?;
        let body = &bytes[HEADER_LENGTH..];
        if body.len() % ENTRY_LENGTH != 0 || (body.len() / ENTRY_LENGTH) as u64 != count {
            return Err(malformed("the length does not match the count"));
        }
        let mut entries = Vec::with_capacity(body.len() / ENTRY_LENGTH);
        for entry in body.chunks_exact(ENTRY_LENGTH) {
            let card = CardId(u64_at(entry, 0).ok_or(malformed("a short entry"))?);
            let state = state_of_code(entry[8]).ok_or(malformed("an unknown card state"))?;
            if entries
                .last()
                .is_some_and(|last: &ListedCard| last.card >= card)
            {
                return Err(malformed("the cards are not strictly ascending"));
            }
            entries.push(ListedCard { card, state });
        }
        Ok(RevocationList { version, entries })
    }
}

/// The registry's private key for signing revocation lists. `Debug` does not show it.
#[derive(Clone)]
pub struct RevocationListSigningKey(SigningKey);

impl std::fmt::Debug for RevocationListSigningKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_tuple("RevocationListSigningKey")
            .field(&self.verifying_key())
            .finish()
    }
}

impl RevocationListSigningKey {
    /// The key with this secret scalar (big-endian), as drawn by whoever holds the run's
    /// trust material.
    pub fn from_scalar(bytes: &[u8; 32]) -> Result<Self, RevocationListError> {
        let key = SigningKey::from_slice(bytes).map_err(|_| RevocationListError::InvalidKey)?;
        Ok(RevocationListSigningKey(key))
    }

    /// The public key gates and verifiers are configured with.
    pub fn verifying_key(&self) -> RevocationListVerifyingKey {
        RevocationListVerifyingKey(*self.0.verifying_key())
    }
}

/// The registry's public key, as the consumers of its lists hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevocationListVerifyingKey(VerifyingKey);

/// A list as distributed: its canonical bytes and the registry's signature over them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRevocationList {
    pub encoded: Vec<u8>,
    pub signature: [u8; SIGNATURE_LENGTH],
}

impl SignedRevocationList {
    /// Signs `list` (deterministic: the same list and key give the same bytes).
    pub fn sign(list: &RevocationList, key: &RevocationListSigningKey) -> SignedRevocationList {
        let encoded = list.encode();
        let signature: Signature = key.0.sign(&encoded);
        let mut bytes = [0u8; SIGNATURE_LENGTH];
        bytes.copy_from_slice(&signature.to_bytes());
        SignedRevocationList {
            encoded,
            signature: bytes,
        }
    }

    /// The list, if the signature verifies under `key`; checked before a byte is parsed.
    pub fn verify(
        &self,
        key: &RevocationListVerifyingKey,
    ) -> Result<RevocationList, RevocationListError> {
        let signature = Signature::from_slice(&self.signature)
            .map_err(|_| RevocationListError::BadSignature)?;
        key.0
            .verify(&self.encoded, &signature)
            .map_err(|_| RevocationListError::BadSignature)?;
        RevocationList::decode(&self.encoded)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn key(seed: u8) -> RevocationListSigningKey {
        RevocationListSigningKey::from_scalar(&[seed; 32]).unwrap()
    }

    fn list() -> RevocationList {
        let entries = vec![
            ListedCard {
                card: CardId(1),
                state: CardState::Cancelled,
            },
            ListedCard {
                card: CardId(3),
                state: CardState::Lost,
            },
        ];
        RevocationList {
            version: 2,
            entries,
        }
    }

    #[test]
    fn the_list_encodes_canonically_and_decodes_back() {
        let list = list();
        let bytes = list.encode();
        assert_eq!(&bytes[..4], b"HKRL");
        assert_eq!(bytes.len(), HEADER_LENGTH + 2 * ENTRY_LENGTH);
        assert_eq!((bytes[4], bytes[12]), (2, 2));
        assert_eq!((bytes[20], bytes[28]), (1, 1), "card 1, cancelled");
        assert_eq!((bytes[29], bytes[37]), (3, 2), "card 3, lost");
        assert_eq!(RevocationList::decode(&bytes), Ok(list.clone()));
        assert_eq!(list.state_of(CardId(3)), Some(CardState::Lost));
        assert_eq!(list.state_of(CardId(2)), None);
    }

    #[test]
    fn a_signed_list_verifies_only_under_its_key_and_only_unaltered() {
        let signed = SignedRevocationList::sign(&list(), &key(7));
        assert_eq!(
            signed,
            SignedRevocationList::sign(&list(), &key(7)),
            "RFC 6979"
        );
        assert_eq!(signed.verify(&key(7).verifying_key()), Ok(list()));
        let other_key = signed.verify(&key(8).verifying_key());
        assert_eq!(other_key, Err(RevocationListError::BadSignature));
        let mut altered = signed.clone();
        altered.encoded[37] = 3; // card 3 "revoked" instead of lost
        let altered = altered.verify(&key(7).verifying_key());
        assert_eq!(altered, Err(RevocationListError::BadSignature));
        let mut bad_signature = signed;
        bad_signature.signature[5] ^= 1;
        let bad_signature = bad_signature.verify(&key(7).verifying_key());
        assert_eq!(bad_signature, Err(RevocationListError::BadSignature));
    }

    #[test]
    fn out_of_range_scalars_are_not_keys() {
        let zero = RevocationListSigningKey::from_scalar(&[0; 32]);
        assert_eq!(zero.unwrap_err(), RevocationListError::InvalidKey);
        let too_big = RevocationListSigningKey::from_scalar(&[0xFF; 32]);
        assert_eq!(too_big.unwrap_err(), RevocationListError::InvalidKey);
    }

    #[test]
    fn signed_malformed_bytes_are_refused_after_the_signature_checks() {
        let mut list = list().encode();
        list[28] = 9; // an unknown state
        let signature: Signature = key(7).0.sign(&list);
        let mut signed = SignedRevocationList {
            encoded: list,
            signature: [0; SIGNATURE_LENGTH],
        };
        signed.signature.copy_from_slice(&signature.to_bytes());
        let refused = signed.verify(&key(7).verifying_key());
        assert_eq!(
            refused,
            Err(RevocationListError::Malformed("an unknown card state"))
        );
    }

    proptest! {
        /// Decoding any bytes gives a typed answer, never a panic; what decodes re-encodes
        /// to the same bytes (the encoding is canonical).
        #[test]
        fn any_bytes_decode_or_are_refused(
            headed in any::<bool>(),
            tail in proptest::collection::vec(any::<u8>(), 0..80),
        ) {
            let bytes = if headed { [&MAGIC[..], &tail].concat() } else { tail };
            if let Ok(list) = RevocationList::decode(&bytes) {
                prop_assert_eq!(list.encode(), bytes);
            }
        }
    }
}
