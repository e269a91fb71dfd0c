# Helpers for end-to-end tests: the real binary in a detached tmux server of
# its own (-L, -f /dev/null), a fresh HOME, XDG dirs and demo store per test.
# Assertions poll the screen with a timeout; sleeps are never the assertion.
#
#   . "$UNYO_TESTLIB/tmux.sh"
#   t_init "$1"                 # the unyo binary; the store: `unyo demo --no-today`
#                               # (T_DEMO_ARGS= for the demo's day so far, as `make run`)
#   t_start 80 24 --lang ja     # starts `unyo --db STORE ARGS` (env: T_USER, T_NOW)
#   t_keys j j o                # tmux send-keys (key names: Enter, Tab, Escape, C-d ...)
#   t_type '温度が高い'          # literal text
#   t_wait 'NG 1'               # waits until the screen contains the text (T_TIMEOUT s)
#   t_wait_gone 'text'; t_wait_exit; t_resize 100 30; t_screen; t_stop
#   t_wait_cmd 'SHELL CONDITION' [SECONDS] [WHAT]  # waits until it holds (a row, a file)
# Deadlines are generous (a loaded machine is slow): a wait that succeeds costs
# only its condition's time, so only a failure ever waits the whole deadline.
set -u

T_TIMEOUT=${T_TIMEOUT:-60}
T_USER=${T_USER:-yamada}
T_NOW=${T_NOW:-2026-11-23T09:00:00+09:00}

t_init() {
    T_BIN=$(realpath "$1")
    T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/unyo-e2e.XXXXXX")
    T_SOCK="unyo-e2e-$$-$RANDOM"
    export HOME=$T_DIR/home XDG_CONFIG_HOME=$T_DIR/home/.config \
        XDG_DATA_HOME=$T_DIR/home/.local/share XDG_STATE_HOME=$T_DIR/home/.local/state \
        LANG=C.UTF-8 LC_ALL=C.UTF-8
    mkdir -p "$HOME" "$XDG_CONFIG_HOME/unyo" "$XDG_DATA_HOME"
    T_DB=$T_DIR/unyo.db
    trap t_cleanup EXIT
    UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" demo ${T_DEMO_ARGS---no-today} --db "$T_DB" >"$T_DIR/demo.log" 2>&1 ||
        t_fail "unyo demo failed: $(cat "$T_DIR/demo.log")"
}

t_tmux() { tmux -L "$T_SOCK" -f /dev/null "$@"; }

# The console killed with its tmux server may still be exiting (ASan's leak check takes
# a while) and writing its stderr and exit file into T_DIR: removing the directory
# then fails with "Directory not empty". Retry until it is gone; never fail the test.
t_cleanup() {
    t_tmux kill-server >/dev/null 2>&1 || true
    [[ ${T_KEEP:-0} == 1 ]] && return 0
    local i
    for i in $(seq 50); do
        rm -rf "$T_DIR" 2>/dev/null && [[ ! -e $T_DIR ]] && return 0
        sleep 0.2
    done
    rm -rf "$T_DIR" || true
}

# t_start W H [unyo args...]: a new session running the console.
t_start() {
    local w=$1 h=$2
    shift 2
    # A new server (socket) per start: reusing a socket races with the old
    # server's shutdown ("server exited unexpectedly").
    t_tmux kill-server >/dev/null 2>&1 || true
    T_STARTS=$((${T_STARTS:-0} + 1))
    T_RACE_WAITED=1 # T_RACE: the screen of a console before this one is not "before the keys"
    rm -f "$T_DIR/.race-read"
    T_SOCK="unyo-e2e-$$-$RANDOM-$T_STARTS"
    local q=""
    for a in "$@"; do q+=" $(printf '%q' "$a")"; done
    t_tmux new-session -d -x "$w" -y "$h" -e HOME="$HOME" -e XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
        -e XDG_DATA_HOME="$XDG_DATA_HOME" -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 \
        -e UNYO_USER="$T_USER" -e UNYO_NOW="$T_NOW" -e UNYO_DATADIR="${UNYO_DATADIR:-}" \
        -e TERM=screen-256color \
        "$(printf '%q' "$T_BIN") --db $(printf '%q' "$T_DB")$q 2>>$(printf '%q' "$T_DIR/stderr");
         echo \$? >$(printf '%q' "$T_DIR/exit.$T_STARTS")"
    t_tmux set-option -t 0 remain-on-exit on >/dev/null
}

