#!/usr/bin/env bash
# The Debian package as an administrator gets it: CPack builds the .deb from this
# build tree (the same configuration `make deb` uses), `dpkg -x` unpacks it into a
# temporary root, and the unpacked unyo — with no UNYO_DATADIR, no UNYO_LOCALEDIR —
# makes a store, a demo and a report and speaks Japanese from the data and the
# catalog of that root, not from this source or build tree. The package's control
# data (library dependencies from dpkg-shlibdeps, section, Recommends), lintian
# (no errors), the sysusers file (systemd-sysusers --root) and the systemd units
# (systemd-analyze verify --root, ExecStart= and man: links resolved in the root)
# are checked too.
. "$UNYO_TESTLIB/common.sh"
BUILD=$(dirname "$UNYO")
[ -f "$BUILD/CPackConfig.cmake" ] || fail "no $BUILD/CPackConfig.cmake: is $UNYO in a configured build tree?"
for tool in cpack dpkg-deb dpkg-shlibdeps; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool is not installed (apt-get install cmake dpkg-dev); the package cannot be built here"
        exit 0
    fi
done
# What the tests' environment points at the source tree must not help the package.
unset UNYO_DATADIR UNYO_LOCALEDIR

# ---- the package ---------------------------------------------------------------
out=$(cpack -G DEB -B "$T/pkg" --config "$BUILD/CPackConfig.cmake" 2>&1) || {
    echo "$out" >&2
    fail "cpack -G DEB"
}
debs=("$T"/pkg/unyo_*_*.deb)
[ -f "${debs[0]}" ] || fail "cpack made no unyo_VERSION_ARCH.deb in $T/pkg: $(ls "$T/pkg")"
DEB=${debs[0]}
version=$("$UNYO" --version | head -n 1 | cut -d' ' -f2)
assert_contains "$(basename "$DEB")" "unyo_${version}_$(dpkg --print-architecture).deb" "the package is named unyo_VERSION_ARCH.deb"

control=$(dpkg-deb -f "$DEB")
assert_contains "$control" "Section: admin" "section admin"
assert_contains "$control" "Recommends: openssh-client" "recommends openssh-client"
depends=$(dpkg-deb -f "$DEB" Depends)
assert_contains "$depends" "libc6 (>= " "library dependencies worked out by dpkg-shlibdeps"
assert_contains "$depends" "libsqlite3-0 (>= " "the dependencies name SQLite's library"
assert_contains "$control" "Maintainer: " "a maintainer"

files=$(dpkg-deb -c "$DEB" | awk '{print $6}')
for f in ./usr/bin/unyo ./usr/share/unyo/libraries.ini ./usr/share/unyo/templates/library.ini \
    ./usr/share/unyo/jobs/library.ini ./usr/share/unyo/checks/linux.ini \
    ./usr/share/locale/ja/LC_MESSAGES/unyo.mo ./usr/share/man/man1/unyo.1.gz \
    ./usr/share/man/ja/man1/unyo.1.gz ./usr/share/doc/unyo/copyright \
    ./usr/share/doc/unyo/changelog.gz ./usr/lib/systemd/system/unyo-jobs.service \
    ./usr/lib/systemd/system/unyo-jobs.timer ./usr/lib/systemd/system/unyo-checks.service \
    ./usr/lib/systemd/system/unyo-checks.timer ./usr/lib/systemd/system/unyo-sync.service \
    ./usr/lib/systemd/system/unyo-sync.timer ./usr/lib/sysusers.d/unyo.conf \
    ./usr/share/bash-completion/completions/unyo; do
    grep -qxF "$f" <<<"$files" || fail "the package has no $f; it has: $files"
done
ok "the package holds the binary, data, catalog, man pages, docs, units, the sysusers file and the bash completion"
assert_not_contains "$files" "/usr/local" "nothing under /usr/local"
assert_not_contains "$files" "schema/" "the schema (compiled in) is not shipped as data"

if command -v lintian >/dev/null; then
    # As root lintian says it should not be; that line is not a finding.
    lint=$(lintian --fail-on error "$DEB" 2>&1) || {
        echo "$lint" >&2
        fail "lintian reports errors"
    }
    lint=$(grep -v "root privileges" <<<"$lint" || true)
    assert_not_contains "$lint" "E: " "lintian: no errors"
    [ -z "$lint" ] || printf 'lintian says:\n%s\n' "$lint"
else
    echo "note: lintian is not installed; the package's lintian check is left out"
fi

# ---- the unpacked tree, no build tree around ----------------------------------------
R=$T/root
dpkg -x "$DEB" "$R"
U=$R/usr/bin/unyo
[ -x "$U" ] || fail "no executable $U"
# It finds its own data and catalog, beside it, not the source tree its build knew.
out=$("$U" --version)
assert_contains "$out" "data: $R/usr/share/unyo" "the unpacked unyo reads the unpacked data"
assert_contains "$out" "catalogs: $R/usr/share/locale" "the unpacked unyo reads the unpacked catalog"
src=$(cd "$UNYO_TESTLIB/../.." && pwd)
assert_not_contains "$out" "$src" "nothing from the source tree $src"
assert_not_contains "$out" "$BUILD" "nothing from the build tree $BUILD"
# A library only the unpacked data has shows up in a new store: the data read is that tree's.
printf '\n[PKGT]\nname_ja = パッケージ試験館\nname_en = Package Test Library\nkind = branch\n' \
    >>"$R/usr/share/unyo/libraries.ini"

