/* t-db-cacard.c - tests for the backup cards of a card CA (db-cacard.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "db-int.h"
#include "t-support.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];

static void
test_cacards (void)
{
  char path[128];
  db_t db = NULL;
  db_cacard_t *list = NULL;
  int64_t id = 0;

  snprintf (path, sizeof path, "%s/ca.db", tmpdir);
  ok_err (db_open (path, DB_OPEN_CREATE, &db), "create");
  if (!db)
    return;
  ok (db_schema_version (db) == DB_SCHEMA_VERSION && DB_SCHEMA_VERSION >= 3,
      "schema version %d (cacards since 3)", DB_SCHEMA_VERSION);
  ok_err (db_begin (db), "begin");
  ok_err (db_ca_insert (db, "example.org", "AB", "cert",
                        "card;FFFE:00000001;11111111", &id), "insert CA");
  ok_err (db_cacard_list (db, id, &list), "list (none)");
  ok (!list, "no backup card yet");
  ok_err (db_cacard_add (db, id, "FFFE:00000002", "22222222"), "add card 2");
  ok_err (db_cacard_add (db, id, "FFFE:00000003", "33333333"), "add card 3");
  ok_code (db_cacard_add (db, id, "FFFE:00000002", "44444444"),
           GPG_ERR_DUP_KEY, "the same card twice");
  ok_code (db_cacard_add (db, id, "", "1"), GPG_ERR_INV_VALUE, "no ident");
  ok_code (db_cacard_add (db, id, "FFFE:00000005", NULL), GPG_ERR_INV_VALUE,
           "no PIN");
  ok (db_cacard_add (db, id + 7, "FFFE:00000006", "6") != 0,
      "unknown CA certificate refused");
  ok_err (db_commit (db), "commit");
  ok_code (db_cacard_add (db, id, "FFFE:00000007", "7"), GPG_ERR_INV_STATE,
           "outside a transaction");

  ok_err (db_cacard_list (db, id, &list), "list");
  ok (list && !strcmp (list->ident, "FFFE:00000002")
      && !strcmp (list->pin, "22222222") && list->next
      && !strcmp (list->next->ident, "FFFE:00000003")
      && !strcmp (list->next->pin, "33333333") && !list->next->next,
      "both cards, in the order added");
  ok (list && gcry_is_secure (list->pin), "PIN in secure memory");
  db_cacard_release (list);
  list = NULL;

  /* A rolled back add leaves nothing.  */
  ok_err (db_begin (db), "begin");
  ok_err (db_cacard_add (db, id, "FFFE:00000008", "8"), "add card 8");
  ok_err (db_rollback (db), "rollback");
  ok_err (db_cacard_list (db, id, &list), "list after rollback");
  ok (list && list->next && !list->next->next, "still two cards");
  db_cacard_release (list);
  db_close (db);

  /* And they persist.  */
  ok_err (db_open (path, DB_OPEN_READONLY, &db), "reopen read-only");
  list = NULL;
  if (db)
    ok_err (db_cacard_list (db, id, &list), "list after reopen");
  ok (list && list->next && !list->next->next, "two cards stored");
  db_cacard_release (list);
  db_close (db);
}

int
main (void)
{
  gpg_error_t err;
  char cmd[128];
  const char *base = getenv ("TMPDIR");

  err = oca_init_gcrypt (64 * 1024);
  if (err)
    {
      printf ("Bail out! libgcrypt: %s\n", gpg_strerror (err));
      return 1;
    }
  snprintf (tmpdir, sizeof tmpdir, "%s/t-db-cacard.XXXXXX",
            base && *base && strlen (base) < 40 ? base : "/tmp");
  if (!mkdtemp (tmpdir))
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  test_cacards ();
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd))
    tap_diag ("could not remove %s", tmpdir);
  return tap_done ();
}
