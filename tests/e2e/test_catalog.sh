#!/usr/bin/env bash
# The Japanese catalog is complete: every message in the sources has a
# translation in po/ja/*.po that is neither empty nor fuzzy and keeps the
# source's printf conversions; the merged catalog compiles with
# msgfmt --check-format as the build does; no fragment keeps a msgid that no
# source uses any more; and the binary speaks the language that --lang or the
# environment asks for.
#
# Missing translations are listed by source file and line, so whoever owns the
# file can add them to their fragment po/ja/<module>.po.
. "$UNYO_TESTLIB/common.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

for tool in xgettext msgcat msgmerge msgattrib msgfmt; do
  command -v "$tool" >/dev/null || fail "$tool not found (install gettext)"
done

# ---- what the sources ask for ------------------------------------------------
# Relative paths, so the report names src/foo.c rather than a build path.
cd "$ROOT"
shopt -s nullglob
sources=(src/*.c src/*.h src/cli/*.c src/cli/*.h src/ui/*.c src/ui/*.h screens/*.c screens/*.h)
shopt -u nullglob
[ ${#sources[@]} -gt 0 ] || fail "no sources under $ROOT"
xgettext --from-code=UTF-8 -k_ -kN_ --keyword=P_:1c,2 --no-wrap --add-comments=TRANSLATORS: \
  -o "$T/unyo.pot" "${sources[@]}" 2>"$T/xgettext.err" \
  || { cat "$T/xgettext.err" >&2; fail "xgettext could not read the sources"; }
n_src=$(grep -c '^msgid ' "$T/unyo.pot" || true)
ok "xgettext found $((n_src - 1)) messages in ${#sources[@]} source files"

# ---- what the fragments give, merged as the build merges them ------------------
fragments=(po/ja/*.po)
msgcat --force-po --use-first --to-code=UTF-8 -o "$T/ja.po" "${fragments[@]}" 2>"$T/msgcat.err" \
  || { cat "$T/msgcat.err" >&2; fail "msgcat cannot merge po/ja/*.po"; }
ok "msgcat merges ${#fragments[@]} fragments"
if msgfmt --check-format -o "$T/ja.mo" "$T/ja.po" 2>"$T/msgfmt.err"; then
  ok "msgfmt --check-format accepts the merged catalog"
else
  cat "$T/msgfmt.err" >&2
  fail "msgfmt --check-format rejects the merged catalog (line numbers are in the merged file; the msgid names the fragment entry)"
fi

# The translations applied to today's sources. --no-fuzzy-matching: a message
# is translated exactly or not at all. msgmerge takes the flags (c-format) from
# the sources, so a fragment that left out "#, c-format" is still checked; it
# marks an entry fuzzy when its translation's conversions differ.
msgmerge --quiet --no-fuzzy-matching --no-wrap -o "$T/merged.po" "$T/ja.po" "$T/unyo.pot"

# One line per (file, line, msgid) that needs work: file TAB line TAB why TAB msgid.
# The fuzzy flags of the fragments themselves are read first (ja.po), to tell a
# translator's fuzzy from a conversion mismatch that msgmerge flagged.
awk -v OFS='\t' '
  function str(line) { sub(/^[^"]*"/, "", line); sub(/"[ \t]*$/, "", line); return line }
  function reset() { id = ""; ctx = ""; cur = ""; nstr = 0; nempty = 0; fuzzy = 0; refs = ""; field = "" }
  function endstr() { if (field == "str") { nstr++; if (cur == "") nempty++ } }
  function flush(   n, r, i, f, ln, why, key) {
    endstr()
    if (field != "" && id != "") {
      key = ctx "\004" id
      if (frag) { if (fuzzy) fragfuzzy[key] = 1 }
      else {
        if (nstr == 0 || nempty > 0) why = "untranslated"
        else if (fuzzy && (key in fragfuzzy)) why = "fuzzy"
        else if (fuzzy) why = "conversions differ from the source"
        if (why != "") {
          n = split(refs, r, " ")
          if (n == 0) { r[1] = "(no location):0"; n = 1 }
          for (i = 1; i <= n; i++) {
            f = r[i]; ln = f; sub(/:[0-9]+$/, "", f); sub(/^.*:/, "", ln)
            print f, ln + 0, why, (ctx != "" ? "[" ctx "] " : "") "\"" id "\""
          }
        }
      }
    }
    reset()
  }
  FNR == 1 { flush(); frag = (FILENAME == ARGV[1]) }
  /^[ \t]*$/ { flush(); next }
  /^#~/ { next }
  /^#:/ { sub(/^#:[ \t]*/, ""); refs = refs " " $0; next }
  /^#,/ { if ($0 ~ /fuzzy/) fuzzy = 1; next }
  /^#/ { next }
  /^msgctxt / { if (field == "str") flush(); field = "ctx"; ctx = str($0); next }
  /^msgid / { if (field == "str") flush(); field = "id"; id = str($0); next }
  /^msgid_plural / { field = "plural"; next }
  /^msgstr/ { endstr(); field = "str"; cur = str($0); next }
  /^"/ {
    s = str($0)
    if (field == "id") id = id s
    else if (field == "ctx") ctx = ctx s
    else if (field == "str") cur = cur s
    next
  }
  END { flush() }
' "$T/ja.po" "$T/merged.po" >"$T/missing.raw"
sort -t "$(printf '\t')" -k1,1 -k2,2n "$T/missing.raw" >"$T/missing.tsv"
missing_ids=$(cut -f4 "$T/missing.tsv" | sort -u | wc -l)

