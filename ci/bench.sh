#!/usr/bin/env bash
# Benchmarks, kept out of the test run: the kernel's hold model, the protocol's PACE and gate
# reads. Figures go in ARCHITECTURE.md and the issues' closing notes (medians, not means).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p hkic-kernel --bench kernel
cargo bench -p hkic-protocol --bench pace
# The default centre day, timed by the CLI itself (wall time and events per second).
cargo run --release -q -- run --quiet
