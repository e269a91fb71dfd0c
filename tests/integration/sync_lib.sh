# Helpers for the sync integration tests (source after common.sh and tests/lib/pg.sh).
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$(dirname "$UNYO")

# Builds tests/integration/sync_driver.c against the build's core library.
build_driver() {
  DRIVER=$T/sync_driver
  local san=""  # a sanitizer build's library needs the same runtime
  if nm "$BUILD/libunyocore.a" 2>/dev/null | grep __asan_init >/dev/null; then san="-fsanitize=address,undefined"; fi
  cc $san -std=c11 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -O1 -I"$SRC/src" -I"$BUILD" \
    "$SRC/tests/integration/sync_driver.c" "$BUILD/libunyocore.a" \
    $(pkg-config --libs sqlite3 libpq libpcre2-8 vterm libssh2 libcrypto) -lm -lpthread -o "$DRIVER"
}

# new_store NAME: a store made the way an operator makes one.
new_store() {
  local db=$T/$1.db
  "$UNYO" init --db "$db" >/dev/null
  "$UNYO" operator add "$UNYO_USER" --role operator --db "$db" >/dev/null
  echo "$db"
}

sync_q() { "$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$1" >/dev/null; }

# converge DB...: rounds over all stores until a full pass moves nothing.
converge() {
  local pass moved out
  for pass in $(seq 12); do
    moved=0
    for db in "$@"; do
      out=$("$UNYO" sync --csv --url "$UNYO_TEST_PGURL" --db "$db")
      if [ "$(echo "$out" | wc -l)" -gt 1 ]; then moved=1; fi
    done
    [ $moved = 0 ] && return 0
  done
  fail "no convergence after 12 passes"
}

# same_exports DB...: every store exports byte-identical CSV.
same_exports() {
  local first="" i=0
  for db in "$@"; do
    i=$((i + 1))
    rm -rf "$T/export-$i"
    "$UNYO" export --csv "$T/export-$i" --db "$db" >/dev/null 2>&1
    if [ -z "$first" ]; then first=$T/export-$i; else
      diff -r "$first" "$T/export-$i" >"$T/diff.txt" || { head -20 "$T/diff.txt" >&2; return 1; }
    fi
  done
}

pending_of() { "$UNYO" sync --status --csv --db "$1" | awk -F, 'NR>1 {s+=$2} END {print s+0}'; }

# central_rows: row count of every mirror table (for loss/duplicate checks).
central_count() { pg_psql "SELECT count(*) FROM unyo.\"$1\""; }
local_count() { sqlite3 "$1" "SELECT count(*) FROM \"$2\""; }

# start_cutproxy DIR NBYTES [CUTS]: sets PROXY_URL (same database, through the proxy).
start_cutproxy() {
  [ -x "$T/cutproxy" ] || cc -O1 -o "$T/cutproxy" "$SRC/tests/integration/cutproxy.c"
  PROXY_PORT=$(pg_free_port)
  "$T/cutproxy" "$PROXY_PORT" "$PG_PORT" "$1" "$2" "${3:-1}" >"$T/proxy.out" 2>"$T/proxy.err" &
  PROXY_PID=$!
  cleanup_hooks+=("kill $PROXY_PID 2>/dev/null")
  local deadline=$((SECONDS + 120)) # a loaded machine may start it slowly
  until grep -q ready "$T/proxy.out" 2>/dev/null; do
    ((SECONDS < deadline)) && kill -0 "$PROXY_PID" 2>/dev/null || fail "cutproxy did not start: $(cat "$T/proxy.err")"
    sleep 0.05
  done
  PROXY_URL="postgresql://postgres@127.0.0.1:$PROXY_PORT/unyo"
}
stop_cutproxy() { kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; }

# check_complete DB: every ledger table has as many rows locally as centrally.
check_complete() {
  local t l r
  for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'local\_%' ESCAPE '\' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE '%\_fts%' ESCAPE '\'"); do
    l=$(local_count "$1" "$t"); r=$(central_count "$t")
    [ "$l" = "$r" ] || { echo "$t: $l local, $r central" >&2; return 1; }
  done
}

# incident_ref DB TITLE: the reference (INC-...) of the incident with that title.
incident_ref() { sqlite3 "$1" "SELECT ref FROM incidents WHERE title = '$2'"; }

# backup_store DB DIR: copies the store's files (database, WAL, shared memory)
# the way a file backup would; restore_store DIR DB puts them back in place.
backup_store() {
  rm -rf "$2"; mkdir -p "$2"
  local f; for f in "$1" "$1-wal" "$1-shm"; do [ -f "$f" ] && cp "$f" "$2/"; done; return 0
}
restore_store() {
  rm -f "$2" "$2-wal" "$2-shm"
  local f; for f in "$1"/*; do cp "$f" "$(dirname "$2")/"; done
}

# central_field TABLE COLUMN NAME: COLUMN of the central row whose name is NAME.
central_field() { pg_psql "SELECT $2 FROM unyo.\"$1\" WHERE name = '$3'"; }
