#!/bin/sh
# t-exclusive.sh - GnuPG's stock scdaemon (no pcsc-shared) holds the card:
# oca goes through gpg-agent by itself (issue 11 §3)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# No --scd option anywhere: the default route (oca-scd) finds the card
# held exclusively (SCARD_E_SHARING_VIOLATION), says so in one line and
# takes the user's gpg-agent, whose scdaemon holds the card.  ca init,
# user add, card status and ca set-backend work; the card stays with
# scdaemon the whole time; the CA keeps the default route stored.
. "$srcdir/card-lib.sh"

: "${OCA_PCSC_POKE:=$abs_top_builddir/tests/vcard/oca-pcsc-poke}"
[ -x "$OCA_PCSC_POKE" ] || { echo "Bail out! oca-pcsc-poke not built"; exit 1; }

vcard_plug a --serial 0000CA0E || exit 1
card_env a
ID=FFFE:0000CA0E
R=$(vcard_reader a)
sed -i '/^pcsc-shared$/d' "$GNUPGHOME/scdaemon.conf"
agent_flush
check "gpg --card-status: stock scdaemon takes the card" \
  "$GPG" --batch --card-status
held () { "$OCA_PCSC_POKE" "$R" probe; }
is "the card is held exclusively" "$(held)" busy
NOTE="^Note: OpenPGP card $ID is in use by GnuPG's scdaemon \(reader '$R'\); going through gpg-agent$"

check "card list" "$OCA" card list
like "the card is listed as in use by scdaemon" "$T/out" \
  "^$ID blank \(in use by scdaemon, reached through gpg-agent\)$"
like "one-line note" "$T/err" "$NOTE"
is "nothing else on stderr" "$(wc -l < "$T/err" | tr -d ' ')" 1

check "ca init card ($ALGO), no --scd" \
  ocac ca init --domain example.org --algo $ALGO card
like "init: note" "$T/err" "$NOTE"
like "init: backend line, default route stored" "$T/out" \
  "^   CA Backend: OpenPGP card $ID \[User PIN [0-9]{8}\]$"
is "still held by scdaemon" "$(held)" busy
PIN=$(ca_pin)
FPR=$(ocac ca show | sed -n 's/^  Fingerprint: //p')

check "user add" ocac user add -e alice@example.org -n Alice
like "user add: note" "$T/err" "$NOTE"
check "card status" "$OCA" card status
like "card status: the CA card" "$T/out" "^  Authentication +: $FPR "
like "card status: reached through gpg-agent" "$T/out" \
  "^  Reached through ..: gpg-agent \(the card is in use by GnuPG's scdaemon\)$"
printf '%s\n' "$PIN" > "$T/pin"
check "ca set-backend card" ocac ca set-backend card --pin-file "$T/pin"
like "set-backend: note" "$T/err" "$NOTE"
check "user add after set-backend" ocac user add -e bob@example.org -n Bob
is "still held by scdaemon" "$(held)" busy

gpg_sigs "$T/check" alice@example.org bob@example.org
n=$(grep -c "^sig!.*OpenPGP CA <openpgp-ca@example.org>" "$T/sigs")
[ "$n" -ge 2 ] && ok "the card's certifications verify with gpg ($n)" \
  || not_ok "the card's certifications verify with gpg ($n)"
unlike "no bad signature" "$T/sigs" "^sig-|bad signature"

# scdaemon gone: the card is oca-scd's again, no note.
agent_flush
is "the card is free" "$(held)" shared
check "card list with the card free" "$OCA" card list
like "listed as the CA's card" "$T/out" "^$ID OpenPGP CA $FPR$"
unlike "no note" "$T/err" "Note:"
check "user add through oca-scd" ocac user add -e carol@example.org
is "the card stays free" "$(held)" shared

tap_done
