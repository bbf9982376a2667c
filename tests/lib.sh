# lib.sh - TAP helpers for oca's shell test suites
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Source from a test script:   . "$srcdir/../lib.sh"  (tests/<suite>/)
# Provides: ok, not_ok, check, check_fails, is, like, diag, skip_all,
# tap_done, a private scratch dir $T (removed on exit unless
# OCA_KEEP_TMP=1), and the paths in testenv.sh.
#
# Every check prints one TAP line; tap_done prints the plan and sets the
# exit status.  A failing check prints what it ran and its output as
# diagnostics, so a CI log is enough to debug it.

: "${srcdir:=.}"
: "${top_builddir:=../..}"
_tap_n=0
_tap_failed=0

# shellcheck disable=SC1091
. "${top_builddir}/tests/testenv.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/oca-test.XXXXXX") || exit 99
_tap_cleanup_hooks=""
# Register a command to run at exit (before $T is removed).
at_exit () { _tap_cleanup_hooks="$1; $_tap_cleanup_hooks"; }
_tap_exit () {
  eval "$_tap_cleanup_hooks" 2>/dev/null
  if [ -z "${OCA_KEEP_TMP:-}" ]; then rm -rf "$T"; else echo "# kept $T"; fi
}
trap _tap_exit EXIT
trap 'exit 130' INT TERM

diag () { printf '# %s\n' "$*"; }
ok () { _tap_n=$((_tap_n+1)); echo "ok $_tap_n - $*"; }
not_ok () { _tap_n=$((_tap_n+1)); _tap_failed=$((_tap_failed+1)); echo "not ok $_tap_n - $*"; }

# check DESC CMD...: CMD must exit 0.  Output goes to $T/out, $T/err.
check () {
  _d=$1; shift
  _rc=0
  "$@" >"$T/out" 2>"$T/err" || _rc=$?
  if [ "$_rc" -eq 0 ]; then ok "$_d"; return 0; fi
  not_ok "$_d"
  diag "command: $* (exit $_rc)"
  sed 's/^/#   out: /' "$T/out" | head -40
  sed 's/^/#   err: /' "$T/err" | head -40
  return 1
}

# check_fails DESC CMD...: CMD must exit non-zero (not a crash: < 128).
check_fails () {
  _d=$1; shift
  "$@" >"$T/out" 2>"$T/err"
  _rc=$?
  if [ $_rc -ne 0 ] && [ $_rc -lt 128 ]; then ok "$_d"; return 0; fi
  not_ok "$_d"
  diag "command: $* (exit $_rc, expected failure)"
  sed 's/^/#   out: /' "$T/out" | head -20
  sed 's/^/#   err: /' "$T/err" | head -20
  return 1
}

# is DESC GOT WANT
is () {
  if [ "$2" = "$3" ]; then ok "$1"; return 0; fi
  not_ok "$1"; diag "got:  '$2'"; diag "want: '$3'"; return 1
}

# like DESC FILE REGEX: FILE has a line matching the extended REGEX.
like () {
  if grep -Eq -- "$3" "$2"; then ok "$1"; return 0; fi
  not_ok "$1"; diag "no line of $2 matches /$3/"
  sed 's/^/#   /' "$2" | head -30
  return 1
}

# like_soon DESC FILE REGEX: like, for a line another process writes
# after it has answered us (a server's log line after its reply): wait
# up to 10 s for it to appear.
like_soon () {
  _ls=0
  while ! grep -Eq -- "$3" "$2" 2>/dev/null && [ $_ls -lt 100 ]; do
    sleep 0.1 2>/dev/null || sleep 1; _ls=$((_ls + 1))
  done
  like "$@"
}

# unlike DESC FILE REGEX: no line of FILE matches.
unlike () {
  if ! grep -Eq -- "$3" "$2"; then ok "$1"; return 0; fi
  not_ok "$1"; diag "a line of $2 matches /$3/"
  grep -E -- "$3" "$2" | sed 's/^/#   /' | head -10
  return 1
}

# one_line DESC FILE: FILE holds exactly one non-empty line (error style).
one_line () {
  _n=$(grep -c . "$2")
  if [ "$_n" -eq 1 ]; then ok "$1"; return 0; fi
  not_ok "$1"; diag "expected one line, got $_n:"; sed 's/^/#   /' "$2" | head -10
  return 1
}

# skip_all REASON: skip the whole script.  With OCA_NO_SKIP=1 (set by
# scripts/check.sh, i.e. in CI, where pcscd, gpg and sq are installed)
# a skip is a failure: no card or GnuPG test may silently not run.
skip_all () {
  if [ "${OCA_NO_SKIP:-}" = 1 ]; then
    echo "Bail out! would skip, but OCA_NO_SKIP=1: $*"
    exit 1
  fi
  echo "1..0 # SKIP $*"; exit 0
}

tap_done () {
  echo "1..$_tap_n"
  [ "$_tap_failed" -eq 0 ]
}
