#!/bin/sh
# t-wkd.sh - the rig's WKD: nginx serves a tree made by gpg-wks-client over
# HTTPS (test CA) on loopback; GnuPG's own WKD client finds the key by the
# advanced and the direct method and refuses what it refuses.
# SPDX-License-Identifier: GPL-3.0-or-later

. "$srcdir/../lib.sh"
. "$srcdir/net-lib.sh"
net_setup web
export LC_ALL=C TZ=UTC

gpg_ () { "$GPG" --batch --no-tty --quiet "$@"; }

# Keys: alice@example.org is published; mallory's key (no User ID for
# alice) is the "wrong key for the address".
KH=$T/keys
mkdir -m 700 "$KH"
GNUPGHOME=$KH gpg_ --passphrase '' --quick-gen-key 'Alice <alice@example.org>' \
  ed25519 default never 2>/dev/null
GNUPGHOME=$KH gpg_ --passphrase '' --quick-gen-key 'Mallory <mallory@example.org>' \
  ed25519 default never 2>/dev/null
fpr_of () {
  GNUPGHOME=$KH gpg_ --with-colons -k "$1" | awk -F: '$1=="fpr"{print $10; exit}'
}
ALICE=$(fpr_of alice@example.org)
MALLORY=$(fpr_of mallory@example.org)
GNUPGHOME=$KH gpg_ --armor --export "$ALICE" > "$T/alice.asc"
GNUPGHOME=$KH gpg_ --export "$MALLORY" > "$T/mallory.pgp"
at_exit "GNUPGHOME='$KH' '$GPGCONF' --kill all"
is "two test keys" "$(printf '%s\n' "$ALICE" "$MALLORY" | grep -c '^[0-9A-F]\{40\}$')" 2

HASH=$(net_wkd_hash alice@example.org)
is "WKD hash of alice@example.org (zbase32 of SHA-1 of the local part)" \
  "$HASH" kei1q4tipxxu1yj79k9kfukdhfy631xe

# Two trees: the advanced layout only, and the direct layout only.
ADV=$T/www-adv
DIR=$T/www-dir
check "gpg-wks-client --install-key makes the advanced tree" \
  net_wkd_install "$ADV" "$T/alice.asc" alice@example.org advanced
check "the direct tree" \
  net_wkd_install "$DIR" "$T/alice.asc" alice@example.org direct
check "advanced: key file and policy" \
  test -s "$ADV/.well-known/openpgpkey/example.org/hu/$HASH" \
    -a -f "$ADV/.well-known/openpgpkey/example.org/policy" \
    -a ! -e "$ADV/.well-known/openpgpkey/hu"
check "direct: key file and policy" \
  test -s "$DIR/.well-known/openpgpkey/hu/$HASH" \
    -a -f "$DIR/.well-known/openpgpkey/policy" \
    -a ! -e "$DIR/.well-known/openpgpkey/example.org"

check "nginx serves the advanced tree for openpgpkey.example.org" \
  net_web_site openpgpkey.example.org "$ADV"
check "server certificate chains to the test CA" \
  "$NET_OPENSSL" verify -CAfile "$NET_CA_PEM" "$NET/pki/server.pem"
"$NET_OPENSSL" x509 -in "$NET/pki/server.pem" -noout -ext subjectAltName \
  > "$T/san" 2>&1
like "certificate names openpgpkey.example.org" "$T/san" 'DNS:openpgpkey\.example\.org'

# The wire: HTTPS with the test CA, WKD's content type and CORS header.
URL=https://openpgpkey.example.org/.well-known/openpgpkey/example.org/hu/$HASH
check "curl (rig view) fetches the advanced URL" \
  net_run "$NET_CURL" -sSf -D "$T/headers" -o "$T/got" "$URL?l=alice"
like "Content-Type application/octet-stream" "$T/headers" \
  '^[Cc]ontent-[Tt]ype: application/octet-stream'
like "Access-Control-Allow-Origin: *" "$T/headers" \
  '^[Aa]ccess-[Cc]ontrol-[Aa]llow-[Oo]rigin: \*'
check "the body is the published key" \
  cmp "$T/got" "$ADV/.well-known/openpgpkey/example.org/hu/$HASH"
check "curl (rig view) fetches the policy file" \
  net_run "$NET_CURL" -sSf -o /dev/null \
    https://openpgpkey.example.org/.well-known/openpgpkey/example.org/policy
check_fails "without the test CA the server is not trusted" \
  "$NET_CURL" -sSf -o /dev/null --cacert "$NET/pki/other/ca.pem" \
    --resolve "openpgpkey.example.org:443:$NET_ADDR" "$URL"
check_fails "a name that is no site does not resolve in the rig view" \
  net_run "$NET_CURL" -sSf -o /dev/null --max-time 5 https://nosite.example.org/

