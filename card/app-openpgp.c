/* app-openpgp.c - OpenPGP card application (spec v3.4 subset)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Some notes:
 *
 * CHV ("card holder verification") and PW are the same thing.  Since
 * v2 there is one physical PW1 with two verification references: 81
 * authorises PSO:CDS, 82 everything else that needs the user PIN
 * (decipher, internal authenticate, private DOs 1/3).  PW3 (83) is
 * the Admin PIN.  The Resetting Code (RC) unblocks PW1 and has its
 * own retry counter, 0 while no RC is set.
 *
 * DO C4 ("PW status bytes") holds, in this order: the PW1 validity
 * byte (00 = PW1 must be presented before every signature), the
 * maximum lengths of PW1, RC and PW3 and the three retry counters.
 * Cards report a wrong PIN either as 6982 or as 63Cx, so we always
 * re-read C4 after a failed VERIFY instead of trusting the SW.
 *
 * The card is shared (PC/SC shared mode): another client may reset
 * it or select another application at any time.  Every operation
 * therefore runs in a PC/SC transaction; a reset reported by the
 * transport (never an extra APDU when nothing happened), or an answer
 * of another application (6D00, 6E00, 6A82), makes us re-select; a
 * "security status not satisfied" after a supposedly verified PIN
 * makes us verify again.  A User PIN verified before is verified again
 * with the PIN we hold (app-pin.c), in the same transaction and
 * without a new prompt: a server sharing the card with other PC/SC
 * clients must not fail or ask again because of them (spec F).
 */
#include <config.h>
#include "app-int.h"
#include "iso7816.h"
#include "brd.h"
#include "membuf.h"

#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const unsigned char openpgp_aid[6] =
  { 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01 };

/* See app-int.h: forget the held User PIN (wiped) and the marks that
 * the card lost its verification.  */
void
_app_drop_pw1 (app_t app)
{
  wipe_and_free (app->held_pw1, app->held_pw1len);
  app->held_pw1 = NULL;
  app->held_pw1len = 0;
  app->lost_chv1 = 0;
  app->lost_chv2 = 0;
}


/* Cap on single data objects we keep.  */
#define MAX_DO_LEN 8192


void
_app_do_release (app_do_t *d)
{
  xfree (d->data);
  d->data = NULL;
  d->len = 0;
  d->present = 0;
}

gpg_error_t
_app_do_set (app_do_t *d, const unsigned char *p, size_t n)
{
  unsigned char *tmp;

  if (n > MAX_DO_LEN)
    return gpg_error (GPG_ERR_TOO_LARGE);
  tmp = xtrymalloc (n + 1);
  if (!tmp)
    return oca_error_from_errno ();
  memcpy (tmp, p, n);
  tmp[n] = 0;
  _app_do_release (d);
  d->data = tmp;
  d->len = n;
  d->present = 1;
  return 0;
}

void
_app_pk_release (struct app_pubkey_s *pk)
{
  xfree (pk->sexp);
  memset (pk, 0, sizeof *pk);
}

void
app_openpgp_forget (app_t app, int all)
{
  int i;

  if (!app)
    return;
  app->did_chv1 = 0;
  app->did_chv2 = 0;
  app->did_chv3 = 0;
  _app_drop_pw1 (app);
  if (all)
    for (i = 0; i < 3; i++)
      _app_pk_release (&app->pk[i]);
}

void
_app_pin_lost (app_t app)
{
  app->lost_chv1 |= app->did_chv1;
  app->lost_chv2 |= app->did_chv2;
  app->did_chv1 = 0;
  app->did_chv2 = 0;
  app->did_chv3 = 0;
}

void
app_openpgp_release (app_t app)
{
  int i;

  if (!app)
    return;
  app_openpgp_forget (app, 1);
  _app_do_release (&app->name);
  _app_do_release (&app->lang);
  _app_do_release (&app->sex);
  _app_do_release (&app->url);
  _app_do_release (&app->login);
  _app_do_release (&app->kdf);
  _app_do_release (&app->algoinfo);
  for (i = 0; i < 4; i++)
    _app_do_release (&app->private_do[i]);
  xfree (app);
}

