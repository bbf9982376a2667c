#!/bin/sh
# t-bridge.sh - bridges between two oca CAs: with only CA A trusted,
#               gpg and sq-wot take CA B's users in B's domain as valid
#               and no others; after `bridge revoke', none; bad input
#               leaves the database byte-identical
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

SQWOT=$(command -v sq-wot) || { not_ok "sq-wot installed (apt-get install sq-wot)"; tap_done; exit 1; }

A="$T/a.db"
B="$T/b.db"
check "CA A (alpha.example)" oca -d "$A" ca init --domain alpha.example --algo ed25519 softkey
check "CA B (beta.example)" oca -d "$B" ca init --domain beta.example --algo ed25519 softkey
CAA=$(ca_fpr "$A")
CAB=$(ca_fpr "$B")
BUID="OpenPGP CA <openpgp-ca@beta.example>"

# B certifies four User IDs of Bob's: two in its domain (one in a
# subdomain), one elsewhere, one in a domain that merely ends like it.
BOB=$(gen_gpg_key "$T/bob.asc" "Bob <bob@beta.example>" \
  "Bob Dev <bob@dev.beta.example>" "Bob Out <bob@elsewhere.example>" \
  "Bob Look <bob@notbeta.example>")
test -n "$BOB"; is "gpg made Bob's key" $? 0
check "B certifies all four" oca -d "$B" user import -f "$T/bob.asc" \
  -e bob@beta.example -e bob@dev.beta.example -e bob@elsewhere.example \
  -e bob@notbeta.example
oca -d "$B" ca export > "$T/b-ca.asc"
oca -d "$B" user export > "$T/b-users.asc"
oca -d "$A" ca export > "$T/a-ca.asc"

# The dry run shows the key and writes nothing.
cp "$A" "$T/a0.db"
check "bridge new (dry run)" oca -d "$A" bridge new "$T/b-ca.asc"
like "dry run: says so" "$T/out" '^Bridge creation DRY RUN\.$'
like "dry run: the User ID" "$T/out" "^User ID: $BUID\$"
like "dry run: the fingerprint" "$T/out" "^Fingerprint '$CAB'\$"
like "dry run: how to commit" "$T/out" "'--commit'"
check "dry run: database byte-identical" cmp "$A" "$T/a0.db"
check "bridge list: none" oca -d "$A" bridge list
is "bridge list: empty" "$(cat "$T/out")" ""

check "bridge new --commit" oca -d "$A" bridge new --commit "$T/b-ca.asc"
like "commit: added" "$T/out" '^Added OpenPGP key for openpgp-ca@beta\.example as bridge\.$'
like "commit: the fingerprint" "$T/out" "^$CAB\$"
check "bridge list" oca -d "$A" bridge list
is "bridge list: the bridge and its scope" "$(cat "$T/out")" \
  "Bridge to 'openpgp-ca@beta.example', (scope: 'beta.example')"
check "bridge export" oca -d "$A" bridge export
cp "$T/out" "$T/bridge.asc"
like "bridge export: heading" "$T/bridge.asc" "^Bridge to 'openpgp-ca@beta\\.example'\$"
check "bridge export EMAIL" oca -d "$A" bridge export OpenPGP-CA@beta.example
cp "$T/out" "$T/bridge-one.asc"
check "bridge export EMAIL: the same" cmp "$T/bridge-one.asc" "$T/bridge.asc"

# GnuPG with only CA A at ultimate ownertrust.  First without the
# bridge (the control: nothing of B's is valid), then with it.
check "gpg imports A, B and Bob" gpg_ --import "$T/a-ca.asc" "$T/b-ca.asc" "$T/b-users.asc"
echo "$CAA:6:" | gpg_ --import-ownertrust
gpg_ --check-trustdb >/dev/null 2>&1
v=$(uid_validity "$BOB" "Bob <bob@beta.example>")
test "$v" != f -a "$v" != u; is "no bridge: bob@beta.example not valid (got '$v')" $? 0
v=$(uid_validity "$CAB" "$BUID")
test "$v" != f -a "$v" != u; is "no bridge: CA B not valid (got '$v')" $? 0

