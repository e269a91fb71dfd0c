# Throwaway OpenSSH servers on 127.0.0.1 for integration tests and benchmarks.
# Source this file, then:
#   sshd_env_init                 temp HOME with ~/.ssh: client ed25519 key, empty
#                                 known_hosts and config; sets T (the temp dir)
#   sshd_start NAME [LINES...]    starts sshd NAME on a free high port with its own
#                                 ed25519 host key; extra sshd_config LINES; sets
#                                 PORT_<NAME>; adds the key to known_hosts unless
#                                 SSHD_NO_KNOWN=1
#   sshd_alias ALIAS NAME [LINES] adds "Host ALIAS" for that server to ~/.ssh/config
#   sshd_log NAME                 path of the server's log
#   agent_start                   ssh-agent on a socket, exports SSH_AUTH_SOCK
#   sshd_cleanup                  stops everything this file started (trap it)
# Needs root (sshd), OpenSSH 9.x. Only loopback.

SSHD_PIDS=()
AGENT_PID=
SSHD_USERS=()

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
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
    # Wait until it listens.
    local i
    for i in $(seq 1 100); do
        if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then break; fi
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
        echo "  User ${SSHD_USER:-root}"
        for l in "$@"; do echo "  $l"; done
    } >>"$HOME/.ssh/config"
}

agent_start() {
    export SSH_AUTH_SOCK="$T/agent.sock"
    ssh-agent -a "$SSH_AUTH_SOCK" >/dev/null
    AGENT_PID=$(pgrep -f "ssh-agent -a $SSH_AUTH_SOCK" | head -1)
}

# A throwaway local user with a password (for password authentication).
sshd_add_user() {
    local user=$1 pass=$2
    useradd -M -d "$T" -s /bin/sh "$user" 2>/dev/null || true
    echo "$user:$pass" | chpasswd
    SSHD_USERS+=("$user")
}

sshd_cleanup() {
    local p
    for p in "${SSHD_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${SSHD_PIDS[@]}"; do wait "$p" 2>/dev/null; done
    [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null
    for p in "${SSHD_USERS[@]}"; do userdel "$p" 2>/dev/null; done
    [ -n "${T:-}" ] && [ "${KEEP_TMP:-0}" != 1 ] && rm -rf "$T"
    return 0
}
