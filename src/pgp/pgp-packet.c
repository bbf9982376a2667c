/* pgp-packet.c - packet framing, MPIs, subpackets; helpers of all pgp-*.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Packet headers in both the old and the new format are read (RFC 4880
 * 4.2).  Partial body lengths are only legal for data packets, which a
 * certificate never contains, so they are rejected here, as is the old
 * format's indeterminate length.  We always write the new format.
 *
 * The bottom of the pgp-*.c files: packet.c <- sig.c <- key.c <-
 * cert.c; what several of them need (the current time, unparsed
 * packets, the key as signatures hash it) lives here.
 */
#include <config.h>
#include "oca-common.h"
#include "pgp-int.h"

#include <string.h>
#include <time.h>


/* Read one packet from R.  *R_TAG gets the tag, R_BODY a reader over
 * the body, *R_RAW / *R_RAWLEN the whole packet (pointing into R's
 * buffer).  */
gpg_error_t
_pgp_read_packet (brd_t *r, int *r_tag, brd_t *r_body,
                  const unsigned char **r_raw, size_t *r_rawlen)
{
  gpg_error_t err;
  const unsigned char *start = brd_ptr (r);
  size_t startleft = brd_left (r);
  unsigned int ctb, c, c2;
  uint32_t len32;
  size_t len = 0;
  int tag;

  *r_tag = 0;
  *r_raw = NULL;
  *r_rawlen = 0;
  brd_init (r_body, NULL, 0);

  if ((err = brd_get_u8 (r, &ctb)))
    return err;
  if (!(ctb & 0x80))
    return gpg_error (GPG_ERR_INV_PACKET);
  if (ctb & 0x40)
    {
      tag = ctb & 0x3f;
      if ((err = brd_get_u8 (r, &c)))
        return err;
      if (c < 192)
        len = c;
      else if (c < 224)
        {
          if ((err = brd_get_u8 (r, &c2)))
            return err;
          len = ((size_t)(c - 192) << 8) + c2 + 192;
        }
      else if (c == 255)
        {
          if ((err = brd_get_u32 (r, &len32)))
            return err;
          len = len32;
        }
      else /* Partial body length: only for data packets.  */
        return gpg_error (GPG_ERR_INV_PACKET);
    }
  else
    {
      tag = (ctb >> 2) & 0x0f;
      switch (ctb & 3)
        {
        case 0:
          if ((err = brd_get_u8 (r, &c)))
            return err;
          len = c;
          break;
        case 1:
          if ((err = brd_get_u16 (r, &c)))
            return err;
          len = c;
          break;
        case 2:
          if ((err = brd_get_u32 (r, &len32)))
            return err;
          len = len32;
          break;
        default: /* Indeterminate length.  */
          return gpg_error (GPG_ERR_INV_PACKET);
        }
    }
  if (!tag)
    return gpg_error (GPG_ERR_INV_PACKET);
  if (len > PGP_MAX_INPUT)
    return gpg_error (GPG_ERR_TOO_LARGE);
  if ((err = brd_sub (r, len, r_body)))
    return err;
  *r_tag = tag;
  *r_raw = start;
  *r_rawlen = startleft - brd_left (r);
  return 0;
}


/* OUT = LEN in the new-format length encoding shared by packet
 * headers and signature subpackets (RFC 4880 4.2.2, 5.2.3.1); returns
 * its length, 1, 2 or 5.  */
static size_t
new_len_bytes (size_t len, unsigned char out[5])
{
  if (len < 192)
    {
      out[0] = len;
      return 1;
    }
  if (len < 8384)
    {
      out[0] = ((len - 192) >> 8) + 192;
      out[1] = (len - 192) & 0xff;
      return 2;
    }
  out[0] = 255;
  out[1] = (uint32_t)len >> 24;
  out[2] = (uint32_t)len >> 16;
  out[3] = (uint32_t)len >> 8;
  out[4] = (uint32_t)len;
  return 5;
}


/* Write LEN in the new-format length encoding.  */
static void
put_new_len (membuf_t *mb, size_t len)
{
  unsigned char buf[5];

  membuf_put (mb, buf, new_len_bytes (len, buf));
}


/* See pgp-int.h.  */
size_t
_pgp_header_bytes (int tag, size_t len, unsigned char out[6])
{
  out[0] = 0xc0 | (tag & 0x3f);
  return 1 + new_len_bytes (len, out + 1);
}


/* Write a new-format packet header for TAG with body length LEN.  */
void
_pgp_write_header (membuf_t *mb, int tag, size_t len)
{
  unsigned char hdr[6];

  membuf_put (mb, hdr, _pgp_header_bytes (tag, len, hdr));
}


