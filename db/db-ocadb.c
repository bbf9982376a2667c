/* db-ocadb.c - reading an openpgp-ca database, strictly read-only
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * openpgp-ca 0.13/0.14 keeps a CA in one SQLite file built by four
 * diesel migrations, recorded in its table __diesel_schema_migrations
 * (see ../shared/spec/openpgp-ca.md, section 2).  `oca ca
 * import-openpgp-ca' copies it into a new oca database: this file
 * reads the old one and writes the rows into the new one, keeping
 * their ids; src/ca/ca-import-ocadb.c checks what the rows mean.
 *
 * The old file must not change at all, not even its mtime: it is
 * opened through a URI with mode=ro and immutable=1, which makes
 * SQLite take no lock and never look for, create or roll back a
 * journal or WAL file.  Because immutable also means "nobody writes
 * it", a file with a journal or WAL beside it (openpgp-ca writing it,
 * or crashed mid-transaction) is refused: its committed state is not
 * the file alone.  The whole file is checked (PRAGMA quick_check)
 * before anything is read.
 */
#include <config.h>
#include "db-int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The diesel migrations of openpgp-ca 0.13 and 0.14, in order.  */
static const char *const diesel_versions[] =
  {
    "20200817130000",           /* database */
    "20201013130000",           /* extend_certs */
    "20230103130000",           /* ca_card */
    "20230315130000"            /* queue */
  };

/* What a column holds and where it goes in a db_oca_row_t.  */
enum col_kind
  {
    COL_REF,                    /* Row id, NOT NULL: ref[slot].  */
    COL_REFN,                   /* Row id or NULL (0): ref[slot].  */
    COL_BOOL,                   /* 0 or 1: flag[slot].  */
    COL_TEXT,                   /* Text, NOT NULL: text[slot].  */
    COL_TEXTN                   /* Text or NULL: text[slot].  */
  };

struct col
{
  const char *name;
  enum col_kind kind;
  int slot;
};

#define MAX_COLS 6

static const struct table
{
  const char *name;
  int secure;                   /* Its texts are secrets.  */
  struct col cols[MAX_COLS];    /* After id; ends with a NULL name.  */
} tables[DB_OCA_NTABLES] =
  {
    { "cas", 0, { { "domainname", COL_TEXT, 0 } } },
    { "cacerts", 1, { { "fingerprint", COL_TEXT, 0 },
                      { "priv_cert", COL_TEXT, 1 },
                      { "backend", COL_TEXTN, 2 },
                      { "active", COL_BOOL, 0 },
                      { "ca_id", COL_REF, 0 } } },
    { "users", 0, { { "name", COL_TEXTN, 0 },
                    { "ca_id", COL_REF, 0 } } },
    { "certs", 0, { { "fingerprint", COL_TEXT, 0 },
                    { "pub_cert", COL_TEXT, 1 },
                    { "user_id", COL_REFN, 0 },
                    { "delisted", COL_BOOL, 0 },
                    { "inactive", COL_BOOL, 1 } } },
    { "certs_emails", 0, { { "addr", COL_TEXT, 0 },
                           { "cert_id", COL_REF, 0 } } },
    { "revocations", 0, { { "hash", COL_TEXT, 0 },
                          { "revocation", COL_TEXT, 1 },
                          { "published", COL_BOOL, 0 },
                          { "cert_id", COL_REF, 0 } } },
    { "bridges", 0, { { "email", COL_TEXT, 0 },
                      { "scope", COL_TEXT, 1 },
                      { "cert_id", COL_REF, 0 },
                      { "cas_id", COL_REF, 1 } } },
    { "queue", 0, { { "created", COL_TEXT, 0 },
                    { "task", COL_TEXT, 1 },
                    { "done", COL_BOOL, 0 } } }
  };


/* See db.h.  */
const char *
db_oca_table_name (db_oca_table_t t)
{
  return (unsigned int)t < DB_OCA_NTABLES ? tables[t].name : "?";
}


/* See db.h.  */
void
db_oca_row_clear (db_oca_row_t *row)
{
  int i;

  if (!row)
    return;
  for (i = 0; i < 3; i++)
    wipe_and_free_string (row->text[i]);
  memset (row, 0, sizeof *row);
}


