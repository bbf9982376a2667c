/* t-db-key.c - tests for the storage and removal of the CA key (db-key.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The key is a blob made of a marker string that occurs nowhere else.
 * A commit hook reads the rollback journal of every transaction just
 * before it commits (SQLite writes the pre-image of a page to the
 * journal file when the page is first changed) and notes any marker
 * in it.  Crashes are real process deaths inside SQLite's writes: a
 * VFS wrapped around the default one lets N writes through, tears the
 * next one in half and _exits.
 */
#include <config.h>
#include "db-int.h"
#include "t-support.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARKER "CA-SECRET-KEY-MARKER-5e1d|"
#define KEYLEN 9000              /* Several overflow pages.  */
#define CRASH_STATUS 42

static char tmpdir[64];
static unsigned char key[KEYLEN];


static const char *
tpath (const char *name)
{
  static char bufs[4][256];
  static int idx;
  char *p = bufs[idx++ % 4];

  snprintf (p, 256, "%s/%s", tmpdir, name);
  return p;
}


/* Read all of PATH (NULL if it does not exist).  */
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
  if (!fseek (fp, 0, SEEK_END) && (n = ftell (fp)) >= 0
      && !fseek (fp, 0, SEEK_SET) && (buf = malloc (n + 1)))
    {
      if (n && fread (buf, n, 1, fp) != 1)
        {
          free (buf);
          buf = NULL;
        }
      else
        *r_len = n;
    }
  fclose (fp);
  return buf;
}


/* Offsets of the markers in PATH: their number, the first 64 in OFFS.  */
static size_t
markers (const char *path, long *offs)
{
  size_t len, i, n = 0, mlen = strlen (MARKER);
  unsigned char *buf = slurp (path, &len);

  for (i = 0; buf && i + mlen <= len; i++)
    if (!memcmp (buf + i, MARKER, mlen))
      {
        if (offs && n < 64)
          offs[n] = (long)i;
        n++;
      }
  free (buf);
  return n;
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
      rc = (len && fwrite (buf, len, 1, fp) != 1) ? -1 : 0;
      if (fclose (fp))
        rc = -1;
    }
  free (buf);
  return rc;
}


/*-- The journal watch --*/

struct watch
{
  char journal[300];
  int commits;             /* Commits seen.  */
  int journaled;           /* Commits that had a journal file.  */
  int leaks;               /* Journals that held a marker.  */
};

static int
watch_hook (void *opaque)
{
  struct watch *w = opaque;
  size_t len, i, mlen = strlen (MARKER);
  unsigned char *buf = slurp (w->journal, &len);

  w->commits++;
  if (buf)
    {
      w->journaled++;
      for (i = 0; i + mlen <= len; i++)
        if (!memcmp (buf + i, MARKER, mlen))
          {
            w->leaks++;
            break;
          }
    }
  free (buf);
  return 0;
}

static void
watch (sqlite3 *sql, const char *path, struct watch *w)
{
  memset (w, 0, sizeof *w);
  snprintf (w->journal, sizeof w->journal, "%s-journal", path);
  sqlite3_commit_hook (sql, watch_hook, w);
}


