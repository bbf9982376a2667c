/* card-keys.c - key material in the OpenPGP card's formats
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of the card-data module (card-data.h); pure, no card I/O:
 *
 *  - the canonical public key S-expression exactly as scdaemon builds
 *    it, and its keygrip computed by libgcrypt on that very
 *    S-expression (spec B.6: RSA n with a leading 00 when the top bit
 *    is set, Ed25519 with (flags eddsa), Curve25519 with (flags
 *    djb-tweak));
 *  - the OpenPGP v4 fingerprint the host writes to C7..C9 after
 *    generation or import, and the default ECDH KDF parameters;
 *  - the key import templates (PUT DATA odd, tag 4D).
 */
#include <config.h>
#include "card-data.h"
#include "membuf.h"

#include <string.h>
#include <stdio.h>


/* Strip leading zero bytes of *P and *N.  */
static void
strip_zeros (const unsigned char **p, size_t *n)
{
  while (*n > 1 && !**p)
    {
      (*p)++;
      (*n)--;
    }
}

gpg_error_t
card_keygrip_from_sexp (const unsigned char *sexp, size_t len, char *r_grip)
{
  gpg_error_t err;
  gcry_sexp_t s = NULL;
  unsigned char grip[20];

  r_grip[0] = 0;
  err = gcry_sexp_sscan (&s, NULL, (const char *)sexp, len);
  if (err)
    return err;
  if (!gcry_pk_get_keygrip (s, grip))
    err = gpg_error (GPG_ERR_INTERNAL);
  else
    oca_bin2hex (grip, 20, r_grip);
  gcry_sexp_release (s);
  return err;
}

gpg_error_t
card_build_pubkey_sexp (const card_keyattr_t *attr,
                        const unsigned char *n, size_t nlen,
                        const unsigned char *e, size_t elen,
                        const unsigned char *q, size_t qlen,
                        unsigned char **r_sexp, size_t *r_len,
                        char *r_grip)
{
  gpg_error_t err;
  membuf_t mb;
  unsigned char *tmp = NULL;
  size_t tmplen;
  char numbuf[30];

  *r_sexp = NULL;
  *r_len = 0;
  if (r_grip)
    r_grip[0] = 0;
  membuf_init (&mb, 8192, 0);
  if (attr->algo == CARD_ALGO_RSA)
    {
      if (!n || !nlen || !e || !elen)
        {
          err = gpg_error (GPG_ERR_INV_VALUE);
          goto leave;
        }
      strip_zeros (&n, &nlen);
      strip_zeros (&e, &elen);
      membuf_put_str (&mb, "(10:public-key(3:rsa(1:n");
      snprintf (numbuf, sizeof numbuf, "%zu:", nlen + !!(*n & 0x80));
      membuf_put_str (&mb, numbuf);
      if ((*n & 0x80))
        membuf_put_u8 (&mb, 0);
      membuf_put (&mb, n, nlen);
      membuf_put_str (&mb, ")(1:e");
      snprintf (numbuf, sizeof numbuf, "%zu:", elen + !!(*e & 0x80));
      membuf_put_str (&mb, numbuf);
      if ((*e & 0x80))
        membuf_put_u8 (&mb, 0);
      membuf_put (&mb, e, elen);
      membuf_put_str (&mb, ")))");
    }
  else if (attr->algo && attr->curve)
    {
      int prefix40 = 0;

      if (!q || !qlen)
        {
          err = gpg_error (GPG_ERR_INV_VALUE);
          goto leave;
        }
      if (attr->eddsa || attr->djb)
        {
          /* Card returns the raw 32/56 bytes; gnupg adds 0x40.  */
          if (qlen % 2 == 1 && q[0] == 0x40)
            {
              q++;
              qlen--;
            }
          prefix40 = 1;
        }
      membuf_put_str (&mb, "(10:public-key(3:ecc(5:curve");
      snprintf (numbuf, sizeof numbuf, "%zu:", strlen (attr->curve));
      membuf_put_str (&mb, numbuf);
      membuf_put_str (&mb, attr->curve);
      membuf_put_str (&mb, ")");
      if (attr->eddsa)
        membuf_put_str (&mb, "(5:flags5:eddsa)");
      else if (attr->djb)
        membuf_put_str (&mb, "(5:flags9:djb-tweak)");
      snprintf (numbuf, sizeof numbuf, "(1:q%zu:", qlen + prefix40);
      membuf_put_str (&mb, numbuf);
      if (prefix40)
        membuf_put_u8 (&mb, 0x40);
      membuf_put (&mb, q, qlen);
      membuf_put_str (&mb, ")))");
    }
  else
    {
      err = gpg_error (GPG_ERR_PUBKEY_ALGO);
      goto leave;
    }
  err = membuf_take (&mb, &tmp, &tmplen);
  if (err)
    goto leave;
  if (r_grip)
    {
      err = card_keygrip_from_sexp (tmp, tmplen, r_grip);
      if (err)
        goto leave;
    }
  *r_sexp = tmp;
  *r_len = tmplen;
  tmp = NULL;

 leave:
  xfree (tmp);
  membuf_release (&mb);
  return err;
}

