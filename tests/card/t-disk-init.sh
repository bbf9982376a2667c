#!/bin/sh
# t-disk-init.sh - `ca init ... card' with a host-generated key writes no
# byte of it to any file (issue 9)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The CA database, oca's working directory and TMPDIR are on an ext4
# image of the test's own; the key printed once goes to a file outside.
. "$srcdir/disk-lib.sh"

disk_mount || { echo "Bail out! cannot mount the image"; exit 1; }

for run in ed25519:a:0000D601 rsa2048:b:0000D602; do
  algo=${run%%:*}
  card=${run#*:}; card=${card%%:*}
  serial=${run##*:}
  ID=FFFE:$serial
  [ $card = b ] && vcard_unplug a
  vcard_plug $card --serial $serial || exit 1
  card_env $card
  check "$algo: ca init card (key generated on the host)" \
    ocad ca init --domain example.org --algo $algo card $SCD
  cp "$T/out" "$T/init-$algo.out"
  like "$algo: card backend" "$T/init-$algo.out" "CA Backend: OpenPGP card $ID"
  sed -n '/BEGIN PGP PRIVATE KEY BLOCK/,/END PGP PRIVATE KEY BLOCK/p' \
    "$T/init-$algo.out" > "$T/ca-$algo.priv"
  secret_values "$T/ca-$algo.priv" >> "$T/values"
  n=$(disk_hits "$T/values" "$T/ca-$algo.priv")
  [ "$n" -gt 0 ] && ok "$algo: scan finds the printed key ($n)" \
    || not_ok "$algo: scan finds the printed key ($n)"
  check "$algo: user add" ocad user add -e "a-$algo@example.org"
  check "$algo: user add (2)" ocad user add -e "b-$algo@example.org"
  is "$algo: DB file mode 0600" "$(stat -c %a "$DB")" 600
  mv "$DB" "$MNT/ca-$algo.db"
done
n=$(grep -c . "$T/values")
is "secret values: 2 EdDSA seeds, 2 x (d, p, q, u)" "$n" 10

disk_umount || { echo "Bail out! umount failed"; exit 1; }
disk_no_key "no window of the private keys anywhere in the raw image" \
  "$T/values"

tap_done
