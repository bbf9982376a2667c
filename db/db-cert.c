/* db-cert.c - users, their certificates and emails
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "db-int.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Columns read by read_cert_row, in this order.  */
#define CERT_SELECT                                                     \
  "SELECT c.id, c.fingerprint, c.pub_cert, c.user_id, u.name,"          \
  " c.delisted, c.inactive, v.record FROM certs c"                       \
  " LEFT JOIN users u ON u.id = c.user_id"                              \
  " LEFT JOIN certs_verified v ON v.cert_id = c.id"

/* Most emails we keep per cert (a sanity cap).  */
#define MAX_EMAILS_PER_CERT 10000


/* See db.h.  */
void
db_cert_release (db_cert_t *list)
{
  db_cert_t *next;
  size_t i;

  for (; list; list = next)
    {
      next = list->next;
      xfree (list->fingerprint);
      xfree (list->pub_cert);
      xfree (list->user_name);
      xfree (list->verified);
      if (list->emails)
        for (i = 0; i < list->nemails; i++)
          xfree (list->emails[i]);
      xfree (list->emails);
      xfree (list);
    }
}


/* See db.h.  */
gpg_error_t
db_user_insert (db_t db, const char *name, int64_t *r_user_id)
{
  gpg_error_t err;
  const db__arg_t args[] = { DB__TEXT (name) };

  *r_user_id = 0;
  db__clear_error (db);
  err = db__need_txn (db);
  if (err)
    return err;
  err = db__write (db, STMT_USER_INSERT,
                   "INSERT INTO users (name, ca_id)"
                   " VALUES (?1, (SELECT id FROM cas ORDER BY id LIMIT 1))",
                   args, DIM (args));
  if (gpg_err_code (err) == GPG_ERR_INV_VALUE)  /* ca_id NULL */
    err = db__error (db, gpg_error (GPG_ERR_NOT_INITIALIZED),
                     "the CA is not initialised");
  if (!err)
    *r_user_id = sqlite3_last_insert_rowid (db->sql);
  return err;
}


/* See db.h.  */
gpg_error_t
db_cert_insert (db_t db, const char *fingerprint, const char *pub_cert,
                int64_t user_id, int64_t *r_cert_id)
{
  gpg_error_t err;
  const db__arg_t args[] =
    { DB__TEXT (fingerprint), DB__TEXT (pub_cert), DB__ID (user_id) };

  if (r_cert_id)
    *r_cert_id = 0;
  db__clear_error (db);
  err = db__need_txn (db);
  if (err)
    return err;
  if (!fingerprint || !pub_cert)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE),
                      "missing fingerprint or cert");
  err = db__write (db, STMT_CERT_INSERT,
                   "INSERT INTO certs (fingerprint, pub_cert, user_id)"
                   " VALUES (?1, ?2, ?3)", args, DIM (args));
  if (gpg_err_code (err) == GPG_ERR_DUP_KEY)
    err = db__error (db, err, "a key with fingerprint %s is already stored",
                     fingerprint);
  if (!err && r_cert_id)
    *r_cert_id = sqlite3_last_insert_rowid (db->sql);
  return err;
}


/* See db.h.  */
gpg_error_t
db_cert_add_email (db_t db, int64_t cert_id, const char *addr)
{
  gpg_error_t err;
  const db__arg_t args[] = { DB__TEXT (addr), DB__ID (cert_id) };

  db__clear_error (db);
  err = db__need_txn (db);
  if (err)
    return err;
  if (!addr)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE), "missing email");
  return db__write (db, STMT_EMAIL_INSERT,
                    "INSERT INTO certs_emails (addr, cert_id)"
                    " VALUES (?1, ?2)", args, DIM (args));
}


