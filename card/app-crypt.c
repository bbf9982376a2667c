/* app-crypt.c - signing, authenticating and deciphering on the card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PSO:COMPUTE DIGITAL SIGNATURE (key 1), INTERNAL AUTHENTICATE (key
 * 3) and PSO:DECIPHER (key 2), each with the PIN it needs.  An
 * operation that finds the card changed by another client (reset,
 * another application selected, PIN verification gone) re-selects,
 * verifies again with the held PIN and retries once, all in its one
 * transaction.
 */
#include <config.h>
#include "app-int.h"
#include "iso7816.h"
#include "brd.h"
#include "membuf.h"

#include <string.h>
#include <stdio.h>
#include <stdlib.h>

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
  _app_drop_pw1 (app);
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

  err = _app_begin (app);
  if (err)
    return err;
  for (attempt = 0; attempt < 2; attempt++)
    {
      was_verified = _app_chv_flag (app, which);
      err = _app_verify_chv (app, which, flags, pincb, pincb_arg);
      if (!err)
        {
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
        }
      else
        was_verified = 0;  /* The error came from VERIFY.  */
      if (attempt)
        break;
      if (gpg_err_code (err) == GPG_ERR_BAD_PIN && was_verified)
        _app_pin_lost (app);  /* Someone reset the PIN state.  */
      else if (!_app_recover (app, err))
        break;
    }
  _app_end (app);
  return err;
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
        size_t l86 = 1 + card_ber_len_size (n) + n;
        size_t l7f49 = 2 + card_ber_len_size (l86) + l86;

        membuf_put_u8 (&mb, 0xA6);
        card_put_ber_len (&mb, l7f49);
        membuf_put_u16 (&mb, 0x7F49);
        card_put_ber_len (&mb, l86);
        membuf_put_u8 (&mb, 0x86);
        card_put_ber_len (&mb, n);
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

  err = _app_begin (app);
  if (err)
    goto leave;
  for (attempt = 0; attempt < 2; attempt++)
    {
      was_verified = app->did_chv2;
      err = _app_verify_chv (app, 2, flags, pincb, pincb_arg);
      if (!err)
        {
          err = iso7816_decipher (app->rd, in, inlen, le, &res, &reslen);
          clear_pw1_after_timeout (app, err);
        }
      else
        was_verified = 0;  /* The error came from VERIFY.  */
      if (!err || attempt)
        break;
      if (gpg_err_code (err) == GPG_ERR_BAD_PIN && was_verified)
        _app_pin_lost (app);  /* Someone reset the PIN state.  */
      else if (!_app_recover (app, err))
        break;
    }
  _app_end (app);
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
