/* db-queue.c - split mode: the request queue, the copy of a front
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The queue is openpgp-ca's table (schema v1): a front instance of a
 * split CA stores there what its back instance must certify.
 *
 * db_copy_front fills a new database from another one with SQL only
 * (ATTACH, INSERT ... SELECT with named columns), so that the private
 * key of the source (table cakeys) is never read, let alone written to
 * the new file.
 */
#include <config.h>
#include "db-int.h"

#include <stddef.h>
#include <string.h>


/* See db.h.  */
void
db_queue_release (db_queue_t *q)
{
  db_queue_t *next;

  for (; q; q = next)
    {
      next = q->next;
      xfree (q->created);
      xfree (q->task);
      xfree (q);
    }
}


/* See db.h.  */
gpg_error_t
db_queue_insert (db_t db, const char *created, const char *task,
                 int64_t *r_id)
{
  gpg_error_t err;
  const db__arg_t args[] = { DB__TEXT (created), DB__TEXT (task) };

  err = db__write_start (db, r_id);
  if (err)
    return err;
  if (!created || !task)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE),
                      "missing time or task");
  err = db__insert (db, STMT_QUEUE_INSERT,
                    "INSERT INTO queue (created, task, done)"
                    " VALUES (?1, ?2, 0)", args, DIM (args), r_id);
  return err;
}


/* Read the current row of ST (id, created, task, done) into ITEM.  */
static gpg_error_t
fill_queue (db_t db, sqlite3_stmt *st, void *item)
{
  db_queue_t *q = item;
  gpg_error_t err;

  q->id = sqlite3_column_int64 (st, 0);
  q->done = !!sqlite3_column_int64 (st, 3);
  err = db__column_str_nn (db, st, 1, 0, &q->created);
  if (!err)
    err = db__column_str_nn (db, st, 2, 0, &q->task);
  return err;
}

static void
release_queue (void *list)
{
  db_queue_release (list);
}

static const db__rows_t queue_rows =
  {
    sizeof (db_queue_t), offsetof (db_queue_t, next),
    fill_queue, release_queue
  };


/* See db.h.  */
gpg_error_t
db_queue_next (db_t db, int64_t after, int not_done, int exact,
               db_queue_t **r_q)
{
  gpg_error_t err;
  const db__arg_t args[] =
    { DB__INT (after), DB__INT (!!not_done), DB__INT (!!exact) };
  void *list;

  *r_q = NULL;
  db__clear_error (db);
  err = db__select_args (db, STMT_QUEUE_NEXT,
                         "SELECT id, created, task, done FROM queue"
                         " WHERE (?3 AND id = ?1) OR (NOT ?3 AND id > ?1"
                         " AND (NOT ?2 OR NOT done)) ORDER BY id LIMIT 1",
                         args, DIM (args), &queue_rows, &list);
  if (!err && !list)
    err = gpg_error (exact ? GPG_ERR_NOT_FOUND : GPG_ERR_EOF);
  if (!err)
    *r_q = list;
  return err;
}


/* See db.h.  */
gpg_error_t
db_queue_set_done (db_t db, int64_t id)
{
  return db__set_by_id (db, STMT_QUEUE_SET_DONE,
                        "UPDATE queue SET done = 1 WHERE id = ?1",
                        id, "queue entry");
}


/* Run SQL (no rows) on DB with ?1..?N bound to the NARGS texts.  */
static gpg_error_t
run (db_t db, const char *sql, const char *const *args, int nargs)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  int rc, i;

  rc = sqlite3_prepare_v2 (db->sql, sql, -1, &st, NULL);
  if (rc != SQLITE_OK)
    return db__sqlerr (db, rc);
  for (err = 0, i = 0; !err && i < nargs; i++)
    err = db__bind_text (db, st, i + 1, args[i]);
  if (!err)
    err = db__step_done (db, st);
  sqlite3_finalize (st);
  return err;
}


/* See db.h.  */
gpg_error_t
db_copy_front (db_t db, const char *srcpath, const char *fpr,
               const char *pub_cert, const char *backend)
{
  static const char *const copy[] =
    {
      "INSERT INTO main.cas (id, domainname)"
      " SELECT id, domainname FROM src.cas",
      "INSERT INTO main.users (id, name, ca_id)"
      " SELECT id, name, ca_id FROM src.users",
      "INSERT INTO main.certs (id, fingerprint, pub_cert, user_id, delisted,"
      " inactive) SELECT id, fingerprint, pub_cert, user_id, delisted,"
      " inactive FROM src.certs",
      "INSERT INTO main.certs_emails (id, addr, cert_id)"
      " SELECT id, addr, cert_id FROM src.certs_emails",
      "INSERT INTO main.revocations (id, hash, revocation, published,"
      " cert_id) SELECT id, hash, revocation, published, cert_id"
      " FROM src.revocations",
      "INSERT INTO main.bridges (id, email, scope, cert_id, cas_id)"
      " SELECT id, email, scope, cert_id, cas_id FROM src.bridges",
      "INSERT INTO main.queue (id, created, task, done)"
      " SELECT id, created, task, done FROM src.queue",
      "INSERT INTO main.certifications (id, cert_id, target_fpr,"
      " user_id_text, created, signature, issuer_fpr, kind, backend, card,"
      " card_sigcount, sig_hash)"
      " SELECT id, cert_id, target_fpr, user_id_text, created, signature,"
      " issuer_fpr, kind, backend, card, card_sigcount, sig_hash"
      " FROM src.certifications",
      "INSERT INTO main.settings (name, value)"
      " SELECT name, value FROM src.settings"
    };
  gpg_error_t err, err2;
  const char *args[3];
  size_t i;

  db__clear_error (db);
  if (db->in_txn || db->readonly)
    return db__error (db, gpg_error (GPG_ERR_INV_STATE),
                      "cannot copy into this database now");
  args[0] = srcpath;
  err = run (db, "ATTACH DATABASE ?1 AS src", args, 1);
  if (err)
    return err;
  err = db_begin (db);
  for (i = 0; !err && i < DIM (copy); i++)
    err = run (db, copy[i], NULL, 0);
  if (!err)
    {
      args[0] = fpr;
      args[1] = pub_cert;
      args[2] = backend;
      err = run (db, "INSERT INTO main.cacerts (fingerprint, priv_cert,"
                 " backend, active, ca_id) VALUES (?1, ?2, ?3, 1,"
                 " (SELECT id FROM main.cas))", args, 3);
    }
  if (!err)
    err = db_commit (db);
  if (err)
    db_rollback (db);
  err2 = run (db, "DETACH DATABASE src", NULL, 0);
  return err ? err : err2;
}
