#!/bin/sh
# t-pins.sh - wrong PINs block; admin unblock; reset code; blocked PW3
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/../lib.sh"
. "$srcdir/vcard-lib.sh"

vcard_test_card pn "plug card" --serial 00000123

counters () {
  "$GPG" --batch --card-status 2>/dev/null | sed -n 's/^PIN retry counter : //p'
}
# wrong_pw1: one PIN change with a wrong old PIN (counts down PW1).
wrong_pw1 () {
  vcard_pins "$T/gh" 999999 111111
  printf 'passwd\n1\nq\nquit\n' > "$T/cmds"
  edit_card "$T/cmds" >/dev/null 2>&1
}

# Gnuk changes and resets the User PIN only once a key is loaded.
if vcard_profile_has pin-needs-keys; then
  vcard_pins "$T/gh" 123456 111111
  printf 'passwd\n1\nq\nquit\n' > "$T/cmds"
  edit_card "$T/cmds" > "$T/out" 2>&1
  like "no keys: the PIN cannot be changed" "$T/out" 'SC_OP_FAILURE'
  is "no keys: refused without using a try" "$(counters)" "3 0 3"
  printf 'admin\ngenerate\nn\n0\nPin User\npin@example.org\n\nquit\n' > "$T/cmds"
  check "generate keys first" edit_card "$T/cmds"
  vcard_kill_agent "$T/gh"
fi

wrong_pw1
is "one wrong PIN" "$(counters)" "2 0 3"
wrong_pw1; wrong_pw1
is "three wrong PINs block PW1" "$(counters)" "0 0 3"
vcard_pins "$T/gh" 123456 111111
printf 'passwd\n1\nq\nquit\n' > "$T/cmds"
edit_card "$T/cmds" > "$T/out" 2>&1
like "blocked PIN cannot be changed" "$T/out" 'SC_OP_FAILURE'

# Admin unblock (passwd menu 2): Admin PIN, then the new PIN.
vcard_pins "$T/gh" 12345678 222222
printf 'admin\npasswd\n2\nq\nquit\n' > "$T/cmds"
check "unblock PIN with the Admin PIN" edit_card "$T/cmds"
is "PW1 unblocked" "$(counters)" "3 0 3"

# Set a reset code (passwd menu 4).
vcard_pins "$T/gh" 12345678 87654321
printf 'admin\npasswd\n4\nq\nquit\n' > "$T/cmds"
check "set the Reset Code" edit_card "$T/cmds"
is "reset code has 3 tries" "$(counters)" "3 3 3"

vcard_default_pins "$T/gh" 222222 12345678
wrong_pw1; wrong_pw1; wrong_pw1
is "PW1 blocked again" "$(counters)" "0 3 3"
vcard_pins "$T/gh" 87654321 333333
printf 'unblock\nquit\n' > "$T/cmds"
check "unblock with the Reset Code" edit_card "$T/cmds"
is "PW1 unblocked by reset code" "$(counters)" "3 3 3"
vcard_pins "$T/gh" 333333 444444
printf 'passwd\n1\nq\nquit\n' > "$T/cmds"
check "new PIN from the reset code works" edit_card "$T/cmds"
like "PIN change succeeded" "$T/out" 'SC_OP_SUCCESS'

# Three wrong Admin PINs block PW3 (power-cycle first: PW3 is still
# verified from setting the reset code, as on a real card).
vcard_kill_agent "$T/gh"
vcard_restart pn
vcard_default_pins "$T/gh" 444444 99999999
printf 'admin\nname\nX\nY\nquit\n' > "$T/cmds"
edit_card "$T/cmds" >/dev/null 2>&1
vcard_kill_agent "$T/gh"
edit_card "$T/cmds" >/dev/null 2>&1
vcard_kill_agent "$T/gh"
edit_card "$T/cmds" >/dev/null 2>&1
vcard_kill_agent "$T/gh"
is "three wrong Admin PINs block PW3" "$(counters)" "3 3 0"
vcard_default_pins "$T/gh" 444444 12345678
edit_card "$T/cmds" > "$T/out" 2>&1
like "blocked PW3 refuses the right PIN" "$T/out" 'SC_OP_FAILURE'

# The card keeps the counters across a restart.
vcard_kill_agent "$T/gh"
check "restart card" vcard_restart pn
is "counters survive a restart" "$(counters)" "3 3 0"

tap_done
