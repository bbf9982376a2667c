/* db-misc.c - revocations, bridges, the certification log, pending ops
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "db-int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>


/*-- Revocations --*/

/* See db.h.  */
void
db_revocation_release (db_revocation_t *list)
{
  db_revocation_t *next;

  for (; list; list = next)
    {
      next = list->next;
      xfree (list->hash);
      xfree (list->revocation);
      xfree (list);
    }
}


/* See db.h.  */
gpg_error_t
db_revocation_insert (db_t db, int64_t cert_id, const char *hash,
                      const char *revocation, int published, int64_t *r_id)
{
  gpg_error_t err;
  const db__arg_t args[] =
    { DB__TEXT (hash), DB__TEXT (revocation), DB__INT (!!published),
      DB__ID (cert_id) };

  err = db__write_start (db, r_id);
  if (err)
    return err;
  if (!hash || !revocation)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE),
                      "missing revocation or its hash");
  err = db__insert (db, STMT_REV_INSERT,
                    "INSERT INTO revocations (hash, revocation, published,"
                    " cert_id) VALUES (?1, ?2, ?3, ?4)",
                    args, DIM (args), r_id);
  if (gpg_err_code (err) == GPG_ERR_DUP_KEY)
    err = db__error (db, err, "revocation %s is already stored", hash);
  return err;
}


#define REV_SELECT \
  "SELECT id, hash, revocation, published, cert_id FROM revocations"

/* Read the current row of ST (columns of REV_SELECT) into ITEM.  */
static gpg_error_t
fill_revocation (db_t db, sqlite3_stmt *st, void *item)
{
  db_revocation_t *r = item;
  gpg_error_t err;

  r->id = sqlite3_column_int64 (st, 0);
  r->published = !!sqlite3_column_int (st, 3);
  r->cert_id = sqlite3_column_int64 (st, 4);
  err = db__column_str_nn (db, st, 1, 0, &r->hash);
  if (!err)
    err = db__column_str_nn (db, st, 2, 0, &r->revocation);
  return err;
}

static void
release_revocations (void *list)
{
  db_revocation_release (list);
}

static const db__rows_t revocation_rows =
  {
    sizeof (db_revocation_t), offsetof (db_revocation_t, next),
    fill_revocation, release_revocations
  };


/* See db.h.  */
gpg_error_t
db_revocation_list (db_t db, int64_t cert_id, db_revocation_t **r_list)
{
  gpg_error_t err;
  void *list;

  *r_list = NULL;
  db__clear_error (db);
  err = db__select (db, STMT_REV_LIST,
                    REV_SELECT " WHERE cert_id = ?1 ORDER BY id",
                    NULL, &cert_id, &revocation_rows, &list);
  *r_list = list;
  return err;
}


/* See db.h.  */
gpg_error_t
db_revocation_get (db_t db, const char *hash, db_revocation_t **r_rev)
{
  gpg_error_t err;
  void *list;

  *r_rev = NULL;
  db__clear_error (db);
  if (!hash)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE), "no hash");
  err = db__select (db, STMT_REV_GET, REV_SELECT " WHERE hash = ?1",
                    hash, NULL, &revocation_rows, &list);
  *r_rev = list;
  if (!err && !*r_rev)
    err = db__error (db, gpg_error (GPG_ERR_NOT_FOUND),
                     "no revocation found for %s", hash);
  return err;
}


/* See db.h.  */
gpg_error_t
db_revocation_set_published (db_t db, int64_t id)
{
  return db__set_by_id (db, STMT_REV_PUBLISHED,
                        "UPDATE revocations SET published = 1"
                        " WHERE id = ?1", id, "revocation");
}


/*-- Bridges --*/

#define BRIDGE_SELECT                                                   \
  "SELECT b.id, b.email, b.scope, b.cert_id, b.cas_id, c.fingerprint,"  \
  " c.pub_cert FROM bridges b JOIN certs c ON c.id = b.cert_id"

/* See db.h.  */
void
db_bridge_release (db_bridge_t *list)
{
  db_bridge_t *next;

  for (; list; list = next)
    {
      next = list->next;
      xfree (list->email);
      xfree (list->scope);
      xfree (list->fingerprint);
      xfree (list->pub_cert);
      xfree (list);
    }
}


