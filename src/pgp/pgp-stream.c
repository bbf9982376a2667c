/* pgp-stream.c - certificates read one at a time from a stream
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A keyring of any size (binary, or one or more armor blocks) read
 * through a read function, handed out one certificate at a time: only
 * the certificate at hand and one chunk of input are in memory.  Each
 * certificate is capped as pgp_read_certs caps a whole input
 * (PGP_MAX_INPUT bytes, PGP_MAX_PACKETS packets); armor is decoded line
 * by line with pgp-armor.c's decoder (checksum of each block checked
 * when its END line is read); the packets of one certificate are
 * parsed by pgp-cert.c as pgp_read_certs does.
 */
#include <config.h>
#include "oca-common.h"
#include "pgp-int.h"

#include <string.h>

#define CHUNK      65536               /* Bytes read at a time.  */
#define MAX_LINE   (1024 * 1024)       /* Longest armor line.  */

/* A growing byte buffer whose front is consumed.  */
typedef struct
{
  unsigned char *p;
  size_t len, size;
} buf_t;

struct pgp_cert_reader
{
  pgp_read_fn_t read;
  void *opaque;
  int mode;                    /* 0 not known yet, 1 binary, 2 armor.  */
  int eof;                     /* READ said the end.  */
  buf_t text;                  /* Armor: text not yet decoded.  */
  pgp_armor_dec_t dec;         /* Armor: the block being decoded.  */
  int nblocks;                 /* Armor: blocks completed.  */
  membuf_t scratch;            /* Armor: bytes of the last lines.  */
  buf_t bin;                   /* Binary OpenPGP; from BINPOS on not yet
                                * handed out.  */
  size_t binpos;
  size_t ncerts;               /* Certificates handed out.  */
};


static gpg_error_t
buf_append (buf_t *b, const void *p, size_t n)
{
  unsigned char *tmp;
  size_t size;

  if (!n)
    return 0;
  if (b->len + n > b->size)
    {
      size = b->size ? b->size : CHUNK;
      while (size < b->len + n)
        size *= 2;
      tmp = xtryrealloc (b->p, size);
      if (!tmp)
        return oca_error_from_errno ();
      b->p = tmp;
      b->size = size;
    }
  memcpy (b->p + b->len, p, n);
  b->len += n;
  return 0;
}


static void
buf_consume (buf_t *b, size_t n)
{
  memmove (b->p, b->p + n, b->len - n);
  b->len -= n;
}


/* See pgp.h.  */
gpg_error_t
pgp_cert_reader_new (pgp_read_fn_t read, void *opaque,
                     pgp_cert_reader_t **r_rd)
{
  pgp_cert_reader_t *rd;

  *r_rd = NULL;
  rd = xtrycalloc (1, sizeof *rd);
  if (!rd)
    return oca_error_from_errno ();
  rd->read = read;
  rd->opaque = opaque;
  _pgp_armor_dec_init (&rd->dec);
  membuf_init (&rd->scratch, PGP_MAX_INPUT, 0);
  *r_rd = rd;
  return 0;
}


/* See pgp.h.  */
void
pgp_cert_reader_release (pgp_cert_reader_t *rd)
{
  if (!rd)
    return;
  xfree (rd->text.p);
  xfree (rd->bin.p);
  membuf_release (&rd->scratch);
  xfree (rd);
}


/* Decode the complete lines of RD->text (all of it at the end).  */
static gpg_error_t
decode_text (pgp_cert_reader_t *rd)
{
  gpg_error_t err;
  const unsigned char *p = rd->text.p, *nl, *end = p + rd->text.len;
  size_t n;

  while (p < end)
    {
      nl = memchr (p, '\n', end - p);
      if (!nl && !rd->eof)
        break;
      n = nl ? (size_t)(nl - p) : (size_t)(end - p);
      {
        const unsigned char *line = p;

        p += n + !!nl;
        while (n && (line[n-1] == '\r' || line[n-1] == ' '
                     || line[n-1] == '\t'))
          n--;
        err = _pgp_armor_dec_line (&rd->dec, line, n, &rd->scratch);
      }
      if (gpg_err_code (err) == GPG_ERR_EOF)
        {
          rd->nblocks++;
          _pgp_armor_dec_init (&rd->dec);
          err = 0;
        }
      if (!err)
        err = buf_append (&rd->bin, membuf_data (&rd->scratch),
                          membuf_len (&rd->scratch));
      membuf_reset (&rd->scratch);
      if (err)
        return err;
    }
  buf_consume (&rd->text, p - rd->text.p);
  if (rd->text.len > MAX_LINE)
    return gpg_error (GPG_ERR_INV_ARMOR);
  if (rd->eof && (rd->dec.state || !rd->nblocks))
    return gpg_error (GPG_ERR_INV_ARMOR);
  return 0;
}


