#!/bin/sh
# t-two-cards.sh - two virtual cards at once, each in its own reader
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/../lib.sh"
. "$srcdir/vcard-lib.sh"

vcard_setup || { echo "Bail out! harness setup failed"; exit 1; }
check "reserve two slots" vcard_reserve 2
check "plug card a" vcard_plug a --serial 0000000A
check "plug card b" vcard_plug b --serial 0000000B --manufacturer 0005
ra=$(vcard_reader a); rb=$(vcard_reader b)
check "different readers" test "$ra" != "$rb"
vcard_gnupghome a "$T/gha"
vcard_gnupghome b "$T/ghb"

check "card a status" env GNUPGHOME="$T/gha" "$GPG" --batch --card-status
like "card a serial" "$T/out" '^Serial number \.+: 0000000A$'
like "card a reader" "$T/out" "^Reader \.+: $ra"
check "card b status" env GNUPGHOME="$T/ghb" "$GPG" --batch --card-status
like "card b serial" "$T/out" '^Serial number \.+: 0000000B$'
like "card b manufacturer" "$T/out" '^Manufacturer \.+: ZeitControl$'

printf 'admin\nname\nAlpha\nAnn\nquit\n' > "$T/cmds"
check "set name on card a" env GNUPGHOME="$T/gha" "$GPG" --no-tty \
  --command-fd 0 --status-fd 1 --edit-card < "$T/cmds"
check "card b status" env GNUPGHOME="$T/ghb" "$GPG" --batch --card-status
like "card b unchanged" "$T/out" '^Name of cardholder: \[not set\]$'
check "card a status" env GNUPGHOME="$T/gha" "$GPG" --batch --card-status
like "card a has the name" "$T/out" '^Name of cardholder: Ann Alpha$'

check "unplug card b" vcard_unplug b
check "reader of b is empty" "$OCA_PCSC_LIST" --wait empty "$rb" 5
check "card a still works" env GNUPGHOME="$T/gha" "$GPG" --batch --card-status

tap_done
