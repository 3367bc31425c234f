//! The registry's revocation list as a gate or verifier holds it: the newest list whose
//! signature verifies under the registry's key, never replaced by an older one.
//!
//! Fetches can arrive duplicated, late and out of order (a retried request answered twice, a
//! slow reply overtaken by a newer one), and a list can be altered on the way or come from
//! somebody else's key. [`RevocationListCache::apply`] therefore checks the signature first
//! (a typed error, the held list unchanged), then applies the list only if its version is
//! newer than the one held. Version 0 is the empty list, held from the start.
//!
//! Inputs: the registry's fetch replies (`RevocationListFetch`). Outputs: the request to send
//! next ([`RevocationListCache::request`]) and lookups by card. Persists nothing: after a
//! restart a terminal starts from version 0 and fetches again. Distinct from
//! `card_read::RevocationList`, which lists revoked Document Signer certificates.

use hkic_services::messages::{CardId, Message, RevocationListFetch};
use hkic_services::registry::{
    CardState, RevocationList, RevocationListError, RevocationListVerifyingKey,
    SignedRevocationList,
};

/// What applying a fetched list did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheUpdate {
    /// The list was newer: it is now the one held.
    Applied { from_version: u64, to_version: u64 },
    /// Not newer than the held list (a duplicate or a late reply): kept the held one.
    Kept {
        held_version: u64,
        offered_version: u64,
    },
}

#[derive(Clone, Debug)]
pub struct RevocationListCache {
    key: RevocationListVerifyingKey,
    held: RevocationList,
}

impl RevocationListCache {
    /// A cache trusting lists signed with `key`, holding the empty list (version 0).
    pub fn new(key: RevocationListVerifyingKey) -> RevocationListCache {
        RevocationListCache {
            key,
            held: RevocationList::default(),
        }
    }

    pub fn version(&self) -> u64 {
        self.held.version
    }

    pub fn list(&self) -> &RevocationList {
        &self.held
    }

    /// The state the held list gives `card` (cancelled, lost or revoked); `None` if it is not
    /// listed, as of the held version.
    pub fn state_of(&self, card: CardId) -> Option<CardState> {
        self.held.state_of(card)
    }

    /// The fetch to send: "anything newer than what I hold".
    pub fn request(&self) -> Message {
        let held_version = self.held.version;
        Message::RevocationListRequest { held_version }
    }

    /// Applies a registry reply; an up-to-date answer changes nothing.
    pub fn apply_fetch(
        &mut self,
        outcome: &RevocationListFetch,
    ) -> Result<CacheUpdate, RevocationListError> {
        match outcome {
            RevocationListFetch::Newer { list } => self.apply(list),
            RevocationListFetch::UpToDate { version } => Ok(CacheUpdate::Kept {
                held_version: self.held.version,
                offered_version: *version,
            }),
        }
    }

    /// Applies `signed` if its signature verifies under the configured key and its version
    /// is newer than the held one; otherwise the held list stays.
    pub fn apply(
        &mut self,
        signed: &SignedRevocationList,
    ) -> Result<CacheUpdate, RevocationListError> {
        let list = signed.verify(&self.key)?;
        let held_version = self.held.version;
        if list.version <= held_version {
            let offered_version = list.version;
            return Ok(CacheUpdate::Kept {
                held_version,
                offered_version,
            });
        }
        let to_version = list.version;
        self.held = list;
        Ok(CacheUpdate::Applied {
            from_version: held_version,
            to_version,
        })
    }
}
