/* db-schema.c - the schema of the CA database and its migrations
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The schema version is PRAGMA user_version; the file is marked as an
 * oca database with PRAGMA application_id (DB_APPLICATION_ID).  Step N
 * of db_migrations takes the schema from version N-1 to N; db_open
 * applies all missing steps in one transaction and then sets
 * user_version.  To change the schema, APPEND a step (never edit a
 * released one) and bump DB_SCHEMA_VERSION in db.h; a new table also
 * gets its number in tests/fuzz/fuzz-db-schema.c (make check fails
 * until it has one).
 *
 * Version 1 is the data model of openpgp-ca 0.13 (after its four diesel
 * migrations) with the same table and column names, plus the
 * `certifications' audit log and the `pending' crash-recovery table.
 *
 * Version 2 keeps the private key of a softkey CA in a table of its
 * own, `cakeys' (see db-key.c): cacerts.priv_cert holds the public CA
 * certificate from then on.  The step only creates the table; oca
 * moves a key stored inline by version 1 on the first read-write open
 * (src/ca-softkey.c), because that needs the OpenPGP parser.
 *
 * Version 3 records the backup cards of a card CA (`ca set-backend
 * card --add'), each with its User PIN, in `cacards' (db-cacard.c).
 *
 * Version 4 adds to the audit record what made each signature and a
 * table of settings (db-life.c).
 *
 * Version 5 keeps with each user certificate what verifying its
 * signatures found (`certs_verified', db_cert_set_verified), so that
 * the commands that walk all users do not verify them again.  The CA
 * core stores the SHA-256 of the certificate's text in the record and
 * ignores a record that does not match the text (src/ca/ca-verified.c).
 *
 * Version 6 drops the index of the audit log on target_fpr: a random
 * 40-digit key, so each record of a bulk run (ca renew, user import)
 * changed a page of it at random, which at 100,000 users cost more than
 * the rest of storing the certificate.  A record's cert_id is the
 * certificate row of its target_fpr, or NULL (no such row, or the row
 * was deleted: ON DELETE SET NULL), so the records of one target are
 * found by cert_id, and those with a NULL cert_id by a partial index
 * that bulk runs do not touch (db_certification_list).
 *
 * Version 7 rebuilds the audit log with the same columns and rows: its
 * CHECK on kind compares instead of using an IN list, which SQLite
 * evaluated by building a temporary b-tree on every insert.
 */
#include <config.h>
#include "db-int.h"

static const char schema_v1[] =
  "CREATE TABLE cas (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  domainname VARCHAR NOT NULL UNIQUE\n"
  ");\n"
  "CREATE TABLE cacerts (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  fingerprint VARCHAR NOT NULL,\n"
  "  priv_cert VARCHAR NOT NULL,\n"
  "  backend VARCHAR NULL,\n"
  "  active BOOLEAN NOT NULL DEFAULT true,\n"
  "  ca_id INTEGER NOT NULL REFERENCES cas (id) ON DELETE RESTRICT\n"
  ");\n"
  "CREATE UNIQUE INDEX idx_cacerts_fingerprint ON cacerts (fingerprint);\n"
  "CREATE TABLE users (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  name VARCHAR NULL,\n"
  "  ca_id INTEGER NOT NULL REFERENCES cas (id) ON DELETE RESTRICT\n"
  ");\n"
  "CREATE TABLE certs (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  fingerprint VARCHAR NOT NULL UNIQUE,\n"
  "  pub_cert VARCHAR NOT NULL,\n"
  "  user_id INTEGER NULL REFERENCES users (id) ON DELETE RESTRICT,\n"
  "  delisted BOOLEAN NOT NULL DEFAULT false,\n"
  "  inactive BOOLEAN NOT NULL DEFAULT false\n"
  ");\n"
  "CREATE INDEX idx_certs_user_id ON certs (user_id);\n"
  "CREATE TABLE certs_emails (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  addr VARCHAR NOT NULL,\n"
  "  cert_id INTEGER NOT NULL REFERENCES certs (id) ON DELETE RESTRICT\n"
  ");\n"
  "CREATE INDEX idx_certs_emails_addr ON certs_emails (addr);\n"
  "CREATE INDEX idx_certs_emails_cert_id ON certs_emails (cert_id);\n"
  "CREATE TABLE revocations (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  hash VARCHAR NOT NULL UNIQUE,\n"
  "  revocation VARCHAR NOT NULL,\n"
  "  published BOOLEAN NOT NULL,\n"
  "  cert_id INTEGER NOT NULL REFERENCES certs (id) ON DELETE RESTRICT\n"
  ");\n"
  "CREATE INDEX idx_revocations_cert_id ON revocations (cert_id);\n"
  "CREATE TABLE bridges (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  email VARCHAR NOT NULL UNIQUE,\n"
  "  scope VARCHAR NOT NULL,\n"
  "  cert_id INTEGER NOT NULL REFERENCES certs (id) ON DELETE RESTRICT,\n"
  "  cas_id INTEGER NOT NULL REFERENCES cas (id) ON DELETE RESTRICT\n"
  ");\n"
  "CREATE TABLE queue (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  created TIMESTAMP NOT NULL,\n"
  "  task VARCHAR NOT NULL,\n"
  "  done BOOLEAN NOT NULL\n"
  ");\n"
  /* Audit log of every signature the CA issues.  cert_id is set when
   * the target is a stored cert; target_fpr is always set.  */
  "CREATE TABLE certifications (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  cert_id INTEGER NULL REFERENCES certs (id) ON DELETE SET NULL,\n"
  "  target_fpr VARCHAR NOT NULL,\n"
  "  user_id_text VARCHAR NULL,\n"
  "  created INTEGER NOT NULL,\n"
  "  signature VARCHAR NOT NULL,\n"
  "  issuer_fpr VARCHAR NOT NULL,\n"
  "  kind VARCHAR NOT NULL CHECK (kind IN ('certification', 'tsig',"
  " 'bridge', 'revocation'))\n"
  ");\n"
  "CREATE INDEX idx_certifications_target ON certifications (target_fpr);\n"
  "CREATE INDEX idx_certifications_cert_id ON certifications (cert_id);\n"
  /* Crash recovery of multi-step operations (see db_pending_set).  */
  "CREATE TABLE pending (\n"
  "  key VARCHAR PRIMARY KEY NOT NULL,\n"
  "  value VARCHAR NOT NULL,\n"
  "  created INTEGER NOT NULL\n"
  ");\n";

