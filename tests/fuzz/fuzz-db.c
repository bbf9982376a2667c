/* fuzz-db.c - libFuzzer target: the CA database's row loaders
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A database file can be edited behind oca's back (by hand, by another
 * tool, by a damaged disk); every value oca reads from it is untrusted.
 * Each input builds a database: a fresh copy of an empty oca database
 * of the schema version the input picks (the current one, or an older
 * one exactly as that version of oca created it) into which the
 * input's rows are inserted with plain SQLite, CHECK constraints off,
 * so that values of any type and length (NULL, integers, text with
 * NULs, blobs) land in any column.  Then the loaders read it:
 *
 *  - db/: every getter and lister (CA, cacert, the CA key's row, backup
 *    cards, certs walked all and by email, by id and fingerprint, with
 *    their verification records, revocations, bridges, certifications
 *    listed and walked, settings, pending, the split-mode queue),
 *    read-only and read-write;
 *  - the CA core and the CLI (src/ca, src/cli): `ca show', `ca export',
 *    `ca private', `user list', `user export', `user export -e', `ca
 *    audit', `ca cert-validity', `bridge list', `user
 *    show-revocations', `user check certifications' and `user check
 *    expiry' through their command functions,
 *    which parse the stored certificates and keys, check them against
 *    their rows, use or refuse the stored verification records, check
 *    the audit record's signatures and build the backend from its
 *    stored configuration (a card backend is never contacted: none of
 *    these commands signs).  Their output is discarded.
 *
 * Input: a selector byte, a schema byte, then records until the end.
 * The selector (mod 16) picks what reads the database: 0 db/'s loaders
 * on a read-only open, 1 `ca show', 2 `ca export', 3 `ca private', 4
 * `user list', 5 `user export', 6 `user export -e' with the first
 * stored email, 7 db/'s loaders on a read-write open (which migrates an
 * old user_version) and the CA opened read-write (a legacy key is moved
 * to its table, an interrupted key removal completed), 8 `ca audit', 9
 * `ca cert-validity', 10 `bridge list', 11 `user show-revocations -e'
 * with the first stored email, 12 `user check certifications', 13
 * `user check expiry'; 14 and 15 (reserved for new readers) as 0.  One
 * reader per input keeps the target fast enough for long campaigns
 * (each command parses and verifies every stored certificate).  The
 * schema byte is the schema version of the empty database (1 to
 * DB_SCHEMA_VERSION; 0 or above: the current one): an old version's
 * database, read read-write, walks db/'s whole upgrade chain from it.
 *
 * A record is a table byte followed by one value per column of that
 * table in the chosen schema: a type byte (0 NULL, 1 integer from a
 * chunk of up to 8 bytes, 2 text chunk, 3 blob chunk).  The table byte
 * is a table NUMBER (mod 32), which never changes when the schema gets
 * new tables: the index in fuzz_db_table_names (fuzz-db-schema.c),
 * where every table stands in the order the schema versions introduced
 * it (0 cas, 1 cacerts, 2 users, 3 certs, 4 certs_emails, 5
 * revocations, 6 bridges, 7 queue, 8 certifications, 9 pending; 10
 * cakeys (schema 2); 11 cacards (3); 12 settings (4); 13
 * certs_verified (5)) and a new table is appended.  A number whose
 * table the chosen schema lacks (or no table) is a record without
 * values.  0xFF sets PRAGMA user_version to the next byte instead;
 * 0xFE drops the table the next byte numbers (later rows for it go
 * nowhere, their values are still read).  Start-up aborts when a table
 * of any schema version has no number (t-corpus.sh in make check
 * replays the corpus and sees it).
 *
 * The database lives in a private directory on /dev/shm when there is
 * one (else $TMPDIR or /tmp).  The harness's own writes are cheap:
 * the empty database of each version is made once, written over the
 * file with one pwrite per input, and the harness keeps its SQLite
 * connection (no journal, no sync, cached INSERT statements) from
 * input to input while the schema it knows is the file's; oca's own
 * open path, checks and migrations run on the real file every time.
 */
