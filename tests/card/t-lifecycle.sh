#!/bin/sh
# t-lifecycle.sh - a card CA: a cipher suite the card lacks is refused
# before the card or the database is touched; ca revocations, user
# revocations and ca re-certify with the key on the card, honoured by gpg
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

[ -n "$SQLITE3" ] || skip_all "sqlite3 not found"
vcard_plug a --serial 0000CB01 || exit 1
card_env a
ID=FFFE:0000CB01

# gpg_validity HOME FPR: the validity letter of FPR in GnuPG home HOME.
gpg_validity () {
  GNUPGHOME=$1 "$GPG" --batch --with-colons --list-keys "$2" 2>/dev/null |
    awk -F: '$1=="pub"{print $2; exit}'
}
# no_card_write WHAT: no write APDU (PUT DATA, key import, key
# generation -- 47 80; 47 81 reads a public key --, PIN change or reset,
# terminate, activate) reached card a since mark_apdus.
mark_apdus () { _mark=$(vcard_apdu_count a); }
no_card_write () {
  tail -n +$((_mark + 1)) "$T/vcard-a.apdus" | grep -Eq '^.. (DA|DB|24|2C|E6|44) |^.. 47 80 ' \
    && not_ok "$1: no write APDU reached the card" \
    || ok "$1: no write APDU reached the card"
}

## A suite the card lacks (no profile has NIST P-521): refused before
## anything is written, with one line; no database, card blank.
mark_apdus
cp "$T/vcard-a.state" "$T/state.before"
check_fails "ca init --cipher-suite p521 card: refused" \
  ocac ca init --domain example.org --cipher-suite p521 card $SCD
one_line "  one-line error" "$T/err"
like "  names the card and the suite" "$T/err" "OpenPGP card $ID does not support nistp521 keys"
test ! -e "$DB"; is "  no database" $? 0
no_card_write "p521 init"
check "  the card's state is unchanged" cmp "$T/vcard-a.state" "$T/state.before"

# The same for a softkey CA of that suite moved to the card.
SOFT=$T/soft.db
check "softkey CA with P-521" "$OCA" -d "$SOFT" ca init --domain example.org --cipher-suite p521 softkey
cp "$SOFT" "$T/soft.before"
mark_apdus
check_fails "ca migrate card of a P-521 CA: refused" \
  "$OCA" -d "$SOFT" ca migrate card --yes $SCD
one_line "  one-line error" "$T/err"
like "  names the suite" "$T/err" "does not support nistp521 keys"
check "  database byte-identical" cmp "$SOFT" "$T/soft.before"
no_card_write "p521 migrate"
check "  still the softkey" "$OCA" -d "$SOFT" ca private

## The card CA: the default suite (Cv25519) where the card has Ed25519.
if [ "$ALGO" = ed25519 ]; then
  check "ca init card (default suite)" ocac ca init --domain example.org card $SCD
  card_colons > "$T/cs"
  like "  Ed25519 in the AUT slot" "$T/cs" "^keyattr:3:22:(ed25519|Ed25519)"
else
  mark_apdus
  check_fails "ca init card (default suite) on a card without Ed25519: refused" \
    ocac ca init --domain example.org card $SCD
  one_line "  one-line error" "$T/err"
  like "  names the suite" "$T/err" "does not support ed25519 keys"
  test ! -e "$DB"; is "  no database" $? 0
  no_card_write "default suite"
  check "ca init --cipher-suite $ALGO card" ocac ca init --domain example.org --cipher-suite "$ALGO" card $SCD
fi
CA=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
check "user add alice" ocac user add -e alice@example.org -n Alice
ALICE=$(ocac user list | awk '/^OpenPGP certificate/{print $3; exit}')
GENH=$T/genhome; mkdir -m 700 "$GENH"
at_exit "GNUPGHOME='$GENH' '$GPGCONF' --kill all"
GNUPGHOME=$GENH "$GPG" --batch --passphrase '' --quick-gen-key "Bob <bob@example.org>" ed25519 default never >/dev/null 2>&1
BOB=$(GNUPGHOME=$GENH "$GPG" --with-colons -k bob@example.org | awk -F: '$1=="fpr"{print $10; exit}')
GNUPGHOME=$GENH "$GPG" --batch --armor --export "$BOB" > "$T/bob.asc"
sed 's/^:-----/-----/' "$GENH/openpgp-revocs.d/$BOB.rev" > "$T/bob.rev"
check "user import bob" ocac user import -e bob@example.org -f "$T/bob.asc"

