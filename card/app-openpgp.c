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
 * transport (never an extra APDU when nothing happened) makes us
 * re-select and forget the PIN state; a "security status not
 * satisfied" after a supposedly verified PIN makes us verify again.
 */
#include <config.h>
#include "app-openpgp.h"
#include "iso7816.h"
#include "brd.h"
#include "membuf.h"

#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const unsigned char openpgp_aid[6] =
  { 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01 };

/* Minimum PIN lengths gnupg enforces on the host side.  */
#define MIN_PW1_LEN 6
#define MIN_PW3_LEN 8
#define MIN_RC_LEN  8

/* Cap on single data objects we keep.  */
#define MAX_DO_LEN 8192

/* GPG_ERR_NO_RESET_CODE (321) is newer than libgpg-error 1.46.  */
#define ERR_NO_RESET_CODE ((gpg_err_code_t)321)


static void
do_release (app_do_t *d)
{
  xfree (d->data);
  d->data = NULL;
  d->len = 0;
  d->present = 0;
}

static gpg_error_t
do_set (app_do_t *d, const unsigned char *p, size_t n)
{
  unsigned char *tmp;

  if (n > MAX_DO_LEN)
    return gpg_error (GPG_ERR_TOO_LARGE);
  tmp = xtrymalloc (n + 1);
  if (!tmp)
    return oca_error_from_errno ();
  memcpy (tmp, p, n);
  tmp[n] = 0;
  do_release (d);
  d->data = tmp;
  d->len = n;
  d->present = 1;
  return 0;
}

static void
pk_release (struct app_pubkey_s *pk)
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
  if (all)
    for (i = 0; i < 3; i++)
      pk_release (&app->pk[i]);
}

void
app_openpgp_release (app_t app)
{
  int i;

  if (!app)
    return;
  app_openpgp_forget (app, 1);
  do_release (&app->name);
  do_release (&app->lang);
  do_release (&app->sex);
  do_release (&app->url);
  do_release (&app->login);
  do_release (&app->kdf);
  do_release (&app->algoinfo);
  for (i = 0; i < 4; i++)
    do_release (&app->private_do[i]);
  xfree (app);
}

/* GET DATA TAG, with an outer TAG stripped; result in *R_BUF.  */
static gpg_error_t
get_do (app_t app, int tag, unsigned char **r_buf, size_t *r_len)
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

/* Errors of an optional DO that just mean "not there".  */
static int
is_absent_error (gpg_error_t err)
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

  err = get_do (app, tag, &buf, &len);
  if (err)
    {
      do_release (d);
      return is_absent_error (err) ? 0 : err;
    }
  err = do_set (d, buf, len);
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

/* Parse the application related data (DO 6E value) in BUF.  */
static gpg_error_t
parse_app_data (app_t app, const unsigned char *buf, size_t len)
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

/* Read DO C4 into the cache (direct GET DATA, else via 6E).  */
static gpg_error_t
read_chv_status (app_t app)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len;

  err = get_do (app, 0xC4, &buf, &len);
  if (!err && len >= 7)
    memcpy (app->chv_status, buf, 7);
  else if (!err || is_absent_error (err))
    {
      xfree (buf);
      buf = NULL;
      err = get_do (app, 0x6E, &buf, &len);
      if (!err)
        err = parse_app_data (app, buf, len);
    }
  xfree (buf);
  return err;
}

/* Read everything into the cache.  */
static gpg_error_t
read_all (app_t app)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len;
  brd_t r, v;

  err = get_do (app, 0x6E, &buf, &len);
  if (err)
    goto leave;
  err = parse_app_data (app, buf, len);
  if (err)
    goto leave;
  xfree (buf);
  buf = NULL;

  /* Cardholder related data.  */
  err = get_do (app, 0x65, &buf, &len);
  if (!err)
    {
      brd_init (&r, buf, len);
      if (!brd_find_tlv (&r, 0x5B, 1, &v))
        err = do_set (&app->name, brd_ptr (&v), brd_left (&v));
      else
        do_release (&app->name);
      if (!err && !brd_find_tlv (&r, 0x5F2D, 1, &v))
        err = do_set (&app->lang, brd_ptr (&v), brd_left (&v));
      else
        do_release (&app->lang);
      if (!err && !brd_find_tlv (&r, 0x5F35, 1, &v))
        err = do_set (&app->sex, brd_ptr (&v), brd_left (&v));
      else
        do_release (&app->sex);
      if (err)
        goto leave;
    }
  else if (!is_absent_error (err))
    goto leave;
  xfree (buf);
  buf = NULL;

  /* Signature counter.  */
  err = get_do (app, 0x7A, &buf, &len);
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
  else if (!is_absent_error (err))
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

static void
set_identity (app_t app)
{
  oca_bin2hex (app->aid, 16, app->serialno);
  app->version = (app->aid[6] << 8) | app->aid[7];
  app->manufacturer = (app->aid[8] << 8) | app->aid[9];
  app->serial = ((uint32_t)app->aid[10] << 24) | (app->aid[11] << 16)
    | (app->aid[12] << 8) | app->aid[13];
}

/* Select the application (after open or a reset).  */
static gpg_error_t
select_app (app_t app)
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
    app_openpgp_forget (app, 0);
  if (reset || always_select)
    {
      err = select_app (app);
      if (err)
        {
          tp_end (app->rd);
          return err;
        }
    }
  return 0;
}

static gpg_error_t
app_begin (app_t app)
{
  return app_begin_ex (app, 0);
}

static void
app_end (app_t app)
{
  tp_end (app->rd);
}

/* After an operation failed with ERR: if the card was reset or
 * another application got selected, re-select and return true so
 * that the caller retries once.  */
