#!/bin/sh
# t-crash.sh - crash safety of ca init / ca migrate (the pending row)
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

vcard_plug a --serial 0000D101 || exit 1
card_env a
ID=FFFE:0000D101
sq_ () { "$SQLITE3" "$1" "$2"; }

# A finished init on card a in db1 gives us a personalised card, its PIN
# and the CA certificate.
DB=$T/db1
check "init (db1)" ocac ca init --domain example.org --algo $ALGO card $SCD
PIN=$(ca_pin)
FPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
ocac ca export > "$T/ca.asc"

# The process died after personalising the card and before storing the
# CA: a database with only the pending row of stage 2.
DB=$T/db2
cp "$T/db1" "$DB"
sq_ "$DB" "DELETE FROM cacerts; DELETE FROM cas;"
sq_ "$DB" "INSERT INTO pending (key, value, created) VALUES ('card-init',
  '$ID;$CARD_ROUTE;$PIN;example.org;$FPR;2;$(cat "$T/ca.asc")', 0)"
check "re-run completes the interrupted init" \
  ocac ca init --domain example.org --algo $ALGO card $SCD
like "recovery message" "$T/out" \
  "^Completing the interrupted initialization of OpenPGP CA on card $ID\.$"
like "CA stored" "$T/out" "^  Fingerprint: $FPR$"
is "pending row gone" "$(sq_ "$DB" "SELECT count(*) FROM pending")" 0
check "the recovered CA certifies" ocac user add -e alice@example.org

# Died in the middle of writing the card (stage 1) and the card holds
# keys: a clear next step, nothing stored.
DB=$T/db3
cp "$T/db2" "$DB"
sq_ "$DB" "DELETE FROM certs_emails; DELETE FROM certifications;
  DELETE FROM revocations; DELETE FROM certs; DELETE FROM users;
  DELETE FROM cacerts; DELETE FROM cas;"
sq_ "$DB" "INSERT INTO pending (key, value, created) VALUES ('card-init',
  '$ID;$CARD_ROUTE;$PIN;example.org;$FPR;1;', 0)"
check_fails "half-written card: clear next step" \
  ocac ca init --domain example.org --algo $ALGO card $SCD
like "next step" "$T/err" "partly written by an interrupted 'ca init'; factory-reset it"
is "no CA stored" "$(sq_ "$DB" "SELECT count(*) FROM cas")" 0
is "pending row kept" "$(sq_ "$DB" "SELECT count(*) FROM pending")" 1

# The card of a pending row is missing.
vcard_unplug a
check_fails "card of the pending row missing" \
  ocac ca init --domain example.org --algo $ALGO card $SCD
like "insert that card" "$T/err" "insert that card and run the command again"

# Died before writing anything: the (blank) card is used afresh.
vcard_plug b --serial 0000D102 || exit 1
card_env b
DB=$T/db4
cp "$T/db3" "$DB"
sq_ "$DB" "UPDATE pending SET value='FFFE:0000D102;$CARD_ROUTE;12345670;example.org;;1;'"
check "blank card of the pending row: start afresh" \
  ocac ca init --domain example.org --algo $ALGO card $SCD
like "normal init" "$T/out" "^Initializing OpenPGP CA on card FFFE:0000D102\.$"
is "pending row gone" "$(sq_ "$DB" "SELECT count(*) FROM pending")" 0
tap_done
