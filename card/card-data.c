/* card-data.c - what the OpenPGP card's data objects mean
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See card-data.h.  Pure functions and tables (no card I/O):
 *
 *  - status words and command APDUs;
 *  - DigestInfo prefixes;
 *  - key attributes (DO C1..C3), algorithm information (DO FA) and the
 *    curve table.
 *
 * Key material in the card's formats is in card-keys.c.
 */
#include <config.h>
#include "card-data.h"
#include "brd.h"
#include "membuf.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>


/*
 * Status words and command APDUs.
 */

gpg_error_t
card_map_sw (int sw)
{
  gpg_err_code_t ec;

  switch (sw)
    {
    case SW_SUCCESS:          return 0;
    case SW_TERM_STATE:       ec = GPG_ERR_OBJ_TERM_STATE; break;
    case SW_EEPROM_FAILURE:   ec = GPG_ERR_HARDWARE; break;
    case SW_ACK_TIMEOUT:      ec = GPG_ERR_TIMEOUT; break;
    case SW_WRONG_LENGTH:     ec = GPG_ERR_INV_VALUE; break;
    case SW_SM_NOT_SUP:       ec = GPG_ERR_NOT_SUPPORTED; break;
    case SW_CC_NOT_SUP:       ec = GPG_ERR_NOT_SUPPORTED; break;
    case 0x6883:              ec = GPG_ERR_CARD; break;
    case SW_CHV_WRONG:        ec = GPG_ERR_BAD_PIN; break;
    case SW_CHV_BLOCKED:      ec = GPG_ERR_PIN_BLOCKED; break;
    case SW_USE_CONDITIONS:   ec = GPG_ERR_USE_CONDITIONS; break;
    case SW_BAD_PARAMETER:    ec = GPG_ERR_INV_VALUE; break;
    case SW_FILE_NOT_FOUND:   ec = GPG_ERR_ENOENT; break;
    case SW_REF_NOT_FOUND:    ec = GPG_ERR_NO_OBJ; break;
    case SW_BAD_P0_P1:        ec = GPG_ERR_INV_VALUE; break;
    case SW_INS_NOT_SUP:      ec = GPG_ERR_CARD; break;
    case SW_CLA_NOT_SUP:      ec = GPG_ERR_CARD; break;

    case SW_HOST_OUT_OF_CORE:         ec = GPG_ERR_ENOMEM; break;
    case SW_HOST_INV_VALUE:           ec = GPG_ERR_INV_VALUE; break;
    case SW_HOST_INCOMPLETE_RESPONSE: ec = GPG_ERR_INV_RESPONSE; break;
    case SW_HOST_NOT_SUPPORTED:       ec = GPG_ERR_NOT_SUPPORTED; break;
    case SW_HOST_LOCKING_FAILED:      ec = GPG_ERR_BUG; break;
    case SW_HOST_BUSY:                ec = GPG_ERR_EBUSY; break;
    case SW_HOST_NO_CARD:             ec = GPG_ERR_CARD_NOT_PRESENT; break;
    case SW_HOST_CARD_INACTIVE:       ec = GPG_ERR_CARD_RESET; break;
    case SW_HOST_CARD_IO_ERROR:       ec = GPG_ERR_EIO; break;
    case SW_HOST_GENERAL_ERROR:       ec = GPG_ERR_GENERAL; break;
    case SW_HOST_NO_READER:           ec = GPG_ERR_ENODEV; break;
    case SW_HOST_CARD_RESET:          ec = GPG_ERR_CARD_RESET; break;
    case SW_HOST_CARD_REMOVED:        ec = GPG_ERR_CARD_REMOVED; break;
    case SW_HOST_SCRIPT_MISMATCH:     ec = GPG_ERR_BUG; break;

    default:
      if ((sw & 0x010000))
        ec = GPG_ERR_GENERAL;  /* Unknown host error.  */
      else if ((sw & 0xfff0) == 0x63C0)
        ec = GPG_ERR_BAD_PIN;
      else if ((sw & 0xff00) == 0x6300)
        ec = GPG_ERR_BAD_PIN;
      else if ((sw & 0xff00) == 0x6C00)
        ec = GPG_ERR_INV_VALUE;
      else
        ec = GPG_ERR_CARD;
      break;
    }
  return gpg_error (ec);
}

