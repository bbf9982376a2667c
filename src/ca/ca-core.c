/* ca-core.c - opening and loading the CA, transactions, messages
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "ca.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

/* The one-line message for the error being returned to main.  Only
 * the main thread sets it.  */
static char errmsg_buf[1024];
static int errmsg_set;
static gpg_error_t errmsg_err;


/* Record the message for ERR (printf-style FMT) and return ERR.  */
gpg_error_t
ca_set_errmsg (gpg_error_t err, const char *fmt, ...)
{
  va_list ap;
  char *p;

  va_start (ap, fmt);
  vsnprintf (errmsg_buf, sizeof errmsg_buf, fmt, ap);
  va_end (ap);
  /* Keep it to one line.  */
  for (p = errmsg_buf; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  errmsg_set = 1;
  errmsg_err = err;
  return err;
}


/* The recorded message or NULL.  */
const char *
ca_errmsg (void)
{
  return errmsg_set ? errmsg_buf : NULL;
}


/* The recorded message if it belongs to ERR.  */
const char *
ca_errmsg_for (gpg_error_t err)
{
  return errmsg_set && errmsg_err == err ? errmsg_buf : NULL;
}


/* Print the one-line warning FMT (printf style) on stderr.  */
void
ca_warning (const char *fmt, ...)
{
  va_list ap;

  fputs ("oca: warning: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  putc ('\n', stderr);
  fflush (stderr);
}


/* Describe an error ERR from reading OpenPGP data from WHAT (a file
 * name) and return ERR.  */
gpg_error_t
ca_key_errmsg (gpg_error_t err, const char *what)
{
  const char *s;

  switch (gpg_err_code (err))
    {
    case GPG_ERR_CHECKSUM:   s = "bad armor checksum"; break;
    case GPG_ERR_INV_ARMOR:  s = "invalid ASCII armor"; break;
    case GPG_ERR_NO_PUBKEY:  s = "no OpenPGP key found"; break;
    case GPG_ERR_TOO_SHORT:  s = "truncated OpenPGP data"; break;
    case GPG_ERR_INV_PACKET: s = "invalid OpenPGP packet"; break;
    case GPG_ERR_AMBIGUOUS:  s = "more than one key in the file"; break;
    case GPG_ERR_TOO_LARGE:
      return ca_set_errmsg (err, "%s: too large (oca reads packets of up to"
                            " %u MiB and numbers of up to %u bits)", what,
                            (unsigned int)(PGP_MAX_INPUT >> 20),
                            (unsigned int)PGP_MAX_MPI_BITS);
    case GPG_ERR_TOO_MANY:
      return ca_set_errmsg (err, "%s: more than %u packets in one key or"
                            " signature file (oca's limit)", what,
                            (unsigned int)PGP_MAX_PACKETS);
    default:                 s = NULL; break;
    }
  if (s)
    return ca_set_errmsg (err, "%s: %s", what, s);
  return ca_set_errmsg (err, "%s: %s", what, gpg_strerror (err));
}


/* Read FNAME ("-" for stdin) into *R_BUF and *R_LEN.  */
gpg_error_t
ca_read_file (const char *fname, unsigned char **r_buf, size_t *r_len)
{
  gpg_error_t err = 0;
  membuf_t mb;
  unsigned char tmp[65536];
  int fd = -1;
  ssize_t n;

  *r_buf = NULL;
  *r_len = 0;
  membuf_init (&mb, CA_MAX_FILE, 0);

  if (!strcmp (fname, "-"))
    fd = 0;
  else
    {
      fd = open (fname, O_RDONLY);
      if (fd < 0)
        {
          err = oca_error_from_errno ();
          ca_set_errmsg (err, "can't open '%s': %s", fname,
                         gpg_strerror (err));
          goto leave;
        }
    }
  for (;;)
    {
      n = read (fd, tmp, sizeof tmp);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          err = oca_error_from_errno ();
          ca_set_errmsg (err, "error reading '%s': %s", fname,
                         gpg_strerror (err));
          goto leave;
        }
      if (!n)
        break;
      membuf_put (&mb, tmp, n);
      if (membuf_error (&mb))
        break;
    }
  err = membuf_take (&mb, r_buf, r_len);
  if (gpg_err_code (err) == GPG_ERR_TOO_LARGE)
    ca_set_errmsg (err, "'%s' is too large", fname);
  else if (!err && !*r_len)
    {
      xfree (*r_buf);
      *r_buf = NULL;
      err = ca_set_errmsg (gpg_error (GPG_ERR_NO_DATA), "'%s' is empty",
                           fname);
    }

 leave:
  if (fd > 0)
    close (fd);
  membuf_release (&mb);
  return err;
}


/* Check the syntax of DOMAIN and return it lowercased.  The rule is
 * the one for the domain of a certified address (pgp-uid.c).  */
gpg_error_t
ca_check_domain (const char *domain, char **r_domain)
{
  char *d;
  size_t i;

  *r_domain = NULL;
  if (!pgp_mail_domain_valid (domain, strlen (domain)))
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_NAME),
                          "Invalid domainname: '%s'", domain);
  d = xtrystrdup (domain);
  if (!d)
    return oca_error_from_errno ();
  for (i = 0; d[i]; i++)
    if (d[i] >= 'A' && d[i] <= 'Z')
      d[i] += 'a' - 'A';
  *r_domain = d;
  return 0;
}