t_keys() {
    t_race_hold "keys $*"
    t_tmux send-keys -t 0 "$@"
    t_race_release
}
t_type() {
    t_race_hold "type $1"
    t_tmux send-keys -t 0 -l "$1"
    t_race_release
}
t_screen() {
    t_race_read t_screen
    t_tmux capture-pane -t 0 -p
}
t_resize() {
    t_race_hold "resize $*"
    t_tmux resize-window -t 0 -x "$1" -y "$2"
    t_race_release
}

# T_RACE=1 (a developer's tool; off in CI): shows the races between a test and
# the console that a loaded machine (CI under ASan) hits now and then.
#  - Every key is sent while the console is stopped (SIGSTOP); it goes on
#    T_RACE_DELAY seconds later. A screen or store read right after a key,
#    with no wait for a sign the key was handled, then sees the state from
#    before the key, every time, and the test fails where CI fails sometimes.
#  - The first t_wait after keys whose text was already on screen before
#    them (it returns at once and proves nothing), a t_wait_gone whose text was
#    already gone, and a t_assert_not or t_screen right after keys (passes
#    before the key is drawn) are written to T_RACE_LOG (stderr if unset) as
#    "RACE? FILE:LINE: ...", to be read by a person: a poll in a loop that
#    reads t_screen is listed too.
#   T_RACE=1 T_RACE_LOG=/tmp/race.log ctest -R '^e2e' -j2
T_RACE=${T_RACE:-0}
T_RACE_DELAY=${T_RACE_DELAY:-0.5}
T_RACE_WAITED=1
T_RACE_BEFORE=""
T_RACE_KEYS=""
T_RACE_PID=""

t_race_note() {
    # the call sites outside this file, innermost first
    local where="" i
    for ((i = 1; i < ${#BASH_SOURCE[@]} - 1; i++)); do
        [[ ${BASH_SOURCE[i + 1]} == */tmux.sh ]] && continue
        where+="${where:+ < }${BASH_SOURCE[i + 1]##*/}:${BASH_LINENO[i]}"
    done
    printf 'RACE? %s: %s (after %s)\n' "$where" "$1" "$T_RACE_KEYS" >>"${T_RACE_LOG:-/dev/stderr}"
}

# The console: the child of the pane's shell (`unyo ...; echo $? >exit.N`).
t_race_pid() {
    local sh
    sh=$(t_tmux display-message -t 0 -p '#{pane_pid}' 2>/dev/null) || return 0
    [[ -n $sh ]] && pgrep -P "$sh" -n 2>/dev/null
    return 0
}

# A read in a subshell (a poll in $(...)) cannot set T_RACE_WAITED: it leaves a
# file that the next key or read takes as the wait it was.
t_race_sync() {
    [[ -e $T_DIR/.race-read ]] || return 0
    T_RACE_WAITED=1
    [[ $BASHPID == "$$" ]] && rm -f "$T_DIR/.race-read"
    return 0
}

t_race_hold() {
    [[ $T_RACE == 1 ]] || return 0
    t_race_sync
    T_RACE_PID=$(t_race_pid)
    [[ -n $T_RACE_PID ]] && kill -STOP "$T_RACE_PID" 2>/dev/null
    # the screen before the first of a run of keys (the console is stopped)
    if ((T_RACE_WAITED)); then
        T_RACE_BEFORE=$(t_tmux capture-pane -t 0 -p 2>/dev/null)
        T_RACE_KEYS=""
    fi
    T_RACE_KEYS+="${T_RACE_KEYS:+; }$1"
    T_RACE_WAITED=0
    return 0
}

t_race_release() {
    [[ $T_RACE == 1 && -n $T_RACE_PID ]] || return 0
    (sleep "$T_RACE_DELAY"; kill -CONT "$T_RACE_PID" 2>/dev/null) </dev/null >/dev/null 2>&1 &
    return 0
}

# t_race_read WHAT [TEXT]: a wait or read of the screen; reports the suspect ones.
t_race_read() {
    [[ $T_RACE == 1 ]] || return 0
    t_race_sync
    ((T_RACE_WAITED)) && return 0
    case $1 in
    t_wait) grep -qF -- "$2" <<<"$T_RACE_BEFORE" && t_race_note "t_wait '$2' was on screen before the keys" ;;
    t_wait_gone) grep -qF -- "$2" <<<"$T_RACE_BEFORE" || t_race_note "t_wait_gone '$2' was not on screen before the keys" ;;
    t_assert_not) t_race_note "t_assert_not '$2' with no wait after the keys" ;;
    t_screen)
        # t_screen from the helpers' own polls is not a read of the test's
        case ${FUNCNAME[2]:-} in t_wait | t_wait_gone | t_assert_not | t_fail) return 0 ;; esac
        t_race_note "screen read with no wait after the keys (in ${FUNCNAME[2]:-main})"
        ;;
    esac
    T_RACE_WAITED=1
    [[ $BASHPID == "$$" ]] || : >"$T_DIR/.race-read"
    return 0
}
t_dead() { [[ $(t_tmux display-message -t 0 -p '#{pane_dead}' 2>/dev/null) == 1 ]]; }

