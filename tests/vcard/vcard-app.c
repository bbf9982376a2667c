/* vcard-app.c - the OpenPGP card application v3.4 of oca-vcard
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * vcard_process_apdu takes one command APDU as it came from the reader
 * and produces the response APDU.  Every byte of the command is read
 * through brd_t; a malformed command gets a status word, never a crash.
 *
 * Transport: short and extended Lc/Le (unless the profile has no
 * extended length), command chaining (CLA 10) for every command, and
 * GET RESPONSE: response data longer than Le is handed out in pieces
 * with 61xx.
 *
 * Access rules follow the OpenPGP card specification 3.4: PW1 in mode
 * 81 for PSO:CDS (dropped after each signature when C4 byte 1 is 00),
 * PW1 in mode 82 for decipher, internal authenticate and private DOs
 * 1/3, PW3 for all administrative writes, key generation and import.
 * Where real cards differ, the card's profile (card->prof,
 * vcard-profile.c) decides: algorithms, import formats, status words,
 * data objects, touch cache, latency.
 */
#include <config.h>
#include "vcard.h"
#include "brd.h"

#include <string.h>
#include <time.h>

/* Status words (besides those of card-data.h, SW_WRONG_LENGTH and
 * SW_FILE_NOT_FOUND among them), named from the card's side.  */
#define SW_OK               0x9000
#define SW_MORE(n)          (0x6100 | ((n) > 255 ? 0 : (n)))
#define SW_TERMINATED       0x6285
#define SW_WRONG_PIN(n)     (0x63c0 | (n))
#define SW_MEMORY_FAILURE   0x6581
#define SW_SECURITY_ISSUE   0x6600
#define SW_SM_UNSUPPORTED   0x6882
#define SW_CHAIN_EXPECTED   0x6883
#define SW_SECURITY_STATUS  0x6982
#define SW_PIN_BLOCKED      0x6983
#define SW_CONDITIONS       0x6985
#define SW_INCORRECT_DATA   0x6a80
#define SW_NOT_FOUND        0x6a88
#define SW_WRONG_P1P2       0x6b00
#define SW_INS_UNSUPPORTED  0x6d00
#define SW_CLA_UNSUPPORTED  0x6e00
#define SW_NO_DIAGNOSIS     0x6f00

static const unsigned char openpgp_rid_pix[6] =
  { 0xd2, 0x76, 0x00, 0x01, 0x24, 0x01 };

static const unsigned char default_pw1[] = "123456";
static const unsigned char default_pw3[] = "12345678";

/* A parsed command APDU.  */
typedef struct
{
  unsigned int cla, ins, p1, p2;
  const unsigned char *data;  /* Command data (secure copy).  */
  size_t lc;
  size_t le;                  /* Expected length (256/65536 for 00).  */
  int has_le;
  int extended;
} apdu_t;


/*
 * Small helpers.
 */

void
vcard_blob_clear (vcard_blob_t *b)
{
  wipe_and_free (b->d, b->n);
  b->d = NULL;
  b->n = 0;
}

/* Replace the value of B by a copy of D/N.  */
gpg_error_t
vcard_blob_set (vcard_blob_t *b, const void *d, size_t n)
{
  unsigned char *p = NULL;

  if (n)
    {
      p = xtrymalloc (n);
      if (!p)
        return oca_error_from_errno ();
      memcpy (p, d, n);
    }
  vcard_blob_clear (b);
  b->d = p;
  b->n = n;
  return 0;
}

/* Set PIN WHICH (VCARD_PW1, VCARD_RC, VCARD_PW3) to PIN/LEN, kept in
 * secure memory.  LEN 0 removes the PIN (only sensible for RC).  */
gpg_error_t
vcard_set_pin (vcard_t *card, int which, const void *pin, size_t len)
{
  unsigned char *p = NULL;

  if (len)
    {
      p = xtrymalloc_secure (len);
      if (!p)
        return oca_error_from_errno ();
      memcpy (p, pin, len);
    }
  wipe_and_free (card->pin[which], card->pinlen[which]);
  card->pin[which] = p;
  card->pinlen[which] = len;
  return 0;
}

