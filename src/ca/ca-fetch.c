/* ca-fetch.c - `update wkd', `update keyserver', `keyserver publish'
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * User certificates are refreshed from the Web Key Directory of their
 * addresses or from an HKP keyserver, and the CA's certified keys are
 * sent to a keyserver, all through GnuPG's dirmngr (dm-client.h: the
 * user's GnuPG network settings hold, each request has a time limit).
 *
 * What is merged.  Only a key with the stored key's fingerprint, and of
 * it only what verifies: self-signatures, and certifications by the CA
 * itself (pgp_cert_keep_verified).  Third-party certifications from a
 * keyserver are not taken (certificate flooding; GnuPG's default
 * self-sigs-only import does the same), nor unverifiable packets.  The
 * merge is a union (pgp_cert_merge): nothing stored is ever lost, in
 * particular not the CA's certifications that keys.openpgp.org strips.
 *
 * Transactions.  The network is slow and may fail: no transaction is
 * held while a request runs.  Each certificate that got something new
 * is merged into its stored copy (read again) and committed on its
 * own; a failure leaves that certificate as it was and the run goes on
 * with the next one.
 */
#include <config.h>
#include "ca-int.h"
#include "dm-client.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>


/* A reason for a failure, collected over the lookups of one cert.  */
typedef struct why
{
  char text[512];
} why_t;