t_fail() {
    echo "FAIL: $*" >&2
    if [[ -n ${T_SOCK:-} ]] && t_tmux has-session 2>/dev/null; then
        echo "---- screen ----" >&2
        t_screen >&2 || true
        echo "----------------" >&2
        if [[ ${T_GDB:-0} == 1 ]]; then
            local pid
            pid=$(t_tmux display-message -t 0 -p '#{pane_pid}')
            ps -o pid,stat,wchan:20,args -p "$pid" >&2
            gdb -p "$pid" -batch -ex "thread apply all bt" 2>&1 | grep -E "^#|^Thread" >&2
        fi
    fi
    [[ -f ${T_DIR:-/nonexistent}/stderr ]] && cat "$T_DIR/stderr" >&2
    exit 1
}

# Polls until the screen contains $1 (fixed string).
t_wait() {
    local want=$1 deadline=$((SECONDS + ${2:-$T_TIMEOUT}))
    t_race_read t_wait "$want"
    while ((SECONDS < deadline)); do
        t_screen 2>/dev/null | grep -qF -- "$want" && return 0
        sleep 0.05
    done
    t_fail "timed out waiting for: $want"
}

# Polls until the shell condition $1 succeeds (for what is not on screen: a
# row in the store, a file). $3 names it in the failure message.
t_wait_cmd() {
    local cond=$1 deadline=$((SECONDS + ${2:-$T_TIMEOUT}))
    T_RACE_WAITED=1
    while ((SECONDS < deadline)); do
        eval "$cond" && return 0
        sleep 0.1
    done
    t_fail "timed out waiting for: ${3:-$cond}"
}

# A capture that failed, or one taken while the console was redrawing (tmux
# may hold half a frame), can lack text that is still there: "gone" needs two
# captures 0.3 s apart that both succeeded without it. Prefer waiting for
# what the key brings (a footer, a message) over waiting for text to go.
t_wait_gone() {
    local gone=$1 deadline=$((SECONDS + ${2:-$T_TIMEOUT})) scr absent=0
    t_race_read t_wait_gone "$gone"
    while ((SECONDS < deadline)); do
        if scr=$(t_screen 2>/dev/null) && [[ -n $scr ]] && ! grep -qF -- "$gone" <<<"$scr"; then
            ((absent)) && return 0
            absent=1
            sleep 0.3
            continue
        fi
        absent=0
        sleep 0.05
    done
    t_fail "still on screen: $gone"
}

# Waits for the console to exit; its status must be 0. (The status is written
# to a file by the pane's shell: tmux may be slow to reap a dead pane.)
t_wait_exit() {
    local deadline=$((SECONDS + ${1:-$T_TIMEOUT})) f=$T_DIR/exit.$T_STARTS
    while ((SECONDS < deadline)); do
        if [[ -s $f ]]; then
            [[ $(cat "$f") == 0 ]] || t_fail "the console exited with status $(cat "$f")"
            return 0
        fi
        sleep 0.05
    done
    t_fail "the console did not exit"
}

t_assert_not() {
    t_race_read t_assert_not "$1"
    t_screen | grep -qF -- "$1" && t_fail "unexpected on screen: $1"
    return 0
}

t_ok() { echo "ok - $*"; }
