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
 *
 * The certificates go through the bulk machinery, all in the caller's
 * one transaction: streamed through worker threads on a softkey
 * (ca-bulkstream.c), in batches on a card CA (ca-bulk.c: one worker
 * per card present with backup cards; a card pulled out leaves its
 * work to the others).
 */
#include <config.h>
#include "ca-int.h"

#include <string.h>
#include <time.h>

/* Longest validity (100 years; DAYS * 86400 fits in 32 bits).  */
#define MAX_DAYS 36500
/* Certificates per call of the bulk machinery.  */
#define RECERTIFY_BATCH 64


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


/* Release the batch.  */
static void
batch_clear (db_cert_t **rows, pgp_cert_t **certs, size_t *n)
{
  size_t i;

  for (i = 0; i < *n; i++)
    {
      db_cert_release (rows[i]);
      pgp_cert_release (certs[i]);
      rows[i] = NULL;
      certs[i] = NULL;
    }
  *n = 0;
}


/* On a split front: queue what would be re-certified in the batch of
 * N certificates, valid as POLICY says (openpgp-ca); add to the
 * counts.  */
static gpg_error_t
queue_batch (ca_t *ca, pgp_cert_t **certs, size_t n,
             const ca_policy_t *policy, size_t *r_uids, size_t *r_certs)
{
  gpg_error_t err = 0;
  ca_certify_result_t res;
  pgp_signer_t none;
  const ca_made_sig_t *m;
  const char **uids;
  size_t i, k;

  memset (&none, 0, sizeof none);
  for (i = 0; !err && i < n; i++)
    {
      memset (&res, 0, sizeof res);
      err = ca_recertify_uids (certs[i], &none, ca->uid, policy, &res);
      if (!err && res.made)
        {
          uids = xtrycalloc (res.nmatched, sizeof *uids);
          if (!uids)
            err = oca_error_from_errno ();
          for (k = 0, m = res.made; !err && m; m = m->next)
            uids[k++] = m->uid;
          if (!err)
            err = ca_split_queue_uids (ca, certs[i], uids, k,
                                       policy->validity);
          xfree (uids);
          if (!err)
            {
              *r_uids += k;
              ++*r_certs;
            }
        }
      ca_certify_result_release (&res);
    }
  return err;
}


/* Re-certify the batch of N certificates; add to the counts.  */
static gpg_error_t
recertify_batch (ca_t *ca, db_cert_t **rows, pgp_cert_t **certs, size_t n,
                 const ca_policy_t *policy, size_t *r_uids, size_t *r_certs)
{
  gpg_error_t err;
  ca_bulk_result_t res;

  if (ca_split_mode (ca) == CA_SPLIT_FRONT)
    {
      err = queue_batch (ca, certs, n, policy, r_uids, r_certs);
      batch_clear (rows, certs, &n);
      return err;
    }

  err = ca_bulk_certify_stored (ca, rows, certs, n, policy, 0, NULL, NULL,
                                NULL, 0, 0, &res);
  *r_uids += res.certifications;
  *r_certs += res.changed;
  batch_clear (rows, certs, &n);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_recertify (ca_t *ca, const pgp_cert_t *old, const char *what,
              unsigned int days, uint32_t now, size_t *r_uids,
              size_t *r_certs)
{
  gpg_error_t err;
  db_cert_t *rows[RECERTIFY_BATCH], *row = NULL;
  pgp_cert_t *certs[RECERTIFY_BATCH], *cert = NULL;
  ca_policy_t policy;
  int64_t after = 0;
  size_t n = 0;

  *r_uids = *r_certs = 0;
  if (!now)
    now = (uint32_t)time (NULL);
  if (!days || days > MAX_DAYS)
    return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE), "invalid validity "
                          "of %u days (1 to %u)", days, MAX_DAYS);
  /* An expired CA key's certifications count for nothing.  */
  err = ca_check_not_expired (ca, now);
  if (!err)
    err = check_old_key (ca, old, what, now);
  if (err)
    return err;
  memset (&policy, 0, sizeof policy);
  policy.recertify_old = old;
  policy.recertify_cur = ca->cert;
  policy.recertify_now = now;
  policy.validity = days * 86400u;

  /* A softkey's certificates stream through its worker threads
   * (ca-bulkstream.c); a card CA's go in batches through the bulk
   * machinery (every card of the CA).  All in the caller's
   * transaction.  */
  if (ca_split_mode (ca) != CA_SPLIT_FRONT && ca_bulk_stream_usable (ca))
    {
      ca_stream_opts_t o;
      ca_stream_stats_t st;

      memset (&o, 0, sizeof o);
      o.policy = &policy;
      err = ca_bulk_stream (ca, &o, &st);
      *r_uids = st.certifications;
      *r_certs = st.changed;
      return err;
    }
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
      if (row->inactive)
        {
          db_cert_release (row);
          continue;
        }
      err = ca_parse_stored_cert (row->pub_cert, row->fingerprint, &cert);
      if (err)
        {
          db_cert_release (row);
          break;
        }
      ca_verified_apply (ca, cert, row->pub_cert, row->verified);
      rows[n] = row;
      certs[n] = cert;
      n++;
      if (n == RECERTIFY_BATCH)
        {
          err = recertify_batch (ca, rows, certs, n, &policy, r_uids,
                                 r_certs);
          n = 0;
          if (err)
            break;
        }
    }
  if (!err && n)
    err = recertify_batch (ca, rows, certs, n, &policy, r_uids, r_certs);
  else
    batch_clear (rows, certs, &n);
  return err;
}
