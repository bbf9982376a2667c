#!/bin/sh
# t-sq-wot.sh - Sequoia's web-of-trust engine authenticates oca's
#               certifications and trust signatures (and rejects forgeries)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# sq 0.27 lists third-party certifications without verifying them;
# sq-wot (Debian's sq-wot, same sequoia-openpgp) verifies every
# signature on a path from a trust root.  This is the sq side of
# "gpg and sq accept every signature oca makes".
. "$srcdir/cli-lib.sh"

SQWOT=$(command -v sq-wot) || { not_ok "sq-wot installed (apt-get install sq-wot)"; tap_done; exit 1; }
SQ_=${SQ:-sq}
wot () { "$SQWOT" --keyring "$T/ca.asc" --keyring "$2" --trust-root "$1" \
           lookup --email "$3"; }

for algo in ed25519 nistp256 rsa2048; do
  export OPENPGP_CA_DB="$T/$algo.db"
  check "$algo: ca init" oca ca init --domain example.org --algo "$algo" softkey
  CA=$(oca ca show | awk '/Fingerprint:/ {print $2}')
  check "$algo: user add alice" oca user add --email alice@example.org --name Alice
  bob=$(gen_gpg_key "$T/bob-$algo.asc" "Bob $algo <bob@example.org>" "Bob $algo <bob@other.net>")
  check "$algo: user import bob" \
    oca user import --email bob@example.org --file "$T/bob-$algo.asc"
  oca ca export > "$T/ca.asc"
  oca user export > "$T/users.asc"

  check "$algo: alice authenticated from the CA" wot "$CA" "$T/users.asc" alice@example.org
  like "$algo: fully (100%)" "$T/out" "fully authenticated \(100%\)"
  check "$algo: bob@example.org authenticated" wot "$CA" "$T/users.asc" bob@example.org
  check_fails "$algo: bob@other.net (not certified) is not" \
    wot "$CA" "$T/users.asc" bob@other.net

  # Alice's trust signature on the CA (level 255, amount 120): from
  # Alice as the root, the CA is a trusted introducer for Bob.
  alice=$(oca user list | awk '/^OpenPGP certificate/ {print $3; exit}')
  check "$algo: via alice's tsig on the CA, bob is authenticated" \
    wot "$alice" "$T/users.asc" bob@example.org
  like "$algo: path goes through the CA" "$T/out" "openpgp-ca@example.org"

  # Forgery: one flipped bit in the last byte of the CA's certification
  # (inside the signature MPI) must break the path.  The same split and
  # join without the flip is the control.
  oca user export --email bob@example.org | "$SQ_" dearmor > "$T/bob.bin" 2>/dev/null
  rm -rf "$T/sp" && mkdir "$T/sp"
  "$SQ_" packet split --prefix "$T/sp/p" "$T/bob.bin" 2>/dev/null
  cakeyid=$(echo "$CA" | cut -c25-40)
  casig=""
  for f in "$T"/sp/p*Signature; do
    "$SQ_" packet dump "$f" 2>/dev/null | grep -q "Issuer: $cakeyid" && casig=$f
  done
  is "$algo: found the CA's certification packet" "${casig:+yes}" yes
  "$SQ_" packet join "$T"/sp/p* > "$T/bob-same.bin" 2>/dev/null
  check "$algo: control: re-joined cert authenticates" \
    wot "$CA" "$T/bob-same.bin" bob@example.org
  [ -n "$casig" ] || continue
  sz=$(stat -c %s "$casig")
  b=$(od -An -tu1 -j $((sz - 1)) -N1 "$casig" | tr -d ' ')
  printf "\\$(printf %o $((b ^ 1)))" \
    | dd of="$casig" bs=1 seek=$((sz - 1)) conv=notrunc 2>/dev/null
  "$SQ_" packet join "$T"/sp/p* > "$T/bob-forged.bin" 2>/dev/null
  check_fails "$algo: forged certification is rejected" \
    wot "$CA" "$T/bob-forged.bin" bob@example.org
done

tap_done
