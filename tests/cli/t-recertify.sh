#!/bin/sh
# t-recertify.sh - ca re-certify -p OLD [-v DAYS]: after the CA key
#                  changed, the users stay fully valid in gpg and sq-wot;
#                  a non-CA old key is refused and changes nothing
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

[ -n "$SQLITE3" ] || skip_all "sqlite3 not found"
SQWOT=$(command -v sq-wot) || { not_ok "sq-wot installed"; tap_done; exit 1; }

OLD="$T/old.db"
NEW="$T/ca.db"
check "old CA" oca -d "$OLD" ca init --domain example.org --cipher-suite cv25519 softkey
check "old CA: user add alice" oca -d "$OLD" user add -e alice@example.org -n Alice
BOB=$(gen_gpg_key "$T/bob.asc" "Bob <bob@example.org>" "Bob <bob@private.net>")
check "old CA: user import bob" oca -d "$OLD" user import -e bob@example.org -f "$T/bob.asc"
oca -d "$OLD" ca export > "$T/old-ca.asc"
ALICE=$(oca -d "$OLD" user list | awk '/^OpenPGP certificate/{print $3; exit}')

# The CA key changes: a new key for the same domain, and the users'
# rows (their certificates, certified by the old key) move to its
# database.
check "new CA key" oca -d "$NEW" ca init --domain example.org --cipher-suite cv25519 softkey
CA=$(ca_fpr "$NEW")
"$SQLITE3" "$NEW" "attach '$OLD' as o;
  insert into users select * from o.users;
  insert into certs select * from o.certs;
  insert into certs_emails select * from o.certs_emails;
  insert into revocations select * from o.revocations;"
is "users moved" "$(oca -d "$NEW" user list | grep -c '^OpenPGP certificate')" 2

# validity_in HOME FPR UID: gpg's validity of UID with the new CA
# ultimately trusted, from `user export' of the new database.
validity_in () {
  mkdir -p -m 700 "$1"
  oca -d "$NEW" user export > "$T/export.asc"
  GNUPGHOME=$1 gpg_ --import "$T/export.asc" 2>/dev/null
  echo "$CA:6:" | GNUPGHOME=$1 gpg_ --import-ownertrust 2>/dev/null
  GNUPGHOME=$1 gpg_ --check-trustdb >/dev/null 2>&1
  GNUPGHOME=$1 gpg_ --with-colons --list-keys "$2" 2>/dev/null |
    awk -F: -v u="$3" '$1=="uid" && $10==u {print $2; exit}'
  GNUPGHOME=$1 "$GPGCONF" --kill all
}
wot () {
  oca -d "$NEW" ca export > "$T/ca.asc"
  oca -d "$NEW" user export > "$T/users.asc"
  "$SQWOT" --keyring "$T/ca.asc" --keyring "$T/users.asc" --trust-root "$CA" \
    lookup --email "$1"
}

v=$(validity_in "$T/g1" "$ALICE" "Alice <alice@example.org>")
test "$v" != f; is "before: alice not valid under the new key (got '$v')" $? 0
check_fails "before: sq-wot does not authenticate bob" wot bob@example.org

# Bad input: one line, the database byte-identical.
cp "$NEW" "$T/before.db"
bad () {
  _d=$1; shift
  check_fails "$_d: refused" oca -d "$NEW" "$@"
  one_line "$_d: one-line error" "$T/err"
  cp "$T/err" "$T/bad.err"
  check "$_d: database byte-identical" cmp "$NEW" "$T/before.db"
}
bad "a user key as the old CA key" ca re-certify -p "$T/bob.asc"
like "  not a CA key" "$T/bad.err" "is not a key of this CA"
oca -d "$NEW" ca export > "$T/new-ca.asc"
bad "the current key as the old one" ca re-certify -p "$T/new-ca.asc"
oca -d "$T/other.db" ca init --domain other.example --cipher-suite cv25519 softkey >/dev/null
oca -d "$T/other.db" ca export > "$T/other-ca.asc"
bad "another domain's CA key" ca re-certify --public-old "$T/other-ca.asc"
echo junk > "$T/junk.asc"
bad "a file without a key" ca re-certify -p "$T/junk.asc"
bad "an invalid validity" ca re-certify -p "$T/old-ca.asc" -v 0
bad "a missing file" ca re-certify -p "$T/none.asc"
check_fails "--public-old is required" oca -d "$NEW" ca re-certify

check "ca re-certify -p OLD" oca -d "$NEW" ca re-certify -p "$T/old-ca.asc"
is "two User IDs on two keys" "$(cat "$T/out")" "Re-certified 2 User IDs on 2 certificates."
check "again: nothing to do" oca -d "$NEW" ca re-certify -p "$T/old-ca.asc" -v 30
is "  none" "$(cat "$T/out")" "Re-certified 0 User IDs on 0 certificates."

is "after: alice fully valid under the new key" \
  "$(validity_in "$T/g2" "$ALICE" "Alice <alice@example.org>")" f
is "after: bob@example.org fully valid" \
  "$(validity_in "$T/g3" "$BOB" "Bob <bob@example.org>")" f
v=$(validity_in "$T/g4" "$BOB" "Bob <bob@private.net>")
test "$v" != f -a "$v" != u; is "bob@private.net (never certified) still not (got '$v')" $? 0
check "after: sq-wot authenticates alice" wot alice@example.org
check "after: sq-wot authenticates bob" wot bob@example.org
check_fails "sq-wot: not bob@private.net" wot bob@private.net

# The new certification: 0x10 by the new key, Signer's User ID, valid
# for 365 days (default).
oca -d "$NEW" user export -e alice@example.org | gpg_ --list-packets > "$T/pk" 2>&1
awk '/^:signature packet:/{s=$0; next} /^:/{if (s!="") print s; s=""; next} {s=s " " $0} END{if (s!="") print s}' "$T/pk" |
  grep "keyid $(keyid "$CA")" > "$T/sub"
is "one certification by the new key" "$(grep -c . "$T/sub")" 1
like "class 0x10" "$T/sub" "sigclass 0x10"
like "expires after 365 days" "$T/sub" "sig expires after 1y0d0h0m|subpkt 3 len 4 \(sig expires after 1y0d0h0m\)"

tap_done
