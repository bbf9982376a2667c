#!/bin/sh
# t-renew-crash.sh - kill -9 during `ca renew': the batches committed
# before stay, a re-run continues, nothing is certified twice
# SPDX-License-Identifier: GPL-3.0-or-later
#
# $N users whose certifications expire in two days are renewed in
# batches of 64 certificates (--batch 64, a card CA's default; one
# transaction each: three here).  The run is killed with
# SIGKILL at random moments and when oca enters chosen fdatasync calls
# of SQLite's commits (strace).  After every kill: the file passes
# integrity_check, no certificate has more than one new certification,
# and a re-run completes; then every User ID carries exactly two CA
# certifications (the old one and one new), in the record and for gpg.
. "$srcdir/cli-lib.sh"
. "$srcdir/../crash-lib.sh"

[ -n "$SQLITE3" ] || skip_all "sqlite3 CLI not found"
[ -n "$STRACE" ] || skip_all "strace not found"
N=130

check "ca init" oca -d "$T/base.db" ca init --domain example.org --algo ed25519 softkey
CA=$(ca_fpr "$T/base.db")
CAK=$(keyid "$CA")
i=1
while [ $i -le $N ]; do
  printf 'Key-Type: eddsa\nKey-Curve: ed25519\nKey-Usage: cert\nName-Real: User %d\nName-Email: u%d@example.org\nExpire-Date: 0\n%%no-protection\n%%commit\n' $i $i
  i=$((i + 1))
done > "$T/params"
gpg_gen --gen-key "$T/params" >/dev/null 2>&1
gpg_gen --armor --export > "$T/ring.asc"
check "import $N keys, certified for two days" \
  oca -d "$T/base.db" user import --domain-emails --validity 2 --file "$T/ring.asc"

# Records per certificate: "min max count" over all certificates.
per_cert () {
  sq "$1" "SELECT min(n) || ' ' || max(n) || ' ' || count(*) FROM
           (SELECT count(*) AS n FROM certifications
            WHERE kind = 'certification' GROUP BY target_fpr)"
}
renewed () {
  sq "$1" "SELECT count(*) FROM certifications WHERE kind = 'certification'
           AND id > $N"
}
RENEW="ca renew --days 30 --within 5 --batch 64"

cp "$T/base.db" "$T/ref.db"
t0=$(now_ms)
check "complete renewal" oca -d "$T/ref.db" $RENEW
full_ms=$(( $(now_ms) - t0 ))
diag "a complete renewal takes $full_ms ms"
like "all renewed" "$T/out" "^Renewed $N certifications on $N of $N "
is "complete run: two records on each of $N certificates" "$(per_cert "$T/ref.db")" "2 2 $N"

CRASH_CMD="$OCA -d $T/count.db $RENEW"
cp "$T/base.db" "$T/count.db"
check "count the syncs of a complete run" crash_count_syscalls "$T/syncs" fdatasync
nsync=$(awk '$1 == "fdatasync" { print $2 }' "$T/syncs")
diag "a complete renewal makes $nsync fdatasync calls"
[ "$nsync" -ge 6 ] && ok "three commits sync ($nsync)" || not_ok "three commits sync ($nsync)"

# A softkey's default batch (1,024): the same renewal in one commit,
# so fewer syncs than the three commits above.
CRASH_CMD="$OCA -d $T/count1.db ca renew --days 30 --within 5"
cp "$T/base.db" "$T/count1.db"
check "count the syncs with the default batch" \
  crash_count_syscalls "$T/syncs1" fdatasync
nsync1=$(awk '$1 == "fdatasync" { print $2 }' "$T/syncs1")
diag "with the default batch: $nsync1 fdatasync calls"
[ "${nsync1:-0}" -ge 1 ] && [ "$nsync1" -lt "$nsync" ] \
  && ok "the default batch commits once ($nsync1 < $nsync syncs)" \
  || not_ok "the default batch commits once ($nsync1 < $nsync syncs)"
is "the default batch renews all" "$(per_cert "$T/count1.db")" "2 2 $N"

: > "$T/plan"
for i in 1 2; do echo "time $(crash_rand $((full_ms + 1)))" >> "$T/plan"; done
for i in 1 2 3; do echo "fdatasync $((1 + $(crash_rand "$nsync")))" >> "$T/plan"; done
echo "fdatasync $((nsync / 2))" >> "$T/plan"

partial=0 k=0
while read -r how at; do
  k=$((k + 1))
  cp "$T/base.db" "$T/k.db"
  rm -f "$T/k.db-journal"
  if [ "$how" = time ]; then
    crash_kill_after "$at" "$OCA" -d "$T/k.db" $RENEW
    when="$at ms after the start"
  else
    crash_kill_at_syscall "$how" "$at" "$OCA" -d "$T/k.db" $RENEW
    when="at $how #$at"
  fi
  is "kill $k: integrity_check" "$(db_integrity "$T/k.db")" ok
  got=$(renewed "$T/k.db")
  diag "kill $k $when: $CRASH_HOW, $got renewed"
  [ "$got" -gt 0 ] && [ "$got" -lt $N ] && partial=$((partial + 1))
  mx=$(per_cert "$T/k.db" | cut -d' ' -f2)
  [ "$mx" -le 2 ] && ok "kill $k: no certificate renewed twice" \
    || not_ok "kill $k: no certificate renewed twice (max $mx records)"
  check "kill $k: a re-run completes" oca -d "$T/k.db" $RENEW
  like "kill $k: the re-run renews the rest" "$T/out" "^Renewed $((N - got)) certifications? on $((N - got)) of $N "
  is "kill $k: then two records on each certificate" "$(per_cert "$T/k.db")" "2 2 $N"
done < "$T/plan"
[ $partial -ge 1 ] && ok "some kills left a partial renewal ($partial)" \
  || not_ok "some kills left a partial renewal"

# gpg agrees on the last one: two good CA certifications per User ID.
oca -d "$T/k.db" user export > "$T/all.asc"
gpg_ --import "$T/all.asc" 2>/dev/null
gpg_ --with-colons --check-sigs 2>/dev/null \
  | awk -F: -v k="$CAK" '$1=="uid"{u=$10} $1=="sig" && $2=="!" && $5==k && $11=="10x" {n[u]++}
      END { for (u in n) c[n[u]]++; for (x in c) print x ":" c[x] }' > "$T/dist"
is "gpg: every User ID has two good CA certifications" "$(cat "$T/dist")" "2:$N"
check "audit of the last one" oca -d "$T/k.db" ca audit
tap_done
