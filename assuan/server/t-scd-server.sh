#!/bin/sh
# t-scd-server.sh - oca-scd protocol checks that need no card
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Over-long command lines get an ERR and the server keeps serving
# (scdaemon drops the connection); APDUs with odd hex digits or shorter
# than a header are refused before any card is touched; PASSWD with a
# bad CHV number is INV_ID; inquired data with a broken %XX escape is
# a syntax error, a SETATTR value with one a parameter error.  Runs
# oca-scd --server on pipes.  The
# --multi-server socket refuses other uids and stale socket directories
# of killed servers are removed (only ours).
# pidN and sockN are set through eval (start_multi).
# shellcheck disable=SC2154
: "${OCA_SCD:=./oca-scd}"
n=0
failed=0
ok () { n=$((n+1)); echo "ok $n - $1"; }
not_ok () { n=$((n+1)); failed=$((failed+1)); echo "not ok $n - $1"; }

if [ ! -x "$OCA_SCD" ]; then
  echo "1..1"
  echo "not ok 1 - $OCA_SCD not built"
  exit 1
fi
home=$(mktemp -d "${TMPDIR:-/tmp}/t-scd-server.XXXXXX") || exit 99
pids=""
trap 'for p in $pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$home"' EXIT
: > "$home/scdaemon.conf"

# long N CHAR: N copies of CHAR.
long () { printf "%${1}s" "" | tr ' ' "$2"; }

{
  echo "GETINFO version"
  echo "SETDATA $(long 1000 0)"
  echo "NOP"
  echo "GETATTR $(long 3000 A)"
  echo "NOP"
  long 1002 X; echo
  echo "GETINFO version"
  echo "APDU 00C"
  echo "APDU 00"
  echo "APDU 00:A4:04"
  echo "APDU XYZW"
  echo "PASSWD 4"
  echo "PASSWD"
  echo "WRITEKEY --force OPENPGP.3"
  echo "D 12%4"
  echo "END"
  echo "WRITEKEY --force OPENPGP.3"
  echo "D 12%"
  echo "D 34"
  echo "END"
  echo "WRITEKEY --force OPENPGP.3"
  for i in 1 2 3 4 5 6 7 8 9; do echo "D $(long 500 A)"; done
  echo "END"
  echo "SETATTR DISP-NAME bad%zzescape"
  echo "SETATTR DISP-NAME 100%"
  echo "NOP"
  echo "BYE"
} > "$home/in"
# A hang (libassuan's inquire on "D 12%4") fails instead of blocking.
timeout 60 "$OCA_SCD" --server --homedir "$home" < "$home/in" \
  > "$home/out" 2> "$home/err"
rc=$?

# line N: line N of the output.
line () { sed -n "${1}p" "$home/out"; }
# Error numbers with source SCD (6 << 24): ASS_LINE_TOO_LONG 263,
# INV_VALUE 55, INV_ID 118, ASS_PARAMETER 280.
is () {
  if [ "$2" = "$3" ]; then ok "$1"; else
    not_ok "$1"; echo "# got:  '$2'"; echo "# want: '$3'"; fi
}
like () {
  if printf '%s\n' "$2" | grep -Eq "$3"; then ok "$1"; else
    not_ok "$1"; echo "# got:  '$2'"; echo "# want: /$3/"; fi
}

