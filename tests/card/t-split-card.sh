#!/bin/sh
# t-split-card.sh - split mode with the key on a card: the back instance
# signs on the card (--batch, no prompt), the front holds neither key
# nor card configuration, gpg accepts what the front imported, merge
# gives a card CA again; and for a softkey CA, no byte of the key in the
# front's file (secret-scan)
# SPDX-License-Identifier: GPL-3.0-or-later
# profile-run: once
. "$srcdir/card-lib.sh"

vcard_plug a --serial 0000C5A1 || exit 1
card_env a
ID=FFFE:0000C5A1
F=$T/front.db B=$T/back.db
ocf () { "$OCA" -d "$F" "$@"; }
ocb () { "$OCA" -d "$B" "$@"; }

# --- a softkey CA: the front's file holds no window of the key ---------
S=$T/soft.db
check "softkey CA" "$OCA" -d "$S" ca init --domain example.org softkey
check "a user" "$OCA" -d "$S" user add -e alice@example.org
"$OCA" -d "$S" ca private > "$T/soft.priv"
secret_values "$T/soft.priv" > "$T/values"
n=$(grep -c . "$T/values")
[ "$n" -gt 0 ] && ok "secret values of the key found ($n)" \
  || not_ok "secret values of the key found ($n)"
check "split into (softkey)" "$OCA" -d "$S" ca split into \
  -f "$T/sfront.db" -b "$T/sback.db"
n=$(disk_hits "$T/values" "$S")
[ "$n" -gt 0 ] && ok "control: the CA's file holds the key ($n)" \
  || not_ok "control: the CA's file holds the key ($n)"
n=$(disk_hits "$T/values" "$T/sback.db")
[ "$n" -gt 0 ] && ok "control: the back holds the key ($n)" \
  || not_ok "control: the back holds the key ($n)"
# The reference copies the file and deletes the key row: freed pages
# keep it (the scan would find it there).
cp "$S" "$T/naive.db"
sqlite3 "$T/naive.db" "PRAGMA secure_delete = OFF; DELETE FROM cakeys;"
n=$(disk_hits "$T/values" "$T/naive.db")
[ "$n" -gt 0 ] && ok "control: a copy without the key row still holds it ($n)" \
  || not_ok "control: a copy without the key row still holds it ($n)"
is "the front holds no window of the key" \
  "$(disk_hits "$T/values" "$T/sfront.db")" 0
ls "$T"/sfront.db-* > "$T/leftover" 2>/dev/null
is "and no journal beside it" "$(cat "$T/leftover")" ""

# --- a card CA split: the back signs on the card ------------------------
check "ca init on the card" ocac ca init --domain example.org --algo $ALGO \
  card $ID $SCD
CA=$(ocac ca show | awk '/Fingerprint:/ {print $2}')
PIN=$(ca_pin)
check "user add (before the split)" ocac user add -e alice@example.org
check "split into (card)" ocac ca split into -f "$F" -b "$B"
check "ca show (back)" ocb ca show
like "back: on the card, the reference's line" "$T/out" \
  "^   CA Backend: Split-mode back instance \(based on: OpenPGP card $ID \[User PIN $PIN\]"
check "ca show (front)" ocf ca show
like "front: the reference's line" "$T/out" '^   CA Backend: Split-mode front instance$'
is "the front does not hold the card's configuration" \
  "$(grep -c "card;$ID" "$F")" 0
is "the back does" "$(grep -c "card;$ID" "$B")" 1

# The front queues; the back certifies on the card.
GH=$T/gen
mkdir -m 700 "$GH"
at_exit "GNUPGHOME='$GH' '$GPGCONF' --kill all"
GNUPGHOME=$GH "$GPG" --batch --passphrase '' --quick-gen-key \
  "Bob <bob@example.org>" ed25519 default never >/dev/null 2>&1
GNUPGHOME=$GH "$GPG" --batch --armor --export bob@example.org > "$T/bob.asc"
BOB=$(GNUPGHOME=$GH "$GPG" --batch --with-colons --list-keys bob@example.org \
  | awk -F: '$1=="fpr" {print $10; exit}')
check "user import bob (front)" ocf user import -e bob@example.org -f "$T/bob.asc"
check "user add carol (front)" ocf user add -e carol@example.org
check "export" ocf ca split export -f "$T/req.json"
like "two requests" "$T/out" "^Exported queue with 2 entries"
check "certify --batch on the card" ocb ca split certify -i "$T/req.json" \
  -e "$T/resp.json" --batch
like "two answered" "$T/out" "^Processed 2 certification requests$"
unlike "no prompt" "$T/out" "Certify\?"
check "import" ocf ca split import -i "$T/resp.json"
like "imported" "$T/out" "^Imported 2 certifications from the back instance.$"

# gpg: bob valid through the CA (the card's AUT key certified him).
VH=$T/verify
mkdir -m 700 "$VH"
at_exit "GNUPGHOME='$VH' '$GPGCONF' --kill all"
ocf user export > "$T/all.asc"
GNUPGHOME=$VH "$GPG" --batch -q --import "$T/all.asc" 2>/dev/null
echo "$CA:6:" | GNUPGHOME=$VH "$GPG" --batch -q --import-ownertrust 2>/dev/null
GNUPGHOME=$VH "$GPG" --batch -q --check-trustdb >/dev/null 2>&1
is "gpg: bob valid through the card CA" \
  "$(GNUPGHOME=$VH "$GPG" --batch --with-colons --list-keys "$BOB" 2>/dev/null \
     | awk -F: '$1=="uid" {print $2; exit}')" f
check "gpg: the certification verifies" env GNUPGHOME="$VH" "$GPG" --batch \
  --with-colons --check-sigs "$BOB"
like "made by the CA key" "$T/out" "^sig:!::[0-9]*:$(echo "$CA" | cut -c25-40):"

# A tampered response: the front stays byte-identical.
cp "$F" "$T/front.before"
sed 's/^  "version": 1,$/  "version": 3,/' "$T/resp.json" > "$T/bad.json"
check_fails "a response of another version" ocf ca split import -i "$T/bad.json"
one_line "one line" "$T/err"
check "front unchanged" cmp "$F" "$T/front.before"

# Merge: a card CA again, which certifies at once.
check "merge" ocf ca split merge -b "$B"
check "ca show (merged)" ocf ca show
like "the card backend again" "$T/out" "^   CA Backend: OpenPGP card $ID \[User PIN $PIN\]"
GNUPGHOME=$GH "$GPG" --batch --passphrase '' --quick-gen-key \
  "Dave <dave@example.org>" ed25519 default never >/dev/null 2>&1
GNUPGHOME=$GH "$GPG" --batch --armor --export dave@example.org > "$T/dave.asc"
check "user import dave (merged, on the card)" ocf user import \
  -e dave@example.org -f "$T/dave.asc"
check "user list" ocf user list
like "dave certified" "$T/out" "- 'Dave <dave@example.org>'"
tap_done
