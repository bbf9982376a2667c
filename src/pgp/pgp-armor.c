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


/* CRC-24 of RFC 4880 6.1 over LEN bytes at DATA.  */
uint32_t
pgp_crc24 (const void *data, size_t len)
{
  const unsigned char *p = data;
  uint32_t crc = 0xB704CEu;
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


/* Armor LEN bytes at DATA as TYPE with optional COMMENTS.  */
gpg_error_t
pgp_armor (int type, const void *data, size_t len,
           const char *const *comments, char **r_str, size_t *r_len)
{
  const char *label = type_label (type);
  membuf_t mb;
  unsigned char crc[3];
  uint32_t c;
  unsigned char *buf;
  size_t buflen;
  gpg_error_t err;

  *r_str = NULL;
  if (r_len)
    *r_len = 0;
  if (!label)
    return gpg_error (GPG_ERR_INV_ARG);
  if (len > PGP_MAX_INPUT)
    return gpg_error (GPG_ERR_TOO_LARGE);
  membuf_init (&mb, PGP_MAX_OUTPUT, type == PGP_ARMOR_SECKEY);
  membuf_put_str (&mb, "-----BEGIN PGP ");
  membuf_put_str (&mb, label);
  membuf_put_str (&mb, "-----\n");
  for (; comments && *comments; comments++)
    {
      const char *s;

      membuf_put_str (&mb, "Comment: ");
      /* No line breaks inside a header.  */
      for (s = *comments; *s; s++)
        membuf_put_u8 (&mb, (*s == '\n' || *s == '\r') ? ' ' : *s);
      membuf_put_u8 (&mb, '\n');
    }
  membuf_put_u8 (&mb, '\n');
  put_b64 (&mb, data, len, 1);
  if (len)
    membuf_put_u8 (&mb, '\n');
  c = pgp_crc24 (data, len);
  crc[0] = c >> 16;
  crc[1] = c >> 8;
  crc[2] = c;
  membuf_put_u8 (&mb, '=');
  put_b64 (&mb, crc, 3, 0);
  membuf_put_str (&mb, "\n-----END PGP ");
  membuf_put_str (&mb, label);
  membuf_put_str (&mb, "-----\n");
  err = membuf_take (&mb, &buf, &buflen);
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
  const char *p;

  if (!c)
    return -1;
  p = strchr (b64chars, c);
  return p ? (int)(p - b64chars) : -1;
}


/* Decode one armor block starting at R (positioned anywhere before
 * the BEGIN line).  Appends the binary to OUT.  */
static gpg_error_t
dearmor_one (brd_t *r, int *r_type, membuf_t *out)
{
  gpg_error_t err;
  const unsigned char *line;
  size_t n, i, labellen = 0;
  int type = 0, state = 0;
  const char *label = NULL;
  unsigned int acc = 0, nacc = 0, npad = 0, padseen = 0;
  int have_crc = 0;
  uint32_t crc = 0;
  size_t start;

  *r_type = 0;
  /* Find the BEGIN line.  */
  for (;;)
    {
      if ((err = get_line (r, &line, &n)))
        return gpg_err_code (err) == GPG_ERR_EOF
          ? gpg_error (GPG_ERR_NO_DATA) : err;
      if (n > 20 && !memcmp (line, "-----BEGIN PGP ", 15)
          && !memcmp (line + n - 5, "-----", 5))
        break;
    }
  for (i = 0; i < DIM (labels); i++)
    if (strlen (labels[i].label) == n - 20
        && !memcmp (line + 15, labels[i].label, n - 20))
      {
        type = labels[i].type;
        label = labels[i].label;
        labellen = n - 20;
      }
  if (!type)
    return gpg_error (GPG_ERR_INV_ARMOR);

  /* Header lines up to an empty line.  */
  for (;;)
    {
      if ((err = get_line (r, &line, &n)))
        return gpg_error (GPG_ERR_INV_ARMOR);
      if (!n)
        break;
      if (!memchr (line, ':', n))
        return gpg_error (GPG_ERR_INV_ARMOR);
    }

  start = membuf_len (out);
  /* Body.  STATE: 0 = data, 1 = after checksum.  */
  for (;;)
    {
      if ((err = get_line (r, &line, &n)))
        return gpg_error (GPG_ERR_INV_ARMOR);
      if (n >= 9 && !memcmp (line, "-----END ", 9))
        {
          if (n != labellen + 18 || memcmp (line + 9, "PGP ", 4)
              || memcmp (line + 13, label, labellen)
              || memcmp (line + 13 + labellen, "-----", 5))
            return gpg_error (GPG_ERR_INV_ARMOR);
          break;
        }
      if (state == 1)
        return gpg_error (GPG_ERR_INV_ARMOR);
      if (n == 5 && line[0] == '=' && !nacc)
        {
          unsigned int v = 0;

          for (i = 1; i < 5; i++)
            {
              int d = b64val (line[i]);
              if (d < 0)
                return gpg_error (GPG_ERR_INV_ARMOR);
              v = (v << 6) | d;
            }
          crc = v;
          have_crc = 1;
          state = 1;
          continue;
        }
      for (i = 0; i < n; i++)
        {
          int d;

          if (line[i] == '=')
            {
              /* Padding ends the data: flush the partial group.  */
              if (!npad)
                {
                  if (nacc == 2)
                    membuf_put_u8 (out, (acc >> 4) & 0xff);
                  else if (nacc == 3)
                    {
                      membuf_put_u8 (out, (acc >> 10) & 0xff);
                      membuf_put_u8 (out, (acc >> 2) & 0xff);
                    }
                  else
                    return gpg_error (GPG_ERR_INV_ARMOR);
                  npad = 4 - nacc;
                  nacc = acc = 0;
                }
              if (++padseen > npad)
                return gpg_error (GPG_ERR_INV_ARMOR);
              continue;
            }
          if (npad)
            return gpg_error (GPG_ERR_INV_ARMOR);
          d = b64val (line[i]);
          if (d < 0)
            return gpg_error (GPG_ERR_INV_ARMOR);
          acc = (acc << 6) | d;
          nacc++;
          if (nacc == 4)
            {
              membuf_put_u8 (out, (acc >> 16) & 0xff);
              membuf_put_u8 (out, (acc >> 8) & 0xff);
              membuf_put_u8 (out, acc & 0xff);
              acc = nacc = 0;
            }
        }
      if (membuf_error (out))
        return membuf_error (out);
    }
  if (nacc || padseen != npad)
    return gpg_error (GPG_ERR_INV_ARMOR);
  if ((err = membuf_error (out)))
    return err;
  /* An empty body may leave OUT without a buffer: no offset on NULL.  */
  n = membuf_len (out) - start;
  if (have_crc && pgp_crc24 (n ? membuf_data (out) + start
                             : (const unsigned char *)"", n) != crc)
    return gpg_error (GPG_ERR_CHECKSUM);
  *r_type = type;
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
