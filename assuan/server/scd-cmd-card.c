/* scd-cmd-card.c - oca-scd's commands about cards
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SERIALNO, LEARN, GETATTR, SETATTR, KEYINFO, GETINFO, RANDOM and
 * APDU (the commands for several cards are in scd-cmd-multi.c).  Each
 * handler parses its line,
 * then reaches the card through scd_with_card (or all cards through
 * scd_with_registry) with the function that does the work.
 */
#include <config.h>
#include "scd.h"
#include "scd-util.h"
#include "iso7816.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>


/* SERIALNO's work on the registry: rescan, pick the card (PARM->demand
 * or the session's reader, else the first with the OpenPGP
 * application or, with PARM->undefined, any) and bind the session.  */
struct serialno_parm
{
  const char *demand;
  int undefined;
};

static gpg_error_t
select_card (scd_session_t sess, void *arg)
{
  struct serialno_parm *parm = arg;
  gpg_error_t err;
  scd_card_t card = NULL;

  sess->card_removed = 0;
  err = scd_scan_cards (parm->undefined);
  if (err && gpg_err_code (err) != GPG_ERR_ENODEV)
    return err;
  if (parm->demand)
    {
      card = scd_find_card (parm->demand);
      if (!card)
        return gpg_error (GPG_ERR_ENODEV);
    }
  else
    {
      if (sess->reader[0])
        card = scd_find_card_by_reader (sess->reader);
      if (card && !card->app && !parm->undefined)
        card = NULL;
      if (!card)
        for (card = scd_first_card (); card; card = card->next)
          if (card->app || parm->undefined)
            break;
    }
  if (!card)
    return err ? err : gpg_error (GPG_ERR_CARD_NOT_PRESENT);
  scd_bind_card (sess, card);
  sess->undefined_app = parm->undefined;
  return scd_send_status (sess->ctx, "SERIALNO",
                          card->app ? card->app->serialno : "FF7F00");
}

const char scd_hlp_serialno[] =
  "SERIALNO [--demand=<serialno>] [--all] [<apptype>]\n"
  "\n"
  "Return the serial number of the card as status line\n"
  "  S SERIALNO <hexstring>\n"
  "Selects the card with --demand; <apptype> is \"openpgp\" or\n"
  "\"undefined\" (open the card without selecting an application).";
gpg_error_t
scd_cmd_serialno (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  char *demand = NULL;
  const char *apptype;
  struct serialno_parm parm = { NULL, 0 };

  if (!scd_check_options (line, (const char *const[])
                          { "--demand", "--all", NULL }))
    return set_error (GPG_ERR_ASS_PARAMETER, "unknown option");
  demand = scd_option_value (line, "--demand");
  apptype = scd_skip_options (line);
  if (*apptype)
    {
      if (!strcasecmp (apptype, "undefined"))
        parm.undefined = 1;
      else if (strcasecmp (apptype, "openpgp"))
        {
          xfree (demand);
          return gpg_error (GPG_ERR_NOT_SUPPORTED);
        }
    }

  parm.demand = demand;
  err = scd_with_registry (sess, 1, select_card, &parm);
  xfree (demand);
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
    return scd_send_status (ctx, name, app->serialno);
  if (!strcmp (name, "AID"))
    return scd_send_status_value (ctx, name, app->aid, 16);
  if (!strcmp (name, "APPTYPE"))
    return scd_send_status (ctx, name, "openpgp");
  if (!strcmp (name, "APPVERSION"))
    {
      snprintf (buf, sizeof buf, "%X", app->version);
      return scd_send_status (ctx, name, buf);
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
      return scd_send_status_value (ctx, name, buf, strlen (buf));
    }
  if (!strcmp (name, "MANUFACTURER"))
    {
      snprintf (buf, sizeof buf, "%u %s", app->manufacturer,
                app_openpgp_manufacturer_name (app->manufacturer));
      return scd_send_status (ctx, name, buf);
    }
  if (!strcmp (name, "$DISPSERIALNO"))
    {
      app_openpgp_dispserialno (app, buf, sizeof buf);
      return scd_send_status_value (ctx, name, buf, strlen (buf));
    }
  if (!strcmp (name, "$SIGNKEYID"))
    return scd_send_status (ctx, name, "OPENPGP.1");
  if (!strcmp (name, "$ENCRKEYID"))
    return scd_send_status (ctx, name, "OPENPGP.2");
  if (!strcmp (name, "$AUTHKEYID"))
    return scd_send_status (ctx, name, "OPENPGP.3");
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
          return scd_send_status_value (ctx, name, d->data,
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
          err = scd_send_status_2 (ctx, name, buf, oca_bin2hex (f, 20, hex));
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
            err = scd_send_status (ctx, name, buf);
          }
      return err;
    }
  if (!strcmp (name, "CHV-STATUS"))
    {
      size_t n = 0;

      for (i = 0; i < 7; i++)
        n += snprintf (buf + n, sizeof buf - n, " %d", app->chv_status[i]);
      return scd_send_status_value (ctx, name, buf, n);
    }
  if (!strcmp (name, "SIG-COUNTER"))
    {
      snprintf (buf, sizeof buf, "%lu", app->sig_counter);
      return scd_send_status (ctx, name, buf);
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
          err = scd_send_status (ctx, name, buf);
        }
      return err;
    }
  if (!strncmp (name, "UIF-", 4) && name[4] >= '1' && name[4] <= '3'
      && !name[5])
    {
      i = name[4] - '1';
      if (!app->have_uif[i])
        return scd_send_status_value (ctx, name, NULL, 0);
      return scd_send_status_value (ctx, name, app->uif[i], 2);
    }
  if (!strcmp (name, "UIF"))
    {
      for (i = 0; i < 3 && !err; i++)
        {
          char n[6] = "UIF-1";

          n[4] = '1' + i;
          if (app->have_uif[i])
            err = scd_send_status_value (ctx, n, app->uif[i], 2);
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
            err = scd_send_status (ctx, name, buf);
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
              err = scd_send_status (ctx, name, buf);
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
            err = scd_send_status (ctx, name, buf);
          }
      return err;
    }
  return gpg_error (GPG_ERR_INV_NAME);
}

