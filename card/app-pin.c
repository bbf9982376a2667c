/* app-pin.c - the OpenPGP card's PINs
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NEEDPIN prompts, PIN verification (VERIFY 81/82/83, the KDF-DO's
 * hashing, the retry counters of DO C4), changing and resetting PINs
 * (CHANGE REFERENCE DATA, RESET RETRY COUNTER) and forgetting a
 * verification.  See app-openpgp.c for CHV and PW.
 */
#include <config.h>
#include "app-int.h"
#include "iso7816.h"
#include "brd.h"
#include "membuf.h"

#include <string.h>
#include <stdio.h>
#include <stdlib.h>

/* Minimum PIN lengths gnupg enforces on the host side.  */
#define MIN_PW1_LEN 6
#define MIN_PW3_LEN 8
#define MIN_RC_LEN  8

/* GPG_ERR_NO_RESET_CODE (321) is newer than libgpg-error 1.46.  */
#define ERR_NO_RESET_CODE ((gpg_err_code_t)321)


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

void
_app_hold_pw1 (app_t app, const unsigned char *pin, size_t len)
{
  unsigned char *copy;

  copy = xtrymalloc_secure (len ? len : 1);
  if (!copy)
    return;  /* Nothing held: a lost verification is asked again.  */
  memcpy (copy, pin, len);
  wipe_and_free (app->held_pw1, app->held_pw1len);
  app->held_pw1 = copy;
  app->held_pw1len = len;
}

/* Verify WHICH (1 or 2) again with the held User PIN after another
 * client made the card forget it.  The card must be the one the PIN
 * was given for (DO 4F, the AID) and must have two tries left, so that
 * a PIN changed meanwhile can't block it.  Returns true when the card
 * accepted it; else the held PIN is gone and the caller asks.  */
static int
reverify_held (app_t app, int which)
{
  gpg_error_t err;
  unsigned char *aid = NULL;
  size_t aidlen;

  if (which == 1 ? !app->lost_chv1 : !app->lost_chv2)
    return 0;
  if (which == 1)
    app->lost_chv1 = 0;
  else
    app->lost_chv2 = 0;
  if (!app->held_pw1)
    return 0;
  if (app->chv_status[4] < 2)
    {
      _app_drop_pw1 (app);
      return 0;
    }
  err = _app_get_do (app, 0x4F, &aid, &aidlen);
  if (err || aidlen != 16 || memcmp (aid, app->aid, 16))
    {
      xfree (aid);
      _app_drop_pw1 (app);
      return 0;
    }
  xfree (aid);
  err = iso7816_verify (app->rd, 0x80 + which, app->held_pw1,
                        app->held_pw1len);
  if (err)
    {
      _app_drop_pw1 (app);
      _app_read_chv_status (app);
      return 0;
    }
  if (which == 1)
    app->did_chv1 = 1;
  else
    app->did_chv2 = 1;
  return 1;
}

/* Is the PIN typed on the reader's pin-pad?  */
static int
use_pinpad (app_t app, unsigned int flags)
{
  return (flags & APP_FLAG_PINPAD) && app->rd && app->rd->pinpad_verify
    && !(app->kdf.present && app->kdf.len >= 3);
}

/* The PIN lengths the card takes for WHICH (DO C4: bytes 1 and 3 are
 * the maximum lengths of PW1 and PW3).  */
static void
pin_limits (app_t app, int which, unsigned int *r_min, unsigned int *r_max)
{
  unsigned int max = app->chv_status[which == 3 ? 3 : 1];

  *r_min = which == 3 ? MIN_PW3_LEN : MIN_PW1_LEN;
  *r_max = max >= *r_min ? max : 127;
}

/* VERIFY WHICH with the PIN typed on the pin-pad: tell the user
 * (PINCB with PROMPT and no PIN), let the reader collect it, end the
 * prompt.  No PIN passes through us, so none is held.  */
static gpg_error_t
verify_pinpad (app_t app, int which, const char *prompt,
               app_pincb_t pincb, void *arg)
{
  gpg_error_t err;
  unsigned int minlen, maxlen;

  if (!pincb)
    return gpg_error (GPG_ERR_NO_PIN_ENTRY);
  err = pincb (arg, prompt, NULL);
  if (err)
    return err;
  pin_limits (app, which, &minlen, &maxlen);
  err = iso7816_pinpad_verify (app->rd, 0x80 + which, minlen, maxlen);
  pincb (arg, NULL, NULL);
  if (err && gpg_err_code (err) == GPG_ERR_BAD_PIN)
    _app_read_chv_status (app);
  return err;
}

