# card-lib.sh - common setup of the card backend tests (tests/card)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Source from a test: . "$srcdir/card-lib.sh".  The route to the card
# comes from $CARD_ROUTE: "oca-scd" (default; oca spawns oca-scd) or
# "gpg-agent" (oca talks to the test's gpg-agent, which runs GnuPG's
# scdaemon).  The t-*-agent.sh wrappers set it and source the test.
#
# Provides: $OCA, $ALGO (the CA algorithm for the card profile of this
# run: ed25519, nistp256 or rsa2048), card_env NAME (plug nothing; bind GNUPGHOME $T/gh to
# card NAME's reader, or with several names to the common reader
# prefix), ocac (oca with -d $T/ca.db), SCD (--scd=ROUTE), ca_pin
# (the User PIN stored in $T/ca.db), gpg_card (gpg in $GNUPGHOME),
# gpg_sigs (what gpg says of the exported certificates), secret_values
# and disk_hits (the secret numbers of a key and a scan of files for
# them).

. "$srcdir/../lib.sh"
OCA_HARNESS_SH=$srcdir/../vcard/harness.sh
. "$srcdir/../vcard/harness.sh"

: "${CARD_ROUTE:=oca-scd}"
OCA=${OCA:-$abs_top_builddir/src/oca}
OCA_SCD_PROGRAM=${OCA_SCD_PROGRAM:-$abs_top_builddir/assuan/oca-scd}
export OCA_SCD_PROGRAM
SCD="--scd=$CARD_ROUTE"
DB=$T/ca.db
diag "route: $CARD_ROUTE"

vcard_setup || { echo "Bail out! harness setup failed"; exit 1; }
# The CA algorithm the card of this run's profile takes.
ALGO=${OCA_TEST_CA_ALGO:-$(vcard_ca_algo)} \
  || { echo "Bail out! unknown card profile"; exit 1; }
diag "card profile: $(vcard_profile), CA algorithm: $ALGO"

# card_env NAME...: GNUPGHOME for the reader(s) of the cards.  With
# several cards the reader-port is their common prefix (the harness
# gives this test exclusive slots, so no foreign card shows up).
card_env () {
  _r=$(vcard_reader "$1") || return 1
  vcard_gnupghome "$1" "$T/gh" || return 1
  if [ $# -gt 1 ]; then
    _p=$_r
    shift
    for _n in "$@"; do
      _o=$(vcard_reader "$_n")
      while [ "${_o#"$_p"}" = "$_o" ]; do _p=${_p%?}; done
    done
    sed -i "s|^reader-port .*|reader-port $_p|" "$T/gh/scdaemon.conf"
  fi
  # GnuPG's scdaemon takes one reader; oca-scd honours the prefix.
  GNUPGHOME=$T/gh
  export GNUPGHOME
  # A running agent/scdaemon would keep the old reader.
  agent_flush
}

ocac () { "$OCA" -d "$DB" "$@"; }

# The stored User PIN (from `ca show').
ca_pin () {
  ocac ca show | sed -n 's/.*\[User PIN \([0-9]*\)\].*/\1/p'
}

# Restart the agent so GnuPG's scdaemon forgets cached card data.
agent_flush () {
  "$GPGCONF" --kill all >/dev/null 2>&1
}

# gpg --card-status (colons) of the card in $GNUPGHOME.
card_colons () {
  agent_flush
  "$GPG" --batch --with-colons --card-status 2>/dev/null
}

# secret_values KEY: one "kN-NAME HEX" line per secret MPI of the
# armored private key KEY (RSA d, p, q, u; the EdDSA/ECDSA secret
# scalar), from sq's dump (independent of oca).
secret_values () {
  "$SQ" packet dump --mpis "$1" 2>/dev/null | awk '
    function flush () { if (h != "") print l, h; h = "" }
    /Secret Key:/ { s = 1; k++; next }
    s && /^ *[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / {
      if ($1 == "00000000") { flush(); l = "k" k "-" $NF }
      for (i = 2; i <= 17 && i <= NF; i++)
        if ($i ~ /^[0-9a-f][0-9a-f]$/) h = h $i
      next }
    s && /Packet/ { flush(); s = 0 }
    END { flush() }'
}

# disk_hits VALUES FILE...: how many windows of the values (raw, MPI,
# hex, base64 at each alignment: see secret-scan.c) FILE holds; the
# hits are listed in $T/hits.
: "${SECRET_SCAN:=$abs_top_builddir/tests/card/secret-scan}"
disk_hits () {
  "$SECRET_SCAN" "$@" > "$T/hits" || { echo "scan-failed"; return 1; }
  sed -n 's/^hits //p' "$T/hits"
}

# gpg_sigs HOME [KEY...]: import `oca user export' into the GnuPG home
# HOME (made if missing) and write what gpg --check-sigs [KEY...] says
# there to $T/sigs.
gpg_sigs () {
  _gh=$1; shift
  mkdir -p "$_gh" && chmod 700 "$_gh"
  ocac user export > "$T/all.asc"
  GNUPGHOME=$_gh "$GPG" --batch --import "$T/all.asc" >/dev/null 2>&1
  GNUPGHOME=$_gh "$GPG" --batch --check-sigs "$@" > "$T/sigs" 2>&1
}

# vcard_wait_touch_used NAME: wait (up to 10 s) until card NAME took
# the touch given with vcard_touch.
vcard_wait_touch_used () {
  _i=0
  while [ -e "$T/vcard-$1.touch" ] && [ $_i -lt 100 ]; do
    sleep 0.1; _i=$((_i+1))
  done
  [ ! -e "$T/vcard-$1.touch" ]
}

# scd_raw LINE...: run the lines against a fresh oca-scd (pipe).
scd_raw () {
  printf '%s\n' "$@" BYE | "$OCA_SCD_PROGRAM" --server 2>/dev/null
}
