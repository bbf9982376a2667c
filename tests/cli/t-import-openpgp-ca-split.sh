#!/bin/sh
# t-import-openpgp-ca-split.sh - an openpgp-ca split CA (a front with
# backend split-front and a request in its queue, a back with
# split-back() and the key; databases built with sqlite3 from the
# documented schema) imported by `oca ca import-openpgp-ca' works as
# front and back: the front exports openpgp-ca's queued request, the
# back certifies it, the front imports the certification, gpg accepts it
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"
[ -n "$SQLITE3" ] || skip_all "sqlite3 not found"

SCHEMA=$srcdir/openpgp-ca-schema.sql
sq3 () { "$SQLITE3" -batch "$@"; }
q () { printf "'%s'" "$(sed "s/'/''/g" "$1")"; }
# jstr FILE: the file's text as a JSON string (newlines as \n).
jstr () { printf '"%s"' "$(sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$1" | awk '{printf "%s\\n", $0}')"; }

gpg_gen --passphrase '' --quick-gen-key "OpenPGP CA <openpgp-ca@example.org>" \
  ed25519 cert never >/dev/null 2>&1
CAFPR=$(gpg_gen --with-colons --list-keys "=OpenPGP CA <openpgp-ca@example.org>" |
  awk -F: '$1=="fpr"{print $10; exit}')
gpg_gen --passphrase '' --armor --export-secret-keys "$CAFPR" > "$T/ca.tsk"
gpg_gen --armor --export "$CAFPR" > "$T/ca.pub"
A=$(gen_gpg_key "$T/alice.asc" "Alice <alice@example.org>")
B=$(gen_gpg_key "$T/bob.asc" "Bob <bob@example.org>")

# The front: Alice stored, her certification requested (openpgp-ca's
# task JSON), an older request done already.
{ cat "$SCHEMA"
  cat <<SQL
INSERT INTO cas VALUES (1, 'example.org');
INSERT INTO cacerts (id, fingerprint, priv_cert, ca_id, backend, active)
  VALUES (1, '$CAFPR', $(q "$T/ca.pub"), 1, 'split-front', 1);
INSERT INTO users VALUES (1, 'Alice', 1);
INSERT INTO certs (id, fingerprint, pub_cert, user_id)
  VALUES (1, '$A', $(q "$T/alice.asc"), 1);
INSERT INTO certs_emails VALUES (1, 'alice@example.org', 1);
INSERT INTO queue VALUES (1, '2024-07-01 09:00:00.250000',
  '{"CertificationReq":{"cert":$(jstr "$T/bob.asc"),"user_ids":["Bob <bob@example.org>"],"days":null}}', 1);
INSERT INTO queue VALUES (2, '2024-07-02 10:30:00.500000',
  '{"CertificationReq":{"cert":$(jstr "$T/alice.asc"),"user_ids":["Alice <alice@example.org>"],"days":null}}', 0);
SQL
} | sq3 "$T/front.sqlite"
# The back: the CA and its key.
{ cat "$SCHEMA"
  cat <<SQL
INSERT INTO cas VALUES (1, 'example.org');
INSERT INTO cacerts (id, fingerprint, priv_cert, ca_id, backend, active)
  VALUES (1, '$CAFPR', $(q "$T/ca.tsk"), 1, 'split-back()', 1);
SQL
} | sq3 "$T/back.sqlite"

F=$T/front.db B=$T/back.db
check "front imported" oca -d "$F" ca import-openpgp-ca "$T/front.sqlite"
like "front" "$T/out" "backend split-front$"
like "its queue" "$T/out" "^queue: 2$"
check "back imported" oca -d "$B" ca import-openpgp-ca "$T/back.sqlite"
like "back" "$T/out" "backend split-back \(softkey\)$"
is "the back's key in cakeys" "$(sq3 "$B" 'SELECT count(*) FROM cakeys')" 1
is "no key in the front" "$(sq3 "$F" "SELECT count(*) FROM cakeys")" 0
check "ca show on the front" oca -d "$F" ca show
like "front line" "$T/out" "CA Backend: Split-mode front instance$"
check "ca show on the back" oca -d "$B" ca show
like "back line" "$T/out" "CA Backend: Split-mode back instance \(based on: Softkey"

check "show-queue" oca -d "$F" ca split show-queue
like "alice's request, id 2" "$T/out" "^Certification request \[#2\]$"
like "her User ID" "$T/out" "^  For User IDs \[\"Alice <alice@example.org>\"\]$"
unlike "not the one done" "$T/out" "#1"
check "export" oca -d "$F" ca split export -f "$T/req.json"
like "one request" "$T/out" "^Exported queue with 1 entries"
check "the back certifies" oca -d "$B" ca split certify -i "$T/req.json" \
  -e "$T/resp.json" --batch
like "processed" "$T/out" "^Processed 1 certification requests$"
check "the front imports" oca -d "$F" ca split import -i "$T/resp.json"
is "request done" "$(sq3 "$F" 'SELECT group_concat(id || ":" || done) FROM queue')" "1:1,2:1"

check "user export" oca -d "$F" user export
cp "$T/out" "$T/all.asc"
check "gpg imports" gpg_ --import "$T/all.asc"
like "alice's User ID certified by the CA" /dev/stdin \
  "^Alice <alice@example.org>\|!\|$(keyid "$CAFPR")\|10x$" <<EOF2
$(sig_lines "$A")
EOF2
echo "$CAFPR:6:" | gpg_ --import-ownertrust 2>/dev/null
is "gpg: alice valid through the CA" \
  "$(uid_validity "$A" "Alice <alice@example.org>")" f

tap_done
