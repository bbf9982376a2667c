#!/bin/sh
# t-shared.sh - GnuPG's scdaemon and oca-scd on one card at the same time
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Two GNUPGHOMEs bound to the same reader: one agent runs GnuPG's
# scdaemon (pcsc-shared, from the harness), the other oca-scd.  Each
# runs a loop of gpg --sign while the other does too; every signature of
# both loops must be made and verify, and the card's signature counter
# must count all of them.  Then the same with libocascdclient's pipe
# route (many more signatures, no agents) for both servers at once.
. "$srcdir/../lib.sh"
. "$srcdir/scd-lib.sh"

SCD_UNDER_TEST=oca
scd_need_client_live
N=${SCD_SHARED_LOOPS:-15}
M=${SCD_SHARED_CLIENT_LOOPS:-100}

scd_card a 0000511A
hg="$T/home-a"
ho="$T/home-o"
scd_oca_home a "$ho"
echo "shared card" > "$T/msg"

gpg_in () { _h=$1; shift; GNUPGHOME="$_h" "$GPG" "$@"; }
sigcount () {
  gpg_in "$1" --batch --with-colons --card-status | sed -n 's/^sigcount:\([0-9]*\):.*/\1/p'
}

# Keys generated through GnuPG's scdaemon (Ed25519, else NIST P-384,
# else RSA 2048 as the card takes them); signature PIN not forced (one
# VERIFY serves many signatures, as for a CA).
if vcard_profile_has algos ed25519; then
  ka='key-attr\n2\n1\n2\n1\n2\n1\n' salgo=ed25519 sv=eddsa
elif vcard_profile_has algos nistp384; then
  ka='key-attr\n2\n4\n2\n4\n2\n4\n' salgo=nistp384 sv=ecdsa
else
  ka='' salgo=rsa2048 sv=rsa
fi
printf "admin\n${ka}generate\nn\n0\nShared User\nsh@example.org\n\nforcesig\nquit\n" > "$T/cmds"
check "gnupg: generate $salgo keys, forcesig off" sh -c \
  "GNUPGHOME='$hg' '$GPG' --no-tty --command-fd 0 --status-fd 1 --edit-card < '$T/cmds'"
check "export the public key" gpg_in "$hg" --batch -o "$T/pub.gpg" --export sh@example.org
check "oca: import the public key" gpg_in "$ho" --batch --import "$T/pub.gpg"
check "oca: card status creates the key stubs" gpg_in "$ho" --batch --card-status
like "oca: signature PIN not forced" "$T/out" '^Signature PIN \.+: not forced$'
check "oca: secret key is a card stub" sh -c "GNUPGHOME='$ho' '$GPG' -K sh@example.org | grep -q 'sec>  $salgo'"
vcard_kill_agent "$hg"
# GnuPG's scdaemon holds no PC/SC transaction (it relies on exclusive
# mode): on a card without extended length, the GET RESPONSE chain of
# its first READ PUBLIC KEY can be cut by the other server's commands
# ("unexpected status 6985 from get response", then "Invalid ID" --
# doc/card-backend.md).  So each GnuPG server signs once alone first,
# which reads and caches the keys; oca-scd keeps its own chains inside
# its transactions and needs no such care.
check "gnupg: a first signature alone" \
  gpg_in "$hg" --batch -u sh@example.org -o "$T/first.sig" --sign "$T/msg"
n0=$(sigcount "$ho")

# signloop HOME TAG: N signatures; failures are noted in $T/TAG.fail.
signloop () {
  _i=1
  while [ $_i -le "$N" ]; do
    gpg_in "$1" --batch -u sh@example.org -o "$T/$2.$_i.sig" --sign "$T/msg" \
      2>>"$T/$2.log" || echo "signature $_i failed" >> "$T/$2.fail"
    _i=$((_i+1))
  done
}
signloop "$hg" gnupg &
p1=$!
signloop "$ho" oca &
p2=$!
wait $p1 $p2

for tag in gnupg oca; do
  if [ -s "$T/$tag.fail" ]; then
    not_ok "$tag: all $N signatures made during the other's loop"
    sed 's/^/#   /' "$T/$tag.fail" "$T/$tag.log" | head -20
  else
    ok "$tag: all $N signatures made during the other's loop"
  fi
  _bad=0
  for _f in "$T/$tag".*.sig; do
    gpg_in "$hg" --batch --verify "$_f" >/dev/null 2>&1 || _bad=$((_bad+1))
  done
  is "$tag: all $N signatures verify" \
    "$(ls "$T/$tag".*.sig 2>/dev/null | wc -l) made, $_bad bad" "$N made, 0 bad"
done
vcard_kill_agent "$ho"
is "the card counted every signature" "$(sigcount "$ho")" "$(( ${n0:-0} + 2 * N ))"
vcard_kill_agent "$ho"

# The client library's pipe route: M signatures per server, verified
# with libgcrypt (the last of each loop; every one of them must succeed).
# GnuPG's fresh scdaemon signs once alone (see above), then marks
# $T/warm and both loops run.
D=BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD
scd_pins "$T/pins"
"$SCD_CLIENT_LIVE" --scd "$SCDAEMON" --homedir "$hg" --pins "$T/pins" \
  sign OPENPGP.1 sha256 "3031300D060960864801650304020105000420$D" \
  -- mark "$T/warm" \
  -- signloop "$M" OPENPGP.1 sha256 "3031300D060960864801650304020105000420$D" \
  -- signverify OPENPGP.1 $D > "$T/cg.out" 2>&1 &
p1=$!
_w=0
while [ ! -e "$T/warm" ] && [ $_w -lt 300 ] && kill -0 $p1 2>/dev/null; do
  sleep 0.1; _w=$((_w+1))
done
"$SCD_CLIENT_LIVE" --scd "$OCA_SCD" --homedir "$ho" --pins "$T/pins" \
  signloop "$M" OPENPGP.1 sha256 "3031300D060960864801650304020105000420$D" \
  -- signverify OPENPGP.1 $D > "$T/co.out" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
for tag in g o; do
  [ $tag = g ] && { name=gnupg; rc=$r1; } || { name=oca; rc=$r2; }
  if [ "$rc" -eq 0 ] && grep -q "^signed: $M\$" "$T/c$tag.out" \
     && grep -q "^verified: $sv\$" "$T/c$tag.out"; then
    ok "$name (pipe): $M signatures during the other's loop, verified"
  else
    not_ok "$name (pipe): $M signatures during the other's loop, verified (exit $rc)"
    sed 's/^/#   /' "$T/c$tag.out" | grep -v '^#   sig:' | head -20
  fi
done
is "the card counted those too" "$(sigcount "$ho")" "$(( ${n0:-0} + 2 * N + 2 * M + 3 ))"

tap_done
