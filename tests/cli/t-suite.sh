#!/bin/sh
# t-suite.sh - openpgp-ca 0.14's options: --cipher-suite (ca init, user
#              add; --algo an alias), the default suite Cv25519, user add
#              --encryption/--signing/--authentication and
#              --password-file (one trailing newline stripped)
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

# pub_algo FILE: "ALGO:CURVE-OR-BITS" of the primary key gpg finds in
# FILE (armored public or secret key).
pub_algo () {
  gpg_ --with-colons --show-keys "$1" 2>/dev/null |
    awk -F: '($1=="pub"||$1=="sec"){print $4 ":" ($17!="" ? $17 : $3); exit}'
}
# sub_uses FILE: the usage letters of the subkeys, one per line, sorted.
sub_uses () {
  gpg_ --with-colons --show-keys "$1" 2>/dev/null |
    awk -F: '($1=="sub"||$1=="ssb"){print $4 ":" $12}' | sort | tr '\n' ' '
}

## The default suite: Cv25519.
check "ca init without a suite" oca -d "$T/d.db" ca init --domain example.org softkey
oca -d "$T/d.db" ca export > "$T/d.asc"
is "default CA key: Ed25519" "$(pub_algo "$T/d.asc")" "22:ed25519"
check "user add on it" oca -d "$T/d.db" user add -e alice@example.org -n Alice
sed -n '/BEGIN PGP PRIVATE/,/END PGP PRIVATE/p' "$T/out" > "$T/alice.key"
is "user key: Ed25519" "$(pub_algo "$T/alice.key")" "22:ed25519"
is "subkeys: Cv25519 encryption, Ed25519 signing" "$(sub_uses "$T/alice.key")" "18:e 22:s "