/* See db.h.  */
gpg_error_t
db_user_add (db_t db, const char *name, const char *fingerprint,
             const char *pub_cert, const char *const *emails,
             size_t nemails, int64_t *r_user_id, int64_t *r_cert_id)
{
  gpg_error_t err;
  int64_t user_id, cert_id;
  size_t i;

  if (r_user_id)
    *r_user_id = 0;
  if (r_cert_id)
    *r_cert_id = 0;
  if (nemails && !emails)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE), "missing emails");
  err = db_user_insert (db, name, &user_id);
  if (!err)
    err = db_cert_insert (db, fingerprint, pub_cert, user_id, &cert_id);
  for (i = 0; !err && i < nemails; i++)
    err = db_cert_add_email (db, cert_id, emails[i]);
  if (err)
    return err;
  if (r_user_id)
    *r_user_id = user_id;
  if (r_cert_id)
    *r_cert_id = cert_id;
  return 0;
}


/* Read the current row of ST (columns of CERT_SELECT) into ITEM
 * (emails not yet filled).  */
static gpg_error_t
fill_cert (db_t db, sqlite3_stmt *st, void *item)
{
  db_cert_t *c = item;
  gpg_error_t err;

  c->id = sqlite3_column_int64 (st, 0);
  c->user_id = sqlite3_column_int64 (st, 3);
  c->delisted = !!sqlite3_column_int (st, 5);
  c->inactive = !!sqlite3_column_int (st, 6);
  err = db__column_str_nn (db, st, 1, 0, &c->fingerprint);
  if (!err)
    err = db__column_str_nn (db, st, 2, 0, &c->pub_cert);
  if (!err)
    err = db__column_str (db, st, 4, 0, &c->user_name);
  if (!err)
    err = db__column_str (db, st, 7, 0, &c->verified);
  return err;
}

static void
release_certs (void *list)
{
  db_cert_release (list);
}

static const db__rows_t cert_rows =
  {
    sizeof (db_cert_t), offsetof (db_cert_t, next), fill_cert, release_certs
  };


/* Fill C->emails from certs_emails.  */
static gpg_error_t
fill_emails (db_t db, db_cert_t *c)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  char **vec = NULL;
  char **tmp;
  size_t n = 0, size = 0;
  int row;

  err = db__stmt (db, STMT_EMAILS_OF_CERT,
                  "SELECT addr FROM certs_emails WHERE cert_id = ?1"
                  " ORDER BY id", &st);
  if (!err)
    err = db__bind_int64 (db, st, 1, c->id);
  if (err)
    goto leave;
  for (;;)
    {
      err = db__step (db, st, &row);
      if (err)
        goto leave;
      if (!row)
        break;
      if (n + 1 >= size)
        {
          if (size >= MAX_EMAILS_PER_CERT)
            {
              err = db__error (db, gpg_error (GPG_ERR_TOO_LARGE),
                               "too many emails for one cert");
              goto leave;
            }
          size = size ? 2 * size : 4;
          tmp = xtryrealloc (vec, size * sizeof *vec);
          if (!tmp)
            {
              err = db__error (db, oca_error_from_errno (), "out of memory");
              goto leave;
            }
          vec = tmp;
        }
      err = db__column_str_nn (db, st, 0, 0, &vec[n]);
      if (err)
        goto leave;
      n++;
    }
  if (!vec)
    {
      vec = xtrycalloc (1, sizeof *vec);
      if (!vec)
        {
          err = db__error (db, oca_error_from_errno (), "out of memory");
          goto leave;
        }
    }
  vec[n] = NULL;
  c->emails = vec;
  c->nemails = n;
  vec = NULL;

 leave:
  db__done (st);
  if (vec)
    {
      while (n)
        xfree (vec[--n]);
      xfree (vec);
    }
  return err;
}


/* Run the cached statement SID/SQL (with ?1 bound as for db__select)
 * and collect all rows as a list at R_LIST, each with its emails.  */