#include <config.h>
#include "fuzz.h"
#include "fuzz-db.h"
#include "db.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_RECORDS 64

static char workdir[64];
static char dbpath[128];
static int nullfd = -1;

/* The empty database of each schema version (index = version).  */
static fuzz_db_schema_t schemas[DB_SCHEMA_VERSION + 1];

/* The harness's connection to DBPATH, the schema version it knows and
 * whether it changed the schema (a dropped table) since; its file
 * descriptor for rewriting the file and that file's inode.  */
static sqlite3 *hsql;
static unsigned int hversion;
static int hdirty;
static sqlite3_stmt *hinsert[FUZZ_DB_SLOTS];
static int dbfd = -1;
static ino_t dbino;


static void
die (const char *what)
{
  fprintf (stderr, "fuzz-db: %s: %s\n", what, strerror (errno));
  abort ();
}

static void
close_harness (void)
{
  int t;

  for (t = 0; t < FUZZ_DB_SLOTS; t++)
    {
      sqlite3_finalize (hinsert[t]);
      hinsert[t] = NULL;
    }
  if (hsql && sqlite3_close (hsql) != SQLITE_OK)
    die ("closing the harness's connection");
  hsql = NULL;
}

/* Remove what oca may have left beside the database.  */
static void
unlink_side_files (void)
{
  static const char *const ext[] = { "-journal", "-wal", "-shm" };
  char path[160];
  size_t i;

  for (i = 0; i < DIM (ext); i++)
    {
      snprintf (path, sizeof path, "%s%s", dbpath, ext[i]);
      unlink (path);
    }
}

static void
cleanup (void)
{
  close_harness ();
  if (dbfd >= 0)
    close (dbfd);
  unlink (dbpath);
  unlink_side_files ();
  rmdir (workdir);
}

/* Make the work directory and the empty database of every schema
 * version (each checked: every table has a number).  */
static void
make_templates (void)
{
  const char *tmp = getenv ("TMPDIR");
  struct stat st;
  const char *why;
  unsigned int v;

  /* A RAM file system when there is one: the file is rewritten for
   * every input.  */
  if (!stat ("/dev/shm", &st) && S_ISDIR (st.st_mode)
      && !access ("/dev/shm", W_OK))
    tmp = "/dev/shm";
  if (!tmp || !*tmp)
    tmp = "/tmp";
  snprintf (workdir, sizeof workdir, "%s/oca-fuzz-db.XXXXXX", tmp);
  if (!mkdtemp (workdir))
    die ("mkdtemp");
  snprintf (dbpath, sizeof dbpath, "%s/ca.db", workdir);
  atexit (cleanup);
  for (v = 1; v <= DB_SCHEMA_VERSION; v++)
    if (fuzz_db_schema (dbpath, v, &schemas[v], &why))
      {
        fprintf (stderr, "fuzz-db: %s\n", why);
        abort ();
      }
}


/* Write the empty database of schema VERSION over the file.  */
static void
write_template (unsigned int version)
{
  const fuzz_db_schema_t *s = &schemas[version];
  struct stat st;

  unlink_side_files ();
  /* oca works on the file in place; should it ever have replaced the
   * file, start over on a new one.  */
  if (dbfd >= 0 && (stat (dbpath, &st) || st.st_ino != dbino))
    {
      close_harness ();
      close (dbfd);
      dbfd = -1;
    }
  if (dbfd < 0)
    {
      dbfd = open (dbpath, O_RDWR | O_CREAT, 0600);
      if (dbfd < 0 || fstat (dbfd, &st))
        die ("creating the database");
      dbino = st.st_ino;
    }
  if (pwrite (dbfd, s->image, s->imagelen, 0) != (ssize_t)s->imagelen
      || ftruncate (dbfd, s->imagelen))
    die ("writing the database");
  fchmod (dbfd, 0600);
}


/* Insert one row into table number T from the input (its values are
 * read even when the row goes nowhere).  */
