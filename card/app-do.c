/* app-do.c - the card's other data objects and administration
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SETATTR (the attributes GnuPG names: cardholder data, URLs, PIN
 * policy, key attributes, UIF, certificates, private DOs), GET
 * CHALLENGE, the factory reset, reading certificates and the
 * algorithm information (DO FA).
 */
#include <config.h>
#include "app-int.h"
#include "iso7816.h"
#include "brd.h"
#include "membuf.h"

#include <string.h>
#include <stdio.h>
#include <stdlib.h>

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
  err = _app_begin (app);
  if (err)
    return err;
  /* The card's own encoding of the new attributes, before the PIN.  */
  if (keyno)
    err = _app_plan_keyattr (app, keyno, &want, newattr, sizeof newattr,
                        &newattrlen);
  if (!err)
    err = _app_verify_chv (app, setattr_table[i].which,
                           flags & (APP_FLAG_INSIST | APP_FLAG_PINPAD),
                           pincb, pincb_arg);
  if (err)
    goto leave;
  if (keyno)
    {
      err = _app_change_keyattr (app, keyno, newattr, newattrlen, &want);
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
    case 0x5B: err = _app_do_set (&app->name, value, valuelen); break;
    case 0x5E: err = _app_do_set (&app->login, value, valuelen); break;
    case 0x5F2D: err = _app_do_set (&app->lang, value, valuelen); break;
    case 0x5F35: err = _app_do_set (&app->sex, value, valuelen); break;
    case 0x5F50: err = _app_do_set (&app->url, value, valuelen); break;
    case 0xC4: app->chv_status[0] = value[0]; break;
    case 0xCA: case 0xCB: case 0xCC:
      memcpy (app->cafpr[setattr_table[i].tag - 0xCA], value, 20);
      break;
    case 0xD6: case 0xD7: case 0xD8:
      memcpy (app->uif[setattr_table[i].tag - 0xD6], value, 2);
      app->have_uif[setattr_table[i].tag - 0xD6] = 1;
      break;
    case 0xF9:
      err = _app_do_set (&app->kdf, value, valuelen);
      app_openpgp_forget (app, 0);
      break;
    case 0x0101: case 0x0102: case 0x0103: case 0x0104:
      err = _app_do_set (&app->private_do[setattr_table[i].tag - 0x0101],
                    value, valuelen);
      break;
    default:
      break;
    }

 leave:
  _app_end (app);
  xfree (tmp);
  return err;
}

gpg_error_t
app_openpgp_random (app_t app, size_t n, unsigned char *buf)
{
  gpg_error_t err;

  err = _app_begin (app);
  if (err)
    return err;
  err = iso7816_get_challenge (app->rd, n, buf);
  _app_end (app);
  return err;
}

gpg_error_t
app_openpgp_factory_reset (app_t app)
{
  gpg_error_t err;
  unsigned char dummy[32];
  int i, which;

  memset (dummy, 0x40, sizeof dummy);
  err = _app_begin (app);
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
  err = _app_select (app);
  if (!err)
    err = _app_read_all (app);
  if (!err)
    _app_set_identity (app);

 leave:
  _app_end (app);
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
  err = _app_begin (app);
  if (err)
    return err;
  if (keyno != 3)
    err = iso7816_select_data (app->rd, 3 - keyno, 0x7F21);
  if (!err)
    err = _app_get_do (app, 0x7F21, &buf, &len);
  if (keyno != 3)
    iso7816_select_data (app->rd, 0, 0x7F21);
  _app_end (app);
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
  err = _app_begin (app);
  if (err)
    return err;
  err = _app_read_algoinfo (app, r_list, r_count);
  _app_end (app);
  return err;
}
