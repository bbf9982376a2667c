#!/bin/sh
# t-migrate.sh - softkey -> card migration; no key bytes left in the DB
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

vcard_plug a --serial 0000CB01 || exit 1
card_env a
ID=FFFE:0000CB01

check "softkey CA" ocac ca init --domain example.org --algo $ALGO softkey
ocac ca private > "$T/ca.priv"
FPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
check "user before migration" ocac user add -e alice@example.org
secret_values "$T/ca.priv" > "$T/values"
n=$(sed 's/-.*//' "$T/values" | sort -u | grep -c .)
is "two secret keys in the backup" "$n" 2
n=$(disk_hits "$T/values" "$DB")
[ "$n" != scan-failed ] && [ "$n" -gt 0 ] \
  && ok "scan finds the key in the softkey DB (control: $n)" \
  || not_ok "scan finds the key in the softkey DB (control: $n)"

check_fails "no terminal, no --yes: refused" \
  setsid -w "$OCA" -d "$DB" ca migrate card $SCD </dev/null
like "clear message" "$T/err" "no terminal|--yes"
check "card still blank" "$OCA" card list $SCD
like "blank" "$T/out" "^$ID blank$"

check "ca migrate card --yes" ocac ca migrate card --yes $SCD
like "migrate message" "$T/out" "^Migrating OpenPGP CA instance to card $ID\.$"
like "migrated" "$T/out" "^Migrated OpenPGP CA instance:$"
like "backend" "$T/out" "^   CA Backend: OpenPGP card $ID \[User PIN [0-9]{8}\]"
check "ca show" ocac ca show
like "same fingerprint" "$T/out" "^  Fingerprint: $FPR$"
check_fails "ca private now refused" ocac ca private
n=$(disk_hits "$T/values" "$DB")
if [ "$n" = 0 ]; then
  ok "no byte sequence of the private key in the DB file"
else
  not_ok "no byte sequence of the private key in the DB file ($n)"
  sed 's/^/# /' "$T/hits" | head
fi
for f in "$DB-journal" "$DB-wal"; do
  [ -e "$f" ] && not_ok "no leftover $f" || ok "no leftover ${f##*/}"
done

card_colons > "$T/cs"
AUTFPR=$(awk -F: '$1=="fpr"{print $4}' "$T/cs")
is "gpg: AUT fingerprint = CA fingerprint" "$AUTFPR" "$FPR"
check "certify after migration (on the card)" ocac user add -e bob@example.org
gpg_sigs "$GNUPGHOME"
unlike "no bad signature" "$T/sigs" "^sig-|bad signature"
n=$(grep -c "^sig!.*OpenPGP CA <openpgp-ca@example.org>" "$T/sigs")
[ "$n" -ge 4 ] && ok "CA signatures verify ($n)" || not_ok "CA signatures verify ($n)"

check_fails "migrate again refused" ocac ca migrate card --yes $SCD
tap_done
