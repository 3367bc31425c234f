# Sourced by ci/test.sh and ci/interop.sh: `ensure_packages WHO PACKAGE...` installs the
# Debian packages that are not installed yet (apt, as root), or stops the script saying
# which are missing. WHO prefixes its messages.

ensure_packages() {
  local who=$1 installed
  shift
  installed=$(dpkg-query -W -f='${db:Status-Abbrev}\n' "$@" 2>/dev/null | grep -c '^ii' || true)
  if [ "${installed:-0}" -eq "$#" ]; then
    printf '%s: packages already installed: %s\n' "$who" "$*" >&2
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    printf '%s: missing packages and not root: run as root, or install %s first\n' "$who" "$*" >&2
    exit 1
  fi
  printf '%s: installing %s\n' "$who" "$*" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