/* CHANGE REFERENCE DATA of CHVNO (1 or 3) with the PINs typed on the
 * pin-pad: the current one, the new one, its confirmation.  */
static gpg_error_t
change_pinpad (app_t app, int chvno, app_pincb_t pincb, void *arg)
{
  gpg_error_t err;
  unsigned int minlen, maxlen;

  if (!pincb)
    return gpg_error (GPG_ERR_NO_PIN_ENTRY);
  err = pincb (arg, chvno == 3
               ? "||Please enter the Admin PIN and New Admin PIN"
               : "||Please enter the PIN and New PIN", NULL);
  if (err)
    return err;
  pin_limits (app, chvno, &minlen, &maxlen);
  err = iso7816_pinpad_change (app->rd, 0x80 + chvno, minlen, maxlen);
  pincb (arg, NULL, NULL);
  return err;
}

gpg_error_t
_app_verify_chv (app_t app, int which, unsigned int flags,
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
  err = _app_read_chv_status (app);
  if (err)
    goto leave;
  if (which != 3 && reverify_held (app, which))
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
  if (use_pinpad (app, flags))
    {
      err = verify_pinpad (app, which, prompt, pincb, arg);
      if (err)
        goto leave;
      goto verified;
    }
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
        {
          if (which != 3)
            _app_drop_pw1 (app);
          _app_read_chv_status (app);
        }
      goto leave;
    }
  if (which != 3)
    _app_hold_pw1 (app, cardpin, cardpinlen);
 verified:
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
  err = _app_begin (app);
  if (err)
    return err;
  err = _app_verify_chv (app, which, flags, pincb, pincb_arg);
  _app_end (app);
  return err;
}

void
_app_clear_chv (app_t app, int which)
{
  if (which == 1)
    app->did_chv1 = 0;
  else if (which == 2)
    app->did_chv2 = 0;
  else
    app->did_chv3 = 0;
}

int
_app_chv_flag (app_t app, int which)
{
  return which == 1 ? app->did_chv1 : which == 2 ? app->did_chv2
    : app->did_chv3;
}


gpg_error_t
app_openpgp_change_pin (app_t app, int chvno, int reset_mode,
                        unsigned int flags,
                        app_pincb_t pincb, void *pincb_arg)
{
  gpg_error_t err;
  char *oldpin = NULL, *newpin = NULL, *prompt = NULL;
  unsigned char *c_old = NULL, *c_new = NULL, *data = NULL;
  size_t c_oldlen = 0, c_newlen = 0, datalen = 0;
  int began = 0;

  if (chvno < 1 || chvno > 3 || (reset_mode && chvno == 3))
    return gpg_error (GPG_ERR_INV_ID);
  err = _app_begin (app);
  if (err)
    return err;
  began = 1;
  err = _app_read_chv_status (app);
  if (err)
    goto leave;

  if (reset_mode)
    {
      /* PW3 then a new PW1 or a new resetting code.  As scdaemon, the
       * Admin PIN is always asked for, even when PW3 is still
       * verified: callers (and gpg's PIN queues) count on it.  */
      app->did_chv3 = 0;
      err = _app_verify_chv (app, 3, APP_FLAG_INSIST, pincb, pincb_arg);
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
      if (use_pinpad (app, flags) && app->rd->pinpad_modify)
        {
          err = change_pinpad (app, chvno, pincb, pincb_arg);
          goto leave;
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
          && !_app_read_chv_status (app)
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
          _app_drop_pw1 (app);
        }
      if (err && began)
        _app_read_chv_status (app);
    }
  if (began)
    _app_end (app);
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
  err = _app_begin (app);
  if (err)
    return err;
  if (chvno == 1)
    {
      err = iso7816_verify_reset (app->rd, 0x81);
      if (!err)
        err = iso7816_verify_reset (app->rd, 0x82);
      app->did_chv1 = app->did_chv2 = 0;
      _app_drop_pw1 (app);
    }
  else
    {
      err = iso7816_verify_reset (app->rd, 0x80 + chvno);
      _app_clear_chv (app, chvno);
    }
  _app_end (app);
  return err;
}
