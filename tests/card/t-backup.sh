#!/bin/sh
# t-backup.sh - backup cards with the CA key: `ca set-backend card --add'
# (PIN asked and checked, fingerprints compared), `card list' with the
# readers, bulk certification spread over every card present and going
# on when one is pulled out mid-run, a backup card signing when the
# CA's card is missing
# SPDX-License-Identifier: GPL-3.0-or-later
# profile-run: once
. "$srcdir/card-lib.sh"

# Two cards in the first two slots (one reader: card_env's reader prefix
# shows no other test's card), with a token's timing so that the bulk
# lasts long enough to pull a card in the middle of it.
vcard_reserve 2 || exit 1
vcard_plug a --serial 0000BA01 --latency 120,5,0 || exit 1
vcard_plug b --serial 0000BA02 --latency 120,5,0 || exit 1
card_env a b
IDA=FFFE:0000BA01 IDB=FFFE:0000BA02

check "card list" "$OCA" card list $SCD
for c in a b; do
  id=$IDA; [ $c = b ] && id=$IDB
  is "reader of card $c listed after it" \
    "$(grep -A1 "^$id " "$T/out" | sed -n 's/^    Reader: //p')" \
    "$(vcard_reader $c)"
done

# The CA on card a; its printed key makes the backup card b.
check "ca init on card a" ocac ca init --domain example.org --algo $ALGO \
  card $IDA $SCD
sed -n '/BEGIN PGP PRIVATE KEY BLOCK/,/END PGP PRIVATE KEY BLOCK/p' \
  "$T/out" > "$T/ca.priv"
FPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
CAKEYID=$(printf %s "$FPR" | cut -c25-40)
MAIN=$DB

# What --add refuses, each time without changing the database.
echo 12345678 > "$T/pin.x"
sum0=$(sha256sum "$DB")
check_fails "the CA's own card" \
  ocac ca set-backend card --add $IDA --pin-file "$T/pin.x" $SCD
like "own card message" "$T/err" "^oca: OpenPGP card $IDA is the CA's card already$"
check_fails "a card that is not there" \
  ocac ca set-backend card --add FFFE:0000BA09 --pin-file "$T/pin.x" $SCD
like "absent message" "$T/err" "^oca: OpenPGP card FFFE:0000BA09 not found"
check_fails "a blank card (no CA key)" \
  ocac ca set-backend card --add $IDB --pin-file "$T/pin.x" $SCD
like "blank card message" "$T/err" "^oca: On card $IDB: "
is "database unchanged" "$(sha256sum "$DB")" "$sum0"

DB=$T/b.db
check "backup card b (ca init --import)" \
  ocac ca init --domain example.org card $IDB --import "$T/ca.priv" $SCD
ca_pin > "$T/pin.b"
DB=$MAIN
echo 99999999 > "$T/pin.bad"
check_fails "a wrong PIN" \
  ocac ca set-backend card --add $IDB --pin-file "$T/pin.bad" $SCD
like "wrong PIN message" "$T/err" "PIN.*rejected|[Bb]ad PIN"
check_fails "--add and a positional card" \
  ocac ca set-backend card $IDB --add $IDB --pin-file "$T/pin.b" $SCD
is "database still unchanged" "$(sha256sum "$DB")" "$sum0"

check "--add card b" \
  ocac ca set-backend card --add $IDB --pin-file "$T/pin.b" $SCD
like "recorded" "$T/out" "^Backup card $IDB is recorded\.$"
check_fails "card b twice" \
  ocac ca set-backend card --add $IDB --pin-file "$T/pin.b" $SCD
like "twice message" "$T/err" "backup card of the CA already"
is "the backup card stored" \
  "$(sqlite3 "$DB" 'SELECT ident FROM cacards')" "$IDB"
check "ca show still names card a" ocac ca show
like "backend card a" "$T/out" "CA Backend: OpenPGP card $IDA "

