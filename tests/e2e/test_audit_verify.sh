#!/usr/bin/env bash
# Issue 14, "Records no one can rewrite unseen", as an auditor meets it: a store made
# by unyo verifies clean (exit 0); an incident's title changed by hand in SQLite, and
# a dropped trigger with a deleted audit row, are each named by `unyo audit verify`
# (exit 1), in Japanese too; the console says so on its status line (改ざん 1);
# `unyo audit export` gives files an auditor checks WITHOUT unyo (python3 verify.py,
# sha256sum -c, jq), and one edited line of the export is caught by that script.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
q() { sqlite3 "$T_DB" "$1"; }
U() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" "$@"; }

# ---- a clean store ------------------------------------------------------------
out=$(U audit verify 2>&1) || t_fail "a store made by unyo does not verify: $out"
grep -q "Nothing was changed unseen" <<<"$out" || t_fail "clean verify: $out"
t_ok "a store unyo made verifies clean (exit 0)"
# A store rebuilt by `unyo import --csv` is chained as it is written.
U export --csv "$T_DIR/csv" 2>/dev/null || t_fail "export --csv"
UNYO_USER=$T_USER "$T_BIN" import --csv "$T_DIR/csv" --db "$T_DIR/imported.db" 2>/dev/null || t_fail "import --csv"
out=$(UNYO_USER=$T_USER "$T_BIN" audit verify --db "$T_DIR/imported.db" 2>&1) || t_fail "an imported store does not verify: $out"
t_ok "a store made by unyo import --csv verifies clean"

# ---- the auditor's export, checked without unyo --------------------------------
EX=$T_DIR/export
U audit export "$EX" 2>/dev/null || t_fail "audit export failed"
for f in README verify.py chain.jsonl heads.json SHA256SUMS tables/incidents.jsonl tables/audit.jsonl; do
  [ -s "$EX/$f" ] || t_fail "the export has no $f"
done
grep -q "sha256sum -c SHA256SUMS" "$EX/README" && grep -q "検証の手順" "$EX/README" ||
  t_fail "the README does not say how to check (Japanese and English)"
(cd "$EX" && sha256sum -c --quiet SHA256SUMS) || t_fail "sha256sum -c of the export fails"
out=$(env -i PATH=/usr/bin:/bin python3 "$EX/verify.py" "$EX") || t_fail "verify.py on a clean export: $out"
grep -q "OK" <<<"$out" || t_fail "verify.py: $out"
n=$(jq -s 'length' "$EX/chain.jsonl")
[ "$n" = "$(q 'SELECT count(*) FROM local_chain')" ] || t_fail "jq reads $n links"
t_ok "the export verifies with python3 and sha256sum alone, jq reads its chain"
# One exported line edited: the script names its file and line.
line=$(grep -n '"ref":"INC-' "$EX/tables/incidents.jsonl" | head -1 | cut -d: -f1)
sed -i "${line}s/\"title\":\"[^\"]*\"/\"title\":\"(edited)\"/" "$EX/tables/incidents.jsonl"
if out=$(env -i PATH=/usr/bin:/bin python3 "$EX/verify.py" "$EX"); then t_fail "an edited export line passed: $out"; fi
grep -q "tables/incidents.jsonl:$line: row .* differs from its chained digest" <<<"$out" ||
  t_fail "verify.py does not name the edited line: $out"
(cd "$EX" && ! sha256sum -c --quiet SHA256SUMS >/dev/null 2>&1) || t_fail "sha256sum -c missed the edit"
t_ok "an edited line of the export is named by verify.py (file:line) and fails sha256sum -c"

# ---- an UPDATE by hand ----------------------------------------------------------
ID=$(q "SELECT id FROM incidents ORDER BY id LIMIT 1")
q "UPDATE incidents SET title = '書き換え' WHERE id = '$ID'"
if out=$(U audit verify 2>&1); then t_fail "verify passed after an UPDATE by hand: $out"; fi
grep -q "incidents row $ID was changed outside unyo" <<<"$out" || t_fail "the incident is not named: $out"
out=$(U --lang ja audit verify 2>&1) || true
grep -q "インシデントの行 $ID は unyo の外で変更されました" <<<"$out" || t_fail "Japanese: $out"
grep -q "検出: 1 件" <<<"$out" || t_fail "Japanese count: $out"
t_ok "an incident's title changed in SQLite is named (exit 1), in Japanese too"

# ---- the console says so ------------------------------------------------------------
t_start 160 36 --lang ja
t_wait "改ざん 1"
t_keys q
t_wait_exit # gone before the store is changed below (it may write as it exits)
t_ok "the console's status line shows 改ざん 1"

# ---- DROP TRIGGER + DELETE FROM audit --------------------------------------------------
AID=$(q "SELECT id FROM audit ORDER BY id LIMIT 1")
q "DROP TRIGGER audit_append_only_d; DELETE FROM audit WHERE id = '$AID'"
if out=$(U audit verify 2>&1); then t_fail "verify passed after DROP TRIGGER + DELETE: $out"; fi
grep -q "trigger audit_append_only_d was dropped" <<<"$out" || t_fail "the trigger is not named: $out"
grep -q "audit trail row $AID was deleted" <<<"$out" || t_fail "the deleted audit row is not named: $out"
t_ok "a dropped trigger and the audit row deleted behind it are named"