static int
recover (app_t app, gpg_error_t err)
{
  switch (gpg_err_code (err))
    {
    case GPG_ERR_CARD_RESET:
    case GPG_ERR_CARD:      /* 6D00/6E00: another applet selected?  */
    case GPG_ERR_ENOENT:
      app_openpgp_forget (app, 0);
      return !select_app (app);
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
  err = select_app (app);
  if (!err)
    err = read_all (app);
  if (!err && memcmp (app->aid, openpgp_aid, 6))
    {
      unsigned char *buf;
      size_t len;

      /* 6E without 4F: read the AID directly.  */
      err = get_do (app, 0x4F, &buf, &len);
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
  set_identity (app);
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

  err = app_begin (app);
  if (err)
    return err;
  err = read_all (app);
  if (err && recover (app, err))
    err = read_all (app);
  if (!err)
    set_identity (app);
  app_end (app);
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
  err = read_all (app);
  app_end (app);
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


/*
 * PIN handling
 */

/* Append the cardholder name (5B, "Surname<<Given<Names") to MB as
 * "Given Names Surname", percent-escaping '%' and control bytes.  */
static void
put_disp_name (membuf_t *mb, const app_do_t *name)
{
  const unsigned char *s, *sep = NULL;
  size_t i, n;
  char tmp[4];

  if (!name->present || !name->len)
    return;
  s = name->data;
  n = name->len;
  for (i = 0; i + 1 < n; i++)
    if (s[i] == '<' && s[i + 1] == '<')
      {
        sep = s + i;
        break;
      }
#define PUTC(c) do {                                             \
      unsigned char c_ = (c);                                    \
      if (c_ == '<') membuf_put_u8 (mb, ' ');                    \
      else if (c_ < 0x20 || c_ == '%' || c_ == 0x7f)             \
        { snprintf (tmp, sizeof tmp, "%%%02X", c_);              \
          membuf_put_str (mb, tmp); }                            \
      else membuf_put_u8 (mb, c_);                               \
    } while (0)
  if (sep)
    {
      const unsigned char *g = sep + 2;
      size_t glen = n - (size_t)(g - s);

      for (i = 0; i < glen; i++)
        PUTC (g[i]);
      if (glen)
        membuf_put_u8 (mb, ' ');
      for (i = 0; s + i < sep; i++)
        PUTC (s[i]);
    }
  else
    for (i = 0; i < n; i++)
      PUTC (s[i]);
#undef PUTC
}

gpg_error_t
app_openpgp_pin_prompt (app_t app, int which, int remaining, char **r_prompt)
{
  membuf_t mb;
  char buf[64], dispsn[20];
  unsigned char *res;
  size_t len;
  gpg_error_t err;

  *r_prompt = NULL;
  membuf_init (&mb, 1000, 0);
  if (which == 3)
    membuf_put_str (&mb, "|A|Please enter the Admin PIN");
  else
    membuf_put_str (&mb, "||Please unlock the card");
  membuf_put_str (&mb, "%0A%0A\x1eNumber\x1f: ");
  membuf_put_str (&mb, app_openpgp_dispserialno (app, dispsn, sizeof dispsn));
  membuf_put_str (&mb, "%0AHolder\x1f: ");
  put_disp_name (&mb, &app->name);
  if (which == 1)
    {
      snprintf (buf, sizeof buf, "%%0ACounter\x1f: %lu", app->sig_counter);
      membuf_put_str (&mb, buf);
    }
  if (remaining >= 0 && remaining < 3)
    {
      snprintf (buf, sizeof buf, "%%0A%%0ARemaining attempts: %d", remaining);
      membuf_put_str (&mb, buf);
    }
  err = membuf_take (&mb, &res, &len);
  membuf_release (&mb);
  if (err)
    return err;
  *r_prompt = (char *)res;
  return 0;
}

/* Transform PIN for the card: the KDF-DO (when active) replaces the
 * PIN by its iterated+salted S2K hash.  WHICH: 1 = PW1, 2 = RC,
 * 3 = PW3.  Returns a secure buffer.  */
static gpg_error_t
pin_for_card (app_t app, int which, const char *pin,
              unsigned char **r_buf, size_t *r_len)
{
  gpg_error_t err;
  unsigned char *out;
  size_t pinlen = strlen (pin);

  *r_buf = NULL;
  *r_len = 0;
  if (app->kdf.present && app->kdf.len >= 3)
    {
      brd_t r, v;
      unsigned int hashalgo = 0;
      int algo, dlen;
      uint32_t count = 0;
      const unsigned char *salt = NULL;

      brd_init (&r, app->kdf.data, app->kdf.len);
      if (!brd_find_tlv (&r, 0x81, 0, &v) && brd_left (&v) == 1
          && brd_ptr (&v)[0] == 0x03)
        {
          if (brd_find_tlv (&r, 0x82, 0, &v) || brd_get_u8 (&v, &hashalgo)
              || brd_find_tlv (&r, 0x83, 0, &v) || brd_get_u32 (&v, &count))
            return gpg_error (GPG_ERR_INV_OBJ);
          if (brd_find_tlv (&r, which == 3 ? 0x86 : which == 2 ? 0x85 : 0x84,
                            0, &v)
              && brd_find_tlv (&r, 0x84, 0, &v))
            return gpg_error (GPG_ERR_INV_OBJ);
          if (brd_left (&v) != 8)
            return gpg_error (GPG_ERR_INV_OBJ);
          salt = brd_ptr (&v);
          algo = hashalgo == 0x08 ? GCRY_MD_SHA256
            : hashalgo == 0x0A ? GCRY_MD_SHA512 : 0;
          if (!algo)
            return gpg_error (GPG_ERR_DIGEST_ALGO);
          dlen = gcry_md_get_algo_dlen (algo);
          out = xtrymalloc_secure (dlen);
          if (!out)
            return oca_error_from_errno ();
          err = gcry_kdf_derive (pin, pinlen, GCRY_KDF_ITERSALTED_S2K, algo,
                                 salt, 8, count, dlen, out);
          if (err)
            {
              wipe_and_free (out, dlen);
              return err;
            }
          *r_buf = out;
          *r_len = dlen;
          return 0;
        }
    }
  out = xtrymalloc_secure (pinlen + 1);
  if (!out)
    return oca_error_from_errno ();
  memcpy (out, pin, pinlen + 1);
  *r_buf = out;
  *r_len = pinlen;
  return 0;
}

/* Ask for a PIN with PROMPT through PINCB and check its length.  */
static gpg_error_t
ask_pin (app_pincb_t pincb, void *arg, const char *prompt, size_t minlen,
         char **r_pin)
{
  gpg_error_t err;
  char *pin = NULL;

  *r_pin = NULL;
  if (!pincb)
    return gpg_error (GPG_ERR_NO_PIN_ENTRY);
  err = pincb (arg, prompt, &pin);
  if (err)
    return err;
  if (!pin)
    return gpg_error (GPG_ERR_NO_PIN);
  if (strlen (pin) < minlen)
    {
      wipe_and_free_string (pin);
      return gpg_error (GPG_ERR_BAD_PIN);
    }
  *r_pin = pin;
  return 0;
}

/* Verify WHICH (1 = 81, 2 = 82, 3 = 83) unless already verified.  */
static gpg_error_t
verify_chv (app_t app, int which, unsigned int flags,
            app_pincb_t pincb, void *arg)
{
  gpg_error_t err;
  char *prompt = NULL, *pin = NULL;
  unsigned char *cardpin = NULL;
  size_t cardpinlen = 0;
  int tries;

  if ((which == 1 && app->did_chv1) || (which == 2 && app->did_chv2)
      || (which == 3 && app->did_chv3))
    return 0;
  err = read_chv_status (app);
  if (err)
    goto leave;
  tries = which == 3 ? app->chv_status[6] : app->chv_status[4];
  if (!tries)
    {
      err = gpg_error (GPG_ERR_PIN_BLOCKED);
      goto leave;
    }
  if (tries == 1 && !(flags & APP_FLAG_INSIST))
    {
      /* Do not risk blocking the PIN without an explicit request.  */
      err = gpg_error (GPG_ERR_PIN_NOT_SYNCED);
      goto leave;
    }
  err = app_openpgp_pin_prompt (app, which, tries, &prompt);
  if (err)
    goto leave;
  err = ask_pin (pincb, arg, prompt,
                 which == 3 ? MIN_PW3_LEN : MIN_PW1_LEN, &pin);
  if (err)
    goto leave;
  err = pin_for_card (app, which == 3 ? 3 : 1, pin, &cardpin, &cardpinlen);
  if (err)
    goto leave;
  err = iso7816_verify (app->rd, 0x80 + which, cardpin, cardpinlen);
  if (err)
    {
      if (gpg_err_code (err) == GPG_ERR_BAD_PIN)
        read_chv_status (app);
      goto leave;
    }
  if (which == 1)
    app->did_chv1 = 1;
  else if (which == 2)
    app->did_chv2 = 1;
  else
    app->did_chv3 = 1;

 leave:
  xfree (prompt);
  wipe_and_free_string (pin);
  wipe_and_free (cardpin, cardpinlen);
  return err;
}

gpg_error_t
app_openpgp_verify (app_t app, int which, unsigned int flags,
                    app_pincb_t pincb, void *pincb_arg)
{
  gpg_error_t err;

  if (which < 1 || which > 3)
    return gpg_error (GPG_ERR_INV_ID);
  err = app_begin (app);
  if (err)
    return err;
  err = verify_chv (app, which, flags, pincb, pincb_arg);
  app_end (app);
  return err;
}

/* Clear the verified flag for WHICH.  */
static void
clear_chv (app_t app, int which)
{
  if (which == 1)
    app->did_chv1 = 0;
  else if (which == 2)
    app->did_chv2 = 0;
  else
    app->did_chv3 = 0;
}

static int
chv_flag (app_t app, int which)
{
  return which == 1 ? app->did_chv1 : which == 2 ? app->did_chv2
    : app->did_chv3;
}


/*
 * Crypto operations
 */

/* After a touch timeout (6600) forget PW1 on the card and here, as
 * scdaemon does (VERIFY P1=FF for 81 and 82; errors are ignored:
 * cards before v3.1 do not know it).  An unattended card then does
 * not keep a verified PIN for whoever touches it later.  */
static void
clear_pw1_after_timeout (app_t app, gpg_error_t err)
{
  if (gpg_err_code (err) != GPG_ERR_TIMEOUT)
    return;
  iso7816_verify_reset (app->rd, 0x81);
  iso7816_verify_reset (app->rd, 0x82);
  app->did_chv1 = 0;
  app->did_chv2 = 0;
}

gpg_error_t
app_openpgp_sign (app_t app, int keyno,
                  const unsigned char *data, size_t datalen,
                  unsigned int flags, app_pincb_t pincb, void *pincb_arg,
                  unsigned char **r_sig, size_t *r_siglen)
{
  gpg_error_t err;
  const card_keyattr_t *attr;
  int which, attempt, was_verified, le;

  *r_sig = NULL;
  *r_siglen = 0;
  if (keyno != 1 && keyno != 3)
    return gpg_error (GPG_ERR_INV_ID);
  attr = &app->keyattr[keyno - 1];
  if (!attr->algo)
    return gpg_error (GPG_ERR_UNSUPPORTED_ALGORITHM);
  if (attr->algo == CARD_ALGO_RSA
      && datalen > (size_t)(attr->nbits / 8) * 40 / 100)
    return gpg_error (GPG_ERR_INV_VALUE);
  le = attr->algo == CARD_ALGO_RSA ? (int)(attr->nbits / 8) : 256;
  if (le < 256)
    le = 256;
  which = keyno == 1 ? 1 : 2;

  err = app_begin (app);
  if (err)
    return err;
  for (attempt = 0; attempt < 2; attempt++)
    {
      was_verified = chv_flag (app, which);
      err = verify_chv (app, which, flags, pincb, pincb_arg);
      if (err)
        break;
      if (keyno == 1)
        err = iso7816_compute_ds (app->rd, data, datalen, le,
                                  r_sig, r_siglen);
      else
        err = iso7816_internal_authenticate (app->rd, data, datalen, le,
                                             r_sig, r_siglen);
      if (keyno == 1 && !app->chv_status[0])
        app->did_chv1 = 0;  /* PW1 valid for one signature only.  */
      clear_pw1_after_timeout (app, err);
      if (!err)
        {
          if (keyno == 1)
            app->sig_counter++;
          break;
        }
      if (attempt)
        break;
      if (gpg_err_code (err) == GPG_ERR_BAD_PIN && was_verified)
        clear_chv (app, which);  /* Someone reset the PIN state.  */
      else if (!recover (app, err))
        break;
    }
  app_end (app);
  return err;
}

/* Size of the BER length field for LEN.  */
static size_t
ber_len_size (size_t len)
{
  return len < 0x80 ? 1 : len < 0x100 ? 2 : 3;
}

static void
put_ber_len (membuf_t *mb, size_t len)
{
  if (len >= 0x100)
    {
      membuf_put_u8 (mb, 0x82);
      membuf_put_u16 (mb, len);
    }
  else
    {
      if (len >= 0x80)
        membuf_put_u8 (mb, 0x81);
      membuf_put_u8 (mb, len);
    }
}

gpg_error_t
app_openpgp_decipher (app_t app, int keyno,
                      const unsigned char *data, size_t datalen,
                      unsigned int flags, app_pincb_t pincb, void *pincb_arg,
                      unsigned char **r_out, size_t *r_outlen)
{
  gpg_error_t err;
  const card_keyattr_t *attr;
  membuf_t mb;
  unsigned char *res = NULL, *in = NULL, *out = NULL;
  size_t reslen = 0, inlen = 0;
  int attempt, was_verified, le;

  *r_out = NULL;
  *r_outlen = 0;
  membuf_init (&mb, 8192, 1);
  if (keyno != 2)
    return gpg_error (GPG_ERR_INV_ID);
  attr = &app->keyattr[1];
  if (attr->algo == CARD_ALGO_RSA)
    {
      size_t mlen = attr->nbits / 8;

      if (datalen == mlen + 1 && !data[0])
        {
          data++;
          datalen--;
        }
      if (datalen > mlen || mlen - datalen > 16)
        {
          err = gpg_error (GPG_ERR_INV_VALUE);
          goto leave;
        }
      membuf_put_u8 (&mb, 0x00);    /* Padding indicator.  */
      while (datalen < mlen--)
        membuf_put_u8 (&mb, 0);
      membuf_put (&mb, data, datalen);
      le = attr->nbits / 8 > 256 ? (int)(attr->nbits / 8) : 256;
    }
  else if (attr->algo == CARD_ALGO_ECDH)
    {
      size_t plen = datalen, pad = 0, n;

      if (attr->djb)
        {
          size_t fsize = (attr->nbits + 7) / 8;

          if (plen > fsize && (plen % 2))
            {
              data++;
              plen--;
            }
          if (plen < fsize)
            pad = fsize - plen;
          if (plen > fsize)
            {
              err = gpg_error (GPG_ERR_INV_VALUE);
              goto leave;
            }
        }
      n = plen + pad;
      if (n > 200)
        {
          err = gpg_error (GPG_ERR_INV_VALUE);
          goto leave;
        }
      /* A6 { 7F49 { 86 point } }  */
      {
        size_t l86 = 1 + ber_len_size (n) + n;
        size_t l7f49 = 2 + ber_len_size (l86) + l86;

        membuf_put_u8 (&mb, 0xA6);
        put_ber_len (&mb, l7f49);
        membuf_put_u16 (&mb, 0x7F49);
        put_ber_len (&mb, l86);
        membuf_put_u8 (&mb, 0x86);
        put_ber_len (&mb, n);
      }
      while (pad--)
        membuf_put_u8 (&mb, 0);
      membuf_put (&mb, data, plen);
      le = 256;
    }
  else
    {
      err = gpg_error (GPG_ERR_UNSUPPORTED_ALGORITHM);
      goto leave;
    }
  err = membuf_take (&mb, &in, &inlen);
  if (err)
    goto leave;

  err = app_begin (app);
  if (err)
    goto leave;
  for (attempt = 0; attempt < 2; attempt++)
    {
      was_verified = app->did_chv2;
      err = verify_chv (app, 2, flags, pincb, pincb_arg);
      if (err)
        break;
      err = iso7816_decipher (app->rd, in, inlen, le, &res, &reslen);
      clear_pw1_after_timeout (app, err);
      if (!err || attempt)
        break;
      if (gpg_err_code (err) == GPG_ERR_BAD_PIN && was_verified)
        app->did_chv2 = 0;
      else if (!recover (app, err))
        break;
    }
  app_end (app);
  if (err)
    goto leave;

  if (attr->algo == CARD_ALGO_ECDH
      && (attr->djb || !(reslen % 2 == 1 && res[0] == 0x04)))
    {
      out = xtrymalloc_secure (reslen + 1);
      if (!out)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      out[0] = attr->djb ? 0x40 : 0x41;
      memcpy (out + 1, res, reslen);
      *r_out = out;
      *r_outlen = reslen + 1;
    }
  else
    {
      *r_out = res;
      *r_outlen = reslen;
      res = NULL;
    }

 leave:
  if (res)
    wipe_and_free (res, reslen);
  if (in)
    wipe_and_free (in, inlen);
  membuf_release (&mb);
  return err;
}


/*
 * Public keys
 */

static const unsigned char crt_templates[3][2] =
  { { 0xB6, 0x00 }, { 0xB8, 0x00 }, { 0xA4, 0x00 } };

/* Parse a 7F49 public key template in BUF into the parts.  */
static gpg_error_t
parse_pubkey_template (const unsigned char *buf, size_t len,
                       const card_keyattr_t *attr,
                       const unsigned char **r_n, size_t *r_nlen,
                       const unsigned char **r_e, size_t *r_elen,
                       const unsigned char **r_q, size_t *r_qlen)
{
  gpg_error_t err;
  brd_t r, tmpl, v;

  *r_n = *r_e = *r_q = NULL;
  *r_nlen = *r_elen = *r_qlen = 0;
  brd_init (&r, buf, len);
  err = brd_find_tlv (&r, 0x7F49, 0, &tmpl);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    tmpl = r;   /* Value only.  */
  else if (err)
    return err;
  if (attr->algo == CARD_ALGO_RSA)
    {
      if ((err = brd_find_tlv (&tmpl, 0x81, 0, &v)))
        goto leave;
      *r_n = brd_ptr (&v);
      *r_nlen = brd_left (&v);
      if ((err = brd_find_tlv (&tmpl, 0x82, 0, &v)))
        goto leave;
      *r_e = brd_ptr (&v);
      *r_elen = brd_left (&v);
      if (!*r_nlen || !*r_elen)
        err = gpg_error (GPG_ERR_INV_OBJ);
    }
  else
    {
      if ((err = brd_find_tlv (&tmpl, 0x86, 0, &v)))
        goto leave;
      *r_q = brd_ptr (&v);
      *r_qlen = brd_left (&v);
      if (!*r_qlen)
        err = gpg_error (GPG_ERR_INV_OBJ);
    }

 leave:
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    err = gpg_error (GPG_ERR_INV_OBJ);
  return err;
}

/* Read the public key of KEYNO from the card into the cache.  */
static gpg_error_t
read_pubkey (app_t app, int keyno)
{
  gpg_error_t err;
  struct app_pubkey_s *pk = &app->pk[keyno - 1];
  const card_keyattr_t *attr = &app->keyattr[keyno - 1];
  unsigned char *buf = NULL;
  size_t len;
  const unsigned char *n, *e, *q;
  size_t nlen, elen, qlen;
  int le;

  if (pk->valid)
    return pk->absent ? gpg_error (GPG_ERR_NO_OBJ) : 0;
  if (!attr->algo)
    return gpg_error (GPG_ERR_NO_OBJ);
  le = 256;
  if (attr->algo == CARD_ALGO_RSA && attr->nbits > 1952
      && app->rd->cap_extended)
    le = 2 + 3 + 4 + attr->nbits / 8 + 2 + (attr->ebits + 7) / 8;
  err = iso7816_generate_keypair (app->rd, 1, crt_templates[keyno - 1], 2,
                                  le, &buf, &len);
  if (err)
    {
      switch (gpg_err_code (err))
        {
        case GPG_ERR_NO_OBJ:
        case GPG_ERR_INV_VALUE:
        case GPG_ERR_USE_CONDITIONS:
        case GPG_ERR_CARD:
          pk_release (pk);
          pk->valid = 1;
          pk->absent = 1;
          err = gpg_error (GPG_ERR_NO_OBJ);
          break;
        default:
          break;
        }
      goto leave;
    }
  err = parse_pubkey_template (buf, len, attr, &n, &nlen, &e, &elen,
                               &q, &qlen);
  if (err)
    goto leave;
  pk_release (pk);
  err = card_build_pubkey_sexp (attr, n, nlen, e, elen, q, qlen,
                                &pk->sexp, &pk->sexplen, pk->grip);
  if (err)
    goto leave;
  pk->valid = 1;

 leave:
  xfree (buf);
  return err;
}

gpg_error_t
app_openpgp_readkey (app_t app, int keyno, const unsigned char **r_sexp,
                     size_t *r_sexplen, const char **r_grip)
{
  gpg_error_t err;

  if (r_sexp)
    *r_sexp = NULL;
  if (r_sexplen)
    *r_sexplen = 0;
  if (r_grip)
    *r_grip = NULL;
  if (keyno < 1 || keyno > 3)
    return gpg_error (GPG_ERR_INV_ID);
  if (!app->pk[keyno - 1].valid)
    {
      err = app_begin (app);
      if (err)
        return err;
      err = read_pubkey (app, keyno);
      if (err && recover (app, err))
        err = read_pubkey (app, keyno);
      app_end (app);
      if (err)
        return err;
    }
  if (app->pk[keyno - 1].absent)
    return gpg_error (GPG_ERR_NO_OBJ);
  if (r_sexp)
    *r_sexp = app->pk[keyno - 1].sexp;
  if (r_sexplen)
    *r_sexplen = app->pk[keyno - 1].sexplen;
  if (r_grip)
    *r_grip = app->pk[keyno - 1].grip;
  return 0;
}

int
app_openpgp_find_grip (app_t app, const char *grip)
{
  int i;
  const char *g;

  for (i = 1; i <= 3; i++)
    if (!app_openpgp_readkey (app, i, NULL, NULL, &g)
        && !strcasecmp (g, grip))
      return i;
  return 0;
}


/*
 * Administrative operations
 */

static int
fpr_is_zero (const unsigned char *fpr)
{
  int i;

  for (i = 0; i < 20; i++)
    if (fpr[i])
      return 0;
  return 1;
}

/* Write fingerprint and creation time of slot KEYNO.  */
static gpg_error_t
store_fpr (app_t app, int keyno, const unsigned char *fpr, uint32_t created)
{
  gpg_error_t err;
  unsigned char tbuf[4];

  err = iso7816_put_data (app->rd, 0xC7 + keyno - 1, fpr, 20);
  if (err)
    return err;
  tbuf[0] = created >> 24;
  tbuf[1] = created >> 16;
  tbuf[2] = created >> 8;
  tbuf[3] = created;
  err = iso7816_put_data (app->rd, 0xCE + keyno - 1, tbuf, 4);
  if (err)
    return err;
  memcpy (app->fpr[keyno - 1], fpr, 20);
  app->keytime[keyno - 1] = created;
  return 0;
}

/* Read DO FA into the cache and parse it into *R_LIST / *R_COUNT (in
 * a transaction).  GPG_ERR_NOT_FOUND when the card has none.  */
static gpg_error_t
read_algoinfo (app_t app, card_algoinfo_t **r_list, size_t *r_count)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;

  *r_list = NULL;
  *r_count = 0;
  err = get_do (app, 0xFA, &buf, &len);
  if (err)
    {
      do_release (&app->algoinfo);
      /* 6A88, 6D00, 6A86, ...: the card has no algorithm information.  */
      if (is_absent_error (err))
        err = gpg_error (GPG_ERR_NOT_FOUND);
      goto leave;
    }
  err = do_set (&app->algoinfo, buf, len);
  if (err)
    goto leave;
  if (!len)
    {
      err = gpg_error (GPG_ERR_NOT_FOUND);
      goto leave;
    }
  err = card_parse_algoinfo (buf, len, r_list, r_count);

 leave:
  xfree (buf);
  return err;
}

/* Work out the attribute value (BUF of BUFSIZE >= 16, *R_LEN) that
 * lets slot KEYNO take a key like WANT in the card's own import format
 * (card_keyattr_encode); reads DO FA.  Nothing is written.  An
 * algorithm the card does not offer (DO FA; ECC on a card of spec 2.x
 * without DO FA) is GPG_ERR_UNSUPPORTED_ALGORITHM, a card that cannot change
 * attributes GPG_ERR_NOT_SUPPORTED.  */
static gpg_error_t
plan_keyattr (app_t app, int keyno, const card_keyattr_t *want,
              unsigned char *buf, size_t bufsize, size_t *r_len)
{
  gpg_error_t err;
  card_algoinfo_t *list = NULL;
  size_t count = 0;

  *r_len = 0;
  if (!app->extcap.algo_attr_change)
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  err = read_algoinfo (app, &list, &count);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    {
      err = 0;
      /* ECC came with spec 3.0: a 2.x card without DO FA has RSA only
       * -- except Gnuk (FSIJ), whose AID says 2.0 since 1.2 added
       * ECC.  */
      if (want->algo != CARD_ALGO_RSA && app->version < 0x0300
          && app->manufacturer != 0xF517)
        err = gpg_error (GPG_ERR_UNSUPPORTED_ALGORITHM);
    }
  if (!err)
    err = card_keyattr_encode (keyno, want, app->keyattr, list, count,
                               buf, bufsize, r_len);
  xfree (list);
  return err;
}

static int
same_keyattr (const card_keyattr_t *a, const card_keyattr_t *b)
{
  if (a->algo != b->algo)
    return 0;
  if (a->algo == CARD_ALGO_RSA)
    return a->nbits == b->nbits;
  return a->oidlen == b->oidlen && !memcmp (a->oid, b->oid, a->oidlen);
}

/* Write the attribute value BUF/N (from plan_keyattr) to slot KEYNO
 * (PW3 must be verified) and read the application data again: what
 * the card reports now -- its import format included -- is what the
 * key import uses.  The card must then hold attributes like WANT.  */
static gpg_error_t
change_keyattr (app_t app, int keyno, const unsigned char *buf, size_t n,
                const card_keyattr_t *want)
{
  gpg_error_t err;
  unsigned char *data = NULL;
  size_t len;

  err = iso7816_put_data (app->rd, 0xC1 + keyno - 1, buf, n);
  if (err)
    return err;
  pk_release (&app->pk[keyno - 1]);
  err = get_do (app, 0x6E, &data, &len);
  if (!err)
    err = parse_app_data (app, data, len);
  xfree (data);
  if (!err && !same_keyattr (&app->keyattr[keyno - 1], want))
    err = gpg_error (GPG_ERR_INV_RESPONSE);  /* The card kept others.  */
  return err;
}

void
app_genkey_info_release (app_genkey_info_t *info)
{
  if (!info)
    return;
  xfree (info->n);
  xfree (info->e);
  xfree (info->q);
  xfree (info);
}


gpg_error_t
app_openpgp_genkey (app_t app, int keyno, unsigned int flags,
                    uint32_t created, app_pincb_t pincb, void *pincb_arg,
                    app_genkey_info_t **r_info)
{
  gpg_error_t err;
  app_genkey_info_t *info = NULL;
  const card_keyattr_t *attr;
  unsigned char *buf = NULL;
  size_t len;
  const unsigned char *n, *e, *q;
  size_t nlen, elen, qlen;
  int le, began = 0;

  *r_info = NULL;
  if (keyno < 1 || keyno > 3)
    return gpg_error (GPG_ERR_INV_ID);
  err = app_begin (app);
  if (err)
    return err;
  began = 1;
  err = read_all (app);
  if (err)
    goto leave;
  attr = &app->keyattr[keyno - 1];
  if (!attr->algo)
    {
      err = gpg_error (GPG_ERR_UNSUPPORTED_ALGORITHM);
      goto leave;
    }
  if (attr->algo == CARD_ALGO_RSA && attr->nbits > 4096)
    {
      err = gpg_error (GPG_ERR_TOO_LARGE);
      goto leave;
    }
  if (!fpr_is_zero (app->fpr[keyno - 1]) && !(flags & APP_FLAG_FORCE))
    {
      err = gpg_error (GPG_ERR_EEXIST);
      goto leave;
    }
  err = verify_chv (app, 3, flags, pincb, pincb_arg);
  if (err)
    goto leave;
  le = 256;
  if (attr->algo == CARD_ALGO_RSA && attr->nbits > 1952
      && app->rd->cap_extended)
    le = 2 + 3 + 4 + attr->nbits / 8 + 2 + (attr->ebits + 7) / 8;
  pk_release (&app->pk[keyno - 1]);
  err = iso7816_generate_keypair (app->rd, 0, crt_templates[keyno - 1], 2,
                                  le, &buf, &len);
  if (err)
    goto leave;
  err = parse_pubkey_template (buf, len, attr, &n, &nlen, &e, &elen,
                               &q, &qlen);
  if (err)
    goto leave;
  info = xtrycalloc (1, sizeof *info);
  if (!info)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  info->keyno = keyno;
  info->attr = *attr;
  info->created = created ? created : (uint32_t)time (NULL);
  card_default_kdf (attr, info->kdf);
  if (n)
    {
      info->n = xtrymalloc (nlen);
      info->e = xtrymalloc (elen);
      if (!info->n || !info->e)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      memcpy (info->n, n, nlen);
      info->nlen = nlen;
      memcpy (info->e, e, elen);
      info->elen = elen;
    }
  if (q)
    {
      info->q = xtrymalloc (qlen);
      if (!info->q)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      memcpy (info->q, q, qlen);
      info->qlen = qlen;
    }
  err = card_compute_fpr (attr, info->created, n, nlen, e, elen, q, qlen,
                          NULL, info->fpr);
  if (err)
    goto leave;
  err = store_fpr (app, keyno, info->fpr, info->created);
  if (err)
    goto leave;
  /* Cache the public key we already have.  */
  {
    struct app_pubkey_s *pk = &app->pk[keyno - 1];

    if (!card_build_pubkey_sexp (attr, n, nlen, e, elen, q, qlen,
                                 &pk->sexp, &pk->sexplen, pk->grip))
      pk->valid = 1;
  }
  if (keyno == 1)
    app->sig_counter = 0;
  *r_info = info;
  info = NULL;

 leave:
  if (began)
    app_end (app);
  xfree (buf);
  app_genkey_info_release (info);
  return err;
}

/* Copy the value of NAME from LIST into a fresh secure buffer.  */
static gpg_error_t
sexp_copy (gcry_sexp_t list, const char *name, int optional,
           unsigned char **r_buf, size_t *r_len)
{
  gcry_sexp_t l;
  const char *p;
  size_t n;
  unsigned char *buf;

  *r_buf = NULL;
  *r_len = 0;
  l = gcry_sexp_find_token (list, name, 0);
  if (!l)
    return optional ? 0 : gpg_error (GPG_ERR_BAD_SECKEY);
  p = gcry_sexp_nth_data (l, 1, &n);
  if (!p || !n)
    {
      gcry_sexp_release (l);
      return gpg_error (GPG_ERR_BAD_SECKEY);
    }
  buf = xtrymalloc_secure (n + 1);
  if (!buf)
    {
      gpg_error_t err = oca_error_from_errno ();
      gcry_sexp_release (l);
      return err;
    }
  memcpy (buf, p, n);
  buf[n] = 0;
  gcry_sexp_release (l);
  *r_buf = buf;
  *r_len = n;
  return 0;
}

gpg_error_t
app_openpgp_writekey (app_t app, int keyno, unsigned int flags,
                      const unsigned char *keydata, size_t keydatalen,
                      app_pincb_t pincb, void *pincb_arg)
{
  gpg_error_t err;
  gcry_sexp_t s = NULL, key = NULL;
  unsigned char *n = NULL, *e = NULL, *d = NULL, *p = NULL, *q = NULL;
  unsigned char *curve = NULL, *created_s = NULL, *kdfp = NULL;
  size_t nlen = 0, elen = 0, dlen = 0, plen = 0, qlen = 0, clen = 0;
  size_t created_len = 0, kdflen = 0;
  unsigned char *tmpl = NULL;
  size_t tmpllen = 0;
  card_keyattr_t want;
  uint32_t created;
  unsigned char fpr[20], newattr[16];
  size_t newattrlen = 0;
  int is_rsa, began = 0;

  if (keyno < 1 || keyno > 3)
    return gpg_error (GPG_ERR_INV_ID);
  err = gcry_sexp_sscan (&s, NULL, (const char *)keydata, keydatalen);
  if (err)
    goto leave;
  key = gcry_sexp_find_token (s, "private-key", 0);
  if (!key)
    {
      err = gpg_error (GPG_ERR_BAD_SECKEY);
      goto leave;
    }
  {
    gcry_sexp_t l = gcry_sexp_find_token (key, "rsa", 0);

    is_rsa = !!l;
    gcry_sexp_release (l);
  }
  if (is_rsa)
    {
      if ((err = sexp_copy (key, "n", 0, &n, &nlen))
          || (err = sexp_copy (key, "e", 0, &e, &elen))
          || (err = sexp_copy (key, "d", 0, &d, &dlen))
          || (err = sexp_copy (key, "p", 0, &p, &plen))
          || (err = sexp_copy (key, "q", 0, &q, &qlen)))
        goto leave;
      memset (&want, 0, sizeof want);
      want.algo = CARD_ALGO_RSA;
      {
        const unsigned char *nn = n;
        size_t nl = nlen;
        unsigned int bits;
        unsigned char c;

        while (nl > 1 && !*nn)
          {
            nn++;
            nl--;
          }
        bits = nl * 8;
        for (c = *nn; c && !(c & 0x80); c <<= 1)
          bits--;
        want.nbits = (bits + 31) / 32 * 32;
      }
    }
  else
    {
      if ((err = sexp_copy (key, "curve", 0, &curve, &clen))
          || (err = sexp_copy (key, "q", 0, &q, &qlen))
          || (err = sexp_copy (key, "d", 0, &d, &dlen)))
        goto leave;
      err = card_keyattr_from_curve ((char *)curve, keyno, &want);
      if (err)
        goto leave;
    }
  if ((err = sexp_copy (s, "created-at", 0, &created_s, &created_len)))
    goto leave;
  created = (uint32_t)strtoul ((char *)created_s, NULL, 10);
  if ((err = sexp_copy (s, "ecdh-params", 1, &kdfp, &kdflen)))
    goto leave;
  if (kdfp && kdflen != 4)
    {
      err = gpg_error (GPG_ERR_BAD_SECKEY);
      goto leave;
    }

  err = app_begin (app);
  if (err)
    goto leave;
  began = 1;
  if (!app->extcap.key_import)
    {
      err = gpg_error (GPG_ERR_NOT_SUPPORTED);
      goto leave;
    }
  if (!fpr_is_zero (app->fpr[keyno - 1]) && !(flags & APP_FLAG_FORCE))
    {
      err = gpg_error (GPG_ERR_EEXIST);
      goto leave;
    }
  /* A slot for another kind of key is switched in the card's own
   * format -- decided before anything is asked for or written.  */
  if (!same_keyattr (&app->keyattr[keyno - 1], &want))
    {
      err = plan_keyattr (app, keyno, &want, newattr, sizeof newattr,
                          &newattrlen);
      if (err)
        goto leave;
    }
  err = verify_chv (app, 3, flags, pincb, pincb_arg);
  if (err)
    goto leave;
  if (newattrlen)
    {
      err = change_keyattr (app, keyno, newattr, newattrlen, &want);
      if (err)
        goto leave;
    }
  if (is_rsa)
    err = card_build_rsa_template (keyno, &app->keyattr[keyno - 1],
                                   n, nlen, e, elen, p, plen, q, qlen,
                                   d, dlen, &tmpl, &tmpllen);
  else
    err = card_build_ecc_template (keyno, &app->keyattr[keyno - 1],
                                   d, dlen, q, qlen, &tmpl, &tmpllen);
  if (err)
    goto leave;
  pk_release (&app->pk[keyno - 1]);
  err = iso7816_put_data_odd (app->rd, 0x3FFF, tmpl, tmpllen);
  if (err)
    goto leave;
  err = card_compute_fpr (&app->keyattr[keyno - 1], created,
                          n, nlen, e, elen, q, qlen, kdfp, fpr);
  if (err)
    goto leave;
  err = store_fpr (app, keyno, fpr, created);
  if (err)
    goto leave;
  if (keyno == 1)
    app->sig_counter = 0;

 leave:
  if (began)
    app_end (app);
  gcry_sexp_release (key);
  gcry_sexp_release (s);
  wipe_and_free (n, nlen);
  wipe_and_free (e, elen);
  wipe_and_free (d, dlen);
  wipe_and_free (p, plen);
  wipe_and_free (q, qlen);
  wipe_and_free (curve, clen);
  wipe_and_free (created_s, created_len);
  wipe_and_free (kdfp, kdflen);
  wipe_and_free (tmpl, tmpllen);
  return err;
}

gpg_error_t
app_openpgp_change_pin (app_t app, int chvno, int reset_mode,
                        app_pincb_t pincb, void *pincb_arg)
{
  gpg_error_t err;
  char *oldpin = NULL, *newpin = NULL, *prompt = NULL;
  unsigned char *c_old = NULL, *c_new = NULL, *data = NULL;
  size_t c_oldlen = 0, c_newlen = 0, datalen = 0;
  int began = 0;

  if (chvno < 1 || chvno > 3 || (reset_mode && chvno == 3))
    return gpg_error (GPG_ERR_INV_ID);
  err = app_begin (app);
  if (err)
    return err;
  began = 1;
  err = read_chv_status (app);
  if (err)
    goto leave;

  if (reset_mode)
    {
      /* PW3 then a new PW1 or a new resetting code.  As scdaemon, the
       * Admin PIN is always asked for, even when PW3 is still
       * verified: callers (and gpg's PIN queues) count on it.  */
      app->did_chv3 = 0;
      err = verify_chv (app, 3, APP_FLAG_INSIST, pincb, pincb_arg);
      if (err)
        goto leave;
      err = ask_pin (pincb, pincb_arg,
                     chvno == 1 ? "|N|New PIN" : "|RN|New Reset Code",
                     chvno == 1 ? MIN_PW1_LEN : MIN_RC_LEN, &newpin);
      if (err)
        goto leave;
      err = pin_for_card (app, chvno == 1 ? 1 : 2, newpin,
                          &c_new, &c_newlen);
      if (err)
        goto leave;
      if (chvno == 1)
        err = iso7816_reset_retry_counter (app->rd, 0, 0x81, c_new, c_newlen);
      else
        err = iso7816_put_data (app->rd, 0xD3, c_new, c_newlen);
      goto leave;
    }

  if (chvno == 2)
    {
      /* Unblock PW1 with the resetting code.  */
      if (!app->chv_status[5])
        {
          err = gpg_error (ERR_NO_RESET_CODE);
          goto leave;
        }
      err = ask_pin (pincb, pincb_arg,
                     "|R|Please enter the Reset Code for the card",
                     MIN_RC_LEN, &oldpin);
      if (!err)
        err = ask_pin (pincb, pincb_arg, "|N|New PIN", MIN_PW1_LEN, &newpin);
      if (!err)
        err = pin_for_card (app, 2, oldpin, &c_old, &c_oldlen);
      if (!err)
        err = pin_for_card (app, 1, newpin, &c_new, &c_newlen);
      if (err)
        goto leave;
    }
  else
    {
      if (chvno == 3)
        {
          err = app_openpgp_pin_prompt (app, 3, app->chv_status[6], &prompt);
          if (err)
            goto leave;
          if (!app->chv_status[6])
            {
              err = gpg_error (GPG_ERR_PIN_BLOCKED);
              goto leave;
            }
        }
      /* A blocked PW1 is not checked here: like scdaemon, ask for
       * both PINs and let the card refuse (6983), so that a caller
       * sees the same prompts whatever the counter says.  */
      err = ask_pin (pincb, pincb_arg,
                     chvno == 3 ? prompt : "||Please enter the PIN",
                     chvno == 3 ? MIN_PW3_LEN : MIN_PW1_LEN, &oldpin);
      if (!err)
        err = ask_pin (pincb, pincb_arg,
                       chvno == 3 ? "|AN|New Admin PIN" : "|N|New PIN",
                       chvno == 3 ? MIN_PW3_LEN : MIN_PW1_LEN, &newpin);
      if (!err)
        err = pin_for_card (app, chvno, oldpin, &c_old, &c_oldlen);
      if (!err)
        err = pin_for_card (app, chvno, newpin, &c_new, &c_newlen);
      if (err)
        goto leave;
    }
  datalen = c_oldlen + c_newlen;
  data = xtrymalloc_secure (datalen ? datalen : 1);
  if (!data)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  memcpy (data, c_old, c_oldlen);
  memcpy (data + c_oldlen, c_new, c_newlen);
  if (chvno == 2)
    err = iso7816_reset_retry_counter (app->rd, 1, 0x81, data, datalen);
  else
    {
      int before = app->chv_status[chvno == 3 ? 6 : 4];

      err = iso7816_change_reference_data (app->rd, 0x80 + chvno,
                                           data, datalen);
      /* The YubiKey NEO answers a wrong old PIN with 6985, not 6982:
       * a retry counter that went down says what it was.  */
      if (gpg_err_code (err) == GPG_ERR_USE_CONDITIONS
          && !read_chv_status (app)
          && app->chv_status[chvno == 3 ? 6 : 4] < before)
        err = gpg_error (GPG_ERR_BAD_PIN);
    }

 leave:
  if (!err || gpg_err_code (err) == GPG_ERR_BAD_PIN)
    {
      if (chvno == 3)
        app->did_chv3 = 0;
      else
        {
          app->did_chv1 = 0;
          app->did_chv2 = 0;
        }
      if (err && began)
        read_chv_status (app);
    }
  if (began)
    app_end (app);
  xfree (prompt);
  wipe_and_free_string (oldpin);
  wipe_and_free_string (newpin);
  wipe_and_free (c_old, c_oldlen);
  wipe_and_free (c_new, c_newlen);
  wipe_and_free (data, datalen);
  return err;
}

gpg_error_t
app_openpgp_clear_pin (app_t app, int chvno)
{
  gpg_error_t err;

  if (chvno < 1 || chvno > 3)
    return gpg_error (GPG_ERR_INV_ID);
  err = app_begin (app);
  if (err)
    return err;
  if (chvno == 1)
    {
      err = iso7816_verify_reset (app->rd, 0x81);
      if (!err)
        err = iso7816_verify_reset (app->rd, 0x82);
      app->did_chv1 = app->did_chv2 = 0;
    }
  else
    {
      err = iso7816_verify_reset (app->rd, 0x80 + chvno);
      clear_chv (app, chvno);
    }
  app_end (app);
  return err;
}

/* The SETATTR table.  */
static const struct
{
  const char *name;
  int tag;
  int which;        /* PIN to verify: 2 = PW1 (82), 3 = PW3.  */
  size_t fixedlen;  /* 0 = any.  */
} setattr_table[] =
  {
    { "DISP-NAME",    0x005B, 3, 0 },
    { "LOGIN-DATA",   0x005E, 3, 0 },
    { "DISP-LANG",    0x5F2D, 3, 0 },
    { "DISP-SEX",     0x5F35, 3, 0 },
    { "PUBKEY-URL",   0x5F50, 3, 0 },
    { "CHV-STATUS-1", 0x00C4, 3, 1 },
    { "CA-FPR-1",     0x00CA, 3, 20 },
    { "CA-FPR-2",     0x00CB, 3, 20 },
    { "CA-FPR-3",     0x00CC, 3, 20 },
    { "PRIVATE-DO-1", 0x0101, 2, 0 },
    { "PRIVATE-DO-2", 0x0102, 3, 0 },
    { "PRIVATE-DO-3", 0x0103, 2, 0 },
    { "PRIVATE-DO-4", 0x0104, 3, 0 },
    { "CERT-1",       0x7F21, 3, 0 },
    { "CERT-2",       0x7F21, 3, 0 },
    { "CERT-3",       0x7F21, 3, 0 },
    { "SM-KEY-ENC",   0x00D1, 3, 0 },
    { "SM-KEY-MAC",   0x00D2, 3, 0 },
    { "AESKEY",       0x00D5, 3, 0 },
    { "UIF-1",        0x00D6, 3, 2 },
    { "UIF-2",        0x00D7, 3, 2 },
    { "UIF-3",        0x00D8, 3, 2 },
    { "KDF",          0x00F9, 3, 0 },
    { "KEY-ATTR",     0,      3, 0 },
    { NULL, 0, 0, 0 }
  };

/* Parse "--force <keyno> <algo> <rsaNNNN|curve>" into *R_KEYNO and
 * *R_ATTR.  */
static gpg_error_t
parse_keyattr_string (const char *s, int *r_keyno, card_keyattr_t *r_attr)
{
  char buf[100];
  char *tok[4], *p;
  int ntok = 0, keyno, algo;

  *r_keyno = 0;
  memset (r_attr, 0, sizeof *r_attr);
  if (strlen (s) >= sizeof buf)
    return gpg_error (GPG_ERR_INV_DATA);
  strcpy (buf, s);
  for (p = strtok (buf, " \t"); p && ntok < 4; p = strtok (NULL, " \t"))
    tok[ntok++] = p;
  if (ntok != 4 || strcmp (tok[0], "--force"))
    return gpg_error (GPG_ERR_INV_DATA);
  keyno = atoi (tok[1]);
  algo = atoi (tok[2]);
  if (keyno < 1 || keyno > 3)
    return gpg_error (GPG_ERR_INV_ID);
  if (algo == CARD_ALGO_RSA)
    {
      unsigned int nbits;

      if (strncmp (tok[3], "rsa", 3))
        return gpg_error (GPG_ERR_INV_DATA);
      nbits = (unsigned int)strtoul (tok[3] + 3, NULL, 10);
      if (nbits < 1024 || nbits > 4096)
        return gpg_error (GPG_ERR_INV_VALUE);
      r_attr->algo = CARD_ALGO_RSA;
      r_attr->nbits = (nbits + 31) / 32 * 32;
      r_attr->ebits = 32;
    }
  else if (algo == CARD_ALGO_ECDH || algo == CARD_ALGO_ECDSA
           || algo == CARD_ALGO_EDDSA)
    {
      gpg_error_t err = card_keyattr_from_curve (tok[3], keyno, r_attr);
      if (err)
        return err;
      if (r_attr->algo != algo)
        return gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO);
    }
  else
    return gpg_error (GPG_ERR_PUBKEY_ALGO);
  *r_keyno = keyno;
  return 0;
}

