/* app-keys.c - the card's keys: public keys, attributes, generation, import
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading public keys (and their keygrips), the fingerprints the host
 * writes, key attributes and the algorithm information the card
 * offers, GENERATE ASYMMETRIC KEY PAIR and the key import (PUT DATA
 * odd, tag 4D).  The formats are card/card-data.c's.
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
          _app_pk_release (pk);
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
  _app_pk_release (pk);
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
      err = _app_begin (app);
      if (err)
        return err;
      err = read_pubkey (app, keyno);
      if (err && _app_recover (app, err))
        err = read_pubkey (app, keyno);
      _app_end (app);
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

gpg_error_t
_app_read_algoinfo (app_t app, card_algoinfo_t **r_list, size_t *r_count)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;

  *r_list = NULL;
  *r_count = 0;
  err = _app_get_do (app, 0xFA, &buf, &len);
  if (err)
    {
      _app_do_release (&app->algoinfo);
      /* 6A88, 6D00, 6A86, ...: the card has no algorithm information.  */
      if (_app_is_absent_error (err))
        err = gpg_error (GPG_ERR_NOT_FOUND);
      goto leave;
    }
  err = _app_do_set (&app->algoinfo, buf, len);
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

gpg_error_t
_app_plan_keyattr (app_t app, int keyno, const card_keyattr_t *want,
              unsigned char *buf, size_t bufsize, size_t *r_len)
{
  gpg_error_t err;
  card_algoinfo_t *list = NULL;
  size_t count = 0;

  *r_len = 0;
  if (!app->extcap.algo_attr_change)
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  err = _app_read_algoinfo (app, &list, &count);
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

gpg_error_t
_app_change_keyattr (app_t app, int keyno, const unsigned char *buf, size_t n,
                const card_keyattr_t *want)
{
  gpg_error_t err;
  unsigned char *data = NULL;
  size_t len;

  err = iso7816_put_data (app->rd, 0xC1 + keyno - 1, buf, n);
  if (err)
    return err;
  _app_pk_release (&app->pk[keyno - 1]);
  err = _app_get_do (app, 0x6E, &data, &len);
  if (!err)
    err = _app_parse_app_data (app, data, len);
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
  err = _app_begin (app);
  if (err)
    return err;
  began = 1;
  err = _app_read_all (app);
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
  err = _app_verify_chv (app, 3, flags, pincb, pincb_arg);
  if (err)
    goto leave;
  le = 256;
  if (attr->algo == CARD_ALGO_RSA && attr->nbits > 1952
      && app->rd->cap_extended)
    le = 2 + 3 + 4 + attr->nbits / 8 + 2 + (attr->ebits + 7) / 8;
  _app_pk_release (&app->pk[keyno - 1]);
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
    _app_end (app);
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

  err = _app_begin (app);
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
      err = _app_plan_keyattr (app, keyno, &want, newattr, sizeof newattr,
                          &newattrlen);
      if (err)
        goto leave;
    }
  err = _app_verify_chv (app, 3, flags, pincb, pincb_arg);
  if (err)
    goto leave;
  if (newattrlen)
    {
      err = _app_change_keyattr (app, keyno, newattr, newattrlen, &want);
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
  _app_pk_release (&app->pk[keyno - 1]);
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
    _app_end (app);
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
