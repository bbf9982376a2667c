/* t-db.c - tests for the CA database layer, on real SQLite files
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test works on files in a fresh temporary directory.  "File
 * unchanged" checks compare the complete bytes of the file before and
 * after, and look for left-over journal files.
 */
#include <config.h>
#include "db-int.h"
#include "t-support.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[64];

/* A path in the temp dir (static buffer rotation: 4 at a time).  */
static const char *
tpath (const char *name)
{
  static char bufs[4][256];
  static int idx;
  char *p = bufs[idx++ % 4];

  snprintf (p, 256, "%s/%s", tmpdir, name);
  return p;
}

static int
file_exists (const char *path)
{
  struct stat sb;
  return !lstat (path, &sb);
}

/* Read all of PATH.  Returns NULL on error.  */
static unsigned char *
slurp (const char *path, size_t *r_len)
{
  FILE *fp;
  unsigned char *buf = NULL;
  long n;

  *r_len = 0;
  fp = fopen (path, "rb");
  if (!fp)
    return NULL;
  if (fseek (fp, 0, SEEK_END) || (n = ftell (fp)) < 0
      || fseek (fp, 0, SEEK_SET))
    goto leave;
  buf = malloc (n + 1);
  if (!buf)
    goto leave;
  if (n && fread (buf, n, 1, fp) != 1)
    {
      free (buf);
      buf = NULL;
      goto leave;
    }
  *r_len = n;
 leave:
  fclose (fp);
  return buf;
}

/* A snapshot of a file.  */
typedef struct
{
  unsigned char *buf;
  size_t len;
} snap_t;

static snap_t
snap (const char *path)
{
  snap_t s;
  s.buf = slurp (path, &s.len);
  return s;
}

/* True if PATH has exactly the bytes of S and no journal is left.  */
static int
unchanged (const char *path, snap_t *s)
{
  size_t len;
  unsigned char *now = slurp (path, &len);
  char jpath[300];
  int same;

  same = now && s->buf && len == s->len && !memcmp (now, s->buf, len);
  free (now);
  snprintf (jpath, sizeof jpath, "%s-journal", path);
  if (file_exists (jpath))
    same = 0;
  snprintf (jpath, sizeof jpath, "%s-wal", path);
  if (file_exists (jpath))
    same = 0;
  return same;
}

static void
snap_free (snap_t *s)
{
  free (s->buf);
  s->buf = NULL;
}

/* Does the file PATH contain the bytes NEEDLE?  */
static int
file_contains (const char *path, const char *needle)
{
  size_t len, nlen = strlen (needle), i;
  unsigned char *buf = slurp (path, &len);
  int found = 0;

  for (i = 0; buf && !found && i + nlen <= len; i++)
    if (!memcmp (buf + i, needle, nlen))
      found = 1;
  free (buf);
  return found;
}

/* Execute SQL on PATH with plain SQLite (to build foreign files).  */
static int
raw_exec (const char *path, const char *sql)
{
  sqlite3 *s = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &s, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL);
  if (!rc)
    rc = sqlite3_exec (s, sql, NULL, NULL, NULL);
  sqlite3_close (s);
  return rc;
}