# newhome NAME: a fresh GnuPG home configured for the rig.
newhome () {
  H=$T/home-$1
  net_gnupghome "$H"
}
# has_key HOME FPR
has_key () { GNUPGHOME=$1 gpg_ --with-colons -k "$2" >/dev/null 2>&1; }
# logged URI STATUS: the access log has HOST METHOD URI STATUS.
logged () { grep -qxF "$1" "$NET_WEB_LOG"; }

# Advanced method.
newhome adv
: > "$NET_WEB_LOG"
check "gpg --locate-external-keys finds alice (advanced method)" \
  env GNUPGHOME="$H" "$GPG" --batch --no-tty --locate-external-keys alice@example.org
like "gpg shows alice's fingerprint" "$T/out" "$ALICE"
check "alice's key is in the keyring" has_key "$H" "$ALICE"
check "nginx served the advanced URL" \
  logged "openpgpkey.example.org GET /.well-known/openpgpkey/example.org/hu/$HASH 200"
check "gpg-wks-client --check (same dirmngr) finds it" \
  env GNUPGHOME="$H" "$NET_WKS_CLIENT" --check alice@example.org

# Direct method: openpgpkey.example.org is gone, example.org serves the
# direct tree only.
check "drop the site openpgpkey.example.org" net_web_drop openpgpkey.example.org
check "serve the direct tree for example.org" net_web_site example.org "$DIR"
newhome dir
: > "$NET_WEB_LOG"
check "--auto-key-locate clear,wkd --locate-keys finds alice (direct method)" \
  env GNUPGHOME="$H" "$GPG" --batch --no-tty --auto-key-locate clear,wkd,nodefault \
    --locate-keys alice@example.org
like "gpg shows alice's fingerprint" "$T/out" "$ALICE"
check "alice's key is in the keyring" has_key "$H" "$ALICE"
check "nginx served the direct URL" \
  logged "example.org GET /.well-known/openpgpkey/hu/$HASH 200"
unlike "no request for the advanced host" "$NET_WEB_LOG" '^openpgpkey\.'

# lookup NAME: fresh home, --locate-external-keys alice (output in
# $T/out, $T/err), exit status ignored (gpg 2.2 exits 0 when WKD gave a
# key it did not import).
lookup () {
  newhome "$1"
  GNUPGHOME=$H "$GPG" --batch --no-tty --locate-external-keys alice@example.org \
    >"$T/out" 2>"$T/err" || :
}

# A key without alice's User ID where alice's key should be.
check "put mallory's key at alice's direct URL" \
  net_wkd_put "$DIR" alice@example.org "$T/mallory.pgp" direct
lookup wrong
like "gpg skips the key: no user ID for the address" "$T/err" \
  'contains no user ID - skipped'
like "gpg reports the WKD failure" "$T/err" \
  "error retrieving 'alice@example.org' via WKD"
check_fails "mallory's key was not imported" has_key "$H" "$MALLORY"
check_fails "nor alice's" has_key "$H" "$ALICE"

# Garbage.
printf "<html>not a key</html>\n" > "$T/garbage"
net_wkd_put "$DIR" alice@example.org "$T/garbage" direct
lookup garbage
like "garbage: no valid OpenPGP data" "$T/err" 'no valid OpenPGP data found'
check_fails "garbage: nothing imported" has_key "$H" "$ALICE"

# Back to the right key, then the server failures.
net_wkd_install "$DIR" "$T/alice.asc" alice@example.org direct
lookup again
check "the right key again: found" has_key "$H" "$ALICE"

net_web_stop
lookup stopped
like "server stopped: connection refused" "$T/err" \
  "error retrieving 'alice@example.org' via WKD: Connection refused"
check_fails "server stopped: nothing imported" has_key "$H" "$ALICE"
check "net_web_start" net_web_start
lookup restarted
check "server started again: found" has_key "$H" "$ALICE"

net_web_untrusted on
lookup untrusted
like "certificate of another CA: gpg fails" "$T/err" \
  "error retrieving 'alice@example.org' via WKD"
like_soon "dirmngr logs the TLS verification failure" "$H/dirmngr.log" \
  'TLS verification of peer failed'
check_fails "certificate of another CA: nothing imported" has_key "$H" "$ALICE"
net_web_untrusted off

net_web_status example.org 500
lookup status500
like "HTTP 500: gpg fails" "$T/err" "error retrieving 'alice@example.org' via WKD"
check_fails "HTTP 500: nothing imported" has_key "$H" "$ALICE"

net_web_file example.org "$T/garbage"
lookup anyfile
like "every path answers garbage: gpg fails" "$T/err" 'no valid OpenPGP data found'
check_fails "every path answers garbage: nothing imported" has_key "$H" "$ALICE"

net_web_drop example.org
lookup nohost
like "no site for the domain: gpg fails" "$T/err" \
  "error retrieving 'alice@example.org' via WKD"
check_fails "no site for the domain: nothing imported" has_key "$H" "$ALICE"

tap_done