/* Emit the OpenPGP application's LEARN lines (B.4).  */
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
    if (scd_key_present (app, i))
      {
        err = scd_send_keypairinfo (ctx, app, i);
        if (err && gpg_err_code (err) != GPG_ERR_NO_OBJ)
          return err;
      }
  return 0;
}

struct learn_parm
{
  int force;           /* No KNOWNCARDP inquiry.  */
  int only_kpi;        /* KEYPAIRINFO lines only.  */
};

static gpg_error_t
learn_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  struct learn_parm *parm = arg;
  assuan_context_t ctx = sess->ctx;
  gpg_error_t err;
  char buf[100];

  (void)keyno;
  err = app_openpgp_refresh (card->app);
  if (err)
    return err;
  if (!parm->only_kpi)
    {
      if ((err = scd_send_status (ctx, "READER", card->reader))
          || (err = scd_send_status (ctx, "SERIALNO",
                                     card->app->serialno)))
        return err;
      if (!parm->force)
        {
          unsigned char *value = NULL;
          size_t valuelen = 0;

          snprintf (buf, sizeof buf, "KNOWNCARDP %s", card->app->serialno);
          err = scd_inquire (ctx, buf, 100, &value, &valuelen);
          wipe_and_free (value, valuelen);
          if (err)
            return err;
        }
      if ((err = scd_send_status (ctx, "APPTYPE", "openpgp")))
        return err;
      snprintf (buf, sizeof buf, "%X", card->app->version);
      if ((err = scd_send_status (ctx, "APPVERSION", buf)))
        return err;
    }
  return learn_app (ctx, card);
}

const char scd_hlp_learn[] =
  "LEARN [--force] [--keypairinfo] [--reread] [--multi] [<keygrip>]\n"
  "\n"
  "Learn all useful information of the current card (or of the card\n"
  "holding the key KEYGRIP) and send it as status lines; the data are\n"
  "always read again from the card (--reread).  Without --force the\n"
  "client is first asked\n"
  "  INQUIRE KNOWNCARDP <hexserialno>";
gpg_error_t
scd_cmd_learn (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  struct learn_parm parm;
  scd_cardref_t ref = { .need_app = 1 };
  char grip[41];
  const char *arg;

  parm.force = scd_has_option (line, "--force");
  parm.only_kpi = scd_has_option (line, "--keypairinfo");
  arg = scd_skip_options (line);
  if (scd_is_keygrip (arg) && strlen (arg) == 40)
    {
      /* As scdaemon 2.4: the card with that key, if any.  */
      memcpy (grip, arg, sizeof grip);
      ref.keyid = grip;
    }
  err = scd_with_card (assuan_get_pointer (ctx), &ref, learn_card, &parm);
  if (ref.keyid && gpg_err_code (err) == GPG_ERR_NO_SECKEY)
    err = gpg_error (GPG_ERR_CARD_NOT_PRESENT);
  return err;
}

