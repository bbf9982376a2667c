/* db-ca.c - the CA and its certificate (tables cas and cacerts)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cacerts.priv_cert (the public CA cert; the CA private key in a
 * schema 1 file not yet moved to cakeys, see db-key.c) and
 * cacerts.backend (holding the card PIN) are treated as secrets: they
 * are copied straight from SQLite's buffers into libgcrypt secure
 * memory and wiped on release.
 */
#include <config.h>
#include "db-int.h"

#include <string.h>


/* See db.h.  */
void
db_cacert_release (db_cacert_t *cacert)
{
  if (!cacert)
    return;
  xfree (cacert->fingerprint);
  wipe_and_free_string (cacert->priv_cert);
  wipe_and_free_string (cacert->backend);
  wipememory (cacert, sizeof *cacert);
  xfree (cacert);
}


/* Count the rows of table cas into *R_N.  */
static gpg_error_t
count_cas (db_t db, int64_t *r_n)
{
  gpg_error_t err;
  sqlite3_stmt *st;
  int row;

  *r_n = 0;
  err = db__stmt (db, STMT_CA_COUNT, "SELECT count(*) FROM cas", &st);
  if (err)
    return err;
  err = db__step (db, st, &row);
  if (!err && row)
    *r_n = sqlite3_column_int64 (st, 0);
  db__done (st);
  return err;
}


/* See db.h.  */
gpg_error_t
db_ca_is_initialized (db_t db, int *r_yes)
{
  gpg_error_t err;
  int64_t n;

  *r_yes = 0;
  db__clear_error (db);
  err = count_cas (db, &n);
  if (!err)
    *r_yes = (n == 1);
  return err;
}


/* See db.h.  */
gpg_error_t
db_ca_get_domain (db_t db, char **r_domain)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  char *domain = NULL;
  int row;

  *r_domain = NULL;
  db__clear_error (db);
  err = db__stmt (db, STMT_CA_DOMAIN,
                  "SELECT domainname FROM cas ORDER BY id LIMIT 2", &st);
  if (err)
    goto leave;
  err = db__step (db, st, &row);
  if (err)
    goto leave;
  if (!row)
    {
      err = db__error (db, gpg_error (GPG_ERR_NOT_INITIALIZED),
                       "the CA is not initialised");
      goto leave;
    }
  err = db__column_str_nn (db, st, 0, 0, &domain);
  if (err)
    goto leave;
  err = db__step (db, st, &row);
  if (err)
    goto leave;
  if (row)
    {
      err = db__error (db, gpg_error (GPG_ERR_CONFLICT),
                       "more than one CA in the database");
      goto leave;
    }
  *r_domain = domain;
  domain = NULL;

 leave:
  db__done (st);
  xfree (domain);
  return err;
}


/* See db.h.  */
gpg_error_t
db_ca_insert (db_t db, const char *domain, const char *fingerprint,
              const char *priv_cert, const char *backend,
              int64_t *r_cacert_id)
{
  gpg_error_t err;
  int64_t n, ca_id;
  const db__arg_t ca_args[] = { DB__TEXT (domain) };

  if (r_cacert_id)
    *r_cacert_id = 0;
  db__clear_error (db);
  err = db__need_txn (db);
  if (err)
    return err;
  if (!domain || !fingerprint || !priv_cert)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE),
                      "missing CA domain, fingerprint or key");
  err = count_cas (db, &n);
  if (err)
    return err;
  if (n)
    return db__error (db, gpg_error (GPG_ERR_DUP_KEY),
                      "the database already holds a CA");

  err = db__write (db, STMT_CA_INSERT,
                   "INSERT INTO cas (domainname) VALUES (?1)",
                   ca_args, DIM (ca_args));
  if (err)
    return err;
  ca_id = sqlite3_last_insert_rowid (db->sql);
  {
    const db__arg_t args[] =
      { DB__TEXT (fingerprint), DB__TEXT (priv_cert), DB__TEXT (backend),
        DB__INT (ca_id) };

    err = db__write (db, STMT_CACERT_INSERT,
                     "INSERT INTO cacerts (fingerprint, priv_cert, backend,"
                     " active, ca_id) VALUES (?1, ?2, ?3, 1, ?4)",
                     args, DIM (args));
  }
  if (err)
    return err;
  if (r_cacert_id)
    *r_cacert_id = sqlite3_last_insert_rowid (db->sql);
  return 0;
}