gpg_error_t
app_openpgp_setattr (app_t app, const char *name,
                     const unsigned char *value, size_t valuelen,
                     unsigned int flags,
                     app_pincb_t pincb, void *pincb_arg)
{
  gpg_error_t err;
  int i, keyno = 0;
  card_keyattr_t want;
  char *tmp = NULL;
  unsigned char newattr[16];
  size_t newattrlen = 0;

  memset (&want, 0, sizeof want);
  for (i = 0; setattr_table[i].name; i++)
    if (!strcmp (setattr_table[i].name, name))
      break;
  if (!setattr_table[i].name)
    return gpg_error (GPG_ERR_INV_NAME);
  if (setattr_table[i].fixedlen && valuelen != setattr_table[i].fixedlen)
    return gpg_error (GPG_ERR_INV_VALUE);
  if (!strncmp (name, "UIF-", 4) && !app->extcap.has_button)
    return gpg_error (GPG_ERR_INV_OBJ);
  if (!strcmp (name, "KEY-ATTR"))
    {
      tmp = xtrymalloc (valuelen + 1);
      if (!tmp)
        return oca_error_from_errno ();
      memcpy (tmp, value, valuelen);
      tmp[valuelen] = 0;
      err = parse_keyattr_string (tmp, &keyno, &want);
      xfree (tmp);
      tmp = NULL;
      if (err)
        return err;
    }
  err = app_begin (app);
  if (err)
    return err;
  /* The card's own encoding of the new attributes, before the PIN.  */
  if (keyno)
    err = plan_keyattr (app, keyno, &want, newattr, sizeof newattr,
                        &newattrlen);
  if (!err)
    err = verify_chv (app, setattr_table[i].which, flags & APP_FLAG_INSIST,
                      pincb, pincb_arg);
  if (err)
    goto leave;
  if (keyno)
    {
      err = change_keyattr (app, keyno, newattr, newattrlen, &want);
      if (!err)
        {
          memset (app->fpr[keyno - 1], 0, 20);
          app->keytime[keyno - 1] = 0;
        }
    }
  else if (!strncmp (name, "CERT-", 5) && name[5] != '3')
    {
      err = iso7816_select_data (app->rd, '3' - name[5], 0x7F21);
      if (!err)
        err = iso7816_put_data (app->rd, 0x7F21, value, valuelen);
      iso7816_select_data (app->rd, 0, 0x7F21);
    }
  else
    err = iso7816_put_data (app->rd, setattr_table[i].tag, value, valuelen);
  if (err)
    goto leave;
  /* Update the cache.  */
  switch (setattr_table[i].tag)
    {
    case 0x5B: err = do_set (&app->name, value, valuelen); break;
    case 0x5E: err = do_set (&app->login, value, valuelen); break;
    case 0x5F2D: err = do_set (&app->lang, value, valuelen); break;
    case 0x5F35: err = do_set (&app->sex, value, valuelen); break;
    case 0x5F50: err = do_set (&app->url, value, valuelen); break;
    case 0xC4: app->chv_status[0] = value[0]; break;
    case 0xCA: case 0xCB: case 0xCC:
      memcpy (app->cafpr[setattr_table[i].tag - 0xCA], value, 20);
      break;
    case 0xD6: case 0xD7: case 0xD8:
      memcpy (app->uif[setattr_table[i].tag - 0xD6], value, 2);
      app->have_uif[setattr_table[i].tag - 0xD6] = 1;
      break;
    case 0xF9:
      err = do_set (&app->kdf, value, valuelen);
      app_openpgp_forget (app, 0);
      break;
    case 0x0101: case 0x0102: case 0x0103: case 0x0104:
      err = do_set (&app->private_do[setattr_table[i].tag - 0x0101],
                    value, valuelen);
      break;
    default:
      break;
    }

 leave:
  app_end (app);
  xfree (tmp);
  return err;
}

