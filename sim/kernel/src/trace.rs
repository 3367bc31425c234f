//! The run's trace: every event folds into a rolling hash of a canonical encoding, and
//! optionally into a JSON-lines file carrying the same events.
//!
//! A record describes itself once, through [`TraceRecord::write_fields`]; the same calls
//! produce the canonical bytes that are hashed and, when a JSON sink is attached, the JSON
//! object, so the file and the hash cannot disagree. The canonical bytes hold values, not
//! field names, so hashing costs a few nanoseconds per record.

use std::fmt::{self, Write as _};
use std::io::{self, Write};

use hkic_base::{SimDuration, SimTime};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Something that can be written to the trace.
pub trait TraceRecord {
    /// A short stable name (`arrive`, `net.send`); part of the hash.
    fn kind(&self) -> &'static str;
    /// Writes the record's fields, always in the same order.
    fn write_fields(&self, fields: &mut Fields<'_>);
}

/// The 64-bit trace hash (xxh3 chained over every record), printed as 16 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TraceHash(pub u64);

impl fmt::Display for TraceHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for TraceHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Receives one record's fields.
#[derive(Debug)]
pub struct Fields<'a> {
    canonical: &'a mut Vec<u8>,
    json: Option<&'a mut String>,
}

impl Fields<'_> {
    pub fn u64(&mut self, name: &str, value: u64) {
        self.canonical.extend_from_slice(&value.to_le_bytes());
        if let Some(json) = self.json.as_deref_mut() {
            let _ = write!(json, ",\"{name}\":{value}");
        }
    }

    pub fn i64(&mut self, name: &str, value: i64) {
        self.canonical.extend_from_slice(&value.to_le_bytes());
        if let Some(json) = self.json.as_deref_mut() {
            let _ = write!(json, ",\"{name}\":{value}");
        }
    }

    pub fn bool(&mut self, name: &str, value: bool) {
        self.canonical.push(u8::from(value));
        if let Some(json) = self.json.as_deref_mut() {
            let _ = write!(json, ",\"{name}\":{value}");
        }
    }

    /// A short label (a node name, an outcome); escaped for JSON.
    pub fn str(&mut self, name: &str, value: &str) {
        self.canonical
            .extend_from_slice(&(value.len() as u32).to_le_bytes());
        self.canonical.extend_from_slice(value.as_bytes());
        if let Some(json) = self.json.as_deref_mut() {
            let _ = write!(json, ",\"{name}\":");
            write_json_string(json, value);
        }
    }

    pub fn time(&mut self, name: &str, value: SimTime) {
        self.canonical
            .extend_from_slice(&value.as_nanos().to_le_bytes());
        if let Some(json) = self.json.as_deref_mut() {
            let _ = write!(json, ",\"{name}\":\"{value}\"");
        }
    }

    pub fn duration(&mut self, name: &str, value: SimDuration) {
        self.canonical
            .extend_from_slice(&value.as_nanos().to_le_bytes());
        if let Some(json) = self.json.as_deref_mut() {
            let _ = write!(json, ",\"{name}\":\"{value}\"");
        }
    }
}

fn write_json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct JsonSink {
    writer: Box<dyn Write>,
    line: String,
    buffer: Vec<u8>,
    error: Option<io::Error>,
}

const FLUSH_BYTES: usize = 1 << 16;

impl JsonSink {
    fn push_line(&mut self) {
        self.buffer.extend_from_slice(self.line.as_bytes());
        self.buffer.push(b'\n');
        if self.buffer.len() >= FLUSH_BYTES {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.error.is_none() {
            if let Err(error) = self.writer.write_all(&self.buffer) {
                self.error = Some(error);
            }
        }
        self.buffer.clear();
    }
}

/// The rolling hash and the optional JSON-lines sink.
pub struct Trace {
    hash: u64,
    records: u64,
    canonical: Vec<u8>,
    json: Option<JsonSink>,
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace")
            .field("hash", &TraceHash(self.hash))
            .field("records", &self.records)
            .field("json", &self.json.is_some())
            .finish()
    }
}

