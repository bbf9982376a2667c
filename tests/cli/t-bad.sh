#!/bin/sh
# t-bad.sh - bad input leaves the database byte-identical with a
# one-line error and a non-zero exit
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
GK=$(gen_gpg_key "$T/g.asc" "Gail <gail@example.org>")
gpg_gen --export "$GK" > "$T/g.bin"
check "binary key import works" oca -d "$DB" user import -e gail@example.org -f "$T/g.bin"
HK=$(gen_gpg_key "$T/h.asc" "Hal <hal@example.org>" "Hal <hal@other.example>")
XK=$(gen_gpg_key "$T/x.asc" "Xena <xena@elsewhere.example>")
cp "$DB" "$T/orig.db"

# bad_input DESC CMD...: fails, one line, prefixed, DB unchanged.
bad_input () {
  _d=$1; shift
  check_fails "$_d: fails" "$@"
  cp "$T/err" "$T/bad.err"
  one_line "$_d: one-line error" "$T/err"
  like "$_d: 'oca:' prefix" "$T/err" '^oca: '
  check "$_d: database unchanged" cmp "$DB" "$T/orig.db"
}

# Truncated keys, armored and binary.
head -c 200 "$T/h.asc" > "$T/trunc.asc"
echo "-----END PGP PUBLIC KEY BLOCK-----" >> "$T/trunc.asc"
gpg_gen --export "$HK" > "$T/h.bin"
head -c $(( $(wc -c < "$T/h.bin") - 20 )) "$T/h.bin" > "$T/trunc.bin"
bad_input "truncated armored key" oca -d "$DB" user import -e hal@example.org -f "$T/trunc.asc"
bad_input "truncated binary key" oca -d "$DB" user import -e hal@example.org -f "$T/trunc.bin"
# Garbage.
head -c 3000 /dev/urandom > "$T/garbage"
bad_input "garbage" oca -d "$DB" user import -e hal@example.org -f "$T/garbage"
printf 'hello world\n' > "$T/text"
bad_input "plain text" oca -d "$DB" user import -e hal@example.org -f "$T/text"
: > "$T/empty"
bad_input "empty file" oca -d "$DB" user import -e hal@example.org -f "$T/empty"
bad_input "missing file" oca -d "$DB" user import -e hal@example.org -f "$T/nonexistent"
# Bad armor checksum: change the CRC line.
awk '/^=....$/ { print "=AAAA"; next } { print }' "$T/h.asc" > "$T/badcrc.asc"
cmp -s "$T/h.asc" "$T/badcrc.asc" && diag "CRC line not found"
bad_input "bad armor checksum" oca -d "$DB" user import -e hal@example.org -f "$T/badcrc.asc"
like "bad armor checksum: says so" "$T/bad.err" 'checksum'
# A corrupted body byte (armor stays well-formed): CRC catches it.
awk 'NR==4 { c=substr($0,10,1); r=(c=="A")?"B":"A"; $0=substr($0,1,9) r substr($0,11) } { print }' "$T/h.asc" > "$T/flip.asc"
bad_input "flipped base64 character" oca -d "$DB" user import -e hal@example.org -f "$T/flip.asc"
# Bulk: truncated keyring, and a key with no email in the domain.
cat "$T/g.bin" "$T/trunc.bin" > "$T/ring-trunc.bin"
bad_input "bulk: truncated keyring" oca -d "$DB" user import --domain-emails -f "$T/ring-trunc.bin"
bad_input "bulk: key without a domain email" oca -d "$DB" user import --domain-emails -f "$T/x.asc"
like "bulk: no domain email: says so" "$T/bad.err" "no User ID of $XK has an email in domain 'example.org'"
# Re-import, bad revocation file.
bad_input "re-import of a known key" oca -d "$DB" user import -e gail@example.org -f "$T/g.asc"
bad_input "revocation file that is a key" oca -d "$DB" user import -e hal@example.org -f "$T/h.asc" -r "$T/g.asc"
bad_input "invalid email" oca -d "$DB" user import -e not-an-email -f "$T/h.asc"
bad_input "ca import-tsig garbage" oca -d "$DB" ca import-tsig "$T/garbage"
bad_input "ca import-tsig of a user key" oca -d "$DB" ca import-tsig "$T/h.asc"

