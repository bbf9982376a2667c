/* mkseeds.c - write the seed corpora of the fuzz targets
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: mkseeds TOP_SRCDIR CORPUSDIR   (make seeds)
 *
 * Writes CORPUSDIR/NAME/seed-* for every target from the tree's own
 * material, so that the seeds are real inputs and follow the code:
 *
 *   armor, pgp   the OpenPGP test data of src/pgp/testdata, plus a keyring
 *                of a fresh CA and users it certified and trust-signed;
 *   card         the answers of the virtual card (tests/vcard, linked
 *                in) to card operations, recorded APDU by APDU;
 *   scd          the client lines of the conversation scripts of
 *                tests/scd (*.asc, with run-asc.sh's values) and the
 *                virtual card's answers while oca-scd served them;
 *   scd-client   what oca-scd answered to the commands each client call
 *                sends, and its status lines;
 *   db           databases holding such a CA (softkey and card
 *                backend), its users, revocations, bridges, audit rows
 *                and pending operations.
 *
 * Key generation and signatures make the seeds differ from run to run;
 * regression inputs (regress-*) are never touched.  Progress goes to
 * stdout, errors to stderr (exit 1).
 */
#include <config.h>
#include "fuzz.h"
#include "mkseeds.h"
#include "pgp.h"
#include "db.h"

#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *mkseeds_topsrc;
static const char *outdir;
static unsigned int nseeds;

