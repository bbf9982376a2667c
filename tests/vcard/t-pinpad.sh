#!/bin/sh
# t-pinpad.sh - the pin-pad reader driver of the tests (ifd-pinpad.c)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# pcscd loads the driver from the harness's reader.conf.d; oca-vcard
# plugs into it as into a vpcd slot.  Through SCardControl
# (oca-pcsc-poke) the reader must announce the pin-pad features, take
# PIN_VERIFY_STRUCTUREs and PIN_MODIFY_STRUCTUREs as strictly as libccid
# and CCID readers do, put the keypad's digits into the APDU, and
# answer the card's status word -- or 64 01 on cancel, 64 00 on a
# timeout, 64 03 on a PIN outside the limits, 64 02 when the new PINs
# differ.
# profile-run: once
. "$srcdir/../lib.sh"
. "$srcdir/vcard-lib.sh"
: "${OCA_PCSC_POKE:=$abs_top_builddir/tests/vcard/oca-pcsc-poke}"

vcard_setup || { echo "Bail out! harness setup failed"; exit 1; }
check "plug a card into the pin-pad reader" vcard_plug_pinpad p --serial 0000AD01
R=$VCARD_READER
is "the reader's name" "$R" "OCA Pinpad 00 00"

poke () { "$OCA_PCSC_POKE" "$R" "$@"; }

