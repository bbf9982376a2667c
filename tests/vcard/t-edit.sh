#!/bin/sh
# t-edit.sh - gpg --edit-card: generate RSA and ECC (25519, else NIST)
# keys, sign, verify, encrypt, decrypt, change PINs, factory reset
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/../lib.sh"
. "$srcdir/vcard-lib.sh"

vcard_test_card ed "plug card" --serial 00ED0001


# --- RSA 2048 keys generated on the card.
printf 'admin\ngenerate\nn\n0\nRsa User\nrsa@example.org\n\nquit\n' > "$T/cmds"
check "generate RSA 2048 keys on the card" edit_card "$T/cmds"
check "card status" "$GPG" --batch --card-status
like "signature key present" "$T/out" '^Signature key \.+: [0-9A-F ]{50}$'
like "RSA 2048 attributes" "$T/out" '^Key attributes \.+: rsa2048 rsa2048 rsa2048$'
like "key info generated on card" "$T/out" 'card-no: FFFE 00ED0001'
check "secret key is on the card" sh -c "'$GPG' -K rsa@example.org | grep -q 'sec>  rsa2048'"

echo "hello card" > "$T/msg"
check "sign with the card" "$GPG" --batch -u rsa@example.org -o "$T/msg.sig" --sign "$T/msg"
check "verify the signature" "$GPG" --batch --verify "$T/msg.sig"
like "good signature" "$T/err" 'Good signature from "Rsa User'
check "signature counter counts" sh -c "'$GPG' --batch --card-status | grep -Eq '^Signature counter : [1-9]'"
check "encrypt to the card key" "$GPG" --batch -r rsa@example.org -o "$T/msg.gpg" --encrypt "$T/msg"
check "decrypt with the card" "$GPG" --batch -o "$T/msg.out" --decrypt "$T/msg.gpg"
check "decrypted text matches" cmp "$T/msg" "$T/msg.out"

# --- Change PINs (passwd menu: 1 change PIN, 3 change Admin PIN).
vcard_pins "$T/gh" 123456 654321 12345678 87654321
printf 'admin\npasswd\n1\n3\nq\nquit\n' > "$T/cmds"
check "change PIN and Admin PIN" edit_card "$T/cmds"
like "PIN changed" "$T/out" 'SC_OP_SUCCESS'
vcard_default_pins "$T/gh" 654321 87654321
check "sign with the new PIN" "$GPG" --batch -u rsa@example.org -o "$T/msg2.sig" --sign "$T/msg"
printf 'admin\nname\nDoe\nJohn\nquit\n' > "$T/cmds"
check "admin command with the new Admin PIN" edit_card "$T/cmds"
vcard_kill_agent "$T/gh"
check "card status" "$GPG" --batch --card-status
like "name set with new Admin PIN" "$T/out" '^Name of cardholder: John Doe$'

# --- ECC via key-attr, then generate: Ed25519 / Cv25519, or NIST P-384
# on a card without 25519 (SmartPGP); an RSA-only card keeps RSA.
if vcard_profile_has algos ed25519; then
  curve=1 attrs="ed25519 cv25519 ed25519" using=EDDSA
elif vcard_profile_has algos nistp384; then
  curve=4 attrs="nistp384 nistp384 nistp384" using=ECDSA
else
  curve=1 attrs=""
fi
printf 'admin\nkey-attr\n2\n%s\n2\n%s\n2\n%s\ngenerate\nn\ny\n0\nEd User\ned@example.org\n\nquit\n' \
  $curve $curve $curve > "$T/cmds"
if [ -z "$attrs" ]; then
  edit_card "$T/cmds" > "$T/out" 2>&1
  check "card status" "$GPG" --batch --card-status
  like "RSA-only card: ECC attributes refused" "$T/out" \
    '^Key attributes \.+: rsa2048 rsa2048 rsa2048$'
else
check "key-attr ECC and generate" edit_card "$T/cmds"
check "card status" "$GPG" --batch --card-status
like "ECC attributes ($attrs)" "$T/out" "^Key attributes \.+: $attrs\$"
check "sign with the ECC card key" "$GPG" --batch -u ed@example.org -o "$T/ed.sig" --sign "$T/msg"
check "verify the ECC signature" "$GPG" --batch --verify "$T/ed.sig"
like "good $using signature" "$T/err" "using $using key"
check "encrypt to the ECDH key" "$GPG" --batch -r ed@example.org -o "$T/ed.gpg" --encrypt "$T/msg"
check "decrypt with ECDH on the card" "$GPG" --batch -o "$T/ed.out" --decrypt "$T/ed.gpg"
check "decrypted text matches" cmp "$T/msg" "$T/ed.out"
fi

# --- Factory reset.
printf 'admin\nfactory-reset\ny\nyes\nquit\n' > "$T/cmds"
check "factory-reset" edit_card "$T/cmds"
vcard_kill_agent "$T/gh"
vcard_default_pins "$T/gh" 123456 12345678
check "card status after reset" "$GPG" --batch --card-status
like "keys gone" "$T/out" '^Signature key \.+: \[none\]$'
like "name gone" "$T/out" '^Name of cardholder: \[not set\]$'
like "attributes back to RSA 2048" "$T/out" '^Key attributes \.+: rsa2048 rsa2048 rsa2048$'
like "serial kept" "$T/out" '^Serial number \.+: 00ED0001$'
printf 'admin\nname\nRoe\nRick\nquit\n' > "$T/cmds"
check "factory Admin PIN works" edit_card "$T/cmds"

tap_done
