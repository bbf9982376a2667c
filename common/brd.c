/* brd.c - bounded reader
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "brd.h"

#include <string.h>

void
brd_init (brd_t *r, const void *buf, size_t len)
{
  r->p = buf;
  r->left = buf ? len : 0;
  r->depth = 0;
}

gpg_error_t
brd_get_u8 (brd_t *r, unsigned int *r_val)
{
  *r_val = 0;
  if (r->left < 1)
    return gpg_error (GPG_ERR_TOO_SHORT);
  *r_val = r->p[0];
  r->p++;
  r->left--;
  return 0;
}

gpg_error_t
brd_peek_u8 (const brd_t *r, unsigned int *r_val)
{
  *r_val = 0;
  if (r->left < 1)
    return gpg_error (GPG_ERR_TOO_SHORT);
  *r_val = r->p[0];
  return 0;
}

gpg_error_t
brd_get_u16 (brd_t *r, unsigned int *r_val)
{
  *r_val = 0;
  if (r->left < 2)
    return gpg_error (GPG_ERR_TOO_SHORT);
  *r_val = ((unsigned int)r->p[0] << 8) | r->p[1];
  r->p += 2;
  r->left -= 2;
  return 0;
}

gpg_error_t
brd_get_u24 (brd_t *r, uint32_t *r_val)
{
  *r_val = 0;
  if (r->left < 3)
    return gpg_error (GPG_ERR_TOO_SHORT);
  *r_val = ((uint32_t)r->p[0] << 16) | ((uint32_t)r->p[1] << 8) | r->p[2];
  r->p += 3;
  r->left -= 3;
  return 0;
}

gpg_error_t
brd_get_u32 (brd_t *r, uint32_t *r_val)
{
  *r_val = 0;
  if (r->left < 4)
    return gpg_error (GPG_ERR_TOO_SHORT);
  *r_val = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16)
           | ((uint32_t)r->p[2] << 8) | r->p[3];
  r->p += 4;
  r->left -= 4;
  return 0;
}

gpg_error_t
brd_get_bytes (brd_t *r, size_t n, const unsigned char **r_ptr)
{
  *r_ptr = NULL;
  if (r->left < n)
    return gpg_error (GPG_ERR_TOO_SHORT);
  *r_ptr = r->p;
  r->p += n;
  r->left -= n;
  return 0;
}

gpg_error_t
brd_copy (brd_t *r, void *out, size_t n)
{
  if (r->left < n)
    return gpg_error (GPG_ERR_TOO_SHORT);
  if (n)
    memcpy (out, r->p, n);
  r->p += n;
  r->left -= n;
  return 0;
}

gpg_error_t
brd_skip (brd_t *r, size_t n)
{
  if (r->left < n)
    return gpg_error (GPG_ERR_TOO_SHORT);
  r->p += n;
  r->left -= n;
  return 0;
}

void
brd_rest (brd_t *r, const unsigned char **r_ptr, size_t *r_len)
{
  *r_ptr = r->p;
  *r_len = r->left;
  r->p += r->left;
  r->left = 0;
}

gpg_error_t
brd_sub (brd_t *r, size_t n, brd_t *r_child)
{
  r_child->p = NULL;
  r_child->left = 0;
  r_child->depth = r->depth + 1;
  if (r->left < n)
    return gpg_error (GPG_ERR_TOO_SHORT);
  r_child->p = r->p;
  r_child->left = n;
  r->p += n;
  r->left -= n;
  return 0;
}

gpg_error_t
brd_end (const brd_t *r)
{
  return r->left ? gpg_error (GPG_ERR_INV_LENGTH) : 0;
}

gpg_error_t
brd_get_ber_tag (brd_t *r, unsigned int *r_tag, int *r_constructed)
{
  unsigned int c, tag;
  gpg_error_t err;
  int i;

  *r_tag = 0;
  if (r_constructed)
    *r_constructed = 0;
  if ((err = brd_get_u8 (r, &c)))
    return err;
  tag = c;
  if (r_constructed)
    *r_constructed = !!(c & 0x20);
  if ((c & 0x1f) == 0x1f)
    {
      /* Multi-byte tag: at most two further bytes.  */
      for (i = 0; ; i++)
        {
          if (i == 2)
            return gpg_error (GPG_ERR_INV_OBJ);
          if ((err = brd_get_u8 (r, &c)))
            return err;
          tag = (tag << 8) | c;
          if (!(c & 0x80))
            break;
        }
    }
  *r_tag = tag;
  return 0;
}

gpg_error_t
brd_get_ber_len (brd_t *r, size_t *r_len)
{
  unsigned int c, n;
  size_t len = 0;
  gpg_error_t err;

  *r_len = 0;
  if ((err = brd_get_u8 (r, &c)))
    return err;
  if (c < 0x80)
    len = c;
  else if (c == 0x80 || c > 0x83)
    return gpg_error (GPG_ERR_INV_OBJ);  /* Indefinite or too long.  */
  else
    {
      for (n = c & 0x7f; n; n--)
        {
          if ((err = brd_get_u8 (r, &c)))
            return err;
          len = (len << 8) | c;
        }
    }
  if (len > r->left)
    return gpg_error (GPG_ERR_TOO_SHORT);
  *r_len = len;
  return 0;
}

gpg_error_t
brd_get_tlv (brd_t *r, unsigned int *r_tag, int *r_constructed,
             brd_t *r_value)
{
  gpg_error_t err;
  size_t len;
  brd_t save = *r;

  r_value->p = NULL;
  r_value->left = 0;
  r_value->depth = r->depth + 1;
  if ((err = brd_get_ber_tag (r, r_tag, r_constructed))
      || (err = brd_get_ber_len (r, &len))
      || (err = brd_sub (r, len, r_value)))
    {
      *r = save;
      return err;
    }
  return 0;
}

static gpg_error_t
find_tlv (brd_t r, unsigned int tag, int recurse, brd_t *r_value)
{
  gpg_error_t err;
  unsigned int t;
  int constructed;
  brd_t v;

  while (brd_left (&r))
    {
      /* Padding bytes 00 / FF between objects are allowed by ISO 7816.  */
      if (r.p[0] == 0x00 || r.p[0] == 0xff)
        {
          r.p++;
          r.left--;
          continue;
        }
      if ((err = brd_get_tlv (&r, &t, &constructed, &v)))
        return err;
      if (t == tag)
        {
          *r_value = v;
          return 0;
        }
      if (recurse && constructed)
        {
          if (v.depth > BRD_MAX_DEPTH)
            return gpg_error (GPG_ERR_INV_OBJ);
          err = find_tlv (v, tag, recurse, r_value);
          if (!err || gpg_err_code (err) != GPG_ERR_NOT_FOUND)
            return err;
        }
    }
  return gpg_error (GPG_ERR_NOT_FOUND);
}

gpg_error_t
brd_find_tlv (const brd_t *r, unsigned int tag, int recurse, brd_t *r_value)
{
  r_value->p = NULL;
  r_value->left = 0;
  r_value->depth = r->depth + 1;
  return find_tlv (*r, tag, recurse, r_value);
}