/* See db.h.  */
gpg_error_t
db_cacert_get_active (db_t db, db_cacert_t **r_cacert)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  db_cacert_t *c = NULL;
  int64_t n;
  int row;

  *r_cacert = NULL;
  db__clear_error (db);
  err = count_cas (db, &n);
  if (err)
    goto leave;
  if (!n)
    {
      err = db__error (db, gpg_error (GPG_ERR_NOT_INITIALIZED),
                       "the CA is not initialised");
      goto leave;
    }
  err = db__stmt (db, STMT_CACERT_ACTIVE,
                  "SELECT id, ca_id, fingerprint, priv_cert, backend, active"
                  " FROM cacerts WHERE active ORDER BY id LIMIT 2", &st);
  if (err)
    goto leave;
  err = db__step (db, st, &row);
  if (err)
    goto leave;
  if (!row)
    {
      err = db__error (db, gpg_error (GPG_ERR_NOT_FOUND),
                       "no active CA certificate in the database");
      goto leave;
    }
  c = xtrycalloc (1, sizeof *c);
  if (!c)
    {
      err = db__error (db, oca_error_from_errno (), "out of memory");
      goto leave;
    }
  c->id = sqlite3_column_int64 (st, 0);
  c->ca_id = sqlite3_column_int64 (st, 1);
  c->active = !!sqlite3_column_int (st, 5);
  err = db__column_str_nn (db, st, 2, 0, &c->fingerprint);
  if (!err)
    err = db__column_str_nn (db, st, 3, 1, &c->priv_cert);
  if (!err)
    err = db__column_str (db, st, 4, 1, &c->backend);
  if (err)
    goto leave;
  err = db__step (db, st, &row);
  if (err)
    goto leave;
  if (row)
    {
      err = db__error (db, gpg_error (GPG_ERR_CONFLICT),
                       "more than one active CA certificate in the"
                       " database, illegal state");
      goto leave;
    }
  *r_cacert = c;
  c = NULL;

 leave:
  /* The reset also drops SQLite's pointers into the row.  */
  db__done (st);
  db_cacert_release (c);
  return err;
}


/* Run the cached UPDATE statement SID with SQL on cacert ID, binding
 * TEXT1 to ?1 and, if NTEXT is 2, TEXT2 to ?2; the id is the last
 * parameter.  */
static gpg_error_t
update_cacert (db_t db, enum db_stmt_id sid, const char *sql, int64_t id,
               int ntext, const char *text1, const char *text2)
{
  gpg_error_t err;
  const db__arg_t args1[] = { DB__TEXT (text1), DB__INT (id) };
  const db__arg_t args2[] = { DB__TEXT (text1), DB__TEXT (text2),
                              DB__INT (id) };

  db__clear_error (db);
  err = db__need_txn (db);
  if (err)
    return err;
  err = db__write (db, sid, sql, ntext == 2 ? args2 : args1, ntext + 1);
  if (!err)
    err = db__changed_one (db, "CA certificate", id);
  return err;
}


/* See db.h.  */
gpg_error_t
db_cacert_update_cert (db_t db, int64_t id, const char *cert)
{
  if (!cert)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE), "missing cert");
  return update_cacert (db, STMT_CACERT_UPDATE_CERT,
                        "UPDATE cacerts SET priv_cert = ?1 WHERE id = ?2",
                        id, 1, cert, NULL);
}


/* See db.h.  */
gpg_error_t
db_cacert_set_backend (db_t db, int64_t id, const char *backend)
{
  return update_cacert (db, STMT_CACERT_SET_BACKEND,
                        "UPDATE cacerts SET backend = ?1 WHERE id = ?2",
                        id, 1, backend, NULL);
}


/* See db.h.  */
gpg_error_t
db_cacert_replace_key (db_t db, int64_t id, const char *pub_cert,
                       const char *backend)
{
  if (!pub_cert)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE), "missing cert");
  return update_cacert (db, STMT_CACERT_REPLACE_KEY,
                        "UPDATE cacerts SET priv_cert = ?1, backend = ?2"
                        " WHERE id = ?3",
                        id, 2, pub_cert, backend);
}