/* Forget the key and all data of key slot KEY (attributes stay).  */
void
vcard_key_clear (vcard_key_t *key)
{
  gcry_sexp_release (key->sk);
  key->sk = NULL;
  memset (key->fpr, 0, sizeof key->fpr);
  key->gentime = 0;
  key->status = 0;
}

/* Constant-time comparison of A/ALEN with B/BLEN; 1 if equal.  */
static int
pin_equal (const unsigned char *a, size_t alen,
           const unsigned char *b, size_t blen)
{
  unsigned char diff = 0;
  size_t i;

  if (!a || !b || alen != blen)
    return 0;
  for (i = 0; i < alen; i++)
    diff |= a[i] ^ b[i];
  return !diff;
}

/* Forget every volatile state: verifications, chaining, pending
 * responses.  Called on reset and power cycles.  */
void
vcard_reset_volatile (vcard_t *card)
{
  card->verified81 = card->verified82 = card->verified83 = 0;
  card->chain_active = 0;
  membuf_reset (&card->chain);
  wipe_and_free (card->pending, card->pendinglen);
  card->pending = NULL;
  card->pendinglen = card->pendingoff = 0;
  card->cert_occurrence = 0;
  card->last_touch = 0;
}

/* Put CARD into the factory state (keeps manufacturer and serial).  */
void
vcard_factory_reset (vcard_t *card)
{
  int i;

  card->terminated = 0;
  vcard_set_pin (card, VCARD_PW1, default_pw1, 6);
  vcard_set_pin (card, VCARD_RC, NULL, 0);
  vcard_set_pin (card, VCARD_PW3, default_pw3, 8);
  card->tries[VCARD_PW1] = 3;
  card->tries[VCARD_RC] = 0;
  card->tries[VCARD_PW3] = 3;
  card->pw1_multi = 0;
  vcard_blob_clear (&card->name);
  vcard_blob_clear (&card->lang);
  vcard_blob_clear (&card->sex);
  vcard_blob_clear (&card->login);
  vcard_blob_clear (&card->url);
  for (i = 0; i < 4; i++)
    vcard_blob_clear (&card->privdo[i]);
  card->sigcount = 0;
  for (i = 0; i < 3; i++)
    {
      vcard_key_t *k = &card->key[i];

      vcard_key_clear (k);
      memcpy (k->attr, card->prof.rsa_attr, sizeof card->prof.rsa_attr);
      k->attrlen = sizeof card->prof.rsa_attr;
      memset (k->cafpr, 0, sizeof k->cafpr);
      k->uif = 0;
      vcard_blob_clear (&k->cert);
    }
  vcard_reset_volatile (card);
  card->dirty = 1;
}

/* Create a card behaving like PROF (NULL: the permissive profile) in
 * factory state with manufacturer FFFE and serial 00000001.  */
gpg_error_t
vcard_new (const vcard_profile_t *prof, vcard_t **r_card)
{
  vcard_t *card;

  *r_card = NULL;
  card = xtrycalloc (1, sizeof *card);
  if (!card)
    return oca_error_from_errno ();
  card->prof = *(prof ? prof : vcard_profile_find (NULL));
  membuf_init (&card->chain, VCARD_MAX_CMD, 1);
  card->manufacturer[0] = 0xff;
  card->manufacturer[1] = 0xfe;
  card->serial[3] = 0x01;
  vcard_factory_reset (card);
  if (!card->pin[VCARD_PW1] || !card->pin[VCARD_PW3])
    {
      vcard_release (card);
      return gpg_error (GPG_ERR_ENOMEM);
    }
  *r_card = card;
  return 0;
}

/* Release CARD, wiping all secrets.  NULL is allowed.  */
void
vcard_release (vcard_t *card)
{
  int i;

  if (!card)
    return;
  vcard_reset_volatile (card);
  membuf_release (&card->chain);
  for (i = 0; i < 3; i++)
    {
      vcard_set_pin (card, i, NULL, 0);
      vcard_key_clear (&card->key[i]);
      vcard_blob_clear (&card->key[i].cert);
    }
  vcard_blob_clear (&card->name);
  vcard_blob_clear (&card->lang);
  vcard_blob_clear (&card->sex);
  vcard_blob_clear (&card->login);
  vcard_blob_clear (&card->url);
  for (i = 0; i < 4; i++)
    vcard_blob_clear (&card->privdo[i]);
  xfree (card);
}