/* Read one integer with plain SQLite, read-only; -1 on error.  */
static long long
raw_int (const char *path, const char *sql)
{
  sqlite3 *s = NULL;
  sqlite3_stmt *st = NULL;
  long long v = -1;

  if (!sqlite3_open_v2 (path, &s, SQLITE_OPEN_READONLY, NULL)
      && !sqlite3_prepare_v2 (s, sql, -1, &st, NULL)
      && sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (s);
  return v;
}

static int
copy_file (const char *from, const char *to)
{
  size_t len;
  unsigned char *buf = slurp (from, &len);
  FILE *fp;
  int rc = -1;

  if (!buf)
    return -1;
  fp = fopen (to, "wb");
  if (fp)
    {
      if (fwrite (buf, len, 1, fp) == 1 || !len)
        rc = 0;
      if (fclose (fp))
        rc = -1;
    }
  free (buf);
  return rc;
}

static int
write_file (const char *path, const void *data, size_t len)
{
  FILE *fp = fopen (path, "wb");
  int rc = 0;

  if (!fp)
    return -1;
  if (len && fwrite (data, len, 1, fp) != 1)
    rc = -1;
  if (fclose (fp))
    rc = -1;
  return rc;
}


/* Collect what db_cert_next walks (EMAIL as there) into a list
 * chained through NEXT, in the order walked.  */
static gpg_error_t
walk_certs (db_t db, const char *email, db_cert_t **r_list)
{
  gpg_error_t err;
  db_cert_t *list = NULL, **tail = &list, *c;
  int64_t after = 0;

  *r_list = NULL;
  while (!(err = db_cert_next (db, email, after, &c)))
    {
      after = c->id;
      *tail = c;
      tail = &c->next;
    }
  if (gpg_err_code (err) != GPG_ERR_EOF)
    {
      db_cert_release (list);
      return err;
    }
  *r_list = list;
  return 0;
}


static const char ca_key[] =
  "-----BEGIN PGP PRIVATE KEY BLOCK-----\n"
  "\n"
  "SECRET-KEY-MATERIAL-6b3f9a1c0d2e4f5a\n"
  "-----END PGP PRIVATE KEY BLOCK-----\n";
static const char ca_pub[] =
  "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nCA-PUBLIC\n"
  "-----END PGP PUBLIC KEY BLOCK-----\n";
static const char ca_fpr[] = "E8A8E047F61B2C3C011F7AA245776DAE2FE0E255";

/* Create a CA database at PATH with a CA and one user.  */
static gpg_error_t
make_ca_db (const char *path)
{
  gpg_error_t err;
  db_t db = NULL;
  const char *emails[] = { "alice@example.org", "a@example.org" };

  err = db_open (path, DB_OPEN_CREATE, &db);
  if (!err)
    err = db_begin (db);
  if (!err)
    err = db_ca_insert (db, "example.org", ca_fpr, ca_key, NULL, NULL);
  if (!err)
    err = db_user_add (db, "Alice", "AAAA000000000000000000000000000000000001",
                       "alice-cert", emails, 2, NULL, NULL);
  if (!err)
    err = db_commit (db);
  db_close (db);
  return err;
}


static void
test_create (void)
{
  const char *path = tpath ("create.sqlite");
  db_t db = NULL;
  struct stat sb;
  gpg_error_t err;
  mode_t old;
  int yes = -1;

  /* A permissive umask must not widen the mode.  */
  old = umask (0);
  err = db_open (path, DB_OPEN_CREATE, &db);
  umask (old);
  ok_err (err, "create a new database");
  ok (db && db_schema_version (db) == DB_SCHEMA_VERSION,
      "schema version is %d", DB_SCHEMA_VERSION);
  ok (!stat (path, &sb) && (sb.st_mode & 07777) == 0600,
      "new file has mode 0600 (umask 0)");
  if (db)
    {
      ok_err (db_ca_is_initialized (db, &yes), "is_initialized");
      ok (yes == 0, "fresh database has no CA");
    }
  db_close (db);

  ok (raw_int (path, "PRAGMA user_version") == DB_SCHEMA_VERSION,
      "user_version stored in the file");
  ok (raw_int (path, "PRAGMA application_id") == DB_APPLICATION_ID,
      "application_id stored in the file");
  ok (raw_int (path, "SELECT count(*) FROM sqlite_master WHERE type='table'"
               " AND name IN ('cas','cacerts','users','certs','certs_emails',"
               "'revocations','bridges','queue','certifications','pending')")
      == 10, "all ten tables exist");
  ok (raw_int (path, "SELECT count(*) FROM pragma_table_info('cacerts')"
               " WHERE name IN ('backend','active','priv_cert')") == 3,
      "cacerts has backend/active/priv_cert");
  ok (raw_int (path, "SELECT count(*) FROM pragma_table_info('certs')"
               " WHERE name IN ('delisted','inactive')") == 2,
      "certs has delisted/inactive");
  ok (raw_int (path, "PRAGMA journal_mode") != -1
      && !file_exists (tpath ("create.sqlite-wal")),
      "no WAL file");

  /* An existing file is opened, not re-created.  */
  db = NULL;
  ok_err (db_open (path, DB_OPEN_CREATE, &db), "CREATE on an existing db");
  db_close (db);

  /* Missing file without CREATE.  */
  db = (db_t)1;
  ok_code (db_open (tpath ("missing.sqlite"), 0, &db), GPG_ERR_ENOENT,
           "missing file without CREATE is ENOENT");
  ok (db == NULL, "r_db cleared on error");
  ok (!file_exists (tpath ("missing.sqlite")), "missing file not created");
  ok (strstr (db_errmsg (NULL), "does not exist") != NULL,
      "db_errmsg(NULL) explains: %s", db_errmsg (NULL));

  ok_code (db_open (path, DB_OPEN_CREATE | DB_OPEN_READONLY, &db),
           GPG_ERR_INV_ARG, "CREATE|READONLY refused");

  /* A missing directory is named.  */
  ok_code (db_open (tpath ("nodir/sub/x.sqlite"), DB_OPEN_CREATE, &db),
           GPG_ERR_ENOENT, "CREATE in a missing directory is ENOENT");
  ok (strstr (db_errmsg (NULL), "directory '") != NULL
      && strstr (db_errmsg (NULL), "/nodir/sub' does not exist") != NULL,
      "message names the directory: %s", db_errmsg (NULL));

  /* Symbolic links are refused.  */
  if (!symlink (path, tpath ("link.sqlite")))
    ok_code (db_open (tpath ("link.sqlite"), 0, &db), GPG_ERR_ELOOP,
             "symlink refused");
  else
    ok (0, "symlink created");
}


static void
test_reopen_and_readonly (void)
{
  const char *path = tpath ("reopen.sqlite");
  db_t db = NULL;
  db_cert_t *cert = NULL, *list = NULL;
  char *domain = NULL;
  snap_t s;
  int yes = 0;

  ok_err (make_ca_db (path), "build a CA database");
  s = snap (path);
  ok (s.buf != NULL, "snapshot");

  ok_err (db_open (path, 0, &db), "reopen read-write");
  if (db)
    {
      ok_err (db_ca_is_initialized (db, &yes), "is_initialized");
      ok (yes == 1, "CA is initialised after reopen");
      ok_err (db_ca_get_domain (db, &domain), "get domain");
      ok (domain && !strcmp (domain, "example.org"), "domain kept");
      xfree (domain);
      domain = NULL;
      ok_err (db_cert_get (db, "AAAA000000000000000000000000000000000001",
                           &cert), "cert by fingerprint");
      ok (cert && !strcmp (cert->pub_cert, "alice-cert")
          && cert->user_name && !strcmp (cert->user_name, "Alice")
          && cert->nemails == 2 && !strcmp (cert->emails[0],
                                            "alice@example.org")
          && !strcmp (cert->emails[1], "a@example.org")
          && !cert->emails[2] && !cert->delisted && !cert->inactive,
          "cert, user name and emails kept");
      db_cert_release (cert);
      cert = NULL;
      ok_err (walk_certs (db, "a@example.org", &list),
              "certs by email");
      ok (list && !list->next && list->user_id > 0, "one cert for the email");
      db_cert_release (list);
      list = NULL;
      ok_err (walk_certs (db, "nobody@example.org", &list),
              "certs by unknown email");
      ok (!list, "no cert for an unknown email");
      ok_code (db_cert_get (db, "FFFF", &cert), GPG_ERR_NOT_FOUND,
               "unknown fingerprint is NOT_FOUND");
    }
  db_close (db);
  db = NULL;
  ok (unchanged (path, &s), "read-write open with nothing to migrate"
      " and reads leave the file byte-identical");

  ok_err (db_open (path, DB_OPEN_READONLY, &db), "open read-only");
  if (db)
    {
      ok (db_is_readonly (db), "handle is read-only");
      ok_err (db_ca_get_domain (db, &domain), "read on a read-only handle");
      xfree (domain);
      domain = NULL;
      ok_code (db_begin (db), GPG_ERR_EACCES, "db_begin read-only is EACCES");
      ok_code (db_user_insert (db, "x", &(int64_t){0}), GPG_ERR_EACCES,
               "write on a read-only handle is EACCES");
    }
  db_close (db);
  ok (unchanged (path, &s), "read-only open leaves the file byte-identical");
  snap_free (&s);
}


static void
test_secure_memory (void)
{
  const char *path = tpath ("secure.sqlite");
  db_t db = NULL;
  db_cacert_t *c = NULL;
  char *val = NULL;
  int64_t created = 0;

  ok_err (make_ca_db (path), "build a CA database");
  if (db_open (path, 0, &db))
    {
      ok (0, "open");
      return;
    }
  ok_err (db_cacert_get_active (db, &c), "get active cacert");
  ok (c && !strcmp (c->priv_cert, ca_key) && !strcmp (c->fingerprint, ca_fpr)
      && c->active && c->backend == NULL, "cacert contents (softkey)");
  ok (c && gcry_is_secure (c->priv_cert), "priv_cert is in secure memory");
  ok (c && !gcry_is_secure (c->fingerprint),
      "fingerprint is ordinary memory (the check can tell)");
  db_cacert_release (c);
  c = NULL;

  ok_err (db_begin (db), "begin");
  ok_err (db_cacert_set_backend (db, 1, "card;0123:01234567;14199138"),
          "set backend");
  ok_err (db_pending_set (db, "card-init", "0123:01234567;14199138"),
          "pending set");
  ok_err (db_commit (db), "commit");
  ok_err (db_cacert_get_active (db, &c), "get active cacert");
  ok (c && c->backend && !strcmp (c->backend, "card;0123:01234567;14199138")
      && gcry_is_secure (c->backend), "backend (PIN) in secure memory");
  db_cacert_release (c);
  c = NULL;

  ok_err (db_pending_get (db, "card-init", &val, &created), "pending get");
  ok (val && !strcmp (val, "0123:01234567;14199138") && gcry_is_secure (val)
      && created > 0 && created <= (int64_t)time (NULL),
      "pending value in secure memory, with its time");
  wipe_and_free_string (val);
  val = NULL;
  ok_err (db_begin (db), "begin");
  ok_err (db_pending_delete (db, "card-init"), "pending delete");
  ok_err (db_commit (db), "commit");
  ok_code (db_pending_get (db, "card-init", &val, NULL), GPG_ERR_NOT_FOUND,
           "pending key gone");
  ok_code (db_cacert_set_backend (db, 1, NULL), GPG_ERR_INV_STATE,
           "write outside a transaction is INV_STATE");
  db_close (db);
}


static void
test_rollback (void)
{
  const char *path = tpath ("rollback.sqlite");
  db_t db = NULL;
  db_cert_t *cert = NULL;
  snap_t s;
  int64_t uid = 0;
  gpg_error_t err;

  ok_err (make_ca_db (path), "build a CA database");
  s = snap (path);
  if (db_open (path, 0, &db))
    {
      ok (0, "open");
      return;
    }
  /* Insert and roll back.  */
  ok_err (db_begin (db), "begin");
  ok_code (db_begin (db), GPG_ERR_INV_STATE, "nested begin refused");
  ok_err (db_user_add (db, "Bob", "BBBB", "bob-cert", NULL, 0, NULL, NULL),
          "insert bob");
  ok_err (db_cert_get (db, "BBBB", &cert), "bob visible in the transaction");
  db_cert_release (cert);
  cert = NULL;
  ok_err (db_rollback (db), "rollback");
  ok_code (db_cert_get (db, "BBBB", &cert), GPG_ERR_NOT_FOUND,
           "bob gone after rollback");
  ok_err (db_rollback (db), "rollback without a transaction is a no-op");

  /* An error in the middle: first insert works, second violates
   * UNIQUE; the caller rolls back.  */
  ok_err (db_begin (db), "begin");
  ok_err (db_user_insert (db, "Carol", &uid), "insert carol");
  ok_err (db_cert_insert (db, "CCCC", "carol-cert", uid, NULL),
          "insert carol's cert");
  err = db_cert_insert (db, "AAAA000000000000000000000000000000000001",
                        "dup", uid, NULL);
  ok_code (err, GPG_ERR_DUP_KEY, "duplicate fingerprint is DUP_KEY");
  ok (strstr (db_errmsg (db), "already stored") != NULL,
      "db_errmsg: %s", db_errmsg (db));
  ok_err (db_rollback (db), "rollback after the error");
  ok_code (db_commit (db), GPG_ERR_INV_STATE, "commit without a transaction");
  db_close (db);
  ok (unchanged (path, &s), "failed transactions leave the file"
      " byte-identical");

  /* The check can fail: a committed change is seen.  */
  db = NULL;
  if (!db_open (path, 0, &db))
    {
      db_begin (db);
      db_user_add (db, "Dave", "DDDD", "dave-cert", NULL, 0, NULL, NULL);
      db_commit (db);
    }
  db_close (db);
  ok (!unchanged (path, &s), "a committed change does alter the file");
  snap_free (&s);
}


static void
test_refusals (void)
{
  const char *garbage = tpath ("garbage.sqlite");
  const char *small = tpath ("small.sqlite");
  const char *foreign = tpath ("foreign.sqlite");
  const char *newer = tpath ("newer.sqlite");
  unsigned char junk[4096];
  db_t db = NULL;
  snap_t s;
  size_t i;

  for (i = 0; i < sizeof junk; i++)
    junk[i] = (unsigned char)(i * 7 + 13);
  ok (!write_file (garbage, junk, sizeof junk), "write a garbage file");
  s = snap (garbage);
  ok_code (db_open (garbage, 0, &db), GPG_ERR_INV_OBJ, "garbage refused");
  ok (strstr (db_errmsg (NULL), "not an oca database") != NULL,
      "message: %s", db_errmsg (NULL));
  ok_code (db_open (garbage, DB_OPEN_CREATE, &db), GPG_ERR_INV_OBJ,
           "garbage refused with CREATE");
  ok_code (db_open (garbage, DB_OPEN_READONLY, &db), GPG_ERR_INV_OBJ,
           "garbage refused read-only");
  ok (db == NULL && unchanged (garbage, &s), "garbage file unchanged");
  snap_free (&s);

  ok (!write_file (small, "hello, world\n", 13), "write a small text file");
  s = snap (small);
  ok_code (db_open (small, DB_OPEN_CREATE, &db), GPG_ERR_INV_OBJ,
           "small text file refused");
  ok (unchanged (small, &s), "small text file unchanged");
  snap_free (&s);

  ok (!raw_exec (foreign, "CREATE TABLE notes (id INTEGER, txt TEXT);"
                 "INSERT INTO notes VALUES (1, 'keep me');"),
      "build a foreign SQLite database");
  s = snap (foreign);
  ok_code (db_open (foreign, 0, &db), GPG_ERR_INV_OBJ, "foreign db refused");
  ok_code (db_open (foreign, DB_OPEN_CREATE, &db), GPG_ERR_INV_OBJ,
           "foreign db refused with CREATE");
  ok (unchanged (foreign, &s), "foreign db unchanged");
  ok (raw_int (foreign, "SELECT count(*) FROM sqlite_master") == 1,
      "no table added to the foreign db");
  snap_free (&s);

  /* Foreign with a user_version but no application_id.  */
  ok (!raw_exec (foreign, "PRAGMA user_version = 1"), "set user_version");
  s = snap (foreign);
  ok_code (db_open (foreign, 0, &db), GPG_ERR_INV_OBJ,
           "foreign db with user_version refused");
  ok (unchanged (foreign, &s), "still unchanged");
  snap_free (&s);

  /* Empty SQLite database (e.g. a 0-byte file) without CREATE.  */
  ok (!write_file (tpath ("empty.sqlite"), "", 0), "0-byte file");
  ok_code (db_open (tpath ("empty.sqlite"), 0, &db), GPG_ERR_NOT_INITIALIZED,
           "empty file without CREATE");
  /* A file others may read is not fit for a new CA (it keeps its
   * mode); 0600 is.  */
  ok (!chmod (tpath ("empty.sqlite"), 0644), "chmod 644");
  ok_code (db_open (tpath ("empty.sqlite"), DB_OPEN_CREATE, &db),
           GPG_ERR_EPERM, "empty 0644 file refused with CREATE");
  ok (strstr (db_errmsg (NULL), "mode 0644") != NULL,
      "message names the mode: %s", db_errmsg (NULL));
  ok (raw_int (tpath ("empty.sqlite"), "SELECT count(*) FROM sqlite_master")
      == 0, "no schema written into it");
  ok (!chmod (tpath ("empty.sqlite"), 0600), "chmod 600");
  ok_err (db_open (tpath ("empty.sqlite"), DB_OPEN_CREATE, &db),
          "empty 0600 file with CREATE gets the schema");
  ok (db_file_mode (db) == 0600, "db_file_mode is 0600");
  db_close (db);
  db = NULL;

  /* Newer schema.  */
  ok_err (make_ca_db (newer), "build a CA database");
  ok (!raw_exec (newer, "PRAGMA user_version = 99"), "bump user_version");
  s = snap (newer);
  ok_code (db_open (newer, 0, &db), GPG_ERR_NOT_SUPPORTED,
           "newer schema refused");
  ok (strstr (db_errmsg (NULL), "newer oca") != NULL,
      "message: %s", db_errmsg (NULL));
  ok_code (db_open (newer, DB_OPEN_READONLY, &db), GPG_ERR_NOT_SUPPORTED,
           "newer schema refused read-only");
  ok (unchanged (newer, &s), "newer db unchanged");
  snap_free (&s);
}


/* The test-only step 2 appended to the real migrations.  */
static db_migration_t test_steps[16];
static size_t
steps_plus (const char *name, const char *sql)
{
  size_t i;

  for (i = 0; i < db_n_migrations && i + 1 < DIM (test_steps); i++)
    test_steps[i] = db_migrations[i];
  test_steps[i].name = name;
  test_steps[i].sql = sql;
  return i + 1;
}

static void
test_migration (void)
{
  const char *v1 = tpath ("v1.sqlite");
  const char *bad = tpath ("v1-bad.sqlite");
  db_t db = NULL;
  db_cert_t *cert = NULL;
  snap_t s;
  size_t n;
  unsigned int next = DB_SCHEMA_VERSION + 1;

  /* A file at the current version, built only from the built-in steps
   * (stopping at version 1 shows step 1 alone is a full schema).  */
  ok_err (db__open_ext (tpath ("only-v1.sqlite"), DB_OPEN_CREATE,
                        db_migrations, 1, &db), "build with step 1 only");
  ok (db_schema_version (db) == 1, "version 1");
  db_close (db);
  db = NULL;

  ok_err (make_ca_db (v1), "build a current-version CA database");
  ok (!copy_file (v1, bad), "copy it");

  /* Readonly cannot migrate and does not touch the file.  */
  n = steps_plus ("test: add certs.note",
                  "ALTER TABLE certs ADD COLUMN note VARCHAR NULL;"
                  "CREATE TABLE t_extra (x INTEGER);"
                  "UPDATE certs SET note = 'migrated';");
  s = snap (v1);
  ok_code (db__open_ext (v1, DB_OPEN_READONLY, test_steps, n, &db),
           GPG_ERR_INV_STATE, "read-only open cannot migrate");
  ok (unchanged (v1, &s), "file unchanged by the refused read-only open");

  ok_err (db__open_ext (v1, 0, test_steps, n, &db), "open with an extra step");
  ok (db && db_schema_version (db) == next, "schema version now %u", next);
  if (db)
    {
      ok_err (db_cert_get (db, "AAAA000000000000000000000000000000000001",
                           &cert), "old data still there");
      db_cert_release (cert);
      cert = NULL;
    }
  db_close (db);
  db = NULL;
  ok (raw_int (v1, "PRAGMA user_version") == next, "user_version is %u", next);
  ok (raw_int (v1, "SELECT count(*) FROM certs WHERE note = 'migrated'") == 1,
      "the step ran on the existing rows");
  ok (!unchanged (v1, &s), "migration changed the file");
  snap_free (&s);

  /* Re-opening with the same steps does not write.  */
  s = snap (v1);
  ok_err (db__open_ext (v1, 0, test_steps, n, &db), "reopen migrated file");
  db_close (db);
  db = NULL;
  ok (unchanged (v1, &s), "nothing to migrate: file byte-identical");
  snap_free (&s);

  /* The normal oca now sees a newer file.  */
  ok_code (db_open (v1, 0, &db), GPG_ERR_NOT_SUPPORTED,
           "migrated file is newer than the built-in schema");

  /* A failing step rolls everything back.  */
  n = steps_plus ("test: broken",
                  "CREATE TABLE t_half (x INTEGER);"
                  "INSERT INTO no_such_table VALUES (1);");
  s = snap (bad);
  ok_code (db__open_ext (bad, 0, test_steps, n, &db), GPG_ERR_INTERNAL,
           "broken step fails");
  ok (strstr (db_errmsg (NULL), "migration to schema version") != NULL,
      "message: %s", db_errmsg (NULL));
  ok (unchanged (bad, &s), "failed migration leaves the file byte-identical");
  ok (raw_int (bad, "PRAGMA user_version") == DB_SCHEMA_VERSION,
      "user_version unchanged");
  snap_free (&s);
}


static void
test_constraints (void)
{
  const char *path = tpath ("constraints.sqlite");
  db_t db = NULL;
  db_revocation_t *rev = NULL;
  db_bridge_t *br = NULL;
  db_certification_t rec, *clist = NULL, *c;
  db_cert_t *cert = NULL;
  int64_t cert_id = 0, rev_id = 0, bcert = 0, bid = 0, id = 0;
  uint64_t count = 0;
  int i;

  ok_err (make_ca_db (path), "build a CA database");
  if (db_open (path, 0, &db))
    {
      ok (0, "open");
      return;
    }
  ok_err (db_begin (db), "begin");
  ok_code (db_ca_insert (db, "other.org", "FF", "k", NULL, NULL),
           GPG_ERR_DUP_KEY, "second CA is DUP_KEY");
  ok_code (db_cert_insert (db, "EEEE", "x", 9999, NULL), GPG_ERR_INV_ID,
           "cert of an unknown user is INV_ID (foreign key)");
  ok_err (db_cert_get (db, "AAAA000000000000000000000000000000000001", &cert),
          "get alice");
  cert_id = cert ? cert->id : 0;
  db_cert_release (cert);
  cert = NULL;

  /* Revocations.  */
  ok_err (db_revocation_insert (db, cert_id, "0123456789ABCDEF", "rev-1", 0,
                                &rev_id), "insert revocation");
  ok_code (db_revocation_insert (db, cert_id, "0123456789ABCDEF", "rev-2", 0,
                                 NULL), GPG_ERR_DUP_KEY,
           "duplicate revocation hash is DUP_KEY");
  ok_err (db_revocation_insert (db, cert_id, "FEDCBA9876543210", "rev-3", 1,
                                NULL), "insert second revocation");
  ok_err (db_revocation_list (db, cert_id, &rev), "list revocations");
  ok (rev && rev->next && !rev->next->next
      && !strcmp (rev->hash, "0123456789ABCDEF") && !rev->published
      && !strcmp (rev->next->revocation, "rev-3") && rev->next->published,
      "two revocations listed in order");
  db_revocation_release (rev);
  rev = NULL;
  ok_err (db_revocation_set_published (db, rev_id), "mark published");
  ok_err (db_revocation_get (db, "0123456789ABCDEF", &rev), "get by hash");
  ok (rev && rev->published && rev->cert_id == cert_id
      && !strcmp (rev->revocation, "rev-1"), "revocation now published");
  db_revocation_release (rev);
  rev = NULL;
  ok_code (db_revocation_get (db, "0000000000000000", &rev),
           GPG_ERR_NOT_FOUND, "unknown hash is NOT_FOUND");
  ok_code (db_revocation_set_published (db, 424242), GPG_ERR_NOT_FOUND,
           "publishing an unknown id is NOT_FOUND");

  /* Bridges.  */
  ok_err (db_cert_insert (db, "BR1D6E", "remote-ca-cert", 0, &bcert),
          "insert a bridge cert without user");
  ok_err (db_bridge_insert (db, "openpgp-ca@other.org", "other.org", bcert,
                            &bid), "insert bridge");
  ok_code (db_bridge_insert (db, "openpgp-ca@other.org", "other.org", bcert,
                             NULL), GPG_ERR_DUP_KEY,
           "duplicate bridge email is DUP_KEY");
  ok_err (db_bridge_get (db, "openpgp-ca@other.org", &br), "get bridge");
  ok (br && br->id == bid && !strcmp (br->scope, "other.org")
      && !strcmp (br->fingerprint, "BR1D6E")
      && !strcmp (br->pub_cert, "remote-ca-cert") && br->cas_id == 1,
      "bridge fields");
  db_bridge_release (br);
  br = NULL;
  ok_err (db_bridge_list (db, &br), "list bridges");
  ok (br && !br->next, "one bridge");
  db_bridge_release (br);
  br = NULL;
  ok_code (db_bridge_get (db, "x@y", &br), GPG_ERR_NOT_FOUND,
           "unknown bridge");
  ok_err (walk_certs (db, NULL, &cert), "list user certs");
  ok (cert && !cert->next, "bridge cert not in the user list");
  db_cert_release (cert);
  cert = NULL;

  /* Flags and update.  */
  ok_err (db_cert_set_delisted (db, cert_id, 1), "delist");
  ok_err (db_cert_set_inactive (db, cert_id, 1), "deactivate");
  ok_err (db_cert_update (db, cert_id, "alice-cert-v2"), "update cert");
  ok_code (db_cert_update (db, 9999, "x"), GPG_ERR_NOT_FOUND,
           "update unknown cert");
  ok_err (db_cert_get_by_id (db, cert_id, &cert), "get by id");
  ok (cert && cert->delisted && cert->inactive
      && !strcmp (cert->pub_cert, "alice-cert-v2"), "flags and text updated");
  db_cert_release (cert);
  cert = NULL;

  /* Certification log.  */
  memset (&rec, 0, sizeof rec);
  rec.cert_id = cert_id;
  rec.target_fpr = (char *)"AAAA000000000000000000000000000000000001";
  rec.user_id = (char *)"Alice <alice@example.org>";
  rec.created = 1700000000;
  rec.signature = (char *)"sig-1";
  rec.issuer_fpr = (char *)ca_fpr;
  rec.kind = DB_CERTIFICATION_CERT;
  ok_err (db_certification_insert (db, &rec, &id), "log a certification");
  rec.kind = DB_CERTIFICATION_REVOCATION;
  rec.signature = (char *)"sig-2";
  ok_err (db_certification_insert (db, &rec, NULL), "log a revocation");
  rec.cert_id = 0;
  rec.target_fpr = (char *)ca_fpr;
  rec.issuer_fpr = (char *)"AAAA000000000000000000000000000000000001";
  rec.kind = DB_CERTIFICATION_TSIG;
  rec.signature = (char *)"sig-3";
  ok_err (db_certification_insert (db, &rec, NULL), "log a tsig");
  rec.signature = NULL;
  ok_code (db_certification_insert (db, &rec, NULL), GPG_ERR_INV_VALUE,
           "incomplete record refused");
  rec.signature = (char *)"sig-4";
  rec.kind = (db_certification_kind_t)17;
  ok_code (db_certification_insert (db, &rec, NULL), GPG_ERR_INV_VALUE,
           "bad kind refused");
  rec.kind = DB_CERTIFICATION_BRIDGE;
  rec.cert_id = 777;
  ok_code (db_certification_insert (db, &rec, NULL), GPG_ERR_INV_ID,
           "record for an unknown cert row refused");
  ok_err (db_certification_count (db, "AAAA000000000000000000000000000000000001",
                                  &count), "count for alice");
  ok (count == 2, "two signatures on alice's key (got %llu)",
      (unsigned long long)count);
  ok_err (db_certification_count (db, NULL, &count), "count all");
  ok (count == 3, "three signatures in total");
  ok_err (db_certification_list (db, "AAAA000000000000000000000000000000000001",
                                 &clist), "list for alice");
  c = clist;
  ok (c && c->id == id && c->kind == DB_CERTIFICATION_CERT
      && c->created == 1700000000 && c->cert_id == cert_id
      && !strcmp (c->user_id, "Alice <alice@example.org>")
      && !strcmp (c->issuer_fpr, ca_fpr) && !strcmp (c->signature, "sig-1")
      && c->next && c->next->kind == DB_CERTIFICATION_REVOCATION
      && !c->next->next, "records read back");
  db_certification_release (clist);
  clist = NULL;
  /* A record without a certificate row (as split mode's front makes
   * them) is found by its target too (the partial index, schema 6),
   * in row order with the others.  */
  rec.cert_id = 0;
  rec.target_fpr = (char *)"AAAA000000000000000000000000000000000001";
  rec.issuer_fpr = (char *)ca_fpr;
  rec.kind = DB_CERTIFICATION_CERT;
  rec.signature = (char *)"sig-5";
  ok_err (db_certification_insert (db, &rec, NULL), "log an orphan");
  ok_err (db_certification_count (db, "AAAA000000000000000000000000000000000001",
                                  &count), "count for alice again");
  ok (count == 3, "three signatures on alice's key (got %llu)",
      (unsigned long long)count);
  ok_err (db_certification_list (db, "AAAA000000000000000000000000000000000001",
                                 &clist), "list for alice again");
  c = clist;
  ok (c && !strcmp (c->signature, "sig-1") && c->next
      && !strcmp (c->next->signature, "sig-2") && c->next->next
      && !strcmp (c->next->next->signature, "sig-5") && !c->next->next->cert_id
      && !c->next->next->next, "the orphan read back, in row order");
  db_certification_release (clist);
  clist = NULL;
  ok_err (db_certification_count (db, ca_fpr, &count), "count for the CA");
  ok (count == 1, "the tsig on the CA's key, a record without a row");
  ok (raw_int (path, "SELECT 1") == 1, "raw read while a write lock is held");
  ok_err (db_commit (db), "commit");
  ok (raw_int (path, "SELECT count(*) FROM certifications"
               " WHERE kind = 'tsig'") == 1, "tsig kind stored as text");

  /* Kinds round-trip.  */
  for (i = 0; i < 5; i++)
    if (!db_certification_kind_str ((db_certification_kind_t)i))
      break;
  ok (i == 5 && !db_certification_kind_str ((db_certification_kind_t)5)
      && !strcmp (db_certification_kind_str (DB_CERTIFICATION_BRIDGE),
                  "bridge"), "kind strings");
  db_close (db);
}


static void
test_busy (void)
{
  const char *path = tpath ("busy.sqlite");
  db_t a = NULL, b = NULL;

  ok_err (make_ca_db (path), "build a CA database");
  if (db_open (path, 0, &a) || db_open (path, 0, &b))
    {
      ok (0, "open twice");
      db_close (a);
      return;
    }
  sqlite3_busy_timeout (b->sql, 50);
  ok_err (db_begin (a), "first handle takes the write lock");
  ok_code (db_begin (b), GPG_ERR_LOCKED, "second handle is LOCKED");
  ok (!db_in_transaction (b), "second handle has no transaction");
  ok_err (db_rollback (a), "release");
  ok_err (db_begin (b), "second handle gets it now");
  ok_err (db_rollback (b), "release");
  db_close (a);
  db_close (b);
}


static void
test_bulk (void)
{
  const char *path = tpath ("bulk.sqlite");
  db_t db = NULL;
  db_cert_t *list = NULL, *c;
  char fpr[41], email[64], name[32];
  const char *emails[1];
  gpg_error_t err = 0;
  struct timespec t0, t1;
  int i, n, good;

  ok_err (make_ca_db (path), "build a CA database");
  if (db_open (path, 0, &db))
    {
      ok (0, "open");
      return;
    }
  clock_gettime (CLOCK_MONOTONIC, &t0);
  ok_err (db_begin (db), "begin bulk");
  for (i = 0; i < 1000 && !err; i++)
    {
      snprintf (fpr, sizeof fpr, "%040X", i + 0x1000);
      snprintf (email, sizeof email, "user%d@example.org", i);
      snprintf (name, sizeof name, "User %d", i);
      emails[0] = email;
      err = db_user_add (db, name, fpr,
                         "-----BEGIN PGP PUBLIC KEY BLOCK-----\n...", emails, 1,
                         NULL, NULL);
    }
  ok_err (err, "1000 inserts");
  ok_err (db_commit (db), "commit bulk");
  clock_gettime (CLOCK_MONOTONIC, &t1);
  tap_diag ("1000 users in %.1f ms",
            (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);

  ok_err (walk_certs (db, NULL, &list), "list all certs");
  for (n = 0, good = 1, c = list; c; c = c->next, n++)
    if (n > 0)
      {
        snprintf (email, sizeof email, "user%d@example.org", n - 1);
        if (c->nemails != 1 || strcmp (c->emails[0], email))
          good = 0;
      }
  ok (n == 1001, "1001 certs listed (got %d)", n);
  ok (good, "each with its email, in order");
  db_cert_release (list);
  list = NULL;
  ok_err (walk_certs (db, "user777@example.org", &list),
          "by email");
  ok (list && !list->next && list->user_name
      && !strcmp (list->user_name, "User 777"), "the right user");
  db_cert_release (list);

  /* A walk may update what it walks, in one transaction: each cert is
   * visited once, in order, and sees no row twice.  */
  {
    int64_t after = 0, last = 0;
    int visits = 0, ordered = 1;

    ok_err (db_begin (db), "begin");
    while (!(err = db_cert_next (db, NULL, after, &c)))
      {
        ordered &= c->id > last;
        last = after = c->id;
        visits++;
        if (db_cert_update (db, c->id, "rewritten"))
          ordered = 0;
        db_cert_release (c);
      }
    ok_code (err, GPG_ERR_EOF, "the walk ends with EOF");
    ok (visits == 1001 && ordered, "1001 certs updated while walked, each "
        "once, in order (%d)", visits);
    ok_err (db_commit (db), "commit");
    c = (db_cert_t *)1;
    ok_code (db_cert_next (db, "nobody@example.org", 0, &c), GPG_ERR_EOF,
             "no cert for an address: EOF at once");
    ok (!c, "and no cert");
    ok_code (db_cert_next (db, NULL, last, &c), GPG_ERR_EOF,
             "nothing after the last");
  }

  /* In batches (ca renew): the same certs with the same fields, in the
   * same order, without their addresses; fewer than asked at the end.  */
  {
    db_cert_t *one = NULL, *rows[DB_CERT_BATCH_MAX];
    int64_t after = 0;
    size_t nb = 0, k, total = 0, batches = 0, last_n = 0;
    int same = 1;

    ok_code (db_cert_next_batch (db, 0, 0, rows, &nb), GPG_ERR_INV_ARG,
             "a batch of none: refused");
    ok_code (db_cert_next_batch (db, 0, DB_CERT_BATCH_MAX + 1, rows, &nb),
             GPG_ERR_INV_ARG, "a batch too large: refused");
    ok_err (walk_certs (db, NULL, &list), "walked one at a time");
    one = list;
    do
      {
        err = db_cert_next_batch (db, after, 64, rows, &nb);
        batches++;
        last_n = nb;
        for (k = 0; k < nb; k++, total++)
          {
            if (!one || one->id != rows[k]->id
                || strcmp (one->fingerprint, rows[k]->fingerprint)
                || strcmp (one->pub_cert, rows[k]->pub_cert)
                || one->user_id != rows[k]->user_id
                || (one->user_name == NULL) != (rows[k]->user_name == NULL)
                || (one->user_name
                    && strcmp (one->user_name, rows[k]->user_name))
                || one->inactive != rows[k]->inactive
                || one->delisted != rows[k]->delisted
                || rows[k]->nemails)
              same = 0;
            after = rows[k]->id;
            one = one ? one->next : NULL;
            db_cert_release (rows[k]);
          }
      }
    while (!err && nb == 64);
    ok_err (err, "walked in batches of 64");
    ok (same && !one && total == 1001,
        "the same %zu certs, fields and order, no addresses", total);
    ok (batches == 16 && last_n == 1001 - 15 * 64,
        "16 batches, the last one short (%zu, %zu)", batches, last_n);
    ok_err (db_cert_next_batch (db, after, 64, rows, &nb), "after the last");
    ok (nb == 0, "none");
    db_cert_release (list);
    list = NULL;
  }
  db_close (db);
}


/* db_cert_store_many and db_certification_insert_many: whole groups
 * of DB_STORE_GROUP through one statement each, the rest one by one;
 * every value on its own row.  */
static void
test_store_many (void)
{
  enum { N = 2 * DB_STORE_GROUP + 7 };
  const char *path = tpath ("many.sqlite");
  db_t db = NULL;
  db_cert_store_t items[N];
  db_certification_t recs[N], *list = NULL, *r;
  db_cert_t *c = NULL;
  int64_t ids[N];
  static char texts[N][32], records[N][32], fprs[N][41], uids[N][32];
  char email[64];
  const char *emails[1] = { email };
  gpg_error_t err = 0;
  int i, good;

  ok_err (make_ca_db (path), "build a CA database");
  if (db_open (path, 0, &db))
    {
      ok (0, "open");
      return;
    }
  ok_err (db_begin (db), "begin");
  for (i = 0; i < N && !err; i++)
    {
      snprintf (fprs[i], sizeof fprs[i], "%040X", i + 0x2000);
      snprintf (email, sizeof email, "many%d@example.org", i);
      err = db_user_add (db, NULL, fprs[i], "old", emails, 1, NULL, &ids[i]);
    }
  ok_err (err, "%d certs", N);
  for (i = 0; i < N; i++)
    {
      snprintf (texts[i], sizeof texts[i], "text %d", i);
      snprintf (records[i], sizeof records[i], "record %d", i);
      items[i].id = ids[i];
      items[i].pub_cert = texts[i];
      items[i].record = records[i];
    }
  ok_err (db_commit (db), "commit");
  ok_code (db_cert_store_many (db, items, N), GPG_ERR_INV_STATE,
           "outside a transaction: refused");

  ok_err (db_begin (db), "begin");
  items[N - 1].record = NULL;
  ok_code (db_cert_store_many (db, items, N), GPG_ERR_INV_VALUE,
           "a missing record: refused");
  items[N - 1].record = records[N - 1];
  ok_err (db_cert_get_by_id (db, ids[0], &c), "read the first");
  ok (c && !strcmp (c->pub_cert, "old"), "and nothing was stored");
  db_cert_release (c);
  c = NULL;
  ok_err (db_cert_store_many (db, items, N), "store %d", N);
  for (i = 0, good = 0; i < N; i++, c = NULL)
    {
      good += !db_cert_get_by_id (db, ids[i], &c) && c
        && !strcmp (c->pub_cert, texts[i]) && c->verified
        && !strcmp (c->verified, records[i]);
      db_cert_release (c);
    }
  ok (good == N, "each text and record on its own row (%d of %d)", good, N);
  /* A row that is not there: in a group, and in the rest.  */
  items[5].id = 999999;
  ok_code (db_cert_store_many (db, items, N), GPG_ERR_NOT_FOUND,
           "a missing row in a group");
  items[5].id = ids[5];
  items[N - 2].id = 999999;
  ok_code (db_cert_store_many (db, items, N), GPG_ERR_NOT_FOUND,
           "a missing row in the rest");
  items[N - 2].id = ids[N - 2];
  /* A record forgotten after one was stored, and stored again, in one
   * connection (each statement in its own cache slot).  */
  ok_err (db_cert_set_verified (db, ids[0], NULL), "forget a record");
  ok_err (db_cert_get_by_id (db, ids[0], &c), "read it");
  ok (c && !c->verified, "it is gone");
  db_cert_release (c);
  c = NULL;
  ok_err (db_cert_set_verified (db, ids[0], "again"), "store one again");
  ok_err (db_cert_get_by_id (db, ids[0], &c), "read it");
  ok (c && c->verified && !strcmp (c->verified, "again"), "it is there");
  db_cert_release (c);
  c = NULL;
  ok_err (db_rollback (db), "rollback");

  /* The audit records: card and counter as db_certification_insert
   * (the counter only with a card and not below 0).  */
  memset (recs, 0, sizeof recs);
  for (i = 0; i < N; i++)
    {
      snprintf (uids[i], sizeof uids[i], "<many%d@example.org>", i);
      recs[i].cert_id = ids[i];
      recs[i].target_fpr = fprs[i];
      recs[i].user_id = uids[i];
      recs[i].created = 1000 + i;
      recs[i].signature = texts[i];
      recs[i].issuer_fpr = fprs[0];
      recs[i].kind = DB_CERTIFICATION_CERT;
      recs[i].backend = (char *)"softkey";
      recs[i].card = i % 3 ? (char *)"card" : NULL;
      recs[i].card_sigcount = i % 2 ? i : -1;
      recs[i].sig_hash = records[i];
    }
  ok_err (db_begin (db), "begin");
  recs[3].signature = NULL;
  ok_code (db_certification_insert_many (db, recs, N), GPG_ERR_INV_VALUE,
           "an incomplete record: refused");
  recs[3].signature = texts[3];
  ok_err (db_certification_insert_many (db, recs, N), "record %d", N);
  ok_err (db_commit (db), "commit");
  for (i = 0, good = 0; i < N; i++, list = NULL)
    {
      if (db_certification_list (db, fprs[i], &list) || !list || list->next)
        {
          db_certification_release (list);
          continue;
        }
      r = list;
      good += r->cert_id == ids[i] && !strcmp (r->user_id, uids[i])
        && r->created == 1000 + i && !strcmp (r->signature, texts[i])
        && !strcmp (r->issuer_fpr, fprs[0]) && r->kind == DB_CERTIFICATION_CERT
        && !strcmp (r->backend, "softkey")
        && (i % 3 ? r->card && !strcmp (r->card, "card") : !r->card)
        && r->card_sigcount == (i % 3 && i % 2 ? i : -1)
        && !strcmp (r->sig_hash, records[i]);
      db_certification_release (list);
    }
  ok (good == N, "each audit record with its own values (%d of %d)", good, N);
  db_close (db);
}


static void
test_migrate_key_scrub (void)
{
  const char *path = tpath ("scrub.sqlite");
  const char *marker = "SECRET-KEY-MATERIAL-6b3f9a1c0d2e4f5a";
  db_t db = NULL;
  db_cacert_t *c = NULL;

  ok_err (make_ca_db (path), "build a softkey CA database");
  ok (file_contains (path, marker), "key bytes are in the file (control)");
  if (db_open (path, 0, &db))
    {
      ok (0, "open");
      return;
    }
  ok_err (db_cacert_get_active (db, &c), "get cacert");
  ok_err (db_begin (db), "begin");
  ok_err (db_cacert_replace_key (db, c ? c->id : 0, ca_pub,
                                 "card;0123:01234567;14199138"),
          "replace key by public cert");
  ok_code (db_vacuum_secure (db), GPG_ERR_INV_STATE,
           "vacuum inside a transaction refused");
  ok_err (db_commit (db), "commit");
  ok_err (db_vacuum_secure (db), "secure vacuum");
  db_cacert_release (c);
  c = NULL;
  ok_err (db_cacert_get_active (db, &c), "get cacert again");
  ok (c && !strcmp (c->priv_cert, ca_pub) && c->backend
      && !strcmp (c->backend, "card;0123:01234567;14199138"),
      "cacert now holds the public cert and the card backend");
  db_cacert_release (c);
  ok_err (db_begin (db), "begin");
  ok_err (db_cacert_update_cert (db, 1, "CA-with-tsigs"), "update CA cert");
  ok_code (db_cacert_update_cert (db, 99, "x"), GPG_ERR_NOT_FOUND,
           "update unknown cacert");
  ok_err (db_commit (db), "commit");
  db_close (db);
  ok (!file_contains (path, marker), "no key bytes left in the file");
  ok (!file_contains (path, "CA-PUBLIC"),
      "replaced public cert is scrubbed too");

  /* Without VACUUM, secure_delete alone zeroes deleted content (the
   * row sits between two others, so its cell would otherwise stay in
   * the page).  */
  db = NULL;
  ok_err (db_open (path, 0, &db), "reopen");
  if (db)
    {
      ok_err (db_begin (db), "begin");
      ok_err (db_pending_set (db, "a", "filler-aaaaaaaaaaaaaaaa"), "pending a");
      ok_err (db_pending_set (db, "b", "PIN-SECRET-12345678"), "pending b");
      ok_err (db_pending_set (db, "c", "filler-cccccccccccc"), "pending c");
      ok_err (db_commit (db), "commit");
      ok (file_contains (path, "PIN-SECRET-12345678"), "secret in the file");
      ok_err (db_begin (db), "begin");
      ok_err (db_pending_delete (db, "b"), "delete the secret row");
      ok_err (db_commit (db), "commit");
    }
  db_close (db);
  ok (!file_contains (path, "PIN-SECRET-12345678"),
      "deleted secret zeroed without VACUUM (secure_delete)");
}


/* Run FN as an unprivileged user when we are root (root ignores file
 * modes), reporting its result codes through a pipe.  */
static int
run_unprivileged (void (*fn) (int *codes), int *codes, int ncodes)
{
  int fds[2], status;
  pid_t pid;
  ssize_t n;

  if (pipe (fds))
    return -1;
  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    return -1;
  if (!pid)
    {
      close (fds[0]);
      if (!geteuid () && (setgid (65534) || setuid (65534)))
        _exit (2);
      memset (codes, 0xff, ncodes * sizeof *codes);
      fn (codes);
      n = write (fds[1], codes, ncodes * sizeof *codes);
      _exit (n == (ssize_t)(ncodes * sizeof *codes) ? 0 : 3);
    }
  close (fds[1]);
  n = read (fds[0], codes, ncodes * sizeof *codes);
  close (fds[0]);
  if (waitpid (pid, &status, 0) != pid || !WIFEXITED (status)
      || WEXITSTATUS (status))
    return -1;
  return n == (ssize_t)(ncodes * sizeof *codes) ? 0 : -1;
}

static char ro_file[256], ro_dir_file[300];

static void
ro_child (int *codes)
{
  db_t db = NULL;
  char *domain = NULL;

  codes[0] = gpg_err_code (db_open (ro_file, 0, &db));
  db_close (db);
  db = NULL;
  codes[1] = gpg_err_code (db_open (ro_file, DB_OPEN_READONLY, &db));
  if (!codes[1])
    codes[2] = gpg_err_code (db_ca_get_domain (db, &domain));
  codes[3] = domain && !strcmp (domain, "example.org");
  xfree (domain);
  db_close (db);
  db = NULL;
  codes[4] = gpg_err_code (db_open (ro_dir_file, 0, &db));
  codes[5] = strstr (db_errmsg (NULL), "not writable") != NULL;
  db_close (db);
  db = NULL;
  codes[6] = gpg_err_code (db_open (ro_dir_file, DB_OPEN_READONLY, &db));
  db_close (db);
}

static void
test_readonly_file (void)
{
  char dir[256];
  int codes[7];
  snap_t s1, s2;

  snprintf (ro_file, sizeof ro_file, "%s", tpath ("ro.sqlite"));
  snprintf (dir, sizeof dir, "%s", tpath ("rodir"));
  snprintf (ro_dir_file, sizeof ro_dir_file, "%s/db.sqlite", dir);
  ok_err (make_ca_db (ro_file), "build a CA database");
  ok (!mkdir (dir, 0700), "mkdir");
  ok_err (make_ca_db (ro_dir_file), "build a CA database in a directory");
  /* Hand everything to the unprivileged user when root.  */
  if (!geteuid ())
    {
      ok (!chmod (tmpdir, 0711) && !chown (ro_file, 65534, 65534)
          && !chown (dir, 65534, 65534) && !chown (ro_dir_file, 65534, 65534),
          "chown to nobody");
    }
  ok (!chmod (ro_file, 0400) && !chmod (dir, 0500), "make read-only");
  s1 = snap (ro_file);
  s2 = snap (ro_dir_file);
  if (run_unprivileged (ro_child, codes, DIM (codes)))
    ok (0, "run the unprivileged child");
  else
    {
      ok (codes[0] == GPG_ERR_EACCES, "read-only file refused for writing"
          " (code %d)", codes[0]);
      ok (codes[1] == 0 && codes[2] == 0 && codes[3],
          "read-only file opens read-only and reads");
      ok (codes[4] == GPG_ERR_EACCES, "read-only directory refused for"
          " writing (code %d)", codes[4]);
      ok (codes[5], "message says 'not writable'");
      ok (codes[6] == 0, "read-only directory opens read-only");
    }
  ok (unchanged (ro_file, &s1) && unchanged (ro_dir_file, &s2),
      "read-only files unchanged");
  snap_free (&s1);
  snap_free (&s2);
  chmod (dir, 0700);
  chmod (ro_file, 0600);
}


/* Crash a writer in the middle of a transaction on PATH: a child
 * process changes the domain and adds enough rows to spill pages into
 * the file, then dies without committing.  Returns 0 if a hot journal
 * is left.  */
static int
crash_writer (const char *path)
{
  char jpath[300];
  unsigned char head[8];
  int status, fd;
  ssize_t n;
  pid_t pid;

  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    return -1;
  if (!pid)
    {
      sqlite3 *s = NULL;

      if (sqlite3_open_v2 (path, &s, SQLITE_OPEN_READWRITE, NULL)
          || sqlite3_exec (s, "PRAGMA cache_size = 2; BEGIN;"
                           "UPDATE cas SET domainname = 'evil.example';"
                           "INSERT INTO users (name, ca_id)"
                           " SELECT hex(randomblob(2000)), 1 FROM"
                           " (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL"
                           "  SELECT x + 1 FROM c WHERE x < 300)"
                           "  SELECT x FROM c);", NULL, NULL, NULL))
        _exit (2);
      _exit (0);  /* No COMMIT, no close: a crash.  */
    }
  if (waitpid (pid, &status, 0) != pid || !WIFEXITED (status)
      || WEXITSTATUS (status))
    return -1;
  snprintf (jpath, sizeof jpath, "%s-journal", path);
  fd = open (jpath, O_RDONLY);
  if (fd < 0)
    return -1;
  n = read (fd, head, sizeof head);
  close (fd);
  /* A journal whose header was synced (non-zero magic) is hot.  */
  return n == (ssize_t)sizeof head && (head[0] | head[1]) ? 0 : -1;
}

static char hot_file[300];

static void
hot_child (int *codes)
{
  db_t db = NULL;

  codes[0] = gpg_err_code (db_open (hot_file, DB_OPEN_READONLY, &db));
  codes[1] = strstr (db_errmsg (NULL), "hot journal") != NULL
             && strstr (db_errmsg (NULL), "crashed") != NULL;
  db_close (db);
}

static void
unreadable_child (int *codes)
{
  db_t db = NULL;

  codes[0] = gpg_err_code (db_open (hot_file, DB_OPEN_READONLY, &db));
  codes[1] = strstr (db_errmsg (NULL), "cannot read database") != NULL
             && strstr (db_errmsg (NULL), "read-only") == NULL;
  db_close (db);
  db = NULL;
  codes[2] = gpg_err_code (db_open (hot_file, 0, &db));
  db_close (db);
}

/* A writer crashed mid-transaction: a read-only open rolls its hot
 * journal back when it may write, and says what to do when not.  */
static void
test_hot_journal (void)
{
  char dir[256], jpath[320];
  const char *path;
  db_t db = NULL;
  char *domain = NULL;
  int codes[3];
  snap_t s;

  path = tpath ("hot.sqlite");
  snprintf (jpath, sizeof jpath, "%s-journal", path);
  ok_err (make_ca_db (path), "build a CA database");
  ok (!crash_writer (path), "a crashed writer left a hot journal");
  ok_err (db_open (path, DB_OPEN_READONLY, &db),
          "read-only open of a file with a hot journal");
  if (db)
    {
      ok_err (db_ca_get_domain (db, &domain), "read the domain");
      ok (domain && !strcmp (domain, "example.org"),
          "the crashed transaction was rolled back (%s)",
          domain ? domain : "NULL");
      xfree (domain);
      ok (db_is_readonly (db), "handle is still read-only");
      ok_code (db_begin (db), GPG_ERR_EACCES, "and refuses writes");
    }
  db_close (db);
  db = NULL;
  ok (!file_exists (jpath), "journal gone");
  ok (raw_int (path, "SELECT count(*) FROM users") == 1,
      "only the committed user is left");

  /* The same for a user who may read but not write: refused, nothing
   * changed, and the message says what happened.  */
  snprintf (dir, sizeof dir, "%s", tpath ("hotdir"));
  snprintf (hot_file, sizeof hot_file, "%s/ca.sqlite", dir);
  snprintf (jpath, sizeof jpath, "%s-journal", hot_file);
  ok (!mkdir (dir, 0700), "mkdir");
  ok_err (make_ca_db (hot_file), "build a CA database");
  ok (!crash_writer (hot_file), "a crashed writer left a hot journal");
  ok (!chmod (hot_file, 0444) && !chmod (jpath, 0444) && !chmod (dir, 0555)
      && !chmod (tmpdir, 0711), "make it read-only for everybody");
  s = snap (hot_file);
  if (run_unprivileged (hot_child, codes, 2))
    ok (0, "run the unprivileged child");
  else
    {
      ok (codes[0] == GPG_ERR_EACCES, "read-only user: refused (code %d)",
          codes[0]);
      ok (codes[1], "read-only user: message names the hot journal");
    }
  ok (s.buf && file_exists (jpath), "journal still there");
  snap_free (&s);
  ok (!chmod (dir, 0700) && !chmod (hot_file, 0600) && !chmod (jpath, 0600),
      "writable again");
  ok_err (db_open (hot_file, DB_OPEN_READONLY, &db),
          "the owner's read-only open rolls it back");
  db_close (db);
  db = NULL;
  ok (!file_exists (jpath), "journal gone");

  /* A file the user cannot read is reported as such, not as
   * read-only.  */
  ok (!chmod (hot_file, geteuid () ? 0200 : 0600) && !chmod (dir, 0755),
      "make it unreadable");
  if (run_unprivileged (unreadable_child, codes, 3))
    ok (0, "run the unprivileged child");
  else
    {
      ok (codes[0] == GPG_ERR_EACCES, "unreadable: refused (code %d)",
          codes[0]);
      ok (codes[1], "unreadable: message says it cannot be read");
      ok (codes[2] == GPG_ERR_EACCES, "unreadable: refused read-write");
    }
  chmod (hot_file, 0600);
}


/* db-life.c: the audit record's new fields and walk, settings, the cert
 * count (schema 4).  */
static void
test_life (void)
{
  const char *path = tpath ("life.sqlite");
  db_t db = NULL;
  db_certification_t rec, *c = NULL;
  char *v = NULL;
  uint64_t n = 0;
  int64_t id1 = 0, id2 = 0;

  ok_err (make_ca_db (path), "build a CA database");
  if (db_open (path, 0, &db))
    {
      ok (0, "open");
      return;
    }
  ok_code (db_setting_get (db, "cert-validity", &v), GPG_ERR_NOT_FOUND,
           "no setting");
  ok_code (db_setting_set (db, "cert-validity", "7"), GPG_ERR_INV_STATE,
           "setting needs a transaction");
  ok_err (db_begin (db), "begin");
  ok_err (db_setting_set (db, "cert-validity", "7"), "set");
  ok_err (db_setting_set (db, "cert-validity", "9"), "replace");
  ok (!db_setting_get (db, "cert-validity", &v) && v && !strcmp (v, "9"),
      "read back");
  xfree (v);
  v = NULL;
  ok_err (db_setting_set (db, "cert-validity", NULL), "remove");
  ok_code (db_setting_get (db, "cert-validity", &v), GPG_ERR_NOT_FOUND,
           "gone");
  ok_err (db_cert_count (db, &n), "count certs");
  ok (n == 1, "one user cert (got %llu)", (unsigned long long)n);

  memset (&rec, 0, sizeof rec);
  rec.target_fpr = (char *)"AAAA000000000000000000000000000000000001";
  rec.user_id = (char *)"Alice <alice@example.org>";
  rec.created = 1700000000;
  rec.signature = (char *)"sig-1";
  rec.issuer_fpr = (char *)ca_fpr;
  rec.kind = DB_CERTIFICATION_CERT;
  rec.backend = (char *)"card";
  rec.card = (char *)"FFFE:00000001";
  rec.card_sigcount = 42;
  rec.sig_hash = (char *)"AB";
  ok_err (db_certification_insert (db, &rec, &id1), "record with a card");
  rec.backend = (char *)"softkey";
  rec.card = NULL;
  rec.card_sigcount = 5;  /* Not stored without a card.  */
  rec.created = 1800000000;
  rec.target_fpr = (char *)"BBBB000000000000000000000000000000000002";
  ok_err (db_certification_insert (db, &rec, &id2), "record, softkey");
  ok_err (db_commit (db), "commit");

  ok_err (db_certification_next (db, 0, 0, NULL, &c), "first");
  ok (c && c->id == id1 && !strcmp (c->backend, "card")
      && !strcmp (c->card, "FFFE:00000001") && c->card_sigcount == 42
      && !strcmp (c->sig_hash, "AB"), "the new fields read back");
  db_certification_release (c);
  ok_err (db_certification_next (db, id1, 0, NULL, &c), "next");
  ok (c && c->id == id2 && !c->card && c->card_sigcount == -1,
      "no card: no counter");
  db_certification_release (c);
  ok_code (db_certification_next (db, id2, 0, NULL, &c), GPG_ERR_EOF,
           "end");
  ok (!db_certification_next (db, 0, 1750000000, NULL, &c) && c
      && c->id == id2, "since skips the older one");
  db_certification_release (c);
  ok_code (db_certification_next (db, 0, 1900000000, NULL, &c), GPG_ERR_EOF,
           "nothing that late");
  ok (!db_certification_next (db, 0, 0, "alice@example.org", &c) && c
      && c->id == id1, "by email");
  db_certification_release (c);
  ok_code (db_certification_next (db, id1, 0, "alice@example.org", &c),
           GPG_ERR_EOF, "only alice's");
  ok_code (db_certification_next (db, 0, 0, "nobody@example.org", &c),
           GPG_ERR_EOF, "nobody's");
  db_close (db);
}


/* Whether the statement SQL, prepared (not run) on the file PATH, has
 * the opcode OP (EXPLAIN); -1 on error.  */
static int
uses_opcode (const char *path, const char *sql, const char *op)
{
  sqlite3 *s = NULL;
  sqlite3_stmt *st = NULL;
  char buf[512];
  int found = -1;
  const unsigned char *name;

  snprintf (buf, sizeof buf, "EXPLAIN %s", sql);
  /* Read-write: a read-only connection leaves the CHECKs out.  */
  if (!sqlite3_open_v2 (path, &s, SQLITE_OPEN_READWRITE, NULL)
      && !sqlite3_prepare_v2 (s, buf, -1, &st, NULL))
    {
      found = 0;
      while (sqlite3_step (st) == SQLITE_ROW)
        if ((name = sqlite3_column_text (st, 1))
            && !strcmp ((const char *)name, op))
          found = 1;
    }
  sqlite3_finalize (st);
  sqlite3_close (s);
  return found;
}

/* Schema 7: the audit log rebuilt with every row and column as it
 * was; its CHECK on kind refuses what it refused, and an insert no
 * longer builds a temporary b-tree (the IN list of schemas 4 to 6).  */
static void
test_schema_v7 (void)
{
  const char *path = tpath ("v6-audit.sqlite");
  static const char insert[] =
    "INSERT INTO certifications (target_fpr, created, signature,"
    " issuer_fpr, kind) VALUES ('F', 1, 's', 'I', 'tsig')";
  db_t db = NULL;

  ok_err (db__open_ext (path, DB_OPEN_CREATE, db_migrations, 6, &db),
          "a database of schema 6");
  ok (db && db_schema_version (db) == 6, "version 6");
  db_close (db);
  db = NULL;
  ok (uses_opcode (path, insert, "OpenEphemeral") == 1,
      "schema 6: an audit insert builds a temporary b-tree");
  ok (!raw_exec (path,
                 "PRAGMA foreign_keys = ON;"
                 "INSERT INTO certs (id, fingerprint, pub_cert)"
                 " VALUES (1, 'F1', 'x');"
                 "INSERT INTO certifications (id, cert_id, target_fpr,"
                 " user_id_text, created, signature, issuer_fpr, kind,"
                 " backend, card, card_sigcount, sig_hash) VALUES"
                 " (10, 1, 'F1', 'u', 5, 's1', 'I', 'certification',"
                 "  'softkey', NULL, NULL, 'h1'),"
                 " (11, NULL, 'F2', NULL, 6, 's2', 'I', 'tsig', 'card',"
                 "  'D2760001240103040006123456780000', 7, 'h2'),"
                 " (12, 1, 'F1', 'u', 7, 's3', 'I', 'bridge', NULL, NULL,"
                 "  NULL, NULL),"
                 " (13, 1, 'F1', 'u', 8, 's4', 'I', 'revocation', NULL,"
                 "  NULL, NULL, NULL),"
                 " (14, NULL, 'CA', NULL, 9, 's5', 'I', 'signature', NULL,"
                 "  NULL, NULL, NULL);"),
      "audit rows of every kind");
  ok_err (db__open_ext (path, 0, db_migrations, DB_SCHEMA_VERSION, &db),
          "upgraded by the next open");
  ok (db && db_schema_version (db) == 7, "version 7");
  db_close (db);
  db = NULL;
  ok (raw_int (path, "SELECT count(*) FROM certifications") == 5
      && raw_int (path, "SELECT count(*) FROM certifications WHERE"
                  " (id = 10 AND cert_id = 1 AND target_fpr = 'F1'"
                  "  AND user_id_text = 'u' AND created = 5"
                  "  AND signature = 's1' AND issuer_fpr = 'I'"
                  "  AND kind = 'certification' AND backend = 'softkey'"
                  "  AND card IS NULL AND card_sigcount IS NULL"
                  "  AND sig_hash = 'h1')"
                  " OR (id = 11 AND cert_id IS NULL AND target_fpr = 'F2'"
                  "  AND user_id_text IS NULL AND created = 6"
                  "  AND signature = 's2' AND kind = 'tsig'"
                  "  AND backend = 'card'"
                  "  AND card = 'D2760001240103040006123456780000'"
                  "  AND card_sigcount = 7 AND sig_hash = 'h2')"
                  " OR (id = 12 AND kind = 'bridge' AND signature = 's3')"
                  " OR (id = 13 AND kind = 'revocation'"
                  "  AND signature = 's4')"
                  " OR (id = 14 AND kind = 'signature'"
                  "  AND signature = 's5' AND target_fpr = 'CA')") == 5,
      "every row kept, column by column");
  ok (raw_int (path, "SELECT count(*) FROM sqlite_schema WHERE"
               " type = 'index' AND tbl_name = 'certifications'"
               " AND name IN ('idx_certifications_cert_id',"
               " 'idx_certifications_created',"
               " 'idx_certifications_orphan')") == 3
      && raw_int (path, "SELECT count(*) FROM sqlite_schema WHERE"
                  " name LIKE 'certifications_v%'") == 0,
      "its three indexes, no table left over");
  ok (uses_opcode (path, insert, "OpenEphemeral") == 0,
      "schema 7: an audit insert builds no temporary b-tree");
  ok (raw_exec (path, "INSERT INTO certifications (target_fpr, created,"
                " signature, issuer_fpr, kind) VALUES ('F', 1, 's', 'I',"
                " 'bogus')") == SQLITE_CONSTRAINT,
      "an unknown kind is refused");
  ok (raw_exec (path, insert) == SQLITE_OK, "a known kind is taken");
  ok (raw_int (path, "SELECT count(*) FROM certifications WHERE"
               " id = 15 AND kind = 'tsig'") == 1,
      "the new row follows the old ids");
}


int
main (void)
{
  gpg_error_t err;
  char cmd[128];
  const char *base = getenv ("TMPDIR");

  err = oca_init_gcrypt (256 * 1024);
  if (err)
    {
      printf ("Bail out! libgcrypt: %s\n", gpg_strerror (err));
      return 1;
    }
  snprintf (tmpdir, sizeof tmpdir, "%s/t-db.XXXXXX",
            base && *base && strlen (base) < 40 ? base : "/tmp");
  if (!mkdtemp (tmpdir))
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }

  test_create ();
  test_reopen_and_readonly ();
  test_secure_memory ();
  test_rollback ();
  test_refusals ();
  test_migration ();
  test_constraints ();
  test_schema_v7 ();
  test_busy ();
  test_bulk ();
  test_store_many ();
  test_migrate_key_scrub ();
  test_readonly_file ();
  test_hot_journal ();
  test_life ();

  if (!getenv ("T_DB_KEEP"))
    {
      snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
      if (system (cmd))
        tap_diag ("could not remove %s", tmpdir);
    }
  else
    tap_diag ("kept %s", tmpdir);
  return tap_done ();
}
