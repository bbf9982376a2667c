/* pgp-armor.c - OpenPGP ASCII armor (RFC 4880 6)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Output: 64-character base64 lines and the CRC-24 checksum line.
 * Input: optional leading text, "-----BEGIN PGP <label>-----", armor
 * headers ("Key: value") up to an empty line, base64, optional
 * "=XXXX" checksum (checked when present), "-----END PGP <label>-----".
 * CR LF line ends and trailing white space are accepted.
 */
#include <config.h>
#include "oca-common.h"
#include "pgp-int.h"

#include <pthread.h>
#include <string.h>

static const char b64chars[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const struct
{
  int type;
  const char *label;
} labels[] =
  {
    { PGP_ARMOR_PUBKEY,    "PUBLIC KEY BLOCK" },
    { PGP_ARMOR_SECKEY,    "PRIVATE KEY BLOCK" },
    { PGP_ARMOR_SIGNATURE, "SIGNATURE" },
    { PGP_ARMOR_MESSAGE,   "MESSAGE" }
  };


/* CRC_T[K][I]: the CRC register (in its top 24 bits) of the byte I
 * followed by K zero bytes, for crc24_update; made once.  */
static uint32_t crc24_t[8][256];
static pthread_once_t crc24_once = PTHREAD_ONCE_INIT;

static void
crc24_init (void)
{
  uint32_t c;
  int i, k;

  for (i = 0; i < 256; i++)
    {
      c = (uint32_t)i << 24;
      for (k = 0; k < 8; k++)
        c = (c & 0x80000000u) ? (c << 1) ^ (0x864CFBu << 8) : c << 1;
      crc24_t[0][i] = c;
    }
  for (k = 1; k < 8; k++)
    for (i = 0; i < 256; i++)
      crc24_t[k][i] = (crc24_t[k - 1][i] << 8)
        ^ crc24_t[0][crc24_t[k - 1][i] >> 24];
}


/* CRC-24 over LEN bytes at DATA continued from CRC.  */
static uint32_t
crc24_update (uint32_t crc, const void *data, size_t len)
{
  /* The CRC of each byte value (polynomial 0x864CFB), a byte at a
   * time instead of a bit.  */
  static const uint32_t tab[256] = {
  0x000000, 0x864cfb, 0x8ad50d, 0x0c99f6, 0x93e6e1, 0x15aa1a,
  0x1933ec, 0x9f7f17, 0xa18139, 0x27cdc2, 0x2b5434, 0xad18cf,
  0x3267d8, 0xb42b23, 0xb8b2d5, 0x3efe2e, 0xc54e89, 0x430272,
  0x4f9b84, 0xc9d77f, 0x56a868, 0xd0e493, 0xdc7d65, 0x5a319e,
  0x64cfb0, 0xe2834b, 0xee1abd, 0x685646, 0xf72951, 0x7165aa,
  0x7dfc5c, 0xfbb0a7, 0x0cd1e9, 0x8a9d12, 0x8604e4, 0x00481f,
  0x9f3708, 0x197bf3, 0x15e205, 0x93aefe, 0xad50d0, 0x2b1c2b,
  0x2785dd, 0xa1c926, 0x3eb631, 0xb8faca, 0xb4633c, 0x322fc7,
  0xc99f60, 0x4fd39b, 0x434a6d, 0xc50696, 0x5a7981, 0xdc357a,
  0xd0ac8c, 0x56e077, 0x681e59, 0xee52a2, 0xe2cb54, 0x6487af,
  0xfbf8b8, 0x7db443, 0x712db5, 0xf7614e, 0x19a3d2, 0x9fef29,
  0x9376df, 0x153a24, 0x8a4533, 0x0c09c8, 0x00903e, 0x86dcc5,
  0xb822eb, 0x3e6e10, 0x32f7e6, 0xb4bb1d, 0x2bc40a, 0xad88f1,
  0xa11107, 0x275dfc, 0xdced5b, 0x5aa1a0, 0x563856, 0xd074ad,
  0x4f0bba, 0xc94741, 0xc5deb7, 0x43924c, 0x7d6c62, 0xfb2099,
  0xf7b96f, 0x71f594, 0xee8a83, 0x68c678, 0x645f8e, 0xe21375,
  0x15723b, 0x933ec0, 0x9fa736, 0x19ebcd, 0x8694da, 0x00d821,
  0x0c41d7, 0x8a0d2c, 0xb4f302, 0x32bff9, 0x3e260f, 0xb86af4,
  0x2715e3, 0xa15918, 0xadc0ee, 0x2b8c15, 0xd03cb2, 0x567049,
  0x5ae9bf, 0xdca544, 0x43da53, 0xc596a8, 0xc90f5e, 0x4f43a5,
  0x71bd8b, 0xf7f170, 0xfb6886, 0x7d247d, 0xe25b6a, 0x641791,
  0x688e67, 0xeec29c, 0x3347a4, 0xb50b5f, 0xb992a9, 0x3fde52,
  0xa0a145, 0x26edbe, 0x2a7448, 0xac38b3, 0x92c69d, 0x148a66,
  0x181390, 0x9e5f6b, 0x01207c, 0x876c87, 0x8bf571, 0x0db98a,
  0xf6092d, 0x7045d6, 0x7cdc20, 0xfa90db, 0x65efcc, 0xe3a337,
  0xef3ac1, 0x69763a, 0x578814, 0xd1c4ef, 0xdd5d19, 0x5b11e2,
  0xc46ef5, 0x42220e, 0x4ebbf8, 0xc8f703, 0x3f964d, 0xb9dab6,
  0xb54340, 0x330fbb, 0xac70ac, 0x2a3c57, 0x26a5a1, 0xa0e95a,
  0x9e1774, 0x185b8f, 0x14c279, 0x928e82, 0x0df195, 0x8bbd6e,
  0x872498, 0x016863, 0xfad8c4, 0x7c943f, 0x700dc9, 0xf64132,
  0x693e25, 0xef72de, 0xe3eb28, 0x65a7d3, 0x5b59fd, 0xdd1506,
  0xd18cf0, 0x57c00b, 0xc8bf1c, 0x4ef3e7, 0x426a11, 0xc426ea,
  0x2ae476, 0xaca88d, 0xa0317b, 0x267d80, 0xb90297, 0x3f4e6c,
  0x33d79a, 0xb59b61, 0x8b654f, 0x0d29b4, 0x01b042, 0x87fcb9,
  0x1883ae, 0x9ecf55, 0x9256a3, 0x141a58, 0xefaaff, 0x69e604,
  0x657ff2, 0xe33309, 0x7c4c1e, 0xfa00e5, 0xf69913, 0x70d5e8,
  0x4e2bc6, 0xc8673d, 0xc4fecb, 0x42b230, 0xddcd27, 0x5b81dc,
  0x57182a, 0xd154d1, 0x26359f, 0xa07964, 0xace092, 0x2aac69,
  0xb5d37e, 0x339f85, 0x3f0673, 0xb94a88, 0x87b4a6, 0x01f85d,
  0x0d61ab, 0x8b2d50, 0x145247, 0x921ebc, 0x9e874a, 0x18cbb1,
  0xe37b16, 0x6537ed, 0x69ae1b, 0xefe2e0, 0x709df7, 0xf6d10c,
  0xfa48fa, 0x7c0401, 0x42fa2f, 0xc4b6d4, 0xc82f22, 0x4e63d9,
  0xd11cce, 0x575035, 0x5bc9c3, 0xdd8538
  };
  const unsigned char *p = data;
  uint32_t c, a, b;

  /* Eight bytes at a time (slicing by 8: a byte at a time was most of
   * armoring a certificate), the CRC kept in the top 24 bits of C.  */
  pthread_once (&crc24_once, crc24_init);
  c = crc << 8;
  for (; len >= 8; p += 8, len -= 8)
    {
      a = c ^ ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16
               | (uint32_t)p[2] << 8 | p[3]);
      b = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16
        | (uint32_t)p[6] << 8 | p[7];
      c = crc24_t[7][a >> 24] ^ crc24_t[6][(a >> 16) & 0xff]
        ^ crc24_t[5][(a >> 8) & 0xff] ^ crc24_t[4][a & 0xff]
        ^ crc24_t[3][b >> 24] ^ crc24_t[2][(b >> 16) & 0xff]
        ^ crc24_t[1][(b >> 8) & 0xff] ^ crc24_t[0][b & 0xff];
    }
  crc = c >> 8;
  while (len--)
    crc = (crc << 8) ^ tab[((crc >> 16) ^ *p++) & 0xff];
  return crc & 0xFFFFFFu;
}


