/* t-ca-expiry.c - unit test of ca-expiry.c: certification lifetimes,
 *                 the CA key's expiry
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>
#include <time.h>

#define DAY 86400u

static ca_t *ca;


static void
test_parse_days (void)
{
  unsigned int d = 99;

  ok (!ca_parse_days ("0", "--x", 0, &d) && d == 0, "0 days");
  ok (!ca_parse_days ("20000", "--x", 1, &d) && d == 20000, "20000 days");
  ok_code (ca_parse_days ("20001", "--x", 0, &d), CA_ERR_USAGE,
           "more than CA_MAX_DAYS");
  ok (ca_errmsg () && !strcmp (ca_errmsg (), "invalid value '20001' for --x"
                               " (a number of days from 0 to 20000)"),
      "the message names the option");
  ok_code (ca_parse_days ("0", "--x", 1, &d), CA_ERR_USAGE, "under the least");
  ok_code (ca_parse_days ("", "--x", 0, &d), CA_ERR_USAGE, "empty");
  ok_code (ca_parse_days ("-1", "--x", 0, &d), CA_ERR_USAGE, "negative");
  ok_code (ca_parse_days ("1.5", "--x", 0, &d), CA_ERR_USAGE, "a fraction");
  ok_code (ca_parse_days ("99999999999", "--x", 0, &d), CA_ERR_USAGE,
           "overflowing");
  ok (d == 0, "cleared on error");
}


/* The lifetime of the CA certification on the only User ID of the
 * stored key FPR (0: none, -1: no such certification).  */
static long
stored_lifetime (const char *fpr)
{
  ca_user_iter_t *it = NULL;
  const ca_user_t *u;
  const pgp_sig_t *s;
  long r = -1;
  ca_info_t info;

  ca_get_info (ca, &info);
  if (ca_users_open (ca, NULL, &it))
    return -1;
  while (!ca_users_next (it, &u))
    if (!strcmp (u->fpr, fpr))
      for (s = u->cert->uids->sigs; s; s = s->next)
        if (s->has_issuer_fpr
            && !memcmp (s->issuer_fpr, info.cert->primary->fpr, 20))
          r = s->sig_expire;
  ca_users_close (it);
  return r;
}


/* Import a new key for EMAIL; return its fingerprint in FPR.  */
static gpg_error_t
import_one (const char *email, char fpr[41])
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
  err = ca_begin (ca);
  if (!err)
    err = ca_user_import (ca, key, NULL, emails, 1, &res);
  if (!err)
    err = ca_commit (ca);
  ca_certify_result_release (&res);
  pgp_cert_release (key);
  return err;
}


static void
test_cert_validity (void)
{
  unsigned int d = 99;
  uint32_t secs = 1;
  char f1[41], f2[41], f3[41];

  ok_err (ca_get_default_validity (ca, &d), "get the default");
  ok (d == 0, "none at first");
  ok_err (ca_cert_lifetime (ca, &secs), "lifetime");
  ok (secs == 0, "certifications do not expire");
  ok_code (ca_set_default_validity (ca, 7), GPG_ERR_INV_STATE,
           "setting it needs a transaction");
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_set_default_validity (ca, 7), "set 7 days");
  ok_err (ca_commit (ca), "commit");
  ok (!ca_get_default_validity (ca, &d) && d == 7, "read back");
  ok (!ca_cert_lifetime (ca, &secs) && secs == 7 * DAY, "7 days");

  ok_err (import_one ("a@example.org", f1), "import with the default");
  ok (stored_lifetime (f1) == 7 * DAY, "certified for 7 days");
  ca_set_validity (ca, 3);
  ok_err (import_one ("b@example.org", f2), "import with 3 days");
  ok (stored_lifetime (f2) == 3 * DAY, "certified for 3 days");
  ca_set_validity (ca, 0);
  ok_err (import_one ("c@example.org", f3), "import with 0 days");
  ok (stored_lifetime (f3) == 0, "certified without expiry");

  ok_err (ca_begin (ca), "begin");
  ok_err (ca_set_default_validity (ca, 0), "remove the default");
  ok_err (ca_commit (ca), "commit");
  ok (!ca_get_default_validity (ca, &d) && d == 0, "gone");
  ok_code (ca_set_default_validity (ca, CA_MAX_DAYS + 1), GPG_ERR_INV_VALUE,
           "too many days");
}


static void
test_extend (void)
{
  ca_info_t info;
  uint32_t now = (uint32_t)time (NULL);
  ca_opts_t opts = tca_opts ("e.db");
  ca_t *again = NULL;

  ca_get_info (ca, &info);
  ok (info.expires == 0, "the CA key does not expire");
  ok_err (ca_check_not_expired (ca, now + 3650 * DAY), "not in ten years");
  ok_err (ca_begin (ca), "begin");
  ok_code (ca_extend (ca, 10, 0), GPG_ERR_INV_VALUE,
           "an expiration would shorten its life");
  ok (ca_errmsg () && strstr (ca_errmsg (), "does not expire"), "says so");
  now = (uint32_t)time (NULL);
  ok_err (ca_extend (ca, 10, 1), "unless asked to");
  ok_err (ca_commit (ca), "commit");
  ca_get_info (ca, &info);
  ok (info.expires >= now + 10 * DAY && info.expires <= now + 10 * DAY + 120,
      "expires in 10 days");
  ok_code (ca_check_not_expired (ca, now + 11 * DAY), GPG_ERR_KEY_EXPIRED,
           "expired in 11 days");
  ok (ca_errmsg () && strstr (ca_errmsg (), "oca ca extend"),
      "the message says what to do");
  {
    size_t nu = 0, nc = 0;

    /* Nor does it re-certify (checked before the old key).  */
    ok_err (ca_begin (ca), "begin");
    ok_code (ca_recertify (ca, info.cert, "old.asc", 30, now + 11 * DAY,
                           &nu, &nc), GPG_ERR_KEY_EXPIRED,
             "ca_recertify: the CA key expired");
    ok_err (ca_commit (ca), "commit (nothing)");
  }

  /* Stored: a new open sees it.  */
  ok_err (ca_open (&opts, CA_OPEN_READONLY, &again), "open again");
  if (again)
    {
      ca_get_info (again, &info);
      ok (info.expires >= now + 10 * DAY, "stored");
      ca_release (again);
    }

  ok_err (ca_begin (ca), "begin");
  ok_code (ca_extend (ca, 5, 0), GPG_ERR_INV_VALUE, "5 days is shorter");
  ok_err (ca_extend (ca, 100, 0), "100 days is longer");
  ca_get_info (ca, &info);
  ok (info.expires >= now + 100 * DAY, "expires in 100 days");
  ok (info.cert->primary->sigs && !info.cert->primary->sigs->next
      && info.cert->uids->sigs && info.cert->uids->sigs->sigclass == 0x13
      && info.cert->uids->sigs->has_key_expire,
      "one direct-key signature, the User ID's binding replaced");
  ok_err (ca_extend (ca, 0, 0), "never");
  ca_get_info (ca, &info);
  ok (info.expires == 0, "does not expire");
  ok_err (ca_commit (ca), "commit");
}


int
main (void)
{
  tca_init ();
  test_parse_days ();
  ok_err (tca_make_ca ("e.db", "example.org", PGP_GEN_ED25519, &ca),
          "a CA");
  if (!ca)
    return tap_done ();
  test_cert_validity ();
  test_extend ();
  ca_release (ca);
  return tap_done ();
}