size_t
card_build_apdu (unsigned char *buf, int cla, int ins, int p1, int p2,
                 size_t lc, const unsigned char *data, int le, int ext)
{
  size_t n = 0;

  buf[n++] = cla;
  buf[n++] = ins;
  buf[n++] = p1;
  buf[n++] = p2;
  if (lc)
    {
      if (ext)
        {
          buf[n++] = 0;
          buf[n++] = lc >> 8;
          buf[n++] = lc;
        }
      else
        buf[n++] = lc;
      memcpy (buf + n, data, lc);
      n += lc;
    }
  if (le >= 0)
    {
      if (ext)
        {
          unsigned int v = le >= 65536 ? 0 : (unsigned int)le;
          if (!lc)
            buf[n++] = 0;
          buf[n++] = v >> 8;
          buf[n++] = v;
        }
      else
        buf[n++] = le >= 256 ? 0 : le;
    }
  return n;
}


/*
 * BER-TLV writing.
 */

size_t
card_ber_len_size (size_t len)
{
  return len < 0x80 ? 1 : len < 0x100 ? 2 : 3;
}

void
card_put_ber_len (membuf_t *mb, size_t len)
{
  if (len < 0x80)
    membuf_put_u8 (mb, len);
  else if (len < 0x100)
    {
      membuf_put_u8 (mb, 0x81);
      membuf_put_u8 (mb, len);
    }
  else
    {
      membuf_put_u8 (mb, 0x82);
      membuf_put_u16 (mb, len);
    }
}

void
card_put_tl (membuf_t *mb, unsigned int tag, size_t len)
{
  if (tag > 0xffff)
    membuf_put_u8 (mb, tag >> 16);
  if (tag > 0xff)
    membuf_put_u8 (mb, (tag >> 8) & 0xff);
  membuf_put_u8 (mb, tag & 0xff);
  card_put_ber_len (mb, len);
}


/*
 * DigestInfo (RFC 8017 9.2, note 1): what RSA signs on a card.
 */

/* Hash algorithms (libgcrypt ids).  */
static const struct
{
  const char *name;
  int algo;
  size_t len;
  unsigned char prefix[19];
  size_t prefixlen;
} hashes[] =
  {
    { "sha1",   GCRY_MD_SHA1,   20,
      { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A,
        0x05, 0x00, 0x04, 0x14 }, 15 },
    { "rmd160", GCRY_MD_RMD160, 20,
      { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x24, 0x03, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x14 }, 15 },
    { "sha224", GCRY_MD_SHA224, 28,
      { 0x30, 0x2D, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1C }, 19 },
    { "sha256", GCRY_MD_SHA256, 32,
      { 0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 }, 19 },
    { "sha384", GCRY_MD_SHA384, 48,
      { 0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 }, 19 },
    { "sha512", GCRY_MD_SHA512, 64,
      { 0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 }, 19 },
    { "md5",    GCRY_MD_MD5,    16,
      { 0x30, 0x20, 0x30, 0x0C, 0x06, 0x08, 0x2A, 0x86, 0x48, 0x86, 0xF7,
        0x0D, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10 }, 18 },
  };

int
card_hash_from_name (const char *name)
{
  size_t i;

  for (i = 0; i < DIM (hashes); i++)
    if (!strcasecmp (hashes[i].name, name))
      return hashes[i].algo;
  return 0;
}

size_t
card_hash_len (int algo)
{
  size_t i;

  for (i = 0; i < DIM (hashes); i++)
    if (hashes[i].algo == algo)
      return hashes[i].len;
  return 0;
}

