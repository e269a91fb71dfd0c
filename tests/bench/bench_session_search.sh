#!/usr/bin/env bash
# Search inside recordings: a year of console sessions (10,000 recordings of ~100
# lines each, spread over 365 days; BENCH_REC_N overrides), indexed by
# `unyo session index`, then `unyo session search WORD` (target: under a second)
# paired with `grep -rF WORD` over the same lines as one text file per recording
# (what an operator would otherwise keep). Medians over BENCH_RUNS (5) runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${BENCH_REC_N:-10000}
RUNS=${BENCH_RUNS:-5}
db=$BENCH_DIR/recordings-$N.db
txt=$BENCH_DIR/recordings-$N-text
if [ ! -f "$db" ]; then
  rm -f "$db".tmp "$db".tmp-wal "$db".tmp-shm
  "$UNYO" init --db "$db.tmp" >/dev/null
  "$UNYO" operator add bench --role operator --db "$db.tmp" >/dev/null
  python3 - "$db.tmp" "$N" <<'PY'
import json, random, sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
random.seed(15)
con = sqlite3.connect(db)
op = con.execute("SELECT id FROM operators WHERE login = 'bench'").fetchone()[0]
origin = con.execute("SELECT value FROM local_meta WHERE key = 'origin'").fetchone()[0]
hosts = ["lib-ap%02d" % i for i in range(1, 41)]
words = ("nginx postgres systemctl journalctl status active running failed restart disk "
         "quota backup rsync cron opac search login timeout 予約システム 貸出 返却 "
         "蔵書検索 利用者 error warning notice GET POST 200 404 500 502").split()
t0 = 1764547200  # 2025-12-01 UTC
rows = []
for i in range(n):
    start = t0 + int(i * 365 * 86400 / n)
    host = random.choice(hosts)
    ev = [json.dumps({"version": 2, "width": 120, "height": 40, "timestamp": start})]
    t = 0.0
    for k in range(100):
        t += random.random() * 3
        line = "%s %s[%d]: %s" % (host, random.choice(words), random.randint(100, 99999),
                                  " ".join(random.choice(words) for _ in range(8)))
        if k == 50 and i % 1000 == 7:
            line += " quota-exceeded-rare"
        ev.append(json.dumps([round(t, 3), "o", line + "\r\n"], ensure_ascii=False))
    iso = lambda s: __import__("time").strftime("%Y-%m-%dT%H:%M:%S.000Z", __import__("time").gmtime(s))
    sid = "01%030x" % i
    sid = "%s-%s-7%s-8%s-%s" % (sid[:8], sid[8:12], sid[13:16], sid[17:20], sid[20:32])
    rows.append((sid, host, op, iso(start), iso(start + int(t) + 1), "\n".join(ev) + "\n",
                 iso(start), iso(start), (start * 1000) << 16, origin))
con.executemany("INSERT INTO ssh_sessions(id, host_name, operator_id, started_at, ended_at, "
                "exit_status, end_reason, cols, rows, transcript, created_at, updated_at, hlc, "
                "origin) VALUES(?, ?, ?, ?, ?, 0, 'exit', 120, 40, ?, ?, ?, ?, ?)", rows)
con.commit()
PY
  t0=$(now_ns)
  "$UNYO" session index --db "$db.tmp" >/dev/null
  t1=$(now_ns)
  echo "indexed $N recordings in $(( (t1 - t0) / 1000000 )) ms ($(awk -v n="$N" -v ms="$(( (t1 - t0) / 1000000 ))" 'BEGIN{printf "%.0f", n * 1000 / ms}') recordings/s)"
  mv "$db.tmp" "$db"
fi
if [ ! -d "$txt" ]; then
  mkdir -p "$txt.tmp"
  python3 - "$db" "$txt.tmp" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
out = {}
for sid, line in con.execute("SELECT session_id, line FROM local_session_fts ORDER BY rowid"):
    out.setdefault(sid, []).append(line)
for sid, lines in out.items():
    open("%s/%s.txt" % (sys.argv[2], sid), "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
  mv "$txt.tmp" "$txt"
fi
for word in quota-exceeded-rare 予約システム; do
  u=(); g=()
  for i in $(seq "$RUNS"); do
    t0=$(now_ns); hits=$("$UNYO" session search "$word" --db "$db" | wc -l); t1=$(now_ns)
    ghits=$(grep -rF -- "$word" "$txt" | wc -l); t2=$(now_ns)
    u+=($(( (t1 - t0) / 1000000 ))); g+=($(( (t2 - t1) / 1000000 )))
  done
  mu=$(printf '%s\n' "${u[@]}" | median); mg=$(printf '%s\n' "${g[@]}" | median)
  echo "session search \"$word\" over $N recordings (the newest $((hits - 1)) lines shown): unyo median ${mu} ms (target < 1000), grep -rF over the rendered text ($ghits lines) median ${mg} ms"
done
