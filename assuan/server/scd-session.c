/* scd-session.c - what an oca-scd session works with
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The means every command handler (scd-cmd-card.c, scd-cmd-key.c,
 * scd-command.c) uses: status lines, inquiries and the PIN callback
 * (INQUIRE NEEDPIN), and the session's card.  A handler reaches the
 * card registry (scd-card.c) only through scd_with_card (lock, find
 * the session's card or the card holding a key, call, unlock) or, to
 * look at all cards, scd_with_registry.
 */
#include <config.h>
#include "scd.h"
#include "scd-util.h"
#include "srv-proto.h"

#include <string.h>
#include <stdio.h>
#include <stdlib.h>


/*
 * Status lines
 */

gpg_error_t
scd_send_status (assuan_context_t ctx, const char *keyword,
                 const char *args)
{
  return assuan_write_status (ctx, keyword, args ? args : "");
}

gpg_error_t
scd_send_status_value (assuan_context_t ctx, const char *keyword,
                       const void *buf, size_t len)
{
  gpg_error_t err;
  char *line;

  err = scd_build_status_info (&line, buf, len, NULL);
  if (err)
    return err;
  err = assuan_write_status (ctx, keyword, line);
  xfree (line);
  return err;
}

gpg_error_t
scd_send_status_2 (assuan_context_t ctx, const char *keyword,
                   const char *a, const char *b)
{
  gpg_error_t err;
  char *line;

  err = scd_build_status_info (&line, a, strlen (a), b, strlen (b), NULL);
  if (err)
    return err;
  err = assuan_write_status (ctx, keyword, line);
  xfree (line);
  return err;
}

const char *
scd_key_usage (int keyno)
{
  return keyno == 1 ? "sc" : keyno == 2 ? "e" : "sa";
}


/*
 * Inquiries
 */

/* Secure memory: inquired values are PINs and keys.  */
gpg_error_t
scd_inquire (assuan_context_t ctx, const char *keyword, size_t maxlen,
             unsigned char **r_value, size_t *r_len)
{
  return srv_inquire (ctx, keyword, maxlen, 1, r_value, r_len);
}


/*
 * PIN callback: INQUIRE NEEDPIN
 */

gpg_error_t
scd_pin_cb (void *opaque, const char *prompt, char **r_pin)
{
  scd_session_t sess = opaque;
  gpg_error_t err;
  char *line = NULL, *line2;
  unsigned char *value = NULL;
  size_t valuelen = 0;

  if (!r_pin)
    {
      /* The pin-pad: as scdaemon, an inquiry (not a status line) so
       * that the client has shown the prompt before the reader waits
       * for the PIN; the reply is ignored.  */
      if (prompt)
        {
          static const char keyword[] = "POPUPPINPADPROMPT ";

          /* The NEEDPIN line's checks of the prompt apply.  */
          err = scd_needpin_line (prompt, &line);
          if (err)
            return err;
          xfree (line);
          line2 = xtrymalloc (sizeof keyword + strlen (prompt));
          if (!line2)
            return oca_error_from_errno ();
          strcpy (stpcpy (line2, keyword), prompt);
          scd_log_debug (1, "the PIN is typed on the pin-pad");
          err = scd_inquire (sess->ctx, line2, MAXLEN_PIN, &value, &valuelen);
          xfree (line2);
        }
      else
        err = scd_inquire (sess->ctx, "DISMISSPINPADPROMPT", MAXLEN_PIN,
                           &value, &valuelen);
      wipe_and_free (value, valuelen);
      return err;
    }
  *r_pin = NULL;
  err = scd_needpin_line (prompt, &line);
  if (err)
    return err;
  scd_log_debug (1, "asking the client for a PIN (INQUIRE NEEDPIN)");
  assuan_begin_confidential (sess->ctx);
  err = scd_inquire (sess->ctx, line, MAXLEN_PIN, &value, &valuelen);
  assuan_end_confidential (sess->ctx);
  xfree (line);
  if (err)
    goto leave;
  err = scd_pin_from_reply (value, valuelen, r_pin);

 leave:
  wipe_and_free (value, valuelen);
  return err;
}


/*
 * The session's card
 */

void
scd_bind_card (scd_session_t sess, scd_card_t card)
{
  snprintf (sess->serialno, sizeof sess->serialno, "%s",
            card->app ? card->app->serialno : "");
  snprintf (sess->reader, sizeof sess->reader, "%s", card->reader);
}