/* The CA private key (softkey), one row per cacerts row, id = cacerts.id.
 * A b-tree of its own: its root page and the overflow pages of the key
 * belong to no other table, so no write but the key's own insert and
 * removal ever touches them, and no rollback journal ever holds their
 * content.  Never UPDATE or rebuild this table (ALTER TABLE ... that
 * copies rows, VACUUM) while it holds a key.  */
static const char schema_v2[] =
  "CREATE TABLE cakeys (\n"
  "  id INTEGER PRIMARY KEY NOT NULL REFERENCES cacerts (id)"
  " ON DELETE RESTRICT,\n"
  "  key BLOB NOT NULL\n"
  ");\n";

/* Further cards holding the key of a card CA; the card of
 * cacerts.backend is not repeated here.  */
static const char schema_v3[] =
  "CREATE TABLE cacards (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  cacert_id INTEGER NOT NULL REFERENCES cacerts (id)"
  " ON DELETE RESTRICT,\n"
  "  ident VARCHAR NOT NULL,\n"
  "  pin VARCHAR NOT NULL,\n"
  "  UNIQUE (cacert_id, ident)\n"
  ");\n";

/* Certification expiry, renewal and the audit (issue 12): what the
 * audit record says of each signature besides the signature itself
 * (the backend and card that made it, the card's signature counter
 * then, the SHA-256 of the signature packet), and the CA's settings
 * (e.g. the default lifetime of its certifications).  Rows written
 * before keep NULL there.  */
static const char schema_v4[] =
  /* The table is rebuilt: its CHECK gets the kind 'signature' (a
   * document signed with the CA's signing subkey: keylist export).  */
  "CREATE TABLE certifications_v4 (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  cert_id INTEGER NULL REFERENCES certs (id) ON DELETE SET NULL,\n"
  "  target_fpr VARCHAR NOT NULL,\n"
  "  user_id_text VARCHAR NULL,\n"
  "  created INTEGER NOT NULL,\n"
  "  signature VARCHAR NOT NULL,\n"
  "  issuer_fpr VARCHAR NOT NULL,\n"
  "  kind VARCHAR NOT NULL CHECK (kind IN ('certification', 'tsig',"
  " 'bridge', 'revocation', 'signature')),\n"
  "  backend VARCHAR NULL,\n"
  "  card VARCHAR NULL,\n"
  "  card_sigcount INTEGER NULL,\n"
  "  sig_hash VARCHAR NULL\n"
  ");\n"
  "INSERT INTO certifications_v4 (id, cert_id, target_fpr, user_id_text,"
  " created, signature, issuer_fpr, kind)"
  " SELECT id, cert_id, target_fpr, user_id_text, created, signature,"
  " issuer_fpr, kind FROM certifications;\n"
  "DROP TABLE certifications;\n"
  "ALTER TABLE certifications_v4 RENAME TO certifications;\n"
  "CREATE INDEX idx_certifications_target ON certifications (target_fpr);\n"
  "CREATE INDEX idx_certifications_cert_id ON certifications (cert_id);\n"
  "CREATE INDEX idx_certifications_created ON certifications (created);\n"
  "CREATE TABLE settings (\n"
  "  name VARCHAR PRIMARY KEY NOT NULL,\n"
  "  value VARCHAR NOT NULL\n"
  ");\n";

