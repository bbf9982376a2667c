/* vcard-crypto.c - key operations of the virtual OpenPGP card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private keys are libgcrypt S-expressions built from secure memory:
 *
 *   RSA      (private-key (rsa (n)(e)(d)(p)(q)(u)))
 *   Ed25519  (private-key (ecc (curve Ed25519)(flags eddsa)(q 40|pub)(d seed)))
 *   NIST     (private-key (ecc (curve "NIST P-256")(q 04|X|Y)(d)))
 *   Cv25519  (private-key (ecc (curve Curve25519)(flags djb-tweak)
 *                              (q 40|pub)(d native-scalar)))
 *
 * For Cv25519 D holds the 32-byte little-endian X25519 scalar as used by
 * RFC 7748; OpenPGP (and so gpg's key import) carries it big-endian.
 */
#include <config.h>
#include "vcard.h"
#include "brd.h"

#include <string.h>

/* DER DigestInfo-free PKCS#1 v1.5 type 1 padding minimum overhead.  */
#define PKCS1_OVERHEAD 11

void
vcard_put_tlv (membuf_t *mb, unsigned int tag, const void *data, size_t len)
{
  card_put_tl (mb, tag, len);
  membuf_put (mb, data, len);
}

/* Parse the algorithm attribute ATTR/ATTRLEN for key slot KEYNO (0 SIG,
 * 1 DEC, 2 AUT) and check that the card behaving like PROF takes it
 * (PROF NULL: anything the emulator handles).  Sets *R_ALGO and
 * *R_NBITS (RSA modulus bits, else the curve size).  Returns
 * GPG_ERR_INV_VALUE for anything unsupported.  */
gpg_error_t
vcard_parse_attr (const unsigned char *attr, size_t attrlen, int keyno,
                  const vcard_profile_t *prof, vcard_algo_t *r_algo,
                  unsigned int *r_nbits)
{
  card_keyattr_t a;
  unsigned int bit = 0;
  vcard_algo_t algo = VCARD_ALGO_NONE;

  *r_algo = VCARD_ALGO_NONE;
  *r_nbits = 0;
  if (card_parse_keyattr (attr, attrlen, keyno + 1, &a))
    return gpg_error (GPG_ERR_INV_VALUE);
  if (a.algo == CARD_ALGO_RSA)
    {
      bit = a.nbits == 2048 ? VCARD_A_RSA2048
        : a.nbits == 3072 ? VCARD_A_RSA3072
        : a.nbits == 4096 ? VCARD_A_RSA4096 : 0;
      if (!bit || a.ebits < 17 || a.ebits > 32)
        return gpg_error (GPG_ERR_INV_VALUE);
      if (prof && (!(prof->algos & bit)
                   || (prof->rsa_ebits && a.ebits != prof->rsa_ebits)
                   || !(prof->rsa_formats & (1u << a.rsa_format))))
        return gpg_error (GPG_ERR_INV_VALUE);
      *r_algo = VCARD_ALGO_RSA;
      *r_nbits = a.nbits;
      return 0;
    }

  if (prof && !prof->ecc_pubkey && a.with_pubkey)
    return gpg_error (GPG_ERR_INV_VALUE);  /* No "with public key".  */
  if (a.algo == CARD_ALGO_EDDSA && keyno != 1
      && !strcmp (a.curve, "Ed25519"))
    {
      algo = VCARD_ALGO_ED25519;
      bit = VCARD_A_ED25519;
    }
  else if (a.algo == CARD_ALGO_ECDH && keyno == 1
           && !strcmp (a.curve, "Curve25519"))
    {
      algo = VCARD_ALGO_CV25519;
      bit = VCARD_A_CV25519;
    }
  else if ((a.algo == CARD_ALGO_ECDSA && keyno != 1)
           || (a.algo == CARD_ALGO_ECDH && keyno == 1))
    {
      if (!strcmp (a.curve, "NIST P-256"))
        {
          algo = VCARD_ALGO_NISTP256;
          bit = VCARD_A_P256;
        }
      else if (!strcmp (a.curve, "NIST P-384"))
        {
          algo = VCARD_ALGO_NISTP384;
          bit = VCARD_A_P384;
        }
    }
  if (!algo || (prof && !(prof->algos & bit)))
    return gpg_error (GPG_ERR_INV_VALUE);
  *r_algo = algo;
  *r_nbits = a.nbits;
  return 0;
}

