/* ca-renew.c - `ca renew': certify again what is about to expire
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The stored user certificates are walked in row order, a batch at a
 * time, under a renewal policy (ca-certify.c); each batch is committed
 * on its own.  On a softkey they stream through ca-bulkstream.c (read
 * ahead, signed on worker threads while the batch before is stored and
 * committed); on a card CA each batch goes through the bulk machinery
 * (ca-bulk.c: one card signature at a time, or one worker per card).  What a
 * crash or an error interrupts is therefore at most one batch, which
 * rolls back; the renewals committed before are valid beyond the
 * window, so a re-run skips them and certifies nothing twice.  On a
 * card failure (a missed touch) the certificates of the batch before
 * the failing one are committed too.
 */
#include <config.h>
#include "ca-int.h"

#include <string.h>
#include <time.h>

#define DAY 86400u


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


/* The message of ERR, renewed certifications before it counted.  */
static void
renewed_before (gpg_error_t err, size_t certifications)
{
  char *m = xtrystrdup (ca_errmsg () ? ca_errmsg () : "");

  ca_set_errmsg (err, "%s (%zu certification%s renewed before it; re-run "
                 "to continue)", m && *m ? m : gpg_strerror (err),
                 certifications, certifications == 1 ? "" : "s");
  xfree (m);
}


/* ca_renew on a softkey: the certificates streamed through the worker
 * threads (ca-bulkstream.c), the batches as below.  */
static gpg_error_t
renew_stream (ca_t *ca, const ca_policy_t *policy, unsigned int nthreads,
              unsigned int batch, ca_report_fn_t report,
              ca_progress_fn_t progress, void *opaque, size_t total,
              ca_renew_stats_t *r_stats)
{
  gpg_error_t err;
  ca_stream_opts_t o;
  ca_stream_stats_t st;

  memset (&o, 0, sizeof o);
  o.policy = policy;
  o.skip_revoked = 1;
  o.batch = batch;
  o.nthreads = nthreads;
  o.report = report;
  o.progress = progress;
  o.opaque = opaque;
  o.total = total;
  err = ca_bulk_stream (ca, &o, &st);
  r_stats->certs = st.certs;
  r_stats->renewed = st.changed;
  r_stats->certifications = st.certifications;
  r_stats->skipped = st.skipped;
  if (err && st.in_work && st.certifications)
    renewed_before (err, st.certifications);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_renew (ca_t *ca, unsigned int days, unsigned int within,
          unsigned int nthreads, unsigned int batch, ca_report_fn_t report,
          ca_progress_fn_t progress, void *opaque, ca_renew_stats_t *r_stats)
{
  gpg_error_t err;
  db_cert_t **rows = NULL, *row;
  pgp_cert_t **certs = NULL, *cert;
  pgp_cert_info_t info;
  ca_policy_t policy;
  ca_bulk_result_t res;
  uint64_t total = 0;
  uint32_t now = (uint32_t)time (NULL);
  int64_t after = 0;
  size_t n = 0, base;
  int eof = 0;

  memset (r_stats, 0, sizeof *r_stats);
  if (batch > CA_RENEW_BATCH_MAX)
    return ca_set_errmsg (gpg_error (CA_ERR_USAGE),
                          "--batch (%u) must be at most %u", batch,
                          CA_RENEW_BATCH_MAX);
  if (days > CA_MAX_DAYS || within > CA_MAX_DAYS || days <= within)
    return ca_set_errmsg (gpg_error (CA_ERR_USAGE),
                          "--days (%u) must be greater than --within (%u): "
                          "a renewed certification would be due again",
                          days, within);
  if (db_in_transaction (ca->db))
    return gpg_error (GPG_ERR_INV_STATE);
  err = ca_check_not_expired (ca, now);
  if (err)
    return err;
  err = db_cert_count (ca->db, &total);
  if (err)
    return ca_db_errmsg (ca, err, "reading the database");

  memset (&policy, 0, sizeof policy);
  policy.renew = 1;
  policy.validity = days * DAY;
  policy.renew_until = now + within * DAY;

  if (ca_bulk_stream_usable (ca))
    return renew_stream (ca, &policy, nthreads,
                         batch ? batch : CA_RENEW_BATCH_SOFT, report,
                         progress, opaque, (size_t)total, r_stats);

  if (!batch)
    batch = CA_RENEW_BATCH_CARD;
  rows = xtrycalloc (batch, sizeof *rows);
  certs = xtrycalloc (batch, sizeof *certs);
  if (!rows || !certs)
    {
      err = oca_error_from_errno ();
      goto leave;
    }

  while (!eof)
    {
      err = ca_begin (ca);
      if (err)
        goto leave;
      base = r_stats->certs;
      while (n < batch)
        {
          err = db_cert_next (ca->db, NULL, after, &row);
          if (gpg_err_code (err) == GPG_ERR_EOF)
            {
              err = 0;
              eof = 1;
              break;
            }
          if (err)
            {
              ca_db_errmsg (ca, err, "reading the database");
              goto leave;
            }
          after = row->id;
          r_stats->certs++;
          if (row->inactive)
            {
              r_stats->skipped++;
              db_cert_release (row);
              continue;
            }
          err = ca_parse_stored_cert (row->pub_cert, row->fingerprint,
                                      &cert);
          if (err)
            {
              db_cert_release (row);
              goto leave;
            }
          ca_verified_apply (ca, cert, row->pub_cert, row->verified);
          err = pgp_cert_get_info (cert, now, &info);
          if (err || info.revoked)
            {
              /* Revoked (or without a valid self-signature): nothing
               * to vouch for.  */
              err = 0;
              r_stats->skipped++;
              db_cert_release (row);
              pgp_cert_release (cert);
              continue;
            }
          rows[n] = row;
          certs[n] = cert;
          n++;
        }
      err = ca_bulk_certify_stored (ca, rows, certs, n, &policy, nthreads,
                                    report, progress, opaque, base,
                                    (size_t)total, &res);
      r_stats->renewed += res.changed;
      r_stats->certifications += res.certifications;
      if (err)
        {
          if (res.changed)
            {
              /* A card failed: keep what was signed before it.  */
              char *m = xtrystrdup (ca_errmsg () ? ca_errmsg () : "");
              gpg_error_t err2 = ca_commit (ca);

              if (err2)
                err = err2;
              else
                ca_set_errmsg (err, "%s (%zu certification%s renewed "
                               "before it; re-run to continue)",
                               m && *m ? m : gpg_strerror (err),
                               r_stats->certifications,
                               r_stats->certifications == 1 ? "" : "s");
              xfree (m);
            }
          else if (r_stats->certifications)
            renewed_before (err, r_stats->certifications);
          goto leave;
        }
      err = ca_commit (ca);
      if (err)
        goto leave;
      batch_clear (rows, certs, &n);
    }
  if (progress)
    progress (opaque, (size_t)total, (size_t)total);

 leave:
  if (rows && certs)
    batch_clear (rows, certs, &n);
  xfree (rows);
  xfree (certs);
  return err;
}