void
card_default_kdf (const card_keyattr_t *attr, unsigned char *kdf)
{
  kdf[0] = 0x03;
  kdf[1] = 0x01;
  if (attr->nbits <= 256)
    {
      kdf[2] = 0x08;  /* SHA-256 */
      kdf[3] = 0x07;  /* AES-128 */
    }
  else if (attr->nbits <= 384)
    {
      kdf[2] = 0x09;  /* SHA-384 */
      kdf[3] = 0x09;  /* AES-256 */
    }
  else
    {
      kdf[2] = 0x0A;  /* SHA-512 */
      kdf[3] = 0x09;
    }
}

/* Append an OpenPGP MPI of the big-endian value P/N.  */
static void
put_mpi (membuf_t *mb, const unsigned char *p, size_t n)
{
  unsigned int bits;
  unsigned char c;

  while (n && !*p)
    {
      p++;
      n--;
    }
  bits = n * 8;
  if (n)
    for (c = *p; !(c & 0x80); c <<= 1)
      bits--;
  membuf_put_u16 (mb, bits);
  membuf_put (mb, p, n);
}

gpg_error_t
card_compute_fpr (const card_keyattr_t *attr, uint32_t created,
                  const unsigned char *n, size_t nlen,
                  const unsigned char *e, size_t elen,
                  const unsigned char *q, size_t qlen,
                  const unsigned char *kdf, unsigned char *r_fpr)
{
  gpg_error_t err;
  membuf_t body;
  gcry_md_hd_t md = NULL;
  unsigned char hdr[3];
  unsigned char defkdf[4];

  memset (r_fpr, 0, 20);
  membuf_init (&body, 8192, 0);
  membuf_put_u8 (&body, 4);
  membuf_put_u32 (&body, created);
  membuf_put_u8 (&body, attr->algo);
  if (attr->algo == CARD_ALGO_RSA)
    {
      put_mpi (&body, n, nlen);
      put_mpi (&body, e, elen);
    }
  else if (attr->algo == CARD_ALGO_ECDH || attr->algo == CARD_ALGO_ECDSA
           || attr->algo == CARD_ALGO_EDDSA)
    {
      membuf_put_u8 (&body, attr->oidlen);
      membuf_put (&body, attr->oid, attr->oidlen);
      if ((attr->eddsa || attr->djb) && !(qlen % 2 == 1 && q[0] == 0x40))
        {
          /* Prefix 0x40 as gnupg does for the native point format.  */
          unsigned int bits = 8 * qlen + 7;
          membuf_put_u16 (&body, bits);
          membuf_put_u8 (&body, 0x40);
          membuf_put (&body, q, qlen);
        }
      else
        put_mpi (&body, q, qlen);
      if (attr->algo == CARD_ALGO_ECDH)
        {
          if (!kdf)
            {
              card_default_kdf (attr, defkdf);
              kdf = defkdf;
            }
          membuf_put (&body, kdf, 4);
        }
    }
  else
    {
      err = gpg_error (GPG_ERR_PUBKEY_ALGO);
      goto leave;
    }
  if ((err = membuf_error (&body)))
    goto leave;
  if (membuf_len (&body) > 0xffff)
    {
      err = gpg_error (GPG_ERR_TOO_LARGE);
      goto leave;
    }
  err = gcry_md_open (&md, GCRY_MD_SHA1, 0);
  if (err)
    goto leave;
  hdr[0] = 0x99;
  hdr[1] = membuf_len (&body) >> 8;
  hdr[2] = membuf_len (&body);
  gcry_md_write (md, hdr, 3);
  gcry_md_write (md, membuf_data (&body), membuf_len (&body));
  memcpy (r_fpr, gcry_md_read (md, GCRY_MD_SHA1), 20);

 leave:
  gcry_md_close (md);
  membuf_release (&body);
  return err;
}

/* Append P/N right-justified into exactly SIZE bytes; error if too
 * large.  */
