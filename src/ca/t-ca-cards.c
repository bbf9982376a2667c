/* t-ca-cards.c - unit test of ca-cards.c: the cards, the touch policy
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "ca-card.h"
#include "t-support.h"

#include <string.h>


int
main (void)
{
  ca_opts_t opts = tca_opts (NULL), dbopts;
  ca_card_t *list = NULL, *c;
  tca_ui_t ui;
  ca_card_init_t req;
  ca_summary_t sum;
  ca_t *ca = NULL;
  char ident[14];
  int i;

  tca_init ();
  tca_vcards (2);
  tca_ui_init (&ui);
  ok_err (ca_cards_list (&opts, &list), "list");
  c = list;
  ok (c && !strcmp (c->ident, "FFFE:0000A001") && strlen (c->serialno) == 32
      && c->use == CA_CARD_BLANK && c->blank && !c->holder_is_ca
      && !*c->holder && !*c->holder_shown && !*c->aut_fpr,
      "a blank card, no cardholder");
  for (i = 0; c && i < 3; i++)
    if (*c->slot[i].fpr || c->slot[i].created
        || strcmp (c->slot[i].touch, "off"))
      break;
  ok (c && i == 3 && c->pin_retries_valid && c->pin_retries[0] == 3
      && c->pin_retries[2] == 3 && c->sig_counter_valid && !c->sig_counter,
      "no keys, touch off, 3 PIN tries, no signature yet");
  ok (ca_cards_find (list, "fffe:0000A002") == list->next
      && !ca_cards_find (list, "FFFE:0000A003"), "find");
  ca_cards_release (list);
  list = NULL;

  dbopts = tca_opts ("ca.db");
  memset (&req, 0, sizeof req);
  req.mode = CA_INIT_HOST;
  req.domain = "example.org";
  req.algo = PGP_GEN_NISTP256;
  req.ident = "FFFE:0000A002";
  ok_err (ca_card_init (&dbopts, &req, &ui.ui, &sum), "a CA on card 2");
  ok_err (ca_cards_list (&opts, &list), "list");
  c = list ? list->next : NULL;
  ok (c && c->use == CA_CARD_CA && c->holder_is_ca && !c->blank
      && !strcmp (c->holder, "OpenPGP CA") && !strcmp (c->aut_fpr, sum.fpr)
      && !strcmp (c->slot[2].fpr, sum.fpr) && *c->slot[0].fpr
      && !*c->slot[1].fpr, "a CA card: AUT the CA key, SIG its subkey");
  ok (c && !strcmp (c->slot[0].attr, "NIST P-256")
      && !strcmp (c->slot[2].attr, "NIST P-256") && c->slot[2].created,
      "NIST P-256 keys (as the server names the curve), with their time");
  ca_cards_release (list);
  list = NULL;

  /* The touch policy.  */
  ok_err (tca_make_ca ("soft.db", "example.org", PGP_GEN_ED25519, &ca),
          "a softkey CA");
  ok_code (ca ? ca_card_set_touch (ca, NULL, 3, 1, "AUT", &ui.ui, ident)
           : gpg_error (GPG_ERR_BUG), GPG_ERR_NOT_SUPPORTED,
           "touch: not for a softkey CA");
  ca_release (ca);
  ca = NULL;
  ok_err (ca_open (&dbopts, CA_OPEN_READONLY, &ca), "the card CA");
  tca_vcard_insert (2, 0);
  ok_code (ca ? ca_card_set_touch (ca, NULL, 3, 1, "AUT", &ui.ui, ident)
           : gpg_error (GPG_ERR_BUG), GPG_ERR_CARD_NOT_PRESENT,
           "its card pulled: not found");
  tca_vcard_insert (2, 1);
  tca_ui_reset (&ui);
  ok_err (ca ? ca_card_set_touch (ca, "fffe:0000a002", 3, 2, "AUT", &ui.ui,
                                  ident) : gpg_error (GPG_ERR_BUG),
          "AUT: fixed");
  ok (!strcmp (ui.events, "ask:9") && !strcmp (ident, "FFFE:0000A002"),
      "after a confirmation (%s)", ui.events);
  ok_code (ca ? ca_card_set_touch (ca, NULL, 3, 0, "AUT", &ui.ui, ident)
           : gpg_error (GPG_ERR_BUG), GPG_ERR_USE_CONDITIONS,
           "fixed stays fixed");
  ok (ca_errmsg () && strstr (ca_errmsg (), "the touch policy of the AUT "
                              "slot on card FFFE:0000A002 is fixed"),
      "said so");
  ok_err (ca_cards_list (&opts, &list), "list");
  ok (list && list->next && !strcmp (list->next->slot[2].touch, "fixed")
      && !strcmp (list->next->slot[0].touch, "off"), "AUT fixed, SIG off");
  ca_cards_release (list);
  ca_release (ca);
  ca_summary_release (&sum);
  tca_ui_reset (&ui);
  return tap_done ();
}
