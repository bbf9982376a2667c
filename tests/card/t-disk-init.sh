#!/bin/sh
# t-disk-init.sh - `ca init ... card' with a host-generated key writes no
# byte of it to any file (issue 9)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The CA database, oca's working directory and TMPDIR are on an ext4
# image of the test's own; the key printed once goes to a file outside.
. "$srcdir/disk-lib.sh"

disk_mount || { echo "Bail out! cannot mount the image"; exit 1; }

# The card profile's CA algorithm (ed25519, nistp256 or rsa2048), then
# RSA 2048.
for run in $ALGO:a:0000D601 rsa2048:b:0000D602; do
  algo=${run%%:*}
  card=${run#*:}; card=${card%%:*}
  serial=${run##*:}
  ID=FFFE:$serial
  [ $card = b ] && vcard_unplug a
  vcard_plug $card --serial $serial || exit 1
  card_env $card
  check "$algo: ca init card (key generated on the host)" \
    ocad ca init --domain example.org --algo $algo card $SCD
  cp "$T/out" "$T/init-$card.out"
  like "$algo: card backend" "$T/init-$card.out" "CA Backend: OpenPGP card $ID"
  sed -n '/BEGIN PGP PRIVATE KEY BLOCK/,/END PGP PRIVATE KEY BLOCK/p' \
    "$T/init-$card.out" > "$T/ca-$card.priv"
  secret_values "$T/ca-$card.priv" >> "$T/values"
  n=$(disk_hits "$T/values" "$T/ca-$card.priv")
  [ "$n" -gt 0 ] && ok "$algo: scan finds the printed key ($n)" \
    || not_ok "$algo: scan finds the printed key ($n)"
  check "$algo: user add" ocad user add -e "a-$card@example.org"
  check "$algo: user add (2)" ocad user add -e "b-$card@example.org"
  is "$algo: DB file mode 0600" "$(stat -c %a "$DB")" 600
  mv "$DB" "$MNT/ca-$card.db"
done
n=$(grep -c . "$T/values")
# Per CA (primary + signing subkey): 2 EdDSA seeds or ECDSA scalars,
# or 2 x (d, p, q, u).
case $ALGO in rsa*) want=16 ;; *) want=10 ;; esac
is "secret values of both CAs' keys" "$n" $want

disk_umount || { echo "Bail out! umount failed"; exit 1; }
disk_no_key "no window of the private keys anywhere in the raw image" \
  "$T/values"

tap_done
