//! Simulated durable storage for one node: append-only files with a write cache.
//!
//! - `append` puts bytes in the cache; only `sync` moves them to the media.
//! - A crash empties the cache: exactly the unsynced writes are lost (a torn-write fault may
//!   leave a prefix of the first of them on the media).
//! - On their way to the media, writes may suffer the disk faults: lost (acknowledged but
//!   never written), torn (only a prefix written) or corrupt (a byte flipped).
//! - `read` reads the media, never the cache (as with `O_DIRECT`), so a component that reads
//!   back what it synced sees what a restart would see. Components frame their records with
//!   checksums to catch torn and corrupt data, and read back to catch lost writes.

use std::fmt;

use hkic_base::SimTime;

use crate::faults::{FaultInjector, FaultKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u16);

#[derive(Default)]
struct FileState {
    media: Vec<u8>,
    cache: Vec<Vec<u8>>,
}

/// What one sync did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub writes: u32,
    pub bytes: u64,
    pub lost: u32,
    pub torn: u32,
    pub corrupted: u32,
}

/// What a crash destroyed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrashReport {
    pub writes_lost: u32,
    pub torn: u32,
}

#[derive(Default)]
pub struct Disk {
    files: Vec<FileState>,
}

impl fmt::Debug for Disk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<usize> = self.files.iter().map(|file| file.media.len()).collect();
        f.debug_struct("Disk").field("media_bytes", &sizes).finish()
    }
}

impl Disk {
    pub fn new() -> Disk {
        Disk::default()
    }

    fn file_mut(&mut self, file: FileId) -> &mut FileState {
        let index = usize::from(file.0);
        if self.files.len() <= index {
            self.files.resize_with(index + 1, FileState::default);
        }
        &mut self.files[index]
    }

    /// Queues a write in the cache.
    pub fn append(&mut self, file: FileId, bytes: &[u8]) {
        self.file_mut(file).cache.push(bytes.to_vec());
    }

    /// Moves the file's cached writes to the media, drawing disk faults for each.
    pub fn sync(&mut self, now: SimTime, file: FileId, faults: &mut FaultInjector) -> SyncReport {
        let state = self.file_mut(file);
        let writes = std::mem::take(&mut state.cache);
        let mut report = SyncReport::default();
        for mut write in writes {
            report.writes += 1;
            report.bytes += write.len() as u64;
            if faults.inject(FaultKind::LostWrite, now) {
                report.lost += 1;
                continue;
            }
            if faults.inject(FaultKind::TornWrite, now) {
                report.torn += 1;
                let kept = torn_length(write.len(), faults);
                write.truncate(kept);
            } else if !write.is_empty() && faults.inject(FaultKind::CorruptWrite, now) {
                report.corrupted += 1;
                let position = faults.choose(write.len());
                let flip = 1u8 << faults.choose(8);
                write[position] ^= flip;
            }
            state.media.extend_from_slice(&write);
        }
        report
    }

    /// Loses every unsynced write; a torn-write fault leaves a prefix of a file's first one.
    pub fn crash(&mut self, now: SimTime, faults: &mut FaultInjector) -> CrashReport {
        let mut report = CrashReport::default();
        for state in &mut self.files {
            let writes = std::mem::take(&mut state.cache);
            report.writes_lost += writes.len() as u32;
            if let Some(first) = writes.first() {
                if faults.inject(FaultKind::TornWrite, now) {
                    report.torn += 1;
                    let kept = torn_length(first.len(), faults);
                    state.media.extend_from_slice(&first[..kept]);
                }
            }
        }
        report
    }

    /// Up to `len` bytes of the media from `offset`.
    pub fn read(&self, file: FileId, offset: u64, len: u64) -> &[u8] {
        let media = self.media(file);
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(media.len());
        let end = start
            .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
            .min(media.len());
        &media[start..end]
    }

    /// Everything on the media: what a restarting node recovers from.
    pub fn media(&self, file: FileId) -> &[u8] {
        self.files
            .get(usize::from(file.0))
            .map_or(&[], |state| state.media.as_slice())
    }

    pub fn media_len(&self, file: FileId) -> u64 {
        self.media(file).len() as u64
    }

