//! A durable, self-verifying write-ahead journal, driven sans-IO.
//!
//! Services append records and learn when they are durable; they answer a client only after
//! everything the answer depends on is durable. The journal defends against the disk faults
//! the simulator injects:
//! - **torn and corrupt writes**: every record is framed with a magic number, its length, a
//!   sequence number and an xxh3 checksum; recovery skips damaged bytes and resynchronises on
//!   the next valid frame;
//! - **lost writes** (the disk acknowledges a sync but the data never reaches the media):
//!   after each sync the journal reads the batch back from the media and compares; on any
//!   difference it appends the batch again. Duplicate copies are harmless: recovery keeps
//!   one record per sequence number.
//!
//! One batch is in flight at a time (group commit): records appended meanwhile wait for the
//! next batch. A batch that fails verification `MAX_ATTEMPTS` times makes the journal report
//! [`Progress::Failed`]; the service then halts and restarts from the media (fail-stop).

use std::collections::VecDeque;

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::io::{DiskCompletion, DiskRequest, FileNumber};

const MAGIC: u32 = 0x4A4B_4948;
const HEADER_LEN: usize = 24;
/// Records larger than this are refused on append and treated as damage on recovery.
pub const MAX_RECORD_LEN: usize = 1 << 20;
const MAX_ATTEMPTS: u32 = 16;

#[derive(Debug)]
enum Stage {
    Syncing { token: u64 },
    Verifying { token: u64 },
}

#[derive(Debug)]
struct Flight {
    bytes: Vec<u8>,
    offset: u64,
    end_sequence: u64,
    attempt: u32,
    stage: Stage,
}

/// What a disk completion meant for the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Nothing changed for the service (an intermediate step, or a stale completion).
    Pending,
    /// Every record with a sequence number below `through` is durable and verified.
    Committed { through: u64 },
    /// A batch could not be made durable; the service must halt.
    Failed,
}

/// What recovery found on the media.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    pub records: u64,
    /// Extra copies of accepted records (rewritten after a failed verification).
    pub duplicates: u64,
    /// Valid records after a gap: from a batch that was never verified.
    pub orphaned: u64,
    /// Bytes that belonged to no valid record (torn tails, corrupt records, lost-write gaps).
    pub skipped_bytes: u64,
}

#[derive(Debug)]
pub struct Journal {
    file: FileNumber,
    next_sequence: u64,
    committed: u64,
    media_len: u64,
    queued: Vec<u8>,
    flight: Option<Flight>,
    next_token: u64,
    requests: VecDeque<DiskRequest>,
}

impl Journal {
    /// An empty journal on an empty file.
    pub fn new(file: FileNumber) -> Journal {
        Journal {
            file,
            next_sequence: 0,
            committed: 0,
            media_len: 0,
            queued: Vec::new(),
            flight: None,
            next_token: 0,
            requests: VecDeque::new(),
        }
    }

    /// Reads the media: the valid records in sequence order, and a journal that appends after
    /// them.
    pub fn recover(file: FileNumber, media: &[u8]) -> (Journal, Vec<Vec<u8>>, RecoveryReport) {
        let (records, report) = scan(media);
        let next_sequence = records.len() as u64;
        let journal = Journal {
            next_sequence,
            committed: next_sequence,
            media_len: media.len() as u64,
            ..Journal::new(file)
        };
        (journal, records, report)
    }

    /// Queues a record; returns its sequence number.
    pub fn append(&mut self, payload: &[u8]) -> u64 {
        assert!(payload.len() <= MAX_RECORD_LEN, "journal record too large");
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        frame(&mut self.queued, sequence, payload);
        sequence
    }

    /// The sequence number the next appended record will get: an answer that depends on the
    /// state so far may be released once `is_durable(next_sequence() - 1)` holds.
    pub fn next_sequence(&self) -> u64 {
        self.next_sequence
    }

    /// True when every record up to and including `sequence` is durable.
    pub fn is_durable(&self, sequence: u64) -> bool {
        sequence < self.committed
    }

    /// True when every record appended so far is durable.
    pub fn is_idle(&self) -> bool {
        self.committed == self.next_sequence
    }

    /// The next disk request to carry out, starting a batch if none is in flight.
    pub fn poll_request(&mut self) -> Option<DiskRequest> {
        if self.requests.is_empty() && self.flight.is_none() && !self.queued.is_empty() {
            let bytes = std::mem::take(&mut self.queued);
            self.start_flight(bytes, self.next_sequence, 1);
        }
        self.requests.pop_front()
    }