static gpg_error_t
put_padded (membuf_t *mb, const unsigned char *p, size_t n, size_t size)
{
  strip_zeros (&p, &n);
  if (n == 1 && !*p)
    n = 0;
  if (n > size)
    return gpg_error (GPG_ERR_INV_VALUE);
  while (size-- > n)
    membuf_put_u8 (mb, 0);
  membuf_put (mb, p, n);
  return 0;
}

/* Wrap the template parts into 4D and return it.  */
static gpg_error_t
finish_template (int keyno, membuf_t *hdr, membuf_t *values,
                 unsigned char **r_tmpl, size_t *r_tmpllen)
{
  gpg_error_t err;
  membuf_t inner, outer;
  static const unsigned char crts[3][2] =
    { { 0xB6, 0 }, { 0xB8, 0 }, { 0xA4, 0 } };

  membuf_init (&inner, 8192, 1);
  membuf_init (&outer, 8192, 1);
  membuf_put (&inner, crts[keyno - 1], 2);
  membuf_put_u16 (&inner, 0x7F48);
  card_put_ber_len (&inner, membuf_len (hdr));
  membuf_put (&inner, membuf_data (hdr), membuf_len (hdr));
  membuf_put_u16 (&inner, 0x5F48);
  card_put_ber_len (&inner, membuf_len (values));
  membuf_put (&inner, membuf_data (values), membuf_len (values));
  if ((err = membuf_error (hdr)) || (err = membuf_error (values))
      || (err = membuf_error (&inner)))
    goto leave;
  membuf_put_u8 (&outer, 0x4D);
  card_put_ber_len (&outer, membuf_len (&inner));
  membuf_put (&outer, membuf_data (&inner), membuf_len (&inner));
  err = membuf_take (&outer, r_tmpl, r_tmpllen);

 leave:
  membuf_release (&inner);
  membuf_release (&outer);
  return err;
}

/* Write the value of MPI A into a fresh secure buffer.  */
static gpg_error_t
mpi_to_buf (gcry_mpi_t a, unsigned char **r_buf, size_t *r_len)
{
  gpg_error_t err;
  size_t n;
  unsigned char *buf;

  *r_buf = NULL;
  *r_len = 0;
  err = gcry_mpi_print (GCRYMPI_FMT_USG, NULL, 0, &n, a);
  if (err)
    return err;
  buf = xtrymalloc_secure (n ? n : 1);
  if (!buf)
    return oca_error_from_errno ();
  err = gcry_mpi_print (GCRYMPI_FMT_USG, buf, n, &n, a);
  if (err)
    {
      wipe_and_free (buf, n);
      return err;
    }
  *r_buf = buf;
  *r_len = n;
  return 0;
}

