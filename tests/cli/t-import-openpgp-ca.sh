#!/bin/sh
# t-import-openpgp-ca.sh - `oca ca import-openpgp-ca': an openpgp-ca
# 0.13/0.14 database, built with sqlite3 from the documented schema
# (openpgp-ca-schema.sql) and keys made by gpg, is copied field by
# field into a new oca database without being touched; the imported
# softkey CA certifies a new user that gpg accepts; card and split
# backend strings; what is refused (one line, no file left)
# SPDX-License-Identifier: GPL-3.0-or-later
. "$srcdir/cli-lib.sh"
. "$srcdir/../crash-lib.sh"
[ -n "$SQLITE3" ] || skip_all "sqlite3 not found"

SCHEMA=$srcdir/openpgp-ca-schema.sql

check "--help" oca ca import-openpgp-ca --help
like "usage line" "$T/out" "^Usage: oca ca import-openpgp-ca FILE$"
check_fails "no FILE: usage error" oca -d "$T/x.db" ca import-openpgp-ca
is "exit status 2" "$(oca -d "$T/x.db" ca import-openpgp-ca 2>/dev/null; echo $?)" 2
like "names --help" "$T/err" "^oca: the openpgp-ca database FILE is missing \(see 'oca ca import-openpgp-ca --help'\)$"
check_fails "no -d: error" oca ca import-openpgp-ca "$T/x.sqlite"
like "no database message" "$T/err" "no database configuration found"
sq3 () { "$SQLITE3" -batch "$@"; }
# q FILE: the file's text as an SQL string literal.
q () { printf "'%s'" "$(sed "s/'/''/g" "$1")"; }

# The keys, made by gpg: the CA (certification-capable primary), two
# users certified by it, another CA for a bridge.
gpg_gen --passphrase '' --quick-gen-key "OpenPGP CA <openpgp-ca@example.org>" \
  ed25519 cert never >/dev/null 2>&1
CAFPR=$(gpg_gen --with-colons --list-keys "=OpenPGP CA <openpgp-ca@example.org>" |
  awk -F: '$1=="fpr"{print $10; exit}')
gpg_gen --passphrase '' --armor --export-secret-keys "$CAFPR" > "$T/ca.tsk"
gpg_gen --armor --export "$CAFPR" > "$T/ca.pub"
like "CA key made by gpg" "$T/ca.tsk" "BEGIN PGP PRIVATE KEY BLOCK"
AFPR=$(gen_gpg_key "$T/alice0.asc" "Alice <alice@example.org>")
BFPR=$(gen_gpg_key "$T/bob0.asc" "Bob <bob@example.org>")
for f in $AFPR $BFPR; do
  gpg_gen --passphrase '' --default-key "$CAFPR" --quick-sign-key "$f" \
    >/dev/null 2>&1
done
gpg_gen --armor --export "$AFPR" > "$T/alice.asc"
gpg_gen --armor --export "$BFPR" > "$T/bob.asc"
# gpg's own revocation certificate of Bob (its armor line is escaped).
sed 's/^:-----BEGIN/-----BEGIN/' "$GENHOME/openpgp-revocs.d/$BFPR.rev" |
  sed -n '/^-----BEGIN/,/^-----END/p' > "$T/bob.rev"
like "bob's revocation" "$T/bob.rev" "BEGIN PGP PUBLIC KEY BLOCK"
RFPR=$(gen_gpg_key "$T/remote.asc" "OpenPGP CA <openpgp-ca@remote.example>")

# make_src FILE BACKEND-SQL PRIV-CERT-FILE: an openpgp-ca database.
make_src () {
  rm -f "$1"
  { cat "$SCHEMA"
    cat <<EOF
INSERT INTO cas VALUES (1, 'example.org');
INSERT INTO cacerts (id, fingerprint, priv_cert, ca_id, backend, active)
  VALUES (1, '$CAFPR', $(q "$3"), 1, $2, 1);
INSERT INTO users VALUES (1, 'Alice Adams', 1);
INSERT INTO users VALUES (3, NULL, 1);
INSERT INTO certs (id, fingerprint, pub_cert, user_id)
  VALUES (1, '$AFPR', $(q "$T/alice.asc"), 1);
INSERT INTO certs (id, fingerprint, pub_cert, user_id, delisted, inactive)
  VALUES (4, '$BFPR', $(q "$T/bob.asc"), 3, 1, 0);
INSERT INTO certs (id, fingerprint, pub_cert, user_id, delisted, inactive)
  VALUES (5, '$RFPR', $(q "$T/remote.asc"), NULL, 0, 1);
INSERT INTO certs_emails VALUES (1, 'alice@example.org', 1);
INSERT INTO certs_emails VALUES (2, 'a.adams@example.org', 1);
INSERT INTO certs_emails VALUES (7, 'bob@example.org', 4);
INSERT INTO revocations VALUES (1, '00112233445566AA', $(q "$T/bob.rev"), 0, 4);
INSERT INTO revocations VALUES (2, '00112233445566BB', 'published one', 1, 1);
INSERT INTO bridges VALUES (1, 'openpgp-ca@remote.example', 'remote.example', 5, 1);
INSERT INTO queue VALUES (1, '2024-07-10 12:00:00.000001', '{"CertificationReq":{"cert":"x","user_ids":["a"],"days":null}}', 1);
INSERT INTO queue VALUES (2, '2024-07-11 08:30:00', '{"BridgeReq":{"cert":"y","scope_regexes":[]}}', 0);
EOF
  } | sq3 "$1"
}

SRC=$T/openpgp-ca.sqlite
make_src "$SRC" NULL "$T/ca.tsk"
is "source has the four diesel migrations" \
  "$(sq3 "$SRC" 'SELECT count(*) FROM __diesel_schema_migrations')" 4
sum0=$(sha256sum < "$SRC")
mtime0=$(stat -c %y "$SRC")
# The files beside the source (but the test's own output).
ls_state () {
  find "$T" -maxdepth 1 -printf '%f\n' |
    grep -Ev '^(out|err|import\.out|ls[01]|new\.db)$' | sort
}
ls_state > "$T/ls0"
sleep 1

NEW=$T/new.db
check "import-openpgp-ca" oca -d "$NEW" ca import-openpgp-ca "$SRC"
cp "$T/out" "$T/import.out"
like "says what it made" "$T/import.out" "^Created $NEW from the openpgp-ca database $SRC\.$"
like "CA line" "$T/import.out" "^CA example\.org, key $CAFPR, backend softkey$"
for l in "cas: 1" "cacerts: 1" "users: 2" "certs: 3" "certs_emails: 3" \
         "revocations: 2" "bridges: 1" "queue: 2"; do
  like "reports $l" "$T/import.out" "^$l\$"
done
is "source byte-identical" "$(sha256sum < "$SRC")" "$sum0"
is "source mtime unchanged" "$(stat -c %y "$SRC")" "$mtime0"
ls_state > "$T/ls1"
check "no journal, WAL or temporary file appeared" cmp "$T/ls0" "$T/ls1"
is "new database mode 0600" "$(stat -c %a "$NEW")" 600

# Field by field: the same query on both files.
same () {
  a=$(sq3 "$SRC" "$2") b=$(sq3 "$NEW" "$2")
  if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "$1"
  else not_ok "$1"; diag "old: $a"; diag "new: $b"; fi
}
same "cas" "SELECT id, domainname FROM cas ORDER BY id"
same "cacerts (all but the key text)" \
  "SELECT id, fingerprint, ca_id, active, ifnull(backend, 'NULL') FROM cacerts ORDER BY id"
same "users" "SELECT id, ifnull(name, 'NULL'), ca_id FROM users ORDER BY id"
same "certs" "SELECT id, fingerprint, pub_cert, ifnull(user_id, 'NULL'), delisted, inactive FROM certs ORDER BY id"
same "certs_emails" "SELECT id, addr, cert_id FROM certs_emails ORDER BY id"
same "revocations" "SELECT id, hash, revocation, published, cert_id FROM revocations ORDER BY id"
same "bridges" "SELECT id, email, scope, cert_id, cas_id FROM bridges ORDER BY id"
same "queue" "SELECT id, created, task, done FROM queue ORDER BY id"
is "no private key left in cacerts" \
  "$(sq3 "$NEW" "SELECT count(*) FROM cacerts WHERE priv_cert LIKE '%PRIVATE KEY%'")" 0
is "the key is in cakeys" "$(sq3 "$NEW" 'SELECT id FROM cakeys')" 1

# oca uses it: the same CA key, its private key, the users.
check "ca show" oca -d "$NEW" ca show
like "same fingerprint" "$T/out" "Fingerprint: $CAFPR"
like "softkey" "$T/out" "Softkey"
check "ca private" oca -d "$NEW" ca private
mkdir -m 700 "$T/gh-priv"
GNUPGHOME=$T/gh-priv gpg_ --import "$T/out" 2>/dev/null
is "gpg reads the exported private key" \
  "$(GNUPGHOME=$T/gh-priv gpg_ --with-colons --list-secret-keys | awk -F: '$1=="fpr"{print $10; exit}')" "$CAFPR"
check "user list" oca -d "$NEW" user list
like "alice listed" "$T/out" "$AFPR"
like "bob listed" "$T/out" "$BFPR"
check "bridge list" oca -d "$NEW" bridge list
like "bridge listed" "$T/out" "openpgp-ca@remote\.example"

# The unpublished revocation is applied from the new database.
check "apply the imported revocation" \
  oca -d "$NEW" user apply-revocation 00112233445566AA
is "marked published" \
  "$(sq3 "$NEW" "SELECT published FROM revocations WHERE hash = '00112233445566AA'")" 1

# The imported CA certifies a new user; gpg accepts the certification.
CFPR=$(gen_gpg_key "$T/carol.asc" "Carol <carol@example.org>")
check "imported CA certifies carol" \
  oca -d "$NEW" user import -e carol@example.org -f "$T/carol.asc"
check "user export" oca -d "$NEW" user export
cp "$T/out" "$T/all.asc"
check "gpg imports CA and users" gpg_ --import "$T/all.asc"
echo "$CAFPR:6:" | gpg_ --import-ownertrust 2>/dev/null
is "gpg: carol valid through the imported CA" \
  "$(uid_validity "$CFPR" "Carol <carol@example.org>")" f
is "gpg: alice (certified by openpgp-ca's key) valid too" \
  "$(uid_validity "$AFPR" "Alice <alice@example.org>")" f
is "gpg: bob's key revoked" \
  "$(gpg_ --with-colons --list-keys "$BFPR" | awk -F: '$1=="pub"{print $2}')" r

# An existing target is refused, and left alone.
sum1=$(sha256sum < "$NEW")
check_fails "existing target refused" oca -d "$NEW" ca import-openpgp-ca "$SRC"
one_line "one line" "$T/err"
like "exists message" "$T/err" "^oca: '$NEW' exists: the import makes a new oca database$"
is "target unchanged" "$(sha256sum < "$NEW")" "$sum1"

# What an interrupted import leaves (it may hold the CA key) is found
# and named, never silently left: the import runs as NEW.import and is
# killed at its first fdatasync (the commit; the key row is written).
if [ -n "${STRACE:-}" ]; then
  K=$T/killed.db
  crash_kill_at_syscall fdatasync 1 "$OCA" -d "$K" ca import-openpgp-ca "$SRC"
  is "killed during the import ($CRASH_HOW)" "$CRASH_HOW" killed
  [ -e "$K.import" ] && ok "it left $K.import" || not_ok "it left $K.import"
  [ ! -e "$K" ] && ok "and no $K" || not_ok "and no $K"
  check_fails "the next import is refused" oca -d "$K" ca import-openpgp-ca "$SRC"
  one_line "one line" "$T/err"
  like "names the file and why" "$T/err" \
    "^oca: '$K\.import'.* exists: left by an import into '$K' that was interrupted or still runs \(it may hold a copy of the CA key\); if none runs, remove it and import again$"
  [ -e "$K.import" ] && ok "the left file is not touched" \
    || not_ok "the left file is not touched"
  rm -f "$K.import" "$K.import-journal"
  check "removed: the import works" oca -d "$K" ca import-openpgp-ca "$SRC"
  [ ! -e "$K.import" ] && [ ! -e "$K.import-journal" ] \
    && ok "no temporary file after it" || not_ok "no temporary file after it"
else
  not_ok "strace is needed for the interrupted import"
fi
# A journal alone (its file removed by hand) is refused too: SQLite
# would roll it into the new file.
: > "$T/j.db.import-journal"
check_fails "a left journal alone is refused" \
  oca -d "$T/j.db" ca import-openpgp-ca "$SRC"
like "named with its journal" "$T/err" "^oca: '$T/j\.db\.import' \(or its journal\) exists: "
[ ! -e "$T/j.db" ] && [ ! -e "$T/j.db.import" ] \
  && ok "nothing created" || not_ok "nothing created"

# A card CA and a split front: the backend strings.
CARD=$T/card.sqlite
make_src "$CARD" "'card;FFFE:0000A001;14199138'" "$T/ca.pub"
check "card database imported" oca -d "$T/card.db" ca import-openpgp-ca "$CARD"
like "card backend" "$T/out" "backend card$"
same_card=$(sq3 "$T/card.db" 'SELECT backend FROM cacerts')
is "card string as openpgp-ca stored it" "$same_card" "card;FFFE:0000A001;14199138"
is "no key row for a card CA" "$(sq3 "$T/card.db" 'SELECT count(*) FROM cakeys')" 0
check "ca show (card CA)" oca -d "$T/card.db" ca show
like "card and PIN shown" "$T/out" "OpenPGP card FFFE:0000A001 \[User PIN 14199138\]"
check "with --scd gpg-agent" \
  oca --scd gpg-agent -d "$T/card-agent.db" ca import-openpgp-ca "$CARD"
is "route stored" "$(sq3 "$T/card-agent.db" 'SELECT backend FROM cacerts')" \
  "card;FFFE:0000A001;14199138;gpg-agent"

FRONT=$T/front.sqlite
make_src "$FRONT" "'split-front'" "$T/ca.pub"
check "split front imported" oca -d "$T/front.db" ca import-openpgp-ca "$FRONT"
like "front backend" "$T/out" "backend split-front$"
unlike "no warning: split mode is usable" "$T/err" "warning"
is "split-front stored" "$(sq3 "$T/front.db" 'SELECT backend FROM cacerts')" split-front
same_front=$(sq3 "$T/front.db" "SELECT count(*) FROM queue WHERE done = 0")
is "front's open queue entry kept" "$same_front" 1
check "ca show on the front" oca -d "$T/front.db" ca show
like "the reference's line for a front" "$T/out" \
  "^   CA Backend: Split-mode front instance$"

# Refused: one line, exit 1, no file.
refused () {
  desc=$1 src=$2 re=$3
  check_fails "$desc refused" oca -d "$T/refused.db" ca import-openpgp-ca "$src"
  one_line "$desc: one line" "$T/err"; diag "$(cat "$T/err")"
  like "$desc: message" "$T/err" "$re"
  set -- "$T"/refused.db*
  if [ -e "$1" ]; then not_ok "$desc: no file left"
  else ok "$desc: no file left"; fi
}
printf 'SQLite format 3\000 but nothing else of a database, just some text here to fill a page or so\n' > "$T/corrupt.sqlite"
refused "corrupt source" "$T/corrupt.sqlite" "^oca: .*(not an SQLite database|corrupt)"
make_src "$T/broken.sqlite" NULL "$T/ca.tsk"
# Overwrite page 2 (4096-byte pages), the root of a table's b-tree.
head -c 512 /dev/zero | tr '\0' Z |
  dd of="$T/broken.sqlite" bs=512 seek=8 count=1 conv=notrunc 2>/dev/null
refused "damaged pages" "$T/broken.sqlite" "^oca: .*corrupt"
make_src "$T/newer.sqlite" NULL "$T/ca.tsk"
sq3 "$T/newer.sqlite" "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240901130000')"
refused "unknown migration" "$T/newer.sqlite" "unknown openpgp-ca schema \(diesel migration 20240901130000"
make_src "$T/older.sqlite" NULL "$T/ca.tsk"
sq3 "$T/older.sqlite" "DELETE FROM __diesel_schema_migrations WHERE version = '20230315130000'"
refused "missing migration" "$T/older.sqlite" "diesel migration 20230315130000 missing"
make_src "$T/bad-backend.sqlite" "'card;FFFE:0000A001'" "$T/ca.pub"
refused "unparsable backend" "$T/bad-backend.sqlite" \
  "cacerts row 1: backend configuration 'card\.\.\.' not understood"
unlike "bad backend: PIN-free message" "$T/err" "0000A001"
make_src "$T/two.sqlite" NULL "$T/ca.tsk"
sq3 "$T/two.sqlite" "INSERT INTO cacerts (id, fingerprint, priv_cert, ca_id, backend, active) VALUES (2, '$RFPR', $(q "$T/remote.asc"), 1, 'split-front', 1)"
refused "two active CA certificates" "$T/two.sqlite" "More than one active cacert in DB, illegal state\."
make_src "$T/fpr.sqlite" NULL "$T/ca.tsk"
sq3 "$T/fpr.sqlite" "UPDATE cacerts SET fingerprint = '$AFPR'"
refused "CA fingerprint not its key" "$T/fpr.sqlite" "cacerts row 1: fingerprint $AFPR does not match its key $CAFPR"
make_src "$T/certfpr.sqlite" NULL "$T/ca.tsk"
sq3 "$T/certfpr.sqlite" "UPDATE certs SET pub_cert = $(q "$T/bob.asc") WHERE id = 1"
refused "user cert not its row's key" "$T/certfpr.sqlite" "certs row 1: stored certificate $AFPR is invalid"
refused "an oca database" "$NEW" "is an oca database, not one of openpgp-ca"
refused "a missing file" "$T/nope.sqlite" "nope\.sqlite"

tap_done
