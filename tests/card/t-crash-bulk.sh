#!/bin/sh
# t-crash-bulk.sh - kill -9 during a bulk import with a card CA: the
# database keeps a clean prefix of the keyring
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A card CA certifies in keyring order, one key after the other.  The
# import is killed with SIGKILL at random moments: oca itself (at a
# random time, and at random points of SQLite's commit through strace's
# syscall injection), and oca-scd, the card server, in the middle of the
# certifications, while the card waits for the touch of one if it has a
# button (oca then stores the keys certified before, as after a touch
# timeout; doc/card-backend.md).  Runs on every card profile with the
# profile's CA algorithm.  After every kill:
#  - the database passes PRAGMA integrity_check;
#  - the stored keys are the first K keys of the keyring (K may be 0 or
#    all), nothing else;
#  - no key is half stored: each has its email rows and exactly one
#    audit record, and its User ID carries exactly one CA certification
#    that gpg verifies;
#  - a re-run completes the import: all keys, each certified once.
. "$srcdir/card-lib.sh"
. "$srcdir/../crash-lib.sh"

[ -n "$SQLITE3" ] || skip_all "sqlite3 CLI not found"
[ -n "$STRACE" ] || skip_all "strace not found"
N=12

# A card with a button holds a certification until it is touched;
# without one, each certification takes 50 ms, time enough to kill
# oca-scd while the card computes it.
if vcard_profile_has button; then
  BUTTON=yes
  vcard_plug a --serial 0000CC31 --touch-timeout 60 || exit 1
else
  BUTTON=no
  vcard_plug a --serial 0000CC31 --latency 50 || exit 1
fi
card_env a
check "ca init" ocac ca init --domain example.org --algo $ALGO card $SCD
CAFPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
CAKEYID=$(printf %s "$CAFPR" | cut -c25-40)
is "CA key id" "${#CAKEYID}" 16
ocac ca export > "$T/ca.asc"
cp "$DB" "$T/empty.db"

# N keys with one domain User ID each, in this keyring order.
i=1
while [ $i -le $N ]; do
  printf 'Key-Type: eddsa\nKey-Curve: ed25519\nKey-Usage: cert\nName-Real: User %d\nName-Email: u%d@example.org\nExpire-Date: 0\n%%no-protection\n%%commit\n' $i $i
  i=$((i + 1))
done > "$T/params"
GNUPGHOME=$T/gen
mkdir -m 700 "$GNUPGHOME"
"$GPG" --batch --gen-key "$T/params" >/dev/null 2>&1
: > "$T/ring.asc"
: > "$T/order"
i=1
while [ $i -le $N ]; do
  fp=$("$GPG" --batch --with-colons --list-keys "u$i@example.org" 2>/dev/null \
       | awk -F: '/^fpr:/ { print $10; exit }')
  echo "$fp" >> "$T/order"
  "$GPG" --batch --armor --export "$fp" >> "$T/ring.asc"
  i=$((i + 1))
done
"$GPGCONF" --kill all
GNUPGHOME=$T/gh
is "keyring of $N keys" "$(grep -c . "$T/order")" $N

import () { "$OCA" -d "$1" user import --domain-emails --file "$T/ring.asc"; }