/* The libgcrypt curve name of ALGO.  */
static const char *
curve_name (vcard_algo_t algo)
{
  switch (algo)
    {
    case VCARD_ALGO_ED25519: return "Ed25519";
    case VCARD_ALGO_CV25519: return "Curve25519";
    case VCARD_ALGO_NISTP256: return "NIST P-256";
    case VCARD_ALGO_NISTP384: return "NIST P-384";
    default: return NULL;
    }
}

/* Field size in bytes of the curve of ALGO.  */
static size_t
field_bytes (vcard_algo_t algo)
{
  return algo == VCARD_ALGO_NISTP384 ? 48 : 32;
}

/* Build a Cv25519 private key from the native scalar SCALAR (32 bytes,
 * secure memory).  */
static gpg_error_t
cv25519_from_scalar (unsigned char *scalar, gcry_sexp_t *r_sk)
{
  gpg_error_t err;
  unsigned char q[33];

  *r_sk = NULL;
  scalar[0] &= 0xf8;
  scalar[31] &= 0x7f;
  scalar[31] |= 0x40;
  q[0] = 0x40;
  err = gcry_ecc_mul_point (GCRY_ECC_CURVE25519, q + 1, scalar, NULL);
  if (err)
    return err;
  return gcry_sexp_build (r_sk, NULL,
                          "(private-key (ecc (curve Curve25519)"
                          "(flags djb-tweak)(q %b)(d %b)))",
                          33, q, 32, scalar);
}

/* Generate a new private key of type ALGO (NBITS for RSA).  */
gpg_error_t
vcard_key_generate (vcard_algo_t algo, unsigned int nbits, gcry_sexp_t *r_sk)
{
  gpg_error_t err;
  gcry_sexp_t parms = NULL, key = NULL;
  unsigned char *scalar = NULL;

  *r_sk = NULL;
  switch (algo)
    {
    case VCARD_ALGO_RSA:
      err = gcry_sexp_build (&parms, NULL,
                             "(genkey (rsa (nbits %u)(rsa-use-e 5:65537)))",
                             nbits);
      break;
    case VCARD_ALGO_ED25519:
      err = gcry_sexp_build (&parms, NULL,
                             "(genkey (ecc (curve Ed25519)(flags eddsa)))");
      break;
    case VCARD_ALGO_NISTP256:
    case VCARD_ALGO_NISTP384:
      err = gcry_sexp_build (&parms, NULL, "(genkey (ecc (curve %s)))",
                             curve_name (algo));
      break;
    case VCARD_ALGO_CV25519:
      scalar = xtrymalloc_secure (32);
      if (!scalar)
        return oca_error_from_errno ();
      gcry_randomize (scalar, 32, GCRY_STRONG_RANDOM);
      err = cv25519_from_scalar (scalar, r_sk);
      wipe_and_free (scalar, 32);
      return err;
    default:
      return gpg_error (GPG_ERR_PUBKEY_ALGO);
    }
  if (err)
    goto leave;
  err = gcry_pk_genkey (&key, parms);
  if (err)
    goto leave;
  *r_sk = gcry_sexp_find_token (key, "private-key", 0);
  if (!*r_sk)
    err = gpg_error (GPG_ERR_INTERNAL);

 leave:
  gcry_sexp_release (parms);
  gcry_sexp_release (key);
  return err;
}

/* Read a BER length of a tag/length pair that has no value (the
 * 7F48 template lists tags and lengths only).  */
static gpg_error_t
get_len_novalue (brd_t *r, size_t *r_len)
{
  gpg_error_t err;
  unsigned int c, n;
  size_t len = 0;

  *r_len = 0;
  if ((err = brd_get_u8 (r, &c)))
    return err;
  if (c < 0x80)
    len = c;
  else if (c == 0x81 || c == 0x82)
    {
      for (n = c & 0x7f; n; n--)
        {
          if ((err = brd_get_u8 (r, &c)))
            return err;
          len = (len << 8) | c;
        }
    }
  else
    return gpg_error (GPG_ERR_INV_OBJ);
  *r_len = len;
  return 0;
}

/* Convert LEN big-endian bytes at P to a secure MPI.  */
static gpg_error_t
secure_mpi (const unsigned char *p, size_t len, gcry_mpi_t *r_mpi)
{
  gpg_error_t err;
  unsigned char *tmp;

  *r_mpi = NULL;
  tmp = xtrymalloc_secure (len ? len : 1);
  if (!tmp)
    return oca_error_from_errno ();
  if (len)
    memcpy (tmp, p, len);
  err = gcry_mpi_scan (r_mpi, GCRYMPI_FMT_USG, tmp, len, NULL);
  wipe_and_free (tmp, len ? len : 1);
  return err;
}

