#!/bin/sh
# t-gpg.sh - user import/update of keys made by gpg and sq; gpg checks
# exactly which user IDs the CA certified and their validity
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
CA=$(ca_fpr "$DB")
CAK=$(keyid "$CA")

# A gpg key with three user IDs; two are to be certified.
GK=$(gen_gpg_key "$T/g.asc" "Gina <gina@example.org>" "Gina Private <gina@home.net>" "Gina Work <GINA@Corp.example>")
test -n "$GK"; is "gpg made a key" $? 0

check "user import (gpg key)" oca -d "$DB" user import -e gina@example.org -e gina@corp.example -e ghost@example.org -f "$T/g.asc"
one_line "unmatched email: one warning line" "$T/err"
like "unmatched email warning" "$T/err" "^Warning: Couldn't find a User ID to certify for 'ghost@example.org' in $GK$"

# A sq key with two user IDs, one certified.
if [ -n "$SQ" ]; then
  "$SQ" key generate --userid "Sam <sam@example.org>" --userid "Sam Else <sam@else.net>" --export "$T/s.key" 2>/dev/null
  "$SQ" key extract-cert -o "$T/s.asc" "$T/s.key" 2>/dev/null
  SK=$("$GPG" --with-colons --show-keys "$T/s.asc" 2>/dev/null | awk -F: '$1=="fpr"{print $10; exit}')
  test -n "$SK"; is "sq made a key" $? 0
  check "user import (sq key, --key-file, --name)" oca -d "$DB" user import --email sam@example.org --key-file "$T/s.asc" --name "Sam S"
  test ! -s "$T/err"; is "sq key: no warning" $? 0
fi

cp "$DB" "$T/before.db"
check_fails "re-import of a known key is refused" oca -d "$DB" user import -e gina@example.org -f "$T/g.asc"
one_line "re-import: one line" "$T/err"
like "re-import: reference message" "$T/err" "A key with this fingerprint already exists in the DB.*'user update'"
check "re-import: database unchanged" cmp "$DB" "$T/before.db"

check "user export" oca -d "$DB" user export
cp "$T/out" "$T/all.asc"
check "gpg imports CA and users" gpg_ --import "$T/all.asc"

sig_lines "$GK" > "$T/g.sigs"
like "gina@example.org: CA sig good" "$T/g.sigs" "^Gina <gina@example.org>\|!\|$CAK\|10x$"
like "GINA@Corp.example: CA sig good (normalised email)" "$T/g.sigs" "^Gina Work <GINA@Corp.example>\|!\|$CAK\|10x$"
unlike "gina@home.net: no CA sig" "$T/g.sigs" "^Gina Private <gina@home.net>\|.*\|$CAK\|"
is "gina: exactly two CA certifications" "$(grep -c "|$CAK|" "$T/g.sigs")" 2

if [ -n "$SQ" ]; then
  sig_lines "$SK" > "$T/s.sigs"
  like "sam@example.org: CA sig good" "$T/s.sigs" "^Sam <sam@example.org>\|!\|$CAK\|10x$"
  unlike "sam@else.net: no CA sig" "$T/s.sigs" "^Sam Else <sam@else.net>\|.*\|$CAK\|"
fi

# Signer's User ID subpacket names the CA, and there is no expiration.
gpg_ --export "$GK" | gpg_ --list-packets > "$T/pk" 2>&1
awk '/^:signature packet:/{s=$0; next} /^:/{if (s!="") print s; s=""; next} {s=s " " $0} END{if (s!="") print s}' "$T/pk" | grep "keyid $CAK" > "$T/sub"
is "two CA signature packets" "$(grep -c . "$T/sub")" 2
like "Signer's User ID subpacket (28)" "$T/sub" "subpkt 28 len 35 \\(signer's user ID\\)"
unlike "no signature expiration subpacket (3)" "$T/sub" 'subpkt 3 '
like "signature class 0x10" "$T/sub" 'sigclass 0x10'


