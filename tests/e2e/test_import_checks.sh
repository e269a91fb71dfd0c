#!/usr/bin/env bash
# Issue 11 §3: `unyo import --csv` took a received_at that is not a time, and the
# incident then vanished from `incident list`. Every field is checked (times in
# the stored form, dates, numbers, row ids, known values, valid UTF-8) and every
# reference once all files are in; the first fault is refused as FILE:LINE and
# nothing is imported.
. "$UNYO_TESTLIB/common.sh"
OP=0190a000-0000-7000-8000-000000000001
ORIGIN=0190a000-0000-7000-8000-0000000000ff
T0=2026-11-24T00:00:00.000Z
good_dir() { # DIR: one operator, two incidents, all valid
  rm -rf "$1"; mkdir -p "$1"
  printf 'id,login,name,role,created_at,updated_at,hlc,origin\r\n%s,%s,Tester,operator,%s,%s,1,%s\r\n' \
    "$OP" "$UNYO_USER" "$T0" "$T0" "$ORIGIN" >"$1/operators.csv"
  printf 'id,ref,channel,title,category,impact,urgency,priority,status,received_at,created_by,created_at,updated_at,hlc,origin\r\n' >"$1/incidents.csv"
  inc 0190a000-0000-7000-8000-000000000010 INC-1 "$T0" >>"$1/incidents.csv"
  inc 0190a000-0000-7000-8000-000000000011 INC-2 "$T0" >>"$1/incidents.csv"
}
# inc ID REF RECEIVED [STATUS] [IMPACT] [CREATED_BY] [TITLE]
inc() {
  printf '%s,%s,phone,%s,server,%s,2,P3,%s,%s,%s,%s,%s,2,%s\r\n' "$1" "$2" "${7:-title $2}" "${5:-2}" \
    "${4:-received}" "$3" "${6:-$OP}" "$T0" "$T0" "$ORIGIN"
}
n=0
refused() { # DIR WANT WHAT
  n=$((n + 1))
  local out
  out=$(must_fail "$UNYO" --lang en import --csv "$1" --db "$T/bad$n.db")
  assert_contains "$out" "$2" "$3"
  [ ! -e "$T/bad$n.db" ] && ok "$3: nothing imported" ||
    { [ "$(sqlite3 "$T/bad$n.db" "SELECT count(*) FROM incidents")" = 0 ] && ok "$3: nothing imported" || fail "$3: rows imported"; }
}

good_dir "$T/good"
out=$("$UNYO" --lang en import --csv "$T/good" --db "$T/good.db") || fail "valid files refused: $out"
[ "$(sqlite3 "$T/good.db" "SELECT count(*) FROM incidents")" = 2 ] && ok "valid files import" ||
  fail "valid import"

# The defect: a received_at that is not a time.
good_dir "$T/d"; inc 0190a000-0000-7000-8000-000000000012 INC-3 yesterday >>"$T/d/incidents.csv"
refused "$T/d" "incidents.csv:4: received_at" "a received_at that is not a time"
good_dir "$T/d"; inc 0190a000-0000-7000-8000-000000000012 INC-3 "2026-11-24 09:00" >>"$T/d/incidents.csv"
refused "$T/d" "incidents.csv:4: received_at" "a time not in the stored form (it would sort wrong)"
good_dir "$T/d"; inc 0190a000-0000-7000-8000-000000000012 INC-3 2026-02-30T00:00:00.000Z >>"$T/d/incidents.csv"
refused "$T/d" "incidents.csv:4: received_at" "a day that does not exist"
good_dir "$T/d"; inc 0190a000-0000-7000-8000-000000000012 INC-3 "$T0" bogus >>"$T/d/incidents.csv"
refused "$T/d" "incidents.csv:4: status" "an unknown status"
good_dir "$T/d"; inc 0190a000-0000-7000-8000-000000000012 INC-3 "$T0" received abc >>"$T/d/incidents.csv"
refused "$T/d" "incidents.csv:4: impact" "a number that is not a number"
good_dir "$T/d"; inc not-an-id INC-3 "$T0" >>"$T/d/incidents.csv"
refused "$T/d" "incidents.csv:4: id" "an id that is not an id"
good_dir "$T/d"; inc 0190a000-0000-7000-8000-000000000012 INC-3 "$T0" received 2 0190a000-0000-7000-8000-0000000000aa >>"$T/d/incidents.csv"
refused "$T/d" "incidents.csv:4: created_by" "a reference to an operator that is not there"
good_dir "$T/d"; inc 0190a000-0000-7000-8000-000000000012 INC-3 "$T0" received 2 "$OP" "$(printf 'bad \377 byte')" >>"$T/d/incidents.csv"
refused "$T/d" "incidents.csv:4: title" "text that is not UTF-8"
out=$(must_fail "$UNYO" --lang en import --csv "$T/d" --db "$T/bad-again.db")
assert_contains "$out" "not valid UTF-8" "the reason is given"

# Japanese.
good_dir "$T/d"; inc 0190a000-0000-7000-8000-000000000012 INC-3 yesterday >>"$T/d/incidents.csv"
out=$(must_fail "$UNYO" --lang ja import --csv "$T/d" --db "$T/ja.db")
assert_contains "$out" "incidents.csv:4" "Japanese: FILE:LINE"
assert_not_contains "$out" "is not a time" "Japanese: the reason is translated"
finish
