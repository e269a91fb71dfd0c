# Shared by the shell tests: a private temp dir, HOME and store per test, and
# small assertion helpers that say what was expected.
set -euo pipefail
UNYO=${1:?usage: $0 PATH_TO_UNYO}
UNYO=$(readlink -f "$UNYO")
T=$(mktemp -d /tmp/unyo-test.XXXXXX)
export HOME=$T/home XDG_DATA_HOME=$T/home/.local/share XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset LANGUAGE UNYO_NOW || true
export UNYO_USER=${UNYO_USER:-tester}
# Stores made by the tests are test stores (read by unyo only when a store is made):
# UNYO_USER acts in them, signing acts need no passphrase, the status line says demo.
# A test of a real store unsets it for its `unyo init` (tests/e2e/test_signin.sh).
export UNYO_TEST_STORE=${UNYO_TEST_STORE-1}
cleanup_hooks=()
on_exit() { # a process just killed may still write into $T: retry, never fail the test
    for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
    local i
    for i in $(seq 50); do rm -rf "$T" 2>/dev/null && [[ ! -e $T ]] && return 0; sleep 0.2; done
    rm -rf "$T" || true
}
trap on_exit EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass_count=0
ok() { pass_count=$((pass_count + 1)); echo "ok - $*"; }
assert_contains() { # haystack needle what
  case "$1" in *"$2"*) ok "$3" ;; *) printf 'expected to find [%s] in:\n%s\n' "$2" "$1" >&2; fail "$3" ;; esac
}
assert_not_contains() {
  case "$1" in *"$2"*) printf 'did not expect [%s] in:\n%s\n' "$2" "$1" >&2; fail "$3" ;; *) ok "$3" ;; esac
}
# Runs a command that must fail; prints its stderr+stdout.
must_fail() { local out; if out=$("$@" 2>&1); then echo "$out" >&2; fail "expected failure: $*"; fi; printf '%s' "$out"; }
finish() { echo "$pass_count passed, 0 failed"; }
