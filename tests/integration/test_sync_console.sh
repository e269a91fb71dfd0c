#!/usr/bin/env bash
# The console syncs in the background: with [sync] url in config.ini it uploads
# the store's history, sends a change made in a pane without the operator doing
# anything, shows "offline" while the central database is down and catches up
# when it is back. A second console's store receives what the first sent.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/pg.sh"
t_init "$1"
cleanup_hooks=()
pg_start
trap 'for h in "${cleanup_hooks[@]}"; do $h || true; done; t_cleanup' EXIT
T_TIMEOUT=30

"$T_BIN" central init --url "$UNYO_TEST_PGURL" --db "$T_DB" >/dev/null
printf '[sync]\nurl = %s\ninterval = 2\n' "$UNYO_TEST_PGURL" >"$XDG_CONFIG_HOME/unyo/config.ini"

# The other console: its own store, the same person registered.
B=$T_DIR/b.db
"$T_BIN" init --db "$B" >/dev/null
UNYO_USER=$T_USER "$T_BIN" operator add "$T_USER" --role operator --db "$B" >/dev/null
pull_b() { UNYO_USER=$T_USER "$T_BIN" sync --db "$B" --url "$UNYO_TEST_PGURL" >/dev/null 2>&1; }
count() { sqlite3 "$1" "$2"; }

t_start 140 30 --lang en
t_wait "synced"
t_ok "the console reports synced after its first round"

pull_b
a=$(count "$T_DB" "SELECT count(*) FROM incidents"); b=$(count "$B" "SELECT count(*) FROM incidents")
[[ $a -gt 0 && $a == "$b" ]] || t_fail "incidents: console $a, other store $b"
t_ok "the history reached the other store ($b incidents)"

# A mark made in the Checklist pane is sent without any key for sync.
before=$(count "$B" "SELECT count(*) FROM checklist_events WHERE source = 'manual' AND day = '2026-11-23'")
# The first row is L025, checked per host: o opens it on its first host, o marks that host.
t_keys o
t_wait "mark a host's row"
t_keys o
deadline=$((SECONDS + 30))
while :; do
    pull_b
    now=$(count "$B" "SELECT count(*) FROM checklist_events WHERE day = '2026-11-23'")
    [[ $now -gt $before ]] && break
    ((SECONDS < deadline)) || t_fail "the mark did not reach the other store"
    sleep 0.5
done
t_ok "a checklist mark reached the other store by background sync"

# Central database down: the console keeps working and says it is offline.
pg_stop_server
t_keys j o
t_wait "offline"
t_ok "status line shows offline while the central database is down"
pg_start_server
t_wait "synced"
deadline=$((SECONDS + 30))
while :; do
    pull_b
    now2=$(count "$B" "SELECT count(*) FROM checklist_events WHERE day = '2026-11-23'")
    [[ $now2 -gt $now ]] && break
    ((SECONDS < deadline)) || t_fail "the change made offline did not arrive"
    sleep 0.5
done
t_ok "the change made while offline arrived after the server came back"
t_keys q
t_wait_exit
echo "5 passed, 0 failed"
