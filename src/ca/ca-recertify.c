/* ca-recertify.c - `ca re-certify': carry certifications over to a new CA key
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * After the CA key changed (spec 1, `ca re-certify'): every User ID of
 * a stored user certificate that is not inactive, that carries a valid
 * certification by the old CA key and none by the current one, gets a
 * certification by the current key valid for a number of days.  The
 * certification policy still holds: a User ID that its key no longer
 * binds (no good self-signature, or revoked by its owner) is not
 * certified again.  The old key must be a former key of this CA: a
 * key with a User ID openpgp-ca@DOMAIN of the CA's domain, bound by a
 * good self-signature, and not the current key.
 */
#include <config.h>
#include "ca-int.h"

#include <string.h>
#include <time.h>

/* Longest validity (100 years; DAYS * 86400 fits in 32 bits).  */
#define MAX_DAYS 36500


/* Check that OLD (read from WHAT) is a former key of CA.  */
static gpg_error_t
check_old_key (ca_t *ca, const pgp_cert_t *old, const char *what,
               uint32_t now)
{
  const pgp_uid_t *uid;
  char fpr[41], *email, *want;
  int found = 0;

  if (!strcmp (pgp_cert_fpr_hex (old, fpr), ca->fpr))
    return ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                          "%s is the current CA key, not an old one", what);
  want = gpgrt_bsprintf ("%s@%s", CA_EMAIL_LOCALPART, ca->domain);
  if (!want)
    return oca_error_from_errno ();
  for (uid = old->uids; uid && !found; uid = uid->next)
    {
      if (uid->is_attribute
          || pgp_uid_parse (uid->body, uid->bodylen, &email, NULL, NULL))
        continue;
      found = (!strcmp (email, want)
               && !pgp_uid_certified_by (old, uid, old, now, NULL));
      xfree (email);
    }
  if (!found)
    {
      gpg_error_t err;

      err = ca_set_errmsg (gpg_error (GPG_ERR_UNUSABLE_PUBKEY),
                           "%s (%s) is not a key of this CA: it has no "
                           "User ID <%s> bound to it", what, fpr, want);
      gpgrt_free (want);
      return err;
    }
  gpgrt_free (want);
  return 0;
}


/* Re-certify the User IDs of CERT (stored as ROW) that OLD certified;
 * *R_N gets their number.  */
static gpg_error_t
recertify_cert (ca_t *ca, const pgp_signer_t *signer,
                const pgp_cert_t *old, const db_cert_t *row,
                pgp_cert_t *cert, uint32_t now, uint32_t validity,
                size_t *r_n)
{
  gpg_error_t err;
  pgp_uid_t *uid;
  pgp_certify_opts_t opts;
  pgp_sig_t *sig;
  char *pub = NULL;

  *r_n = 0;
  memset (&opts, 0, sizeof opts);
  opts.sigclass = PGP_SIG_GENERIC_CERT;
  opts.signer_uid = ca->uid;
  opts.created = now;
  opts.validity = validity;
  for (uid = cert->uids; uid; uid = uid->next)
    {
      if (uid->is_attribute
          || pgp_uid_certified_by (cert, uid, old, now, NULL)
          || !pgp_uid_certified_by (cert, uid, ca->cert, now, NULL)
          || ca_uid_binding_problem (cert, uid))
        continue;
      err = pgp_cert_certify_uid (cert, uid, signer, &opts, &sig);
      if (err)
        {
          if (!ca_errmsg_for (err))
            ca_set_errmsg (err, "error certifying: %s", gpg_strerror (err));
          return err;
        }
      err = ca_record_sig (ca, row->id, row->fingerprint, uid->name, sig,
                           ca->fpr, DB_CERTIFICATION_CERT);
      if (err)
        return err;
      ++*r_n;
    }
  if (!*r_n)
    return 0;
  err = ca_armor_public (cert, &pub);
  if (err)
    return err;
  err = db_cert_update (ca->db, row->id, pub);
  if (err)
    ca_db_errmsg (ca, err, "storing the certificate");
  xfree (pub);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_recertify (ca_t *ca, const pgp_cert_t *old, const char *what,
              unsigned int days, uint32_t now, size_t *r_uids,
              size_t *r_certs)
{
  gpg_error_t err;
  pgp_signer_t signer;
  db_cert_t *row = NULL;
  pgp_cert_t *cert = NULL;
  int64_t after = 0;
  size_t n;

  *r_uids = *r_certs = 0;
  if (!now)
    now = (uint32_t)time (NULL);
  if (!days || days > MAX_DAYS)
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE), "invalid validity "
                          "of %u days (1 to %u)", days, MAX_DAYS);
  err = check_old_key (ca, old, what, now);
  if (err)
    return err;
  err = ca->backend->ops->certifier (ca->backend, &signer);
  if (err)
    return err;
  for (;;)
    {
      err = db_cert_next (ca->db, NULL, after, &row);
      if (gpg_err_code (err) == GPG_ERR_EOF)
        {
          err = 0;
          break;
        }
      if (err)
        {
          ca_db_errmsg (ca, err, "reading the database");
          break;
        }
      after = row->id;
      if (!row->inactive)
        {
          err = ca_parse_stored_cert (row->pub_cert, row->fingerprint,
                                      &cert);
          if (!err)
            err = recertify_cert (ca, &signer, old, row, cert, now,
                                  days * 86400u, &n);
          if (err)
            break;
          *r_uids += n;
          *r_certs += !!n;
        }
      pgp_cert_release (cert);
      db_cert_release (row);
      cert = NULL;
      row = NULL;
    }
  pgp_cert_release (cert);
  db_cert_release (row);
  return err;
}