/* Write the historical bytes (10 bytes) to BUF and return the length:
 * category 00, card service data, card capabilities (73) announcing
 * command chaining and (when the profile has it) extended length,
 * status indicator 05 (operational) and 90 00.  */
size_t
vcard_historical_bytes (vcard_t *card, unsigned char *buf)
{
  static const unsigned char hist[10] =
    { 0x00, 0x31, 0xc5, 0x73, 0xc0, 0x01, 0xc0, 0x05, 0x90, 0x00 };

  memcpy (buf, hist, sizeof hist);
  if (!(card->prof.flags & VCARD_P_EXTLEN))
    buf[6] = 0x80;
  return sizeof hist;
}

/* Write the ATR to BUF (at least 32 bytes) and return its length.  T=1
 * with the historical bytes of vcard_historical_bytes and TCK.  */
size_t
vcard_atr (vcard_t *card, unsigned char *buf, size_t bufsize)
{
  static const unsigned char head[10] =
    { 0x3b, 0xda, 0x18, 0xff, 0x81, 0xb1, 0xfe, 0x75, 0x1f, 0x03 };
  size_t n, i;
  unsigned char tck = 0;

  if (bufsize < 32)
    return 0;
  memcpy (buf, head, sizeof head);
  n = sizeof head;
  n += vcard_historical_bytes (card, buf + n);
  for (i = 1; i < n; i++)
    tck ^= buf[i];
  buf[n++] = tck;
  return n;
}


/*
 * Data objects.
 */

/* The 16-byte AID.  */
static void
put_aid (vcard_t *card, membuf_t *mb)
{
  membuf_put (mb, openpgp_rid_pix, 6);
  membuf_put (mb, card->prof.version, 2);
  membuf_put (mb, card->manufacturer, 2);
  membuf_put (mb, card->serial, 4);
  membuf_put_u16 (mb, 0);
}

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

/* Append the value of the simple or constructed DO TAG to MB.  Returns
 * a status word (SW_NOT_FOUND for unknown tags).  This does not check
 * access conditions.  */
static unsigned int
put_do (vcard_t *card, unsigned int tag, membuf_t *mb)
{
  membuf_t sub;
  unsigned char buf[64];
  int i;

  switch (tag)
    {
    case 0x004f:
      put_aid (card, mb);
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

        for (i = 0; i < (int)DIM (tags); i++)
          {
            membuf_init (&sub, VCARD_MAX_RSP, 0);
            if (put_do (card, tags[i], &sub) == SW_OK)
              vcard_put_tlv (mb, tags[i], membuf_data (&sub),
                             membuf_len (&sub));
            if (membuf_error (&sub))
              mb->err = membuf_error (&sub);
            membuf_release (&sub);
          }
      }
      break;
    case 0x006e:
      {
        static const unsigned int tags[] =
          { 0x4f, 0x5f52, 0x7f66, 0x7f74, 0x73 };

        for (i = 0; i < (int)DIM (tags); i++)
          {
            membuf_init (&sub, VCARD_MAX_RSP, 0);
            if (put_do (card, tags[i], &sub) == SW_OK)
              vcard_put_tlv (mb, tags[i], membuf_data (&sub),
                             membuf_len (&sub));
            if (membuf_error (&sub))
              mb->err = membuf_error (&sub);
            membuf_release (&sub);
          }
      }
      break;
    default:
      return SW_NOT_FOUND;
    }
  return membuf_error (mb) ? SW_MEMORY_FAILURE : SW_OK;
}


/*
 * Commands.
 */

/* The status word for a failed verification of PIN WHICH.  */
static unsigned int
sw_wrong_pin (vcard_t *card, int which)
{
  if (card->prof.wrong_pin_sw)
    return card->prof.wrong_pin_sw;
  return SW_WRONG_PIN (card->tries[which]);
}

/* The status word for a blocked PIN.  */
static unsigned int
sw_blocked (vcard_t *card)
{
  return card->prof.blocked_sw ? card->prof.blocked_sw : SW_PIN_BLOCKED;
}

/* Check PIN/LEN against PIN WHICH, counting down on failure.  Returns
 * SW_OK or the status word to answer.  */
