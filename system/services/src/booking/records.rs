//! The booking service's journal records: what it must remember across crashes.

use hkic_base::Date;

use super::slots::SlotId;
use crate::messages::{BookingId, CentreId, EFormDigest, EFormReference, ResidentId};
use crate::records::{i32_at, tag, u16_at, u32_at, u64_at};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    Booked {
        booking: BookingId,
        resident: ResidentId,
        /// The year of birth given: a later move stays within its call-up window.
        born: u16,
        slot: SlotId,
    },
    CheckedIn {
        booking: BookingId,
        ticket: u16,
    },
    WalkIn {
        resident: ResidentId,
        centre: CentreId,
        day: Date,
        ticket: u16,
    },
    Cancelled {
        booking: BookingId,
    },
    /// A booking moved to another slot.
    Moved {
        booking: BookingId,
        slot: SlotId,
    },
    /// A resident's pre-filled e-form.
    EFormStored {
        reference: EFormReference,
        resident: ResidentId,
        digest: EFormDigest,
    },
}

/// A record that does not decode: a bug, since the journal's checksum vouched for the bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("booking journal record {index} is malformed ({bytes} bytes, tag {tag})")]
pub struct MalformedRecord {
    pub index: usize,
    pub bytes: usize,
    pub tag: u8,
}

const BOOKED: u8 = 1;
const CHECKED_IN: u8 = 2;
const WALK_IN: u8 = 3;
const EFORM_STORED: u8 = 4;
const CANCELLED: u8 = 5;
const MOVED: u8 = 6;

impl Record {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16);
        match *self {
            Record::Booked {
                booking,
                resident,
                born,
                slot,
            } => {
                out.push(BOOKED);
                out.extend_from_slice(&booking.0.to_le_bytes());
                out.extend_from_slice(&resident.0.to_le_bytes());
                out.extend_from_slice(&slot.0.to_le_bytes());
                out.extend_from_slice(&born.to_le_bytes());
            }
            Record::CheckedIn { booking, ticket } => {
                out.push(CHECKED_IN);
                out.extend_from_slice(&booking.0.to_le_bytes());
                out.extend_from_slice(&ticket.to_le_bytes());
            }
            Record::WalkIn {
                resident,
                centre,
                day,
                ticket,
            } => {
                out.push(WALK_IN);
                out.extend_from_slice(&resident.0.to_le_bytes());
                out.extend_from_slice(&centre.0.to_le_bytes());
                out.extend_from_slice(&day.days_since_epoch().to_le_bytes());
                out.extend_from_slice(&ticket.to_le_bytes());
            }
            Record::EFormStored {
                reference,
                resident,
                digest,
            } => {
                out.push(EFORM_STORED);
                out.extend_from_slice(&reference.0.to_le_bytes());
                out.extend_from_slice(&resident.0.to_le_bytes());
                out.extend_from_slice(&digest.0.to_le_bytes());
            }
            Record::Cancelled { booking } => {
                out.push(CANCELLED);
                out.extend_from_slice(&booking.0.to_le_bytes());
            }
            Record::Moved { booking, slot } => {
                out.push(MOVED);
                out.extend_from_slice(&booking.0.to_le_bytes());
                out.extend_from_slice(&slot.0.to_le_bytes());
            }
        }
        out
    }

    pub fn decode(bytes: &[u8], index: usize) -> Result<Record, MalformedRecord> {
        decode_fields(bytes).ok_or(MalformedRecord {
            index,
            bytes: bytes.len(),
            tag: tag(bytes),
        })
    }
}

/// The record `bytes` hold; `None` for a tag and length that select no layout.
fn decode_fields(bytes: &[u8]) -> Option<Record> {
    let record = match (tag(bytes), bytes.len()) {
        (BOOKED, 15) => Record::Booked {
            booking: BookingId(u32_at(bytes, 1)?),
            resident: ResidentId(u32_at(bytes, 5)?),
            slot: SlotId(u32_at(bytes, 9)?),
            born: u16_at(bytes, 13)?,
        },
        (CHECKED_IN, 7) => Record::CheckedIn {
            booking: BookingId(u32_at(bytes, 1)?),
            ticket: u16_at(bytes, 5)?,
        },
        (WALK_IN, 13) => Record::WalkIn {
            resident: ResidentId(u32_at(bytes, 1)?),
            centre: CentreId(u16_at(bytes, 5)?),
            day: Date::from_days_since_epoch(i32_at(bytes, 7)?),
            ticket: u16_at(bytes, 11)?,
        },
        (EFORM_STORED, 21) => Record::EFormStored {
            reference: EFormReference(u64_at(bytes, 1)?),
            resident: ResidentId(u32_at(bytes, 9)?),
            digest: EFormDigest(u64_at(bytes, 13)?),
        },
        (CANCELLED, 5) => Record::Cancelled {
            booking: BookingId(u32_at(bytes, 1)?),
        },
        (MOVED, 9) => Record::Moved {
            booking: BookingId(u32_at(bytes, 1)?),
            slot: SlotId(u32_at(bytes, 5)?),
        },
        _ => return None,
    };
    Some(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn records_round_trip(a in any::<u32>(), b in any::<u32>(), c in any::<u32>(), t in any::<u16>(), d in -10_000i32..100_000, r in any::<u64>(), g in any::<u64>()) {
            let records = [
                Record::Booked { booking: BookingId(a), resident: ResidentId(b), born: t, slot: SlotId(c) },
                Record::CheckedIn { booking: BookingId(a), ticket: t },
                Record::WalkIn { resident: ResidentId(b), centre: CentreId(t), day: Date::from_days_since_epoch(d), ticket: t },
                Record::EFormStored { reference: EFormReference(r), resident: ResidentId(b), digest: EFormDigest(g) },
                Record::Cancelled { booking: BookingId(a) },
                Record::Moved { booking: BookingId(a), slot: SlotId(c) },
            ];
            for record in records {
                prop_assert_eq!(Record::decode(&record.encode(), 0), Ok(record));
            }
        }

        #[test]
        fn decoding_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..24)) {
            let _ = Record::decode(&bytes, 0);
        }
    }
}
