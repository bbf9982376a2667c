#!/bin/sh
# t-rsa4096.sh - the default algorithm RSA 4096; a card without it is
# refused before anything is written
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

vcard_plug q --serial 0000D001 --no-rsa4096 || exit 1
card_env q
n0=$(vcard_apdu_count q)
check_fails "card without RSA 4096" ocac ca init --domain example.org card
like "clear message" "$T/err" "OpenPGP card FFFE:0000D001 does not support rsa4096 keys"
one_line "one-line error" "$T/err"
[ -e "$DB" ] && not_ok "no database created" || ok "no database created"
grep -Eq '^.. (DA|DB|47|24|2C) ' "$T/vcard-q.apdus" \
  && not_ok "no write APDU reached the card" || ok "no write APDU reached the card"
check "card still blank" "$OCA" card status --with-colons $SCD
like "blank" "$T/out" "^blank:1:$"
like "no cardholder" "$T/out" "^holder::$"
[ "$(vcard_apdu_count q)" -gt "$n0" ] && ok "the card was asked" \
  || not_ok "the card was asked"
vcard_unplug q

vcard_plug r --serial 0000D002 || exit 1
card_env r
check "RSA 4096 CA on the card" ocac ca init --domain example.org card $SCD
like "rsa4096 on card" "$T/out" "^Initialized OpenPGP CA instance:$"
FPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
card_colons > "$T/cs"
like "gpg: AUT is rsa4096" "$T/cs" "^keyattr:3:1:4096:"
is "gpg: AUT fingerprint = CA fingerprint" \
  "$(awk -F: '$1=="fpr"{print $4}' "$T/cs")" "$FPR"
check "certify with RSA 4096 on the card" ocac user add -e alice@example.org
ocac user export > "$T/all.asc"
GNUPGHOME=$T/gv; mkdir -p "$GNUPGHOME"; chmod 700 "$GNUPGHOME"
"$GPG" --batch --import "$T/all.asc" >/dev/null 2>&1
"$GPG" --batch --check-sigs > "$T/sigs" 2>&1
unlike "no bad signature" "$T/sigs" "^sig-|bad signature"
like "CA certification verifies" "$T/sigs" "^sig!.*OpenPGP CA <openpgp-ca@example.org>"
tap_done
