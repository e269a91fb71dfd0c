#!/usr/bin/env bash
# `unyo ssh HOST` against a real sshd whose login prints bytes that crashed or
# froze libvterm 0.1.4 (issue 11, section 2): REP before any character (a
# 100 % CPU loop), after a reset too; invalid UTF-8 mixed with NUL; a scroll
# region and the cursor at the top, then the operator shrinks the window and
# the shell erases a line. The console must keep answering: typed commands
# run and their output shows, invalid bytes show as U+FFFD.
set -u
UNYO=${1:?usage: $0 PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v tmux >/dev/null; then
    echo "SKIP: needs root, OpenSSH sshd and tmux"
    exit 77
fi
. "$LIB/tmux.sh"
t_init "$UNYO"
. "$LIB/sshd.sh"
sshd_env_init
trap 'sshd_cleanup; t_cleanup' EXIT
T_TIMEOUT=30
cat >"$T/hostile.sh" <<'SH'
#!/bin/sh
printf '\033[b\033[5b\033c\033[b'
i=0
while [ $i -lt 40 ]; do
    echo "banner line $i"
    i=$((i + 1))
done
printf 'bad:\343\343\343\357\343\000\343\343\343?\r\n'
printf '\033[3;20r\033[H'
PS1='hostile$ ' exec /bin/sh
SH
chmod 755 "$T/hostile.sh"
sshd_start a "ForceCommand $T/hostile.sh"
sshd_alias e2ehost a
R=$((RANDOM % 1000))

t_start 90 25 ssh e2ehost
t_wait "hostile\$"
t_ok "a login that starts with REP (ESC [ b) does not freeze the console"
t_screen | grep -q "bad:�" || t_wait "bad:�"
t_ok "invalid UTF-8 from the server shows as U+FFFD"

t_resize 90 12
t_type "printf '\\033[K\\033[99;99H\\033[K\\r\\n'; echo alive-\$((3000+$R))"
t_keys Enter
t_wait "alive-$((3000 + R))"
t_ok "after a shrink with a scroll region and the cursor at the top, erasing works"

t_resize 30 6
t_type "printf '\\033[b\\346\\227\\245\\346\\234\\254'; echo; echo again-\$((4000+$R))"
t_keys Enter
t_wait "again-$((4000 + R))"
t_type "exit"
t_keys Enter
t_wait_exit
t_ok "a small window, REP and wide characters: the session ends normally"