/* The column list of table T ("c1, c2, ..."), or with PARAMS the
 * parameters of an insert ("?2, ?3, ..."), into BUF.  */
static void
column_list (db_oca_table_t t, int params, char *buf, size_t size)
{
  const struct col *c;
  size_t n = 0;
  int i;

  buf[0] = 0;
  for (i = 0, c = tables[t].cols; c->name && n < size; i++, c++)
    {
      if (params)
        n += snprintf (buf + n, size - n, ", ?%d", i + 2);
      else
        n += snprintf (buf + n, size - n, ", %s", c->name);
    }
}


/* The cached statement of table T: the next row of SRC (SELECT) or
 * the insert into DB.  */
static gpg_error_t
table_stmt (db_t db, db_oca_table_t t, int insert, sqlite3_stmt **r_st)
{
  char cols[256], sql[512];

  column_list (t, 0, cols, sizeof cols);
  if (insert)
    {
      char params[128];

      column_list (t, 1, params, sizeof params);
      snprintf (sql, sizeof sql, "INSERT INTO %s (id%s) VALUES (?1%s)",
                tables[t].name, cols, params);
      return db__stmt (db, STMT_OCA_INSERT + t, sql, r_st);
    }
  snprintf (sql, sizeof sql, "SELECT id%s FROM %s WHERE id > ?1"
            " ORDER BY id LIMIT 1", cols, tables[t].name);
  return db__stmt (db, STMT_OCA_NEXT + t, sql, r_st);
}


/* Percent-encode PATH into a file: URI that opens it read-only and
 * immutable (xfree).  */
static char *
immutable_uri (const char *path)
{
  static const char hexd[] = "0123456789ABCDEF";
  const char tail[] = "?mode=ro&immutable=1";
  size_t n = strlen (path);
  char *uri, *p;
  const unsigned char *s;

  uri = xtrymalloc (5 + 3 * n + sizeof tail);
  if (!uri)
    return NULL;
  p = stpcpy (uri, "file:");
  for (s = (const unsigned char *)path; *s; s++)
    if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
        || (*s >= '0' && *s <= '9') || strchr ("/-._~", *s))
      *p++ = *s;
    else
      {
        *p++ = '%';
        *p++ = hexd[*s >> 4];
        *p++ = hexd[*s & 15];
      }
  strcpy (p, tail);
  return uri;
}


/* Refuse PATH when a journal or WAL file with content lies beside it.  */
static gpg_error_t
check_no_journal (db_t db, const char *path)
{
  static const char *const suffix[] = { "-journal", "-wal" };
  struct stat st;
  char *name;
  size_t i;
  int found;

  for (i = 0; i < DIM (suffix); i++)
    {
      name = gpgrt_bsprintf ("%s%s", path, suffix[i]);
      if (!name)
        return db__error (db, oca_error_from_errno (), "out of memory");
      found = !lstat (name, &st) && st.st_size > 0;
      if (found)
        db__error (db, gpg_error (GPG_ERR_LOCKED),
                   "'%s' has a %s file beside it (openpgp-ca is writing it "
                   "or crashed): let openpgp-ca finish or open it once, "
                   "then import again", path, suffix[i] + 1);
      gpgrt_free (name);
      if (found)
        return gpg_error (GPG_ERR_LOCKED);
    }
  return 0;
}


