//! The chip's persistent memory (EEPROM) and the commit that makes personalisation atomic.
//!
//! Layout: page 0 holds the commit record (magic `HKIC`, format version, the length of the
//! staged image and its SHA-256); the staged image (a stream of records, see
//! [`crate::image`]) follows from page 1. Personalisation appends records to the staging
//! area; [`PersistentMemory::commit`] then programs the commit record, a single page. At
//! boot the chip mounts the staged image only if the commit record is whole and the digest
//! matches, so a power loss at any write (including one that tears the commit page itself)
//! leaves a chip that boots blank, and a chip whose commit page was written boots complete.
//!
//! Every page program is one write point. A fault ([`PersistentMemory::cut_power_at_write`])
//! tears the program with that index (only its first half reaches the memory) and refuses
//! every later write until the power comes back: that is how the tests cut power at every
//! write point. Unwritten memory reads as erased (FF), and the image only grows as far as it
//! was written, so a chip costs the memory it uses.

use hkic_protocol::primitives;

/// Bytes programmed at once; programs never cross a page boundary.
pub const PAGE_LENGTH: usize = 64;
/// The capacity of the memory (a 128 KiB EEPROM).
pub const MEMORY_CAPACITY: usize = 128 * 1024;
/// Where the staged image starts.
pub const STAGING_START: usize = PAGE_LENGTH;
const ERASED: u8 = 0xFF;
const MAGIC: [u8; 4] = *b"HKIC";
const FORMAT_VERSION: u8 = 1;
const DIGEST_LENGTH: usize = 32;
const COMMIT_RECORD_LENGTH: usize = MAGIC.len() + 1 + 4 + DIGEST_LENGTH;

/// Why a write did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MemoryError {
    #[error("the power was lost during a write")]
    PowerLost,
    #[error("{needed} bytes do not fit in a memory of {MEMORY_CAPACITY} bytes")]
    Full { needed: usize },
}

/// The EEPROM image; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersistentMemory {
    bytes: Vec<u8>,
    /// Page programs completed or torn so far.
    writes: u32,
    power_loss_at_write: Option<u32>,
    power_lost: bool,
}

impl PersistentMemory {
    /// A memory that was never written.
    pub fn erased() -> PersistentMemory {
        PersistentMemory::default()
    }

    /// The memory as far as it was written.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Page programs so far: the write points a power loss can hit.
    pub fn writes(&self) -> u32 {
        self.writes
    }

    /// Tears the page program with index `write` (counted by [`PersistentMemory::writes`])
    /// and loses the power there.
    pub fn cut_power_at_write(&mut self, write: u32) {
        self.power_loss_at_write = Some(write);
    }

    /// The power is back: writes are accepted again.
    pub fn restore_power(&mut self) {
        self.power_lost = false;
    }

    /// Programs `data` at `offset`, page by page.
    pub fn write(&mut self, offset: usize, data: &[u8]) -> Result<(), MemoryError> {
        let end = offset.saturating_add(data.len());
        if end > MEMORY_CAPACITY {
            return Err(MemoryError::Full { needed: end });
        }
        let mut position = offset;
        while position < end {
            let page_end = (position / PAGE_LENGTH + 1) * PAGE_LENGTH;
            let program_end = page_end.min(end);
            self.program(position, &data[position - offset..program_end - offset])?;
            position = program_end;
        }
        Ok(())
    }

    /// One page program: one write point.
    fn program(&mut self, offset: usize, data: &[u8]) -> Result<(), MemoryError> {
        debug_assert!(offset / PAGE_LENGTH == (offset + data.len() - 1) / PAGE_LENGTH);
        if self.power_lost {
            return Err(MemoryError::PowerLost);
        }
        let torn = self.power_loss_at_write == Some(self.writes);
        self.writes += 1;
        let written = if torn { &data[..data.len() / 2] } else { data };
        let end = offset + written.len();
        if self.bytes.len() < end {
            self.bytes.resize(end, ERASED);
        }
        self.bytes[offset..end].copy_from_slice(written);
        if torn {
            self.power_loss_at_write = None;
            self.power_lost = true;
            return Err(MemoryError::PowerLost);
        }
        Ok(())
    }

    fn read(&self, offset: usize, length: usize) -> Vec<u8> {
        (offset..offset + length)
            .map(|index| self.bytes.get(index).copied().unwrap_or(ERASED))
            .collect()
    }

    /// Programs the commit record over the first `staged_length` bytes of the staging area.
    pub fn commit(&mut self, staged_length: usize) -> Result<(), MemoryError> {
        let length = u32::try_from(staged_length).map_err(|_| MemoryError::Full {
            needed: staged_length,
        })?;
        let staged = self.read(STAGING_START, staged_length);
        let mut record = Vec::with_capacity(COMMIT_RECORD_LENGTH);
        record.extend_from_slice(&MAGIC);
        record.push(FORMAT_VERSION);
        record.extend_from_slice(&length.to_be_bytes());
        record.extend_from_slice(&primitives::sha256(&staged));
        debug_assert_eq!(record.len(), COMMIT_RECORD_LENGTH);
        self.write(0, &record)
    }

    /// The staged image, if a whole commit record vouches for it.
    pub fn committed_image(&self) -> Option<Vec<u8>> {
        let record = self.read(0, COMMIT_RECORD_LENGTH);
        if record[..MAGIC.len()] != MAGIC || record[MAGIC.len()] != FORMAT_VERSION {
            return None;
        }
        let length_bytes: [u8; 4] = record[MAGIC.len() + 1..MAGIC.len() + 5].try_into().ok()?;
        let length = u32::from_be_bytes(length_bytes) as usize;
        if STAGING_START.saturating_add(length) > MEMORY_CAPACITY {
            return None;
        }
        let staged = self.read(STAGING_START, length);
        (primitives::sha256(&staged)[..] == record[MAGIC.len() + 5..]).then_some(staged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_counted_per_page_program() {
        let mut memory = PersistentMemory::erased();
        memory.write(STAGING_START + 60, &[7; 10]).unwrap();
        assert_eq!(memory.writes(), 2);
        memory.write(STAGING_START + 128, &[7; 128]).unwrap();
        assert_eq!(memory.writes(), 4);
        assert_eq!(memory.read(STAGING_START + 58, 4), vec![0xFF, 0xFF, 7, 7]);
        assert_eq!(
            memory.write(MEMORY_CAPACITY - 1, &[1, 2]),
            Err(MemoryError::Full {
                needed: MEMORY_CAPACITY + 1
            })
        );
    }

    #[test]
    fn a_commit_vouches_for_exactly_the_staged_bytes() {
        let mut memory = PersistentMemory::erased();
        assert_eq!(memory.committed_image(), None);
        memory.write(STAGING_START, b"staged image").unwrap();
        assert_eq!(memory.committed_image(), None);
        memory.commit(12).unwrap();
        assert_eq!(memory.committed_image().unwrap(), b"staged image");
        memory.write(STAGING_START, b"X").unwrap();
        assert_eq!(memory.committed_image(), None);
    }

    #[test]
    fn a_torn_commit_record_mounts_nothing_and_writes_stop() {
        let mut memory = PersistentMemory::erased();
        memory.write(STAGING_START, b"staged image").unwrap();
        memory.cut_power_at_write(memory.writes());
        assert_eq!(memory.commit(12), Err(MemoryError::PowerLost));
        assert_eq!(memory.committed_image(), None);
        assert_eq!(memory.write(100, &[1]), Err(MemoryError::PowerLost));
        memory.restore_power();
        memory.commit(12).unwrap();
        assert_eq!(memory.committed_image().unwrap(), b"staged image");
    }
}