const unsigned char *
card_digestinfo_prefix (int algo, size_t *r_len)
{
  size_t i;

  *r_len = 0;
  for (i = 0; i < DIM (hashes); i++)
    if (hashes[i].algo == algo)
      {
        *r_len = hashes[i].prefixlen;
        return hashes[i].prefix;
      }
  return NULL;
}

gpg_error_t
card_strip_digestinfo (const unsigned char *data, size_t len, int hashalgo,
                       int *r_algo, const unsigned char **r_digest,
                       size_t *r_digestlen)
{
  size_t i;

  *r_algo = 0;
  *r_digest = NULL;
  *r_digestlen = 0;
  for (i = 0; i < DIM (hashes); i++)
    if (len == hashes[i].prefixlen + hashes[i].len
        && !memcmp (data, hashes[i].prefix, hashes[i].prefixlen))
      {
        if (hashalgo && hashalgo != hashes[i].algo)
          return gpg_error (GPG_ERR_DIGEST_ALGO);
        *r_algo = hashes[i].algo;
        *r_digest = data + hashes[i].prefixlen;
        *r_digestlen = hashes[i].len;
        return 0;
      }
  /* A bare digest.  */
  for (i = 0; i < DIM (hashes); i++)
    if ((hashalgo ? hashalgo == hashes[i].algo : 1) && len == hashes[i].len)
      {
        *r_algo = hashes[i].algo;
        *r_digest = data;
        *r_digestlen = len;
        return 0;
      }
  return gpg_error (GPG_ERR_INV_VALUE);
}


/*
 * Key attributes and the curve table.
 */

/* The curves, the OpenPGP OID of a curve first: a second row of the
 * same name is the RFC 8410 OID some cards use.  */
#define OID(...) (const unsigned char[]){ __VA_ARGS__ }, \
    sizeof ((const unsigned char[]){ __VA_ARGS__ })
static const card_curve_t curves[] =
  {
    { "Ed25519", "ed25519",
      OID (0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01),
      255, 1, 0 },
    { "Ed25519", "ed25519",
      OID (0x2B, 0x65, 0x70),
      255, 1, 0 },
    { "Curve25519", "cv25519",
      OID (0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01),
      255, 0, 1 },
    { "Curve25519", "cv25519",
      OID (0x2B, 0x65, 0x6E),
      255, 0, 1 },
    { "NIST P-256", "nistp256",
      OID (0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07),
      256, 0, 0 },
    { "NIST P-384", "nistp384",
      OID (0x2B, 0x81, 0x04, 0x00, 0x22),
      384, 0, 0 },
    { "NIST P-521", "nistp521",
      OID (0x2B, 0x81, 0x04, 0x00, 0x23),
      521, 0, 0 },
    { "secp256k1", "secp256k1",
      OID (0x2B, 0x81, 0x04, 0x00, 0x0A),
      256, 0, 0 },
    { "brainpoolP256r1", "brainpoolP256r1",
      OID (0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07),
      256, 0, 0 },
    { "brainpoolP384r1", "brainpoolP384r1",
      OID (0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B),
      384, 0, 0 },
    { "brainpoolP512r1", "brainpoolP512r1",
      OID (0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D),
      512, 0, 0 },
    { "Ed448", "ed448",
      OID (0x2B, 0x65, 0x71),
      448, 1, 0 },
    { "X448", "cv448",
      OID (0x2B, 0x65, 0x6F),
      448, 0, 1 },
    { NULL, NULL, NULL, 0, 0, 0, 0 }
  };
#undef OID

