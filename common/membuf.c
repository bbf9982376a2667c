/* membuf.c - bounded growing output buffer
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "membuf.h"

#include <string.h>
#include <errno.h>

void
membuf_init (membuf_t *mb, size_t max, int secure)
{
  mb->buf = NULL;
  mb->len = mb->size = 0;
  mb->max = max;
  mb->secure = secure;
  mb->err = 0;
}

unsigned char *
membuf_reserve (membuf_t *mb, size_t n)
{
  size_t need, newsize;
  unsigned char *p;

  if (mb->err)
    return NULL;
  if (oca_size_add (mb->len, n, &need) || oca_size_add (need, 1, &need)
      || need - 1 > mb->max)
    {
      mb->err = gpg_error (GPG_ERR_TOO_LARGE);
      return NULL;
    }
  if (need > mb->size)
    {
      newsize = mb->size ? mb->size : 256;
      while (newsize < need)
        newsize = newsize > SIZE_MAX / 2 ? need : newsize * 2;
      if (newsize > mb->max + 1)
        newsize = mb->max + 1;
      if (mb->secure)
        p = xtrymalloc_secure (newsize);
      else
        p = xtrymalloc (newsize);
      if (!p)
        {
          mb->err = oca_error_from_errno ();
          return NULL;
        }
      if (mb->len)
        memcpy (p, mb->buf, mb->len);
      wipe_and_free (mb->buf, mb->size);
      mb->buf = p;
      mb->size = newsize;
    }
  p = mb->buf + mb->len;
  mb->len += n;
  mb->buf[mb->len] = 0;
  return p;
}

void
membuf_put (membuf_t *mb, const void *p, size_t n)
{
  unsigned char *d = membuf_reserve (mb, n);

  if (d && n)
    memcpy (d, p, n);
}

void
membuf_put_u8 (membuf_t *mb, unsigned int v)
{
  unsigned char b = v;
  membuf_put (mb, &b, 1);
}

void
membuf_put_u16 (membuf_t *mb, unsigned int v)
{
  unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };
  membuf_put (mb, b, 2);
}

void
membuf_put_u32 (membuf_t *mb, uint32_t v)
{
  unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
                         (unsigned char)(v >> 8), (unsigned char)v };
  membuf_put (mb, b, 4);
}

void
membuf_put_str (membuf_t *mb, const char *s)
{
  membuf_put (mb, s, strlen (s));
}

gpg_error_t
membuf_take (membuf_t *mb, unsigned char **r_buf, size_t *r_len)
{
  gpg_error_t err = mb->err;

  *r_buf = NULL;
  if (r_len)
    *r_len = 0;
  if (!err && !mb->buf && !membuf_reserve (mb, 0))
    err = mb->err;
  if (err)
    {
      membuf_release (mb);
      mb->err = err;
      return err;
    }
  *r_buf = mb->buf;
  if (r_len)
    *r_len = mb->len;
  mb->buf = NULL;
  mb->len = mb->size = 0;
  return 0;
}

void
membuf_reset (membuf_t *mb)
{
  if (mb->buf)
    wipememory (mb->buf, mb->size);
  mb->len = 0;
  mb->err = 0;
}

void
membuf_release (membuf_t *mb)
{
  wipe_and_free (mb->buf, mb->size);
  mb->buf = NULL;
  mb->len = mb->size = 0;
}