impl Default for Trace {
    fn default() -> Self {
        Trace::new()
    }
}

impl Trace {
    pub fn new() -> Trace {
        Trace {
            hash: 0,
            records: 0,
            canonical: Vec::with_capacity(256),
            json: None,
        }
    }

    /// A trace that also writes every record as one JSON line to `writer`.
    pub fn with_json(writer: Box<dyn Write>) -> Trace {
        let sink = JsonSink {
            writer,
            line: String::new(),
            buffer: Vec::new(),
            error: None,
        };
        Trace {
            json: Some(sink),
            ..Trace::new()
        }
    }

    pub fn record<R: TraceRecord + ?Sized>(&mut self, now: SimTime, record: &R) {
        self.canonical.clear();
        self.canonical
            .extend_from_slice(&now.as_nanos().to_le_bytes());
        self.canonical.extend_from_slice(record.kind().as_bytes());
        self.canonical.push(0xFF);
        match self.json.as_mut() {
            None => record.write_fields(&mut Fields {
                canonical: &mut self.canonical,
                json: None,
            }),
            Some(sink) => {
                sink.line.clear();
                let _ = write!(
                    sink.line,
                    "{{\"n\":{},\"t\":\"{now}\",\"kind\":\"{}\"",
                    self.records,
                    record.kind()
                );
                let mut fields = Fields {
                    canonical: &mut self.canonical,
                    json: Some(&mut sink.line),
                };
                record.write_fields(&mut fields);
                sink.line.push('}');
                sink.push_line();
            }
        }
        self.hash = xxh3_64_with_seed(&self.canonical, self.hash);
        self.records += 1;
    }

    pub fn hash(&self) -> TraceHash {
        TraceHash(self.hash)
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    /// Flushes the JSON sink and reports the first write error, if any.
    pub fn finish(&mut self) -> io::Result<()> {
        let Some(sink) = self.json.as_mut() else {
            return Ok(());
        };
        sink.flush();
        if let Some(error) = sink.error.take() {
            return Err(error);
        }
        sink.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    struct Arrival {
        resident: u64,
        centre: &'static str,
    }

    impl TraceRecord for Arrival {
        fn kind(&self) -> &'static str {
            "arrive"
        }
        fn write_fields(&self, fields: &mut Fields<'_>) {
            fields.u64("resident", self.resident);
            fields.str("centre", self.centre);
        }
    }

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn json_and_hash_describe_the_same_records() {
        let shared = Shared::default();
        let mut with_json = Trace::with_json(Box::new(shared.clone()));
        let mut hash_only = Trace::new();
        let t = SimTime::from_nanos(1_000_000_000);
        for trace in [&mut with_json, &mut hash_only] {
            trace.record(
                t,
                &Arrival {
                    resident: 7,
                    centre: "Kwun \"Tong\"",
                },
            );
        }
        with_json.finish().unwrap();
        assert_eq!(with_json.hash(), hash_only.hash());
        let text = String::from_utf8(shared.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "{\"n\":0,\"t\":\"2000-01-01T00:00:01\",\"kind\":\"arrive\",\"resident\":7,\"centre\":\"Kwun \\\"Tong\\\"\"}\n"
        );
    }

    #[test]
    fn any_change_changes_the_hash() {
        let hash_of = |records: &[(u64, u64)]| {
            let mut trace = Trace::new();
            for &(time, resident) in records {
                trace.record(
                    SimTime::from_nanos(time),
                    &Arrival {
                        resident,
                        centre: "x",
                    },
                );
            }
            trace.hash()
        };
        let base = hash_of(&[(1, 1), (2, 2)]);
        assert_eq!(base, hash_of(&[(1, 1), (2, 2)]));
        assert_ne!(base, hash_of(&[(2, 2), (1, 1)]));
        assert_ne!(base, hash_of(&[(1, 1), (3, 2)]));
        assert_ne!(base, hash_of(&[(1, 1), (2, 3)]));
        assert_ne!(base, hash_of(&[(1, 1)]));
    }
}