gpg_error_t
_app_get_do (app_t app, int tag, unsigned char **r_buf, size_t *r_len)
{
  gpg_error_t err;
  unsigned char *buf;
  size_t len;
  const unsigned char *p;
  size_t n;

  *r_buf = NULL;
  *r_len = 0;
  err = iso7816_get_data (app->rd, tag, &buf, &len);
  if (err)
    return err;
  p = buf;
  n = len;
  card_strip_outer_tag (tag, &p, &n);
  memmove (buf, p, n);
  *r_buf = buf;
  *r_len = n;
  return 0;
}

int
_app_is_absent_error (gpg_error_t err)
{
  switch (gpg_err_code (err))
    {
    case GPG_ERR_NO_OBJ:
    case GPG_ERR_CARD:
    case GPG_ERR_INV_VALUE:
    case GPG_ERR_ENOENT:
    case GPG_ERR_USE_CONDITIONS:
    case GPG_ERR_BAD_PIN:
    case GPG_ERR_NOT_SUPPORTED:
      return 1;
    default:
      return 0;
    }
}

/* Read optional DO TAG into D.  */
static gpg_error_t
read_optional (app_t app, int tag, app_do_t *d)
{
  gpg_error_t err;
  unsigned char *buf;
  size_t len;

  err = _app_get_do (app, tag, &buf, &len);
  if (err)
    {
      _app_do_release (d);
      return _app_is_absent_error (err) ? 0 : err;
    }
  err = _app_do_set (d, buf, len);
  xfree (buf);
  return err;
}

/* Parse the historical bytes HIST for the transport capabilities
 * and the life-cycle status indicator.  */
static void
parse_historical (app_t app, const unsigned char *hist, size_t len)
{
  size_t i, n;

  if (!len || hist[0] != 0x00)
    return;
  if (len >= 4)
    app->status_indicator = hist[len - 3];
  for (i = 1; i + 3 <= len; )
    {
      unsigned int t = hist[i] >> 4;
      n = hist[i] & 0x0f;
      i++;
      if (i + n > len - 3)
        break;
      if (t == 7 && n >= 3)
        {
          app->rd->cap_chaining = !!(hist[i + 2] & 0x80);
          app->rd->cap_extended = !!(hist[i + 2] & 0x40);
        }
      i += n;
    }
}

/* Copy the first N bytes of the DO TAG found in R to DST; an absent
 * DO leaves DST alone, a shorter one is GPG_ERR_INV_OBJ.  */
static gpg_error_t
copy_fixed_do (const brd_t *r, unsigned int tag, void *dst, size_t n)
{
  gpg_error_t err;
  brd_t v;

  err = brd_find_tlv (r, tag, 1, &v);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    return 0;
  if (err)
    return err;
  if (brd_left (&v) < n)
    return gpg_error (GPG_ERR_INV_OBJ);
  memcpy (dst, brd_ptr (&v), n);
  return 0;
}

