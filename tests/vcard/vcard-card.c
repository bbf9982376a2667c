/* vcard-card.c - the virtual card object and its life cycle
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A card in factory state behaving like a profile, its volatile state
 * (after a reset), the factory reset (TERMINATE + ACTIVATE), the PINs
 * and keys it holds, its ATR and AID.
 */
#include <config.h>
#include "vcard-int.h"
#include "brd.h"

#include <string.h>
#include <time.h>

static const unsigned char default_pw1[] = "123456";
static const unsigned char default_pw3[] = "12345678";

static const unsigned char openpgp_rid_pix[6] =
  { 0xd2, 0x76, 0x00, 0x01, 0x24, 0x01 };


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

int
vcard_pin_equal (const unsigned char *a, size_t alen,
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
  card->other_app = 0;
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

void
vcard_put_aid (vcard_t *card, membuf_t *mb)
{
  membuf_put (mb, openpgp_rid_pix, 6);
  membuf_put (mb, card->prof.version, 2);
  membuf_put (mb, card->manufacturer, 2);
  membuf_put (mb, card->serial, 4);
  membuf_put_u16 (mb, 0);
}
