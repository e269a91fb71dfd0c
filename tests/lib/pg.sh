# A throwaway PostgreSQL 15 for tests: its own data dir under /tmp, 127.0.0.1
# on a random free port, fsync off, started and stopped as the postgres user
# (initdb refuses root). Source it, then:
#   pg_start            -> sets PG_DIR, PG_PORT, UNYO_TEST_PGURL (exported)
#   pg_psql SQL         -> runs SQL as the superuser on the test database
#   pg_restart | pg_stop_server | pg_start_server
#   pg_add_password_user NAME PASSWORD  -> a role that must log in with scram
# pg_stop runs on exit when pg_start registered it (cleanup_hooks of common.sh
# or its own trap). Leaves the system cluster on 5432 alone.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)}

pg_as() { # runs a command as postgres (or directly when not root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Below the kernel's ephemeral range: a port in that range can be held by any
# test's outgoing connection (ssh, psql) between this check and the bind.
pg_free_port() {
  local p lo=32768
  read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  [ "$lo" -gt 11000 ] || lo=32768
  for _ in $(seq 50); do
    p=$((10000 + RANDOM % (lo - 10000)))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

pg_start_once() {
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 300 \
    -o "-c port=$PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR -c fsync=off -c max_connections=200" \
    start >/dev/null
}

# A restart keeps its port (the URL is out); it retries a few times because
# another test can hold the port for a moment. The log says why it failed.
pg_start_server() {
  local i
  for i in 1 2 3 4 5; do
    pg_start_once && return 0
    sleep "$i"
  done
  echo "pg.sh: PostgreSQL would not start on port $PG_PORT; its log:" >&2
  tail -n 30 "$PG_DIR/log" >&2 || true
  return 1
}

pg_stop_server() { # immediate: like a crash or a pulled plug
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 300 stop >/dev/null 2>&1 || true
}

pg_restart() { pg_stop_server; pg_start_server; }

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  pg_stop_server
  rm -rf "$PG_DIR"
  PG_DIR=
}

pg_start() {
  [ -x "$PG_BIN/initdb" ] || { echo "SKIP: PostgreSQL 15 not installed (no $PG_BIN/initdb)"; exit 77; }
  PG_DIR=$(mktemp -d /tmp/unyo-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
  PG_PORT=$(pg_free_port)
  pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  cat >"$PG_DIR/data/pg_hba.conf" <<HBA
host all pwuser 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
local all all trust
HBA
  # The first start may pick a new port: nothing knows this one yet.
  local i
  for i in 1 2 3 4 5; do
    pg_start_once && break
    if [ "$i" = 5 ]; then
      echo "pg.sh: PostgreSQL would not start (last port $PG_PORT); its log:" >&2
      tail -n 30 "$PG_DIR/log" >&2 || true
      return 1
    fi
    grep -h "could not\|FATAL" "$PG_DIR/log" 2>/dev/null | tail -n 3 >&2 || true
    PG_PORT=$(pg_free_port)
    sleep 1
  done
  pg_as "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres unyo
  export PG_DIR PG_PORT
  export UNYO_TEST_PGURL="postgresql://postgres@127.0.0.1:$PG_PORT/unyo"
  if declare -p cleanup_hooks >/dev/null 2>&1; then cleanup_hooks+=("pg_stop"); else trap pg_stop EXIT; fi
}

pg_psql() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -At "$UNYO_TEST_PGURL" -c "$1"; }

pg_add_password_user() { # NAME PASSWORD
  pg_psql "CREATE ROLE $1 LOGIN SUPERUSER PASSWORD '$2'"
}