/* CRC-24 of RFC 4880 6.1 over LEN bytes at DATA.  */
uint32_t
pgp_crc24 (const void *data, size_t len)
{
  return crc24_update (0xB704CEu, data, len);
}


static void
put_b64 (membuf_t *mb, const unsigned char *p, size_t len, int wrap)
{
  size_t i, col = 0;
  char q[4];

  for (i = 0; i < len; i += 3)
    {
      unsigned int v = (unsigned int)p[i] << 16;
      if (i + 1 < len)
        v |= (unsigned int)p[i + 1] << 8;
      if (i + 2 < len)
        v |= p[i + 2];
      q[0] = b64chars[(v >> 18) & 63];
      q[1] = b64chars[(v >> 12) & 63];
      q[2] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
      q[3] = i + 2 < len ? b64chars[v & 63] : '=';
      membuf_put (mb, q, 4);
      col += 4;
      if (wrap && col >= 64 && i + 3 < len)
        {
          membuf_put_u8 (mb, '\n');
          col = 0;
        }
    }
  wipememory (q, sizeof q);  /* May hold secret key material.  */
}


static const char *
type_label (int type)
{
  size_t i;

  for (i = 0; i < DIM (labels); i++)
    if (labels[i].type == type)
      return labels[i].label;
  return NULL;
}


