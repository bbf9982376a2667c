#!/bin/sh
# t-ca.sh - ca init/show/export/private with gpg
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain Example.ORG --algo ed25519 softkey
like "ca init announces the CA" "$T/out" '^Initialized OpenPGP CA instance:$'
mode=$(stat -c %a "$DB")
is "database file mode 0600" "$mode" 600

check "ca show" oca -d "$DB" ca show
is "ca show prints four lines" "$(wc -l < "$T/out")" 4
like "ca show: domain (lowercased)" "$T/out" '^    CA Domain: example\.org$'
like "ca show: fingerprint" "$T/out" '^  Fingerprint: [0-9A-F]{40}$'
like "ca show: creation time" "$T/out" '^Creation time: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC$'
like "ca show: backend" "$T/out" '^   CA Backend: Softkey \(private key material in CA database\)$'
FPR=$(awk '/Fingerprint:/{print $2}' "$T/out")
ctime=$(sed -n 's/^Creation time: \(.*\) UTC$/\1/p' "$T/out")
now=$(date -u +%s); then_=$(date -u -d "$ctime" +%s)
test $((now - then_)) -ge 0 -a $((now - then_)) -lt 600
is "creation time is now (UTC)" $? 0

cp "$DB" "$T/before.db"
check_fails "ca init twice is refused" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
one_line "re-init: one line" "$T/err"
like "re-init: message" "$T/err" 'already initialized'
check "re-init: database unchanged" cmp "$DB" "$T/before.db"

for d in "example" "example.org." ".example.org" "exa mple.org" "-x.example.org" "x-.org" "a..b" "example.123"; do
  check_fails "invalid domain '$d' refused" oca -d "$T/bad.db" ca init --domain "$d" --algo ed25519 softkey
  like "invalid domain '$d': message" "$T/err" "^oca: Invalid domainname: '"
done
test ! -e "$T/bad.db"; is "invalid domains create no database" $? 0

check "ca export" oca -d "$DB" ca export
cp "$T/out" "$T/ca.asc"
like "ca export is armored" "$T/ca.asc" '^-----BEGIN PGP PUBLIC KEY BLOCK-----$'
check "gpg imports the CA cert" gpg_ --import "$T/ca.asc"
gpg_ --with-colons --list-keys "$FPR" > "$T/list"
like "gpg: CA user ID" "$T/list" '^uid:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:OpenPGP CA <openpgp-ca@example\.org>:'
like "gpg: primary is certify-only" "$T/list" '^pub:[^:]*:[^:]*:22:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:c[A-Z]*:'
like "gpg: signing subkey" "$T/list" '^sub:[^:]*:[^:]*:22:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:s:'
sig_lines "$FPR" > "$T/sigs"
like "gpg: CA self-signature good" "$T/sigs" "^OpenPGP CA <openpgp-ca@example.org>\|!\|$(keyid "$FPR")\|13x"
gpg_ --with-colons --list-sigs --list-options show-notations "$FPR" > "$T/nota" 2>&1
gpg_ --list-sigs --list-options show-notations "$FPR" > "$T/nota" 2>&1
like "gpg: domain notation" "$T/nota" 'openpgp-ca@notations.sequoia-pgp.org=domain=example.org'

check "ca private" oca -d "$DB" ca private
cp "$T/out" "$T/ca.priv"
like "ca private is armored" "$T/ca.priv" '^-----BEGIN PGP PRIVATE KEY BLOCK-----$'
check "gpg imports ca private as a secret key" gpg_ --import "$T/ca.priv"
gpg_ --with-colons --list-secret-keys "$FPR" > "$T/sec"
like "gpg: secret primary present" "$T/sec" '^sec:'
like "gpg: secret subkey present" "$T/sec" '^ssb:'
echo "hello" > "$T/msg"
check "gpg signs with the CA signing subkey" gpg_ --local-user "$FPR" --detach-sign -o "$T/msg.sig" "$T/msg"
check "gpg verifies it" gpg_ --verify "$T/msg.sig" "$T/msg"

tap_done