static unsigned int
check_pin (vcard_t *card, int which, const unsigned char *pin, size_t len)
{
  if (!card->tries[which] || !card->pin[which])
    return which == VCARD_RC ? SW_PIN_BLOCKED : sw_blocked (card);
  if (!pin_equal (pin, len, card->pin[which], card->pinlen[which]))
    {
      card->tries[which]--;
      card->dirty = 1;
      return sw_wrong_pin (card, which);
    }
  if (card->tries[which] != 3)
    {
      card->tries[which] = 3;
      card->dirty = 1;
    }
  return SW_OK;
}

/* Does any slot hold a key?  */
static int
have_keys (vcard_t *card)
{
  return card->key[0].sk || card->key[1].sk || card->key[2].sk;
}

/* Is LEN an acceptable length for a new PIN WHICH?  */
static int
pin_len_ok (int which, size_t len)
{
  size_t min = which == VCARD_PW1 ? 6 : 8;

  return len >= min && len <= VCARD_MAX_PIN;
}

/* VERIFY: 00 20 00|FF 81|82|83 [PIN].  */
static unsigned int
cmd_verify (vcard_t *card, apdu_t *a)
{
  int which;
  int *flag;
  unsigned int sw;

  if (a->p2 == 0x81)
    flag = &card->verified81;
  else if (a->p2 == 0x82)
    flag = &card->verified82;
  else if (a->p2 == 0x83)
    flag = &card->verified83;
  else
    return SW_WRONG_P1P2;
  which = a->p2 == 0x83 ? VCARD_PW3 : VCARD_PW1;

  if (a->p1 == 0xff)
    {
      if (a->lc)
        return SW_WRONG_LENGTH;
      *flag = 0;
      return SW_OK;
    }
  if (a->p1 != 0x00)
    return SW_WRONG_P1P2;
  if (!a->lc)
    {
      if (*flag)
        return SW_OK;
      if (!card->tries[which])
        return SW_PIN_BLOCKED;
      return SW_WRONG_PIN (card->tries[which]);
    }
  *flag = 0;
  sw = check_pin (card, which, a->data, a->lc);
  if (sw == SW_OK)
    *flag = 1;
  card->busy_ms = card->prof.lat_verify;
  return sw;
}

/* CHANGE REFERENCE DATA: 00 24 00 81|83 old||new.  */
static unsigned int
cmd_change_reference_data (vcard_t *card, apdu_t *a)
{
  int which;
  size_t oldlen;
  unsigned int sw;

  if (a->p1 != 0x00 || (a->p2 != 0x81 && a->p2 != 0x83))
    return SW_WRONG_P1P2;
  which = a->p2 == 0x83 ? VCARD_PW3 : VCARD_PW1;
  if (!card->tries[which])
    return SW_PIN_BLOCKED;
  oldlen = card->pinlen[which];
  if (a->lc <= oldlen)
    sw = check_pin (card, which, a->data, a->lc);  /* Counts down.  */
  else
    sw = check_pin (card, which, a->data, oldlen);
  if (sw != SW_OK)
    {
      if (which == VCARD_PW3)
        card->verified83 = 0;
      else
        card->verified81 = card->verified82 = 0;
      if (card->prof.change_wrong_sw && card->tries[which])
        return card->prof.change_wrong_sw;
      return sw;
    }
  if (a->lc <= oldlen)
    return SW_WRONG_LENGTH;
  if (which == VCARD_PW1 && (card->prof.flags & VCARD_P_PIN_NEEDS_KEYS)
      && !have_keys (card))
    return SW_CONDITIONS;  /* Gnuk: no PW1 change without keys.  */
  if (!pin_len_ok (which, a->lc - oldlen))
    return SW_WRONG_LENGTH;
  if (vcard_set_pin (card, which, a->data + oldlen, a->lc - oldlen))
    return SW_MEMORY_FAILURE;
  card->tries[which] = 3;
  card->dirty = 1;
  return SW_OK;
}

