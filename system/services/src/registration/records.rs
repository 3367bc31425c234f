//! The registration service's journal records: what it must remember across crashes.
//!
//! Fixed layouts, little-endian; a record's tag and length together select its layout, so a
//! record of the wrong length is refused rather than half-read.

use crate::messages::{
    AcknowledgementReference, ApplicationId, BiometricDigest, CardId, CentreId, EFormReference,
    IdentityEvidence, ManualIdentityBasis, OfficerId, ResidentId,
};
use crate::records::{JournalRecord, tag, u16_at, u32_at, u64_at};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Record {
    /// The e-form reference and identity evidence are kept for the audit trail: no decision
    /// of the service reads them, so they live only here.
    Opened {
        application: ApplicationId,
        resident: ResidentId,
        centre: CentreId,
        old_card: CardId,
        eform: EFormReference,
        identity: IdentityEvidence,
        thumbs: BiometricDigest,
    },
    /// The duplicate check found the thumbs enrolled by `enrolled_by`.
    Held {
        application: ApplicationId,
        enrolled_by: ResidentId,
    },
    /// The acknowledgement is stored, not re-derived, so it never changes once told, even
    /// if the key that derived it is replaced.
    Accepted {
        application: ApplicationId,
        photo: BiometricDigest,
        officer: OfficerId,
        acknowledgement: AcknowledgementReference,
    },
    /// Production acknowledged the application's card order.
    HandedOff { application: ApplicationId },
}

const OPENED: u8 = 1;
const HELD: u8 = 2;
const ACCEPTED: u8 = 3;
const HANDED_OFF: u8 = 4;

const OPENED_LEN: usize = 1 + 8 + 4 + 2 + 8 + 8 + 3 + 8;
const HELD_LEN: usize = 1 + 8 + 4;
const ACCEPTED_LEN: usize = 1 + 8 + 8 + 2 + 8;
const HANDED_OFF_LEN: usize = 1 + 8;

/// Identity evidence as (kind, officer): kind 0 is the kiosk (no officer), 1 to 3 an officer
/// and the basis of the manual check.
fn encode_identity(identity: IdentityEvidence) -> (u8, u16) {
    match identity {
        IdentityEvidence::KioskThumbs => (0, 0),
        IdentityEvidence::Officer { officer, basis } => {
            let kind = match basis {
                ManualIdentityBasis::FingerprintsNotVerified => 1,
                ManualIdentityBasis::OldCardUnreadable => 2,
                ManualIdentityBasis::KioskUnavailable => 3,
            };
            (kind, officer.0)
        }
    }
}

/// The inverse of [`encode_identity`]; `None` for pairs it never produces, so that every
/// record that decodes encodes back to the same bytes.
fn decode_identity(kind: u8, officer: u16) -> Option<IdentityEvidence> {
    let basis = match (kind, officer) {
        (0, 0) => return Some(IdentityEvidence::KioskThumbs),
        (1, _) => ManualIdentityBasis::FingerprintsNotVerified,
        (2, _) => ManualIdentityBasis::OldCardUnreadable,
        (3, _) => ManualIdentityBasis::KioskUnavailable,
        _ => return None,
    };
    let officer = OfficerId(officer);
    Some(IdentityEvidence::Officer { officer, basis })
}

impl JournalRecord for Record {
    const SERVICE: &'static str = "registration";

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(OPENED_LEN);
        match *self {
            Record::Opened {
                application,
                resident,
                centre,
                old_card,
                eform,
                identity,
                thumbs,
            } => {
                let (kind, officer) = encode_identity(identity);
                out.push(OPENED);
                out.extend_from_slice(&application.0.to_le_bytes());
                out.extend_from_slice(&resident.0.to_le_bytes());
                out.extend_from_slice(&centre.0.to_le_bytes());
                out.extend_from_slice(&old_card.0.to_le_bytes());
                out.extend_from_slice(&eform.0.to_le_bytes());
                out.push(kind);
                out.extend_from_slice(&officer.to_le_bytes());
                out.extend_from_slice(&thumbs.0.to_le_bytes());
            }
            Record::Held {
                application,
                enrolled_by,
            } => {
                out.push(HELD);
                out.extend_from_slice(&application.0.to_le_bytes());
                out.extend_from_slice(&enrolled_by.0.to_le_bytes());
            }
            Record::Accepted {
                application,
                photo,
                officer,
                acknowledgement,
            } => {
                out.push(ACCEPTED);
                out.extend_from_slice(&application.0.to_le_bytes());
                out.extend_from_slice(&photo.0.to_le_bytes());
                out.extend_from_slice(&officer.0.to_le_bytes());
                out.extend_from_slice(&acknowledgement.0.to_le_bytes());
            }
            Record::HandedOff { application } => {
                out.push(HANDED_OFF);
                out.extend_from_slice(&application.0.to_le_bytes());
            }
        }
        out
    }

    fn decode_fields(bytes: &[u8]) -> Option<Record> {
        match (tag(bytes), bytes.len()) {
            (OPENED, OPENED_LEN) => decode_opened(bytes),
            (HELD, HELD_LEN) => decode_held(bytes),
            (ACCEPTED, ACCEPTED_LEN) => decode_accepted(bytes),
            (HANDED_OFF, HANDED_OFF_LEN) => u64_at(bytes, 1).map(|number| Record::HandedOff {
                application: ApplicationId(number),
            }),
            _ => None,
        }
    }
}