/* Parse TEXT, the stored certificate of the row for FPR, into *R_CERT
 * and check that it is the key the row names.  */
gpg_error_t
ca_parse_stored_cert (const char *text, const char *fpr, pgp_cert_t **r_cert)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL;
  char hex[41];

  *r_cert = NULL;
  err = pgp_read_cert (text, strlen (text), &cert);
  if (err)
    return ca_set_errmsg (err, "stored certificate %s is invalid: %s",
                          fpr, gpg_strerror (err));
  pgp_cert_fpr_hex (cert, hex);
  if (strcmp (hex, fpr))
    {
      pgp_cert_release (cert);
      return ca_set_errmsg (gpg_error (GPG_ERR_BAD_DATA),
                            "stored certificate %s is invalid: it holds the"
                            " key %s", fpr, hex);
    }
  *r_cert = cert;
  return 0;
}


/* Load the CA (domain, certificate, backend) from CA->db.  */
static gpg_error_t
load_ca (ca_t *ca)
{
  gpg_error_t err;

  err = db_ca_get_domain (ca->db, &ca->domain);
  if (gpg_err_code (err) == GPG_ERR_NOT_INITIALIZED)
    return ca_set_errmsg (err, "CA database '%s' is not initialized "
                          "(see 'oca ca init')", ca->dbfile);
  if (err)
    return ca_set_errmsg (err, "error reading the CA: %s",
                          db_errmsg (ca->db));
  err = db_cacert_get_active (ca->db, &ca->cacert);
  if (gpg_err_code (err) == GPG_ERR_CONFLICT)
    return ca_set_errmsg (err, "More than one active cacert in DB, "
                          "illegal state.");
  if (err)
    return ca_set_errmsg (err, "error reading the CA certificate: %s",
                          db_errmsg (ca->db));
  /* The certificate and the backend with its key.  */
  err = ca_key_load (ca);
  if (err)
    return err;
  pgp_cert_fpr_hex (ca->cert, ca->fpr);
  if (strcmp (ca->fpr, ca->cacert->fingerprint))
    return ca_set_errmsg (gpg_error (GPG_ERR_BAD_DATA),
                          "the stored CA certificate does not match its "
                          "fingerprint");
  if (!ca->cert->uids || ca->cert->uids->is_attribute
      || (ca->cert->uids->next && !ca->cert->uids->next->is_attribute))
    return ca_set_errmsg (gpg_error (GPG_ERR_BAD_DATA),
                          "ERROR: CA has != 1 user_id");
  ca->uid = xtrystrdup (ca->cert->uids->name);
  if (!ca->uid)
    return oca_error_from_errno ();
  return 0;
}


