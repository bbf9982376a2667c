#!/bin/sh
# demo-card.sh - the card-backed CA of the demo, on oca-vcard (a virtual
#                OpenPGP card plugged into the real pcscd through vpcd)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Called by demo.sh with the build directory as $1.  Uses the test
# harness (tests/vcard/harness.sh): it starts pcscd when none runs
# (needs root), plugs a virtual card, and removes everything at exit.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
B=$1
srcdir=$top/tests/vcard
top_builddir=$B
abs_top_builddir=$B
OCA_HARNESS_SH=$srcdir/harness.sh
OCA_VCARD=$B/tests/vcard/oca-vcard
OCA_PCSC_LIST=$B/tests/vcard/oca-pcsc-list
OCA_SCD_PROGRAM=$B/assuan/oca-scd
export OCA_SCD_PROGRAM
OCA=$B/src/oca
. "$top/tests/lib.sh"
. "$srcdir/harness.sh"
step () { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "A CA whose key lives on an OpenPGP card (virtual card, no hardware)"
vcard_setup >/dev/null
vcard_plug demo --serial 0000DE01 >/dev/null
"$OCA" card list
export OPENPGP_CA_DB="$T/card-ca.sqlite"
"$OCA" ca init --domain example.com --algo ed25519 card > "$T/init.out"
# The private key is printed once, for the admin's backup: not shown here.
sed '/BEGIN PGP PRIVATE KEY BLOCK/,/END PGP PRIVATE KEY BLOCK/c\
    [CA private key for the backup, printed once]' "$T/init.out"

step "Certifications are made on the card (INTERNAL AUTHENTICATE, AUT slot)"
"$OCA" user add --email carol@example.com --name "Carol Card" > "$T/carol.priv"
"$OCA" user list

step "GnuPG sees the CA key on the card, and accepts its certifications"
vcard_gnupghome demo "$T/gh" >/dev/null
GNUPGHOME=$T/gh; export GNUPGHOME
gpg --batch --card-status 2>/dev/null \
  | grep -E '^(Reader|Application ID|Name of cardholder|Authentication key)'
"$OCA" ca export > "$T/ca.asc"
"$OCA" user export --email carol@example.com > "$T/carol.asc"
gpg --batch --quiet --import "$T/ca.asc" "$T/carol.asc"
fpr=$("$OCA" ca show | awk '/Fingerprint:/ {print $2}')
echo "$fpr:6:" | gpg --batch --import-ownertrust 2>/dev/null
gpg --batch --check-sigs carol@example.com 2>&1 | grep -E '^(uid|sig)'