/* See db.h.  */
gpg_error_t
db_bridge_insert (db_t db, const char *email, const char *scope,
                  int64_t cert_id, int64_t *r_id)
{
  gpg_error_t err;
  const db__arg_t args[] =
    { DB__TEXT (email), DB__TEXT (scope), DB__ID (cert_id) };

  err = db__write_start (db, r_id);
  if (err)
    return err;
  if (!email || !scope)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE),
                      "missing bridge email or scope");
  err = db__insert (db, STMT_BRIDGE_INSERT,
                    "INSERT INTO bridges (email, scope, cert_id, cas_id)"
                    " VALUES (?1, ?2, ?3,"
                    " (SELECT id FROM cas ORDER BY id LIMIT 1))",
                    args, DIM (args), r_id);
  if (gpg_err_code (err) == GPG_ERR_INV_VALUE)
    err = db__error (db, gpg_error (GPG_ERR_NOT_INITIALIZED),
                     "the CA is not initialised (or no bridge cert)");
  else if (gpg_err_code (err) == GPG_ERR_DUP_KEY)
    err = db__error (db, err, "a bridge to %s already exists", email);
  return err;
}


/* Read the current row of ST (columns of BRIDGE_SELECT) into ITEM.  */
static gpg_error_t
fill_bridge (db_t db, sqlite3_stmt *st, void *item)
{
  db_bridge_t *b = item;
  gpg_error_t err;

  b->id = sqlite3_column_int64 (st, 0);
  b->cert_id = sqlite3_column_int64 (st, 3);
  b->cas_id = sqlite3_column_int64 (st, 4);
  err = db__column_str_nn (db, st, 1, 0, &b->email);
  if (!err)
    err = db__column_str_nn (db, st, 2, 0, &b->scope);
  if (!err)
    err = db__column_str_nn (db, st, 5, 0, &b->fingerprint);
  if (!err)
    err = db__column_str_nn (db, st, 6, 0, &b->pub_cert);
  return err;
}

static void
release_bridges (void *list)
{
  db_bridge_release (list);
}

static const db__rows_t bridge_rows =
  {
    sizeof (db_bridge_t), offsetof (db_bridge_t, next),
    fill_bridge, release_bridges
  };


/* See db.h.  */
gpg_error_t
db_bridge_list (db_t db, db_bridge_t **r_list)
{
  gpg_error_t err;
  void *list;

  *r_list = NULL;
  db__clear_error (db);
  err = db__select (db, STMT_BRIDGE_LIST, BRIDGE_SELECT " ORDER BY b.id",
                    NULL, NULL, &bridge_rows, &list);
  *r_list = list;
  return err;
}


/* See db.h.  */
gpg_error_t
db_bridge_get (db_t db, const char *email, db_bridge_t **r_bridge)
{
  gpg_error_t err;
  void *list;

  *r_bridge = NULL;
  db__clear_error (db);
  if (!email)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE), "no email");
  err = db__select (db, STMT_BRIDGE_GET, BRIDGE_SELECT " WHERE b.email = ?1",
                    email, NULL, &bridge_rows, &list);
  *r_bridge = list;
  if (!err && !*r_bridge)
    err = db__error (db, gpg_error (GPG_ERR_NOT_FOUND),
                     "no bridge to %s", email);
  return err;
}


/*-- Certification log --*/

static const char *const kind_names[] =
  { "certification", "tsig", "bridge", "revocation", "signature" };

/* See db.h.  */
const char *
db_certification_kind_str (db_certification_kind_t kind)
{
  if ((unsigned int)kind >= DIM (kind_names))
    return NULL;
  return kind_names[kind];
}


/* See db.h.  */
void
db_certification_release (db_certification_t *list)
{
  db_certification_t *next;

  for (; list; list = next)
    {
      next = list->next;
      xfree (list->target_fpr);
      xfree (list->user_id);
      xfree (list->signature);
      xfree (list->issuer_fpr);
      xfree (list->backend);
      xfree (list->card);
      xfree (list->sig_hash);
      xfree (list);
    }
}


/* The columns of a certification row written (db_certification_insert
 * and _many), and the parameters of one row of them: ?1 to ?11 from
 * BASE on; the card's counter only with the card.  */
#define CERTIFICATION_INSERT                                            \
  "INSERT INTO certifications (cert_id, target_fpr, user_id_text,"     \
  " created, signature, issuer_fpr, kind, backend, card, card_sigcount," \
  " sig_hash) VALUES "
#define CERTIFICATION_NPARAMS 11

static int
certification_row (char *buf, size_t size, int b)
{
  return snprintf (buf, size, "(?%d,?%d,?%d,?%d,?%d,?%d,?%d,?%d,?%d,"
                   "CASE WHEN ?%d IS NULL OR ?%d<0 THEN NULL ELSE ?%d END,"
                   "?%d)", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7,
                   b + 8, b + 9, b + 9, b + 10, b + 10, b + 11);
}


