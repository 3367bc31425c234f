//! The registry's journal records: what it must remember across crashes.
//!
//! Fixed layouts, little-endian; a record's tag and length together select its layout, so a
//! record of the wrong length is refused rather than half-read. Each record is one atomic
//! step: in particular an activation and the cancellation of the card it replaces are one
//! record, so a crash keeps both or neither.

use crate::messages::{
    AcknowledgementReference, ApplicationId, BiometricDigest, CardId, CentreId, ResidentId,
};
use crate::records::{JournalRecord, tag, u16_at, u32_at, u64_at};

/// What the registry keeps of a dispatch: the card and the application it collects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Dispatched {
    pub(super) card: CardId,
    pub(super) application: ApplicationId,
    pub(super) resident: ResidentId,
    pub(super) centre: CentreId,
    pub(super) acknowledgement: AcknowledgementReference,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Record {
    /// The card is ready at its centre; `withdrawn`, the application's earlier card it
    /// replaces (never activated), is revoked in the same step.
    Ready {
        dispatched: Dispatched,
        withdrawn: Option<CardId>,
    },
    /// A dispatched card that must not become collectable (its application's card was
    /// already collected, or a newer one is ready): revoked on arrival.
    WithdrawnOnArrival {
        dispatched: Dispatched,
    },
    /// The card is active and `cancelled` (the holder's card active until now) cancelled,
    /// in one step. The live thumbs' digest is kept for the audit trail.
    Activated {
        card: CardId,
        cancelled: Option<CardId>,
        live_thumbs: BiometricDigest,
    },
    Lost {
        card: CardId,
    },
    Revoked {
        card: CardId,
    },
}

const READY: u8 = 1;
const WITHDRAWN_ON_ARRIVAL: u8 = 2;
const ACTIVATED: u8 = 3;
const LOST: u8 = 4;
const REVOKED: u8 = 5;

const DISPATCHED_LEN: usize = 8 + 8 + 4 + 2 + 8;
const OPTIONAL_CARD_LEN: usize = 1 + 8;
const READY_LEN: usize = 1 + DISPATCHED_LEN + OPTIONAL_CARD_LEN;
const WITHDRAWN_ON_ARRIVAL_LEN: usize = 1 + DISPATCHED_LEN;
const ACTIVATED_LEN: usize = 1 + 8 + OPTIONAL_CARD_LEN + 8;
const CARD_ONLY_LEN: usize = 1 + 8;

impl JournalRecord for Record {
    const SERVICE: &'static str = "registry";

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(READY_LEN);
        match *self {
            Record::Ready {
                dispatched,
                withdrawn,
            } => {
                out.push(READY);
                encode_dispatched(&mut out, dispatched);
                encode_optional_card(&mut out, withdrawn);
            }
            Record::WithdrawnOnArrival { dispatched } => {
                out.push(WITHDRAWN_ON_ARRIVAL);
                encode_dispatched(&mut out, dispatched);
            }
            Record::Activated {
                card,
                cancelled,
                live_thumbs,
            } => {
                out.push(ACTIVATED);
                out.extend_from_slice(&card.0.to_le_bytes());
                encode_optional_card(&mut out, cancelled);
                out.extend_from_slice(&live_thumbs.0.to_le_bytes());
            }
            Record::Lost { card } => {
                out.push(LOST);
                out.extend_from_slice(&card.0.to_le_bytes());
            }
            Record::Revoked { card } => {
                out.push(REVOKED);
                out.extend_from_slice(&card.0.to_le_bytes());
            }
        }
        out
    }

    fn decode_fields(bytes: &[u8]) -> Option<Record> {
        match (tag(bytes), bytes.len()) {
            (READY, READY_LEN) => decode_dispatched(bytes, 1).and_then(|dispatched| {
                let withdrawn = decode_optional_card(bytes, 1 + DISPATCHED_LEN)?;
                Some(Record::Ready {
                    dispatched,
                    withdrawn,
                })
            }),
            (WITHDRAWN_ON_ARRIVAL, WITHDRAWN_ON_ARRIVAL_LEN) => decode_dispatched(bytes, 1)
                .map(|dispatched| Record::WithdrawnOnArrival { dispatched }),
            (ACTIVATED, ACTIVATED_LEN) => decode_activated(bytes),
            (LOST, CARD_ONLY_LEN) => {
                u64_at(bytes, 1).map(|card| Record::Lost { card: CardId(card) })
            }
            (REVOKED, CARD_ONLY_LEN) => {
                u64_at(bytes, 1).map(|card| Record::Revoked { card: CardId(card) })
            }
            _ => None,
        }
    }
}

