//! `hkic-sim diff A B`: the first record where two JSON-lines traces diverge.
//!
//! Exit code 0 when the traces are identical, 1 when they differ (as diff(1) does), 2 when a
//! file cannot be read.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use crate::exit::{CliError, OK};

const DIFFERENT: u8 = 1;

fn open(path: &Path) -> Result<std::io::Lines<BufReader<File>>, CliError> {
    let file = File::open(path)
        .map_err(|error| CliError::BadInput(format!("{}: cannot read: {error}", path.display())))?;
    Ok(BufReader::new(file).lines())
}

pub fn diff(a: &Path, b: &Path, out: &mut dyn Write) -> Result<u8, CliError> {
    let (mut left, mut right) = (open(a)?, open(b)?);
    let read =
        |line: Option<std::io::Result<String>>, path: &Path| -> Result<Option<String>, CliError> {
            line.transpose().map_err(|error| {
                CliError::BadInput(format!("{}: cannot read: {error}", path.display()))
            })
        };
    let mut record = 0u64;
    loop {
        match (read(left.next(), a)?, read(right.next(), b)?) {
            (None, None) => {
                let _ = writeln!(out, "the traces are identical ({record} records)");
                return Ok(OK);
            }
            (Some(x), Some(y)) if x == y => record += 1,
            (x, y) => {
                let show =
                    |line: Option<String>| line.unwrap_or_else(|| "(end of trace)".to_string());
                let _ = writeln!(
                    out,
                    "the traces diverge at record {record} (line {}):",
                    record + 1
                );
                let _ = writeln!(out, "- {}: {}", a.display(), show(x));
                let _ = writeln!(out, "+ {}: {}", b.display(), show(y));
                return Ok(DIFFERENT);
            }
        }
    }
}
