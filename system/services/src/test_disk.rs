//! An in-memory disk for the services' unit tests: it carries out `DiskRequest`s as the
//! simulator's disk does (a write cache, syncs to a media, reads from the media), damaging
//! writes on their way to the media when a test asks it to.

use crate::io::{DiskCompletion, DiskRequest};

/// What happens to one write when it reaches the media.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Damage {
    None,
    Lose,
    /// Keep this many bytes (modulo the write's length).
    Tear(usize),
    /// Flip a bit of this byte (modulo the write's length).
    Flip(usize),
}

#[derive(Debug, Default)]
pub(crate) struct TestDisk {
    pub(crate) media: Vec<u8>,
    cache: Vec<Vec<u8>>,
}

impl TestDisk {
    pub(crate) fn with_media(media: Vec<u8>) -> TestDisk {
        TestDisk {
            media,
            cache: Vec::new(),
        }
    }

    /// Carries out one request; `None` for an append, which completes nothing.
    pub(crate) fn execute(
        &mut self,
        request: DiskRequest,
        damage: &mut dyn Iterator<Item = Damage>,
    ) -> Option<DiskCompletion> {
        match request {
            DiskRequest::Append { bytes, .. } => {
                self.cache.push(bytes);
                None
            }
            DiskRequest::Sync { token, .. } => {
                for mut write in std::mem::take(&mut self.cache) {
                    match damage.next().unwrap_or(Damage::None) {
                        Damage::None => {}
                        Damage::Lose => write.clear(),
                        Damage::Tear(keep) => write.truncate(keep % write.len()),
                        Damage::Flip(at) => {
                            let at = at % write.len();
                            write[at] ^= 0x10;
                        }
                    }
                    self.media.extend_from_slice(&write);
                }
                Some(DiskCompletion::Synced { token })
            }
            DiskRequest::Read {
                offset, len, token, ..
            } => {
                let start = (offset as usize).min(self.media.len());
                let end = (start + len as usize).min(self.media.len());
                let bytes = self.media[start..end].to_vec();
                Some(DiskCompletion::Read {
                    token,
                    bytes,
                    media_len: self.media.len() as u64,
                })
            }
        }
    }

    /// A crash: unsynced writes are gone.
    pub(crate) fn crash(&mut self) {
        self.cache.clear();
    }
}
