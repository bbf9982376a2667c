/* db.c - opening the CA database, migrations, transactions, errors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opening a file goes through three stages:
 *
 *  1. The file itself: a missing file is created here (O_EXCL,
 *     O_NOFOLLOW, mode 0600) so SQLite never creates it with the umask's
 *     mode; symbolic links and non-regular files are refused; for a
 *     read-write open the file and its directory (where the rollback
 *     journal goes) must be writable.
 *  2. Identification, without writing: application_id, user_version and
 *     the number of schema objects tell an oca database from an empty
 *     one, a foreign one, a newer one, or not a database at all.
 *  3. Migration: missing steps run in one IMMEDIATE transaction that
 *     re-checks the version under the lock, then sets application_id
 *     and user_version.  When nothing is missing nothing is written.
 */
#include <config.h>
#include "db-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "brd.h"

/* Milliseconds to wait for a lock held by another process.  */
#define DB_BUSY_TIMEOUT 5000

/* The message of the last failed db_open in this thread.  */
static _Thread_local char open_errmsg[512];

/* See db-int.h.  */
void
db__set_open_errmsg (const char *msg)
{
  snprintf (open_errmsg, sizeof open_errmsg, "%s", msg);
}


/*-- Errors --*/

/* Map SQLite result RC (extended or primary) to a gpg error code.
 * SYSERR is the errno SQLite saw, or 0.  */
static gpg_err_code_t
map_sqlite_rc (int rc, int syserr)
{
  switch (rc & 0xff)
    {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
      return GPG_ERR_NO_ERROR;
    case SQLITE_CONSTRAINT:
      switch (rc)
        {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
          return GPG_ERR_DUP_KEY;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
          return GPG_ERR_INV_ID;
        default:
          return GPG_ERR_INV_VALUE;
        }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return GPG_ERR_LOCKED;
    case SQLITE_READONLY:
      return syserr == EROFS ? GPG_ERR_EROFS : GPG_ERR_EACCES;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return GPG_ERR_EPERM;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      if (syserr)
        return gpg_err_code_from_errno (syserr);
      return (rc & 0xff) == SQLITE_CANTOPEN ? GPG_ERR_EACCES : GPG_ERR_EIO;
    case SQLITE_NOTADB:
      return GPG_ERR_INV_OBJ;
    case SQLITE_CORRUPT:
      return GPG_ERR_BAD_DATA;
    case SQLITE_FULL:
      return GPG_ERR_ENOSPC;
    case SQLITE_NOMEM:
      return GPG_ERR_ENOMEM;
    case SQLITE_TOOBIG:
      return GPG_ERR_TOO_LARGE;
    case SQLITE_INTERRUPT:
      return GPG_ERR_CANCELED;
    default:
      return GPG_ERR_INTERNAL;
    }
}


void
db__clear_error (db_t db)
{
  if (db)
    db->errmsg[0] = 0;
}


gpg_error_t
db__error (db_t db, gpg_error_t err, const char *fmt, ...)
{
  va_list ap;

  if (db)
    {
      va_start (ap, fmt);
      vsnprintf (db->errmsg, sizeof db->errmsg, fmt, ap);
      va_end (ap);
    }
  return err;
}


gpg_error_t
db__sqlerr (db_t db, int rc)
{
  gpg_err_code_t ec;
  int syserr = 0;
  const char *msg = NULL;
  const char *path = db->path ? db->path : "?";

  if (db->sql)
    {
      syserr = sqlite3_system_errno (db->sql);
      msg = sqlite3_errmsg (db->sql);
    }
  if (!msg || !*msg)
    msg = sqlite3_errstr (rc);
  ec = map_sqlite_rc (rc, syserr);
  if (!ec)
    ec = GPG_ERR_INTERNAL;  /* Called without an error: a bug.  */
  switch (ec)
    {
    case GPG_ERR_INV_OBJ:
      return db__error (db, gpg_error (ec), "'%s' is not an oca database"
                        " (%s)", path, msg);
    case GPG_ERR_LOCKED:
      return db__error (db, gpg_error (ec), "database '%s' is locked by"
                        " another process", path);
    case GPG_ERR_BAD_DATA:
      return db__error (db, gpg_error (ec), "database '%s' is corrupt (%s)",
                        path, msg);
    default:
      if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_IOERR
          || (rc & 0xff) == SQLITE_READONLY)
        return db__error (db, gpg_error (ec), "database '%s': %s%s%s",
                          path, msg, syserr ? ": " : "",
                          syserr ? gpg_strerror (gpg_error_from_errno (syserr))
                          : "");
      return db__error (db, gpg_error (ec), "sqlite: %s", msg);
    }
}


