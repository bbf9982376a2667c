/* vcard-do.c - the virtual card's data objects and application commands
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GET DATA and PUT DATA of every data object the profile has (access
 * conditions checked here), SELECT DATA / GET NEXT DATA of the
 * cardholder certificates, SELECT, GET CHALLENGE, TERMINATE DF and
 * ACTIVATE FILE.
 */
#include <config.h>
#include "vcard-int.h"
#include "brd.h"

#include <string.h>
#include <time.h>

/* Append the algorithm attributes the card takes for slot KEYNO (0..2)
 * as C1/C2/C3 TLVs to MB (the entries of DO FA).  */
static void
put_algo_list (vcard_t *card, int keyno, membuf_t *mb)
{
  /* The ECC entries: algorithm byte and curve.  */
  static const struct { unsigned char algo; const char *curve; } ecc[3] =
    { { 0x16, "Ed25519" }, { 0x13, "NIST P-256" }, { 0x13, "NIST P-384" } };
  static const struct { unsigned int bit, nbits; } rsa[3] =
    { { VCARD_A_RSA2048, 2048 }, { VCARD_A_RSA3072, 3072 },
      { VCARD_A_RSA4096, 4096 } };
  const vcard_profile_t *pr = &card->prof;
  unsigned int tag = 0xc1 + keyno;
  unsigned char tmp[16];
  size_t n;
  int i;

  for (i = 0; i < 3; i++)
    if ((pr->algos & rsa[i].bit))
      {
        memcpy (tmp, pr->rsa_attr, 6);
        tmp[1] = rsa[i].nbits >> 8;
        tmp[2] = rsa[i].nbits;
        vcard_put_tlv (mb, tag, tmp, 6);
      }
  for (i = 0; i < 3; i++)
    {
      const card_curve_t *c;
      unsigned int abit;

      c = card_curve_by_name (i == 0 && keyno == 1 ? "Curve25519"
                              : ecc[i].curve);
      abit = i == 0 ? (keyno == 1 ? VCARD_A_CV25519 : VCARD_A_ED25519)
        : i == 1 ? VCARD_A_P256 : VCARD_A_P384;
      if (!(pr->algos & abit))
        continue;
      n = 0;
      tmp[n++] = keyno == 1 ? 0x12 : ecc[i].algo;
      memcpy (tmp + n, c->oid, c->oidlen);
      n += c->oidlen;
      if (pr->ecc_pubkey == 1)
        tmp[n++] = 0xff;
      vcard_put_tlv (mb, tag, tmp, n);
    }
}

/* Is the attribute value A/ALEN one of the entries the card lists for
 * slot KEYNO?  */
static int
attr_listed (vcard_t *card, int keyno, const unsigned char *a, size_t alen)
{
  membuf_t mb;
  brd_t r, v;
  unsigned int tag;
  int cons, found = 0;

  membuf_init (&mb, 1024, 0);
  put_algo_list (card, keyno, &mb);
  brd_init (&r, membuf_data (&mb), membuf_len (&mb));
  while (!found && !brd_get_tlv (&r, &tag, &cons, &v))
    found = brd_left (&v) == alen && !memcmp (brd_ptr (&v), a, alen);
  membuf_release (&mb);
  return found;
}

static unsigned int put_do (vcard_t *card, unsigned int tag, membuf_t *mb);

/* Append the TLVs of the N data objects TAGS the card has (a
 * constructed DO's value) to MB.  */
static void
put_children (vcard_t *card, const unsigned int *tags, size_t n,
              membuf_t *mb)
{
  membuf_t sub;
  size_t i;

  for (i = 0; i < n; i++)
    {
      membuf_init (&sub, VCARD_MAX_RSP, 0);
      if (put_do (card, tags[i], &sub) == SW_OK)
        vcard_put_tlv (mb, tags[i], membuf_data (&sub), membuf_len (&sub));
      if (membuf_error (&sub))
        mb->err = membuf_error (&sub);
      membuf_release (&sub);
    }
}

/* Append the value of the simple or constructed DO TAG to MB.  Returns
 * a status word (SW_NOT_FOUND for unknown tags).  This does not check
 * access conditions.  */