static int64_t
query_int (sqlite3 *sql, const char *q)
{
  sqlite3_stmt *st = NULL;
  int64_t v = -1;

  if (!sqlite3_prepare_v2 (sql, q, -1, &st, NULL)
      && sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  return v;
}

static int
integrity_ok (sqlite3 *sql)
{
  sqlite3_stmt *st = NULL;
  int good = 0;

  if (!sqlite3_prepare_v2 (sql, "PRAGMA integrity_check", -1, &st, NULL)
      && sqlite3_step (st) == SQLITE_ROW)
    good = !strcmp ((const char *)sqlite3_column_text (st, 0), "ok");
  sqlite3_finalize (st);
  return good;
}


/* A softkey CA in a new file PATH: public cert, key in cakeys.  */
static gpg_error_t
make_key_db (const char *path, int64_t *r_id)
{
  gpg_error_t err;
  db_t db = NULL;

  err = db_open (path, DB_OPEN_CREATE, &db);
  if (!err)
    err = db_begin (db);
  if (!err)
    err = db_ca_insert (db, "example.org",
                        "AAAA0000000000000000000000000000000000CA",
                        "CA-PUBLIC-CERT", NULL, r_id);
  if (!err)
    err = db_cakey_insert (db, *r_id, key, sizeof key);
  if (!err)
    err = db_commit (db);
  if (err)
    tap_diag ("make_key_db: %s", db ? db_errmsg (db) : db_errmsg (NULL));
  db_close (db);
  return err;
}


/* Text of LEN bytes of C.  */
static char *
filler (size_t len, int c)
{
  char *s = malloc (len + 1);

  if (s)
    {
      memset (s, c, len);
      s[len] = 0;
    }
  return s;
}


static void
test_storage (void)
{
  const char *path = tpath ("key.sqlite");
  const char *ctl = tpath ("control.sqlite");
  db_t db = NULL;
  int64_t id = 0, uid, cid;
  unsigned char *got = NULL;
  size_t gotlen = 0, n0, n;
  long offs0[64], offs[64];
  struct watch w;
  sqlite3 *raw = NULL;
  char *text, fpr[41];
  int i, yes = 0, same;

  ok_err (make_key_db (path, &id), "softkey CA with the key in cakeys");
  n0 = markers (path, offs0);
  ok (n0 > KEYLEN / strlen (MARKER) / 2, "the key is in the file (%zu "
      "markers, control)", n0);

  if (db_open (path, 0, &db))
    {
      ok (0, "open");
      return;
    }
  ok_code (db_cakey_insert (db, id, key, sizeof key), GPG_ERR_INV_STATE,
           "insert outside a transaction refused");
  ok_err (db_cakey_exists (db, id, &yes), "exists");
  ok (yes, "the key row exists");
  ok_err (db_cakey_exists (db, id + 1, &yes), "exists (other id)");
  ok (!yes, "no key row for another id");
  ok_code (db_cakey_get (db, id + 1, &got, &gotlen), GPG_ERR_NOT_FOUND,
           "get of a missing key: NOT_FOUND");
  ok_err (db_cakey_get (db, id, &got, &gotlen), "get the key");
  ok (got && gotlen == sizeof key && !memcmp (got, key, gotlen),
      "the key read back is the one stored");
  ok (got && gcry_is_secure (got), "it is in secure memory");
  if (got)
    wipe_and_free (got, gotlen);
  got = NULL;
  ok_err (db_cakey_check_file (db), "no auto_vacuum in an oca file");

  /* Ordinary writes: the cert rewritten with ever other sizes, users,
   * certifications, pending rows, a rolled back transaction.  */
  watch (db->sql, path, &w);
  for (i = 0; i < 40; i++)
    {
      text = filler (700 + 311 * i, 'A' + i % 26);
      snprintf (fpr, sizeof fpr, "BBBB%036d", i);
      if (db_begin (db)
          || db_cacert_update_cert (db, id, text)
          || db_user_add (db, "User", fpr, text, NULL, 0, &uid, &cid)
          || db_pending_set (db, "card-migrate", text)
          || (i % 2 && db_pending_delete (db, "card-migrate"))
          || db_commit (db))
        {
          ok (0, "write %d: %s", i, db_errmsg (db));
          db_rollback (db);
        }
      free (text);
    }
  if (!db_begin (db))
    {
      db_cacert_update_cert (db, id, "ROLLED-BACK");
      db_rollback (db);
    }
  ok (w.commits == 40 && w.journaled == 40,
      "40 commits, each with a journal (%d, %d)", w.commits, w.journaled);
  ok (!w.leaks, "no journal held a byte of the key (%d did)", w.leaks);
  n = markers (path, offs);
  same = n == n0 && !memcmp (offs, offs0, (n < 64 ? n : 64) * sizeof *offs);
  ok (same, "the key's bytes are where they were (pages never rewritten)");
  db_close (db);
  db = NULL;

  /* Control: a write that does touch the key's pages is seen.  */
  ok (!copy_file (path, ctl), "copy for the control");
  if (!sqlite3_open (ctl, &raw))
    {
      watch (raw, ctl, &w);
      sqlite3_exec (raw, "UPDATE cakeys SET key = key || x'00'", NULL, NULL,
                    NULL);
      ok (w.commits == 1 && w.leaks == 1,
          "control: rewriting the key row puts it into the journal");
    }
  sqlite3_close (raw);
  raw = NULL;

  /* A file with auto_vacuum (pages move at every commit) is refused.  */
  ok (!copy_file (path, ctl), "copy for auto_vacuum");
  if (!sqlite3_open (ctl, &raw))
    ok (!sqlite3_exec (raw, "PRAGMA auto_vacuum = FULL; VACUUM", NULL, NULL,
                       NULL), "turn auto_vacuum on");
  sqlite3_close (raw);
  if (!db_open (ctl, 0, &db))
    {
      ok_code (db_cakey_check_file (db), GPG_ERR_NOT_SUPPORTED,
               "auto_vacuum file refused for the key");
      db_close (db);
    }
  else
    ok (0, "open the auto_vacuum file");
}


static void
test_scrub (void)
{
  const char *path = tpath ("scrub.sqlite");
  db_t db = NULL;
  db_cacert_t *c = NULL;
  int64_t id = 0;
  struct watch w;
  int yes = 1;
  char mode[16];
  int64_t pages;

  ok_err (make_key_db (path, &id), "softkey CA");
  if (db_open (path, 0, &db))
    {
      ok (0, "open");
      return;
    }
  pages = query_int (db->sql, "PRAGMA page_count");
  ok_err (db_begin (db), "begin");
  ok_code (db_cakey_scrub (db, id), GPG_ERR_INV_STATE,
           "scrub inside a transaction refused");
  ok_err (db_cacert_replace_key (db, id, "CA-PUBLIC-CERT",
                                 "card;0123:01234567;14199138"),
          "switch to the card backend");
  ok_err (db_commit (db), "commit");

  watch (db->sql, path, &w);
  ok_err (db_cakey_scrub (db, id), "scrub the key");
  ok (w.commits == 2 && w.journaled == 1,
      "two commits: the overwrite without a journal, the delete with one "
      "(%d, %d)", w.commits, w.journaled);
  ok (!w.leaks, "the delete's journal held no byte of the key");
  ok (markers (path, NULL) == 0, "no byte of the key left in the file");
  ok (query_int (db->sql, "PRAGMA page_count") == pages,
      "the file kept its size (blocks given back hold nothing)");
  ok_err (db_cakey_exists (db, id, &yes), "exists");
  ok (!yes, "the key row is gone");
  ok (integrity_ok (db->sql), "integrity_check ok");
  snprintf (mode, sizeof mode, "%s", "?");
  {
    sqlite3_stmt *st = NULL;
    if (!sqlite3_prepare_v2 (db->sql, "PRAGMA journal_mode", -1, &st, NULL)
        && sqlite3_step (st) == SQLITE_ROW)
      snprintf (mode, sizeof mode, "%s", sqlite3_column_text (st, 0));
    sqlite3_finalize (st);
  }
  ok (!strcmp (mode, "delete"), "rollback journal on again (%s)", mode);
  ok_err (db_cacert_get_active (db, &c), "the CA row");
  ok (c && !strcmp (c->priv_cert, "CA-PUBLIC-CERT") && c->backend,
      "the CA row is intact");
  db_cacert_release (c);
  ok_err (db_cakey_scrub (db, id), "scrub again: nothing to do");
  ok_err (db_vacuum_secure (db), "vacuum afterwards");
  ok (markers (path, NULL) == 0, "still no byte of the key");
  db_close (db);
}


/* Legacy: the armored key in cacerts.priv_cert (schema 1).  */
static void
test_scrub_cert (void)
{
  const char *path = tpath ("legacy.sqlite");
  db_t db = NULL;
  db_cacert_t *c = NULL;
  int64_t id = 0;
  struct watch w;
  char *text = NULL;
  size_t i;
  int blank;

  text = malloc (KEYLEN + 1);
  memcpy (text, key, KEYLEN);
  text[KEYLEN] = 0;
  if (db_open (path, DB_OPEN_CREATE, &db)
      || db_begin (db)
      || db_ca_insert (db, "example.org",
                       "AAAA0000000000000000000000000000000000CA", text,
                       NULL, &id)
      || db_commit (db))
    ok (0, "legacy CA: %s", db_errmsg (db));
  ok (markers (path, NULL) > 0, "the inline key is in the file (control)");
  watch (db->sql, path, &w);
  ok_err (db_cacert_scrub_cert (db, id), "blank the cert text in place");
  ok (w.commits == 1 && !w.journaled, "one commit, no journal");
  ok (markers (path, NULL) == 0, "no byte of the key left in the file");
  ok_err (db_cacert_get_active (db, &c), "the row reads back");
  for (blank = c != NULL, i = 0; c && c->priv_cert[i]; i++)
    if (c->priv_cert[i] != ' ')
      blank = 0;
  ok (blank && c && i == KEYLEN, "blanks of the same length");
  db_cacert_release (c);
  ok (integrity_ok (db->sql), "integrity_check ok");
  db_close (db);
  free (text);
}



/*-- A VFS that dies in the middle of a write --*/

typedef struct
{
  sqlite3_file base;
  sqlite3_file *real;
} cfile_t;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs crash_vfs;
static int crash_at = -1;      /* Writes let through before dying.  */
static int nwrites;

#define REAL(f) (((cfile_t *)(f))->real)

static int
c_close (sqlite3_file *f)
{
  int rc = REAL (f)->pMethods->xClose (REAL (f));
  free (REAL (f));
  return rc;
}

static int
c_read (sqlite3_file *f, void *b, int n, sqlite3_int64 off)
{
  return REAL (f)->pMethods->xRead (REAL (f), b, n, off);
}

static int
c_write (sqlite3_file *f, const void *b, int n, sqlite3_int64 off)
{
  if (crash_at >= 0 && nwrites++ == crash_at)
    {
      /* Torn: half of it reaches the file, then the process dies.  */
      REAL (f)->pMethods->xWrite (REAL (f), b, n / 2, off);
      _exit (CRASH_STATUS);
    }
  return REAL (f)->pMethods->xWrite (REAL (f), b, n, off);
}

static int
c_truncate (sqlite3_file *f, sqlite3_int64 size)
{
  return REAL (f)->pMethods->xTruncate (REAL (f), size);
}

static int
c_sync (sqlite3_file *f, int flags)
{
  return REAL (f)->pMethods->xSync (REAL (f), flags);
}

static int
c_size (sqlite3_file *f, sqlite3_int64 *r)
{
  return REAL (f)->pMethods->xFileSize (REAL (f), r);
}

static int
c_lock (sqlite3_file *f, int l)
{
  return REAL (f)->pMethods->xLock (REAL (f), l);
}

static int
c_unlock (sqlite3_file *f, int l)
{
  return REAL (f)->pMethods->xUnlock (REAL (f), l);
}

static int
c_check (sqlite3_file *f, int *r)
{
  return REAL (f)->pMethods->xCheckReservedLock (REAL (f), r);
}

static int
c_control (sqlite3_file *f, int op, void *arg)
{
  return REAL (f)->pMethods->xFileControl (REAL (f), op, arg);
}

static int
c_sector (sqlite3_file *f)
{
  return REAL (f)->pMethods->xSectorSize (REAL (f));
}

static int
c_devchar (sqlite3_file *f)
{
  return REAL (f)->pMethods->xDeviceCharacteristics (REAL (f));
}

static const sqlite3_io_methods c_methods =
  {
    1, c_close, c_read, c_write, c_truncate, c_sync, c_size, c_lock,
    c_unlock, c_check, c_control, c_sector, c_devchar,
    NULL, NULL, NULL, NULL, NULL, NULL
  };

static int
c_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
        int *r_flags)
{
  cfile_t *c = (cfile_t *)f;
  int rc;

  (void)vfs;
  c->base.pMethods = NULL;
  c->real = calloc (1, real_vfs->szOsFile);
  if (!c->real)
    return SQLITE_NOMEM;
  rc = real_vfs->xOpen (real_vfs, name, c->real, flags, r_flags);
  if (rc || !c->real->pMethods)
    {
      free (c->real);
      c->real = NULL;
      return rc ? rc : SQLITE_CANTOPEN;
    }
  c->base.pMethods = &c_methods;
  return SQLITE_OK;
}