gpg_error_t
_app_parse_app_data (app_t app, const unsigned char *buf, size_t len)
{
  gpg_error_t err;
  brd_t r, v;
  int i;

  brd_init (&r, buf, len);

  if (!(err = brd_find_tlv (&r, 0x4F, 1, &v)))
    {
      if (brd_left (&v) != 16)
        return gpg_error (GPG_ERR_INV_OBJ);
      if (app->serialno[0] && memcmp (app->aid, brd_ptr (&v), 16))
        app_openpgp_forget (app, 1);   /* Another card!  */
      memcpy (app->aid, brd_ptr (&v), 16);
    }
  else if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    return err;

  if (!(err = brd_find_tlv (&r, 0x5F52, 1, &v)))
    parse_historical (app, brd_ptr (&v), brd_left (&v));
  else if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    return err;

  if (!(err = brd_find_tlv (&r, 0x7F66, 1, &v)))
    {
      brd_t v2;

      if (!brd_find_tlv (&v, 0x02, 0, &v2) && brd_left (&v2) == 2)
        {
          unsigned int a, b;
          brd_t c = v;

          /* Two INTEGER objects: max command, max response.  */
          if (!brd_get_tlv (&c, &a, NULL, &v2) && brd_left (&v2) == 2)
            {
              brd_get_u16 (&v2, &b);
              app->rd->max_cmd = b;
              if (!brd_get_tlv (&c, &a, NULL, &v2) && brd_left (&v2) == 2)
                {
                  brd_get_u16 (&v2, &b);
                  app->rd->max_rsp = b;
                }
            }
          app->rd->cap_extended = 1;
        }
    }
  else if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    return err;

  err = brd_find_tlv (&r, 0x7F74, 1, &v);
  if (!err)
    app->extcap.has_button = 1;
  else if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    return err;

  if (!(err = brd_find_tlv (&r, 0xC0, 1, &v)))
    {
      const unsigned char *p = brd_ptr (&v);

      if (brd_left (&v) < 10)
        return gpg_error (GPG_ERR_INV_OBJ);
      app->extcap.sm_supported     = !!(p[0] & 0x80);
      app->extcap.get_challenge    = !!(p[0] & 0x40);
      app->extcap.key_import       = !!(p[0] & 0x20);
      app->extcap.change_force_chv = !!(p[0] & 0x10);
      app->extcap.private_dos      = !!(p[0] & 0x08);
      app->extcap.algo_attr_change = !!(p[0] & 0x04);
      app->extcap.has_decrypt      = !!(p[0] & 0x02);
      app->extcap.kdf_do           = !!(p[0] & 0x01);
      app->extcap.sm_algo = p[1];
      app->extcap.max_get_challenge = (p[2] << 8) | p[3];
      app->extcap.max_certlen_3 = (p[4] << 8) | p[5];
      app->extcap.max_special = (p[6] << 8) | p[7];
    }
  else if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    return err;

  for (i = 0; i < 3; i++)
    {
      err = brd_find_tlv (&r, 0xC1 + i, 1, &v);
      if (!err)
        {
          if (card_parse_keyattr (brd_ptr (&v), brd_left (&v), i + 1,
                                  &app->keyattr[i]))
            memset (&app->keyattr[i], 0, sizeof app->keyattr[i]);
        }
      else if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
        return err;
    }

  if ((err = copy_fixed_do (&r, 0xC4, app->chv_status, 7))
      || (err = copy_fixed_do (&r, 0xC5, app->fpr, 60))
      || (err = copy_fixed_do (&r, 0xC6, app->cafpr, 60)))
    return err;

  if (!(err = brd_find_tlv (&r, 0xCD, 1, &v)))
    {
      if (brd_left (&v) < 12)
        return gpg_error (GPG_ERR_INV_OBJ);
      for (i = 0; i < 3; i++)
        brd_get_u32 (&v, &app->keytime[i]);
    }
  else if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    return err;

  if (!(err = brd_find_tlv (&r, 0xDE, 1, &v)))
    {
      unsigned int ref, st;

      app->have_keystatus = 1;
      memset (app->keystatus, 0xff, 3);
      while (brd_left (&v) >= 2)
        {
          brd_get_u8 (&v, &ref);
          brd_get_u8 (&v, &st);
          if (ref >= 1 && ref <= 3)
            app->keystatus[ref - 1] = st;
        }
    }
  else if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    return err;

  for (i = 0; i < 3; i++)
    {
      err = brd_find_tlv (&r, 0xD6 + i, 1, &v);
      if (!err && brd_left (&v) >= 2)
        {
          memcpy (app->uif[i], brd_ptr (&v), 2);
          app->have_uif[i] = 1;
        }
      else if (err && gpg_err_code (err) != GPG_ERR_NOT_FOUND)
        return err;
    }
  return 0;
}

gpg_error_t
_app_read_chv_status (app_t app)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len;

  err = _app_get_do (app, 0xC4, &buf, &len);
  if (!err && len >= 7)
    memcpy (app->chv_status, buf, 7);
  else if (!err || _app_is_absent_error (err))
    {
      xfree (buf);
      buf = NULL;
      err = _app_get_do (app, 0x6E, &buf, &len);
      if (!err)
        err = _app_parse_app_data (app, buf, len);
    }
  xfree (buf);
  return err;
}

