/* fuzz-db.c - libFuzzer target: the CA database's row loaders
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A database file can be edited behind oca's back (by hand, by another
 * tool, by a damaged disk); every value oca reads from it is untrusted.
 * Each input builds a database: a fresh copy of an empty oca database
 * (current schema) into which the input's rows are inserted with plain
 * SQLite, CHECK constraints off, so that values of any type and length
 * (NULL, integers, text with NULs, blobs) land in any column.  Then the
 * loaders read it:
 *
 *  - db/: every getter and lister (CA, cacert, the CA key's row, certs
 *    walked all and by email, by id and fingerprint, revocations,
 *    bridges, certifications, pending), read-only and read-write;
 *  - the CA core and the CLI (src/ca, src/cli): `ca show', `ca export',
 *    `ca private', `user
 *    list', `user export' and `user export -e' through their command
 *    functions, which parse the stored certificates and keys, check
 *    them against their rows and build the backend from its stored
 *    configuration (a card backend is never contacted: none of these
 *    commands signs).  Their output is discarded.
 *
 * Input: a selector byte, then records until the end.  The selector
 * (mod 8) picks what reads the database: 0 db/'s loaders on a
 * read-only open, 1 `ca show', 2 `ca export', 3 `ca private', 4 `user
 * list', 5 `user export', 6 `user export -e' with the first stored
 * email, 7 db/'s loaders on a read-write open (which migrates an old
 * user_version) and the CA opened read-write (a legacy key is moved to
 * its table, an interrupted key removal completed).  One reader per
 * input keeps the target fast enough for long campaigns (each command
 * parses and verifies every stored certificate).
 *
 * A record is a table byte (index into
 * the database's tables sorted by name; 0xFF sets PRAGMA user_version
 * to the next byte instead, 0xFE drops the table the next byte
 * indexes, as in an older schema) followed by one value per column of that
 * table: a type byte (0 NULL, 1 integer from a chunk of up to 8 bytes,
 * 2 text chunk, 3 blob chunk).  Tables and columns are read from the
 * schema at start-up, so the target follows schema changes.
 */
#include <config.h>
#include "fuzz.h"
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

#define MAX_TABLES 32
#define MAX_RECORDS 64

static char workdir[64];
static char dbpath[128];
static unsigned char *template;
static size_t templatelen;
static int nullfd = -1;

static struct
{
  char name[64];
  int ncols;
} tables[MAX_TABLES];
static int ntables;


static void
die (const char *what)
{
  fprintf (stderr, "fuzz-db: %s: %s\n", what, strerror (errno));
  abort ();
}

static void
cleanup (void)
{
  char path[160];

  unlink (dbpath);
  snprintf (path, sizeof path, "%s-journal", dbpath);
  unlink (path);
  rmdir (workdir);
}

static int
cmp_tables (const void *a, const void *b)
{
  return strcmp (a, b);
}

