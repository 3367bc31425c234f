#!/usr/bin/env bash
# The test command the README gives, and what CI runs (through .ci/run) on a fresh clone:
# formatting, lints, then every test of the workspace. Whole-scenario tests run in the dev
# profile, which the workspace optimises (opt-level 1 for our crates, 3 for dependencies);
# the six full-fidelity fortnights run in a release build of their own, with P-256 on
# OpenSSL (the `openssl` feature; libssl-dev is installed here). Benchmarks are separate:
# ci/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# insta must compare snapshots in CI, never write them.
export INSTA_UPDATE=no

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }
# shellcheck source=ci/packages.sh
source ci/packages.sh

step "packages the openssl feature builds with"
ensure_packages test libssl-dev pkgconf

step "cargo fmt --check"
cargo fmt --all -- --check

# With the openssl feature, so its code and tests are linted too (the few lines that only
# build without it are compiled by `cargo test` below).
step "cargo clippy"
cargo clippy --workspace --all-targets --features hkic-protocol/openssl -- -D warnings

step "cargo test"
cargo test --workspace

# In the release profile, as users run them: its build (about a minute and a half from
# scratch) is repaid by the runs, which the test harness spreads over both cores. OpenSSL's
# P-256 halves the runs; its tests show it answers as RustCrypto does, byte for byte.
step "P-256 on OpenSSL agrees with RustCrypto (release build, openssl feature)"
cargo test --release -p hkic-protocol --features openssl --lib openssl_agrees_with_rustcrypto
step "centre-fortnight at full fidelity in a release build, three seeds with and without chaos"
cargo test --release -p hkic-world --features openssl --test fortnight -- --ignored

if [ -x ci/interop.sh ]; then
  step "PC/SC interoperability (ci/interop.sh)"
  ci/interop.sh
fi

step "done"
