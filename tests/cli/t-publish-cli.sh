#!/bin/sh
# t-publish-cli.sh - the publishing commands' usage and file errors: one
# line, exit 2 for usage, exit 1 for what cannot be written, nothing
# half-written, the database untouched (read-only commands).
# SPDX-License-Identifier: GPL-3.0-or-later

. "$srcdir/cli-lib.sh"

DB=$T/ca.db
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
check "user add" oca -d "$DB" user add -e alice@example.org
S0=$(sha256sum < "$DB")

usage () {
  _d=$1; shift
  "$OCA" "$@" >"$T/out" 2>"$T/err"
  _rc=$?
  if [ $_rc -eq 2 ] && [ "$(grep -c . "$T/err")" -eq 1 ]; then ok "$_d"
  else not_ok "$_d"; diag "exit $_rc"; sed 's/^/#   /' "$T/err"; fi
}
usage "wkd export without PATH" -d "$DB" wkd export
usage "wkd export with two paths" -d "$DB" wkd export a b
usage "wkd export --bogus" -d "$DB" wkd export --bogus x
usage "keylist export without --sig-uri" -d "$DB" keylist export -p "$T"
usage "update wkd --timeout 0" -d "$DB" update wkd --timeout 0
usage "update wkd --timeout x" -d "$DB" update wkd --timeout x
usage "update wkd takes no --keyserver" -d "$DB" update wkd --keyserver hkp://x
usage "update keyserver --keyserver without a scheme" \
  -d "$DB" update keyserver --keyserver keys.example.org
usage "keyserver publish with an argument" -d "$DB" keyserver publish x

for c in "wkd export" "keylist export" "update wkd" "update keyserver" \
         "keyserver publish"; do
  # shellcheck disable=SC2086
  check "oca $c --help" oca $c --help
  like "its usage line" "$T/out" "^Usage: oca $c"
done
oca --help > "$T/out"
for g in wkd keylist update keyserver; do
  like "oca --help lists $g" "$T/out" "^  $g "
done

: > "$T/afile"
check_fails "wkd export into a file's place" oca -d "$DB" wkd export "$T/afile/www"
one_line "one line" "$T/err"
like "naming it" "$T/err" "afile.*not a directory|Not a directory"
mkdir "$T/ro"
check "a tree" oca -d "$DB" wkd export "$T/ro"
chmod -R a-w "$T/ro"
if [ "$(id -u)" != 0 ]; then
  check_fails "a tree that cannot be written" oca -d "$DB" wkd export "$T/ro"
  one_line "one line" "$T/err"
fi
chmod -R u+w "$T/ro"
is "no temporary file left" "$(find "$T" -name '.oca-tmp-*' | wc -l)" 0
is "the database is untouched" "$(sha256sum < "$DB")" "$S0"

check_fails "no database" oca wkd export "$T/x"
one_line "one line" "$T/err"
check_fails "a missing database" oca -d "$T/none.db" keylist export -p "$T" -s https://x/k.asc
one_line "one line" "$T/err"

tap_done