static unsigned int
put_do (vcard_t *card, unsigned int tag, membuf_t *mb)
{
  unsigned char buf[64];
  int i;

  switch (tag)
    {
    case 0x004f:
      vcard_put_aid (card, mb);
      break;
    case 0x005e:
      membuf_put (mb, card->login.d, card->login.n);
      break;
    case 0x5f50:
      membuf_put (mb, card->url.d, card->url.n);
      break;
    case 0x5f52:
      membuf_put (mb, buf, vcard_historical_bytes (card, buf));
      break;
    case 0x005b:
      membuf_put (mb, card->name.d, card->name.n);
      break;
    case 0x5f2d:
      membuf_put (mb, card->lang.d, card->lang.n);
      break;
    case 0x5f35:
      membuf_put (mb, card->sex.d, card->sex.n);
      break;
    case 0x0065:
      vcard_put_tlv (mb, 0x5b, card->name.d, card->name.n);
      vcard_put_tlv (mb, 0x5f2d, card->lang.d, card->lang.n);
      vcard_put_tlv (mb, 0x5f35, card->sex.d, card->sex.n);
      break;
    case 0x007a:
      buf[0] = card->sigcount >> 16;
      buf[1] = card->sigcount >> 8;
      buf[2] = card->sigcount;
      vcard_put_tlv (mb, 0x93, buf, 3);
      break;
    case 0x7f21:
      {
        int keyno = 2 - card->cert_occurrence;
        membuf_put (mb, card->key[keyno].cert.d, card->key[keyno].cert.n);
      }
      break;
    case 0x7f66:
      if (!(card->prof.flags & VCARD_P_EXTLEN))
        return SW_NOT_FOUND;
      buf[0] = 0x02;
      buf[1] = 0x02;
      buf[2] = VCARD_ANNOUNCED_MAX >> 8;
      buf[3] = VCARD_ANNOUNCED_MAX & 0xff;
      memcpy (buf + 4, buf, 4);
      membuf_put (mb, buf, 8);
      break;
    case 0x7f74:
      if (!(card->prof.flags & VCARD_P_BUTTON))
        return SW_NOT_FOUND;
      buf[0] = 0x20;  /* Button.  */
      vcard_put_tlv (mb, 0x81, buf, 1);
      break;
    case 0x00c0:
      buf[0] = card->prof.c0;  /* GET CHALLENGE, key import, PW1 status
                                  change, private DOs, attributes
                                  changeable -- as the card has them.  */
      buf[1] = 0x00;  /* No SM.  */
      buf[2] = 0x00;  /* Max challenge: 255.  */
      buf[3] = 0xff;
      buf[4] = VCARD_MAX_CERT >> 8;
      buf[5] = VCARD_MAX_CERT & 0xff;
      buf[6] = 0x00;
      buf[7] = VCARD_MAX_DO;
      buf[8] = 0x00;  /* No PIN block 2 format.  */
      buf[9] = 0x00;  /* No MSE.  */
      membuf_put (mb, buf, 10);
      break;
    case 0x00c1: case 0x00c2: case 0x00c3:
      membuf_put (mb, card->key[tag - 0xc1].attr,
                  card->key[tag - 0xc1].attrlen);
      break;
    case 0x00c4:
      buf[0] = card->pw1_multi ? 1 : 0;
      buf[1] = VCARD_MAX_PIN;
      buf[2] = VCARD_MAX_PIN;
      buf[3] = VCARD_MAX_PIN;
      buf[4] = card->tries[VCARD_PW1];
      buf[5] = card->tries[VCARD_RC];
      buf[6] = card->tries[VCARD_PW3];
      membuf_put (mb, buf, 7);
      break;
    case 0x00c5:
      for (i = 0; i < 3; i++)
        membuf_put (mb, card->key[i].fpr, 20);
      break;
    case 0x00c6:
      for (i = 0; i < 3; i++)
        membuf_put (mb, card->key[i].cafpr, 20);
      break;
    case 0x00cd:
      for (i = 0; i < 3; i++)
        membuf_put_u32 (mb, card->key[i].gentime);
      break;
    case 0x00de:
      if (!(card->prof.flags & VCARD_P_KEYINFO))
        return SW_NOT_FOUND;
      for (i = 0; i < 3; i++)
        {
          membuf_put_u8 (mb, i + 1);
          membuf_put_u8 (mb, card->key[i].status);
        }
      break;
    case 0x00d6: case 0x00d7: case 0x00d8:
      if (!(card->prof.flags & VCARD_P_BUTTON))
        return SW_NOT_FOUND;
      membuf_put_u8 (mb, card->key[tag - 0xd6].uif);
      membuf_put_u8 (mb, 0x20);
      break;
    case 0x0101: case 0x0102: case 0x0103: case 0x0104:
      if (!(card->prof.flags & VCARD_P_PRIVATE_DOS))
        return SW_NOT_FOUND;
      membuf_put (mb, card->privdo[tag - 0x101].d,
                  card->privdo[tag - 0x101].n);
      break;
    case 0x00fa:
      if (!(card->prof.flags & VCARD_P_ALGOINFO))
        return SW_NOT_FOUND;
      for (i = 0; i < 3; i++)
        put_algo_list (card, i, mb);
      break;
    case 0x0073:
      {
        static const unsigned int tags[] =
          { 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xcd, 0xde,
            0xd6, 0xd7, 0xd8 };

        put_children (card, tags, DIM (tags), mb);
      }
      break;
    case 0x006e:
      {
        static const unsigned int tags[] =
          { 0x4f, 0x5f52, 0x7f66, 0x7f74, 0x73 };

        put_children (card, tags, DIM (tags), mb);
      }
      break;
    default:
      return SW_NOT_FOUND;
    }
  return membuf_error (mb) ? SW_MEMORY_FAILURE : SW_OK;
}