/* Create the empty database and read its tables.  */
static void
make_template (void)
{
  const char *tmp = getenv ("TMPDIR");
  struct stat st;
  db_t db = NULL;
  sqlite3 *sql = NULL;
  sqlite3_stmt *st1 = NULL, *st2 = NULL;
  FILE *fp;
  long n = 0;

  /* A RAM file system when there is one: the file is rewritten for
   * every input.  */
  if (!stat ("/dev/shm", &st) && S_ISDIR (st.st_mode) && !access ("/dev/shm", W_OK))
    tmp = "/dev/shm";
  if (!tmp || !*tmp)
    tmp = "/tmp";
  snprintf (workdir, sizeof workdir, "%s/oca-fuzz-db.XXXXXX", tmp);
  if (!mkdtemp (workdir))
    die ("mkdtemp");
  snprintf (dbpath, sizeof dbpath, "%s/ca.db", workdir);
  atexit (cleanup);
  if (db_open (dbpath, DB_OPEN_CREATE, &db))
    die ("db_open");
  db_close (db);

  if (sqlite3_open_v2 (dbpath, &sql, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (sql, "SELECT name FROM sqlite_master WHERE "
                             "type = 'table' AND name NOT LIKE 'sqlite_%'",
                             -1, &st1, NULL) != SQLITE_OK)
    die ("reading the schema");
  while (sqlite3_step (st1) == SQLITE_ROW && ntables < MAX_TABLES)
    snprintf (tables[ntables++].name, sizeof tables[0].name, "%s",
              (const char *)sqlite3_column_text (st1, 0));
  sqlite3_finalize (st1);
  qsort (tables, ntables, sizeof tables[0], cmp_tables);
  for (int i = 0; i < ntables; i++)
    {
      char q[128];

      snprintf (q, sizeof q, "SELECT * FROM \"%.63s\"", tables[i].name);
      if (sqlite3_prepare_v2 (sql, q, -1, &st2, NULL) != SQLITE_OK)
        die ("reading the columns");
      tables[i].ncols = sqlite3_column_count (st2);
      sqlite3_finalize (st2);
    }
  sqlite3_close (sql);

  fp = fopen (dbpath, "rb");
  if (!fp || fseek (fp, 0, SEEK_END) || (n = ftell (fp)) <= 0
      || fseek (fp, 0, SEEK_SET))
    die ("reading the template");
  template = malloc (n);
  if (!template || fread (template, 1, n, fp) != (size_t)n)
    die ("reading the template");
  templatelen = n;
  fclose (fp);
}


/* Write the empty database and insert the input's rows.  */
static void
build_db (fuzz_in_t *in)
{
  int fd, nrec = 0;
  sqlite3 *sql = NULL;

  fd = open (dbpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || write (fd, template, templatelen) != (ssize_t)templatelen
      || close (fd))
    die ("writing the database");
  if (sqlite3_open_v2 (dbpath, &sql, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    die ("opening the database");
  sqlite3_exec (sql, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                " PRAGMA ignore_check_constraints=ON; BEGIN", NULL, NULL, NULL);
  while (in->n && nrec++ < MAX_RECORDS)
    {
      unsigned int t = fuzz_u8 (in);
      char q[512], *p;
      sqlite3_stmt *st = NULL;
      int i, ncols;

      if (t == 0xFF)
        {
          snprintf (q, sizeof q, "PRAGMA user_version = %u", fuzz_u8 (in));
          sqlite3_exec (sql, q, NULL, NULL, NULL);
          continue;
        }
      if (t == 0xFE)
        {
          /* An older schema: without this table.  */
          if (ntables)
            {
              snprintf (q, sizeof q, "DROP TABLE \"%.63s\"",
                        tables[fuzz_u8 (in) % ntables].name);
              sqlite3_exec (sql, q, NULL, NULL, NULL);
            }
          continue;
        }
      if (!ntables)
        break;
      t %= ntables;
      ncols = tables[t].ncols;
      p = q + snprintf (q, sizeof q, "INSERT INTO \"%s\" VALUES (",
                        tables[t].name);
      for (i = 0; i < ncols && p < q + sizeof q - 8; i++)
        p += sprintf (p, i ? ",?" : "?");
      strcpy (p, ")");
      /* A table dropped by a 0xFE record: the values go nowhere.  */
      if (sqlite3_prepare_v2 (sql, q, -1, &st, NULL) != SQLITE_OK)
        st = NULL;
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
          sqlite3_finalize (st);
        }
    }
  sqlite3_exec (sql, "COMMIT", NULL, NULL, NULL);
  if (sqlite3_close (sql) != SQLITE_OK)
    die ("closing the database");
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
  db_certification_t *certs = NULL;
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

      db_cakey_exists (db, cacert->id, &yes);
      if (!db_cakey_get (db, cacert->id, &key, &keylen))
        wipe_and_free (key, keylen);
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
  make_template ();
  return 0;
}


int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *show[] = { "show", NULL };
  static const char *export[] = { "export", NULL };
  static const char *private[] = { "private", NULL };
  static const char *list[] = { "list", NULL };
  fuzz_in_t in;
  db_t db = NULL;
  db_cert_t *certs = NULL;
  char *email = NULL;
  unsigned int sel;

  fuzz_in_init (&in, data, size);
  sel = fuzz_u8 (&in) % 8;
  build_db (&in);

  if ((sel == 0 || sel == 6) && !db_open (dbpath, DB_OPEN_READONLY, &db))
    {
      if (sel == 0)
        db_loaders (db);
      /* The first stored email, for `user export -e'.  */
      if (sel == 6 && !db_cert_next (db, NULL, 0, &certs) && certs->nemails)
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
