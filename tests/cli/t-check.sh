#!/bin/sh
# t-check.sh - user check expiry [-d DAYS] and user check certifications
#              (reference output, with the user's name)
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey

# gen_expiring FILE UID EXPIRE: a gpg key for UID expiring in EXPIRE
# (e.g. 10d); its public key to FILE, fingerprint printed.
gen_expiring () {
  gpg_gen --passphrase '' --quick-gen-key "$2" ed25519 default "$3" \
    >/dev/null 2>&1 || return 1
  _fpr=$(gpg_gen --with-colons --list-keys "=$2" | awk -F: '$1=="fpr"{print $10; exit}')
  gpg_gen --armor --export "$_fpr" > "$1" || return 1
  echo "$_fpr"
}

check "user check expiry: no users" oca -d "$DB" user check expiry
is "nothing expires" "$(cat "$T/out")" "No certificates will expire in the next 30 days."

E10=$(gen_expiring "$T/e10.asc" "Ed Ten <ed@example.org>" 10d)
E60=$(gen_expiring "$T/e60.asc" "Eve Sixty <eve@example.org>" 60d)
NEV=$(gen_expiring "$T/nev.asc" "nina@example.org" never)
test -n "$E10" -a -n "$E60" -a -n "$NEV"; is "gpg made three keys" $? 0
check "import ed (10 days)" oca -d "$DB" user import -e ed@example.org -f "$T/e10.asc" -n "Ed Ten"
check "import eve (60 days)" oca -d "$DB" user import -e eve@example.org -f "$T/e60.asc" -n "Eve Sixty"
check "import nina (no expiry)" oca -d "$DB" user import -e nina@example.org -f "$T/nev.asc"
check "user add alice" oca -d "$DB" user add -e alice@example.org -n Alice

d10=$(date -u -d "@$(gpg_gen --with-colons --list-keys "$E10" | awk -F: '$1=="pub"{print $7}')" +%d/%m/%Y)
d60=$(date -u -d "@$(gpg_gen --with-colons --list-keys "$E60" | awk -F: '$1=="pub"{print $7}')" +%d/%m/%Y)

check "user check expiry (30 days)" oca -d "$DB" user check expiry
cp "$T/out" "$T/expiry.out"
cat > "$T/want" <<EOW
The following 1 certificate(s) will expire in the next 30 days.

name Ed Ten, fingerprint $E10
 expires: $d10

EOW
check "expiry: reference output, ed only" cmp "$T/expiry.out" "$T/want"

check "user check expiry -d 90" oca -d "$DB" user check expiry -d 90
like "90 days: two" "$T/out" "^The following 2 certificate\(s\) will expire in the next 90 days\.$"
like "90 days: eve" "$T/out" "^name Eve Sixty, fingerprint $E60$"
like "90 days: eve's date" "$T/out" "^ expires: $d60$"
unlike "never-expiring key not listed" "$T/out" "$NEV"
check "user check expiry --days 5" oca -d "$DB" user check expiry --days 5
is "5 days: none" "$(cat "$T/out")" "No certificates will expire in the next 5 days."

# An expired key is no longer "about to expire".
EX=$(gen_expiring "$T/ex.asc" "Old Timer <old@example.org>" 1d)
# Its expiration is set to one second from now, then we wait.
gpg_gen --passphrase '' --quick-set-expire "$EX" seconds=1 >/dev/null 2>&1
gpg_gen --armor --export "$EX" > "$T/ex.asc"
sleep 2
check "import an expired key" oca -d "$DB" user import -e old@example.org -f "$T/ex.asc"
check "user check expiry -d 90 (with an expired key)" oca -d "$DB" user check expiry -d 90
unlike "expired key not listed" "$T/out" "$EX"

for bad in -1 x 1x 99999999; do
  check_fails "invalid days '$bad' refused" oca -d "$DB" user check expiry -d "$bad"
  one_line "invalid days '$bad': one line" "$T/err"
done
check_fails "unknown check refused" oca -d "$DB" user check nonsense
like "unknown check: message" "$T/err" "unknown check 'nonsense'"
check_fails "a check is required" oca -d "$DB" user check

# Mutual certification: alice (user add) has both directions; the
# imported keys have the CA's certification but no tsig.
check "user check certifications" oca -d "$DB" user check certifications
like "ed: no mutual (name shown)" "$T/out" "^No mutual certification for $E10 \(Ed Ten\):$"
like "nina: no mutual (no name)" "$T/out" "^No mutual certification for $NEV \(<no name>\):$"
like "has not tsigned" "$T/out" "^  Has not tsigned CA key\.$"
unlike "every imported key is certified" "$T/out" "No CA certification on any User ID"
ALICE=$(oca -d "$DB" user list | awk '/^OpenPGP certificate/{f=$3} /User .Alice./{print f; exit}')
unlike "alice is mutual" "$T/out" "$ALICE"
like "summary" "$T/out" "^Checked 5 user keys, 1 of them have mutual certifications\.$"
is "one block per key without mutual certification" "$(grep -c '^No mutual certification' "$T/out")" 4

# A stored key without the CA's certification (the row edited).
if [ -n "$SQLITE3" ]; then
  cp "$DB" "$T/mod.db"
  "$SQLITE3" "$T/mod.db" "update certs set pub_cert=CAST(readfile('$T/e10.asc') AS TEXT) where fingerprint='$E10'"
  check "user check certifications (ed uncertified)" oca -d "$T/mod.db" user check certifications
  awk -v f="$E10" '/^No mutual/{p=($5==f)} p' "$T/out" > "$T/ed.block"
  like "ed: no CA certification" "$T/ed.block" "^  No CA certification on any User ID$"
  like "ed: no tsig" "$T/ed.block" "^  Has not tsigned CA key\.$"
fi

# Read-only: the checks do not touch the database.
cp "$DB" "$T/before.db"
oca -d "$DB" user check expiry >/dev/null 2>&1
oca -d "$DB" user check certifications >/dev/null 2>&1
check "checks leave the database byte-identical" cmp "$DB" "$T/before.db"

tap_done
