#!/usr/bin/env bash
# The change form in Japanese, from the console only: a new change gets its target
# hosts marked in the hosts inventory (two of them), its procedure, a configuration
# effect (E) and a link to an incident (L), each removable again (d in E's and L's
# lists); the detail shows them with Japanese
# labels, the hosts can be changed again (H), and `:log` shows the `unyo change …`
# line of each write.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00
t_init "$1"
q() { sqlite3 "$T_DB" "$1"; }
IREF=$(q "SELECT ref FROM incidents WHERE deleted = 0 ORDER BY ref LIMIT 1")
IREF2=$(q "SELECT ref FROM incidents WHERE deleted = 0 ORDER BY ref LIMIT 1 OFFSET 1")
[[ -n $IREF && -n $IREF2 ]] || t_fail "the demo has no two incidents"
# the inventory's order (by name), to find the rows to mark
pos() { q "SELECT count(*) FROM hosts WHERE deleted = 0 AND name < '$1'"; }
AP=$(pos lib-ap01)
DB=$(pos lib-db01)
(( DB > AP )) || t_fail "unexpected host order"
down() { local i; for ((i = 0; i < $1; i++)); do t_keys j; done; }

t_start 140 36 --lang ja --pane changes
t_wait "変更管理台帳"
t_keys +
t_wait "変更依頼の起票"
t_type "情報システム担当"
t_keys Tab
t_type "業務APのOS更新"
t_keys Enter
t_wait "を起票しました（下書き）"
REF=$(q "SELECT ref FROM changes WHERE title = '業務APのOS更新'")
[[ -n $REF ]] || t_fail "the change was not filed"
# the hosts of the inventory, none marked yet
t_wait "$REF の対象ホスト"
t_wait "[ ] lib-ap01"
t_wait "Space 選択/解除  Enter 確定  Esc 変更しない"
down "$AP"
t_keys Space
t_wait "[x] lib-ap01"
down $((DB - AP))
t_keys Space
t_wait "[x] lib-db01"
t_keys Enter
t_wait "$REF の対象ホスト: 2 件追加、0 件削除しました。"
# then the procedure, as before
t_wait "$REF: 手順 1（空欄で終了）"
t_type "パッチを適用して再起動する"
t_keys Enter
t_wait "$REF: 手順 2（空欄で終了）"
t_keys Enter
t_wait "$REF の手順は 1 件です。"
[[ $(q "SELECT group_concat(h.name, ',') FROM (SELECT h.name FROM links l JOIN hosts h ON h.id = l.to_id JOIN changes c ON c.id = l.from_id WHERE c.ref = '$REF' AND l.to_kind = 'host' AND l.deleted = 0 ORDER BY h.name) h") == lib-ap01,lib-db01 ]] ||
    t_fail "target hosts not linked: $(q "SELECT to_kind, note FROM links")"
t_ok "a new change gets two target hosts marked in the inventory, then its steps"

# a configuration effect and a link to an incident
t_keys E
t_wait "$REF の構成変更（種類:ホスト:値。"
t_type "patch:lib-ap01:KB5031234"
t_keys Enter
t_wait "$REF に構成変更を追加しました。"
t_keys L
t_wait "$REF をインシデント・問題・変更に関連付ける"
t_type "$IREF"
t_keys Enter
t_wait "$IREF を $REF に関連付けました。"
# an unknown incident: the core's refusal, in Japanese, nothing written
n=$(q "SELECT count(*) FROM links")
t_keys L
t_wait "＋ インシデント・問題・変更を関連付ける…" # a link exists: L lists them, the first row adds
t_keys Enter
t_wait "$REF をインシデント・問題・変更に関連付ける"
t_type "INC-19990101-0000"
t_keys Enter
t_wait "関連 INC-19990101-0000: インシデント が見つかりません"
t_keys Escape
t_wait "(y/n)"
t_keys y
t_wait_gone "(y/n)"
[[ $(q "SELECT count(*) FROM links") == "$n" ]] || t_fail "a refused link was written"
[[ $(q "SELECT e.spec FROM change_effects e JOIN changes c ON c.id = e.change_id WHERE c.ref = '$REF'") == patch:lib-ap01:KB5031234 ]] ||
    t_fail "effect not recorded"