/* Armor written piece by piece (pgp_armor_open).  */
struct pgp_armor_out
{
  const char *label;
  pgp_write_fn_t write;        /* Where the text goes ...  */
  void *opaque;
  membuf_t mb;                 /* ... or here (pgp_armor).  */
  int secure;
  uint32_t crc;
  unsigned char carry[3];      /* Bytes not yet encoded (< 3).  */
  size_t ncarry;
  size_t col;                  /* Characters on the current line.  */
  size_t total;                /* Bytes armored.  */
  gpg_error_t err;
};


/* Send what is in A->mb to A's writer.  */
static void
out_flush (pgp_armor_out_t *a)
{
  if (!a->write || a->err)
    return;
  if ((a->err = membuf_error (&a->mb)))
    return;
  if (membuf_len (&a->mb))
    a->err = a->write (a->opaque, membuf_data (&a->mb), membuf_len (&a->mb));
  membuf_release (&a->mb);
  membuf_init (&a->mb, PGP_MAX_OUTPUT, a->secure);
}


/* Encode whole groups of 3 of P/LEN to A, 64 characters a line:
 * straight into room reserved for all of them (a call and a check per
 * group cost more than the encoding: armoring was 1 % of a bulk run).  */
static void
out_groups (pgp_armor_out_t *a, const unsigned char *p, size_t len)
{
  size_t groups = len / 3, first, nl, i;
  unsigned char *d;
  unsigned int v;

  if (!groups)
    return;
  /* A line end goes before each group that finds the line full: the
   * first after FIRST groups, then every 16th.  */
  first = a->col >= 64 ? 0 : (64 - a->col) / 4;
  nl = groups > first ? 1 + (groups - first - 1) / 16 : 0;
  d = membuf_reserve (&a->mb, groups * 4 + nl);
  if (!d)
    return;
  for (i = 0; i < groups; i++, p += 3)
    {
      if (a->col >= 64)
        {
          *d++ = '\n';
          a->col = 0;
        }
      v = (unsigned int)p[0] << 16 | (unsigned int)p[1] << 8 | p[2];
      d[0] = b64chars[(v >> 18) & 63];
      d[1] = b64chars[(v >> 12) & 63];
      d[2] = b64chars[(v >> 6) & 63];
      d[3] = b64chars[v & 63];
      d += 4;
      a->col += 4;
    }
  wipememory (&v, sizeof v);  /* May be secret key material.  */
}


