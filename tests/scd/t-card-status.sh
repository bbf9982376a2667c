#!/bin/sh
# t-card-status.sh - gpg --card-status through oca-scd = through scdaemon
# SPDX-License-Identifier: GPL-3.0-or-later
#
# One card with keys and cardholder data; two GNUPGHOMEs bound to its
# reader, one whose gpg-agent runs GnuPG's scdaemon, one whose agent runs
# oca-scd (scdaemon-program).  gpg --card-status and --card-status
# --with-colons must print byte for byte the same, stderr included (no
# "server is older than us" warning).  Nothing is normalised: the output
# has no timing in it.
. "$srcdir/../lib.sh"
. "$srcdir/scd-lib.sh"

SCD_UNDER_TEST=oca
scd_need_client_live

scd_card a 0000C5A1
hg="$T/home-a"
ho="$T/home-o"
scd_oca_home a "$ho"

# Keys in all slots and every cardholder field (GnuPG's scdaemon).
scd_keys "$hg"
check "fixture: cardholder data" "$SCD_CLIENT_LIVE" --scd "$SCDAEMON" \
  --homedir "$hg" --pins "$T/keys.pins" \
  setattr DISP-NAME 'Doe<<John' -- setattr DISP-LANG de \
  -- setattr DISP-SEX 2 -- setattr PUBKEY-URL https://example.org/k.asc \
  -- setattr LOGIN-DATA jdoe -- setattr CA-FPR-1 01234567890123456789

# status NAME HOME ARGS...: run gpg in HOME, keep stdout and stderr.
status () {
  _n=$1 _h=$2; shift 2
  GNUPGHOME="$_h" "$GPG" --batch "$@" >"$T/$_n.out" 2>"$T/$_n.err"
}

# same DESC A B: files A and B are identical (diff as diagnostics).
same () {
  if cmp -s "$2" "$3"; then ok "$1"; return 0; fi
  not_ok "$1"
  diff -u "$2" "$3" | sed 's/^/#   /' | head -40
  return 1
}

# Create the keyboxes first ("keybox created" would differ by path).
status kb "$hg" --list-keys
status kb "$ho" --list-keys
check "gnupg: gpg --card-status" status g "$hg" --card-status
check "gnupg: gpg --card-status --with-colons" status gc "$hg" --with-colons --card-status
vcard_kill_agent "$hg"
check "oca: gpg --card-status" status o "$ho" --card-status
check "oca: gpg --card-status --with-colons" status oc "$ho" --with-colons --card-status

# The second agent really ran oca-scd.
check "oca: the agent's scdaemon is oca-scd" \
  env GNUPGHOME="$ho" "$GPG_CONNECT_AGENT" "SCD GETINFO pid" /bye
scdpid=$(sed -n 's/^D \([0-9]*\)$/\1/p' "$T/out")
is "oca: pid of the agent's card daemon runs $OCA_SCD" \
  "$(readlink -f "/proc/${scdpid:-0}/exe" 2>/dev/null)" "$(readlink -f "$OCA_SCD")"

like "the status shows the keys" "$T/g.out" '^Signature key \.+: [0-9A-F ]{50}$'
like "the status shows the cardholder" "$T/g.out" '^Name of cardholder: John Doe$'
like "the reader is the card's" "$T/g.out" "^Reader \.+: $(vcard_reader a)\$"
same "--card-status: same output" "$T/g.out" "$T/o.out"
same "--card-status: same stderr" "$T/g.err" "$T/o.err"
same "--with-colons: same output" "$T/gc.out" "$T/oc.out"
same "--with-colons: same stderr" "$T/gc.err" "$T/oc.err"

# Again after the card changed underneath (a signature: counter 1), in
# the reverse order (oca-scd's agent still running).
vcard_kill_agent "$ho"
D=3031300D060960864801650304020105000420BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD
check "a signature through GnuPG's scdaemon" "$SCD_CLIENT_LIVE" \
  --scd "$SCDAEMON" --homedir "$hg" --pins "$T/keys.pins" \
  sign OPENPGP.1 sha256 $D
check "oca: gpg --card-status (2)" status o2 "$ho" --with-colons --card-status
vcard_kill_agent "$ho"
check "gnupg: gpg --card-status (2)" status g2 "$hg" --with-colons --card-status
like "signature counter 1" "$T/g2.out" '^sigcount:1:'
same "--with-colons after a signature: same output" "$T/g2.out" "$T/o2.out"

tap_done