/* See db.h.  */
const char *
db_errmsg (db_t db)
{
  if (!db)
    return open_errmsg;
  return db->errmsg;
}


/*-- Statements --*/

gpg_error_t
db__stmt (db_t db, enum db_stmt_id id, const char *sql,
          sqlite3_stmt **r_stmt)
{
  int rc;

  *r_stmt = NULL;
  if (!db->stmt[id])
    {
      rc = sqlite3_prepare_v3 (db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT,
                               &db->stmt[id], NULL);
      if (rc)
        {
          db->stmt[id] = NULL;
          return db__sqlerr (db, rc);
        }
    }
  *r_stmt = db->stmt[id];
  return 0;
}


void
db__done (sqlite3_stmt *st)
{
  if (!st)
    return;
  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
}


gpg_error_t
db__need_txn (db_t db)
{
  if (db->readonly)
    return db__error (db, gpg_error (GPG_ERR_EACCES),
                      "database was opened read-only");
  if (!db->in_txn || sqlite3_get_autocommit (db->sql))
    return db__error (db, gpg_error (GPG_ERR_INV_STATE),
                      "write outside of a transaction");
  return 0;
}


gpg_error_t
db__bind_text (db_t db, sqlite3_stmt *st, int idx, const char *s)
{
  int rc;

  if (!s)
    rc = sqlite3_bind_null (st, idx);
  else
    rc = sqlite3_bind_text (st, idx, s, -1, SQLITE_STATIC);
  return rc ? db__sqlerr (db, rc) : 0;
}


gpg_error_t
db__bind_int64 (db_t db, sqlite3_stmt *st, int idx, int64_t v)
{
  int rc = sqlite3_bind_int64 (st, idx, v);
  return rc ? db__sqlerr (db, rc) : 0;
}


gpg_error_t
db__bind_id (db_t db, sqlite3_stmt *st, int idx, int64_t id)
{
  int rc;

  if (id <= 0)
    rc = sqlite3_bind_null (st, idx);
  else
    rc = sqlite3_bind_int64 (st, idx, id);
  return rc ? db__sqlerr (db, rc) : 0;
}


gpg_error_t
db__step (db_t db, sqlite3_stmt *st, int *r_row)
{
  int rc;

  *r_row = 0;
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    {
      *r_row = 1;
      return 0;
    }
  if (rc == SQLITE_DONE)
    return 0;
  return db__sqlerr (db, rc);
}


gpg_error_t
db__step_done (db_t db, sqlite3_stmt *st)
{
  int rc = sqlite3_step (st);

  if (rc == SQLITE_DONE)
    return 0;
  if (rc == SQLITE_ROW)
    return db__error (db, gpg_error (GPG_ERR_INTERNAL),
                      "statement unexpectedly returned a row");
  return db__sqlerr (db, rc);
}


gpg_error_t
db__column_str (db_t db, sqlite3_stmt *st, int col, int secure, char **r_str)
{
  gpg_error_t err;
  const void *p;
  int n;
  char *buf = NULL;
  brd_t r;

  *r_str = NULL;
  if (sqlite3_column_type (st, col) == SQLITE_NULL)
    return 0;
  p = sqlite3_column_blob (st, col);
  n = sqlite3_column_bytes (st, col);
  if (n < 0 || (size_t)n > DB_MAX_TEXT)
    return db__error (db, gpg_error (GPG_ERR_TOO_LARGE),
                      "database value too large");
  if (!p)
    {
      if (n)
        return db__error (db, gpg_error (GPG_ERR_ENOMEM), "out of memory");
      p = "";
    }
  if (memchr (p, 0, n))
    return db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                      "database text contains a NUL byte");
  buf = secure ? xtrymalloc_secure ((size_t)n + 1) : xtrymalloc ((size_t)n + 1);
  if (!buf)
    return db__error (db, oca_error_from_errno (), "out of %smemory",
                      secure ? "secure " : "");
  brd_init (&r, p, n);
  err = brd_copy (&r, buf, n);
  if (!err)
    err = brd_end (&r);
  if (err)
    {
      wipe_and_free (buf, n);
      return db__error (db, err, "reading a database value failed");
    }
  buf[n] = 0;
  *r_str = buf;
  return 0;
}


