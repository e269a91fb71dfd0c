#!/usr/bin/env bash
# Rewrites the GENERATED SYNOPSIS block of doc/unyo.1 from the option tables
# (`unyo --lang en help --man-synopsis`). tests/e2e/test_cli_options.sh fails
# while the block and the tables differ. Usage: scripts/update-man-synopsis.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build}/unyo
man=$root/doc/unyo.1
gen=$(mktemp)
trap 'rm -f "$gen" "$gen.new"' EXIT
"$bin" --lang en help --man-synopsis >"$gen"
awk -v gen="$gen" '
  /^\.\\" BEGIN GENERATED SYNOPSIS$/ { print; while ((getline l < gen) > 0) print l; skip = 1; next }
  /^\.\\" END GENERATED SYNOPSIS$/ { skip = 0 }
  !skip { print }' "$man" >"$gen.new"
grep -q '^\.\\" END GENERATED SYNOPSIS$' "$gen.new" || { echo "doc/unyo.1 has no GENERATED SYNOPSIS markers" >&2; exit 1; }
mv "$gen.new" "$man"
