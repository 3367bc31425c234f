#!/usr/bin/env bash
# Runs each cargo-fuzz target for a while: `ci/fuzz.sh [SECONDS]` (default 600 per target).
# The targets' bodies are hkic_chip::fuzzing; fuzz/corpus/<target>/ is the committed seed
# corpus, replayed by the ordinary test emulators/chip/tests/fuzz_corpus.rs. New inputs the
# fuzzer finds go to target/fuzz-corpus/<target>/ (not committed: copy the interesting ones,
# minimised, into fuzz/corpus/); crashes go to fuzz/artifacts/<target>/ and fail this script.
# cargo-fuzz needs nightly flags: on the stable toolchain RUSTC_BOOTSTRAP=1 enables them.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
targets=(apdu_parse chip)

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
  scratch="target/fuzz-corpus/${target}"
  mkdir -p "${scratch}"
  printf '\n== fuzz %s for %ss\n' "${target}" "${seconds}"
  (cd fuzz && cargo fuzz run "${target}" "../${scratch}" "corpus/${target}" -- \
    -max_total_time="${seconds}" -print_final_stats=1)
done