/* Set blob B from the command data when its length is at most MAX.  */
static unsigned int
put_blob (vcard_t *card, vcard_blob_t *b, apdu_t *a, size_t max)
{
  if (a->lc > max)
    return SW_WRONG_LENGTH;
  if (vcard_blob_set (b, a->data, a->lc))
    return SW_MEMORY_FAILURE;
  card->dirty = 1;
  return SW_OK;
}

unsigned int
vcard_cmd_put_data (vcard_t *card, apdu_t *a)
{
  unsigned int tag = (a->p1 << 8) | a->p2;
  vcard_algo_t algo;
  unsigned int nbits;
  int k;

  if (tag >= 0x0101 && tag <= 0x0104
      && !(card->prof.flags & VCARD_P_PRIVATE_DOS))
    return SW_NOT_FOUND;
  if (tag == 0x0101 || tag == 0x0103)
    {
      if (!card->verified82)
        return SW_SECURITY_STATUS;
    }
  else if (!card->verified83)
    return SW_SECURITY_STATUS;

  switch (tag)
    {
    case 0x005b:
      return put_blob (card, &card->name, a, 39);
    case 0x5f2d:
      if (a->lc % 2)
        return SW_WRONG_LENGTH;
      return put_blob (card, &card->lang, a, 8);
    case 0x5f35:
      return put_blob (card, &card->sex, a, 1);
    case 0x005e:
      return put_blob (card, &card->login, a, VCARD_MAX_DO);
    case 0x5f50:
      return put_blob (card, &card->url, a, VCARD_MAX_DO);
    case 0x0101: case 0x0102: case 0x0103: case 0x0104:
      return put_blob (card, &card->privdo[tag - 0x101], a, VCARD_MAX_DO);
    case 0x7f21:
      return put_blob (card, &card->key[2 - card->cert_occurrence].cert, a,
                       VCARD_MAX_CERT);
    case 0x00c1: case 0x00c2: case 0x00c3:
      k = tag - 0xc1;
      if (!(card->prof.flags & VCARD_P_ATTR_CHANGE))
        return card->prof.hidden_sw ? card->prof.hidden_sw : SW_NOT_FOUND;
      if (a->lc + 1 > sizeof card->key[k].attr)
        return SW_WRONG_LENGTH;
      if (vcard_parse_attr (a->data, a->lc, k, &card->prof, &algo, &nbits)
          || ((card->prof.flags & VCARD_P_EXACT_ATTRS)
              && !attr_listed (card, k, a->data, a->lc)))
        return SW_INCORRECT_DATA;
      /* Changing the attributes deletes the key (spec 4.4.3.9).  */
      vcard_key_clear (&card->key[k]);
      memcpy (card->key[k].attr, a->data, a->lc);
      card->key[k].attrlen = a->lc;
      /* SmartPGP stores ECC attributes with "import with public key".  */
      if (algo != VCARD_ALGO_RSA && card->prof.ecc_pubkey == 1
          && a->data[a->lc - 1] != 0xff)
        card->key[k].attr[card->key[k].attrlen++] = 0xff;
      card->dirty = 1;
      return SW_OK;
    case 0x00c4:
      if (a->lc != 1 && a->lc != 4)
        return SW_WRONG_LENGTH;
      if (a->data[0] > 1)
        return SW_INCORRECT_DATA;
      card->pw1_multi = a->data[0];
      card->dirty = 1;
      return SW_OK;
    case 0x00c7: case 0x00c8: case 0x00c9:
      if (a->lc != 20)
        return SW_WRONG_LENGTH;
      memcpy (card->key[tag - 0xc7].fpr, a->data, 20);
      card->dirty = 1;
      return SW_OK;
    case 0x00ca: case 0x00cb: case 0x00cc:
      if (a->lc != 20)
        return SW_WRONG_LENGTH;
      memcpy (card->key[tag - 0xca].cafpr, a->data, 20);
      card->dirty = 1;
      return SW_OK;
    case 0x00ce: case 0x00cf: case 0x00d0:
      if (a->lc != 4)
        return SW_WRONG_LENGTH;
      card->key[tag - 0xce].gentime = ((uint32_t)a->data[0] << 24)
        | ((uint32_t)a->data[1] << 16) | ((uint32_t)a->data[2] << 8)
        | a->data[3];
      card->dirty = 1;
      return SW_OK;
    case 0x00d3:
      if (!a->lc)
        {
          vcard_set_pin (card, VCARD_RC, NULL, 0);
          card->tries[VCARD_RC] = 0;
        }
      else if (!vcard_pin_len_ok (VCARD_RC, a->lc))
        return SW_WRONG_LENGTH;
      else
        {
          if (vcard_set_pin (card, VCARD_RC, a->data, a->lc))
            return SW_MEMORY_FAILURE;
          card->tries[VCARD_RC] = 3;
        }
      card->dirty = 1;
      return SW_OK;
    case 0x00d6: case 0x00d7: case 0x00d8:
      k = tag - 0xd6;
      if (!(card->prof.flags & VCARD_P_BUTTON))
        return SW_NOT_FOUND;
      if (a->lc != 2)
        return SW_WRONG_LENGTH;
      if (card->key[k].uif == 2 || card->key[k].uif == 4)
        return SW_CONDITIONS;  /* Permanently on.  */
      if (a->data[0] > (card->prof.touch_cache ? 4 : 2))
        return SW_INCORRECT_DATA;
      card->key[k].uif = a->data[0];
      card->dirty = 1;
      return SW_OK;
    default:
      return SW_NOT_FOUND;
    }
}

