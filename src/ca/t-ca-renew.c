/* t-ca-renew.c - unit test of ca-renew.c (and the renewal policy of
 *                ca-certify.c, the stored-certificate path of ca-bulk.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/cli/t-renew.sh checks the result with gpg and sq-wot,
 * t-renew-crash.sh kills it; here: what is selected, the counts, the
 * transactions, threads.
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>
#include <time.h>

#define DAY 86400u

static ca_t *ca;
static size_t last_done, last_total;

static void
progress (void *opaque, size_t done, size_t total)
{
  (void)opaque;
  last_done = done;
  last_total = total;
}


/* Import a key for EMAIL certified for DAYS days; FPR gets it.  With
 * CERT, the key (secrets included) is handed back.  */
static gpg_error_t
import_one (const char *email, unsigned int days, char fpr[41],
            pgp_cert_t **r_key)
{
  gpg_error_t err;
  char uid[64];
  const char *uids[1] = { uid };
  const char *emails[1] = { email };
  pgp_cert_t *key;
  ca_certify_result_t res;

  snprintf (uid, sizeof uid, "<%s>", email);
  key = tca_user_key (PGP_GEN_ED25519, uids, 1);
  if (!key)
    return gpg_error (GPG_ERR_GENERAL);
  pgp_cert_fpr_hex (key, fpr);
  ca_set_validity (ca, days);
  err = ca_begin (ca);
  if (!err)
    err = ca_user_import (ca, key, NULL, emails, 1, &res);
  if (!err)
    err = ca_commit (ca);
  ca_certify_result_release (&res);
  if (r_key && !err)
    *r_key = key;
  else
    pgp_cert_release (key);
  return err;
}


/* The number of CA certifications on the stored key FPR and the latest
 * expiration among them (0: one never expires).  */
static int
ca_sigs (const char *fpr, uint32_t *r_latest)
{
  ca_user_iter_t *it = NULL;
  const ca_user_t *u;
  const pgp_sig_t *s;
  ca_info_t info;
  int n = 0, forever = 0;

  *r_latest = 0;
  ca_get_info (ca, &info);
  if (ca_users_open (ca, NULL, &it))
    return -1;
  while (!ca_users_next (it, &u))
    if (!strcmp (u->fpr, fpr))
      for (s = u->cert->uids->sigs; s; s = s->next)
        if (s->has_issuer_fpr
            && !memcmp (s->issuer_fpr, info.cert->primary->fpr, 20))
          {
            n++;
            if (!s->sig_expire)
              forever = 1;
            else if (pgp_sig_expires (s) > *r_latest)
              *r_latest = pgp_sig_expires (s);
          }
  ca_users_close (it);
  if (forever)
    *r_latest = 0;
  return n;
}


int
main (void)
{
  char fa[41], fb[41], fc[41], fd[41];
  pgp_cert_t *dkey = NULL;
  ca_renew_stats_t st;
  uint32_t now = (uint32_t)time (NULL), exp;
  uint64_t nrec = 0, nrec2 = 0;
  pgp_signer_t signer;
  pgp_sig_t *rev = NULL;
  int added = 0;

  tca_init ();
  ok_err (tca_make_ca ("r.db", "example.org", PGP_GEN_ED25519, &ca), "a CA");
  if (!ca)
    return tap_done ();
  ok_err (import_one ("a@example.org", 1, fa, NULL), "a: 1 day");
  ok_err (import_one ("b@example.org", 10, fb, NULL), "b: 10 days");
  ok_err (import_one ("c@example.org", 0, fc, NULL), "c: no expiry");
  ok_err (import_one ("d@example.org", 1, fd, &dkey), "d: 1 day");

  ok_code (ca_renew (ca, 5, 5, 0, 0, NULL, NULL, NULL, &st), CA_ERR_USAGE,
           "--days must exceed --within");
  ok_err (ca_begin (ca), "begin");
  ok_code (ca_renew (ca, 30, 3, 0, 0, NULL, NULL, NULL, &st),
           GPG_ERR_INV_STATE, "not inside a transaction");
  ca_release (ca);
  ca = NULL;
  {
    ca_opts_t opts = tca_opts ("r.db");
    ok_err (ca_open (&opts, 0, &ca), "open again");
  }
  if (!ca)
    return tap_done ();

  /* D revokes its key: it is skipped.  */
  ok_err (pgp_signer_from_key (dkey->primary, &signer), "d's signer");
  ok_err (pgp_make_key_revocation (dkey, &signer, PGP_REVOC_RETIRED, "gone",
                                   0, &rev), "d's revocation");
  ok_err (pgp_cert_add_revocation (dkey, rev, &added), "added");
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_user_update (ca, dkey, "d", &added), "user update d");
  ok_err (ca_commit (ca), "commit");

  ok_err (db_certification_count (ca->db, NULL, &nrec), "records");
  now = (uint32_t)time (NULL);
  ok_err (ca_renew (ca, 30, 3, 2, 0, NULL, progress, NULL, &st),
          "renew within 3 days for 30 (two threads)");
  ok (st.certs == 4 && st.renewed == 1 && st.certifications == 1
      && st.skipped == 1, "a renewed, d skipped (%zu %zu %zu %zu)",
      st.certs, st.renewed, st.certifications, st.skipped);
  ok (last_done == 4 && last_total == 4, "progress to the end");
  ok (ca_sigs (fa, &exp) == 2 && exp >= now + 30 * DAY
      && exp <= now + 30 * DAY + 120,
      "a: a second certification, 30 days");
  ok (ca_sigs (fb, &exp) == 1, "b: not yet");
  ok (ca_sigs (fc, &exp) == 1 && exp == 0, "c: never expires");
  ok (ca_sigs (fd, &exp) == 1, "d: revoked, not renewed");
  ok_err (db_certification_count (ca->db, NULL, &nrec2), "records");
  ok (nrec2 == nrec + 1, "recorded");

  ok_err (ca_renew (ca, 30, 3, 0, 0, NULL, NULL, NULL, &st), "again");
  ok (st.certifications == 0, "nothing twice");

  ok_err (ca_renew (ca, 60, 20, 1, 0, NULL, NULL, NULL, &st),
          "within 20 days, one thread");
  ok (st.renewed == 1 && ca_sigs (fb, &exp) == 2
      && exp >= now + 60 * DAY, "b renewed for 60 days");
  ok (ca_sigs (fa, &exp) == 2, "a (30 days) not");

  ok_err (ca_renew (ca, 100, 40, 0, 0, NULL, NULL, NULL, &st), "within 40");
  ok (st.renewed == 1 && ca_sigs (fa, &exp) == 3, "a renewed again");

  pgp_sig_release (rev);
  pgp_cert_release (dkey);
  ca_release (ca);
  return tap_done ();
}
