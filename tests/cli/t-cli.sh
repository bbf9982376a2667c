#!/bin/sh
# t-cli.sh - command line framework: help, version, usage errors, exit codes
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

check "--version" oca --version
like "--version prints the version" "$T/out" '^oca [0-9]+\.[0-9]+'
check "--help" oca --help
like "--help lists the ca group" "$T/out" '^  ca '
like "--help lists the user group" "$T/out" '^  user '

for g in ca user; do
  check "$g --help" oca $g --help
  like "$g --help lists commands" "$T/out" '^Commands:'
done
for c in "ca init" "ca show" "ca export" "ca private" "ca import-tsig" \
         "user add" "user import" "user update" "user list" "user export" \
         "user check" "user add-revocation" "user apply-revocation" \
         "user show-revocations" "ca revocations" "ca re-certify"; do
  # shellcheck disable=SC2086
  check "$c --help" oca $c --help
  like "$c --help shows its usage" "$T/out" "^Usage: oca $c"
done

# Usage errors: exit 2, one line on stderr.
usage_rc () {
  _d=$1; shift
  "$@" >"$T/out" 2>"$T/err"
  is "$_d: exit 2" "$?" 2
  one_line "$_d: one line on stderr" "$T/err"
  like "$_d: prefixed" "$T/err" '^oca: '
}
usage_rc "no group" oca
usage_rc "unknown group" oca frob
usage_rc "unknown command" oca ca frob
usage_rc "unknown global option" oca --frob ca show
usage_rc "unknown command option" oca -d "$T/x.db" ca show --frob
usage_rc "missing option argument" oca -d "$T/x.db" ca init --domain
usage_rc "ca init without --domain" oca -d "$T/x.db" ca init softkey
usage_rc "ca init without backend" oca -d "$T/x.db" ca init --domain example.org
usage_rc "ca init unknown algo" oca -d "$T/x.db" ca init --domain example.org --algo dsa softkey
usage_rc "user add without email" oca -d "$T/x.db" user add
usage_rc "user import without file" oca -d "$T/x.db" user import -e a@example.org
test ! -e "$T/x.db"; is "usage errors create no database" $? 0

# No database configuration.
oca ca show >"$T/out" 2>"$T/err"
is "no database: exit 1" "$?" 1
one_line "no database: one line" "$T/err"
like "no database: message" "$T/err" '^oca: no database configuration found'

# OPENPGP_CA_DB is used when -d is absent.
OPENPGP_CA_DB="$T/env.db" oca ca init --domain example.org --algo ed25519 softkey >"$T/out" 2>"$T/err"
is "OPENPGP_CA_DB: init works" "$?" 0
test -s "$T/env.db"; is "OPENPGP_CA_DB: file created" $? 0
check "-d wins over OPENPGP_CA_DB" env OPENPGP_CA_DB=/nonexistent/x.db "$OCA" -d "$T/env.db" ca show
like "-d wins: shows the CA" "$T/out" 'CA Domain: example.org'

# A missing database file is not created by a reading command.
check_fails "ca show on a missing file fails" oca -d "$T/missing.db" ca show
one_line "missing file: one line" "$T/err"
test ! -e "$T/missing.db"; is "missing file: not created" $? 0

tap_done