DB=$T/store/unyo.db
out=$("$U" init --db "$DB"); assert_contains "$out" "templates" "unyo init from the unpacked tree"
assert_contains "$out" "job definitions" "init installs the shipped job definitions from the unpacked data"
out=$("$U" library list --db "$DB"); assert_contains "$out" "Package Test Library" "init read the unpacked libraries.ini"
out=$("$U" demo --db "$T/store/demo.db"); assert_contains "$out" "demo store" "unyo demo from the unpacked tree"
out=$("$U" report daily --db "$T/store/demo.db"); assert_contains "$out" "Daily report" "a daily report"
out=$("$U" --lang ja report daily --db "$T/store/demo.db")
assert_contains "$out" "日次報告書" "--lang ja: the report in Japanese (the unpacked catalog found)"
out=$("$U" --lang ja library list --db "$DB"); assert_contains "$out" "パッケージ試験館" "--lang ja: a library's Japanese name"
assert_contains "$out" "名前（日本語）" "--lang ja: the list's headers in Japanese"
out=$(env LANG=ja_JP.UTF-8 LC_ALL=ja_JP.UTF-8 "$U" help)
assert_contains "$out" "運用" "LANG=ja_JP.UTF-8: help in Japanese"

# ---- the system user and the systemd units ------------------------------------------
units=(unyo-jobs.service unyo-jobs.timer unyo-checks.service unyo-checks.timer unyo-sync.service
    unyo-sync.timer)
for u in unyo-jobs.service unyo-checks.service unyo-sync.service; do
    grep -qx 'ExecStart=/usr/bin/unyo --db ${UNYO_DB} .*' "$R/usr/lib/systemd/system/$u" ||
        fail "$u: ExecStart= does not run /usr/bin/unyo on \${UNYO_DB}"
done
grep -qx "ExecStart=.* jobs run --due" "$R/usr/lib/systemd/system/unyo-jobs.service" || fail "unyo-jobs.service runs jobs run --due"
grep -qx "ExecStart=.* sync" "$R/usr/lib/systemd/system/unyo-sync.service" || fail "unyo-sync.service runs sync"
grep -qx "ExecStart=.* check run --due --quiet" "$R/usr/lib/systemd/system/unyo-checks.service" ||
    fail "unyo-checks.service runs check run --due --quiet"
grep -qx "SuccessExitStatus=3" "$R/usr/lib/systemd/system/unyo-checks.service" ||
    fail "unyo-checks.service: an NG check (exit 3) is not a failed unit"
grep -qx "OnCalendar=\*-\*-\* \*:\*:00" "$R/usr/lib/systemd/system/unyo-checks.timer" ||
    fail "unyo-checks.timer: every minute"
for u in unyo-jobs.service unyo-checks.service unyo-sync.service; do
    for want in User=unyo DynamicUser=no ProtectSystem=strict ReadWritePaths=/var/lib/unyo \
        NoNewPrivileges=yes PrivateTmp=yes EnvironmentFile=-/etc/default/unyo; do
        grep -qxF "$want" "$R/usr/lib/systemd/system/$u" || fail "$u has no $want"
    done
done
ok "the services run as unyo, hardened, with the store from /etc/default/unyo"

if command -v systemd-sysusers >/dev/null; then
    mkdir -p "$R/etc"
    systemd-sysusers --root="$R" unyo.conf >/dev/null 2>&1 || fail "systemd-sysusers --root=$R unyo.conf"
    assert_contains "$(cat "$R/etc/passwd")" "unyo:x:" "sysusers.d/unyo.conf makes the user unyo"
    assert_contains "$(grep '^unyo:' "$R/etc/passwd")" ":/var/lib/unyo:" "unyo's home is /var/lib/unyo"
else
    echo "note: systemd-sysusers is not installed; the sysusers file is not checked"
fi

if command -v systemd-analyze >/dev/null && [ -d /usr/lib/systemd/system ]; then
    # verify --root loads what the units reach (timers.target, sysinit.target,
    # network-online.target ...) from the root: give it this machine's units next
    # to the package's. ExecStart=/usr/bin/unyo is checked in the root, and
    # Documentation=man:unyo(1) against the unpacked man pages.
    cp -an /usr/lib/systemd/system/. "$R/usr/lib/systemd/system/" 2>/dev/null || true
    paths=()
    for u in "${units[@]}"; do paths+=("/usr/lib/systemd/system/$u"); done
    if v=$(MANPATH=$R/usr/share/man systemd-analyze verify --root="$R" "${paths[@]}" 2>&1); then
        # Unknown keys and bad values are only warnings to verify: none is allowed.
        [ -z "$v" ] || { echo "$v" >&2; fail "systemd-analyze verify has warnings"; }
        ok "systemd-analyze verify passes on the units"
    else
        echo "$v" >&2
        fail "systemd-analyze verify --root=$R ${paths[*]}"
    fi
    # The check itself catches a unit whose binary is not there.
    sed 's|^ExecStart=/usr/bin/unyo |ExecStart=/usr/bin/unyo-missing |' "$R/usr/lib/systemd/system/unyo-sync.service" \
        >"$R/usr/lib/systemd/system/unyo-broken.service"
    out=$(MANPATH=$R/usr/share/man must_fail systemd-analyze verify --root="$R" /usr/lib/systemd/system/unyo-broken.service)
    assert_contains "$out" "unyo-missing" "verify refuses a unit whose ExecStart= binary is missing"
else
    echo "note: systemd-analyze is not installed; the units are not verified"
fi
finish
