#!/usr/bin/env bash
# Excel workbooks read back with a real reader (python3-openpyxl): the monthly
# report (summary first, incidents by category and library, SLA per priority and
# step, the month's checks, jobs, changes, handovers, per day, the last 12
# months; dates as dates, counts as ints, charts present), in English and in
# Japanese; the daily and SLA reports; `unyo export --xlsx` with the 18-digit
# hlc read back as the exact text it was; a bad path gets a clear message and
# leaves nothing behind; the Reports pane's x writes the same workbook (X the export), asks
# before overwriting and names the file written.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
CHECK=${UNYO_TESTLIB:-$(dirname "$0")/../lib}/xlsx_check.py

# openpyxl is a Debian package (python3-openpyxl, scripts/deps.sh): the
# system python has it even where another python3 comes first on PATH.
PY=
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import openpyxl' 2>/dev/null; then
        PY=$p
        break
    fi
done
[[ -n $PY ]] || t_fail "no python3 with openpyxl (apt-get install python3-openpyxl)"
check() { "$PY" "$CHECK" "$@" || t_fail "$1 workbook: see above"; }

cli() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" "$@"; }

# The day's work: an NG with a value, a handover.
cli checklist mark L032 ng --value 35 --note "空調の設定を確認" >"$T_DIR/cli.log" 2>&1 ||
    t_fail "checklist mark: $(cat "$T_DIR/cli.log")"
cli handover sign --note "午前の引継ぎ" >>"$T_DIR/cli.log" 2>&1 ||
    t_fail "handover sign: $(cat "$T_DIR/cli.log")"
OUT=$T_DIR/out
mkdir -p "$OUT"

# ---- the monthly report, English and Japanese ----
cli report monthly --month 2026-11 --xlsx "$OUT/monthly.xlsx" 2>"$T_DIR/err.log" ||
    t_fail "report monthly --xlsx: $(cat "$T_DIR/err.log")"
grep -qF "Wrote $OUT/monthly.xlsx" "$T_DIR/err.log" || t_fail "no 'Wrote' message: $(cat "$T_DIR/err.log")"
check monthly "$OUT/monthly.xlsx" en
n=$(cli --csv report monthly --month 2026-11 --section summary | tr -d "\r" | awk -F, '$1=="Incidents received" {print $2}')
"$PY" - "$OUT/monthly.xlsx" "$n" <<'PY' || t_fail "the workbook's count differs from unyo report monthly ($n)"
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["Summary"]
got = {r[0]: r[1] for r in ws.iter_rows(min_row=4, values_only=True)}
sys.exit(0 if got["Incidents received"] == int(sys.argv[2]) else 1)
PY
t_ok "report monthly --xlsx: the sheets of the monthly report, dates, counts, 4 charts ($n incidents)"
cli --lang ja report monthly 2026-11 --xlsx "$OUT/月次.xlsx" 2>"$T_DIR/err.log" ||
    t_fail "report monthly --xlsx (ja): $(cat "$T_DIR/err.log")"
grep -qF "$OUT/月次.xlsx に書き出しました" "$T_DIR/err.log" || t_fail "no Japanese message: $(cat "$T_DIR/err.log")"
check monthly "$OUT/月次.xlsx" ja
t_ok "under --lang ja the sheet names and headings are Japanese"

# ---- daily and SLA ----
cli report daily --date 2026-11-23 --xlsx "$OUT/daily.xlsx" 2>"$T_DIR/err.log" ||
    t_fail "report daily --xlsx: $(cat "$T_DIR/err.log")"
check daily "$OUT/daily.xlsx" en
cli --lang ja report daily --xlsx "$OUT/日次.xlsx" 2>"$T_DIR/err.log" ||
    t_fail "report daily --xlsx (ja): $(cat "$T_DIR/err.log")"
check daily "$OUT/日次.xlsx" ja
cli sla report --from 2026-10-01 --to 2027-03-31 --xlsx "$OUT/sla.xlsx" 2>"$T_DIR/err.log" ||
    t_fail "sla report --xlsx: $(cat "$T_DIR/err.log")"
check sla "$OUT/sla.xlsx"
t_ok "report daily --xlsx and sla report --xlsx read back"

