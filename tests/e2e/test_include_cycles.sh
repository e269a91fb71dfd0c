#!/usr/bin/env bash
# No include cycles between modules (a module is X.c with its X.h): src/,
# src/ui/ and screens/ form a graph that only runs one way, so any file can be
# read, changed and tested knowing only what it includes. The check is
# scripts/include_cycles.py; it names each cycle with the #include lines that
# close it. First it is shown to find a cycle planted in a scratch tree, so a
# pass on the real tree means something.
. "$UNYO_TESTLIB/common.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CHECK="$ROOT/scripts/include_cycles.py"
command -v python3 >/dev/null || fail "python3 not found"

# ---- the check finds a planted cycle -----------------------------------------
mkdir -p "$T/tree/src/ui" "$T/tree/screens"
printf '#include "b.h"\n' >"$T/tree/src/a.h"
printf '#include "a.h"\n' >"$T/tree/src/a.c"
printf '#include "b.h"\n' >"$T/tree/src/b.c"
printf '#include "ui_x.h"\n' >"$T/tree/src/b.h" # b.h -> ui_x.h -> a.h -> b.h
printf '#include "a.h"\n' >"$T/tree/src/ui/ui_x.h"
printf '#include "a.h"\n' >"$T/tree/screens/pane.c" # uses a, no cycle
set +e
out=$(python3 "$CHECK" "$T/tree" 2>&1)
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "$out" >&2; fail "a planted cycle makes the check fail (rc $rc)"; }
assert_contains "$out" "include cycle: src/a -> src/b -> src/ui/ui_x -> src/a" \
  "the planted cycle is named module by module"
assert_contains "$out" "src/b.h -> src/ui/ui_x.h" "the #include that closes it is named"
assert_not_contains "$out" "screens/pane" "a module outside the cycle is not listed"

# ---- the real tree has none --------------------------------------------------
set +e
out=$(python3 "$CHECK" "$ROOT" 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" -eq 0 ] || fail "include cycles in the sources (see above)"
ok "no include cycles in src/, src/ui/, screens/"