/* GETATTR's work: refresh the data (but for what can't change) and
 * send the status lines of the attribute named ARG.  */
static gpg_error_t
getattr_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  const char *name = arg;
  gpg_error_t err;

  (void)keyno;
  if (strcmp (name, "SERIALNO") && strcmp (name, "AID")
      && strcmp (name, "APPTYPE") && strcmp (name, "MANUFACTURER")
      && name[0] != '$')
    {
      err = app_openpgp_refresh (card->app);
      if (err)
        return err;
    }
  return do_getattr (sess->ctx, card, name);
}

const char scd_hlp_getattr[] =
  "GETATTR <name> [<keygrip>]\n"
  "\n"
  "Return the attribute NAME of the card as status line(s).";
gpg_error_t
scd_cmd_getattr (assuan_context_t ctx, char *line)
{
  char name[64];
  const char *p = line;
  scd_cardref_t ref = { .need_app = 1 };

  line = scd_skip_options (line);
  p = line;
  if (scd_next_word (&p, name, sizeof name) || !*name)
    return set_error (GPG_ERR_ASS_PARAMETER, "attribute name missing");
  if (*p && scd_is_keygrip (p))
    ref.keyid = p;
  return scd_with_card (assuan_get_pointer (ctx), &ref, getattr_card, name);
}

/* SETATTR's work: store the attribute (card/ asks for the PIN).  */
struct setattr_parm
{
  const char *name;
  const unsigned char *value;
  size_t valuelen;
};

static gpg_error_t
setattr_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  struct setattr_parm *parm = arg;

  (void)keyno;
  return app_openpgp_setattr (card->app, parm->name, parm->value,
                              parm->valuelen, scd_pin_flags (), scd_pin_cb,
                              sess);
}

const char scd_hlp_setattr[] =
  "SETATTR [--inquire] <name> <value>\n"
  "\n"
  "Store VALUE (percent-plus escaped) as attribute NAME on the card;\n"
  "with --inquire the value is asked for with INQUIRE VALUE.";
gpg_error_t
scd_cmd_setattr (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  struct setattr_parm parm;
  static const scd_cardref_t ref = { .need_app = 1 };
  int inquire = scd_has_option (line, "--inquire");
  char *name = NULL, *p;
  unsigned char *value = NULL;
  size_t valuelen = 0;

  if ((err = scd_check_admin (ctx)))
    return err;
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
      err = scd_inquire (ctx, "VALUE", MAXLEN_VALUE, &value, &valuelen);
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

  parm.name = name;
  parm.value = value;
  parm.valuelen = valuelen;
  err = scd_with_card (assuan_get_pointer (ctx), &ref, setattr_card, &parm);

 leave:
  xfree (name);
  wipe_and_free (value, valuelen);
  return err;
}

/* KEYINFO's work on the registry: the keys of all cards that match
 * PARM (one keygrip, or all with --list, filtered by usage).  */
struct keyinfo_parm
{
  int list;            /* --list: every key.  */
  int data;            /* --data: as data lines, not status lines.  */
  const char *filter;  /* --list=sign|encr|auth or NULL.  */
  char grip[41];       /* Without --list: the keygrip asked for.  */
};

static gpg_error_t
keyinfo_cards (scd_session_t sess, void *arg)
{
  struct keyinfo_parm *parm = arg;
  assuan_context_t ctx = sess->ctx;
  gpg_error_t err = 0;
  scd_card_t card;
  int keyno, found = 0;
  char buf[200];

  scd_scan_cards (0);
  for (card = scd_first_card (); card && !err; card = card->next)
    {
      if (!card->app)
        continue;
      for (keyno = 1; keyno <= 3 && !err; keyno++)
        {
          const char *g;

          if (parm->filter
              && ((keyno == 1 && strcmp (parm->filter, "sign"))
                  || (keyno == 2 && strcmp (parm->filter, "encr"))
                  || (keyno == 3 && strcmp (parm->filter, "auth"))))
            continue;
          if (!scd_key_present (card->app, keyno)
              || app_openpgp_readkey (card->app, keyno, NULL, NULL, &g))
            continue;
          if (!parm->list && strcasecmp (g, parm->grip))
            continue;
          found = 1;
          snprintf (buf, sizeof buf, "%s T %s OPENPGP.%d %s", g,
                    card->app->serialno, keyno, scd_key_usage (keyno));
          if (parm->data)
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
            err = scd_send_status (ctx, "KEYINFO", buf);
        }
    }
  if (!err && !found && !parm->list)
    err = gpg_error (GPG_ERR_NOT_FOUND);
  return err;
}