gpg_error_t
card_build_rsa_template (int keyno, const card_keyattr_t *attr,
                         const unsigned char *n, size_t nlen,
                         const unsigned char *e, size_t elen,
                         const unsigned char *p, size_t plen,
                         const unsigned char *q, size_t qlen,
                         const unsigned char *d, size_t dlen,
                         unsigned char **r_tmpl, size_t *r_tmpllen)
{
  gpg_error_t err;
  membuf_t hdr, values;
  gcry_mpi_t mp = NULL, mq = NULL, md = NULL, tmp = NULL, r = NULL;
  unsigned char *pq = NULL, *dp = NULL, *dq = NULL;
  size_t pqlen = 0, dplen = 0, dqlen = 0;
  size_t esize, psize;
  int crt, withn;

  *r_tmpl = NULL;
  *r_tmpllen = 0;
  membuf_init (&hdr, 256, 1);
  membuf_init (&values, 8192, 1);
  if (keyno < 1 || keyno > 3 || attr->algo != CARD_ALGO_RSA
      || !attr->nbits || attr->nbits % 16)
    {
      err = gpg_error (GPG_ERR_INV_VALUE);
      goto leave;
    }
  crt = attr->rsa_format == 2 || attr->rsa_format == 3;
  withn = attr->rsa_format == 1 || attr->rsa_format == 3;
  esize = (attr->ebits + 7) / 8;
  psize = attr->nbits / 16;

  if (crt)
    {
      err = gcry_mpi_scan (&mp, GCRYMPI_FMT_USG, p, plen, NULL);
      if (!err)
        err = gcry_mpi_scan (&mq, GCRYMPI_FMT_USG, q, qlen, NULL);
      if (!err)
        err = gcry_mpi_scan (&md, GCRYMPI_FMT_USG, d, dlen, NULL);
      if (err)
        goto leave;
      tmp = gcry_mpi_snew (0);
      r = gcry_mpi_snew (0);
      /* PQ = q^-1 mod p.  */
      if (!gcry_mpi_invm (r, mq, mp))
        {
          err = gpg_error (GPG_ERR_BAD_SECKEY);
          goto leave;
        }
      if ((err = mpi_to_buf (r, &pq, &pqlen)))
        goto leave;
      /* DP1 = d mod (p-1).  */
      gcry_mpi_sub_ui (tmp, mp, 1);
      gcry_mpi_mod (r, md, tmp);
      if ((err = mpi_to_buf (r, &dp, &dplen)))
        goto leave;
      /* DQ1 = d mod (q-1).  */
      gcry_mpi_sub_ui (tmp, mq, 1);
      gcry_mpi_mod (r, md, tmp);
      if ((err = mpi_to_buf (r, &dq, &dqlen)))
        goto leave;
    }

  membuf_put_u8 (&hdr, 0x91);
  card_put_ber_len (&hdr, esize);
  membuf_put_u8 (&hdr, 0x92);
  card_put_ber_len (&hdr, psize);
  membuf_put_u8 (&hdr, 0x93);
  card_put_ber_len (&hdr, psize);
  if ((err = put_padded (&values, e, elen, esize))
      || (err = put_padded (&values, p, plen, psize))
      || (err = put_padded (&values, q, qlen, psize)))
    goto leave;
  if (crt)
    {
      membuf_put_u8 (&hdr, 0x94);
      card_put_ber_len (&hdr, psize);
      membuf_put_u8 (&hdr, 0x95);
      card_put_ber_len (&hdr, psize);
      membuf_put_u8 (&hdr, 0x96);
      card_put_ber_len (&hdr, psize);
      if ((err = put_padded (&values, pq, pqlen, psize))
          || (err = put_padded (&values, dp, dplen, psize))
          || (err = put_padded (&values, dq, dqlen, psize)))
        goto leave;
    }
  if (withn)
    {
      membuf_put_u8 (&hdr, 0x97);
      card_put_ber_len (&hdr, attr->nbits / 8);
      if ((err = put_padded (&values, n, nlen, attr->nbits / 8)))
        goto leave;
    }
  /* The primes must have exactly half the modulus size.  */
  {
    const unsigned char *pp = p, *qq = q;
    size_t ppl = plen, qql = qlen;

    strip_zeros (&pp, &ppl);
    strip_zeros (&qq, &qql);
    if (ppl != psize || qql != psize)
      {
        err = gpg_error (GPG_ERR_INV_VALUE);
        goto leave;
      }
  }
  err = finish_template (keyno, &hdr, &values, r_tmpl, r_tmpllen);

 leave:
  gcry_mpi_release (mp);
  gcry_mpi_release (mq);
  gcry_mpi_release (md);
  gcry_mpi_release (tmp);
  gcry_mpi_release (r);
  wipe_and_free (pq, pqlen);
  wipe_and_free (dp, dplen);
  wipe_and_free (dq, dqlen);
  membuf_release (&hdr);
  membuf_release (&values);
  return err;
}

gpg_error_t
card_build_ecc_template (int keyno, const card_keyattr_t *attr,
                         const unsigned char *d, size_t dlen,
                         const unsigned char *q, size_t qlen,
                         unsigned char **r_tmpl, size_t *r_tmpllen)
{
  gpg_error_t err;
  membuf_t hdr, values;
  size_t dsize;

  *r_tmpl = NULL;
  *r_tmpllen = 0;
  membuf_init (&hdr, 256, 1);
  membuf_init (&values, 4096, 1);
  if (keyno < 1 || keyno > 3 || !attr->curve)
    {
      err = gpg_error (GPG_ERR_INV_VALUE);
      goto leave;
    }
  dsize = (attr->nbits + 7) / 8;
  membuf_put_u8 (&hdr, 0x92);
  card_put_ber_len (&hdr, dsize);
  if ((err = put_padded (&values, d, dlen, dsize)))
    goto leave;
  if (attr->with_pubkey)
    {
      if (!q || !qlen)
        {
          err = gpg_error (GPG_ERR_NO_PUBKEY);
          goto leave;
        }
      if ((attr->eddsa || attr->djb) && qlen % 2 == 1 && q[0] == 0x40)
        {
          q++;
          qlen--;
        }
      membuf_put_u8 (&hdr, 0x99);
      card_put_ber_len (&hdr, qlen);
      membuf_put (&values, q, qlen);
    }
  err = finish_template (keyno, &hdr, &values, r_tmpl, r_tmpllen);

 leave:
  membuf_release (&hdr);
  membuf_release (&values);
  return err;
}
