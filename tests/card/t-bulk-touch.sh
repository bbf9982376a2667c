#!/bin/sh
# t-bulk-touch.sh - a bulk import interrupted by a missed touch keeps the
# keys certified before the failing one; a re-run continues
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

vcard_plug a --serial 0000CC02 --touch-timeout 3 || exit 1
card_env a
ID=FFFE:0000CC02

check "ca init" ocac ca init --domain example.org --algo $ALGO card $SCD
if ! vcard_profile_has button; then
  # No button: no touch to miss; the whole batch is certified.
  check_fails "card touch on a card without a button" \
    "$OCA" -d "$DB" card touch --key AUT --policy on $SCD
  like "no button message" "$T/err" "has no touch button"
  for u in b1 b2 b3; do
    "$GPG" --batch --passphrase '' --quick-gen-key "$u@example.org" ed25519 cert never \
      >/dev/null 2>&1
  done
  "$GPG" --batch --armor --export b1@example.org b2@example.org \
    b3@example.org > "$T/keys.asc"
  check "bulk import without touch" ocac user import --domain-emails -f "$T/keys.asc"
  check "user list" ocac user list
  is "three users" "$(grep -c "example.org" "$T/out")" 3
  tap_done
  exit
fi
check "card touch AUT on" "$OCA" -d "$DB" card touch --key AUT --policy on $SCD
CAFPR=$(ocac ca show | sed -n 's/.*\b\([0-9A-F]\{40\}\)\b.*/\1/p' | head -1)
CAKEYID=$(printf %s "$CAFPR" | cut -c25-40)
is "CA key id" "${#CAKEYID}" 16

# Three in-domain keys, in this keyring order.
for u in b1 b2 b3; do
  "$GPG" --batch --passphrase '' --quick-gen-key "$u@example.org" ed25519 cert never \
    >/dev/null 2>&1
done
for u in b1 b2 b3; do
  fp=$("$GPG" --batch --with-colons --list-keys "$u@example.org" 2>/dev/null \
       | awk -F: '/^fpr:/ { print $10; exit }')
  eval "FP_$u=$fp"
  "$GPG" --batch --armor --export "$fp" >> "$T/keys.asc"
done

# Touches for b1 and b2 only: b3 times out.
sum0=$(sha256sum "$DB")
vcard_touch a
ocac user import --domain-emails -f "$T/keys.asc" >"$T/bulk.out" 2>"$T/bulk.err" &
bulk=$!
vcard_wait_touch_used a && ok "first touch taken" || not_ok "first touch taken"
vcard_touch a
vcard_wait_touch_used a && ok "second touch taken" || not_ok "second touch taken"
wait $bulk
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && ok "bulk import fails on the missed touch" \
  || not_ok "bulk import fails on the missed touch (rc $rc)"
like "timeout message names the third key and the count" "$T/bulk.err" \
  "^oca: error certifying $FP_b3: Touch confirmation timed out on OpenPGP card $ID.*\(2 keys before it were certified and stored; re-run to continue\)$"
is "one error line" "$(grep -c "^oca:" "$T/bulk.err")" 1
diag "$(grep "^oca:" "$T/bulk.err")"
is "three touch notices" \
  "$(grep -c "^Touch confirmation needed for certification$" "$T/bulk.err")" 3
[ "$(sha256sum "$DB")" != "$sum0" ] && ok "database written" \
  || not_ok "database written"

check "user list" ocac user list
like "b1 listed" "$T/out" "$FP_b1"
like "b2 listed" "$T/out" "$FP_b2"
unlike "b3 not listed" "$T/out" "$FP_b3|b3@example.org"
is "two users" "$(grep -c "example.org" "$T/out")" 2
check "b3 not exportable" ocac user export
unlike "no b3 in the export" "$T/err" "$FP_b3"

# gpg accepts the CA certifications of b1 and b2.
GH2=$T/gh-check
mkdir -p "$GH2" && chmod 700 "$GH2"
ocac ca export > "$T/ca.asc"
ocac user export > "$T/users.asc"
GNUPGHOME=$GH2 "$GPG" --batch --import "$T/ca.asc" "$T/users.asc" >/dev/null 2>&1
for u in b1 b2; do
  eval "fp=\$FP_$u"
  GNUPGHOME=$GH2 "$GPG" --batch --with-colons --check-sigs "$fp" \
    > "$T/sigs.$u" 2>/dev/null
  is "$u: one good CA certification" \
    "$(grep -c "^sig:!:.*:$CAKEYID:.*:10x:" "$T/sigs.$u")" 1
done
GNUPGHOME=$GH2 "$GPG" --batch --list-keys "$FP_b3" >/dev/null 2>&1 \
  && not_ok "b3 absent from the export" || ok "b3 absent from the export"

# Re-run with one touch: only b3 is certified.
vcard_touch a
check "re-run with one touch" ocac user import --domain-emails -f "$T/keys.asc"
is "one touch notice on the re-run" \
  "$(grep -c "^Touch confirmation needed for certification$" "$T/err")" 1
like "summary" "$T/out" "made 1 certifications"
check "user list after the re-run" ocac user list
like "b3 listed now" "$T/out" "$FP_b3"
is "three users" "$(grep -c "example.org" "$T/out")" 3
ocac user export > "$T/users2.asc"
rm -rf "$GH2"; mkdir -p "$GH2" && chmod 700 "$GH2"
GNUPGHOME=$GH2 "$GPG" --batch --import "$T/ca.asc" "$T/users2.asc" >/dev/null 2>&1
for u in b1 b2 b3; do
  eval "fp=\$FP_$u"
  GNUPGHOME=$GH2 "$GPG" --batch --with-colons --check-sigs "$fp" \
    > "$T/sigs.$u" 2>/dev/null
  is "$u: exactly one good CA certification" \
    "$(grep -c "^sig:!:.*:$CAKEYID:.*:10x:" "$T/sigs.$u")" 1
done
tap_done