static void
why_add (why_t *w, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

static void
why_add (why_t *w, const char *fmt, ...)
{
  va_list ap;
  size_t n = strlen (w->text);

  if (n && n + 2 < sizeof w->text)
    {
      strcpy (w->text + n, "; ");
      n += 2;
    }
  if (n + 1 >= sizeof w->text)
    return;
  va_start (ap, fmt);
  vsnprintf (w->text + n, sizeof w->text - n, fmt, ap);
  va_end (ap);
}


/* The text for a failed request ERR of DM.  */
static const char *
request_text (dm_client_t dm, gpg_error_t err)
{
  const char *t = dm_client_errtext (dm);

  return *t ? t : gpg_strerror (err);
}


/* Take from the keys DATA/LEN (from FROM) the one with the fingerprint
 * FPR and merge it into *GATHER.  Failures are noted in W.  */
static gpg_error_t
take_key (const unsigned char *data, size_t len, const char *fpr,
          const char *from, pgp_cert_t **gather, why_t *w)
{
  gpg_error_t err;
  pgp_cert_t *certs = NULL, **cp, *c;
  char hex[41], other[41] = "";
  int found = 0;

  err = pgp_read_certs (data, len, &certs);
  if (err)
    {
      why_add (w, "%s: no valid OpenPGP key in the answer (%s)", from,
               gpg_strerror (err));
      return 0;
    }
  for (cp = &certs; (c = *cp); )
    {
      if (strcmp (pgp_cert_fpr_hex (c, hex), fpr))
        {
          if (!*other)
            strcpy (other, hex);
          cp = &c->next;
          continue;
        }
      found = 1;
      *cp = c->next;
      c->next = NULL;
      if (!*gather)
        *gather = c;
      else
        {
          err = pgp_cert_merge (*gather, c, NULL);
          pgp_cert_release (c);
          if (err)
            break;
        }
    }
  if (!err && !found)
    why_add (w, "%s: the key served has another fingerprint (%s)", from,
             other);
  pgp_cert_release (certs);
  return err;
}


/* Merge FETCHED (the key FPR) into the stored copy in a transaction of
 * its own; *R_ADDED gets the number of packets added.  */
static gpg_error_t
merge_stored (ca_t *ca, pgp_cert_t *fetched, const char *what, int *r_added)
{
  gpg_error_t err;

  *r_added = 0;
  err = pgp_cert_keep_verified (fetched, ca->cert, NULL);
  if (err)
    return err;
  err = ca_begin (ca);
  if (err)
    return err;
  err = ca_user_update (ca, fetched, what, r_added);
  if (!err && *r_added)
    err = ca_commit (ca);
  else
    db_rollback (ca->db);
  return err;
}


/* Refresh USER from the source of OPTS over DM.  */
static gpg_error_t
update_one (ca_t *ca, dm_client_t dm, const ca_fetch_opts_t *opts,
            const ca_user_t *user, ca_fetch_result_t *r_res, why_t *w)
{
  gpg_error_t err = 0, rerr;
  pgp_cert_t *gather = NULL;
  unsigned char *data = NULL;
  size_t len, i;
  int added = 0;

  *r_res = CA_FETCH_FAILED;
  if (opts->wkd)
    {
      for (i = 0; i < user->nemails && !err; i++)
        {
          rerr = dm_client_wkd_get (dm, user->emails[i], &data, &len);
          if (rerr)
            why_add (w, "%s", request_text (dm, rerr));
          else
            err = take_key (data, len, user->fpr, user->emails[i], &gather,
                            w);
          xfree (data);
          data = NULL;
        }
      if (!user->nemails)
        why_add (w, "no address stored for it");
    }
  else
    {
      rerr = dm_client_ks_get (dm, user->fpr, &data, &len);
      if (rerr)
        why_add (w, "%s", request_text (dm, rerr));
      else
        err = take_key (data, len, user->fpr, "keyserver", &gather, w);
      xfree (data);
    }
  if (err || !gather)
    goto leave;

  /* A key was found: what others said does not matter now.  */
  w->text[0] = 0;
  err = merge_stored (ca, gather, opts->wkd ? "the WKD answer"
                      : "the keyserver's answer", &added);
  if (err)
    {
      const char *msg = ca_errmsg_for (err);

      why_add (w, "%s", msg ? msg : gpg_strerror (err));
      err = 0;
      goto leave;
    }
  *r_res = added ? CA_FETCH_UPDATED : CA_FETCH_UNCHANGED;

 leave:
  pgp_cert_release (gather);
  return err;
}


/* A dirmngr client for OPTS.  */
static gpg_error_t
open_dirmngr (const ca_fetch_opts_t *opts, int keyserver, dm_client_t *r_dm)
{
  gpg_error_t err;

  err = dm_client_new (opts->timeout, r_dm);
  if (err)
    return ca_set_errmsg (err, "cannot find GnuPG's dirmngr (gpgconf "
                          "--list-dirs dirmngr-socket failed: is GnuPG "
                          "installed?)");
  if (keyserver)
    {
      err = dm_client_set_keyserver (*r_dm, opts->keyserver ? opts->keyserver
                                     : CA_DEFAULT_KEYSERVER);
      if (err)
        {
          dm_client_release (*r_dm);
          *r_dm = NULL;
          return ca_set_errmsg (err, "invalid keyserver URL '%s'",
                                opts->keyserver);
        }
    }
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_update_certs (ca_t *ca, const ca_fetch_opts_t *opts,
                 ca_fetch_report_fn_t report, void *opaque,
                 ca_fetch_stats_t *r_stats)
{
  gpg_error_t err;
  dm_client_t dm = NULL;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  ca_fetch_result_t res;
  why_t w;

  memset (r_stats, 0, sizeof *r_stats);
  err = open_dirmngr (opts, !opts->wkd, &dm);
  if (err)
    return err;
  err = ca_users_open (ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    {
      if (user->inactive)
        continue;
      memset (&w, 0, sizeof w);
      err = update_one (ca, dm, opts, user, &res, &w);
      if (err)
        break;
      r_stats->certs++;
      if (res == CA_FETCH_UPDATED)
        r_stats->updated++;
      else if (res == CA_FETCH_UNCHANGED)
        r_stats->unchanged++;
      else
        r_stats->failed++;
      report (opaque, user->fpr, res, w.text);
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  ca_users_close (it);
  dm_client_release (dm);
  return err;
}


/* Whether the CA certified some User ID of CERT (the certification
 * is verified with the CA's key here).  */
static int
ca_certified (ca_t *ca, pgp_cert_t *cert)
{
  const pgp_uid_t *uid;
  uint32_t now = (uint32_t)time (NULL);

  for (uid = cert->uids; uid; uid = uid->next)
    if (!uid->is_attribute
        && !pgp_uid_certified_by (cert, uid, ca->cert, now, NULL))
      return 1;
  return 0;
}


/* Send CERT (exportable parts) over DM; the result to REPORT.  */
static gpg_error_t
send_one (dm_client_t dm, const pgp_cert_t *cert, const char *fpr,
          ca_fetch_report_fn_t report, void *opaque,
          ca_fetch_stats_t *stats)
{
  gpg_error_t err;
  membuf_t mb;
  unsigned char *key = NULL;
  size_t keylen = 0;

  membuf_init (&mb, PGP_MAX_INPUT, 0);
  pgp_cert_write (cert, PGP_EXPORT_NO_LOCAL, &mb);
  err = membuf_take (&mb, &key, &keylen);
  membuf_release (&mb);
  if (err)
    return err;
  stats->certs++;
  err = dm_client_ks_put (dm, key, keylen);
  xfree (key);
  if (err)
    {
      stats->failed++;
      report (opaque, fpr, CA_FETCH_FAILED, request_text (dm, err));
      return 0;
    }
  stats->updated++;
  report (opaque, fpr, CA_FETCH_SENT, "");
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_keyserver_publish (ca_t *ca, const ca_fetch_opts_t *opts,
                      ca_fetch_report_fn_t report, void *opaque,
                      ca_fetch_stats_t *r_stats)
{
  gpg_error_t err;
  dm_client_t dm = NULL;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;

  memset (r_stats, 0, sizeof *r_stats);
  err = open_dirmngr (opts, 1, &dm);
  if (err)
    return err;
  /* The CA first: a client needs it to check the certifications.  */
  err = send_one (dm, ca->cert, ca->fpr, report, opaque, r_stats);
  if (!err)
    err = ca_users_open (ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    {
      if (user->delisted || !ca_certified (ca, user->cert))
        {
          r_stats->skipped++;
          continue;
        }
      err = send_one (dm, user->cert, user->fpr, report, opaque, r_stats);
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  ca_users_close (it);
  dm_client_release (dm);
  return err;
}