gpg_error_t
app_openpgp_random (app_t app, size_t n, unsigned char *buf)
{
  gpg_error_t err;

  err = app_begin (app);
  if (err)
    return err;
  err = iso7816_get_challenge (app->rd, n, buf);
  app_end (app);
  return err;
}

gpg_error_t
app_openpgp_factory_reset (app_t app)
{
  gpg_error_t err;
  unsigned char dummy[32];
  int i, which;

  memset (dummy, 0x40, sizeof dummy);
  err = app_begin (app);
  if (err)
    return err;
  if (app->status_indicator != 3 && app->status_indicator != 5)
    {
      err = gpg_error (GPG_ERR_NOT_SUPPORTED);
      goto leave;
    }
  /* Block PW1 and PW3 (the card counts; 4 attempts suffice).  */
  for (which = 0x81; which <= 0x83; which += 2)
    for (i = 0; i < 4; i++)
      {
        err = iso7816_verify (app->rd, which, dummy, sizeof dummy);
        if (gpg_err_code (err) == GPG_ERR_PIN_BLOCKED)
          break;
      }
  err = iso7816_terminate_df (app->rd);
  if (err && gpg_err_code (err) != GPG_ERR_USE_CONDITIONS)
    goto leave;
  err = iso7816_activate_file (app->rd);
  if (err)
    goto leave;
  app_openpgp_forget (app, 1);
  err = select_app (app);
  if (!err)
    err = read_all (app);
  if (!err)
    set_identity (app);

 leave:
  app_end (app);
  return err;
}

