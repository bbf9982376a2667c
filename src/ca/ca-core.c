/* ca-core.c - opening and loading a CA; what the CA is and its key
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ca_open checks the file (db_open), loads the CA's domain and
 * certificate (ca-softkey.c finishes interrupted key moves on the way)
 * and creates its backend (ca-backend.c); the backend does not touch
 * the key before the first signature.
 */
#include <config.h>
#include "ca-int.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* See ca.h.  The rule is the one for the domain of a certified
 * address (pgp-uid.c).  */
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


/* Load the CA (domain, certificate, backend) from CA->db.  */
static gpg_error_t
load_ca (ca_t *ca)
{
  gpg_error_t err;
  int keyrow = 0;

  err = db_ca_get_domain (ca->db, &ca->domain);
  if (gpg_err_code (err) == GPG_ERR_NOT_INITIALIZED)
    return ca_set_errmsg (err, "CA database '%s' is not initialized "
                          "(see 'oca ca init')", ca->dbfile);
  if (err)
    return ca_db_errmsg (ca, err, "reading the CA");
  err = db_cacert_get_active (ca->db, &ca->cacert);
  if (gpg_err_code (err) == GPG_ERR_CONFLICT)
    return ca_set_errmsg (err, "More than one active cacert in DB, "
                          "illegal state.");
  if (err)
    return ca_db_errmsg (ca, err, "reading the CA certificate");
  /* The certificate and the backend with its key.  */
  err = ca_key_load (ca, &ca->cert, &keyrow);
  if (!err)
    err = ca_backend_new (ca, keyrow, &ca->backend);
  if (err)
    return err;
  ca->backend->unattended = ca->unattended;
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


/* Forget what load_ca loaded.  */
static void
unload_ca (ca_t *ca)
{
  ca_backend_release (ca->backend);
  ca->backend = NULL;
  pgp_cert_release (ca->cert);
  ca->cert = NULL;
  db_cacert_release (ca->cacert);
  ca->cacert = NULL;
  xfree (ca->domain);
  ca->domain = NULL;
  xfree (ca->uid);
  ca->uid = NULL;
}


/* See ca-int.h.  */
gpg_error_t
ca_reload (ca_t *ca)
{
  unload_ca (ca);
  return load_ca (ca);
}


/* See ca.h.  */
gpg_error_t
ca_open (const ca_opts_t *opts, unsigned int flags, ca_t **r_ca)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  struct stat st;
  unsigned int dbflags = 0;

  *r_ca = NULL;
  if (!opts->dbfile)
    return ca_set_errmsg (gpg_error (GPG_ERR_MISSING_VALUE),
                          "no database configuration found "
                          "(use -d FILE or set OPENPGP_CA_DB)");

  ca = xtrycalloc (1, sizeof *ca);
  if (!ca)
    return oca_error_from_errno ();
  ca->card_route = opts->card_route;
  ca->pinpad = opts->pinpad;
  ca->unattended = !!(flags & CA_OPEN_UNATTENDED);
  ca->dbfile = xtrystrdup (opts->dbfile);
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


/* See ca.h.  */
void
ca_release (ca_t *ca)
{
  if (!ca)
    return;
  unload_ca (ca);
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
  xfree (ca->dbfile);
  xfree (ca);
}


/* See ca.h.  */
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
      ca_db_errmsg (ca, err, "storing the CA");
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


/* See ca.h.  */
void
ca_get_info (ca_t *ca, ca_info_t *r_info)
{
  memset (r_info, 0, sizeof *r_info);
  r_info->domain = ca->domain;
  r_info->fpr = ca->fpr;
  r_info->uid = ca->uid;
  r_info->cert = ca->cert;
  if (ca->cert)
    r_info->created = ca->cert->primary->created;
  r_info->backend = ca->backend ? ca->backend->ops->type : NULL;
  r_info->key_scrubbed = ca->key_scrubbed;
  if (ca->cert)
    {
      pgp_cert_info_t ki;

      if (!pgp_cert_get_info (ca->cert, 0, &ki))
        r_info->expires = ki.expires;
    }
}


/* See ca.h.  */
gpg_error_t
ca_get_summary (ca_t *ca, ca_summary_t *r_sum)
{
  gpg_error_t err;

  memset (r_sum, 0, sizeof *r_sum);
  r_sum->domain = xtrystrdup (ca->domain);
  if (!r_sum->domain)
    return oca_error_from_errno ();
  strcpy (r_sum->fpr, ca->fpr);
  r_sum->created = ca->cert->primary->created;
  {
    pgp_cert_info_t ki;

    if (!pgp_cert_get_info (ca->cert, 0, &ki))
      r_sum->expires = ki.expires;
  }
  err = ca->backend->ops->describe (ca->backend, &r_sum->backend);
  if (err)
    ca_summary_release (r_sum);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_backup_cards (ca_t *ca, int probe, ca_backup_card_t **r_list)
{
  *r_list = NULL;
  if (!ca->backend || !ca->backend->ops->backups)
    return 0;
  return ca->backend->ops->backups (ca->backend, probe, r_list);
}


/* See ca.h.  */
void
ca_summary_release (ca_summary_t *sum)
{
  if (!sum)
    return;
  xfree (sum->domain);
  wipe_and_free_string (sum->backend);
  memset (sum, 0, sizeof *sum);
}


/* See ca.h.  */
gpg_error_t
ca_export_public (ca_t *ca, char **r_text)
{
  gpg_error_t err;

  err = ca_armor_public (ca->cert, r_text);
  if (err)
    ca_set_errmsg (err, "error exporting the CA certificate: %s",
                   gpg_strerror (err));
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_export_private (ca_t *ca, char **r_armor, size_t *r_len)
{
  gpg_error_t err;

  err = ca->backend->ops->export_private (ca->backend, r_armor, r_len);
  if (gpg_err_code (err) == GPG_ERR_NOT_SUPPORTED)
    ca_set_errmsg (err, "Operation unsupported for this backend type");
  return err;
}