static gpg_error_t
select_certs (db_t db, enum db_stmt_id sid, const char *sql,
              const char *text, const int64_t *ival, db_cert_t **r_list)
{
  gpg_error_t err;
  void *vlist;
  db_cert_t *list, *c;

  *r_list = NULL;
  err = db__select (db, sid, sql, text, ival, &cert_rows, &vlist);
  if (err)
    return err;
  list = vlist;
  /* After db__select's reset: fill_emails uses another statement.  */
  for (c = list; !err && c; c = c->next)
    err = fill_emails (db, c);
  if (err)
    {
      db_cert_release (list);
      return err;
    }
  *r_list = list;
  return 0;
}


/* See db.h.  */
gpg_error_t
db_cert_get (db_t db, const char *fingerprint, db_cert_t **r_cert)
{
  gpg_error_t err;

  *r_cert = NULL;
  db__clear_error (db);
  if (!fingerprint)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE), "no fingerprint");
  err = select_certs (db, STMT_CERT_GET_FPR,
                      CERT_SELECT " WHERE c.fingerprint = ?1",
                      fingerprint, NULL, r_cert);
  if (!err && !*r_cert)
    err = db__error (db, gpg_error (GPG_ERR_NOT_FOUND),
                     "no key with fingerprint %s", fingerprint);
  return err;
}


/* See db.h.  */
gpg_error_t
db_cert_get_by_id (db_t db, int64_t id, db_cert_t **r_cert)
{
  gpg_error_t err;

  *r_cert = NULL;
  db__clear_error (db);
  err = select_certs (db, STMT_CERT_GET_ID, CERT_SELECT " WHERE c.id = ?1",
                      NULL, &id, r_cert);
  if (!err && !*r_cert)
    err = db__error (db, gpg_error (GPG_ERR_NOT_FOUND),
                     "no key with id %lld", (long long)id);
  return err;
}


/* See db.h.  */
gpg_error_t
db_cert_next_batch (db_t db, int64_t after, size_t max, db_cert_t **rows,
                    size_t *r_n)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  db_cert_t *c;
  int row = 1;

  *r_n = 0;
  db__clear_error (db);
  if (!rows || !max || max > DB_CERT_BATCH_MAX)
    return db__error (db, gpg_error (GPG_ERR_INV_ARG),
                      "invalid batch of certs");
  err = db__stmt (db, STMT_CERT_NEXT_BATCH,
                  CERT_SELECT " WHERE c.id > ?1 AND c.user_id IS NOT NULL"
                  " ORDER BY c.id LIMIT ?2", &st);
  if (!err)
    err = db__bind_int64 (db, st, 1, after);
  if (!err)
    err = db__bind_int64 (db, st, 2, (int64_t)max);
  while (!err && *r_n < max)
    {
      err = db__step (db, st, &row);
      if (err || !row)
        break;
      c = xtrycalloc (1, sizeof *c);
      if (!c)
        {
          err = db__error (db, oca_error_from_errno (), "out of memory");
          break;
        }
      err = fill_cert (db, st, c);
      if (err)
        {
          db_cert_release (c);
          break;
        }
      rows[(*r_n)++] = c;
    }
  db__done (st);
  return err;
}


/* See db.h.  */
gpg_error_t
db_cert_next (db_t db, const char *email, int64_t after, db_cert_t **r_cert)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  db_cert_t *c = NULL;
  int row = 0;

  *r_cert = NULL;
  db__clear_error (db);
  if (email)
    err = db__stmt (db, STMT_CERT_NEXT_EMAIL,
                    CERT_SELECT " WHERE c.id > ?1 AND c.id IN (SELECT cert_id"
                    " FROM certs_emails WHERE addr = ?2) ORDER BY c.id"
                    " LIMIT 1", &st);
  else
    err = db__stmt (db, STMT_CERT_NEXT,
                    CERT_SELECT " WHERE c.id > ?1 AND c.user_id IS NOT NULL"
                    " ORDER BY c.id LIMIT 1", &st);
  if (!err)
    err = db__bind_int64 (db, st, 1, after);
  if (!err && email)
    err = db__bind_text (db, st, 2, email);
  if (!err)
    err = db__step (db, st, &row);
  if (!err && row)
    {
      c = xtrycalloc (1, sizeof *c);
      if (!c)
        err = db__error (db, oca_error_from_errno (), "out of memory");
      else
        err = fill_cert (db, st, c);
    }
  db__done (st);
  if (!err && !row)
    return gpg_error (GPG_ERR_EOF);
  /* After the reset: fill_emails uses another statement.  */
  if (!err)
    err = fill_emails (db, c);
  if (err)
    {
      db_cert_release (c);
      return err;
    }
  *r_cert = c;
  return 0;
}


