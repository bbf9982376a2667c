#!/bin/sh
# t-pin.sh - wrong stored PIN, PIN prompts, set-backend with the PIN
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

vcard_plug a --serial 0000CD01 || exit 1
card_env a
ID=FFFE:0000CD01

check "ca init" ocac ca init --domain example.org --algo $ALGO card $SCD
PIN=$(ca_pin)
cfg=$("$SQLITE3" "$DB" "SELECT backend FROM cacerts")
case $CARD_ROUTE in gpg-agent) suffix=";gpg-agent" ;; *) suffix="" ;; esac
is "backend config stored" "$cfg" "card;$ID;$PIN$suffix"

# Power-cycle the card before each wrong PIN: a card keeps a verified
# PIN until reset, and GnuPG's scdaemon then does not ask again.
fresh () { agent_flush; vcard_restart a; }
"$SQLITE3" "$DB" "UPDATE cacerts SET backend='card;$ID;99999999$suffix'"
fresh
check_fails "user add with a wrong stored PIN" ocac user add -e alice@example.org
like "clear message" "$T/err" "User PIN for OpenPGP card $ID was rejected"
one_line "one-line error" "$T/err"
card_colons > "$T/cs"
like "only one try used" "$T/cs" "^pinretry:2:0:3:"

check_fails "set-backend without terminal or --pin-file" \
  setsid -w "$OCA" -d "$DB" ca set-backend card $SCD
like "asks for a terminal" "$T/err" "no terminal to ask for the User PIN"
echo 11111111 > "$T/bad.pin"
fresh
check_fails "set-backend with a wrong PIN" \
  ocac ca set-backend card --pin-file "$T/bad.pin" $SCD
like "rejected" "$T/err" "rejected"
echo "$PIN" > "$T/pin"
check "set-backend with the right PIN" \
  ocac ca set-backend card --pin-file "$T/pin" $SCD
like "changed" "$T/out" "^CA backend configuration is changed\.$"
card_colons > "$T/cs"
like "retry counter reset" "$T/cs" "^pinretry:3:0:3:"
check "user add works again" ocac user add -e alice@example.org
check "show" ocac ca show
like "backend line" "$T/out" "^   CA Backend: OpenPGP card $ID \[User PIN $PIN\]"

# A card with one try left is never tried with a stored PIN.
"$SQLITE3" "$DB" "UPDATE cacerts SET backend='card;$ID;99999999$suffix'"
fresh
ocac user add -e b1@example.org >/dev/null 2>&1
"$SQLITE3" "$DB" "UPDATE cacerts SET backend='card;$ID;99999998$suffix'"
fresh
ocac user add -e b2@example.org >/dev/null 2>&1
card_colons > "$T/cs"
like "two wrong PINs used two tries" "$T/cs" "^pinretry:1:0:3:"
"$SQLITE3" "$DB" "UPDATE cacerts SET backend='card;$ID;99999997$suffix'"
fresh
check_fails "refuses with one try left" ocac user add -e b3@example.org
like "one try message" "$T/err" "1 User PIN try left"
card_colons > "$T/cs"
like "card not blocked" "$T/cs" "^pinretry:1:0:3:"
check "right PIN via set-backend resets" \
  ocac ca set-backend card --pin-file "$T/pin" $SCD
tap_done
