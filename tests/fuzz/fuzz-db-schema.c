/* fuzz-db-schema.c - the table numbers of fuzz-db and the empty
 * database of each schema version (see fuzz-db.h)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "fuzz-db.h"
#include "db-int.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The table numbers.  APPEND a table that a new schema version adds;
 * never reorder or remove one (a dropped table keeps its number).  */
const char *const fuzz_db_table_names[] =
  {
    /* Schema 1.  */
    "cas", "cacerts", "users", "certs", "certs_emails", "revocations",
    "bridges", "queue", "certifications", "pending",
    /* Schema 2.  */
    "cakeys",
    /* Schema 3.  */
    "cacards",
    /* Schema 4 (certifications rebuilt with more columns).  */
    "settings",
    /* Schema 5.  */
    "certs_verified"
  };
const size_t fuzz_db_ntable_names = DIM (fuzz_db_table_names);

_Static_assert (DIM (fuzz_db_table_names) <= FUZZ_DB_SLOTS,
                "more tables than fuzz-db's table numbers");


int
fuzz_db_table_number (const char *name)
{
  size_t i;

  for (i = 0; i < DIM (fuzz_db_table_names); i++)
    if (!strcmp (fuzz_db_table_names[i], name))
      return (int)i;
  return -1;
}


int
fuzz_db_schema (const char *path, unsigned int version,
                fuzz_db_schema_t *schema, const char **r_why)
{
  static char why[256];
  db_t db = NULL;
  sqlite3 *sql = NULL;
  sqlite3_stmt *st = NULL;
  FILE *fp = NULL;
  long n;
  int t, c, rc = -1;

  memset (schema, 0, sizeof *schema);
  schema->version = version;
  for (t = 0; t < FUZZ_DB_SLOTS; t++)
    schema->table[t].ncols = -1;
  *r_why = why;
  if (!version || version > db_n_migrations)
    {
      snprintf (why, sizeof why, "no schema version %u", version);
      return -1;
    }
  /* As that version of oca created it: the steps up to VERSION.  */
  if (db__open_ext (path, DB_OPEN_CREATE, db_migrations, version, &db))
    {
      snprintf (why, sizeof why, "creating schema %u: %s", version,
                db_errmsg (NULL));
      return -1;
    }
  db_close (db);

  if (sqlite3_open_v2 (path, &sql, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (sql, "SELECT name FROM sqlite_master WHERE "
                             "type = 'table' AND name NOT LIKE 'sqlite_%'",
                             -1, &st, NULL) != SQLITE_OK)
    {
      snprintf (why, sizeof why, "reading schema %u: %s", version,
                sqlite3_errmsg (sql));
      goto leave;
    }
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *name = (const char *)sqlite3_column_text (st, 0);
      sqlite3_stmt *st2 = NULL;
      char q[128];

      t = fuzz_db_table_number (name);
      if (t < 0)
        {
          snprintf (why, sizeof why, "table '%s' of schema %u has no"
                    " number: append it to fuzz_db_table_names"
                    " (tests/fuzz/fuzz-db-schema.c)", name, version);
          goto leave;
        }
      snprintf (q, sizeof q, "SELECT * FROM \"%.63s\"", name);
      if (sqlite3_prepare_v2 (sql, q, -1, &st2, NULL) != SQLITE_OK)
        {
          snprintf (why, sizeof why, "reading the columns of '%s'", name);
          goto leave;
        }
      schema->table[t].ncols = sqlite3_column_count (st2);
      if (schema->table[t].ncols > FUZZ_DB_MAXCOLS)
        {
          sqlite3_finalize (st2);
          snprintf (why, sizeof why, "table '%s' has more than %d columns",
                    name, FUZZ_DB_MAXCOLS);
          goto leave;
        }
      for (c = 0; c < schema->table[t].ncols; c++)
        snprintf (schema->table[t].col[c], sizeof schema->table[t].col[c],
                  "%s", sqlite3_column_name (st2, c));
      sqlite3_finalize (st2);
    }
  sqlite3_finalize (st);
  st = NULL;
  sqlite3_close (sql);
  sql = NULL;

  fp = fopen (path, "rb");
  if (!fp || fseek (fp, 0, SEEK_END) || (n = ftell (fp)) <= 0
      || fseek (fp, 0, SEEK_SET)
      || !(schema->image = malloc (n))
      || fread (schema->image, 1, n, fp) != (size_t)n)
    {
      snprintf (why, sizeof why, "reading '%s': %s", path, strerror (errno));
      goto leave;
    }
  schema->imagelen = n;
  rc = 0;

 leave:
  if (fp)
    fclose (fp);
  sqlite3_finalize (st);
  sqlite3_close (sql);
  unlink (path);
  if (rc)
    {
      free (schema->image);
      schema->image = NULL;
    }
  return rc;
}
