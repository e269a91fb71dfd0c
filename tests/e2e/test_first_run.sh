#!/usr/bin/env bash
# The first run of a real site, in Japanese, with keys only: `unyo init` points at the
# console; the console opens on the new store (nobody registered yet) with the guided
# set-up: yamada registers as the first operator (a manager), adds 北分館, imports the
# hosts of ~/.ssh/config and trusts lib-ap01's key with its fingerprint shown (when
# this machine can run a loopback sshd: root and OpenSSH), starts the 早番. The status
# line shows 山田 太郎 and 早番; `:log` lists the unyo commands; the set-up does not come
# back by itself, `:setup` reopens it; `:library add NAME` adds a library. Then the CLI
# `unyo library list|add|rename|retire`.
set -eu
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
. "$LIB/tmux.sh"
t_init "$1"

# A loopback sshd for the host key when this machine can run one; else a host whose
# key is never asked for.
SSHD=0
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null; then
    . "$LIB/sshd.sh"
    sshd_env_init
    trap 'sshd_cleanup; t_cleanup' EXIT
    SSHD_NO_KNOWN=1 sshd_start a
    sshd_alias lib-ap01 a
    fp_a=$(ssh-keygen -lf "$(sshd_hostkey_pub a)" | awk '{print $2}')
    SSHD=1
else
    mkdir -p "$HOME/.ssh"
    printf 'Host lib-ap01\n  HostName 127.0.0.1\n  Port 1\n\nHost *\n  ServerAliveInterval 30\n' \
        >"$HOME/.ssh/config"
fi

# A fresh store instead of the demo's.
rm -f "$T_DB"
cli() { UNYO_USER=$1 UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang ja "${@:2}"; }
cli yamada init >"$T_DIR/init.out" 2>&1 || t_fail "init: $(cat "$T_DIR/init.out")"
grep -qF "次に、コンソールを開いてください: unyo --db $T_DB" "$T_DIR/init.out" ||
    t_fail "init's closing hint is not Japanese or names no console: $(cat "$T_DIR/init.out")"
grep -qF "はじめての設定を案内します" "$T_DIR/init.out" || t_fail "init: $(cat "$T_DIR/init.out")"
if grep -q "Next:" "$T_DIR/init.out"; then t_fail "English in init's hint: $(cat "$T_DIR/init.out")"; fi
t_ok "init ends with a Japanese hint that points at the console's first run"

T_USER=yamada
t_start 110 32 --lang ja
t_wait "はじめての設定 1/4 あなた（最初の人は管理者）"
t_wait "◀ 管理者（PM/PL・他の人を登録できる） ▶"
t_wait "│ yamada │ シフト未開始"
t_keys Tab
t_type "山田 太郎"
t_keys Tab Right # the first person is the manager: there is no other role to choose
t_keys Enter
t_wait "山田 太郎（yamada）を管理者（PM/PL・他の人を登録できる）として登録しました。"
t_wait "│ 山田 太郎 │ シフト未開始"
cli yamada operator list --csv | grep -q "^yamada,山田 太郎,manager," || t_fail "yamada is not a manager"
t_ok "step 1: the console opened on a store nobody is registered in; yamada registered as a manager"

t_wait "はじめての設定 2/4 図書館"
t_wait "CEN    中央図書館 (中央館)"
t_keys Enter
t_wait "図書館の追加"
t_type "KIT2"
t_keys Tab
t_type "北分館"
t_keys Enter
t_wait "図書館 北分館（KIT2）を追加しました。"
t_wait "KIT2   北分館 (分館)"
t_wait "はじめての設定 2/4 図書館"
t_ok "step 2: 北分館 added and listed"

t_keys j Enter
t_wait "はじめての設定 3/4 対象ホスト"
t_keys Enter
t_wait "~/.ssh/config から 1 台のホストを取り込みました（0 台は登録済み）。"
t_wait "lib-ap01  127.0.0.1 — Enter: ホスト鍵を確認"
if [ $SSHD = 1 ]; then
    t_keys j j Enter
    t_wait "のホスト鍵は known_hosts にありません。"
    t_wait "鍵の指紋:"
    t_wait "$fp_a"
    t_keys y
    t_wait "lib-ap01 のホスト鍵を信頼しました: $fp_a"
    grep -q "^\[127.0.0.1\]:$PORT_a " "$HOME/.ssh/known_hosts" || t_fail "key not added to known_hosts"
    t_wait "はじめての設定 3/4 対象ホスト"
    t_ok "step 3: hosts imported from ~/.ssh/config; lib-ap01's key trusted with its fingerprint shown"
else
    # Nothing listens on port 1: the key check says why and the step stays open.
    t_keys j j Enter
    t_wait "lib-ap01 のホスト鍵の確認:"
    t_wait "はじめての設定 3/4 対象ホスト"
    t_ok "step 3: hosts imported from ~/.ssh/config; a host that does not answer is reported (no sshd here)"
