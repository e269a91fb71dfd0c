#!/usr/bin/env bash
# Keys from ~/.config/unyo/config.ini [keys]: an override works; a bad line is
# reported as FILE:LINE in the message line and the defaults are kept.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
cfg=$XDG_CONFIG_HOME/unyo/config.ini

cat >"$cfg" <<'INI'
[sync]
url = host=example
[keys]
quit = Q
checklist.ok = o Enter
INI
t_start 80 24 --lang en
t_wait "NG 0 │"
t_keys q # no longer bound
# the first row is L025 with its hosts under it: → opens it, Enter marks a host
t_keys Right
t_wait "▾ Server alive"
t_keys j Enter
t_wait "1 OK,"
t_keys Q
t_wait_exit
t_ok "config.ini rebinds quit and checklist.ok"

cat >"$cfg" <<'INI'
[keys]
quit = Q
help = Hyper-x
INI
t_start 80 24 --lang en
t_wait "default keys kept: ~/.config/unyo/config.ini:3: unknown key name \"Hyper-x\""
t_keys q # the default, since nothing of the file was applied
t_wait_exit
t_ok "a bad line names FILE:LINE and keeps the defaults"

cat >"$cfg" <<'INI'
[keys]
no-such-action = x
INI
t_start 80 24 --lang ja
# the message wraps at 80 columns: read whole, the action's name included
t_wait "既定のキー設定を使います: ~/.config/unyo/config.ini:2:"
t_wait "不明な操作「no-such-action」（unyo --keys を参照）"
t_keys q
t_wait_exit
t_ok "an unknown action is reported in Japanese"
