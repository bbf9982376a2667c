#!/bin/sh
# run-asc.sh - run one conversation script against the server under test
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage (automake's ASC_LOG_COMPILER): run-asc.sh SCRIPT.asc
#
# Plugs a fresh oca-vcard (tests/vcard/harness.sh), prepares it as the
# script's "#@ fixture:" line says (fresh, keys, two-cards), and runs
# asschk with the server: oca-scd (SCD_UNDER_TEST=oca, the default) or
# GnuPG's scdaemon (SCD_UNDER_TEST=gnupg, to validate the scripts; a
# "#@ gnupg: skip REASON" line marks behaviour scdaemon 2.2 lacks).
# asschk's TAP goes to stdout; the full transcript follows as comments
# when a step fails.
script=$1
[ -f "$script" ] || script="$srcdir/$script"
. "$srcdir/../lib.sh"
. "$srcdir/scd-lib.sh"

if [ "$SCD_UNDER_TEST" = gnupg ]; then
  _why=$(sed -n 's/^#@ gnupg: skip *//p' "$script")
  [ -n "$_why" ] && skip_all "$_why"
fi
scd_need_rig

fixture=$(sed -n 's/^#@ fixture: *//p' "$script")
# Two cards: the first two slots (one vpcd reader), so that the reader
# prefix below shows no card of a test running at the same time.
[ "$fixture" = two-cards ] && { vcard_reserve 2 || _scd_fail "no 2 slots"; }
scd_card a 0000A001
home="$T/home-a"
SN=$(scd_serialno 0000A001)
SN2=$(scd_serialno 0000B002)
case "$fixture" in
  fresh|"") ;;
  keys) scd_keys "$home" ;;
  # Fresh, but with keys on a card that changes the User PIN only once
  # keys are loaded (Gnuk).
  pin-keys) vcard_profile_has pin-needs-keys && scd_keys "$home" ;;
  two-cards)
    scd_card b 0000B002
    # Bound to the common prefix of both readers: the server sees both
    # cards and no other test's.
    _p=$(vcard_reader a) _o=$(vcard_reader b)
    while [ "${_o#"$_p"}" = "$_o" ]; do _p=${_p%?}; done
    sed -i "s|^reader-port .*|reader-port $_p|" "$home/scdaemon.conf" ;;
  *) _scd_fail "unknown fixture '$fixture' in $script" ;;
esac

# Pull the card: stop its process (the reader becomes empty); put it
# back: start the same command line again (same state file and slot).
vpid=$(vcard_pid a)
tr '\0' ' ' < "/proc/$vpid/cmdline" > "$T/vcard-a.cmdline"
# Each pull is logged with the state of the card process before and
# after (a pull that did not take once left PKSIGN waiting for a touch;
# the log tells the next time).
cat > "$T/unplug" <<X
#!/bin/sh
{ echo "unplug at \$(date +%T.%N): card pid $vpid: \$(ps -o stat=,args= -p $vpid)"
  kill $vpid; echo "kill exit \$?"
  sleep 0.2; echo "0.2 s later: \$(ps -o stat=,args= -p $vpid || echo gone)"
} >>"$T/unplug.log" 2>&1
X
cat > "$T/replug" <<X
#!/bin/sh
setsid $(cat "$T/vcard-a.cmdline") >>"$T/vcard-a.replug.log" 2>&1 &
echo \$! > "$T/vcard-a.replug.pid"
sleep 1
X
chmod +x "$T/unplug" "$T/replug"
at_exit 'kill $(cat "$T/vcard-a.replug.pid" 2>/dev/null) 2>/dev/null'

[ "$SCD_UNDER_TEST" = oca ] && OCA=1 || OCA=0
# What the card of this run's profile has, for "if NAME" lines.
has () { if vcard_profile_has "$@"; then echo 1; else echo 0; fi; }
# shellcheck disable=SC2046
"$ASSCHK" --transcript "$T/transcript" --stderr "$T/server.err" \
  -D OCA=$OCA \
  -D ED25519="$(has algos ed25519)" -D RSA3072="$(has algos rsa3072)" \
  -D RSA4096="$(has algos rsa4096)" -D NISTP256="$(has algos nistp256)" \
  -D NISTP384="$(has algos nistp384)" -D CV25519="$(has algos cv25519)" \
  -D ALGOINFO="$(has algoinfo)" -D BUTTON="$(has button)" \
  -D SERIALNO="$SN" -D SERIALNO2="$SN2" \
  -D OTHER_SERIALNO=D276000124010304FFFE999999990000 \
  -D MANU_DEC=65534 -D MANU_HEX=FFFE -D SERIAL_HEX=0000A001 \
  -D PIN=31323334353600 -D ADMIN=313233343536373800 \
  -D BADPIN=39393939393900 -D BADADMIN=393939393939393900 \
  -D NEWPIN=36353433323100 -D NEWADMIN=383736353433323100 \
  -D DI256=3031300D060960864801650304020105000420BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD \
  -D SHA1ABC=A9993E364706816ABA3E25717850C26C9CD0D89D \
  -D ED_KEYDATA=2831313A707269766174652D6B657928333A65636328353A6375727665373A456432353531392928353A666C616773353A65646473612928313A7133333A40D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A2928313A6433323A9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F6029292831303A637265617465642D617431303A313730303030303030302929 \
  -D ED_FPR=7629413EDCE0D2380410F05599933B470FD7C498 \
  -D ED_PUBKEY=2831303A7075626C69632D6B657928333A65636328353A6375727665373A456432353531392928353A666C616773353A65646473612928313A7133333A40D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A292929 \
  -D UNPLUG="$T/unplug" -D REPLUG="$T/replug" \
  -D APDULOG="$T/vcard-a.apdus" -D TMP="$T" \
  "$script" $(scd_server_argv "$home")
rc=$?
if [ $rc -ne 0 ]; then
  echo "# server: $SCD_UNDER_TEST; conversation:"
  sed 's/^/#   /' "$T/transcript" | cut -c1-200 | tail -60
  echo "# server stderr:"
  sed 's/^/#   /' "$T/server.err" | tail -20
  if [ -f "$T/unplug.log" ]; then
    echo "# card pulls:"
    sed 's/^/#   /' "$T/unplug.log" | cut -c1-200
  fi
  echo "# card a's log:"
  sed 's/^/#   /' "$T/vcard-a.log" 2>/dev/null | tail -10
fi
exit $rc
