#!/usr/bin/env bash
# A role change that arrives by sync counts only if a manager made it (issue 14),
# against a real PostgreSQL 15. Console a writes operator versions by hand as a
# console that skipped the rule would (sqlite3: a non-manager as the author, or
# the person themselves); console b refuses each, keeps the role it had and lists
# the refusal as a sync conflict naming the author, in English and Japanese; the
# conflict cannot be "written again", only kept. A manager's change, and a change
# by someone promoted to manager in the same push, are applied. A console that
# joins later does not register someone a non-manager made an engineer.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start

a=$T/a.db b=$T/b.db
"$UNYO" init --db "$a" >/dev/null
UNYO_USER=boss "$UNYO" operator add boss --role manager --name 部長 --db "$a" >/dev/null
for x in "ito operator 伊藤" "kato operator 加藤" "sato engineer 佐藤" "mori operator 森"; do
  set -- $x
  UNYO_USER=boss "$UNYO" operator add "$1" --role "$2" --name "$3" --db "$a" >/dev/null
done
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null
"$UNYO" init --db "$b" >/dev/null
sync_q "$a"; sync_q "$b"
role() { sqlite3 "$1" "SELECT role FROM operators WHERE login = '$2'"; }
[ "$(role "$b" ito)" = operator ] || fail "b did not get ito: $(role "$b" ito)"
[ "$(role "$b" sato)" = engineer ] || fail "b did not get sato as an engineer"
ok "operators registered by a manager reach the other console"

# A manager's change is applied.
UNYO_USER=boss "$UNYO" operator role ito --role engineer --db "$a" >/dev/null
sync_q "$a"; sync_q "$b"
[ "$(role "$b" ito)" = engineer ] || fail "a manager's role change was not applied: $(role "$b" ito)"
assert_contains "$("$UNYO" sync conflicts --db "$b")" "No sync conflicts" "and it is no conflict"

# What a console that skipped the rule would push: kato (an operator) makes ito a
# manager; mori makes himself an engineer.
id_of() { sqlite3 "$a" "SELECT id FROM operators WHERE login = '$1'"; }
forge() { # login role author
  sqlite3 "$a" "UPDATE operators SET role = '$2', changed_by = '$(id_of "$3")',
    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    hlc = (SELECT max(hlc) FROM operators) + 65536 WHERE login = '$1'"
}
forge ito manager kato
forge mori engineer mori
sync_q "$a"
[ "$(pg_psql "SELECT role FROM unyo.operators WHERE login = 'ito'")" = manager ] ||
  fail "the forged version did not reach the central database"
out=$("$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$b" 2>&1)
[ "$(role "$b" ito)" = engineer ] || fail "b applied kato's change of ito's role: $(role "$b" ito)"
[ "$(role "$b" mori)" = operator ] || fail "b applied mori's change of his own role: $(role "$b" mori)"
ok "b keeps the roles it had: a non-manager's change and a change of one's own role are refused"
out=$("$UNYO" sync conflicts --db "$b")
assert_contains "$out" "Open conflicts: 2 of 2" "both refusals are open conflicts"
assert_contains "$out" "加藤 is not a manager here" "the conflict names who made the change"
assert_contains "$out" "森 is not a manager here" "and the one who changed his own role"
assert_contains "$out" "manager (by 加藤" "with the role that was refused"
assert_not_contains "$out" "$(id_of ito)" "no operator id in the list"
out=$("$UNYO" sync conflicts --db "$b" --lang ja)
assert_contains "$out" "加藤 は管理者ではない" "the Japanese list says why"
assert_contains "$out" "管理者" "and names the roles in Japanese"
assert_not_contains "$out" "manager" "no role left in English"
json=$("$UNYO" sync conflicts --json --db "$b")
assert_contains "$json" '"kind": "refused"' "--json says the version was refused"
n=$(sqlite3 "$b" "SELECT count(*) FROM audit WHERE action = 'sync.conflict'")
[ "$n" = 2 ] || fail "expected 2 sync.conflict audit rows on b, found $n"

