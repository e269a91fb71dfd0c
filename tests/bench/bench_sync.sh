#!/usr/bin/env bash
# Sync with a real PostgreSQL 15 (started here, as in the integration tests):
#  - push of ~100,000 changes (18,000 incidents with their events, made on a
#    console already syncing), paired with `psql \copy` of the same rows in
#    (target <= 3 s, ratio <= 2);
#  - pull of the same ~100,000 changes by another console, paired with
#    `psql \copy` of the same rows out (target <= 3 s); the pull until the
#    rows are committed and visible (`unyo sync --no-index`: the search index
#    is rebuilt after, by the next `unyo sync` here, timed apart) against the
#    floor of `sqlite3 .import` into bare tables (issue 16: <= 2x the floor);
#  - the first sync of a store with ~100,000 rows of history;
#  - an up-to-date round on an open connection (target <= 10 ms);
#  - a round carrying 10,000 changes on a ~56k-row and on a ~1M-row store
#    (target: about the same).
# Needs root (PostgreSQL runs as the postgres user) or to be the postgres user.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
cleanup_hooks=()
trap 'for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done' EXIT
. "$HERE/../lib/pg.sh"
pg_start
URL=$UNYO_TEST_PGURL
BIN=$(dirname "$UNYO")/tests; [ -x "$BIN/bench_sync" ] || BIN=$(dirname "$UNYO")
RUNS=${BENCH_RUNS:-3}
N=${BENCH_SYNC_INCIDENTS:-18000}
BIG=${BENCH_SYNC_BIG:-180000}
W=$BENCH_DIR/sync; rm -rf "$W"; mkdir -p "$W"
export UNYO_USER=bench

src=$BENCH_DIR/sync-src-$N.db
if [ ! -f "$src" ]; then
  "$UNYO" init --db "$src" >/dev/null
  "$UNYO" operator add bench --role operator --db "$src" >/dev/null
  "$UNYO" demo --generate "$N" --db "$src" 2>/dev/null
fi

ms() { echo $(( ($2 - $1) / 1000000 )); }
count_rows() { sqlite3 "$1" "SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM incident_events)"; }
push=(); pull=(); pullc=(); index=(); refin=(); refout=(); first=(); refimp=(); refbare=()
for i in $(seq "$RUNS"); do
  pg_psql "DROP SCHEMA IF EXISTS unyo CASCADE; DROP TABLE IF EXISTS ref_incidents, ref_incident_events"
  rm -f "$W"/work.db* "$W"/pull.db* "$W"/hist.db*
  # Two consoles made by unyo init (a copied store file would share its
  # console id with the original, and so would never pull its rows).
  for db in work pull; do
    "$UNYO" init --db "$W/$db.db" >/dev/null
    "$UNYO" operator add bench --role operator --db "$W/$db.db" >/dev/null
  done
  "$UNYO" central init --url "$URL" --db "$W/work.db" >/dev/null
  # Both consoles are syncing (triggers installed, seeds exchanged) before
  # the changes are made: the steady state.
  for db in work pull work pull work; do "$UNYO" sync --url "$URL" --db "$W/$db.db" >/dev/null; done
  "$UNYO" demo --generate "$N" --db "$W/work.db" 2>/dev/null
  rows=$(count_rows "$W/work.db")
  t0=$(now_ns); "$UNYO" sync --url "$URL" --db "$W/work.db" >/dev/null; t1=$(now_ns)
  push+=("$(ms "$t0" "$t1")")
  # Until the rows are committed and visible (a search finds them by a scan),
  # then the search index rebuilt by the next sync (an up-to-date round too).
  t0=$(now_ns); "$UNYO" sync --no-index --url "$URL" --db "$W/pull.db" >/dev/null; t1=$(now_ns)
  [ "$(sqlite3 "$W/pull.db" "SELECT value FROM local_sync_meta WHERE key = 'search_suspended'")" = 1 ] ||
    { echo "the pull did not leave the search index to build" >&2; exit 1; }
  "$UNYO" sync --url "$URL" --db "$W/pull.db" >/dev/null 2>&1; t2=$(now_ns)
  pullc+=("$(ms "$t0" "$t1")"); index+=("$(ms "$t1" "$t2")"); pull+=("$(ms "$t0" "$t2")")
  got=$(count_rows "$W/pull.db")
  [ "$got" = "$rows" ] || { echo "pull incomplete: $got of $rows" >&2; exit 1; }
  # The same rows with psql \copy, in (to tables with the same columns and
  # primary keys) and out (from the mirror tables).
  sqlite3 -csv "$W/work.db" "SELECT * FROM incidents" >"$W/incidents.csv"
  sqlite3 -csv "$W/work.db" "SELECT * FROM incident_events" >"$W/incident_events.csv"
  cols_i=$(sqlite3 "$W/work.db" "SELECT group_concat(name, ',') FROM pragma_table_info('incidents')")
  cols_e=$(sqlite3 "$W/work.db" "SELECT group_concat(name, ',') FROM pragma_table_info('incident_events')")
  pg_psql "CREATE TABLE ref_incidents AS SELECT * FROM unyo.incidents WITH NO DATA; ALTER TABLE ref_incidents DROP COLUMN server_seq, ADD PRIMARY KEY (id);
           CREATE TABLE ref_incident_events AS SELECT * FROM unyo.incident_events WITH NO DATA; ALTER TABLE ref_incident_events DROP COLUMN server_seq, ADD PRIMARY KEY (id)"
  t0=$(now_ns)
  psql -X -q "$URL" -c "\\copy ref_incidents ($cols_i) FROM '$W/incidents.csv' CSV" -c "\\copy ref_incident_events ($cols_e) FROM '$W/incident_events.csv' CSV"
  t1=$(now_ns)
  psql -X -q "$URL" -c "\\copy (SELECT * FROM unyo.incidents) TO '$W/out-i.csv' CSV" -c "\\copy (SELECT * FROM unyo.incident_events) TO '$W/out-e.csv' CSV"
  t2=$(now_ns)
  refin+=("$(ms "$t0" "$t1")"); refout+=("$(ms "$t1" "$t2")")
  # A floor for the pull's local side: sqlite3 .import of the same rows into a
  # fresh store (same indexes, same search triggers), no network.
  "$UNYO" init --db "$W/imp.db" >/dev/null
  t0=$(now_ns)
  sqlite3 "$W/imp.db" "PRAGMA foreign_keys=OFF" ".import --csv '$W/incidents.csv' incidents" ".import --csv '$W/incident_events.csv' incident_events"
  t1=$(now_ns)
  refimp+=("$(ms "$t0" "$t1")")
  rm -f "$W"/imp.db*
  # The store engine's floor: the same import into the bare tables (no
  # secondary index, no trigger, no search index) -- less than any pull does.
  "$UNYO" init --db "$W/imp.db" >/dev/null
  sqlite3 "$W/imp.db" "SELECT 'DROP ' || type || ' \"' || name || '\";' FROM sqlite_master WHERE tbl_name IN ('incidents', 'incident_events') AND type IN ('index', 'trigger') AND sql IS NOT NULL" | sqlite3 "$W/imp.db"
  t0=$(now_ns)
  sqlite3 "$W/imp.db" "PRAGMA foreign_keys=OFF" ".import --csv '$W/incidents.csv' incidents" ".import --csv '$W/incident_events.csv' incident_events"
  t1=$(now_ns)
  refbare+=("$(ms "$t0" "$t1")")
  rm -f "$W"/imp.db*
  # Turning sync on for a store with history: first sync of a 100k-row store
  # into an empty central database (installs the triggers, notes the history).
  pg_psql "DROP SCHEMA unyo CASCADE"
  cp "$src" "$W/hist.db"
  "$UNYO" central init --url "$URL" --db "$W/hist.db" >/dev/null
  t0=$(now_ns); "$UNYO" sync --url "$URL" --db "$W/hist.db" >/dev/null; t1=$(now_ns)
  first+=("$(ms "$t0" "$t1")")
