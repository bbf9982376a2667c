# vcard-lib.sh - shared set-up of the card test scripts
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced after ../lib.sh by the scripts of tests/vcard, and by
# tests/scd/scd-lib.sh.  Sources the PC/SC harness (harness.sh, whose
# vcard_* functions it builds on) and provides:
#   vcard_test_card NAME LABEL [vcard_plug options]
#                          set up the harness (bail out when it can't),
#                          plug card NAME (the check LABEL), and export
#                          GNUPGHOME=$T/gh bound to its reader
#   edit_card FILE         gpg --edit-card with the commands in FILE
#                          (no tty, status lines on stdout)
#   edit_key KEY FILE      the same with gpg --edit-key KEY
#   fpr_of KEY             the fingerprint of KEY's primary key
#
# VCARD_HARNESS may name harness.sh (default: beside this file).

# shellcheck disable=SC1090
. "${VCARD_HARNESS:-$srcdir/harness.sh}"

vcard_test_card () {
  _vt_name=$1 _vt_label=$2; shift 2
  vcard_setup || { echo "Bail out! harness setup failed"; exit 1; }
  check "$_vt_label" vcard_plug "$_vt_name" "$@"
  vcard_gnupghome "$_vt_name" "$T/gh"
  GNUPGHOME="$T/gh"
  export GNUPGHOME
}

edit_card () {
  "$GPG" --no-tty --command-fd 0 --status-fd 1 --edit-card < "$1"
}

edit_key () {
  "$GPG" --no-tty --command-fd 0 --status-fd 1 --edit-key "$1" < "$2"
}

fpr_of () {
  "$GPG" --with-colons -k "$1" | awk -F: '$1=="fpr"{print $10; exit}'
}