/* Aliases accepted on input (gnupg's curve names).  */
static const struct { const char *alias; const char *name; } curve_aliases[] =
  {
    { "cv25519", "Curve25519" },
    { "x25519", "Curve25519" },
    { "ed25519", "Ed25519" },
    { "nistp256", "NIST P-256" },
    { "prime256v1", "NIST P-256" },
    { "secp256r1", "NIST P-256" },
    { "nistp384", "NIST P-384" },
    { "secp384r1", "NIST P-384" },
    { "nistp521", "NIST P-521" },
    { "secp521r1", "NIST P-521" },
    { "ed448", "Ed448" },
    { "cv448", "X448" },
    { "x448", "X448" },
    { NULL, NULL }
  };

static void
set_ecc_attr (const card_curve_t *ci, int algo, card_keyattr_t *attr)
{
  attr->algo = algo;
  attr->curve = ci->name;
  attr->nbits = ci->nbits;
  attr->eddsa = ci->eddsa;
  attr->djb = ci->djb;
  attr->oidlen = ci->oidlen;
  memcpy (attr->oid, ci->oid, ci->oidlen);
  snprintf (attr->algostr, sizeof attr->algostr, "%s", ci->algostr);
}


const card_curve_t *
card_curve_by_oid (const unsigned char *oid, size_t oidlen)
{
  size_t i;

  for (i = 0; curves[i].name; i++)
    if (curves[i].oidlen == oidlen && !memcmp (curves[i].oid, oid, oidlen))
      return curves + i;
  return NULL;
}


const card_curve_t *
card_curve_by_name (const char *name)
{
  size_t i;
  const char *canon = name;

  for (i = 0; curve_aliases[i].alias; i++)
    if (!strcasecmp (curve_aliases[i].alias, name))
      {
        canon = curve_aliases[i].name;
        break;
      }
  for (i = 0; curves[i].name; i++)
    if (!strcasecmp (curves[i].name, canon))
      return curves + i;
  return NULL;
}

gpg_error_t
card_parse_keyattr (const unsigned char *buf, size_t len, int keyno,
                    card_keyattr_t *attr)
{
  gpg_error_t err;
  brd_t r;
  unsigned int algo, v;
  const unsigned char *oid;
  size_t oidlen;
  const card_curve_t *curve;

  memset (attr, 0, sizeof *attr);
  if (len > sizeof attr->raw)
    return gpg_error (GPG_ERR_INV_OBJ);
  memcpy (attr->raw, buf, len);
  attr->rawlen = len;
  brd_init (&r, buf, len);
  if ((err = brd_get_u8 (&r, &algo)))
    goto fail;
  if (algo == CARD_ALGO_RSA)
    {
      if ((err = brd_get_u16 (&r, &attr->nbits))
          || (err = brd_get_u16 (&r, &attr->ebits)))
        goto fail;
      if (brd_left (&r))
        {
          if ((err = brd_get_u8 (&r, &v)))
            goto fail;
          attr->rsa_format = v;
        }
      if (brd_left (&r) || attr->rsa_format > 3 || attr->nbits < 512
          || attr->nbits > 16384)
        {
          err = gpg_error (GPG_ERR_INV_OBJ);
          goto fail;
        }
      attr->algo = CARD_ALGO_RSA;
      snprintf (attr->algostr, sizeof attr->algostr, "rsa%u", attr->nbits);
      return 0;
    }
  if (algo == CARD_ALGO_ECDH || algo == CARD_ALGO_ECDSA
      || algo == CARD_ALGO_EDDSA)
    {
      int with_pubkey = 0;

      brd_rest (&r, &oid, &oidlen);
      if (oidlen && (oid[oidlen - 1] == 0xff || oid[oidlen - 1] == 0x00))
        {
          with_pubkey = oid[oidlen - 1] == 0xff;
          oidlen--;
        }
      if (!oidlen || oidlen > sizeof attr->oid)
        {
          err = gpg_error (GPG_ERR_INV_OBJ);
          goto fail;
        }
      curve = card_curve_by_oid (oid, oidlen);
      if (curve)
        {
          set_ecc_attr (curve, algo, attr);
          attr->with_pubkey = with_pubkey;
          return 0;
        }
      err = gpg_error (GPG_ERR_UNKNOWN_CURVE);
      goto fail;
    }
  (void)keyno;
  err = gpg_error (GPG_ERR_PUBKEY_ALGO);

 fail:
  memset (attr, 0, sizeof *attr);
  return err;
}


