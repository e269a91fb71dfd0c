#!/usr/bin/env bash
# The layering rules of doc/architecture.md, checked on the sources:
#   1. ncurses only in the kit and the panes: no file of src/ outside src/ui/
#      (core, the CLI, main.c) includes curses.h, ncurses.h & co; nor a header
#      of src/ui/ or screens/, but for src/main.c, which wires them together;
#   2. the kit and the panes know nothing of the CLI: nothing in src/ui/ or
#      screens/ includes cli.h, cli_*.h or a header under cli/;
#   3. the kit does not know the panes: src/ui/ includes no header of screens/;
#   4. no SQL in the kit or the panes: no file of src/ui/ or screens/ matches
#      store_stmt, sqlite3_, "SELECT " or "INSERT ", except those still listed
#      in tests/house_rules_sql_allow.txt (work in progress: the list only
#      shrinks, and an entry no longer needed is reported so it is removed).
# Include cycles are checked by their own test.
#
# Each rule is first shown to fire on a small tree that breaks it, so a rule
# that silently stopped matching cannot pass for a clean source tree.
. "$UNYO_TESTLIB/common.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ALLOW_FILE=tests/house_rules_sql_allow.txt

# "FILE:LINE:HEADER" for every #include in the files given.
includes() {
  [ $# -gt 0 ] || return 0
  grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^>"]+[>"]' "$@" |
    sed -E 's/^([^:]+):([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1:\2:\3/' || true
}

# The files of the tree at the current directory matching the globs (none: nothing).
files() {
  local f
  for f in "$@"; do [ -f "$f" ] && printf '%s\n' "$f"; done
  return 0
}

