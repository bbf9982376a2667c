#!/bin/sh
# t-client-live.sh - libocascdclient against oca-scd and through gpg-agent
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The CA's card backend reaches the card through libocascdclient over
# two routes; both are driven here with assuan/t-scd-client-live on one
# oca-vcard:
#   pipe:  the library spawns oca-scd ("oca-scd --server --homedir H");
#   agent: the library talks to gpg-agent (loopback PINs from the
#          client's PIN callback), the agent to GnuPG's scdaemon.
# Signatures are verified and decryptions compared with libgcrypt
# against the public key READKEY returns (signverify, authverify,
# decryptrt in the driver).
. "$srcdir/../lib.sh"
. "$srcdir/scd-lib.sh"

SCD_UNDER_TEST=oca
scd_need_client_live

scd_card a 0000C11E
home="$T/home-a"
scd_pins "$T/pins"
printf 'user 999999\nadmin 99999999\n' > "$T/badpins"
D=BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD

live () { "$SCD_CLIENT_LIVE" "$@"; }
oca () { live --scd "$OCA_SCD" --homedir "$home" --pins "$T/pins" "$@"; }
agent () { GNUPGHOME="$home" live --agent --pins "$T/pins" "$@"; }
# val KEY: the value of "KEY: value" in $T/out.
val () { sed -n "s/^$1: //p" "$T/out" | head -1; }

# The ECC keys the card of this run's profile takes: 25519, else NIST
# P-256, else none (an RSA-only card must refuse them cleanly).
if vcard_profile_has algos ed25519; then ecs=ed25519 ecd=cv25519
  ecsv=eddsa ecsattr="22 Ed25519"
elif vcard_profile_has algos nistp256; then ecs=nistp256 ecd=nistp256
  ecsv=ecdsa ecsattr="19 NIST P-256"
else ecs="" ecd=""
fi
for k in $ecs $ecd rsa2048; do
  live mkkey $k "$T/$k.key" >/dev/null || _scd_fail "mkkey $k failed"
done
if [ -n "$ecs" ]; then
  live mkkey $ecs "$T/ed2.key" >/dev/null || _scd_fail "mkkey failed"
else
  live mkkey rsa2048 "$T/ed2.key" >/dev/null || _scd_fail "mkkey failed"
fi

# --- Pipe route: oca-scd.
# (First, while no PIN has been verified on the fresh card.)
check_fails "pipe: PUT DATA without the Admin PIN fails" oca putdata 5B 4A6F65
like "pipe: ... 6982 is BAD_PIN" "$T/out" '^putdata: ERR 100663383 '
check "pipe: genkey (RSA 2048) in slots 1-3" \
  oca genkey 1 -- genkey 2 -- genkey 3
like "pipe: genkey reports the creation time" "$T/out" '^created: 1700000000$'
like "pipe: genkey reports the modulus" "$T/out" '^n: [0-9A-F]{512}$'
check "pipe: learn" oca learn
is "pipe: learn ident" "$(val ident)" "FFFE:0000C11E"
is "pipe: learn serialno" "$(val serialno)" "$(scd_serialno 0000C11E)"
like "pipe: learn keyattr" "$T/out" '^keyattr1: rsa2048$'
grip1=$(sed -n 's/^grip1: \([0-9A-F]\{40\}\) sc$/\1/p' "$T/out")
like "pipe: learn keypairinfo 3" "$T/out" '^grip3: [0-9A-F]{40} sa$'
check "pipe: readkey OPENPGP.1" oca readkey OPENPGP.1
is "pipe: readkey grip = learn grip" "$(val grip)" "$grip1"
check "pipe: pksign (RSA), verified" oca signverify OPENPGP.1 $D
like "pipe: RSA signature verified" "$T/out" '^verified: rsa$'
check "pipe: pksign by keygrip, verified" oca signverify "$grip1" $D
check "pipe: pkauth (RSA), verified" oca authverify OPENPGP.3 $D
check "pipe: pkdecrypt (RSA) round trip" oca decryptrt OPENPGP.2
like "pipe: RSA plaintext matches" "$T/out" '^roundtrip: rsa 32 bytes$'
if [ -n "$ecs" ]; then
  check "pipe: writekey $ecs, sign, verify" \
    oca writekey OPENPGP.1 "$T/$ecs.key" -- signverify OPENPGP.1 $D
  like "pipe: $ecsv signature verified" "$T/out" "^verified: $ecsv\$"
  check "pipe: writekey $ecd, decrypt round trip" \
    oca writekey OPENPGP.2 "$T/$ecd.key" -- decryptrt OPENPGP.2
  like "pipe: ECDH shared secret matches" "$T/out" '^roundtrip: ecdh [0-9]+ bytes$'
else
  live mkkey ed25519 "$T/ed25519.key" >/dev/null
  check_fails "pipe: RSA-only card: writekey Ed25519 refused" \
    oca writekey OPENPGP.1 "$T/ed25519.key"
  like "pipe: ... as unsupported (no PIN asked)" "$T/out" \
    '^writekey: ERR (100663380|100663356) '
  check "pipe: RSA key still signs" oca signverify OPENPGP.1 $D
fi
check "pipe: writekey RSA 2048, pkauth, verify" \
  oca writekey OPENPGP.3 "$T/rsa2048.key" -- authverify OPENPGP.3 $D
check_fails "pipe: a wrong PIN is refused" \
  live --scd "$OCA_SCD" --homedir "$home" --pins "$T/badpins" \
  signverify OPENPGP.1 $D