static void
insert_row (fuzz_in_t *in, const fuzz_db_schema_t *s, int t)
{
  int i, ncols = s->table[t].ncols;
  sqlite3_stmt *st = hinsert[t];

  if (!st)
    {
      char q[512], *p;

      p = q + snprintf (q, sizeof q, "INSERT INTO \"%s\" VALUES (",
                        fuzz_db_table_names[t]);
      for (i = 0; i < ncols; i++)
        p += sprintf (p, i ? ",?" : "?");
      strcpy (p, ")");
      /* A table dropped by a 0xFE record: the values go nowhere.  */
      if (sqlite3_prepare_v3 (hsql, q, -1, SQLITE_PREPARE_PERSISTENT, &st,
                              NULL) != SQLITE_OK)
        st = NULL;
      hinsert[t] = st;
    }
  for (i = 1; i <= ncols; i++)
    {
      const unsigned char *v;
      size_t n;
      sqlite3_int64 num = 0;

      switch (fuzz_u8 (in) & 3)
        {
        case 0:
          if (st)
            sqlite3_bind_null (st, i);
          break;
        case 1:
          n = fuzz_chunk (in, &v);
          for (size_t j = 0; j < n && j < 8; j++)
            num = (sqlite3_int64)(((sqlite3_uint64)num << 8) | v[j]);
          if (st)
            sqlite3_bind_int64 (st, i, num);
          break;
        case 2:
          n = fuzz_chunk (in, &v);
          if (st)
            sqlite3_bind_text (st, i, (const char *)v, n, SQLITE_STATIC);
          break;
        default:
          n = fuzz_chunk (in, &v);
          if (st)
            sqlite3_bind_blob (st, i, v, n, SQLITE_STATIC);
          break;
        }
    }
  if (st)
    {
      sqlite3_step (st);   /* A constraint violation drops the row.  */
      sqlite3_reset (st);
      sqlite3_clear_bindings (st);
    }
}


/* Write the empty database of schema VERSION and insert the input's
 * rows.  */