    fn start_flight(&mut self, bytes: Vec<u8>, end_sequence: u64, attempt: u32) {
        let token = self.take_token();
        self.requests.push_back(DiskRequest::Append {
            file: self.file,
            bytes: bytes.clone(),
        });
        self.requests.push_back(DiskRequest::Sync {
            file: self.file,
            token,
        });
        let offset = self.media_len;
        self.flight = Some(Flight {
            bytes,
            offset,
            end_sequence,
            attempt,
            stage: Stage::Syncing { token },
        });
    }

    fn take_token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    /// Feeds a disk completion; completions for other tokens are ignored.
    pub fn handle(&mut self, completion: &DiskCompletion) -> Progress {
        let Some(flight) = self.flight.as_mut() else {
            return Progress::Pending;
        };
        match (&flight.stage, completion) {
            (Stage::Syncing { token }, DiskCompletion::Synced { token: done }) if token == done => {
                self.next_token += 1;
                let token = self.next_token;
                let (offset, len) = (flight.offset, flight.bytes.len() as u64);
                flight.stage = Stage::Verifying { token };
                self.requests.push_back(DiskRequest::Read {
                    file: self.file,
                    offset,
                    len,
                    token,
                });
                Progress::Pending
            }
            (
                Stage::Verifying { token },
                DiskCompletion::Read {
                    token: done,
                    bytes,
                    media_len,
                },
            ) if token == done => self.verify(bytes, *media_len),
            _ => Progress::Pending,
        }
    }

    fn verify(&mut self, read: &[u8], media_len: u64) -> Progress {
        let flight = self.flight.take().expect("verifying a flight");
        if read == flight.bytes.as_slice() {
            self.media_len = flight.offset + flight.bytes.len() as u64;
            self.committed = flight.end_sequence;
            return Progress::Committed {
                through: self.committed,
            };
        }
        // The media holds something else (lost, torn or corrupt): write the batch again after
        // whatever is there; recovery will skip the damaged copy.
        self.media_len = media_len;
        if flight.attempt >= MAX_ATTEMPTS {
            return Progress::Failed;
        }
        self.start_flight(flight.bytes, flight.end_sequence, flight.attempt + 1);
        Progress::Pending
    }
}

fn frame(out: &mut Vec<u8>, sequence: u64, payload: &[u8]) {
    let start = out.len();
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&sequence.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(payload);
    let checksum = checksum(&out[start + 4..start + 16], payload);
    out[start + 16..start + 24].copy_from_slice(&checksum.to_le_bytes());
}

/// Covers the length, the sequence number and the payload.
fn checksum(length_and_sequence: &[u8], payload: &[u8]) -> u64 {
    xxh3_64_with_seed(payload, xxh3_64(length_and_sequence))
}

fn read_u32(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes[..4].try_into().expect("four bytes"))
}

fn read_u64(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes"))
}

/// The valid frame at the start of `bytes`, if any: (sequence, payload, frame length).
fn valid_frame(bytes: &[u8]) -> Option<(u64, &[u8], usize)> {
    if bytes.len() < HEADER_LEN || read_u32(bytes) != MAGIC {
        return None;
    }
    let len = read_u32(&bytes[4..]) as usize;
    if len > MAX_RECORD_LEN || bytes.len() < HEADER_LEN + len {
        return None;
    }
    let payload = &bytes[HEADER_LEN..HEADER_LEN + len];
    (checksum(&bytes[4..16], payload) == read_u64(&bytes[16..]))
        .then(|| (read_u64(&bytes[8..]), payload, HEADER_LEN + len))
}

