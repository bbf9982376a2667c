# cli-lib.sh - shared set-up for the oca CLI tests
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Source after nothing else:  . "$srcdir/cli-lib.sh"
# Gives: $OCA, a fresh GNUPGHOME ($T/gnupg) with its agent killed at
# exit, gpg_ (quiet batch gpg), and helpers to make keys and inspect
# signatures.

. "$srcdir/../lib.sh"

: "${OCA:=$abs_top_builddir/src/oca}"
[ -x "$OCA" ] || skip_all "oca binary not built ($OCA)"
[ -n "$GPG" ] || skip_all "gpg not found"
unset OPENPGP_CA_DB
export GNUPGHOME="$T/gnupg"
mkdir -m 700 "$GNUPGHOME"
export LC_ALL=C TZ=UTC
at_exit "GNUPGHOME='$GNUPGHOME' '$GPGCONF' --kill all"

oca () { "$OCA" "$@"; }
gpg_ () { "$GPG" --batch --no-tty --quiet --pinentry-mode loopback "$@"; }

# gen_gpg_key FILE UID [UID...]: make an Ed25519 key with gpg (no
# passphrase) in a separate GNUPGHOME (so that its ownertrust does not
# leak into the checks) and write its public key (armored) to FILE.
# Prints the fingerprint.
GENHOME="$T/genhome"
mkdir -m 700 "$GENHOME"
at_exit "GNUPGHOME='$GENHOME' '$GPGCONF' --kill all"
gpg_gen () { GNUPGHOME="$GENHOME" gpg_ "$@"; }
gen_gpg_key () {
  _f=$1; shift
  gpg_gen --passphrase '' --quick-gen-key "$1" ed25519 default never \
    >/dev/null 2>&1 || return 1
  _fpr=$(gpg_gen --with-colons --list-keys "=$1" | awk -F: '$1=="fpr"{print $10; exit}')
  shift
  for _u in "$@"; do
    gpg_gen --passphrase '' --quick-add-uid "$_fpr" "$_u" >/dev/null 2>&1 || return 1
  done
  gpg_gen --armor --export "$_fpr" > "$_f" || return 1
  echo "$_fpr"
}

# sig_lines FPR: "UID|VALIDITY|ISSUER-KEYID|CLASS" for every signature
# on the user IDs of FPR as gpg --check-sigs sees them.
sig_lines () {
  gpg_ --with-colons --check-sigs "$1" 2>/dev/null |
    awk -F: '$1=="uid"{u=$10} $1=="pub"||$1=="sub"{u=""} $1=="sig"&&u!=""{print u "|" $2 "|" $5 "|" $11}'
}

# uid_validity FPR UID: gpg's validity letter of that user ID.
uid_validity () {
  gpg_ --with-colons --list-keys "$1" 2>/dev/null |
    awk -F: -v u="$2" '$1=="uid" && $10==u {print $2; exit}'
}

# keyid FPR: the low 16 hex digits.
keyid () { echo "$1" | cut -c25-40; }

# ca_fpr DB: the CA fingerprint from `ca show'.
ca_fpr () { "$OCA" -d "$1" ca show | awk '/Fingerprint:/{print $2}'; }
