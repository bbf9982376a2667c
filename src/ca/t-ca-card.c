/* t-ca-card.c - unit test of ca-card.c: the card backend
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CA is put on virtual card 1 (t-scd-vcard); its backend signs, and
 * refuses the wrong card, a missing card and a wrong stored PIN
 * without blocking the card.
 */
#include <config.h>
#include "t-ca-support.h"
#include "ca-card.h"
#include "t-support.h"

#include <string.h>

static tca_ui_t ui;


/* The backend of CONFIG for CERT (over oca-scd).  */
static ca_backend_t *
backend (const char *config, pgp_cert_t *cert)
{
  ca_backend_t *be = NULL;

  if (ca_card_backend_new (config, cert, CA_ROUTE_STORED, &be))
    return NULL;
  return be;
}


/* Whether the signer of BE (SUBKEY: its signing subkey) signs and the
 * signature verifies with KEY.  */
static int
signs (ca_backend_t *be, int subkey, const pgp_key_t *key)
{
  pgp_signer_t signer;
  pgp_sig_t *sig = NULL;
  int good;

  if ((subkey ? be->ops->signer : be->ops->certifier) (be, &signer))
    return 0;
  good = (!pgp_sign_detached (&signer, "data", 4, 0, 0, &sig)
          && !pgp_verify_detached (key, "data", 4, sig));
  pgp_sig_release (sig);
  return good;
}


int
main (void)
{
  ca_opts_t opts;
  ca_card_init_t req;
  ca_summary_t sum;
  pgp_cert_t *cert = NULL, *other = NULL;
  ca_backend_t *be;
  char config[128], *pin;
  ca_opts_t lopts = tca_opts (NULL);
  ca_card_t *list = NULL;

  tca_init ();
  tca_vcards (2);
  tca_ui_init (&ui);
  opts = tca_opts ("ca.db");
  memset (&req, 0, sizeof req);
  req.mode = CA_INIT_HOST;
  req.domain = "example.org";
  req.algo = PGP_GEN_ED25519;
  req.ident = "FFFE:0000A001";
  ok_err (ca_card_init (&opts, &req, &ui.ui, &sum), "a CA on card 1");
  ok (ui.key && !pgp_read_cert (ui.key, strlen (ui.key), &cert),
      "its key");
  if (!cert)
    return tap_done ();
  pin = strstr (sum.backend, "[User PIN ");
  snprintf (config, sizeof config, "card;FFFE:0000A001;%.8s",
            pin ? pin + 10 : "");

  be = backend (config, cert);
  ok (be && !strcmp (be->ops->type, "card") && !be->ops->thread_safe,
      "the card backend");
  ok (be && signs (be, 0, cert->primary), "certifies with the AUT slot");
  ok (be && signs (be, 1, pgp_cert_signing_subkey (cert)),
      "signs with the SIG slot");
  ca_backend_release (be);

  /* The wrong card, no card.  */
  ok (!pgp_generate_ca (PGP_GEN_ED25519, NULL, "example.org", 0, &other),
      "another CA key");
  be = backend (config, other);
  ok_code (be ? be->ops->certifier (be, &(pgp_signer_t){ 0 })
           : gpg_error (GPG_ERR_BUG), GPG_ERR_WRONG_CARD,
           "card 1 does not hold it");
  ok (ca_errmsg () && strstr (ca_errmsg (), "doesn't match primary"),
      "said so");
  ok_code (be ? be->ops->signer (be, &(pgp_signer_t){ 0 })
           : gpg_error (GPG_ERR_BUG), GPG_ERR_WRONG_CARD,
           "the first failure sticks");
  ca_backend_release (be);
  be = backend ("card;FFFE:0000A002;12345678", cert);
  ok_code (be ? be->ops->certifier (be, &(pgp_signer_t){ 0 })
           : gpg_error (GPG_ERR_BUG), GPG_ERR_WRONG_CARD,
           "a blank card is not the CA's");
  ca_backend_release (be);
  be = backend ("card;FFFE:0000A009;12345678", cert);
  ok_code (be ? be->ops->certifier (be, &(pgp_signer_t){ 0 })
           : gpg_error (GPG_ERR_BUG), GPG_ERR_CARD_NOT_PRESENT,
           "an absent card");
  ok (ca_errmsg () && strstr (ca_errmsg (), "not found (is it plugged in?)"),
      "said so");
  ca_backend_release (be);

  /* A wrong stored PIN: one try, then never again.  */
  be = backend ("card;FFFE:0000A001;00000000", cert);
  ok_code (be ? be->ops->certifier (be, &(pgp_signer_t){ 0 })
           : gpg_error (GPG_ERR_BUG), GPG_ERR_BAD_PIN,
           "a wrong stored PIN is refused by the card");
  ok (ca_errmsg () && strstr (ca_errmsg (), "'oca ca set-backend card'"),
      "the message says how to fix it");
  ok_code (be ? be->ops->certifier (be, &(pgp_signer_t){ 0 })
           : gpg_error (GPG_ERR_BUG), GPG_ERR_BAD_PIN, "and sticks");
  ca_backend_release (be);
  ok (!ca_cards_list (&lopts, &list) && list && list->pin_retries_valid
      && list->pin_retries[0] == 2, "the card lost one try, not more");
  ca_cards_release (list);
  be = backend (config, cert);
  ok (be && signs (be, 0, cert->primary), "the right PIN works again");
  ca_backend_release (be);

  ca_summary_release (&sum);
  pgp_cert_release (other);
  pgp_cert_release (cert);
  tca_ui_reset (&ui);
  return tap_done ();
}