# check_prefix K DB: the stored keys of DB are a prefix of the keyring
# order and each is completely stored and verifiable; sets STORED.
check_prefix () {
  _k=$1 _db=$2
  sq "$_db" "SELECT fingerprint FROM certs ORDER BY fingerprint" > "$T/stored"
  STORED=$(grep -c . "$T/stored")
  _n=0
  while read -r _fp; do
    grep -qx "$_fp" "$T/stored" || break
    _n=$((_n + 1))
  done < "$T/order"
  is "kill $_k: the stored keys are the first $STORED of the keyring" "$_n" "$STORED"
  is "kill $_k: every stored key has its emails, user and one audit record" \
    "$(sq "$_db" "SELECT count(*) FROM certs c WHERE
         (SELECT count(*) FROM certs_emails e WHERE e.cert_id = c.id) = 0
         OR (SELECT count(*) FROM certifications r WHERE r.cert_id = c.id) != 1
         OR c.user_id IS NULL")" 0
  is "kill $_k: no rows of keys not stored" \
    "$(sq "$_db" "SELECT (SELECT count(*) FROM users) - $STORED,
                         (SELECT count(*) FROM certifications) - $STORED")" "0|0"
  if [ "$STORED" -gt 0 ]; then
    rm -rf "$T/v" && mkdir -m 700 "$T/v"
    "$OCA" -d "$_db" user export > "$T/users.asc" 2>"$T/export.err"
    GNUPGHOME=$T/v "$GPG" --batch --import "$T/ca.asc" "$T/users.asc" >/dev/null 2>&1
    _good=0 _bad=0
    while read -r _fp; do
      _s=$(GNUPGHOME=$T/v "$GPG" --batch --with-colons --check-sigs "$_fp" 2>/dev/null \
           | awk -F: -v k="$CAKEYID" '$1 == "sig" && $5 == k && $11 == "10x" { print $2 }')
      if [ "$_s" = "!" ]; then _good=$((_good + 1)); else _bad=$((_bad + 1)); fi
    done < "$T/stored"
    GNUPGHOME=$T/v "$GPGCONF" --kill all
    is "kill $_k: gpg verifies one CA certification on each of the $STORED stored keys" \
      "$_good $_bad" "$STORED 0"
  fi
}

# A complete run, for its duration and its writes.
cp "$T/empty.db" "$T/ref.db"
t0=$(now_ms)
check "complete import" import "$T/ref.db"
full_ms=$(( $(now_ms) - t0 ))
diag "a complete import takes $full_ms ms"
check_prefix ref "$T/ref.db"
is "complete run: all $N keys" "$STORED" $N
CRASH_CMD="$OCA -d $T/count.db user import --domain-emails --file $T/ring.asc"
cp "$T/empty.db" "$T/count.db"
check "count the writes of a complete run" \
  crash_count_syscalls "$T/writes" pwrite64 fdatasync unlink
diag "a complete import makes: $(tr '\n' ' ' < "$T/writes")"
nwrites=$(awk '$1 == "pwrite64" { print $2 }' "$T/writes")
nsyncs=$(awk '$1 == "fdatasync" { print $2 }' "$T/writes")

# wait_touch_used: wait (up to 10 s) until the card took the touch.
wait_touch_used () {
  _i=0
  while [ -e "$T/vcard-a.touch" ] && [ $_i -lt 100 ]; do
    sleep 0.1; _i=$((_i + 1))
  done
  [ ! -e "$T/vcard-a.touch" ]
}