check "gpg imports the bridge export" gpg_ --import "$T/bridge.asc"
sig_lines "$CAB" > "$T/b.sigs"
like "gpg: A's trust signature on CA B is good" "$T/b.sigs" "^$BUID\\|!\\|$(keyid "$CAA")\\|10x\$"
gpg_ --with-colons --check-sigs "$CAB" > "$T/b.colons" 2>/dev/null
like "gpg: level 255, amount 120, the scope's regex" "$T/b.colons" \
  "^sig:!:[^:]*:[^:]*:$(keyid "$CAA"):.*:255 120:<\\[\\^>\\]\\+\\[@\\.\\]beta\\\\x5c\\.example>\\\$:"
gpg_ --check-trustdb >/dev/null 2>&1
is "CA B fully valid" "$(uid_validity "$CAB" "$BUID")" f
is "bob@beta.example fully valid" "$(uid_validity "$BOB" "Bob <bob@beta.example>")" f
is "bob@dev.beta.example (subdomain) fully valid" "$(uid_validity "$BOB" "Bob Dev <bob@dev.beta.example>")" f
v=$(uid_validity "$BOB" "Bob Out <bob@elsewhere.example>")
test "$v" != f -a "$v" != u -a "$v" != m; is "bob@elsewhere.example (out of scope) not valid (got '$v')" $? 0
v=$(uid_validity "$BOB" "Bob Look <bob@notbeta.example>")
test "$v" != f -a "$v" != u -a "$v" != m; is "bob@notbeta.example (look-alike) not valid (got '$v')" $? 0

# Sequoia's web of trust, CA A the only root.
sed -n '/^-----BEGIN/,/^-----END/p' "$T/bridge.asc" > "$T/bridge-only.asc"
wot () { "$SQWOT" --keyring "$T/a-ca.asc" --keyring "$1" \
           --keyring "$T/b-users.asc" --trust-root "$CAA" lookup --email "$2"; }
check "sq-wot: bob@beta.example authenticated" wot "$T/bridge-only.asc" bob@beta.example
like "sq-wot: fully" "$T/out" "fully authenticated \\(100%\\)"
check "sq-wot: bob@dev.beta.example authenticated" wot "$T/bridge-only.asc" bob@dev.beta.example
check_fails "sq-wot: bob@elsewhere.example is not" wot "$T/bridge-only.asc" bob@elsewhere.example
check_fails "sq-wot: bob@notbeta.example is not" wot "$T/bridge-only.asc" bob@notbeta.example
check_fails "sq-wot control: without the bridge, bob@beta.example is not" wot "$T/b-ca.asc" bob@beta.example

# Bad input: one line, exit status, and the database byte-identical.
cp "$A" "$T/a1.db"
unchanged () { check "$1: database byte-identical" cmp "$A" "$T/a1.db"; }
refused () {  # refused DESC STATUS REGEX CMD...
  _desc=$1 _want=$2 _re=$3; shift 3
  "$@" >"$T/out" 2>"$T/err"; _rc=$?
  is "$_desc: exit status $_want" "$_rc" "$_want"
  one_line "$_desc: one line" "$T/err"
  like "$_desc: message" "$T/err" "$_re"
  unchanged "$_desc"
}
CAROL=$(gen_gpg_key "$T/carol.asc" "Carol <carol@gamma.example>")
refused "a user key (dry run)" 1 "carol\\.asc is not an OpenPGP CA key" \
  oca -d "$A" bridge new "$T/carol.asc"
refused "a user key (--commit)" 1 "carol\\.asc is not an OpenPGP CA key" \
  oca -d "$A" bridge new --commit "$T/carol.asc"
gen_gpg_key "$T/two.asc" "OpenPGP CA <openpgp-ca@gamma.example>" "Gamma <info@gamma.example>" >/dev/null
refused "two User IDs" 1 "expected exactly one User ID, found 2" \
  oca -d "$A" bridge new --commit "$T/two.asc"
refused "the CA's own key" 1 "own key" \
  oca -d "$A" bridge new --commit "$T/a-ca.asc"
refused "the same bridge again" 1 "a bridge to openpgp-ca@beta\\.example exists already" \
  oca -d "$A" bridge new --commit "$T/b-ca.asc"
GAMMA=$(gen_gpg_key "$T/gamma.asc" "Gamma CA <openpgp-ca@gamma.example>")
refused "another scope" 1 "Scope and domain don't match" \
  oca -d "$A" bridge new --commit -s beta.example "$T/gamma.asc"