gpg_error_t
db__column_str_nn (db_t db, sqlite3_stmt *st, int col, int secure,
                   char **r_str)
{
  gpg_error_t err;

  err = db__column_str (db, st, col, secure, r_str);
  if (!err && !*r_str)
    err = db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                     "unexpected NULL in the database");
  return err;
}


gpg_error_t
db__changed_one (db_t db, const char *what, int64_t id)
{
  if (sqlite3_changes (db->sql) < 1)
    return db__error (db, gpg_error (GPG_ERR_NOT_FOUND),
                      "no %s with id %lld", what, (long long)id);
  return 0;
}


/* See db-int.h.  */
gpg_error_t
db__bind_args_at (db_t db, sqlite3_stmt *st, int base, const db__arg_t *args,
                  int nargs)
{
  gpg_error_t err = 0;
  int i;

  for (i = 0; !err && i < nargs; i++)
    switch (args[i].type)
      {
      case DB__ARG_TEXT:
        err = db__bind_text (db, st, base + i + 1, args[i].text);
        break;
      case DB__ARG_INT:
        err = db__bind_int64 (db, st, base + i + 1, args[i].num);
        break;
      default:
        err = db__bind_id (db, st, base + i + 1, args[i].num);
        break;
      }
  return err;
}


/* Bind ?1 to ?NARGS of ST to ARGS.  */
static gpg_error_t
bind_args (db_t db, sqlite3_stmt *st, const db__arg_t *args, int nargs)
{
  return db__bind_args_at (db, st, 0, args, nargs);
}


/* See db-int.h.  */
gpg_error_t
db__many_stmt (db_t db, enum db_stmt_id sid, const char *head,
               int (*row) (char *buf, size_t size, int base), int nparams,
               const char *tail, sqlite3_stmt **r_stmt)
{
  gpg_error_t err;
  char *sql;
  size_t size, len;
  int k;

  *r_stmt = NULL;
  if (db->stmt[sid])
    {
      *r_stmt = db->stmt[sid];
      return 0;
    }
  /* Each row at most as long as the one with the largest numbers.  */
  size = strlen (head) + strlen (tail) + 1
    + DB_MANY * ((size_t)row (NULL, 0, (DB_MANY - 1) * nparams) + 1);
  sql = xtrymalloc (size);
  if (!sql)
    return db__error (db, oca_error_from_errno (), "out of memory");
  len = stpcpy (sql, head) - sql;
  for (k = 0; k < DB_MANY; k++)
    {
      if (k)
        sql[len++] = ',';
      len += (size_t)row (sql + len, size - len, k * nparams);
    }
  strcpy (sql + len, tail);
  err = db__stmt (db, sid, sql, r_stmt);
  xfree (sql);
  return err;
}


/* See db-int.h.  */
gpg_error_t
db__write (db_t db, enum db_stmt_id sid, const char *sql,
           const db__arg_t *args, int nargs)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;

  err = db__stmt (db, sid, sql, &st);
  if (!err)
    err = bind_args (db, st, args, nargs);
  if (!err)
    err = db__step_done (db, st);
  db__done (st);
  return err;
}


/* See db-int.h.  */
gpg_error_t
db__write_start (db_t db, int64_t *r_id)
{
  if (r_id)
    *r_id = 0;
  db__clear_error (db);
  return db__need_txn (db);
}


/* See db-int.h.  */
gpg_error_t
db__insert (db_t db, enum db_stmt_id sid, const char *sql,
            const db__arg_t *args, int nargs, int64_t *r_id)
{
  gpg_error_t err;

  err = db__write (db, sid, sql, args, nargs);
  if (!err && r_id)
    *r_id = sqlite3_last_insert_rowid (db->sql);
  return err;
}


