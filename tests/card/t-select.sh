#!/bin/sh
# t-select.sh - which card init picks: none, two blank, foreign, non-blank
# SPDX-License-Identifier: GPL-3.0-or-later
# Two cards at once: oca-scd only (GnuPG's scdaemon serves one reader).
. "$srcdir/card-lib.sh"

vcard_reserve 2 || exit 1
vcard_plug a --serial 0000CF01 || exit 1
vcard_plug b --serial 0000CF02 || exit 1
card_env a b
A=FFFE:0000CF01 B=FFFE:0000CF02

check_fails "two blank cards" ocac ca init --domain example.org --algo $ALGO card
like "multiple message" "$T/err" \
  "^oca: Multiple blank OpenPGP cards found: ($A $B|$B $A)$"
[ -e "$DB" ] && not_ok "no database left behind" || ok "no database left behind"

# Card b gets another cardholder (keys still empty): never used.
scd_raw "SERIALNO --demand=$(vcard_aid 0000CF02)" \
  "SETATTR DISP-NAME Doe<<John" "D 12345678%00" "END" > "$T/scd.out"
like "cardholder set on b" "$T/scd.out" "^OK$"
check "card list" "$OCA" card list
like "b is in use" "$T/out" "^$B in use \(cardholder 'John Doe'\)$"
check "init ignores the foreign card" \
  ocac ca init --domain example.org --algo $ALGO card
like "picked a" "$T/out" "^Initializing OpenPGP CA on card $A\.$"
check "card list --with-colons" "$OCA" card list --with-colons
# The ident's colon is escaped as every colon in a field.
like "colons: a holds a CA" "$T/out" "^card:FFFE\\\\x3a0000CF01:ca:[0-9A-F]{40}:OpenPGP CA:\$"
like "colons: b is somebody else's" "$T/out" "^card:FFFE\\\\x3a0000CF02:foreign::John Doe:\$"
check "card status --with-colons" "$OCA" card status --with-colons "$B"
like "status colons: the escaped ident" "$T/out" "^card:FFFE\\\\x3a0000CF02:[0-9A-F]{32}:\$"
like "status colons: the holder as stored" "$T/out" "^holder:Doe<<John:\$"
check_fails "init on the foreign card by ident" \
  "$OCA" -d "$T/x.db" ca init --domain example.org --algo $ALGO card "$B"
like "foreign message" "$T/err" "cardholder 'John Doe'"
check_fails "a non-blank and a foreign card: none usable" \
  "$OCA" -d "$T/y.db" ca init --domain example.org --algo $ALGO card
like "no blank message" "$T/err" "^oca: No blank OpenPGP card found$"
check_fails "init on the CA card by ident" \
  "$OCA" -d "$T/z.db" ca init --domain example.org --algo $ALGO card "$A"
like "key material message" "$T/err" \
  "The OpenPGP card contains key material, please reset it before use with OpenPGP CA\."
vcard_unplug a
vcard_unplug b
check_fails "no card at all" \
  "$OCA" -d "$T/w.db" ca init --domain example.org --algo $ALGO card
like "no blank message" "$T/err" "^oca: No blank OpenPGP card found$"
check_fails "set-backend: no matching card" \
  "$OCA" -d "$DB" ca set-backend card --pin-file /dev/null
like "no matching message" "$T/err" "No matching OpenPGP card found"
tap_done