/* See db.h.  */
gpg_error_t
db_cert_ids_by_name (db_t db, int64_t **r_ids, size_t *r_n)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  int64_t *ids = NULL, *tmp;
  size_t n = 0, size = 0;
  int rc, row;

  *r_ids = NULL;
  *r_n = 0;
  db__clear_error (db);
  rc = sqlite3_prepare_v2 (db->sql, "SELECT c.id FROM certs c"
                           " LEFT JOIN users u ON u.id = c.user_id"
                           " WHERE c.user_id IS NOT NULL"
                           " ORDER BY u.name, c.id", -1, &st, NULL);
  if (rc)
    return db__sqlerr (db, rc);
  for (;;)
    {
      err = db__step (db, st, &row);
      if (err || !row)
        break;
      if (n == size)
        {
          if (size >= (SIZE_MAX / 2) / sizeof *ids)
            {
              err = db__error (db, gpg_error (GPG_ERR_TOO_LARGE),
                               "too many certs");
              break;
            }
          size = size ? 2 * size : 1024;
          tmp = xtryrealloc (ids, size * sizeof *ids);
          if (!tmp)
            {
              err = db__error (db, oca_error_from_errno (), "out of memory");
              break;
            }
          ids = tmp;
        }
      ids[n++] = sqlite3_column_int64 (st, 0);
    }
  sqlite3_finalize (st);
  if (err)
    {
      xfree (ids);
      return err;
    }
  *r_ids = ids;
  *r_n = n;
  return 0;
}


/* Run UPDATE statement SID/SQL with ?1 bound to TEXT (or, if TEXT is
 * NULL, the integer IVAL) and ?2 to ID.  */
static gpg_error_t
update_cert (db_t db, enum db_stmt_id sid, const char *sql, int64_t id,
             const char *text, int ival)
{
  gpg_error_t err;
  const db__arg_t targs[] = { DB__TEXT (text), DB__INT (id) };
  const db__arg_t iargs[] = { DB__INT (ival), DB__INT (id) };

  db__clear_error (db);
  err = db__need_txn (db);
  if (err)
    return err;
  err = db__write (db, sid, sql, text ? targs : iargs, 2);
  if (!err)
    err = db__changed_one (db, "cert", id);
  return err;
}


/* See db.h.  */
gpg_error_t
db_cert_update (db_t db, int64_t id, const char *pub_cert)
{
  if (!pub_cert)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE), "missing cert");
  return update_cert (db, STMT_CERT_UPDATE,
                      "UPDATE certs SET pub_cert = ?1 WHERE id = ?2",
                      id, pub_cert, 0);
}


/* A row of the text or record groups: (id, text).  */
static int
id_text_row (char *buf, size_t size, int base)
{
  return snprintf (buf, size, "(?%d,?%d)", base + 1, base + 2);
}


/* Run ST, the cached statement of DB_MANY rows of (id, text) from
 * ITEMS (the text at offset OFF of each), and check it changed as
 * many rows.  */
