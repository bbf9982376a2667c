#!/bin/sh
# t-quirks.sh - GnuPG against a card with real-card quirks: no extended
# length (61xx + GET RESPONSE, chaining), C5 only in 6E, wrong PIN as
# 6982, no RSA 4096
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/../lib.sh"
. "$srcdir/vcard-lib.sh"

vcard_test_card qk "plug quirky card" --serial 00000B0B \
  --no-extended-length --fpr-only-in-6e --wrong-pin-6982 --no-rsa4096

check "card status" "$GPG" --batch --card-status
like "serial" "$T/out" '^Serial number \.+: 00000B0B$'
printf 'admin\ngenerate\nn\n0\nQuirk User\nquirk@example.org\n\nquit\n' > "$T/cmds"
check "generate RSA 2048 keys (short APDUs only)" edit_card "$T/cmds"
check "card status" "$GPG" --batch --card-status
like "fingerprints read from 6E" "$T/out" '^Signature key \.+: [0-9A-F ]{50}$'
echo "quirks" > "$T/msg"
check "sign" "$GPG" --batch -u quirk@example.org -o "$T/m.sig" --sign "$T/msg"
check "verify" "$GPG" --batch --verify "$T/m.sig"
check "encrypt" "$GPG" --batch -r quirk@example.org -o "$T/m.gpg" --encrypt "$T/msg"
check "decrypt (chained PSO:DECIPHER)" "$GPG" --batch -o "$T/m.out" --decrypt "$T/m.gpg"
check "plaintext matches" cmp "$T/msg" "$T/m.out"
like "GET RESPONSE was used" "$T/vcard-qk.apdus" '^00 C0 00 00$'
like "command chaining was used" "$T/vcard-qk.apdus" '^10 '

printf 'admin\nkey-attr\n1\n4096\n1\n2048\n1\n2048\nquit\n' > "$T/cmds"
edit_card "$T/cmds" > "$T/out" 2>&1
if vcard_profile_has attr-change; then
  like "gpg tried to set RSA 4096" "$T/vcard-qk.apdus" '^00 DA 00 C1$'
else
  unlike "fixed attributes: gpg did not try" "$T/vcard-qk.apdus" '^00 DA 00 C1$'
fi
vcard_kill_agent "$T/gh"
check "card status" "$GPG" --batch --card-status
like "RSA 4096 refused by the card" "$T/out" '^Key attributes \.+: rsa2048 rsa2048 rsa2048$'

vcard_pins "$T/gh" 999999 111111
printf 'passwd\n1\nq\nquit\n' > "$T/cmds"
edit_card "$T/cmds" > "$T/out" 2>&1
like "wrong PIN (6982) fails" "$T/out" 'SC_OP_FAILURE'
check "card status" "$GPG" --batch --card-status
like "retry counter still counts down" "$T/out" '^PIN retry counter : 2 0 3$'

tap_done
