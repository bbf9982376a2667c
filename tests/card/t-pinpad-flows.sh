#!/bin/sh
# t-pinpad-flows.sh - the other pin-pad set-ups (issue 11 §5): ca migrate
# card -P, ca init --from-card -P, and a pin-pad CA whose card sits in
# a reader without a pin-pad
# SPDX-License-Identifier: GPL-3.0-or-later
#
# t-pinpad.sh covers ca init -P, certifications, the failures on the
# pad and set-backend -P; here the rest of the flows.
# profile-run: once
. "$srcdir/card-lib.sh"

check "plug a blank card into the pin-pad reader" vcard_plug_pinpad p --serial 0000CA0E
card_env p
ID=FFFE:0000CA0E
MSG="Enter the User PIN on the reader's pin-pad"
count () { _c=$(grep -c -- "$1" "$2" 2>/dev/null); echo "${_c:-0}"; }
pad_verifies () { count '^verify 00 20 00 8' "$PINPAD_DIR/log"; }
dbstate () {
  { ocac user list; ocac user export; ocac ca show; } 2>&1 | sha256sum
}
pins_of () {
  sed -n "s/^The User PIN and the Admin PIN of card $1 are now \([0-9]*\)\.\$/\1/p" "$2"
}

FIRST_DB=$DB
# ca migrate card -P: a softkey CA moves to the card; no PIN is kept.
check "softkey CA" ocac ca init --domain example.org --algo $ALGO softkey
check "  a user" ocac user add -e alice@example.org
check "ca migrate card -P" ocac ca migrate card -P --yes $SCD
cp "$T/out" "$T/migrate.out"
PIN=$(pins_of $ID "$T/migrate.out")
like "  the PINs said once" "$T/migrate.out" \
  "^The User PIN and the Admin PIN of card $ID are now [0-9]{8}\.$"
like "  migrated" "$T/migrate.out" "^Migrated OpenPGP CA instance:$"
like "  backend: the pin-pad" "$T/migrate.out" \
  "CA Backend: OpenPGP card $ID \[User PIN on the reader's pin-pad\]"
check "  the PIN is nowhere in the database file" sh -c "! grep -a -q '$PIN' '$DB'"
is "  the pad was not needed" "$(pad_verifies)" 0
pinpad_keys "$PIN"
check "user add on the migrated CA, PIN on the pad" ocac user add -e bob@example.org
like "  $MSG" "$T/err" "^$MSG\$"
is "  one pad entry" "$(pad_verifies)" 1
ocac ca export > "$T/ca.pub" 2>/dev/null
check "  CA certificate exported" test -s "$T/ca.pub"

# ca init --from-card -P: the card holds the CA; the PIN is checked on
# the pad, not asked.
DB=$T/second.db
pinpad_keys 99999999
check_fails "from-card -P, wrong PIN on the pad" \
  ocac ca init --domain example.org card --from-card --public-key "$T/ca.pub" -P $SCD
like "  rejected" "$T/err" \
  "The User PIN typed on the reader's pin-pad was rejected by OpenPGP card $ID"
check_fails "  no CA was stored" ocac ca show
pinpad_keys cancel
check_fails "from-card -P, cancel on the pad" \
  ocac ca init --domain example.org card --from-card --public-key "$T/ca.pub" -P $SCD
like "  cancelled" "$T/err" "PIN entry on the reader's pin-pad was cancelled"
check_fails "  no CA was stored" ocac ca show
pinpad_keys "$PIN"
check "from-card -P, PIN on the pad" \
  ocac ca init --domain example.org card --from-card --public-key "$T/ca.pub" -P $SCD
like "  backend: the pin-pad" "$T/out" \
  "CA Backend: OpenPGP card $ID \[User PIN on the reader's pin-pad\]"
unlike "  no PINs printed (oca set none)" "$T/out" "are now [0-9]"
check_fails "from-card -P with --pin-file" \
  ocac ca init --domain example.org card --from-card --public-key "$T/ca.pub" -P --pin-file /dev/null
like "  usage" "$T/err" "exclude each other"

# The service (oca --server): nobody is there to type on the pad.
"$GPG" --batch --passphrase '' --quick-gen-key frank@example.org ed25519 cert never >/dev/null 2>&1
"$GPG" --batch --armor --export frank@example.org > "$T/frank.asc"
n0=$(pad_verifies)
check "oca --server: CERTIFY on a pin-pad CA" sh -c \
  "printf '%s\n' '/definqfile KEYBLOCK $T/frank.asc' 'CERTIFY --email frank@example.org' /bye \
   | '$GPG_CONNECT_AGENT' --no-autostart --exec '$OCA' -d '$FIRST_DB' --server"
like "  refused" "$T/out" \
  "^ERR [0-9]+ .*card $ID takes its PIN on a pin-pad: no automated certification"
is "  the pad was not asked" "$(pad_verifies)" "$n0"

# A pin-pad CA on a card in a reader without a pin-pad: oca-scd asks for
# the PIN, which oca refuses with one line.
check "plug a blank card into a plain vpcd reader" vcard_plug v --serial 0000CA0F
card_env v
DB=$T/plain.db
check "ca init card -P on it" \
  ocac ca init --domain example.org --algo $ALGO card FFFE:0000CA0F -P $SCD
before=$(dbstate)
check_fails "user add: no pin-pad" ocac user add -e carol@example.org
one_line "  one error line" "$T/err"
like "  the reader has no pin-pad" "$T/err" \
  "The card server asked oca for the User PIN of OpenPGP card FFFE:0000CA0F instead of taking it on the reader's pin-pad"
is "  database unchanged" "$(dbstate)" "$before"

tap_done
