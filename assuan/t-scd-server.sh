#!/bin/sh
# t-scd-server.sh - oca-scd protocol checks that need no card
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Over-long command lines get an ERR and the server keeps serving
# (scdaemon drops the connection); APDUs with odd hex digits or shorter
# than a header are refused before any card is touched; PASSWD with a
# bad CHV number is INV_ID.  Runs oca-scd --server on pipes.
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
trap 'rm -rf "$home"' EXIT
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
  echo "BYE"
} > "$home/in"
"$OCA_SCD" --server --homedir "$home" < "$home/in" > "$home/out" 2> "$home/err"
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
like "BYE" "$(line 17)" '^OK closing'
is "nothing else" "$(sed -n '18,$p' "$home/out")" ""

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

echo "1..$n"
[ $failed -eq 0 ]
