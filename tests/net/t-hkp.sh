#!/bin/sh
# t-hkp.sh - the rig's HKP keyserver: Debian's sks on loopback with a
# database of its own, built from a dump; gpg --recv-keys / --send-keys
# against it, third-party certifications, updates, and failures.
# SPDX-License-Identifier: GPL-3.0-or-later

. "$srcdir/../lib.sh"
. "$srcdir/net-lib.sh"
net_setup hkp
export LC_ALL=C TZ=UTC

gpg_ () { "$GPG" --batch --no-tty --quiet --pinentry-mode loopback --passphrase '' "$@"; }
KH=$T/keys
mkdir -m 700 "$KH"
at_exit "GNUPGHOME='$KH' '$GPGCONF' --kill all"
kgpg () { GNUPGHOME=$KH gpg_ "$@"; }
fpr_of () { kgpg --with-colons -k "$1" | awk -F: '$1=="fpr"{print $10; exit}'; }
for u in 'Alice <alice@example.org>' 'Bob <bob@example.org>' \
         'Carol <carol@example.org>' 'Example CA <openpgp-ca@example.org>'; do
  kgpg --quick-gen-key "$u" ed25519 default never 2>/dev/null
done
ALICE=$(fpr_of alice@example.org)
BOB=$(fpr_of bob@example.org)
CAROL=$(fpr_of carol@example.org)
CA=$(fpr_of openpgp-ca@example.org)
kgpg --export "$ALICE" > "$T/alice.pgp"
kgpg --armor --export "$BOB" > "$T/bob.asc"
is "four test keys" \
  "$(printf '%s\n' "$ALICE" "$BOB" "$CAROL" "$CA" | grep -c '^[0-9A-F]\{40\}$')" 4

# The database: alice (binary) and bob (armored); carol comes later.
check "sks builds its database from a dump and serves HKP" \
  net_sks_start "$T/alice.pgp" "$T/bob.asc"
is "keyserver URL" "$NET_HKP_URL" "hkp://127.0.0.1:$NET_HKP_PORT"
check "sks listens on 127.0.0.1 only" \
  grep -qx "hkp_address: 127.0.0.1" "$NET/sks/etc/sks/sksconf"
check "the dumped key is stored (raw lookup)" net_hkp_get "$ALICE"
check_fails "a key not in the dump is not" net_hkp_get "$CAROL"

H1=$T/home1
net_gnupghome "$H1"
check "dirmngr.conf names the rig's keyserver" \
  grep -qx "keyserver $NET_HKP_URL" "$H1/dirmngr.conf"
h1 () { GNUPGHOME=$H1 gpg_ "$@"; }
has_key () { GNUPGHOME=$1 gpg_ --with-colons -k "$2" >/dev/null 2>&1; }

check "gpg --recv-keys alice from sks" h1 --recv-keys "$ALICE"
check "alice is in the keyring" has_key "$H1" "$ALICE"
check "gpg --keyserver URL --recv-keys bob (armored in the dump)" \
  h1 --keyserver "$NET_HKP_URL" --recv-keys "$BOB"
check "bob is in the keyring" has_key "$H1" "$BOB"
check_fails "--recv-keys of a key sks does not have fails" h1 --recv-keys "$CAROL"
like "gpg says no data" "$T/err" 'No data'

check "gpg --send-keys carol" kgpg --keyserver "$NET_HKP_URL" --send-keys "$CAROL"
check "sks stores carol" net_hkp_get "$CAROL"
check "another home receives carol" h1 --recv-keys "$CAROL"

# A third-party certification: the CA certifies bob's User ID.
check "the CA certifies bob" kgpg -u "$CA" --quick-sign-key "$BOB" 'Bob <bob@example.org>'
check "--send-keys bob with the CA's certification" \
  kgpg --keyserver "$NET_HKP_URL" --send-keys "$BOB"
net_hkp_get "$BOB" > "$T/bob-sks.asc"
"$GPG" --batch --list-packets < "$T/bob-sks.asc" > "$T/bob-packets" 2>&1
CAKEYID=$(echo "$CA" | cut -c25-40)
like "sks keeps the third-party certification" "$T/bob-packets" \
  "^:signature packet: algo [0-9]+, keyid $CAKEYID"

H2=$T/home2
net_gnupghome "$H2"
h2 () { GNUPGHOME=$H2 gpg_ "$@"; }
kgpg --export "$CA" | h2 --import 2>/dev/null
# sig_from HOME FPR KEYID: gpg --check-sigs shows a good signature by KEYID
sig_from () {
  GNUPGHOME=$1 gpg_ --with-colons --check-sigs "$2" 2>/dev/null |
    awk -F: -v k="$3" '$1=="sig" && $5==k && $2=="!" {f=1} END {exit !f}'
}
check "home2 receives bob with gpg's default options" h2 --recv-keys "$BOB"
check_fails "gpg 2.2 drops it on --recv-keys by default (self-sigs-only)" \
  sig_from "$H2" "$BOB" "$CAKEYID"
