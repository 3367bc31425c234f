//! The revocation-list cache of gates and verifiers: only lists signed with the registry's
//! key are applied, only newer ones, whatever order, duplicates and forgeries the network
//! delivers.

use std::sync::{Arc, OnceLock};

use hkic_services::messages::{CardId, RevocationListFetch};
use hkic_services::registry::{
    CardState, ListedCard, RevocationList, RevocationListError, RevocationListSigningKey,
    SignedRevocationList,
};
use hkic_terminals::revocation_list_cache::{CacheUpdate, RevocationListCache};
use proptest::prelude::*;

const VERSIONS: u64 = 6;

fn registry_key() -> RevocationListSigningKey {
    RevocationListSigningKey::from_scalar(&[0x42; 32]).unwrap()
}

fn another_key() -> RevocationListSigningKey {
    RevocationListSigningKey::from_scalar(&[0x17; 32]).unwrap()
}

/// Version `version` of a registry's list: one more card withdrawn per version.
fn list(version: u64) -> RevocationList {
    let states = [CardState::Cancelled, CardState::Lost, CardState::Revoked];
    let entry = |number: u64| ListedCard {
        card: CardId(number * 10),
        state: states[(number % 3) as usize],
    };
    let entries = (1..=version).map(entry).collect();
    RevocationList { version, entries }
}

/// Every version signed by the registry, by another key, and altered after signing.
struct Lists {
    genuine: Vec<SignedRevocationList>,
    other_key: Vec<SignedRevocationList>,
    tampered: Vec<SignedRevocationList>,
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| {
        let signed = |key: &RevocationListSigningKey| -> Vec<SignedRevocationList> {
            (0..=VERSIONS)
                .map(|version| SignedRevocationList::sign(&list(version), key))
                .collect()
        };
        let genuine = signed(&registry_key());
        let tampered = genuine
            .iter()
            .map(|signed| {
                let mut tampered = signed.clone();
                // The version (byte 4) raised: a replayed list passed off as newer.
                tampered.encoded[4] += 1;
                tampered
            })
            .collect();
        Lists {
            genuine,
            other_key: signed(&another_key()),
            tampered,
        }
    })
}

#[derive(Clone, Copy, Debug)]
enum Offer {
    Genuine(u64),
    OtherKey(u64),
    Tampered(u64),
}

fn offer() -> impl Strategy<Value = Offer> {
    let version = 0..=VERSIONS;
    prop_oneof![
        6 => version.clone().prop_map(Offer::Genuine),
        1 => version.clone().prop_map(Offer::OtherKey),
        1 => version.prop_map(Offer::Tampered),
    ]
}

#[test]
fn a_newer_list_is_applied_and_a_stale_one_never_replaces_it() {
    let lists = lists();
    let mut cache = RevocationListCache::new(registry_key().verifying_key());
    assert_eq!(cache.version(), 0);
    let applied = CacheUpdate::Applied {
        from_version: 0,
        to_version: 3,
    };
    assert_eq!(cache.apply(&lists.genuine[3]), Ok(applied));
    assert_eq!(cache.state_of(CardId(20)), Some(CardState::Revoked));
    let kept = CacheUpdate::Kept {
        held_version: 3,
        offered_version: 2,
    };
    assert_eq!(cache.apply(&lists.genuine[2]), Ok(kept), "late reply");
    assert_eq!(cache.list(), &list(3));
    let up_to_date = RevocationListFetch::UpToDate { version: 3 };
    assert!(matches!(
        cache.apply_fetch(&up_to_date),
        Ok(CacheUpdate::Kept { .. })
    ));
    let newer = RevocationListFetch::Newer {
        list: Arc::new(lists.genuine[4].clone()),
    };
    assert!(matches!(
        cache.apply_fetch(&newer),
        Ok(CacheUpdate::Applied { to_version: 4, .. })
    ));
    assert_eq!(
        cache.request(),
        hkic_services::messages::Message::RevocationListRequest { held_version: 4 }
    );
}

#[test]
fn a_tampered_list_or_another_keys_is_rejected_with_a_typed_error() {
    let lists = lists();
    let mut cache = RevocationListCache::new(registry_key().verifying_key());
    let refused = Err(RevocationListError::BadSignature);
    assert_eq!(cache.apply(&lists.other_key[5]), refused);
    assert_eq!(cache.apply(&lists.tampered[5]), refused);
    let mut dropped_card = lists.genuine[5].clone();
    dropped_card
        .encoded
        .truncate(dropped_card.encoded.len() - 9);
    assert_eq!(cache.apply(&dropped_card), refused);
    assert_eq!((cache.version(), cache.list()), (0, &list(0)));
}

proptest! {
    /// Any interleaving of duplicated, reordered, forged and altered lists: the cache holds
    /// the newest genuine list offered so far, exactly, and its version never goes back.
    #[test]
    fn a_stale_list_is_never_applied_over_a_newer_one(
        offers in proptest::collection::vec(offer(), 1..40),
    ) {
        let lists = lists();
        let mut cache = RevocationListCache::new(registry_key().verifying_key());
        let mut newest = 0;
        for offer in offers {
            let before = cache.version();
            let outcome = match offer {
                Offer::Genuine(version) => cache.apply(&lists.genuine[version as usize]),
                Offer::OtherKey(version) => cache.apply(&lists.other_key[version as usize]),
                Offer::Tampered(version) => cache.apply(&lists.tampered[version as usize]),
            };
            match offer {
                Offer::Genuine(version) if version > newest => {
                    let applied = CacheUpdate::Applied { from_version: newest, to_version: version };
                    prop_assert_eq!(outcome, Ok(applied));
                    newest = version;
                }
                Offer::Genuine(version) => {
                    let kept = CacheUpdate::Kept { held_version: newest, offered_version: version };
                    prop_assert_eq!(outcome, Ok(kept));
                }
                Offer::OtherKey(_) | Offer::Tampered(_) => {
                    prop_assert_eq!(outcome, Err(RevocationListError::BadSignature));
                }
            }
            prop_assert!(cache.version() >= before, "the version went back");
            prop_assert_eq!(cache.version(), newest);
            prop_assert_eq!(cache.list(), &list(newest));
        }
    }
}