/* Bind REC's row of a certification insert at BASE of ST.  */
static gpg_error_t
bind_certification (db_t db, sqlite3_stmt *st, int base,
                    const db_certification_t *rec)
{
  const char *kind = db_certification_kind_str (rec->kind);
  const db__arg_t args[CERTIFICATION_NPARAMS] =
    { DB__ID (rec->cert_id), DB__TEXT (rec->target_fpr),
      DB__TEXT (rec->user_id), DB__INT (rec->created),
      DB__TEXT (rec->signature), DB__TEXT (rec->issuer_fpr),
      DB__TEXT (kind), DB__TEXT (rec->backend), DB__TEXT (rec->card),
      DB__INT (rec->card_sigcount), DB__TEXT (rec->sig_hash) };

  if (!kind || !rec->target_fpr || !rec->signature || !rec->issuer_fpr)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE),
                      "incomplete certification record");
  return db__bind_args_at (db, st, base, args, DIM (args));
}


/* See db.h.  */
gpg_error_t
db_certification_insert (db_t db, const db_certification_t *rec,
                         int64_t *r_id)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  char row[256];

  err = db__write_start (db, r_id);
  if (err)
    return err;
  if (!rec)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE),
                      "incomplete certification record");
  if (!db->stmt[STMT_CERTIFICATION_INSERT])
    {
      char sql[sizeof CERTIFICATION_INSERT + sizeof row];

      certification_row (row, sizeof row, 0);
      snprintf (sql, sizeof sql, "%s%s", CERTIFICATION_INSERT, row);
      err = db__stmt (db, STMT_CERTIFICATION_INSERT, sql, &st);
    }
  else
    st = db->stmt[STMT_CERTIFICATION_INSERT];
  if (!err)
    err = bind_certification (db, st, 0, rec);
  if (!err)
    err = db__step_done (db, st);
  if (!err && r_id)
    *r_id = sqlite3_last_insert_rowid (db->sql);
  db__done (st);
  return err;
}


/* See db.h.  */
gpg_error_t
db_certification_insert_many (db_t db, const db_certification_t *recs,
                              size_t n)
{
  gpg_error_t err;
  sqlite3_stmt *st;
  size_t i, k;

  err = db__write_start (db, NULL);
  for (i = 0; !err && n - i >= DB_MANY; i += DB_MANY)
    {
      err = db__many_stmt (db, STMT_CERTIFICATION_INSERT_MANY,
                           CERTIFICATION_INSERT, certification_row,
                           CERTIFICATION_NPARAMS, "", &st);
      for (k = 0; !err && k < DB_MANY; k++)
        err = bind_certification (db, st,
                                  (int)(k * CERTIFICATION_NPARAMS),
                                  &recs[i + k]);
      if (!err)
        err = db__step_done (db, st);
      db__done (st);
    }
  for (; !err && i < n; i++)
    err = db_certification_insert (db, &recs[i], NULL);
  return err;
}


#define CERTIFICATION_SELECT DB_CERTIFICATION_SELECT

/* See db-int.h.  */
gpg_error_t
db__fill_certification (db_t db, sqlite3_stmt *st, void *item)
{
  db_certification_t *c = item;
  gpg_error_t err;
  char *kind = NULL;
  unsigned int k;

  c->id = sqlite3_column_int64 (st, 0);
  c->cert_id = sqlite3_column_int64 (st, 1);
  c->created = sqlite3_column_int64 (st, 4);
  err = db__column_str_nn (db, st, 2, 0, &c->target_fpr);
  if (!err)
    err = db__column_str (db, st, 3, 0, &c->user_id);
  if (!err)
    err = db__column_str_nn (db, st, 5, 0, &c->signature);
  if (!err)
    err = db__column_str_nn (db, st, 6, 0, &c->issuer_fpr);
  if (!err)
    err = db__column_str_nn (db, st, 7, 0, &kind);
  if (!err)
    err = db__column_str (db, st, 8, 0, &c->backend);
  if (!err)
    err = db__column_str (db, st, 9, 0, &c->card);
  if (!err)
    err = db__column_str (db, st, 11, 0, &c->sig_hash);
  c->card_sigcount = sqlite3_column_type (st, 10) == SQLITE_NULL ? -1
    : sqlite3_column_int64 (st, 10);
  if (err)
    {
      xfree (kind);
      return err;
    }
  for (k = 0; k < DIM (kind_names); k++)
    if (!strcmp (kind, kind_names[k]))
      break;
  xfree (kind);
  if (k == DIM (kind_names))
    return db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                      "unknown certification kind in the database");
  c->kind = (db_certification_kind_t)k;
  return 0;
}