/* Read an MPI: *R_P points to its LEN value bytes inside R.  */
gpg_error_t
_pgp_read_mpi (brd_t *r, const unsigned char **r_p, size_t *r_len)
{
  gpg_error_t err;
  unsigned int nbits;
  size_t n;

  *r_p = NULL;
  *r_len = 0;
  if ((err = brd_get_u16 (r, &nbits)))
    return err;
  if (nbits > PGP_MAX_MPI_BITS)
    return gpg_error (GPG_ERR_TOO_LARGE);
  n = (nbits + 7) / 8;
  if ((err = brd_get_bytes (r, n, r_p)))
    return err;
  *r_len = n;
  return 0;
}


/* Write the value P/LEN as an MPI (leading zero bytes stripped, exact
 * bit count).  */
void
_pgp_write_mpi (membuf_t *mb, const unsigned char *p, size_t len)
{
  unsigned int nbits;
  unsigned char c;

  while (len && !*p)
    {
      p++;
      len--;
    }
  if (len > PGP_MAX_MPI_BITS / 8)
    {
      if (!mb->err)
        mb->err = gpg_error (GPG_ERR_TOO_LARGE);
      return;
    }
  nbits = len * 8;
  if (len)
    for (c = p[0]; !(c & 0x80); c <<= 1)
      nbits--;
  membuf_put_u16 (mb, nbits);
  membuf_put (mb, p, len);
}


/* Build a whole packet with TAG around BODY/LEN.  */
gpg_error_t
_pgp_make_packet (int tag, const unsigned char *body, size_t len,
                  int secure, unsigned char **r_raw, size_t *r_rawlen,
                  size_t *r_hdrlen)
{
  membuf_t mb;
  size_t hdrlen;

  *r_raw = NULL;
  *r_rawlen = 0;
  if (r_hdrlen)
    *r_hdrlen = 0;
  membuf_init (&mb, PGP_MAX_OUTPUT, secure);
  _pgp_write_header (&mb, tag, len);
  hdrlen = membuf_len (&mb);
  membuf_put (&mb, body, len);
  if (r_hdrlen)
    *r_hdrlen = hdrlen;
  return membuf_take (&mb, r_raw, r_rawlen);
}


/* Append a signature subpacket of TYPE with DATA/LEN.  */
void
_pgp_put_subpkt (membuf_t *mb, int type, int critical,
                 const void *data, size_t len)
{
  put_new_len (mb, len + 1);
  membuf_put_u8 (mb, (type & 0x7f) | (critical ? 0x80 : 0));
  membuf_put (mb, data, len);
}


/* Append a reason-for-revocation subpacket (code REASON, optional
 * TEXT) without copying TEXT.  Texts over 60000 bytes set
 * GPG_ERR_TOO_LARGE on MB.  */
void
_pgp_put_revoc_reason (membuf_t *mb, int reason, const char *text)
{
  size_t tl = text ? strlen (text) : 0;

  if (tl > 60000)
    {
      if (!mb->err)
        mb->err = gpg_error (GPG_ERR_TOO_LARGE);
      return;
    }
  put_new_len (mb, tl + 2);
  membuf_put_u8 (mb, PGP_SUB_REVOC_REASON);
  membuf_put_u8 (mb, reason);
  membuf_put (mb, text, tl);
}


/* Copy N bytes at P into fresh (secure if SECURE) memory with a
 * trailing NUL.  */
gpg_error_t
_pgp_memdup (const void *p, size_t n, int secure, unsigned char **r)
{
  unsigned char *q;

  *r = NULL;
  q = secure ? xtrymalloc_secure (n + 1) : xtrymalloc (n + 1);
  if (!q)
    return oca_error_from_errno ();
  if (n)
    memcpy (q, p, n);
  q[n] = 0;
  *r = q;
  return 0;
}


/* NOW if not 0, else the current time.  */
uint32_t
_pgp_now (uint32_t t)
{
  return t ? t : (uint32_t)time (NULL);
}


/* Release the list of unparsed packets P (NULL ok).  */
void
_pgp_rawpkt_release (pgp_rawpkt_t *p)
{
  while (p)
    {
      pgp_rawpkt_t *next = p->next;
      xfree (p->raw);
      xfree (p);
      p = next;
    }
}


/* See pgp-int.h.  */
void
_pgp_iov_add (gcry_buffer_t *iov, int *n, const void *ptr, size_t len)
{
  memset (&iov[*n], 0, sizeof *iov);
  iov[*n].data = (void *)ptr;
  iov[*n].len = len;
  ++*n;
}


/* See pgp-int.h.  */
void
_pgp_key_hash_parts (const pgp_key_t *key, unsigned char hdr[3],
                     gcry_buffer_t *iov, int *n)
{
  size_t len = key->pubrawlen_ - key->pubhdrlen_;

  hdr[0] = 0x99;
  hdr[1] = len >> 8;
  hdr[2] = len;
  _pgp_iov_add (iov, n, hdr, 3);
  _pgp_iov_add (iov, n, key->pubraw_ + key->pubhdrlen_, len);
}
