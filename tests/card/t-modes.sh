#!/bin/sh
# t-modes.sh - backup card via --import + set-backend, --from-card,
# --generate-on-card
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

# The CA on card a; its printed key is the backup.
vcard_plug a --serial 0000CE01 || exit 1
card_env a
check "ca init on card a" ocac ca init --domain example.org --algo $ALGO card $SCD
sed -n '/BEGIN PGP PRIVATE KEY BLOCK/,/END PGP PRIVATE KEY BLOCK/p' \
  "$T/out" > "$T/ca.priv"
FPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
PIN_A=$(ca_pin)
ocac ca export > "$T/ca.asc"
vcard_unplug a

# Backup card b from the printed key.
vcard_plug b --serial 0000CE02 || exit 1
card_env b
DB=$T/backup.db
check "ca init --import (backup card)" \
  ocac ca init --domain example.org card --import "$T/ca.priv" $SCD
like "import message" "$T/out" \
  "^Initializing OpenPGP CA from existing key, on card FFFE:0000CE02\.$"
unlike "no private key printed" "$T/out" "PRIVATE KEY BLOCK"
like "same fingerprint" "$T/out" "^  Fingerprint: $FPR$"
PIN_B=$(ca_pin)
[ "$PIN_A" != "$PIN_B" ] && ok "backup card has its own PIN" \
  || not_ok "backup card has its own PIN"
check_fails "--import of a public key refused" \
  "$OCA" -d "$T/x.db" ca init --domain example.org card --import "$T/ca.asc" $SCD
like "no private key message" "$T/err" \
  "No private key material found in file. Can't import to OpenPGP card."

# The main CA switches to the backup card.
DB=$T/ca.db
echo "$PIN_B" > "$T/pin.b"
check "set-backend to the backup card" \
  ocac ca set-backend card --pin-file "$T/pin.b" $SCD
like "changed" "$T/out" "^CA backend configuration is changed\.$"
check "show" ocac ca show
like "backend is card b" "$T/out" \
  "^   CA Backend: OpenPGP card FFFE:0000CE02 \[User PIN $PIN_B\]"
check "certify on the backup card" ocac user add -e alice@example.org
gpg_sigs "$T/gv"
unlike "no bad signature" "$T/sigs" "^sig-|bad signature"
like "CA certification verifies" "$T/sigs" "^sig!.*OpenPGP CA <openpgp-ca@example.org>"

# A new database from the pre-configured card.
DB=$T/from.db
check "ca init --from-card" ocac ca init --domain example.org card \
  --from-card --public-key "$T/ca.asc" --pin-file "$T/pin.b" $SCD
like "from-card message" "$T/out" \
  "^Initializing OpenPGP CA from pre-configured OpenPGP card FFFE:0000CE02\.$"
like "from-card stored" "$T/out" "^  Fingerprint: $FPR$"
check "certify from the from-card CA" ocac user add -e bob@example.org
check_fails "--from-card without a matching card" \
  "$OCA" -d "$T/y.db" ca init --domain example.org card --from-card \
  --public-key "$T/all.asc" --pin-file "$T/pin.b" $SCD
vcard_unplug b

# Generated on the card.
vcard_plug c --serial 0000CE03 || exit 1
card_env c
DB=$T/gen.db
check_fails "generate-on-card without confirmation" \
  setsid -w "$OCA" -d "$DB" ca init --domain example.org --algo $ALGO card \
  --generate-on-card $SCD
like "aborted before writing" "$T/err" "no terminal|--yes"
check "card c still blank" "$OCA" card list $SCD
like "blank" "$T/out" "^FFFE:0000CE03 blank$"
check "ca init --generate-on-card --yes" \
  ocac ca init --domain example.org --algo $ALGO card --generate-on-card \
  --yes $SCD
like "generate message" "$T/out" "^Generate new OpenPGP CA key on card FFFE:0000CE03\.$"
unlike "nothing private printed" "$T/out" "PRIVATE KEY"
GFPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
card_colons > "$T/cs"
is "gpg: AUT fingerprint = CA fingerprint" \
  "$(awk -F: '$1=="fpr"{print $4}' "$T/cs")" "$GFPR"
like "gpg: cardholder" "$T/cs" "^name:OpenPGP CA:"
check "certify with the generated CA" ocac user add -e carol@example.org
gpg_sigs "$T/gv2" "$GFPR"
GNUPGHOME=$T/gv2
unlike "CA cert: no bad signature (back-signature made on the card)" \
  "$T/sigs" "^sig-|bad signature"
like "signing subkey bound" "$T/sigs" "^sub "
"$GPG" --batch --with-colons -k "$GFPR" > "$T/k" 2>/dev/null
like "gpg accepts the signing subkey" "$T/k" "^sub:-:.*:s:"
"$GPG" --batch --check-sigs carol@example.org > "$T/sigs" 2>&1
like "carol certified by the generated CA" "$T/sigs" "^sig!.*OpenPGP CA <openpgp-ca@example.org>"
tap_done
