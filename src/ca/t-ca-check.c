/* t-ca-check.c - unit test of ca-check.c: the checks of `user check'
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * testdata/gpg-expiring.asc (src/pgp/testdata) is an Ed25519 key made
 * by gpg 2.2.40, created 1796543660, expiring 2036-01-01 00:00 UTC.
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <stdio.h>
#include <string.h>

#define EXP_CREATED 1796543660u
#define EXP_EXPIRES 2082801600u
#define DAY 86400u

static ca_t *ca;


/* Read the fixture NAME.  */
static pgp_cert_t *
fixture (const char *name)
{
  char path[1024];
  FILE *fp;
  static char buf[65536];
  size_t n;
  pgp_cert_t *cert = NULL;

  snprintf (path, sizeof path, "%s/%s", TESTDATA, name);
  fp = fopen (path, "rb");
  if (!fp)
    return NULL;
  n = fread (buf, 1, sizeof buf, fp);
  fclose (fp);
  if (pgp_read_cert (buf, n, &cert))
    return NULL;
  return cert;
}


/* Import CERT for EMAIL.  */
static gpg_error_t
import (pgp_cert_t *cert, const char *email)
{
  const char *emails[1];
  ca_certify_result_t res;
  gpg_error_t err;

  emails[0] = email;
  err = ca_begin (ca);
  if (!err)
    err = ca_user_import (ca, cert, NULL, emails, 1, &res);
  ca_certify_result_release (&res);
  if (!err)
    err = ca_commit (ca);
  return err;
}


/* Run CHECK over the users: the result for the user FPR in *R_RES.  */
static gpg_error_t
expiry_of (const char *fpr, uint32_t now, unsigned int days,
           ca_check_expiry_t *r_res)
{
  ca_user_iter_t *it = NULL;
  const ca_user_t *u;
  gpg_error_t err;

  err = ca_users_open (ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &u)))
    if (!strcmp (u->fpr, fpr))
      {
        err = ca_check_expiry (ca, u, now, days, r_res);
        break;
      }
  ca_users_close (it);
  return err;
}


static gpg_error_t
mutual_of (const char *fpr, ca_check_mutual_t *r_res)
{
  ca_user_iter_t *it = NULL;
  const ca_user_t *u;
  gpg_error_t err;

  err = ca_users_open (ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &u)))
    if (!strcmp (u->fpr, fpr))
      {
        err = ca_check_certifications (ca, u, 0, r_res);
        break;
      }
  ca_users_close (it);
  return err;
}


static void
test_expiry (void)
{
  pgp_cert_t *key = fixture ("gpg-expiring.asc");
  const char *uids[] = { "Nora <nora@example.org>" };
  pgp_cert_t *nora = tca_user_key (PGP_GEN_ED25519, uids, 1), *pub = NULL;
  ca_check_expiry_t r;
  char fpr[41], nfpr[41];

  ok (key && !import (key, "expiring@example.org"), "an expiring key");
  ok (nora && !pgp_cert_copy (nora, 1, &pub) && !import (pub, "nora@"
                                                         "example.org"),
      "a key without expiration");
  if (!key || !pub)
    goto leave;
  pgp_cert_fpr_hex (key, fpr);
  pgp_cert_fpr_hex (pub, nfpr);
  ok (!expiry_of (fpr, EXP_EXPIRES - 10 * DAY, 30, &r) && r.expiring
      && r.expires == EXP_EXPIRES, "10 days before: expires within 30");
  ok (!expiry_of (fpr, EXP_EXPIRES - 10 * DAY, 5, &r) && !r.expiring
      && r.expires == EXP_EXPIRES, "but not within 5");
  ok (!expiry_of (fpr, EXP_EXPIRES - 30 * DAY, 30, &r) && r.expiring,
      "exactly 30 days before: within 30 (not alive then)");
  ok (!expiry_of (fpr, EXP_EXPIRES - 30 * DAY - 1, 30, &r) && !r.expiring,
      "a second earlier: not");
  ok (!expiry_of (fpr, EXP_EXPIRES, 30, &r) && !r.expiring,
      "expired: no longer about to expire");
  ok (!expiry_of (fpr, EXP_CREATED - DAY, 36500, &r) && !r.expiring,
      "not yet created: not alive now");
  ok (!expiry_of (nfpr, 0, 36500, &r) && !r.expiring && !r.expires,
      "no expiration: never");

 leave:
  pgp_cert_release (pub);
  pgp_cert_release (nora);
  pgp_cert_release (key);
}


static void
test_mutual (void)
{
  const char *emails[] = { "alice@example.org" };
  const char *uids[] = { "Bob <bob@example.org>" };
  pgp_cert_t *bob = tca_user_key (PGP_GEN_ED25519, uids, 1), *pub = NULL;
  pgp_cert_t *plain = NULL;
  ca_new_user_t u;
  ca_check_mutual_t r;
  char bfpr[41];

  memset (&u, 0, sizeof u);
  ok (!ca_begin (ca) && !ca_user_create (ca, "Alice", emails, 1, 0, &u)
      && !ca_commit (ca), "user add alice");
  ok (!mutual_of (u.fpr, &r) && r.ca_certified && r.tsigned,
      "alice: mutual");
  ok (bob && !pgp_cert_copy (bob, 1, &pub) && !import (pub, "bob@"
                                                       "example.org"),
      "user import bob");
  if (pub)
    {
      pgp_cert_fpr_hex (pub, bfpr);
      ok (!mutual_of (bfpr, &r) && r.ca_certified && !r.tsigned,
          "bob: certified, no trust signature");
      /* The stored copy without the CA's certification.  */
      ok (!pgp_cert_copy (bob, 1, &plain), "bob's key as he made it");
      if (plain)
        {
          char *text = tca_armor (plain);
          db_cert_t *row = NULL;

          ok (text && !db_cert_get (ca->db, bfpr, &row) && !ca_begin (ca)
              && !db_cert_update (ca->db, row->id, text) && !ca_commit (ca),
              "stored without the certification");
          ok (!mutual_of (bfpr, &r) && !r.ca_certified && !r.tsigned,
              "bob: neither");
          db_cert_release (row);
          xfree (text);
        }
    }
  ca_new_user_release (&u);
  pgp_cert_release (plain);
  pgp_cert_release (pub);
  pgp_cert_release (bob);
}


int
main (void)
{
  tca_init ();
  ok_err (tca_make_ca ("ca.db", "example.org", PGP_GEN_ED25519, &ca),
          "a CA for example.org");
  if (!ca)
    return tap_done ();
  test_expiry ();
  test_mutual ();
  ca_release (ca);
  return tap_done ();
}