/* See db-int.h.  */
gpg_error_t
db__set_by_id (db_t db, enum db_stmt_id sid, const char *sql, int64_t id,
               const char *what)
{
  gpg_error_t err;
  const db__arg_t args[] = { DB__INT (id) };

  err = db__write_start (db, NULL);
  if (!err)
    err = db__write (db, sid, sql, args, DIM (args));
  if (!err)
    err = db__changed_one (db, what, id);
  return err;
}


/* See db-int.h.  */
gpg_error_t
db__select_args (db_t db, enum db_stmt_id sid, const char *sql,
                 const db__arg_t *args, int nargs,
                 const db__rows_t *rows, void **r_list)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  void *list = NULL;
  void *item;
  char *tail = NULL;   /* The item whose next pointer gets the new one.  */
  int row;

  *r_list = NULL;
  err = db__stmt (db, sid, sql, &st);
  if (!err)
    err = bind_args (db, st, args, nargs);
  while (!err)
    {
      err = db__step (db, st, &row);
      if (err || !row)
        break;
      item = xtrycalloc (1, rows->size);
      if (!item)
        {
          err = db__error (db, oca_error_from_errno (), "out of memory");
          break;
        }
      /* memcpy: the next field has the item's own pointer type.  */
      if (tail)
        memcpy (tail + rows->next_off, &item, sizeof item);
      else
        list = item;
      tail = item;
      err = rows->fill (db, st, item);
    }
  db__done (st);
  if (err)
    {
      rows->release (list);
      return err;
    }
  *r_list = list;
  return 0;
}


/* See db-int.h.  */
gpg_error_t
db__select (db_t db, enum db_stmt_id sid, const char *sql,
            const char *text, const int64_t *ival,
            const db__rows_t *rows, void **r_list)
{
  db__arg_t arg = DB__TEXT (text);

  if (!text && ival)
    {
      arg.type = DB__ARG_INT;
      arg.num = *ival;
    }
  return db__select_args (db, sid, sql, &arg, text || ival ? 1 : 0,
                          rows, r_list);
}


/*-- Opening --*/

/* Execute SQL (no result rows).  */
static gpg_error_t
exec_sql (db_t db, const char *sql)
{
  int rc;

  rc = sqlite3_exec (db->sql, sql, NULL, NULL, NULL);
  return rc ? db__sqlerr (db, rc) : 0;
}


/* Read one integer from SQL into *R_VAL.  */
static gpg_error_t
query_int (db_t db, const char *sql, int64_t *r_val)
{
  gpg_error_t err;
  sqlite3_stmt *st = NULL;
  int rc, row;

  *r_val = 0;
  rc = sqlite3_prepare_v2 (db->sql, sql, -1, &st, NULL);
  if (rc)
    {
      err = db__sqlerr (db, rc);
      goto leave;
    }
  err = db__step (db, st, &row);
  if (err)
    goto leave;
  if (!row)
    {
      err = db__error (db, gpg_error (GPG_ERR_INTERNAL), "no result");
      goto leave;
    }
  *r_val = sqlite3_column_int64 (st, 0);

 leave:
  sqlite3_finalize (st);
  return err;
}


/* What stage 2 found.  */
enum probe_result
  {
    PROBE_OCA,       /* Ours; version in *R_VERSION.  */
    PROBE_EMPTY      /* No schema at all.  */
  };

/* Identify the open database without writing.  NSTEPS is the newest
 * version we know.  Returns an error for anything we refuse.  */
static gpg_error_t
probe (db_t db, size_t nsteps, enum probe_result *r_what,
       unsigned int *r_version)
{
  const char *path = db->path;
  gpg_error_t err;
  int64_t appid, version, nobj;

  *r_what = PROBE_EMPTY;
  *r_version = 0;
  err = query_int (db, "PRAGMA application_id", &appid);
  if (!err)
    err = query_int (db, "PRAGMA user_version", &version);
  if (!err)
    err = query_int (db, "SELECT count(*) FROM sqlite_master", &nobj);
  if (err)
    return err;

  if ((uint32_t)appid == DB_APPLICATION_ID)
    {
      if (version < 1)
        return db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                          "'%s' is not an oca database (no schema version)",
                          path);
      if ((uint64_t)version > nsteps)
        return db__error (db, gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "database '%s' is from a newer oca (schema version"
                          " %lld, this oca knows up to %zu)",
                          path, (long long)version, nsteps);
      *r_what = PROBE_OCA;
      *r_version = (unsigned int)version;
      return 0;
    }
  if (!appid && !version && !nobj)
    return 0;  /* Empty.  */
  return db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                    "'%s' is not an oca database (an SQLite database of"
                    " another application)", path);
}