/* Build an RSA private key from E, P and Q; check the modulus has NBITS
 * bits and equals N when N is given.  */
static gpg_error_t
rsa_from_epq (gcry_mpi_t e, gcry_mpi_t p, gcry_mpi_t q, gcry_mpi_t n_given,
              unsigned int nbits, gcry_sexp_t *r_sk)
{
  gpg_error_t err;
  gcry_mpi_t n = NULL, d = NULL, u = NULL, p1 = NULL, q1 = NULL, phi = NULL;
  gcry_sexp_t sk = NULL;

  *r_sk = NULL;
  if (gcry_mpi_cmp (p, q) > 0)
    gcry_mpi_swap (p, q);  /* libgcrypt wants p < q.  */
  n = gcry_mpi_new (nbits);
  d = gcry_mpi_snew (nbits);
  u = gcry_mpi_snew (nbits);
  p1 = gcry_mpi_snew (nbits);
  q1 = gcry_mpi_snew (nbits);
  phi = gcry_mpi_snew (nbits);
  gcry_mpi_mul (n, p, q);
  if (gcry_mpi_get_nbits (n) != nbits
      || (n_given && gcry_mpi_cmp (n, n_given)))
    {
      err = gpg_error (GPG_ERR_INV_VALUE);
      goto leave;
    }
  gcry_mpi_sub_ui (p1, p, 1);
  gcry_mpi_sub_ui (q1, q, 1);
  gcry_mpi_mul (phi, p1, q1);
  if (!gcry_mpi_invm (d, e, phi) || !gcry_mpi_invm (u, p, q))
    {
      err = gpg_error (GPG_ERR_INV_VALUE);
      goto leave;
    }
  err = gcry_sexp_build (&sk, NULL,
                         "(private-key (rsa (n %m)(e %m)(d %m)(p %m)(q %m)"
                         "(u %m)))", n, e, d, p, q, u);
  if (err)
    goto leave;
  if (gcry_pk_testkey (sk))
    {
      err = gpg_error (GPG_ERR_BAD_SECKEY);
      goto leave;
    }
  *r_sk = sk;
  sk = NULL;

 leave:
  gcry_sexp_release (sk);
  gcry_mpi_release (n);
  gcry_mpi_release (d);
  gcry_mpi_release (u);
  gcry_mpi_release (p1);
  gcry_mpi_release (q1);
  gcry_mpi_release (phi);
  return err;
}

/* Build an ECC private key of ALGO from the big-endian scalar D/DLEN.
 * PUB/PUBLEN, when given, must match the computed public key (tag 99 of
 * the import; 25519 keys with or without the 40 prefix).  */
