/* t-ca-cardconn.c - unit test of ca-cardconn.c: the card connection
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against oca-scd's handler over virtual cards (t-scd-vcard).
 */
#include <config.h>
#include "t-ca-support.h"
#include "ca-card.h"
#include "t-support.h"

#include <stdlib.h>
#include <string.h>


/* The User PIN tries left on card IDENT (-1 if unknown).  */
static int
tries_left (const char *ident)
{
  ca_opts_t opts = tca_opts (NULL);
  ca_card_t *list = NULL, *c;
  int n = -1;

  if (!ca_cards_list (&opts, &list) && (c = ca_cards_find (list, ident))
      && c->pin_retries_valid)
    n = c->pin_retries[0];
  ca_cards_release (list);
  return n;
}


static void
test_display (void)
{
  scd_cardinfo_t info;
  ca_card_entry_t e;
  char buf[64];
  static const unsigned char fpr[20] = { 1, 2, 3 };

  memset (&info, 0, sizeof info);
  memset (&e, 0, sizeof e);
  e.info = &info;
  info.disp_name = (char *)"Doe<<John<Paul";
  ok (!strcmp (ca_card_holder_display (&info, buf, sizeof buf),
               "John Paul Doe"), "cardholder 'Doe<<John<Paul' is '%s'", buf);
  ok (!strcmp (ca_card_holder_display (&info, buf, 6), "John "),
      "cut to the buffer");
  ok (ca_card_is_blank (&info) && !ca_card_usable_blank (&e),
      "blank, but somebody's: not usable");
  info.disp_name = (char *)"OpenPGP CA";
  ok (ca_card_holder_ok (&info) && ca_card_usable_blank (&e),
      "blank with oca's cardholder: usable");
  info.fpr_valid[2] = 1;
  memcpy (info.fpr[2], fpr, 20);
  ok (!ca_card_is_blank (&info) && !ca_card_usable_blank (&e)
      && ca_card_matches (&e, fpr), "with a key: the CA of that key");
  info.fpr_valid[2] = 0;
  info.disp_name = NULL;
  ok (!strcmp (ca_card_holder_display (&info, buf, sizeof buf), ""),
      "no cardholder: ''");
}


int
main (void)
{
  ca_card_conn_t *conn = NULL;
  ca_card_entry_t *list = NULL, *e;
  scd_cardinfo_t *info = NULL;
  unsigned char *sig = NULL;
  size_t siglen;
  int n;

  tca_init ();
  test_display ();

  setenv ("OCA_SCD_PROGRAM", "/nonexistent/oca-scd", 1);
  ok (ca_card_connect (CA_ROUTE_OCA_SCD, &conn) && !conn,
      "no card server: an error");
  ok (ca_errmsg () && strstr (ca_errmsg (), "can't start the card server "
                              "'/nonexistent/oca-scd'"), "naming it");

  tca_vcards (2);
  tca_vcard_insert (1, 0);
  tca_vcard_insert (2, 0);
  ok_err (ca_card_connect (CA_ROUTE_OCA_SCD, &conn), "connect");
  ok_err (conn ? ca_card_list_cards (conn, &list) : gpg_error (GPG_ERR_BUG),
          "list with no card inserted");
  ok (!list, "is empty, not an error");
  ca_card_conn_release (conn);
  conn = NULL;

  tca_vcard_insert (1, 1);
  tca_vcard_insert (2, 1);
  ok_err (ca_card_connect (CA_ROUTE_OCA_SCD, &conn), "connect");
  ok (conn && ca_card_conn_route (conn) == CA_ROUTE_OCA_SCD, "over oca-scd");
  if (!conn)
    return tap_done ();
  ok_err (ca_card_list_cards (conn, &list), "list two cards");
  ok (list && list->next && !strcmp (list->ident, "FFFE:0000A001")
      && list->info && strlen (list->serialno) == 32,
      "in reader order, with their data");
  e = ca_card_find (list, "fffe:0000a002");
  ok (e && e == list->next, "found by ident, case-insensitively");
  ok (!ca_card_find (list, "FFFE:0000A009"), "an absent one is not");
  ok_err (ca_card_select (conn, list->serialno, &info), "select card 1");
  ok (info && !strcmp (info->serialno, list->serialno) && info->uif_valid[0],
      "its fresh data, touch policies included");
  scd_cardinfo_release (info);
  info = NULL;

  ok_err (ca_card_check_algo_support (conn, list->info, list->ident,
                                      PK_EDDSA, PK_CURVE_ED25519, 255),
          "the card takes Ed25519");
  ok_code (ca_card_check_algo_support (conn, list->info, list->ident,
                                       PK_ECDH, PK_CURVE_NONE, 0),
           GPG_ERR_PUBKEY_ALGO, "an algorithm no card has: refused");

  /* PIN safety.  */
  n = tries_left ("FFFE:0000A001");
  ok_code (ca_card_unlock (conn, list->serialno, list->info, list->ident,
                           "99999999", 1), GPG_ERR_BAD_PIN,
           "a wrong PIN is refused");
  ok (ca_errmsg () && strstr (ca_errmsg (), "rejected by the card"),
      "said so");
  ok_code (ca_card_sign_op (conn, list->serialno, CA_CARD_SLOT_SIG, 0,
                            "sha256", (const unsigned char *)"x", 1, &sig,
                            &siglen), GPG_ERR_BAD_PIN,
           "after a rejection nothing is sent");
  ok (tries_left ("FFFE:0000A001") == n - 1, "one try used (%d -> %d)", n,
      tries_left ("FFFE:0000A001"));
  ok_code (ca_card_unlock (conn, list->serialno, list->info, list->ident,
                           "99999999", 1), GPG_ERR_BAD_PIN, "again");
  ca_card_entry_release (list);
  list = NULL;
  ok_err (ca_card_list_cards (conn, &list), "list again");
  ok_code (list ? ca_card_unlock (conn, list->serialno, list->info,
                                  list->ident, CA_CARD_DEFAULT_USER_PIN, 0)
           : gpg_error (GPG_ERR_BUG), GPG_ERR_PIN_BLOCKED,
           "one try left: a stored PIN is not tried");
  ok (ca_errmsg () && strstr (ca_errmsg (), "will not risk blocking it"),
      "said so");
  ok (tries_left ("FFFE:0000A001") == n - 2, "no try used");
  ok_err (list ? ca_card_unlock (conn, list->serialno, list->info,
                                 list->ident, CA_CARD_DEFAULT_USER_PIN, 1)
          : gpg_error (GPG_ERR_BUG), "a PIN entered by the operator is");
  ok (tries_left ("FFFE:0000A001") == n, "and resets the counter");
  ok (!ca_card_conn_failed (conn), "the connection works again");

  ca_card_entry_release (list);
  ca_card_conn_release (conn);
  ok (ca_card_errmsg (gpg_error (GPG_ERR_TIMEOUT), "FFFE:0000A001", "signing")
      && strstr (ca_errmsg (), "Touch confirmation timed out on OpenPGP "
                 "card FFFE:0000A001 (signing not done)"),
      "a touch timeout is worded");
  return tap_done ();
}