/* Open the CA database for a command.  */
gpg_error_t
ca_open (ca_cli_t *cli, unsigned int flags, ca_t **r_ca)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  struct stat st;
  unsigned int dbflags = 0;

  *r_ca = NULL;
  if (!cli->dbfile)
    return ca_set_errmsg (gpg_error (GPG_ERR_MISSING_VALUE),
                          "no database configuration found "
                          "(use -d FILE or set OPENPGP_CA_DB)");

  ca = xtrycalloc (1, sizeof *ca);
  if (!ca)
    return oca_error_from_errno ();
  ca->dbfile = xtrystrdup (cli->dbfile);
  if (!ca->dbfile)
    {
      err = oca_error_from_errno ();
      goto leave;
    }

  if ((flags & CA_OPEN_CREATE))
    {
      dbflags = DB_OPEN_CREATE;
      if (lstat (ca->dbfile, &st) && errno == ENOENT)
        ca->created_file = 1;
    }
  else if ((flags & CA_OPEN_READONLY))
    dbflags = DB_OPEN_READONLY;

  err = db_open (ca->dbfile, dbflags, &ca->db);
  if (err)
    {
      ca->created_file = 0;  /* db_open cleans up after itself.  */
      ca_set_errmsg (err, "%s", db_errmsg (NULL));
      goto leave;
    }

  if ((flags & CA_OPEN_CREATE))
    {
      int yes;

      err = db_ca_is_initialized (ca->db, &yes);
      if (err)
        {
          ca_set_errmsg (err, "error reading '%s': %s", ca->dbfile,
                         db_errmsg (ca->db));
          goto leave;
        }
      if (yes)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_EEXIST),
                               "CA database '%s' is already initialized",
                               ca->dbfile);
          goto leave;
        }
    }
  else
    {
      err = load_ca (ca);
      if (err)
        goto leave;
      /* Both backends keep a secret in the file.  */
      if ((db_file_mode (ca->db) & 077))
        ca_warning ("group or others can access database '%s' (mode %04o),"
                    " which holds %s; run 'chmod 600 %s'", ca->dbfile,
                    db_file_mode (ca->db),
                    ca->cacert->backend ? "the card's User PIN"
                    : "the CA's private key", ca->dbfile);
    }

  *r_ca = ca;
  ca = NULL;

 leave:
  ca_release (ca);
  return err;
}


/* Release CA, rolling back what was not committed.  */
void
ca_release (ca_t *ca)
{
  if (!ca)
    return;
  ca_backend_release (ca->backend);
  if (ca->db)
    {
      db_rollback (ca->db);
      db_close (ca->db);
    }
  if (ca->created_file && !ca->committed && ca->dbfile)
    {
      unlink (ca->dbfile);
      /* SQLite's journal, should one be left.  */
      {
        char *j = gpgrt_bsprintf ("%s-journal", ca->dbfile);
        if (j)
          {
            unlink (j);
            gpgrt_free (j);
          }
      }
    }
  pgp_cert_release (ca->cert);
  db_cacert_release (ca->cacert);
  xfree (ca->domain);
  xfree (ca->uid);
  xfree (ca->dbfile);
  xfree (ca);
}


/* Start the command's transaction.  */
gpg_error_t
ca_begin (ca_t *ca)
{
  gpg_error_t err;

  err = db_begin (ca->db);
  if (err)
    ca_set_errmsg (err, "%s", db_errmsg (ca->db));
  return err;
}


/* Commit the command's transaction.  */
gpg_error_t
ca_commit (ca_t *ca)
{
  gpg_error_t err;

  err = db_commit (ca->db);
  if (err)
    return ca_set_errmsg (err, "error writing the database: %s",
                          db_errmsg (ca->db));
  ca->committed = 1;
  return 0;
}