const char scd_hlp_keyinfo[] =
  "KEYINFO [--list[=auth|encr|sign]] [--data] <keygrip>\n"
  "\n"
  "Return information about the key with KEYGRIP:\n"
  "  S KEYINFO <keygrip> T <serialno> <idstr> <usage>";
gpg_error_t
scd_cmd_keyinfo (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  struct keyinfo_parm parm;
  char *filter = scd_option_value (line, "--list");

  memset (&parm, 0, sizeof parm);
  parm.list = scd_has_option (line, "--list");
  parm.data = scd_has_option (line, "--data");
  parm.filter = filter;
  line = scd_skip_options (line);
  if (!parm.list)
    {
      if (!scd_is_keygrip (line))
        {
          xfree (filter);
          return set_error (GPG_ERR_ASS_PARAMETER, "keygrip expected");
        }
      memcpy (parm.grip, line, 40);
      parm.grip[40] = 0;
    }
  err = scd_with_registry (assuan_get_pointer (ctx), 1, keyinfo_cards,
                           &parm);
  xfree (filter);
  return err;
}

/* GETINFO busy_readers (an oca extension): the readers (as D lines,
 * one name per line) whose card another process holds exclusively --
 * GnuPG's scdaemon without pcsc-shared -- so that we can't open it.
 * oca uses it to go through gpg-agent instead (issue 11).  */
static gpg_error_t
list_busy_readers (scd_session_t sess, void *arg)
{
  gpg_error_t err;
  char **names = NULL;
  tp_reader_t rd;
  size_t i;

  (void)arg;
  err = scd_scan_cards (0);
  if (gpg_err_code (err) == GPG_ERR_ENODEV)
    return 0;
  if (err)
    return err;
  err = pcsc_list_readers (&names);
  for (i = 0; !err && names[i]; i++)
    {
      if ((scd_opt.reader_port
           && strncmp (names[i], scd_opt.reader_port,
                       strlen (scd_opt.reader_port)))
          || scd_find_card_by_reader (names[i])
          || !pcsc_card_present (names[i]))
        continue;
      rd = NULL;
      if (gpg_err_code (pcsc_open_reader (names[i], &rd)) == GPG_ERR_EBUSY)
        {
          err = assuan_send_data (sess->ctx, names[i], strlen (names[i]));
          if (!err)
            err = assuan_send_data (sess->ctx, "\n", 1);
        }
      tp_release (rd);
    }
  tp_free_namelist (names);
  return err;
}

/* GETINFO connections: the number of sessions into ARG (100 bytes).  */
static gpg_error_t
count_sessions (scd_session_t sess, void *arg)
{
  (void)sess;
  snprintf (arg, 100, "%d", scd_connections);
  return 0;
}

const char scd_hlp_getinfo[] =
  "GETINFO <what>\n"
  "\n"
  "Multi purpose command to return certain information.  WHAT is one\n"
  "of version, pid, socket_name, connections, status, reader_list,\n"
  "deny_admin, app_list, card_list, active_apps, all_active_apps,\n"
  "cmd_has_option <cmd> <opt>, manufacturer <n>, and (oca-scd only)\n"
  "busy_readers: the readers whose card another process holds\n"
  "exclusively.";
