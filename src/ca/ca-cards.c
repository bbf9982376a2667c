/* ca-cards.c - the OpenPGP cards as oca sees them; the touch policy
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `card list' and `card status' get the cards present as ca_card_t
 * (what a front end prints), `card touch' sets the touch policy of a
 * slot of the CA's card.
 */
#include <config.h>
#include "ca-card.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>


/* The name of touch policy IDX of INFO.  */
static const char *
uif_name (const scd_cardinfo_t *info, int idx)
{
  if (!info->uif_valid[idx])
    return "n/a";
  switch (info->uif[idx])
    {
    case 0: return "off";
    case 1: return "on";
    case 2: return "fixed";
    case 3: return "cached";
    case 4: return "cached-fixed";
    default: return "unknown";
    }
}


/* The ca_card_t of card E.  */
static gpg_error_t
card_from_entry (const ca_card_entry_t *e, ca_card_t **r_card)
{
  static const unsigned char zero[20];
  const scd_cardinfo_t *info = e->info;
  ca_card_t *c;
  char shown[128];
  int i;

  *r_card = NULL;
  c = xtrycalloc (1, sizeof *c);
  if (!c)
    return oca_error_from_errno ();
  memcpy (c->ident, e->ident, sizeof c->ident);
  c->serialno = xtrystrdup (e->serialno);
  c->reader = xtrystrdup (info->reader ? info->reader : "");
  c->holder = xtrystrdup (info->disp_name ? info->disp_name : "");
  c->holder_shown = xtrystrdup (ca_card_holder_display (info, shown,
                                                        sizeof shown));
  if (!c->serialno || !c->reader || !c->holder || !c->holder_shown)
    {
      ca_cards_release (c);
      return oca_error_from_errno ();
    }
  if (info->fpr_valid[2])
    oca_bin2hex (info->fpr[2], 20, c->aut_fpr);
  c->blank = ca_card_is_blank (info);
  c->holder_is_ca = ca_card_holder_ok (info);
  if (ca_card_usable_blank (e))
    c->use = CA_CARD_BLANK;
  else if (c->holder_is_ca && info->fpr_valid[2])
    c->use = CA_CARD_CA;
  else
    c->use = CA_CARD_FOREIGN;
  for (i = 0; i < 3; i++)
    {
      const scd_keyattr_t *ka = &info->key_attr[i];

      if (info->fpr_valid[i] && memcmp (info->fpr[i], zero, 20))
        oca_bin2hex (info->fpr[i], 20, c->slot[i].fpr);
      c->slot[i].created = info->key_time[i];
      if (ka->algo == 1)
        snprintf (c->slot[i].attr, sizeof c->slot[i].attr, "rsa%u",
                  ka->nbits);
      else
        snprintf (c->slot[i].attr, sizeof c->slot[i].attr, "%s", ka->curve);
      c->slot[i].touch = uif_name (info, i);
    }
  if (info->chv_status_valid)
    {
      c->pin_retries_valid = 1;
      for (i = 0; i < 3; i++)
        c->pin_retries[i] = info->chv_status[4 + i];
    }
  if (info->sig_counter_valid)
    {
      c->sig_counter_valid = 1;
      c->sig_counter = info->sig_counter;
    }
  *r_card = c;
  return 0;
}


/* See ca.h.  */
gpg_error_t
ca_cards_list (const ca_opts_t *opts, ca_card_t **r_list)
{
  gpg_error_t err;
  ca_card_conn_t *conn = NULL;
  ca_card_entry_t *entries = NULL, *e;
  ca_card_t *list = NULL, **tail = &list;

  *r_list = NULL;
  err = ca_card_connect (opts->card_route == CA_ROUTE_STORED
                         ? CA_ROUTE_OCA_SCD : opts->card_route, &conn);
  if (!err)
    err = ca_card_list_cards (conn, &entries);
  for (e = entries; !err && e; e = e->next)
    {
      err = card_from_entry (e, tail);
      if (!err)
        {
          (*tail)->held_by_scdaemon = ca_card_conn_held (conn);
          tail = &(*tail)->next;
        }
    }
  if (!err)
    {
      *r_list = list;
      list = NULL;
    }
  ca_cards_release (list);
  ca_card_entry_release (entries);
  ca_card_conn_release (conn);
  return err;
}


