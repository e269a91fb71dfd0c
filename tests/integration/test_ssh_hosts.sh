#!/usr/bin/env bash
# The hosts inventory: add / edit / show / list (text, CSV, JSON) / remove,
# import from ssh_config (wildcard entries skipped), every change audited.
# With root and sshd: hosts imported from another file (--file) connect the way
# that file says (HostName, Port, User, IdentityFile, ProxyJump through a hop
# named in it), and `host trust` without a terminal (--yes, or a clear refusal).
set -u
UNYO=${1:?usage: test_ssh_hosts.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
T=$(mktemp -d /tmp/unyo-hosts-XXXXXX)
T0=$T
trap 'rm -rf "$T0"' EXIT
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
U host show web01 --json | python3 -c "
import json,sys
rows={r['field']:r['value'] for r in json.load(sys.stdin)}
assert rows['ssh_config'] is None, rows
" && ok "import of ~/.ssh/config records no file: it keeps following ~/.ssh/config" ||
    bad "default import recorded a file"
U host import-ssh-config >"$T/out"
grep -q "Imported 0 .*(3 already" "$T/out" && ok "import again: nothing doubled" || { bad "re-import"; cat "$T/out"; }
U host remove web02 >/dev/null && ok "remove" || bad "remove"
U host show web02 >/dev/null 2>&1 && bad "removed host still shown" || ok "removed host gone"
U host add web02 --address 10.0.0.2 >/dev/null && ok "name reusable after remove" || bad "name reuse"
n=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action LIKE 'host.%'")
[ "$n" = 7 ] && ok "every change audited ($n rows)" || bad "audit rows: $n"
sqlite3 "$DB" "SELECT detail FROM audit WHERE action='host.edit'" | grep -q "name=lib-db09" && ok "audit detail" || bad "audit detail"
U host list | head -1 | grep -q "Name" && ok "text list" || bad "text list"

U host import-ssh-config --file "$T/no-such-config" >/dev/null 2>"$T/err" &&
    bad "import from a missing file succeeded" ||
    { grep -q "no-such-config" "$T/err" && ok "import: a missing --file is refused, named" ||
        { bad "missing --file message"; cat "$T/err"; }; }

# ---- hosts imported from another file, against a loopback sshd ----
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "SKIP: the connection part needs root and OpenSSH sshd"
    echo "failures: $FAILS"
    [ "$FAILS" = 0 ]
    exit
fi
source "$LIB/sshd.sh"
trap 'sshd_cleanup; rm -rf "$T0"' EXIT
sshd_env_init # a new HOME: its ~/.ssh/config is empty
# The server knows only the key the other file names: the default key does not log in.
ssh-keygen -q -t ed25519 -N '' -C team -f "$T/team_ed25519"
cp "$T/team_ed25519.pub" "$T/authorized_keys"
SSHD_NO_KNOWN=1 sshd_start imp
mkdir -p "$T/elsewhere"
TEAM=$T/elsewhere/team.cfg
cat >"$TEAM" <<CFG
Host imp1.invalid
  HostName 127.0.0.1
  Port $PORT_imp
Host gw.invalid
  HostName 127.0.0.1
  Port $PORT_imp
Host via-gw.invalid
  HostName 127.0.0.1
  Port $PORT_imp
  ProxyJump gw.invalid
Host *
  User $SSHD_TEST_USER
  IdentityFile $T/team_ed25519
  IdentitiesOnly yes
CFG
U host import-ssh-config --file "$TEAM" >"$T/out" 2>&1
grep -q "Imported 3 " "$T/out" && ok "import --file: 3 hosts" || { bad "import --file"; cat "$T/out"; }
U host show imp1.invalid --json | python3 -c "
import json,sys
rows={r['field']:r['value'] for r in json.load(sys.stdin)}
assert rows['ssh_config']=='$TEAM', rows
assert rows['ssh_alias']=='imp1.invalid' and rows['address']=='127.0.0.1', rows
" && ok "import --file: the host remembers the file" || bad "ssh_config recorded"
fp=$(ssh-keygen -lf "$(sshd_hostkey_pub imp)" | cut -d' ' -f2)

# host trust without a terminal: without --yes a clear refusal naming the key.
echo | U host trust imp1.invalid >"$T/out" 2>"$T/err"
rc=$?
[ $rc != 0 ] && grep -q -- "--yes" "$T/err" && grep -q "no terminal" "$T/err" && grep -qF "$fp" "$T/err" &&
    ok "trust piped without --yes: refused, says to use --yes, shows the key" ||
    { bad "trust without --yes (rc=$rc)"; cat "$T/out" "$T/err"; }
echo | U --lang ja host trust imp1.invalid >/dev/null 2>"$T/err"
grep -q "端末がありません" "$T/err" && grep -q -- "--yes" "$T/err" &&
    ok "the same refusal in Japanese" || { bad "Japanese refusal"; cat "$T/err"; }
grep -q "$PORT_imp" "$HOME/.ssh/known_hosts" && bad "refused key written to known_hosts" ||
    ok "nothing trusted without --yes"

echo | U host trust imp1.invalid --yes >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] && grep -qF "$fp" "$T/out" && grep -q "^Trusted " "$T/out" &&
    ok "trust --yes piped: trusted, fingerprint printed" ||
    { bad "trust --yes (rc=$rc)"; cat "$T/out" "$T/err"; }
grep -q "^\[127.0.0.1\]:$PORT_imp ssh-ed25519 " "$HOME/.ssh/known_hosts" &&
    ok "trust --yes: the key is in known_hosts" || { bad "known_hosts"; cat "$HOME/.ssh/known_hosts"; }

cat >"$T/checks.ini" <<'EOF'
[alive]
template = L025
command = echo alive
pattern = ^alive$
severity = critical
EOF
U check run --checks "$T/checks.ini" --host imp1.invalid --item alive --timeout 120 >"$T/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "imp1.invalid *alive *L025 *OK" "$T/out" &&
    ok "check run: the imported host connects as its file says (HostName, Port, User, IdentityFile)" ||
    { bad "check run on the imported host (rc=$rc)"; cat "$T/out"; }
out=$(U host exec --timeout 120 via-gw.invalid echo through-the-hop 2>"$T/err")
[ "$out" = through-the-hop ] && ok "exec: ProxyJump hop named in the file resolves through it" ||
    { bad "exec via the hop: $out"; cat "$T/err"; }

mv "$TEAM" "$TEAM.away"
U host exec --timeout 60 imp1.invalid echo hi >/dev/null 2>"$T/err" && bad "connected without its file" ||
    { grep -qF "ssh_config file $TEAM" "$T/err" && ! grep -q "resolve" "$T/err" &&
        ok "the file gone: an error naming it, the alias never dialled" ||
        { bad "missing file message"; cat "$T/err"; }; }
mv "$TEAM.away" "$TEAM"

echo "failures: $FAILS"
[ "$FAILS" = 0 ]