/* Does the attribute A describe the same kind of key as WANT (RSA of
 * the same size, or the same algorithm and curve)?  */
static int
keyattr_matches (const card_keyattr_t *a, const card_keyattr_t *want)
{
  if (a->algo != want->algo)
    return 0;
  if (a->algo == CARD_ALGO_RSA)
    return a->nbits == want->nbits;
  return a->oidlen == want->oidlen && !memcmp (a->oid, want->oid, a->oidlen);
}

/* Does the import format of A equal that of B?  */
static int
same_format (const card_keyattr_t *a, const card_keyattr_t *b)
{
  if (a->algo == CARD_ALGO_RSA)
    return b->algo == CARD_ALGO_RSA && a->rsa_format == b->rsa_format
      && a->ebits == b->ebits;
  return b->algo && b->algo != CARD_ALGO_RSA
    && a->with_pubkey == b->with_pubkey;
}

gpg_error_t
card_keyattr_encode (int keyno, const card_keyattr_t *want,
                     const card_keyattr_t *current,
                     const card_algoinfo_t *info, size_t ninfo,
                     unsigned char *buf, size_t bufsize, size_t *r_len)
{
  const card_keyattr_t *slot, *base = NULL, *pick = NULL;
  size_t i, n = 0;
  int k;

  *r_len = 0;
  if (keyno < 1 || keyno > 3 || bufsize < 16 || !want->algo
      || (want->algo != CARD_ALGO_RSA && (!want->oidlen
                                         || want->oidlen > 12)))
    return gpg_error (GPG_ERR_INV_VALUE);
  slot = &current[keyno - 1];

  if (ninfo)
    {
      /* The card lists what it takes: use its own encoding.  */
      for (i = 0; i < ninfo; i++)
        if (info[i].keyno == keyno && keyattr_matches (&info[i].attr, want)
            && info[i].attr.rawlen)
          {
            if (!pick || (!same_format (pick, slot)
                          && same_format (&info[i].attr, slot)))
              pick = &info[i].attr;
          }
      if (!pick)
        return gpg_error (GPG_ERR_UNSUPPORTED_ALGORITHM);
      memcpy (buf, pick->raw, pick->rawlen);
      *r_len = pick->rawlen;
      return 0;
    }

  /* No algorithm information: keep the format the card uses.  */
  if (slot->algo && (slot->algo == CARD_ALGO_RSA)
      == (want->algo == CARD_ALGO_RSA))
    base = slot;
  for (k = 0; !base && k < 3; k++)
    if (current[k].algo && (current[k].algo == CARD_ALGO_RSA)
        == (want->algo == CARD_ALGO_RSA))
      base = &current[k];
  buf[n++] = want->algo;
  if (want->algo == CARD_ALGO_RSA)
    {
      buf[n++] = want->nbits >> 8;
      buf[n++] = want->nbits;
      if (base)
        {
          buf[n++] = base->ebits >> 8;
          buf[n++] = base->ebits;
          if (base->rawlen != 5)  /* Old 5-byte form: no format byte.  */
            buf[n++] = base->rsa_format;
        }
      else
        {
          buf[n++] = 0x00;
          buf[n++] = 0x20;
          buf[n++] = 0x00;
        }
    }
  else
    {
      memcpy (buf + n, want->oid, want->oidlen);
      n += want->oidlen;
      if (base && base->with_pubkey)
        buf[n++] = 0xff;
    }
  *r_len = n;
  return 0;
}

