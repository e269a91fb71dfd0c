#!/usr/bin/env bash
# Issue 13: the Japanese man page doc/ja/unyo.1. It renders without a warning
# from groff (man -l), its SYNOPSIS is the block the CLI's option tables print
# (the same as the English page's: `make man` writes both), every verb of
# `unyo help` is in it, it has the first-day section (init, operators, hosts,
# shift, jobs, the demo and how to leave it), and CMake installs it under
# share/man/ja/man1 beside the English page.
. "$UNYO_TESTLIB/common.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JA=$ROOT/doc/ja/unyo.1
[[ -s $JA ]] || fail "doc/ja/unyo.1 is missing"
command -v man >/dev/null || { echo "SKIP: no man"; exit 77; }

# ---- renders cleanly ----
for width in 80 120 200; do
    MANWIDTH=$width man --warnings -l "$JA" >"$T/page.$width" 2>"$T/warn.$width" || fail "man -l failed"
    [[ ! -s $T/warn.$width ]] || { cat "$T/warn.$width" >&2; fail "man -l warns at $width columns"; }
done
ok "man -l doc/ja/unyo.1 renders without warnings (80, 120, 200 columns)"
page=$(MANWIDTH=200 man -l "$JA" 2>/dev/null)

# ---- the synopsis is generated, the same as the English page's ----
"$UNYO" --lang en help --man-synopsis >"$T/gen"
block() { sed -n '/^\.\\" BEGIN GENERATED SYNOPSIS$/,/^\.\\" END GENERATED SYNOPSIS$/p' "$1" | sed '1d;$d'; }
block "$JA" >"$T/ja"
[[ -s $T/ja ]] || fail "doc/ja/unyo.1 has no GENERATED SYNOPSIS block"
if ! diff -u "$T/ja" "$T/gen" >"$T/diff"; then
    cat "$T/diff" >&2
    fail "doc/ja/unyo.1's synopsis is stale: run \`make man\` (scripts/update-man-synopsis.sh)"
fi
ok "the synopsis is the one the option tables print"

# ---- every verb of unyo help ----
"$UNYO" --lang en help --table >"$T/table"
n=0
while IFS=$'\t' read -r noun verb opt _; do
    [[ $opt == - ]] || continue
    n=$((n + 1))
    if [[ $verb == - ]]; then grep -qF "unyo $noun" <<<"$page" || fail "the Japanese man page lacks unyo $noun"
    else grep -q "unyo $noun $verb\|unyo $noun \[$verb\]" <<<"$page" || fail "the Japanese man page lacks unyo $noun $verb"; fi
done <"$T/table"
((n >= 70)) || fail "help --table listed only $n verbs"
for noun in $("$UNYO" --lang en help | awk '/^  [a-z]/ { print $1 }'); do
    grep -qF "unyo $noun" <<<"$page" || fail "the Japanese man page lacks unyo $noun (from unyo help)"
done
ok "every verb of unyo help ($n) is in the Japanese page"

# ---- in Japanese, with the first day ----
for h in 名前 書式 説明 オプション コマンド はじめての一日 コンソールのキー ファイル 環境変数 終了ステータス; do
    grep -q "^$h" <<<"$page" || fail "no section $h"
done
first=$(sed -n '/^はじめての一日/,/^コンソールのキー/p' <<<"$page")
for want in "unyo init" "unyo operator add" "unyo host import-ssh-config" "unyo host trust" \
    "unyo shift start" "unyo jobs load" "make run" "build/demo/unyo.db" "make demo-reset" "UNYO_USER"; do
    grep -qF -- "$want" <<<"$first" || fail "はじめての一日 does not mention $want"
done
grep -q "終えるには q" <<<"$first" || fail "はじめての一日 does not say how to leave the demo"
ok "the page is in Japanese and has はじめての一日 (init, operators, hosts, shift, jobs, the demo)"
# README.ja.md and the page tell the same day: the same shift codes, the same demo store.
for want in "07:00–15:30" "15:30–24:00" "build/demo/unyo.db" "make demo-reset"; do
    grep -qF -- "$want" "$ROOT/README.ja.md" || fail "README.ja.md lacks $want, which the man page says"
done
ok "README.ja.md and the man page agree on the shifts and the demo"

# ---- installed like the English page ----
BUILD=$(dirname "$UNYO")
if [[ -f $BUILD/cmake_install.cmake ]]; then
    cmake --install "$BUILD" --prefix "$T/inst" >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "cmake --install"; }
    # gzip'd, as Debian installs man pages (man reads them as they are).
    gzip -dc "$T/inst/share/man/ja/man1/unyo.1.gz" 2>/dev/null | cmp -s - "$JA" ||
        fail "not installed to share/man/ja/man1/unyo.1.gz"
    gzip -dc "$T/inst/share/man/man1/unyo.1.gz" 2>/dev/null | cmp -s - "$ROOT/doc/unyo.1" ||
        fail "the English page is not installed to share/man/man1/unyo.1.gz"
    ok "cmake --install puts it in share/man/ja/man1 (English in share/man/man1), compressed"
fi
finish
