#!/bin/sh
# t-pinpad.sh - a CA whose User PIN is typed on the reader's pin-pad
# (issue 11 §5): ca init/set-backend card -P, certifications through
# oca-scd and through gpg-agent with GnuPG's scdaemon
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The card sits in the tests' pin-pad reader (tests/vcard/ifd-pinpad.c);
# its keypad is a file the test fills (pinpad_keys).  The CA stores no
# PIN ("[User PIN on the reader's pin-pad]"); every run asks the
# reader to collect the User PIN once and says "Enter the User PIN on
# the reader's pin-pad".  A wrong PIN, Cancel and the reader's timeout
# each fail with one clear line and leave the database as it was.
# Runs on the default card profile only (it is about the reader).
# profile-run: once
. "$srcdir/card-lib.sh"

check "plug a card into the pin-pad reader" vcard_plug_pinpad a --serial 0000CA0D
card_env a
ID=FFFE:0000CA0D
MSG="Enter the User PIN on the reader's pin-pad"
# count REGEX FILE
count () { _c=$(grep -c -- "$1" "$2" 2>/dev/null); echo "${_c:-0}"; }
pad_verifies () { count '^verify 00 20 00 8' "$PINPAD_DIR/log"; }
# The database as the CA sees it: users, certifications, the CA row.
dbstate () {
  { ocac user list; ocac user export; ocac ca show; } 2>&1 | sha256sum
}

check "ca init card -P ($ALGO)" \
  ocac ca init --domain example.org --algo $ALGO card -P $SCD
cp "$T/out" "$T/init.out"
like "  the PINs oca set are said once" "$T/init.out" \
  "^The User PIN and the Admin PIN of card $ID are now [0-9]{8}\.$"
PIN=$(sed -n "s/^The User PIN and the Admin PIN of card $ID are now \([0-9]*\)\.$/\1/p" "$T/init.out")
like "  with what to do" "$T/init.out" "pin-pad: gpg --card-edit, then admin and passwd"
like "  backend: the pin-pad" "$T/init.out" \
  "^   CA Backend: OpenPGP card $ID \[User PIN on the reader's pin-pad\]"
check "  ca show says so" ocac ca show
like "  ca show" "$T/out" "OpenPGP card $ID \[User PIN on the reader's pin-pad\]"
check "  the PIN is nowhere in the database file" \
  sh -c "! grep -a -q '$PIN' '$DB'"
is "  the pad was not needed (factory PINs)" "$(pad_verifies)" 0
card_colons > "$T/cs"
like "  gpg: the card has retry counters 3 0 3" "$T/cs" "^pinretry:3:0:3:"

# A certification: the reader collects the PIN.
pinpad_keys "$PIN"
check "user add, PIN on the pad" ocac user add -e alice@example.org -n Alice
like "  $MSG" "$T/err" "^$MSG\$"
is "  one pad entry" "$(pad_verifies)" 1
like "  verified on the card" "$PINPAD_DIR/log" '^verify 00 20 00 82 min 6 max [0-9]+ -> 9000$'
ocac user export -e alice@example.org > "$T/alice.asc"
check "  gpg checks the certification" "$GPG" --batch --import "$T/alice.asc"
"$GPG" --batch --check-sigs alice@example.org > "$T/sigs" 2>&1
like "  certified by the CA" "$T/sigs" '^sig!'

# Failures: one line, nothing stored.
before=$(dbstate)
errline () { grep -v "^$MSG\$" "$T/err" > "$T/err.only"; }
pinpad_keys 99999999
check_fails "wrong PIN on the pad: user add fails" \
  ocac user add -e bob@example.org -n Bob
errline
one_line "  one error line (after the prompt)" "$T/err.only"
like "  rejected" "$T/err.only" \
  "The User PIN typed on the reader's pin-pad was rejected by OpenPGP card $ID"
is "  database unchanged" "$(dbstate)" "$before"
card_colons > "$T/cs"
like "  the card counted the try" "$T/cs" "^pinretry:2:0:3:"

pinpad_keys cancel
check_fails "Cancel on the pad: user add fails" \
  ocac user add -e bob@example.org -n Bob
errline
one_line "  one error line" "$T/err.only"
like "  cancelled" "$T/err.only" \
  "PIN entry on the reader's pin-pad was cancelled \(OpenPGP card $ID\)"
is "  database unchanged" "$(dbstate)" "$before"

