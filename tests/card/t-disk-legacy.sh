#!/bin/sh
# t-disk-legacy.sh - a database of schema version 1 (key inline in
# cacerts.priv_cert) moves its key to its own table without copying it,
# and `ca migrate card' then leaves no byte of it (issue 9)
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/disk-lib.sh"

vcard_plug a --serial 0000D701 || exit 1
card_env a
ID=FFFE:0000D701

# The old file, made outside the image, then copied in (as an admin
# would bring it).
"$OCA" -d "$T/new.db" ca init --domain example.org --algo rsa2048 softkey \
  >/dev/null 2>&1
"$OCA" -d "$T/new.db" ca private > "$T/ca.priv"
FPR=$("$OCA" -d "$T/new.db" ca show | sed -n 's/^  Fingerprint: //p')
check "schema 1 file with the key inline" \
  legacy_db "$T/new.db" "$T/old.db" "$T/ca.priv"
is "schema version 1" "$("$SQLITE3" "$T/old.db" "PRAGMA user_version")" 1
secret_values "$T/ca.priv" > "$T/values"
n=$(disk_hits "$T/values" "$T/old.db")
[ "$n" -gt 0 ] && ok "control: the old file holds the armored key ($n)" \
  || not_ok "control: the old file holds the armored key ($n)"
grep -q " b64-" "$T/hits" && ok "control: found as base64" \
  || not_ok "control: found as base64"

disk_mount || { echo "Bail out! cannot mount the image"; exit 1; }
cp "$T/old.db" "$DB" && chmod 600 "$DB"
sync

check "user add (first write: schema upgrade, key moved)" \
  ocad user add -e alice@example.org
is "schema version 7 (the current one)" \
  "$("$SQLITE3" "$DB" "PRAGMA user_version")" 7
is "key row" "$("$SQLITE3" "$DB" "SELECT count(*) FROM cakeys")" 1
check "cert text" "$SQLITE3" "$DB" "SELECT priv_cert FROM cacerts"
like "the cert row holds the public cert" "$T/out" "BEGIN PGP PUBLIC KEY BLOCK"
check "ca private" ocad ca private
cp "$T/out" "$T/ca2.priv"
secret_values "$T/ca2.priv" > "$T/values2"
if cmp -s "$T/values" "$T/values2"; then ok "the same private key"
else not_ok "the same private key"; fi
i=1
while [ $i -le 10 ]; do
  ocad user add -e "u$i@example.org" >/dev/null 2>&1 || diag "user add $i failed"
  i=$((i + 1))
done
check "user list" ocad user list
n=$(grep -c "Has trust-signed this CA" "$T/out")
is "11 users trust-signed the CA" "$n" 11
is "DB file mode 0600" "$(stat -c %a "$DB")" 600
cp "$DB" "$T/db.copy"
disk_umount || { echo "Bail out! umount failed"; exit 1; }

ndb=$(disk_hits "$T/values" "$T/db.copy")
if grep -q " b64-" "$T/hits"; then not_ok "no armored copy left in the DB file"
else ok "no armored copy left in the DB file"; fi
[ "$ndb" -gt 0 ] && ok "the key is in its own row ($ndb)" \
  || not_ok "the key is in its own row ($ndb)"
disk_only_in_db "$T/values" "$ndb"

disk_mount || { echo "Bail out! cannot mount the image again"; exit 1; }
check "ca migrate card" ocad ca migrate card --yes $SCD
check "ca show" ocad ca show
like "card backend" "$T/out" "CA Backend: OpenPGP card $ID"
like "same CA" "$T/out" "Fingerprint: $FPR"
check "certify on the card" ocad user add -e bob@example.org
disk_umount || { echo "Bail out! umount failed"; exit 1; }
disk_no_key "no window of the private key anywhere in the raw image" \
  "$T/values"

tap_done