gpg_error_t
card_keyattr_from_curve (const char *name, int keyno, card_keyattr_t *attr)
{
  const card_curve_t *curve = card_curve_by_name (name);
  int algo;

  memset (attr, 0, sizeof *attr);
  if (!curve)
    return gpg_error (GPG_ERR_UNKNOWN_CURVE);
  if (keyno == 2)
    algo = CARD_ALGO_ECDH;
  else if (curve->eddsa)
    algo = CARD_ALGO_EDDSA;
  else if (curve->djb)
    return gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO);
  else
    algo = CARD_ALGO_ECDSA;
  if (keyno == 2 && curve->eddsa)
    return gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO);
  set_ecc_attr (curve, algo, attr);
  return 0;
}

gpg_error_t
card_keyattr_from_algostr (const char *name, int keyno, card_keyattr_t *attr)
{
  unsigned long nbits;
  char *end;

  memset (attr, 0, sizeof *attr);
  if (!strncmp (name, "rsa", 3) && name[3] >= '1' && name[3] <= '9')
    {
      nbits = strtoul (name + 3, &end, 10);
      if (*end || nbits < 512 || nbits > 16384)
        return gpg_error (GPG_ERR_INV_VALUE);
      attr->algo = CARD_ALGO_RSA;
      attr->nbits = nbits;
      snprintf (attr->algostr, sizeof attr->algostr, "rsa%lu", nbits);
      return 0;
    }
  return card_keyattr_from_curve (name, keyno, attr);
}

void
card_strip_outer_tag (int tag, const unsigned char **buf, size_t *len)
{
  brd_t r;
  unsigned int t;
  int constructed;
  brd_t v;

  brd_init (&r, *buf, *len);
  if (brd_get_tlv (&r, &t, &constructed, &v))
    return;
  if ((int)t != tag || brd_left (&r))
    return;
  *buf = brd_ptr (&v);
  *len = brd_left (&v);
}

/* Cap on the number of DO FA entries we accept.  */
#define MAX_ALGOINFO 512

gpg_error_t
card_parse_algoinfo (const unsigned char *buf, size_t len,
                     card_algoinfo_t **r_list, size_t *r_count)
{
  gpg_error_t err;
  card_algoinfo_t *list = NULL;
  size_t count = 0, n = 0;
  brd_t r, v;
  unsigned int tag;
  int pass;

  *r_list = NULL;
  *r_count = 0;
  card_strip_outer_tag (0xFA, &buf, &len);

  /* Pass 0 checks the TLV structure and counts the C1..C3 entries,
   * pass 1 parses them.  */
  for (pass = 0; pass < 2; pass++)
    {
      brd_init (&r, buf, len);
      while (brd_left (&r))
        {
          err = brd_get_tlv (&r, &tag, NULL, &v);
          if (err)
            goto leave;
          if (tag < 0xC1 || tag > 0xC3)
            continue;  /* DA (or anything else): not a key attribute.  */
          if (!pass)
            {
              if (++count > MAX_ALGOINFO)
                {
                  err = gpg_error (GPG_ERR_TOO_LARGE);
                  goto leave;
                }
              continue;
            }
          list[n].keyno = tag - 0xC0;
          err = card_parse_keyattr (brd_ptr (&v), brd_left (&v),
                                    list[n].keyno, &list[n].attr);
          if (!err)
            n++;
          else if (gpg_err_code (err) == GPG_ERR_UNKNOWN_CURVE
                   || gpg_err_code (err) == GPG_ERR_PUBKEY_ALGO)
            err = 0;  /* Something we do not know: skip it.  */
          else
            goto leave;
        }
      if (!pass && count)
        {
          list = xtrycalloc (count, sizeof *list);
          if (!list)
            {
              err = oca_error_from_errno ();
              goto leave;
            }
        }
      else if (!pass)
        break;
    }

  *r_list = list;
  *r_count = n;
  list = NULL;
  err = 0;

 leave:
  xfree (list);
  return err;
}
