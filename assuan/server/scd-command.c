/* scd-command.c - the Assuan commands of oca-scd (scdaemon protocol)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every command has an hlp_ string directly above its cmd_ handler;
 * all are registered in register_commands.  Handlers copy what they
 * need out of the line buffer before anything that may inquire (the
 * buffer is reused by libassuan), hold the card lock while they touch
 * a card and return gpg_error_t straight to libassuan.
 */
#include <config.h>
#include "scd.h"
#include "scd-util.h"
#include "iso7816.h"
#include "brd.h"

#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>

char *scd_socket_name;
volatile int scd_shutdown_requested;

#define set_error(e, t) assuan_set_error (ctx, gpg_error (e), (t))


/*
 * Status helpers
 */

/* Send a status line whose value needs no escaping.  */
static gpg_error_t
send_status_direct (assuan_context_t ctx, const char *keyword,
                    const char *args)
{
  return assuan_write_status (ctx, keyword, args ? args : "");
}

/* Send KEYWORD with one escaped value BUF/LEN.  */
static gpg_error_t
send_status_value (assuan_context_t ctx, const char *keyword,
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

/* Send KEYWORD with two escaped values A and B.  */
static gpg_error_t
send_status_2 (assuan_context_t ctx, const char *keyword,
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

static const char *
usage_string (int keyno)
{
  return keyno == 1 ? "sc" : keyno == 2 ? "e" : "sa";
}


/*
 * Inquiries
 */

/* Send "INQUIRE KEYWORD" (KEYWORD may carry arguments) and collect the
 * client's D lines up to END, at most MAXLEN bytes, into *R_VALUE
 * (secure memory, NUL-terminated; wipe_and_free) and *R_LEN, as
 * assuan_inquire does; CAN gives GPG_ERR_ASS_CANCELED, any other line
 * GPG_ERR_ASS_UNEXPECTED_CMD, too much data GPG_ERR_ASS_TOO_MUCH_DATA
 * and a malformed escape GPG_ERR_ASS_SYNTAX, both at the END.
 * oca-scd does not use assuan_inquire:
 * libassuan 2.5 loops forever on a D line that ends within a %XX
 * escape (found by tests/fuzz/fuzz-scd), which would let a client hang
 * the server with the card lock held.  */
static gpg_error_t
inquire_data (assuan_context_t ctx, const char *keyword, size_t maxlen,
              unsigned char **r_value, size_t *r_len)
{
  gpg_error_t err, bad = 0;
  membuf_t mb;
  char *line, *cmd;
  size_t len;

  *r_value = NULL;
  *r_len = 0;
  cmd = xtrymalloc (8 + strlen (keyword) + 1);
  if (!cmd)
    return oca_error_from_errno ();
  strcpy (stpcpy (cmd, "INQUIRE "), keyword);
  err = assuan_write_line (ctx, cmd);
  xfree (cmd);
  if (err)
    return err;
  membuf_init (&mb, maxlen, 1);
  for (;;)
    {
      err = assuan_read_line (ctx, &line, &len);
      if (err)
        break;
      if (!len || *line == '#')
        continue;
      if (len >= 3 && !strncasecmp (line, "END", 3)
          && (len == 3 || line[3] == ' '))
        {
          err = bad;
          break;
        }
      if (len >= 3 && !strncasecmp (line, "CAN", 3))
        {
          err = gpg_error (GPG_ERR_ASS_CANCELED);
          break;
        }
      if (len < 2 || (*line != 'D' && *line != 'd') || line[1] != ' ')
        {
          err = gpg_error (GPG_ERR_ASS_UNEXPECTED_CMD);
          break;
        }
      /* After too much or malformed data, read on up to END (as
       * libassuan does for too much data) and report that.  */
      if (!bad)
        {
          bad = scd_unescape_data (line + 2, len - 2, &mb);
          if (bad)
            membuf_reset (&mb);
        }
    }
  if (err)
    {
      membuf_release (&mb);
      return err;
    }
  return membuf_take (&mb, r_value, r_len);
}


/*
 * PIN callback: INQUIRE NEEDPIN
 */

static gpg_error_t
pin_cb (void *opaque, const char *prompt, char **r_pin)
{
  scd_session_t sess = opaque;
  gpg_error_t err;
  char *line = NULL;
  unsigned char *value = NULL;
  size_t valuelen = 0;

  *r_pin = NULL;
  err = scd_needpin_line (prompt, &line);
  if (err)
    return err;
  assuan_begin_confidential (sess->ctx);
  err = inquire_data (sess->ctx, line, MAXLEN_PIN, &value, &valuelen);
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
 * Card selection
 */

/* Bind SESS to CARD.  */
static void
bind_card (scd_session_t sess, scd_card_t card)
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
      bind_card (sess, card);
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
            bind_card (sess, card);
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

static unsigned int
pin_flags (void)
{
  return scd_opt.refuse_last_try ? 0 : APP_FLAG_INSIST;
}

/* Copy the key id argument of LINE (after the options) to *R_KEYID:
 * the line buffer is reused by an inquiry.  */
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


/*
 * Commands
 */

static const char hlp_serialno[] =
  "SERIALNO [--demand=<serialno>] [--all] [<apptype>]\n"
  "\n"
  "Return the serial number of the card as status line\n"
  "  S SERIALNO <hexstring>\n"
  "Selects the card with --demand; <apptype> is \"openpgp\" or\n"
  "\"undefined\" (open the card without selecting an application).";
static gpg_error_t
cmd_serialno (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  char *demand = NULL;
  const char *apptype;
  scd_card_t card = NULL;
  int undefined = 0;

  if (!scd_check_options (line, (const char *const[])
                          { "--demand", "--all", NULL }))
    return set_error (GPG_ERR_ASS_PARAMETER, "unknown option");
  demand = scd_option_value (line, "--demand");
  apptype = scd_skip_options (line);
  if (*apptype)
    {
      if (!strcasecmp (apptype, "undefined"))
        undefined = 1;
      else if (strcasecmp (apptype, "openpgp"))
        {
          xfree (demand);
          return gpg_error (GPG_ERR_NOT_SUPPORTED);
        }
    }

  scd_lock_cards ();
  if (scd_lock_owner && scd_lock_owner != sess)
    {
      err = gpg_error (GPG_ERR_LOCKED);
      goto leave;
    }
  sess->card_removed = 0;
  err = scd_scan_cards (undefined);
  if (err && gpg_err_code (err) != GPG_ERR_ENODEV)
    goto leave;
  if (demand)
    {
      card = scd_find_card (demand);
      if (!card)
        {
          err = gpg_error (GPG_ERR_ENODEV);
          goto leave;
        }
    }
  else
    {
      if (sess->reader[0])
        card = scd_find_card_by_reader (sess->reader);
      if (card && !card->app && !undefined)
        card = NULL;
      if (!card)
        for (card = scd_first_card (); card; card = card->next)
          if (card->app || undefined)
            break;
    }
  if (!card)
    {
      if (!err)
        err = gpg_error (GPG_ERR_CARD_NOT_PRESENT);
      goto leave;
    }
  err = 0;
  bind_card (sess, card);
  sess->undefined_app = undefined;
  err = send_status_direct (ctx, "SERIALNO",
                            card->app ? card->app->serialno : "FF7F00");

 leave:
  scd_unlock_cards ();
  xfree (demand);
  return err;
}

/* Emit the OpenPGP application's LEARN lines (B.4).  */
static gpg_error_t do_getattr (assuan_context_t ctx, scd_card_t card,
                               const char *name);

static gpg_error_t
send_keypairinfo (assuan_context_t ctx, app_t app, int keyno)
{
  gpg_error_t err;
  const char *grip;
  char buf[200];

  err = app_openpgp_readkey (app, keyno, NULL, NULL, &grip);
  if (err)
    return err;
  snprintf (buf, sizeof buf, "%s OPENPGP.%d %s %lu %s", grip, keyno,
            usage_string (keyno), (unsigned long)app->keytime[keyno - 1],
            app->keyattr[keyno - 1].algostr);
  return send_status_direct (ctx, "KEYPAIRINFO", buf);
}

/* True if slot KEYNO seems to hold a key (no APDU needed).  */
static int
key_present (app_t app, int keyno)
{
  int i;

  if (app->have_keystatus && app->keystatus[keyno - 1] != 0xff)
    return app->keystatus[keyno - 1] != 0;
  for (i = 0; i < 20; i++)
    if (app->fpr[keyno - 1][i])
      return 1;
  return 0;
}

static gpg_error_t
learn_app (assuan_context_t ctx, scd_card_t card)
{
  gpg_error_t err;
  app_t app = card->app;
  static const char *const names[] =
    { "EXTCAP", "MANUFACTURER", "DISP-NAME", "DISP-LANG", "DISP-SEX",
      "PUBKEY-URL", "LOGIN-DATA", "KEY-FPR", "KEY-TIME", "CA-FPR",
      "CHV-STATUS", "SIG-COUNTER", NULL };
  int i;

  for (i = 0; names[i]; i++)
    {
      if (!strcmp (names[i], "KEY-TIME") && app->version <= 0x0100)
        continue;
      if ((err = do_getattr (ctx, card, names[i])))
        return err;
    }
  if (app->extcap.kdf_do && app->kdf.present
      && (err = do_getattr (ctx, card, "KDF")))
    return err;
  if (app->extcap.has_button && (err = do_getattr (ctx, card, "UIF")))
    return err;
  if (app->extcap.private_dos)
    {
      if ((err = do_getattr (ctx, card, "PRIVATE-DO-1"))
          || (err = do_getattr (ctx, card, "PRIVATE-DO-2")))
        return err;
      if (app->did_chv2 && (err = do_getattr (ctx, card, "PRIVATE-DO-3")))
        return err;
      if (app->did_chv3 && (err = do_getattr (ctx, card, "PRIVATE-DO-4")))
        return err;
    }
  for (i = 1; i <= 3; i++)
    if (key_present (app, i))
      {
        err = send_keypairinfo (ctx, app, i);
        if (err && gpg_err_code (err) != GPG_ERR_NO_OBJ)
          return err;
      }
  return 0;
}

static const char hlp_learn[] =
  "LEARN [--force] [--keypairinfo]\n"
  "\n"
  "Learn all useful information of the current card and send it as\n"
  "status lines.  Without --force the client is first asked\n"
  "  INQUIRE KNOWNCARDP <hexserialno>";
static gpg_error_t
cmd_learn (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int force = scd_has_option (line, "--force");
  int only_kpi = scd_has_option (line, "--keypairinfo");
  char buf[100];

  scd_lock_cards ();
  err = get_card (sess, 1, &card);
  if (err)
    goto leave;
  err = app_openpgp_refresh (card->app);
  if (err)
    goto leave;
  if (!only_kpi)
    {
      if ((err = send_status_direct (ctx, "READER", card->reader))
          || (err = send_status_direct (ctx, "SERIALNO",
                                        card->app->serialno)))
        goto leave;
      if (!force)
        {
          unsigned char *value = NULL;
          size_t valuelen = 0;

          snprintf (buf, sizeof buf, "KNOWNCARDP %s", card->app->serialno);
          err = inquire_data (ctx, buf, 100, &value, &valuelen);
          wipe_and_free (value, valuelen);
          if (err)
            goto leave;
        }
      if ((err = send_status_direct (ctx, "APPTYPE", "openpgp")))
        goto leave;
      snprintf (buf, sizeof buf, "%X", card->app->version);
      if ((err = send_status_direct (ctx, "APPVERSION", buf)))
        goto leave;
    }
  err = learn_app (ctx, card);

 leave:
  scd_unlock_cards ();
  return err;
}

/* Send the GETATTR status line(s) for NAME.  */
static gpg_error_t
do_getattr (assuan_context_t ctx, scd_card_t card, const char *name)
{
  app_t app = card->app;
  gpg_error_t err = 0;
  char buf[300], hex[41];
  int i;

  if (!strcmp (name, "SERIALNO"))
    return send_status_direct (ctx, name, app->serialno);
  if (!strcmp (name, "AID"))
    return send_status_value (ctx, name, app->aid, 16);
  if (!strcmp (name, "APPTYPE"))
    return send_status_direct (ctx, name, "openpgp");
  if (!strcmp (name, "APPVERSION"))
    {
      snprintf (buf, sizeof buf, "%X", app->version);
      return send_status_direct (ctx, name, buf);
    }
  if (!strcmp (name, "EXTCAP"))
    {
      int sm = 0;

      if (app->extcap.sm_supported)
        sm = app->extcap.sm_algo == 1 ? 7 : app->extcap.sm_algo == 2 ? 9 : 2;
      snprintf (buf, sizeof buf,
                "gc=%d ki=%d fc=%d pd=%d mcl3=%u aac=%d "
                "sm=%d si=%u dec=%d bt=%d kdf=%d",
                app->extcap.get_challenge, app->extcap.key_import,
                app->extcap.change_force_chv, app->extcap.private_dos,
                app->extcap.max_certlen_3, app->extcap.algo_attr_change,
                sm, (unsigned)app->status_indicator,
                app->extcap.has_decrypt, app->extcap.has_button,
                app->extcap.kdf_do);
      return send_status_value (ctx, name, buf, strlen (buf));
    }
  if (!strcmp (name, "MANUFACTURER"))
    {
      snprintf (buf, sizeof buf, "%u %s", app->manufacturer,
                app_openpgp_manufacturer_name (app->manufacturer));
      return send_status_direct (ctx, name, buf);
    }
  if (!strcmp (name, "$DISPSERIALNO"))
    {
      app_openpgp_dispserialno (app, buf, sizeof buf);
      return send_status_value (ctx, name, buf, strlen (buf));
    }
  if (!strcmp (name, "$SIGNKEYID"))
    return send_status_direct (ctx, name, "OPENPGP.1");
  if (!strcmp (name, "$ENCRKEYID"))
    return send_status_direct (ctx, name, "OPENPGP.2");
  if (!strcmp (name, "$AUTHKEYID"))
    return send_status_direct (ctx, name, "OPENPGP.3");
  {
    static const struct { const char *n; size_t off; } dos[] =
      {
        { "DISP-NAME", offsetof (struct app_s, name) },
        { "DISP-LANG", offsetof (struct app_s, lang) },
        { "DISP-SEX", offsetof (struct app_s, sex) },
        { "PUBKEY-URL", offsetof (struct app_s, url) },
        { "LOGIN-DATA", offsetof (struct app_s, login) },
        { "KDF", offsetof (struct app_s, kdf) },
        { "PRIVATE-DO-1", offsetof (struct app_s, private_do[0]) },
        { "PRIVATE-DO-2", offsetof (struct app_s, private_do[1]) },
        { "PRIVATE-DO-3", offsetof (struct app_s, private_do[2]) },
        { "PRIVATE-DO-4", offsetof (struct app_s, private_do[3]) },
      };

    for (i = 0; i < (int)DIM (dos); i++)
      if (!strcmp (dos[i].n, name))
        {
          const app_do_t *d = (const app_do_t *)((char *)app + dos[i].off);
          return send_status_value (ctx, name, d->data,
                                    d->present ? d->len : 0);
        }
  }
  if (!strcmp (name, "KEY-FPR") || !strcmp (name, "CA-FPR"))
    {
      int ca = name[0] == 'C';

      for (i = 0; i < 3 && !err; i++)
        {
          const unsigned char *f = ca ? app->cafpr[i] : app->fpr[i];
          int j, zero = 1;

          for (j = 0; j < 20; j++)
            if (f[j])
              zero = 0;
          if (zero)
            continue;
          snprintf (buf, sizeof buf, "%d", i + 1);
          err = send_status_2 (ctx, name, buf, oca_bin2hex (f, 20, hex));
        }
      return err;
    }
  if (!strcmp (name, "KEY-TIME"))
    {
      for (i = 0; i < 3 && !err; i++)
        if (app->keytime[i])
          {
            snprintf (buf, sizeof buf, "%d %lu", i + 1,
                      (unsigned long)app->keytime[i]);
            err = send_status_direct (ctx, name, buf);
          }
      return err;
    }
  if (!strcmp (name, "CHV-STATUS"))
    {
      size_t n = 0;

      for (i = 0; i < 7; i++)
        n += snprintf (buf + n, sizeof buf - n, " %d", app->chv_status[i]);
      return send_status_value (ctx, name, buf, n);
    }
  if (!strcmp (name, "SIG-COUNTER"))
    {
      snprintf (buf, sizeof buf, "%lu", app->sig_counter);
      return send_status_direct (ctx, name, buf);
    }
  if (!strcmp (name, "KEY-ATTR"))
    {
      for (i = 0; i < 3 && !err; i++)
        {
          const card_keyattr_t *a = &app->keyattr[i];

          if (a->algo == CARD_ALGO_RSA)
            snprintf (buf, sizeof buf, "%d 1 rsa%u %u %d", i + 1,
                      a->nbits, a->ebits, a->rsa_format + 1);
          else if (a->algo && a->curve)
            snprintf (buf, sizeof buf, "%d %d %s", i + 1, a->algo, a->curve);
          else
            snprintf (buf, sizeof buf, "%d 0 0 UNKNOWN", i + 1);
          err = send_status_direct (ctx, name, buf);
        }
      return err;
    }
  if (!strncmp (name, "UIF-", 4) && name[4] >= '1' && name[4] <= '3'
      && !name[5])
    {
      i = name[4] - '1';
      if (!app->have_uif[i])
        return send_status_value (ctx, name, NULL, 0);
      return send_status_value (ctx, name, app->uif[i], 2);
    }
  if (!strcmp (name, "UIF"))
    {
      for (i = 0; i < 3 && !err; i++)
        {
          char n[6] = "UIF-1";

          n[4] = '1' + i;
          if (app->have_uif[i])
            err = send_status_value (ctx, n, app->uif[i], 2);
        }
      return err;
    }
  if (!strcmp (name, "KEY-STATUS"))
    {
      for (i = 0; i < 3 && !err; i++)
        if (app->have_keystatus && app->keystatus[i] != 0xff)
          {
            snprintf (buf, sizeof buf, "OPENPGP.%d %u", i + 1,
                      app->keystatus[i]);
            err = send_status_direct (ctx, name, buf);
          }
      return err;
    }
  if (!strcmp (name, "KEY-ATTR-INFO"))
    {
      card_algoinfo_t *info = NULL;
      size_t ninfo = 0, k;

      /* One line per entry of DO FA, in card order.  */
      err = app_openpgp_algoinfo (app, &info, &ninfo);
      if (!err)
        {
          for (k = 0; k < ninfo && !err; k++)
            {
              snprintf (buf, sizeof buf, "OPENPGP.%d %s", info[k].keyno,
                        info[k].attr.algostr);
              err = send_status_direct (ctx, name, buf);
            }
          xfree (info);
          return err;
        }
      if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
        return err;
      /* Without DO FA: report the current attributes.  */
      err = 0;
      for (i = 0; i < 3 && !err; i++)
        if (app->keyattr[i].algo)
          {
            snprintf (buf, sizeof buf, "OPENPGP.%d %s", i + 1,
                      app->keyattr[i].algostr);
            err = send_status_direct (ctx, name, buf);
          }
      return err;
    }
  return gpg_error (GPG_ERR_INV_NAME);
}

static const char hlp_getattr[] =
  "GETATTR <name> [<keygrip>]\n"
  "\n"
  "Return the attribute NAME of the card as status line(s).";
static gpg_error_t
cmd_getattr (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  char name[64];
  char *p;
  int keyno;

  line = scd_skip_options (line);
  for (p = line; *p && *p != ' '; p++)
    ;
  if (p == line || (size_t)(p - line) >= sizeof name)
    return set_error (GPG_ERR_ASS_PARAMETER, "attribute name missing");
  memcpy (name, line, p - line);
  name[p - line] = 0;
  while (*p == ' ')
    p++;

  scd_lock_cards ();
  if (*p && scd_is_keygrip (p))
    err = get_key (sess, p, 0, &card, &keyno);
  else
    err = get_card (sess, 1, &card);
  if (err)
    goto leave;
  if (strcmp (name, "SERIALNO") && strcmp (name, "AID")
      && strcmp (name, "APPTYPE") && strcmp (name, "MANUFACTURER")
      && name[0] != '$')
    {
      err = app_openpgp_refresh (card->app);
      if (err)
        goto leave;
    }
  err = do_getattr (ctx, card, name);

 leave:
  scd_unlock_cards ();
  return err;
}

static const char hlp_setattr[] =
  "SETATTR [--inquire] <name> <value>\n"
  "\n"
  "Store VALUE (percent-plus escaped) as attribute NAME on the card;\n"
  "with --inquire the value is asked for with INQUIRE VALUE.";
static gpg_error_t
cmd_setattr (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int inquire = scd_has_option (line, "--inquire");
  char *name = NULL, *p;
  unsigned char *value = NULL;
  size_t valuelen = 0;

  if (scd_opt.deny_admin)
    return set_error (GPG_ERR_EACCES, "admin commands disabled");
  line = scd_skip_options (line);
  for (p = line; *p && *p != ' '; p++)
    ;
  if (p == line)
    return set_error (GPG_ERR_ASS_PARAMETER, "attribute name missing");
  name = xtrymalloc (p - line + 1);
  if (!name)
    return oca_error_from_errno ();
  memcpy (name, line, p - line);
  name[p - line] = 0;
  while (*p == ' ')
    p++;
  if (inquire)
    {
      if (*p)
        {
          err = set_error (GPG_ERR_ASS_PARAMETER, "value not expected");
          goto leave;
        }
      assuan_begin_confidential (ctx);
      err = inquire_data (ctx, "VALUE", MAXLEN_VALUE, &value, &valuelen);
      assuan_end_confidential (ctx);
      if (err)
        goto leave;
    }
  else
    {
      membuf_t mb;

      membuf_init (&mb, MAXLEN_VALUE, 1);
      err = scd_unescape_to (&mb, p, strlen (p), 1);
      if (!err)
        err = membuf_take (&mb, &value, &valuelen);
      membuf_release (&mb);
      if (gpg_err_code (err) == GPG_ERR_INV_DATA)
        err = set_error (GPG_ERR_ASS_PARAMETER, "invalid escape in value");
      if (err)
        goto leave;
    }

  scd_lock_cards ();
  err = get_card (sess, 1, &card);
  if (!err)
    err = app_openpgp_setattr (card->app, name, value, valuelen,
                               pin_flags (), pin_cb, sess);
  scd_unlock_cards ();

 leave:
  xfree (name);
  wipe_and_free (value, valuelen);
  return err;
}

static const char hlp_readkey[] =
  "READKEY [--advanced] [--info[-only]] <keyid>\n"
  "\n"
  "Return the public key for KEYID (OPENPGP.n or keygrip) as a\n"
  "canonical S-expression.  --info also emits KEYPAIRINFO.";
static gpg_error_t
cmd_readkey (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int keyno;
  int advanced = scd_has_option (line, "--advanced");
  int info = scd_has_option (line, "--info");
  int info_only = scd_has_option (line, "--info-only");
  char *fmt = scd_option_value (line, "--format");
  const unsigned char *sexp;
  size_t sexplen;

  if (fmt)
    {
      if (!strcmp (fmt, "advanced"))
        advanced = 1;
      else if (strcmp (fmt, "canonical"))
        {
          xfree (fmt);
          return gpg_error (GPG_ERR_UNSUPPORTED_OPERATION);
        }
      xfree (fmt);
    }
  line = scd_skip_options (line);
  if (!*line)
    return set_error (GPG_ERR_ASS_PARAMETER, "no key id given");

  scd_lock_cards ();
  err = get_key (sess, line, 0, &card, &keyno);
  if (err)
    goto leave;
  err = app_openpgp_readkey (card->app, keyno, &sexp, &sexplen, NULL);
  if (err)
    goto leave;
  if (info || info_only)
    {
      err = send_keypairinfo (ctx, card->app, keyno);
      if (err)
        goto leave;
    }
  if (!info_only)
    {
      if (advanced)
        {
          gcry_sexp_t s;
          size_t n;
          char *buf;

          err = gcry_sexp_sscan (&s, NULL, (const char *)sexp, sexplen);
          if (err)
            goto leave;
          n = gcry_sexp_sprint (s, GCRYSEXP_FMT_ADVANCED, NULL, 0);
          buf = xtrymalloc (n + 1);
          if (!buf)
            {
              err = oca_error_from_errno ();
              gcry_sexp_release (s);
              goto leave;
            }
          n = gcry_sexp_sprint (s, GCRYSEXP_FMT_ADVANCED, buf, n + 1);
          gcry_sexp_release (s);
          err = assuan_send_data (ctx, buf, n);
          xfree (buf);
        }
      else
        err = assuan_send_data (ctx, sexp, sexplen);
    }

 leave:
  scd_unlock_cards ();
  return err;
}

static const char hlp_setdata[] =
  "SETDATA [--append] <hexstring>\n"
  "\n"
  "Store the data for PKSIGN, PKAUTH and PKDECRYPT (at most 4096\n"
  "bytes in total).";
static gpg_error_t
cmd_setdata (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  int append = scd_has_option (line, "--append");
  size_t n, total;
  unsigned char *buf;

  line = scd_skip_options (line);
  n = strlen (line);
  if (!n || (n & 1))
    return set_error (GPG_ERR_ASS_PARAMETER, "invalid hexstring");
  n /= 2;
  total = append ? sess->setdatalen + n : n;
  if (total > MAXLEN_SETDATA)
    return set_error (GPG_ERR_TOO_LARGE,
                      "limit on total size of data reached");
  buf = xtrymalloc_secure (total);
  if (!buf)
    return oca_error_from_errno ();
  if (append && sess->setdata)
    memcpy (buf, sess->setdata, sess->setdatalen);
  err = oca_hex2bin (line, buf + (total - n), n);
  if (err)
    {
      wipe_and_free (buf, total);
      return set_error (GPG_ERR_ASS_PARAMETER, "invalid hexstring");
    }
  wipe_and_free (sess->setdata, sess->setdatalen);
  sess->setdata = buf;
  sess->setdatalen = total;
  return 0;
}

/* Prepare the SETDATA input for a signature with KEYNO: RSA gets a
 * DigestInfo, ECC the bare digest.  */
static gpg_error_t
prepare_sign_data (scd_session_t sess, app_t app, int keyno, int hashalgo,
                   int raw, unsigned char **r_data, size_t *r_len)
{
  gpg_error_t err;
  const card_keyattr_t *attr = &app->keyattr[keyno - 1];
  const unsigned char *digest, *prefix;
  size_t digestlen, prefixlen;
  int algo;
  unsigned char *buf;

  *r_data = NULL;
  *r_len = 0;
  if (raw)
    {
      digest = sess->setdata;
      digestlen = sess->setdatalen;
      prefix = NULL;
      prefixlen = 0;
    }
  else
    {
      err = card_strip_digestinfo (sess->setdata, sess->setdatalen,
                                   hashalgo, &algo, &digest, &digestlen);
      if (err)
        return err;
      prefix = attr->algo == CARD_ALGO_RSA
        ? card_digestinfo_prefix (algo, &prefixlen) : NULL;
      if (!prefix)
        prefixlen = 0;
    }
  buf = xtrymalloc (prefixlen + digestlen);
  if (!buf)
    return oca_error_from_errno ();
  if (prefixlen)
    memcpy (buf, prefix, prefixlen);
  memcpy (buf + prefixlen, digest, digestlen);
  *r_data = buf;
  *r_len = prefixlen + digestlen;
  return 0;
}

static const char hlp_pksign[] =
  "PKSIGN [--hash=[rmd160|sha{1,224,256,384,512}|md5|none]] <keyid>\n"
  "\n"
  "Sign the data set with SETDATA using KEYID (OPENPGP.1 or a\n"
  "keygrip; OPENPGP.3 uses INTERNAL AUTHENTICATE).";
static gpg_error_t
cmd_pksign (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int keyno, hashalgo = GCRY_MD_SHA1, raw = 0;
  char *hash = scd_option_value (line, "--hash");
  unsigned char *data = NULL, *sig = NULL;
  size_t datalen = 0, siglen = 0;
  char *keyid = NULL;

  if (hash)
    {
      if (!strcmp (hash, "none"))
        raw = 1;
      else if (!(hashalgo = card_hash_from_name (hash)))
        {
          xfree (hash);
          return set_error (GPG_ERR_ASS_PARAMETER, "invalid hash algorithm");
        }
      xfree (hash);
    }
  else if (scd_has_option (line, "--hash"))
    return set_error (GPG_ERR_ASS_PARAMETER, "invalid hash algorithm");
  err = dup_keyid (ctx, line, &keyid);
  if (err)
    return err;

  scd_lock_cards ();
  err = get_setdata_key (sess, keyid, (1u << 1) | (1u << 3), &card, &keyno);
  if (err)
    goto leave;
  err = prepare_sign_data (sess, card->app, keyno, hashalgo, raw,
                           &data, &datalen);
  if (err)
    goto leave;
  err = app_openpgp_sign (card->app, keyno, data, datalen, pin_flags (),
                          pin_cb, sess, &sig, &siglen);
  if (err)
    goto leave;
  err = assuan_send_data (ctx, sig, siglen);

 leave:
  scd_unlock_cards ();
  xfree (data);
  xfree (sig);
  xfree (keyid);
  return err;
}

static const char hlp_pkauth[] =
  "PKAUTH <keyid>\n"
  "\n"
  "INTERNAL AUTHENTICATE with the data set with SETDATA.";
static gpg_error_t
cmd_pkauth (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int keyno, algo;
  unsigned char *sig = NULL;
  size_t siglen = 0, datalen;
  const unsigned char *data, *digest;
  size_t digestlen;
  char *keyid;

  if (scd_has_option (line, "--challenge-response"))
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  err = dup_keyid (ctx, line, &keyid);
  if (err)
    return err;

  scd_lock_cards ();
  err = get_setdata_key (sess, keyid, 1u << 3, &card, &keyno);
  if (err)
    goto leave;
  data = sess->setdata;
  datalen = sess->setdatalen;
  if (card->app->keyattr[2].algo != CARD_ALGO_RSA
      && datalen > 35
      && !card_strip_digestinfo (data, datalen, 0, &algo, &digest,
                                 &digestlen)
      && digest != data)
    {
      data = digest;
      datalen = digestlen;
    }
  err = app_openpgp_sign (card->app, 3, data, datalen, pin_flags (),
                          pin_cb, sess, &sig, &siglen);
  if (err)
    goto leave;
  err = assuan_send_data (ctx, sig, siglen);

 leave:
  scd_unlock_cards ();
  xfree (sig);
  xfree (keyid);
  return err;
}

static const char hlp_pkdecrypt[] =
  "PKDECRYPT <keyid>\n"
  "\n"
  "Decrypt the data set with SETDATA using KEYID (OPENPGP.2 or a\n"
  "keygrip).  Emits S PADDING 0, then the plaintext as data.";
static gpg_error_t
cmd_pkdecrypt (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int keyno;
  unsigned char *out = NULL;
  size_t outlen = 0;
  char *keyid;

  err = dup_keyid (ctx, line, &keyid);
  if (err)
    return err;

  scd_lock_cards ();
  err = get_setdata_key (sess, keyid, 1u << 2, &card, &keyno);
  if (err)
    goto leave;
  err = app_openpgp_decipher (card->app, 2, sess->setdata, sess->setdatalen,
                              pin_flags (), pin_cb, sess, &out, &outlen);
  if (err)
    goto leave;
  err = send_status_direct (ctx, "PADDING", "0");
  if (!err)
    err = assuan_send_data (ctx, out, outlen);

 leave:
  scd_unlock_cards ();
  wipe_and_free (out, outlen);
  xfree (keyid);
  return err;
}

/* Send KEY-DATA NAME HEX in 768-digit chunks (B.3).  */
static gpg_error_t
send_key_data (assuan_context_t ctx, const char *name,
               const unsigned char *buf, size_t len)
{
  gpg_error_t err = 0;
  char *hex;
  const char *p;
  size_t n;

  hex = xtrymalloc (2 * len + 1);
  if (!hex)
    return oca_error_from_errno ();
  oca_bin2hex (buf, len, hex);
  p = hex;
  n = 2 * len;
  for (; n > 768 && !err; n -= 768, p += 768)
    {
      char chunk[800];

      snprintf (chunk, sizeof chunk, "- %.768s", p);
      err = send_status_direct (ctx, "KEY-DATA", chunk);
    }
  if (!err)
    {
      char *l = xtrymalloc (strlen (name) + 1 + n + 1);

      if (!l)
        err = oca_error_from_errno ();
      else
        {
          snprintf (l, strlen (name) + n + 2, "%s %s", name, p);
          err = send_status_direct (ctx, "KEY-DATA", l);
          xfree (l);
        }
    }
  xfree (hex);
  return err;
}

/* Parse an ISO time "YYYYMMDDTHHMMSS" or a decimal epoch.  */
static int
parse_timestamp (const char *s, uint32_t *r_time)
{
  struct tm tm;
  int n;

  *r_time = 0;
  if (strlen (s) >= 15 && s[8] == 'T')
    {
      memset (&tm, 0, sizeof tm);
      n = sscanf (s, "%4d%2d%2dT%2d%2d%2d", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
      if (n != 6)
        return -1;
      tm.tm_year -= 1900;
      tm.tm_mon -= 1;
      *r_time = (uint32_t)timegm (&tm);
      return 0;
    }
  if (*s >= '0' && *s <= '9')
    {
      *r_time = (uint32_t)strtoul (s, NULL, 10);
      return 0;
    }
  return -1;
}

static const char hlp_genkey[] =
  "GENKEY [--force] [--timestamp=<isodate>] [--algo=<algo>] <keyno>\n"
  "\n"
  "Generate a key on the card in slot KEYNO (1, 2, 3 or OPENPGP.n).\n"
  "Emits KEY-CREATED-AT, KEY-DATA and KEY-FPR status lines.";
static gpg_error_t
cmd_genkey (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int keyno;
  unsigned int flags = pin_flags ();
  char *ts = scd_option_value (line, "--timestamp");
  char *algo = scd_option_value (line, "--algo");
  uint32_t created = 0;
  app_genkey_info_t *info = NULL;
  char buf[100], hex[41];

  if (scd_opt.deny_admin)
    {
      err = set_error (GPG_ERR_EACCES, "admin commands disabled");
      goto leave_nolock;
    }
  if (scd_has_option (line, "--force"))
    flags |= APP_FLAG_FORCE;
  if (ts && parse_timestamp (ts, &created))
    {
      err = set_error (GPG_ERR_ASS_PARAMETER, "invalid time given");
      goto leave_nolock;
    }
  keyno = scd_parse_keyref (scd_skip_options (line), 1);
  if (!keyno)
    {
      err = set_error (GPG_ERR_ASS_PARAMETER, "invalid key number");
      goto leave_nolock;
    }

  scd_lock_cards ();
  err = get_card (sess, 1, &card);
  if (err)
    goto leave;
  if (algo)
    {
      card_keyattr_t want;
      int id;

      if (!strncmp (algo, "rsa", 3))
        id = CARD_ALGO_RSA;
      else
        {
          err = card_keyattr_from_curve (algo, keyno, &want);
          if (err)
            goto leave;
          id = want.algo;
        }
      snprintf (buf, sizeof buf, "--force %d %d %s", keyno, id, algo);
      err = app_openpgp_setattr (card->app, "KEY-ATTR",
                                 (unsigned char *)buf, strlen (buf),
                                 pin_flags (), pin_cb, sess);
      if (err)
        goto leave;
    }
  err = app_openpgp_genkey (card->app, keyno, flags, created,
                            pin_cb, sess, &info);
  if (err)
    goto leave;
  snprintf (buf, sizeof buf, "%lu", (unsigned long)info->created);
  if ((err = send_status_direct (ctx, "KEY-CREATED-AT", buf)))
    goto leave;
  if (info->n)
    {
      if ((err = send_key_data (ctx, "n", info->n, info->nlen))
          || (err = send_key_data (ctx, "e", info->e, info->elen)))
        goto leave;
    }
  else
    {
      unsigned char oid[16];

      oid[0] = info->attr.oidlen;
      memcpy (oid + 1, info->attr.oid, info->attr.oidlen);
      if ((err = send_key_data (ctx, "q", info->q, info->qlen))
          || (err = send_key_data (ctx, "curve", oid,
                                   info->attr.oidlen + 1)))
        goto leave;
      if (info->attr.algo == CARD_ALGO_ECDH
          && (err = send_key_data (ctx, "kdf", info->kdf, 4)))
        goto leave;
    }
  err = send_status_direct (ctx, "KEY-FPR", oca_bin2hex (info->fpr, 20, hex));

 leave:
  scd_unlock_cards ();
 leave_nolock:
  app_genkey_info_release (info);
  xfree (ts);
  xfree (algo);
  return err;
}

static const char hlp_writekey[] =
  "WRITEKEY [--force] <keyid>\n"
  "\n"
  "Store a private key on the card; the key is asked for with\n"
  "INQUIRE KEYDATA as canonical S-expression (at most 4096 bytes).";
static gpg_error_t
cmd_writekey (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int keyno;
  unsigned int flags = pin_flags ();
  unsigned char *keydata = NULL;
  size_t keydatalen = 0;

  if (scd_opt.deny_admin)
    return set_error (GPG_ERR_EACCES, "admin commands disabled");
  if (scd_has_option (line, "--force"))
    flags |= APP_FLAG_FORCE;
  line = scd_skip_options (line);
  if (!*line)
    return set_error (GPG_ERR_ASS_PARAMETER, "no keyid given");
  keyno = scd_parse_keyref (line, 0);
  if (!keyno)
    return gpg_error (GPG_ERR_INV_ID);  /* As scdaemon.  */

  assuan_begin_confidential (ctx);
  err = inquire_data (ctx, "KEYDATA", MAXLEN_KEYDATA, &keydata, &keydatalen);
  assuan_end_confidential (ctx);
  if (err)
    goto leave;
  if (!keydatalen)
    {
      err = gpg_error (GPG_ERR_NO_DATA);
      goto leave;
    }
  scd_lock_cards ();
  err = get_card (sess, 1, &card);
  if (!err)
    err = app_openpgp_writekey (card->app, keyno, flags, keydata, keydatalen,
                                pin_cb, sess);
  scd_unlock_cards ();

 leave:
  wipe_and_free (keydata, keydatalen);
  return err;
}

static const char hlp_passwd[] =
  "PASSWD [--reset] [--nullpin] [--clear] <chvno> [<keygrip>]\n"
  "\n"
  "Change the PIN CHVNO (1 = PIN, 2 = unblock with Reset Code /\n"
  "set Reset Code with --reset, 3 = Admin PIN).  --clear resets the\n"
  "verification state.";
static gpg_error_t
cmd_passwd (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int reset = scd_has_option (line, "--reset");
  int clear = scd_has_option (line, "--clear");
  int chvno;
  char *p;

  if (scd_has_option (line, "--nullpin"))
    return gpg_error (GPG_ERR_UNSUPPORTED_OPERATION);
  if (clear && reset)
    return set_error (GPG_ERR_ASS_PARAMETER,
                      "--clear can't be combined with other options");
  p = scd_skip_options (line);
  if (!*p)
    return set_error (GPG_ERR_ASS_PARAMETER, "no CHV number given");
  chvno = scd_parse_keyref (p, 1);
  if (!chvno)
    return gpg_error (GPG_ERR_INV_ID);  /* As scdaemon.  */
  if (!clear && scd_opt.deny_admin && (reset || chvno == 3))
    return set_error (GPG_ERR_EACCES, "admin commands disabled");
  while (*p && *p != ' ')
    p++;
  while (*p == ' ')
    p++;

  scd_lock_cards ();
  if (*p && scd_is_keygrip (p))
    {
      int keyno;
      err = get_key (sess, p, 0, &card, &keyno);
    }
  else
    err = get_card (sess, 1, &card);
  if (err)
    goto leave;
  if (clear)
    err = app_openpgp_clear_pin (card->app, chvno);
  else
    err = app_openpgp_change_pin (card->app, chvno, reset, pin_cb, sess);

 leave:
  scd_unlock_cards ();
  return err;
}

static const char hlp_checkpin[] =
  "CHECKPIN <idstr>\n"
  "\n"
  "Verify the PIN: <hexserialno>[/<fpr>] verifies PW1,\n"
  "<hexserialno>[CHV3] the Admin PIN.";
static gpg_error_t
cmd_checkpin (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  char *idstr;
  int admin;
  size_t n;

  idstr = xtrystrdup (scd_skip_options (line));
  if (!idstr)
    return oca_error_from_errno ();
  n = strlen (idstr);
  admin = n > 6 && !strcmp (idstr + n - 6, "[CHV3]");
  if (admin)
    idstr[n - 6] = 0;

  scd_lock_cards ();
  err = get_card (sess, 1, &card);
  if (err)
    goto leave;
  /* As scdaemon: the serial number is required.  */
  if (strncmp (idstr, "D27600012401", 12) || strlen (idstr) < 32)
    {
      err = gpg_error (GPG_ERR_INV_ID);
      goto leave;
    }
  if (strncasecmp (idstr + 16, card->app->serialno + 16, 12))
    {
      err = gpg_error (GPG_ERR_WRONG_CARD);
      goto leave;
    }
  if (admin)
    {
      err = app_openpgp_refresh (card->app);
      if (err)
        goto leave;
      if (!card->app->chv_status[6])
        err = gpg_error (GPG_ERR_PIN_BLOCKED);
      else if (card->app->chv_status[6] < 3)
        err = set_error (GPG_ERR_GENERAL,
                         "Verification of Admin PIN is currently "
                         "prohibited through this command");
      else
        err = app_openpgp_verify (card->app, 3, APP_FLAG_INSIST,
                                  pin_cb, sess);
    }
  else
    err = app_openpgp_verify (card->app, 2, APP_FLAG_INSIST, pin_cb, sess);

 leave:
  scd_unlock_cards ();
  xfree (idstr);
  return err;
}

static const char hlp_random[] =
  "RANDOM <nbytes>\n"
  "\n"
  "Return NBYTES random bytes from the card as data.";
static gpg_error_t
cmd_random (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  unsigned long n;
  char *end;
  unsigned char *buf = NULL;

  n = strtoul (line, &end, 10);
  if (!*line || *end || !n || n > 4096)
    return set_error (GPG_ERR_ASS_PARAMETER, "invalid number of bytes");
  buf = xtrymalloc (n);
  if (!buf)
    return oca_error_from_errno ();
  scd_lock_cards ();
  err = get_card (sess, 1, &card);
  if (!err && !card->app->extcap.get_challenge)
    err = gpg_error (GPG_ERR_NOT_SUPPORTED);
  if (!err)
    err = app_openpgp_random (card->app, n, buf);
  scd_unlock_cards ();
  if (!err)
    err = assuan_send_data (ctx, buf, n);
  xfree (buf);
  return err;
}

static const char hlp_apdu[] =
  "APDU [--atr] [--more] [--exlen[=N]] [<hexstring>]\n"
  "\n"
  "Send a raw APDU to the card; the data returned includes SW1 SW2.\n"
  "--atr first emits S CARD-ATR <hex>; --more follows 61xx.";
static gpg_error_t
cmd_apdu (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int with_atr = scd_has_option (line, "--atr")
    || scd_has_option (line, "--data-atr")
    || scd_has_option (line, "--dump-atr");
  int more = scd_has_option (line, "--more");
  unsigned char *apdu = NULL, *res = NULL;
  size_t apdulen = 0, reslen = 0;
  char *hex = NULL;

  line = scd_skip_options (line);
  if (*line)
    {
      /* Like scdaemon, allow blanks and colons between the digits.  */
      char *p, *q;

      for (p = q = line; *p; p++)
        if (*p != ' ' && *p != '\t' && *p != ':')
          *q++ = *p;
      *q = 0;
      /* Odd digits or less than a header (CLA INS P1 P2) never reach
       * the card: a 1-byte APDU is a control code for some readers.  */
      err = oca_hex2bin_alloc (line, 1, &apdu, &apdulen);
      if (err || apdulen < 4)
        {
          wipe_and_free (apdu, apdulen);
          return set_error (GPG_ERR_INV_VALUE,
                            err ? "invalid hexstring"
                            : "APDU shorter than 4 bytes");
        }
    }
  scd_lock_cards ();
  err = get_card (sess, 0, &card);
  if (err)
    goto leave;
  if (with_atr)
    {
      hex = xtrymalloc (2 * card->rd->atrlen + 1);
      if (!hex)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      oca_bin2hex (card->rd->atr, card->rd->atrlen, hex);
      err = send_status_direct (ctx, "CARD-ATR", hex);
      if (err)
        goto leave;
    }
  if (apdu)
    {
      int sw = tp_begin (card->rd);

      if (sw && sw != SW_HOST_CARD_RESET)
        {
          err = card_map_sw (sw);
          goto leave;
        }
      err = iso7816_apdu_direct (card->rd, apdu, apdulen, more,
                                 &res, &reslen);
      tp_end (card->rd);
      /* The card state is unknown now: forget the PIN state.  */
      if (card->app)
        app_openpgp_forget (card->app, 0);
      if (err)
        goto leave;
      err = assuan_send_data (ctx, res, reslen);
    }

 leave:
  scd_unlock_cards ();
  wipe_and_free (apdu, apdulen);
  if (res)
    wipe_and_free (res, reslen);
  xfree (hex);
  return err;
}

static const char hlp_getinfo[] =
  "GETINFO <what>\n"
  "\n"
  "Multi purpose command to return certain information.  WHAT is one\n"
  "of version, pid, socket_name, connections, status, reader_list,\n"
  "deny_admin, app_list, card_list, active_apps, all_active_apps,\n"
  "cmd_has_option <cmd> <opt>, manufacturer <n>.";
static gpg_error_t
cmd_getinfo (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err = 0;
  char buf[100];
  scd_card_t card;

  if (!strcmp (line, "version"))
    return assuan_send_data (ctx, SCD_GNUPG_VERSION,
                             strlen (SCD_GNUPG_VERSION));
  if (!strcmp (line, "pid"))
    {
      snprintf (buf, sizeof buf, "%lu", (unsigned long)getpid ());
      return assuan_send_data (ctx, buf, strlen (buf));
    }
  if (!strcmp (line, "socket_name"))
    {
      if (!scd_socket_name)
        return gpg_error (GPG_ERR_NO_DATA);
      return assuan_send_data (ctx, scd_socket_name,
                               strlen (scd_socket_name));
    }
  if (!strcmp (line, "connections"))
    {
      snprintf (buf, sizeof buf, "%d", scd_connections);
      return assuan_send_data (ctx, buf, strlen (buf));
    }
  if (!strcmp (line, "status"))
    {
      char flag = 'r';

      scd_lock_cards ();
      if (!sess->card_removed && !get_card (sess, 0, &card))
        flag = 'u';
      scd_unlock_cards ();
      return assuan_send_data (ctx, &flag, 1);
    }
  if (!strcmp (line, "reader_list"))
    {
      char **names = NULL;
      size_t i;

      err = pcsc_list_readers (&names);
      if (err)
        return err;
      if (!names[0])
        err = gpg_error (GPG_ERR_NO_DATA);
      for (i = 0; names[i] && !err; i++)
        {
          err = assuan_send_data (ctx, names[i], strlen (names[i]));
          if (!err)
            err = assuan_send_data (ctx, "\n", 1);
        }
      tp_free_namelist (names);
      return err;
    }
  if (!strcmp (line, "deny_admin"))
    return scd_opt.deny_admin ? 0 : gpg_error (GPG_ERR_GENERAL);
  if (!strcmp (line, "app_list"))
    return assuan_send_data (ctx, "openpgp:\n", 9);
  if (!strcmp (line, "card_list") || !strcmp (line, "active_apps")
      || !strcmp (line, "all_active_apps"))
    {
      int apps = line[0] != 'c';

      scd_lock_cards ();
      err = scd_scan_cards (0);
      if (gpg_err_code (err) == GPG_ERR_ENODEV)
        err = 0;
      for (card = scd_first_card (); card && !err; card = card->next)
        if (card->app)
          {
            if (apps)
              {
                snprintf (buf, sizeof buf, "%s openpgp", card->app->serialno);
                err = send_status_direct (ctx, "SERIALNO", buf);
              }
            else
              err = send_status_direct (ctx, "SERIALNO",
                                        card->app->serialno);
          }
      scd_unlock_cards ();
      return err;
    }
  if (!strncmp (line, "cmd_has_option", 14)
      && (line[14] == ' ' || !line[14]))
    {
      char cmd[40], opt[40];
      static const char *const known[] =
        {
          "SERIALNO --demand", "SERIALNO --all", "LEARN --force",
          "LEARN --keypairinfo", "READKEY --advanced", "READKEY --info",
          "READKEY --info-only", "READKEY --format", "SETDATA --append",
          "PKSIGN --hash", "GENKEY --force", "GENKEY --timestamp",
          "GENKEY --algo", "WRITEKEY --force", "PASSWD --reset",
          "PASSWD --clear", "LOCK --wait", "APDU --atr", "APDU --more",
          "APDU --exlen", "SETATTR --inquire", "KEYINFO --list",
          "KEYINFO --data", NULL
        };
      int i;

      if (sscanf (line + 14, " %39s %39s", cmd, opt) != 2)
        return gpg_error (GPG_ERR_MISSING_VALUE);
      snprintf (buf, sizeof buf, "%s --%s", cmd,
                opt[0] == '-' && opt[1] == '-' ? opt + 2 : opt);
      for (i = 0; known[i]; i++)
        if (!strcasecmp (known[i], buf))
          return 0;
      return gpg_error (GPG_ERR_FALSE);
    }
  if (!strncmp (line, "manufacturer", 12) && (line[12] == ' '))
    {
      unsigned long id = strtoul (line + 13, NULL, 0);
      const char *s = app_openpgp_manufacturer_name ((unsigned int)id);

      return assuan_send_data (ctx, s, strlen (s));
    }
  if (!strncmp (line, "apdu_strerror", 13))
    {
      unsigned long sw = strtoul (line + 13, NULL, 0);
      const char *s = gpg_strerror (card_map_sw ((int)sw));

      return assuan_send_data (ctx, s, strlen (s));
    }
  return set_error (GPG_ERR_ASS_PARAMETER, "unknown value for WHAT");
}

static const char hlp_restart[] =
  "RESTART\n"
  "\n"
  "Release the card binding and the lock of this session (the card\n"
  "is not reset).";
static gpg_error_t
cmd_restart (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);

  scd_lock_cards ();
  if (scd_lock_owner == sess)
    scd_lock_owner = NULL;
  sess->serialno[0] = 0;
  sess->reader[0] = 0;
  sess->card_removed = 0;
  sess->undefined_app = 0;
  scd_unlock_cards ();
  wipe_and_free (sess->setdata, sess->setdatalen);
  sess->setdata = NULL;
  sess->setdatalen = 0;
  return 0;
}

static const char hlp_disconnect[] =
  "DISCONNECT\n"
  "\n"
  "Disconnect from the card reader (reconnects on next use).";
static gpg_error_t
cmd_disconnect (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  scd_card_t card;

  scd_lock_cards ();
  if (sess->reader[0] && (card = scd_find_card_by_reader (sess->reader)))
    {
      /* Dropping it makes the next command reconnect.  */
      scd_drop_card (card);
    }
  scd_unlock_cards ();
  return 0;
}

static const char hlp_killscd[] =
  "KILLSCD\n"
  "\n"
  "Commit suicide.";
static gpg_error_t
cmd_killscd (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);

  sess->kill_requested = 1;
  scd_shutdown_requested = 1;
  assuan_set_flag (ctx, ASSUAN_FORCE_CLOSE, 1);
  return 0;
}

static const char hlp_lock[] =
  "LOCK [--wait]\n"
  "\n"
  "Grant exclusive card access to this session.  With --wait poll\n"
  "every second until the lock is available.";
static gpg_error_t
cmd_lock (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err = 0;
  int wait = scd_has_option (line, "--wait");

  for (;;)
    {
      scd_lock_cards ();
      if (!scd_lock_owner || scd_lock_owner == sess)
        {
          scd_lock_owner = sess;
          scd_unlock_cards ();
          return 0;
        }
      scd_unlock_cards ();
      if (!wait)
        return gpg_error (GPG_ERR_LOCKED);
      err = assuan_write_status (ctx, "PROGRESS", "scd_locked . 0 0");
      if (err)
        return err;
      sleep (1);
    }
}

static const char hlp_unlock[] =
  "UNLOCK\n"
  "\n"
  "Release the exclusive card access of LOCK.";
static gpg_error_t
cmd_unlock (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err = 0;

  scd_lock_cards ();
  if (scd_lock_owner == sess)
    scd_lock_owner = NULL;
  else if (!scd_lock_owner)
    err = gpg_error (GPG_ERR_NOT_LOCKED);
  else
    err = gpg_error (GPG_ERR_LOCKED);
  scd_unlock_cards ();
  return err;
}

static const char hlp_switchcard[] =
  "SWITCHCARD [<serialno>]\n"
  "\n"
  "Make the card with SERIALNO the current one.";
static gpg_error_t
cmd_switchcard (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card = NULL;

  line = scd_skip_options (line);
  scd_lock_cards ();
  if (scd_lock_owner && scd_lock_owner != sess)
    {
      err = gpg_error (GPG_ERR_LOCKED);
      goto leave;
    }
  err = scd_scan_cards (0);
  if (err && gpg_err_code (err) != GPG_ERR_ENODEV)
    goto leave;
  if (*line)
    card = scd_find_card (line);
  else
    {
      if (sess->serialno[0])
        card = scd_find_card (sess->serialno);
      if (!card)
        for (card = scd_first_card (); card && !card->app; card = card->next)
          ;
    }
  if (!card)
    {
      err = gpg_error (*line ? GPG_ERR_ENODEV : GPG_ERR_CARD_NOT_PRESENT);
      goto leave;
    }
  sess->card_removed = 0;
  bind_card (sess, card);
  err = send_status_direct (ctx, "SERIALNO", card->app->serialno);

 leave:
  scd_unlock_cards ();
  return err;
}

static const char hlp_switchapp[] =
  "SWITCHAPP [<appname>]\n"
  "\n"
  "Switch to application APPNAME (only \"openpgp\").";
static gpg_error_t
cmd_switchapp (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  char buf[60];

  line = scd_skip_options (line);
  if (*line && strcasecmp (line, "openpgp"))
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  scd_lock_cards ();
  err = get_card (sess, 1, &card);
  if (!err)
    {
      snprintf (buf, sizeof buf, "%s openpgp", card->app->serialno);
      err = send_status_direct (ctx, "SERIALNO", buf);
    }
  scd_unlock_cards ();
  return err;
}

static const char hlp_keyinfo[] =
  "KEYINFO [--list[=auth|encr|sign]] [--data] <keygrip>\n"
  "\n"
  "Return information about the key with KEYGRIP:\n"
  "  S KEYINFO <keygrip> T <serialno> <idstr> <usage>";
static gpg_error_t
cmd_keyinfo (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err = 0;
  scd_card_t card;
  int list = scd_has_option (line, "--list");
  int data = scd_has_option (line, "--data");
  char *filter = scd_option_value (line, "--list");
  char grip[41];
  int keyno, found = 0;
  char buf[200];

  line = scd_skip_options (line);
  if (!list)
    {
      if (!scd_is_keygrip (line))
        {
          xfree (filter);
          return set_error (GPG_ERR_ASS_PARAMETER, "keygrip expected");
        }
      memcpy (grip, line, 40);
      grip[40] = 0;
    }

  scd_lock_cards ();
  if (scd_lock_owner && scd_lock_owner != sess)
    {
      err = gpg_error (GPG_ERR_LOCKED);
      goto leave;
    }
  scd_scan_cards (0);
  for (card = scd_first_card (); card && !err; card = card->next)
    {
      if (!card->app)
        continue;
      for (keyno = 1; keyno <= 3 && !err; keyno++)
        {
          const char *g;

          if (filter
              && ((keyno == 1 && strcmp (filter, "sign"))
                  || (keyno == 2 && strcmp (filter, "encr"))
                  || (keyno == 3 && strcmp (filter, "auth"))))
            continue;
          if (!key_present (card->app, keyno)
              || app_openpgp_readkey (card->app, keyno, NULL, NULL, &g))
            continue;
          if (!list && strcasecmp (g, grip))
            continue;
          found = 1;
          snprintf (buf, sizeof buf, "%s T %s OPENPGP.%d %s", g,
                    card->app->serialno, keyno, usage_string (keyno));
          if (data)
            {
              char *l = xtrymalloc (strlen (buf) + 10);

              if (!l)
                err = oca_error_from_errno ();
              else
                {
                  snprintf (l, strlen (buf) + 10, "KEYINFO %s\n", buf);
                  err = assuan_send_data (ctx, l, strlen (l));
                  xfree (l);
                }
            }
          else
            err = send_status_direct (ctx, "KEYINFO", buf);
        }
    }
  if (!err && !found && !list)
    err = gpg_error (GPG_ERR_NOT_FOUND);

 leave:
  scd_unlock_cards ();
  xfree (filter);
  return err;
}

static const char hlp_devinfo[] =
  "DEVINFO\n"
  "\n"
  "Emit S DEVINFO_START, S DEVICE <cardtype> <serialno> <apptype> per\n"
  "card and S DEVINFO_END.";
static gpg_error_t
cmd_devinfo (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  scd_card_t card;
  char buf[100];

  if (scd_has_option (line, "--watch"))
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  scd_lock_cards ();
  scd_scan_cards (0);
  err = send_status_direct (ctx, "DEVINFO_START", NULL);
  for (card = scd_first_card (); card && !err; card = card->next)
    if (card->app)
      {
        snprintf (buf, sizeof buf, "generic %s openpgp", card->app->serialno);
        err = send_status_direct (ctx, "DEVICE", buf);
      }
  if (!err)
    err = send_status_direct (ctx, "DEVINFO_END", NULL);
  scd_unlock_cards ();
  return err;
}

static const char hlp_readcert[] =
  "READCERT <OPENPGP.n | keygrip>\n"
  "\n"
  "Return the cardholder certificate of the key as data.";
static gpg_error_t
cmd_readcert (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int keyno;
  unsigned char *cert = NULL;
  size_t certlen = 0;

  line = scd_skip_options (line);
  scd_lock_cards ();
  err = get_key (sess, line, 0, &card, &keyno);
  if (!err)
    err = app_openpgp_readcert (card->app, keyno, &cert, &certlen);
  scd_unlock_cards ();
  if (!err)
    err = assuan_send_data (ctx, cert, certlen);
  xfree (cert);
  return err;
}

static const char hlp_writecert[] =
  "WRITECERT <OPENPGP.n>\n"
  "\n"
  "Store a certificate (asked for with INQUIRE CERTDATA).";
static gpg_error_t
cmd_writecert (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  scd_card_t card;
  int keyno;
  unsigned char *cert = NULL;
  size_t certlen = 0;
  char name[8];

  if (scd_opt.deny_admin)
    return set_error (GPG_ERR_EACCES, "admin commands disabled");
  keyno = scd_parse_keyref (scd_skip_options (line), 0);
  if (!keyno)
    return set_error (GPG_ERR_ASS_PARAMETER, "invalid certificate id");
  err = inquire_data (ctx, "CERTDATA", MAXLEN_CERTDATA, &cert, &certlen);
  if (err)
    return err;
  snprintf (name, sizeof name, "CERT-%d", keyno);
  scd_lock_cards ();
  err = get_card (sess, 1, &card);
  if (!err)
    err = app_openpgp_setattr (card->app, name, cert, certlen,
                               pin_flags (), pin_cb, sess);
  scd_unlock_cards ();
  wipe_and_free (cert, certlen);
  return err;
}


/*
 * Session set-up
 */

static gpg_error_t
option_handler (assuan_context_t ctx, const char *key, const char *value)
{
  scd_session_t sess = assuan_get_pointer (ctx);

  if (!strcmp (key, "event-signal"))
    sess->event_signal = strtoul (value, NULL, 0);
  return 0;   /* Unknown options are accepted (spec B.1).  */
}

static gpg_error_t
reset_notify (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  scd_card_t card;

  scd_lock_cards ();
  if (!(line && strstr (line, "--keep-lock")) && scd_lock_owner == sess)
    scd_lock_owner = NULL;
  if (sess->reader[0] && (card = scd_find_card_by_reader (sess->reader)))
    {
      /* Reset the card and drop our object: it is reopened (and all
       * its data read again) on the next use.  */
      tp_reconnect (card->rd, 1);
      scd_drop_card (card);
    }
  sess->card_removed = 0;
  sess->serialno[0] = 0;
  sess->reader[0] = 0;
  scd_unlock_cards ();
  wipe_and_free (sess->setdata, sess->setdatalen);
  sess->setdata = NULL;
  sess->setdatalen = 0;
  return 0;
}

/* Log each command (debug level basic); SETDATA data is not logged.  */
static gpg_error_t
pre_cmd_notify (assuan_context_t ctx, const char *cmd)
{
  if (scd_opt.verbose || scd_opt.debug_level)
    scd_log ("command: %s", cmd);
  return 0;
}

static const struct
{
  const char *name;
  assuan_handler_t handler;
  const char *help;
} command_table[] =
  {
    { "SERIALNO",   cmd_serialno,   hlp_serialno },
    { "LEARN",      cmd_learn,      hlp_learn },
    { "READCERT",   cmd_readcert,   hlp_readcert },
    { "READKEY",    cmd_readkey,    hlp_readkey },
    { "SETDATA",    cmd_setdata,    hlp_setdata },
    { "PKSIGN",     cmd_pksign,     hlp_pksign },
    { "PKAUTH",     cmd_pkauth,     hlp_pkauth },
    { "PKDECRYPT",  cmd_pkdecrypt,  hlp_pkdecrypt },
    { "INPUT",      NULL,           NULL },
    { "OUTPUT",     NULL,           NULL },
    { "GETATTR",    cmd_getattr,    hlp_getattr },
    { "SETATTR",    cmd_setattr,    hlp_setattr },
    { "WRITECERT",  cmd_writecert,  hlp_writecert },
    { "WRITEKEY",   cmd_writekey,   hlp_writekey },
    { "GENKEY",     cmd_genkey,     hlp_genkey },
    { "RANDOM",     cmd_random,     hlp_random },
    { "PASSWD",     cmd_passwd,     hlp_passwd },
    { "CHECKPIN",   cmd_checkpin,   hlp_checkpin },
    { "LOCK",       cmd_lock,       hlp_lock },
    { "UNLOCK",     cmd_unlock,     hlp_unlock },
    { "GETINFO",    cmd_getinfo,    hlp_getinfo },
    { "RESTART",    cmd_restart,    hlp_restart },
    { "DISCONNECT", cmd_disconnect, hlp_disconnect },
    { "APDU",       cmd_apdu,       hlp_apdu },
    { "KILLSCD",    cmd_killscd,    hlp_killscd },
    { "KEYINFO",    cmd_keyinfo,    hlp_keyinfo },
    { "DEVINFO",    cmd_devinfo,    hlp_devinfo },
    { "SWITCHCARD", cmd_switchcard, hlp_switchcard },
    { "SWITCHAPP",  cmd_switchapp,  hlp_switchapp },
    { NULL, NULL, NULL }
  };

/* Run the handler of the current command and log a failure (the
 * post-command hook of libassuan only sees the write status).  */
static gpg_error_t
dispatch_command (assuan_context_t ctx, char *line)
{
  const char *name = assuan_get_command_name (ctx);
  gpg_error_t err;
  int i;

  for (i = 0; command_table[i].name; i++)
    if (command_table[i].handler
        && name && !strcasecmp (name, command_table[i].name))
      break;
  if (!command_table[i].name)
    return gpg_error (GPG_ERR_ASS_UNKNOWN_CMD);
  err = command_table[i].handler (ctx, line);
  if (err && (scd_opt.verbose || scd_opt.debug_level))
    scd_log ("command '%s' failed: %s <%s>", name, gpg_strerror (err),
             gpg_strsource (err));
  return err;
}

static gpg_error_t
register_commands (assuan_context_t ctx)
{
  gpg_error_t err;
  int i;

  for (i = 0; command_table[i].name; i++)
    {
      err = assuan_register_command (ctx, command_table[i].name,
                                     command_table[i].handler
                                     ? dispatch_command : NULL,
                                     command_table[i].help);
      if (err)
        return err;
    }
  assuan_set_hello_line (ctx, "GNU Privacy Guard's Smartcard server ready");
  assuan_register_reset_notify (ctx, reset_notify);
  assuan_register_option_handler (ctx, option_handler);
  assuan_register_pre_cmd_notify (ctx, pre_cmd_notify);
  return 0;
}

/* Answer an over-long command line (error LINE_ERR from libassuan)
 * with an ERR line and read on up to the end of that line.  Returns 0
 * to go on serving, GPG_ERR_EOF when the peer went away, or an
 * error.  */
static gpg_error_t
reject_long_line (assuan_context_t ctx, gpg_error_t line_err)
{
  gpg_error_t err;
  char errline[300];
  char *line;
  size_t len;

  snprintf (errline, sizeof errline, "ERR %u %s <%s>",
            (unsigned int)line_err, gpg_strerror (line_err),
            gpg_strsource (line_err));
  err = assuan_write_line (ctx, errline);
  if (err)
    return err;
  if (scd_opt.verbose || scd_opt.debug_level)
    scd_log ("command line too long: skipped");
  /* The first complete line read now is the tail of the long one.  */
  do
    err = assuan_read_line (ctx, &line, &len);
  while (gpg_err_code (err) == GPG_ERR_ASS_LINE_TOO_LONG);
  if (gpg_err_code (err) == GPG_ERR_ASS_INCOMPLETE_LINE)
    err = gpg_error (GPG_ERR_EOF);
  return err;
}

gpg_error_t
scd_command_loop (assuan_context_t ctx, int is_pipe)
{
  gpg_error_t err;
  scd_session_t sess;

  sess = xtrycalloc (1, sizeof *sess);
  if (!sess)
    return oca_error_from_errno ();
  sess->ctx = ctx;
  sess->is_pipe = is_pipe;
  assuan_set_pointer (ctx, sess);
  err = register_commands (ctx);
  if (err)
    goto leave;
  scd_lock_cards ();
  scd_connections++;
  scd_unlock_cards ();
  for (;;)
    {
      err = assuan_accept (ctx);
      if (err == (gpg_error_t)-1 || gpg_err_code (err) == GPG_ERR_EOF)
        {
          err = 0;
          break;
        }
      if (err)
        {
          scd_log ("Assuan accept problem: %s", gpg_strerror (err));
          break;
        }
      for (;;)
        {
          err = assuan_process (ctx);
          if (gpg_err_code (err) != GPG_ERR_ASS_LINE_TOO_LONG
              || sess->kill_requested)
            break;
          /* libassuan gives up on a line over 1000 bytes (scdaemon
           * drops the connection): answer ERR, skip the rest of that
           * line and keep serving.  */
          err = reject_long_line (ctx, err);
          if (err)
            break;
        }
      if (gpg_err_code (err) == GPG_ERR_EOF)
        err = 0;
      if (err)
        scd_log ("Assuan processing failed: %s", gpg_strerror (err));
      if (sess->kill_requested)
        break;
    }
  scd_lock_cards ();
  scd_connections--;
  if (scd_lock_owner == sess)
    scd_lock_owner = NULL;
  scd_unlock_cards ();

 leave:
  wipe_and_free (sess->setdata, sess->setdatalen);
  xfree (sess);
  return err;
}
