/* t-ca-keylist.c - unit test of ca-keylist.c: the signed keylist
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The keylist is signed by the CA's signing subkey: on a softkey CA
 * the subkey in the database, on a card CA the card's SIG slot (virtual
 * card 1 of t-scd-vcard), never the certification key.  (gpg and sq
 * verifying it: tests/cli/t-keylist.sh.)
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static tca_ui_t ui;


/* Export the keylist of CA into DIR and check its signature with
 * SIGKEY; *R_ISSUER gets the signature's issuer fingerprint.  */
static int
exported_and_verified (ca_t *ca, const char *dir, const pgp_key_t *sigkey,
                       unsigned char r_issuer[20])
{
  ca_keylist_result_t res;
  unsigned char *json = NULL, *sigtext = NULL;
  size_t jsonlen = 0, siglen = 0;
  pgp_sig_t *sig = NULL;
  int good = 0;

  memset (r_issuer, 0, 20);
  if (ca_keylist_export (ca, dir, "https://example.org/keylist.asc", 1, &res))
    return 0;
  if (!ca_file_read (res.keylist, 1u << 20, &json, &jsonlen)
      && !ca_file_read (res.sigfile, 1u << 20, &sigtext, &siglen)
      && !pgp_read_sigs (sigtext, siglen, &sig) && !sig->next
      && sig->sigclass == PGP_SIG_BINARY && sig->has_issuer_fpr)
    {
      memcpy (r_issuer, sig->issuer_fpr, 20);
      good = !pgp_verify_detached (sigkey, json, jsonlen, sig);
    }
  pgp_sig_release (sig);
  xfree (json);
  xfree (sigtext);
  ca_keylist_result_release (&res);
  return good;
}


int
main (void)
{
  ca_t *ca = NULL;
  ca_opts_t opts;
  ca_card_init_t req;
  ca_summary_t sum;
  ca_info_t info;
  ca_keylist_result_t res;
  ca_card_t *cards = NULL;
  const pgp_key_t *sub;
  unsigned char issuer[20];
  char hex[41];

  tca_init ();
  tca_ui_init (&ui);

  /* Softkey.  */
  ok_err (tca_make_ca ("soft.db", "example.org", PGP_GEN_ED25519, &ca),
          "a softkey CA");
  ca_get_info (ca, &info);
  sub = pgp_cert_signing_subkey ((pgp_cert_t *)info.cert);
  ok (sub != NULL, "it has a signing subkey");
  ok (sub && exported_and_verified (ca, tca_path (""), sub, issuer),
      "the keylist's signature verifies with it");
  ok (sub && !memcmp (issuer, sub->fpr, 20), "and names it as the issuer");
  ok (memcmp (issuer, info.cert->primary->fpr, 20),
      "not the certification key");
  ok_code (ca_keylist_export (ca, tca_path (""), "https://x/keylist.asc", 0,
                              &res), GPG_ERR_EEXIST,
           "no overwrite without force");
  ok_code (ca_keylist_export (ca, tca_path (""), "https://x/", 1, &res),
           GPG_ERR_INV_URI, "a URI without a file name");
  ca_release (ca);

  /* A card CA: the SIG slot signs.  */
  tca_vcards (1);
  opts = tca_opts ("card.db");
  memset (&req, 0, sizeof req);
  req.mode = CA_INIT_HOST;
  req.domain = "example.org";
  req.algo = PGP_GEN_ED25519;
  req.ident = "FFFE:0000A001";
  ok_err (ca_card_init (&opts, &req, &ui.ui, &sum), "a CA on card 1");
  ca_summary_release (&sum);
  ca = NULL;
  ok_err (ca_open (&opts, 0, &ca), "open it");
  if (ca)
    {
      ca_get_info (ca, &info);
      sub = pgp_cert_signing_subkey ((pgp_cert_t *)info.cert);
      mkdir (tca_path ("card"), 0700);
      ok (sub && exported_and_verified (ca, tca_path ("card"), sub, issuer),
          "the keylist's signature verifies with the signing subkey");
      ok (!ca_cards_list (&opts, &cards) && cards
          && !strcmp (cards->slot[0].fpr, oca_bin2hex (issuer, 20, hex)),
          "which is the key in the card's SIG slot");
      ok (cards && strcmp (cards->slot[2].fpr, hex),
          "not the AUT slot's");
      ca_cards_release (cards);
    }
  ca_release (ca);
  tca_ui_reset (&ui);
  return tap_done ();
}
