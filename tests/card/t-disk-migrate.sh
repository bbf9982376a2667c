#!/bin/sh
# t-disk-migrate.sh - no byte of the softkey CA key outside its DB pages,
# and none at all on the file system after `ca migrate card' (issue 9)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The CA lives on an ext4 image of its own.  After a few dozen ordinary
# operations the raw image holds the key exactly where the DB file
# holds it (no journal, temp file or freed block keeps a copy); after
# the migration to a card it holds no window of any secret value in
# any encoding (raw, MPI, hex, base64).
. "$srcdir/disk-lib.sh"

vcard_plug a --serial 0000D501 || exit 1
card_env a
ID=FFFE:0000D501
disk_mount || { echo "Bail out! cannot mount the image"; exit 1; }

check "softkey CA (rsa2048) on the image" \
  ocad ca init --domain example.org --algo rsa2048 softkey
ocad ca private > "$T/ca.priv"
secret_values "$T/ca.priv" > "$T/values"
n=$(grep -c . "$T/values")
is "d, p, q, u of primary and signing subkey" "$n" 8
n=$(disk_hits "$T/values" "$T/ca.priv")
[ "$n" -gt 0 ] && ok "scan finds the key in its armored export ($n)" \
  || not_ok "scan finds the key in its armored export ($n)"

# Ordinary operations: user add (each adds a trust signature to the CA
# cert, which is stored again), user import, ca import-tsig.
ops=0
# op CMD...: count CMD if it succeeds, say why if not.
op () {
  if "$@" >"$T/out" 2>"$T/err"; then ops=$((ops + 1))
  else diag "failed: $*: $(head -3 "$T/err")"; fi
}
i=1
while [ $i -le 12 ]; do
  op ocad user add -e "u$i@example.org" -n "User $i"
  i=$((i + 1))
done
ocad ca export > "$T/ca.asc"
i=1
while [ $i -le 6 ]; do
  "$SQ" key generate --userid "S$i <s$i@example.org>" \
    --export "$T/s$i.key" 2>/dev/null
  "$SQ" key extract-cert -o "$T/s$i.pub" "$T/s$i.key" 2>/dev/null
  op ocad user import -e "s$i@example.org" -f "$T/s$i.pub"
  "$SQ" certify --depth 1 --amount 120 -o "$T/tsig$i.asc" "$T/s$i.key" \
    "$T/ca.asc" "OpenPGP CA <openpgp-ca@example.org>" 2>/dev/null
  op ocad ca import-tsig "$T/tsig$i.asc"
  i=$((i + 1))
done
op ocad user add -e multi@example.org -e multi2@example.org
op ocad user list
op ocad ca show
is "27 operations succeeded" "$ops" 27
check "user list" ocad user list
n=$(grep -c "Has trust-signed this CA" "$T/out")
is "19 users trust-signed the CA" "$n" 19
check "the softkey CA still certifies" ocad user add -e late@example.org
is "DB file mode 0600" "$(stat -c %a "$DB")" 600
ls -a "$MNT" > "$T/ls"
unlike "no journal/WAL left" "$T/ls" "-journal|-wal|-shm"
cp "$DB" "$T/db.copy"

disk_umount || { echo "Bail out! umount failed"; exit 1; }
ndb=$(disk_hits "$T/values" "$T/db.copy")
[ "$ndb" -gt 0 ] && ok "control: the softkey DB file holds the key ($ndb)" \
  || not_ok "control: the softkey DB file holds the key ($ndb)"
disk_only_in_db "$T/values" "$ndb"

# Migration.
disk_mount || { echo "Bail out! cannot mount the image again"; exit 1; }
check "ca migrate card" ocad ca migrate card --yes $SCD
like "migrated" "$T/out" "^Migrated OpenPGP CA instance:$"
check "ca show: card backend" ocad ca show
like "backend" "$T/out" "CA Backend: OpenPGP card $ID"
check_fails "no private key left" ocad ca private
check "certify on the card" ocad user add -e after@example.org
is "DB file mode 0600 after migration" "$(stat -c %a "$DB")" 600
check "integrity" "$SQLITE3" "$DB" "PRAGMA integrity_check"
like "integrity ok" "$T/out" "^ok$"
disk_umount || { echo "Bail out! umount failed"; exit 1; }
disk_no_key "no window of the private key anywhere in the raw image" \
  "$T/values"

tap_done