fn encode_dispatched(out: &mut Vec<u8>, dispatched: Dispatched) {
    out.extend_from_slice(&dispatched.card.0.to_le_bytes());
    out.extend_from_slice(&dispatched.application.0.to_le_bytes());
    out.extend_from_slice(&dispatched.resident.0.to_le_bytes());
    out.extend_from_slice(&dispatched.centre.0.to_le_bytes());
    out.extend_from_slice(&dispatched.acknowledgement.0.to_le_bytes());
}

/// A flag byte then the number; an absent card is all zeros, so every record that decodes
/// encodes back to the same bytes.
fn encode_optional_card(out: &mut Vec<u8>, card: Option<CardId>) {
    out.push(u8::from(card.is_some()));
    out.extend_from_slice(&card.map_or(0, |card| card.0).to_le_bytes());
}

fn decode_dispatched(bytes: &[u8], at: usize) -> Option<Dispatched> {
    Some(Dispatched {
        card: CardId(u64_at(bytes, at)?),
        application: ApplicationId(u64_at(bytes, at + 8)?),
        resident: ResidentId(u32_at(bytes, at + 16)?),
        centre: CentreId(u16_at(bytes, at + 20)?),
        acknowledgement: AcknowledgementReference(u64_at(bytes, at + 22)?),
    })
}

/// `Some(None)` for an absent card, `None` for bytes [`encode_optional_card`] never writes.
fn decode_optional_card(bytes: &[u8], at: usize) -> Option<Option<CardId>> {
    match (*bytes.get(at)?, u64_at(bytes, at + 1)?) {
        (0, 0) => Some(None),
        (1, card) => Some(Some(CardId(card))),
        _ => None,
    }
}

fn decode_activated(bytes: &[u8]) -> Option<Record> {
    Some(Record::Activated {
        card: CardId(u64_at(bytes, 1)?),
        cancelled: decode_optional_card(bytes, 9)?,
        live_thumbs: BiometricDigest(u64_at(bytes, 9 + OPTIONAL_CARD_LEN)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{MalformedRecord, check_decodes_back_or_refuses, check_round_trips};
    use proptest::prelude::*;

    fn optional_card() -> impl Strategy<Value = Option<CardId>> {
        proptest::option::of(any::<u64>().prop_map(CardId))
    }

    proptest! {
        #[test]
        fn records_round_trip(
            card in any::<u64>(), application in any::<u64>(), resident in any::<u32>(),
            centre in any::<u16>(), acknowledgement in any::<u64>(), other in optional_card(),
        ) {
            let dispatched = Dispatched {
                card: CardId(card),
                application: ApplicationId(application),
                resident: ResidentId(resident),
                centre: CentreId(centre),
                acknowledgement: AcknowledgementReference(acknowledgement),
            };
            let records = [
                Record::Ready { dispatched, withdrawn: other },
                Record::WithdrawnOnArrival { dispatched },
                Record::Activated {
                    card: CardId(card), cancelled: other,
                    live_thumbs: BiometricDigest(acknowledgement),
                },
                Record::Lost { card: CardId(card) },
                Record::Revoked { card: CardId(card) },
            ];
            check_round_trips(records)?;
        }

        /// Any bytes either decode to a record that encodes back to them, or are refused.
        #[test]
        fn decoding_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
            check_decodes_back_or_refuses::<Record>(&bytes)?;
        }

        /// A record of a known tag and its length decodes unless its optional card's flag is
        /// not one the encoder writes.
        #[test]
        fn a_record_of_the_right_tag_and_length_decodes_but_for_its_card_flag(
            tag in 1u8..6, body in proptest::collection::vec(any::<u8>(), READY_LEN),
            flag in 0u8..3,
        ) {
            let len = [READY_LEN, WITHDRAWN_ON_ARRIVAL_LEN, ACTIVATED_LEN, CARD_ONLY_LEN,
                CARD_ONLY_LEN][usize::from(tag - 1)];
            let mut bytes = body[..len].to_vec();
            bytes[0] = tag;
            let flag_at = match tag {
                READY => Some(1 + DISPATCHED_LEN),
                ACTIVATED => Some(9),
                _ => None,
            };
            let mut flag_ok = true;
            if let Some(at) = flag_at {
                bytes[at] = flag;
                flag_ok = flag == 1 || (flag == 0 && u64_at(&bytes, at + 1) == Some(0));
            }
            prop_assert_eq!(Record::decode(&bytes, 3).is_ok(), flag_ok);
        }
    }

    #[test]
    fn a_record_of_the_wrong_length_is_refused_and_names_the_record() {
        let mut bytes = Record::Lost { card: CardId(4) }.encode();
        bytes.push(0);
        assert_eq!(
            Record::decode(&bytes, 7),
            Err(MalformedRecord::Undecodable {
                service: "registry",
                index: 7,
                bytes: CARD_ONLY_LEN + 1,
                tag: LOST
            })
        );
    }
}
