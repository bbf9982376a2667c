#!/bin/sh
# t-status.sh - gpg --card-status against oca-vcard; restart; APDU log
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/../lib.sh"
. "$srcdir/vcard-lib.sh"

vcard_test_card st "plug card with serial 0A0B0C0D" \
  --serial 0A0B0C0D --manufacturer FF42
diag "reader: $VCARD_READER"

# The spec version the card's profile announces (3.4, 2.0 ...).
ver=$(vcard_profile_get version)
vhex=$(printf '%02d%02d' "${ver%.*}" "${ver#*.}")
check "gpg --card-status" "$GPG" --batch --card-status
cp "$T/out" "$T/status"
like "application ID" "$T/status" "^Application ID \.+: D27600012401$(echo "$vhex" | cut -c1-2) ?$(echo "$vhex" | cut -c3-4)FF420A0B0C0D0000\$"
like "version $ver" "$T/status" "^Version \.+: $(echo "$ver" | sed 's/\./\\./')\$"
like "manufacturer (unmanaged S/N range)" "$T/status" '^Manufacturer \.+: unmanaged S/N range$'
like "serial number" "$T/status" '^Serial number \.+: 0A0B0C0D$'
like "name not set" "$T/status" '^Name of cardholder: \[not set\]$'
like "signature PIN forced" "$T/status" '^Signature PIN \.+: forced$'
like "key attributes rsa2048" "$T/status" '^Key attributes \.+: rsa2048 rsa2048 rsa2048$'
like "PIN retry counter 3 0 3" "$T/status" '^PIN retry counter : 3 0 3$'
like "signature counter 0" "$T/status" '^Signature counter : 0$'
like "no keys" "$T/status" '^Signature key \.+: \[none\]$'

check "--with-colons card status" "$GPG" --batch --with-colons --card-status
like "colons: serial" "$T/out" '^serial:0A0B0C0D:$'
like "colons: version" "$T/out" "^version:$vhex:\$"

n=$(vcard_apdu_count st)
check "APDU log has entries" test "$n" -gt 5
unlike "APDU log holds headers only" "$T/vcard-st.apdus" '^.{12,}'
check "state file is mode 0600" sh -c "ls -l '$(vcard_state st)' | grep -q '^-rw-------'"

# Set the name (admin), restart the card process, the name stays.
printf 'admin\nname\nDoe\nJane\nquit\n' > "$T/cmds"
check "edit-card name" "$GPG" --no-tty --command-fd 0 --status-fd 1 \
  --edit-card < "$T/cmds"
vcard_kill_agent "$T/gh"
check "restart card process" vcard_restart st
check "card status after restart" "$GPG" --batch --card-status
like "name survived restart" "$T/out" '^Name of cardholder: Jane Doe$'
like "serial survived restart" "$T/out" '^Serial number \.+: 0A0B0C0D$'

tap_done
