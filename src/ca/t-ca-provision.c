/* t-ca-provision.c - unit test of ca-provision.c: the card flows
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The flows run against oca-scd's command handler over virtual cards
 * (t-scd-vcard: the real client, protocol, server and card code, no
 * pcscd).  Card 1 gets a CA made here, card 2 one generated on the
 * card, card 3 the crashes and the migration, card 4 the key of card
 * 1 (import) and then the CA of card 1 (set-backend).  tests/card runs
 * the same flows through the oca program on every card profile and
 * both routes.
 */
#include <config.h>
#include "t-ca-support.h"
#include "ca-card.h"
#include "t-support.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

static tca_ui_t ui;


/* The events string of a flow: "tell:EV" / "ask:EV" / "pin:0" /
 * "hand:0" items.  */
static const char *
evs (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));
static const char *
evs (const char *fmt, ...)
{
  static char buf[256];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  return buf;
}


/* The card IDENT as the cards list shows it (NULL if absent).  */
static ca_card_t *
card (ca_card_t **list, const char *ident)
{
  ca_opts_t opts = tca_opts (NULL);

  ca_cards_release (*list);
  *list = NULL;
  if (ca_cards_list (&opts, list))
    return NULL;
  return ca_cards_find (*list, ident);
}


/* Whether database NAME has the pending row KEY.  */
static int
pending (const char *name, const char *key)
{
  db_t db = NULL;
  char *v = NULL;
  int yes;

  if (db_open (tca_path (name), DB_OPEN_READONLY, &db))
    return -1;
  yes = !db_pending_get (db, key, &v, NULL);
  wipe_and_free_string (v);
  db_close (db);
  return yes;
}


/* The PIN in a `ca show' backend line.  */
static const char *
pin_of (const char *backend, char buf[16])
{
  const char *p = backend ? strstr (backend, "[User PIN ") : NULL;

  *buf = 0;
  if (p && strlen (p + 10) >= 8)
    {
      memcpy (buf, p + 10, 8);
      buf[8] = 0;
    }
  return buf;
}


/* Whether the CA of database NAME certifies a fresh user key with its
 * card (the certification verifies).  */
static int
certifies (const char *name)
{
  const char *uids[] = { "Uma <uma@example.org>" };
  const char *emails[] = { "uma@example.org" };
  ca_opts_t opts = tca_opts (name);
  ca_t *ca = NULL;
  ca_info_t info;
  ca_policy_t policy;
  ca_certify_result_t res;
  pgp_cert_t *key = tca_user_key (PGP_GEN_ED25519, uids, 1);
  int good = 0;

  memset (&policy, 0, sizeof policy);
  memset (&res, 0, sizeof res);
  policy.emails = emails;
  policy.nemails = 1;
  if (key && !ca_open (&opts, CA_OPEN_READONLY, &ca)
      && !ca_certify (ca, key, &policy, &res) && res.made)
    {
      ca_get_info (ca, &info);
      good = !pgp_uid_certified_by (key, key->uids, info.cert, 0, NULL)
        && !strcmp (info.backend, "card");
    }
  ca_certify_result_release (&res);
  ca_release (ca);
  pgp_cert_release (key);
  return good;
}


/* `ca init ... card' of MODE on card IDENT into database NAME.  */
static gpg_error_t
init (const char *name, ca_init_mode_t mode, const char *ident,
      pgp_cert_t *cert, ca_summary_t *sum)
{
  ca_opts_t opts = tca_opts (name);
  ca_card_init_t req;

  memset (&req, 0, sizeof req);
  req.mode = mode;
  req.domain = "example.org";
  req.algo = PGP_GEN_ED25519;
  req.ident = ident;
  req.cert = cert;
  req.what = "key.asc";
  return ca_card_init (&opts, &req, &ui.ui, sum);
}


