#!/bin/sh
# t-renew-card.sh - `ca renew' and `ca audit' on a card CA: one touch
# notice per certification, a missed touch keeps the certifications
# before it and a re-run continues; the audit records the card and its
# signature counter and flags a signature made outside oca
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

vcard_plug a --serial 0000CC12 --touch-timeout 3 || exit 1
card_env a
ID=FFFE:0000CC12

check "ca init --validity 400" ocac ca init --domain example.org --algo $ALGO --validity 400 card $SCD
like "the card signed the expiration" "$T/out" "^   Expiration: $(date -u -d @$(( $(date +%s) + 400 * 86400 )) +%Y-%m-%d) "
CAFPR=$(ocac ca show | sed -n 's/.*\b\([0-9A-F]\{40\}\)\b.*/\1/p' | head -1)
CAKEYID=$(printf %s "$CAFPR" | cut -c25-40)

# Three in-domain keys, certified for one day (before touch is on).
for u in b1 b2 b3; do
  "$GPG" --batch --passphrase '' --quick-gen-key "$u@example.org" ed25519 cert never \
    >/dev/null 2>&1
  fp=$("$GPG" --batch --with-colons --list-keys "$u@example.org" 2>/dev/null \
       | awk -F: '/^fpr:/ { print $10; exit }')
  eval "FP_$u=$fp"
  "$GPG" --batch --armor --export "$fp" >> "$T/keys.asc"
done
check "import for one day" ocac user import --domain-emails --validity 1 -f "$T/keys.asc"

touch_on=no
if vcard_profile_has button; then
  check "card touch AUT on" "$OCA" -d "$DB" card touch --key AUT --policy on $SCD
  touch_on=yes
fi

if [ $touch_on = yes ]; then
  # Touches for two of the three: the third times out.
  sum0=$(sha256sum "$DB")
  vcard_touch a
  ocac ca renew --days 30 --within 5 >"$T/r.out" 2>"$T/r.err" &
  pid=$!
  vcard_wait_touch_used a && ok "first touch taken" || not_ok "first touch taken"
  vcard_touch a
  vcard_wait_touch_used a && ok "second touch taken" || not_ok "second touch taken"
  wait $pid
  rc=$?
  [ $rc -ne 0 ] && [ $rc -lt 128 ] && ok "renew fails on the missed touch" \
    || not_ok "renew fails on the missed touch (rc $rc)"
  like "message: the third key, what was kept" "$T/r.err" \
    "^oca: error certifying $FP_b3: Touch confirmation timed out on OpenPGP card $ID.*\\(2 certifications renewed before it; re-run to continue\\)$"
  is "one error line" "$(grep -c "^oca:" "$T/r.err")" 1
  is "three touch notices" \
    "$(grep -c "^Touch confirmation needed for certification$" "$T/r.err")" 3
  [ "$(sha256sum "$DB")" != "$sum0" ] && ok "the two were stored" \
    || not_ok "the two were stored"
  vcard_touch a
  check "re-run with one touch" ocac ca renew --days 30 --within 5
  is "one touch notice on the re-run" \
    "$(grep -c "^Touch confirmation needed for certification$" "$T/err")" 1
  like "one renewed" "$T/out" "^Renewed 1 certification on 1 of 3 "
else
  check "renew (no button), in batches of two" \
    ocac ca renew --days 30 --within 5 --batch 2
  like "three renewed" "$T/out" "^Renewed 3 certifications on 3 of 3 "
fi
check "nothing left to renew" ocac ca renew --days 30 --within 5
like "none" "$T/out" "^Renewed 0 certifications"

# gpg: two good CA certifications on each, valid in three days.
gpg_sigs "$T/gh-check"
for u in b1 b2 b3; do
  eval "fp=\$FP_$u"
  GNUPGHOME=$T/gh-check "$GPG" --batch --with-colons --check-sigs "$fp" \
    > "$T/sigs.$u" 2>/dev/null
  is "$u: two good CA certifications" \
    "$(grep -c "^sig:!:.*:$CAKEYID:.*:10x:" "$T/sigs.$u")" 2
