#!/bin/sh
# t-dbfile.sh - the database file: modes, a crashed writer's journal,
# unreadable files, messages; user add stores nothing it could not
# print; stored certs must be the key their row names
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

[ -n "$SQLITE3" ] || skip_all "sqlite3 not found"
sql () { "$SQLITE3" "$@"; }
umask 022
# As root, file modes do not stop anything: checks of what another
# user sees run as nobody, on files in directories nobody can enter.
RUN=""
if [ "$(id -u)" = 0 ]; then
  chmod 755 "$T"
  RUN="setpriv --reuid=65534 --regid=65534 --clear-groups --"
fi
# err_one DESC REGEX: $T/err is one line matching REGEX.
err_one () {
  one_line "$1: one line" "$T/err"
  like "$1: message" "$T/err" "$2"
}

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
check "user add" oca -d "$DB" user add -e alice@example.org --name Alice
check "user add" oca -d "$DB" user add -e bob@example.org --name Bob
cp "$DB" "$T/orig.db"

## 1. ca init into an existing file, and the warning for open modes.
: > "$T/empty644.db"
check_fails "ca init into an empty 0644 file is refused" \
  oca -d "$T/empty644.db" ca init --domain example.org --algo ed25519 softkey
err_one "empty 0644 file" "'$T/empty644.db'.*mode 0644 gives group or others access"
test ! -s "$T/empty644.db"; is "empty 0644 file: still empty" $? 0
is "empty 0644 file: mode kept" "$(stat -c %a "$T/empty644.db")" 644
: > "$T/empty600.db"; chmod 600 "$T/empty600.db"
check "ca init into an empty 0600 file works" \
  oca -d "$T/empty600.db" ca init --domain example.org --algo ed25519 softkey
printf 'my notes\n' > "$T/notes.txt"
check_fails "ca init into a text file is refused" \
  oca -d "$T/notes.txt" ca init --domain example.org --algo ed25519 softkey
err_one "text file" "'$T/notes.txt' is not an oca database"
is "text file unchanged" "$(cat "$T/notes.txt")" "my notes"
cp "$DB" "$T/ca644.db"; chmod 644 "$T/ca644.db"; cp "$T/ca644.db" "$T/ca644.orig"
check_fails "ca init on an existing 0644 CA is refused" \
  oca -d "$T/ca644.db" ca init --domain example.org --algo ed25519 softkey
check "existing 0644 CA unchanged" cmp "$T/ca644.db" "$T/ca644.orig"
check "ca init creates a missing file" \
  oca -d "$T/new.db" ca init --domain example.org --algo ed25519 softkey
is "with mode 0600 despite umask 022" "$(stat -c %a "$T/new.db")" 600
check_fails "ca init into a missing directory" \
  oca -d "$T/nodir/ca.db" ca init --domain example.org --algo ed25519 softkey
err_one "missing directory" "cannot create database '$T/nodir/ca.db': directory '$T/nodir' does not exist"

for cmd in "ca show" "user list" "user export"; do
  # shellcheck disable=SC2086
  check "0644 CA: $cmd works" oca -d "$T/ca644.db" $cmd
  err_one "0644 CA: $cmd warns" "^oca: warning: group or others can access database '$T/ca644.db' \(mode 0644\), which holds the CA's private key"
done
chmod 640 "$T/ca644.db"
check "0640 CA: ca show works" oca -d "$T/ca644.db" ca show
err_one "0640 CA: warns" "\(mode 0640\)"
check "0600 CA: ca show" oca -d "$DB" ca show
test ! -s "$T/err"; is "0600 CA: no warning" $? 0

## 2. A writer killed in the middle of a transaction leaves a hot journal.
# crash_writer DB: sqlite3 changes the domain and adds enough rows to
# spill pages into the file, then is killed before it commits.
crash_writer () {
  # sql.out goes too: the shell opens it only after the FIFO, so the
  # wait below could otherwise read the last writer's "written" and
  # kill this one before it wrote anything.
  rm -f "$T/sql.in" "$T/sql.out"; mkfifo "$T/sql.in"
  "$SQLITE3" "$1" < "$T/sql.in" > "$T/sql.out" 2>&1 &
  _pid=$!
  exec 8> "$T/sql.in"
  echo "PRAGMA cache_size = 2; BEGIN;
UPDATE cas SET domainname = 'evil.example';
INSERT INTO users (name, ca_id) SELECT hex(randomblob(2000)), 1 FROM
 (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300)
  SELECT x FROM c);
SELECT 'written';" >&8
  _i=0
  # Up to 120 s: a loaded machine can take long over the inserts, and
  # killing the writer before they are done leaves no journal.
  while [ $_i -lt 1200 ] && ! grep -qs written "$T/sql.out"; do
    sleep 0.1; _i=$((_i+1)); done
  kill -9 $_pid; wait $_pid 2>/dev/null
  exec 8>&-
  [ -s "$1-journal" ]
}
mkdir "$T/ro"
chmod 755 "$T/ro"
HOT="$T/ro/ca.db"
cp "$T/orig.db" "$HOT"
check "a writer killed mid-transaction leaves a journal" crash_writer "$HOT"
if [ -n "$RUN" ]; then
  chmod 644 "$HOT" "$HOT-journal"
else
  chmod 444 "$HOT" "$HOT-journal"; chmod 555 "$T/ro"
fi
cp "$HOT" "$T/hot.copy"
for cmd in "ca show" "user list" "user export"; do
  # shellcheck disable=SC2086
  check_fails "hot journal, no write access: $cmd fails" $RUN "$OCA" -d "$HOT" $cmd
  err_one "hot journal, no write access: $cmd" "^oca: database '$HOT' holds an unfinished transaction of a crashed writer \(hot journal '$HOT-journal'\), which this user cannot roll back \(.*\); run 'oca -d $HOT ca show' once as a user who can write"