/* Check the whole file, the diesel migrations and the columns.  */
static gpg_error_t
check_source (db_t db, const char *path)
{
  gpg_error_t err = 0;
  sqlite3_stmt *st = NULL;
  int rc, row, t;
  size_t n = 0;
  const char *v;

  /* Every page.  */
  rc = sqlite3_prepare_v2 (db->sql, "PRAGMA quick_check(1)", -1, &st, NULL);
  if (!rc)
    rc = sqlite3_step (st);
  if (rc == SQLITE_NOTADB)
    {
      err = db__error (db, gpg_error (GPG_ERR_BAD_DATA),
                       "'%s' is not an SQLite database", path);
      goto leave;
    }
  if (rc != SQLITE_ROW || !sqlite3_column_text (st, 0)
      || strcmp ((const char *)sqlite3_column_text (st, 0), "ok"))
    {
      err = db__error (db, gpg_error (GPG_ERR_BAD_DATA),
                       "openpgp-ca database '%s' is corrupt (%s)", path,
                       rc == SQLITE_ROW && sqlite3_column_text (st, 0)
                       ? (const char *)sqlite3_column_text (st, 0)
                       : sqlite3_errmsg (db->sql));
      goto leave;
    }
  sqlite3_finalize (st);
  st = NULL;

  /* Ours?  */
  rc = sqlite3_prepare_v2 (db->sql, "PRAGMA application_id", -1, &st, NULL);
  if (!rc)
    rc = sqlite3_step (st);
  if (rc == SQLITE_ROW && sqlite3_column_int64 (st, 0) == DB_APPLICATION_ID)
    {
      err = db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                       "'%s' is an oca database, not one of openpgp-ca",
                       path);
      goto leave;
    }
  sqlite3_finalize (st);
  st = NULL;

  /* Exactly the four migrations of openpgp-ca 0.13/0.14.  */
  rc = sqlite3_prepare_v2 (db->sql, "SELECT version FROM"
                           " __diesel_schema_migrations ORDER BY version",
                           -1, &st, NULL);
  if (rc)
    {
      err = db__error (db, gpg_error (GPG_ERR_NOT_SUPPORTED),
                       "'%s' is not an openpgp-ca database (no diesel "
                       "migrations table)", path);
      goto leave;
    }
  for (;;)
    {
      err = db__step (db, st, &row);
      if (err || !row)
        break;
      v = (const char *)sqlite3_column_text (st, 0);
      if (n >= DIM (diesel_versions) || !v || strcmp (v, diesel_versions[n]))
        {
          err = db__error (db, gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "'%s': unknown openpgp-ca schema (diesel "
                           "migration %s; oca reads the schema of "
                           "openpgp-ca 0.13 and 0.14)", path,
                           v ? v : "NULL");
          break;
        }
      n++;
    }
  if (err)
    goto leave;
  if (n != DIM (diesel_versions))
    {
      err = db__error (db, gpg_error (GPG_ERR_NOT_SUPPORTED),
                       "'%s': openpgp-ca schema too old (diesel migration "
                       "%s missing; open it once with openpgp-ca 0.13 or "
                       "0.14)", path, diesel_versions[n]);
      goto leave;
    }

  /* Every column we read.  */
  for (t = 0; t < DB_OCA_NTABLES; t++)
    {
      sqlite3_stmt *q;

      err = table_stmt (db, t, 0, &q);
      if (err)
        {
          err = db__error (db, gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "'%s': unknown openpgp-ca schema (%s)", path,
                           sqlite3_errmsg (db->sql));
          goto leave;
        }
    }

 leave:
  sqlite3_finalize (st);
  return err;
}


/* See db.h.  */
gpg_error_t
db_oca_open (const char *path, db_t *r_src)
{
  gpg_error_t err;
  db_t db;
  struct stat sb;
  char *uri = NULL;
  int rc;

  *r_src = NULL;
  db__set_open_errmsg ("");
  db = xtrycalloc (1, sizeof *db);
  if (!db)
    return oca_error_from_errno ();
  db->readonly = 1;
  db->path = xtrystrdup (path);
  if (!db->path)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  if (stat (path, &sb))
    {
      err = db__error (db, oca_error_from_errno (), "can't open '%s': %s",
                       path, strerror (errno));
      goto leave;
    }
  if (!S_ISREG (sb.st_mode))
    {
      err = db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                       "'%s' is not a regular file", path);
      goto leave;
    }
  err = check_no_journal (db, path);
  if (err)
    goto leave;
  uri = immutable_uri (path);
  if (!uri)
    {
      err = db__error (db, oca_error_from_errno (), "out of memory");
      goto leave;
    }
  rc = sqlite3_open_v2 (uri, &db->sql, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
                        | SQLITE_OPEN_PRIVATECACHE, NULL);
  if (rc)
    {
      err = db__sqlerr (db, rc);
      goto leave;
    }
  sqlite3_extended_result_codes (db->sql, 1);
  sqlite3_limit (db->sql, SQLITE_LIMIT_LENGTH, DB_MAX_TEXT);
  sqlite3_db_config (db->sql, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config (db->sql, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  rc = sqlite3_exec (db->sql, "PRAGMA query_only = ON;"
                     "PRAGMA temp_store = MEMORY;", NULL, NULL, NULL);
  if (rc)
    {
      err = db__sqlerr (db, rc);
      goto leave;
    }
  err = check_source (db, path);
  if (err)
    goto leave;

  *r_src = db;
  db = NULL;

 leave:
  if (db)
    {
      db__set_open_errmsg (db->errmsg[0] ? db->errmsg : gpg_strerror (err));
      db_close (db);
    }
  xfree (uri);
  return err;
}


/* Record the error of column C of table T, row ID.  */
static gpg_error_t
bad_value (db_t db, db_oca_table_t t, int64_t id, const struct col *c,
           const char *what)
{
  return db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                    "openpgp-ca database '%s': %s row %lld: %s %s",
                    db->path, tables[t].name, (long long)id, c->name, what);
}