# ---- the export: every table a sheet, the hlc exactly as stored ----
cli export --xlsx "$OUT/export.xlsx" 2>"$T_DIR/err.log" || t_fail "export --xlsx: $(cat "$T_DIR/err.log")"
grep -qE "^Exported [0-9]+ rows to $OUT/export.xlsx" "$T_DIR/err.log" || t_fail "export: $(cat "$T_DIR/err.log")"
cli export --csv "$T_DIR/csv" >/dev/null 2>&1 || t_fail "export --csv failed"
tables=$(cd "$T_DIR/csv" && ls *.csv | sed 's/\.csv$//' | paste -sd, -)
read -r id hlc < <(sqlite3 -separator ' ' "$T_DB" "SELECT id, CAST(hlc AS TEXT) FROM incident_events WHERE length(CAST(hlc AS TEXT)) >= 18 ORDER BY id LIMIT 1")
[[ ${#hlc} -ge 18 ]] || t_fail "no event with an 18-digit hlc in the demo store"
check export "$OUT/export.xlsx" "$tables" incident_events hlc "$id" "$hlc"
t_ok "export --xlsx: a sheet per table, the hlc $hlc read back as that text"

# ---- errors: a clear message, nothing half-written ----
if cli export --xlsx /nonexistent-dir/x.xlsx 2>"$T_DIR/err.log"; then
    t_fail "export to a missing directory succeeded"
fi
grep -qF "cannot write /nonexistent-dir/x.xlsx: No such file or directory" "$T_DIR/err.log" ||
    t_fail "unclear message: $(cat "$T_DIR/err.log")"
if cli report monthly --month 2026-11 --xlsx "$OUT" 2>"$T_DIR/err.log"; then
    t_fail "writing the workbook over a directory succeeded"
fi
grep -qF "cannot write $OUT: Is a directory" "$T_DIR/err.log" || t_fail "unclear message: $(cat "$T_DIR/err.log")"
# --xlsx with another output is a usage error (exit 2), nothing written.
rc=0
cli report monthly --csv --xlsx "$OUT/both.xlsx" 2>"$T_DIR/err.log" || rc=$?
[[ $rc == 2 ]] || t_fail "report monthly --csv --xlsx: exit $rc, not 2"
rc=0
cli export --csv "$OUT/both" --xlsx "$OUT/both.xlsx" 2>"$T_DIR/err.log" || rc=$?
[[ $rc == 2 ]] || t_fail "export --csv --xlsx: exit $rc, not 2"
[[ ! -e $OUT/both.xlsx && ! -e $OUT/both ]] || t_fail "a refused command wrote something"
# A failure half-way (a value longer than an Excel cell holds) leaves the file
# that was there as it was.
cp "$T_DB" "$T_DIR/long.db"
sqlite3 "$T_DIR/long.db" "UPDATE incidents SET description = printf('%.40000c', 'x') WHERE id = (SELECT min(id) FROM incidents)"
echo "the previous export" >"$OUT/keep.xlsx"
if UNYO_USER=$T_USER "$T_BIN" --db "$T_DIR/long.db" export --xlsx "$OUT/keep.xlsx" 2>"$T_DIR/err.log"; then
    t_fail "a 40000-character cell was exported"
fi
grep -qF "table incidents, column description: a value is longer than Excel allows" "$T_DIR/err.log" ||
    t_fail "unclear message: $(cat "$T_DIR/err.log")"
[[ $(cat "$OUT/keep.xlsx") == "the previous export" ]] || t_fail "the failed export replaced keep.xlsx"
left=$(find "$OUT" -name '*.part*')
[[ -z $left ]] || t_fail "temporary files left behind: $left"
t_ok "a bad path or a value too long is named with the reason; the old file stays, no temporary file is left"

# ---- the Reports pane ----
t_start 160 40 --lang en --pane reports
t_wait "Daily report 2026-11-23"
t_wait "x Excel"
t_keys m
t_wait "Monthly report 2026-11"
t_keys x
t_wait "Write the report as an Excel workbook"
t_wait "~/unyo-reports/monthly-2026-11.xlsx"
t_keys Enter
t_wait "Wrote $HOME/unyo-reports/monthly-2026-11.xlsx"
check monthly "$HOME/unyo-reports/monthly-2026-11.xlsx" en
t_keys x
t_wait "~/unyo-reports/monthly-2026-11.xlsx"
t_keys Enter
t_wait "monthly-2026-11.xlsx exists. Overwrite it? (y/n)"
t_keys n
t_wait_gone "Overwrite it?"
touch -d '2000-01-01' "$HOME/unyo-reports/monthly-2026-11.xlsx"
[[ $(stat -c %Y "$HOME/unyo-reports/monthly-2026-11.xlsx") == 946684800 ]] || t_fail "touch failed"
t_keys x
t_wait "~/unyo-reports/monthly-2026-11.xlsx"
t_keys Enter
t_wait "monthly-2026-11.xlsx exists. Overwrite it? (y/n)"
t_keys y
t_wait "Wrote $HOME/unyo-reports/monthly-2026-11.xlsx"
t_wait_cmd '[[ $(stat -c %Y "$HOME/unyo-reports/monthly-2026-11.xlsx") != 946684800 ]]' 30 "the workbook rewritten"
check monthly "$HOME/unyo-reports/monthly-2026-11.xlsx" en
t_keys s
t_wait "SLA achievement 2026-10-01 .. 2027-03-31"
t_keys x
t_wait "~/unyo-reports/sla-2026-10-01_2027-03-31.xlsx"
t_keys Enter
t_wait "Wrote $HOME/unyo-reports/sla-2026-10-01_2027-03-31.xlsx"
check sla "$HOME/unyo-reports/sla-2026-10-01_2027-03-31.xlsx"
t_keys X
t_wait "Export every table of the store as one Excel workbook"
t_wait "~/unyo-reports/export-20261123-"
t_keys C-u
t_type "$OUT/pane-export.xlsx"
t_keys Enter
t_wait "Exported "
t_wait "rows to $OUT/pane-export.xlsx"
check export "$OUT/pane-export.xlsx" "$tables" incident_events hlc "$id" "$hlc"
t_keys q
t_wait_exit
t_ok "x in the Reports pane writes the monthly and SLA workbooks, asks before overwriting; X exports the store"

t_start 160 40 --lang ja --pane reports
t_wait "日次報告書 2026-11-23"
t_keys x
t_wait "Excel ブック"
t_keys C-u
t_type "$OUT/pane-日次.xlsx"
t_keys Enter
t_wait "pane-日次.xlsx に書き出しました"
check daily "$OUT/pane-日次.xlsx" ja
t_keys q
t_wait_exit
t_ok "in Japanese the pane writes the daily workbook with Japanese sheets"