pinpad_keys timeout
check_fails "nobody types: user add fails" \
  ocac user add -e bob@example.org -n Bob
errline
one_line "  one error line" "$T/err.only"
like "  timed out" "$T/err.only" \
  "PIN entry on the reader's pin-pad timed out \(OpenPGP card $ID\)"
is "  database unchanged" "$(dbstate)" "$before"

pinpad_keys 123
check_fails "PIN too short on the pad: user add fails" \
  ocac user add -e bob@example.org -n Bob
errline
like "  too short or too long" "$T/err.only" "too short or too long"
is "  database unchanged" "$(dbstate)" "$before"

pinpad_keys "$PIN"
check "right PIN: user add" ocac user add -e bob@example.org -n Bob
card_colons > "$T/cs"
like "  retry counter back to 3" "$T/cs" "^pinretry:3:0:3:"

# Once per run: a bulk import of several keys asks the pad once.
for u in c1 c2 c3; do
  "$GPG" --batch --passphrase '' --quick-gen-key "$u@example.org" ed25519 cert never >/dev/null 2>&1
done
"$GPG" --batch --armor --export c1@example.org c2@example.org c3@example.org > "$T/ring.asc"
n0=$(pad_verifies)
pinpad_keys "$PIN"
check "bulk import of three keys" ocac user import --domain-emails -f "$T/ring.asc"
is "  one pad entry for the run" "$(pad_verifies)" $((n0 + 1))
is "  the prompt once" "$(count "^$MSG\$" "$T/err")" 1
check "  three users more" sh -c "'$OCA' -d '$DB' user list | grep -c '@example.org'"

# set-backend: store the PIN, then back to the pin-pad.
printf '%s\n' "$PIN" > "$T/pin"
check "set-backend card with the PIN (stored)" \
  ocac ca set-backend card --pin-file "$T/pin" $SCD
check "  ca show" ocac ca show
like "  PIN stored" "$T/out" "\[User PIN $PIN\]"
n0=$(pad_verifies)
check "  user add needs no pad" ocac user add -e dave@example.org
is "  the pad was not used" "$(pad_verifies)" "$n0"
before=$(dbstate)
pinpad_keys 11111111
check_fails "set-backend card -P, wrong PIN on the pad" \
  ocac ca set-backend card -P $SCD
like "  rejected" "$T/err" "rejected by OpenPGP card $ID"
is "  configuration unchanged" "$(dbstate)" "$before"
pinpad_keys "$PIN"
check "set-backend card -P, PIN on the pad" ocac ca set-backend card -P $SCD
like "  $MSG" "$T/err" "^$MSG\$"
check "  ca show" ocac ca show
like "  pin-pad again" "$T/out" "\[User PIN on the reader's pin-pad\]"
check "  the PIN left the database" sh -c "! grep -a -q '$PIN' '$DB'"
check_fails "set-backend -P with --pin-file" \
  ocac ca set-backend card -P --pin-file "$T/pin" $SCD
like "  usage" "$T/err" "exclude each other"

# Through gpg-agent and GnuPG's scdaemon (enable-pinpad-varlen): the
# agent shows the pin-pad prompt with its pinentry, and the operator
# types when it shows (the keypad stays empty until then).
echo enable-pinpad-varlen >> "$GNUPGHOME/scdaemon.conf"
agent_flush
n0=$(pad_verifies)
"$OCA" -d "$DB" --scd gpg-agent user add -e erin@example.org \
  > "$T/erin.out" 2> "$T/erin.err" &
op=$!
i=0
while [ "$(count '^CONFIRM ' "$GNUPGHOME/pinentry.log")" = 0 ] && [ $i -lt 300 ]; do
  sleep 0.05; i=$((i+1))
done
like "the agent's pinentry shows the pin-pad prompt" "$GNUPGHOME/pinentry.log" \
  "^CONFIRM .*0000CA0D"
pinpad_keys "$PIN"
check "user add through gpg-agent, PIN on the pad" wait $op
like "  $MSG" "$T/erin.err" "^$MSG\$"
unlike "  no PIN asked by the pinentry" "$GNUPGHOME/pinentry.log" '^GETPIN'
is "  GnuPG's scdaemon used the pad" "$(pad_verifies)" $((n0 + 1))
like "  (its PIN limits)" "$PINPAD_DIR/log" '^verify 00 20 00 82 min 6 max 15 -> 9000$'
check "  erin is certified" ocac user list
like "  erin" "$T/out" erin@example.org

tap_done