/* Export CERT (public parts only, exportable signatures) armored.  */
gpg_error_t
ca_armor_public (const pgp_cert_t *cert, char **r_text)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len;

  *r_text = NULL;
  err = pgp_cert_export (cert, PGP_EXPORT_ARMOR | PGP_EXPORT_NO_LOCAL,
                         &buf, &len);
  if (err)
    return err;
  *r_text = (char *)buf;
  return 0;
}


/* Store CA->cert as the active CA certificate: its public parts only
 * (a softkey's private key stays in its own row, see ca-softkey.c).  */
gpg_error_t
ca_store_cacert (ca_t *ca)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;

  err = pgp_cert_export (ca->cert, PGP_EXPORT_ARMOR, &buf, &len);
  if (err)
    return ca_set_errmsg (err, "error exporting the CA certificate: %s",
                          gpg_strerror (err));
  err = db_cacert_update_cert (ca->db, ca->cacert->id, (char *)buf);
  if (err)
    ca_set_errmsg (err, "error storing the CA certificate: %s",
                   db_errmsg (ca->db));
  xfree (buf);
  return err;
}


/* Generate and store a softkey CA.  */
gpg_error_t
ca_init_softkey (ca_t *ca, const char *domain, const char *name, int algo)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL;
  unsigned char *pub = NULL;
  size_t publen = 0;
  int64_t cacert_id;
  char fpr[41];

  err = pgp_generate_ca (algo, name, domain, 0, &cert);
  if (err)
    {
      ca_set_errmsg (err, "error generating the CA key: %s",
                     gpg_strerror (err));
      goto leave;
    }
  err = pgp_cert_export (cert, PGP_EXPORT_ARMOR, &pub, &publen);
  if (err)
    {
      ca_set_errmsg (err, "error exporting the CA certificate: %s",
                     gpg_strerror (err));
      goto leave;
    }
  pgp_cert_fpr_hex (cert, fpr);
  err = db_ca_insert (ca->db, domain, fpr, (char *)pub, NULL, &cacert_id);
  if (err)
    {
      ca_set_errmsg (err, "error storing the CA: %s", db_errmsg (ca->db));
      goto leave;
    }
  err = ca_key_store (ca, cacert_id, cert);
  if (!err)
    err = load_ca (ca);

 leave:
  xfree (pub);
  pgp_cert_release (cert);
  return err;
}


/* Base64 (RFC 4648, padded) of DATA/LEN.  */
gpg_error_t
ca_base64 (const void *data, size_t len, char **r_str)
{
  static const char tbl[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char *s = data;
  char *out, *p;
  size_t i;

  *r_str = NULL;
  if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
    return gpg_error (GPG_ERR_TOO_LARGE);
  out = xtrymalloc ((len + 2) / 3 * 4 + 1);
  if (!out)
    return oca_error_from_errno ();
  for (p = out, i = 0; i + 2 < len; i += 3)
    {
      *p++ = tbl[s[i] >> 2];
      *p++ = tbl[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
      *p++ = tbl[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
      *p++ = tbl[s[i + 2] & 63];
    }
  if (i < len)
    {
      *p++ = tbl[s[i] >> 2];
      if (i + 1 < len)
        {
          *p++ = tbl[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
          *p++ = tbl[(s[i + 1] & 15) << 2];
        }
      else
        {
          *p++ = tbl[(s[i] & 3) << 4];
          *p++ = '=';
        }
      *p++ = '=';
    }
  *p = 0;
  *r_str = out;
  return 0;
}


/* Revocation id of SIG.  */
void
ca_revocation_hash (const pgp_sig_t *sig, char out[17])
{
  unsigned char digest[32];

  gcry_md_hash_buffer (GCRY_MD_SHA256, digest, sig->raw, sig->rawlen);
  oca_bin2hex (digest, 8, out);
}
