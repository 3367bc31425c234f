//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the fuzz targets'
//! bodies, so the ordinary test run (ci/test.sh) keeps every input the fuzzer found
//! interesting passing. ci/fuzz.sh runs the fuzzer itself.

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut inputs: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&directory)
        .unwrap_or_else(|error| panic!("{}: {error}", directory.display()))
        .map(|entry| {
            let path = entry.expect("a corpus entry").path();
            let bytes =
                std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            (path, bytes)
        })
        .collect();
    inputs.sort();
    assert!(
        !inputs.is_empty(),
        "{} holds no corpus",
        directory.display()
    );
    inputs
}

fn replay(target: &str, body: fn(&[u8])) {
    for (path, bytes) in corpus(target) {
        let outcome = std::panic::catch_unwind(|| body(&bytes));
        assert!(outcome.is_ok(), "{} fails", path.display());
    }
}

#[test]
fn the_apdu_parse_corpus_passes() {
    replay("apdu_parse", hkic_chip::fuzzing::apdu_parse);
}

#[test]
fn the_chip_corpus_passes() {
    replay("chip", hkic_chip::fuzzing::chip_session);
}
