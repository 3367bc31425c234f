//! Fetching the registry's signed revocation list: a gate or verifier says which version it
//! holds, and the registry answers with a newer signed list, or that there is none.
//!
//! The one message that is not fixed-size: a list names every withdrawn card. It travels
//! behind an `Arc`, so a duplicated or retried delivery copies a pointer, and the registry
//! signs each version once however many ask for it. Fetches are read-only and may be
//! repeated, duplicated and reordered freely: the consumer keeps the newest list whose
//! signature verifies (`hkic_terminals::revocation_list_cache`).

use std::sync::Arc;

use crate::registry::SignedRevocationList;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevocationListFetch {
    /// The registry's durable list is not newer than the asker's: `version` is its version.
    UpToDate { version: u64 },
    /// A newer list, signed.
    Newer { list: Arc<SignedRevocationList> },
}

impl RevocationListFetch {
    pub fn name(&self) -> &'static str {
        match self {
            RevocationListFetch::UpToDate { .. } => "up_to_date",
            RevocationListFetch::Newer { .. } => "newer",
        }
    }
}
