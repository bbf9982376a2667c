#!/bin/sh
# t-init.sh - ca init ... card (default flow), certifications on the card
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/card-lib.sh"

vcard_plug a --serial 0000CA01 || exit 1
card_env a
ID=FFFE:0000CA01

check "card list shows a blank card" "$OCA" card list $SCD
like "blank" "$T/out" "^$ID blank$"

check "ca init card ($ALGO)" \
  ocac ca init --domain example.org --algo $ALGO card $SCD
cp "$T/out" "$T/init.out"
like "init message" "$T/init.out" "^Initializing OpenPGP CA on card $ID\.$"
like "private key printed" "$T/init.out" "^-----BEGIN PGP PRIVATE KEY BLOCK-----$"
like "init tail" "$T/init.out" "^Initialized OpenPGP CA instance:$"
like "backend line" "$T/init.out" \
  "^   CA Backend: OpenPGP card $ID \[User PIN [0-9]{8}\]"
PIN=$(ca_pin)
is "8-digit PIN stored" "$(printf %s "$PIN" | wc -c | tr -d ' ')" 8
FPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')
check_fails "no private key in the database" ocac ca private
like "unsupported message" "$T/err" "Operation unsupported for this backend type"

# The card as GnuPG sees it.
card_colons > "$T/cs"
like "gpg: cardholder OpenPGP CA" "$T/cs" "^name:OpenPGP CA:|^name:+OpenPGP CA"
AUTFPR=$(awk -F: '$1=="fpr"{print $4}' "$T/cs")
is "gpg: AUT fingerprint = CA fingerprint" "$AUTFPR" "$FPR"
like "gpg: retry counters" "$T/cs" "^pinretry:3:0:3:"

# The printed key is the CA key (backup) and the DB stores no secret.
sed -n '/BEGIN PGP PRIVATE KEY BLOCK/,/END PGP PRIVATE KEY BLOCK/p' \
  "$T/init.out" > "$T/ca.priv"
check "printed key is the CA key" "$GPG" --batch --import "$T/ca.priv"
like "fingerprint matches" "$T/err" "key ${FPR#????????????????????????}"
"$GPG" --batch --yes --delete-secret-and-public-keys "$FPR" >/dev/null 2>&1

# Certifications on the card.
check "user add" ocac user add -e alice@example.org -n Alice
ocac user export -e alice@example.org > "$T/alice.asc"
"$GPG" --batch --gen-key >/dev/null 2>&1 <<EOK
%no-protection
Key-Type: eddsa
Key-Curve: ed25519
Key-Usage: cert
Name-Email: bob@example.org
Expire-Date: 0
EOK
"$GPG" --batch --armor --export bob@example.org > "$T/bob.asc"
"$GPG" --batch --yes --delete-secret-and-public-keys \
  "$("$GPG" --with-colons -k bob@example.org 2>/dev/null \
     | awk -F: '$1=="fpr"{print $10; exit}')" >/dev/null 2>&1
check "user import" ocac user import -e bob@example.org -f "$T/bob.asc"
check "export all" ocac user export
cp "$T/out" "$T/all.asc"
check "gpg imports" "$GPG" --batch --import "$T/all.asc"
"$GPG" --batch --check-sigs > "$T/sigs" 2>&1
unlike "no bad signature" "$T/sigs" "^sig-|bad signature"
like "CA certified alice" "$T/sigs" "^sig!.* OpenPGP CA <openpgp-ca@example.org>"
n=$(grep -c "^sig!.*OpenPGP CA <openpgp-ca@example.org>" "$T/sigs")
[ "$n" -ge 4 ] && ok "certifications by the CA verify ($n)" \
  || not_ok "certifications by the CA verify ($n)"
echo "$FPR:6:" | "$GPG" --batch --import-ownertrust 2>/dev/null
"$GPG" --batch --with-colons --check-trustdb >/dev/null 2>&1
"$GPG" --batch --with-colons -k alice@example.org > "$T/v" 2>/dev/null
like "alice fully valid via the CA" "$T/v" "^uid:f:"
"$GPG" --batch --with-colons -k bob@example.org > "$T/v" 2>/dev/null
like "bob fully valid via the CA" "$T/v" "^uid:f:"

# A bridge made on the card: its trust signature (255/120, scoped to
# beta.example) makes B's users of beta.example valid, not others.
check "CA B (softkey)" "$OCA" -d "$T/b.db" ca init --domain beta.example --algo ed25519 softkey
# Carol's key is made in a home of its own (gpg trusts the keys it
# makes ultimately).
mkdir -m 700 "$T/gen"
G="$GPG --homedir $T/gen --batch --pinentry-mode loopback --passphrase="
$G --quick-gen-key "Carol <carol@beta.example>" ed25519 default never >/dev/null 2>&1
CAROL=$($G --with-colons -k carol@beta.example 2>/dev/null | awk -F: '$1=="fpr"{print $10; exit}')
$G --quick-add-uid "$CAROL" "Carol <carol@gamma.example>" >/dev/null 2>&1
$G --armor --export "$CAROL" > "$T/carol.asc"
"$GPGCONF" --homedir "$T/gen" --kill all 2>/dev/null
check "B certifies carol twice" "$OCA" -d "$T/b.db" user import -f "$T/carol.asc" \
  -e carol@beta.example -e carol@gamma.example
"$OCA" -d "$T/b.db" ca export > "$T/b-ca.asc"
check "bridge new --commit on the card" ocac bridge new --commit "$T/b-ca.asc"
check "bridge export" ocac bridge export
cp "$T/out" "$T/bridge.asc"
"$OCA" -d "$T/b.db" user export > "$T/b-users.asc"
check "gpg imports the bridge and B's users" "$GPG" --batch --import "$T/bridge.asc" "$T/b-users.asc"
"$GPG" --batch --with-colons --check-sigs openpgp-ca@beta.example > "$T/bs" 2>/dev/null
like "the card's trust signature is good" "$T/bs" "^sig:!:[^:]*:[^:]*:${FPR#????????????????????????}:.*:255 120:"
"$GPG" --batch --with-colons --check-trustdb >/dev/null 2>&1
"$GPG" --batch --with-colons -k "$CAROL" > "$T/v" 2>/dev/null
like "carol@beta.example fully valid via the bridge" "$T/v" "^uid:f:.*<carol@beta\.example>"
unlike "carol@gamma.example not valid" "$T/v" "^uid:[fu]:.*<carol@gamma\.example>"

# A second init refuses; the card is no longer blank.
check_fails "already initialized" \
  ocac ca init --domain example.org --algo $ALGO card $SCD
check "card list shows the CA card" "$OCA" card list $SCD
like "CA card" "$T/out" "^$ID OpenPGP CA $FPR$"
check "card status" "$OCA" card status --with-colons $SCD
like "status holder" "$T/out" "^holder:OpenPGP CA:$"
like "status AUT fpr" "$T/out" "^fpr:3:$FPR:"

tap_done