done
mp=$(printf '%s\n' "${push[@]}" | median); mi=$(printf '%s\n' "${refin[@]}" | median)
ml=$(printf '%s\n' "${pull[@]}" | median); mo=$(printf '%s\n' "${refout[@]}" | median)
mf=$(printf '%s\n' "${first[@]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "push $rows changes (unyo sync process): median ${mp} ms; psql \\copy in: median ${mi} ms; ratio $(ratio "$mp" "$mi") (target <= 3000 ms, ratio <= 2)"
mb=$(printf '%s\n' "${refbare[@]}" | median); mc=$(printf '%s\n' "${pullc[@]}" | median)
echo "pull $rows changes (unyo sync process, search index included): median ${ml} ms; psql \\copy out: median ${mo} ms; ratio $(ratio "$ml" "$mo") (target <= 3000 ms)"
echo "  pull until the rows are committed and visible (unyo sync --no-index): median ${mc} ms; ratio to the floor $(ratio "$mc" "$mb") (target <= 2)"
echo "  the search index rebuilt after (the next unyo sync: rebuild and an up-to-date round): median $(printf '%s\n' "${index[@]}" | median) ms"
echo "  reference for the pull's local work: sqlite3 .import of the same rows into a new store: median $(printf '%s\n' "${refimp[@]}" | median) ms"
echo "  the store engine's floor: the same import into bare tables (no index, trigger or search): median ${mb} ms"
echo "first sync of a store with $(count_rows "$src") rows of history: median ${mf} ms"

r=$("$BIN/bench_sync" round "$W/hist.db" "$URL" 21 | sed 's/median_ms=//')
echo "up-to-date round on an open connection: median ${r} ms over 21 (target <= 10 ms)"
t0=$(now_ns); for _ in 1 2 3 4 5; do "$UNYO" sync --url "$URL" --db "$W/hist.db" >/dev/null; done; t1=$(now_ns)
echo "up-to-date \`unyo sync\` process (connect + round): mean $(( (t1 - t0) / 5000000 )) ms"

# Cost of a round with 10,000 changes: small store vs 1M-row store.
small=$W/small.db
"$UNYO" init --db "$small" >/dev/null; "$UNYO" operator add bench --role operator --db "$small" >/dev/null
"$UNYO" demo --generate 10000 --db "$small" 2>/dev/null
big=$BENCH_DIR/sync-big-$BIG.db
if [ "$BIG" -gt 0 ] && [ ! -f "$big" ]; then
  "$UNYO" init --db "$big" >/dev/null; "$UNYO" operator add bench --role operator --db "$big" >/dev/null
  "$UNYO" demo --generate "$BIG" --db "$big" 2>/dev/null
fi
[ "$BIG" -gt 0 ] && cp "$big" "$W/big.db"
[ "$BIG" -gt 0 ] || { rm -rf "$W"; exit 0; }
for db in "$small" "$W/big.db"; do
  rows=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM incident_events)")
  t0=$(now_ns); "$UNYO" sync --url "$URL" --db "$db" >/dev/null; t1=$(now_ns)
  m=$("$BIN/bench_sync" changes "$db" "$URL" 10000 5 | sed 's/median_ms=//')
  echo "round with 10000 changes on a $rows-row store: median ${m} ms over 5 (initial upload of the store: $(ms "$t0" "$t1") ms)"
done
rm -rf "$W"