# The CA's revocation set, made on the card.
check "ca revocations -o FILE (on the card)" ocac ca revocations -o "$T/revset.txt"
is "  reference message" "$(cat "$T/out")" "Wrote a set of revocations to the output file"
is "  the CA certificate and 242 revocations" "$(grep -c '^-----BEGIN PGP PUBLIC KEY BLOCK-----$' "$T/revset.txt")" 243
block () {
  awk -v n="$1" '/^-----BEGIN PGP/{i++} i==n{print} i==n && /^-----END PGP/{exit}' "$2"
}
block 1 "$T/revset.txt" > "$T/cacert.asc"
block 2 "$T/revset.txt" > "$T/hard.asc"
mkdir -m 700 "$T/gr"
GNUPGHOME=$T/gr "$GPG" --batch --import "$T/cacert.asc" 2>/dev/null
check "  gpg imports the hard revocation" env GNUPGHOME="$T/gr" "$GPG" --batch --import "$T/hard.asc"
is "  gpg: the CA is revoked" "$(gpg_validity "$T/gr" "$CA")" r
GNUPGHOME=$T/gr "$GPGCONF" --kill all

# A user revocation, stored and applied: gpg sees bob revoked.
cp "$DB" "$T/before.db"
check_fails "add-revocation of the CA's own revocation: refused" ocac user add-revocation "$T/hard.asc"
one_line "  one-line error" "$T/err"
check "  database byte-identical" cmp "$DB" "$T/before.db"
check "user add-revocation (gpg's revocation of bob)" ocac user add-revocation "$T/bob.rev"
check "show-revocations" ocac user show-revocations -e bob@example.org
BID=$(sed -n 's/^ - revocation id \([0-9A-F]*\):.*/\1/p' "$T/out")
check "apply-revocation" ocac user apply-revocation "$BID"
mkdir -m 700 "$T/gu"
ocac user export > "$T/all.asc"
GNUPGHOME=$T/gu "$GPG" --batch --import "$T/all.asc" 2>/dev/null
echo "$CA:6:" | GNUPGHOME=$T/gu "$GPG" --batch --import-ownertrust 2>/dev/null
GNUPGHOME=$T/gu "$GPG" --batch --check-trustdb >/dev/null 2>&1
is "gpg: bob revoked" "$(gpg_validity "$T/gu" "$BOB")" r
is "gpg: alice fully valid (certified on the card)" "$(gpg_validity "$T/gu" "$ALICE")" f
GNUPGHOME=$T/gu "$GPGCONF" --kill all

# Re-certification on the card: carol was certified by the P-521
# softkey CA (an old key of the same domain); her row moves here.
GNUPGHOME=$GENH "$GPG" --batch --passphrase '' --quick-gen-key "Carol <carol@example.org>" ed25519 default never >/dev/null 2>&1
CAROL=$(GNUPGHOME=$GENH "$GPG" --with-colons -k carol@example.org | awk -F: '$1=="fpr"{print $10; exit}')
GNUPGHOME=$GENH "$GPG" --batch --armor --export "$CAROL" > "$T/carol.asc"
check "the old CA certifies carol" "$OCA" -d "$SOFT" user import -e carol@example.org -f "$T/carol.asc"
"$OCA" -d "$SOFT" ca export > "$T/old-ca.asc"
"$SQLITE3" "$DB" "attach '$SOFT' as o;
  insert into users (name, ca_id) select name, 1 from o.users;
  insert into certs (fingerprint, pub_cert, user_id) select c.fingerprint, c.pub_cert, (select max(id) from users) from o.certs c;
  insert into certs_emails (addr, cert_id) select 'carol@example.org', (select max(id) from certs);"
cp "$DB" "$T/before.db"
check_fails "re-certify with a user key as the old key: refused" ocac ca re-certify -p "$T/bob.asc"
one_line "  one-line error" "$T/err"
check "  database byte-identical" cmp "$DB" "$T/before.db"
check "ca re-certify -p OLD (on the card)" ocac ca re-certify -p "$T/old-ca.asc"
is "  one User ID" "$(cat "$T/out")" "Re-certified 1 User ID on 1 certificate."
mkdir -m 700 "$T/gc"
ocac user export > "$T/all2.asc"
GNUPGHOME=$T/gc "$GPG" --batch --import "$T/all2.asc" 2>/dev/null
echo "$CA:6:" | GNUPGHOME=$T/gc "$GPG" --batch --import-ownertrust 2>/dev/null
GNUPGHOME=$T/gc "$GPG" --batch --check-trustdb >/dev/null 2>&1
is "gpg: carol fully valid under the card CA" "$(gpg_validity "$T/gc" "$CAROL")" f
GNUPGHOME=$T/gc "$GPGCONF" --kill all

check "user check certifications" ocac user check certifications
like "  summary" "$T/out" "^Checked 3 user keys, 1 of them have mutual certifications\.$"

tap_done
