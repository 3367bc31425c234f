#!/usr/bin/env bash
# Benchmarks, kept out of the test run. Figures go in ARCHITECTURE.md and the issues' closing
# notes (medians, not means; the machines are noisy).
set -euo pipefail
cd "$(dirname "$0")/.."
# The kernel's hold model (events per second with 1,000 and 1,000,000 pending).
cargo bench -p hkic-kernel --bench kernel
# PACE and a gate read's cryptography; a whole gate read, reader and chip together.
cargo bench -p hkic-protocol --bench pace
cargo bench -p hkic-chip --bench gate_read
# Fingerprints: one 1:1 comparison, and the full accuracy target (1,000,000 impostor
# comparisons). The 1:N bench (`--bench search`, about 7 minutes and 3 GB) is run by hand.
cargo bench -p hkic-biometrics --bench compare
cargo bench -p hkic-biometrics --bench accuracy
# The default centre day, timed by the CLI itself (wall time and events per second).
cargo run --release -q -- run --quiet