/* Stage 3: bring the schema to NSTEPS (called with WHAT/VERSION from
 * a probe outside the lock).  */
static gpg_error_t
migrate (db_t db, const db_migration_t *steps, size_t nsteps)
{
  gpg_error_t err;
  enum probe_result what;
  unsigned int version, v;
  char buf[80];

  err = exec_sql (db, "BEGIN IMMEDIATE");
  if (err)
    return err;
  db->in_txn = 1;
  /* Check again under the write lock: another process may have done
   * it meanwhile.  */
  err = probe (db, nsteps, &what, &version);
  if (err)
    goto leave;
  for (v = version; v < nsteps; v++)
    {
      err = exec_sql (db, steps[v].sql);
      if (err)
        {
          char msg[sizeof db->errmsg];

          memcpy (msg, db->errmsg, sizeof msg);
          db__error (db, err, "database '%s': migration to schema version"
                     " %u (%s) failed: %s", db->path, v + 1, steps[v].name,
                     msg);
          goto leave;
        }
    }
  if (version < nsteps)
    {
      snprintf (buf, sizeof buf, "PRAGMA application_id = %d",
                (int)(int32_t)DB_APPLICATION_ID);
      err = exec_sql (db, buf);
      if (err)
        goto leave;
      snprintf (buf, sizeof buf, "PRAGMA user_version = %zu", nsteps);
      err = exec_sql (db, buf);
      if (err)
        goto leave;
    }
  err = exec_sql (db, "COMMIT");
  if (err)
    goto leave;
  db->in_txn = 0;
  db->version = (unsigned int)nsteps;

 leave:
  if (err && db->in_txn)
    {
      sqlite3_exec (db->sql, "ROLLBACK", NULL, NULL, NULL);
      db->in_txn = 0;
    }
  return err;
}


/* The directory part of PATH ("." for a bare name; xfree), or NULL
 * when out of memory.  */
static char *
dir_of (const char *path)
{
  char *dir, *slash;

  dir = xtrystrdup (path);
  if (!dir)
    return NULL;
  slash = strrchr (dir, '/');
  if (!slash)
    strcpy (dir, ".");
  else if (slash == dir)
    dir[1] = 0;
  else
    *slash = 0;
  return dir;
}


/* Stage 1 checks for a read-write open: the file and its directory
 * (where the rollback journal goes) must be writable.  */
static gpg_error_t
check_writable (db_t db, const char *path)
{
  gpg_error_t err;
  char *dir;

  if (access (path, W_OK))
    {
      err = oca_error_from_errno ();
      return db__error (db, err, "database '%s' is read-only: %s",
                        path, gpg_strerror (err));
    }
  dir = dir_of (path);
  if (!dir)
    return db__error (db, oca_error_from_errno (), "out of memory");
  err = 0;
  if (access (dir, W_OK))
    {
      err = oca_error_from_errno ();
      db__error (db, err, "directory '%s' of database '%s' is not writable"
                 " (needed for the journal): %s", dir, path,
                 gpg_strerror (err));
    }
  xfree (dir);
  return err;
}


/* Stage 1 for a missing file: create PATH with mode 0600.  */
static gpg_error_t
create_file (db_t db, const char *path)
{
  gpg_error_t err;
  char *dir;
  int fd;

  fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
             S_IRUSR | S_IWUSR);
  if (fd == -1)
    {
      err = oca_error_from_errno ();
      dir = gpg_err_code (err) == GPG_ERR_ENOENT ? dir_of (path) : NULL;
      if (dir)
        db__error (db, err, "cannot create database '%s': directory '%s'"
                   " does not exist", path, dir);
      else
        db__error (db, err, "cannot create database '%s': %s",
                   path, gpg_strerror (err));
      xfree (dir);
      return err;
    }
  /* The umask may have cleared bits; we want exactly 0600.  */
  if (fchmod (fd, S_IRUSR | S_IWUSR))
    {
      err = oca_error_from_errno ();
      close (fd);
      unlink (path);
      return db__error (db, err, "cannot set the mode of '%s': %s",
                        path, gpg_strerror (err));
    }
  close (fd);
  return 0;
}


