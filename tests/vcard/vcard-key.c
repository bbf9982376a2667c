/* vcard-key.c - the virtual card's key commands
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GENERATE ASYMMETRIC KEY PAIR, the key import (PUT DATA odd, 4D),
 * PSO:COMPUTE DIGITAL SIGNATURE, PSO:DECIPHER and INTERNAL
 * AUTHENTICATE, with the touch button and its cache.  The
 * cryptography itself is vcard-crypto.c's.
 */
#include <config.h>
#include "vcard-int.h"
#include "brd.h"

#include <string.h>
#include <time.h>

/* Map a control reference template tag to a key slot, -1 if none.  */
static int
crt_to_keyno (unsigned int tag)
{
  switch (tag)
    {
    case 0xb6: return 0;
    case 0xb8: return 1;
    case 0xa4: return 2;
    default: return -1;
    }
}

/* Read a control reference template from R: B6/B8/A4 with an empty
 * value or 84 01 0n.  Returns the key slot or -1.  */
static int
get_crt (brd_t *r)
{
  unsigned int tag;
  int cons, keyno;
  brd_t v, kref;

  if (brd_get_tlv (r, &tag, &cons, &v))
    return -1;
  keyno = crt_to_keyno (tag);
  if (keyno < 0)
    return -1;
  if (brd_left (&v))
    {
      unsigned int c;

      if (brd_get_tlv (&v, &tag, &cons, &kref) || tag != 0x84
          || brd_get_u8 (&kref, &c) || brd_end (&kref) || brd_end (&v)
          || c != (unsigned int)keyno + 1)
        return -1;
    }
  return keyno;
}

/* Map an error of the crypto layer to a status word.  */
static unsigned int
crypto_sw (gpg_error_t err)
{
  switch (gpg_err_code (err))
    {
    case GPG_ERR_INV_LENGTH:
    case GPG_ERR_TOO_SHORT:
      return SW_WRONG_LENGTH;
    case GPG_ERR_INV_VALUE:
    case GPG_ERR_INV_OBJ:
    case GPG_ERR_BAD_SECKEY:
    case GPG_ERR_WRONG_PUBKEY_ALGO:
      return SW_INCORRECT_DATA;
    case GPG_ERR_ENOMEM:
      return SW_MEMORY_FAILURE;
    default:
      return SW_NO_DIAGNOSIS;
    }
}

/* Append 7F49 { public key } of slot KEYNO to OUT.  */
static unsigned int
put_pubkey (vcard_t *card, int keyno, membuf_t *out)
{
  vcard_key_t *k = &card->key[keyno];
  vcard_algo_t algo;
  unsigned int nbits;
  membuf_t tmpl;
  unsigned int sw = SW_OK;

  if (vcard_parse_attr (k->attr, k->attrlen, keyno, NULL, &algo, &nbits))
    return SW_NO_DIAGNOSIS;
  membuf_init (&tmpl, VCARD_MAX_RSP, 0);
  if (vcard_key_pubtemplate (algo, k->sk, &tmpl) || membuf_error (&tmpl))
    sw = SW_NO_DIAGNOSIS;
  else
    vcard_put_tlv (out, 0x7f49, membuf_data (&tmpl), membuf_len (&tmpl));
  membuf_release (&tmpl);
  return sw;
}

unsigned int
vcard_cmd_generate (vcard_t *card, apdu_t *a, membuf_t *out)
{
  brd_t r;
  int keyno;
  vcard_key_t *k;
  vcard_algo_t algo;
  unsigned int nbits;
  gcry_sexp_t sk;
  gpg_error_t err;

  if ((a->p1 != 0x80 && a->p1 != 0x81) || a->p2 != 0x00)
    return SW_WRONG_P1P2;
  brd_init (&r, a->data, a->lc);
  keyno = get_crt (&r);
  if (keyno < 0 || brd_end (&r))
    return SW_INCORRECT_DATA;
  k = &card->key[keyno];
  if (a->p1 == 0x81)
    {
      if (!k->sk)
        return SW_NOT_FOUND;
      return put_pubkey (card, keyno, out);
    }
  if (!card->verified83)
    return SW_SECURITY_STATUS;
  if (vcard_parse_attr (k->attr, k->attrlen, keyno, &card->prof,
                        &algo, &nbits))
    return SW_CONDITIONS;
  /* A token's RSA generation takes long, growing with the square of
   * the size; ECC generation is quick.  */
  card->busy_ms = algo == VCARD_ALGO_RSA
    ? (unsigned int)((unsigned long)card->prof.lat_gen * nbits / 2048
                     * nbits / 2048)
    : card->prof.lat_op;
  err = vcard_key_generate (algo, nbits, &sk);
  if (err)
    return crypto_sw (err);
  vcard_key_clear (k);
  k->sk = sk;
  k->status = 1;
  if (keyno == 0)
    card->sigcount = 0;
  card->dirty = 1;
  return put_pubkey (card, keyno, out);
}