gpg_error_t
_app_read_all (app_t app)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len;
  brd_t r, v;

  err = _app_get_do (app, 0x6E, &buf, &len);
  if (err)
    goto leave;
  err = _app_parse_app_data (app, buf, len);
  if (err)
    goto leave;
  xfree (buf);
  buf = NULL;

  /* Cardholder related data.  */
  err = _app_get_do (app, 0x65, &buf, &len);
  if (!err)
    {
      brd_init (&r, buf, len);
      if (!brd_find_tlv (&r, 0x5B, 1, &v))
        err = _app_do_set (&app->name, brd_ptr (&v), brd_left (&v));
      else
        _app_do_release (&app->name);
      if (!err && !brd_find_tlv (&r, 0x5F2D, 1, &v))
        err = _app_do_set (&app->lang, brd_ptr (&v), brd_left (&v));
      else
        _app_do_release (&app->lang);
      if (!err && !brd_find_tlv (&r, 0x5F35, 1, &v))
        err = _app_do_set (&app->sex, brd_ptr (&v), brd_left (&v));
      else
        _app_do_release (&app->sex);
      if (err)
        goto leave;
    }
  else if (!_app_is_absent_error (err))
    goto leave;
  xfree (buf);
  buf = NULL;

  /* Signature counter.  */
  err = _app_get_do (app, 0x7A, &buf, &len);
  if (!err)
    {
      brd_init (&r, buf, len);
      if (!brd_find_tlv (&r, 0x93, 1, &v))
        {
          uint32_t cnt = 0;
          const unsigned char *p = brd_ptr (&v);
          size_t i;

          for (i = 0; i < brd_left (&v) && i < 4; i++)
            cnt = (cnt << 8) | p[i];
          app->sig_counter = cnt;
        }
    }
  else if (!_app_is_absent_error (err))
    goto leave;
  xfree (buf);
  buf = NULL;

  if ((err = read_optional (app, 0x5F50, &app->url))
      || (err = read_optional (app, 0x5E, &app->login)))
    goto leave;
  if (app->extcap.kdf_do && (err = read_optional (app, 0xF9, &app->kdf)))
    goto leave;
  if (app->extcap.private_dos)
    {
      if ((err = read_optional (app, 0x0101, &app->private_do[0]))
          || (err = read_optional (app, 0x0102, &app->private_do[1])))
        goto leave;
      if (app->did_chv2
          && (err = read_optional (app, 0x0103, &app->private_do[2])))
        goto leave;
      if (app->did_chv3
          && (err = read_optional (app, 0x0104, &app->private_do[3])))
        goto leave;
    }
  err = 0;

 leave:
  xfree (buf);
  return err;
}

void
_app_set_identity (app_t app)
{
  oca_bin2hex (app->aid, 16, app->serialno);
  app->version = (app->aid[6] << 8) | app->aid[7];
  app->manufacturer = (app->aid[8] << 8) | app->aid[9];
  app->serial = ((uint32_t)app->aid[10] << 24) | (app->aid[11] << 16)
    | (app->aid[12] << 8) | app->aid[13];
}

gpg_error_t
_app_select (app_t app)
{
  gpg_error_t err;

  err = iso7816_select_application (app->rd, openpgp_aid,
                                    sizeof openpgp_aid);
  if (!err)
    app->reset_count = app->rd->reset_count;
  return err;
}

/* Start an operation: take the PC/SC transaction and, if the
 * transport saw a reset since our last select, forget the PIN state.
 * Select the application after a reset or when ALWAYS_SELECT; no APDU
 * when nothing happened.  */
static gpg_error_t
app_begin_ex (app_t app, int always_select)
{
  gpg_error_t err;
  int sw, reset;

  sw = tp_begin (app->rd);
  if (sw && sw != SW_HOST_CARD_RESET)
    return card_map_sw (sw);
  reset = sw == SW_HOST_CARD_RESET || app->reset_count != app->rd->reset_count;
  if (reset)
    _app_pin_lost (app);
  if (reset || always_select)
    {
      err = _app_select (app);
      if (err)
        {
          tp_end (app->rd);
          return err;
        }
    }
  return 0;
}

gpg_error_t
_app_begin (app_t app)
{
  return app_begin_ex (app, 0);
}

void
_app_end (app_t app)
{
  tp_end (app->rd);
}

int
_app_recover (app_t app, gpg_error_t err)
{
  switch (gpg_err_code (err))
    {
    case GPG_ERR_CARD_RESET:
    case GPG_ERR_CARD:      /* 6D00/6E00: another applet selected?  */
    case GPG_ERR_ENOENT:
      _app_pin_lost (app);
      return !_app_select (app);
    default:
      return 0;
    }
}