/* Run STEP on a copy of BASE, dying at each write in turn; after each
 * death check that the file opens, is intact and that FINISH completes
 * it.  NAME for the messages.  */
static void
crash_each_write (const char *name, const char *base, int64_t id,
                  gpg_error_t (*step) (db_t, int64_t),
                  gpg_error_t (*finish) (db_t, int64_t))
{
  const char *path = tpath ("crash.sqlite");
  char jpath[300];
  int at, status, bad = 0, crashes = 0;
  pid_t pid;
  db_t db;

  snprintf (jpath, sizeof jpath, "%s-journal", path);
  for (at = 0; at < 200; at++)
    {
      unlink (jpath);
      if (copy_file (base, path))
        {
          bad++;
          break;
        }
      fflush (stdout);
      pid = fork ();
      if (!pid)
        {
          crash_at = at;
          nwrites = 0;
          sqlite3_vfs_register (&crash_vfs, 1);
          if (db_open (path, 0, &db) || step (db, id))
            _exit (1);
          db_close (db);
          _exit (0);
        }
      if (pid < 0 || waitpid (pid, &status, 0) != pid || !WIFEXITED (status))
        {
          bad++;
          break;
        }
      if (WEXITSTATUS (status) == 0)
        break;   /* Every write point has been tried.  */
      if (WEXITSTATUS (status) != CRASH_STATUS)
        {
          tap_diag ("%s: the step failed without a crash (write %d)", name,
                    at);
          bad++;
          break;
        }
      crashes++;
      db = NULL;
      if (db_open (path, 0, &db) || !integrity_ok (db->sql)
          || finish (db, id) || !integrity_ok (db->sql)
          || markers (path, NULL))
        {
          tap_diag ("%s: after a crash at write %d: %s", name, at,
                    db ? db_errmsg (db) : db_errmsg (NULL));
          bad++;
        }
      db_close (db);
    }
  ok (crashes >= 3 && !bad, "%s: a crash at any of %d writes leaves an "
      "intact file that the next run finishes", name, crashes);
}