unsigned int
vcard_cmd_put_data_odd (vcard_t *card, apdu_t *a)
{
  brd_t r, ehl;
  unsigned int tag;
  int cons, keyno;
  const unsigned char *rest;
  size_t restlen;
  vcard_key_t *k;
  vcard_algo_t algo;
  unsigned int nbits;
  gcry_sexp_t sk;
  gpg_error_t err;
  vcard_import_rules_t rules;

  if (a->p1 != 0x3f || a->p2 != 0xff)
    return SW_WRONG_P1P2;
  if (!card->verified83)
    return SW_SECURITY_STATUS;
  brd_init (&r, a->data, a->lc);
  if (brd_get_tlv (&r, &tag, &cons, &ehl) || tag != 0x4d || brd_end (&r))
    return SW_INCORRECT_DATA;
  keyno = get_crt (&ehl);
  if (keyno < 0)
    return SW_INCORRECT_DATA;
  k = &card->key[keyno];
  if (vcard_parse_attr (k->attr, k->attrlen, keyno, &card->prof,
                        &algo, &nbits))
    return SW_CONDITIONS;
  /* A strict card takes its attributes' import format only.  */
  rules.rsa_format = -1;
  rules.rsa_elen = 0;
  rules.ecc_pubkey = card->prof.ecc_pubkey;
  if (algo == VCARD_ALGO_RSA && card->prof.rsa_formats != 0x0F)
    {
      rules.rsa_format = k->attrlen == 6 ? k->attr[5] : 0;
      rules.rsa_elen = ((k->attr[3] << 8 | k->attr[4]) + 7) / 8;
    }
  card->busy_ms = card->prof.lat_op;
  brd_rest (&ehl, &rest, &restlen);
  err = vcard_key_import (algo, nbits, &rules, rest, restlen, &sk);
  if (err && gpg_err_code (err) != GPG_ERR_ENOMEM)
    return SW_INCORRECT_DATA;
  if (err)
    return crypto_sw (err);
  vcard_key_clear (k);
  k->sk = sk;
  k->status = 2;
  if (keyno == 0)
    card->sigcount = 0;
  card->dirty = 1;
  return SW_OK;
}

/* Monotonic time in seconds.  */
static double
mono_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait for a touch if slot KEYNO has UIF on.  With the cached
 * policies (03, 04; YubiKey 5.2+) a touch counts for the profile's
 * cache time.  */
static unsigned int
need_touch (vcard_t *card, int keyno)
{
  unsigned char uif = card->key[keyno].uif;
  double now = mono_now ();

  if (!uif)
    return SW_OK;
  if ((uif == 3 || uif == 4) && card->last_touch > 0
      && now - card->last_touch < card->prof.touch_cache)
    return SW_OK;
  if (!card->touch_cb)
    return SW_SECURITY_ISSUE;
  if (card->touch_cb (card->touch_opaque, keyno))
    return SW_SECURITY_ISSUE;
  card->last_touch = mono_now ();
  return SW_OK;
}

/* Run a private key operation of slot KEYNO: sign (DECIPHER false) or
 * decipher.  The caller has checked the PIN.  */
static unsigned int
key_operation (vcard_t *card, int keyno, int decipher, apdu_t *a,
               membuf_t *out)
{
  vcard_key_t *k = &card->key[keyno];
  vcard_algo_t algo;
  unsigned int nbits, sw;
  gpg_error_t err;

  if (!k->sk)
    return SW_NOT_FOUND;
  if (vcard_parse_attr (k->attr, k->attrlen, keyno, NULL, &algo, &nbits))
    return SW_CONDITIONS;
  if (!a->lc)
    return SW_WRONG_LENGTH;
  sw = need_touch (card, keyno);
  if (sw != SW_OK)
    return sw;
  card->busy_ms = card->prof.lat_op;
  if (decipher)
    err = vcard_key_decipher (algo, k->sk, a->data, a->lc, out);
  else
    err = vcard_key_sign (algo, k->sk, a->data, a->lc, out);
  if (err)
    {
      membuf_reset (out);
      return crypto_sw (err);
    }
  return SW_OK;
}

unsigned int
vcard_cmd_pso (vcard_t *card, apdu_t *a, membuf_t *out)
{
  unsigned int sw;

  if (a->p1 == 0x9e && a->p2 == 0x9a)
    {
      if (!card->verified81)
        return SW_SECURITY_STATUS;
      sw = key_operation (card, 0, 0, a, out);
      if (sw == SW_OK)
        {
          if (card->sigcount < 0xffffff)
            card->sigcount++;
          if (!card->pw1_multi)
            card->verified81 = 0;
          card->dirty = 1;
        }
      return sw;
    }
  if (a->p1 == 0x80 && a->p2 == 0x86)
    {
      if (!card->verified82)
        return SW_SECURITY_STATUS;
      return key_operation (card, 1, 1, a, out);
    }
  return SW_WRONG_P1P2;
}

unsigned int
vcard_cmd_internal_authenticate (vcard_t *card, apdu_t *a, membuf_t *out)
{
  if (a->p1 != 0x00 || a->p2 != 0x00)
    return SW_WRONG_P1P2;
  if (!card->verified82)
    return SW_SECURITY_STATUS;
  return key_operation (card, 2, 0, a, out);
}
