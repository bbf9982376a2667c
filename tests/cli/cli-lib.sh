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

# The CA service (oca --server / --daemon; t-svc*.sh).
# gca SOCKET [ARGS...]: gpg-connect-agent on the service's socket;
# commands from the arguments or stdin.
gca () { _s=$1; shift; "$GPG_CONNECT_AGENT" --no-autostart -S "$_s" "$@"; }
# gca_pipe "OCA-ARGS" [COMMAND...]: the same with oca --server on a
# pipe (OCA-ARGS split on spaces; the commands go to its stdin).
gca_pipe () {
  _a=$1; shift
  # shellcheck disable=SC2086
  printf '%s\n' "$@" |
    "$GPG_CONNECT_AGENT" --no-autostart --exec "$OCA" --server $_a
}
# svc_start LOG DB [OPTIONS...]: start oca -d DB --daemon OPTIONS
# (detaching) with its log in LOG.  Stopped at exit (KILLSERVER).
svc_start () {
  _log=$1; _db=$2; shift 2
  "$OCA" -d "$_db" --daemon "$@" 2>"$_log" || return 1
  # The socket listens before oca returns; the detached daemon logs.
  _i=0
  until grep -q ' listening on ' "$_log" || [ $_i -ge 100 ]; do
    sleep 0.1; _i=$((_i+1))
  done
  _sock=$(sed -n 's/.* listening on //p' "$_log" | head -1)
  [ -S "$_sock" ] || return 1
  at_exit "'$GPG_CONNECT_AGENT' --no-autostart -S '$_sock' KILLSERVER /bye >/dev/null 2>&1"
}
# svc_pid LOG: the daemon's pid.
svc_pid () { sed -n 's/.* oca\[\([0-9]*\)\]: listening on .*/\1/p' "$1" | head -1; }