void
mkseeds_die (const char *fmt, ...)
{
  va_list ap;

  fputs ("mkseeds: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  exit (1);
}

void
mkseeds_check (gpg_error_t err, const char *what)
{
  if (err)
    mkseeds_die ("%s: %s", what, gpg_strerror (err));
}

/* Read FNAME (relative to TOPSRC) into a fresh buffer.  */
unsigned char *
mkseeds_read_file (const char *fname, size_t *r_len)
{
  char path[1024];
  FILE *fp;
  unsigned char *buf;
  long n;

  snprintf (path, sizeof path, "%s/%s", mkseeds_topsrc, fname);
  fp = fopen (path, "rb");
  if (!fp || fseek (fp, 0, SEEK_END) || (n = ftell (fp)) < 0
      || fseek (fp, 0, SEEK_SET))
    mkseeds_die ("%s: %s", path, strerror (errno));
  buf = malloc (n + 1);
  if (!buf || fread (buf, 1, n, fp) != (size_t)n)
    mkseeds_die ("%s: read error", path);
  buf[n] = 0;
  fclose (fp);
  *r_len = n;
  return buf;
}

/* Write seed NAME of TARGET.  */
void
mkseeds_write_seed (const char *target, const char *name, const void *data,
            size_t len)
{
  char path[1024];
  FILE *fp;

  snprintf (path, sizeof path, "%s/%s", outdir, target);
  if (mkdir (path, 0755) && errno != EEXIST)
    mkseeds_die ("%s: %s", path, strerror (errno));
  snprintf (path, sizeof path, "%s/%s/seed-%s", outdir, target, name);
  fp = fopen (path, "wb");
  if (!fp || (len && fwrite (data, len, 1, fp) != 1) || fclose (fp))
    mkseeds_die ("%s: %s", path, strerror (errno));
  nseeds++;
}

/* Remove the old seed-* files of TARGET.  */
void
mkseeds_clear_seeds (const char *target)
{
  char path[1024];
  DIR *dir;
  struct dirent *de;

  snprintf (path, sizeof path, "%s/%s", outdir, target);
  dir = opendir (path);
  if (!dir)
    return;
  while ((de = readdir (dir)))
    if (!strncmp (de->d_name, "seed-", 5))
      {
        snprintf (path, sizeof path, "%s/%s/%s", outdir, target, de->d_name);
        unlink (path);
      }
  closedir (dir);
}

void
mkseeds_take (membuf_t *mb, unsigned char **r_buf, size_t *r_len)
{
  mkseeds_check (membuf_take (mb, r_buf, r_len), "building a seed");
}


/*
 * OpenPGP material.
 */

static const char *const testdata[] =
  {
    "gpg-ed25519-sec.pgp", "gpg-ed25519.pgp", "gpg-ed25519.rev",
    "gpg-p256-protected.asc", "gpg-p256.pgp", "gpg-p384.asc",
    "gpg-ring.asc", "gpg-rsa-sec.asc", "gpg-rsa.pgp",
    "sq-cv25519-sec.asc", "sq-cv25519.asc", "sq-cv25519.rev",
    "sq-rsa.pgp", "unknown-pkt.pgp"
  };

/* The CA of the seeds and its signer.  */
static pgp_cert_t *ca_cert;
static pgp_signer_t ca_signer;

/* Read testdata file NAME as certificates.  */
static pgp_cert_t *
testdata_cert (const char *name)
{
  char path[256];
  unsigned char *buf;
  size_t len;
  pgp_cert_t *cert;

  snprintf (path, sizeof path, "src/pgp/testdata/%s", name);
  buf = mkseeds_read_file (path, &len);
  mkseeds_check (pgp_read_cert (buf, len, &cert), name);
  free (buf);
  return cert;
}

/* A keyring: the CA, then users it certified (one trust-signed it with
 * a domain regex); written to *R_BUF.  */
static void
make_ca_ring (unsigned char **r_buf, size_t *r_len)
{
  static const char *const users[] = { "gpg-rsa.pgp", "sq-cv25519.asc",
                                       "gpg-p256.pgp" };
  pgp_certify_opts_t opts;
  pgp_signer_t usigner;
  pgp_cert_t *user, *sec;
  membuf_t mb;
  size_t i;

  membuf_init (&mb, PGP_MAX_INPUT, 0);
  pgp_cert_write (ca_cert, 0, &mb);
  for (i = 0; i < DIM (users); i++)
    {
      user = testdata_cert (users[i]);
      memset (&opts, 0, sizeof opts);
      opts.signer_uid = ca_cert->uids->name;
      mkseeds_check (pgp_cert_certify_uid (user, user->uids, &ca_signer, &opts, NULL),
             "certifying a user");
      pgp_cert_write (user, 0, &mb);
      pgp_cert_release (user);
    }
  /* A user's trust signature on the CA (as `ca import-tsig' takes it).  */
  sec = testdata_cert ("gpg-ed25519-sec.pgp");
  mkseeds_check (pgp_signer_from_key (sec->primary, &usigner), "user signer");
  memset (&opts, 0, sizeof opts);
  opts.trust_level = 1;
  opts.trust_amount = 120;
  opts.regex = "<[^>]+[@.]example\\.org>$";
  {
    pgp_cert_t *copy;

    mkseeds_check (pgp_cert_copy (ca_cert, 1, &copy), "copying the CA");
    mkseeds_check (pgp_cert_certify_uid (copy, copy->uids, &usigner, &opts, NULL),
           "trust-signing the CA");
    pgp_cert_write (copy, 0, &mb);
    pgp_cert_release (copy);
  }
  pgp_cert_write (sec, PGP_EXPORT_SECRET, &mb);
  pgp_cert_release (sec);
  mkseeds_take (&mb, r_buf, r_len);
}

static void
seeds_openpgp (void)
{
  size_t i, len, len2, binlen;
  unsigned char *buf, *buf2, *ring;
  char *text, name[128];

  mkseeds_clear_seeds ("armor");
  mkseeds_clear_seeds ("pgp");
  for (i = 0; i < DIM (testdata); i++)
    {
      snprintf (name, sizeof name, "src/pgp/testdata/%s", testdata[i]);
      buf = mkseeds_read_file (name, &len);
      mkseeds_write_seed ("pgp", testdata[i], buf, len);
      if (len && !(buf[0] & 0x80))
        mkseeds_write_seed ("armor", testdata[i], buf, len);
      else
        {
          mkseeds_check (pgp_armor (PGP_ARMOR_PUBKEY, buf, len, NULL, &text, NULL),
                 "armoring");
          snprintf (name, sizeof name, "%s.asc", testdata[i]);
          mkseeds_write_seed ("armor", name, text, strlen (text));
          xfree (text);
        }
      free (buf);
    }
  /* Two blocks in one file; CR LF line ends.  */
  buf = mkseeds_read_file ("src/pgp/testdata/gpg-p384.asc", &len);
  buf2 = mkseeds_read_file ("src/pgp/testdata/sq-cv25519.rev", &len2);
  {
    membuf_t mb;
    size_t j;

    membuf_init (&mb, 1 << 20, 0);
    membuf_put (&mb, buf, len);
    membuf_put (&mb, buf2, len2);
    mkseeds_take (&mb, &ring, &binlen);
    mkseeds_write_seed ("armor", "two-blocks", ring, binlen);
    xfree (ring);
    membuf_init (&mb, 1 << 20, 0);
    for (j = 0; j < len; j++)
      {
        if (buf[j] == '\n')
          membuf_put_u8 (&mb, '\r');
        membuf_put_u8 (&mb, buf[j]);
      }
    mkseeds_take (&mb, &ring, &binlen);
    mkseeds_write_seed ("armor", "crlf", ring, binlen);
    xfree (ring);
  }
  free (buf);
  free (buf2);

  make_ca_ring (&ring, &binlen);
  mkseeds_write_seed ("pgp", "ca-ring", ring, binlen);
  mkseeds_check (pgp_armor (PGP_ARMOR_PUBKEY, ring, binlen, NULL, &text, NULL),
         "armoring");
  mkseeds_write_seed ("pgp", "ca-ring.asc", text, strlen (text));
  xfree (text);
  xfree (ring);
}


/*
 * db: databases.
 */

static struct
{
  char name[64];
  char col[12][32];
  int ncols;
} tables[32];
static int ntables;

static int
cmp_tables (const void *a, const void *b)
{
  return strcmp (a, b);
}

/* Read the tables and columns of a fresh database (as fuzz-db does).  */
static void
read_schema (void)
{
  char path[] = "/tmp/mkseeds-db.XXXXXX";
  char dbfile[64];
  db_t db;
  sqlite3 *sql;
  sqlite3_stmt *st;
  int i, j;

  if (!mkdtemp (path))
    mkseeds_die ("mkdtemp: %s", strerror (errno));
  snprintf (dbfile, sizeof dbfile, "%s/ca.db", path);
  mkseeds_check (db_open (dbfile, DB_OPEN_CREATE, &db), "db_open");
  db_close (db);
  if (sqlite3_open_v2 (dbfile, &sql, SQLITE_OPEN_READONLY, NULL)
      || sqlite3_prepare_v2 (sql, "SELECT name FROM sqlite_master WHERE "
                             "type = 'table' AND name NOT LIKE 'sqlite_%'",
                             -1, &st, NULL))
    mkseeds_die ("reading the schema");
  while (sqlite3_step (st) == SQLITE_ROW && ntables < (int)DIM (tables))
    snprintf (tables[ntables++].name, sizeof tables[0].name, "%s",
              (const char *)sqlite3_column_text (st, 0));
  sqlite3_finalize (st);
  qsort (tables, ntables, sizeof tables[0], cmp_tables);
  for (i = 0; i < ntables; i++)
    {
      char q[128];

      snprintf (q, sizeof q, "SELECT * FROM \"%.63s\"", tables[i].name);
      if (sqlite3_prepare_v2 (sql, q, -1, &st, NULL))
        mkseeds_die ("reading the columns");
      tables[i].ncols = sqlite3_column_count (st);
      for (j = 0; j < tables[i].ncols && j < 12; j++)
        snprintf (tables[i].col[j], sizeof tables[i].col[j], "%s",
                  sqlite3_column_name (st, j));
      sqlite3_finalize (st);
    }
  sqlite3_close (sql);
  unlink (dbfile);
  rmdir (path);
}

/* A column value: NULL, an integer, a text or a blob.  */
typedef struct
{
  const char *col;
  int is_int;
  int64_t num;
  const char *text;
  const unsigned char *blob;
  size_t bloblen;
} dbval_t;

#define DBTEXT(c, t) { (c), 0, 0, (t), NULL, 0 }
#define DBINT(c, v)  { (c), 1, (v), NULL, NULL, 0 }
#define DBBLOB(c, p, n)  { (c), 0, 0, NULL, (p), (n) }

/* The index of TABLE in fuzz-db's order.  */
static int
table_index (const char *table)
{
  int t;

  for (t = 0; t < ntables; t++)
    if (!strcmp (tables[t].name, table))
      return t;
  mkseeds_die ("no table %s", table);
}

/* Append a record for TABLE with the values VALS (columns not given
 * are NULL).  */
static void
put_row (membuf_t *mb, const char *table, const dbval_t *vals, size_t n)
{
  int t, c;
  size_t i;

  t = table_index (table);
  membuf_put_u8 (mb, t);
  for (c = 0; c < tables[t].ncols; c++)
    {
      for (i = 0; i < n; i++)
        if (!strcmp (vals[i].col, tables[t].col[c]))
          break;
      if (i == n)
        membuf_put_u8 (mb, 0);
      else if (vals[i].is_int)
        {
          unsigned char b[8];
          int k;

          for (k = 0; k < 8; k++)
            b[k] = (uint64_t)vals[i].num >> (56 - 8 * k);
          membuf_put_u8 (mb, 1);
          fuzz_put_chunk (mb, b, 8);
        }
      else if (vals[i].blob)
        {
          membuf_put_u8 (mb, 3);
          fuzz_put_chunk (mb, vals[i].blob, vals[i].bloblen);
        }
      else
        {
          membuf_put_u8 (mb, 2);
          fuzz_put_chunk (mb, vals[i].text, strlen (vals[i].text));
        }
    }
}

static char *
armored (const pgp_cert_t *cert, unsigned int flags)
{
  unsigned char *buf;
  size_t len;

  mkseeds_check (pgp_cert_export (cert, flags | PGP_EXPORT_ARMOR, &buf, &len),
         "export");
  return (char *)buf;
}

/* The database seed NAME for selector SEL (fuzz-db.c): the CA with
 * BACKEND (NULL = softkey), and WITH_USERS.  A softkey CA's key is in
 * table cakeys, or with LEGACY (schema 1) armored in cacerts.  */
static void
db_seed (const char *name, int sel, const char *backend, int with_users,
         int legacy)
{
  /* RSA keys: they verify some ten times faster than ECC keys with
   * libgcrypt, and every command of fuzz-db checks every stored
   * certificate, for every input.  */
  static const char *const users[] = { "gpg-rsa.pgp", "sq-rsa.pgp" };
  membuf_t mb;
  char fpr[41], *ca_text, *text;
  unsigned char *seed;
  size_t seedlen, i;
  pgp_certify_opts_t opts;

  membuf_init (&mb, 1 << 22, 0);
  membuf_put_u8 (&mb, sel);
  {
    dbval_t v[] = { DBINT ("id", 1), DBTEXT ("domainname", "example.org") };
    put_row (&mb, "cas", v, DIM (v));
  }
  if (legacy)
    {
      /* Schema 1: no table cakeys, PRAGMA user_version = 1 (fuzz-db's
       * 0xFE and 0xFF records).  */
      membuf_put_u8 (&mb, 0xFE);
      membuf_put_u8 (&mb, table_index ("cakeys"));
      membuf_put_u8 (&mb, 0xFF);
      membuf_put_u8 (&mb, 1);
    }
  ca_text = armored (ca_cert, (backend || !legacy) ? 0 : PGP_EXPORT_SECRET);
  pgp_cert_fpr_hex (ca_cert, fpr);
  {
    dbval_t v[] = { DBINT ("id", 1), DBTEXT ("fingerprint", fpr),
                    DBTEXT ("priv_cert", ca_text), DBINT ("active", 1),
                    DBINT ("ca_id", 1),
                    DBTEXT ("backend", backend ? backend : "") };
    put_row (&mb, "cacerts", v, DIM (v) - !backend);
  }
  wipe_and_free_string (ca_text);
  if (!backend && !legacy)
    {
      membuf_t key;
      unsigned char *kbuf;
      size_t klen;

      membuf_init (&key, 1 << 20, 1);
      pgp_cert_write (ca_cert, PGP_EXPORT_SECRET, &key);
      mkseeds_take (&key, &kbuf, &klen);
      {
        dbval_t v[] = { DBINT ("id", 1), DBBLOB ("key", kbuf, klen) };
        put_row (&mb, "cakeys", v, DIM (v));
      }
      wipe_and_free (kbuf, klen);
    }
  for (i = 0; with_users && i < DIM (users); i++)
    {
      pgp_cert_t *user = testdata_cert (users[i]);
      char *email = NULL, ufpr[41];
      pgp_sig_t *sig = NULL, *rev = NULL;

      memset (&opts, 0, sizeof opts);
      opts.signer_uid = ca_cert->uids->name;
      mkseeds_check (pgp_cert_certify_uid (user, user->uids, &ca_signer, &opts, &sig),
             "certify");
      mkseeds_check (pgp_uid_parse (user->uids->body, user->uids->bodylen,
                                    &email, NULL, NULL), "email");
      pgp_cert_fpr_hex (user, ufpr);
      text = armored (user, 0);
      {
        dbval_t v[] = { DBINT ("id", i + 1), DBTEXT ("name", "User"),
                        DBINT ("ca_id", 1) };
        put_row (&mb, "users", v, DIM (v));
      }
      {
        dbval_t v[] = { DBINT ("id", i + 1), DBTEXT ("fingerprint", ufpr),
                        DBTEXT ("pub_cert", text), DBINT ("user_id", i + 1),
                        DBINT ("delisted", 0), DBINT ("inactive", i == 1) };
        put_row (&mb, "certs", v, DIM (v));
      }
      {
        dbval_t v[] = { DBINT ("id", i + 1), DBTEXT ("addr", email),
                        DBINT ("cert_id", i + 1) };
        put_row (&mb, "certs_emails", v, DIM (v));
      }
      {
        char *sigtext = NULL;
        dbval_t v[] = { DBINT ("id", i + 1), DBINT ("cert_id", i + 1),
                        DBTEXT ("target_fpr", ufpr),
                        DBTEXT ("user_id_text", user->uids->name),
                        DBINT ("created", sig->created),
                        DBTEXT ("signature", ""), DBTEXT ("issuer_fpr", fpr),
                        DBTEXT ("kind", "certification") };

        mkseeds_check (pgp_sig_armor (sig, 0, PGP_ARMOR_SIGNATURE, NULL, &sigtext),
               "sig armor");
        v[5].text = sigtext;
        put_row (&mb, "certifications", v, DIM (v));
        xfree (sigtext);
      }
      if (i == 0)
        {
          /* A stored revocation of the first user (its own).  */
          unsigned char *rbuf;
          size_t rlen;
          char *rtext;

          rbuf = mkseeds_read_file ("src/pgp/testdata/gpg-ed25519.rev", &rlen);
          mkseeds_check (pgp_read_sigs (rbuf, rlen, &rev), "revocation");
          mkseeds_check (pgp_sig_armor (rev, 0, PGP_ARMOR_PUBKEY, NULL, &rtext),
                 "revocation armor");
          {
            dbval_t v[] = { DBINT ("id", 1), DBTEXT ("hash", "0123456789ABCDEF"),
                            DBTEXT ("revocation", rtext),
                            DBINT ("published", 0), DBINT ("cert_id", 1) };
            put_row (&mb, "revocations", v, DIM (v));
          }
          xfree (rtext);
          pgp_sig_release (rev);
          free (rbuf);
        }
      if (i == 1)
        {
          /* A bridge to a remote CA whose cert is this one.  */
          dbval_t v[] = { DBINT ("id", 1), DBTEXT ("email", email),
                          DBTEXT ("scope", "example.net"),
                          DBINT ("cert_id", i + 1), DBINT ("cas_id", 1) };
          put_row (&mb, "bridges", v, DIM (v));
        }
      xfree (email);
      xfree (text);
      pgp_cert_release (user);
    }
  if (backend)
    {
      dbval_t v[] = { DBTEXT ("key", "card-migrate"),
                      DBTEXT ("value", "FFFE:0000A001;oca-scd;12345678;"
                              "example.org;;1;"),
                      DBINT ("created", 1700000000) };
      put_row (&mb, "pending", v, DIM (v));
    }
  mkseeds_take (&mb, &seed, &seedlen);
  mkseeds_write_seed ("db", name, seed, seedlen);
  xfree (seed);
}

static void
seeds_db (void)
{
  static const char *const cmds[] =
    { "loaders", "ca-show", "ca-export", "ca-private", "user-list",
      "user-export", "user-export-e", "read-write" };
  char name[64];
  int i;

  mkseeds_clear_seeds ("db");
  read_schema ();
  db_seed ("softkey-empty-ca-show", 1, NULL, 0, 0);
  for (i = 0; i < 8; i++)
    {
      snprintf (name, sizeof name, "softkey-%s", cmds[i]);
      db_seed (name, i, NULL, 1, 0);
    }
  db_seed ("legacy-ca-show", 1, NULL, 1, 1);
  db_seed ("legacy-read-write", 7, NULL, 1, 1);
  db_seed ("card-ca-show", 1, "card;FFFE:0000A001;12345678", 1, 0);
  db_seed ("card-user-list", 4, "card;FFFE:0000A001;12345678", 1, 0);
  db_seed ("card-read-write", 7, "card;FFFE:0000A001;12345678", 1, 0);
  db_seed ("card-agent-ca-show", 1, "card;FFFE:0000A001;12345678;gpg-agent",
           0, 0);
}


int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: mkseeds TOP_SRCDIR CORPUSDIR\n");
      return 2;
    }
  mkseeds_topsrc = argv[1];
  outdir = argv[2];
  fuzz_init ();
  mkseeds_card_init ();
  if (mkdir (outdir, 0755) && errno != EEXIST)
    mkseeds_die ("%s: %s", outdir, strerror (errno));

  /* RSA: see db_seed.  */
  mkseeds_check (pgp_generate_ca (PGP_GEN_RSA2048, NULL, "example.org",
                                  FUZZ_NOW, &ca_cert), "generating the CA");
  mkseeds_check (pgp_signer_from_key (ca_cert->primary, &ca_signer), "CA signer");

  seeds_openpgp ();
  mkseeds_card ();
  mkseeds_scd ();
  mkseeds_scd_client ();
  seeds_db ();

  pgp_cert_release (ca_cert);
  mkseeds_card_done ();
  printf ("mkseeds: %u seeds written to %s\n", nseeds, outdir);
  return 0;
}