# Prints one line per broken rule ("FILE:LINE: what") for the tree in the
# current directory, with the SQL allow-list $1; and "note: ..." lines for
# allow-list entries that are no longer needed.
violations() {
  local allow=$1 f line hdr base
  shopt -s nullglob globstar
  local core=() kit=() panes=()
  local -A kit_h=() pane_h=() allowed=() has_sql=()
  for f in src/**/*.c src/**/*.h; do
    case $f in src/ui/*) kit+=("$f") ;; *) core+=("$f") ;; esac
  done
  panes=(screens/**/*.c screens/**/*.h)
  for f in src/ui/**/*.h; do kit_h[${f##*/}]=1; done
  for f in screens/**/*.h; do pane_h[${f##*/}]=1; done
  shopt -u nullglob globstar

  # 1. core: no ncurses, no kit or pane header
  while IFS=: read -r f line hdr; do
    [ -n "$f" ] || continue
    base=${hdr##*/}
    if [[ $hdr =~ ^(ncursesw?/)?(curses|ncurses|panel|menu|form)\.h$ ]]; then
      echo "$f:$line: core includes <$hdr> (ncurses belongs to src/ui and screens)"
    elif [ "$f" = src/main.c ]; then
      : # the one file that knows the CLI, the kit and the panes
    elif [[ $hdr == *ui/* || $hdr == *screens/* ]] ||
      { [[ $hdr != */* ]] && [[ -n ${kit_h[$base]:-} || -n ${pane_h[$base]:-} ]]; }; then
      echo "$f:$line: core includes \"$hdr\", a header of src/ui or screens (only src/main.c wires them)"
    fi
  done < <(includes "${core[@]}")

  # 2. kit and panes: no CLI header
  while IFS=: read -r f line hdr; do
    [ -n "$f" ] || continue
    if [[ $hdr =~ (^|/)cli(_[A-Za-z0-9_]*)?\.h$ || $hdr == cli/* || $hdr == */cli/* ]]; then
      echo "$f:$line: includes \"$hdr\": src/ui and screens take plain data, only src/main.c knows the CLI"
    fi
  done < <(includes "${kit[@]}" "${panes[@]}")

  # 3. kit: no pane header
  while IFS=: read -r f line hdr; do
    [ -n "$f" ] || continue
    base=${hdr##*/}
    if [[ $hdr == *screens/* ]] ||
      { [[ $hdr != */* ]] && [[ -z ${kit_h[$base]:-} && -n ${pane_h[$base]:-} ]]; }; then
      echo "$f:$line: the kit includes \"$hdr\", a header of screens/ (the panes are given to it: ui_set_panes)"
    fi
  done < <(includes "${kit[@]}")

  # 4. kit and panes: no SQL, except the allow-listed files
  if [ -f "$allow" ]; then
    while read -r line _; do
      line=${line%%#*}
      [ -n "$line" ] && allowed[$line]=1
    done <"$allow"
  fi
  local sql_files=()
  if [ ${#kit[@]} -gt 0 ] || [ ${#panes[@]} -gt 0 ]; then
    mapfile -t sql_files < <(grep -lE 'store_stmt|sqlite3_|SELECT |INSERT ' "${kit[@]}" "${panes[@]}" || true)
  fi
  for f in "${sql_files[@]}"; do
    has_sql[$f]=1
    [ -z "${allowed[$f]:-}" ] || continue
    grep -nE 'store_stmt|sqlite3_|SELECT |INSERT ' "$f" | head -3 | while IFS=: read -r line _; do
      echo "$f:$line: SQL in the kit or a pane (store_stmt, sqlite3_, SELECT, INSERT): move it into a core function"
    done
  done
  for f in "${!allowed[@]}"; do
    if [ -z "${has_sql[$f]:-}" ]; then
      echo "note: $f has no SQL any more: remove it from $ALLOW_FILE"
    fi
  done
  return 0
}

# ---- each rule fires on a tree that breaks it -----------------------------------
fake=$T/fake
mkdir -p "$fake/src/ui" "$fake/src/cli" "$fake/screens" "$fake/tests"
cat >"$fake/src/bad_core.c" <<'EOF'
#include <stdio.h>
#include <ncursesw/curses.h>
#include "store.h"
EOF
printf '#include <ncurses.h>\n' >"$fake/src/bad_core.h"
printf '#  include "ui_list.h"\n#include "screens.h"\n' >"$fake/src/cli/bad_cli.c"
printf '#include <curses.h>\n#include "ui_list.h"\n#include "screens.h"\n#include "cli.h"\n' >"$fake/src/main.c"
printf '#include <curses.h>\n' >"$fake/src/ui/ui_list.h"
cat >"$fake/src/ui/bad_kit.c" <<'EOF'
#include <curses.h>
#include "cli.h"
#include "screens.h"
#include "ui_list.h"
static void f(void) { store_stmt(st, "x"); }
EOF
cat >"$fake/screens/bad_pane.c" <<'EOF'
#include "ui_list.h"
#include "screens.h"
#include "cli/cli_commands.h"
static const char *q = "SELECT id FROM hosts";
EOF
printf '#include "ui_list.h"\n' >"$fake/screens/screens.h"
printf 'int f(void) { return sqlite3_changes(0); }\n' >"$fake/screens/allowed.c"
printf '# still allowed\nscreens/allowed.c\nsrc/ui/clean_now.c   # done\n' >"$fake/tests/allow.txt"
printf '#include "ui_list.h"\n' >"$fake/src/ui/clean_now.c"
out=$(cd "$fake" && violations tests/allow.txt)
printf '%s\n' "$out" | sed 's/^/  fake: /'
expect() { # pattern what
  printf '%s\n' "$out" | grep -qE -- "$1" && ok "rule fires: $2" || fail "rule did not fire: $2"
}
expect '^src/bad_core.c:2: core includes <ncursesw/curses.h>' "core including ncurses"
expect '^src/bad_core.h:1: core includes <ncurses.h>' "a core header including ncurses"
expect '^src/cli/bad_cli.c:1: core includes "ui_list.h"' "the CLI including a kit header"
expect '^src/cli/bad_cli.c:2: core includes "screens.h"' "the CLI including a pane header"
expect '^src/ui/bad_kit.c:2: includes "cli.h"' "the kit including cli.h"
expect '^screens/bad_pane.c:3: includes "cli/cli_commands.h"' "a pane including a CLI header"
expect '^src/ui/bad_kit.c:3: the kit includes "screens.h"' "the kit including a pane header"
expect '^src/ui/bad_kit.c:5: SQL' "store_stmt in the kit"
expect '^screens/bad_pane.c:4: SQL' "SELECT in a pane"
expect '^note: src/ui/clean_now.c has no SQL' "an allow-list entry no longer needed is reported"
assert_not_contains "$out" "allowed.c:" "an allow-listed file is let through"
expect '^src/main.c:1: core includes <curses.h>' "main.c including ncurses"
printf '%s\n' "$out" | grep -qE '^src/main.c:[2-9]' && fail "main.c refused its wiring includes" ||
  ok "src/main.c may include the CLI, the kit and the panes"
assert_not_contains "$out" "screens/screens.h" "a pane header may include a kit header"
n=$(printf '%s\n' "$out" | grep -vc '^note:' || true)
[ "$n" -eq 10 ] && ok "nothing else reported on the broken tree" || fail "$n reports, expected 10"

# ---- the sources keep the rules -----------------------------------------------
cd "$ROOT"
[ -d src/ui ] && [ -d screens ] || fail "no sources under $ROOT"
[ -f "$ALLOW_FILE" ] || fail "$ALLOW_FILE is missing (empty it, do not delete it)"
out=$(violations "$ALLOW_FILE")
notes=$(printf '%s\n' "$out" | grep '^note:' || true)
broken=$(printf '%s\n' "$out" | grep -v '^note:' | grep . || true)
[ -z "$notes" ] || printf '%s\n' "$notes"
if [ -n "$broken" ]; then
  printf '%s\n' "$broken" >&2
  fail "house rules broken ($(printf '%s\n' "$broken" | wc -l) places; see doc/architecture.md)"
fi
ok "core has no ncurses and no kit or pane header; src/ui and screens include no CLI header; src/ui no pane header"
left=$(grep -cvE '^[[:space:]]*(#|$)' "$ALLOW_FILE" || true)
ok "no SQL in src/ui or screens outside the $left file(s) still in $ALLOW_FILE"
finish