static void
test_host_and_generate (ca_summary_t *s1, pgp_cert_t **r_key1)
{
  ca_card_t *list = NULL, *c;
  ca_summary_t s;
  char pin[16], fpr[41];

  c = card (&list, "FFFE:0000A001");
  ok (c && c->use == CA_CARD_BLANK && list && list->next && !list->next->next
      && list->next->use == CA_CARD_BLANK, "two blank cards");

  tca_ui_reset (&ui);
  ok_err (init ("ca1.db", CA_INIT_HOST, "FFFE:0000A001", NULL, s1),
          "init with a key made here, on card 1");
  ok (!strcmp (ui.events, evs ("tell:%d hand:0", CA_CARD_EV_INIT_HOST)),
      "told, then the key handed out (%s)", ui.events);
  ok (ui.key && !pgp_read_cert (ui.key, strlen (ui.key), r_key1)
      && (*r_key1)->primary->secret == PGP_SECRET_PLAIN
      && !strcmp (pgp_cert_fpr_hex (*r_key1, fpr), s1->fpr),
      "the key handed out is the CA's, with its secret");
  ok (s1->backend && !strncmp (s1->backend, "OpenPGP card FFFE:0000A001 "
                               "[User PIN ", 37)
      && strlen (pin_of (s1->backend, pin)) == 8
      && strspn (pin, "0123456789") == 8, "a new 8-digit PIN");
  c = card (&list, "FFFE:0000A001");
  ok (c && c->use == CA_CARD_CA && c->holder_is_ca
      && !strcmp (c->aut_fpr, s1->fpr) && *c->slot[0].fpr,
      "card 1 holds the CA: cardholder, AUT = primary, SIG = subkey");
  ok (pending ("ca1.db", "card-init") == 0, "no pending row left");
  ok (certifies ("ca1.db"), "the CA certifies with the card");

  ok_code (init ("ca1.db", CA_INIT_HOST, NULL, NULL, &s),
           GPG_ERR_EEXIST, "init again: refused");

  /* Generated on card 2: refused first, then agreed to.  */
  tca_ui_reset (&ui);
  ui.refuse = gpg_error (GPG_ERR_CANCELED);
  ok_code (init ("ca2.db", CA_INIT_GENERATE, NULL, NULL, &s),
           GPG_ERR_CANCELED, "generate on card: the operator says no");
  ok (!strcmp (ui.events, evs ("ask:%d", CA_CARD_ASK_GENERATE))
      && access (tca_path ("ca2.db"), F_OK),
      "asked before anything was written; no database left");
  c = card (&list, "FFFE:0000A002");
  ok (c && c->use == CA_CARD_BLANK, "card 2 is still blank");
  tca_ui_reset (&ui);
  ok_err (init ("ca2.db", CA_INIT_GENERATE, NULL, NULL, &s),
          "generate on card 2 (the only blank one)");
  ok (!strcmp (ui.events, evs ("ask:%d tell:%d", CA_CARD_ASK_GENERATE,
                               CA_CARD_EV_GENERATING)) && !ui.key,
      "asked, told, no key handed out (%s)", ui.events);
  c = card (&list, "FFFE:0000A002");
  ok (c && c->use == CA_CARD_CA && !strcmp (c->aut_fpr, s.fpr),
      "card 2 holds the generated CA");
  ok (certifies ("ca2.db"), "which certifies");
  ca_summary_release (&s);

  ok_code (init ("ca3.db", CA_INIT_HOST, NULL, NULL, &s),
           GPG_ERR_CARD_NOT_PRESENT, "no blank card left: refused");
  ok (ca_errmsg () && !strcmp (ca_errmsg (), "No blank OpenPGP card found"),
      "with the reference's message");
  ok_code (init ("ca3.db", CA_INIT_HOST, "FFFE:0000A001", NULL, &s),
           GPG_ERR_EEXIST, "a named card with keys: refused");
  ca_cards_release (list);
}