# Writing the refused role again is not the way: a manager changes it, signed.
cid=$("$UNYO" sync conflicts --csv --db "$b" | awk -F, '$3 == "伊藤" {print $1}')
[ -n "$cid" ] || fail "no conflict id for 伊藤"
out=$(UNYO_USER=boss must_fail "$UNYO" sync conflicts reapply "$cid" --db "$b")
assert_contains "$out" "changed only by a manager" "reapply of a refused role is refused"
[ "$(role "$b" ito)" = engineer ] || fail "the refused reapply wrote"
out=$(UNYO_USER=boss "$UNYO" sync conflicts keep "$cid" --db "$b")
assert_contains "$("$UNYO" sync conflicts --db "$b")" "Open conflicts: 1 of 2" "keep closes it"

# A console that joins now sees the newest central versions only: it does not
# register ito as a manager on kato's word.
c=$T/c.db
"$UNYO" init --db "$c" >/dev/null
sync_q "$c"
[ -z "$(role "$c" ito)" ] || fail "c registered ito as $(role "$c" ito)"
[ "$(role "$c" kato)" = operator ] || fail "c lacks kato"
assert_contains "$("$UNYO" sync conflicts --db "$c")" "not registered here (加藤 is not a manager here)" \
  "a console that joins later refuses the new manager and says so"

# In one push: boss makes sato a manager, then sato makes mori an observer. A
# push sends rows in its own order (here mori's row first): the pulling console
# holds mori's change until sato's promotion is applied, and applies both.
UNYO_USER=boss "$UNYO" operator role sato --role manager --db "$a" >/dev/null
UNYO_USER=sato "$UNYO" operator role mori --role observer --db "$a" >/dev/null
before=$(sqlite3 "$b" "SELECT count(*) FROM audit WHERE action = 'sync.conflict'")
sync_q "$a"
[ "$(pg_psql "SELECT string_agg(login, ' ' ORDER BY server_seq) FROM unyo.operators WHERE login IN ('mori', 'sato')")" = "mori sato" ] ||
  fail "the push did not send mori's row first: this case no longer tests the wait"
sync_q "$b"
[ "$(role "$b" sato)" = manager ] || fail "b did not apply sato's promotion"
[ "$(role "$b" mori)" = observer ] || fail "b did not apply the change sato made as a manager"
[ "$(sqlite3 "$b" "SELECT count(*) FROM audit WHERE action = 'sync.conflict'")" = "$before" ] ||
  fail "a change by a manager promoted in the same push was recorded as a conflict"
ok "a change by someone made a manager in the same push is applied"

# New managers nobody registered: one without an author (as a store's first
# operator is), one registering themselves. b knows a manager: both refused.
sqlite3 "$a" "INSERT INTO operators(id, login, name, role, active, created_at, updated_at, deleted, hlc, origin, changed_by)
  VALUES ('forged-1', 'evil1', '偽一', 'manager', 1, '2026-12-07T00:00:00.000Z', '2026-12-07T00:00:00.000Z', 0,
          (SELECT max(hlc) FROM operators) + 65536, (SELECT origin FROM operators LIMIT 1), NULL),
         ('forged-2', 'evil2', '偽二', 'engineer', 1, '2026-12-07T00:00:00.000Z', '2026-12-07T00:00:00.000Z', 0,
          (SELECT max(hlc) FROM operators) + 65537, (SELECT origin FROM operators LIMIT 1), 'forged-2')"
sync_q "$a"; sync_q "$b"
[ -z "$(role "$b" evil1)$(role "$b" evil2)" ] || fail "b registered a manager or engineer nobody registered"
out=$("$UNYO" sync conflicts --db "$b")
assert_contains "$out" "偽一" "the refused new manager is listed"
assert_contains "$out" "not registered here" "as not registered here"

# What a manager did stays valid after they leave: sato deactivates boss, and a
# console that joins afterwards still takes the operators boss registered.
UNYO_USER=sato "$UNYO" operator deactivate boss --yes --db "$a" >/dev/null
sync_q "$a"
d=$T/d.db
"$UNYO" init --db "$d" >/dev/null
sync_q "$d"
[ "$(role "$d" sato)" = manager ] && [ "$(role "$d" kato)" = operator ] && [ "$(role "$d" mori)" = observer ] ||
  fail "a console joining after boss left: sato $(role "$d" sato), kato $(role "$d" kato), mori $(role "$d" mori)"
[ "$(sqlite3 "$d" "SELECT active FROM operators WHERE login = 'boss'")" = 0 ] || fail "d does not know boss left"
ok "a deactivated manager's registrations still count on a console that joins later"
finish
