#!/bin/sh
# t-pinpad.sh - PINs typed on the reader's pin-pad: oca-scd as scdaemon
# (issue 11 §5, spec B.7 and F)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The card sits in the tests' pin-pad reader (tests/vcard/ifd-pinpad.c);
# its keypad is a file the test fills.  With enable-pinpad-varlen
# oca-scd has the reader collect the PIN (FEATURE_VERIFY_PIN_DIRECT)
# and tells its client with INQUIRE POPUPPINPADPROMPT before and INQUIRE
# DISMISSPINPADPROMPT after, as GnuPG's scdaemon does; no PIN passes
# through the Assuan pipe.  Wrong PIN, Cancel and the reader's timeout
# fail the operation cleanly.  Without enable-pinpad-varlen, or with
# disable-pinpad, the PIN is asked with NEEDPIN as before.  Then gpg
# (gpg-agent running oca-scd) signs with the PIN typed on the pad, and
# so does gpg with GnuPG's own scdaemon on the same reader (the reader
# driver meets a real client).
# profile-run: once
. "$srcdir/../lib.sh"
. "$srcdir/scd-lib.sh"

SCD_UNDER_TEST=oca
scd_need_rig
: "${ASSCHK:=./asschk}"

check "plug a card into the pin-pad reader" vcard_plug_pinpad a --serial 0000BAD1
ho="$T/home-o"
scd_oca_home a "$ho"
gpg_o () { GNUPGHOME="$ho" "$GPG" "$@"; }
# count REGEX FILE: lines of FILE matching (0 when there is no FILE).
count () { _c=$(grep -c -- "$1" "$2" 2>/dev/null); echo "${_c:-0}"; }
getpins () { count '^GETPIN' "$ho/pinentry.log"; }
pad_verifies () { count "^verify 00 20 00 8$1 " "$PINPAD_DIR/log"; }

# Keys made through oca-scd with PINs from the pinentry (no pin-pad yet:
# oca-scd does not know that this reader takes PINs of any length).
printf "admin\ngenerate\nn\n0\nPad User\npad@example.org\n\nquit\n" > "$T/cmds"
check "generate keys (pinentry, the pad unused)" sh -c \
  "GNUPGHOME='$ho' '$GPG' --no-tty --command-fd 0 --status-fd 1 --edit-card < '$T/cmds'"
is "no pin-pad use without enable-pinpad-varlen" "$(pad_verifies 1)$(pad_verifies 3)" 00
check "signature PIN forced (one VERIFY per signature)" gpg_o --batch --card-status
like "  card status" "$T/out" '^Signature PIN \.+: forced$'
"$GPGCONF" --homedir "$ho" --kill all

# A conversation with oca-scd: conv NAME [conf lines...] < script
# The script may say
#   pad-prompt RE: the pin-pad prompt (its text matching RE) is shown
#                  and dismissed (the PIN typed on the pad meanwhile);
#   pad-sign RE:   PKSIGN of DI256, its PIN typed on the pad
#                  (pad-prompt RE).
conv () {
  _n=$1; shift
  cp "$ho/scdaemon.conf.base" "$ho/scdaemon.conf"
  for _l in "$@"; do echo "$_l" >> "$ho/scdaemon.conf"; done
  awk '$1 == "pad-sign" {
         print "send SETDATA ${DI256}"; print "expect-ok"
         print "send PKSIGN --hash=sha256 OPENPGP.1"; $1 = "pad-prompt" }
       $1 == "pad-prompt" {
         sub(/^pad-prompt /, "")
         print "expect-inquire POPUPPINPADPROMPT " $0; print "send-end"
         print "expect-inquire DISMISSPINPADPROMPT"; print "send-end"
         next }
       { print }' > "$T/$_n.asc"
  "$ASSCHK" --transcript "$T/$_n.transcript" --stderr "$T/$_n.err" \
    -D DI256=3031300D060960864801650304020105000420BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD \
    -D PIN=31323334353600 \
    "$T/$_n.asc" $(scd_server_argv "$ho") > "$T/$_n.tap" 2>&1
  _rc=$?
  if [ $_rc -eq 0 ]; then ok "conversation: $_n"; else
    not_ok "conversation: $_n"
    grep '^not ok' "$T/$_n.tap" | sed 's/^/#   /' | head -5
    sed 's/^/#   /' "$T/$_n.transcript" | cut -c1-160 | tail -20
  fi
}
cp "$ho/scdaemon.conf" "$ho/scdaemon.conf.base"

pinpad_keys 123456 654321 cancel timeout 123456
conv pinpad enable-pinpad-varlen <<'X'
expect-greeting
send SERIALNO
expect-ok
# The client refuses the prompt: nothing reaches the pad.
send SETDATA ${DI256}
expect-ok
send PKSIGN --hash=sha256 OPENPGP.1
expect-inquire POPUPPINPADPROMPT \|\|Please unlock the card%0A%0A.*
send-can
expect-err
shell test "$(head -1 "$PINPAD_DIR/keys")" = 123456
# Right PIN on the pad.
pad-sign \|\|Please unlock the card%0A%0A.*
expect-data-hex [0-9A-F]{128,1024}
expect-ok
# Wrong PIN: Bad PIN, and the dismiss inquiry still comes.
pad-sign .*
expect-err 87
# The prompt says how many tries are left.
pad-sign .*Remaining attempts: 2
expect-err 99
pad-sign .*
expect-err 62
pad-sign .*
expect-data-hex [0-9A-F]{128,1024}
expect-ok
send GETATTR CHV-STATUS
expect-status CHV-STATUS \+0\+127\+127\+127\+3\+0\+3
expect-ok
send BYE
expect-ok
X
is "the pad saw five entries, in order" \
  "$(grep -c . "$PINPAD_DIR/log")" 5