t_ok "E adds a configuration effect, L links an incident"

# with effects and links to list, E and L open them: the first row adds, d removes
t_keys E
t_wait "$REF の構成変更（先頭行で Enter 追加、d 削除）"
t_wait "＋ 構成変更を追加…"
t_wait "1. パッチ  lib-ap01  KB5031234 (追加)"
t_keys Enter
t_wait "$REF の構成変更（種類:ホスト:値。"
t_type "アカウント:lib-ad01:tanaka.m+" # the kind by its Japanese name
t_keys Enter
t_wait "$REF に構成変更を追加しました。"
[[ $(q "SELECT e.spec FROM change_effects e JOIN changes c ON c.id = e.change_id WHERE c.ref = '$REF' AND e.seq = 2") == account:lib-ad01:tanaka.m+ ]] ||
    t_fail "the effect's kind was not keyed: $(q "SELECT spec FROM change_effects")"
t_keys E
t_wait "2. アカウント  lib-ad01  tanaka.m+ (追加)"
t_keys G d
t_wait "構成変更 2 を $REF から削除しました。"
[[ $(q "SELECT count(*) FROM change_effects e JOIN changes c ON c.id = e.change_id WHERE c.ref = '$REF' AND e.deleted = 0") == 1 ]] ||
    t_fail "the effect was not removed"
t_keys L
t_wait "$REF の関連（先頭行で Enter 追加、d 解除）"
t_wait "インシデント $IREF"
t_keys Enter
t_wait "$REF をインシデント・問題・変更に関連付ける"
t_type "$IREF2"
t_keys Enter
t_wait "$IREF2 を $REF に関連付けました。"
t_keys L
t_wait "インシデント $IREF2"
t_keys G d
t_wait "incident:$IREF2 と $REF の関連付けを解除しました。"
[[ $(q "SELECT count(*) FROM links l JOIN changes c ON c.id = l.from_id WHERE c.ref = '$REF' AND l.to_kind = 'incident' AND l.deleted = 0") == 1 ]] ||
    t_fail "the link was not removed"
t_ok "E and L list the effects and links: the first row adds, d removes"

# the detail, in Japanese
t_keys Enter
t_wait "$REF  業務APのOS更新"
t_wait "対象ホスト:    lib-ap01, lib-db01"
t_wait "関連:          インシデント $IREF"
t_wait "パッチ  lib-ap01  KB5031234 (追加)"
t_wait "対象ホスト追加 "
t_wait "関連付け "
t_assert_not "host_added"
t_assert_not "link_added"
t_assert_not "patch:lib-ap01:KB5031234 "
t_ok "the detail shows the target hosts, the link and the effect with Japanese labels"

# H again: lib-db01 unmarked, lib-ap01 stays
t_keys H
t_wait "[x] lib-db01"
down "$DB"
t_keys Space
t_wait "[ ] lib-db01"
t_keys Enter
t_wait "$REF の対象ホスト: 0 件追加、1 件削除しました。"
t_wait "対象ホスト:    lib-ap01"
t_assert_not "lib-ap01, lib-db01"
t_wait "対象ホスト削除 "
t_ok "H edits the target hosts of a draft"

# the command log names the CLI equivalents
t_keys Escape
t_keys :
t_type "log"
t_keys Enter
t_wait "change add-host $REF lib-ap01"
t_wait "change add-host $REF lib-db01"
t_wait "change effect $REF patch:lib-ap01:KB5031234"
t_wait "change add-link $REF $IREF"
t_wait "change remove-effect $REF 2"
t_wait "change remove-link $REF incident:$IREF2"
t_wait "change remove-host $REF lib-db01"
t_keys Escape
t_keys q
t_wait_exit
t_ok ":log shows the unyo change lines of every write"
