#!/bin/sh
# t-revoke.sh - user add-revocation, show-revocations, apply-revocation
#               (ids as the reference computes them; gpg and sq-wot honour
#               the applied revocation) and ca revocations -o FILE
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --cipher-suite cv25519 softkey
CA=$(ca_fpr "$DB")

# revid FILE: the reference's revocation id of the armored signature in
# FILE, computed here: SHA-256 over the packet with a new-format header
# (as Sequoia serialises it), first 8 bytes, uppercase hex.
revid () {
  sed 's/^:-----/-----/' "$1" | gpg_ --dearmor > "$T/rid.bin" || return 1
  _ctb=$(od -An -tu1 -N1 "$T/rid.bin" | tr -d ' ')
  if [ $((_ctb & 64)) -ne 0 ]; then
    _b1=$(od -An -tu1 -j1 -N1 "$T/rid.bin" | tr -d ' ')
    if [ "$_b1" -lt 192 ]; then _h=2; elif [ "$_b1" -lt 224 ]; then _h=3; else _h=6; fi
  else
    case $((_ctb & 3)) in 0) _h=2 ;; 1) _h=3 ;; 2) _h=5 ;; *) return 1 ;; esac
  fi
  tail -c +$((_h + 1)) "$T/rid.bin" > "$T/rid.body"
  _n=$(stat -c %s "$T/rid.body")
  if [ "$_n" -lt 192 ]; then
    printf "\\302\\$(printf %o "$_n")" > "$T/rid.pkt"
  else
    _m=$((_n - 192))
    printf "\\302\\$(printf %o $(( (_m >> 8) + 192 )))\\$(printf %o $((_m & 255)))" > "$T/rid.pkt"
  fi
  cat "$T/rid.body" >> "$T/rid.pkt"
  sha256sum "$T/rid.pkt" | cut -c1-16 | tr a-f A-F
}

# gpg_validity FPR: the validity letter gpg gives key FPR.
gpg_validity () {
  gpg_ --with-colons --list-keys "$1" 2>/dev/null | awk -F: '$1=="pub"{print $2; exit}'
}

## User revocations.

check "user add alice" oca -d "$DB" user add -e alice@example.org -n Alice
ALICE=$(oca -d "$DB" user list | awk '/^OpenPGP certificate/{print $3; exit}')
check "show-revocations alice" oca -d "$DB" user show-revocations -e alice@example.org
like "header" "$T/out" "^Revocations for OpenPGP key $ALICE, user \"Alice\"$"
like "the revocation user add made" "$T/out" "^ - revocation id [0-9A-F]{16}: No reason specified \(Unspecified\) \($(date -u +%d/%m/%Y)\)$"
unlike "not applied yet" "$T/out" "APPLIED"
AID=$(sed -n 's/^ - revocation id \([0-9A-F]*\):.*/\1/p' "$T/out")
if [ -n "$SQLITE3" ]; then
  "$SQLITE3" "$DB" "select revocation from revocations where hash='$AID'" > "$T/alice.rev"
  is "alice's id is SHA-256 of the packet (first 8 bytes)" "$(revid "$T/alice.rev")" "$AID"
fi

# Bob makes his key with gpg, which also makes a revocation
# certificate (openpgp-revocs.d, with ':' before the armor line).
BOB=$(gen_gpg_key "$T/bob.asc" "Bob <bob@example.org>")
check "user import bob" oca -d "$DB" user import -e bob@example.org -f "$T/bob.asc"
sed 's/^:-----/-----/' "$GENHOME/openpgp-revocs.d/$BOB.rev" > "$T/bob.rev"
BID=$(revid "$T/bob.rev")
is "bob's id computed" "$(printf %s "$BID" | wc -c | tr -d ' ')" 16
CAROL=$(gen_gpg_key "$T/carol.asc" "Carol <carol@example.org>")
sed 's/^:-----/-----/' "$GENHOME/openpgp-revocs.d/$CAROL.rev" > "$T/carol.rev"

