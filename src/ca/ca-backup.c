/* ca-backup.c - backup cards of a card CA (ca set-backend card --add)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A backup card holds the CA's key too (made with `ca init ... card
 * --import' from the key printed at `ca init', or `ca migrate' of a
 * copy).  Recording it needs the card present, holding the CA key in
 * its AUT slot (the fingerprints are compared) with the cardholder
 * "OpenPGP CA", and its User PIN, which is verified on the card before
 * it is stored (table cacards, next to the CA's card in
 * cacerts.backend).  The card backend (ca-card.c) then signs with a
 * backup card when the CA's card is missing, and bulk certification
 * uses every card present at once (ca-cardpool.c).
 */
#include <config.h>
#include "ca-card.h"

#include <string.h>
#include <strings.h>


/* Whether IDENT is the CA's card or one of its backups already.  */
static gpg_error_t
check_new (ca_t *ca, const char *main_ident, const char *ident)
{
  gpg_error_t err;
  db_cacard_t *cards = NULL, *c;

  if (!strcasecmp (main_ident, ident))
    return ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                          "OpenPGP card %s is the CA's card already", ident);
  err = db_cacard_list (ca->db, ca->cacert->id, &cards);
  if (err)
    return ca_db_errmsg (ca, err, "reading the CA's cards");
  for (c = cards; c; c = c->next)
    if (!strcasecmp (c->ident, ident))
      break;
  if (c)
    err = ca_set_errmsg (gpg_error (GPG_ERR_DUP_KEY),
                         "OpenPGP card %s is a backup card of the CA "
                         "already", ident);
  db_cacard_release (cards);
  return err;
}


/* See ca.h.  */
gpg_error_t
ca_card_add_backup (ca_t *ca, const char *ident, const ca_card_ui_t *ui)
{
  gpg_error_t err;
  char *main_ident = NULL, *main_pin = NULL, *pin = NULL;
  int route;
  const char *cfg = ca->cacert->backend;
  ca_card_conn_t *conn = NULL;
  ca_card_entry_t *list = NULL, *e;

  if (!cfg || strncmp (cfg, "card;", 5))
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "Backup cards are only for a CA whose key is on "
                          "an OpenPGP card.");
  err = ca_card_parse_config (cfg, &main_ident, &main_pin, &route);
  if (err)
    return ca_set_errmsg (err, "invalid OpenPGP card backend configuration "
                          "in the database");
  if (ca_card_pin_is_pinpad (main_pin))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "backup cards of a CA whose PIN is typed on the "
                           "reader's pin-pad are not supported");
      goto leave;
    }
  if (!ident || !ca_card_ident_valid (ident))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                           "invalid OpenPGP card ident '%s' (expected "
                           "MANU:SERIAL, e.g. FFFE:01234567)",
                           ident ? ident : "");
      goto leave;
    }
  err = check_new (ca, main_ident, ident);
  if (err)
    goto leave;
  if (ca->card_route != CA_ROUTE_STORED)
    route = ca->card_route;
  err = ca_card_connect (route, &conn);
  if (!err)
    err = ca_card_list_cards (conn, &list);
  if (err)
    goto leave;
  e = ca_card_find (list, ident);
  if (!e)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                           "OpenPGP card %s not found (is it plugged in?)",
                           ident);
      goto leave;
    }
  err = ca_card_check_ca (e, ca->cert, e->ident);
  if (!err)
    err = ui->get_pin (ui->opaque, e->ident, &pin);
  if (!err && strlen (pin) > 64)
    err = ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                         "oca can only store a User PIN of at most 64 "
                         "characters");
  if (!err)
    err = ca_card_unlock (conn, e->serialno, e->info, e->ident, pin, 1);
  if (!err)
    err = ca_begin (ca);
  if (err)
    goto leave;
  err = db_cacard_add (ca->db, ca->cacert->id, e->ident, pin);
  if (err)
    {
      ca_db_errmsg (ca, err, "storing the backup card");
      db_rollback (ca->db);
      goto leave;
    }
  err = ca_commit (ca);

 leave:
  wipe_and_free_string (pin);
  xfree (main_ident);
  wipe_and_free_string (main_pin);
  ca_card_entry_release (list);
  ca_card_conn_release (conn);
  return err;
}
