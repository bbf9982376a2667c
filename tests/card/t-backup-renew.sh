#!/bin/sh
# t-backup-renew.sh - `ca renew' and `ca re-certify' on a card CA with
# a backup card: the renewals spread over both cards and go on when one
# is pulled out mid-run; the audit record names the card that made each
# certification; `ca show' lists the backup card with its reader
# SPDX-License-Identifier: GPL-3.0-or-later
# profile-run: once
. "$srcdir/card-lib.sh"

# Two cards in the first two slots (as t-backup.sh), a token's timing
# so that the run lasts long enough to pull a card in the middle of it.
vcard_reserve 2 || exit 1
vcard_plug a --serial 0000BB01 --latency 120,5,0 || exit 1
vcard_plug b --serial 0000BB02 --latency 120,5,0 || exit 1
card_env a b
IDA=FFFE:0000BB01 IDB=FFFE:0000BB02

check "ca init on card a" ocac ca init --domain example.org --algo $ALGO \
  card $IDA $SCD
sed -n '/BEGIN PGP PRIVATE KEY BLOCK/,/END PGP PRIVATE KEY BLOCK/p' \
  "$T/out" > "$T/ca.priv"
CAFPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
CAKEYID=$(printf %s "$CAFPR" | cut -c25-40)
MAIN=$DB

check "ca show: no backup card yet" ocac ca show
unlike "no backup line" "$T/out" "Backup card"

DB=$T/b.db
check "backup card b (ca init --import)" \
  ocac ca init --domain example.org card $IDB --import "$T/ca.priv" $SCD
ca_pin > "$T/pin.b"
DB=$MAIN
check "--add card b" \
  ocac ca set-backend card --add $IDB --pin-file "$T/pin.b" $SCD

# ca show: the backup card, with its reader while it is present.
check "ca show lists the backup card" ocac ca show
like "CA backend still card a" "$T/out" "^   CA Backend: OpenPGP card $IDA "
is "one backup line, with the reader" \
  "$(grep '^  Backup card: ' "$T/out")" \
  "  Backup card: $IDB (reader $(vcard_reader b))"
unlike "no PIN of the backup card shown" "$T/out" "$(cat "$T/pin.b")"
check "ca show --with-colons" ocac ca show --with-colons
is "a cacard record (the colons escaped)" "$(grep '^cacard:' "$T/out")" \
  "cacard:FFFE\\x3a0000BB02:$(vcard_reader b | sed 's/:/\\x3a/g'):"

# auths NAME: INTERNAL AUTHENTICATEs card NAME has made.
auths () {
  cat "$T/vcard-$1.apdus" 2>/dev/null | awk '$2 == "88" { n++ } END { print n + 0 }'
}

# ca re-certify: users certified by an old (softkey) key of the CA move
# to this database; the current key on the cards certifies them again,
# over both cards.
R=6
OLD=$T/old.db
check "old CA key" "$OCA" -d "$OLD" ca init --domain example.org --algo ed25519 softkey
i=1
while [ $i -le $R ]; do
  "$OCA" -d "$OLD" user add -e "r$i@example.org" >/dev/null 2>&1 \
    || not_ok "old CA: user add r$i"
  i=$((i + 1))
done
"$OCA" -d "$OLD" ca export > "$T/old-ca.asc"
"$SQLITE3" "$DB" "attach '$OLD' as o;
  insert into users select * from o.users;
  insert into certs select * from o.certs;
  insert into certs_emails select * from o.certs_emails;"
a0=$(auths a) b0=$(auths b)
check "ca re-certify over both cards" \
  ocac ca re-certify -p "$T/old-ca.asc" -v 365
like "all re-certified" "$T/out" "^Re-certified $R User IDs on $R certificates\.$"
da=$(( $(auths a) - a0 )) db=$(( $(auths b) - b0 ))
diag "re-certifications: card a $da, card b $db"
rb=$db
[ $da -ge 1 ] && [ $db -ge 1 ] && [ $((da + db)) -eq $R ] \
  && ok "both cards re-certified, $R certifications in all" \
  || not_ok "both cards re-certified, $R certifications in all"
check "re-certify again: nothing to do" \
  ocac ca re-certify -p "$T/old-ca.asc" -v 365
like "none" "$T/out" "^Re-certified 0 User IDs on 0 certificates\.$"
gpg_sigs "$T/gh-recert"
echo "$CAFPR:6:" | GNUPGHOME=$T/gh-recert "$GPG" --batch --import-ownertrust 2>/dev/null
v=$(GNUPGHOME=$T/gh-recert "$GPG" --batch --with-colons --list-keys \
      "r$R@example.org" 2>/dev/null | awk -F: '$1=="uid"{print $2; exit}')
