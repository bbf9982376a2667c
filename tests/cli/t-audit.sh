#!/bin/sh
# t-audit.sh - `ca audit': the record of every certification, its
# re-verification, and certifications by the CA key made outside oca
# (gpg --quick-sign-key with the exported CA key)
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

[ -n "$SQLITE3" ] || skip_all "sqlite3 CLI not found"
DB=$T/ca.db
ocad () { oca -d "$DB" "$@"; }

check "ca init" ocad ca init --domain example.org --algo ed25519 softkey
CA=$(ca_fpr "$DB")
check "user add alice" ocad user add -e alice@example.org -n Alice
ALICE=$(ocad user list | awk '/^OpenPGP certificate/{print $3; exit}')
BOB=$(gen_gpg_key "$T/bob.asc" "Bob <bob@example.org>" "Bob <bob@other.net>")
check "user import bob (one of two User IDs)" ocad user import -e bob@example.org -f "$T/bob.asc"

check "ca audit" ocad ca audit
is "three records (two certifications, alice's trust signature)" \
  "$(grep -c ' good #' "$T/out")" 3
like "alice's certification: when, what, by whom, backend, hash" "$T/out" \
  "^[0-9-]{10} [0-9:]{8} UTC good #[0-9]+ certification on $ALICE '?Alice <alice@example.org>'? by $CA \\(softkey\\) sha256:[0-9A-F]{64}$"
like "alice's trust signature on the CA" "$T/out" \
  "good #[0-9]+ tsig on $CA 'OpenPGP CA <openpgp-ca@example.org>' by $ALICE "
like "summary" "$T/out" "^Audited 3 recorded signatures: 3 good, 0 bad, 0 absent; 0 certifications made outside oca; 0 signature counter jumps\\.$"

check "ca audit --with-colons" ocad ca audit --with-colons
is "three rec lines" "$(grep -c '^rec:' "$T/out")" 3
like "bob's record" "$T/out" \
  "^rec:[0-9]+:[0-9]+:certification:good:$CA:$BOB:Bob <bob@example.org>:softkey:::[0-9A-F]{64}:$"
unlike "no summary in colons" "$T/out" "^Audited"
# The recorded hash is the SHA-256 of the signature packet gpg sees.
h=$(awk -F: '$1=="rec" && $7=="'"$BOB"'" {print $12}' "$T/out")
ocad user export -e bob@example.org | "$GPG" --dearmor > "$T/bob.bin" 2>/dev/null
got=""
if [ -n "$SQ" ]; then
  rm -rf "$T/sp" && mkdir "$T/sp"
  "$SQ" packet split --prefix "$T/sp/p" "$T/bob.bin" 2>/dev/null
  for f in "$T"/sp/p*Signature; do
    [ "$(sha256sum < "$f" | cut -c1-64 | tr a-f A-F)" = "$h" ] && got=yes
  done
fi
is "the recorded hash is a signature packet's on bob's certificate" "$got" yes

check "ca audit --email bob@example.org" ocad ca audit --email bob@example.org
is "only bob's record" "$(grep -c ' good #' "$T/out")" 1
check "ca audit --since tomorrow" ocad ca audit --since "$(date -u -d tomorrow +%Y-%m-%d)"
like "nothing since tomorrow" "$T/out" "^Audited 0 recorded"

# A bridge's trust signature is recorded and verifies.
check "another CA" oca -d "$T/b.db" ca init --domain other.org --algo ed25519 softkey
oca -d "$T/b.db" ca export > "$T/b-ca.asc"
check "bridge new --commit" ocad bridge new --commit "$T/b-ca.asc"
check "audit with the bridge" ocad ca audit
like "the bridge's record is good" "$T/out" " good #[0-9]+ bridge on $(ca_fpr "$T/b.db") 'OpenPGP CA <openpgp-ca@other.org>' by $CA \\(softkey\\)"

# The CA key used outside oca: gpg certifies bob's other User ID and,
# again, his certified one; bob's update brings them in.
ocad ca private > "$T/cakey.asc"
GH=$T/thief
mkdir -m 700 "$GH"
GNUPGHOME=$GH gpg_ --import "$T/cakey.asc" "$T/bob.asc" 2>/dev/null
GNUPGHOME=$GH gpg_ --passphrase '' --force-sign-key -u "$CA" \
  --quick-sign-key "$BOB" 2>/dev/null
GNUPGHOME=$GH gpg_ --armor --export "$BOB" > "$T/bob-signed.asc"
check "user update bob" ocad user update -f "$T/bob-signed.asc"
cp "$DB" "$T/before.db"
check_fails "ca audit finds them (exit 1)" ocad ca audit
is "two unlogged certifications" "$(grep -c ' UNLOGGED certification by the CA key on ' "$T/out")" 2
like "one on bob's other User ID" "$T/out" \
  "UNLOGGED certification by the CA key on $BOB 'Bob <bob@other.net>' sha256:[0-9A-F]{64}: not in the record, made outside oca$"
like "one on the certified User ID" "$T/out" "UNLOGGED certification by the CA key on $BOB 'Bob <bob@example.org>'"
one_line "one error line" "$T/err"
like "error says what" "$T/err" "^oca: the audit found 2 certifications made outside oca, 0 recorded signatures that do not verify, 0 not on the stored certificates and 0 signature counter jumps$"
check "the audit wrote nothing" cmp "$DB" "$T/before.db"
check_fails "with colons" ocad ca audit --with-colons
is "two unlogged lines" "$(grep -c "^unlogged:[0-9]*:certification:$BOB:Bob <bob@.*:[0-9A-F]\{64\}:$" "$T/out")" 2
check_fails "--email bob finds them" ocad ca audit --email bob@example.org
check "--email alice does not" ocad ca audit --email alice@example.org

# A tampered record does not verify.
"$SQLITE3" "$DB" "UPDATE certifications SET user_id_text = 'Alice <mallory@example.org>' WHERE target_fpr = '$ALICE' AND kind = 'certification'"
check_fails "tampered record" ocad ca audit --email alice@example.org
like "absent: that User ID is not on the certificate" "$T/out" " absent #[0-9]+ certification on $ALICE 'Alice <mallory@example.org>' .*: the User ID is not on the stored certificate$"
"$SQLITE3" "$DB" "UPDATE certifications SET user_id_text = 'Alice <alice@example.org>', created = created - 1 WHERE target_fpr = '$ALICE' AND kind = 'certification'"
check_fails "tampered time" ocad ca audit --email alice@example.org
like "BAD: time" "$T/out" " BAD #[0-9]+ certification on $ALICE .*: the recorded time is not the signature's$"
like "error counts it" "$T/err" "1 recorded signature that do not verify"

# Bad input: one line, exit 2.
for a in "--since 2026-13-01" "--since yesterday" "--email not-an-address" "--bogus" "extra"; do
  # shellcheck disable=SC2086
  check_fails "ca audit $a" ocad ca audit $a
  one_line "ca audit $a: one line" "$T/err"
done
tap_done