if [ "$missing_ids" -gt 0 ]; then
  {
    echo "Messages without a usable Japanese translation: $missing_ids. By source file and"
    echo "line; add them to the owner's fragment po/ja/<module>.po (\"conversions differ\":"
    echo "the msgstr's printf conversions do not match the msgid's):"
    awk -F '\t' '$1 != f { f = $1; print "  " f } { printf "    %5d  %-12s %s\n", $2, ($3 == "untranslated" ? "" : "(" $3 ")"), $4 }' "$T/missing.tsv"
  } >&2
  catalog_incomplete=1
else
  ok "every message in the sources has a Japanese translation"
  catalog_incomplete=0
fi

# ---- no leftovers: every fragment entry is a message the sources use -------------
# "Used" is what the build's sources give xgettext above: _() and N_() strings, and
# P_() ones with their context (the runtime translates only strings so marked:
# key help, option help, state names ... are N_() in the tables that hold them).
# A msgid no source asks for any more (a wording changed, a command renamed) is
# dead weight that can mask a typo in its live successor; remove it from its
# fragment. Keyed on (msgctxt, msgid), as gettext looks them up.
awk '
  function str(line) { sub(/^[^"]*"/, "", line); sub(/"[ \t]*$/, "", line); return line }
  function flush(   key, shown) {
    if (field != "" && id != "") {
      key = ctx "\004" id
      if (file == ARGV[1]) used[key] = 1
      else if (!(key in used)) {
        shown = id; if (length(shown) > 100) shown = substr(shown, 1, 100) "..."
        print file "\t" (ctx != "" ? "[" ctx "] " : "") "\"" shown "\""
      }
    }
    id = ""; ctx = ""; field = ""
  }
  FNR == 1 { flush(); file = FILENAME }
  /^[ \t]*$/ { flush(); next }
  /^#/ { next }
  /^msgctxt / { if (field == "str") flush(); field = "ctx"; ctx = str($0); next }
  /^msgid / { if (field == "str") flush(); field = "id"; id = str($0); next }
  /^msgid_plural / { field = "plural"; next }
  /^msgstr/ { field = "str"; next }
  /^"/ { s = str($0); if (field == "id") id = id s; else if (field == "ctx") ctx = ctx s; next }
  END { flush() }
' "$T/unyo.pot" "${fragments[@]}" >"$T/unused.tsv"
n_unused=$(wc -l <"$T/unused.tsv")
if [ "$n_unused" -gt 0 ]; then
  {
    echo "Fragment entries whose msgid no source uses (not in xgettext's reading of"
    echo "${#sources[@]} source files): $n_unused. Remove them from the fragment named:"
    awk -F '\t' '$1 != f { f = $1; print "  " f } { print "    msgid " $2 }' "$T/unused.tsv"
  } >&2
  catalog_leftovers=1
else
  ok "every msgid in po/ja/*.po is one a source uses"
  catalog_leftovers=0
fi

# ---- the binary picks the language -------------------------------------------
# The binary finds its catalog through UNYO_LOCALEDIR (compiled in: the build's
# locale/ directory, which the catalogs target fills; the environment variable
# of the same name overrides it).
cd "$T"
overview_en="unyo — operations console for a resident operator"
overview_ja=$(msggrep --no-wrap -K -F -e "$overview_en" "$T/ja.po" |
  awk '/^msgstr "[^"]/ { sub(/^msgstr "/, ""); sub(/"$/, ""); print; exit }')
[ -n "$overview_ja" ] || fail "po/ja has no translation of the overview line \"$overview_en\""

out=$(LANG=C.UTF-8 "$UNYO" --lang ja help)
case "$out" in *"$overview_ja"*) ;; *)
  echo "hint: is the catalog built? $UNYO reads \$UNYO_LOCALEDIR/ja/LC_MESSAGES/unyo.mo," \
    "by default <build>/locale/ja/LC_MESSAGES/unyo.mo (cmake --build makes it)" >&2 ;;
esac
assert_contains "$out" "$overview_ja" "--lang ja help speaks Japanese"
assert_not_contains "$out" "$overview_en" "--lang ja help has no English overview"
out=$(LANG=C.UTF-8 "$UNYO" --lang en help)
assert_contains "$out" "$overview_en" "--lang en help speaks English"
assert_not_contains "$out" "$overview_ja" "--lang en help has no Japanese"
out=$(LANGUAGE=ja LANG=C.UTF-8 "$UNYO" help)
assert_contains "$out" "$overview_ja" "LANGUAGE=ja picks Japanese"
out=$(env -u LC_ALL -u LANGUAGE LANG=ja_JP.UTF-8 "$UNYO" help)
assert_contains "$out" "$overview_ja" "LANG=ja_JP.UTF-8 picks Japanese (even where that locale is not generated)"
out=$(env -u LC_ALL -u LANGUAGE LANG=C.UTF-8 "$UNYO" help)
assert_contains "$out" "$overview_en" "LANG=C.UTF-8 stays English"
out=$(LANGUAGE=ja LANG=C.UTF-8 "$UNYO" --lang en help)
assert_contains "$out" "$overview_en" "--lang en overrides LANGUAGE=ja"

[ "$catalog_incomplete" = 0 ] || fail "the Japanese catalog is incomplete (see the list above)"
[ "$catalog_leftovers" = 0 ] || fail "po/ja fragments hold msgids no source uses (see the list above)"
finish
