#!/bin/sh
# t-touch.sh - UIF (touch) on/off through scdaemon; touch given vs timeout
# SPDX-License-Identifier: GPL-3.0-or-later
#
# gpg 2.2 has no "uif" command: the UIF DOs are written with scdaemon's
# APDU command (after VERIFY PW3), as a user of gpg 2.2 would do.
. "$srcdir/../lib.sh"
. "$srcdir/vcard-lib.sh"

vcard_test_card tc "plug card" --serial 00007C00 --touch-timeout 2
echo "touch me" > "$T/msg"

if vcard_profile_has algos ed25519; then
  printf 'admin\nkey-attr\n2\n1\n2\n1\n2\n1\ngenerate\nn\n0\nTouch User\ntouch@example.org\n\nquit\n' > "$T/cmds"
else
  printf 'admin\ngenerate\nn\n0\nTouch User\ntouch@example.org\n\nquit\n' > "$T/cmds"
fi
check "generate keys" "$GPG" --no-tty --command-fd 0 --status-fd 1 --edit-card < "$T/cmds"

# scd_apdu HEX...: send APDUs through scdaemon, hex dump of the answers.
scd_apdu () {
  set -- "scd serialno"  $(for a in "$@"; do printf '%s\n' "scd apdu $a" | sed 's/ /_/g'; done)
  for a in "$@"; do printf '%s\n' "$a" | sed 's/_/ /g'; done > "$T/scd.cmds"
  echo /bye >> "$T/scd.cmds"
  "$GPG_CONNECT_AGENT" --hex < "$T/scd.cmds"
}
verify_pw3="00 20 00 83 08 3132333435363738"

if ! vcard_profile_has button; then
  # No button (YubiKey NEO, Nitrokey Start, SmartPGP, OpenPGP card 2.x):
  # no UIF data objects, and signing never waits.
  check "no button: UIF write" scd_apdu "$verify_pw3" "00 da 00 d6 02 01 20"
  like "no button: UIF refused (6A88)" "$T/out" '6A 88'
  vcard_kill_agent "$T/gh"
  rm -f "$T/vcard-tc.touch"
  check "no button: signing needs no touch" "$GPG" --batch -u touch@example.org -o "$T/s0.sig" --sign "$T/msg"
  tap_done
  exit
fi

check "UIF on for signing" scd_apdu "$verify_pw3" "00 da 00 d6 02 01 20" "00 ca 00 d6 00"
like "UIF DO reads 01 20" "$T/out" '01 20 90 00'
vcard_kill_agent "$T/gh"

rm -f "$T/vcard-tc.touch"
check_fails "no touch: signing times out" "$GPG" --batch -u touch@example.org -o "$T/s1.sig" --sign "$T/msg"
like "the card waited and timed out" "$T/err" '[Tt]imeout|signing failed'
vcard_kill_agent "$T/gh"
vcard_touch tc
check "touch given: signing succeeds" "$GPG" --batch -u touch@example.org -o "$T/s2.sig" --sign "$T/msg"
check "touch consumed" test ! -e "$T/vcard-tc.touch"
check "signature verifies" "$GPG" --batch --verify "$T/s2.sig"
vcard_kill_agent "$T/gh"

if [ "$(vcard_profile_get touch-cache)" -gt 0 ]; then
  # YubiKey 5: "cached" (03): one touch counts for a while.  A power
  # cycle forgets the last touch.
  check "UIF cached for signing" scd_apdu "$verify_pw3" "00 da 00 d6 02 03 20" "00 ca 00 d6 00"
  like "UIF DO reads 03 20" "$T/out" '03 20 90 00'
  vcard_kill_agent "$T/gh"
  check "power cycle" vcard_restart tc
  vcard_touch tc
  check "cached: first signature with a touch" "$GPG" --batch -u touch@example.org -o "$T/c1.sig" --sign "$T/msg"
  check "cached: touch consumed" test ! -e "$T/vcard-tc.touch"
  check "cached: second signature without a touch" "$GPG" --batch -u touch@example.org -o "$T/c2.sig" --sign "$T/msg"
  vcard_kill_agent "$T/gh"
else
  check "no cached policy: UIF 03" scd_apdu "$verify_pw3" "00 da 00 d6 02 03 20"
  like "no cached policy: UIF 03 refused" "$T/out" '6A 80'
  vcard_kill_agent "$T/gh"
fi

check "UIF off" scd_apdu "$verify_pw3" "00 da 00 d6 02 00 20" "00 ca 00 d6 00"
like "UIF DO reads 00 20" "$T/out" '00 20 90 00'
vcard_kill_agent "$T/gh"
check "UIF off: signing needs no touch" "$GPG" --batch -u touch@example.org -o "$T/s3.sig" --sign "$T/msg"

tap_done
