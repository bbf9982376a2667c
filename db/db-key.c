/* db-key.c - the softkey CA's private key (table cakeys) and its removal
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where the key's bytes go (see db.h, "The softkey CA's private key"):
 *
 *  - Stored: an INSERT of a zeroblob of the key's size, then
 *    sqlite3_blob_write from our secure buffer straight into the pages
 *    (SQLite builds no record holding the key in its heap).  The pages
 *    are new or the table's empty root page, so the journal gets no
 *    key bytes.
 *  - Read: sqlite3_blob_read from the pages into secure memory.
 *  - Every other write of oca touches other b-trees (and page 1, which
 *    holds no key), so the key's pages are never journaled.
 *  - Removed: overwrite_in_place with journal_mode=OFF, then an
 *    ordinary DELETE of the zeroed row.
 *
 * SQLite's page cache (ordinary heap) holds the pages while a handle
 * reads them; that copy is SQLite's and lives only in memory.
 */
#include <config.h>
#include "db-int.h"

#include <string.h>

/* Overwrite chunk size.  */
#define FILL_CHUNK 4096


/* Run PRAGMA journal_mode (= MODE if not NULL) and store the mode in
 * effect afterwards in OUT.  */
static gpg_error_t
journal_mode (db_t db, const char *mode, char out[16])
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  char sql[48];
  const unsigned char *s;
  int rc, row;

  out[0] = 0;
  if (mode)
    snprintf (sql, sizeof sql, "PRAGMA journal_mode = %s", mode);
  else
    snprintf (sql, sizeof sql, "PRAGMA journal_mode");
  rc = sqlite3_prepare_v2 (db->sql, sql, -1, &st, NULL);
  if (rc)
    return db__sqlerr (db, rc);
  err = db__step (db, st, &row);
  if (!err && row && (s = sqlite3_column_text (st, 0)))
    snprintf (out, 16, "%s", (const char *)s);
  sqlite3_finalize (st);
  return err;
}


/* Overwrite column COLUMN of row ROWID of TABLE in place with FILL
 * bytes, without a rollback journal, and commit.  sqlite3_blob_write
 * writes only the bytes of the value (in the cell and its overflow
 * pages) and cannot change its size: no page changes its structure,
 * so a crash or torn write leaves a valid file whatever subset of the
 * writes reached the disk.  Outside a transaction only.  */
static gpg_error_t
overwrite_in_place (db_t db, const char *table, const char *column,
                    int64_t rowid, int fill)
{
  gpg_error_t err, err2;
  sqlite3_blob *blob = NULL;
  unsigned char buf[FILL_CHUNK];
  char oldmode[16], mode[16];
  int n, off, chunk, rc;

  if (db->readonly)
    return db__error (db, gpg_error (GPG_ERR_EACCES),
                      "database was opened read-only");
  if (db->in_txn)
    return db__error (db, gpg_error (GPG_ERR_INV_STATE),
                      "scrubbing inside a transaction");
  err = journal_mode (db, NULL, oldmode);
  if (err)
    return err;
  /* Defensive mode refuses journal_mode=OFF (it guards against SQL
   * from outside; this statement is ours).  */
  sqlite3_db_config (db->sql, SQLITE_DBCONFIG_DEFENSIVE, 0, NULL);
  err = journal_mode (db, "OFF", mode);
  if (!err && strcmp (mode, "off"))
    err = db__error (db, gpg_error (GPG_ERR_INV_STATE),
                     "cannot turn the rollback journal off (mode %s)",
                     mode);
  if (err)
    goto leave;

  rc = sqlite3_exec (db->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc)
    {
      err = db__sqlerr (db, rc);
      goto leave;
    }
  db->in_txn = 1;
  rc = sqlite3_blob_open (db->sql, "main", table, column, rowid, 1, &blob);
  if (rc)
    {
      err = db__sqlerr (db, rc);
      goto leave;
    }
  memset (buf, fill, sizeof buf);
  n = sqlite3_blob_bytes (blob);
  for (off = 0; off < n; off += chunk)
    {
      chunk = n - off < FILL_CHUNK ? n - off : FILL_CHUNK;
      rc = sqlite3_blob_write (blob, buf, chunk, off);
      if (rc)
        {
          err = db__sqlerr (db, rc);
          goto leave;
        }
    }
  rc = sqlite3_blob_close (blob);
  blob = NULL;
  if (!rc)
    rc = sqlite3_exec (db->sql, "COMMIT", NULL, NULL, NULL);
  if (rc)
    err = db__sqlerr (db, rc);
  else
    db->in_txn = 0;

 leave:
  if (blob)
    sqlite3_blob_close (blob);
  if (db->in_txn)
    {
      /* Without a journal a rollback cannot undo what was written;
       * the blanks already written do no harm.  */
      sqlite3_exec (db->sql, "ROLLBACK", NULL, NULL, NULL);
      db->in_txn = 0;
    }
  err2 = journal_mode (db, *oldmode ? oldmode : "DELETE", mode);
  sqlite3_db_config (db->sql, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  if (!err && err2)
    err = err2;
  return err;
}


/* See db.h.  */
gpg_error_t
db_cakey_insert (db_t db, int64_t cacert_id, const void *key, size_t len)
{
  gpg_error_t err;
  sqlite3_blob *blob = NULL;
  int rc;
  const db__arg_t args[] = { DB__INT (cacert_id), DB__INT ((int64_t)len) };

  db__clear_error (db);
  err = db__need_txn (db);
  if (err)
    return err;
  if (!key || !len || len > DB_MAX_TEXT)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE),
                      "missing or too large CA key");
  err = db__write (db, STMT_CAKEY_INSERT,
                   "INSERT INTO cakeys (id, key) VALUES (?1, zeroblob(?2))",
                   args, DIM (args));
  if (gpg_err_code (err) == GPG_ERR_DUP_KEY)
    return db__error (db, err, "the CA certificate already has a key");
  if (err)
    return err;
  rc = sqlite3_blob_open (db->sql, "main", "cakeys", "key", cacert_id, 1,
                          &blob);
  if (!rc)
    rc = sqlite3_blob_write (blob, key, (int)len, 0);
  if (blob)
    {
      int rc2 = sqlite3_blob_close (blob);
      if (!rc)
        rc = rc2;
    }
  return rc ? db__sqlerr (db, rc) : 0;
}


