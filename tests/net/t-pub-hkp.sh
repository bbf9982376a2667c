#!/bin/sh
# t-pub-hkp.sh - `oca keyserver publish' and `oca update keyserver'
# against Debian's sks on loopback: published keys reach `gpg
# --recv-keys' with the CA's certification; a new subkey comes back;
# a third-party certification does not; unreachable, frozen, broken
# keyservers and wrong answers give one line per certificate and leave
# the database unchanged.
# SPDX-License-Identifier: GPL-3.0-or-later

. "$srcdir/../cli/cli-lib.sh"
. "$srcdir/net-lib.sh"
[ -n "$SQLITE3" ] || skip_all "sqlite3 not found (delisting is set with it)"
net_setup hkp

DB=$T/ca.db
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
CA=$(ca_fpr "$DB")
oca -d "$DB" ca export > "$T/ca.asc"

A=$(gen_gpg_key "$T/a.asc" "Alice <alice@example.org>")
B=$(gen_gpg_key "$T/b.asc" "Bob <bob@example.org>")
C=$(gen_gpg_key "$T/c.asc" "Carol <carol@example.org>")
D=$(gen_gpg_key "$T/d.asc" "Dave <dave@example.org>")
for u in a:alice b:bob c:carol d:dave; do
  check "import ${u#*:}" oca -d "$DB" user import -e "${u#*:}@example.org" \
    -f "$T/${u%%:*}.asc"
done
"$SQLITE3" "$DB" "UPDATE certs SET delisted = 1 WHERE fingerprint = '$D'"

check "sks starts (with the CA key only)" net_sks_start "$T/ca.asc"
net_gnupghome "$GNUPGHOME"
net_gnupghome "$GENHOME"

check "keyserver publish" \
  oca -d "$DB" keyserver publish --keyserver "$NET_HKP_URL" --timeout 20
for f in "$CA" "$A" "$B" "$C"; do
  like "published $f" "$T/out" "^Published cert $f\$"
done
unlike "not dave (delisted)" "$T/out" "$D"
check "sks has alice's key" net_hkp_get "$A"

# A GnuPG user gets alice's key with the CA's certification.
G=$T/g
net_gnupghome "$G"
GNUPGHOME=$G gpg_ --import "$T/ca.asc" 2>/dev/null
check "gpg --recv-keys (no-self-sigs-only)" \
  env GNUPGHOME="$G" "$GPG" --batch --no-tty --keyserver "$NET_HKP_URL" \
    --keyserver-options no-self-sigs-only --recv-keys "$A"
GNUPGHOME=$G gpg_ --with-colons --check-sigs "$A" > "$T/asigs" 2>/dev/null
like "alice's key from the keyserver carries the CA's certification" \
  "$T/asigs" "^sig:!:.*:$(keyid "$CA"):.*:10x:"

# Alice adds a subkey and sends it; mallory certifies bob and sends it.
gpg_gen --passphrase '' --quick-add-key "$A" cv25519 encr never 2>/dev/null
check "alice sends her new subkey" \
  env GNUPGHOME="$GENHOME" "$GPG" --batch --no-tty --keyserver "$NET_HKP_URL" \
    --send-keys "$A"
M=$(gen_gpg_key "$T/m.asc" "Mallory <mallory@example.org>")
gpg_gen --passphrase '' -u "$M" --quick-sign-key "$B" >/dev/null 2>&1
check "mallory's certification of bob goes to sks" \
  env GNUPGHOME="$GENHOME" "$GPG" --batch --no-tty --keyserver "$NET_HKP_URL" \
    --send-keys "$B"
net_hkp_get "$B" | gpg_ --with-colons --import-options show-only --import \
  --with-sig-list > "$T/bks" 2>/dev/null
like "sks keeps it" "$T/bks" "^sig:.*:$(keyid "$M"):"

sum_db () { sha256sum < "$DB"; }
nsub () {
  oca -d "$DB" user export -e "$1" \
    | gpg_ --with-colons --import-options show-only --import 2>/dev/null \
    | grep -c '^sub:'
}
NSUB0=$(nsub alice@example.org)
check_fails "update keyserver (dave is not on the keyserver)" \
  oca -d "$DB" update keyserver --keyserver "$NET_HKP_URL" --timeout 20