gpg_error_t
app_openpgp_readcert (app_t app, int keyno,
                      unsigned char **r_cert, size_t *r_certlen)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;

  *r_cert = NULL;
  *r_certlen = 0;
  if (keyno < 1 || keyno > 3)
    return gpg_error (GPG_ERR_INV_ID);
  if (keyno != 3 && app->version < 0x0300)
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  err = app_begin (app);
  if (err)
    return err;
  if (keyno != 3)
    err = iso7816_select_data (app->rd, 3 - keyno, 0x7F21);
  if (!err)
    err = get_do (app, 0x7F21, &buf, &len);
  if (keyno != 3)
    iso7816_select_data (app->rd, 0, 0x7F21);
  app_end (app);
  if (!err && !len)
    err = gpg_error (GPG_ERR_NOT_FOUND);
  if (gpg_err_code (err) == GPG_ERR_NO_OBJ)
    err = gpg_error (GPG_ERR_NOT_FOUND);
  if (err)
    {
      xfree (buf);
      return err;
    }
  *r_cert = buf;
  *r_certlen = len;
  return 0;
}

gpg_error_t
app_openpgp_algoinfo (app_t app, card_algoinfo_t **r_list, size_t *r_count)
{
  gpg_error_t err;

  *r_list = NULL;
  *r_count = 0;
  err = app_begin (app);
  if (err)
    return err;
  err = read_algoinfo (app, r_list, r_count);
  app_end (app);
  return err;
}
