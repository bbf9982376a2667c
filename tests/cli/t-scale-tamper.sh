#!/bin/sh
# t-scale-tamper.sh - a certification changed in the database file is
#                     never shown as valid, whatever oca kept about it
# SPDX-License-Identifier: GPL-3.0-or-later
#
# oca keeps with each stored certificate what verifying its signatures
# found (table certs_verified, src/ca/ca-verified.c), so that user
# list, user check and the exports do not verify them again.  Here one
# byte of the CA's certification of a stored key is flipped with
# sqlite3 on the file - first alone (the record no longer matches the
# text), then with the record's hash of the text rewritten to match
# (each signature's own hash in the record still does not) - and every
# command that walks the users must treat that User ID as uncertified:
# user list (both formats), user check certifications, wkd export and
# keylist export leave it out; user export hands out the bytes as
# stored, which gpg finds bad.
. "$srcdir/cli-lib.sh"

TOOL=${PGPTOOL:-$abs_top_builddir/src/pgp/t-pgp-tool}
[ -x "$TOOL" ] || { not_ok "t-pgp-tool built ($TOOL)"; tap_done; exit 1; }
[ -n "$SQLITE3" ] || skip_all "sqlite3 not found"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
CA=$(ca_fpr "$DB")
check "user add alice" oca -d "$DB" user add -e alice@example.org -n Alice
BOB=$(gen_gpg_key "$T/bob.asc" "Bob <bob@example.org>")
check "import bob" oca -d "$DB" user import -e bob@example.org -f "$T/bob.asc"
is "records kept for both" \
  "$("$SQLITE3" "$DB" "SELECT count(*) FROM certs_verified")" 2

# What every check below looks at; $1 is a label, $2 "yes" if bob's
# certification is expected valid.
walk () {
  _l=$1 _want=$2
  oca -d "$DB" user list > "$T/list" 2>&1
  awk -v f="$BOB" '/^OpenPGP certificate/{p=($3==f)} p' "$T/list" > "$T/bob.list"
  oca -d "$DB" user list --with-colons > "$T/colons" 2>&1
  awk -F: -v f="$BOB" '$1=="crt"{p=($2==f)} p' "$T/colons" > "$T/bob.colons"
  oca -d "$DB" user check certifications > "$T/check" 2>&1
  awk -v f="$BOB" '/^No mutual/{p=($5==f)} p' "$T/check" > "$T/bob.check"
  rm -rf "$T/www" "$T/kl"; mkdir "$T/kl"
  oca -d "$DB" wkd export "$T/www" > /dev/null 2>&1
  oca -d "$DB" keylist export -p "$T/kl" -s https://example.org/kl.asc \
    > /dev/null 2>&1
  oca -d "$DB" user export > "$T/export.asc" 2>/dev/null
  nwkd=$(find "$T/www/.well-known/openpgpkey/example.org/hu" -type f | wc -l)
  if [ "$_want" = yes ]; then
    like "$_l: user list: bob certified" "$T/bob.list" "^ - 'Bob <bob@example.org>'$"
    like "$_l: colons: bob's uid record" "$T/bob.colons" "^uid:Bob <bob@example.org>:$"
    like "$_l: user check: bob has the CA's certification" "$T/bob.check" \
      "^  Has not tsigned CA key\.$"
    unlike "$_l: user check: not 'no CA certification'" "$T/bob.check" \
      "No CA certification"
    is "$_l: wkd: CA, alice and bob" "$nwkd" 3
    like "$_l: keylist: bob" "$T/kl/keylist.json" "$BOB"
  else
    unlike "$_l: user list: bob not certified" "$T/bob.list" "Bob <bob@example.org>"
    like "$_l: user list: bob still listed" "$T/bob.list" "^OpenPGP certificate $BOB$"
    unlike "$_l: colons: no uid record for bob" "$T/bob.colons" "^uid:"
    like "$_l: colons: bob's crt record" "$T/bob.colons" "^crt:$BOB:"
    like "$_l: user check: no CA certification" "$T/bob.check" \
      "^  No CA certification on any User ID$"
    is "$_l: wkd: CA and alice only" "$nwkd" 2
    unlike "$_l: keylist: no bob" "$T/kl/keylist.json" "$BOB"
  fi
  like "$_l: user list: alice certified" "$T/list" "^ - 'Alice <alice@example.org>'$"
  like "$_l: keylist: alice" "$T/kl/keylist.json" "\"email\""
  # user export hands out what is stored; gpg judges it.
  rm -rf "$T/g"; mkdir -m 700 "$T/g"
  GNUPGHOME="$T/g" gpg_ --import "$T/export.asc" 2>/dev/null
  GNUPGHOME="$T/g" gpg_ --with-colons --check-sigs "$BOB" 2>/dev/null \
    | awk -F: -v k="$(keyid "$CA")" '$1=="sig" && $5==k {print $2}' > "$T/gpgsig"
  if [ "$_want" = yes ]; then
    is "$_l: user export: gpg finds the CA's certification good" "$(cat "$T/gpgsig")" "!"
  else
    is "$_l: user export: gpg finds it bad" "$(cat "$T/gpgsig")" "-"
  fi
  GNUPGHOME="$T/g" "$GPGCONF" --kill all 2>/dev/null
}

walk "intact" yes

# One byte of the CA's certification flipped in the file.
"$SQLITE3" "$DB" "SELECT pub_cert FROM certs WHERE fingerprint = '$BOB'" \
  > "$T/stored.asc"
check "flip the last byte of the CA's certification" \
  "$TOOL" flip-sig "$T/stored.asc" "$CA" "$T/tampered.asc"
cp "$DB" "$T/intact.db"
check "write it into the database file" "$SQLITE3" "$DB" \
  "UPDATE certs SET pub_cert = CAST(readfile('$T/tampered.asc') AS TEXT) WHERE fingerprint = '$BOB'"
walk "flipped" no

# The same, with the record's hash of the text made to match it: the
# record's hash of each signature still does not.
H=$(sha256sum "$T/tampered.asc" | cut -c1-64 | tr a-f A-F)
check "rewrite the record's hash of the text" "$SQLITE3" "$DB" \
  "UPDATE certs_verified SET record = 'v1 $H' || substr(record, 68) WHERE cert_id = (SELECT id FROM certs WHERE fingerprint = '$BOB')"
"$SQLITE3" "$DB" "SELECT record FROM certs_verified WHERE cert_id = (SELECT id FROM certs WHERE fingerprint = '$BOB')" > "$T/rec"
like "the record names the new text" "$T/rec" "^v1 $H [0-9A-F]{64} "
walk "flipped, record rewritten" no

# Back to the intact file: valid again (and no command above wrote).
cp "$T/intact.db" "$DB"
walk "restored" yes

tap_done