done
echo "$CAFPR:6:" | GNUPGHOME=$T/gh-check "$GPG" --batch --import-ownertrust 2>/dev/null
later=$(( $(date +%s) + 3 * 86400 ))
v=$(GNUPGHOME=$T/gh-check "$GPG" --batch --faked-system-time "$later" \
      --with-colons --list-keys "$FP_b3" 2>/dev/null | awk -F: '$1=="uid"{print $2; exit}')
is "b3 fully valid in three days" "$v" f

# The card extends the CA key: two signatures (the direct-key
# signature and the User ID's binding), a touch each when touch is on.
if [ $touch_on = yes ]; then
  vcard_touch a
  ocac ca extend --days 800 >"$T/x.out" 2>"$T/x.err" &
  pid=$!
  vcard_wait_touch_used a && ok "first touch taken" || not_ok "first touch taken"
  vcard_touch a
  wait $pid && ok "ca extend --days 800 on the card" \
    || not_ok "ca extend --days 800 on the card"
  is "two touch notices" \
    "$(grep -c "^Touch confirmation needed for certification$" "$T/x.err")" 2
else
  check "ca extend --days 800 on the card" ocac ca extend --days 800
fi
ocac ca export > "$T/ca.asc"
exp=$("$GPG" --batch --with-colons --show-keys "$T/ca.asc" 2>/dev/null | awk -F: '$1=="pub"{print $7}')
d=$(( exp - $(date +%s) - 800 * 86400 ))
[ $d -gt -100 ] && [ $d -lt 100 ] && ok "gpg: the CA key expires in 800 days" \
  || not_ok "gpg: the CA key expires in 800 days ($exp)"

# The record: the card and its counter.
check "ca audit" ocac ca audit
like "records name the card and its counter" "$T/out" \
  "good #[0-9]+ certification on $FP_b1 '<?b1@example.org>?' by $CAFPR \\(card $ID, counter [0-9]+\\) sha256:"
like "no jump yet" "$T/out" "; 0 signature counter jumps\\.$"
n0=$(ocac ca audit --with-colons | awk -F: '$1=="rec" && $9=="card" {c=$11} END {print c}')
test -n "$n0"; is "the record has the counter" $? 0
diag "counter in the record: $n0"

# oca's own signature with the SIG slot (keylist export) is recorded:
# the counter moves by one, and the audit expects it.
mkdir -p "$T/kl"
check "keylist export (the SIG slot signs)" \
  ocac keylist export -p "$T/kl" -s https://example.org/keylist.asc
check "the audit accounts for it" ocac ca audit
like "the keylist signature is recorded" "$T/out" \
  "good #[0-9]+ signature on $CAFPR by [0-9A-F]{40} \\(card $ID, counter $((n0 + 1))\\) sha256:[0-9A-F]{64}: a document signature"
like "still no jump" "$T/out" "; 0 signature counter jumps\\.$"
n0=$((n0 + 1))

# A signature with the card's SIG slot outside oca (PSO:CDS counts),
# then one more certification by oca: the counter jumped.
agent_flush
PIN=$(ca_pin)
scd_raw SERIALNO \
  "SETDATA 3031300D060960864801650304020105000420$(printf x | sha256sum | cut -c1-64)" \
  "PKSIGN --hash=sha256 OPENPGP.1" "D $PIN" END > "$T/sign.out"
like "the SIG slot signed" "$T/sign.out" "^D "
"$GPG" --batch --passphrase '' --quick-gen-key "b4@example.org" ed25519 cert never \
  >/dev/null 2>&1
"$GPG" --batch --armor --export b4@example.org > "$T/b4.asc"
[ $touch_on = yes ] && vcard_touch a
check "one more certification" ocac user import -e b4@example.org -f "$T/b4.asc"
check_fails "ca audit flags the jump" ocac ca audit
like "counter went up by one" "$T/out" \
  "COUNTER of card $ID went from $n0 \\(.*\\) to $((n0 + 1)): signatures oca did not make$"
like "the error says so" "$T/err" "and 1 signature counter jump$"
check_fails "with colons" ocac ca audit --with-colons
like "counter line (':' in the ident escaped)" "$T/out" \
  "^counter:FFFE.x3a0000CC12:$n0:$((n0 + 1)):[0-9]+:[0-9]+:$"
tap_done