/* See ca.h.  */
ca_card_t *
ca_cards_find (ca_card_t *list, const char *ident)
{
  for (; list; list = list->next)
    if (!strcasecmp (list->ident, ident))
      return list;
  return NULL;
}


/* See ca.h.  */
void
ca_cards_release (ca_card_t *list)
{
  ca_card_t *next;

  for (; list; list = next)
    {
      next = list->next;
      xfree (list->serialno);
      xfree (list->reader);
      xfree (list->holder);
      xfree (list->holder_shown);
      xfree (list);
    }
}


/* See ca.h.  */
gpg_error_t
ca_card_set_touch (ca_t *ca, const char *ident, int keyno, int policy,
                   const char *slotname, const ca_card_ui_t *ui,
                   char r_ident[14])
{
  gpg_error_t err;
  char *ca_ident = NULL, *pin = NULL;
  int stored_route;
  ca_card_conn_t *conn = NULL;
  ca_card_entry_t *list = NULL, *e;

  *r_ident = 0;
  /* The Admin PIN is the PIN stored for the CA's card.  */
  if (!ca->cacert->backend
      || ca_card_parse_config (ca->cacert->backend, &ca_ident, &pin,
                               &stored_route))
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                          "the CA does not use an OpenPGP card");
  snprintf (r_ident, 14, "%s", ca_ident);
  if (ident && strcasecmp (ident, ca_ident))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                           "OpenPGP card %s is not the CA's card (%s); oca "
                           "knows only the Admin PIN of that one", ident,
                           ca_ident);
      goto leave;
    }
  err = ca_card_connect_pinpad (ca->card_route == CA_ROUTE_STORED
                                ? stored_route : ca->card_route,
                                ca_card_pin_is_pinpad (pin), &conn);
  if (!err)
    err = ca_card_list_cards (conn, &list);
  if (err)
    goto leave;
  e = ca_card_find (list, ca_ident);
  if (!e)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                           "OpenPGP card %s not found", ca_ident);
      goto leave;
    }
  if (!ca_card_matches (e, ca->cert->primary->fpr))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                           "OpenPGP card %s does not hold this CA", ca_ident);
      goto leave;
    }
  if (!e->info->uif_valid[keyno - 1])
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "OpenPGP card %s has no touch button", ca_ident);
      goto leave;
    }
  if (policy == 2)
    {
      err = ui->ask (ui->opaque, CA_CARD_ASK_TOUCH_FIXED, ca_ident,
                     slotname);
      if (err)
        goto leave;
    }
  /* A pin-pad CA: the connection takes the Admin PIN on the pad.  */
  err = ca_card_pin_is_pinpad (pin) ? 0
    : ca_card_conn_set_pins (conn, CA_PIN_SET, pin);
  if (!err)
    err = ca_card_select (conn, e->serialno, NULL);
  if (err)
    {
      ca_card_errmsg (err, ca_ident, "selecting the card");
      goto leave;
    }
  err = ca_card_set_uif (conn, e->serialno, keyno, policy);
  if (gpg_err_code (err) == GPG_ERR_USE_CONDITIONS)
    ca_set_errmsg (err, "the touch policy of the %s slot on card %s "
                   "is fixed", slotname, ca_ident);
  else if (err)
    ca_card_errmsg (err, ca_ident, "setting the touch policy");

 leave:
  xfree (ca_ident);
  wipe_and_free_string (pin);
  ca_card_entry_release (list);
  ca_card_conn_release (conn);
  return err;
}
