/* membuf.h - bounded growing output buffer with a sticky error
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writers append with membuf_put*; the first failure (allocation, or
 * growing past MAX) is remembered and every later put is a no-op, so a
 * serialiser checks once, at membuf_take.  A secure membuf lives in
 * libgcrypt secure memory and is wiped when it grows or is released.
 */
#ifndef OCA_MEMBUF_H
#define OCA_MEMBUF_H

#include "oca-common.h"

typedef struct membuf
{
  unsigned char *buf;
  size_t len;          /* Bytes used.  */
  size_t size;         /* Bytes allocated.  */
  size_t max;          /* Hard cap on LEN.  */
  int secure;
  gpg_error_t err;     /* Sticky error.  */
} membuf_t;

/* Start an empty buffer that may grow to MAX bytes.  */
void membuf_init (membuf_t *mb, size_t max, int secure);
void membuf_put (membuf_t *mb, const void *p, size_t n);
void membuf_put_u8 (membuf_t *mb, unsigned int v);
void membuf_put_u16 (membuf_t *mb, unsigned int v);  /* Big-endian.  */
void membuf_put_u32 (membuf_t *mb, uint32_t v);      /* Big-endian.  */
void membuf_put_str (membuf_t *mb, const char *s);
/* Reserve N bytes and return a pointer to them (NULL on error).  */
unsigned char *membuf_reserve (membuf_t *mb, size_t n);
static inline gpg_error_t membuf_error (const membuf_t *mb) { return mb->err; }
static inline size_t membuf_len (const membuf_t *mb) { return mb->len; }
static inline const unsigned char *membuf_data (const membuf_t *mb)
{ return mb->buf; }
/* Hand the buffer to the caller (release with xfree, or wipe_and_free
 * when secure).  Returns the sticky error instead if one occurred, and
 * then releases the buffer.  An empty buffer yields a valid 1-byte
 * allocation with *R_LEN = 0.  The data is NUL-terminated (not counted
 * in *R_LEN).  */
gpg_error_t membuf_take (membuf_t *mb, unsigned char **r_buf, size_t *r_len);
/* Drop the contents (wiped) but keep the buffer usable.  */
void membuf_reset (membuf_t *mb);
/* Release (wiping).  Safe to call twice.  */
void membuf_release (membuf_t *mb);

#endif /*OCA_MEMBUF_H*/