static gpg_error_t
ecc_from_d (vcard_algo_t algo, const unsigned char *d, size_t dlen,
            const unsigned char *pub, size_t publen, gcry_sexp_t *r_sk)
{
  gpg_error_t err;
  gcry_ctx_t ctx = NULL;
  gcry_mpi_t dm = NULL, qm = NULL;
  gcry_sexp_t sk = NULL;
  unsigned char *buf = NULL;
  const unsigned char *qbuf;
  unsigned int qbits;
  size_t fb = field_bytes (algo);
  size_t i, qlen;
  unsigned char q[2 + 2 * 48];   /* 04|X|Y of P-384, or 40|Ed25519.  */

  *r_sk = NULL;
  /* Strip leading zeros beyond the field size, then left-pad.  */
  while (dlen > fb && !*d)
    {
      d++;
      dlen--;
    }
  if (dlen > fb || !dlen)
    return gpg_error (GPG_ERR_INV_VALUE);
  buf = xtrycalloc_secure (1, fb);
  if (!buf)
    return oca_error_from_errno ();
  memcpy (buf + fb - dlen, d, dlen);

  if (algo == VCARD_ALGO_CV25519)
    {
      /* OpenPGP big-endian -> native little-endian.  */
      for (i = 0; i < 16; i++)
        {
          unsigned char t = buf[i];
          buf[i] = buf[31 - i];
          buf[31 - i] = t;
        }
      err = cv25519_from_scalar (buf, &sk);
      if (err)
        goto leave;
      if (pub)
        {
          gcry_sexp_t l = gcry_sexp_find_token (sk, "q", 0);
          size_t n;
          const char *qd = l ? gcry_sexp_nth_data (l, 1, &n) : NULL;

          if (publen == 33 && *pub == 0x40)
            {
              pub++;
              publen--;
            }
          if (!qd || n != 33 || publen != 32 || memcmp (qd + 1, pub, 32))
            err = gpg_error (GPG_ERR_INV_VALUE);
          gcry_sexp_release (l);
          if (err)
            goto leave;
        }
      *r_sk = sk;
      sk = NULL;
      goto leave;
    }

  /* Let libgcrypt compute the public key from a key with D only.  */
  if (algo == VCARD_ALGO_ED25519)
    err = gcry_sexp_build (&sk, NULL,
                           "(private-key (ecc (curve Ed25519)(flags eddsa)"
                           "(d %b)))", (int)fb, buf);
  else
    {
      err = gcry_mpi_scan (&dm, GCRYMPI_FMT_USG, buf, fb, NULL);
      if (!err)
        err = gcry_sexp_build (&sk, NULL,
                               "(private-key (ecc (curve %s)(d %m)))",
                               curve_name (algo), dm);
    }
  if (!err)
    err = gcry_mpi_ec_new (&ctx, sk, NULL);
  gcry_sexp_release (sk);
  sk = NULL;
  if (err)
    goto leave;
  qm = gcry_mpi_ec_get_mpi (algo == VCARD_ALGO_ED25519 ? "q@eddsa" : "q",
                            ctx, 1);
  if (!qm)
    {
      err = gpg_error (GPG_ERR_INV_VALUE);
      goto leave;
    }
  qbuf = gcry_mpi_get_opaque (qm, &qbits);
  if (gcry_mpi_get_flag (qm, GCRYMPI_FLAG_OPAQUE) && qbuf)
    {
      qlen = (qbits + 7) / 8;
      if (qlen > sizeof q - 1)
        {
          err = gpg_error (GPG_ERR_INV_VALUE);
          goto leave;
        }
      if (algo == VCARD_ALGO_ED25519)
        {
          q[0] = 0x40;
          memcpy (q + 1, qbuf, qlen);
          qlen++;
        }
      else
        memcpy (q, qbuf, qlen);
    }
  else
    {
      err = gcry_mpi_print (GCRYMPI_FMT_USG, q, sizeof q, &qlen, qm);
      if (err)
        goto leave;
      if (algo == VCARD_ALGO_ED25519)
        {
          memmove (q + 1, q, qlen);
          q[0] = 0x40;
          qlen++;
        }
    }
  if (pub)
    {
      const unsigned char *cmp = q;
      size_t cmplen = qlen;

      if (algo == VCARD_ALGO_ED25519 && publen == 32)
        {
          cmp++;
          cmplen--;
        }
      if (publen != cmplen || memcmp (pub, cmp, cmplen))
        {
          err = gpg_error (GPG_ERR_INV_VALUE);
          goto leave;
        }
    }
  if (algo == VCARD_ALGO_ED25519)
    err = gcry_sexp_build (&sk, NULL,
                           "(private-key (ecc (curve Ed25519)(flags eddsa)"
                           "(q %b)(d %b)))", (int)qlen, q, (int)fb, buf);
  else
    err = gcry_sexp_build (&sk, NULL,
                           "(private-key (ecc (curve %s)(q %b)(d %m)))",
                           curve_name (algo), (int)qlen, q, dm);
  if (err)
    goto leave;
  if (gcry_pk_testkey (sk))
    {
      err = gpg_error (GPG_ERR_BAD_SECKEY);
      goto leave;
    }
  *r_sk = sk;
  sk = NULL;

 leave:
  gcry_sexp_release (sk);
  gcry_mpi_release (dm);
  gcry_mpi_release (qm);
  gcry_ctx_release (ctx);
  wipe_and_free (buf, fb);
  return err;
}

/* The tag list 7F48 must have for RSA import format FORMAT.  */
static const char *
rsa_format_tags (int format)
{
  switch (format)
    {
    case 0: return "\x91\x92\x93";
    case 1: return "\x91\x92\x93\x97";
    case 2: return "\x91\x92\x93\x94\x95\x96";
    default: return "\x91\x92\x93\x94\x95\x96\x97";
    }
}

