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


/* CRC-24 over LEN bytes at DATA continued from CRC.  */
static uint32_t
crc24_update (uint32_t crc, const void *data, size_t len)
{
  const unsigned char *p = data;
  int i;

  while (len--)
    {
      crc ^= (uint32_t)(*p++) << 16;
      for (i = 0; i < 8; i++)
        {
          crc <<= 1;
          if (crc & 0x1000000)
            crc ^= 0x1864CFBu;
        }
    }
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


/* Encode whole groups of 3 of P/LEN to A, 64 characters a line.  */
static void
out_groups (pgp_armor_out_t *a, const unsigned char *p, size_t len)
{
  size_t i;

  for (i = 0; i + 3 <= len; i += 3)
    {
      if (a->col >= 64)
        {
          membuf_put_u8 (&a->mb, '\n');
          a->col = 0;
        }
      put_b64 (&a->mb, p + i, 3, 0);
      a->col += 4;
    }
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


static int
b64val (int c)
{
  /* The value of each base64 digit + 1 (0: not one), made once.  */
  static unsigned char table[256];
  static int ready;
  int i;

  if (!ready)
    {
      for (i = 0; b64chars[i]; i++)
        table[(unsigned char)b64chars[i]] = i + 1;
      ready = 1;  /* Same bytes whichever thread writes them.  */
    }
  return (int)table[c & 0xff] - 1;
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
      {
        /* Decoded bytes gather here; OUT gets them a block at a time.  */
        unsigned char ob[192];
        size_t no = 0;

#define PUT_OB(b) do { ob[no++] = (b);                                  \
                       if (no == sizeof ob)                             \
                         { membuf_put (out, ob, no); no = 0; } } while (0)
        for (i = 0; i < n; i++)
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