/* RESET RETRY COUNTER: 00 2C 00 81 RC||new, or 00 2C 02 81 new (PW3).  */
static unsigned int
cmd_reset_retry_counter (vcard_t *card, apdu_t *a)
{
  const unsigned char *newpin;
  size_t newlen;
  unsigned int sw;

  if (a->p2 != 0x81)
    return SW_WRONG_P1P2;
  if (a->p1 == 0x00)
    {
      size_t rclen = card->pinlen[VCARD_RC];

      if (!card->pin[VCARD_RC] || !card->tries[VCARD_RC])
        return SW_PIN_BLOCKED;
      sw = check_pin (card, VCARD_RC, a->data, a->lc <= rclen ? a->lc : rclen);
      if (sw != SW_OK)
        return sw;
      if (a->lc <= rclen)
        return SW_WRONG_LENGTH;
      newpin = a->data + rclen;
      newlen = a->lc - rclen;
    }
  else if (a->p1 == 0x02)
    {
      if (!card->verified83)
        return SW_SECURITY_STATUS;
      newpin = a->data;
      newlen = a->lc;
    }
  else
    return SW_WRONG_P1P2;

  if (!pin_len_ok (VCARD_PW1, newlen))
    return SW_WRONG_LENGTH;
  if ((card->prof.flags & VCARD_P_PIN_NEEDS_KEYS) && !have_keys (card))
    return SW_CONDITIONS;  /* Gnuk: no PW1 reset without keys.  */
  if (vcard_set_pin (card, VCARD_PW1, newpin, newlen))
    return SW_MEMORY_FAILURE;
  card->tries[VCARD_PW1] = 3;
  card->dirty = 1;
  return SW_OK;
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

/* PUT DATA: 00 DA tag-hi tag-lo value.  */
static unsigned int
cmd_put_data (vcard_t *card, apdu_t *a)
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
      else if (!pin_len_ok (VCARD_RC, a->lc))
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

/* GENERATE ASYMMETRIC KEY PAIR: 00 47 80|81 00 CRT.  */
static unsigned int
cmd_generate (vcard_t *card, apdu_t *a, membuf_t *out)
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

/* PUT DATA odd: 00 DB 3F FF 4D { CRT 7F48 5F48 } (key import).  */
static unsigned int
cmd_put_data_odd (vcard_t *card, apdu_t *a)
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

/* PERFORM SECURITY OPERATION: 2A 9E 9A (CDS) and 2A 80 86 (DECIPHER).  */
static unsigned int
cmd_pso (vcard_t *card, apdu_t *a, membuf_t *out)
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

/* INTERNAL AUTHENTICATE: 00 88 00 00 data.  */
static unsigned int
cmd_internal_authenticate (vcard_t *card, apdu_t *a, membuf_t *out)
{
  if (a->p1 != 0x00 || a->p2 != 0x00)
    return SW_WRONG_P1P2;
  if (!card->verified82)
    return SW_SECURITY_STATUS;
  return key_operation (card, 2, 0, a, out);
}

/* GET DATA: 00 CA tag-hi tag-lo.  */
static unsigned int
cmd_get_data (vcard_t *card, apdu_t *a, membuf_t *out)
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

/* SELECT: 00 A4 04 00|0C AID (prefix of our AID).  */
static unsigned int
cmd_select (vcard_t *card, apdu_t *a)
{
  unsigned char aid[16];
  membuf_t mb;

  if (a->p1 != 0x04 || (a->p2 != 0x00 && a->p2 != 0x0c))
    return SW_FILE_NOT_FOUND;
  membuf_init (&mb, sizeof aid, 0);
  put_aid (card, &mb);
  memcpy (aid, membuf_data (&mb), sizeof aid);
  membuf_release (&mb);
  if (a->lc < 6 || a->lc > sizeof aid || memcmp (a->data, aid, a->lc))
    return SW_FILE_NOT_FOUND;
  card->cert_occurrence = 0;
  return card->terminated ? SW_TERMINATED : SW_OK;
}

/* SELECT DATA: 00 A5 occ 04 60 { 5C { 7F 21 } }.  */
static unsigned int
cmd_select_data (vcard_t *card, apdu_t *a)
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

/* GET NEXT DATA: 00 CC 7F 21.  */
static unsigned int
cmd_get_next_data (vcard_t *card, apdu_t *a, membuf_t *out)
{
  if (a->p1 != 0x7f || a->p2 != 0x21)
    return SW_WRONG_P1P2;
  if (card->cert_occurrence >= 2)
    return SW_NOT_FOUND;
  card->cert_occurrence++;
  return put_do (card, 0x7f21, out);
}

/* GET CHALLENGE: 00 84 00 00 Le.  */
static unsigned int
cmd_get_challenge (vcard_t *card, apdu_t *a, membuf_t *out)
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

/* TERMINATE DF: 00 E6 00 00.  */
static unsigned int
cmd_terminate (vcard_t *card, apdu_t *a)
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

/* ACTIVATE FILE: 00 44 00 00.  */
static unsigned int
cmd_activate (vcard_t *card, apdu_t *a)
{
  if (a->p1 || a->p2)
    return SW_WRONG_P1P2;
  if (card->terminated)
    vcard_factory_reset (card);
  return SW_OK;
}

/* Run the command A, writing response data to OUT.  */
static unsigned int
dispatch (vcard_t *card, apdu_t *a, membuf_t *out)
{
  if (card->terminated && a->ins != 0xa4 && a->ins != 0x44)
    return SW_TERMINATED;
  switch (a->ins)
    {
    case 0xa4: return cmd_select (card, a);
    case 0xca: return cmd_get_data (card, a, out);
    case 0xda: return cmd_put_data (card, a);
    case 0xdb: return cmd_put_data_odd (card, a);
    case 0x20: return cmd_verify (card, a);
    case 0x24: return cmd_change_reference_data (card, a);
    case 0x2c: return cmd_reset_retry_counter (card, a);
    case 0x47: return cmd_generate (card, a, out);
    case 0x2a: return cmd_pso (card, a, out);
    case 0x88: return cmd_internal_authenticate (card, a, out);
    case 0x84: return cmd_get_challenge (card, a, out);
    case 0xa5: return cmd_select_data (card, a);
    case 0xcc: return cmd_get_next_data (card, a, out);
    case 0xe6: return cmd_terminate (card, a);
    case 0x44: return cmd_activate (card, a);
    default: return SW_INS_UNSUPPORTED;
    }
}


/*
 * Transport.
 */

/* Parse the header and body of the command APDU BUF/LEN into A (data
 * points into BUF).  Returns SW_OK or the status word to answer.  */
static unsigned int
parse_apdu (vcard_t *card, const unsigned char *buf, size_t len, apdu_t *a)
{
  brd_t r;
  unsigned int b, n16;
  size_t rest;

  memset (a, 0, sizeof *a);
  brd_init (&r, buf, len);
  if (brd_get_u8 (&r, &a->cla) || brd_get_u8 (&r, &a->ins)
      || brd_get_u8 (&r, &a->p1) || brd_get_u8 (&r, &a->p2))
    return SW_WRONG_LENGTH;
  rest = brd_left (&r);
  if (!rest)
    return SW_OK;  /* Case 1.  */
  if (brd_get_u8 (&r, &b))
    return SW_WRONG_LENGTH;
  if (rest == 1)
    {
      a->has_le = 1;
      a->le = b ? b : 256;
      return SW_OK;  /* Case 2 short.  */
    }
  if (b)
    {
      /* Case 3 or 4 short.  */
      a->lc = b;
      if (brd_get_bytes (&r, a->lc, &a->data))
        return SW_WRONG_LENGTH;
      if (brd_left (&r) == 1)
        {
          brd_get_u8 (&r, &b);
          a->has_le = 1;
          a->le = b ? b : 256;
        }
      return brd_end (&r) ? SW_WRONG_LENGTH : SW_OK;
    }

  /* Extended length.  */
  a->extended = 1;
  if (!(card->prof.flags & VCARD_P_EXTLEN))
    return SW_WRONG_LENGTH;
  if (brd_get_u16 (&r, &n16))
    return SW_WRONG_LENGTH;
  if (rest == 3)
    {
      a->has_le = 1;
      a->le = n16 ? n16 : 65536;
      return SW_OK;  /* Case 2 extended.  */
    }
  if (!n16)
    return SW_WRONG_LENGTH;
  a->lc = n16;
  if (brd_get_bytes (&r, a->lc, &a->data))
    return SW_WRONG_LENGTH;
  if (brd_left (&r) == 2)
    {
      brd_get_u16 (&r, &n16);
      a->has_le = 1;
      a->le = n16 ? n16 : 65536;
    }
  return brd_end (&r) ? SW_WRONG_LENGTH : SW_OK;
}

/* Append up to LE bytes of the pending response and the status word
 * (61xx while more is left) to RSP.  */
static void
emit_pending (vcard_t *card, size_t le, membuf_t *rsp)
{
  size_t left = card->pendinglen - card->pendingoff;
  size_t n = left < le ? left : le;

  membuf_put (rsp, card->pending + card->pendingoff, n);
  card->pendingoff += n;
  left -= n;
  if (left)
    membuf_put_u16 (rsp, SW_MORE (left));
  else
    {
      wipe_and_free (card->pending, card->pendinglen);
      card->pending = NULL;
      card->pendinglen = card->pendingoff = 0;
      membuf_put_u16 (rsp, SW_OK);
    }
}

/* Process one command APDU (APDU/APDULEN as received from the reader)
 * and return the response APDU (data and SW1 SW2) in a fresh buffer in
 * secure memory at *R_RSP and *R_RSPLEN (release with wipe_and_free).  The
 * only errors are out of memory; protocol errors are status words.  */
gpg_error_t
vcard_process_apdu (vcard_t *card, const unsigned char *apdu, size_t apdulen,
                    unsigned char **r_rsp, size_t *r_rsplen)
{
  gpg_error_t err;
  apdu_t a;
  membuf_t rsp, out;
  unsigned int sw;
  int chained = 0;

  *r_rsp = NULL;
  *r_rsplen = 0;
  card->busy_ms = 0;
  membuf_init (&rsp, VCARD_MAX_RSP + 2, 1);
  membuf_init (&out, VCARD_MAX_RSP, 1);

  sw = parse_apdu (card, apdu, apdulen, &a);
  if (sw != SW_OK)
    goto done;
  if ((a.cla & ~0x10u))
    {
      sw = (a.cla & 0x0c) ? SW_SM_UNSUPPORTED : SW_CLA_UNSUPPORTED;
      goto done;
    }

  /* GET RESPONSE continues a pending response.  */
  if (a.ins == 0xc0)
    {
      if (a.p1 || a.p2 || a.lc)
        sw = SW_WRONG_P1P2;
      else if (!card->pending)
        sw = SW_CONDITIONS;
      else
        {
          emit_pending (card, a.has_le ? a.le : 256, &rsp);
          goto leave;
        }
      goto done;
    }
  /* Any other command drops an unclaimed response.  */
  wipe_and_free (card->pending, card->pendinglen);
  card->pending = NULL;
  card->pendinglen = card->pendingoff = 0;

  /* Command chaining: collect the data in the secure chain buffer.  */
  if (card->chain_active
      && (card->chain_hdr[0] != a.ins || card->chain_hdr[1] != a.p1
          || card->chain_hdr[2] != a.p2))
    {
      card->chain_active = 0;
      membuf_reset (&card->chain);
      sw = SW_CHAIN_EXPECTED;
      goto done;
    }
  if (!card->chain_active)
    membuf_reset (&card->chain);
  membuf_put (&card->chain, a.data, a.lc);
  if (membuf_error (&card->chain))
    {
      card->chain_active = 0;
      membuf_reset (&card->chain);
      sw = SW_WRONG_LENGTH;
      goto done;
    }
  if ((a.cla & 0x10))
    {
      card->chain_active = 1;
      card->chain_hdr[0] = a.ins;
      card->chain_hdr[1] = a.p1;
      card->chain_hdr[2] = a.p2;
      sw = SW_OK;
      goto done;
    }
  chained = card->chain_active;
  card->chain_active = 0;
  a.data = membuf_data (&card->chain);
  a.lc = membuf_len (&card->chain);
  (void)chained;

  sw = dispatch (card, &a, &out);
  membuf_reset (&card->chain);
  if (sw == SW_OK && membuf_len (&out))
    {
      size_t le = a.has_le ? a.le : (a.extended ? 65536 : 256);

      err = membuf_take (&out, &card->pending, &card->pendinglen);
      if (err)
        {
          sw = SW_MEMORY_FAILURE;
          goto done;
        }
      card->pendingoff = 0;
      emit_pending (card, le, &rsp);
      goto leave;
    }

 done:
  membuf_put_u16 (&rsp, sw);
 leave:
  membuf_release (&out);
  return membuf_take (&rsp, r_rsp, r_rsplen);
}