/* Check the CRT values of an import: PQ = q^-1 mod p, DP1 = d mod
 * (p-1), DQ1 = d mod (q-1) for the key SK built from e, p, q (the
 * template's p and q order).  */
static gpg_error_t
check_crt (gcry_sexp_t sk, gcry_mpi_t p, gcry_mpi_t q,
           const unsigned char *const *comp, const size_t *complen)
{
  gpg_error_t err;
  gcry_mpi_t d = NULL, t = NULL, r = NULL, v = NULL;
  gcry_sexp_t l;
  int i, bad = 0;

  l = gcry_sexp_find_token (sk, "d", 0);
  d = l ? gcry_sexp_nth_mpi (l, 1, GCRYMPI_FMT_USG) : NULL;
  gcry_sexp_release (l);
  if (!d)
    return gpg_error (GPG_ERR_INV_VALUE);
  t = gcry_mpi_snew (0);
  r = gcry_mpi_snew (0);
  for (i = 0; i < 3 && !bad; i++)
    {
      if (i == 0)
        {
          if (!gcry_mpi_invm (r, q, p))
            bad = 1;
        }
      else
        {
          gcry_mpi_sub_ui (t, i == 1 ? p : q, 1);
          gcry_mpi_mod (r, d, t);
        }
      err = gcry_mpi_scan (&v, GCRYMPI_FMT_USG, comp[3 + i], complen[3 + i],
                           NULL);
      if (err || gcry_mpi_cmp (v, r))
        bad = 1;
      gcry_mpi_release (v);
      v = NULL;
    }
  gcry_mpi_release (d);
  gcry_mpi_release (t);
  gcry_mpi_release (r);
  return bad ? gpg_error (GPG_ERR_INV_VALUE) : 0;
}

/* Import a private key from the value of the 4D extended header list
 * following the control reference template: DATA/DATALEN holds the
 * 7F48 template and the 5F48 concatenation.  ALGO/NBITS come from the
 * slot's attributes, RULES say how strict the card is (NULL: lenient).
 * GPG_ERR_INV_VALUE / INV_OBJ for bad input.  */
