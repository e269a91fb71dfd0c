#!/usr/bin/env bash
# The hosts inventory: add / edit / show / list (text, CSV, JSON) / remove,
# import from ssh_config (wildcard entries skipped), every change audited.
set -u
UNYO=${1:?usage: test_ssh_hosts.sh PATH/TO/unyo}
T=$(mktemp -d /tmp/unyo-hosts-XXXXXX)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home UNYO_USER=tester
export UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$(dirname "$0")/../../data" && pwd)}
mkdir -p "$HOME/.ssh"
FAILS=0
ok() { echo "ok - $*"; }
bad() {
    echo "FAIL - $*"
    FAILS=$((FAILS + 1))
}
DB=$T/unyo.db
U() { "$UNYO" --db "$DB" "$@"; }
U init >/dev/null
U operator add tester --role operator >/dev/null

U host add lib-ap01 --address 10.10.1.11 --role ap --location "DC ラック A-03" --os "RHEL 8.9" \
    --owner 情報システム課 --notes "図書館業務AP (1号機)" --user ops --port 2222 --jump "ops@gw:22" >/dev/null &&
    ok "add with every field" || bad "add"
U host show lib-ap01 --json | python3 -c "
import json,sys
rows={r['field']:r['value'] for r in json.load(sys.stdin)}
assert rows['role']=='AP', rows          # canonical spelling
assert rows['ssh_port']=='2222' and rows['ssh_jump']=='ops@gw:22'
assert rows['location']=='DC ラック A-03'
" && ok "show --json: role canonical, reach stored" || bad "show"
U host add lib-ap01 >/dev/null 2>"$T/err"
[ $? != 0 ] && grep -q "already exists" "$T/err" && ok "duplicate name refused" || bad "duplicate"
U host add bad1 --role mainframe >/dev/null 2>"$T/err"
grep -q 'unknown role "mainframe"' "$T/err" && ok "unknown role refused" || bad "role check"
U host add bad2 --jump "gw:99999" >/dev/null 2>"$T/err"
grep -q "ProxyJump" "$T/err" && ok "bad jump refused" || bad "jump check"
U host edit lib-ap01 --notes "" --port 0 --role DB --rename lib-db09 >/dev/null && ok "edit" || bad "edit"
U host show lib-db09 --csv | tr -d '\r' >"$T/csv"
grep -q '^notes,$' "$T/csv" && grep -q '^ssh_port,$' "$T/csv" && grep -q '^role,DB$' "$T/csv" &&
    ok "edit: empty clears, rename, role" || { bad "edit result"; cat "$T/csv"; }

cat >"$HOME/.ssh/config" <<'CFG'
Host *
  User default
Host web01 web02
  HostName 10.0.0.%h
Host db-*.lib !db-test.lib
  User dba
Host bastion
  HostName 192.0.2.1
CFG
U host import-ssh-config >"$T/out"
grep -q "Imported 3" "$T/out" && ok "import: 3 concrete hosts" || { bad "import"; cat "$T/out"; }
U host list --csv | tr -d '\r' >"$T/list.csv"
grep -q '^web01,10.0.0.web01,other,.*,web01,' "$T/list.csv" && ok "import: address from HostName, ssh_alias" ||
    { bad "import rows"; cat "$T/list.csv"; }
grep -q 'db-' "$T/list.csv" && bad "wildcard entry imported" || ok "wildcard entries skipped"
U host import-ssh-config >"$T/out"
grep -q "Imported 0 .*(3 already" "$T/out" && ok "import again: nothing doubled" || { bad "re-import"; cat "$T/out"; }
U host remove web02 >/dev/null && ok "remove" || bad "remove"
U host show web02 >/dev/null 2>&1 && bad "removed host still shown" || ok "removed host gone"
U host add web02 --address 10.0.0.2 >/dev/null && ok "name reusable after remove" || bad "name reuse"
n=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action LIKE 'host.%'")
[ "$n" = 7 ] && ok "every change audited ($n rows)" || bad "audit rows: $n"
sqlite3 "$DB" "SELECT detail FROM audit WHERE action='host.edit'" | grep -q "name=lib-db09" && ok "audit detail" || bad "audit detail"
U host list | head -1 | grep -q "Name" && ok "text list" || bad "text list"

echo "failures: $FAILS"
[ "$FAILS" = 0 ]