like "  right PIN" "$PINPAD_DIR/log" '^verify 00 20 00 81 min 6 max 127 -> 9000$'
like "  wrong PIN" "$PINPAD_DIR/log" '^verify 00 20 00 81 min 6 max 127 -> (63C2|6982)$'
like "  cancel" "$PINPAD_DIR/log" '^verify: cancel -> 6401$'
like "  timeout" "$PINPAD_DIR/log" '^verify: timeout -> 6400$'
check "the keypad is empty" test ! -s "$PINPAD_DIR/keys"
unlike "no PIN in oca-scd's log" "$T/pinpad.err" 123456

rm -f "$PINPAD_DIR/log"
# The PIN asked with NEEDPIN, as without a pin-pad.
cat > "$T/needpin.in" <<'X'
expect-greeting
send SETDATA ${DI256}
expect-ok
send PKSIGN --hash=sha256 OPENPGP.1
expect-inquire NEEDPIN \|\|Please unlock the card%0A%0A.*
send-data-hex ${PIN}
send-end
expect-data-hex [0-9A-F]{128,1024}
expect-ok
X
conv disabled enable-pinpad-varlen disable-pinpad < "$T/needpin.in"
conv no-varlen < "$T/needpin.in"
check "  the pad was not used" test ! -s "$PINPAD_DIR/log"

# gpg through gpg-agent and oca-scd.
cp "$ho/scdaemon.conf.base" "$ho/scdaemon.conf"
echo enable-pinpad-varlen >> "$ho/scdaemon.conf"
echo "signed on a pin-pad" > "$T/msg"
p0=$(getpins)
popups () { count '^CONFIRM ' "$ho/pinentry.log"; }
c0=$(popups)
# The user types when gpg-agent shows the prompt (its pinentry's CONFIRM
# without a PIN): the keypad stays empty until then.
gpg_o --batch -u pad@example.org -o "$T/sig.1" --sign "$T/msg" \
  > "$T/sign1.out" 2>&1 &
sp=$!
i=0
while [ "$(popups)" = "$c0" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
is "gpg-agent shows the pin-pad prompt before the PIN is typed" \
  "$(popups)" $((c0 + 1))
like "  the prompt names the card" "$ho/pinentry.log" '^CONFIRM .*0000BAD1'
pinpad_keys 123456
check "gpg --sign, the PIN on the pad (oca-scd)" wait $sp
check "  the signature verifies" gpg_o --batch --verify "$T/sig.1"
is "  no PIN asked by the pinentry" "$(getpins)" "$p0"
is "  the pad verified the PIN" "$(pad_verifies 1)" 1
pinpad_keys 654321
check_fails "wrong PIN on the pad: gpg fails" \
  gpg_o --batch -u pad@example.org -o "$T/sig.2" --sign "$T/msg"
like "  Bad PIN" "$T/err" '[Bb]ad PIN'
pinpad_keys cancel
check_fails "Cancel on the pad: gpg fails" \
  gpg_o --batch -u pad@example.org -o "$T/sig.3" --sign "$T/msg"
like "  cancelled" "$T/err" '[Cc]ancel'
pinpad_keys 123456
check "right PIN again" \
  gpg_o --batch -u pad@example.org -o "$T/sig.4" --sign "$T/msg"
is "  no PIN asked by the pinentry" "$(getpins)" "$p0"
"$GPGCONF" --homedir "$ho" --kill all

# The same with GnuPG's scdaemon: the reader driver meets a real client.
sed -i "s|^scdaemon-program .*|scdaemon-program $SCDAEMON|" "$ho/gpg-agent.conf"
rm -f "$PINPAD_DIR/log"
pinpad_keys 123456
check "gpg --sign, the PIN on the pad (GnuPG's scdaemon)" \
  gpg_o --batch -u pad@example.org -o "$T/sig.5" --sign "$T/msg"
check "  the signature verifies" gpg_o --batch --verify "$T/sig.5"
is "  no PIN asked by the pinentry" "$(getpins)" "$p0"
like "  the pad verified the PIN" "$PINPAD_DIR/log" '^verify 00 20 00 81 .*-> 9000$'
"$GPGCONF" --homedir "$ho" --kill all

# PASSWD on the pad (FEATURE_MODIFY_PIN_DIRECT): current PIN, new PIN,
# confirmation, all typed on the reader.
rm -f "$PINPAD_DIR/log"
pinpad_keys "123456 654321 654322" "123456 654321 654321" 654321
conv passwd enable-pinpad-varlen <<'X'
expect-greeting
send SERIALNO
expect-ok
send PASSWD 1
pad-prompt \|\|Please enter the PIN and New PIN
expect-err
send PASSWD 1
pad-prompt \|\|Please enter the PIN and New PIN
expect-ok
pad-sign .*
expect-data-hex [0-9A-F]{128,1024}
expect-ok
X
like "  confirmation differs: the reader says so" "$PINPAD_DIR/log" '^modify: new PINs differ -> 6402$'
like "  PIN changed on the pad" "$PINPAD_DIR/log" '^modify 00 24 00 81 min 6 max 127 -> 9000$'
like "  the new PIN signs" "$PINPAD_DIR/log" '^verify 00 20 00 81 min 6 max 127 -> 9000$'
tap_done