gpg_error_t
vcard_key_import (vcard_algo_t algo, unsigned int nbits,
                  const vcard_import_rules_t *rules,
                  const unsigned char *data, size_t datalen,
                  gcry_sexp_t *r_sk)
{
  gpg_error_t err;
  brd_t r, tmpl, vals;
  unsigned int tag;
  int cons;
  const unsigned char *comp[8];   /* Tags 91..98 (index tag-0x91).  */
  size_t complen[8];
  const unsigned char *pub = NULL;
  size_t publen = 0;
  gcry_mpi_t e = NULL, p = NULL, q = NULL, n = NULL;
  unsigned char tags[10];
  size_t ntags = 0;
  static const vcard_import_rules_t lenient = { -1, 0, 2 };

  *r_sk = NULL;
  if (!rules)
    rules = &lenient;
  memset (comp, 0, sizeof comp);
  memset (complen, 0, sizeof complen);
  brd_init (&r, data, datalen);
  if ((err = brd_get_tlv (&r, &tag, &cons, &tmpl)))
    return err;
  if (tag != 0x7f48)
    return gpg_error (GPG_ERR_INV_OBJ);
  if ((err = brd_get_tlv (&r, &tag, &cons, &vals)))
    return err;
  if (tag != 0x5f48)
    return gpg_error (GPG_ERR_INV_OBJ);
  if ((err = brd_end (&r)))
    return err;

  while (brd_left (&tmpl))
    {
      size_t len;
      const unsigned char *v;

      if ((err = brd_get_ber_tag (&tmpl, &tag, &cons))
          || (err = get_len_novalue (&tmpl, &len))
          || (err = brd_get_bytes (&vals, len, &v)))
        return err;
      if (ntags < sizeof tags)
        tags[ntags] = tag;
      ntags++;
      if (tag >= 0x91 && tag <= 0x98)
        {
          if (comp[tag - 0x91])
            return gpg_error (GPG_ERR_INV_OBJ);  /* Duplicate.  */
          comp[tag - 0x91] = v;
          complen[tag - 0x91] = len;
        }
      else if (tag == 0x99)
        {
          pub = v;
          publen = len;
        }
      else
        return gpg_error (GPG_ERR_INV_OBJ);
    }
  if ((err = brd_end (&vals)))
    return err;

  if (algo == VCARD_ALGO_RSA)
    {
      /* 91 e, 92 p, 93 q; 94..96 (CRT) and 97 n are checked.  */
      if (!comp[0] || !comp[1] || !comp[2] || !complen[0]
          || complen[1] != nbits / 16 || complen[2] != nbits / 16
          || complen[0] > 4)
        return gpg_error (GPG_ERR_INV_VALUE);
      if (rules->rsa_format >= 0)
        {
          /* A strict card takes its own format only, in order.  u,
           * dp and dq may be shorter than a prime: GnuPG's scdaemon
           * sends them without leading zero bytes (its template takes
           * each value's own length; only e is padded), and the cards
           * its keytocard works with take them so.  */
          const char *want = rsa_format_tags (rules->rsa_format);

          if (ntags != strlen (want) || memcmp (tags, want, ntags)
              || (rules->rsa_elen && complen[0] != rules->rsa_elen)
              || (comp[3] && (!complen[3] || complen[3] > nbits / 16
                              || !complen[4] || complen[4] > nbits / 16
                              || !complen[5] || complen[5] > nbits / 16))
              || (comp[6] && complen[6] != nbits / 8))
            return gpg_error (GPG_ERR_INV_VALUE);
        }
      if ((err = secure_mpi (comp[0], complen[0], &e))
          || (err = secure_mpi (comp[1], complen[1], &p))
          || (err = secure_mpi (comp[2], complen[2], &q)))
        goto leave;
      if (comp[6] && (err = gcry_mpi_scan (&n, GCRYMPI_FMT_USG, comp[6],
                                           complen[6], NULL)))
        goto leave;
      if (comp[3] && (!comp[4] || !comp[5]))
        {
          err = gpg_error (GPG_ERR_INV_VALUE);
          goto leave;
        }
      if (comp[3])
        {
          /* Keep the template's order of p and q for the CRT check.  */
          gcry_mpi_t p0 = gcry_mpi_copy (p), q0 = gcry_mpi_copy (q);

          err = rsa_from_epq (e, p, q, n, nbits, r_sk);
          if (!err)
            err = check_crt (*r_sk, p0, q0, comp, complen);
          gcry_mpi_release (p0);
          gcry_mpi_release (q0);
          if (err)
            {
              gcry_sexp_release (*r_sk);
              *r_sk = NULL;
            }
        }
      else
        err = rsa_from_epq (e, p, q, n, nbits, r_sk);
    }
  else
    {
      if (!comp[1] || ntags != (pub ? 2 : 1))
        return gpg_error (GPG_ERR_INV_VALUE);
      if ((pub && !rules->ecc_pubkey) || (!pub && rules->ecc_pubkey == 1))
        return gpg_error (GPG_ERR_INV_VALUE);
      err = ecc_from_d (algo, comp[1], complen[1], pub, publen, r_sk);
    }

 leave:
  gcry_mpi_release (e);
  gcry_mpi_release (p);
  gcry_mpi_release (q);
  gcry_mpi_release (n);
  return err;
}

/* Append the bytes of parameter NAME of SK (an MPI, printed unsigned,
 * or raw data) to MB as TLV TAG.  When SKIP40, a leading 40 byte of a
 * 33-byte value is dropped.  */
static gpg_error_t
put_param (membuf_t *mb, unsigned int tag, gcry_sexp_t sk, const char *name,
           int skip40)
{
  gcry_sexp_t l;
  const char *d;
  size_t n;

  l = gcry_sexp_find_token (sk, name, 0);
  if (!l)
    return gpg_error (GPG_ERR_NO_OBJ);
  d = gcry_sexp_nth_data (l, 1, &n);
  if (!d)
    {
      gcry_sexp_release (l);
      return gpg_error (GPG_ERR_NO_OBJ);
    }
  while (!skip40 && n > 1 && !*d)
    {
      d++;
      n--;
    }
  if (skip40 && n == 33 && *d == 0x40)
    {
      d++;
      n--;
    }
  vcard_put_tlv (mb, tag, d, n);
  gcry_sexp_release (l);
  return 0;
}

/* Append the contents of the public key template 7F49 (without the
 * outer tag) of SK to MB: 81 n, 82 e for RSA, 86 point for ECC.  */
gpg_error_t
vcard_key_pubtemplate (vcard_algo_t algo, gcry_sexp_t sk, membuf_t *mb)
{
  gpg_error_t err;

  if (algo == VCARD_ALGO_RSA)
    {
      if ((err = put_param (mb, 0x81, sk, "n", 0)))
        return err;
      return put_param (mb, 0x82, sk, "e", 0);
    }
  return put_param (mb, 0x86, sk, "q",
                    algo == VCARD_ALGO_ED25519 || algo == VCARD_ALGO_CV25519);
}