# Bad input: one line, the database byte-identical.
cp "$DB" "$T/before.db"
bad () {
  _d=$1; shift
  check_fails "$_d: refused" oca -d "$DB" "$@"
  one_line "$_d: one-line error" "$T/err"
  cp "$T/err" "$T/bad.err"
  check "$_d: database byte-identical" cmp "$DB" "$T/before.db"
}
bad "a key instead of a revocation" user add-revocation "$T/bob.asc"
like "  message" "$T/bad.err" "bob.asc"
echo "not a revocation" > "$T/junk.rev"
bad "a text file" user add-revocation "$T/junk.rev"
gpg_gen --passphrase '' -u "$BOB" --armor --detach-sign -o "$T/doc.sig" "$T/junk.rev" >/dev/null 2>&1
bad "a document signature" user add-revocation "$T/doc.sig"
like "  not a key revocation" "$T/bad.err" "not a key revocation"
bad "a revocation for an unknown key" user add-revocation "$T/carol.rev"
like "  reference message" "$T/bad.err" "Couldn't find cert for this fingerprint"
# One flipped bit in the signature: it does not verify.
gpg_ --dearmor < "$T/bob.rev" > "$T/forged.rev"
sz=$(stat -c %s "$T/forged.rev")
b=$(od -An -tu1 -j $((sz - 1)) -N1 "$T/forged.rev" | tr -d ' ')
printf "\\$(printf %o $((b ^ 1)))" | dd of="$T/forged.rev" bs=1 seek=$((sz - 1)) conv=notrunc 2>/dev/null
bad "a forged revocation" user add-revocation "$T/forged.rev"
like "  does not verify" "$T/bad.err" "does not verify"
bad "an unknown revocation id" user apply-revocation 0123456789ABCDEF
like "  reference message" "$T/bad.err" "No revocation found for 0123456789ABCDEF"
bad "an invalid revocation id" user apply-revocation xyz
bad "show-revocations: invalid email" user show-revocations -e "no email"

check "add-revocation (gpg's revocation of bob)" oca -d "$DB" user add-revocation "$T/bob.rev"
like "stored" "$T/out" "^Stored 1 revocation for $BOB\.$"
cp "$DB" "$T/before.db"
check "add-revocation again: a no-op" oca -d "$DB" user add-revocation "$T/bob.rev"
check "  database byte-identical" cmp "$DB" "$T/before.db"
check "show-revocations bob" oca -d "$DB" user show-revocations --email BOB@example.org
like "bob: header (name from the key)" "$T/out" "^Revocations for OpenPGP key $BOB, user \"Bob\"$"
like "bob: gpg's revocation, the reference's id" "$T/out" "^ - revocation id $BID: "
check "show-revocations of an unknown address" oca -d "$DB" user show-revocations -e nobody@example.org
is "  reference message" "$(cat "$T/out")" "No OpenPGP keys found"

# Before: both valid in gpg (CA ultimately trusted) and for sq-wot.
oca -d "$DB" ca export > "$T/ca.asc"
oca -d "$DB" user export > "$T/all.asc"
check "gpg imports" gpg_ --import "$T/all.asc"
echo "$CA:6:" | gpg_ --import-ownertrust
gpg_ --check-trustdb >/dev/null 2>&1
is "gpg: bob fully valid before" "$(gpg_validity "$BOB")" f
SQWOT=$(command -v sq-wot || true)
[ -n "$SQWOT" ] || not_ok "sq-wot installed"
wot () { "$SQWOT" --keyring "$T/ca.asc" --keyring "$1" --trust-root "$CA" lookup --email "$2"; }
check "sq-wot: bob authenticated before" wot "$T/all.asc" bob@example.org

check "apply-revocation (lowercase id)" oca -d "$DB" user apply-revocation "$(echo "$BID" | tr A-F a-f)"
like "applied" "$T/out" "^Applied the revocation to $BOB\.$"
check "show-revocations bob" oca -d "$DB" user show-revocations -e bob@example.org
like "bob: applied" "$T/out" "^   this revocation has been APPLIED$"
check "user list" oca -d "$DB" user list
awk -v f="$BOB" '/^OpenPGP certificate/{p=($3==f)} p' "$T/out" > "$T/bob.list"
like "user list: bob revoked" "$T/bob.list" "^ This certificate has \(possibly\) been REVOKED$"
check "apply again: no change, still fine" oca -d "$DB" user apply-revocation "$BID"