unsigned int
vcard_cmd_get_data (vcard_t *card, apdu_t *a, membuf_t *out)
{
  unsigned int tag = (a->p1 << 8) | a->p2;

  if (a->lc)
    return SW_WRONG_LENGTH;
  if (tag == 0x0103 && !card->verified82)
    return SW_SECURITY_STATUS;
  if (tag == 0x0104 && !card->verified83)
    return SW_SECURITY_STATUS;
  /* Older cards have some simple DOs only inside 6E.  */
  if (tag >= 0xc0 && tag <= 0xcd
      && (card->prof.hidden_dos & (1u << (tag - 0xc0))))
    return card->prof.hidden_sw;
  if ((card->prof.flags & VCARD_P_OUTER_TAGS)
      && (tag == 0xc1 || tag == 0xc2 || tag == 0xc3 || tag == 0x7f66
          || tag == 0xde))
    {
      /* SmartPGP answers these with their own tag.  */
      membuf_t sub;
      unsigned int sw;

      membuf_init (&sub, VCARD_MAX_RSP, 0);
      sw = put_do (card, tag, &sub);
      if (sw == SW_OK)
        vcard_put_tlv (out, tag, membuf_data (&sub), membuf_len (&sub));
      if (membuf_error (&sub))
        sw = SW_MEMORY_FAILURE;
      membuf_release (&sub);
      return sw;
    }
  return put_do (card, tag, out);
}

/* The RID and PIX start of the PIV application (NIST SP 800-73-4),
 * the other application of multi-application tokens (YubiKey, Nitrokey
 * 3, CanoKey).  */
static const unsigned char piv_rid[5] = { 0xa0, 0x00, 0x00, 0x03, 0x08 };