done
check "hot journal, no write access: file unchanged" cmp "$HOT" "$T/hot.copy"
test -s "$HOT-journal"; is "hot journal, no write access: journal kept" $? 0
chmod 755 "$T/ro"; chmod 600 "$HOT" "$HOT-journal"
check "hot journal: user list by a writer works" oca -d "$HOT" user list
test -e "$HOT-journal"; is "hot journal: rolled back and removed" $? 1
like "hot journal: the committed users are listed" "$T/out" "^ User 'Bob'$"
check "hot journal: ca show" oca -d "$HOT" ca show
like "hot journal: the crashed change is gone" "$T/out" '^    CA Domain: example\.org$'
is "hot journal: integrity" "$(sql "$HOT" 'PRAGMA integrity_check')" ok
is "hot journal: no half-written rows" "$(sql "$HOT" 'SELECT count(*) FROM users')" 2
for cmd in "ca show" "user export"; do
  cp "$T/orig.db" "$HOT"
  check "hot journal for $cmd" crash_writer "$HOT"
  # shellcheck disable=SC2086
  check "hot journal: $cmd by a writer works" oca -d "$HOT" $cmd
  test -e "$HOT-journal"; is "hot journal: $cmd rolled it back" $? 1
done

## 3. A file the user cannot read is not "read-only".
if [ -n "$RUN" ]; then
  cp "$T/orig.db" "$T/ro/secret.db"; chmod 600 "$T/ro/secret.db"
else
  cp "$T/orig.db" "$T/ro/secret.db"; chmod 200 "$T/ro/secret.db"
fi
for cmd in "ca show" "user list"; do
  # shellcheck disable=SC2086
  check_fails "unreadable db: $cmd fails" $RUN "$OCA" -d "$T/ro/secret.db" $cmd
  err_one "unreadable db: $cmd" "^oca: cannot read database '$T/ro/secret.db': Permission denied$"
done
# shellcheck disable=SC2086
check_fails "unreadable db: user add fails" $RUN "$OCA" -d "$T/ro/secret.db" user add -e x@example.org
err_one "unreadable db: user add" "^oca: cannot read database '$T/ro/secret.db': Permission denied$"
check_fails "missing db" oca -d "$T/missing.db" ca show
err_one "missing db" "^oca: database '$T/missing.db' does not exist$"

## 4. user add stores nothing it could not hand out.
check_fails "user add > /dev/full fails" sh -c "'$OCA' -d '$DB' user add -e carol@example.org > /dev/full"
tail -n 1 "$T/err" > "$T/err.last"
like "user add > /dev/full: says nothing was stored" "$T/err.last" "^oca: error writing the new user key: No space left on device; nothing was stored$"
check "user add > /dev/full: database unchanged" cmp "$DB" "$T/orig.db"
check_fails "user add --minimal > /dev/full fails" sh -c "'$OCA' -d '$DB' user add -m -e carol@example.org > /dev/full"
check "user add --minimal > /dev/full: database unchanged" cmp "$DB" "$T/orig.db"
check_fails "user add 2> /dev/full fails" sh -c "'$OCA' -d '$DB' user add -e carol@example.org 2> /dev/full"
check "user add 2> /dev/full: database unchanged" cmp "$DB" "$T/orig.db"
check_fails "user add with stdout closed fails" sh -c "'$OCA' -d '$DB' user add -e carol@example.org >&-"
check "user add with stdout closed: database unchanged" cmp "$DB" "$T/orig.db"
check "user add to a file works" oca -d "$DB" user add -e carol@example.org
like "user add: the key was printed" "$T/out" '^-----BEGIN PGP PRIVATE KEY BLOCK-----$'
check "user list shows carol" oca -d "$DB" user list
like "carol stored" "$T/out" "'<carol@example.org>'"

## 5. A certs row whose blob is another key.
cp "$T/orig.db" "$T/swap.db"
A=$(sql "$T/swap.db" "SELECT fingerprint FROM certs ORDER BY id LIMIT 1")
B=$(sql "$T/swap.db" "SELECT fingerprint FROM certs ORDER BY id LIMIT 1 OFFSET 1")
sql "$T/swap.db" "UPDATE certs SET pub_cert = (SELECT pub_cert FROM certs WHERE fingerprint = '$B') WHERE fingerprint = '$A'"
for cmd in "user list" "user export" "user export -e alice@example.org"; do
  # shellcheck disable=SC2086
  check_fails "foreign blob: $cmd fails" oca -d "$T/swap.db" $cmd
  err_one "foreign blob: $cmd" "^oca: stored certificate $A is invalid: it holds the key $B$"
done
check "foreign blob: the other user still exports" oca -d "$T/swap.db" user export -e bob@example.org

## 6. Over the packet cap: the message says what and the limit.
GK=$(gen_gpg_key "$T/g.asc" "Gail <gail@example.org>")
gpg_gen --export "$GK" > "$T/g.bin"
# 10001 empty packets of tag 61 (private/experimental) after the key.
yes "$(printf '\375')" | head -n 10001 | tr '\n' '\000' > "$T/pad.bin"
cat "$T/g.bin" "$T/pad.bin" > "$T/many.bin"
check_fails "10001 packets: user import fails" oca -d "$DB" user import -e gail@example.org -f "$T/many.bin"
err_one "10001 packets" "^oca: $T/many.bin: more than 10000 packets in one key or signature file"
check_fails "10001 packets: bulk import fails" oca -d "$DB" user import --domain-emails -f "$T/many.bin"
err_one "10001 packets: bulk" "^oca: $T/many.bin: more than 10000 packets"

tap_done