/* See pgp.h.  */
gpg_error_t
pgp_armor_open (int type, const char *const *comments, pgp_write_fn_t write,
                void *opaque, pgp_armor_out_t **r_out)
{
  const char *label = type_label (type);
  pgp_armor_out_t *a;

  *r_out = NULL;
  if (!label)
    return gpg_error (GPG_ERR_INV_ARG);
  a = xtrycalloc (1, sizeof *a);
  if (!a)
    return oca_error_from_errno ();
  a->label = label;
  a->write = write;
  a->opaque = opaque;
  a->secure = type == PGP_ARMOR_SECKEY;
  a->crc = 0xB704CEu;
  membuf_init (&a->mb, PGP_MAX_OUTPUT, a->secure);
  membuf_put_str (&a->mb, "-----BEGIN PGP ");
  membuf_put_str (&a->mb, label);
  membuf_put_str (&a->mb, "-----\n");
  for (; comments && *comments; comments++)
    {
      const char *s;

      membuf_put_str (&a->mb, "Comment: ");
      /* No line breaks inside a header.  */
      for (s = *comments; *s; s++)
        membuf_put_u8 (&a->mb, (*s == '\n' || *s == '\r') ? ' ' : *s);
      membuf_put_u8 (&a->mb, '\n');
    }
  membuf_put_u8 (&a->mb, '\n');
  out_flush (a);
  *r_out = a;
  return 0;
}


/* See pgp.h.  */
gpg_error_t
pgp_armor_put (pgp_armor_out_t *a, const void *data, size_t len)
{
  const unsigned char *p = data;
  size_t n;

  if (a->err)
    return a->err;
  if (len > PGP_MAX_INPUT && !a->write)
    return (a->err = gpg_error (GPG_ERR_TOO_LARGE));
  a->crc = crc24_update (a->crc, p, len);
  a->total += len;
  if (a->ncarry)
    {
      n = 3 - a->ncarry < len ? 3 - a->ncarry : len;
      memcpy (a->carry + a->ncarry, p, n);
      a->ncarry += n;
      p += n;
      len -= n;
      if (a->ncarry < 3)
        return 0;
      out_groups (a, a->carry, 3);
      a->ncarry = 0;
    }
  n = len - len % 3;
  out_groups (a, p, n);
  memcpy (a->carry, p + n, len - n);
  a->ncarry = len - n;
  if (a->write && membuf_len (&a->mb) >= 65536)
    out_flush (a);
  return a->err ? a->err : membuf_error (&a->mb);
}


/* Finish A: the last group, the checksum and the END line.  */
static gpg_error_t
out_finish (pgp_armor_out_t *a)
{
  unsigned char crc[3];
  uint32_t c = a->crc & 0xFFFFFFu;

  if (a->err)
    return a->err;
  if (a->ncarry)
    {
      if (a->col >= 64)
        membuf_put_u8 (&a->mb, '\n');
      put_b64 (&a->mb, a->carry, a->ncarry, 0);
      wipememory (a->carry, sizeof a->carry);
    }
  if (a->total)
    membuf_put_u8 (&a->mb, '\n');
  crc[0] = c >> 16;
  crc[1] = c >> 8;
  crc[2] = c;
  membuf_put_u8 (&a->mb, '=');
  put_b64 (&a->mb, crc, 3, 0);
  membuf_put_str (&a->mb, "\n-----END PGP ");
  membuf_put_str (&a->mb, a->label);
  membuf_put_str (&a->mb, "-----\n");
  out_flush (a);
  return a->err ? a->err : membuf_error (&a->mb);
}


/* See pgp.h.  */
gpg_error_t
pgp_armor_close (pgp_armor_out_t *a)
{
  gpg_error_t err;

  if (!a)
    return 0;
  err = out_finish (a);
  membuf_release (&a->mb);
  xfree (a);
  return err;
}