unsigned int
vcard_cmd_select (vcard_t *card, apdu_t *a)
{
  unsigned char aid[16];
  membuf_t mb;

  if (a->p1 != 0x04 || (a->p2 != 0x00 && a->p2 != 0x0c))
    return SW_FILE_NOT_FOUND;
  if (a->lc >= sizeof piv_rid && !memcmp (a->data, piv_rid, sizeof piv_rid))
    {
      /* Another application is selected: OpenPGP is deselected and,
       * as on every multi-application token, its PIN verifications
       * are gone (Java Card clears an applet's transient state on
       * deselect; GnuPG T5484).  */
      vcard_reset_volatile (card);
      card->other_app = 1;
      return SW_OK;
    }
  membuf_init (&mb, sizeof aid, 0);
  vcard_put_aid (card, &mb);
  memcpy (aid, membuf_data (&mb), sizeof aid);
  membuf_release (&mb);
  if (a->lc < 6 || a->lc > sizeof aid || memcmp (a->data, aid, a->lc))
    return SW_FILE_NOT_FOUND;  /* The selection stays as it was.  */
  card->cert_occurrence = 0;
  card->other_app = 0;
  return card->terminated ? SW_TERMINATED : SW_OK;
}

/* See vcard-int.h.  */
unsigned int
vcard_other_app_command (vcard_t *card, apdu_t *a)
{
  (void)card;
  switch (a->ins)
    {
    case 0x47: /* GENERATE and PUT DATA need PIV's management key.  */
    case 0xdb:
      return SW_SECURITY_STATUS;
    default:   /* PIV has no GET DATA CA, PSO, INTERNAL AUTHENTICATE,
                * ...; its VERIFY knows other references.  */
      return a->ins == 0x20 ? SW_NOT_FOUND : SW_INS_UNSUPPORTED;
    }
}

unsigned int
vcard_cmd_select_data (vcard_t *card, apdu_t *a)
{
  brd_t r, v60, v5c;
  unsigned int tag, t1, t2;
  int cons;

  if (a->p1 > 2 || a->p2 != 0x04)
    return SW_WRONG_P1P2;
  brd_init (&r, a->data, a->lc);
  if (brd_get_tlv (&r, &tag, &cons, &v60) || tag != 0x60 || brd_end (&r)
      || brd_get_tlv (&v60, &tag, &cons, &v5c) || tag != 0x5c
      || brd_end (&v60)
      || brd_get_u8 (&v5c, &t1) || brd_get_u8 (&v5c, &t2)
      || brd_end (&v5c) || t1 != 0x7f || t2 != 0x21)
    return SW_INCORRECT_DATA;
  card->cert_occurrence = a->p1;
  return SW_OK;
}

unsigned int
vcard_cmd_get_next_data (vcard_t *card, apdu_t *a, membuf_t *out)
{
  if (a->p1 != 0x7f || a->p2 != 0x21)
    return SW_WRONG_P1P2;
  if (card->cert_occurrence >= 2)
    return SW_NOT_FOUND;
  card->cert_occurrence++;
  return put_do (card, 0x7f21, out);
}

unsigned int
vcard_cmd_get_challenge (vcard_t *card, apdu_t *a, membuf_t *out)
{
  unsigned char *p;

  if (a->p1 || a->p2)
    return SW_WRONG_P1P2;
  if (a->lc || !a->has_le || a->le > 255)
    return SW_WRONG_LENGTH;
  p = membuf_reserve (out, a->le);
  if (!p)
    return SW_MEMORY_FAILURE;
  gcry_randomize (p, a->le, GCRY_STRONG_RANDOM);
  return SW_OK;
}

unsigned int
vcard_cmd_terminate (vcard_t *card, apdu_t *a)
{
  if (a->p1 || a->p2)
    return SW_WRONG_P1P2;
  if (!card->verified83 && card->tries[VCARD_PW3])
    return SW_SECURITY_STATUS;
  card->terminated = 1;
  card->verified81 = card->verified82 = card->verified83 = 0;
  card->dirty = 1;
  return SW_OK;
}

unsigned int
vcard_cmd_activate (vcard_t *card, apdu_t *a)
{
  if (a->p1 || a->p2)
    return SW_WRONG_P1P2;
  if (card->terminated)
    vcard_factory_reset (card);
  return SW_OK;
}
