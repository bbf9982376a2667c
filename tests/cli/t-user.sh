#!/bin/sh
# t-user.sh - user add (generated keys, passphrase, tsig, revocation),
# user list, user export
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
CA=$(ca_fpr "$DB")

check "user add" oca -d "$DB" user add --email Alice@Example.org -e alice@other.org --name "Alice Adams"
cp "$T/out" "$T/alice.sec"; cp "$T/err" "$T/alice.err"
like "user add: private key on stdout" "$T/alice.sec" '^-----BEGIN PGP PRIVATE KEY BLOCK-----$'
like "user add: created message" "$T/alice.err" "^Created new user key for Alice Adams\.$"
like "user add: password message" "$T/alice.err" "^Password for this key: '[a-z]+( [a-z]+){4}'\.$"
PASS=$(sed -n "s/^Password for this key: '\(.*\)'\.$/\1/p" "$T/alice.err")
is "passphrase has five words of 8 letters" "$(echo "$PASS" | awk '{n=0; for(i=1;i<=NF;i++) if (length($i)==8) n++; print NF "/" n}')" "5/5"

check "user add --minimal" oca -d "$DB" user add -e bob@example.org -m
head -n 1 "$T/out" > "$T/bob.pass"
tail -n +2 "$T/out" > "$T/bob.sec"
like "--minimal: passphrase first" "$T/bob.pass" '^[a-z]+( [a-z]+){4}$'
like "--minimal: then the key" "$T/bob.sec" '^-----BEGIN PGP PRIVATE KEY BLOCK-----$'
test ! -s "$T/err"; is "--minimal: nothing on stderr" $? 0

# The private key is protected: gpg can use it only with the passphrase.
check "gpg imports the generated private key" gpg_ --import "$T/alice.sec"
ALICE=$(gpg_ --with-colons --list-secret-keys alice@other.org | awk -F: '$1=="fpr"{print $10; exit}')
test -n "$ALICE"; is "alice's secret key is in gpg" $? 0
echo "data" > "$T/msg"
check_fails "signing with a wrong passphrase fails" gpg_ --passphrase "wrong words here" -u "$ALICE" --detach-sign -o "$T/bad.sig" "$T/msg"
check "signing with the printed passphrase works" gpg_ --passphrase "$PASS" -u "$ALICE" --detach-sign -o "$T/msg.sig" "$T/msg"
check "the signature verifies" gpg_ --verify "$T/msg.sig" "$T/msg"

check "ca export" oca -d "$DB" ca export
cp "$T/out" "$T/ca.asc"
check "gpg imports the CA (with tsigs)" gpg_ --import "$T/ca.asc"
check "user export" oca -d "$DB" user export
cp "$T/out" "$T/all.asc"
is "user export is one armor block" "$(grep -c 'BEGIN PGP PUBLIC KEY BLOCK' "$T/all.asc")" 1
check "gpg imports the export" gpg_ --import "$T/all.asc"

sig_lines "$ALICE" > "$T/sigs"
like "CA certified <alice@example.org>" "$T/sigs" "^Alice Adams <alice@example.org>\|!\|$(keyid "$CA")\|10x$"
like "CA certified <alice@other.org>" "$T/sigs" "^Alice Adams <alice@other.org>\|!\|$(keyid "$CA")\|10x$"
is "exactly two CA certifications" "$(grep -c "|$(keyid "$CA")|" "$T/sigs")" 2
sig_lines "$CA" > "$T/casigs"
like "alice's tsig on the CA is good" "$T/casigs" "^OpenPGP CA <openpgp-ca@example.org>\|!\|$(keyid "$ALICE")\|10x$"
gpg_ --list-sigs --list-options show-sig-subpackets=5 "$CA" > "$T/tsig" 2>&1 || true
gpg_ --with-colons --list-sigs "$CA" > "$T/casigs2"
awk -F: -v k="$(keyid "$ALICE")" '$1=="sig" && $5==k {print}' "$T/casigs2" > "$T/t1"
like "tsig: trust level 255 amount 120 (gpg colons field 'trust')" "$T/t1" ':255 120:|:255 120$|255 120'

# Ownertrust for the CA: certified user IDs become fully valid.
echo "$CA:6:" | gpg_ --import-ownertrust
gpg_ --check-trustdb >/dev/null 2>&1
is "alice@example.org fully valid" "$(uid_validity "$ALICE" "Alice Adams <alice@example.org>")" f

check "user list" oca -d "$DB" user list
cp "$T/out" "$T/list"
like "list: alice cert" "$T/list" "^OpenPGP certificate $ALICE$"
like "list: name" "$T/list" "^ User 'Alice Adams'$"
like "list: certified header" "$T/list" '^ Identities certified by this CA:$'
like "list: uid" "$T/list" "^ - 'Alice Adams <alice@example.org>'$"
like "list: tsigned" "$T/list" '^ Has trust-signed this CA$'
like "list: no expiration" "$T/list" '^ No expiration is set$'
like "list: revocation stored" "$T/list" '^ 1 revocations available$'
is "list: two certificates" "$(grep -c '^OpenPGP certificate' "$T/list")" 2

check "user export -e" oca -d "$DB" user export -e ALICE@example.org
"$GPG" --with-colons --show-keys "$T/out" 2>/dev/null | awk -F: '$1=="fpr"{print $10}' > "$T/fprs"
is "user export -e: only alice" "$(head -n1 "$T/fprs")/$(wc -l < "$T/fprs")" "$ALICE/3"
check_fails "user export -e unknown" oca -d "$DB" user export -e nobody@example.org
one_line "user export -e unknown: one line" "$T/err"

# The stored revocation: revocations table, id = SHA-256 prefix.
if [ -n "$SQLITE3" ]; then
  "$SQLITE3" "$DB" "select hash from revocations" > "$T/hashes"
  is "two revocations stored" "$(wc -l < "$T/hashes")" 2
  like "revocation id is 16 uppercase hex" "$T/hashes" '^[0-9A-F]{16}$'
  "$SQLITE3" "$DB" "select kind, count(*) from certifications group by kind order by kind" > "$T/audit"
  like "audit: 3 certifications recorded" "$T/audit" '^certification\|3$'
  like "audit: 2 tsigs recorded" "$T/audit" '^tsig\|2$'
fi

tap_done
