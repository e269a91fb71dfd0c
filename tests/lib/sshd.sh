# Throwaway OpenSSH servers on 127.0.0.1 for integration tests and benchmarks.
# Source this file, then:
#   sshd_env_init                 temp HOME with ~/.ssh: client ed25519 key, empty
#                                 known_hosts and config; sets T (the temp dir) and
#                                 SSHD_SCRATCH (a directory the test login can write)
#   sshd_start NAME [LINES...]    starts sshd NAME on a free high port with its own
#                                 ed25519 host key; extra sshd_config LINES; sets
#                                 PORT_<NAME>; adds the key to known_hosts unless
#                                 SSHD_NO_KNOWN=1; returns once it listens
#   sshd_alias ALIAS NAME [LINES] adds "Host ALIAS" for that server to ~/.ssh/config,
#                                 logging in as $SSHD_USER (default: the test user)
#   sshd_log NAME                 path of the server's log
#   sshd_add_user NAME PASSWORD   a local user of this test with a password
#   agent_start                   ssh-agent on a socket, exports SSH_AUTH_SOCK
#   wait_for SECONDS COMMAND...   polls until COMMAND succeeds (1 if it never does)
#   sshd_cleanup                  stops everything this file started (trap it)
# Needs root (sshd), OpenSSH 9.x. Only loopback.
#
# Tests log in as SSHD_TEST_USER (unyotest), never as root: its shell is bash
# without any startup file or history file, so what a test exercises is unyo and
# sshd, not a login's profile (root's ~/.bashrc may run pyenv or conda: most of a
# second per session, seconds on a loaded machine). The user is made once per
# machine, under a lock (tests run in parallel), and kept: other tests running at
# the same time log in as it.

SSHD_TEST_USER=unyotest
SSHD_TEST_DIR=/var/lib/unyotest
SSHD_TEST_SHELL=$SSHD_TEST_DIR/shell
SSHD_USERS_LOCK=/run/lock/unyo-test-users.lock
[ -d /run/lock ] || SSHD_USERS_LOCK=/tmp/unyo-test-users.lock

SSHD_PIDS=()
AGENT_PID=
SSHD_USERS=()

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds;
# returns 1 if it still fails after SECONDS.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    while ! "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# Runs "$@" holding the lock on the user database that these helpers share.
# useradd and userdel give up at once when another holds /etc/passwd's lock,
# rather than wait, so every change is also retried for a while.
_sshd_users_locked() {
    local _
    for _ in $(seq 1 60); do
        if (flock -w 300 9 && "$@") 9>>"$SSHD_USERS_LOCK"; then return 0; fi
        sleep 0.5
    done
    echo "sshd.sh: could not run $* (user database busy)" >&2
    return 1
}

_sshd_shell_text() {
    cat <<'SH'
#!/bin/sh
# Login shell of unyo's test users (tests/lib/sshd.sh): bash reading no
# startup file and keeping no history. sshd runs "SHELL -c COMMAND" for a
# command and SHELL with no argument for an interactive session.
HISTFILE=
export HISTFILE
if [ "$1" = -c ]; then
    exec /bin/bash --norc --noprofile -c "$2"
fi
exec /bin/bash --norc --noprofile -i
SH
}

_sshd_test_user_ok() {
    [ "$(getent passwd "$SSHD_TEST_USER" | cut -d: -f6,7)" = "$SSHD_TEST_DIR/home:$SSHD_TEST_SHELL" ] &&
        [ -x "$SSHD_TEST_SHELL" ] && [ "$(cat "$SSHD_TEST_SHELL")" = "$(_sshd_shell_text)" ]
}

_sshd_make_test_user() {
    local tmp
    _sshd_test_user_ok && return 0
    mkdir -p "$SSHD_TEST_DIR/home" || return 1
    chmod 755 "$SSHD_TEST_DIR"
    if [ "$(cat "$SSHD_TEST_SHELL" 2>/dev/null)" != "$(_sshd_shell_text)" ]; then
        tmp=$(mktemp "$SSHD_TEST_DIR/.shell.XXXXXX") || return 1
        _sshd_shell_text >"$tmp" && chmod 755 "$tmp" && mv -f "$tmp" "$SSHD_TEST_SHELL" || return 1
    fi
    if ! id -u "$SSHD_TEST_USER" >/dev/null 2>&1; then
        # --password '*': no password, yet not locked ('!'), which sshd without PAM refuses.
        useradd --system --no-create-home --home-dir "$SSHD_TEST_DIR/home" \
            --shell "$SSHD_TEST_SHELL" --password '*' --comment "unyo tests" "$SSHD_TEST_USER" ||
            return 1
    fi
    [ "$(getent passwd "$SSHD_TEST_USER" | cut -d: -f6,7)" = "$SSHD_TEST_DIR/home:$SSHD_TEST_SHELL" ] ||
        usermod --home "$SSHD_TEST_DIR/home" --shell "$SSHD_TEST_SHELL" "$SSHD_TEST_USER" || return 1
    chown "$SSHD_TEST_USER:" "$SSHD_TEST_DIR/home" && chmod 700 "$SSHD_TEST_DIR/home"
}

# The test user exists, with the plain shell (idempotent; safe when several
# tests start at once).
sshd_test_user() {
    _sshd_test_user_ok || _sshd_users_locked _sshd_make_test_user
}