static void
build_db (fuzz_in_t *in, unsigned int version)
{
  const fuzz_db_schema_t *s = &schemas[version];
  int nrec = 0;

  /* The harness's connection caches the schema it last saw: keep it
   * only while that is the file's (same version, nothing dropped).
   * Its cached pages are checked by SQLite itself: the file's change
   * counter differs from the one its last write left.  */
  if (hsql && (hversion != version || hdirty))
    close_harness ();
  write_template (version);
  if (!hsql)
    {
      if (sqlite3_open_v2 (dbpath, &hsql, SQLITE_OPEN_READWRITE, NULL)
          != SQLITE_OK)
        die ("opening the database");
      sqlite3_exec (hsql, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                    " PRAGMA mmap_size=0; PRAGMA ignore_check_constraints=ON",
                    NULL, NULL, NULL);
      hversion = version;
      hdirty = 0;
    }
  sqlite3_exec (hsql, "BEGIN", NULL, NULL, NULL);
  while (in->n && nrec++ < MAX_RECORDS)
    {
      unsigned int t = fuzz_u8 (in);
      char q[128];

      if (t == 0xFF)
        {
          snprintf (q, sizeof q, "PRAGMA user_version = %u", fuzz_u8 (in));
          sqlite3_exec (hsql, q, NULL, NULL, NULL);
          continue;
        }
      if (t == 0xFE)
        {
          /* An older schema: without this table.  */
          t = fuzz_u8 (in) % FUZZ_DB_SLOTS;
          if (s->table[t].ncols >= 0)
            {
              snprintf (q, sizeof q, "DROP TABLE \"%s\"",
                        fuzz_db_table_names[t]);
              hdirty = 1;
              sqlite3_exec (hsql, q, NULL, NULL, NULL);
            }
          continue;
        }
      t %= FUZZ_DB_SLOTS;
      if (s->table[t].ncols >= 0)
        insert_row (in, s, t);
    }
  if (sqlite3_exec (hsql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    die ("writing the rows");
}


/* db/'s loaders on an open database.  */
static void
db_loaders (db_t db)
{
  int yes;
  char *s = NULL;
  db_cacert_t *cacert = NULL;
  db_cert_t *dc, *one;
  db_revocation_t *revs, *r, *rev;
  db_bridge_t *bridges = NULL, *b, *bridge;
  db_certification_t *certs = NULL, *rec;
  db_queue_t *q, *one_q;
  uint64_t count;
  int64_t created, after = 0, a2;
  size_t i;

  db_schema_version (db);
  db_ca_is_initialized (db, &yes);
  if (!db_ca_get_domain (db, &s))
    xfree (s);
  if (!db_cacert_get_active (db, &cacert))
    {
      unsigned char *key = NULL;
      size_t keylen = 0;

      db_cacard_t *cards = NULL;

      db_cakey_exists (db, cacert->id, &yes);
      if (!db_cakey_get (db, cacert->id, &key, &keylen))
        wipe_and_free (key, keylen);
      if (!db_cacard_list (db, cacert->id, &cards))
        db_cacard_release (cards);
      db_cacert_release (cacert);
    }
  db_cakey_check_file (db);
  while (!db_cert_next (db, NULL, after, &dc))
    {
      fuzz_assert (dc->emails && !dc->emails[dc->nemails]
                   && dc->id > after);
      after = dc->id;
      if (!db_cert_get (db, dc->fingerprint, &one))
        db_cert_release (one);
      if (!db_cert_get_by_id (db, dc->id, &one))
        db_cert_release (one);
      for (i = 0; i < dc->nemails && i < 4; i++)
        for (a2 = 0; !db_cert_next (db, dc->emails[i], a2, &one); )
          {
            fuzz_assert (one->id > a2);
            a2 = one->id;
            db_cert_release (one);
          }
      revs = NULL;
      if (!db_revocation_list (db, dc->id, &revs))
        for (r = revs; r; r = r->next)
          if (!db_revocation_get (db, r->hash, &rev))
            db_revocation_release (rev);
      db_revocation_release (revs);
      if (!db_certification_list (db, dc->fingerprint, &certs))
        db_certification_release (certs);
      db_cert_release (dc);
    }
  if (!db_bridge_list (db, &bridges))
    for (b = bridges; b; b = b->next)
      if (!db_bridge_get (db, b->email, &bridge))
        db_bridge_release (bridge);
  db_bridge_release (bridges);
  certs = NULL;
  if (!db_certification_list (db, NULL, &certs))
    db_certification_release (certs);
  db_certification_count (db, NULL, &count);
  /* The audit record walked, all of it and for the first stored email
   * (the commands' order: by id).  */
  for (after = 0; !db_certification_next (db, after, 0, NULL, &rec); )
    {
      fuzz_assert (rec->id > after);
      after = rec->id;
      db_certification_release (rec);
    }
  if (!db_cert_next (db, NULL, 0, &dc))
    {
      for (after = 0; dc->nemails
             && !db_certification_next (db, after, 1, dc->emails[0], &rec); )
        {
          fuzz_assert (rec->id > after);
          after = rec->id;
          db_certification_release (rec);
        }
      db_cert_release (dc);
    }
  db_cert_count (db, &count);
  if (!db_setting_get (db, "cert-validity", &s))
    xfree (s);
  for (after = 0; !db_queue_next (db, after, 0, 0, &q); )
    {
      fuzz_assert (q->id > after);
      after = q->id;
      if (!db_queue_next (db, q->id, 1, 1, &one_q))
        db_queue_release (one_q);
      db_queue_release (q);
    }
  if (!db_pending_get (db, "card-init", &s, &created))
    wipe_and_free_string (s);
  if (!db_pending_get (db, "card-migrate", &s, &created))
    wipe_and_free_string (s);
}


/* Run the command function FN with ARGS (NULL-terminated, ARGS[0] the
 * command name) with stdout discarded.  */
static void
run_cmd (cmd_fn_t fn, const char **args)
{
  ca_opts_t opts;
  int argc = 0, saved;

  while (args[argc])
    argc++;
  memset (&opts, 0, sizeof opts);
  opts.dbfile = dbpath;
  opts.card_route = CA_ROUTE_STORED;
  fflush (stdout);
  saved = dup (1);
  if (saved < 0 || dup2 (nullfd, 1) < 0)
    die ("redirecting stdout");
  fn (&opts, argc, (char **)args);
  fflush (stdout);
  clearerr (stdout);
  if (dup2 (saved, 1) < 0)
    die ("restoring stdout");
  close (saved);
}


int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  fuzz_init ();
  nullfd = open ("/dev/null", O_WRONLY);
  if (nullfd < 0)
    die ("/dev/null");
  make_templates ();
  return 0;
}


int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *show[] = { "show", NULL };
  static const char *export[] = { "export", NULL };
  static const char *private[] = { "private", NULL };
  static const char *list[] = { "list", NULL };
  static const char *audit[] = { "audit", NULL };
  static const char *validity[] = { "cert-validity", NULL };
  static const char *bridges[] = { "list", NULL };
  static const char *check_certs[] = { "check", "certifications", NULL };
  static const char *check_expiry[] = { "check", "expiry", NULL };
  fuzz_in_t in;
  db_t db = NULL;
  db_cert_t *certs = NULL;
  char *email = NULL;
  unsigned int sel, version;

  fuzz_in_init (&in, data, size);
  sel = fuzz_u8 (&in) % 16;
  if (sel > 13)
    sel = 0;
  version = fuzz_u8 (&in);
  if (!version || version > DB_SCHEMA_VERSION)
    version = DB_SCHEMA_VERSION;
  build_db (&in, version);

  if ((sel == 0 || sel == 6 || sel == 11)
      && !db_open (dbpath, DB_OPEN_READONLY, &db))
    {
      if (sel == 0)
        db_loaders (db);
      /* The first stored email, for `user export -e' and `user
       * show-revocations -e'.  */
      if (sel && !db_cert_next (db, NULL, 0, &certs) && certs->nemails)
        email = xtrystrdup (certs->emails[0]);
      db_cert_release (certs);
      db_close (db);
    }
  db_errmsg (NULL);

  switch (sel)
    {
    case 1: run_cmd (cmd_ca_show, show); break;
    case 2: run_cmd (cmd_ca_export, export); break;
    case 3: run_cmd (cmd_ca_private, private); break;
    case 4: run_cmd (cmd_user_list, list); break;
    case 5: run_cmd (cmd_user_export, export); break;
    case 8: run_cmd (cmd_ca_audit, audit); break;
    case 9: run_cmd (cmd_ca_cert_validity, validity); break;
    case 10: run_cmd (cmd_bridge_list, bridges); break;
    case 11:
      if (email)
        {
          const char *show_revs[] = { "show-revocations", "-e", email, NULL };

          run_cmd (cmd_user_show_revocations, show_revs);
        }
      break;
    case 12: run_cmd (cmd_user_check, check_certs); break;
    case 13: run_cmd (cmd_user_check, check_expiry); break;
    case 6:
      if (email)
        {
          const char *export_e[] = { "export", "-e", email, NULL };

          run_cmd (cmd_user_export, export_e);
        }
      break;
    case 7:
      /* Read-write: an old user_version is migrated, otherwise
       * nothing is written by db_open; the CA opened read-write then
       * finishes what the stored state asks for (a legacy key moved
       * to its table, an interrupted removal completed).  */
      if (!db_open (dbpath, 0, &db))
        {
          db_loaders (db);
          db_close (db);
        }
      {
        ca_opts_t opts;
        ca_t *ca = NULL;

        memset (&opts, 0, sizeof opts);
        opts.dbfile = dbpath;
        opts.card_route = CA_ROUTE_STORED;
        if (!ca_open (&opts, 0, &ca))
          ca_release (ca);
      }
      break;
    default:
      break;
    }
  xfree (email);
  return 0;
}
