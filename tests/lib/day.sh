# shellcheck shell=bash
# Shared set-up of the operator's day (issue 13), one script per step:
# tests/e2e/test_day_*.sh. A fresh `unyo init` store (not the demo), set up
# through the CLI only as far as a new site must today (init, the operators,
# the host of a loopback sshd whose key is trusted); everything after that is
# done in the Japanese console, in tmux.
#
#   . "$UNYO_TESTLIB/day.sh"
#   day_init "$1"            # store + operators + sshd host lib-ap01 (needs root/sshd)
#   day_init "$1" nossh      # store + operators only
#   day_jobs                 # loads the offline loan merge job (L068) for lib-ap01
#   day_start [PANE]         # the Japanese console as $T_USER (default yamada), 160x45
#   day_check WHAT           # the screen shows nothing raw: no enum key, English
#                            # state word, JSON or UUID (tests/lib/japanese.sh)
#   day_cmd TEXT             # types a `:` command and Enter
#   day_q SQL                # a query on the store (assertions only, never set-up)
#   day_cli LOGIN ARGS...    # the CLI as LOGIN (set-up only)
#
# The people: yamada 山田 太郎 (manager, at the keyboard, early shift),
# suzuki 鈴木 一郎 (engineer: escalations, approvals), sato 佐藤 花子 (operator).
# The day: Tuesday 2026-12-08, 08:30 JST, a service day.
set -u
DAY_LIB=${UNYO_TESTLIB:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
T_NOW=${T_NOW:-2026-12-08T08:30:00+09:00}
T_USER=${T_USER:-yamada}
. "$DAY_LIB/tmux.sh"
. "$DAY_LIB/japanese.sh"
# shellcheck disable=SC2034 # used by the scripts
DAY=2026-12-08

day_cli() { UNYO_USER=$1 UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang ja "${@:2}"; }
day_q() { sqlite3 "$T_DB" "$1"; }

day_init() {
    local bin=$1 mode=${2:-ssh}
    if [[ $mode == ssh ]] && { [[ $(id -u) != 0 ]] || [[ ! -x /usr/sbin/sshd ]]; }; then
        echo "SKIP: needs root and OpenSSH sshd"
        exit 77
    fi
    command -v tmux >/dev/null && command -v sqlite3 >/dev/null || { echo "SKIP: needs tmux and sqlite3"; exit 77; }
    t_init "$bin"
    rm -f "$T_DB" # t_init made the demo store; the day starts from init
    day_cli yamada init >"$T_DIR/init.out" 2>&1 || t_fail "init: $(cat "$T_DIR/init.out")"
    day_cli yamada operator add yamada --role manager --name "山田 太郎" >/dev/null || t_fail "operator add yamada"
    day_cli yamada operator add suzuki --role engineer --name "鈴木 一郎" >/dev/null || t_fail "operator add suzuki"
    day_cli yamada operator add sato --role operator --name "佐藤 花子" >/dev/null || t_fail "operator add sato"
    if [[ $mode == ssh ]]; then
        . "$DAY_LIB/sshd.sh"
        sshd_env_init # HOME moves to the sshd's temp dir (~/.ssh: key, known_hosts, config)
        mkdir -p "$HOME/.config"
        trap 'sshd_cleanup; t_cleanup' EXIT
        sshd_start a # its host key goes to known_hosts: the key is trusted
        sshd_alias lib-ap01 a
        day_cli yamada host import-ssh-config >"$T_DIR/import.out" 2>&1 ||
            t_fail "host import-ssh-config: $(cat "$T_DIR/import.out")"
        day_cli yamada host edit lib-ap01 --role AP --location "DC ラック A-03" >/dev/null ||
            t_fail "host edit lib-ap01"
    fi
}

# The offline loan merge (L068 of data/jobs/library.ini) for lib-ap01, writing
# its log where the sshd's test login may write.
day_jobs() {
    cat >"$T_DIR/jobs.ini" <<JOBS
[L068]
name_ja = オフラインデータ統合
name_en = Offline loan data merge
period = daily
host = lib-ap01
command = sleep 1; echo 'オフライン貸出・返却データ統合: 貸出 18件 返却 25件'; date '+%F %T' > $SSHD_SCRATCH/unyo-job-L068.log
timeout = 600
retries = 1
output = $SSHD_SCRATCH/unyo-job-L068.log
group = ap-batch
expected_start = 06:00
expected_end = 06:20
JOBS
    day_cli yamada jobs load --file "$T_DIR/jobs.ini" >"$T_DIR/jobs.out" 2>&1 ||
        t_fail "jobs load: $(cat "$T_DIR/jobs.out")"
}

day_start() {
    if [[ -n ${1:-} ]]; then t_start 160 45 --lang ja --pane "$1"; else t_start 160 45 --lang ja; fi
}

UUID_RE='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
day_check() {
    local s
    s=$(t_screen)
    if grep -qE "$UUID_RE" <<<"$s"; then
        printf '%s\n' "$s" >&2
        t_fail "$1 shows a UUID"
    fi
    check_text "$1" "$s"
}

day_cmd() {
    t_keys :
    t_type "$1"
    t_keys Enter
}


# day_check_quoted WHAT: like day_check, but a server's own output quoted as such
# in a check's NG reason (出力: 「no pattern file found」) is evidence, not a label:
# only that quoted text is left out of the raw-value check
# (a quote the list's column cut ends in … instead of 」)
day_quoted_out() { sed -E 's/出力: 「[^」…]*[」…]/出力: 「…」/g'; }
day_check_quoted() {
    local s
    s=$(t_screen | day_quoted_out)
    if grep -qE "$UUID_RE" <<<"$s"; then printf '%s\n' "$s" >&2; t_fail "$1 shows a UUID"; fi
    check_text "$1" "$s"
}


# Keystroke counting (the phone intake's count goes into the closing note):
# day_k KEYS... sends and counts each key; day_ty TEXT types and counts each
# character (a person with an IME presses more; the count is the floor).
DAY_KEYS=0
DAY_CHARS=0
day_k() { t_keys "$@"; DAY_KEYS=$((DAY_KEYS + $#)); }
day_ty() { t_type "$1"; DAY_CHARS=$((DAY_CHARS + ${#1})); }
