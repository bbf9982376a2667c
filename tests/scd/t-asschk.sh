#!/bin/sh
# t-asschk.sh - self-test of asschk against a canned server
# SPDX-License-Identifier: GPL-3.0-or-later
# profile-run: no card
#
# asschk is the referee of every conversation test, so it must pass a
# correct conversation and fail each kind of wrong one.
. "$srcdir/../lib.sh"

: "${ASSCHK:=./asschk}"
FAKE="$T/fake-server"
cp "$srcdir/fake-server.sh" "$FAKE" && chmod +x "$FAKE"

# script NAME: write stdin to $T/NAME.asc
script () { cat > "$T/$1.asc"; }

script good <<'X'
# comments and blank lines are ignored

expect-greeting
send NOP
expect-ok
send ECHO hello world
expect-status ECHO (hello) world
capture WORD
expect-ok
send ECHO ${WORD}-${WHO}
expect-status ECHO hello-tester
expect-ok
send DATA
expect-data abc%.def.*
expect-ok
send DATA
expect-data-hex 6162632[05]0A646566(00|01)FF
expect-ok
send FAIL
expect-err 55
send FAIL
expect-err 7|100663351
send FROB
expect-err 275
send ASK
expect-inquire NEEDPIN \|\|Please.*
send-data 123456
send-end
expect-status GOT D 123456 END
expect-ok
repeat 3 send NOP
repeat 3 expect-ok
send-long 10 ab ECHO
expect-status ECHO (ab){10}
expect-no-status ECHO.*
expect-ok
send BYE
expect-ok closing.*
expect-eof
X
check "a correct conversation passes" "$ASSCHK" -D WHO=tester "$T/good.asc" "$FAKE"
like "every step is a TAP point" "$T/out" '^ok 24 - good.asc:[0-9]+ expect-eof$'
like "plan printed" "$T/out" '^1\.\.24$'

# bad NAME EXPECTED-DIAG: the script must fail with a diagnostic.
bad () {
  "$ASSCHK" "$T/$1.asc" "$FAKE" >"$T/out" 2>"$T/err"
  rc=$?
  if [ "$rc" -eq 1 ] && grep -q '^not ok' "$T/out" && grep -Eq -- "$2" "$T/out"
  then ok "$1 is reported"
  else not_ok "$1 is reported (exit $rc)"; sed 's/^/#   /' "$T/out" "$T/err"
  fi
}

printf 'expect-greeting\nsend FAIL\nexpect-ok\n' | script ok-but-err
bad ok-but-err 'expected OK'
printf 'expect-greeting\nsend NOP\nexpect-err\n' | script err-but-ok
bad err-but-ok 'expected ERR'
printf 'expect-greeting\nsend FAIL\nexpect-err 131\n' | script wrong-code
bad wrong-code 'ERR 100663351'
printf 'expect-greeting\nsend ECHO a\nexpect-status ECHO b\n' | script wrong-status
bad wrong-status 'no matching status'
printf 'expect-greeting\nsend ECHO a\nexpect-no-status ECHO a\n' | script unwanted-status
bad unwanted-status 'a status line matched'
printf 'expect-greeting\nsend DATA\nexpect-data xyz\n' | script wrong-data
bad wrong-data 'data did not match'
printf 'expect-greeting\nsend LONG\nexpect-ok\n' | script overlong
bad overlong 'exceeds the Assuan limit'
printf 'expect-greeting\nsend GARBAGE\nexpect-ok\n' | script garbage
bad garbage 'malformed line'
printf 'expect-greeting\ntimeout 1\nsend SLOW\nexpect-ok\n' | script slow
bad slow 'no complete line within'
printf 'expect-greeting\nsend NOP\nexpect-eof\n' | script no-eof
bad no-eof 'expected the server to close'
printf 'expect-greeting\nsend NOP\nexpect-inquire NEEDPIN\n' | script no-inquire
bad no-inquire 'expected a matching INQUIRE'
printf 'expect-greeting\nshell false\n' | script shell-fails
bad shell-fails 'shell command failed'
printf 'expect-greeting\nsend NOP\nexpect-ok\nsend FAIL\nexpect-ok\nsend NOP\nexpect-ok\n' \
  | script stops-at-failure
bad stops-at-failure '^1\.\.3$'

# Errors in the script itself are not test results: exit 99.
printf 'expect-greeting\nsend ${NOPE}\n' | script unknown-var
"$ASSCHK" "$T/unknown-var.asc" "$FAKE" >"$T/out" 2>"$T/err"
is "an unknown variable aborts the script" "$?" 99
printf 'expect-greeting\nfrobnicate\n' | script unknown-stmt
"$ASSCHK" "$T/unknown-stmt.asc" "$FAKE" >"$T/out" 2>"$T/err"
is "an unknown statement aborts the script" "$?" 99
printf '# nothing\n' | script empty
"$ASSCHK" "$T/empty.asc" "$FAKE" >"$T/out" 2>"$T/err"
is "a script without expect steps fails" "$?" 1
"$ASSCHK" "$T/good.asc" /nonexistent/server >"$T/out" 2>"$T/err"
is "a missing server fails" "$?" 1

tap_done
