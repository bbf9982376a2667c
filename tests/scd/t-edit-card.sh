#!/bin/sh
# t-edit-card.sh - gpg --edit-card / keytocard through oca-scd
# SPDX-License-Identifier: GPL-3.0-or-later
#
# gpg-agent runs oca-scd (scdaemon-program); gpg is driven with
# --no-tty --command-fd 0 --status-fd 1 and PINs come from the vcard
# harness's test pinentry.  Generate Ed25519/Cv25519 keys (NIST P-384
# or RSA on cards without them), keytocard, sign + verify, encrypt +
# decrypt, passwd, factory reset, then RSA 2048 generation.
. "$srcdir/../lib.sh"
. "$srcdir/scd-lib.sh"

SCD_UNDER_TEST=oca
scd_need_rig
scd_card a 0000ED17
gh="$T/home-a"
sed -i "s|^scdaemon-program .*|scdaemon-program $OCA_SCD|" "$gh/gpg-agent.conf"
export GNUPGHOME="$gh"
echo "hello card" > "$T/msg"

# edit_card, edit_key, fpr_of: tests/vcard/vcard-lib.sh.
status () { "$GPG" --batch --card-status; }

# What the card of this run's profile takes: Ed25519/Cv25519, else
# NIST P-384 (gpg's key-attr curve 4), else RSA only (no key-attr).
if vcard_profile_has algos ed25519; then
  ka='key-attr\n2\n1\n2\n1\n2\n1\n' attrs="ed25519 cv25519 ed25519"
  salgo=ed25519 ealgo=cv25519
elif vcard_profile_has algos nistp384; then
  ka='key-attr\n2\n4\n2\n4\n2\n4\n' attrs="nistp384 nistp384 nistp384"
  salgo=nistp384 ealgo=nistp384
else
  ka='' attrs="rsa2048 rsa2048 rsa2048" salgo=rsa2048 ealgo=rsa2048
fi

# --- Keys generated on the card.
printf "admin\n${ka}generate\nn\n0\nEd User\ned@example.org\n\nquit\n" > "$T/cmds"
check "key-attr ($salgo) and generate" edit_card "$T/cmds"
like "generate: key created" "$T/out" '^\[GNUPG:\] KEY_CREATED B '
check "the agent's card daemon is oca-scd" \
  "$GPG_CONNECT_AGENT" "SCD GETINFO pid" /bye
scdpid=$(sed -n 's/^D \([0-9]*\)$/\1/p' "$T/out")
is "... (its executable)" \
  "$(readlink -f "/proc/${scdpid:-0}/exe" 2>/dev/null)" "$(readlink -f "$OCA_SCD")"
check "card status" status
like "attributes $attrs" "$T/out" "^Key attributes \.+: $attrs\$"
like "signature key present" "$T/out" '^Signature key \.+: [0-9A-F ]{50}$'
like "general key info from the keyring" "$T/out" "^General key info\.+: pub  $salgo/"
check "secret key is a card stub" sh -c "'$GPG' -K ed@example.org | grep -q 'sec>  $salgo'"
check "sign with $salgo on the card" "$GPG" --batch -u ed@example.org -o "$T/ed.sig" --sign "$T/msg"
check "verify" "$GPG" --batch --verify "$T/ed.sig"
like "good signature" "$T/err" 'Good signature from "Ed User'
check "encrypt to the $ealgo card key" "$GPG" --batch -r ed@example.org -o "$T/ed.gpg" --encrypt "$T/msg"
check "decrypt with $ealgo on the card" "$GPG" --batch -o "$T/ed.out" --decrypt "$T/ed.gpg"
check "plaintext matches" cmp "$T/msg" "$T/ed.out"
like "the PIN was asked with oca-scd's prompt" "$gh/pinentry.log" 'Please unlock the card|PIN'

# --- keytocard (replacing the generated keys; through oca-scd's
# WRITEKEY in the card's own import format).
check "create $salgo key with $ealgo subkey" "$GPG" --batch \
  --pinentry-mode loopback --passphrase '' \
  --quick-gen-key 'Kay Two <k2@example.org>' $salgo sign never
kfpr=$(fpr_of k2@example.org)
check "add $ealgo subkey" "$GPG" --batch --pinentry-mode loopback \
  --passphrase '' --quick-add-key "$kfpr" $ealgo encr never
