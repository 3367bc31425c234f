#!/usr/bin/env bash
# The test command the README gives, and what CI runs (through .ci/run) on a fresh clone:
# formatting, lints, then every test of the workspace. Whole-scenario tests run in the dev
# profile, which the workspace optimises (opt-level 1 for our crates, 3 for dependencies),
# so one build serves every test. Benchmarks are separate: ci/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# insta must compare snapshots in CI, never write them.
export INSTA_UPDATE=no

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test"
cargo test --workspace

# The same test build: the workspace optimises the cryptography and the matcher fully in it
# (Cargo.toml), so these run as fast as in a release build without a second build.
step "centre-fortnight at full fidelity, three seeds with and without chaos"
cargo test -p hkic-world --test fortnight -- --ignored

if [ -x ci/interop.sh ]; then
  step "PC/SC interoperability (ci/interop.sh)"
  ci/interop.sh
fi

step "done"
