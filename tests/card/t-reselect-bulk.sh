#!/bin/sh
# t-reselect-bulk.sh - a bulk import (user import --domain-emails) through
# oca-scd does not fail when another PC/SC client selects another
# application or resets the card between two certifications (issue 11
# §4, spec F)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The other client is oca-pcsc-poke (shared mode, its own PC/SC
# context).  It acts while the oca process is stopped (SIGSTOP) after a
# few certifications: the card operation under way ends first (it holds
# the PC/SC transaction), no new one starts, so each action falls
# between two certifications of the batch.  The card drops its PIN
# verification on each action (the next certification finds PIV
# selected, or the card reset), so oca-scd must verify again with the
# PIN it holds: the card sees a VERIFY after each action, and oca-scd
# asks oca for the PIN once only (its log).
. "$srcdir/card-lib.sh"

: "${OCA_PCSC_POKE:=$abs_top_builddir/tests/vcard/oca-pcsc-poke}"
[ -x "$OCA_PCSC_POKE" ] || { echo "Bail out! oca-pcsc-poke not built"; exit 1; }
[ "$CARD_ROUTE" = oca-scd ] || { echo "Bail out! oca-scd route only"; exit 1; }

vcard_plug a --serial 0000CC0B --latency 30 || exit 1
card_env a
R=$(vcard_reader a)
echo "debug-level basic" >> "$GNUPGHOME/scdaemon.conf"
check "ca init" ocac ca init --domain example.org --algo $ALGO card
N=20
i=1
while [ $i -le $N ]; do
  "$GPG" --batch --passphrase '' --quick-gen-key "u$i@example.org" ed25519 \
    cert never >/dev/null 2>&1
  i=$((i + 1))
done
"$GPG" --batch --armor --export > "$T/keys.asc"
is "$N keys to import" "$("$GPG" --batch --with-colons -k | grep -c '^pub:')" $N

auths () { grep -c '^00 88 ' "$T/vcard-a.apdus"; }
verifies () { grep -c '^00 20 00 82' "$T/vcard-a.apdus"; }
a0=$(auths)
v0=$(verifies)
: > "$GNUPGHOME/scdaemon.log"
"$OCA" -d "$DB" user import --domain-emails -f "$T/keys.asc" \
  >"$T/bulk.out" 2>"$T/bulk.err" &
bulk=$!
# poke_after K ACTION...: once K more certifications are done, stop oca,
# let the other client act, let oca go on.
pk=0
poke_after () {
  _want=$(( $(auths) + $1 )); shift
  _i=0
  while [ "$(auths)" -lt "$_want" ] && [ $_i -lt 3000 ]; do
    sleep 0.01; _i=$((_i + 1))
  done
  kill -STOP $bulk
  "$OCA_PCSC_POKE" "$R" "$@" || pk=$((pk + 1))
  kill -CONT $bulk
}
poke_after 3 select-piv
poke_after 3 select-piv select-openpgp
poke_after 3 reset
wait $bulk
rc=$?
is "the other client did its three actions" "$pk" 0
is "bulk import succeeds" "$rc" 0
sed 's/^/# /' "$T/bulk.err" | head -5
check "user list" ocac user list
is "$N users" "$(grep -c "@example.org" "$T/out")" $N

# Each action came between two certifications: every one of the
# other client's SELECTs (P2=0C) is followed by a certification.
last_poke=$(grep -n '^00 A4 04 0C' "$T/vcard-a.apdus" | tail -1 | cut -d: -f1)
last_auth=$(grep -n '^00 88 ' "$T/vcard-a.apdus" | tail -1 | cut -d: -f1)
is "four SELECTs of the other client" \
  "$(grep -c '^00 A4 04 0C' "$T/vcard-a.apdus")" 4
[ "${last_poke:-0}" -gt 0 ] && [ "${last_auth:-0}" -gt "$last_poke" ] \
  && ok "certifications after the last action" \
  || not_ok "certifications after the last action ($last_poke, $last_auth)"
# The card forgot the PIN three times: one VERIFY for the start of the
# batch and one after each action, all from oca-scd's held PIN.
is "VERIFY: once, then after each action" "$(( $(verifies) - v0 ))" 4
is "oca-scd asked oca for the PIN once" \
  "$(grep -c 'asking the client for a PIN' "$GNUPGHOME/scdaemon.log")" 1

gpg_sigs "$T/check"
n=$(grep -c "^sig!.*OpenPGP CA <openpgp-ca@example.org>" "$T/sigs")
[ "$n" -ge $N ] && ok "the certifications verify with gpg ($n)" \
  || not_ok "the certifications verify with gpg ($n)"
unlike "no bad signature" "$T/sigs" "^sig-|bad signature"

tap_done
