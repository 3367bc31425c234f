//! The production service's journal records: what it must remember across crashes.
//!
//! Fixed layouts, little-endian; a record's tag and length together select its layout, so a
//! record of the wrong length is refused rather than half-read.

use hkic_base::Date;

use crate::messages::{
    AcknowledgementReference, ApplicationId, BiometricDigest, CardId, CardOrder, CentreId,
    ResidentId,
};
use crate::records::{JournalRecord, i32_at, tag, u16_at, u32_at, u64_at};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Record {
    /// The batch day is decided on receipt and stored, so recovery never re-decides it.
    OrderReceived { order: CardOrder, batch_day: Date },
    /// A fresh card number for the order: its first card, or a re-make.
    CardAllocated {
        application: ApplicationId,
        card: CardId,
    },
    /// The personalisation line's answer for the order's current card.
    Personalised {
        application: ApplicationId,
        card: CardId,
        verified: bool,
    },
    /// The card registry acknowledged the card's dispatch.
    Dispatched {
        application: ApplicationId,
        card: CardId,
    },
}

const ORDER_RECEIVED: u8 = 1;
const CARD_ALLOCATED: u8 = 2;
const PERSONALISED: u8 = 3;
const DISPATCHED: u8 = 4;

const ORDER_LEN: usize = 8 + 4 + 2 + 8 + 8 + 8 + 8;
const ORDER_RECEIVED_LEN: usize = 1 + ORDER_LEN + 4;
const CARD_ALLOCATED_LEN: usize = 1 + 8 + 8;
const PERSONALISED_LEN: usize = 1 + 8 + 8 + 1;
const DISPATCHED_LEN: usize = 1 + 8 + 8;

impl JournalRecord for Record {
    const SERVICE: &'static str = "production";

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ORDER_RECEIVED_LEN);
        match *self {
            Record::OrderReceived { order, batch_day } => {
                out.push(ORDER_RECEIVED);
                encode_order(&mut out, &order);
                out.extend_from_slice(&batch_day.days_since_epoch().to_le_bytes());
            }
            Record::CardAllocated { application, card } => {
                out.push(CARD_ALLOCATED);
                out.extend_from_slice(&application.0.to_le_bytes());
                out.extend_from_slice(&card.0.to_le_bytes());
            }
            Record::Personalised {
                application,
                card,
                verified,
            } => {
                out.push(PERSONALISED);
                out.extend_from_slice(&application.0.to_le_bytes());
                out.extend_from_slice(&card.0.to_le_bytes());
                out.push(u8::from(verified));
            }
            Record::Dispatched { application, card } => {
                out.push(DISPATCHED);
                out.extend_from_slice(&application.0.to_le_bytes());
                out.extend_from_slice(&card.0.to_le_bytes());
            }
        }
        out
    }

    fn decode_fields(bytes: &[u8]) -> Option<Record> {
        match (tag(bytes), bytes.len()) {
            (ORDER_RECEIVED, ORDER_RECEIVED_LEN) => decode_order_received(bytes),
            (CARD_ALLOCATED, CARD_ALLOCATED_LEN) => application_and_card(bytes)
                .map(|(application, card)| Record::CardAllocated { application, card }),
            (PERSONALISED, PERSONALISED_LEN) => decode_personalised(bytes),
            (DISPATCHED, DISPATCHED_LEN) => application_and_card(bytes)
                .map(|(application, card)| Record::Dispatched { application, card }),
            _ => None,
        }
    }
}

fn encode_order(out: &mut Vec<u8>, order: &CardOrder) {
    out.extend_from_slice(&order.application.0.to_le_bytes());
    out.extend_from_slice(&order.resident.0.to_le_bytes());
    out.extend_from_slice(&order.centre.0.to_le_bytes());
    out.extend_from_slice(&order.acknowledgement.0.to_le_bytes());
    out.extend_from_slice(&order.old_card.0.to_le_bytes());
    out.extend_from_slice(&order.thumbs.0.to_le_bytes());
    out.extend_from_slice(&order.photo.0.to_le_bytes());
}

fn decode_order_received(bytes: &[u8]) -> Option<Record> {
    let order = CardOrder {
        application: ApplicationId(u64_at(bytes, 1)?),
        resident: ResidentId(u32_at(bytes, 9)?),
        centre: CentreId(u16_at(bytes, 13)?),
        acknowledgement: AcknowledgementReference(u64_at(bytes, 15)?),
        old_card: CardId(u64_at(bytes, 23)?),
        thumbs: BiometricDigest(u64_at(bytes, 31)?),
        photo: BiometricDigest(u64_at(bytes, 39)?),
    };
    let batch_day = Date::from_days_since_epoch(i32_at(bytes, 47)?);
    Some(Record::OrderReceived { order, batch_day })
}

/// The application and card of a `CardAllocated` or `Dispatched` record.
fn application_and_card(bytes: &[u8]) -> Option<(ApplicationId, CardId)> {
    Some((ApplicationId(u64_at(bytes, 1)?), CardId(u64_at(bytes, 9)?)))
}

fn decode_personalised(bytes: &[u8]) -> Option<Record> {
    let (application, card) = application_and_card(bytes)?;
    let verified = match bytes.get(17)? {
        0 => false,
        1 => true,
        _ => return None,
    };
    Some(Record::Personalised {
        application,
        card,
        verified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{check_decodes_back_or_refuses, check_round_trips};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn records_round_trip(
            a in any::<u64>(), r in any::<u32>(), c in any::<u16>(), d in any::<u64>(),
            e in any::<u64>(), days in any::<i32>(), verified in any::<bool>(),
        ) {
            let order = CardOrder {
                application: ApplicationId(a), resident: ResidentId(r), centre: CentreId(c),
                acknowledgement: AcknowledgementReference(d), old_card: CardId(e),
                thumbs: BiometricDigest(d ^ e), photo: BiometricDigest(d.wrapping_add(e)),
            };
            let (application, card) = (ApplicationId(a), CardId(d));
            let records = [
                Record::OrderReceived { order, batch_day: Date::from_days_since_epoch(days) },
                Record::CardAllocated { application, card },
                Record::Personalised { application, card, verified },
                Record::Dispatched { application, card },
            ];
            check_round_trips(records)?;
        }

        /// Any bytes either decode to a record that encodes back to them, or are refused.
        #[test]
        fn decoding_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..60)) {
            check_decodes_back_or_refuses::<Record>(&bytes)?;
        }
    }

    #[test]
    fn a_verdict_other_than_zero_or_one_is_refused_and_names_the_record() {
        let record = Record::Personalised {
            application: ApplicationId(1),
            card: CardId(2),
            verified: true,
        };
        let mut bytes = record.encode();
        bytes[17] = 2;
        let error = Record::decode(&bytes, 5).unwrap_err();
        assert_eq!(
            error.to_string(),
            "production journal record 5 does not decode (18 bytes, tag 3)"
        );
    }
}
