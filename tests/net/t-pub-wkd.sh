#!/bin/sh
# t-pub-wkd.sh - `oca wkd export' served by nginx over HTTPS on loopback:
# GnuPG's own WKD client finds the CA's keys (advanced and direct
# method), only certified addresses of the CA's domain are published,
# revoked keys come after the usable one, delisted keys and addresses
# that left disappear, files are replaced by rename; `oca update wkd'
# pulls a new subkey and refuses bad answers, one line each, database
# unchanged.
# SPDX-License-Identifier: GPL-3.0-or-later

. "$srcdir/../cli/cli-lib.sh"
. "$srcdir/net-lib.sh"
[ -n "$SQLITE3" ] || skip_all "sqlite3 not found (delisting is set with it)"
net_setup web

DB=$T/ca.db
W=$T/www
ADV=$W/.well-known/openpgpkey/example.org
DIRECT=$W/.well-known/openpgpkey

check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
CA=$(ca_fpr "$DB")

# Users: alice has an old key (revoked later) and a new one; bob has an
# address outside the domain too; carol is only outside; dave will be
# delisted; erin's address is not certified (the CA was not asked).
A1=$(gen_gpg_key "$T/a1.asc" "Alice <alice@example.org>")
A2=$(gen_gpg_key "$T/a2.asc" "Alice Liddell <alice@example.org>")
B=$(gen_gpg_key "$T/b.asc" "Bob <bob@example.org>" "Bob <bob@other.org>")
C=$(gen_gpg_key "$T/c.asc" "Carol <carol@other.org>")
D=$(gen_gpg_key "$T/d.asc" "Dave <dave@example.org>")
E=$(gen_gpg_key "$T/e.asc" "Erin <erin@example.org>" "Erin <erin@other.org>")
check "import alice's old key" oca -d "$DB" user import -e alice@example.org -f "$T/a1.asc"
check "import alice's new key" oca -d "$DB" user import -e alice@example.org -f "$T/a2.asc"
check "import bob" oca -d "$DB" user import -e bob@example.org -e bob@other.org -f "$T/b.asc"
check "import carol" oca -d "$DB" user import -e carol@other.org -f "$T/c.asc"
check "import dave" oca -d "$DB" user import -e dave@example.org -f "$T/d.asc"
check "import erin (only erin@other.org certified)" \
  oca -d "$DB" user import -e erin@other.org -f "$T/e.asc"

# Alice's old key is revoked (GnuPG's stored revocation certificate).
sed 's/^:-----/-----/' "$GENHOME/openpgp-revocs.d/$A1.rev" > "$T/a1.rev"
gpg_gen --import "$T/a1.rev" 2>/dev/null
gpg_gen --armor --export "$A1" > "$T/a1-revoked.asc"
check "the revocation reaches the CA (user update)" \
  oca -d "$DB" user update -f "$T/a1-revoked.asc"
"$SQLITE3" "$DB" "UPDATE certs SET delisted = 1 WHERE fingerprint = '$D'"
is "dave is delisted" \
  "$("$SQLITE3" "$DB" "SELECT delisted FROM certs WHERE fingerprint = '$D'")" 1

h () { net_wkd_hash "$1"; }
check "wkd export --direct" oca -d "$DB" wkd export --direct "$W"
like "it says what it wrote" "$T/out" '^Exported 3 addresses \(4 keys\) to '
for d in "$ADV" "$DIRECT"; do
  ls "$d/hu" | sort > "$T/files"
  printf '%s\n' "$(h openpgp-ca@example.org)" "$(h alice@example.org)" \
    "$(h bob@example.org)" | sort > "$T/want"
  check "$d: one file per certified address of example.org, nothing else" \
    cmp "$T/files" "$T/want"
  check "$d: an empty policy file" test -f "$d/policy" -a ! -s "$d/policy"
done
check "the two layouts hold the same files" diff -r "$ADV/hu" "$DIRECT/hu"
is "the CA's file is named as the reference names it" \
  "$(h openpgp-ca@example.org)" ermf4k8pujzwtqqxmskb7355sebj5e4t