static gpg_error_t
store_group (db_t db, sqlite3_stmt *st, const db_cert_store_t *items,
             size_t off)
{
  gpg_error_t err = 0;
  size_t k;

  for (k = 0; !err && k < DB_MANY; k++)
    {
      const db__arg_t args[] =
        { DB__INT (items[k].id),
          DB__TEXT (*(const char *const *)((const char *)&items[k] + off)) };

      err = db__bind_args_at (db, st, (int)(2 * k), args, DIM (args));
    }
  if (!err)
    err = db__step_done (db, st);
  if (!err && sqlite3_changes (db->sql) != DB_MANY)
    err = db__error (db, gpg_error (GPG_ERR_NOT_FOUND),
                     "a cert of the group is not in the database");
  db__done (st);
  return err;
}


/* See db.h.  */
gpg_error_t
db_cert_store_many (db_t db, const db_cert_store_t *items, size_t n)
{
  gpg_error_t err;
  sqlite3_stmt *st;
  size_t i;

  db__clear_error (db);
  err = db__need_txn (db);
  if (err)
    return err;
  for (i = 0; i < n; i++)
    if (!items[i].pub_cert || !items[i].record)
      return db__error (db, gpg_error (GPG_ERR_INV_VALUE),
                        "missing cert or record");
  for (i = 0; !err && n - i >= DB_MANY; i += DB_MANY)
    {
      err = db__many_stmt (db, STMT_CERT_UPDATE_MANY,
                           "UPDATE certs SET pub_cert = v.column2"
                           " FROM (VALUES ", id_text_row, 2,
                           ") AS v WHERE certs.id = v.column1", &st);
      if (!err)
        err = store_group (db, st, items + i,
                           offsetof (db_cert_store_t, pub_cert));
      if (!err)
        err = db__many_stmt (db, STMT_CERT_SET_VERIFIED_MANY,
                             "INSERT INTO certs_verified (cert_id, record)"
                             " VALUES ", id_text_row, 2,
                             " ON CONFLICT (cert_id)"
                             " DO UPDATE SET record = excluded.record", &st);
      if (!err)
        err = store_group (db, st, items + i,
                           offsetof (db_cert_store_t, record));
    }
  for (; !err && i < n; i++)
    {
      err = db_cert_update (db, items[i].id, items[i].pub_cert);
      if (!err)
        err = db_cert_set_verified (db, items[i].id, items[i].record);
    }
  return err;
}


/* See db.h.  */
gpg_error_t
db_cert_set_delisted (db_t db, int64_t id, int yes)
{
  return update_cert (db, STMT_CERT_SET_DELISTED,
                      "UPDATE certs SET delisted = ?1 WHERE id = ?2",
                      id, NULL, !!yes);
}


/* See db.h.  */
gpg_error_t
db_cert_set_inactive (db_t db, int64_t id, int yes)
{
  return update_cert (db, STMT_CERT_SET_INACTIVE,
                      "UPDATE certs SET inactive = ?1 WHERE id = ?2",
                      id, NULL, !!yes);
}


/* See db.h.  */
gpg_error_t
db_cert_set_verified (db_t db, int64_t id, const char *record)
{
  gpg_error_t err;
  const db__arg_t args[] = { DB__INT (id), DB__TEXT (record) };

  db__clear_error (db);
  err = db__need_txn (db);
  if (err)
    return err;
  /* Two statements, two cache slots (the one cached first ran for
   * both: forgetting a record after storing one hit the NOT NULL of
   * the upsert).  */
  if (!record)
    return db__write (db, STMT_CERT_FORGET_VERIFIED,
                      "DELETE FROM certs_verified WHERE cert_id = ?1",
                      args, 1);
  /* An update in place where there is a record (REPLACE would delete
   * the row and insert it again).  */
  return db__write (db, STMT_CERT_SET_VERIFIED,
                    "INSERT INTO certs_verified (cert_id, record)"
                    " VALUES (?1, ?2) ON CONFLICT (cert_id)"
                    " DO UPDATE SET record = excluded.record",
                    args, DIM (args));
}
