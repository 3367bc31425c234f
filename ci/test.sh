#!/usr/bin/env bash
# The test command the README gives, and what CI runs (through .ci/run) on a fresh clone:
# formatting, lints, then every test of the workspace. Whole-scenario tests run in the dev
# profile, which the workspace optimises (opt-level 1 for our crates, 3 for dependencies);
# the six full-fidelity fortnights run in a release build of their own. Benchmarks are
# separate: ci/bench.sh.
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

# In the release profile, as users run them: its build (about a minute and a half from
# scratch) is repaid by the runs, which the test harness spreads over both cores.
step "centre-fortnight at full fidelity in a release build, three seeds with and without chaos"
cargo test --release -p hkic-world --test fortnight -- --ignored

if [ -x ci/interop.sh ]; then
  step "PC/SC interoperability (ci/interop.sh)"
  ci/interop.sh
fi

step "done"