is "gpg: r$R fully valid under the card CA" "$v" f

# In-domain user keys, certified for one day.
N=16
i=1
while [ $i -le $N ]; do
  "$GPG" --batch --passphrase '' --quick-gen-key "u$i@example.org" ed25519 \
    cert never >/dev/null 2>&1
  i=$((i + 1))
done
"$GPG" --batch --armor --export > "$T/keys.asc"
check "import for one day" \
  ocac user import --domain-emails --validity 1 -f "$T/keys.asc"

a0=$(auths a) b0=$(auths b)
# card_recs FILE: the records of `ca audit --with-colons' FILE that name
# card b.
card_recs () {
  awk -F: '$1=="rec" && $9=="card" && $10=="FFFE\\x3a0000BB02"' "$1" | wc -l
}
ocac ca audit --with-colons > "$T/audit0.col"

# The renewal runs over both cards; card b is pulled out after its
# second certification.
ocac ca renew --days 30 --within 5 >"$T/renew.out" 2>"$T/renew.err" &
pid=$!
i=0
while [ $(( $(auths b) - b0 )) -lt 2 ] && [ $i -lt 300 ]; do
  sleep 0.05; i=$((i + 1))
done
kill "$(vcard_pid b)"
wait $pid
rc=$?
sed 's/^/# /' "$T/renew.err"
is "ca renew succeeds without card b" "$rc" 0
like "the operator is told" "$T/renew.err" \
  "^oca: warning: .*OpenPGP card $IDB.*; going on with the other card$"
like "all renewed (the re-certified ones are valid for long)" \
  "$T/renew.out" "^Renewed $N certifications on $N of $((N + R)) "
da=$(( $(auths a) - a0 )) db=$(( $(auths b) - b0 ))
diag "renewals: card a $da, card b $db (pulled)"
[ $da -ge 1 ] && [ $db -ge 2 ] && ok "both cards renewed" \
  || not_ok "both cards renewed"
[ $db -lt $N ] && ok "card b stopped when pulled" \
  || not_ok "card b stopped when pulled"
check "nothing left to renew" ocac ca renew --days 30 --within 5
like "none" "$T/out" "^Renewed 0 certifications"

# gpg: two good CA certifications on every key, valid in three days.
gpg_sigs "$T/gh-check"
bad=0
i=1
while [ $i -le $N ]; do
  n=$(GNUPGHOME=$T/gh-check "$GPG" --batch --with-colons --check-sigs \
        "u$i@example.org" 2>/dev/null | grep -c "^sig:!:.*:$CAKEYID:.*:10x:")
  [ "$n" = 2 ] || { diag "u$i: $n good CA certifications"; bad=$((bad + 1)); }
  i=$((i + 1))
done
is "gpg: every key has its renewed certification" $bad 0
echo "$CAFPR:6:" | GNUPGHOME=$T/gh-check "$GPG" --batch --import-ownertrust 2>/dev/null
later=$(( $(date +%s) + 3 * 86400 ))
v=$(GNUPGHOME=$T/gh-check "$GPG" --batch --faked-system-time "$later" \
      --with-colons --list-keys "u$N@example.org" 2>/dev/null \
    | awk -F: '$1=="uid"{print $2; exit}')
is "u$N fully valid in three days" "$v" f

# The record names the card of each renewal, with that card's counter;
# the audit re-verifies all and sees no counter jump.
check "ca audit" ocac ca audit
like "a certification by card b" "$T/out" \
  " good #[0-9]+ certification on .* by $CAFPR \\(card $IDB, counter [0-9]+\\) sha256:"
like "a certification by card a" "$T/out" \
  " good #[0-9]+ certification on .* by $CAFPR \\(card $IDA, counter [0-9]+\\) sha256:"
like "no jump" "$T/out" "; 0 signature counter jumps\\.$"
ocac ca audit --with-colons > "$T/audit.col"
nb=$(awk -F: '$1=="rec" && $9=="card" && $10=="FFFE\\x3a0000BB02" && $8 ~ /^<r[0-9]+@/' \
       "$T/audit.col" | wc -l)
is "the record names card b for each of its re-certifications" "$nb" "$rb"
nb=$(( $(card_recs "$T/audit.col") - $(card_recs "$T/audit0.col") ))
diag "renewals recorded as card b's: $nb"
[ "$nb" -ge 1 ] && [ "$nb" -le "$db" ] \
  && ok "the record names card b for its renewals" \
  || not_ok "the record names card b for its renewals ($nb)"
tap_done