/* What the CA found verifying a stored certificate (see db.h).  */
static const char schema_v5[] =
  "CREATE TABLE certs_verified (\n"
  "  cert_id INTEGER PRIMARY KEY NOT NULL REFERENCES certs (id)"
  " ON DELETE CASCADE,\n"
  "  record VARCHAR NOT NULL\n"
  ");\n";

/* The audit log found by cert_id; the orphans by target_fpr.  */
static const char schema_v6[] =
  "DROP INDEX IF EXISTS idx_certifications_target;\n"
  "CREATE INDEX idx_certifications_orphan ON certifications (target_fpr)"
  " WHERE cert_id IS NULL;\n";

/* The audit log's CHECK on kind without an IN list: SQLite checks
 * "kind IN (five values)" by building a temporary b-tree of the five
 * on every INSERT statement run, a third of the cost of writing an
 * audit record (one per certificate in a bulk run).  The same values,
 * as comparisons, cost nothing.  The table is rebuilt (a CHECK cannot
 * be altered), with its rows, ids and indexes.  */
static const char schema_v7[] =
  "CREATE TABLE certifications_v7 (\n"
  "  id INTEGER PRIMARY KEY NOT NULL,\n"
  "  cert_id INTEGER NULL REFERENCES certs (id) ON DELETE SET NULL,\n"
  "  target_fpr VARCHAR NOT NULL,\n"
  "  user_id_text VARCHAR NULL,\n"
  "  created INTEGER NOT NULL,\n"
  "  signature VARCHAR NOT NULL,\n"
  "  issuer_fpr VARCHAR NOT NULL,\n"
  "  kind VARCHAR NOT NULL CHECK (kind = 'certification' OR kind = 'tsig'"
  " OR kind = 'bridge' OR kind = 'revocation' OR kind = 'signature'),\n"
  "  backend VARCHAR NULL,\n"
  "  card VARCHAR NULL,\n"
  "  card_sigcount INTEGER NULL,\n"
  "  sig_hash VARCHAR NULL\n"
  ");\n"
  "INSERT INTO certifications_v7 (id, cert_id, target_fpr, user_id_text,"
  " created, signature, issuer_fpr, kind, backend, card, card_sigcount,"
  " sig_hash)"
  " SELECT id, cert_id, target_fpr, user_id_text, created, signature,"
  " issuer_fpr, kind, backend, card, card_sigcount, sig_hash"
  " FROM certifications;\n"
  "DROP TABLE certifications;\n"
  "ALTER TABLE certifications_v7 RENAME TO certifications;\n"
  "CREATE INDEX idx_certifications_cert_id ON certifications (cert_id);\n"
  "CREATE INDEX idx_certifications_created ON certifications (created);\n"
  "CREATE INDEX idx_certifications_orphan ON certifications (target_fpr)"
  " WHERE cert_id IS NULL;\n";

const db_migration_t db_migrations[] =
  {
    { "v1 base schema (openpgp-ca 0.13 model, certifications, pending)",
      schema_v1 },
    { "v2 the softkey CA private key in a table of its own (cakeys)",
      schema_v2 },
    { "v3 the backup cards of a card CA (cacards)", schema_v3 },
    { "v4 the audit record's backend, card, counter and hash; settings",
      schema_v4 },
    { "v5 what verifying each user certificate found (certs_verified)",
      schema_v5 },
    { "v6 the audit log indexed by cert_id, orphans by target_fpr",
      schema_v6 },
    { "v7 the audit log's CHECK on kind without an IN list", schema_v7 }
  };

const size_t db_n_migrations = DIM (db_migrations);

_Static_assert (DIM (db_migrations) == DB_SCHEMA_VERSION,
                "DB_SCHEMA_VERSION must equal the number of migrations");