/* Print MPI parameter NAME of the S-expression S right-justified into
 * LEN bytes at BUF.  */
static gpg_error_t
get_fixed (gcry_sexp_t s, const char *name, unsigned char *buf, size_t len)
{
  gcry_sexp_t l;
  const char *d;
  size_t n;

  memset (buf, 0, len);
  l = gcry_sexp_find_token (s, name, 0);
  if (!l)
    return gpg_error (GPG_ERR_INV_DATA);
  d = gcry_sexp_nth_data (l, 1, &n);
  while (d && n > len && !*d)
    {
      d++;
      n--;
    }
  if (!d || n > len)
    {
      gcry_sexp_release (l);
      return gpg_error (GPG_ERR_INV_DATA);
    }
  memcpy (buf + len - n, d, n);
  gcry_sexp_release (l);
  return 0;
}

/* Modulus length in bytes of an RSA key.  */
static size_t
rsa_bytes (gcry_sexp_t sk)
{
  return (gcry_pk_get_nbits (sk) + 7) / 8;
}

/* Compute a signature with SK over DATA/DATALEN as the card does for
 * PSO:CDS and INTERNAL AUTHENTICATE and append it to MB.  RSA: PKCS#1
 * v1.5 over the given DigestInfo; ECDSA: raw hash, r|s; EdDSA: the
 * message, R|S.  GPG_ERR_INV_LENGTH when DATA does not fit.  */
gpg_error_t
vcard_key_sign (vcard_algo_t algo, gcry_sexp_t sk,
                const unsigned char *data, size_t datalen, membuf_t *mb)
{
  gpg_error_t err;
  gcry_sexp_t sdata = NULL, sig = NULL;
  gcry_mpi_t m = NULL;
  unsigned char *em = NULL;
  size_t k = 0, fb;
  unsigned char *out;

  if (algo == VCARD_ALGO_RSA)
    {
      k = rsa_bytes (sk);
      if (!datalen || datalen + PKCS1_OVERHEAD > k)
        return gpg_error (GPG_ERR_INV_LENGTH);
      em = xtrymalloc_secure (k);
      if (!em)
        return oca_error_from_errno ();
      em[0] = 0;
      em[1] = 1;
      memset (em + 2, 0xff, k - datalen - 3);
      em[k - datalen - 1] = 0;
      memcpy (em + k - datalen, data, datalen);
      err = gcry_mpi_scan (&m, GCRYMPI_FMT_USG, em, k, NULL);
      if (!err)
        err = gcry_sexp_build (&sdata, NULL, "(data (flags raw)(value %m))",
                               m);
      if (!err)
        err = gcry_pk_sign (&sig, sdata, sk);
      if (!err && (out = membuf_reserve (mb, k)))
        err = get_fixed (sig, "s", out, k);
      goto leave;
    }
  if (algo == VCARD_ALGO_CV25519 || algo == VCARD_ALGO_NONE)
    return gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO);

  fb = field_bytes (algo);
  if (!datalen || datalen > 64)
    return gpg_error (GPG_ERR_INV_LENGTH);
  if (algo == VCARD_ALGO_ED25519)
    err = gcry_sexp_build (&sdata, NULL,
                           "(data (flags eddsa)(hash-algo sha512)"
                           "(value %b))", (int)datalen, data);
  else
    err = gcry_sexp_build (&sdata, NULL, "(data (flags raw)(value %b))",
                           (int)datalen, data);
  if (!err)
    err = gcry_pk_sign (&sig, sdata, sk);
  if (!err && (out = membuf_reserve (mb, 2 * fb)))
    {
      err = get_fixed (sig, "r", out, fb);
      if (!err)
        err = get_fixed (sig, "s", out + fb, fb);
    }

 leave:
  if (!err)
    err = membuf_error (mb);
  gcry_sexp_release (sdata);
  gcry_sexp_release (sig);
  gcry_mpi_release (m);
  wipe_and_free (em, k);
  return err;
}

/* PSO:DECIPHER with SK.  RSA: DATA is 00 | cryptogram; the PKCS#1
 * v1.5 decoded session key is appended to MB.  ECDH: DATA is
 * A6 { 7F49 { 86 point } }; the shared secret (X coordinate, or the
 * X25519 result) is appended.  */
