#!/bin/sh
# t-rsa4096.sh - an RSA 4096 CA (--cipher-suite rsa4k; the default was
# RSA 4096 before oca followed openpgp-ca 0.14 to Cv25519); a card
# without it, or without an algorithm the CA asks for, is refused before
# anything is written (one clear error, no database)
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

# refused_before_write NAME ALGO WHAT: `ca init --algo ALGO` on card NAME
# fails with one line naming the algorithm, writes nothing to the card
# and leaves no database.
refused_before_write () {
  _id=FFFE:$3
  rm -f "$DB"
  check_fails "$4: refused" ocac ca init --domain example.org --algo "$2" card
  like "$4: clear message" "$T/err" \
    "OpenPGP card $_id does not support $2 keys"
  one_line "$4: one-line error" "$T/err"
  [ -e "$DB" ] && not_ok "$4: no database created" \
    || ok "$4: no database created"
  grep -Eq '^.. (DA|DB|47|24|2C) ' "$T/vcard-$1.apdus" \
    && not_ok "$4: no write APDU reached the card" \
    || ok "$4: no write APDU reached the card"
  check "$4: card still blank" "$OCA" card status --with-colons $SCD
  like "$4: blank" "$T/out" "^blank:1:$"
}

# A card that lost RSA 4096 (--no-rsa4096 on top of the profile).
vcard_plug q --serial 0000D001 --no-rsa4096 || exit 1
card_env q
n0=$(vcard_apdu_count q)
if vcard_profile_has algoinfo || ! vcard_profile_has attr-change; then
  refused_before_write q rsa4096 0000D001 "card without RSA 4096"
  [ "$(vcard_apdu_count q)" -gt "$n0" ] && ok "the card was asked" \
    || not_ok "the card was asked"
else
  # Without DO FA a card that can change its attributes does not say
  # what it takes: the card itself refuses the attributes (6A80), no
  # key is written and nothing is stored.
  check_fails "card without RSA 4096 and without DO FA" \
    ocac ca init --domain example.org --cipher-suite rsa4k card
  like "clear message" "$T/err" "OpenPGP card FFFE:0000D001"
  one_line "one-line error" "$T/err"
  unlike "no key import reached the card" "$T/vcard-q.apdus" '^.. DB '
  check "no CA stored" sh -c "! ocac ca show >/dev/null 2>&1"
fi
vcard_unplug q

# Every algorithm the CA offers that this card lacks is refused before
# anything is written.
vcard_plug s --serial 0000D003 || exit 1
card_env s
for a in ed25519 nistp256 nistp384 nistp521 rsa4096; do
  vcard_profile_has algos "$a" && continue
  if [ "$a" = rsa4096 ] && ! vcard_profile_has algoinfo \
     && vcard_profile_has attr-change; then
    continue   # Unknowable without DO FA: see above.
  fi
  refused_before_write s "$a" 0000D003 "card without $a"
done
vcard_unplug s

if ! vcard_profile_has algos rsa4096; then
  tap_done
  exit
fi
vcard_plug r --serial 0000D002 || exit 1
card_env r
check "RSA 4096 CA on the card" ocac ca init --domain example.org \
  --cipher-suite rsa4k card $SCD
like "rsa4096 on card" "$T/out" "^Initialized OpenPGP CA instance:$"
FPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
card_colons > "$T/cs"
like "gpg: AUT is rsa4096" "$T/cs" "^keyattr:3:1:4096:"
is "gpg: AUT fingerprint = CA fingerprint" \
  "$(awk -F: '$1=="fpr"{print $4}' "$T/cs")" "$FPR"
check "certify with RSA 4096 on the card" ocac user add -e alice@example.org
gpg_sigs "$T/gv"
unlike "no bad signature" "$T/sigs" "^sig-|bad signature"
like "CA certification verifies" "$T/sigs" "^sig!.*OpenPGP CA <openpgp-ca@example.org>"
tap_done
