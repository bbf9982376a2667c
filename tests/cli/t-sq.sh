#!/bin/sh
# t-sq.sh - Sequoia's view of oca's CA and certifications
# SPDX-License-Identifier: GPL-3.0-or-later
#
# sq 0.27 has no command that verifies third-party certifications
# (`sq inspect --certifications' prints them with "Certifications have
# NOT been verified!"; sq-wot and `sq link' came later).  So:
#  - what sq can validate, it validates: the CA certificate's self-
#    signatures (sq inspect lists the CA User ID and the signing subkey
#    only if their bindings are valid under sq's standard policy), and
#    the signing subkey's binding with its back-signature, through a
#    `sq sign' with `ca private' + `sq verify' against `ca export';
#  - for the certifications, sq shows the alleged certifier (the CA
#    fingerprint) on exactly the expected User IDs, and `sq packet dump'
#    shows their form (GenericCertification, Signer's User ID, no
#    expiration);
#  - sq uses oca's CA private key to certify (it parses our secret key
#    packets), and the result has the same form as oca's certification;
#  - the cryptographic check of oca's certifications is gpg's
#    (t-gpg.sh, t-algos.sh, t-bulk.sh).
. "$srcdir/cli-lib.sh"
[ -n "$SQ" ] || skip_all "sq not found"

for algo in ed25519 nistp256 rsa2048; do
  DB="$T/$algo.db"
  check "$algo: ca init" oca -d "$DB" ca init --domain example.org --algo "$algo" softkey
  CA=$(ca_fpr "$DB")
  oca -d "$DB" ca export > "$T/ca.asc"
  oca -d "$DB" ca private > "$T/ca.key"

  check "$algo: sq inspect CA" "$SQ" inspect "$T/ca.asc"
  cp "$T/out" "$T/insp"
  like "$algo: sq: CA fingerprint" "$T/insp" "Fingerprint: $CA"
  like "$algo: sq: valid CA User ID" "$T/insp" 'UserID: OpenPGP CA <openpgp-ca@example.org>$'
  like "$algo: sq: certification-only primary" "$T/insp" 'Key flags: certification$'
  like "$algo: sq: valid signing subkey" "$T/insp" 'Key flags: signing$'
  unlike "$algo: sq: nothing invalid" "$T/insp" '[Ii]nvalid'

  echo "message $algo" > "$T/m"
  check "$algo: sq signs with ca private" "$SQ" --force sign --detached --signer-key "$T/ca.key" --output "$T/m.sig" "$T/m"
  check "$algo: sq verifies against ca export" "$SQ" verify --signer-cert "$T/ca.asc" --detached "$T/m.sig" "$T/m"
  like "$algo: sq: good signature" "$T/err" '1 good signature'
  echo "tampered" >> "$T/m"
  check_fails "$algo: sq rejects a tampered message" "$SQ" verify --signer-cert "$T/ca.asc" --detached "$T/m.sig" "$T/m"

  # A sq-generated user key, certified by oca.
  "$SQ" --force key generate --userid "Sue <sue@example.org>" --userid "Sue <sue@private.example>" --export "$T/sue.key" 2>/dev/null
  "$SQ" --force key extract-cert -o "$T/sue.asc" "$T/sue.key" 2>/dev/null
  check "$algo: user import of a sq key" oca -d "$DB" user import -e sue@example.org -f "$T/sue.asc"
  oca -d "$DB" user export -e sue@example.org > "$T/sue-c.asc"
  check "$algo: sq inspect --certifications" "$SQ" inspect --certifications "$T/sue-c.asc"
  awk '/UserID:/{u=$0} /Alleged certifier:/{print u " by " $3}' "$T/out" > "$T/certs"
  like "$algo: sq: CA certification on sue@example.org" "$T/certs" "UserID: Sue <sue@example.org> by $CA$"
  unlike "$algo: sq: none on sue@private.example" "$T/certs" 'sue@private.example'
  is "$algo: sq: exactly one certification" "$(wc -l < "$T/certs")" 1
  "$SQ" packet dump "$T/sue-c.asc" > "$T/dump" 2>/dev/null
  awk '/Signature Packet/{s=""} {s=s "\n" $0} /Digest prefix/{ if (s ~ /Type: GenericCertification/) print s }' "$T/dump" > "$T/ours"
  like "$algo: sq: type GenericCertification" "$T/ours" 'Type: GenericCertification'
  like "$algo: sq: Signer's User ID" "$T/ours" "Signer's User ID: OpenPGP CA <openpgp-ca@example.org>"
  like "$algo: sq: issuer fingerprint" "$T/ours" "Issuer Fingerprint: $CA"
  unlike "$algo: sq: no expiration" "$T/ours" 'expiration time'

  # sq certifies with oca's private CA key: same form.
  check "$algo: sq certify with ca private" "$SQ" --force certify -o "$T/sq-c.asc" "$T/ca.key" "$T/sue.asc" "Sue <sue@private.example>"
  check "$algo: sq inspect of sq's certification" "$SQ" inspect --certifications "$T/sq-c.asc"
  like "$algo: sq's certification has the same certifier" "$T/out" "Alleged certifier: $CA"
done

tap_done
