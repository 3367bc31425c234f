//! The sans-IO plumbing every service shares: addresses, disk requests and completions, and
//! the input and output enums.

use crate::messages::Message;

/// Where a message comes from or goes to. Opaque to services: the host (the simulator, or a
/// socket adapter) maps addresses to network endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(pub u16);

/// A file of the service's own durable storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileNumber(pub u16);

/// What a service asks of its disk. Completions come back as [`DiskCompletion`]s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiskRequest {
    /// Append bytes to the file's write cache (no completion).
    Append { file: FileNumber, bytes: Vec<u8> },
    /// Make everything appended so far durable; completes with `Synced`.
    Sync { file: FileNumber, token: u64 },
    /// Read from the media (not the cache); completes with `Read`.
    Read {
        file: FileNumber,
        offset: u64,
        len: u64,
        token: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiskCompletion {
    Synced {
        token: u64,
    },
    /// The bytes read (fewer than asked if the file is shorter) and the file's media length.
    Read {
        token: u64,
        bytes: Vec<u8>,
        media_len: u64,
    },
}

/// Everything a service can be handed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Message {
        from: Address,
        message: Message,
    },
    Disk(DiskCompletion),
    /// The wake-up time the service asked for has come.
    Wake,
}

/// Everything a service can hand back. `E` is the service's own event type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output<E> {
    Send {
        to: Address,
        message: Message,
    },
    Disk(DiskRequest),
    /// Wake me at this time (the latest request replaces earlier ones).
    WakeAt(hkic_base::SimTime),
    /// Something observers (checkers, metrics) should see.
    Event(E),
    /// The service cannot go on safely (its disk keeps failing): the host must restart it
    /// from what it persisted.
    Halt(&'static str),
}