gpg_error_t
vcard_key_decipher (vcard_algo_t algo, gcry_sexp_t sk,
                    const unsigned char *data, size_t datalen, membuf_t *mb)
{
  gpg_error_t err;
  gcry_sexp_t senc = NULL, plain = NULL;
  gcry_mpi_t c = NULL;
  brd_t r, a6, tmpl, pt;
  unsigned int tag;
  int cons;
  const unsigned char *point;
  size_t pointlen, k, fb, n;
  const char *d;

  if (algo == VCARD_ALGO_RSA)
    {
      k = rsa_bytes (sk);
      if (datalen < 2 || data[0] != 0x00 || datalen - 1 > k)
        return gpg_error (GPG_ERR_INV_VALUE);
      err = gcry_mpi_scan (&c, GCRYMPI_FMT_USG, data + 1, datalen - 1, NULL);
      if (!err)
        err = gcry_sexp_build (&senc, NULL,
                               "(enc-val (flags pkcs1)(rsa (a %m)))", c);
      if (!err)
        err = gcry_pk_decrypt (&plain, senc, sk);
      if (err)
        {
          err = gpg_error (GPG_ERR_INV_VALUE);
          goto leave;
        }
      d = gcry_sexp_nth_data (plain, 1, &n);
      if (!d)
        {
          gcry_sexp_t l = gcry_sexp_find_token (plain, "value", 0);
          d = l ? gcry_sexp_nth_data (l, 1, &n) : NULL;
          if (d)
            membuf_put (mb, d, n);
          gcry_sexp_release (l);
        }
      else
        membuf_put (mb, d, n);
      if (!d)
        err = gpg_error (GPG_ERR_INV_VALUE);
      goto leave;
    }

  if (algo != VCARD_ALGO_CV25519 && algo != VCARD_ALGO_NISTP256
      && algo != VCARD_ALGO_NISTP384)
    return gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO);

  brd_init (&r, data, datalen);
  if ((err = brd_get_tlv (&r, &tag, &cons, &a6)) || tag != 0xa6
      || brd_end (&r)
      || (err = brd_get_tlv (&a6, &tag, &cons, &tmpl)) || tag != 0x7f49
      || brd_end (&a6)
      || (err = brd_get_tlv (&tmpl, &tag, &cons, &pt)) || tag != 0x86
      || brd_end (&tmpl))
    return gpg_error (GPG_ERR_INV_VALUE);
  brd_rest (&pt, &point, &pointlen);
  fb = field_bytes (algo);

  if (algo == VCARD_ALGO_CV25519)
    {
      unsigned char scalar[32], result[32];
      static const unsigned char zero[32];

      if (pointlen == 33 && point[0] == 0x40)
        {
          point++;
          pointlen--;
        }
      if (pointlen != 32)
        return gpg_error (GPG_ERR_INV_VALUE);
      err = get_fixed (sk, "d", scalar, 32);
      if (!err)
        err = gcry_ecc_mul_point (GCRY_ECC_CURVE25519, result, scalar, point);
      wipememory (scalar, sizeof scalar);
      if (!err && !memcmp (result, zero, 32))
        err = gpg_error (GPG_ERR_INV_VALUE);
      if (!err)
        membuf_put (mb, result, 32);
      wipememory (result, sizeof result);
      goto leave;
    }

  if (pointlen != 1 + 2 * fb || point[0] != 0x04)
    return gpg_error (GPG_ERR_INV_VALUE);
  err = gcry_sexp_build (&senc, NULL, "(enc-val (ecdh (e %b)))",
                         (int)pointlen, point);
  if (!err)
    err = gcry_pk_decrypt (&plain, senc, sk);
  if (err)
    {
      err = gpg_error (GPG_ERR_INV_VALUE);
      goto leave;
    }
  {
    gcry_sexp_t l = gcry_sexp_find_token (plain, "value", 0);
    d = l ? gcry_sexp_nth_data (l, 1, &n) : NULL;
    if (!d || n != 1 + 2 * fb || d[0] != 0x04)
      err = gpg_error (GPG_ERR_INV_VALUE);
    else
      membuf_put (mb, d + 1, fb);
    gcry_sexp_release (l);
  }

 leave:
  if (!err)
    err = membuf_error (mb);
  gcry_sexp_release (senc);
  gcry_sexp_release (plain);
  gcry_mpi_release (c);
  return err;
}
