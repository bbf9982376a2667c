#!/bin/sh
# t-svc-load.sh - many clients of the CA service at once
# SPDX-License-Identifier: GPL-3.0-or-later
#
# $SVC_LOAD_CLIENTS (8) gpg-connect-agent clients certify
# $SVC_LOAD_N (50) keys each over the daemon's socket, all at once,
# while two more add users (each new key trust-signs the CA
# certificate, which every one of them rewrites).  Every key must be
# stored once, certified once, and gpg must accept every certification;
# every trust signature must be on the CA certificate.  The keys are
# Ed25519 keys made by our OpenPGP code (t-pgp-tool gen-many), the CA
# is an Ed25519 softkey.
. "$srcdir/cli-lib.sh"
[ -n "$GPG_CONNECT_AGENT" ] || skip_all "gpg-connect-agent not found"
TOOL="$abs_top_builddir/src/pgp/t-pgp-tool"
[ -x "$TOOL" ] || skip_all "t-pgp-tool not built"
NC=${SVC_LOAD_CLIENTS:-8}
N=${SVC_LOAD_N:-25}
TOTAL=$((NC * N))
NADD=5

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
CAK=$(keyid "$(ca_fpr "$DB")")
diag "$(date +%T) keys"
mkdir "$T/keys"
check "$TOTAL user keys" "$TOOL" gen-many ed25519 "$TOTAL" "$T/keys" example.org
S="$T/run/S.oca"
check "daemon" svc_start "$T/d.log" "$DB" --socket "$S"

c=1
while [ $c -le "$NC" ]; do
  i=$(( (c - 1) * N + 1 ))
  while [ $i -le $((c * N)) ]; do
    printf '/cleardef\n/definqfile KEYBLOCK %s/keys/u%d.asc\n' "$T" $i
    printf 'CERTIFY --email user%d@example.org\n' $i
    i=$((i + 1))
  done > "$T/cmds.$c"
  echo /bye >> "$T/cmds.$c"
  c=$((c + 1))
done
for a in 1 2; do
  i=1
  while [ $i -le $NADD ]; do
    printf 'ADDUSER --email add%d.%d@example.org\n' $a $i
    i=$((i + 1))
  done > "$T/add.$a"
  echo /bye >> "$T/add.$a"
done

diag "$(date +%T) certifying"
c=1
while [ $c -le "$NC" ]; do
  gca "$S" < "$T/cmds.$c" > "$T/out.$c" 2>&1 &
  c=$((c + 1))
done
gca "$S" < "$T/add.1" > "$T/aout.1" 2>&1 &
gca "$S" < "$T/add.2" > "$T/aout.2" 2>&1 &
wait
diag "$(date +%T) done"

c=1; bad=""
while [ $c -le "$NC" ]; do
  n=$(grep -c '^S IMPORTED [0-9A-F]\{40\} 1$' "$T/out.$c")
  [ "$n" -eq "$N" ] && ! grep -q '^ERR' "$T/out.$c" || bad="$bad $c:$n"
  c=$((c + 1))
done
is "every client: $N keys certified, no error" "$bad" ""
[ -z "$bad" ] || sed 's/^/#   /' "$T/out.1" | grep ERR | head -5
is "$((2 * NADD)) users added" "$(cat "$T/aout.1" "$T/aout.2" | grep -c '^S NEWUSER ')" $((2 * NADD))

check "user list" oca -d "$DB" user list
is "every key stored" "$(grep -c '^OpenPGP certificate' "$T/out")" $((TOTAL + 2 * NADD))
if [ -n "$SQLITE3" ]; then
  is "each certified once (audit record)" \
    "$("$SQLITE3" "$DB" "select count(*), count(distinct target_fpr) from certifications where target_fpr <> (select fingerprint from cacerts)")" \
    "$((TOTAL + 2 * NADD))|$((TOTAL + 2 * NADD))"
fi
oca -d "$DB" user export > "$T/all.asc"
check "gpg imports them all" gpg_ --import "$T/all.asc"
gpg_ --with-colons --check-sigs > "$T/sigs" 2>/dev/null
is "gpg: every CA certification good" \
  "$(grep -c "^sig:!::[0-9]*:$CAK:.*:10x:" "$T/sigs")" $((TOTAL + 2 * NADD))
is "gpg: none bad" "$(grep -c "^sig:-:" "$T/sigs")" 0
# The trust signatures of all the added users are on the CA certificate.
gpg_ --with-colons --check-sigs "$CAK" > "$T/casigs" 2>/dev/null
is "every new user's trust signature kept" \
  "$(grep -c '^sig:!::[0-9]*:[0-9A-F]*:.*:10x:' "$T/casigs")" $((2 * NADD))

tap_done