static gpg_error_t
step_scrub (db_t db, int64_t id)
{
  return db_cakey_scrub (db, id);
}

static gpg_error_t
finish_scrub (db_t db, int64_t id)
{
  gpg_error_t err;
  int yes = 1;

  err = db_cakey_scrub (db, id);
  if (!err)
    err = db_cakey_exists (db, id, &yes);
  if (!err && yes)
    err = gpg_error (GPG_ERR_INV_STATE);
  return err;
}

static gpg_error_t
step_scrub_cert (db_t db, int64_t id)
{
  return db_cacert_scrub_cert (db, id);
}


static void
test_crashes (void)
{
  const char *base = tpath ("crash-base.sqlite");
  const char *legacy = tpath ("crash-legacy.sqlite");
  int64_t id = 0;
  db_t db = NULL;
  char *text;

  real_vfs = sqlite3_vfs_find (NULL);
  crash_vfs = *real_vfs;
  crash_vfs.zName = "oca-crash";
  crash_vfs.szOsFile = sizeof (cfile_t);
  crash_vfs.xOpen = c_open;
  crash_vfs.pNext = NULL;

  ok_err (make_key_db (base, &id), "softkey CA for the crash runs");
  crash_each_write ("scrub of the key row", base, id, step_scrub,
                    finish_scrub);

  text = malloc (KEYLEN + 1);
  memcpy (text, key, KEYLEN);
  text[KEYLEN] = 0;
  if (db_open (legacy, DB_OPEN_CREATE, &db)
      || db_begin (db)
      || db_ca_insert (db, "example.org",
                       "AAAA0000000000000000000000000000000000CA", text,
                       NULL, &id)
      || db_commit (db))
    ok (0, "legacy CA: %s", db_errmsg (db));
  db_close (db);
  free (text);
  crash_each_write ("blanking of an inline key", legacy, id,
                    step_scrub_cert, step_scrub_cert);
}


int
main (void)
{
  gpg_error_t err;
  char cmd[128];
  const char *base = getenv ("TMPDIR");
  size_t i, mlen = strlen (MARKER);

  err = oca_init_gcrypt (256 * 1024);
  if (err)
    {
      printf ("Bail out! libgcrypt: %s\n", gpg_strerror (err));
      return 1;
    }
  snprintf (tmpdir, sizeof tmpdir, "%s/t-db-key.XXXXXX",
            base && *base && strlen (base) < 40 ? base : "/tmp");
  if (!mkdtemp (tmpdir))
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  for (i = 0; i < KEYLEN; i++)
    key[i] = MARKER[i % mlen];

  test_storage ();
  test_scrub ();
  test_scrub_cert ();
  test_crashes ();

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