refused "an invalid scope" 1 "Invalid domainname" \
  oca -d "$A" bridge new --commit --scope 'gamma..example' "$T/gamma.asc"
refused "another address" 1 "is for openpgp-ca@gamma\\.example, not openpgp-ca@beta\\.example" \
  oca -d "$A" bridge new --commit -e openpgp-ca@beta.example "$T/gamma.asc"
refused "an invalid address" 1 "invalid email address 'x@@y'" \
  oca -d "$A" bridge new --commit -e 'x@@y' "$T/gamma.asc"
refused "no key file" 2 "REMOTE_KEY_FILE is required" \
  oca -d "$A" bridge new --commit
refused "a missing file" 1 "can't open '$T/nope.asc'" \
  oca -d "$A" bridge new --commit "$T/nope.asc"
: > "$T/empty.asc"
refused "an empty file" 1 "is empty" oca -d "$A" bridge new --commit "$T/empty.asc"
printf 'no key here\n' > "$T/junk.asc"
refused "junk" 1 "junk\\.asc: " oca -d "$A" bridge new --commit "$T/junk.asc"
head -c 300 "$T/b-ca.asc" > "$T/cut.asc"
refused "a truncated key" 1 "cut\\.asc: " oca -d "$A" bridge new --commit "$T/cut.asc"
refused "export of an unknown bridge" 1 "no bridge to openpgp-ca@gamma\\.example" \
  oca -d "$A" bridge export openpgp-ca@gamma.example
refused "revoke of an unknown bridge" 1 "no bridge to openpgp-ca@gamma\\.example" \
  oca -d "$A" bridge revoke -e openpgp-ca@gamma.example
refused "revoke without --email" 2 "--email is required" oca -d "$A" bridge revoke
# A CA key that GnuPG made will do (dry run).
check "a gpg-made CA key (dry run)" oca -d "$A" bridge new "$T/gamma.asc"
unchanged "gpg-made CA key, dry run"

# Revoke: B's users are no longer valid once the export is re-imported.
check "bridge revoke" oca -d "$A" bridge revoke -e openpgp-ca@beta.example
like "revoke: heading" "$T/out" '^Revocation for the bridge to openpgp-ca@beta\.example:$'
like "revoke: the revocation" "$T/out" '^-----BEGIN PGP SIGNATURE-----$'
check "bridge list after revoke" oca -d "$A" bridge list
is "bridge list: no trust signature" "$(cat "$T/out")" \
  "Bridge to 'openpgp-ca@beta.example' [no trust signature], (scope: 'beta.example')"
cp "$A" "$T/a2.db"
check_fails "revoke again" oca -d "$A" bridge revoke -e openpgp-ca@beta.example
one_line "revoke again: one line" "$T/err"
check "revoke again: database byte-identical" cmp "$A" "$T/a2.db"
check "bridge export after revoke" oca -d "$A" bridge export
cp "$T/out" "$T/bridge2.asc"
check "gpg imports it" gpg_ --import "$T/bridge2.asc"
gpg_ --with-colons --check-sigs "$CAB" > "$T/b2.colons" 2>/dev/null
like "gpg: the revocation (0x30) is good" "$T/b2.colons" "^rev:!:[^:]*:[^:]*:$(keyid "$CAA"):.*:30x"
gpg_ --check-trustdb >/dev/null 2>&1
v=$(uid_validity "$CAB" "$BUID")
test "$v" != f -a "$v" != u; is "revoked: CA B not valid (got '$v')" $? 0
v=$(uid_validity "$BOB" "Bob <bob@beta.example>")
test "$v" != f -a "$v" != u -a "$v" != m; is "revoked: bob@beta.example not valid (got '$v')" $? 0
sed -n '/^-----BEGIN/,/^-----END/p' "$T/bridge2.asc" > "$T/bridge2-only.asc"
check_fails "sq-wot: revoked, bob@beta.example is not authenticated" wot "$T/bridge2-only.asc" bob@beta.example

if [ -n "$SQLITE3" ]; then
  is "audit: the bridge and its revocation" \
    "$("$SQLITE3" "$A" "select kind from certifications where target_fpr='$CAB' order by id" | tr '\n' ' ')" \
    "bridge revocation "
fi

tap_done
