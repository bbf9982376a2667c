#!/bin/sh
# t-touch.sh - touch confirmation: given, timed out, card removed mid-batch
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

vcard_plug a --serial 0000CC01 --touch-timeout 3 || exit 1
card_env a
ID=FFFE:0000CC01

check "ca init" ocac ca init --domain example.org --algo $ALGO card $SCD
if ! vcard_profile_has button; then
  # A card without a button (YubiKey NEO, Nitrokey Start, SmartPGP,
  # OpenPGP card 2.x): touch cannot be set, certification needs none.
  check_fails "card touch on a card without a button" \
    "$OCA" -d "$DB" card touch --key AUT --policy on $SCD
  like "no button message" "$T/err" "^oca: OpenPGP card $ID has no touch button$"
  one_line "one-line error" "$T/err"
  check "status" "$OCA" card status --with-colons $SCD
  unlike "no uif line claims touch" "$T/out" "^uif:.*on"
  rm -f "$T/vcard-a.touch"
  check "user add without a touch" ocac user add -e alice@example.org
  unlike "no touch notice" "$T/err" "Touch confirmation"
  tap_done
  exit
fi
check "card touch AUT on" "$OCA" -d "$DB" card touch --key AUT --policy on $SCD
like "touch set" "$T/out" "AUT slot on card $ID set to on"
check "status shows it" "$OCA" card status --with-colons $SCD
like "uif aut on" "$T/out" "^uif:off:off:on:$"

vcard_touch a
check "user add with a touch" ocac user add -e alice@example.org
like "touch notice" "$T/err" "^Touch confirmation needed for certification$"

sum0=$(sha256sum "$DB")
check_fails "user add without touch: timeout" ocac user add -e bob@example.org
like "timeout message" "$T/err" "Touch confirmation timed out on OpenPGP card $ID"
is "database unchanged" "$(sha256sum "$DB")" "$sum0"
check "alice kept" ocac user list
like "alice still there" "$T/out" "alice@example.org"
unlike "bob not stored" "$T/out" "bob@example.org"

# A YubiKey 5's "cached" policy (set with ykman, not by oca): one touch
# serves the certifications of the next 15 seconds.
if [ "$(vcard_profile_get touch-cache)" -gt 0 ]; then
  scd_raw "SERIALNO" "SETATTR UIF-3 %03+" "D $(ca_pin)%00" "END" > "$T/scd.out"
  unlike "cached policy set on AUT" "$T/scd.out" "^ERR"
  check "status shows it" "$OCA" card status --with-colons $SCD
  like "uif aut cached" "$T/out" "^uif:off:off:cached:$"
  agent_flush
  vcard_restart a            # A power cycle forgets the last touch.
  vcard_touch a
  check "cached: first certification with a touch" \
    ocac user add -e cached1@example.org
  check "cached: touch consumed" test ! -e "$T/vcard-a.touch"
  check "cached: second certification without a touch" \
    ocac user add -e cached2@example.org
  check "back to on" "$OCA" -d "$DB" card touch --key AUT --policy on $SCD
fi

# Card removed in the middle of a bulk import: the first key gets its
# touch, then the card goes away while the second waits for one.
for u in k1 k2 k3; do
  "$GPG" --batch --passphrase '' --quick-gen-key "$u@example.org" ed25519 cert never \
    >/dev/null 2>&1
done
"$GPG" --batch --armor --export k1@example.org k2@example.org k3@example.org \
  > "$T/keys.asc"
vcard_touch a
ocac user import --domain-emails -f "$T/keys.asc" >"$T/bulk.out" 2>"$T/bulk.err" &
bulk=$!
i=0
while [ -e "$T/vcard-a.touch" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
sleep 0.5
vcard_unplug a
wait $bulk
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && ok "bulk import fails when the card is removed" \
  || not_ok "bulk import fails when the card is removed (rc $rc)"
like "removed message" "$T/bulk.err" "OpenPGP card $ID is not present or was removed|timed out on OpenPGP card $ID"
is "one error line" "$(grep -c "^oca:" "$T/bulk.err")" 1
# k1 was certified before the card went away: it is kept (issue 5).
like "count in the message" "$T/bulk.err" "\(1 key before it was certified and stored; re-run to continue\)$"
check "user list after the failed batch" ocac user list
like "k1 kept" "$T/out" "k1@example.org"
unlike "k2, k3 not stored" "$T/out" "k2@example.org|k3@example.org"
tap_done
