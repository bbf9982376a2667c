#!/bin/sh
# t-reselect.sh - gpg --sign through oca-scd keeps working, without a new
# PIN prompt, when another PC/SC client selects another application or
# resets the card between two signatures (issue 11 §4, spec F)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The other client is oca-pcsc-poke (shared mode, its own PC/SC
# context).  The card drops its PIN verification on each of its actions
# (oca-vcard does as real tokens do: tests/vcard/t-vcard.c), so the card
# must see a new VERIFY after each one -- sent by oca-scd with the PIN
# it holds, not asked from gpg-agent's pinentry again.
. "$srcdir/../lib.sh"
. "$srcdir/scd-lib.sh"

SCD_UNDER_TEST=oca
scd_need_rig
: "${OCA_PCSC_POKE:=$abs_top_builddir/tests/vcard/oca-pcsc-poke}"
[ -x "$OCA_PCSC_POKE" ] || _scd_fail "dependency missing: oca-pcsc-poke"

scd_card a 0000511B
ho="$T/home-o"
scd_oca_home a "$ho"
R=$(vcard_reader a)
echo "signed while others use the card" > "$T/msg"
gpg_o () { GNUPGHOME="$ho" "$GPG" "$@"; }
prompts () { grep -c '^GETPIN' "$ho/pinentry.log" 2>/dev/null || echo 0; }
verifies () { grep -c '^00 20 00 8[12]' "$T/vcard-a.apdus"; }

# Keys made through oca-scd; signature PIN not forced (one VERIFY serves
# many signatures, so a lost verification shows).
if vcard_profile_has algos ed25519; then
  ka='key-attr\n2\n1\n2\n1\n2\n1\n'
elif vcard_profile_has algos nistp384; then
  ka='key-attr\n2\n4\n2\n4\n2\n4\n'
else
  ka=''
fi
printf "admin\n${ka}generate\nn\n0\nShared User\nsh@example.org\n\nforcesig\nquit\n" > "$T/cmds"
check "generate keys through oca-scd, forcesig off" sh -c \
  "GNUPGHOME='$ho' '$GPG' --no-tty --command-fd 0 --status-fd 1 --edit-card < '$T/cmds'"
check "signature PIN not forced" gpg_o --batch --card-status
like "card status says so" "$T/out" '^Signature PIN \.+: not forced$'

n=0
sign () {
  n=$((n + 1))
  check "$1: signature $n" gpg_o --batch -u sh@example.org \
    -o "$T/sig.$n" --sign "$T/msg"
  check "$1: signature $n verifies" gpg_o --batch --verify "$T/sig.$n"
}

sign "first"
p0=$(prompts)
v0=$(verifies)
sign "PIN verified"
is "no prompt and no VERIFY for the second signature" \
  "$(prompts) $(verifies)" "$p0 $v0"

for action in select-piv "select-piv select-openpgp" reset; do
  v=$(verifies)
  # shellcheck disable=SC2086
  check "other client: $action" "$OCA_PCSC_POKE" "$R" $action
  sign "after $action"
  is "after $action: no new PIN prompt" "$(prompts)" "$p0"
  [ "$(verifies)" -gt "$v" ] \
    && ok "after $action: the card needed the PIN again (VERIFY sent)" \
    || not_ok "after $action: the card needed the PIN again (VERIFY sent)"
done
like "the other client's SELECTs reached the card" "$T/vcard-a.apdus" \
  '^00 A4 04 0C'

tap_done
