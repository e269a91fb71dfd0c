#!/usr/bin/env bash
# The foundation through the real binary: init, operators, calendar, export and
# import (byte-identical), and the refusals that must leave files untouched.
. "$UNYO_TESTLIB/common.sh"
DB=$T/store/unyo.db

out=$("$UNYO" --version); assert_contains "$out" "unyo " "--version"
out=$("$UNYO" help); assert_contains "$out" "export" "help lists commands"
out=$("$UNYO" help export); assert_contains "$out" "--bom" "help COMMAND shows options"
out=$(must_fail "$UNYO" frobnicate); assert_contains "$out" "no such command" "unknown command"

out=$("$UNYO" init --db "$DB"); assert_contains "$out" "templates" "init creates a store"
[ "$(stat -c %a "$DB")" = 600 ] && ok "store file mode 0600" || fail "mode $(stat -c %a "$DB")"
sum=$(sha256sum "$DB")
out=$(must_fail "$UNYO" init --db "$DB"); assert_contains "$out" "never overwrites" "init refuses an existing store"
[ "$(sha256sum "$DB")" = "$sum" ] && ok "existing store untouched" || fail "store changed"

out=$(must_fail "$UNYO" template list --db "$T/none.db"); assert_contains "$out" "unyo init" "missing store says how to create"
echo "not a database, just text" > "$T/notes.db"
out=$(must_fail "$UNYO" operator list --db "$T/notes.db"); assert_contains "$out" "not a unyo store" "non-database refused"
[ "$(cat "$T/notes.db")" = "not a database, just text" ] && ok "non-database untouched" || fail "file changed"
out=$(must_fail "$UNYO" init --db /proc/nope/unyo.db); assert_contains "$out" "/proc/nope" "unwritable path named"

# tester, the store's first operator, is its manager: only a manager registers others
out=$("$UNYO" operator add tester --role manager --name "テスト 太郎" --db "$DB"); assert_contains "$out" "tester" "operator add"
out=$("$UNYO" operator add sato --role engineer --name "佐藤 健" --db "$DB")
out=$(must_fail "$UNYO" operator add ito --role boss --db "$DB"); assert_contains "$out" "boss" "bad role refused"
out=$(UNYO_USER=stranger must_fail "$UNYO" operator add x --role operator --db "$DB")
# Told who can register them (the managers), not to rerun the very command that just
# failed.
assert_contains "$out" "テスト 太郎 (tester)" "unknown user told who can register them"
assert_not_contains "$out" "unyo operator add stranger" "unknown user not told to rerun operator add"
out=$("$UNYO" operator list --json --db "$DB"); assert_contains "$out" '"name": "佐藤 健"' "operator list --json"
out=$("$UNYO" operator list --csv --db "$DB"); assert_contains "$out" "login,name,role" "operator list --csv"

out=$("$UNYO" template list --db "$DB" --csv); n=$(printf '%s\n' "$out" | grep -c '^L[0-9]')
[ "$n" -ge 101 ] && ok "101+ library templates listed ($n)" || fail "only $n templates"
out=$("$UNYO" --lang ja template list --db "$DB"); assert_contains "$out" "定常監視" "Japanese names with --lang ja"
# The third column holds the item's number in its source list: headed as one.
out=$("$UNYO" --lang en template list --db "$DB"); assert_contains "$(printf '%s\n' "$out" | head -1)" "Source  No." "template list heads the number No."
assert_not_contains "$(printf '%s\n' "$out" | head -1)" "Item" "template list has no Item heading over a number"
out=$("$UNYO" --lang ja template list --db "$DB"); assert_contains "$(printf '%s\n' "$out" | head -1)" "項番" "template list heads the number 項番 in Japanese"

out=$("$UNYO" calendar --month 2026-12); assert_contains "$out" "2026-12-27" "calendar lists days"
assert_contains "$(printf '%s\n' "$out" | grep 2026-12-27)" "17:30" "Sunday closes 17:30"
assert_contains "$(printf '%s\n' "$out" | grep 2026-12-28)" "24:00" "Monday closes 24:00"
printf '[closed]\n2026-12-29 = 年末\nthis line is broken\n' > "$T/cal.ini"
out=$(must_fail "$UNYO" calendar --file "$T/cal.ini"); assert_contains "$out" "cal.ini:3" "broken calendar names file:line"

# Export, import into a new store, export again: byte-identical.
"$UNYO" export --csv "$T/ex1" --db "$DB" 2>/dev/null
for t in operators templates libraries incidents incident_events audit checklist_events; do
  [ -f "$T/ex1/$t.csv" ] || fail "missing $t.csv"
done
ok "every table exported"
head -1 "$T/ex1/operators.csv" | grep -q '^id,login,name,role' && ok "header row" || fail "header"
"$UNYO" import --csv "$T/ex1" --db "$T/copy.db" 2>/dev/null
"$UNYO" export --csv "$T/ex2" --db "$T/copy.db" 2>/dev/null
diff -r "$T/ex1" "$T/ex2" >/dev/null && ok "export → import → export is byte-identical" || fail "exports differ"
out=$(must_fail "$UNYO" import --csv "$T/ex1" --db "$T/copy.db"); assert_contains "$out" "not empty" "import refuses a non-empty store"
"$UNYO" export --csv "$T/ex3" --bom --db "$DB" 2>/dev/null
[ "$(head -c3 "$T/ex3/operators.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] && ok "--bom writes a BOM" || fail "no BOM"

# A damaged export is refused whole, naming the file and line.
cp -r "$T/ex1" "$T/bad"; printf 'x,"unterminated\r\n' >> "$T/bad/operators.csv"
out=$(must_fail "$UNYO" import --csv "$T/bad" --db "$T/bad.db"); assert_contains "$out" "operators.csv" "damaged CSV names the file"
[ ! -e "$T/bad.db" ] && ok "failed import leaves no half store" || fail "half store left"
echo "a,b" > "$T/ex1/stray.csv"
out=$(must_fail "$UNYO" import --csv "$T/ex1" --db "$T/bad2.db"); assert_contains "$out" "stray.csv" "unknown file refused"

out=$("$UNYO" audit --db "$DB"); assert_contains "$out" "operator.add" "audit trail records operator.add"
# The man page renders, without groff warnings, and documents every command.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
warn=$(groff -k -man -ww -z -Tutf8 "$ROOT/doc/unyo.1" 2>&1 || true)
[ -z "$warn" ] && ok "man page renders without warnings" || fail "groff: $warn"
page=$(MANWIDTH=100 man -l "$ROOT/doc/unyo.1" 2>/dev/null)
for c in $("$UNYO" help | awk '/^  [a-z]/ {print $1}'); do
  assert_contains "$page" "unyo $c" "man page documents $c"
done
finish