# A good import still works afterwards.
check "good import after the bad ones" oca -d "$DB" user import -e hal@example.org -f "$T/h.asc"
cp "$DB" "$T/orig.db"

# A non-CA database file: an SQLite file of another application, and
# a non-SQLite file.
if [ -n "$SQLITE3" ]; then
  "$SQLITE3" "$T/other.db" "create table t(x); insert into t values (1);"
  cp "$T/other.db" "$T/other.orig"
  for cmd in "ca show" "user list" "ca export"; do
    # shellcheck disable=SC2086
    check_fails "foreign SQLite db: $cmd fails" oca -d "$T/other.db" $cmd
    one_line "foreign SQLite db: $cmd: one line" "$T/err"
    like "foreign SQLite db: $cmd: message" "$T/err" 'not an oca database'
  done
  check_fails "foreign SQLite db: user import fails" oca -d "$T/other.db" user import -e hal@example.org -f "$T/h.asc"
  like "foreign SQLite db: user import: message" "$T/err" 'not an oca database'
  check_fails "foreign SQLite db: ca init fails" oca -d "$T/other.db" ca init --domain example.org --algo ed25519 softkey
  one_line "foreign SQLite db: ca init: one line" "$T/err"
  check "foreign SQLite db: unchanged" cmp "$T/other.db" "$T/other.orig"
fi
cp "$T/garbage" "$T/garbage.db"
check_fails "non-SQLite file: user import fails" oca -d "$T/garbage.db" user import -e hal@example.org -f "$T/h.asc"
one_line "non-SQLite file: one line" "$T/err"
like "non-SQLite file: message" "$T/err" 'not an oca database'
check "non-SQLite file: unchanged" cmp "$T/garbage.db" "$T/garbage"

# An oca database without a CA.
if [ -n "$SQLITE3" ]; then
  : > "$T/empty.db"
  check_fails "empty file as database: ca show fails" oca -d "$T/empty.db" ca show
  one_line "empty database: one line" "$T/err"
fi

# A read-only database.  As root, file modes do not stop writes, so run
# oca as nobody on a copy nobody can read but not write.
mkdir "$T/ro"
cp "$DB" "$T/ro/ca.db"
chmod 444 "$T/ro/ca.db"
cp "$T/ro/ca.db" "$T/ro.orig"
RUN=""
if [ "$(id -u)" = 0 ]; then
  chmod 755 "$T" "$T/ro"
  chmod 755 "$T/gnupg" 2>/dev/null
  chmod 644 "$T/g.asc"
  RUN="setpriv --reuid=65534 --regid=65534 --clear-groups --"
fi
# shellcheck disable=SC2086
check_fails "read-only db: user import fails" $RUN "$OCA" -d "$T/ro/ca.db" user import -e gail@example.org -f "$T/g.asc"
one_line "read-only db: one line" "$T/err"
like "read-only db: message" "$T/err" 'read-only'
# shellcheck disable=SC2086
check_fails "read-only db: user add fails" $RUN "$OCA" -d "$T/ro/ca.db" user add -e ro@example.org
like "read-only db: user add: message" "$T/err" 'read-only'
# shellcheck disable=SC2086
check "read-only db: ca show still works" $RUN "$OCA" -d "$T/ro/ca.db" ca show
# shellcheck disable=SC2086
check "read-only db: user list still works" $RUN "$OCA" -d "$T/ro/ca.db" user list
check "read-only db: unchanged" cmp "$T/ro/ca.db" "$T/ro.orig"

tap_done