# In-domain user keys.
N=24
i=1
while [ $i -le $N ]; do
  "$GPG" --batch --passphrase '' --quick-gen-key "u$i@example.org" ed25519 \
    cert never >/dev/null 2>&1
  i=$((i + 1))
done
"$GPG" --batch --armor --export > "$T/keys.asc"

# auths NAME: INTERNAL AUTHENTICATEs card NAME has made.
auths () {
  cat "$T/vcard-$1.apdus" 2>/dev/null | awk '$2 == "88" { n++ } END { print n + 0 }'
}
a0=$(auths a) b0=$(auths b)

# Bulk import over both cards; card b is pulled out after its second
# certification.
ocac user import --domain-emails -f "$T/keys.asc" \
  >"$T/bulk.out" 2>"$T/bulk.err" &
bulk=$!
i=0
while [ $(( $(auths b) - b0 )) -lt 2 ] && [ $i -lt 300 ]; do
  sleep 0.05; i=$((i + 1))
done
kill "$(vcard_pid b)"
wait $bulk
rc=$?
is "bulk import succeeds without card b" "$rc" 0
sed 's/^/# /' "$T/bulk.err"
like "the operator is told" "$T/bulk.err" \
  "^oca: warning: .*OpenPGP card $IDB.*; going on with the other card$"
like "all keys certified" "$T/bulk.out" \
  "^Imported $N of $N keys \($N new, 0 updated\), made $N certifications"
da=$(( $(auths a) - a0 )) db=$(( $(auths b) - b0 ))
diag "certifications: card a $da, card b $db (pulled)"
[ $da -ge 1 ] && [ $db -ge 2 ] && ok "both cards worked" \
  || not_ok "both cards worked"
[ $db -lt $N ] && ok "card b stopped when pulled" \
  || not_ok "card b stopped when pulled"

# ca_sigs HOME: the good CA certifications (0x10) gpg finds in the
# export of the CA (imported into the GnuPG home HOME).
ca_sigs () {
  mkdir -p "$1" && chmod 700 "$1"
  ocac user export > "$T/all.asc"
  GNUPGHOME=$1 "$GPG" --batch --import "$T/all.asc" >/dev/null 2>&1
  GNUPGHOME=$1 "$GPG" --batch --with-colons --check-sigs 2>/dev/null \
    | grep -c "^sig:!:.*:$CAKEYID:.*:10x:"
}

# gpg accepts every certification.
is "$N good CA certifications" "$(ca_sigs "$T/gh-check")" $N

# Card b back, card a pulled out: the backup card signs.
# pull NAME: the card process ends; wait until pcscd sees the reader
# empty (the harness keeps the slot: vcard_restart puts it back).
pull () {
  kill "$(vcard_pid $1)"
  "$OCA_PCSC_LIST" --wait empty "$(vcard_reader $1)" 15 >/dev/null || true
}
vcard_restart b
pull a
"$GPG" --batch --passphrase '' --quick-gen-key "late@example.org" ed25519 \
  cert never >/dev/null 2>&1
"$GPG" --batch --armor --export late@example.org > "$T/late.asc"
b1=$(auths b)
check "user import with card a missing" \
  ocac user import -e late@example.org -f "$T/late.asc"
[ $(( $(auths b) - b1 )) -ge 1 ] && ok "card b certified it" \
  || not_ok "card b certified it"
is "late key certified by the CA too" "$(ca_sigs "$T/gh-check2")" \
  $((N + 1))

# No card at all: a clear error, the database unchanged.
pull b
"$GPG" --batch --passphrase '' --quick-gen-key "none@example.org" ed25519 \
  cert never >/dev/null 2>&1
"$GPG" --batch --armor --export none@example.org > "$T/none.asc"
sum1=$(sha256sum "$DB")
check_fails "no card of the CA present" \
  ocac user import --domain-emails -f "$T/none.asc"
like "none present message" "$T/err" \
  "^oca: none of the CA's 2 OpenPGP cards \($IDA, \.\.\.\) found"
is "database unchanged" "$(sha256sum "$DB")" "$sum1"
tap_done