is "server exits cleanly" "$rc" 0
like "greeting" "$(line 1)" '^OK '
like "GETINFO version" "$(line 2)" '^D [0-9]'
is "GETINFO OK" "$(line 3)" "OK"
like "1008-byte SETDATA line: ERR" "$(line 4)" '^ERR 100663559 '
is "next command served" "$(line 5)" "OK"
like "3008-byte line: one ERR" "$(line 6)" '^ERR 100663559 '
is "next command served after 3000 bytes" "$(line 7)" "OK"
like "1002 bytes without command: ERR" "$(line 8)" '^ERR 100663559 '
like "server still answers GETINFO" "$(line 9)" '^D [0-9]'
is "GETINFO OK again" "$(line 10)" "OK"
like "APDU 00C (odd digits): INV_VALUE" "$(line 11)" '^ERR 100663351 '
like "APDU 00 (1 byte): INV_VALUE" "$(line 12)" '^ERR 100663351 '
like "APDU 00:A4:04 (3 bytes): INV_VALUE" "$(line 13)" '^ERR 100663351 '
like "APDU XYZW: INV_VALUE" "$(line 14)" '^ERR 100663351 '
like "PASSWD 4: INV_ID" "$(line 15)" '^ERR 100663414 '
like "PASSWD without CHV: parameter error" "$(line 16)" '^ERR 100663576 '
# A D line ending within an escape: ASS_SYNTAX 276 at the END, and the
# server goes on (libassuan's own assuan_inquire loops forever on it).
# Too much data (4500 bytes of KEYDATA): ASS_TOO_MUCH_DATA 273 at the
# END, the lines up to it are read, not taken as commands.
is "WRITEKEY inquires KEYDATA" "$(line 17)" "INQUIRE KEYDATA"
like "D 12%4: syntax error" "$(line 18)" '^ERR 100663572 '
is "WRITEKEY inquires again" "$(line 19)" "INQUIRE KEYDATA"
like "D 12%: syntax error after the END" "$(line 20)" '^ERR 100663572 '
is "WRITEKEY inquires a third time" "$(line 21)" "INQUIRE KEYDATA"
like "4500 bytes: too much data" "$(line 22)" '^ERR 100663569 '
# A SETATTR value with a broken escape is refused before any card is
# looked for (the old unescaper kept "%zz" as it stood).
like "SETATTR %zz: parameter error" "$(line 23)" '^ERR 100663576 .*escape'
like "SETATTR with a lone %: parameter error" "$(line 24)" '^ERR 100663576 '
is "next command served after the bad inquiries" "$(line 25)" "OK"
like "BYE" "$(line 26)" '^OK closing'
is "nothing else" "$(sed -n '27,$p' "$home/out")" ""

# An over-long scdaemon.conf line is ignored whole: its tail must not
# be read as another option.  oca-scd reads 1023 bytes at a time, so
# the tail of this line starts exactly with "log-file": the old code
# took it as an option and logged to tail.log.
{ printf 'reader-port %s' "$(long 1011 x)"; echo "log-file $home/tail.log"
  echo "verbose"; } > "$home/scdaemon.conf"
printf 'GETINFO version\nBYE\n' | "$OCA_SCD" --server --homedir "$home" \
  > "$home/out2" 2>&1
is "conf: GETINFO still served" "$(grep -c '^D ' "$home/out2")" "1"
is "conf: options after it still apply" \
  "$(grep -c 'command: GETINFO' "$home/out2")" "1"
is "conf: tail of the long line not taken as an option" \
  "$([ -e "$home/tail.log" ] && echo yes || echo no)" "no"
like "conf: the long line is reported" "$(cat "$home/out2")" \
  "scdaemon.conf:1: line too long, ignored"

# --multi-server: the socket refuses other uids (SO_PEERCRED), and the
# socket directories of killed servers are removed at the next start,
# but only ours.  The servers put their directories in $sock ($TMPDIR).
GCA=$(command -v gpg-connect-agent)
sock="$home/sock"
mkdir "$sock"
chmod 755 "$home" "$sock"
# start_multi N FD: start a multi-server with its pipe on fd FD; sets
# pidN and sockN.
start_multi () {
  mkfifo "$home/in$1"
  TMPDIR="$sock" "$OCA_SCD" --multi-server --homedir "$home" \
    < "$home/in$1" > "$home/out$1" 2> "$home/err$1" &
  eval "pid$1=\$!"
  pids="$pids $!"
  eval "exec $2> \"\$home/in\$1\""
  echo "GETINFO socket_name" >&"$2"
  _i=0
  while [ $_i -lt 50 ] && ! grep -q '^D ' "$home/out$1"; do
    sleep 0.1; _i=$((_i+1)); done
  eval "sock$1=\$(sed -n 's/^D //p' \"\$home/out\$1\")"
}
# connect SOCKET [RUNAS...]: GETINFO version over the socket.
connect () {
  _s=$1; shift
  "$@" env GNUPGHOME="$home/nohome" HOME="$home/nohome" \
    "$GCA" --raw-socket "$_s" 'GETINFO version' /bye 2>&1
}
# skip_root DESC: a check that needs root to switch uids.
skip_root () {
  if [ "${OCA_NO_SKIP:-}" = 1 ]; then not_ok "$1 (needs root)"
  else n=$((n+1)); echo "ok $n # SKIP $1 (needs root)"; fi
}
RUNAS=""
[ "$(id -u)" = 0 ] && RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups --"