like "pipe: ... with BAD_PIN" "$T/out" '^signverify: ERR 100663383 '
check "pipe: the right PIN resets the counter" oca checkpin "$(scd_serialno 0000C11E)" -- getattr CHV-STATUS
like "pipe: PIN retry counter back at 3" "$T/out" '^chv-status: [01] 127 127 127 3 0 3$'

# --- Typed card access (no APDU or status word leaves the library).
# algo_expect ROUTE: the algorithm information the card of this
# profile gives (DO FA), as scd_client_algoinfo returns it.
algo_expect () {
  if vcard_profile_has algoinfo; then
    like "$1: algoinfo lists the card's algorithms" "$T/out" '^algoinfo: [1-9][0-9]*$'
    for a in rsa2048 $ecs; do
      like "$1: ... $a for the SIG slot" "$T/out" "^algo1: $a\$"
    done
    for a in rsa2048 $ecd; do
      like "$1: ... $a for the DEC slot" "$T/out" "^algo2: $a\$"
    done
    if vcard_profile_has algos rsa4096; then
      like "$1: ... rsa4096 for the AUT slot" "$T/out" '^algo3: rsa4096$'
    else
      is "$1: ... no rsa4096 (the card has none)" \
        "$(grep -c '^algo[123]: rsa4096$' "$T/out")" 0
    fi
  else
    like "$1: no algorithm information (no DO FA)" "$T/out" '^algoinfo: 0$'
  fi
}
check "pipe: algoinfo" oca algoinfo
algo_expect pipe
check_fails "pipe: GET DATA of an absent object fails" oca getdata 00FF
like "pipe: ... 6A88 is NO_OBJ" "$T/out" '^getdata: ERR 100663364 '
check "pipe: PUT DATA 5B after CHECKPIN [CHV3], GET DATA 5B" \
  oca checkpin "$(scd_serialno 0000C11E)[CHV3]" -- putdata 5B 446F653C3C4A616E65 \
  -- getdata 5B
like "pipe: ... the name written is read back" "$T/out" '^data: 446F653C3C4A616E65$'
if vcard_profile_has button; then
  check "pipe: PUT DATA D6 (touch policy on, then off again)" \
    oca checkpin "$(scd_serialno 0000C11E)[CHV3]" -- putdata D6 0120 \
    -- getdata D6 -- putdata D6 0020 -- getdata D6
  is "pipe: ... the UIF bytes read back" "$(grep '^data: ' "$T/out" | tr '\n' ' ')" \
    "data: 0120 data: 0020 "
else
  check_fails "pipe: no button: PUT DATA D6 fails" \
    oca checkpin "$(scd_serialno 0000C11E)[CHV3]" -- putdata D6 0120
  like "pipe: ... as NO_OBJ" "$T/out" '^putdata: ERR 100663364 '
fi

# --- Agent route: gpg-agent (loopback) -> GnuPG scdaemon.
check "agent: learn" agent learn
is "agent: learn ident" "$(val ident)" "FFFE:0000C11E"
if [ -n "$ecs" ]; then
  like "agent: keyattr after the imports" "$T/out" "^keyattr1: $ecsattr\$"
else
  like "agent: keyattr after the imports" "$T/out" '^keyattr1: rsa2048$'
fi
check "agent: algoinfo (APDU through the agent)" agent algoinfo
algo_expect agent
check "agent: GET DATA 5B" agent getdata 5B
like "agent: ... the name written through oca-scd" "$T/out" '^data: 446F653C3C4A616E65$'
check "agent: readkey OPENPGP.2" agent readkey OPENPGP.2
# The signature PIN is forced (C4 byte 1 = 00): every PKSIGN asks.
check "agent: pksign twice (loopback PIN), verified" \
  agent signverify OPENPGP.1 $D -- signverify OPENPGP.1 $D
like "agent: signature verified" "$T/out" "^verified: ${ecsv:-rsa}\$"
is "agent: the PIN came through the loopback inquiry" \
  "$(grep -c '^pin-request: keyword=PASSPHRASE seq=0 admin=0 new=0 rc=0 agent=1$' "$T/err")" 2
check "agent: pkauth, verified" agent authverify OPENPGP.3 $D
like "agent: RSA auth signature verified" "$T/out" '^verified: rsa$'
check "agent: pkdecrypt (ECDH) round trip" agent decryptrt OPENPGP.2
like "agent: decryption round trip matches" "$T/out" \
  '^roundtrip: (ecdh [0-9]+|rsa 32) bytes$'
check "agent: writekey (KEYDATA through the agent, Admin PIN)" \
  agent writekey OPENPGP.1 "$T/ed2.key" -- signverify OPENPGP.1 $D
like "agent: writekey asked for the Admin PIN" "$T/err" 'keyword=PASSPHRASE seq=0 admin=1 .*agent=1'
like "agent: new signing key verified" "$T/out" "^verified: ${ecsv:-rsa}\$"
# (PKAUTH with Ed25519 is not checked against a DigestInfo: scdaemon
# 2.2 strips 15 bytes from EdDSA PKAUTH input, spec B.8.)
check "agent: genkey (Admin PIN), pkauth, verify" \
  agent genkey 3 -- authverify OPENPGP.3 $D
like "agent: genkey answered" "$T/out" '^created: 1700000000$'
like "agent: generated key verified" "$T/out" '^verified: rsa$'
check_fails "agent: a wrong PIN is refused" \
  env GNUPGHOME="$home" "$SCD_CLIENT_LIVE" --agent --pins "$T/badpins" \
  signverify OPENPGP.1 $D
like "agent: ... with BAD_PIN" "$T/out" '^signverify: ERR 100663383 '

tap_done
