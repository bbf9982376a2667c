#!/bin/sh
# t-scale-linear.sh - the commands that walk the users stay linear
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Each walking command runs on a CA of N users and on one of 4N users;
# its CPU time (user + system of the oca process, the least of a few
# runs, less the CPU time of a command that walks no user) must grow
# like the number of users: a ratio above 2.5 times the size ratio (10
# for 4N / N) means it became quadratic (16 and more).  Only ratios of
# the same command on the same machine are compared, never a time.
# N (SCALE_N, default 500) keeps the whole test well under a minute.
. "$srcdir/cli-lib.sh"

TOOL=${PGPTOOL:-$abs_top_builddir/src/pgp/t-pgp-tool}
[ -x "$TOOL" ] || { not_ok "t-pgp-tool built ($TOOL)"; tap_done; exit 1; }
command -v bash >/dev/null || skip_all "bash not found (its time keyword)"

N=${SCALE_N:-500}
N4=$((4 * N))
LIMIT=10     # 2.5 x the size ratio 4
REPEAT=3

check "$N keys" "$TOOL" gen-ring ed25519 "$N" example.org "$T/r1.pgp" 1
check "$((N4 - N)) more keys" "$TOOL" gen-ring ed25519 "$((N4 - N))" \
  example.org "$T/r2.pgp" "$((N + 1))"
cat "$T/r1.pgp" "$T/r2.pgp" > "$T/r4.pgp"
check "ca init" oca -d "$T/empty.db" ca init --domain example.org \
  --algo ed25519 softkey

# cpu CMD...: CPU seconds (user + system) of one run of CMD.
cpu () {
  bash -c 'TIMEFORMAT="%3U %3S"; { time "$@" >/dev/null 2>&1; } 2>&1' _ "$@" \
    | awk 'NF == 2 { print $1 + $2 }' | tail -1
}
# least SETUP CMD...: the least CPU time of CMD over REPEAT runs, each
# after the shell command SETUP.
least () {
  _setup=$1; shift
  _r=0
  while [ $_r -lt $REPEAT ]; do
    eval "$_setup"
    cpu "$@"
    _r=$((_r + 1))
  done | sort -g | head -1
}

# The stored CAs: import once each (the import is measured below).
for n in 1 4; do
  cp "$T/empty.db" "$T/ca$n.db"
  check "import ${n}N" oca -d "$T/ca$n.db" user import --domain-emails \
    --file "$T/r$n.pgp"
done
is "N users" "$(oca -d "$T/ca1.db" user list --with-colons | grep -c '^crt:')" "$N"
is "4N users" "$(oca -d "$T/ca4.db" user list --with-colons | grep -c '^crt:')" "$N4"

# What a process costs that walks no user.
BASE=$(least : "$OCA" -d "$T/ca4.db" ca show)

# ratio NAME SETUP CMD...: @N@ in SETUP and CMD is 1 for the N-user
# run and 4 for the 4N one (ca@N@.db, r@N@.pgp).
ratio () {
  _name=$1 _s=$2; shift 2
  _c=$*
  # It works (a failing command would be quick at any size).
  eval "$(echo "$_s" | sed 's/@N@/4/g')"
  # shellcheck disable=SC2046
  check "$_name works on 4N" $(echo "$_c" | sed 's/@N@/4/g')
  # shellcheck disable=SC2046
  _t1=$(least "$(echo "$_s" | sed 's/@N@/1/g')" $(echo "$_c" | sed 's/@N@/1/g'))
  # shellcheck disable=SC2046
  _t4=$(least "$(echo "$_s" | sed 's/@N@/4/g')" $(echo "$_c" | sed 's/@N@/4/g'))
  _r=$(awk -v a="$_t1" -v b="$_t4" -v z="$BASE" 'BEGIN {
         a -= z; b -= z; if (a < 0.005) a = 0.005; printf "%.2f", b / a }')
  diag "$_name: N $_t1 s, 4N $_t4 s (a process that walks nobody: $BASE s)"
  if awk -v r="$_r" -v l="$LIMIT" 'BEGIN { exit !(r <= l) }'; then
    ok "$_name grows linearly (4N/N = $_r <= $LIMIT)"
  else
    not_ok "$_name grows linearly (4N/N = $_r > $LIMIT: quadratic?)"
  fi
}

ratio "bulk import" "cp $T/empty.db $T/i@N@.db" \
  "$OCA" -d "$T/i@N@.db" user import --domain-emails --file "$T/r@N@.pgp"
ratio "user list" : "$OCA" -d "$T/ca@N@.db" user list
ratio "user list --with-colons" : "$OCA" -d "$T/ca@N@.db" user list --with-colons
ratio "user export" : "$OCA" -d "$T/ca@N@.db" user export
ratio "user check certifications" : \
  "$OCA" -d "$T/ca@N@.db" user check certifications
ratio "user check expiry" : "$OCA" -d "$T/ca@N@.db" user check expiry
ratio "wkd export" "rm -rf $T/w@N@" "$OCA" -d "$T/ca@N@.db" wkd export "$T/w@N@"
ratio "keylist export" : "$OCA" -d "$T/ca@N@.db" keylist export -p "$T" \
  -s https://example.org/k@N@.asc -f

tap_done