    pub fn unsynced_writes(&self) -> usize {
        self.files.iter().map(|state| state.cache.len()).sum()
    }
}

/// How much of a torn write reaches the media: at least nothing, at most all but one byte.
fn torn_length(len: usize, faults: &mut FaultInjector) -> usize {
    if len <= 1 { 0 } else { faults.choose(len) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::{FaultProfile, FaultSpec};
    use crate::streams::Streams;
    use proptest::prelude::*;

    const LOG: FileId = FileId(0);

    fn injector(kind: Option<FaultKind>) -> FaultInjector {
        let mut profile = FaultProfile::none();
        if let Some(kind) = kind {
            profile.specs[kind as usize] = FaultSpec {
                rate: 1.0,
                minimum: 0,
            };
        }
        FaultInjector::new(
            profile,
            vec![(SimTime::EPOCH, SimTime::MAX)],
            &Streams::new(3),
        )
    }

    proptest! {
        /// Whatever the interleaving, a crash keeps exactly the synced bytes.
        #[test]
        fn a_crash_loses_exactly_the_unsynced_writes(
            ops in proptest::collection::vec((proptest::collection::vec(any::<u8>(), 1..20), any::<bool>()), 0..40)
        ) {
            let mut disk = Disk::new();
            let mut faults = injector(None);
            let mut synced = Vec::new();
            let mut pending = Vec::new();
            for (bytes, sync_after) in ops {
                disk.append(LOG, &bytes);
                pending.extend_from_slice(&bytes);
                prop_assert_eq!(disk.media(LOG), synced.as_slice());
                if sync_after {
                    disk.sync(SimTime::EPOCH, LOG, &mut faults);
                    synced.append(&mut pending);
                }
            }
            let unsynced = disk.unsynced_writes() as u32;
            let report = disk.crash(SimTime::EPOCH, &mut faults);
            prop_assert_eq!(report.writes_lost, unsynced);
            prop_assert_eq!(disk.media(LOG), synced.as_slice());
            prop_assert_eq!(disk.unsynced_writes(), 0);
        }
    }

    #[test]
    fn write_faults_damage_what_reaches_the_media() {
        let record = b"booking 42 slot 7".as_slice();
        for kind in [
            FaultKind::LostWrite,
            FaultKind::TornWrite,
            FaultKind::CorruptWrite,
        ] {
            let mut disk = Disk::new();
            let mut faults = injector(Some(kind));
            disk.append(LOG, record);
            let report = disk.sync(SimTime::EPOCH, LOG, &mut faults);
            let media = disk.media(LOG);
            match kind {
                FaultKind::LostWrite => assert!(media.is_empty() && report.lost == 1),
                FaultKind::TornWrite => {
                    assert!(media.len() < record.len() && record.starts_with(media))
                }
                _ => {
                    assert_eq!(media.len(), record.len());
                    assert_ne!(media, record);
                    assert_eq!(media.iter().zip(record).filter(|(a, b)| a != b).count(), 1);
                }
            }
            assert_eq!(faults.counts().get(kind), 1);
        }
    }

    #[test]
    fn a_crash_can_tear_the_first_unsynced_write() {
        let mut disk = Disk::new();
        disk.append(LOG, b"synced");
        disk.sync(SimTime::EPOCH, LOG, &mut injector(None));
        disk.append(LOG, b"in flight");
        let report = disk.crash(SimTime::EPOCH, &mut injector(Some(FaultKind::TornWrite)));
        assert_eq!((report.writes_lost, report.torn), (1, 1));
        let media = disk.media(LOG);
        assert!(media.starts_with(b"synced") && media.len() < b"syncedin flight".len());
    }

    #[test]
    fn reads_are_clipped_to_the_media() {
        let mut disk = Disk::new();
        disk.append(LOG, b"abcdef");
        assert_eq!(disk.read(LOG, 0, 10), b"");
        disk.sync(SimTime::EPOCH, LOG, &mut injector(None));
        assert_eq!(disk.read(LOG, 2, 3), b"cde");
        assert_eq!(disk.read(LOG, 4, 100), b"ef");
        assert_eq!(disk.read(LOG, 100, 1), b"");
        assert_eq!(disk.read(FileId(9), 0, 1), b"");
    }
}