/* Return the session's current card in *R_CARD (card lock held).
 * Opens the first card when the session has none yet.  NEED_APP
 * requires the OpenPGP application.  */
static gpg_error_t
get_card (scd_session_t sess, int need_app, scd_card_t *r_card)
{
  gpg_error_t err;
  scd_card_t card = NULL;

  *r_card = NULL;
  if (scd_lock_owner && scd_lock_owner != sess)
    return gpg_error (GPG_ERR_LOCKED);
  if (sess->card_removed)
    return gpg_error (GPG_ERR_CARD_REMOVED);
  if (!sess->reader[0])
    {
      err = scd_scan_cards (0);
      if (err && gpg_err_code (err) != GPG_ERR_ENODEV)
        return err;
      card = scd_first_card ();
      while (card && !card->app)
        card = card->next;
      if (!card)
        return err ? err : gpg_error (GPG_ERR_CARD_NOT_PRESENT);
      scd_bind_card (sess, card);
    }
  else
    {
      card = sess->serialno[0] ? scd_find_card (sess->serialno)
        : scd_find_card_by_reader (sess->reader);
      if (!card)
        {
          /* Maybe reset by a RESET or DISCONNECT: rescan once.  */
          scd_scan_cards (!sess->serialno[0]);
          card = sess->serialno[0] ? scd_find_card (sess->serialno)
            : scd_find_card_by_reader (sess->reader);
        }
      if (!card)
        {
          sess->card_removed = 1;
          return gpg_error (GPG_ERR_CARD_REMOVED);
        }
    }
  err = scd_check_card (card);
  if (err)
    {
      if (gpg_err_code (err) == GPG_ERR_CARD_REMOVED)
        sess->card_removed = 1;
      return err;
    }
  if (need_app && !card->app)
    return gpg_error (GPG_ERR_UNSUPPORTED_OPERATION);
  *r_card = card;
  return 0;
}

/* Resolve a key reference (OPENPGP.n or keygrip) to a card and key
 * number; a keygrip may switch the session to another card.  */
static gpg_error_t
get_key (scd_session_t sess, const char *keyid, int allow_number,
         scd_card_t *r_card, int *r_keyno)
{
  gpg_error_t err;
  scd_card_t card;
  int keyno;

  *r_card = NULL;
  *r_keyno = 0;
  if (scd_is_keygrip (keyid))
    {
      char grip[41];

      memcpy (grip, keyid, 40);
      grip[40] = 0;
      err = get_card (sess, 1, &card);
      if (!err && (keyno = app_openpgp_find_grip (card->app, grip)))
        goto found;
      if (err && gpg_err_code (err) == GPG_ERR_LOCKED)
        return err;
      /* Try the other cards.  */
      scd_scan_cards (0);
      for (card = scd_first_card (); card; card = card->next)
        if (card->app && (keyno = app_openpgp_find_grip (card->app, grip)))
          {
            sess->card_removed = 0;
            scd_bind_card (sess, card);
            goto found;
          }
      return gpg_error (GPG_ERR_NO_SECKEY);
    }
  err = get_card (sess, 1, &card);
  if (err)
    return err;
  keyno = scd_parse_keyref (keyid, allow_number);
  if (!keyno && !strncmp (keyid, "D27600012401", 12) && strlen (keyid) >= 32)
    {
      /* Legacy <hexsn>[/<fpr>]: compare manufacturer and serial.  */
      if (strncasecmp (keyid + 16, card->app->serialno + 16, 12))
        return gpg_error (GPG_ERR_WRONG_CARD);
      keyno = 1;
      if (keyid[32] == '/')
        {
          unsigned char fpr[20];

          if (oca_hex2bin (keyid + 33, fpr, 20))
            return gpg_error (GPG_ERR_INV_ID);
          for (keyno = 1; keyno <= 3; keyno++)
            if (!memcmp (card->app->fpr[keyno - 1], fpr, 20))
              break;
          if (keyno > 3)
            return gpg_error (GPG_ERR_WRONG_SECKEY);
        }
    }
  if (!keyno)
    return gpg_error (GPG_ERR_INV_ID);

 found:
  *r_card = card;
  *r_keyno = keyno;
  return 0;
}

