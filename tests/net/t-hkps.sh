#!/bin/sh
# t-hkps.sh - a keyserver by name over TLS: nginx on keys.example.org:443
# (test CA) forwards to the rig's sks; gpg --keyserver hkps://... works
# through the rig and refuses a certificate of another CA.
# SPDX-License-Identifier: GPL-3.0-or-later

. "$srcdir/../lib.sh"
. "$srcdir/net-lib.sh"
net_setup web hkp
export LC_ALL=C TZ=UTC

gpg_ () { "$GPG" --batch --no-tty --quiet --pinentry-mode loopback --passphrase '' "$@"; }
KH=$T/keys
mkdir -m 700 "$KH"
at_exit "GNUPGHOME='$KH' '$GPGCONF' --kill all"
GNUPGHOME=$KH gpg_ --quick-gen-key 'Alice <alice@example.org>' ed25519 default never 2>/dev/null
ALICE=$(GNUPGHOME=$KH gpg_ --with-colons -k alice@example.org | awk -F: '$1=="fpr"{print $10; exit}')
GNUPGHOME=$KH gpg_ --export "$ALICE" > "$T/alice.pgp"
GNUPGHOME=$KH gpg_ --quick-gen-key 'Bob <bob@example.org>' ed25519 default never 2>/dev/null
BOB=$(GNUPGHOME=$KH gpg_ --with-colons -k bob@example.org | awk -F: '$1=="fpr"{print $10; exit}')
is "two test keys" "$(printf '%s\n' "$ALICE" "$BOB" | grep -c '^[0-9A-F]\{40\}$')" 2

check "sks with alice" net_sks_start "$T/alice.pgp"
net_gnupghome "$KH"
check "keys.example.org forwards to sks" \
  net_web_proxy keys.example.org "http://127.0.0.1:$NET_HKP_PORT"

H=$T/home
net_gnupghome "$H"
check "dirmngr.conf trusts the test CA for hkps" \
  grep -qx "hkp-cacert $NET_CA_PEM" "$H/dirmngr.conf"
hg () { GNUPGHOME=$H gpg_ "$@"; }
: > "$NET_WEB_LOG"
check "gpg --keyserver hkps://keys.example.org:443 --recv-keys alice" \
  hg --keyserver hkps://keys.example.org:443 --recv-keys "$ALICE"
check "alice is in the keyring" hg --with-colons -k "$ALICE"
like "the request went through nginx on keys.example.org" "$NET_WEB_LOG" \
  '^keys\.example\.org GET /pks/lookup 200$'
check "gpg --send-keys bob over hkps" \
  env GNUPGHOME="$KH" "$GPG" --batch --keyserver hkps://keys.example.org:443 --send-keys "$BOB"
check "sks has bob" net_hkp_get "$BOB"

check "serve keys.example.org with another CA's certificate" net_web_untrusted on
H2=$T/home2
net_gnupghome "$H2"
check_fails "hkps with an untrusted certificate: --recv-keys fails" \
  env GNUPGHOME="$H2" "$GPG" --batch --keyserver hkps://keys.example.org:443 --recv-keys "$ALICE"
like_soon "dirmngr logs the TLS verification failure" "$H2/dirmngr.log" \
  'TLS verification of peer failed'
check_fails "nothing imported" env GNUPGHOME="$H2" "$GPG" --batch -k "$ALICE"

tap_done
