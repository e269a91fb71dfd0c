#!/usr/bin/env bash
# Rewrites the GENERATED SYNOPSIS block of doc/unyo.1 and of the Japanese page
# doc/ja/unyo.1 from the option tables (`unyo --lang en help --man-synopsis`):
# both pages get the same block. tests/e2e/test_cli_options.sh and
# tests/e2e/test_man_ja.sh fail while a block and the tables differ.
# Usage: scripts/update-man-synopsis.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build}/unyo
gen=$(mktemp)
trap 'rm -f "$gen" "$gen.new"' EXIT
"$bin" --lang en help --man-synopsis >"$gen"
for man in "$root/doc/unyo.1" "$root/doc/ja/unyo.1"; do
    awk -v gen="$gen" '
      /^\.\\" BEGIN GENERATED SYNOPSIS$/ { print; while ((getline l < gen) > 0) print l; close(gen); skip = 1; next }
      /^\.\\" END GENERATED SYNOPSIS$/ { skip = 0 }
      !skip { print }' "$man" >"$gen.new"
    grep -q '^\.\\" END GENERATED SYNOPSIS$' "$gen.new" ||
        { echo "${man#"$root"/} has no GENERATED SYNOPSIS markers" >&2; exit 1; }
    cmp -s "$gen.new" "$man" || cat "$gen.new" >"$man"
done