# What the files hold, as gpg reads them.
keys_in () {
  gpg_ --with-colons --import-options show-only --import "$1" 2>/dev/null
}
keys_in "$ADV/hu/$(h alice@example.org)" > "$T/alice.col"
is "alice's file: both keys, the usable one first" \
  "$(awk -F: '$1=="fpr" && !s[$10]++ {print $10}' "$T/alice.col" | grep -E "^($A1|$A2)$" | tr '\n' ' ')" \
  "$A2 $A1 "
is "alice's old key is revoked in it" \
  "$(awk -F: -v f="$A1" '$1=="pub"{p=$2} $1=="fpr"&&$10==f{print p; exit}' "$T/alice.col")" r
keys_in "$ADV/hu/$(h bob@example.org)" > "$T/bob.col"
is "bob's file: only the User ID of that address" \
  "$(awk -F: '$1=="uid"{print $10}' "$T/bob.col")" "Bob <bob@example.org>"
unlike "no file names an address outside the domain" "$T/bob.col" 'other\.org'

# Serve it: GnuPG's WKD client (advanced method).
check "nginx serves the tree for openpgpkey.example.org" \
  net_web_site openpgpkey.example.org "$W"
G1=$T/g1
net_gnupghome "$G1"
oca -d "$DB" ca export > "$T/ca.asc"
GNUPGHOME=$G1 gpg_ --import "$T/ca.asc" 2>/dev/null
check "gpg --locate-external-keys bob@example.org" \
  env GNUPGHOME="$G1" "$GPG" --batch --no-tty --locate-external-keys bob@example.org
is "gpg has bob's key" \
  "$(GNUPGHOME=$G1 gpg_ --with-colons -k bob@example.org 2>/dev/null | awk -F: '$1=="fpr"{print $10; exit}')" "$B"
GNUPGHOME=$G1 gpg_ --with-colons --check-sigs "$B" > "$T/bsigs" 2>/dev/null
like "with the CA's certification, verified" "$T/bsigs" "^sig:!:.*:$(keyid "$CA"):.*:10x:"
like "nginx answered the advanced URL" "$NET_WEB_LOG" \
  "^openpgpkey\.example\.org GET /\.well-known/openpgpkey/example\.org/hu/$(h bob@example.org) 200"
check "gpg --locate-external-keys alice@example.org" \
  env GNUPGHOME="$G1" "$GPG" --batch --no-tty --with-colons \
    --locate-external-keys alice@example.org
is "GnuPG's WKD client picks alice's usable key" \
  "$(awk -F: '$1=="fpr" {print $10; exit}' "$T/out")" "$A2"
check_fails "dave (delisted) is not found" \
  env GNUPGHOME="$G1" "$GPG" --batch --no-tty --locate-external-keys dave@example.org
check_fails "erin (uncertified address) is not found" \
  env GNUPGHOME="$G1" "$GPG" --batch --no-tty --locate-external-keys erin@example.org

# The direct method: only example.org itself is a site.
net_web_drop openpgpkey.example.org
check "nginx serves the tree for example.org" net_web_site example.org "$W"
G2=$T/g2
net_gnupghome "$G2"
check "gpg finds bob by the direct method" \
  env GNUPGHOME="$G2" "$GPG" --batch --no-tty --auto-key-locate clear,wkd \
    --locate-keys bob@example.org
like "nginx answered the direct URL" "$NET_WEB_LOG" \
  "^example\.org GET /\.well-known/openpgpkey/hu/$(h bob@example.org) 200"
net_web_drop example.org
check "the advanced site again" net_web_site openpgpkey.example.org "$W"

# Re-export: bob left (delisted); files are replaced by rename, never
# rewritten in place; nothing temporary is left.
ino () { ls -i "$1" | awk '{print $1}'; }
I0=$(ino "$ADV/hu/$(h alice@example.org)")
"$SQLITE3" "$DB" "UPDATE certs SET delisted = 1 WHERE fingerprint = '$B'"
check "re-export" oca -d "$DB" wkd export --direct "$W"
like "it removed one address per layout" "$T/out" '^Removed 2 addresses that left'
check "bob's files are gone" test ! -e "$ADV/hu/$(h bob@example.org)" \
  -a ! -e "$DIRECT/hu/$(h bob@example.org)"
check "alice's file is a new file (written beside, renamed)" \
  test "$(ino "$ADV/hu/$(h alice@example.org)")" != "$I0"