fn decode_opened(bytes: &[u8]) -> Option<Record> {
    Some(Record::Opened {
        application: ApplicationId(u64_at(bytes, 1)?),
        resident: ResidentId(u32_at(bytes, 9)?),
        centre: CentreId(u16_at(bytes, 13)?),
        old_card: CardId(u64_at(bytes, 15)?),
        eform: EFormReference(u64_at(bytes, 23)?),
        identity: decode_identity(*bytes.get(31)?, u16_at(bytes, 32)?)?,
        thumbs: BiometricDigest(u64_at(bytes, 34)?),
    })
}

fn decode_held(bytes: &[u8]) -> Option<Record> {
    Some(Record::Held {
        application: ApplicationId(u64_at(bytes, 1)?),
        enrolled_by: ResidentId(u32_at(bytes, 9)?),
    })
}

fn decode_accepted(bytes: &[u8]) -> Option<Record> {
    Some(Record::Accepted {
        application: ApplicationId(u64_at(bytes, 1)?),
        photo: BiometricDigest(u64_at(bytes, 9)?),
        officer: OfficerId(u16_at(bytes, 17)?),
        acknowledgement: AcknowledgementReference(u64_at(bytes, 19)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{MalformedRecord, check_decodes_back_or_refuses, check_round_trips};
    use proptest::prelude::*;

    fn identity() -> impl Strategy<Value = IdentityEvidence> {
        let basis = prop_oneof![
            Just(ManualIdentityBasis::FingerprintsNotVerified),
            Just(ManualIdentityBasis::OldCardUnreadable),
            Just(ManualIdentityBasis::KioskUnavailable),
        ];
        prop_oneof![
            Just(IdentityEvidence::KioskThumbs),
            (any::<u16>(), basis).prop_map(|(officer, basis)| IdentityEvidence::Officer {
                officer: OfficerId(officer),
                basis
            }),
        ]
    }

    proptest! {
        #[test]
        fn records_round_trip(
            a in any::<u64>(), r in any::<u32>(), c in any::<u16>(), d in any::<u64>(),
            e in any::<u64>(), identity in identity(),
        ) {
            let records = [
                Record::Opened {
                    application: ApplicationId(a), resident: ResidentId(r), centre: CentreId(c),
                    old_card: CardId(d), eform: EFormReference(e), identity,
                    thumbs: BiometricDigest(d ^ e),
                },
                Record::Held { application: ApplicationId(a), enrolled_by: ResidentId(r) },
                Record::Accepted {
                    application: ApplicationId(a), photo: BiometricDigest(d),
                    officer: OfficerId(c), acknowledgement: AcknowledgementReference(e),
                },
                Record::HandedOff { application: ApplicationId(a) },
            ];
            check_round_trips(records)?;
        }

        /// Any bytes either decode to a record that encodes back to them, or are refused.
        #[test]
        fn decoding_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
            check_decodes_back_or_refuses::<Record>(&bytes)?;
        }

        /// Only an opening's identity kind can spoil a record of the right tag and length.
        #[test]
        fn a_record_of_the_right_tag_and_length_decodes_but_for_its_identity_kind(
            tag in 1u8..5, body in proptest::collection::vec(any::<u8>(), OPENED_LEN),
        ) {
            let len = [OPENED_LEN, HELD_LEN, ACCEPTED_LEN, HANDED_OFF_LEN][usize::from(tag - 1)];
            let mut bytes = body[..len].to_vec();
            bytes[0] = tag;
            let identity_known = tag != OPENED
                || decode_identity(bytes[31], u16_at(&bytes, 32).unwrap()).is_some();
            prop_assert_eq!(Record::decode(&bytes, 3).is_ok(), identity_known);
        }
    }

    #[test]
    fn an_unknown_identity_kind_is_refused_and_names_the_record() {
        let record = Record::Opened {
            application: ApplicationId(1),
            resident: ResidentId(2),
            centre: CentreId(3),
            old_card: CardId(4),
            eform: EFormReference(5),
            identity: IdentityEvidence::KioskThumbs,
            thumbs: BiometricDigest(6),
        };
        let mut bytes = record.encode();
        bytes[31] = 9;
        assert_eq!(
            Record::decode(&bytes, 7),
            Err(MalformedRecord::Undecodable {
                service: "registration",
                index: 7,
                bytes: OPENED_LEN,
                tag: OPENED
            })
        );
    }
}
