# scd-lib.sh - shared setup for the scd suite (cards, homedirs, servers)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced after ../lib.sh.  Provides:
#   scd_need_rig           fail clearly unless oca-vcard, the harness and
#                          (for SCD_UNDER_TEST=oca) oca-scd exist; then
#                          the card suite's library is there too
#                          (tests/vcard/vcard-lib.sh: edit_card,
#                          edit_key, fpr_of, the harness's vcard_*)
#   scd_need_client_live   ... and the client driver t-scd-client-live
#   scd_oca_home NAME DIR  a GNUPGHOME DIR bound to card NAME's reader
#                          whose gpg-agent runs oca-scd
#   scd_card NAME SERIAL8 [vcard options]
#                          plug a fresh card (manufacturer FFFE) and build
#                          $T/home-NAME, a GNUPGHOME bound to its reader
#   scd_serialno SERIAL8   print the 32-hex AID string of that card
#   scd_server_argv HOME   prints the server command line under test
#   scd_keys HOME          generate keys in all three slots (GnuPG's
#                          scdaemon through libocascdclient)
#   scd_pins FILE          write the default PIN file for the live driver
#
# The PC/SC side (pcscd, vpcd slots, card processes, GNUPGHOMEs with a
# test pinentry) is tests/vcard/harness.sh; see tests/vcard/README.md.

: "${SCD_UNDER_TEST:=oca}"
: "${OCA_SCD:=$abs_top_builddir/assuan/oca-scd}"
: "${OCA_VCARD:=$abs_top_builddir/tests/vcard/oca-vcard}"
: "${VCARD_HARNESS:=$abs_top_srcdir/tests/vcard/harness.sh}"
: "${SCD_CLIENT_LIVE:=$abs_top_builddir/assuan/t-scd-client-live}"

# Default PINs of a fresh card, as hex with the NUL scdaemon requires.
SCD_PIN_HEX=31323334353600
SCD_ADMIN_HEX=313233343536373800

# _scd_fail WHAT: a missing dependency is a failure, never a skip.
_scd_fail () {
  echo "not ok 1 - $*"
  echo "1..1"
  exit 1
}

scd_need_rig () {
  [ -x "$OCA_VCARD" ] || _scd_fail "dependency missing: oca-vcard ($OCA_VCARD)"
  [ -f "$VCARD_HARNESS" ] && [ -s "$VCARD_HARNESS" ] \
    || _scd_fail "dependency missing: harness ($VCARD_HARNESS)"
  [ -x "$SCDAEMON" ] || _scd_fail "dependency missing: GnuPG scdaemon ($SCDAEMON)"
  case "$SCD_UNDER_TEST" in
    oca) [ -x "$OCA_SCD" ] || _scd_fail "dependency missing: oca-scd ($OCA_SCD)" ;;
    gnupg) ;;
    *) _scd_fail "SCD_UNDER_TEST must be oca or gnupg, not '$SCD_UNDER_TEST'" ;;
  esac
  : "${OCA_PCSC_LIST:=$abs_top_builddir/tests/vcard/oca-pcsc-list}"
  [ -x "$OCA_PCSC_LIST" ] \
    || _scd_fail "dependency missing: oca-pcsc-list ($OCA_PCSC_LIST)"
  OCA_HARNESS_SH=$VCARD_HARNESS
  export OCA_PCSC_LIST OCA_VCARD OCA_HARNESS_SH
  # shellcheck disable=SC1090
  . "${VCARD_HARNESS%/*}/vcard-lib.sh" \
    || _scd_fail "cannot source ${VCARD_HARNESS%/*}/vcard-lib.sh"
  vcard_setup || _scd_fail "harness: vcard_setup failed"
}

scd_need_client_live () {
  scd_need_rig
  [ -x "$SCD_CLIENT_LIVE" ] \
    || _scd_fail "dependency missing: t-scd-client-live ($SCD_CLIENT_LIVE)"
}

scd_oca_home () {
  vcard_gnupghome "$1" "$2" || _scd_fail "harness: cannot build $2"
  sed -i "s|^scdaemon-program .*|scdaemon-program $OCA_SCD|" \
    "$2/gpg-agent.conf"
}

scd_serialno () { vcard_aid "$1"; }

scd_card () {
  _n=$1 _s=$2; shift 2
  vcard_plug "$_n" --serial "$_s" "$@" \
    || _scd_fail "harness: cannot plug card $_n"
  vcard_gnupghome "$_n" "$T/home-$_n" \
    || _scd_fail "harness: cannot build GNUPGHOME for card $_n"
}

scd_server_argv () {
  case "$SCD_UNDER_TEST" in
    oca) echo "$OCA_SCD --server --homedir $1" ;;
    gnupg) echo "$SCDAEMON --server --homedir $1" ;;
  esac
}

scd_pins () {
  umask 077
  printf 'user 123456\nadmin 12345678\nnew 123456\n' > "$1"
}

scd_keys () {
  scd_pins "$T/keys.pins"
  "$SCD_CLIENT_LIVE" --scd "$SCDAEMON" --homedir "$1" --pins "$T/keys.pins" \
    genkey 1 -- genkey 2 -- genkey 3 >"$T/keys.out" 2>&1 \
    || { sed 's/^/# /' "$T/keys.out"; _scd_fail "fixture: generating keys failed"; }
}