/* Read one more chunk; binary goes to RD->bin, armor is decoded.  */
static gpg_error_t
fill (pgp_cert_reader_t *rd)
{
  gpg_error_t err;
  unsigned char chunk[CHUNK];
  size_t n = 0;

  err = rd->read (rd->opaque, chunk, sizeof chunk, &n);
  if (err)
    return err;
  if (!n)
    rd->eof = 1;
  if (!rd->mode && n)
    /* Binary OpenPGP always starts with a CTB (bit 7 set).  */
    rd->mode = (chunk[0] & 0x80) ? 1 : 2;
  if (rd->mode == 1)
    return buf_append (&rd->bin, chunk, n);
  if (rd->mode == 2)
    {
      err = buf_append (&rd->text, chunk, n);
      if (!err)
        err = decode_text (rd);
      return err;
    }
  return 0;
}


/* The length of the first certificate's packets at the start of
 * RD->bin in *R_LEN, or 0 if more input is needed.  */
static gpg_error_t
cert_extent (pgp_cert_reader_t *rd, size_t *r_len)
{
  gpg_error_t err;
  brd_t r, body;
  const unsigned char *raw;
  size_t rawlen, npackets = 0;
  int tag, have_key = 0;

  *r_len = 0;
  brd_init (&r, rd->bin.p + rd->binpos, rd->bin.len - rd->binpos);
  while (brd_left (&r))
    {
      size_t at = rd->bin.len - rd->binpos - brd_left (&r);

      err = _pgp_read_packet (&r, &tag, &body, &raw, &rawlen);
      if (gpg_err_code (err) == GPG_ERR_TOO_SHORT && !rd->eof)
        return 0;  /* A packet not read completely yet.  */
      if (err)
        return err;
      if (tag == PGP_PKT_PUBLIC_KEY || tag == PGP_PKT_SECRET_KEY)
        {
          if (have_key)
            {
              *r_len = at;
              return 0;
            }
          have_key = 1;
        }
      else if (!have_key && tag != PGP_PKT_MARKER && tag != PGP_PKT_TRUST)
        return gpg_error (GPG_ERR_INV_PACKET);  /* Not a key first.  */
      if (++npackets > PGP_MAX_PACKETS + 2)
        return gpg_error (GPG_ERR_TOO_MANY);
    }
  if (rd->eof)
    *r_len = rd->bin.len - rd->binpos;
  return 0;
}


/* See pgp.h.  */
gpg_error_t
pgp_cert_reader_next (pgp_cert_reader_t *rd, pgp_cert_t **r_cert)
{
  gpg_error_t err;
  size_t len = 0;

  *r_cert = NULL;
  for (;;)
    {
      err = cert_extent (rd, &len);
      if (err || len)
        break;
      if (rd->eof)
        break;
      if (rd->bin.len - rd->binpos > PGP_MAX_INPUT)
        return gpg_error (GPG_ERR_TOO_LARGE);
      if (rd->binpos)
        {
          /* Make room at the front before reading more.  */
          buf_consume (&rd->bin, rd->binpos);
          rd->binpos = 0;
        }
      err = fill (rd);
      if (err)
        return err;
    }
  if (err)
    return err;
  if (!len)
    return gpg_error (rd->ncerts ? GPG_ERR_EOF : GPG_ERR_NO_PUBKEY);
  if (len > PGP_MAX_INPUT)
    return gpg_error (GPG_ERR_TOO_LARGE);
  err = _pgp_parse_certs (rd->bin.p + rd->binpos, len, r_cert);
  if (!err && (*r_cert)->next)
    {
      /* Cannot happen: the extent holds one key packet.  */
      pgp_cert_release (*r_cert);
      *r_cert = NULL;
      err = gpg_error (GPG_ERR_INTERNAL);
    }
  if (err)
    return err;
  rd->binpos += len;
  rd->ncerts++;
  return 0;
}
