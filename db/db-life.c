/* db-life.c - the CA's life: settings, walking the audit record, counts
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Table settings (schema 4) holds the CA's settings by name (e.g.
 * "cert-validity", the default lifetime of certifications in days);
 * the audit record (table certifications) is walked one row at a time
 * for `ca audit'.
 */
#include <config.h>
#include "db-int.h"

#include <string.h>


/* See db.h.  */
gpg_error_t
db_certification_next (db_t db, int64_t after, int64_t since,
                       const char *email, db_certification_t **r_rec)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  db_certification_t *c = NULL;
  int row = 0;

  *r_rec = NULL;
  db__clear_error (db);
  if (email)
    err = db__stmt (db, STMT_CERTIFICATION_NEXT_EMAIL,
                    DB_CERTIFICATION_SELECT " WHERE id > ?1 AND created >= ?2"
                    " AND (target_fpr IN (SELECT c.fingerprint FROM certs c"
                    " JOIN certs_emails e ON e.cert_id = c.id"
                    " WHERE e.addr = ?3)"
                    " OR issuer_fpr IN (SELECT c.fingerprint FROM certs c"
                    " JOIN certs_emails e ON e.cert_id = c.id"
                    " WHERE e.addr = ?3))"
                    " ORDER BY id LIMIT 1", &st);
  else
    err = db__stmt (db, STMT_CERTIFICATION_NEXT,
                    DB_CERTIFICATION_SELECT " WHERE id > ?1 AND created >= ?2"
                    " ORDER BY id LIMIT 1", &st);
  if (!err)
    err = db__bind_int64 (db, st, 1, after);
  if (!err)
    err = db__bind_int64 (db, st, 2, since);
  if (!err && email)
    err = db__bind_text (db, st, 3, email);
  if (!err)
    err = db__step (db, st, &row);
  if (!err && row)
    {
      c = xtrycalloc (1, sizeof *c);
      if (!c)
        err = db__error (db, oca_error_from_errno (), "out of memory");
      else
        err = db__fill_certification (db, st, c);
    }
  db__done (st);
  if (err)
    {
      db_certification_release (c);
      return err;
    }
  if (!row)
    return gpg_error (GPG_ERR_EOF);
  *r_rec = c;
  return 0;
}


/* See db.h.  */
gpg_error_t
db_setting_get (db_t db, const char *name, char **r_value)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  int row = 0;

  *r_value = NULL;
  db__clear_error (db);
  err = db__stmt (db, STMT_SETTING_GET,
                  "SELECT value FROM settings WHERE name = ?1", &st);
  if (!err)
    err = db__bind_text (db, st, 1, name);
  if (!err)
    err = db__step (db, st, &row);
  if (!err && row)
    err = db__column_str_nn (db, st, 0, 0, r_value);
  db__done (st);
  if (!err && !row)
    err = db__error (db, gpg_error (GPG_ERR_NOT_FOUND),
                     "setting %s is not set", name);
  return err;
}


/* See db.h.  */
gpg_error_t
db_setting_set (db_t db, const char *name, const char *value)
{
  gpg_error_t err;

  db__clear_error (db);
  err = db__need_txn (db);
  if (err)
    return err;
  if (!name)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE), "no setting name");
  if (value)
    {
      const db__arg_t args[] = { DB__TEXT (name), DB__TEXT (value) };

      return db__write (db, STMT_SETTING_SET,
                        "INSERT OR REPLACE INTO settings (name, value)"
                        " VALUES (?1, ?2)", args, DIM (args));
    }
  else
    {
      const db__arg_t args[] = { DB__TEXT (name) };

      return db__write (db, STMT_SETTING_DELETE,
                        "DELETE FROM settings WHERE name = ?1",
                        args, DIM (args));
    }
}


/* See db.h.  */
gpg_error_t
db_cert_count (db_t db, uint64_t *r_count)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  int row = 0;

  *r_count = 0;
  db__clear_error (db);
  err = db__stmt (db, STMT_CERT_COUNT,
                  "SELECT count(*) FROM certs WHERE user_id IS NOT NULL",
                  &st);
  if (!err)
    err = db__step (db, st, &row);
  if (!err && row)
    *r_count = (uint64_t)sqlite3_column_int64 (st, 0);
  db__done (st);
  return err;
}