gpg_error_t
app_openpgp_open (tp_reader_t rd, app_t *r_app)
{
  gpg_error_t err;
  app_t app;
  int sw;

  *r_app = NULL;
  app = xtrycalloc (1, sizeof *app);
  if (!app)
    return oca_error_from_errno ();
  app->rd = rd;
  memset (app->keystatus, 0xff, 3);
  sw = tp_begin (rd);
  if (sw && sw != SW_HOST_CARD_RESET)
    {
      err = card_map_sw (sw);
      goto leave;
    }
  err = _app_select (app);
  if (!err)
    err = _app_read_all (app);
  if (!err && memcmp (app->aid, openpgp_aid, 6))
    {
      unsigned char *buf;
      size_t len;

      /* 6E without 4F: read the AID directly.  */
      err = _app_get_do (app, 0x4F, &buf, &len);
      if (!err)
        {
          if (len == 16)
            memcpy (app->aid, buf, 16);
          xfree (buf);
        }
      if (!err && memcmp (app->aid, openpgp_aid, 6))
        err = gpg_error (GPG_ERR_INV_CARD);
    }
  tp_end (rd);
  if (err)
    goto leave;
  _app_set_identity (app);
  *r_app = app;
  app = NULL;

 leave:
  app_openpgp_release (app);
  return err;
}

gpg_error_t
app_openpgp_refresh (app_t app)
{
  gpg_error_t err;

  err = _app_begin (app);
  if (err)
    return err;
  err = _app_read_all (app);
  if (err && _app_recover (app, err))
    err = _app_read_all (app);
  if (!err)
    _app_set_identity (app);
  _app_end (app);
  return err;
}

gpg_error_t
app_openpgp_check (app_t app)
{
  gpg_error_t err;
  unsigned int status;
  int sw;
  unsigned char oldaid[16];

  sw = tp_status (app->rd, &status);
  if (sw)
    return card_map_sw (sw);
  if (!(status & TP_STATUS_PRESENT))
    return gpg_error (GPG_ERR_CARD_REMOVED);
  if (!(status & TP_STATUS_CHANGED)
      && app->reset_count == app->rd->reset_count)
    return 0;
  /* The card was reset: select again and make sure it is the same
   * card.  */
  memcpy (oldaid, app->aid, 16);
  err = app_begin_ex (app, 1);
  if (err)
    return err;
  err = _app_read_all (app);
  _app_end (app);
  if (!err && memcmp (oldaid, app->aid, 16))
    err = gpg_error (GPG_ERR_CARD_REMOVED);
  return err;
}

char *
app_openpgp_ident (app_t app, char *buf, size_t bufsize)
{
  snprintf (buf, bufsize, "%04X:%08lX", app->manufacturer,
            (unsigned long)app->serial);
  return buf;
}

char *
app_openpgp_dispserialno (app_t app, char *buf, size_t bufsize)
{
  snprintf (buf, bufsize, "%04X %08lX", app->manufacturer,
            (unsigned long)app->serial);
  return buf;
}

const char *
app_openpgp_manufacturer_name (unsigned int id)
{
  switch (id)
    {
    case 0x0001: return "PPC Card Systems";
    case 0x0002: return "Prism";
    case 0x0003: return "OpenFortress";
    case 0x0004: return "Wewid";
    case 0x0005: return "ZeitControl";
    case 0x0006: return "Yubico";
    case 0x0007: return "OpenKMS";
    case 0x0008: return "LogoEmail";
    case 0x0009: return "Fidesmo";
    case 0x000A: return "VivoKey";
    case 0x000B: return "Feitian Technologies";
    case 0x000D: return "Dangerous Things";
    case 0x000E: return "Excelsecu";
    case 0x000F: return "Nitrokey";
    case 0x002A: return "Magrathea";
    case 0x0042: return "GnuPG e.V.";
    case 0x1337: return "Warsaw Hackerspace";
    case 0x2342: return "warpzone";
    case 0x4354: return "Confidential Technologies";
    case 0x5343: return "SSE Carte à puce";
    case 0x5443: return "TIF-IT e.V.";
    case 0x63AF: return "Trustica";
    case 0xBA53: return "c-base e.V.";
    case 0xBD0E: return "Paranoidlabs";
    case 0xCA05: return "Atos CardOS";
    case 0xF1D0: return "CanoKeys";
    case 0xF517: return "FSIJ";
    case 0xF5EC: return "F-Secure";
    case 0x0000:
    case 0xFFFF: return "test card";
    default:
      return (id & 0xff00) == 0xff00 ? "unmanaged S/N range" : "unknown";
    }
}
