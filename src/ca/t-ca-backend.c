/* t-ca-backend.c - unit test of ca-backend.c: the backend of a stored
 * configuration
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No backend is contacted here: a card backend reaches its card on the
 * first signature only (tests/card runs those).
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>


/* The backend for CONFIG on a CA with certificate CERT.  */
static gpg_error_t
backend_for (const char *config, pgp_cert_t *cert, ca_backend_t **r_be)
{
  struct ca ca;
  db_cacert_t row;

  memset (&ca, 0, sizeof ca);
  memset (&row, 0, sizeof row);
  row.backend = (char *)config;
  row.id = 1;
  ca.cacert = &row;
  ca.cert = cert;
  return ca_backend_new (&ca, 0, r_be);
}


int
main (void)
{
  static const char *const bad[] =
    {
      "card;", "card;FFFE:01234567", "card;FFFE:0123456;12345678",
      "card;FFFE:01234567;", "card;FFFE:01234567;1234;tcp",
      "card;FFFE:01234567;1;2;3", "card;FFFE;0123;4567;12345678",
    };
  pgp_cert_t *cert = NULL;
  ca_backend_t *be = NULL;
  char *text = NULL;
  size_t i, len;
  pgp_signer_t signer;

  tca_init ();
  ok_err (pgp_generate_ca (PGP_GEN_ED25519, NULL, "example.org", 0, &cert),
          "a CA key");
  if (!cert)
    return tap_done ();

  ok_err (backend_for (NULL, cert, &be), "no configuration: softkey");
  ok (be && !strcmp (be->ops->type, "softkey") && be->ops->thread_safe
      && be->cacert == cert, "softkey, thread-safe, on the CA's cert");
  ok (be && !be->ops->certifier (be, &signer)
      && !memcmp (signer.fpr, cert->primary->fpr, 20),
      "certifies with the primary key");
  ca_backend_release (be);
  be = NULL;
  ok_err (backend_for ("", cert, &be), "empty configuration: softkey");
  ok (be && !strcmp (be->ops->type, "softkey"), "softkey");
  ca_backend_release (be);
  be = NULL;

  ok_err (backend_for ("card;FFFE:01234567;12345678", cert, &be),
          "a card configuration");
  ok (be && !strcmp (be->ops->type, "card") && !be->ops->thread_safe,
      "the card backend, one signature at a time");
  ok (be && !be->ops->describe (be, &text) && text
      && !strcmp (text, "OpenPGP card FFFE:01234567 [User PIN 12345678]")
      && gcry_is_secure (text),
      "describes card and PIN, in secure memory");
  wipe_and_free_string (text);
  text = NULL;
  ok_code (be ? be->ops->export_private (be, &text, &len)
           : gpg_error (GPG_ERR_BUG), GPG_ERR_NOT_SUPPORTED,
           "a card does not hand out the key");
  ca_backend_release (be);
  be = NULL;
  ok_err (backend_for ("card;FFFE:01234567;12345678;gpg-agent", cert, &be),
          "a card through gpg-agent");
  ok (be && !be->ops->describe (be, &text) && text
      && strstr (text, "(via gpg-agent)"), "which the description says");
  wipe_and_free_string (text);
  text = NULL;
  ca_backend_release (be);
  be = NULL;

  for (i = 0; i < DIM (bad); i++)
    {
      ok_code (backend_for (bad[i], cert, &be), GPG_ERR_INV_VALUE,
               "'%s' is refused", bad[i]);
      ok (!be && ca_errmsg ()
          && !strcmp (ca_errmsg (), "invalid OpenPGP card backend "
                      "configuration in the database"), "with a message");
    }
  /* Split mode: the reference's strings.  */
  ok_err (backend_for ("split-front", cert, &be), "split-front");
  ok (be && !strcmp (be->ops->type, "split-front")
      && !be->ops->describe (be, &text) && text
      && !strcmp (text, "Split-mode front instance"), "the front's line");
  wipe_and_free_string (text);
  text = NULL;
  ok_code (be ? be->ops->certifier (be, &signer) : 0, GPG_ERR_NOT_SUPPORTED,
           "a front does not certify");
  ok (ca_errmsg () && strstr (ca_errmsg (), "Please perform it on your back "
                              "CA instance."), "says where to");
  ca_backend_release (be);
  be = NULL;
  ok_err (backend_for ("split-back()", cert, &be), "split-back()");
  ok (be && !strcmp (be->ops->type, "split-back")
      && !be->ops->describe (be, &text) && text
      && !strcmp (text, "Split-mode back instance (based on: Softkey "
                  "(private key material in CA database))"),
      "the back's line");
  wipe_and_free_string (text);
  text = NULL;
  ok (be && !be->ops->certifier (be, &signer)
      && !memcmp (signer.fpr, cert->primary->fpr, 20),
      "a back certifies with the key");
  ca_backend_release (be);
  be = NULL;
  ok_err (backend_for ("split-back(card;FFFE:01234567;12345678)", cert, &be),
          "split-back(card;...)");
  ok (be && !be->ops->describe (be, &text) && text
      && !strcmp (text, "Split-mode back instance (based on: OpenPGP card "
                  "FFFE:01234567 [User PIN 12345678])"), "on a card");
  wipe_and_free_string (text);
  text = NULL;
  ca_backend_release (be);
  be = NULL;
  ok_code (backend_for ("split-back(split-front)", cert, &be),
           GPG_ERR_INV_VALUE, "split in split is refused");
  ok (!be && ca_errmsg () && !strcmp (ca_errmsg (), "Illegal inner backend: "
                                      "split-front"), "says so");
  ok_code (backend_for ("split-back(card;x)", cert, &be), GPG_ERR_INV_VALUE,
           "a bad inner card configuration is refused");
  ok_code (backend_for ("split-back", cert, &be), GPG_ERR_INV_VALUE,
           "split-back without its inner backend is refused");
  ok_code (backend_for ("split-frontier", cert, &be), GPG_ERR_INV_VALUE,
           "split-frontier is refused");
  ok_code (backend_for ("hsm;1", cert, &be), GPG_ERR_INV_VALUE,
           "an unknown backend");
  ok (ca_errmsg () && strstr (ca_errmsg (), "unknown CA backend"),
      "says so");
  ca_backend_release (NULL);
  ok (1, "releasing NULL is fine");
  pgp_cert_release (cert);
  return tap_done ();
}