/* See pgp.h.  */
void
pgp_armor_cancel (pgp_armor_out_t *a)
{
  if (!a)
    return;
  membuf_release (&a->mb);
  wipememory (a->carry, sizeof a->carry);
  xfree (a);
}


/* Armor LEN bytes at DATA as TYPE with optional COMMENTS.  */
gpg_error_t
pgp_armor (int type, const void *data, size_t len,
           const char *const *comments, char **r_str, size_t *r_len)
{
  pgp_armor_out_t *a;
  unsigned char *buf;
  size_t buflen;
  gpg_error_t err;

  *r_str = NULL;
  if (r_len)
    *r_len = 0;
  if (len > PGP_MAX_INPUT)
    return gpg_error (GPG_ERR_TOO_LARGE);
  err = pgp_armor_open (type, comments, NULL, NULL, &a);
  if (err)
    return err;
  err = pgp_armor_put (a, data, len);
  if (!err)
    err = out_finish (a);
  if (!err)
    err = membuf_take (&a->mb, &buf, &buflen);
  pgp_armor_cancel (a);
  if (err)
    return err;
  *r_str = (char *)buf;
  if (r_len)
    *r_len = buflen;
  return 0;
}


/* Read one line from R (without the line end and trailing white
 * space).  */
static gpg_error_t
get_line (brd_t *r, const unsigned char **r_line, size_t *r_len)
{
  const unsigned char *nl, *line;
  size_t n;
  gpg_error_t err;

  *r_line = NULL;
  *r_len = 0;
  if (!brd_left (r))
    return gpg_error (GPG_ERR_EOF);
  nl = memchr (brd_ptr (r), '\n', brd_left (r));
  n = nl ? (size_t)(nl - brd_ptr (r)) + 1 : brd_left (r);
  if ((err = brd_get_bytes (r, n, &line)))
    return err;
  while (n && (line[n-1] == '\n' || line[n-1] == '\r' || line[n-1] == ' '
               || line[n-1] == '\t'))
    n--;
  *r_line = line;
  *r_len = n;
  return 0;
}


/* The value of each base64 digit + 1; 0: not a digit.  */
static const unsigned char b64dec[256] =
  {
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 63,  0,  0,  0, 64,
    53, 54, 55, 56, 57, 58, 59, 60, 61, 62,  0,  0,  0,  0,  0,  0,
     0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,  0,  0,  0,  0,  0,
     0, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
    42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0
  };

static int
b64val (int c)
{
  return (int)b64dec[c & 0xff] - 1;
}


/* See pgp-int.h.  */
void
_pgp_armor_dec_init (pgp_armor_dec_t *d)
{
  memset (d, 0, sizeof *d);
}