/* Stage 1 for every open: PATH (a regular file) must be readable; its
 * permission bits go to DB->mode.  This runs before SQLite opens the
 * file, so closing our descriptor cannot drop SQLite's locks.  */
static gpg_error_t
check_readable (db_t db, const char *path)
{
  gpg_error_t err;
  struct stat sb;
  int fd;

  fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd == -1)
    {
      err = oca_error_from_errno ();
      if (gpg_err_code (err) == GPG_ERR_ELOOP)
        return db__error (db, err, "database '%s' is a symbolic link", path);
      return db__error (db, err, "cannot read database '%s': %s",
                        path, gpg_strerror (err));
    }
  if (fstat (fd, &sb))
    {
      err = oca_error_from_errno ();
      close (fd);
      return db__error (db, err, "cannot access database '%s': %s",
                        path, gpg_strerror (err));
    }
  close (fd);
  if (!S_ISREG (sb.st_mode))
    return db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                      "'%s' is not an oca database (not a regular file)",
                      path);
  db->mode = sb.st_mode & 07777;
  return 0;
}


/* Open the SQLite connection of DB to PATH, read-only or read-write as
 * DB->readonly says, and configure it.  Nothing is written.  */
static gpg_error_t
connect_sqlite (db_t db, const char *path)
{
  gpg_error_t err;
  int oflags, rc;

  /* NOMUTEX: a handle is used by one thread at a time (db.h), so the
   * connection needs no mutex of its own around every call (a lock and
   * an unlock per bind, step and column: measurable in a bulk run).  */
  oflags = (db->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE)
           | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_PRIVATECACHE
           | SQLITE_OPEN_NOMUTEX;
  rc = sqlite3_open_v2 (path, &db->sql, oflags, NULL);
  if (rc)
    return db__sqlerr (db, rc);
  sqlite3_extended_result_codes (db->sql, 1);
  if (!db->readonly && sqlite3_db_readonly (db->sql, "main") == 1)
    return db__error (db, gpg_error (GPG_ERR_EACCES),
                      "database '%s' is read-only", path);
  sqlite3_busy_timeout (db->sql, DB_BUSY_TIMEOUT);
  sqlite3_limit (db->sql, SQLITE_LIMIT_LENGTH, DB_MAX_TEXT);
  sqlite3_db_config (db->sql, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config (db->sql, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  /* None of these writes to the file.  */
  err = exec_sql (db, "PRAGMA foreign_keys = ON;"
                  "PRAGMA secure_delete = ON;"
                  "PRAGMA temp_store = MEMORY;");
  return err;
}


/* A read-only connection of DB found a hot journal next to PATH: a
 * writer crashed in the middle of a transaction and every reader has
 * to see the file rolled back first, which needs write access.  When
 * the caller may write the file and its directory, roll the journal
 * back through a short read-write connection and reconnect read-only;
 * otherwise say what happened and what to run.  */
static gpg_error_t
roll_back_hot_journal (db_t db, const char *path)
{
  gpg_error_t err;
  int64_t n;

  sqlite3_close (db->sql);
  db->sql = NULL;
  err = check_writable (db, path);
  if (err)
    {
      char why[sizeof db->errmsg];

      memcpy (why, db->errmsg, sizeof why);
      return db__error (db, err, "database '%s' holds an unfinished"
                        " transaction of a crashed writer (hot journal"
                        " '%s-journal'), which this user cannot roll back"
                        " (%s); run 'oca -d %s ca show' once as a user who"
                        " can write the database and its directory",
                        path, path, why, path);
    }
  db->readonly = 0;
  err = connect_sqlite (db, path);
  /* The first read of a read-write connection rolls the journal back.  */
  if (!err)
    err = query_int (db, "SELECT count(*) FROM sqlite_master", &n);
  sqlite3_close (db->sql);
  db->sql = NULL;
  db->readonly = 1;
  if (!err)
    err = connect_sqlite (db, path);
  return err;
}


gpg_error_t
db__open_ext (const char *path, unsigned int flags,
              const db_migration_t *steps, size_t nsteps, db_t *r_db)
{
  gpg_error_t err;
  db_t db = NULL;
  struct stat sb;
  int created = 0;
  enum probe_result what;
  unsigned int version;

  *r_db = NULL;
  open_errmsg[0] = 0;

  db = xtrycalloc (1, sizeof *db);
  if (!db)
    {
      err = oca_error_from_errno ();
      snprintf (open_errmsg, sizeof open_errmsg, "out of memory");
      return err;
    }
  if (!path || !*path || (flags & ~(DB_OPEN_CREATE | DB_OPEN_READONLY))
      || ((flags & DB_OPEN_CREATE) && (flags & DB_OPEN_READONLY))
      || !nsteps)
    {
      err = db__error (db, gpg_error (GPG_ERR_INV_ARG),
                       "invalid arguments to db_open");
      goto leave;
    }
  db->readonly = !!(flags & DB_OPEN_READONLY);
  db->path = xtrystrdup (path);
  if (!db->path)
    {
      err = db__error (db, oca_error_from_errno (), "out of memory");
      goto leave;
    }

  /* Stage 1: the file.  */
  if (lstat (path, &sb))
    {
      if (errno != ENOENT)
        {
          err = oca_error_from_errno ();
          db__error (db, err, "cannot access database '%s': %s",
                     path, gpg_strerror (err));
          goto leave;
        }
      if (!(flags & DB_OPEN_CREATE))
        {
          err = db__error (db, gpg_error (GPG_ERR_ENOENT),
                           "database '%s' does not exist", path);
          goto leave;
        }
      err = create_file (db, path);
      if (err)
        goto leave;
      created = 1;
    }
  else if (S_ISLNK (sb.st_mode))
    {
      err = db__error (db, gpg_error (GPG_ERR_ELOOP),
                       "database '%s' is a symbolic link", path);
      goto leave;
    }
  else if (!S_ISREG (sb.st_mode))
    {
      err = db__error (db, gpg_error (GPG_ERR_INV_OBJ),
                       "'%s' is not an oca database (not a regular file)",
                       path);
      goto leave;
    }
  err = check_readable (db, path);
  if (err)
    goto leave;
  if (!db->readonly)
    {
      err = check_writable (db, path);
      if (err)
        goto leave;
    }
  err = connect_sqlite (db, path);
  if (err)
    goto leave;

  /* Stage 2: what is it?  */
  err = probe (db, nsteps, &what, &version);
  if (err && db->readonly
      && sqlite3_extended_errcode (db->sql) == SQLITE_READONLY_ROLLBACK)
    {
      err = roll_back_hot_journal (db, path);
      if (!err)
        err = probe (db, nsteps, &what, &version);
    }
  if (err)
    goto leave;
  if (what == PROBE_EMPTY && !(flags & DB_OPEN_CREATE))
    {
      err = db__error (db, gpg_error (GPG_ERR_NOT_INITIALIZED),
                       "database '%s' is empty (no oca schema; create a CA"
                       " with 'oca ca init')", path);
      goto leave;
    }
  /* A file that existed before a CREATE open is about to receive the
   * CA: others must not have access to it.  Changing the mode now
   * would not help against a descriptor opened while it was open.  */
  if (!created && (flags & DB_OPEN_CREATE) && (db->mode & 077))
    {
      err = db__error (db, gpg_error (GPG_ERR_EPERM),
                       "refusing to use '%s' for a CA: its mode %04o gives"
                       " group or others access; remove it and oca creates"
                       " it with mode 0600", path, db->mode);
      goto leave;
    }
  db->version = version;

  /* Stage 3: migrate.  */
  if (version < nsteps)
    {
      if (db->readonly)
        {
          err = db__error (db, gpg_error (GPG_ERR_INV_STATE),
                           "database '%s' needs an upgrade from schema"
                           " version %u to %zu, which a read-only command"
                           " cannot do (the next writing command does it)",
                           path, version, nsteps);
          goto leave;
        }
      err = migrate (db, steps, nsteps);
      if (err)
        goto leave;
    }

  *r_db = db;
  db = NULL;

 leave:
  if (db)
    {
      snprintf (open_errmsg, sizeof open_errmsg, "%s", db->errmsg);
      db_close (db);
      if (created)
        unlink (path);
    }
  return err;
}


/* See db.h.  */
gpg_error_t
db_open (const char *path, unsigned int flags, db_t *r_db)
{
  return db__open_ext (path, flags, db_migrations, db_n_migrations, r_db);
}


/* See db.h.  */
void
db_close (db_t db)
{
  int i;

  if (!db)
    return;
  if (db->sql && db->in_txn)
    sqlite3_exec (db->sql, "ROLLBACK", NULL, NULL, NULL);
  for (i = 0; i < STMT_LAST_; i++)
    sqlite3_finalize (db->stmt[i]);
  if (db->sql)
    sqlite3_close (db->sql);
  xfree (db->path);
  wipememory (db, sizeof *db);
  xfree (db);
}


/* See db.h.  */
unsigned int
db_schema_version (db_t db)
{
  return db ? db->version : 0;
}


/* See db.h.  */
int
db_is_readonly (db_t db)
{
  return db ? db->readonly : 0;
}


/* See db.h.  */
unsigned int
db_file_mode (db_t db)
{
  return db ? db->mode : 0;
}


/*-- Transactions --*/

/* See db.h.  */
gpg_error_t
db_begin (db_t db)
{
  gpg_error_t err;

  db__clear_error (db);
  if (db->readonly)
    return db__error (db, gpg_error (GPG_ERR_EACCES),
                      "database was opened read-only");
  if (db->in_txn)
    return db__error (db, gpg_error (GPG_ERR_INV_STATE),
                      "a transaction is already open");
  err = exec_sql (db, "BEGIN IMMEDIATE");
  if (!err)
    db->in_txn = 1;
  return err;
}


/* See db.h.  */
gpg_error_t
db_begin_read (db_t db)
{
  gpg_error_t err;

  db__clear_error (db);
  if (db->in_txn)
    return db__error (db, gpg_error (GPG_ERR_INV_STATE),
                      "a transaction is already open");
  err = exec_sql (db, "BEGIN DEFERRED");
  if (err)
    return err;
  db->in_txn = 1;
  /* A deferred transaction takes its snapshot at the first read: now.  */
  err = exec_sql (db, "SELECT count(*) FROM sqlite_master");
  if (err)
    db_rollback (db);
  return err;
}


/* See db.h.  */
gpg_error_t
db_commit (db_t db)
{
  gpg_error_t err;

  db__clear_error (db);
  if (!db->in_txn)
    return db__error (db, gpg_error (GPG_ERR_INV_STATE),
                      "no transaction to commit");
  if (sqlite3_get_autocommit (db->sql))
    {
      /* SQLite already rolled back (e.g. after an I/O error).  */
      db->in_txn = 0;
      return db__error (db, gpg_error (GPG_ERR_INV_STATE),
                        "the transaction was rolled back by SQLite");
    }
  err = exec_sql (db, "COMMIT");
  if (err && !sqlite3_get_autocommit (db->sql))
    sqlite3_exec (db->sql, "ROLLBACK", NULL, NULL, NULL);
  db->in_txn = 0;
  return err;
}


/* See db.h.  */
gpg_error_t
db_rollback (db_t db)
{
  gpg_error_t err = 0;

  if (!db || !db->in_txn)
    return 0;
  db__clear_error (db);
  if (!sqlite3_get_autocommit (db->sql))
    err = exec_sql (db, "ROLLBACK");
  db->in_txn = 0;
  return err;
}


/* See db.h.  */
int
db_in_transaction (db_t db)
{
  return db && db->in_txn && !sqlite3_get_autocommit (db->sql);
}


/* See db.h.  */
gpg_error_t
db_data_version (db_t db, int64_t *r_version)
{
  db__clear_error (db);
  return query_int (db, "PRAGMA data_version", r_version);
}


/* See db.h.  */
gpg_error_t
db_vacuum_secure (db_t db)
{
  db__clear_error (db);
  if (db->readonly)
    return db__error (db, gpg_error (GPG_ERR_EACCES),
                      "database was opened read-only");
  if (db->in_txn)
    return db__error (db, gpg_error (GPG_ERR_INV_STATE),
                      "VACUUM inside a transaction");
  return exec_sql (db, "PRAGMA secure_delete = ON; VACUUM;");
}
