#!/bin/sh
# t-keytocard.sh - gpg keytocard of RSA 4096, Ed25519 and Cv25519 keys
# (on cards without them: RSA 2048, NIST P-256; an RSA-only card
# refuses an ECC key)
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/../lib.sh"
. "$srcdir/vcard-lib.sh"

vcard_test_card kc "plug card" --serial 00C0FFEE
echo "to the card" > "$T/msg"


# The largest RSA the card takes (keytocard switches the attributes).
bits=2048
vcard_profile_has algos rsa4096 && vcard_profile_has attr-change && bits=4096
check "create RSA $bits key" "$GPG" --batch --pinentry-mode loopback \
  --passphrase '' --quick-gen-key 'Rsa Four <r4@example.org>' rsa$bits sign never
fpr=$(fpr_of r4@example.org)
printf 'keytocard\ny\n1\nsave\n' > "$T/cmds"
check "keytocard RSA $bits (signature slot)" edit_key "$fpr" "$T/cmds"
check "card status" "$GPG" --batch --card-status
like "rsa$bits attribute set by keytocard" "$T/out" "^Key attributes \.+: rsa$bits rsa2048 rsa2048\$"
like "fingerprint on the card" "$T/out" "^Signature key \.+: $(echo "$fpr" | sed 's/\(....\)/\1 /g; s/ $//' | sed 's/\(.\{24\}\) /\1  /')\$"
check "secret key is a card stub" sh -c "'$GPG' -K '$fpr' | grep -q 'sec>  rsa$bits'"
check "sign with RSA $bits on the card" "$GPG" --batch -u "$fpr" -o "$T/r4.sig" --sign "$T/msg"
check "verify" "$GPG" --batch --verify "$T/r4.sig"
like "good RSA signature" "$T/err" 'Good signature from "Rsa Four'

# ECC: Ed25519 + Cv25519 where the card has them, else NIST P-256.
if vcard_profile_has algos ed25519; then
  salgo=ed25519 ealgo=cv25519
else
  salgo=nistp256 ealgo=nistp256
fi
check "create $salgo key with $ealgo subkey" "$GPG" --batch \
  --pinentry-mode loopback --passphrase '' \
  --quick-gen-key 'Ed Two <e2@example.org>' $salgo sign never
efpr=$(fpr_of e2@example.org)
check "add $ealgo subkey" "$GPG" --batch --pinentry-mode loopback \
  --passphrase '' --quick-add-key "$efpr" $ealgo encr never
printf 'keytocard\ny\n1\ny\nkey 1\nkeytocard\n2\nsave\n' > "$T/cmds"
if ! vcard_profile_has algos $salgo; then
  # An RSA-only card (OpenPGP card 2.x, YubiKey NEO) takes no ECC key.
  edit_key "$efpr" "$T/cmds" > "$T/out" 2>&1
  check "card status" "$GPG" --batch --card-status
  like "RSA-only card: attributes unchanged" "$T/out" \
    "^Key attributes \.+: rsa$bits rsa2048 rsa2048\$"
  check_fails "RSA-only card: no ECC key went to the card" \
    sh -c "'$GPG' -K '$efpr' | grep -q 'sec>'"
  tap_done
  exit
fi
check "keytocard $salgo (signature) and $ealgo (decryption)" edit_key "$efpr" "$T/cmds"
check "card status" "$GPG" --batch --card-status
like "$salgo attributes set by keytocard" "$T/out" "^Key attributes \.+: $salgo $ealgo rsa2048\$"
check "sign with $salgo on the card" "$GPG" --batch -u "$efpr" -o "$T/e2.sig" --sign "$T/msg"
check "verify" "$GPG" --batch --verify "$T/e2.sig"
like "good ECC signature" "$T/err" 'Good signature from "Ed Two'
check "encrypt to the $ealgo subkey" "$GPG" --batch -r "$efpr" -o "$T/e2.gpg" --encrypt "$T/msg"
check "decrypt with the imported $ealgo key" "$GPG" --batch -o "$T/e2.out" --decrypt "$T/e2.gpg"
check "plaintext matches" cmp "$T/msg" "$T/e2.out"

tap_done
