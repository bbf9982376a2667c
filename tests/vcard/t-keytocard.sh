#!/bin/sh
# t-keytocard.sh - gpg keytocard of RSA 4096, Ed25519 and Cv25519 keys
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/../lib.sh"
. "$srcdir/harness.sh"

vcard_setup || { echo "Bail out! harness setup failed"; exit 1; }
check "plug card" vcard_plug kc --serial 00C0FFEE
vcard_gnupghome kc "$T/gh"
export GNUPGHOME="$T/gh"
echo "to the card" > "$T/msg"

# edit_key KEY FILE: gpg --edit-key KEY with the commands in FILE.
edit_key () {
  "$GPG" --no-tty --command-fd 0 --status-fd 1 --edit-key "$1" < "$2"
}
fpr_of () {
  "$GPG" --with-colons -k "$1" | awk -F: '$1=="fpr"{print $10; exit}'
}

check "create RSA 4096 key" "$GPG" --batch --pinentry-mode loopback \
  --passphrase '' --quick-gen-key 'Rsa Four <r4@example.org>' rsa4096 sign never
fpr=$(fpr_of r4@example.org)
printf 'keytocard\ny\n1\nsave\n' > "$T/cmds"
check "keytocard RSA 4096 (signature slot)" edit_key "$fpr" "$T/cmds"
check "card status" "$GPG" --batch --card-status
like "rsa4096 attribute set by keytocard" "$T/out" '^Key attributes \.+: rsa4096 rsa2048 rsa2048$'
like "fingerprint on the card" "$T/out" "^Signature key \.+: $(echo "$fpr" | sed 's/\(....\)/\1 /g; s/ $//' | sed 's/\(.\{24\}\) /\1  /')\$"
check "secret key is a card stub" sh -c "'$GPG' -K '$fpr' | grep -q 'sec>  rsa4096'"
check "sign with RSA 4096 on the card" "$GPG" --batch -u "$fpr" -o "$T/r4.sig" --sign "$T/msg"
check "verify" "$GPG" --batch --verify "$T/r4.sig"
like "good RSA signature" "$T/err" 'Good signature from "Rsa Four'

check "create Ed25519 key with Cv25519 subkey" "$GPG" --batch \
  --pinentry-mode loopback --passphrase '' \
  --quick-gen-key 'Ed Two <e2@example.org>' ed25519 sign never
efpr=$(fpr_of e2@example.org)
check "add Cv25519 subkey" "$GPG" --batch --pinentry-mode loopback \
  --passphrase '' --quick-add-key "$efpr" cv25519 encr never
printf 'keytocard\ny\n1\ny\nkey 1\nkeytocard\n2\nsave\n' > "$T/cmds"
check "keytocard Ed25519 (signature) and Cv25519 (decryption)" edit_key "$efpr" "$T/cmds"
check "card status" "$GPG" --batch --card-status
like "25519 attributes set by keytocard" "$T/out" '^Key attributes \.+: ed25519 cv25519 rsa2048$'
check "sign with Ed25519 on the card" "$GPG" --batch -u "$efpr" -o "$T/e2.sig" --sign "$T/msg"
check "verify" "$GPG" --batch --verify "$T/e2.sig"
like "good EdDSA signature" "$T/err" 'Good signature from "Ed Two'
check "encrypt to the Cv25519 subkey" "$GPG" --batch -r "$efpr" -o "$T/e2.gpg" --encrypt "$T/msg"
check "decrypt with the imported Cv25519 key" "$GPG" --batch -o "$T/e2.out" --decrypt "$T/e2.gpg"
check "plaintext matches" cmp "$T/msg" "$T/e2.out"

tap_done