static void
test_crash (void)
{
  ca_summary_t s;
  ca_card_t *list = NULL, *c;
  long n;
  int found = 0;
  char fpr[41];

  /* Find a point where the card server dies with the pending row
   * committed and the card partly written.  */
  for (n = 5; n < 200 && !found; n += 3)
    {
      tca_vcard_reset (3);
      unlink (tca_path ("crash.db"));
      tca_vcard_die_after (n);
      tca_ui_reset (&ui);
      if (!init ("crash.db", CA_INIT_HOST, "FFFE:0000A003", NULL, &s))
        {
          ca_summary_release (&s);
          break;
        }
      tca_vcard_die_after (-1);
      c = card (&list, "FFFE:0000A003");
      found = pending ("crash.db", "card-init") == 1 && c && !c->blank;
    }
  tca_vcard_die_after (-1);
  ok (found, "the server died in the middle of personalising card 3 "
      "(after %ld APDUs)", n - 3);
  ok_code (init ("crash.db", CA_INIT_HOST, NULL, NULL, &s),
           GPG_ERR_INV_STATE, "a re-run says what to do");
  ok (ca_errmsg () && strstr (ca_errmsg (), "card FFFE:0000A003 was partly "
                              "written by an interrupted 'ca init'"),
      "factory-reset the card");
  tca_vcard_insert (3, 0);
  ok_code (init ("crash.db", CA_INIT_HOST, NULL, NULL, &s),
           GPG_ERR_CARD_NOT_PRESENT, "without the card");
  ok (ca_errmsg () && strstr (ca_errmsg (), "insert that card"),
      "it asks for it");
  tca_vcard_insert (3, 1);
  tca_vcard_reset (3);
  tca_ui_reset (&ui);
  ok_err (init ("crash.db", CA_INIT_HOST, NULL, NULL, &s),
          "after a factory reset it starts afresh");
  ok (pending ("crash.db", "card-init") == 0, "and forgets the row");
  ca_summary_release (&s);

  /* The key cannot be handed out: the card is done, the CA not stored;
   * a re-run completes it.  */
  tca_vcard_reset (3);
  unlink (tca_path ("crash2.db"));
  tca_ui_reset (&ui);
  ui.hand_out_err = gpg_error (GPG_ERR_EPIPE);
  ok_code (init ("crash2.db", CA_INIT_HOST, NULL, NULL, &s),
           GPG_ERR_EPIPE, "handing out the key fails");
  ok (ui.key != NULL, "the key was made (and could not be handed out)");
  {
    pgp_cert_t *k = NULL;

    *fpr = 0;
    if (ui.key && !pgp_read_cert (ui.key, strlen (ui.key), &k))
      pgp_cert_fpr_hex (k, fpr);
    pgp_cert_release (k);
  }
  ok (pending ("crash2.db", "card-init") == 1, "the pending row stays");
  tca_ui_reset (&ui);
  ok_err (init ("crash2.db", CA_INIT_HOST, NULL, NULL, &s),
          "a re-run completes the CA");
  ok (!strcmp (ui.events, evs ("tell:%d", CA_CARD_EV_RECOVER_INIT))
      && !strcmp (s.fpr, fpr) && pending ("crash2.db", "card-init") == 0,
      "with the key on the card, told so, row gone");
  ok (certifies ("crash2.db"), "the completed CA certifies");
  ca_summary_release (&s);
  ca_cards_release (list);
}


static void
test_migrate (void)
{
  ca_t *ca = NULL;
  ca_info_t info;
  int only = -1, yes = -1;
  char *text = NULL;
  size_t len = 0;

  tca_vcard_reset (3);
  ok_err (tca_make_ca ("soft.db", "example.org", PGP_GEN_ED25519, &ca),
          "a softkey CA");
  if (!ca)
    return;
  tca_ui_reset (&ui);
  ui.refuse = gpg_error (GPG_ERR_CANCELED);
  ok_code (ca_card_migrate (ca, "FFFE:0000A003", &ui.ui, &only),
           GPG_ERR_CANCELED, "migrate: the operator says no");
  ca_get_info (ca, &info);
  ok (!strcmp (info.backend, "softkey")
      && pending ("soft.db", "card-migrate") == 0, "nothing changed");
  tca_ui_reset (&ui);
  ok_err (ca_card_migrate (ca, NULL, &ui.ui, &only), "migrate to card 3");
  ca_get_info (ca, &info);
  ok (!only && !strcmp (ui.events, evs ("ask:%d", CA_CARD_ASK_MIGRATE))
      && !strcmp (info.backend, "card"), "the CA is on the card now");
  ok (!db_cakey_exists (ca->db, ca->cacert->id, &yes) && !yes,
      "its key is gone from the database");
  ok_code (ca_export_private (ca, &text, &len), GPG_ERR_NOT_SUPPORTED,
           "and can not be exported");
  ok_code (ca_card_migrate (ca, NULL, &ui.ui, &only), GPG_ERR_NOT_SUPPORTED,
           "a card CA is not migrated again");
  ca_release (ca);
  ok (certifies ("soft.db"), "the migrated CA certifies with the card");
}


