#!/bin/sh
# t-export-dir.sh - user export -p DIR: one <email>.asc per stored
#                   address plus the CA's; gpg reads every file
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --cipher-suite cv25519 softkey
CA=$(ca_fpr "$DB")
check "user add alice (two addresses)" oca -d "$DB" user add -e alice@example.org -e a.smith@example.org -n Alice
ALICE=$(oca -d "$DB" user list | awk '/^OpenPGP certificate/{print $3; exit}')
BOB=$(gen_gpg_key "$T/bob.asc" "Bob <bob@example.org>")
check "user import bob" oca -d "$DB" user import -e bob@example.org -f "$T/bob.asc"
# A second key for bob@example.org: both go into bob's file.
BOB2=$(gen_gpg_key "$T/bob2.asc" "Bob New <bob@example.org>")
check "user import bob's second key" oca -d "$DB" user import -e bob@example.org -f "$T/bob2.asc"

# fprs FILE: the primary fingerprints gpg finds in FILE, sorted.
fprs () { gpg_ --with-colons --show-keys "$1" 2>/dev/null | awk -F: '$1=="pub"{p=1} $1=="fpr"&&p{print $10; p=0}' | sort | tr '\n' ' '; }

mkdir "$T/out1"
check "user export -p DIR" oca -d "$DB" user export -p "$T/out1"
test ! -s "$T/out"; is "nothing on stdout" $? 0
is "four files" "$(ls "$T/out1" | sort | tr '\n' ' ')" \
  "a.smith@example.org.asc alice@example.org.asc bob@example.org.asc openpgp-ca@example.org.asc "
is "the CA's file: the CA certificate" "$(fprs "$T/out1/openpgp-ca@example.org.asc")" "$CA "
is "alice's files: her key" "$(fprs "$T/out1/alice@example.org.asc")" "$ALICE "
is "  the same for her other address" "$(fprs "$T/out1/a.smith@example.org.asc")" "$ALICE "
is "bob's file: both his keys" "$(fprs "$T/out1/bob@example.org.asc")" "$(printf '%s\n%s\n' "$BOB" "$BOB2" | sort | tr '\n' ' ')"
is "files are 0644" "$(stat -c %a "$T/out1/bob@example.org.asc")" 644
check "gpg imports bob's file" gpg_ --import "$T/out1/bob@example.org.asc"
check "gpg imports the CA's file" gpg_ --import "$T/out1/openpgp-ca@example.org.asc"
sig_lines "$BOB" > "$T/sigs"
like "bob's file carries the CA certification" "$T/sigs" "^Bob <bob@example.org>\|!\|$(keyid "$CA")\|10x$"
cmp -s "$T/out1/openpgp-ca@example.org.asc" "$(oca -d "$DB" ca export > "$T/ca.asc"; echo "$T/ca.asc")"
is "the CA's file is 'ca export'" $? 0

mkdir "$T/out2"
check "user export -p DIR -e EMAIL" oca -d "$DB" user export -p "$T/out2" -e Bob@Example.org
is "only bob's file" "$(ls "$T/out2")" "bob@example.org.asc"
check "a second export overwrites" oca -d "$DB" user export --path "$T/out2" --email bob@example.org
is "  still one file" "$(ls "$T/out2")" "bob@example.org.asc"

check_fails "unknown address" oca -d "$DB" user export -p "$T/out2" -e nobody@example.org
one_line "  one line" "$T/err"
check_fails "missing directory" oca -d "$DB" user export -p "$T/no/such"
one_line "  one line" "$T/err"

# A stored address that would be a path (a damaged or hostile database)
# is refused.
if [ -n "$SQLITE3" ]; then
  cp "$DB" "$T/evil.db"
  "$SQLITE3" "$T/evil.db" "update certs_emails set addr='../evil' where addr='bob@example.org'"
  mkdir "$T/out3"
  check_fails "an address with a path separator is refused" oca -d "$T/evil.db" user export -p "$T/out3"
  one_line "  one line" "$T/err"
  like "  says why" "$T/err" "path traversal"
  test ! -e "$T/evil.asc"; is "  nothing written outside DIR" $? 0
fi

tap_done
