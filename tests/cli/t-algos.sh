#!/bin/sh
# t-algos.sh - every --algo of ca init: init, certify, gpg checks
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

UK=$(gen_gpg_key "$T/u.asc" "Uma <uma@example.org>" "Uma Else <uma@else.example>")
test -n "$UK"; is "gpg made a user key" $? 0

# algo  gpg-pubkey-algo  gpg-key-length
for spec in rsa4096:1:4096 rsa3072:1:3072 rsa2048:1:2048 ed25519:22:255 \
            nistp256:19:256 nistp384:19:384; do
  algo=${spec%%:*}; rest=${spec#*:}; palgo=${rest%%:*}; plen=${rest#*:}
  DB="$T/$algo.db"
  check "$algo: ca init" oca -d "$DB" ca init --domain example.org --algo "$algo" softkey
  CA=$(ca_fpr "$DB")
  check "$algo: user import" oca -d "$DB" user import -e uma@example.org -f "$T/u.asc"
  check "$algo: ca export" oca -d "$DB" ca export
  cp "$T/out" "$T/$algo.ca"
  check "$algo: user export -e" oca -d "$DB" user export -e uma@example.org
  cp "$T/out" "$T/$algo.u"
  check "$algo: gpg imports the CA" gpg_ --import "$T/$algo.ca"
  check "$algo: gpg imports the user" gpg_ --import "$T/$algo.u"
  gpg_ --with-colons --list-keys "$CA" > "$T/l"
  like "$algo: gpg sees the CA key algorithm" "$T/l" "^pub:[^:]*:$plen:$palgo:"
  like "$algo: and the signing subkey" "$T/l" "^sub:[^:]*:$plen:$palgo:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:s:"
  sig_lines "$CA" > "$T/cs"
  like "$algo: CA self-signature good" "$T/cs" "^OpenPGP CA <openpgp-ca@example.org>\|!\|$(keyid "$CA")\|13x$"
  sig_lines "$UK" > "$T/us"
  like "$algo: certification good" "$T/us" "^Uma <uma@example.org>\|!\|$(keyid "$CA")\|10x$"
  unlike "$algo: other user ID not certified" "$T/us" "^Uma Else <uma@else.example>\|.*\|$(keyid "$CA")\|"
  check "$algo: ca private" oca -d "$DB" ca private
  cp "$T/out" "$T/in.asc"; check "$algo: gpg imports ca private" gpg_ --import "$T/in.asc"
  # user add generates a key of the CA's algorithm (skip RSA 4096: slow).
  if [ "$algo" != rsa4096 ]; then
    check "$algo: user add" oca -d "$DB" user add -e "v-$algo@example.org"
    check "$algo: user export" oca -d "$DB" user export -e "v-$algo@example.org"
    cp "$T/out" "$T/$algo.v"
    "$GPG" --with-colons --show-keys "$T/$algo.v" 2>/dev/null > "$T/vl"
    like "$algo: generated user key has the CA's algorithm" "$T/vl" "^pub:[^:]*:$plen:$palgo:"
    like "$algo: generated user key has an encryption subkey" "$T/vl" "^sub:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:e:"
    check "$algo: gpg imports the generated user" gpg_ --import "$T/$algo.v"
    VK=$(awk -F: '$1=="fpr"{print $10; exit}' "$T/vl")
    sig_lines "$VK" > "$T/vs"
    like "$algo: generated user certified" "$T/vs" "^<v-$algo@example.org>\|!\|$(keyid "$CA")\|10x$"
    check "$algo: ca export with tsig" oca -d "$DB" ca export
    cp "$T/out" "$T/in.asc"; check "$algo: gpg imports it" gpg_ --import "$T/in.asc"
    sig_lines "$CA" > "$T/cs"
    like "$algo: tsig on the CA good" "$T/cs" "^OpenPGP CA <openpgp-ca@example.org>\|!\|$(keyid "$VK")\|10x$"
  fi
done

tap_done
