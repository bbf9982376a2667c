/* db-cacard.c - the CA's backup cards (table cacards)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A card CA keeps its card in cacerts.backend ("card;IDENT;PIN",
 * openpgp-ca's format).  Further cards holding the same key (`ca
 * set-backend card --add IDENT') are rows of cacards, each with its own
 * User PIN.  The PIN is a secret like the backend string: it is copied
 * from SQLite's buffer straight into secure memory and wiped on
 * release.
 */
#include <config.h>
#include "db-int.h"

#include <stddef.h>
#include <string.h>


/* See db.h.  */
void
db_cacard_release (db_cacard_t *list)
{
  db_cacard_t *next;

  for (; list; list = next)
    {
      next = list->next;
      xfree (list->ident);
      wipe_and_free_string (list->pin);
      wipememory (list, sizeof *list);
      xfree (list);
    }
}


/* See db.h.  */
gpg_error_t
db_cacard_add (db_t db, int64_t cacert_id, const char *ident,
               const char *pin)
{
  gpg_error_t err;
  const db__arg_t args[] = { DB__INT (cacert_id), DB__TEXT (ident),
                             DB__TEXT (pin) };

  db__clear_error (db);
  err = db__need_txn (db);
  if (err)
    return err;
  if (!ident || !*ident || !pin || !*pin)
    return db__error (db, gpg_error (GPG_ERR_INV_VALUE),
                      "missing card or PIN");
  err = db__write (db, STMT_CACARD_INSERT,
                   "INSERT INTO cacards (cacert_id, ident, pin)"
                   " VALUES (?1, ?2, ?3)", args, DIM (args));
  if (gpg_err_code (err) == GPG_ERR_DUP_KEY)
    err = db__error (db, err, "card %s is already recorded", ident);
  return err;
}


/* Read the current row of ST (ident, pin) into ITEM.  */
static gpg_error_t
fill_cacard (db_t db, sqlite3_stmt *st, void *item)
{
  db_cacard_t *c = item;
  gpg_error_t err;

  err = db__column_str_nn (db, st, 0, 0, &c->ident);
  if (!err)
    err = db__column_str_nn (db, st, 1, 1, &c->pin);
  return err;
}

static void
release_cacards (void *list)
{
  db_cacard_release (list);
}

static const db__rows_t cacard_rows =
  {
    sizeof (db_cacard_t), offsetof (db_cacard_t, next),
    fill_cacard, release_cacards
  };


/* See db.h.  */
gpg_error_t
db_cacard_list (db_t db, int64_t cacert_id, db_cacard_t **r_list)
{
  gpg_error_t err;
  void *list = NULL;

  *r_list = NULL;
  db__clear_error (db);
  err = db__select (db, STMT_CACARD_LIST,
                    "SELECT ident, pin FROM cacards WHERE cacert_id = ?1"
                    " ORDER BY id", NULL, &cacert_id, &cacard_rows, &list);
  *r_list = list;
  return err;
}