gpg_error_t
scd_cmd_getinfo (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  char buf[100];

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
      scd_with_registry (sess, 0, count_sessions, buf);
      return assuan_send_data (ctx, buf, strlen (buf));
    }
  if (!strcmp (line, "status"))
    {
      static const scd_cardref_t any_card = { .need_app = 0 };
      char flag = scd_with_card (sess, &any_card, NULL, NULL) ? 'r' : 'u';

      return assuan_send_data (ctx, &flag, 1);
    }
  if (!strcmp (line, "reader_list"))
    {
      char **names = NULL;
      size_t i;
      gpg_error_t err;

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
    return scd_getinfo_cards (ctx, line);
  if (!strcmp (line, "busy_readers"))
    return scd_with_registry (sess, 0, list_busy_readers, NULL);
  if (!strncmp (line, "cmd_has_option", 14)
      && (line[14] == ' ' || line[14] == '\t' || !line[14]))
    {
      /* As scdaemon 2.4: CMD and OPT are the next word and the rest of
       * the line; only SERIALNO's "all" (--all) is announced.  */
      const char *cmd = line + 14, *opt;
      size_t cmdlen;

      while (*cmd == ' ' || *cmd == '\t')
        cmd++;
      cmdlen = strcspn (cmd, " \t");
      opt = cmd + cmdlen;
      while (*opt == ' ' || *opt == '\t')
        opt++;
      if (!cmdlen || !*opt)
        return gpg_error (GPG_ERR_MISSING_VALUE);
      if (cmdlen == 8 && !strncmp (cmd, "SERIALNO", 8) && !strcmp (opt, "all"))
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

/* RANDOM's work: PARM->n bytes from the card into PARM->buf.  */
struct random_parm
{
  unsigned char *buf;
  size_t n;
};

static gpg_error_t
random_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  struct random_parm *parm = arg;

  (void)sess;
  (void)keyno;
  if (!card->app->extcap.get_challenge)
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  return app_openpgp_random (card->app, parm->n, parm->buf);
}

const char scd_hlp_random[] =
  "RANDOM <nbytes>\n"
  "\n"
  "Return NBYTES random bytes from the card as data.";
gpg_error_t
scd_cmd_random (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  static const scd_cardref_t ref = { .need_app = 1 };
  struct random_parm parm;
  unsigned long n;
  char *end;
  unsigned char *buf = NULL;

  n = strtoul (line, &end, 10);
  if (!*line || *end || !n || n > 4096)
    return set_error (GPG_ERR_ASS_PARAMETER, "invalid number of bytes");
  buf = xtrymalloc (n);
  if (!buf)
    return oca_error_from_errno ();
  parm.buf = buf;
  parm.n = n;
  err = scd_with_card (assuan_get_pointer (ctx), &ref, random_card, &parm);
  if (!err)
    err = assuan_send_data (ctx, buf, n);
  xfree (buf);
  return err;
}

/* APDU's work: the ATR and/or the APDU of PARM, sent as it is.  */
struct apdu_parm
{
  int with_atr;              /* Send CARD-ATR first.  */
  int more;                  /* Follow 61xx with GET RESPONSE.  */
  const unsigned char *apdu; /* NULL: no APDU.  */
  size_t apdulen;
};

static gpg_error_t
apdu_card (scd_session_t sess, scd_card_t card, int keyno, void *arg)
{
  struct apdu_parm *parm = arg;
  assuan_context_t ctx = sess->ctx;
  gpg_error_t err = 0;
  unsigned char *res = NULL;
  size_t reslen = 0;
  char *hex = NULL;

  (void)keyno;
  if (parm->with_atr)
    {
      hex = xtrymalloc (2 * card->rd->atrlen + 1);
      if (!hex)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      oca_bin2hex (card->rd->atr, card->rd->atrlen, hex);
      err = scd_send_status (ctx, "CARD-ATR", hex);
      if (err)
        goto leave;
    }
  if (parm->apdu)
    {
      int sw = tp_begin (card->rd);

      if (sw && sw != SW_HOST_CARD_RESET)
        {
          err = card_map_sw (sw);
          goto leave;
        }
      err = iso7816_apdu_direct (card->rd, parm->apdu, parm->apdulen,
                                 parm->more, &res, &reslen);
      tp_end (card->rd);
      /* The card state is unknown now: forget the PIN state.  */
      if (card->app)
        app_openpgp_forget (card->app, 0);
      if (err)
        goto leave;
      err = assuan_send_data (ctx, res, reslen);
    }

 leave:
  if (res)
    wipe_and_free (res, reslen);
  xfree (hex);
  return err;
}

const char scd_hlp_apdu[] =
  "APDU [--atr] [--more] [--exlen[=N]] [<hexstring>]\n"
  "\n"
  "Send a raw APDU to the card; the data returned includes SW1 SW2.\n"
  "--atr first emits S CARD-ATR <hex>; --more follows 61xx.";
gpg_error_t
scd_cmd_apdu (assuan_context_t ctx, char *line)
{
  gpg_error_t err;
  static const scd_cardref_t ref = { .need_app = 0 };
  struct apdu_parm parm;
  int with_atr = scd_has_option (line, "--atr")
    || scd_has_option (line, "--data-atr")
    || scd_has_option (line, "--dump-atr");
  int more = scd_has_option (line, "--more");
  unsigned char *apdu = NULL;
  size_t apdulen = 0;

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
  parm.with_atr = with_atr;
  parm.more = more;
  parm.apdu = apdu;
  parm.apdulen = apdulen;
  err = scd_with_card (assuan_get_pointer (ctx), &ref, apdu_card, &parm);
  wipe_and_free (apdu, apdulen);
  return err;
}