/* See db.h.  */
gpg_error_t
db_oca_next (db_t db, db_oca_table_t t, int64_t after, db_oca_row_t *row)
{
  gpg_error_t err;
  sqlite3_stmt *st;
  const struct col *c;
  int i, have, type;
  int64_t v;

  memset (row, 0, sizeof *row);
  db__clear_error (db);
  if ((unsigned int)t >= DB_OCA_NTABLES)
    return gpg_error (GPG_ERR_INV_ARG);
  err = table_stmt (db, t, 0, &st);
  if (!err)
    err = db__bind_int64 (db, st, 1, after);
  if (!err)
    err = db__step (db, st, &have);
  if (!err && !have)
    err = gpg_error (GPG_ERR_EOF);
  if (err)
    goto leave;
  if (sqlite3_column_type (st, 0) != SQLITE_INTEGER)
    {
      err = db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                       "openpgp-ca database '%s': %s: a row id is not an"
                       " integer", db->path, tables[t].name);
      goto leave;
    }
  row->id = sqlite3_column_int64 (st, 0);
  for (i = 1, c = tables[t].cols; c->name && !err; i++, c++)
    {
      type = sqlite3_column_type (st, i);
      v = sqlite3_column_int64 (st, i);
      switch (c->kind)
        {
        case COL_REFN:
          if (type == SQLITE_NULL)
            break;
          /* fall through */
        case COL_REF:
          if (type != SQLITE_INTEGER || v < 1)
            err = bad_value (db, t, row->id, c, "is not a row id");
          else
            row->ref[c->slot] = v;
          break;
        case COL_BOOL:
          if (type != SQLITE_INTEGER || (v != 0 && v != 1))
            err = bad_value (db, t, row->id, c, "is not a boolean");
          else
            row->flag[c->slot] = (int)v;
          break;
        case COL_TEXT:
        case COL_TEXTN:
          if (type == SQLITE_NULL && c->kind == COL_TEXTN)
            break;
          if (type != SQLITE_TEXT)
            err = bad_value (db, t, row->id, c, "is not a text");
          else
            err = db__column_str_nn (db, st, i, tables[t].secure,
                                     &row->text[c->slot]);
          break;
        }
    }

 leave:
  db__done (st);
  if (err)
    db_oca_row_clear (row);
  return err;
}


/* See db.h.  */
gpg_error_t
db_oca_insert (db_t db, db_oca_table_t t, const db_oca_row_t *row)
{
  gpg_error_t err;
  sqlite3_stmt *st;
  const struct col *c;
  int i;

  db__clear_error (db);
  if ((unsigned int)t >= DB_OCA_NTABLES)
    return gpg_error (GPG_ERR_INV_ARG);
  err = db__need_txn (db);
  if (!err)
    err = table_stmt (db, t, 1, &st);
  if (err)
    return err;
  err = db__bind_int64 (db, st, 1, row->id);
  for (i = 2, c = tables[t].cols; c->name && !err; i++, c++)
    switch (c->kind)
      {
      case COL_REF:
      case COL_REFN:
        err = db__bind_id (db, st, i, row->ref[c->slot]);
        break;
      case COL_BOOL:
        err = db__bind_int64 (db, st, i, row->flag[c->slot]);
        break;
      case COL_TEXT:
      case COL_TEXTN:
        err = db__bind_text (db, st, i, row->text[c->slot]);
        break;
      }
  if (!err)
    err = db__step_done (db, st);
  db__done (st);
  return err;
}