if [ -z "$GCA" ]; then
  not_ok "gpg-connect-agent not found"
else
  start_multi 1 3
  like "server 1 has a socket" "$sock1" "^$sock/oca-scd\.[^/]{6}/S\.scdaemon\$"
  like "our uid is served" "$(connect "$sock1")" '^D [0-9]'
  if [ -n "$RUNAS" ]; then
    # Reachable for nobody: only the uid check can refuse it now.
    chmod 755 "${sock1%/*}"; chmod 777 "$sock1"
    # shellcheck disable=SC2086
    out=$(connect "$sock1" $RUNAS)
    like "another uid is refused" "$out" "can't connect|Permission denied"
    is "another uid gets no data" "$(printf '%s\n' "$out" | grep -c '^D ')" 0
    like "the refusal is logged" "$(cat "$home/err1")" \
      'connection refused: peer uid 65534 \(pid [0-9]+\) is not ours'
    like "our uid is still served" "$(connect "$sock1")" '^D [0-9]'
    chmod 700 "${sock1%/*}"
  else
    skip_root "another uid is refused"
  fi

  # Leftovers: server 2 killed, its directory then given mode 0755
  # (not ours to judge); server 3 killed and given to nobody; a link to
  # the directory of server 4, killed elsewhere; server 5 alive; server
  # 1 killed last (each start cleans up).
  start_multi 2 4; kill -9 "$pid2"; wait "$pid2" 2>/dev/null; exec 4>&-
  chmod 755 "${sock2%/*}"
  start_multi 3 4; kill -9 "$pid3"; wait "$pid3" 2>/dev/null; exec 4>&-
  if [ -n "$RUNAS" ]; then
    chown -R 65534:65534 "${sock3%/*}"
  else
    skip_root "a directory of another uid is left alone"
  fi
  mkdir "$home/elsewhere"
  TMPDIR_SAVE=$sock; sock="$home/elsewhere"
  start_multi 4 4; kill -9 "$pid4"; wait "$pid4" 2>/dev/null; exec 4>&-
  sock=$TMPDIR_SAVE
  ln -s "${sock4%/*}" "$sock/oca-scd.link01"
  start_multi 5 5
  like "a live server's directory survives a start" "$(connect "$sock1")" \
    '^D [0-9]'
  kill -9 "$pid1"; wait "$pid1" 2>/dev/null; exec 3>&-
  is "killed server left its directory" \
    "$([ -S "$sock1" ] && echo yes || echo no)" yes

  start_multi 6 6
  is "the next start removed it" \
    "$([ -e "${sock1%/*}" ] && echo yes || echo no)" no
  like "and logged it" "$(cat "$home/err6")" \
    "removed stale socket directory ${sock1%/*}"
  is "a directory with mode 0755 is left alone" \
    "$([ -S "$sock2" ] && echo yes || echo no)" yes
  if [ -n "$RUNAS" ]; then
    is "a directory of another uid is left alone" \
      "$([ -S "$sock3" ] && echo yes || echo no)" yes
  fi
  is "a symbolic link is left alone" \
    "$([ -L "$sock/oca-scd.link01" ] && [ -S "$sock4" ] && echo yes || echo no)" yes
  like "a live server is left alone" "$(connect "$sock5")" '^D [0-9]'
  like "the new server is served" "$(connect "$sock6")" '^D [0-9]'
  [ -n "$RUNAS" ] &&
    is "one removal logged" "$(grep -c 'removed stale' "$home/err6")" 1

  echo BYE >&5; exec 5>&-; wait "$pid5"
  echo BYE >&6; exec 6>&-; wait "$pid6"
  is "servers removed their own directories" \
    "$([ -e "${sock5%/*}" ] || [ -e "${sock6%/*}" ] && echo yes || echo no)" no
fi

echo "1..$n"
[ $failed -eq 0 ]