like "Got update for alice" "$T/out" "^Got update for cert $A\$"
like "No changes for bob (mallory's certification is not taken)" "$T/out" \
  "^No changes for cert $B\$"
like "No changes for carol" "$T/out" "^No changes for cert $C\$"
like "dave: one line, and the run went on" "$T/err" \
  "^Failed to update cert $D: keyserver lookup: "
like "the summary" "$T/err" '^oca: 1 of 4 certificates could not be updated$'
is "alice's stored key has the new subkey" "$(nsub alice@example.org)" \
  "$((NSUB0 + 1))"
oca -d "$DB" user export -e bob@example.org \
  | gpg_ --with-colons --import-options show-only --import --with-sig-list \
  > "$T/bstored" 2>/dev/null
unlike "bob's stored key has no certification by mallory" "$T/bstored" \
  ":$(keyid "$M"):"
oca -d "$DB" user export -e alice@example.org > "$T/a-now.asc"
GNUPGHOME=$G gpg_ --import "$T/a-now.asc" 2>/dev/null
GNUPGHOME=$G gpg_ --with-colons --check-sigs "$A" > "$T/asigs2" 2>/dev/null
like "alice still has the CA's certification" "$T/asigs2" \
  "^sig:!:.*:$(keyid "$CA"):.*:10x:"

# Bad keyservers: one line per certificate, database unchanged.
S0=$(sum_db)
printf 'garbage, not a key\n' > "$T/garbage"
net_http_file junk "$T/garbage"
check_fails "a keyserver answering garbage" \
  oca -d "$DB" update keyserver --keyserver "$(net_http_url junk)" --timeout 10
like "alice: no valid OpenPGP key" "$T/err" \
  "^Failed to update cert $A: keyserver: no valid OpenPGP key in the answer"
is "4 failure lines" "$(grep -c '^Failed to update cert' "$T/err")" 4
is "database unchanged" "$(sum_db)" "$S0"

net_http_file other "$T/c.asc"
check_fails "a keyserver answering another key" \
  oca -d "$DB" update keyserver --keyserver "$(net_http_url other)" --timeout 10
like "alice: another fingerprint" "$T/err" \
  "^Failed to update cert $A: keyserver: the key served has another fingerprint \($C\)"
like "carol's own key is taken (no changes)" "$T/out" "^No changes for cert $C\$"
is "database unchanged" "$(sum_db)" "$S0"

net_http_status broken 500
check_fails "a keyserver answering HTTP 500" \
  oca -d "$DB" update keyserver --keyserver "$(net_http_url broken)" --timeout 10
like "alice: one line" "$T/err" "^Failed to update cert $A: keyserver lookup: "
is "database unchanged" "$(sum_db)" "$S0"

check_fails "an unreachable keyserver (closed port)" \
  oca -d "$DB" update keyserver --keyserver "hkp://127.0.0.1:$(net_closed_port)" \
    --timeout 10
like "alice: one line" "$T/err" "^Failed to update cert $A: keyserver lookup: "
is "database unchanged" "$(sum_db)" "$S0"

# (dirmngr now takes 127.0.0.1 for a dead host: a fresh one)
net_dirmngr_restart "$GNUPGHOME"
net_freeze sks
t0=$(date +%s)
check_fails "a frozen keyserver" \
  oca -d "$DB" update keyserver --keyserver "$NET_HKP_URL" --timeout 2
t1=$(date +%s)
net_thaw sks
like "alice: no answer within the limit" "$T/err" \
  "^Failed to update cert $A: keyserver lookup: no answer within 2 s"
is "every certificate had its try" "$(grep -c '^Failed to update cert' "$T/err")" 4
check "each request gave up after its limit (under 20 s in all)" \
  test $((t1 - t0)) -lt 20
is "database unchanged" "$(sum_db)" "$S0"

net_dirmngr_restart "$GNUPGHOME"
net_freeze sks
check_fails "publishing to a frozen keyserver" \
  oca -d "$DB" keyserver publish --keyserver "$NET_HKP_URL" --timeout 2
net_thaw sks
like "one line per key" "$T/err" \
  "^Failed to publish cert $CA: keyserver upload: no answer within 2 s"
like "the summary" "$T/err" '^oca: 4 of 4 certificates could not be published$'

check_fails "a bad keyserver URL is a usage error" \
  oca -d "$DB" update keyserver --keyserver "not a url"
one_line "one line" "$T/err"

tap_done