sshd_env_init() {
    T=$(mktemp -d /tmp/unyo-sshtest-XXXXXX)
    chmod 755 "$T"
    export HOME="$T/home"
    mkdir -p "$HOME/.ssh"
    chmod 700 "$HOME/.ssh"
    ssh-keygen -q -t ed25519 -N '' -C unyo-test -f "$HOME/.ssh/id_ed25519"
    cp "$HOME/.ssh/id_ed25519.pub" "$T/authorized_keys"
    chmod 644 "$T/authorized_keys"
    : >"$HOME/.ssh/known_hosts"
    : >"$HOME/.ssh/config"
    mkdir -p /run/sshd
    unset SSH_AUTH_SOCK
    sshd_test_user || { echo "sshd.sh: cannot create the test user $SSHD_TEST_USER" >&2; exit 1; }
    # What a remote command writes (the test user cannot write $T).
    SSHD_SCRATCH=$T/scratch
    mkdir -p "$SSHD_SCRATCH"
    chown "$SSHD_TEST_USER:" "$SSHD_SCRATCH"
    chmod 755 "$SSHD_SCRATCH"
}

sshd_start() {
    local name=$1
    shift
    local port
    port=$(free_port)
    local d="$T/sshd-$name"
    mkdir -p "$d"
    ssh-keygen -q -t ed25519 -N '' -f "$d/host_ed25519"
    {
        # sshd takes the first value of a keyword: the caller's lines come first.
        for l in "$@"; do echo "$l"; done
        echo "Port $port"
        echo "ListenAddress 127.0.0.1"
        echo "HostKey $d/host_ed25519"
        echo "PidFile $d/sshd.pid"
        echo "AuthorizedKeysFile $T/authorized_keys"
        echo "PermitRootLogin prohibit-password"
        echo "UsePAM no"
        echo "StrictModes no"
        echo "AllowTcpForwarding yes"
        echo "MaxStartups 200"
        echo "MaxSessions 50"
        echo "LogLevel VERBOSE"
        echo "KbdInteractiveAuthentication no"
        grep -q '^PasswordAuthentication' <(printf '%s\n' "$@") || echo "PasswordAuthentication no"
    } >"$d/sshd_config"
    /usr/sbin/sshd -D -f "$d/sshd_config" -E "$d/sshd.log" &
    local pid=$!
    SSHD_PIDS+=("$pid")
    eval "PORT_$name=$port"
    eval "PID_$name=$pid"
    # Wait until it listens (a loaded machine may take seconds to start it).
    local deadline=$((SECONDS + 120))
    until (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
            echo "sshd.sh: sshd $name does not listen on port $port:" >&2
            cat "$d/sshd.log" >&2
            exit 1
        fi
        sleep 0.05
    done
    if [ "${SSHD_NO_KNOWN:-0}" != 1 ]; then
        echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$d/host_ed25519.pub")" >>"$HOME/.ssh/known_hosts"
    fi
}

sshd_log() { echo "$T/sshd-$1/sshd.log"; }
sshd_hostkey_pub() { echo "$T/sshd-$1/host_ed25519.pub"; }

sshd_alias() {
    local alias=$1 name=$2
    shift 2
    local port
    eval "port=\$PORT_$name"
    {
        echo "Host $alias"
        echo "  HostName 127.0.0.1"
        echo "  Port $port"
        echo "  User ${SSHD_USER:-$SSHD_TEST_USER}"
        for l in "$@"; do echo "  $l"; done
    } >>"$HOME/.ssh/config"
}

agent_start() {
    export SSH_AUTH_SOCK="$T/agent.sock"
    ssh-agent -a "$SSH_AUTH_SOCK" >/dev/null
    AGENT_PID=$(pgrep -f "ssh-agent -a $SSH_AUTH_SOCK" | head -1)
}

# A throwaway local user of this test, with a password (for password
# authentication) and the plain shell; its home is in the test's temp dir.
# Removed again by sshd_cleanup.
_sshd_add_user() {
    local user=$1 pass=$2
    if ! id -u "$user" >/dev/null 2>&1; then
        useradd -M -d "$T/home-$user" -s "$SSHD_TEST_SHELL" "$user" || return 1
    fi
    [ "$(getent passwd "$user" | cut -d: -f6,7)" = "$T/home-$user:$SSHD_TEST_SHELL" ] ||
        usermod -d "$T/home-$user" -s "$SSHD_TEST_SHELL" "$user" || return 1
    echo "$user:$pass" | chpasswd
}

sshd_add_user() {
    local user=$1 pass=$2
    mkdir -p "$T/home-$user"
    _sshd_users_locked _sshd_add_user "$user" "$pass" ||
        { echo "sshd.sh: cannot create the user $user" >&2; exit 1; }
    chown "$user:" "$T/home-$user"
    SSHD_USERS+=("$user")
}

_sshd_del_user() { ! id -u "$1" >/dev/null 2>&1 || userdel "$1"; }

sshd_cleanup() {
    local p
    for p in "${SSHD_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${SSHD_PIDS[@]}"; do wait "$p" 2>/dev/null; done
    [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null
    for p in "${SSHD_USERS[@]}"; do _sshd_users_locked _sshd_del_user "$p" 2>/dev/null; done
    [ -n "${T:-}" ] && [ "${KEEP_TMP:-0}" != 1 ] && rm -rf "$T"
    return 0
}