oca -d "$DB" user export > "$T/all2.asc"
check "gpg imports the export" gpg_ --import "$T/all2.asc"
is "gpg: bob revoked after apply + export" "$(gpg_validity "$BOB")" r
is "gpg: alice still fully valid" "$(gpg_validity "$ALICE")" f
check_fails "sq-wot: bob no longer authenticated" wot "$T/all2.asc" bob@example.org
check "sq-wot: alice still authenticated" wot "$T/all2.asc" alice@example.org

# The revocation oca made at user add works the same way.
check "apply alice's revocation" oca -d "$DB" user apply-revocation "$AID"
oca -d "$DB" user export -e alice@example.org > "$T/alice2.asc"
check "gpg imports alice" gpg_ --import "$T/alice2.asc"
is "gpg: alice revoked" "$(gpg_validity "$ALICE")" r

## The CA's revocation set.

check "ca revocations -o FILE" oca -d "$DB" ca revocations -o "$T/revset.txt"
is "reference message" "$(cat "$T/out")" "Wrote a set of revocations to the output file"
like "names the CA" "$T/revset.txt" "'openpgp-ca@example.org'"
like "announces the revocations" "$T/revset.txt" "^Revocation certificates \(ordered by 'creation time'\) follow:$"
is "the CA certificate and 242 revocations" "$(grep -c '^-----BEGIN PGP PUBLIC KEY BLOCK-----$' "$T/revset.txt")" 243
is "121 hard" "$(grep -c '^Comment: Hard revocation (certificate compromised) ([0-9-]*)$' "$T/revset.txt")" 121
is "121 soft" "$(grep -c '^Comment: Soft revocation (certificate retired) ([0-9-]*)$' "$T/revset.txt")" 121
like "first: today" "$T/revset.txt" "^Comment: Hard revocation \(certificate compromised\) \($(date -u +%Y-%m-%d)\)$"
like "last: in 3600 days" "$T/revset.txt" "^Comment: Soft revocation \(certificate retired\) \($(date -u -d '+3600 days' +%Y-%m-%d)\)$"
if [ -n "$SQLITE3" ]; then
  is "242 revocations in the audit table" "$("$SQLITE3" "$DB" "select count(*) from certifications where kind='revocation' and target_fpr='$CA'")" 242
fi

# block N FILE: the Nth armored block of the set (1 = the CA cert).
block () {
  awk -v n="$1" '/^-----BEGIN PGP/{i++} i==n{print} i==n && /^-----END PGP/{exit}' "$2"
}
block 2 "$T/revset.txt" > "$T/hard.asc"
block 3 "$T/revset.txt" > "$T/soft.asc"
gpg_ --list-packets "$T/hard.asc" > "$T/hard.pk" 2>&1
like "hard: key revocation (0x20)" "$T/hard.pk" "sigclass 0x20"
like "hard: reason 2 (compromised)" "$T/hard.pk" "revocation reason 0x02.*Certificate has been compromised|subpkt 29 len .*reason 2"
gpg_ --list-packets "$T/soft.asc" > "$T/soft.pk" 2>&1
like "soft: reason 3 (retired)" "$T/soft.pk" "revocation reason 0x03|reason 3"
for k in hard soft; do
  export GNUPGHOME="$T/g-$k"
  mkdir -m 700 "$GNUPGHOME"
  block 1 "$T/revset.txt" > "$T/cacert.asc"
  gpg_ --import "$T/cacert.asc" 2>/dev/null
  is "$k: CA valid in gpg before" "$(gpg_validity "$CA")" -
  check "$k: gpg imports the revocation" gpg_ --import "$T/$k.asc"
  is "$k: gpg shows the CA revoked" "$(gpg_validity "$CA")" r
  GNUPGHOME="$GNUPGHOME" "$GPGCONF" --kill all
done
export GNUPGHOME="$T/gnupg"

cp "$DB" "$T/before.db"
check_fails "ca revocations into a missing directory" oca -d "$DB" ca revocations -o "$T/no/such/dir"
one_line "  one-line error" "$T/err"
check "  database byte-identical (no audit rows)" cmp "$DB" "$T/before.db"
check_fails "ca revocations without -o" oca -d "$DB" ca revocations

tap_done