/* See db.h.  */
gpg_error_t
db_cakey_get (db_t db, int64_t cacert_id, unsigned char **r_key,
              size_t *r_len)
{
  gpg_error_t err = 0;
  sqlite3_blob *blob = NULL;
  unsigned char *buf = NULL;
  int rc, n = 0, yes;

  *r_key = NULL;
  *r_len = 0;
  db__clear_error (db);
  err = db_cakey_exists (db, cacert_id, &yes);
  if (!err && !yes)
    err = db__error (db, gpg_error (GPG_ERR_NOT_FOUND),
                     "no private key for CA certificate %lld",
                     (long long)cacert_id);
  if (err)
    return err;
  rc = sqlite3_blob_open (db->sql, "main", "cakeys", "key", cacert_id, 0,
                          &blob);
  if (rc)
    {
      err = db__sqlerr (db, rc);
      goto leave;
    }
  n = sqlite3_blob_bytes (blob);
  if (n <= 0 || (size_t)n > DB_MAX_TEXT)
    {
      err = db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                       "the stored CA key has an invalid size");
      goto leave;
    }
  buf = xtrymalloc_secure (n);
  if (!buf)
    {
      err = db__error (db, oca_error_from_errno (), "out of secure memory");
      goto leave;
    }
  rc = sqlite3_blob_read (blob, buf, n, 0);
  if (rc)
    {
      err = db__sqlerr (db, rc);
      goto leave;
    }
  *r_key = buf;
  *r_len = n;
  buf = NULL;

 leave:
  if (blob)
    sqlite3_blob_close (blob);
  if (buf)
    wipe_and_free (buf, n);
  return err;
}


/* See db.h.  */
gpg_error_t
db_cakey_exists (db_t db, int64_t cacert_id, int *r_yes)
{
  gpg_error_t err;
  sqlite3_stmt *st;
  int row;

  *r_yes = 0;
  err = db__stmt (db, STMT_CAKEY_EXISTS,
                  "SELECT 1 FROM cakeys WHERE id = ?1", &st);
  if (!err)
    err = db__bind_int64 (db, st, 1, cacert_id);
  if (!err)
    err = db__step (db, st, &row);
  if (!err)
    *r_yes = row;
  db__done (st);
  return err;
}


/* See db.h.  */
gpg_error_t
db_cakey_scrub (db_t db, int64_t cacert_id)
{
  gpg_error_t err;
  int yes;
  const db__arg_t args[] = { DB__INT (cacert_id) };

  db__clear_error (db);
  err = db_cakey_exists (db, cacert_id, &yes);
  if (err || !yes)
    return err;
  err = overwrite_in_place (db, "cakeys", "key", cacert_id, 0);
  if (err)
    return err;
  /* The row is zeros now: its pages may go to the journal.  */
  err = db_begin (db);
  if (err)
    return err;
  err = db__write (db, STMT_CAKEY_DELETE, "DELETE FROM cakeys WHERE id = ?1",
                   args, DIM (args));
  if (!err)
    return db_commit (db);
  db_rollback (db);
  return err;
}


/* See db.h.  */
gpg_error_t
db_cacert_scrub_cert (db_t db, int64_t id)
{
  db__clear_error (db);
  return overwrite_in_place (db, "cacerts", "priv_cert", id, ' ');
}


/* See db.h.  */
gpg_error_t
db_cakey_check_file (db_t db)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  int rc, row, av = 0;

  db__clear_error (db);
  rc = sqlite3_prepare_v2 (db->sql, "PRAGMA auto_vacuum", -1, &st, NULL);
  if (rc)
    return db__sqlerr (db, rc);
  err = db__step (db, st, &row);
  if (!err && row)
    av = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  if (!err && av)
    err = db__error (db, gpg_error (GPG_ERR_NOT_SUPPORTED),
                     "the database file uses auto_vacuum, which moves pages "
                     "(and so the CA key) through the rollback journal");
  return err;
}
