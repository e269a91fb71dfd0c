#!/usr/bin/env bash
# Installs the Debian 12 packages unyo needs to build, test and run, if any
# are missing. As a non-root user it prints the exact apt-get line instead.
set -euo pipefail

packages=(
  build-essential cmake pkg-config gettext
  libncurses-dev libsqlite3-dev sqlite3 libssh2-1-dev libpcre2-dev libvterm-dev
  libpq-dev libcmocka-dev libcrypt-dev libssl-dev libxlsxwriter-dev
  openssh-server openssh-client postgresql postgresql-client tmux
  man-db groff-base pssh hyperfine procps clang libclang-rt-14-dev
  python3-openpyxl dpkg-dev lintian systemd
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "unyo needs these Debian packages, which are not installed:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
