#!/bin/sh
# t-keylist.sh - `oca keylist export': the GPG Sync keylist as OpenPGP CA
# writes it (compact JSON, the CA first, users by name, one entry per
# certified address, strings escaped), its detached signature by the
# CA's signing subkey, verified by gpg and by sq; an existing keylist
# without --force is refused, one line, nothing changed.
# SPDX-License-Identifier: GPL-3.0-or-later

. "$srcdir/cli-lib.sh"
[ -n "$SQ" ] || skip_all "sq not found"
[ -n "$SQLITE3" ] || skip_all "sqlite3 not found (delisting is set with it)"

DB=$T/ca.db
K=$T/kl
mkdir "$K"
check "ca init" oca -d "$DB" ca init --domain example.org --algo ed25519 softkey
CA=$(ca_fpr "$DB")
oca -d "$DB" ca export > "$T/ca.asc"

# Names that need escaping and one that sorts after ASCII; users
# without a name come first.
check "user add zoe" oca -d "$DB" user add -e zoe@example.org -n 'Zoë Z'
B=$(gen_gpg_key "$T/b.asc" 'Bob <bob@example.org>' 'Bob <bob@other.org>')
check "import bob" oca -d "$DB" user import -e bob@example.org -e bob@other.org \
  -n 'Bob "the" \ Builder' -f "$T/b.asc"
A=$(gen_gpg_key "$T/a.asc" '<anon@example.org>')
check "import anon (no name)" oca -d "$DB" user import -e anon@example.org -f "$T/a.asc"
C=$(gen_gpg_key "$T/c.asc" 'Carol <carol@example.org>')
check "import carol" oca -d "$DB" user import -e carol@example.org -f "$T/c.asc"
"$SQLITE3" "$DB" "UPDATE certs SET delisted = 1 WHERE fingerprint = '$C'"
ZOE=$("$SQLITE3" "$DB" "SELECT c.fingerprint FROM certs c JOIN certs_emails e ON e.cert_id = c.id WHERE e.addr = 'zoe@example.org'")

URI=https://example.org/keys/keylist.json.asc
check "keylist export" oca -d "$DB" keylist export -p "$K" -s "$URI"
like "it says what it wrote" "$T/out" "^Wrote $K/keylist.json \\(5 keys\\) and its signature $K/keylist.json.asc\$"
printf '%s' '{"metadata":{"signature_uri":"'"$URI"'","comment":"Exported from OpenPGP CA"},"keys":[' \
  '{"fingerprint":"'"$CA"'","name":"OpenPGP CA at example.org","email":"openpgp-ca@example.org"},' \
  '{"fingerprint":"'"$A"'","email":"anon@example.org"},' \
  '{"fingerprint":"'"$B"'","name":"Bob \"the\" \\ Builder","email":"bob@example.org"},' \
  '{"fingerprint":"'"$B"'","name":"Bob \"the\" \\ Builder","email":"bob@other.org"},' \
  '{"fingerprint":"'"$ZOE"'","name":"Zoë Z","email":"zoe@example.org"}]}' > "$T/want.json"
check "keylist.json is the reference's format, byte for byte" cmp "$K/keylist.json" "$T/want.json"

# gpg verifies it: a binary-document signature by the signing subkey.
gpg_ --import "$T/ca.asc" 2>/dev/null
SUB=$(gpg_ --with-colons -k "$CA" | awk -F: '$1=="sub" && $12 ~ /s/ {s=1} s && $1=="fpr" {print $10; exit}')
check "gpg --verify" gpg_ --status-fd 1 --verify "$K/keylist.json.asc" "$K/keylist.json"
like "made by the CA's signing subkey, class 00" "$T/out" \
  "^\\[GNUPG:\\] VALIDSIG $SUB .* 00 $CA\$"
like "armored as a signature" "$K/keylist.json.asc" '^-----BEGIN PGP SIGNATURE-----$'
check "sq verify" "$SQ" verify --signer-cert "$T/ca.asc" \
  --detached "$K/keylist.json.asc" "$K/keylist.json"
sed 's/bob@other/bob@evil./' "$K/keylist.json" > "$T/tampered.json"
check_fails "gpg refuses a changed keylist" \
  gpg_ --verify "$K/keylist.json.asc" "$T/tampered.json"
check_fails "sq refuses it" "$SQ" verify --signer-cert "$T/ca.asc" \
  --detached "$K/keylist.json.asc" "$T/tampered.json"
like "for a bad signature" "$T/err" '[Bb]ad signature|[Nn]o good signature|[Vv]erification failed'

# An existing keylist: refused without --force, nothing changed.
cp "$K/keylist.json" "$T/old.json"; cp "$K/keylist.json.asc" "$T/old.asc"
check_fails "again without --force" \
  oca -d "$DB" keylist export -p "$K" -s "$URI"
one_line "one line" "$T/err"
like "it names the file and --force" "$T/err" 'keylist.json exists already.*--force'
check "keylist.json unchanged" cmp "$K/keylist.json" "$T/old.json"
check "signature unchanged" cmp "$K/keylist.json.asc" "$T/old.asc"
is "nothing else in the directory" "$(ls -A "$K" | tr '\n' ' ')" \
  "keylist.json keylist.json.asc "
rm "$K/keylist.json"
check_fails "only the signature exists: refused too" \
  oca -d "$DB" keylist export -p "$K" -s "$URI"
check "and nothing written" test ! -e "$K/keylist.json"
cp "$T/old.json" "$K/keylist.json"

"$SQLITE3" "$DB" "UPDATE certs SET delisted = 0 WHERE fingerprint = '$C'"
check "--force overwrites" oca -d "$DB" keylist export -p "$K" -s "$URI" -f
like "carol is listed again" "$K/keylist.json" "\"$C\",\"name\":\"Carol\",\"email\":\"carol@example.org\""
check "gpg verifies the new pair" gpg_ --verify "$K/keylist.json.asc" "$K/keylist.json"
check "sq too" "$SQ" verify --signer-cert "$T/ca.asc" \
  --detached "$K/keylist.json.asc" "$K/keylist.json"

# The signature file is named by the URI's last segment.
check "another URI" oca -d "$DB" keylist export -p "$K" -f \
  -s 'https://example.org/sync/list.sig?v=2'
check "list.sig verifies" gpg_ --verify "$K/list.sig" "$K/keylist.json"
for bad in https://example.org/ https://example.org/keylist.json \
           'https://example.org/..' ''; do
  check_fails "signature URI '$bad' is refused" \
    oca -d "$DB" keylist export -p "$K" -f -s "$bad"
  one_line "one line" "$T/err"
done
check_fails "a missing directory" \
  oca -d "$DB" keylist export -p "$T/nodir" -s "$URI"
one_line "one line" "$T/err"
check_fails "--path is required" oca -d "$DB" keylist export -s "$URI"

tap_done
