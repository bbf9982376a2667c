#!/bin/sh
# t-crash-import.sh - kill -9 during a bulk import: a softkey CA stores
# all of the keyring or nothing
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `user import --domain-emails' of a keyring of $N keys is killed with
# SIGKILL at random moments of a run and at random points of SQLite's
# commit (strace's syscall injection: page writes, syncs, the journal's
# removal).  After every kill the database passes PRAGMA
# integrity_check and holds either none of the keys or exactly what a
# complete run stores (same fingerprints, emails, record counts), and
# oca goes on: `user list' works and a re-run completes the import.
. "$srcdir/cli-lib.sh"
. "$srcdir/../crash-lib.sh"

[ -n "$SQLITE3" ] || skip_all "sqlite3 CLI not found"
[ -n "$STRACE" ] || skip_all "strace not found"
N=200

check "ca init" oca -d "$T/ca.db" ca init --domain example.org --algo ed25519 softkey
cp "$T/ca.db" "$T/empty.db"

# A keyring of N keys with one User ID in the domain each (one gpg run).
i=1
while [ $i -le $N ]; do
  printf 'Key-Type: eddsa\nKey-Curve: ed25519\nKey-Usage: cert\nName-Real: User %d\nName-Email: u%d@example.org\nExpire-Date: 0\n%%no-protection\n%%commit\n' $i $i
  i=$((i + 1))
done > "$T/params"
gpg_gen --gen-key "$T/params" >/dev/null 2>&1
gpg_gen --armor --export > "$T/ring.asc"
is "keyring of $N keys" "$(gpg_gen --with-colons --list-keys | grep -c '^pub:')" $N

# What a complete run stores.
snapshot () {
  sq "$1" "SELECT c.fingerprint || ' ' || group_concat(e.addr, ',')
           FROM certs c LEFT JOIN certs_emails e ON e.cert_id = c.id
           GROUP BY c.id ORDER BY c.fingerprint"
}
counts () {
  sq "$1" "SELECT (SELECT count(*) FROM users) || ' ' ||
                  (SELECT count(*) FROM certs) || ' ' ||
                  (SELECT count(*) FROM certs_emails) || ' ' ||
                  (SELECT count(*) FROM certifications)"
}
cp "$T/empty.db" "$T/ref.db"
t0=$(now_ms)
check "complete import" oca -d "$T/ref.db" user import --domain-emails --file "$T/ring.asc"
full_ms=$(( $(now_ms) - t0 ))
diag "a complete import takes $full_ms ms"
snapshot "$T/ref.db" > "$T/ref.snap"
full=$(counts "$T/ref.db")
is "complete run: $N users, certs, emails, certifications" "$full" "$N $N $N $N"

# Where the kills land: four at random moments of a complete run's
# duration (plus a margin), kill -9 from outside; the others exactly
# when oca enters a write of SQLite's commit (strace sends SIGKILL):
# six random page writes (journal and database) and every fdatasync,
# fsync and unlink (the journal's removal is the commit point), and
# its write of the summary to stdout (after the commit); of a kind
# that occurs more than four times, three at random and the last.
CRASH_CMD="$OCA -d $T/count.db user import --domain-emails --file $T/ring.asc"
cp "$T/empty.db" "$T/count.db"
check "count the writes of a complete run" \
  crash_count_syscalls "$T/writes" pwrite64 fdatasync fsync unlink write
nwrites=$(awk '$1 == "pwrite64" { print $2 }' "$T/writes")
diag "a complete import makes: $(tr '\n' ' ' < "$T/writes")"
[ "$nwrites" -ge 10 ] && ok "it writes pages ($nwrites)" || not_ok "it writes pages ($nwrites)"
: > "$T/plan"
i=0
while [ $i -lt 4 ]; do
  echo "time $(crash_rand $((full_ms * 12 / 10 + 1)))" >> "$T/plan"; i=$((i + 1))
done
i=0
while [ $i -lt 6 ]; do
  echo "pwrite64 $((1 + $(crash_rand "$nwrites")))" >> "$T/plan"; i=$((i + 1))
done
for sc in fdatasync fsync unlink write; do
  n=$(awk -v s=$sc '$1 == s { print $2 }' "$T/writes")
  if [ "$n" -le 4 ]; then
    i=1
    while [ "$i" -le "$n" ]; do echo "$sc $i" >> "$T/plan"; i=$((i + 1)); done
  else
    # Many of them: three at random and the last.
    for i in 1 2 3; do echo "$sc $((1 + $(crash_rand "$n")))" >> "$T/plan"; done
    echo "$sc $n" >> "$T/plan"
  fi
done

none=0 all=0 killed=0 k=0
while read -r how at; do
  k=$((k + 1))
  cp "$T/empty.db" "$T/k.db"
  rm -f "$T/k.db-journal"
  if [ "$how" = time ]; then
    crash_kill_after "$at" "$OCA" -d "$T/k.db" user import --domain-emails --file "$T/ring.asc"
    when="$at ms after the start"
  else
    crash_kill_at_syscall "$how" "$at" "$OCA" -d "$T/k.db" user import --domain-emails --file "$T/ring.asc"
    when="at $how #$at"
  fi
  [ "$CRASH_HOW" = killed ] && killed=$((killed + 1))
  hot=no
  [ -e "$T/k.db-journal" ] && hot=yes
  diag "kill $k $when: $CRASH_HOW, journal left: $hot"
  # The sqlite3 CLI rolls a hot journal back, as every opener does.
  is "kill $k: integrity_check" "$(db_integrity "$T/k.db")" ok
  is "kill $k: no foreign key violation" "$(sq "$T/k.db" "PRAGMA foreign_key_check")" ""
  got=$(counts "$T/k.db")
  case $got in
    "0 0 0 0")
      none=$((none + 1))
      ok "kill $k: nothing stored" ;;
    "$full")
      all=$((all + 1))
      snapshot "$T/k.db" > "$T/k.snap"
      if cmp -s "$T/ref.snap" "$T/k.snap"; then
        ok "kill $k: all $N keys stored, as in a complete run"
      else
        not_ok "kill $k: all $N keys stored, as in a complete run"
        diff "$T/ref.snap" "$T/k.snap" | head -5 | sed 's/^/# /'
      fi ;;
    *)
      not_ok "kill $k: all or nothing (users certs emails certifications: $got)" ;;
  esac
  check "kill $k: user list works" oca -d "$T/k.db" user list
  is "kill $k: user list shows what is stored" \
    "$(grep -c '^OpenPGP certificate' "$T/out")" "${got%% *}"
  check "kill $k: a re-run completes" oca -d "$T/k.db" user import --domain-emails --file "$T/ring.asc"
  snapshot "$T/k.db" > "$T/k.snap"
  cmp -s "$T/ref.snap" "$T/k.snap" && ok "kill $k: then all $N keys are stored" \
    || not_ok "kill $k: then all $N keys are stored"
done < "$T/plan"
diag "outcomes of $k kills: $killed killed a running import; $none left nothing, $all everything"
# The kills must hit running imports, and both outcomes must occur
# (a kill at the last unlink leaves nothing, one after it everything),
# or this test proves little.
[ $killed -ge 8 ] && ok "at least 8 kills hit a running import ($killed)" \
  || not_ok "at least 8 kills hit a running import ($killed)"
[ $none -ge 1 ] && ok "some kills left nothing ($none)" || not_ok "some kills left nothing"
tap_done
