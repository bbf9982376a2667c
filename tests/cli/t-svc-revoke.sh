#!/bin/sh
# t-svc-revoke.sh - the service's ADDREVOCATION and REVOKE (as `user
# add-revocation' and `user apply-revocation'), on the daemon's socket
# and on a pipe: gpg's revocation stored, applied, gpg sees the key
# revoked; bad input is an ERR that changes nothing and leaves the
# session going
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"
[ -n "$GPG_CONNECT_AGENT" ] || skip_all "gpg-connect-agent not found"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
A=$(gen_gpg_key "$T/alice.asc" "Alice <alice@example.org>")
B=$(gen_gpg_key "$T/bob.asc" "Bob <bob@example.org>")
C=$(gen_gpg_key "$T/carol.asc" "Carol <carol@example.org>")
for u in alice bob; do
  check "import $u" oca -d "$DB" user import -e $u@example.org -f "$T/$u.asc"
done
# gpg's revocation certificates (their armor line is escaped).
for k in "bob:$B" "carol:$C"; do
  sed 's/^:-----/-----/' "$GENHOME/openpgp-revocs.d/${k#*:}.rev" > "$T/${k%%:*}.rev"
done

S="$T/run/S.oca"
check "daemon starts" svc_start "$T/d.log" "$DB" --socket "$S"

# Bad input first: ERR, the session goes on, the database unchanged.
cp "$DB" "$T/before.db"
check "ADDREVOCATION of a key" gca "$S" "/definqfile KEYBLOCK $T/alice.asc" \
  ADDREVOCATION NOP /bye
like "ERR naming the key block" "$T/out" "^ERR [0-9]+ .*the key block"
is "the session goes on (NOP: OK)" "$(grep -c '^OK$' "$T/out")" 1
check "ADDREVOCATION for an unknown key" gca "$S" \
  "/definqfile KEYBLOCK $T/carol.rev" ADDREVOCATION /bye
like "ERR: no such key" "$T/out" "^ERR [0-9]+ .*Couldn't find cert for this fingerprint"
check "REVOKE an unknown id" gca "$S" 'REVOKE 0123456789ABCDEF' NOP /bye
like "ERR not found" "$T/out" "^ERR [0-9]+ Not found .*No revocation found for 0123456789ABCDEF"
check "REVOKE without an id" gca "$S" 'REVOKE' /bye
like "ERR: an id is needed" "$T/out" "^ERR [0-9]+ .*a revocation id \(16 hex digits\) is needed"
check "REVOKE xyz" gca "$S" 'REVOKE xyz' /bye
like "ERR: not an id" "$T/out" "^ERR [0-9]+ .*a revocation id \(16 hex digits\) is needed"
check "database unchanged" cmp "$DB" "$T/before.db"

# Store gpg's revocation of bob; again: nothing new.
check "ADDREVOCATION" gca "$S" "/definqfile KEYBLOCK $T/bob.rev" ADDREVOCATION /bye
like "stored" "$T/out" "^S REVOCATION_STORED $B 1$"
like "OK" "$T/out" "^OK$"
check "ADDREVOCATION again" gca "$S" "/definqfile KEYBLOCK $T/bob.rev" ADDREVOCATION /bye
like "stored already" "$T/out" "^S REVOCATION_STORED $B 0$"
check "the command line lists it" oca -d "$DB" user show-revocations -e bob@example.org
ID=$(sed -n 's/^ - revocation id \([0-9A-F]\{16\}\): .*/\1/p' "$T/out")
is "one id" "$(printf %s "$ID" | wc -c | tr -d ' ')" 16
unlike "not applied yet" "$T/out" "APPLIED"

# REVOKE it (on a pipe this time, lower-case id).
LID=$(printf %s "$ID" | tr A-F a-f)
check "REVOKE" gca_pipe "-d $DB" "REVOKE $LID" /bye
like "revoked" "$T/out" "^S REVOKED $B $LID$"
like "OK" "$T/out" "^OK$"
check "show-revocations" oca -d "$DB" user show-revocations -e bob@example.org
like "applied" "$T/out" "APPLIED"
check "user export" oca -d "$DB" user export
cp "$T/out" "$T/all.asc"
check "gpg imports" gpg_ --import "$T/all.asc"
is "gpg: bob revoked" \
  "$(gpg_ --with-colons --list-keys "$B" | awk -F: '$1=="pub"{print $2}')" r
is "gpg: alice not" \
  "$(gpg_ --with-colons --list-keys "$A" | awk -F: '$1=="pub"{print $2}')" -
check "HELP REVOKE" gca "$S" 'HELP REVOKE' /bye
like "help text" "$T/out" "REVOKE ID"

tap_done
