/* t-ca-backup.c - tests of ca-backup.c and ca-cardpool.c: backup cards
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On oca-scd's handler over virtual cards (t-scd-vcard): a card CA on
 * card 1, the same key put on cards 2 and 3 (`ca init --import' into
 * other databases), card 2 recorded with ca_card_add_backup (and what
 * it refuses), a bulk certification on the cards present, and the
 * backup card signing when the CA's card is missing; a card server dying
 * in the middle of a bulk run.  Pulling a card in the middle of a bulk
 * run is tests/card/t-backup.sh (real pcscd).
 */
#include <config.h>
#include "t-ca-support.h"
#include "ca-card.h"
#include "t-support.h"
#include "membuf.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static tca_ui_t ui;


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


/* The PIN in a `ca show' backend line into BUF.  */
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


/* The backup cards stored in database NAME, blank separated, in BUF.  */
static const char *
stored (const char *name, char buf[128])
{
  db_t db = NULL;
  db_cacard_t *list = NULL, *c;
  db_cacert_t *row = NULL;

  strcpy (buf, "?");
  if (db_open (tca_path (name), DB_OPEN_READONLY, &db)
      || db_cacert_get_active (db, &row)
      || db_cacard_list (db, row->id, &list))
    goto leave;
  *buf = 0;
  for (c = list; c; c = c->next)
    snprintf (buf + strlen (buf), 128 - strlen (buf), "%s%s:%s",
              *buf ? " " : "", c->ident, c->pin);

 leave:
  db_cacard_release (list);
  db_cacert_release (row);
  db_close (db);
  return buf;
}


/* Add IDENT with PIN as a backup card of the CA in NAME.  */
static gpg_error_t
add (const char *name, const char *ident, const char *pin)
{
  ca_opts_t opts = tca_opts (name);
  ca_t *ca = NULL;
  gpg_error_t err;

  tca_ui_reset (&ui);
  ui.pin = pin;
  err = ca_open (&opts, 0, &ca);
  if (!err)
    err = ca_card_add_backup (ca, ident, &ui.ui);
  ca_release (ca);
  return err;
}


/* Certify NKEYS fresh user keys in one bulk import into the CA of NAME;
 * the number of certifications made in *R_MADE.  */