## Every suite (RSA 3072/4096 left to the unit tests: slow to make).
for spec in cv25519:22:ed25519 rsa2k:1:2048 p256:19:nistp256 P384:19:nistp384 p521:19:nistp521; do
  s=${spec%%:*}; want=${spec#*:}
  check "ca init --cipher-suite $s" oca -d "$T/$s.db" ca init --domain example.org --cipher-suite "$s" softkey
  oca -d "$T/$s.db" ca export > "$T/$s.asc"
  is "$s: CA key $want" "$(pub_algo "$T/$s.asc")" "$want"
  check "$s: user add certifies" oca -d "$T/$s.db" user add -e bob@example.org
  oca -d "$T/$s.db" user export > "$T/$s-all.asc"
  GNUPGHOME="$T/g-$s"; mkdir -m 700 "$GNUPGHOME"; export GNUPGHOME
  gpg_ --import "$T/$s-all.asc" 2>/dev/null
  CA=$(ca_fpr "$T/$s.db")
  echo "$CA:6:" | gpg_ --import-ownertrust
  gpg_ --check-trustdb >/dev/null 2>&1
  B=$(gpg_ --with-colons -k bob@example.org | awk -F: '$1=="fpr"{print $10; exit}')
  is "$s: user key of the CA's kind" "$(gpg_ --export -a "$B" > "$T/b.asc"; pub_algo "$T/b.asc")" "$want"
  is "$s: gpg: bob fully valid" "$(uid_validity "$B" "<bob@example.org>")" f
  "$GPGCONF" --kill all
done
export GNUPGHOME="$T/gnupg"
check "the alias --algo takes a suite" oca -d "$T/alias.db" ca init --domain example.org --algo P256 softkey
oca -d "$T/alias.db" ca export > "$T/alias.asc"
is "  nistp256" "$(pub_algo "$T/alias.asc")" "19:nistp256"
check "and an older name" oca -d "$T/alias2.db" ca init --domain example.org --cipher-suite ed25519 softkey

usage2 () {
  _d=$1; shift
  "$@" >"$T/out" 2>"$T/err"
  is "$_d: exit 2" "$?" 2
  one_line "$_d: one line" "$T/err"
}
usage2 "unknown suite" oca -d "$T/bad.db" ca init --domain example.org --cipher-suite dsa softkey
like "  names the suites" "$T/err" "unknown cipher suite 'dsa' \(cv25519, rsa2k, rsa3k, rsa4k, p256, p384 or p521\)"
test ! -e "$T/bad.db"; is "  no database" $? 0

## user add --cipher-suite and the subkeys.
DB="$T/cv25519.db"
cp "$DB" "$T/before.db"
usage2 "user add: unknown suite" oca -d "$DB" user add -e x@example.org --cipher-suite x25519
usage2 "user add: --signing takes true or false" oca -d "$DB" user add -e x@example.org --signing maybe
usage2 "user add: --encryption needs a value" oca -d "$DB" user add -e x@example.org --encryption
check "  database byte-identical" cmp "$DB" "$T/before.db"

check "user add --cipher-suite p384 on a Cv25519 CA" oca -d "$DB" user add -e carol@example.org --cipher-suite p384
sed -n '/BEGIN PGP PRIVATE/,/END PGP PRIVATE/p' "$T/out" > "$T/carol.key"
is "  P-384 user key" "$(pub_algo "$T/carol.key")" "19:nistp384"
check "user add --encryption false --signing false --authentication true" \
  oca -d "$DB" user add -e dave@example.org --encryption false --signing false --authentication true
sed -n '/BEGIN PGP PRIVATE/,/END PGP PRIVATE/p' "$T/out" > "$T/dave.key"
is "  one authentication subkey" "$(sub_uses "$T/dave.key")" "22:a "
check "user add --authentication TRUE (three subkeys)" \
  oca -d "$DB" user add -e erin@example.org --authentication TRUE
sed -n '/BEGIN PGP PRIVATE/,/END PGP PRIVATE/p' "$T/out" > "$T/erin.key"
is "  e, s and a" "$(sub_uses "$T/erin.key")" "18:e 22:a 22:s "
check "user add with no subkey at all" \
  oca -d "$DB" user add -e fay@example.org --encryption false --signing false
sed -n '/BEGIN PGP PRIVATE/,/END PGP PRIVATE/p' "$T/out" > "$T/fay.key"
is "  none" "$(sub_uses "$T/fay.key")" ""
oca -d "$DB" user export > "$T/all.asc"
CA=$(ca_fpr "$DB")
check "gpg imports them" gpg_ --import "$T/all.asc"
echo "$CA:6:" | gpg_ --import-ownertrust
gpg_ --check-trustdb >/dev/null 2>&1
for u in carol dave erin fay; do
  F=$(gpg_ --with-colons -k "$u@example.org" | awk -F: '$1=="fpr"{print $10; exit}')
  is "gpg: $u fully valid" "$(uid_validity "$F" "<$u@example.org>")" f
done
SQWOT=$(command -v sq-wot || true)
if [ -n "$SQWOT" ]; then
  oca -d "$DB" ca export > "$T/ca.asc"
  check "sq-wot: dave (authentication subkey only) authenticated" \
    "$SQWOT" --keyring "$T/ca.asc" --keyring "$T/all.asc" --trust-root "$CA" lookup --email dave@example.org
else
  not_ok "sq-wot installed"
fi

## --password-file: one trailing newline is not part of the passphrase.

# signs_with KEYFILE PASS: the key in KEYFILE signs with passphrase PASS
# (in a GnuPG home of its own).
_sn=0
signs_with () {
  _sn=$((_sn + 1))
  _h=$T/sign-$_sn
  mkdir -m 700 "$_h"
  GNUPGHOME=$_h gpg_ --import "$1" >/dev/null 2>&1
  # Not -o /dev/null: a gpg that fails removes its output file, and as
  # root that is /dev/null itself.
  echo data | GNUPGHOME=$_h gpg_ --passphrase "$2" --sign -o "$_h/sig" 2>/dev/null
  _rc=$?
  GNUPGHOME=$_h "$GPGCONF" --kill all
  return $_rc
}
printf 'two words \n' > "$T/pass"
check "user add --password-file FILE" oca -d "$DB" user add -e gil@example.org --password-file "$T/pass"
sed -n '/BEGIN PGP PRIVATE/,/END PGP PRIVATE/p' "$T/out" > "$T/gil.key"
like "  not echoed, the file named" "$T/err" "^The key is protected with the password from '.*pass'\.$"
unlike "  the passphrase is not printed" "$T/err" "two words"
check "  the passphrase is the line without its newline" signs_with "$T/gil.key" "two words "
check_fails "  trailing space kept: without it, no" signs_with "$T/gil.key" "two words"
printf 'crlf\r\n' | oca -d "$DB" user add -e hal@example.org --password-file - -m > "$T/hal.out" 2>"$T/err"
is "--password-file - (stdin) -m" $? 0
is "  -m: the passphrase on the first line" "$(head -1 "$T/hal.out")" "crlf"
sed -n '/BEGIN PGP PRIVATE/,/END PGP PRIVATE/p' "$T/hal.out" > "$T/hal.key"
check "  \\r\\n is one newline" signs_with "$T/hal.key" "crlf"
printf '\n' > "$T/empty"
check "an empty passphrase" oca -d "$DB" user add -e ivy@example.org --password-file "$T/empty"
like "  reference message" "$T/err" "^No password set for this key\.$"
sed -n '/BEGIN PGP PRIVATE/,/END PGP PRIVATE/p' "$T/out" > "$T/ivy.key"
gpg_ --list-packets "$T/ivy.key" > "$T/ivy.pk" 2>&1
unlike "  the key is not protected" "$T/ivy.pk" "protect|S2K"
cp "$DB" "$T/before.db"
check_fails "a missing password file" oca -d "$DB" user add -e joe@example.org --password-file "$T/none"
one_line "  one line" "$T/err"
printf 'a\000b\n' > "$T/nul"
check_fails "a NUL byte in the password file" oca -d "$DB" user add -e joe@example.org --password-file "$T/nul"
one_line "  one line" "$T/err"
check "  database byte-identical" cmp "$DB" "$T/before.db"

tap_done