/* See pgp-int.h.  */
gpg_error_t
_pgp_armor_dec_line (pgp_armor_dec_t *d, const unsigned char *line, size_t n,
                     membuf_t *out)
{
  gpg_error_t err;
  size_t i, start;

  switch (d->state)
    {
    case 0:  /* Looking for the BEGIN line.  */
      if (!(n > 20 && !memcmp (line, "-----BEGIN PGP ", 15)
            && !memcmp (line + n - 5, "-----", 5)))
        return 0;
      for (i = 0; i < DIM (labels); i++)
        if (strlen (labels[i].label) == n - 20
            && !memcmp (line + 15, labels[i].label, n - 20))
          {
            d->type = labels[i].type;
            d->label = labels[i].label;
            d->labellen = n - 20;
          }
      if (!d->type)
        return gpg_error (GPG_ERR_INV_ARMOR);
      d->state = 1;
      return 0;

    case 1:  /* Header lines up to an empty line.  */
      if (!n)
        {
          d->crc = 0xB704CEu;
          d->state = 2;
          return 0;
        }
      if (!memchr (line, ':', n))
        return gpg_error (GPG_ERR_INV_ARMOR);
      return 0;

    case 2:  /* Data.  */
    case 3:  /* After the checksum.  */
      if (n >= 9 && !memcmp (line, "-----END ", 9))
        {
          if (n != d->labellen + 18 || memcmp (line + 9, "PGP ", 4)
              || memcmp (line + 13, d->label, d->labellen)
              || memcmp (line + 13 + d->labellen, "-----", 5))
            return gpg_error (GPG_ERR_INV_ARMOR);
          if (d->nacc || d->padseen != d->npad)
            return gpg_error (GPG_ERR_INV_ARMOR);
          if ((err = membuf_error (out)))
            return err;
          if (d->have_crc && (d->crc & 0xFFFFFFu) != d->want_crc)
            return gpg_error (GPG_ERR_CHECKSUM);
          d->state = 4;
          return gpg_error (GPG_ERR_EOF);
        }
      if (d->state == 3)
        return gpg_error (GPG_ERR_INV_ARMOR);
      if (n == 5 && line[0] == '=' && !d->nacc)
        {
          unsigned int v = 0;

          for (i = 1; i < 5; i++)
            {
              int c = b64val (line[i]);
              if (c < 0)
                return gpg_error (GPG_ERR_INV_ARMOR);
              v = (v << 6) | c;
            }
          d->want_crc = v;
          d->have_crc = 1;
          d->state = 3;
          return 0;
        }
      start = membuf_len (out);
      i = 0;
      if (!d->nacc && !d->npad)
        {
          /* The usual line: whole groups of four digits, decoded four
           * at a time straight into OUT (a byte at a time through the
           * state below was most of reading a stored certificate).
           * The rest of the line, from any '=' or stray character on,
           * goes the careful way.  */
          size_t q = 0, k;
          unsigned char *o;
          unsigned int v;

          while (q + 4 <= n && b64dec[line[q]] && b64dec[line[q + 1]]
                 && b64dec[line[q + 2]] && b64dec[line[q + 3]])
            q += 4;
          if (q && (o = membuf_reserve (out, q / 4 * 3)))
            {
              for (k = 0; k < q; k += 4, o += 3)
                {
                  v = (unsigned int)(b64dec[line[k]] - 1) << 18
                    | (unsigned int)(b64dec[line[k + 1]] - 1) << 12
                    | (unsigned int)(b64dec[line[k + 2]] - 1) << 6
                    | (unsigned int)(b64dec[line[k + 3]] - 1);
                  o[0] = v >> 16;
                  o[1] = v >> 8;
                  o[2] = v;
                }
              i = q;
              wipememory (&v, sizeof v);  /* May be a secret key.  */
            }
        }
      {
        /* Decoded bytes gather here; OUT gets them a block at a time.  */
        unsigned char ob[192];
        size_t no = 0;

#define PUT_OB(b) do { ob[no++] = (b);                                  \
                       if (no == sizeof ob)                             \
                         { membuf_put (out, ob, no); no = 0; } } while (0)
        for (; i < n; i++)
          {
            int c;

            if (line[i] == '=')
              {
                /* Padding ends the data: flush the partial group.  */
                if (!d->npad)
                  {
                    if (d->nacc == 2)
                      PUT_OB ((d->acc >> 4) & 0xff);
                    else if (d->nacc == 3)
                      {
                        PUT_OB ((d->acc >> 10) & 0xff);
                        PUT_OB ((d->acc >> 2) & 0xff);
                      }
                    else
                      return gpg_error (GPG_ERR_INV_ARMOR);
                    d->npad = 4 - d->nacc;
                    d->nacc = d->acc = 0;
                  }
                if (++d->padseen > d->npad)
                  return gpg_error (GPG_ERR_INV_ARMOR);
                continue;
              }
            if (d->npad)
              return gpg_error (GPG_ERR_INV_ARMOR);
            c = b64val (line[i]);
            if (c < 0)
              return gpg_error (GPG_ERR_INV_ARMOR);
            d->acc = (d->acc << 6) | c;
            d->nacc++;
            if (d->nacc == 4)
              {
                PUT_OB ((d->acc >> 16) & 0xff);
                PUT_OB ((d->acc >> 8) & 0xff);
                PUT_OB (d->acc & 0xff);
                d->acc = d->nacc = 0;
              }
          }
#undef PUT_OB
        membuf_put (out, ob, no);
        wipememory (ob, sizeof ob);  /* May be a secret key.  */
      }
      if ((err = membuf_error (out)))
        return err;
      if (membuf_len (out) > start)
        d->crc = crc24_update (d->crc, membuf_data (out) + start,
                               membuf_len (out) - start);
      return 0;

    default:
      return gpg_error (GPG_ERR_INV_ARMOR);
    }
}