printf 'keytocard\ny\n1\ny\nkey 1\nkeytocard\n2\ny\nsave\n' > "$T/cmds"
check "keytocard $salgo (signature) and $ealgo (decryption)" edit_key "$kfpr" "$T/cmds"
check "card status" status
kgrp=$(echo "$kfpr" | sed 's/\(....\)/\1 /g; s/ $//' | sed 's/\(.\{24\}\) /\1  /')
like "the imported key's fingerprint is on the card" "$T/out" "^Signature key \.+: $kgrp\$"
check "secret key is now a card stub" sh -c "'$GPG' -K '$kfpr' | grep -q 'sec>  $salgo'"
check "sign with the imported key" "$GPG" --batch -u "$kfpr" -o "$T/k2.sig" --sign "$T/msg"
check "verify" "$GPG" --batch --verify "$T/k2.sig"
like "good signature" "$T/err" 'Good signature from "Kay Two'
check "encrypt to the imported $ealgo subkey" "$GPG" --batch -r "$kfpr" -o "$T/k2.gpg" --encrypt "$T/msg"
check "decrypt on the card" "$GPG" --batch -o "$T/k2.out" --decrypt "$T/k2.gpg"
check "plaintext matches" cmp "$T/msg" "$T/k2.out"

# --- passwd: change PIN and Admin PIN (menu 1, 3).
vcard_pins "$gh" 123456 654321 12345678 87654321
printf 'admin\npasswd\n1\n3\nq\nquit\n' > "$T/cmds"
check "passwd: change PIN and Admin PIN" edit_card "$T/cmds"
is "passwd: both changes succeeded" "$(grep -c 'SC_OP_SUCCESS' "$T/out")" 2
vcard_default_pins "$gh" 654321 87654321
check "sign with the new PIN" "$GPG" --batch -u "$kfpr" -o "$T/k3.sig" --sign "$T/msg"
check_fails "the old Admin PIN no longer works" sh -c \
  "printf '12345678\n' > '$gh/pinentry.queue'; printf 'admin\nname\nRoe\nOld\nquit\n' | '$GPG' --no-tty --command-fd 0 --status-fd 1 --edit-card | grep -q SC_OP_SUCCESS"
printf 'admin\nname\nDoe\nJohn\nquit\n' > "$T/cmds"
check "admin command with the new Admin PIN" edit_card "$T/cmds"
check "card status" status
like "name set" "$T/out" '^Name of cardholder: John Doe$'
like "one wrong Admin PIN was counted, then reset" "$T/out" '^PIN retry counter : 3 0 3$'

# --- Factory reset.
printf 'admin\nfactory-reset\ny\nyes\nquit\n' > "$T/cmds"
check "factory-reset" edit_card "$T/cmds"
vcard_kill_agent "$gh"
vcard_default_pins "$gh" 123456 12345678
check "card status after reset" status
like "keys gone" "$T/out" '^Signature key \.+: \[none\]$'
like "name gone" "$T/out" '^Name of cardholder: \[not set\]$'
like "attributes back to RSA 2048" "$T/out" '^Key attributes \.+: rsa2048 rsa2048 rsa2048$'
like "serial kept" "$T/out" '^Serial number \.+: 0000ED17$'

# --- RSA 2048 generated on the card, factory PINs.
printf 'admin\ngenerate\nn\n0\nRsa User\nrsa@example.org\n\nquit\n' > "$T/cmds"
check "generate RSA 2048 keys (factory Admin PIN)" edit_card "$T/cmds"
check "card status" status
n0=$(sed -n 's/^Signature counter : //p' "$T/out")
check "sign with RSA 2048 on the card" "$GPG" --batch -u rsa@example.org -o "$T/r.sig" --sign "$T/msg"
check "verify" "$GPG" --batch --verify "$T/r.sig"
like "good RSA signature" "$T/err" 'Good signature from "Rsa User'
check "encrypt to the RSA card key" "$GPG" --batch -r rsa@example.org -o "$T/r.gpg" --encrypt "$T/msg"
check "decrypt with RSA on the card" "$GPG" --batch -o "$T/r.out" --decrypt "$T/r.gpg"
check "plaintext matches" cmp "$T/msg" "$T/r.out"
check "card status" status
is "the signature counted once" "$(sed -n 's/^Signature counter : //p' "$T/out")" "$(( ${n0:-0} + 1 ))"

tap_done
