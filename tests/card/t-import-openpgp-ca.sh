#!/bin/sh
# t-import-openpgp-ca.sh - an openpgp-ca card CA (backend string
# card;IDENT;PIN, database built with sqlite3 from the documented
# schema) imported by `oca ca import-openpgp-ca' certifies on the
# virtual card it names, and gpg accepts the certification; a stored
# PIN or ident that does not match the card is a one-line error and
# stores nothing
# SPDX-License-Identifier: GPL-3.0-or-later
# profile-run: once
. "$srcdir/card-lib.sh"
[ -n "$SQLITE3" ] || skip_all "sqlite3 not found"

vcard_plug a --serial 0000CB01 || exit 1
card_env a
ID=FFFE:0000CB01
SCHEMA=$srcdir/../cli/openpgp-ca-schema.sql
q () { printf "'%s'" "$(sed "s/'/''/g" "$1")"; }

# The card holds a CA key as openpgp-ca's `ca init card --import' leaves
# it (oca personalises it here; its own database is not used again).
check "a CA key" "$OCA" -d "$T/soft.db" ca init --domain example.org \
  --algo "$ALGO" softkey
"$OCA" -d "$T/soft.db" ca private > "$T/ca.priv"
"$OCA" -d "$T/soft.db" ca export > "$T/ca.pub"
FPR=$("$OCA" -d "$T/soft.db" ca show | sed -n 's/^  Fingerprint: //p')
check "the key onto card a" "$OCA" -d "$T/prov.db" ca init \
  --domain example.org card $ID --import "$T/ca.priv" "$SCD"
PIN=$("$OCA" -d "$T/prov.db" ca show | sed -n 's/.*\[User PIN \([0-9]*\)\].*/\1/p')
is "the card's PIN" "$(printf %s "$PIN" | wc -c | tr -d ' ')" 8

mkdir -m 700 "$T/gen"
gen_key () {
  "$GPG" --homedir "$T/gen" --batch --passphrase '' --quick-gen-key "$1" \
    ed25519 default never >/dev/null 2>&1
  "$GPG" --homedir "$T/gen" --batch --armor --export "$1" > "$2"
  "$GPG" --homedir "$T/gen" --batch --with-colons --list-keys "$1" 2>/dev/null |
    awk -F: '$1=="fpr"{print $10; exit}'
}
AFPR=$(gen_key "Alice <alice@example.org>" "$T/alice.asc")
BFPR=$(gen_key "Bob <bob@example.org>" "$T/bob.asc")
CFPR=$(gen_key "Carol <carol@example.org>" "$T/carol.asc")
at_exit "'$GPGCONF' --homedir '$T/gen' --kill all"

# make_src FILE BACKEND: the openpgp-ca database of the card CA.
make_src () {
  rm -f "$1"
  { cat "$SCHEMA"
    cat <<SQL
INSERT INTO cas VALUES (1, 'example.org');
INSERT INTO cacerts (id, fingerprint, priv_cert, ca_id, backend, active)
  VALUES (1, '$FPR', $(q "$T/ca.pub"), 1, '$2', 1);
INSERT INTO users VALUES (1, 'Alice', 1);
INSERT INTO certs (id, fingerprint, pub_cert, user_id)
  VALUES (1, '$AFPR', $(q "$T/alice.asc"), 1);
INSERT INTO certs_emails VALUES (1, 'alice@example.org', 1);
SQL
  } | "$SQLITE3" -batch "$1"
}

make_src "$T/src.sqlite" "card;$ID;$PIN"
sum0=$(sha256sum < "$T/src.sqlite")
check "import the card CA" "$OCA" -d "$DB" ca import-openpgp-ca "$T/src.sqlite"
like "card backend" "$T/out" "^CA example\.org, key $FPR, backend card$"
like "users: 1" "$T/out" "^users: 1$"
is "source untouched" "$(sha256sum < "$T/src.sqlite")" "$sum0"
check "ca show" ocac ca show
like "the card and its PIN" "$T/out" "CA Backend: OpenPGP card $ID \[User PIN $PIN\]"

# The imported CA signs on the card.
check "certify bob on the card" ocac user import -e bob@example.org -f "$T/bob.asc"
gpg_sigs "$T/gpg" "$BFPR"
CAKEYID=$(printf %s "$FPR" | cut -c25-40)
like "gpg: bob's User ID certified by the CA, good" "$T/sigs" \
  "^sig!.* $CAKEYID .*OpenPGP CA <openpgp-ca@example\.org>"
check "ca export" ocac ca export
GNUPGHOME=$T/gpg "$GPG" --batch --import "$T/out" >/dev/null 2>&1
echo "$FPR:6:" | GNUPGHOME=$T/gpg "$GPG" --batch --import-ownertrust 2>/dev/null
is "gpg: bob valid through the imported card CA" \
  "$(GNUPGHOME=$T/gpg "$GPG" --batch --with-colons --list-keys "$BFPR" 2>/dev/null |
     awk -F: '$1=="uid"{print $2; exit}')" f

# A PIN that is not the card's: the import takes it, signing refuses.
make_src "$T/badpin.sqlite" "card;$ID;11223344"
check "import with another PIN" "$OCA" -d "$T/badpin.db" ca import-openpgp-ca "$T/badpin.sqlite"
sum1=$(sha256sum < "$T/badpin.db")
check_fails "certify with the wrong PIN" \
  "$OCA" -d "$T/badpin.db" user import -e carol@example.org -f "$T/carol.asc"
one_line "one line" "$T/err"
like "PIN message" "$T/err" "PIN.*rejected|[Bb]ad PIN"
is "nothing stored" "$(sha256sum < "$T/badpin.db")" "$sum1"

# An ident of no card present.
make_src "$T/noid.sqlite" "card;FFFE:0000CB09;$PIN"
check "import naming another card" "$OCA" -d "$T/noid.db" ca import-openpgp-ca "$T/noid.sqlite"
check_fails "certify without that card" \
  "$OCA" -d "$T/noid.db" user import -e carol@example.org -f "$T/carol.asc"
one_line "one line" "$T/err"
like "card not found" "$T/err" "FFFE:0000CB09"

# The right PIN still works after one wrong try.
check "certify carol on the card" ocac user import -e carol@example.org -f "$T/carol.asc"
check "user list" ocac user list
like "carol stored" "$T/out" "$CFPR"

tap_done