static void
test_import_set_backend_from_card (const ca_summary_t *s1, pgp_cert_t *key1)
{
  ca_summary_t s4, s;
  ca_t *ca = NULL;
  ca_opts_t opts = tca_opts ("ca1.db");
  pgp_cert_t *pub = NULL;
  char pin1[16], pin4[16];

  tca_ui_reset (&ui);
  ok_err (init ("imp.db", CA_INIT_IMPORT, "FFFE:0000A004", key1, &s4),
          "import CA 1's key onto card 4");
  ok (!strcmp (ui.events, evs ("tell:%d", CA_CARD_EV_INIT_IMPORT))
      && !strcmp (s4.fpr, s1->fpr), "the same CA, told, no key handed out");
  pin_of (s4.backend, pin4);
  pin_of (s1->backend, pin1);

  ok_err (ca_open (&opts, 0, &ca), "open CA 1");
  tca_ui_reset (&ui);
  ui.pin = pin4;
  ok_code (ca ? ca_card_set_backend (ca, NULL, &ui.ui)
           : gpg_error (GPG_ERR_BUG), GPG_ERR_AMBIGUOUS,
           "two cards hold it: name one");
  ui.pin = "00000000";
  ok_code (ca ? ca_card_set_backend (ca, "FFFE:0000A004", &ui.ui)
           : gpg_error (GPG_ERR_BUG), GPG_ERR_BAD_PIN,
           "a wrong PIN is refused by the card");
  ok (ca_errmsg () && strstr (ca_errmsg (), "was rejected by the card"),
      "and said so");
  ui.pin = pin4;
  ok_err (ca ? ca_card_set_backend (ca, "FFFE:0000A004", &ui.ui)
          : gpg_error (GPG_ERR_BUG), "switch CA 1 to card 4");
  ca_release (ca);
  ca = NULL;
  ok_err (ca_open (&opts, 0, &ca), "open CA 1 again");
  if (ca && !ca_get_summary (ca, &s))
    {
      ok (strstr (s.backend, "FFFE:0000A004") && strstr (s.backend, pin4),
          "its backend is card 4 with card 4's PIN");
      ca_summary_release (&s);
    }
  else
    ok (0, "summary");
  ca_release (ca);
  ok (certifies ("ca1.db"), "and certifies with it");

  /* A CA from card 1 (which still holds the key).  */
  ok (!pgp_cert_copy (key1, 1, &pub), "CA 1's public certificate");
  tca_ui_reset (&ui);
  ui.pin = pin1;
  ok_err (init ("from.db", CA_INIT_FROM_CARD, "FFFE:0000A001", pub, &s),
          "a CA from card 1");
  ok (!strcmp (ui.events, evs ("tell:%d pin:0", CA_CARD_EV_INIT_FROM_CARD))
      && !strcmp (s.fpr, s1->fpr) && strstr (s.backend, pin1),
      "told, asked for the PIN, stored with it");
  ca_summary_release (&s);
  ok (certifies ("from.db"), "it certifies");
  ca_summary_release (&s4);
  pgp_cert_release (pub);
}


static void
test_touch (void)
{
  ca_opts_t opts = tca_opts ("from.db");
  ca_t *ca = NULL;
  ca_card_t *list = NULL, *c;
  char ident[14];

  ok_err (ca_open (&opts, CA_OPEN_READONLY, &ca), "open the CA of card 1");
  if (!ca)
    return;
  ok_code (ca_card_set_touch (ca, "FFFE:0000A002", 1, 1, "SIG", &ui.ui,
                              ident), GPG_ERR_WRONG_CARD,
           "another card: refused");
  tca_ui_reset (&ui);
  ui.refuse = gpg_error (GPG_ERR_CANCELED);
  ok_code (ca_card_set_touch (ca, NULL, 1, 2, "SIG", &ui.ui, ident),
           GPG_ERR_CANCELED, "fixed needs a yes");
  tca_ui_reset (&ui);
  ok_err (ca_card_set_touch (ca, NULL, 1, 1, "SIG", &ui.ui, ident),
          "touch on for SIG");
  c = card (&list, "FFFE:0000A001");
  ok (!strcmp (ident, "FFFE:0000A001") && c
      && !strcmp (c->slot[0].touch, "on") && !strcmp (c->slot[2].touch, "off"),
      "card 1's SIG slot asks for a touch now, AUT does not");
  ca_cards_release (list);
  ca_release (ca);
}


int
main (void)
{
  ca_summary_t s1;
  pgp_cert_t *key1 = NULL;

  tca_init ();
  tca_vcards (4);
  tca_ui_init (&ui);
  tca_vcard_insert (3, 0);
  tca_vcard_insert (4, 0);
  test_host_and_generate (&s1, &key1);
  tca_vcard_insert (3, 1);
  test_crash ();
  test_migrate ();
  tca_vcard_insert (4, 1);
  if (key1)
    test_import_set_backend_from_card (&s1, key1);
  test_touch ();
  ca_summary_release (&s1);
  pgp_cert_release (key1);
  tca_ui_reset (&ui);
  return tap_done ();
}