# pvs TIMEOUT FMT BLOCK LENFMT MAX MIN VALID APDU: a PIN_VERIFY_STRUCTURE
# in hex (all one-byte fields in hex, APDU hex).
pvs () {
  _n=$(( ${#8} / 2 ))
  printf '%s00%s%s%s%s%s%s010904000000%02X%02X000000%s' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$_n" "$_n" "$8"
}
# GnuPG's structure for VERIFY 81, PINs of 6 to 15 digits.
GNUPG=$(pvs 00 82 00 00 0F 06 02 0020008100)

check "the reader announces its pin-pad" poke features
like "  VERIFY_PIN_DIRECT" "$T/out" '^verify$'
like "  MODIFY_PIN_DIRECT" "$T/out" '^modify$'

pinpad_keys 123456
check "right PIN on the pad" poke pinpad "$GNUPG"
is "  the card's 90 00" "$(cat "$T/out")" 9000
like "  the reader logged a VERIFY 81" "$PINPAD_DIR/log" '^verify 00 20 00 81 min 6 max 15 -> 9000$'
unlike "  and no PIN" "$PINPAD_DIR/log" 123456

pinpad_keys 654321
check "wrong PIN on the pad" poke pinpad "$GNUPG"
like "  the card's answer (tries left)" "$T/out" '^(63C2|6982)$'

pinpad_keys cancel
check "Cancel key" poke pinpad "$GNUPG"
is "  64 01" "$(cat "$T/out")" 6401
pinpad_keys timeout
check "nobody types" poke pinpad "$GNUPG"
is "  64 00" "$(cat "$T/out")" 6400
pinpad_keys 12345
check "PIN shorter than the minimum" poke pinpad "$GNUPG"
is "  64 03" "$(cat "$T/out")" 6403
pinpad_keys 1234567890123456
check "PIN longer than the maximum" poke pinpad "$GNUPG"
is "  64 03" "$(cat "$T/out")" 6403
pinpad_keys 12a456
check "keys that are not digits" poke pinpad "$GNUPG"
is "  64 00 (no entry completed)" "$(cat "$T/out")" 6400

# The reader's own timer: nothing queued, bTimerOut 1 second.
check "empty keypad, 1 s timer" poke pinpad "$(pvs 01 82 00 00 0F 06 02 0020008100)"
is "  64 00" "$(cat "$T/out")" 6400
# Only "max size reached" ends the entry: 6 of 8 digits never do.
pinpad_keys 123456
check "no OK key allowed, PIN short of the maximum" \
  poke pinpad "$(pvs 00 82 00 00 08 06 01 0020008100)"
is "  64 00" "$(cat "$T/out")" 6400
pinpad_keys 123456
check "no OK key allowed, PIN at the maximum" \
  poke pinpad "$(pvs 00 82 00 00 06 06 01 0020008100)"
is "  90 00" "$(cat "$T/out")" 9000
# A fixed 6-byte block, the APDU's PIN field full of FF.
pinpad_keys 123456
check "fixed PIN block" poke pinpad "$(pvs 00 82 06 00 06 06 02 0020008106FFFFFFFFFFFF)"
is "  90 00" "$(cat "$T/out")" 9000
# The same, 8-byte block: the card sees 123456 FF FF, a wrong PIN.
pinpad_keys 123456
check "fixed PIN block, padding kept" \
  poke pinpad "$(pvs 00 82 08 00 08 06 02 0020008108FFFFFFFFFFFFFFFF)"
like "  the card refuses the padded PIN" "$T/out" '^(63C2|6982)$'
pinpad_keys 123456
check "right PIN again" poke pinpad "$GNUPG"
is "  90 00 (counter reset)" "$(cat "$T/out")" 9000

# Structures real readers refuse.
check_fails "structure too short (no APDU)" poke pinpad "$(pvs 00 82 00 00 0F 06 02 002000)"
like "  refused by the reader" "$T/out" '^error '
like "  logged" "$PINPAD_DIR/log" 'refused: PIN_VERIFY_STRUCTURE too short'
check_fails "ulDataLength above the APDU's length" poke pinpad \
  00008200000F060201090400000005060000000020008100
check_fails "ulDataLength below the APDU's length" poke pinpad \
  00008200000F060201090400000005040000000020008100
like "  logged" "$PINPAD_DIR/log" 'refused: ulDataLength does not match'
check_fails "PIN type RFU (bmFormatString 83)" poke pinpad "$(pvs 00 83 00 00 0F 06 02 0020008100)"
check_fails "minimum above maximum" poke pinpad "$(pvs 00 82 00 00 04 06 02 0020008100)"
check_fails "Lc not the PIN block size" poke pinpad "$(pvs 00 82 06 00 06 06 02 0020008108FFFFFFFFFFFF)"
check_fails "block too small for the maximum" poke pinpad "$(pvs 00 82 04 00 06 06 02 0020008104FFFFFFFF)"
check_fails "bNumberMessage 7" poke pinpad \
  "$(pvs 00 82 00 00 0F 06 02 0020008100 | sed 's/^\(.\{16\}\)01/\107/')"
like "  logged" "$PINPAD_DIR/log" 'refused: bNumberMessage'
check "the keypad was not read by a refused structure" test ! -s "$PINPAD_DIR/keys"

# PIN change on the pad: current, new, confirmation (bConfirmPIN 03),
# variable length, PINs of 6 to 15 digits, CHANGE REFERENCE DATA 81.
MOD=00008200000000${x}0F06030203090400010200000005000000${x}0024008100
pinpad_keys "123456 654321 654322"
check "PIN change, confirmation differs" poke pinpad-modify "$MOD"
is "  64 02" "$(cat "$T/out")" 6402
pinpad_keys "123456 654321 654321"
check "PIN change on the pad" poke pinpad-modify "$MOD"
is "  90 00" "$(cat "$T/out")" 9000
like "  logged" "$PINPAD_DIR/log" '^modify 00 24 00 81 min 6 max 15 -> 9000$'
pinpad_keys 654321
check "the new PIN verifies" poke pinpad "$GNUPG"
is "  90 00" "$(cat "$T/out")" 9000
pinpad_keys cancel
check "PIN change cancelled" poke pinpad-modify "$MOD"
is "  64 01" "$(cat "$T/out")" 6401

# A vpcd reader has no pin-pad.
check "plug a card into a vpcd reader" vcard_plug v --serial 0000AD02
check "features of a plain reader" "$OCA_PCSC_POKE" "$VCARD_READER" features
is "  none" "$(cat "$T/out")" ""
check_fails "no pin-pad to send to" "$OCA_PCSC_POKE" "$VCARD_READER" pinpad "$GNUPG"
like "  not supported" "$T/out" 'error Not supported'

tap_done
