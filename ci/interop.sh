#!/usr/bin/env bash
# Real PC/SC interoperability tests (INTEROP.md section 7): our cards behind pcscd and
# vsmartcard's vpcd, driven by the `pcsc` crate, opensc-tool, the independent eMRTD reader
# dmrtd, and our own `hkic-sim card serve` / `card read --pcsc`.
#
# Run on its own as root on Debian (`bash ci/interop.sh`) or from ci/test.sh. It
#   1. installs pcscd, vsmartcard-vpcd, libpcsclite-dev, pkgconf, pcsc-tools and opensc with
#      apt (skipped when they are all installed already);
#   2. reuses a running pcscd, or starts `pcscd -f -a -i` in the background (log in
#      $TARGET/pcscd.log) and stops it again on exit;
#   3. waits for vpcd to listen on 127.0.0.1:35963 (reader "Virtual PCD 00 00");
#   4. builds `hkic-sim` with the `pcsc` feature (the CLI tests run it; they ask cargo for
#      the same build, which is then up to date, so its compile time and errors show here);
#   5. runs the hkic-interop tests with the `pcsc` feature, one at a time (one card per slot).
# The tests restart pcscd twice (the reconnection tests with the test card and with
# `hkic-sim card serve`); a pcscd this script started is stopped on exit whatever its process
# id has become. Exit status: that of the tests, or non-zero with the reason when a step
# before them fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
MANIFEST=$ROOT/emulators/vpcd/interop/Cargo.toml
PACKAGES=(pcscd vsmartcard-vpcd libpcsclite-dev pkgconf pcsc-tools opensc)
PID_FILE=/run/pcscd/pcscd.pid
SOCKET=/run/pcscd/pcscd.comm
VPCD_PORT_HEX=8C7B # 35963, the first vpcd slot
PORT_WAIT_POLLS=75 # at 0.2 s: 15 s
STOP_WAIT_POLLS=50 # at 0.1 s: 5 s

say() { printf 'interop: %s\n' "$*" >&2; }
# shellcheck source=ci/packages.sh
source "$ROOT/ci/packages.sh"

# Whether process $1 exists and has not exited (a zombie counts as exited).
alive() {
  local state
  [ -r "/proc/$1/stat" ] || return 1
  state=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
  [ "$state" != Z ] && [ "$state" != X ]
}

# The pid of the running pcscd, from its pid file (which ends in a newline and a NUL).
running_pcscd() {
  local pid
  [ -r "$PID_FILE" ] || return 1
  pid=$(tr -dc '0-9' <"$PID_FILE")
  [ -n "$pid" ] && alive "$pid" && printf '%s\n' "$pid"
}

vpcd_listening() {
  awk -v port=":$VPCD_PORT_HEX" '$4 == "0A" && substr($2, length($2) - 4) == port { found = 1 }
    END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

install_packages() {
  ensure_packages interop "${PACKAGES[@]}"
}

STARTED_PCSCD=""
stop_started_pcscd() {
  local status=$? pid polls
  [ -n "$STARTED_PCSCD" ] || exit "$status"
  # The tests may have replaced the pcscd we started: stop whichever one runs now, too.
  for pid in "$STARTED_PCSCD" $(running_pcscd || true); do
    if alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      for ((polls = 0; polls < STOP_WAIT_POLLS; polls++)); do alive "$pid" || break; sleep 0.1; done
    fi
  done
  wait "$STARTED_PCSCD" 2>/dev/null || true
  say "stopped the pcscd this script started"
  exit "$status"
}

start_pcscd() {
  local pid
  if pid=$(running_pcscd); then
    say "reusing the running pcscd (pid $pid)"
    return
  fi
  # No live pcscd owns the socket: a leftover from a killed one would stop a new one starting.
  rm -f "$SOCKET"
  mkdir -p "$TARGET"
  pcscd -f -a -i >"$TARGET/pcscd.log" 2>&1 &
  STARTED_PCSCD=$!
  trap stop_started_pcscd EXIT
  say "started pcscd (pid $STARTED_PCSCD, log $TARGET/pcscd.log)"
}

wait_for_vpcd() {
  local polls
  for ((polls = 0; polls < PORT_WAIT_POLLS; polls++)); do
    if vpcd_listening; then
      say "vpcd listens on port 35963"
      return
    fi
    if [ -n "$STARTED_PCSCD" ] && ! alive "$STARTED_PCSCD"; then
      say "pcscd exited at start; its log:"
      tail -n 20 "$TARGET/pcscd.log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  say "vpcd is not listening on port 35963 after 15 s: is vsmartcard-vpcd installed" \
    "(/etc/reader.conf.d/vpcd), and was the running pcscd started after it? Restart pcscd."
  exit 1
}

install_packages
start_pcscd
wait_for_vpcd
say "linting the PC/SC interoperability tests (they only build with the pcsc feature)"
cargo clippy --manifest-path "$MANIFEST" --features pcsc --all-targets -- -D warnings
say "building hkic-sim with card read --pcsc (the CLI tests run it)"
cargo build --manifest-path "$ROOT/Cargo.toml" --package hkic-sim --bin hkic-sim --features pcsc
say "running the PC/SC interoperability tests"
cargo test --manifest-path "$MANIFEST" --features pcsc -- --test-threads=1
