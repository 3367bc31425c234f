//! What the services' journal records share: fixed little-endian layouts read at offsets, the
//! error for a record recovery cannot use, and replaying recovered records into a state.
//!
//! Each service's own `records.rs` owns its layouts (a record's tag and length together
//! select one, so a record of the wrong length is refused rather than half-read); the readers
//! here return `None` past the end of the bytes, so decoding never panics.

#[cfg(test)]
use proptest::prelude::*;

/// A service's journal record, in its fixed layouts.
pub(crate) trait JournalRecord: Sized {
    /// Names the service's journal in a [`MalformedRecord`]: "registry".
    const SERVICE: &'static str;

    fn encode(&self) -> Vec<u8>;

    /// The record the bytes hold; `None` for bytes the encoder never writes.
    fn decode_fields(bytes: &[u8]) -> Option<Self>;

    /// `index` is the record's place in the journal, for the error.
    fn decode(bytes: &[u8], index: usize) -> Result<Self, MalformedRecord> {
        Self::decode_fields(bytes).ok_or_else(|| MalformedRecord::Undecodable {
            service: Self::SERVICE,
            index,
            bytes: bytes.len(),
            tag: tag(bytes),
        })
    }
}

/// A journal record the service cannot use: a bug (the journal's checksum vouched for the
/// bytes), so recovery stops rather than guess. `service` names the journal: "registry".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MalformedRecord {
    #[error("{service} journal record {index} does not decode ({bytes} bytes, tag {tag})")]
    Undecodable {
        service: &'static str,
        index: usize,
        bytes: usize,
        tag: u8,
    },
    #[error("{service} journal record {index} contradicts the records before it: {problem}")]
    Inconsistent {
        service: &'static str,
        index: usize,
        problem: &'static str,
    },
}

/// Replays recovered records in journal order: decodes each and applies it to the state,
/// which refuses a record that contradicts the ones before it. The first record that does
/// not decode or is refused stops recovery.
pub(crate) fn replay<R: JournalRecord>(
    records: &[Vec<u8>],
    mut apply: impl FnMut(R) -> Result<(), &'static str>,
) -> Result<(), MalformedRecord> {
    for (index, bytes) in records.iter().enumerate() {
        let record = R::decode(bytes, index)?;
        apply(record).map_err(|problem| MalformedRecord::Inconsistent {
            service: R::SERVICE,
            index,
            problem,
        })?;
    }
    Ok(())
}

/// For the records' property tests: every record encodes to bytes that decode to it.
#[cfg(test)]
pub(crate) fn check_round_trips<R>(
    records: impl IntoIterator<Item = R>,
) -> Result<(), TestCaseError>
where
    R: JournalRecord + PartialEq + std::fmt::Debug,
{
    for record in records {
        let bytes = record.encode();
        prop_assert_eq!(R::decode(&bytes, 0), Ok(record));
    }
    Ok(())
}

/// For the records' property tests: bytes either decode to a record that encodes back to
/// them, or are refused (and never panic).
#[cfg(test)]
pub(crate) fn check_decodes_back_or_refuses<R: JournalRecord>(
    bytes: &[u8],
) -> Result<(), TestCaseError> {
    if let Ok(record) = R::decode(bytes, 0) {
        prop_assert_eq!(record.encode(), bytes);
    }
    Ok(())
}

/// The record's tag: its first byte, or 0 (no record's tag) for an empty record.
pub(crate) fn tag(bytes: &[u8]) -> u8 {
    bytes.first().copied().unwrap_or(0)
}

pub(crate) fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

pub(crate) fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

pub(crate) fn i32_at(bytes: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

pub(crate) fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest! {
        /// Reading at any offset of any bytes never panics, and reads what was written.
        #[test]
        fn readers_read_little_endian_and_refuse_past_the_end(
            bytes in proptest::collection::vec(any::<u8>(), 0..16), at in 0usize..20,
        ) {
            let fits = |len: usize| at + len <= bytes.len();
            prop_assert_eq!(u16_at(&bytes, at).is_some(), fits(2));
            prop_assert_eq!(u32_at(&bytes, at).is_some(), fits(4));
            prop_assert_eq!(i32_at(&bytes, at).is_some(), fits(4));
            prop_assert_eq!(u64_at(&bytes, at).is_some(), fits(8));
            if fits(8) {
                let mut word = [0; 8];
                word.copy_from_slice(&bytes[at..at + 8]);
                prop_assert_eq!(u64_at(&bytes, at), Some(u64::from_le_bytes(word)));
            }
        }
    }

    /// A one-byte record.
    #[derive(Debug, PartialEq)]
    struct Byte(u8);

    impl JournalRecord for Byte {
        const SERVICE: &'static str = "test";

        fn encode(&self) -> Vec<u8> {
            vec![self.0]
        }

        fn decode_fields(bytes: &[u8]) -> Option<Byte> {
            match bytes {
                [value] => Some(Byte(*value)),
                _ => None,
            }
        }
    }

    #[test]
    fn replay_names_the_first_record_it_cannot_use() {
        let records = [vec![1], vec![2], vec![], vec![3]];
        let mut applied = Vec::new();
        let error = replay(&records, |Byte(value)| {
            applied.push(value);
            Ok(())
        });
        assert_eq!(
            error.unwrap_err().to_string(),
            "test journal record 2 does not decode (0 bytes, tag 0)"
        );
        assert_eq!(applied, [1, 2]);
        let refuse_two = |Byte(value)| if value == 2 { Err("two") } else { Ok(()) };
        let error = replay(&records, refuse_two).unwrap_err();
        let expected = MalformedRecord::Inconsistent {
            service: "test",
            index: 1,
            problem: "two",
        };
        assert_eq!(error, expected);
    }
}
