#!/bin/sh
# t-migrate-crash.sh - every state a crash can leave in `ca migrate card'
# and in the move of an inline key (schema 1) gives a usable CA, and the
# next run finishes the job without a copy of the key (issue 9)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The states are built with sqlite3 from real databases; the SQLite
# level (a crash at every write of the scrub) is db/t-db-key.c.
. "$srcdir/card-lib.sh"

vcard_plug a --serial 0000D801 || exit 1
card_env a
ID=FFFE:0000D801
sq_ () { "$SQLITE3" "$1" "$2"; }
# nkeyhits FILE: windows of the CA key in FILE.
nkeyhits () { disk_hits "$T/values" "$1"; }

DB=$T/soft.db
check "softkey CA" ocac ca init --domain example.org --algo $ALGO softkey
check "user add" ocac user add -e alice@example.org
ocac ca private > "$T/ca.priv"
secret_values "$T/ca.priv" > "$T/values"
FPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
n=$(nkeyhits "$T/soft.db")
[ "$n" -gt 0 ] && ok "control: the softkey DB holds the key ($n)" \
  || not_ok "control: the softkey DB holds the key ($n)"

# A finished migration of a copy personalises the card.
DB=$T/done.db
cp "$T/soft.db" "$DB"
check "migrate a copy" ocac ca migrate card --yes $SCD
PIN=$(ca_pin)
CFG=$(sq_ "$DB" "SELECT backend FROM cacerts")
is "no key row after a migration" \
  "$(sq_ "$DB" "SELECT count(*) FROM cakeys")" 0

# 1. Died after writing the card, before the switch (pending stage 2).
DB=$T/s1.db
cp "$T/soft.db" "$DB"
sq_ "$DB" "INSERT INTO pending (key, value, created) VALUES ('card-migrate',
  '$ID;$CARD_ROUTE;$PIN;example.org;$FPR;2;', 0)"
check "stage 2: still a softkey CA" ocac ca show
like "softkey" "$T/out" "CA Backend: Softkey"
check "stage 2: re-run completes it" ocac ca migrate card --yes $SCD
like "recovery message" "$T/out" \
  "^Completing the interrupted migration of OpenPGP CA to card $ID\.$"
is "stage 2: no key row" "$(sq_ "$DB" "SELECT count(*) FROM cakeys")" 0
is "stage 2: no key byte in the file" "$(nkeyhits "$DB")" 0
check "stage 2: certify on the card" ocac user add -e bob@example.org

# 2. Died after the switch, before the key row was scrubbed.
DB=$T/s2.db
cp "$T/soft.db" "$DB"
sq_ "$DB" "UPDATE cacerts SET backend = '$CFG'"
check "switched: a card CA" ocac ca show
like "card backend" "$T/out" "CA Backend: OpenPGP card $ID"
is "a read-only command leaves the key row" \
  "$(sq_ "$DB" "SELECT count(*) FROM cakeys")" 1
check "switched: ca migrate finishes the removal" \
  ocac ca migrate card --yes $SCD
like "message" "$T/out" "^Finished removing the CA private key"
is "switched: no key row" "$(sq_ "$DB" "SELECT count(*) FROM cakeys")" 0
is "switched: no key byte in the file" "$(nkeyhits "$DB")" 0
check "switched: certify on the card" ocac user add -e carol@example.org

# 3. Died in the middle of the scrub: the key row partly zeroed.
DB=$T/s3.db
cp "$T/soft.db" "$DB"
sq_ "$DB" "UPDATE cacerts SET backend = '$CFG';
  UPDATE cakeys SET key = zeroblob(40) || substr(key, 41)"
check "half scrubbed: user add works and finishes the removal" \
  ocac user add -e dave@example.org
is "half scrubbed: no key row" "$(sq_ "$DB" "SELECT count(*) FROM cakeys")" 0
is "half scrubbed: no key byte in the file" "$(nkeyhits "$DB")" 0
check "integrity" "$SQLITE3" "$DB" "PRAGMA integrity_check"
like "integrity ok" "$T/out" "^ok$"

# 4. The move of an inline key (schema 1) died after the key row was
#    written: the key in both places.
DB=$T/m1.db
cp "$T/soft.db" "$DB"
sq_ "$DB" "UPDATE cacerts SET priv_cert = CAST(readfile('$T/ca.priv') AS TEXT)"
disk_hits "$T/values" "$DB" >/dev/null
grep -q " b64-" "$T/hits" && ok "control: armored key inline" \
  || not_ok "control: armored key inline"
check "both places: user add finishes the move" \
  ocac user add -e erin@example.org
check "cert text" "$SQLITE3" "$DB" "SELECT priv_cert FROM cacerts"
like "the cert row holds the public cert" "$T/out" "BEGIN PGP PUBLIC KEY BLOCK"
disk_hits "$T/values" "$DB" >/dev/null
if grep -q " b64-" "$T/hits"; then not_ok "both places: no armored copy left"
else ok "both places: no armored copy left"; fi

# 5. ... died after blanking the inline copy: a blank cert text.
DB=$T/m2.db
cp "$T/soft.db" "$DB"
sq_ "$DB" "UPDATE cacerts SET priv_cert = printf('%3000s', '')"
check "blank cert text: read-only ca show still works" ocac ca show
like "same CA" "$T/out" "Fingerprint: $FPR"
check "blank cert text: user add repairs it" ocac user add -e fred@example.org
check "cert text" "$SQLITE3" "$DB" "SELECT priv_cert FROM cacerts"
like "the cert row holds the public cert again" "$T/out" \
  "BEGIN PGP PUBLIC KEY BLOCK"
check "ca private" ocac ca private
cp "$T/out" "$T/m2.priv"
secret_values "$T/m2.priv" > "$T/values2"
if cmp -s "$T/values" "$T/values2"; then ok "the same private key"
else not_ok "the same private key"; fi

tap_done
