#!/bin/sh
# t-svc-abuse.sh - bad clients of the CA service do not hurt the others
# SPDX-License-Identifier: GPL-3.0-or-later
#
# While one client certifies keys over the daemon's socket, others send
# malformed and over-long lines, broken escapes, a key block larger
# than --max-input, vanish in the middle of a request or of a line, and
# go silent in the middle of an inquiry (dropped after --idle-timeout).
# Each bad request gets an ERR and its session goes on; the good client
# gets every certification; nothing half-done is stored; the daemon
# lives on.  Raw protocol bytes come from a small Perl client (perl-base
# is in every Debian); the rest is gpg-connect-agent.
. "$srcdir/cli-lib.sh"
[ -n "$GPG_CONNECT_AGENT" ] || skip_all "gpg-connect-agent not found"
command -v perl >/dev/null || skip_all "perl not found"
TOOL="$abs_top_builddir/src/pgp/t-pgp-tool"
[ -x "$TOOL" ] || skip_all "t-pgp-tool not built"
N=20

DB="$T/ca.db"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
mkdir "$T/keys"
check "$N user keys" "$TOOL" gen-many ed25519 $N "$T/keys" example.org
S="$T/run/S.oca"
check "daemon" svc_start "$T/d.log" "$DB" --socket "$S" --max-input 8192 \
  --idle-timeout 3
PID=$(svc_pid "$T/d.log")

# raw MODE: a raw client of $S; prints what the server said.
cat > "$T/raw.pl" <<'EOF2'
use strict;
use IO::Socket::UNIX;
my ($path, $mode) = @ARGV;
my $s = IO::Socket::UNIX->new (Type => SOCK_STREAM (), Peer => $path)
  or die "connect: $!";
$s->autoflush (1);
my $hello = <$s>;
sub cmd { my ($line) = @_; print $s "$line\n"; my $r = <$s>; print $r; $r }
if ($mode eq "garbage") {
  cmd ("\x01\x02\xff binary");
  cmd ("CERTIFY --email %zz");
  cmd ("D stray data");
  cmd ("END");
  cmd ("CERTIFY " . ("x" x 3000));
  cmd ("NOP");
} elsif ($mode eq "escape") {
  cmd ("CERTIFY --email user1\@example.org");     # INQUIRE KEYBLOCK
  print $s "D 12%4\nEND\n";
  print scalar <$s>;
  cmd ("NOP");
} elsif ($mode eq "vanish") {
  cmd ("CERTIFY --email user1\@example.org");
  print $s "D -----BEGIN PGP PUBLIC";
  close $s;
} elsif ($mode eq "halfline") {
  print $s "CERTI";
  close $s;
} elsif ($mode eq "silent") {
  cmd ("CERTIFY --email user2\@example.org");
  print $s "D -----BEGIN PGP PUBLIC KEY BLOCK-----%0A\n";
  my $t0 = time;
  my $r = <$s>;                                  # EOF when dropped
  print defined $r ? "got: $r" : "dropped after " . (time - $t0) . "s\n";
}
EOF2
raw () { perl "$T/raw.pl" "$S" "$1"; }

i=1
while [ $i -le $N ]; do
  printf '/cleardef\n/definqfile KEYBLOCK %s/keys/u%d.asc\n' "$T" $i
  printf 'CERTIFY --email user%d@example.org\n' $i
  i=$((i + 1))
done > "$T/good.cmds"
echo /bye >> "$T/good.cmds"
head -c 20000 /dev/zero | tr '\0' 'A' > "$T/big.asc"

# All at once: the good client and the bad ones.
gca "$S" < "$T/good.cmds" > "$T/good.out" 2>&1 &
raw silent > "$T/silent.out" 2>&1 &
raw garbage > "$T/garbage.out" 2>&1 &
raw escape > "$T/escape.out" 2>&1 &
gca "$S" "/definqfile KEYBLOCK $T/big.asc" 'CERTIFY --email user3@example.org' \
  NOP /bye > "$T/big.out" 2>&1 &
j=0
while [ $j -lt 10 ]; do
  raw vanish > /dev/null 2>&1 &
  raw halfline > /dev/null 2>&1 &
  j=$((j + 1))
done
wait

is "the good client: every key certified" \
  "$(grep -c '^S IMPORTED' "$T/good.out")|$(grep -c '^ERR' "$T/good.out")" "$N|0"
like "a binary line: ERR" "$T/garbage.out" "^ERR [0-9]+ Unknown IPC command"
like "a broken escape in an option: ERR" "$T/garbage.out" "^ERR [0-9]+ .*malformed %XX escape in '%zz'"
like "D and END out of an inquiry: ERR" "$T/garbage.out" "^ERR [0-9]+ Not implemented"
like "an over-long line: ERR" "$T/garbage.out" "^ERR [0-9]+ Line passed to IPC too long"
is "five errors, and the session goes on" \
  "$(grep -c '^ERR' "$T/garbage.out")|$(tail -1 "$T/garbage.out")" "5|OK"
like "a broken escape in the key block: ERR" "$T/escape.out" "^ERR [0-9]+ IPC syntax error"
is "then OK" "$(tail -1 "$T/escape.out")" "OK"
like "a key block over --max-input: ERR" "$T/big.out" "^ERR [0-9]+ .*larger than 8192 bytes"
is "then OK" "$(tail -1 "$T/big.out")" "OK"
like "a silent client is dropped after --idle-timeout" "$T/silent.out" "^dropped after [2-9]s$"

check "the daemon lives on" gca "$S" 'GETINFO pid' /bye
like "the same one" "$T/out" "^D $PID$"
check "user list" oca -d "$DB" user list
is "nothing but the good client's keys stored" \
  "$(grep -c '^OpenPGP certificate' "$T/out")" $N
if [ -n "$SQLITE3" ]; then
  is "the database is sound" "$("$SQLITE3" "$DB" 'pragma integrity_check')" ok
fi
unlike "no session crashed" "$T/d.log" "signal|abort|Assertion|Sanitizer|runtime error"

tap_done