unsigned int
scd_pin_flags (void)
{
  return (scd_opt.refuse_last_try ? 0 : APP_FLAG_INSIST)
    | (!scd_opt.disable_pinpad && scd_opt.pinpad_varlen ? APP_FLAG_PINPAD : 0);
}

gpg_error_t
scd_check_admin (assuan_context_t ctx)
{
  if (scd_opt.deny_admin)
    return set_error (GPG_ERR_EACCES, "admin commands disabled");
  return 0;
}

/* Copy the key id argument of LINE (after the options) to *R_KEYID
 * (xfree).  An empty one is an ASS_PARAMETER error of CTX.  */
static gpg_error_t
dup_keyid (assuan_context_t ctx, const char *line, char **r_keyid)
{
  char *keyid;

  *r_keyid = NULL;
  keyid = xtrystrdup (scd_skip_options (line));
  if (!keyid)
    return oca_error_from_errno ();
  if (!*keyid)
    {
      xfree (keyid);
      return set_error (GPG_ERR_ASS_PARAMETER, "no key id given");
    }
  *r_keyid = keyid;
  return 0;
}

/* Resolve KEYID for an operation on the SETDATA input: the key number
 * must be one of ALLOWED (bit N for key N) and SETDATA must be set.  */
static gpg_error_t
get_setdata_key (scd_session_t sess, const char *keyid, unsigned int allowed,
                 scd_card_t *r_card, int *r_keyno)
{
  gpg_error_t err;

  err = get_key (sess, keyid, 0, r_card, r_keyno);
  if (err)
    return err;
  if (!(allowed & (1u << *r_keyno)))
    return gpg_error (GPG_ERR_INV_ID);
  if (!sess->setdata)
    return gpg_error (GPG_ERR_NO_DATA);
  return 0;
}

gpg_error_t
scd_send_keypairinfo (assuan_context_t ctx, app_t app, int keyno)
{
  gpg_error_t err;
  const char *grip;
  char buf[200];

  err = app_openpgp_readkey (app, keyno, NULL, NULL, &grip);
  if (err)
    return err;
  snprintf (buf, sizeof buf, "%s OPENPGP.%d %s %lu %s", grip, keyno,
            scd_key_usage (keyno), (unsigned long)app->keytime[keyno - 1],
            app->keyattr[keyno - 1].algostr);
  return scd_send_status (ctx, "KEYPAIRINFO", buf);
}

int
scd_key_present (app_t app, int keyno)
{
  int i;

  if (app->have_keystatus && app->keystatus[keyno - 1] != 0xff)
    return app->keystatus[keyno - 1] != 0;
  for (i = 0; i < 20; i++)
    if (app->fpr[keyno - 1][i])
      return 1;
  return 0;
}

/*
 * The one way to the cards
 */

gpg_error_t
scd_with_card (scd_session_t sess, const scd_cardref_t *ref,
               scd_card_fn_t fn, void *arg)
{
  gpg_error_t err;
  scd_card_t card = NULL;
  int keyno = 0;

  scd_lock_cards ();
  if (ref->setdata_keys)
    err = get_setdata_key (sess, ref->keyid, ref->setdata_keys,
                           &card, &keyno);
  else if (ref->keyid)
    err = get_key (sess, ref->keyid, ref->allow_number, &card, &keyno);
  else
    err = get_card (sess, ref->need_app, &card);
  if (!err && fn)
    err = fn (sess, card, keyno, arg);
  scd_unlock_cards ();
  return err;
}

gpg_error_t
scd_with_keyid (assuan_context_t ctx, const char *line, scd_cardref_t *ref,
                scd_card_fn_t fn, void *arg)
{
  gpg_error_t err;
  char *keyid;

  err = dup_keyid (ctx, line, &keyid);
  if (err)
    return err;
  ref->keyid = keyid;
  err = scd_with_card (assuan_get_pointer (ctx), ref, fn, arg);
  ref->keyid = NULL;
  xfree (keyid);
  return err;
}

gpg_error_t
scd_with_registry (scd_session_t sess, int respect_lock,
                   scd_registry_fn_t fn, void *arg)
{
  gpg_error_t err;

  scd_lock_cards ();
  if (respect_lock && scd_lock_owner && scd_lock_owner != sess)
    err = gpg_error (GPG_ERR_LOCKED);
  else
    err = fn (sess, arg);
  scd_unlock_cards ();
  return err;
}