check "--keyserver-options no-self-sigs-only" \
  h2 --keyserver-options no-self-sigs-only --recv-keys "$BOB"
check "then gpg shows the CA's certification on bob, valid" \
  sig_from "$H2" "$BOB" "$CAKEYID"

# An update: alice gets a new subkey; a home with the old alice pulls it.
check "alice gets a new encryption subkey" \
  kgpg --quick-add-key "$ALICE" cv25519 encr never
NEWSUB=$(kgpg --with-colons -k "$ALICE" | awk -F: '$1=="fpr"{n++; f=$10} END{print f}')
check "--send-keys the updated alice" kgpg --keyserver "$NET_HKP_URL" --send-keys "$ALICE"
check "home1 refreshes alice" h1 --recv-keys "$ALICE"
check "home1 has alice's new subkey" \
  sh -c "GNUPGHOME='$H1' '$GPG' --batch --with-colons -k '$ALICE' | grep -q '^fpr:.*:$NEWSUB:'"

# The database outlives a restart.
check "net_sks_restart" net_sks_restart
check "after a restart sks still has the updated alice" \
  sh -c "'$NET_CURL' -sf 'http://127.0.0.1:$NET_HKP_PORT/pks/lookup?op=get&options=mr&search=0x$ALICE' \
         | '$GPG' --batch --with-colons --import-options show-only --import \
         | grep -q '^fpr:.*:$NEWSUB:'"

# net_sks_add: the raw /pks/add.
kgpg --quick-gen-key 'Dave <dave@example.org>' ed25519 default never 2>/dev/null
DAVE=$(fpr_of dave@example.org)
kgpg --armor --export "$DAVE" > "$T/dave.asc"
check_fails "dave is not on sks yet" net_hkp_get "$DAVE"
check "net_sks_add posts dave" net_sks_add "$T/dave.asc"
check "dave is on sks" net_hkp_get "$DAVE"

# Failures: a frozen, a stopped server, a closed port, a wrong answer.
check "net_freeze sks" net_freeze sks
check_fails "frozen sks: a request times out" \
  "$NET_CURL" -sf -o /dev/null --max-time 2 \
    "http://127.0.0.1:$NET_HKP_PORT/pks/lookup?op=stats"
check "net_thaw sks" net_thaw sks
check "thawed sks answers" net_hkp_get "$ALICE"

check "net_sks_stop" net_sks_stop
check_fails "stopped sks: --recv-keys fails" h1 --recv-keys "$ALICE"
like "gpg: no keyserver available" "$T/err" 'No keyserver available'
like_soon "dirmngr: connection refused" "$H1/dirmngr.log" "error connecting to 'http://127.0.0.1:$NET_HKP_PORT': Connection refused"
check "net_sks_start again" net_sks_start
check "started again: --recv-keys works" h1 --recv-keys "$ALICE"

PORT=$(net_closed_port)
check_fails "closed port: --recv-keys fails" \
  h1 --keyserver "hkp://127.0.0.1:$PORT" --recv-keys "$ALICE"
like_soon "dirmngr: connection refused" "$H1/dirmngr.log" "error connecting to 'http://127.0.0.1:$PORT': Connection refused"

printf "<html>not a key</html>\n" > "$T/garbage"
check "a plain HTTP server answering garbage" net_http_file bad "$T/garbage"
BAD=$(net_http_url bad)
check "it answers any path with the file" \
  sh -c "'$NET_CURL' -sf '$BAD/pks/lookup?op=get&search=0x$ALICE' | cmp - '$T/garbage'"
H3=$T/home3
net_gnupghome "$H3"
check_fails "garbage HKP answer: --recv-keys fails" \
  env GNUPGHOME="$H3" "$GPG" --batch --keyserver "hkp://127.0.0.1:${BAD##*:}" \
    --recv-keys "$ALICE"
like "gpg: no valid OpenPGP data" "$T/err" 'no valid OpenPGP data found'
check_fails "garbage HKP answer: nothing imported" has_key "$H3" "$ALICE"
check "the same server answering HTTP 500" net_http_status bad 500
check_fails "HKP 500: --recv-keys fails" \
  env GNUPGHOME="$H3" "$GPG" --batch --keyserver "hkp://127.0.0.1:${BAD##*:}" \
    --recv-keys "$ALICE"
like_soon "dirmngr: http status 500" "$H3/dirmngr.log" "/pks/lookup.*: http status 500"
check_fails "HKP 500: nothing imported" has_key "$H3" "$ALICE"

tap_done