static void
release_certifications (void *list)
{
  db_certification_release (list);
}

static const db__rows_t certification_rows =
  {
    sizeof (db_certification_t), offsetof (db_certification_t, next),
    db__fill_certification, release_certifications
  };


/* See db.h.  */
gpg_error_t
db_certification_list (db_t db, const char *target_fpr,
                       db_certification_t **r_list)
{
  gpg_error_t err;
  void *list;

  *r_list = NULL;
  db__clear_error (db);
  /* A record's cert_id is the row of its target or NULL (see
   * db-schema.c, version 6).  */
  if (target_fpr)
    err = db__select (db, STMT_CERTIFICATION_LIST,
                      CERTIFICATION_SELECT " WHERE cert_id ="
                      " (SELECT id FROM certs WHERE fingerprint = ?1)"
                      " AND target_fpr = ?1"
                      " UNION ALL "
                      CERTIFICATION_SELECT " WHERE cert_id IS NULL"
                      " AND target_fpr = ?1"
                      " ORDER BY 1", target_fpr, NULL,
                      &certification_rows, &list);
  else
    err = db__select (db, STMT_CERTIFICATION_LIST_ALL,
                      CERTIFICATION_SELECT " ORDER BY id", NULL, NULL,
                      &certification_rows, &list);
  *r_list = list;
  return err;
}


/* See db.h.  */
gpg_error_t
db_certification_count (db_t db, const char *target_fpr, uint64_t *r_count)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  int row;

  *r_count = 0;
  db__clear_error (db);
  if (target_fpr)
    err = db__stmt (db, STMT_CERTIFICATION_COUNT,
                    "SELECT (SELECT count(*) FROM certifications"
                    " WHERE cert_id ="
                    " (SELECT id FROM certs WHERE fingerprint = ?1)"
                    " AND target_fpr = ?1)"
                    " + (SELECT count(*) FROM certifications"
                    " WHERE cert_id IS NULL AND target_fpr = ?1)", &st);
  else
    err = db__stmt (db, STMT_CERTIFICATION_COUNT_ALL,
                    "SELECT count(*) FROM certifications", &st);
  if (!err && target_fpr)
    err = db__bind_text (db, st, 1, target_fpr);
  if (!err)
    err = db__step (db, st, &row);
  if (!err && row)
    *r_count = (uint64_t)sqlite3_column_int64 (st, 0);
  db__done (st);
  return err;
}


/*-- Pending operations --*/

/* See db.h.  */
gpg_error_t
db_pending_set (db_t db, const char *key, const char *value)
{
  gpg_error_t err;
  const db__arg_t args[] =
    { DB__TEXT (key), DB__TEXT (value), DB__INT ((int64_t)time (NULL)) };

  err = db__write_start (db, NULL);
  if (err)
    return err;
  if (!key || !value)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE),
                      "missing pending key or value");
  return db__write (db, STMT_PENDING_SET,
                    "INSERT OR REPLACE INTO pending (key, value, created)"
                    " VALUES (?1, ?2, ?3)", args, DIM (args));
}


/* See db.h.  */
gpg_error_t
db_pending_get (db_t db, const char *key, char **r_value,
                int64_t *r_created)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  char *value = NULL;
  int row;

  *r_value = NULL;
  if (r_created)
    *r_created = 0;
  db__clear_error (db);
  if (!key)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE), "no key");
  err = db__stmt (db, STMT_PENDING_GET,
                  "SELECT value, created FROM pending WHERE key = ?1", &st);
  if (!err)
    err = db__bind_text (db, st, 1, key);
  if (!err)
    err = db__step (db, st, &row);
  if (err)
    goto leave;
  if (!row)
    {
      err = db__error (db, gpg_error (GPG_ERR_NOT_FOUND),
                       "no pending operation '%s'", key);
      goto leave;
    }
  err = db__column_str_nn (db, st, 0, 1, &value);
  if (err)
    goto leave;
  if (r_created)
    *r_created = sqlite3_column_int64 (st, 1);
  *r_value = value;
  value = NULL;

 leave:
  db__done (st);
  wipe_and_free_string (value);
  return err;
}


/* See db.h.  */
gpg_error_t
db_pending_delete (db_t db, const char *key)
{
  gpg_error_t err;
  const db__arg_t args[] = { DB__TEXT (key) };

  err = db__write_start (db, NULL);
  if (err)
    return err;
  if (!key)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE), "no key");
  return db__write (db, STMT_PENDING_DELETE,
                    "DELETE FROM pending WHERE key = ?1", args, DIM (args));
}