# kill_scd K: kill -9 oca-scd in the middle of an import, during the
# certification after the Kth.  On a card with a touch button (touch
# required for certifications): touch the card for the first K
# certifications and kill oca-scd while the card waits for the touch
# of certification K+1, then touch once more so that the card finishes
# that operation for nobody; exactly K keys are then stored.  On a card
# without a button: kill oca-scd as soon as the card received the
# (K+1)th certification command, while the card takes its 50 ms (K
# keys are then stored, or K+1 if this test was held up).  Sets
# CRASH_HOW (oca's exit).
kill_scd () {
  _log=$T/vcard-a.apdus
  _base=$(grep -c '^.. 88 ' "$_log")
  "$OCA" -d "$T/k.db" user import --domain-emails --file "$T/ring.asc" \
    > "$T/crash.out" 2> "$T/crash.err" &
  _pid=$!
  _j=0
  while [ "$BUTTON" = yes ] && [ $_j -lt "$1" ]; do
    vcard_touch a
    wait_touch_used || break
    _j=$((_j + 1))
  done
  _i=0
  while [ $(( $(grep -c '^.. 88 ' "$_log") - _base )) -le "$1" ] \
        && [ $_i -lt 2000 ] && kill -0 "$_pid" 2>/dev/null; do
    [ "$BUTTON" = yes ] && sleep 0.05
    _i=$((_i + 1))
  done
  _scd=$(cat /proc/"$_pid"/task/*/children 2>/dev/null | tr ' ' '\n' | grep . | head -1)
  [ -n "$_scd" ] && kill -9 "$_scd" 2>/dev/null
  wait "$_pid"
  # What the card signed in all (an upper bound of what can be stored:
  # on a busy machine more than one signature may pass before the kill).
  SIGNED=$(( $(grep -c '^.. 88 ' "$_log") - _base ))
  CRASH_HOW="exit $?"
  if [ "$BUTTON" = yes ]; then
    vcard_touch a
    wait_touch_used
  fi
}

# The plan: oca-scd killed after 3 random numbers of certifications (1
# to N-1; without a button to hold the card, 1 to N/2, so that the kill
# lands before the last certification), oca killed at 3 random moments,
# at 2 random page writes, at the first and last fdatasync and at the
# journal's removal.
: > "$T/plan"
maxk=$((N - 1))
[ "$BUTTON" = yes ] || maxk=$((N / 2))
for i in 1 2 3; do echo "scd $((1 + $(crash_rand "$maxk")))" >> "$T/plan"; done
for i in 1 2 3; do echo "time $(crash_rand $((full_ms * 12 / 10 + 1)))" >> "$T/plan"; done
for i in 1 2; do echo "pwrite64 $((1 + $(crash_rand "$nwrites")))" >> "$T/plan"; done
echo "fdatasync 1" >> "$T/plan"
[ "$nsyncs" -gt 1 ] && echo "fdatasync $nsyncs" >> "$T/plan"
echo "unlink 1" >> "$T/plan"

# touch_policy on|off: touch for certifications (the AUT slot), on a
# card that has a button.
touch_policy () {
  [ "$BUTTON" = yes ] || return 0
  check "touch policy $1" "$OCA" -d "$T/empty.db" card touch --key AUT --policy "$1" $SCD
}

k=0 partial=0
while read -r how at; do
  k=$((k + 1))
  cp "$T/empty.db" "$T/k.db"
  rm -f "$T/k.db-journal"
  case $how in
    scd)  touch_policy on
          kill_scd "$at"
          touch_policy off
          when="oca-scd during certification $((at + 1))" ;;
    time) crash_kill_after "$at" "$OCA" -d "$T/k.db" user import \
            --domain-emails --file "$T/ring.asc"
          when="oca $at ms after the start" ;;
    *)    crash_kill_at_syscall "$how" "$at" "$OCA" -d "$T/k.db" user import \
            --domain-emails --file "$T/ring.asc"
          when="oca at $how #$at" ;;
  esac
  diag "kill $k, $when: $CRASH_HOW; $(grep '^oca:' "$T/crash.err" | head -1)"
  is "kill $k: integrity_check" "$(db_integrity "$T/k.db")" ok
  check_prefix "$k" "$T/k.db"
  [ "$STORED" -gt 0 ] && [ "$STORED" -lt $N ] && partial=$((partial + 1))
  if [ "$how" = scd ] && [ "$BUTTON" = yes ]; then
    is "kill $k: the $at keys certified before the kill are kept" "$STORED" "$at"
  elif [ "$how" = scd ]; then
    [ "$STORED" -ge "$at" ] && [ "$STORED" -le "$SIGNED" ] \
      && ok "kill $k: the $STORED keys certified before the kill are kept" \
      || not_ok "kill $k: the keys certified before the kill are kept ($STORED, want $at to $SIGNED, the card's signatures)"
  fi
  if [ "$how" = scd ]; then
    like "kill $k: oca says how many keys were stored" "$T/crash.err" \
      "key(s)? before it (was|were) certified and stored; re-run to continue"
  fi
  check "kill $k: a re-run completes" import "$T/k.db"
  check_prefix "$k (re-run)" "$T/k.db"
  is "kill $k: after the re-run all $N keys are stored" "$STORED" $N
done < "$T/plan"
diag "$partial of $k kills left a partial prefix"
tap_done