# Validity with the CA at ultimate ownertrust.
echo "$CA:6:" | gpg_ --import-ownertrust
gpg_ --check-trustdb >/dev/null 2>&1
is "gina@example.org fully valid" "$(uid_validity "$GK" "Gina <gina@example.org>")" f
is "GINA@Corp.example fully valid" "$(uid_validity "$GK" "Gina Work <GINA@Corp.example>")" f
v=$(uid_validity "$GK" "Gina Private <gina@home.net>")
test "$v" != f -a "$v" != u; is "gina@home.net not valid (got '$v')" $? 0
if [ -n "$SQ" ]; then
  is "sam@example.org fully valid" "$(uid_validity "$SK" "Sam <sam@example.org>")" f
  v=$(uid_validity "$SK" "Sam Else <sam@else.net>")
  test "$v" != f -a "$v" != u; is "sam@else.net not valid (got '$v')" $? 0
fi

# user update: gina adds a user ID; the update is merged, no new
# certification is made.
gpg_gen --passphrase '' --quick-add-uid "$GK" "Gina New <gina@new.example>" >/dev/null 2>&1
gpg_gen --armor --export "$GK" > "$T/g2.asc"
check "user update" oca -d "$DB" user update -f "$T/g2.asc"
check "user export -e gina@example.org" oca -d "$DB" user export -e gina@example.org
"$GPG" --with-colons --show-keys "$T/out" 2>/dev/null > "$T/upd"
like "update merged the new user ID" "$T/upd" 'Gina New <gina@new.example>'
cp "$T/out" "$T/in.asc"; check "gpg imports the updated cert" gpg_ --import "$T/in.asc"
sig_lines "$GK" > "$T/g.sigs2"
is "update made no certification" "$(grep -c "|$CAK|" "$T/g.sigs2")" 2
K2=$(gen_gpg_key "$T/k2.asc" "Kim <kim@example.org>")
check_fails "user update of an unknown key fails" oca -d "$DB" user update -f "$T/k2.asc"
one_line "unknown update: one line" "$T/err"

# No duplicate certifications: the exported cert (with the CA sig)
# imported into a second CA database is certified once by that CA, and
# importing the key again after deleting nothing is refused anyway; so
# check the audit table instead.
if [ -n "$SQLITE3" ]; then
  n=$("$SQLITE3" "$DB" "select count(*) from certifications where target_fpr='$GK' and kind='certification'")
  is "audit: two certifications of gina" "$n" 2
fi

# Decentralised tsig: the sq user trust-signs the CA, the admin imports it.
if [ -n "$SQ" ]; then
  oca -d "$DB" ca export > "$T/ca.asc"
  "$SQ" certify --depth 1 --amount 120 -o "$T/ca-tsig.asc" "$T/s.key" "$T/ca.asc" "OpenPGP CA <openpgp-ca@example.org>" 2>"$T/sqerr"
  is "sq trust-signs the CA" $? 0
  check "ca import-tsig" oca -d "$DB" ca import-tsig "$T/ca-tsig.asc"
  check_fails "ca import-tsig again: nothing new" oca -d "$DB" ca import-tsig "$T/ca-tsig.asc"
  check "ca export after import-tsig" oca -d "$DB" ca export
  cp "$T/out" "$T/in.asc"; check "gpg imports it" gpg_ --import "$T/in.asc"
  sig_lines "$CA" > "$T/ca.sigs"
  like "sam's tsig on the CA is good in gpg" "$T/ca.sigs" "^OpenPGP CA <openpgp-ca@example.org>\|!\|$(keyid "$SK")\|10x$"
  check "user list" oca -d "$DB" user list
  awk -v f="$SK" '/^OpenPGP certificate/{p=($3==f)} p' "$T/out" > "$T/sam.list"
  like "user list: sam has trust-signed" "$T/sam.list" '^ Has trust-signed this CA$'
  check_fails "import-tsig of another key is refused" oca -d "$DB" ca import-tsig "$T/k2.asc"
  like "import-tsig wrong key: message" "$T/err" 'unexpected Fingerprint'
fi

tap_done
