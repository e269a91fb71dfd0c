#!/usr/bin/env bash
# The layering rules of doc/architecture.md, checked on the sources:
#   1. ncurses only in the kit and the panes: no file of src/ outside src/ui/
#      (core, the CLI, main.c) includes curses.h, ncurses.h & co; nor a header
#      of src/ui/ or screens/, but for src/main.c, which wires them together;
#   2. the kit and the panes know nothing of the CLI: nothing in src/ui/ or
#      screens/ includes cli.h, cli_*.h or a header under cli/;
#   3. the kit does not know the panes: src/ui/ includes no header of screens/;
#   4. no SQL in the front ends: no file of src/ui/, screens/ or src/cli/
#      matches store_stmt, sqlite3_, "SELECT " or "INSERT " (queries live in
#      core functions that return structs; the CLI and the panes only format).
# Include cycles are checked by their own test.
#
# Each rule is first shown to fire on a small tree that breaks it, so a rule
# that silently stopped matching cannot pass for a clean source tree.
. "$UNYO_TESTLIB/common.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

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
# current directory.
violations() {
  local f line hdr base
  shopt -s nullglob globstar
  local core=() kit=() panes=() cli=()
  local -A kit_h=() pane_h=()
  for f in src/**/*.c src/**/*.h; do
    case $f in src/ui/*) kit+=("$f") ;; *) core+=("$f") ;; esac
    case $f in src/cli/*) cli+=("$f") ;; esac
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

  # 4. kit, panes and CLI: no SQL
  local sql_files=() front=("${kit[@]}" "${panes[@]}" "${cli[@]}")
  if [ ${#front[@]} -gt 0 ]; then
    mapfile -t sql_files < <(grep -lE 'store_stmt|sqlite3_|SELECT |INSERT ' "${front[@]}" || true)
  fi
  for f in "${sql_files[@]}"; do
    grep -nE 'store_stmt|sqlite3_|SELECT |INSERT ' "$f" | head -3 | while IFS=: read -r line _; do
      echo "$f:$line: SQL in the kit, a pane or the CLI (store_stmt, sqlite3_, SELECT, INSERT): move it into a core function"
    done
  done
  return 0
}

# ---- each rule fires on a tree that breaks it -----------------------------------
fake=$T/fake
mkdir -p "$fake/src/ui" "$fake/src/cli" "$fake/screens"
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
cat >"$fake/src/cli/bad_list.c" <<'EOF'
#include "store.h"
static int list(struct store *st)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT login FROM operators");
    return 0;
}
EOF
printf 'static const char *q = "INSERT INTO t VALUES (1)";\n' >"$fake/src/cli/bad_write.h"
printf 'int f(void) { return sqlite3_changes(0); }\n' >"$fake/src/core_sql.c"
out=$(cd "$fake" && violations)
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
expect '^src/cli/bad_list.c:4: SQL' "a query in the CLI"
expect '^src/cli/bad_write.h:1: SQL' "INSERT in a CLI header"
assert_not_contains "$out" "core_sql.c" "the core may hold SQL"
expect '^src/main.c:1: core includes <curses.h>' "main.c including ncurses"
printf '%s\n' "$out" | grep -qE '^src/main.c:[2-9]' && fail "main.c refused its wiring includes" ||
  ok "src/main.c may include the CLI, the kit and the panes"
assert_not_contains "$out" "screens/screens.h" "a pane header may include a kit header"
n=$(printf '%s\n' "$out" | grep -c . || true)
[ "$n" -eq 12 ] && ok "nothing else reported on the broken tree" || fail "$n reports, expected 12"

# ---- the sources keep the rules -----------------------------------------------
cd "$ROOT"
[ -d src/ui ] && [ -d screens ] || fail "no sources under $ROOT"
out=$(violations)
if [ -n "$out" ]; then
  printf '%s\n' "$out" >&2
  fail "house rules broken ($(printf '%s\n' "$out" | wc -l) places; see doc/architecture.md)"
fi
ok "core has no ncurses and no kit or pane header; src/ui and screens include no CLI header; src/ui no pane header"
ok "no SQL in src/ui, screens or src/cli"
finish