/* Decode one armor block starting at R (positioned anywhere before
 * the BEGIN line).  Appends the binary to OUT.  */
static gpg_error_t
dearmor_one (brd_t *r, int *r_type, membuf_t *out)
{
  gpg_error_t err;
  const unsigned char *line;
  size_t n;
  pgp_armor_dec_t d;

  *r_type = 0;
  _pgp_armor_dec_init (&d);
  for (;;)
    {
      if ((err = get_line (r, &line, &n)))
        return gpg_err_code (err) != GPG_ERR_EOF ? err
          : d.state ? gpg_error (GPG_ERR_INV_ARMOR)
          : gpg_error (GPG_ERR_NO_DATA);
      err = _pgp_armor_dec_line (&d, line, n, out);
      if (gpg_err_code (err) == GPG_ERR_EOF)
        break;
      if (err)
        return err;
    }
  *r_type = d.type;
  return 0;
}


/* Whether BUF/LEN looks like armor rather than binary OpenPGP.  */
static int
is_armored (const unsigned char *p, size_t len)
{
  /* Binary OpenPGP always starts with a CTB (bit 7 set).  */
  return len && !(p[0] & 0x80);
}


/* Whether the input probably holds secret keys.  */
static int
looks_secret (const unsigned char *p, size_t len)
{
  static const char pat[] = "PRIVATE KEY BLOCK";

  if (!len)
    return 0;
  if (!is_armored (p, len))
    return (p[0] & 0x40) ? (p[0] & 0x3f) == PGP_PKT_SECRET_KEY
                         : ((p[0] >> 2) & 15) == PGP_PKT_SECRET_KEY;
  return !!memmem (p, len, pat, sizeof pat - 1);
}


static gpg_error_t
dearmor (const void *buf, size_t len, int all, int *r_type,
         unsigned char **r_data, size_t *r_len)
{
  gpg_error_t err;
  membuf_t mb;
  brd_t r;
  int type, first = 0, count = 0;

  *r_type = 0;
  *r_data = NULL;
  *r_len = 0;
  if (len > PGP_MAX_INPUT)
    return gpg_error (GPG_ERR_TOO_LARGE);
  /* Secure memory only for secret keys: it is a small pool.  */
  membuf_init (&mb, PGP_MAX_INPUT, looks_secret (buf, len));
  if (!is_armored (buf, len))
    {
      membuf_put (&mb, buf, len);
      *r_type = PGP_ARMOR_NONE;
      return membuf_take (&mb, r_data, r_len);
    }
  brd_init (&r, buf, len);
  for (;;)
    {
      err = dearmor_one (&r, &type, &mb);
      if (gpg_err_code (err) == GPG_ERR_NO_DATA && count)
        break;
      if (err)
        {
          if (gpg_err_code (err) == GPG_ERR_NO_DATA)
            err = gpg_error (GPG_ERR_INV_ARMOR);
          membuf_release (&mb);
          return err;
        }
      if (!count++)
        first = type;
      if (!all)
        break;
    }
  err = membuf_take (&mb, r_data, r_len);
  if (!err)
    *r_type = first;
  return err;
}


/* Decode the first armor block of BUF/LEN (or copy binary input).
 * The result is in secure memory (it may be a secret key).  */
gpg_error_t
pgp_dearmor (const void *buf, size_t len, int *r_type,
             unsigned char **r_data, size_t *r_len)
{
  return dearmor (buf, len, 0, r_type, r_data, r_len);
}


/* Decode and concatenate all armor blocks of BUF/LEN.  */
gpg_error_t
pgp_dearmor_all (const void *buf, size_t len, int *r_type,
                 unsigned char **r_data, size_t *r_len)
{
  return dearmor (buf, len, 1, r_type, r_data, r_len);
}