is "no temporary file is left" "$(find "$W" -name '.oca-tmp-*' | wc -l)" 0
"$SQLITE3" "$DB" "UPDATE certs SET delisted = 0 WHERE fingerprint = '$B'"
check "export again" oca -d "$DB" wkd export "$W"

# update wkd: bob got a new subkey; WKD serves it.
gpg_gen --passphrase '' --quick-add-key "$B" cv25519 encr never 2>/dev/null
gpg_gen --export "$B" > "$T/b-new.pgp"
net_wkd_put "$W" bob@example.org "$T/b-new.pgp" advanced
net_gnupghome "$GNUPGHOME"
NSUB0=$(oca -d "$DB" user export -e bob@example.org | gpg_ --with-colons --import-options show-only --import 2>/dev/null | grep -c '^sub:')
sum_db () { sha256sum < "$DB"; }
check_fails "update wkd (some certificates are not published)" \
  oca -d "$DB" update wkd --timeout 10
like "Got update for bob" "$T/out" "^Got update for cert $B\$"
like "No changes for alice's new key" "$T/out" "^No changes for cert $A2\$"
like "carol: a one-line failure" "$T/err" "^Failed to update cert $C: "
like "dave (not published): one line" "$T/err" \
  "^Failed to update cert $D: WKD lookup of dave@example.org: "
like "the summary" "$T/err" '^oca: [0-9]+ of 6 certificates could not be updated$'
oca -d "$DB" user export -e bob@example.org > "$T/bob-now.asc"
is "bob's stored key has the new subkey" \
  "$(gpg_ --with-colons --import-options show-only --import "$T/bob-now.asc" 2>/dev/null | grep -c '^sub:')" \
  "$((NSUB0 + 1))"
GNUPGHOME=$G1 gpg_ --import "$T/bob-now.asc" 2>/dev/null
GNUPGHOME=$G1 gpg_ --with-colons --check-sigs "$B" > "$T/bsigs2" 2>/dev/null
like "and still the CA's certification (nothing lost)" "$T/bsigs2" \
  "^sig:!:.*:$(keyid "$CA"):.*:10x:"
oca -d "$DB" update wkd --timeout 10 >"$T/out" 2>"$T/err"
like "a second run: No changes for bob" "$T/out" "^No changes for cert $B\$"

# Bad answers: database unchanged, one line per certificate, the run
# goes on.
S0=$(sum_db)
printf 'this is not a key\n' > "$T/garbage"
net_wkd_put "$W" bob@example.org "$T/garbage" advanced
check_fails "a malformed WKD answer" oca -d "$DB" update wkd --timeout 10
like "bob: no valid OpenPGP key" "$T/err" \
  "^Failed to update cert $B: bob@example.org: no valid OpenPGP key in the answer"
like "the run went on (alice's new key)" "$T/out" "^No changes for cert $A2\$"
is "database unchanged" "$(sum_db)" "$S0"

net_wkd_put "$W" bob@example.org "$T/c.asc" advanced
check_fails "a key with another fingerprint" oca -d "$DB" update wkd --timeout 10
like "bob: another fingerprint" "$T/err" \
  "^Failed to update cert $B: bob@example.org: the key served has another fingerprint \($C\)"
is "database unchanged" "$(sum_db)" "$S0"

net_web_stop
net_dirmngr_restart "$GNUPGHOME"
check_fails "an unreachable server" oca -d "$DB" update wkd --timeout 10
like "bob: one line with the reason" "$T/err" \
  "^Failed to update cert $B: WKD lookup of bob@example.org: .*(refused|Connection)"
is "database unchanged" "$(sum_db)" "$S0"
net_web_start

net_freeze web
net_dirmngr_restart "$GNUPGHOME"
t0=$(date +%s)
check_fails "a frozen server" oca -d "$DB" update wkd --timeout 2
t1=$(date +%s)
net_thaw web
like "bob: no answer within the time limit" "$T/err" \
  "^Failed to update cert $B: WKD lookup of bob@example.org: no answer within 2 s"
check "every request gave up after its time limit (under 30 s in all)" \
  test $((t1 - t0)) -lt 30
is "database unchanged" "$(sum_db)" "$S0"

tap_done
