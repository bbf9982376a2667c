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
 *                backend) with a row in every table of the current
 *                schema, for every reader of fuzz-db, and a database of
 *                every older schema version as that oca left it, which
 *                the read-write reader migrates.
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
#include "fuzz-db.h"

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

/* The empty database of each schema version, with its tables by
 * fuzz-db's table numbers (fuzz-db.h).  */
static fuzz_db_schema_t schemas[DB_SCHEMA_VERSION + 1];

static void
read_schemas (void)
{
  char path[] = "/tmp/mkseeds-db.XXXXXX";
  char dbfile[64];
  const char *why;
  unsigned int v;

  if (!mkdtemp (path))
    mkseeds_die ("mkdtemp: %s", strerror (errno));
  snprintf (dbfile, sizeof dbfile, "%s/ca.db", path);
  for (v = 1; v <= DB_SCHEMA_VERSION; v++)
    if (fuzz_db_schema (dbfile, v, &schemas[v], &why))
      mkseeds_die ("%s", why);
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

/* Append a record for TABLE of schema VERSION with the values VALS
 * (columns not given are NULL; values of columns the table does not
 * have in that version are left out).  A table that VERSION does not
 * have yet gets no record.  */
static void
put_row (membuf_t *mb, unsigned int version, const char *table,
         const dbval_t *vals, size_t n)
{
  const fuzz_db_schema_t *s = &schemas[version];
  int t, c;
  size_t i;

  t = fuzz_db_table_number (table);
  if (t < 0)
    mkseeds_die ("table %s has no number", table);
  if (s->table[t].ncols < 0)
    {
      if (version == DB_SCHEMA_VERSION)
        mkseeds_die ("no table %s in schema %u", table, version);
      return;
    }
  membuf_put_u8 (mb, t);
  for (c = 0; c < s->table[t].ncols; c++)
    {
      for (i = 0; i < n; i++)
        if (!strcmp (vals[i].col, s->table[t].col[c]))
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

/* SHA-256 of LEN bytes at BUF in hex.  */
static void
sha256_hex (const void *buf, size_t len, char hex[65])
{
  unsigned char d[32];

  gcry_md_hash_buffer (GCRY_MD_SHA256, d, buf, len);
  oca_bin2hex (d, 32, hex);
}

/* The verification record the CA core keeps for the user certificate
 * stored as TEXT (src/ca/ca-verified.c's "v1 HASH ISSUER SIGS"): the
 * hash of the text, the hash of the CA keys' fingerprints and what
 * verifying it against the CA found.  */
static char *
verified_record (const char *text)
{
  pgp_cert_t *cert;
  const pgp_key_t *key;
  gcry_md_hd_t md;
  char hash[65], issuer[65], *sigs = NULL, *rec;

  mkseeds_check (pgp_read_cert (text, strlen (text), &cert), "stored cert");
  pgp_cert_verify (cert, ca_cert);
  mkseeds_check (pgp_cert_verify_record (cert, ca_cert, &sigs),
                 "verification record");
  pgp_cert_release (cert);
  sha256_hex (text, strlen (text), hash);
  if (gcry_md_open (&md, GCRY_MD_SHA256, 0))
    mkseeds_die ("gcry_md_open");
  for (key = ca_cert->primary; key;
       key = key == ca_cert->primary ? ca_cert->subkeys : key->next)
    gcry_md_write (md, key->fpr, 20);
  oca_bin2hex (gcry_md_read (md, GCRY_MD_SHA256), 32, issuer);
  gcry_md_close (md);
  rec = xtrymalloc (3 + 2 * 65 + strlen (sigs) + 1);
  if (!rec)
    mkseeds_die ("out of memory");
  sprintf (rec, "v1 %s %s %s", hash, issuer, sigs);
  xfree (sigs);
  return rec;
}

/* The base64 of SIG's packet, as the audit record stores it: the body
 * lines of its armor, joined (xfree).  */
static char *
sig_base64 (const pgp_sig_t *sig)
{
  char *armor = NULL, *out, *p, *line, *end;
  int body = 0;

  mkseeds_check (pgp_sig_armor (sig, 0, PGP_ARMOR_SIGNATURE, NULL, &armor),
                 "sig armor");
  out = xtrystrdup (armor);
  if (!out)
    mkseeds_die ("out of memory");
  p = out;
  for (line = armor; *line; line = *end ? end + 1 : end)
    {
      end = strchrnul (line, '\n');
      if (!body)
        body = end == line;
      else if (*line == '=' || *line == '-')
        break;
      else
        {
          memcpy (p, line, end - line);
          p += end - line;
        }
    }
  *p = 0;
  xfree (armor);
  return out;
}

#define CARD_BACKEND "card;FFFE:0000A001;12345678"

/* The database seed NAME: selector SEL (fuzz-db.c), an empty database
 * of schema VERSION (0: the current one) holding the CA with BACKEND
 * (NULL = softkey) and, WITH_USERS, two users with their
 * certifications, verification records, a revocation and a bridge, a
 * card CA's backup card and pending migration, a setting and a queued
 * split-mode request: the rows of every table VERSION has, as that
 * version of oca wrote them.  A softkey CA's key is in table cakeys,
 * or with schema 1 armored in cacerts.  */
static void
db_seed (const char *name, int sel, unsigned int version, const char *backend,
         int with_users)
{
  /* RSA keys: they verify some ten times faster than ECC keys with
   * libgcrypt, and every command of fuzz-db checks every stored
   * certificate, for every input.  */
  static const char *const users[] = { "gpg-rsa.pgp", "sq-rsa.pgp" };
  unsigned int v = version ? version : DB_SCHEMA_VERSION;
  membuf_t mb;
  char fpr[41], *ca_text, *text;
  unsigned char *seed;
  size_t seedlen, i;
  pgp_certify_opts_t opts;
  pgp_cert_t *stored = NULL;

  membuf_init (&mb, 1 << 22, 0);
  membuf_put_u8 (&mb, sel);
  membuf_put_u8 (&mb, version);
  {
    dbval_t v1[] = { DBINT ("id", 1), DBTEXT ("domainname", "example.org") };
    put_row (&mb, v, "cas", v1, DIM (v1));
  }
  /* The CA certificate as stored: with users, with the first one's
   * trust signature (`ca import-tsig'), which the audit record has
   * too.  */
  mkseeds_check (pgp_cert_copy (ca_cert, 0, &stored), "copying the CA");
  pgp_cert_fpr_hex (ca_cert, fpr);
  if (with_users)
    {
      pgp_cert_t *sec = testdata_cert ("gpg-rsa-sec.asc");
      pgp_signer_t usigner;
      pgp_sig_t *tsig = NULL;
      char ufpr[41], *b64;

      mkseeds_check (pgp_signer_from_key (sec->primary, &usigner),
                     "user signer");
      memset (&opts, 0, sizeof opts);
      opts.trust_level = 1;
      opts.trust_amount = 120;
      opts.regex = "<[^>]+[@.]example\\.org>$";
      mkseeds_check (pgp_cert_certify_uid (stored, stored->uids, &usigner,
                                           &opts, &tsig), "trust-signing the CA");
      pgp_cert_fpr_hex (sec, ufpr);
      b64 = sig_base64 (tsig);
      {
        dbval_t v1[] = { DBINT ("id", 10), DBTEXT ("target_fpr", fpr),
                         DBTEXT ("user_id_text", stored->uids->name),
                         DBINT ("created", tsig->created),
                         DBTEXT ("signature", b64),
                         DBTEXT ("issuer_fpr", ufpr),
                         DBTEXT ("kind", "tsig") };
        put_row (&mb, v, "certifications", v1, DIM (v1));
      }
      xfree (b64);
      pgp_cert_release (sec);
    }
  ca_text = armored (stored, (backend || v > 1) ? 0 : PGP_EXPORT_SECRET);
  pgp_cert_release (stored);
  {
    dbval_t v1[] = { DBINT ("id", 1), DBTEXT ("fingerprint", fpr),
                     DBTEXT ("priv_cert", ca_text), DBINT ("active", 1),
                     DBINT ("ca_id", 1),
                     DBTEXT ("backend", backend ? backend : "") };
    put_row (&mb, v, "cacerts", v1, DIM (v1) - !backend);
  }
  wipe_and_free_string (ca_text);
  if (!backend && v > 1)
    {
      membuf_t key;
      unsigned char *kbuf;
      size_t klen;

      membuf_init (&key, 1 << 20, 1);
      pgp_cert_write (ca_cert, PGP_EXPORT_SECRET, &key);
      mkseeds_take (&key, &kbuf, &klen);
      {
        dbval_t v1[] = { DBINT ("id", 1), DBBLOB ("key", kbuf, klen) };
        put_row (&mb, v, "cakeys", v1, DIM (v1));
      }
      wipe_and_free (kbuf, klen);
    }
  if (backend)
    {
      /* A backup card holding the same key (`ca set-backend card
       * --add').  */
      dbval_t v1[] = { DBINT ("id", 1), DBINT ("cacert_id", 1),
                       DBTEXT ("ident", "FFFE:0000A002"),
                       DBTEXT ("pin", "123456") };
      put_row (&mb, v, "cacards", v1, DIM (v1));
    }
  {
    dbval_t v1[] = { DBTEXT ("name", "cert-validity"),
                     DBTEXT ("value", "730") };
    put_row (&mb, v, "settings", v1, DIM (v1));
  }
  for (i = 0; with_users && i < DIM (users); i++)
    {
      pgp_cert_t *user = testdata_cert (users[i]);
      char *email = NULL, ufpr[41], hash[65], *record;
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
        dbval_t v1[] = { DBINT ("id", i + 1), DBTEXT ("name", "User"),
                         DBINT ("ca_id", 1) };
        put_row (&mb, v, "users", v1, DIM (v1));
      }
      {
        dbval_t v1[] = { DBINT ("id", i + 1), DBTEXT ("fingerprint", ufpr),
                         DBTEXT ("pub_cert", text), DBINT ("user_id", i + 1),
                         DBINT ("delisted", 0), DBINT ("inactive", i == 1) };
        put_row (&mb, v, "certs", v1, DIM (v1));
      }
      {
        dbval_t v1[] = { DBINT ("id", i + 1), DBTEXT ("addr", email),
                         DBINT ("cert_id", i + 1) };
        put_row (&mb, v, "certs_emails", v1, DIM (v1));
      }
      /* The record of what verifying it found: the first user's
       * matches its text, the second's is of another text (verified
       * again).  */
      record = verified_record (text);
      if (i == 1)
        record[3] ^= 1;
      {
        dbval_t v1[] = { DBINT ("cert_id", i + 1), DBTEXT ("record", record) };
        put_row (&mb, v, "certs_verified", v1, DIM (v1));
      }
      xfree (record);
      {
        char *sigtext = NULL;
        dbval_t v1[] = { DBINT ("id", i + 1), DBINT ("cert_id", i + 1),
                         DBTEXT ("target_fpr", ufpr),
                         DBTEXT ("user_id_text", user->uids->name),
                         DBINT ("created", sig->created),
                         DBTEXT ("signature", ""),
                         DBTEXT ("issuer_fpr", fpr),
                         DBTEXT ("kind", "certification"),
                         DBTEXT ("backend", backend ? "card" : "softkey"),
                         DBTEXT ("sig_hash", hash),
                         DBTEXT ("card", "FFFE:0000A001"),
                         DBINT ("card_sigcount", 17 + i) };

        sigtext = sig_base64 (sig);
        v1[5].text = sigtext;
        sha256_hex (sig->raw, sig->rawlen, hash);
        /* A card's signature has its card and counter.  */
        put_row (&mb, v, "certifications", v1, DIM (v1) - (backend ? 0 : 2));
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
            dbval_t v1[] = { DBINT ("id", 1),
                             DBTEXT ("hash", "0123456789ABCDEF"),
                             DBTEXT ("revocation", rtext),
                             DBINT ("published", 0), DBINT ("cert_id", 1) };
            put_row (&mb, v, "revocations", v1, DIM (v1));
          }
          xfree (rtext);
          pgp_sig_release (rev);
          free (rbuf);
        }
      if (i == 1)
        {
          /* A bridge to a remote CA whose cert is this one.  */
          dbval_t v1[] = { DBINT ("id", 1), DBTEXT ("email", email),
                           DBTEXT ("scope", "example.net"),
                           DBINT ("cert_id", i + 1), DBINT ("cas_id", 1) };
          put_row (&mb, v, "bridges", v1, DIM (v1));
        }
      xfree (email);
      xfree (text);
      pgp_cert_release (user);
    }
  if (with_users)
    {
      /* A split-mode request waiting for the back instance.  */
      dbval_t v1[] = { DBINT ("id", 1),
                       DBTEXT ("created", "2023-11-14 22:13:20"),
                       DBTEXT ("task", "{\"Certify\":{\"cert\":\"\"}}"),
                       DBINT ("done", 0) };
      put_row (&mb, v, "queue", v1, DIM (v1));
    }
  if (backend)
    {
      dbval_t v1[] = { DBTEXT ("key", "card-migrate"),
                       DBTEXT ("value", "FFFE:0000A001;oca-scd;12345678;"
                               "example.org;;1;"),
                       DBINT ("created", 1700000000) };
      put_row (&mb, v, "pending", v1, DIM (v1));
    }
  mkseeds_take (&mb, &seed, &seedlen);
  mkseeds_write_seed ("db", name, seed, seedlen);
  xfree (seed);
}

static void
seeds_db (void)
{
  static const char *const readers[] =
    { "loaders", "ca-show", "ca-export", "ca-private", "user-list",
      "user-export", "user-export-e", "read-write", "ca-audit",
      "cert-validity", "bridge-list", "show-revocations", "check-certs",
      "check-expiry" };
  char name[64];
  unsigned int i;

  mkseeds_clear_seeds ("db");
  read_schemas ();
  /* The current schema: every reader on a softkey CA with users.  */
  db_seed ("softkey-empty-ca-show", 1, 0, NULL, 0);
  for (i = 0; i < DIM (readers); i++)
    {
      snprintf (name, sizeof name, "softkey-%s", readers[i]);
      db_seed (name, i, 0, NULL, 1);
    }
  db_seed ("card-ca-show", 1, 0, CARD_BACKEND, 1);
  db_seed ("card-user-list", 4, 0, CARD_BACKEND, 1);
  db_seed ("card-ca-audit", 8, 0, CARD_BACKEND, 1);
  db_seed ("card-read-write", 7, 0, CARD_BACKEND, 1);
  db_seed ("card-agent-ca-show", 1, 0, CARD_BACKEND ";gpg-agent", 0);
  /* A database of every older schema, as that version of oca left it,
   * opened read-write: db/ migrates it to the current schema (and the
   * CA moves a schema 1 softkey's key to its table); read-only, it is
   * refused.  */
  for (i = 1; i < DB_SCHEMA_VERSION; i++)
    {
      snprintf (name, sizeof name, "legacy-v%u-read-write", i);
      db_seed (name, 7, i, i == 3 ? CARD_BACKEND : NULL, 1);
    }
  db_seed ("legacy-v1-ca-show", 1, 1, NULL, 1);
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