fi
t_keys j Enter
t_wait "はじめての設定 4/4 シフト"
t_wait "早番を今から開始  07:00-15:30"
# by name and hours, as the Handover pane's chooser: no shift code like (early)
t_screen | grep -qE "\((early|late|night|day|sunday)\)" && { t_screen >&2; t_fail "the first run's shift chooser shows a shift code like (early)"; }
t_keys Enter
t_wait "山田 太郎が2026-11-23の早番を開始しました（15:30まで）。"
t_wait "│ 山田 太郎 │ 早番"
t_assert_not "はじめての設定"
t_ok "step 4: the shift started; the status line shows 山田 太郎 and 早番"

t_keys :
t_type "log"
t_keys Enter
t_wait "コマンドログ"
t_wait "operator add yamada --role manager --name '山田 太郎'"
t_wait "library add KIT2 --name 北分館 --kind branch"
t_wait "host import-ssh-config"
if [ $SSHD = 1 ]; then t_wait "host trust lib-ap01"; fi
t_wait "shift start early"
t_keys Escape
t_wait_gone "コマンドログ"
t_ok ":log lists the unyo command of every step"
t_keys q
t_wait_exit

# The set-up does not open again by itself; :setup opens it (at the libraries: yamada
# is registered); Esc skips each step to the end.
t_start 110 32 --lang ja
t_wait "│ 山田 太郎 │ 早番"
t_assert_not "はじめての設定"
t_keys :
t_type "setup"
t_keys Enter
t_wait "はじめての設定 2/4 図書館"
t_keys Escape
t_wait "はじめての設定 3/4 対象ホスト"
t_keys Escape
t_wait "はじめての設定 4/4 シフト"
t_keys Escape
t_wait "はじめての設定を終えました。:setup でもう一度開けます。"
t_assert_not "はじめての設定 "
# :library add NAME: the form with the name filled in.
t_keys :
t_type "library add 南分室"
t_keys Enter
t_wait "図書館の追加"
t_wait "南分室"
t_type "MIN2"
t_keys Down Down Down Right Right
t_wait "◀ センター ▶"
t_keys Enter
t_wait "図書館 南分室（MIN2）を追加しました。"
t_keys :
t_type "library"
t_keys Enter
t_wait "MIN2   南分室 (センター)"
# d on a library retires it, after a question that names it and what it does.
t_keys G d
t_wait "図書館 南分室（MIN2）を廃止しますか？"
t_keys y
t_wait "図書館 MIN2 を廃止しました。"
t_wait "図書館（Enter: 追加・改名  d: 廃止）"
t_assert_not "MIN2   南分室"
t_keys Escape
t_wait_gone "図書館（Enter: 追加・改名  d: 廃止）"
t_keys q
t_wait_exit
t_ok ":setup reopens the set-up, Esc skips each step; :library add NAME adds a library, d retires one"

# The same list on the command line.
cli yamada library list >"$T_DIR/libs.out" 2>&1 || t_fail "library list: $(cat "$T_DIR/libs.out")"
grep -q "KIT2 .*北分館 .*分館" "$T_DIR/libs.out" || t_fail "library list: $(cat "$T_DIR/libs.out")"
if grep -q "MIN2" "$T_DIR/libs.out"; then t_fail "MIN2 was retired: $(cat "$T_DIR/libs.out")"; fi
cli yamada library add EKI2 --name 駅東分室 --name-en "Eki-higashi Room" --kind office >"$T_DIR/add.out" 2>&1 ||
    t_fail "library add: $(cat "$T_DIR/add.out")"
grep -qF "図書館 駅東分室（EKI2）を追加しました。" "$T_DIR/add.out" || t_fail "library add: $(cat "$T_DIR/add.out")"
if cli yamada library add KIT2 --name 北分館 >"$T_DIR/dup.out" 2>&1; then t_fail "a second KIT2 was added"; fi
grep -qF "コード KIT2 の図書館はすでにあります" "$T_DIR/dup.out" || t_fail "duplicate: $(cat "$T_DIR/dup.out")"
if cli tanaka library add TAN --name 田中分館 >"$T_DIR/who.out" 2>&1; then
    t_fail "an unregistered user added a library"
fi
cli yamada library rename KIT2 --name 北分館（仮） >/dev/null || t_fail "library rename"
cli yamada library list --csv >"$T_DIR/libs.csv"
grep -q "^KIT2,北分館（仮）,北分館,branch" "$T_DIR/libs.csv" || t_fail "rename: $(cat "$T_DIR/libs.csv")"
grep -q "^EKI2,駅東分室,Eki-higashi Room,office" "$T_DIR/libs.csv" || t_fail "add: $(cat "$T_DIR/libs.csv")"
cli yamada library retire KIT2 >"$T_DIR/retire.out" 2>&1 || t_fail "retire: $(cat "$T_DIR/retire.out")"
grep -qF "図書館 KIT2 を廃止しました" "$T_DIR/retire.out" || t_fail "retire: $(cat "$T_DIR/retire.out")"
cli yamada library list --csv >"$T_DIR/libs.csv"
if grep -q "^KIT2," "$T_DIR/libs.csv"; then t_fail "a retired library is listed"; fi
cli yamada audit --csv >"$T_DIR/audit.csv"
for a in library.add library.rename library.retire; do
    grep -q "yamada.*$a" "$T_DIR/audit.csv" || t_fail "$a not audited: $(cat "$T_DIR/audit.csv")"
done
t_ok "unyo library list|add|rename|retire, refused for an unregistered user, audited"