/// Reads records in media order, accepting a record only if it carries the next expected
/// sequence number. Why that is right: a batch is verified before the next one starts, so a
/// verified record's predecessors sit verified before it on the media. A record after a gap
/// belongs to a batch that was never verified (nobody was told about it), and a later
/// incarnation, which recovered without it, may have reused its sequence number further on;
/// skipping it keeps the recovered state exactly what that incarnation believed.
fn scan(media: &[u8]) -> (Vec<Vec<u8>>, RecoveryReport) {
    let mut records = Vec::new();
    let mut report = RecoveryReport::default();
    let mut position = 0;
    while position < media.len() {
        let Some((sequence, payload, frame_len)) = valid_frame(&media[position..]) else {
            report.skipped_bytes += 1;
            position += 1;
            continue;
        };
        let expected = records.len() as u64;
        if sequence == expected {
            records.push(payload.to_vec());
        } else if sequence < expected {
            report.duplicates += 1;
        } else {
            report.orphaned += 1;
        }
        position += frame_len;
    }
    report.records = records.len() as u64;
    (records, report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_disk::{Damage, TestDisk, damage};
    use proptest::prelude::*;

    const FILE: FileNumber = FileNumber(0);

    /// Runs the journal's requests to completion, damaging writes as `damage` says.
    fn drive(
        disk: &mut TestDisk,
        journal: &mut Journal,
        damage: &mut dyn Iterator<Item = Damage>,
    ) -> Vec<Progress> {
        let mut progress = Vec::new();
        for _ in 0..1_000 {
            let Some(request) = journal.poll_request() else {
                return progress;
            };
            if let Some(completion) = disk.execute(request, damage) {
                progress.push(journal.handle(&completion));
            }
        }
        panic!("journal did not settle");
    }

    proptest! {
        /// Whatever the disk does to individual writes, every committed record is recovered,
        /// once, in order, with its contents.
        #[test]
        fn committed_records_survive_write_faults(
            batches in proptest::collection::vec(proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..5), 1..8),
            damages in proptest::collection::vec(damage(4), 0..30),
        ) {
            let mut journal = Journal::new(FILE);
            let mut disk = TestDisk::default();
            let mut damage = damages.into_iter();
            let mut expected = Vec::new();
            for batch in batches {
                for payload in &batch {
                    journal.append(payload);
                    expected.push(payload.clone());
                }
                let progress = drive(&mut disk, &mut journal, &mut damage);
                prop_assert_eq!(progress.last(), Some(&Progress::Committed { through: expected.len() as u64 }));
                prop_assert!(journal.is_idle());
            }
            let (recovered_journal, records, _) = Journal::recover(FILE, &disk.media);
            prop_assert_eq!(records, expected.clone());
            prop_assert_eq!(recovered_journal.next_sequence(), expected.len() as u64);
        }

        /// Recovery of arbitrary bytes never panics and finds no record in pure noise that
        /// lacks the magic number.
        #[test]
        fn recovery_of_garbage_never_panics(media in proptest::collection::vec(any::<u8>(), 0..2_000)) {
            let (_, records, report) = Journal::recover(FILE, &media);
            prop_assert!(records.len() as u64 == report.records);
        }
    }

    #[test]
    fn nothing_is_committed_before_the_read_back() {
        let mut journal = Journal::new(FILE);
        let sequence = journal.append(b"booking");
        assert!(matches!(
            journal.poll_request(),
            Some(DiskRequest::Append { .. })
        ));
        let Some(DiskRequest::Sync { token, .. }) = journal.poll_request() else {
            panic!("sync")
        };
        assert_eq!(
            journal.handle(&DiskCompletion::Synced { token }),
            Progress::Pending
        );
        assert!(!journal.is_durable(sequence));
        assert!(matches!(
            journal.poll_request(),
            Some(DiskRequest::Read { .. })
        ));
    }

    #[test]
    fn a_disk_that_always_loses_writes_fails_the_journal() {
        let mut journal = Journal::new(FILE);
        journal.append(b"x");
        let mut disk = TestDisk::default();
        let progress = drive(
            &mut disk,
            &mut journal,
            &mut std::iter::repeat(Damage::Lose),
        );
        assert_eq!(progress.last(), Some(&Progress::Failed));
    }

    #[test]
    fn records_after_a_gap_never_shadow_a_later_incarnation() {
        // Incarnation 1 verified record 0, then crashed with a batch {1, 2} whose record 1
        // was corrupted on its way to the media; record 2 is intact but was never verified.
        let mut media = Vec::new();
        frame(&mut media, 0, b"zero");
        let corrupt_start = media.len();
        frame(&mut media, 1, b"one, old");
        media[corrupt_start + HEADER_LEN] ^= 1;
        frame(&mut media, 2, b"two, old");
        let (mut journal, records, report) = Journal::recover(FILE, &media);
        assert_eq!(records, vec![b"zero".to_vec()]);
        assert_eq!(report.orphaned, 1);
        // Incarnation 2 reuses sequence numbers 1 and 2 for new records.
        let mut disk = TestDisk::with_media(media);
        journal.append(b"one, new");
        journal.append(b"two, new");
        drive(&mut disk, &mut journal, &mut std::iter::empty());
        let (_, records, _) = Journal::recover(FILE, &disk.media);
        assert_eq!(
            records,
            vec![b"zero".to_vec(), b"one, new".to_vec(), b"two, new".to_vec()]
        );
    }

    #[test]
    fn recovery_skips_a_torn_tail_and_appends_after_it() {
        let mut journal = Journal::new(FILE);
        let mut disk = TestDisk::default();
        journal.append(b"first");
        drive(&mut disk, &mut journal, &mut std::iter::empty());
        disk.media.extend_from_slice(&[0x48, 0x49, 0x4B]); // a torn frame header
        let (mut journal, records, report) = Journal::recover(FILE, &disk.media);
        assert_eq!((records.len(), report.skipped_bytes), (1, 3));
        journal.append(b"second");
        drive(&mut disk, &mut journal, &mut std::iter::empty());
        let (_, records, _) = Journal::recover(FILE, &disk.media);
        assert_eq!(records, vec![b"first".to_vec(), b"second".to_vec()]);
    }
}