static gpg_error_t
bulk (const char *name, int nkeys, size_t *r_made)
{
  ca_opts_t opts = tca_opts (name);
  ca_t *ca = NULL;
  gpg_error_t err;
  ca_bulk_stats_t stats;
  membuf_t mb;
  char uid[64], *armor;
  const char *uids[1] = { uid };
  int i;

  *r_made = 0;
  membuf_init (&mb, 1024 * 1024, 0);
  for (i = 0; i < nkeys; i++)
    {
      pgp_cert_t *key;

      snprintf (uid, sizeof uid, "U%d <u%d-%ld@example.org>", i, i,
                (long)getpid ());
      key = tca_user_key (PGP_GEN_ED25519, uids, 1);
      armor = key ? tca_armor (key) : NULL;
      if (armor)
        membuf_put_str (&mb, armor);
      xfree (armor);
      pgp_cert_release (key);
    }
  err = ca_open (&opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_bulk_import (ca, membuf_data (&mb), membuf_len (&mb), 0, NULL,
                          NULL, NULL, &stats);
  if (!err)
    err = ca_commit (ca);
  if (!err)
    *r_made = stats.certifications;
  ca_release (ca);
  membuf_release (&mb);
  return err;
}


/* bulk for tca_stderr_of.  */
struct bulk_parm
{
  int nkeys;
  size_t made;
  gpg_error_t err;
};

static void
bulk_in (void *opaque)
{
  struct bulk_parm *parm = opaque;

  parm->err = bulk ("ca.db", parm->nkeys, &parm->made);
}


/* The backup cards of the CA of NAME as "IDENT+ IDENT- ..." in BUF (+:
 * its reader is known), "" for none, "error" on error.  */
static const char *
backups (const char *name, int probe, char *buf, size_t size)
{
  ca_opts_t opts = tca_opts (name);
  ca_t *ca = NULL;
  ca_backup_card_t *list = NULL, *b;
  size_t n = 0;

  *buf = 0;
  if (ca_open (&opts, CA_OPEN_READONLY, &ca)
      || ca_backup_cards (ca, probe, &list))
    snprintf (buf, size, "error");
  for (b = list; b && n < size; b = b->next)
    n += snprintf (buf + n, size - n, "%s%s%c", n ? " " : "", b->ident,
                   b->reader && *b->reader ? '+' : '-');
  ca_backup_cards_release (list);
  ca_release (ca);
  return buf;
}


/* One bulk run of 8 keys with every card server dying after N APDUs:
 * 1 when it certified all keys, 2 when it did so although a card was
 * lost in the middle, 0 when it failed.  */
static int
bulk_dying (long n)
{
  struct bulk_parm parm = { 8, 0, 0 };
  char *out;
  int r;

  tca_vcard_die_after (n);
  out = tca_stderr_of (bulk_in, &parm);
  tca_vcard_die_after (-1);
  r = parm.err || parm.made != 8 ? 0
    : out && strstr (out, "; going on with the other card") ? 2 : 1;
  xfree (out);
  return r;
}


/* A bulk run in which the card server of one card dies: the pool
 * retires that card, the others finish.  The card servers count their
 * APDUs each (tca_vcard_die_after); the one that listed the cards, and
 * then serves card 1, has seen the most, so there are limits that make
 * it die after a few signatures while the servers of cards 2 and 3 go
 * on.  Below the smallest limit with which a run succeeds, the listing
 * fails; a few APDUs above it card 1 dies while it signs.  */
static void
test_card_dies (void)
{
  long lo = 10, hi = 1000, n, at = 0;

  while (lo + 1 < hi)
    {
      n = (lo + hi) / 2;
      if (bulk_dying (n))
        hi = n;
      else
        lo = n;
    }
  for (n = hi; n < hi + 10 && !at; n++)
    if (bulk_dying (n) == 2)
      at = n;
  ok (at, "a card server died in the middle of a bulk run, the other "
      "cards certified every key (at %ld APDUs)", at);
}


int
main (void)
{
  ca_summary_t s1, s2, s3;
  pgp_cert_t *key = NULL;
  char pin2[16], pin3[16], buf[128], want[128];
  size_t made = 0;

  tca_init ();
  tca_vcards (3);
  tca_ui_init (&ui);
  memset (&s1, 0, sizeof s1);
  memset (&s2, 0, sizeof s2);
  memset (&s3, 0, sizeof s3);

  tca_ui_reset (&ui);
  ok_err (init ("ca.db", CA_INIT_HOST, "FFFE:0000A001", NULL, &s1),
          "the CA on card 1");
  ok (ui.key && !pgp_read_cert (ui.key, strlen (ui.key), &key),
      "its key handed out");
  if (!key)
    return tap_done ();
  tca_ui_reset (&ui);
  ok_err (init ("b2.db", CA_INIT_IMPORT, "FFFE:0000A002", key, &s2),
          "the same key on card 2");
  pin_of (s2.backend, pin2);
  ok (strlen (pin2) == 8, "card 2 has its PIN");

  /* What is refused leaves nothing behind.  */
  ok_code (add ("ca.db", "FFFE:0000A001", pin2), GPG_ERR_CONFLICT,
           "the CA's own card");
  ok_code (add ("ca.db", "FFFE:0000A003", pin2), GPG_ERR_WRONG_CARD,
           "blank card 3 (not the CA's cardholder, no key)");
  ok (ca_errmsg () && strstr (ca_errmsg (), "FFFE:0000A003"),
      "message names card 3");
  ok_code (add ("ca.db", "FFFE:0000A009", pin2), GPG_ERR_CARD_NOT_PRESENT,
           "a card that is not there");
  ok_code (add ("ca.db", "FFFE:0000A002", "87654321"), GPG_ERR_BAD_PIN,
           "card 2 with a wrong PIN");
  ok_code (add ("ca.db", "A002", pin2), GPG_ERR_INV_VALUE, "a bad ident");
  ok (!strcmp (stored ("ca.db", buf), ""), "nothing stored (%s)", buf);
  ok_code (add ("b2.db", "FFFE:0000a002", pin2), GPG_ERR_CONFLICT,
           "a CA's own card, in whatever case");

  ok_err (add ("ca.db", "FFFE:0000A002", pin2), "card 2 recorded");
  ok (!strcmp (ui.events, "pin:0"), "its PIN was asked (%s)", ui.events);
  snprintf (want, sizeof want, "FFFE:0000A002:%s", pin2);
  ok (!strcmp (stored ("ca.db", buf), want), "stored with its PIN");
  ok_code (add ("ca.db", "FFFE:0000A002", pin2), GPG_ERR_DUP_KEY,
           "card 2 twice");

  /* Card 3 joins too.  */
  tca_vcard_reset (3);
  tca_ui_reset (&ui);
  ok_err (init ("b3.db", CA_INIT_IMPORT, "FFFE:0000A003", key, &s3),
          "the same key on card 3");
  pin_of (s3.backend, pin3);
  ok_err (add ("ca.db", "FFFE:0000A003", pin3), "card 3 recorded");

  ok (!strcmp (backups ("ca.db", 1, buf, sizeof buf),
               "FFFE:0000A002+ FFFE:0000A003+"),
      "ca_backup_cards: both, with their readers (%s)", buf);
  ok (!strcmp (backups ("ca.db", 0, buf, sizeof buf),
               "FFFE:0000A002- FFFE:0000A003-"),
      "without a probe no reader (%s)", buf);
  ok (!strcmp (backups ("b2.db", 1, buf, sizeof buf), ""),
      "a card CA without backup cards (%s)", buf);

  ok_err (bulk ("ca.db", 6, &made), "bulk on the three cards");
  ok (made == 6, "6 certifications (%zu)", made);
  test_card_dies ();

  /* The CA's card missing: the backups sign.  */
  tca_vcard_insert (1, 0);
  ok_err (bulk ("ca.db", 3, &made), "bulk without card 1");
  ok (made == 3, "3 certifications (%zu)", made);
  tca_vcard_insert (2, 0);
  ok (!strcmp (backups ("ca.db", 1, buf, sizeof buf),
               "FFFE:0000A002- FFFE:0000A003+"),
      "card 2 pulled: its reader unknown (%s)", buf);
  ok_err (bulk ("ca.db", 2, &made), "bulk on card 3 alone");
  ok (made == 2, "2 certifications (%zu)", made);
  tca_vcard_insert (3, 0);
  ok_code (bulk ("ca.db", 1, &made), GPG_ERR_CARD_NOT_PRESENT,
           "no card of the CA");
  ok (ca_errmsg () && !strcmp (ca_errmsg (), "none of the CA's 3 OpenPGP "
                               "cards (FFFE:0000A001, ...) found (is one "
                               "plugged in?)"), "the message says so");
  tca_vcard_insert (1, 1);
  tca_vcard_insert (2, 1);
  tca_vcard_insert (3, 1);

  /* A softkey CA has no backup cards.  */
  {
    ca_t *ca = NULL;

    ok_err (tca_make_ca ("soft.db", "example.org", PGP_GEN_ED25519, &ca),
            "a softkey CA");
    tca_ui_reset (&ui);
    ui.pin = pin2;
    ok_code (ca ? ca_card_add_backup (ca, "FFFE:0000A002", &ui.ui)
             : gpg_error (GPG_ERR_BUG), GPG_ERR_NOT_SUPPORTED,
             "no backup card for a softkey CA");
    ca_release (ca);
    ok (!strcmp (backups ("soft.db", 1, buf, sizeof buf), ""),
        "ca_backup_cards of a softkey CA: none (%s)", buf);
  }

  ca_summary_release (&s1);
  ca_summary_release (&s2);
  ca_summary_release (&s3);
  pgp_cert_release (key);
  tca_ui_reset (&ui);
  return tap_done ();
}
