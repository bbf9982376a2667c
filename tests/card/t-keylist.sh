#!/bin/sh
# t-keylist.sh - keylist export on a card CA: the card's SIG slot signs
# the keylist (not the AUT slot that certifies), and gpg and sq verify
# the signature with the CA certificate.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

vcard_plug a --serial 0000CD01 || exit 1
card_env a

check "ca init" ocac ca init --domain example.org --algo $ALGO card $SCD
check "user add" ocac user add -e alice@example.org
mkdir "$T/kl"
check "keylist export" ocac keylist export -p "$T/kl" \
  -s https://example.org/keylist.json.asc
check "card status" "$OCA" card status --with-colons $SCD
SIG=$(awk -F: '$1=="fpr" && $2==1 {print $3}' "$T/out")
AUT=$(awk -F: '$1=="fpr" && $2==3 {print $3}' "$T/out")
is "the card has a SIG and an AUT key" \
  "$(printf '%s\n' "$SIG" "$AUT" | grep -c '^[0-9A-F]\{40\}$')" 2

VH=$T/verify
mkdir -m 700 "$VH"
at_exit "GNUPGHOME='$VH' '$GPGCONF' --kill all"
ocac ca export > "$T/ca.asc"
GNUPGHOME=$VH "$GPG" --batch -q --import "$T/ca.asc" 2>/dev/null
check "gpg --verify" env GNUPGHOME="$VH" "$GPG" --batch --status-fd 1 \
  --verify "$T/kl/keylist.json.asc" "$T/kl/keylist.json"
like "made by the card's SIG slot key, class 00, CA primary $AUT" "$T/out" \
  "^\\[GNUPG:\\] VALIDSIG $SIG .* 00 $AUT\$"
if [ -n "$SQ" ]; then
  check "sq verify" "$SQ" verify --signer-cert "$T/ca.asc" \
    --detached "$T/kl/keylist.json.asc" "$T/kl/keylist.json"
fi
tap_done
