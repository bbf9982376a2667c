/* t-ca-service.c - unit test of what the CA service needs of the core
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Many processes write one CA at once (the service, several command
 * lines): a user key's trust signature on the CA certificate must not
 * overwrite one another process stored since its ca_open.  A service
 * serves many commands in one process: ca_clear_errmsg.  Nobody is
 * there to touch a card (CA_OPEN_UNATTENDED): a card CA whose AUT slot
 * needs a touch refuses to certify, before signing.
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>


/* Two handles on one CA, opened before either writes: both new users'
 * trust signatures are kept.  */
static void
test_concurrent_tsigs (void)
{
  const char *ea[] = { "alice@example.org" };
  const char *eb[] = { "bob@example.org" };
  ca_opts_t opts = tca_opts ("conc.db");
  ca_t *a = NULL, *b = NULL, *ca = NULL;
  ca_new_user_t ua, ub;
  ca_info_t info;
  unsigned char fa[20], fb[20];

  memset (&ua, 0, sizeof ua);
  memset (&ub, 0, sizeof ub);
  ok_err (tca_make_ca ("conc.db", "example.org", PGP_GEN_ED25519, &ca),
          "a CA");
  ca_release (ca);
  ca = NULL;
  ok_err (ca_open (&opts, 0, &a), "open A");
  ok_err (ca_open (&opts, 0, &b), "open B");
  ok_err (ca_begin (b), "B begins");
  ok_err (ca_user_create (b, NULL, eb, 1, 0, &ub), "B adds bob");
  ok_err (ca_commit (b), "B commits");
  ok_err (ca_begin (a), "A begins (its copy of the CA is older)");
  ok_err (ca_user_create (a, NULL, ea, 1, 0, &ua), "A adds alice");
  ok_err (ca_commit (a), "A commits");
  ok_err (ca_open (&opts, CA_OPEN_READONLY, &ca), "open again");
  if (ca)
    {
      ca_get_info (ca, &info);
      oca_hex2bin (ua.fpr, fa, 20);
      oca_hex2bin (ub.fpr, fb, 20);
      ok (pgp_cert_has_tsig_by (info.cert, fa), "alice trust-signed the CA");
      ok (pgp_cert_has_tsig_by (info.cert, fb),
          "bob's trust signature was kept");
    }
  ca_new_user_release (&ua);
  ca_new_user_release (&ub);
  ca_release (a);
  ca_release (b);
  ca_release (ca);
}


static void
test_clear_errmsg (void)
{
  ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND), "no such user");
  ok (ca_errmsg () && !strcmp (ca_errmsg (), "no such user"), "recorded");
  ca_clear_errmsg ();
  ok (!ca_errmsg () && !ca_errmsg_for (gpg_error (GPG_ERR_NOT_FOUND)),
      "cleared");
}


/* Import a new user key for user@example.org into the CA of OPTS,
 * opened with FLAGS.  */
static gpg_error_t
import_one (const ca_opts_t *opts, unsigned int flags)
{
  static const char *uids[] = { "User <user@example.org>" };
  static const char *emails[] = { "user@example.org" };
  gpg_error_t err;
  ca_t *ca = NULL;
  pgp_cert_t *key = tca_user_key (PGP_GEN_ED25519, uids, 1);
  ca_certify_result_t res;

  memset (&res, 0, sizeof res);
  err = ca_open (opts, flags, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_user_import (ca, key, NULL, emails, 1, &res);
  if (!err)
    err = ca_commit (ca);
  ca_certify_result_release (&res);
  pgp_cert_release (key);
  ca_release (ca);
  return err;
}


static void
test_unattended_touch (void)
{
  ca_opts_t opts = tca_opts ("card.db");
  tca_ui_t ui;
  ca_card_init_t req;
  ca_summary_t sum;
  ca_t *ca = NULL;
  char ident[14];

  tca_vcards (1);
  tca_ui_init (&ui);
  memset (&req, 0, sizeof req);
  req.mode = CA_INIT_HOST;
  req.domain = "example.org";
  req.algo = PGP_GEN_NISTP256;
  ok_err (ca_card_init (&opts, &req, &ui.ui, &sum), "a card CA");
  ca_summary_release (&sum);
  ok_err (import_one (&opts, CA_OPEN_UNATTENDED),
          "no touch needed: certifies unattended");
  ok_err (ca_open (&opts, 0, &ca), "open");
  ok_err (ca ? ca_card_set_touch (ca, NULL, 3, 1, "AUT", &ui.ui, ident)
          : gpg_error (GPG_ERR_BUG), "AUT: touch on");
  ca_release (ca);
  ca_clear_errmsg ();
  ok_code (import_one (&opts, CA_OPEN_UNATTENDED), GPG_ERR_USE_CONDITIONS,
           "touch needed: refused unattended");
  ok (ca_errmsg () && strstr (ca_errmsg (), "card FFFE:0000A001 needs a "
                              "touch for certifications"),
      "said why (%s)", ca_errmsg () ? ca_errmsg () : "");
  tca_ui_reset (&ui);
}


int
main (void)
{
  tca_init ();
  test_concurrent_tsigs ();
  test_clear_errmsg ();
  test_unattended_touch ();
  return tap_done ();
}
