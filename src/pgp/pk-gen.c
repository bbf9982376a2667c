/* pk-gen.c - key generation and the consistency check of secret keys
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * pk_generate makes keys with libgcrypt and hands them over as OpenPGP
 * MPIs (RSA with p < q, as RFC 4880 stores it); pk_check_secret checks
 * that the secret part of a key belongs to its public part (libgcrypt's
 * test, the RSA relations, the ECC public point recomputed).
 */

#include <config.h>
#include "oca-common.h"

#include <string.h>

#include "pk-int.h"

/* Key material caps.  */
#define RSA_MIN_GEN_BITS 2048
#define RSA_MAX_GEN_BITS 4096


/*
 * Generation.
 */

/* Store the data of the first atom after the token NAME in LIST into
 * MPI number IDX of KEY (SECRET as in pk_key_set_mpi).  */
static gpg_error_t
take_param (pk_key_t *key, gcry_sexp_t list, const char *name,
            int secret, unsigned int idx)
{
  gcry_sexp_t l;
  const char *data;
  size_t len;
  gpg_error_t err;

  l = gcry_sexp_find_token (list, name, 0);
  if (!l)
    return gpg_error (GPG_ERR_INV_OBJ);
  data = gcry_sexp_nth_data (l, 1, &len);
  err = data ? pk_key_set_mpi (key, secret, idx,
                               (const unsigned char *)data, len)
             : gpg_error (GPG_ERR_INV_OBJ);
  gcry_sexp_release (l);
  return err;
}


/* Store the public point (q ...) of the ECC key S-expression LIST as
 * pub[0] of KEY in OpenPGP form: 40 || x for the 25519 curves (raw
 * 32-byte points get the prefix; leading zero bytes of the point are
 * significant), 04 || X || Y for NIST.  */
static gpg_error_t
take_point (pk_key_t *key, gcry_sexp_t list)
{
  gcry_sexp_t l;
  const char *data;
  size_t len;
  unsigned char buf[33];
  gpg_error_t err;

  l = gcry_sexp_find_token (list, "q", 0);
  if (!l)
    return gpg_error (GPG_ERR_INV_OBJ);
  data = gcry_sexp_nth_data (l, 1, &len);
  if (!data)
    err = gpg_error (GPG_ERR_INV_OBJ);
  else if ((key->curve == PK_CURVE_ED25519 || key->curve == PK_CURVE_CV25519)
           && len == 32)
    {
      buf[0] = 0x40;
      memcpy (buf + 1, data, 32);
      err = pk_key_set_mpi (key, 0, 0, buf, sizeof buf);
    }
  else
    err = pk_key_set_mpi (key, 0, 0, (const unsigned char *)data, len);
  gcry_sexp_release (l);
  return err;
}


/* Store the unsigned big-endian bytes of A as MPI IDX of KEY.  */
static gpg_error_t
set_from_gcry_mpi (pk_key_t *key, int secret, unsigned int idx,
                   gcry_mpi_t a)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;

  err = gcry_mpi_aprint (GCRYMPI_FMT_USG, &buf, &len, a);
  if (!err)
    err = pk_key_set_mpi (key, secret, idx, buf, len);
  wipe_and_free (buf, len);
  return err;
}


/* Make sure p < q in the RSA KEY as RFC 4880 wants it; if not, swap
 * p and q and recompute u = p^-1 mod q.  */
static gpg_error_t
rsa_order_pq (pk_key_t *key)
{
  gpg_error_t err;
  gcry_mpi_t p = NULL, q = NULL, u = NULL;

  err = gcry_mpi_scan (&p, GCRYMPI_FMT_USG, key->sec[1].data,
                       key->sec[1].len, NULL);
  if (!err)
    err = gcry_mpi_scan (&q, GCRYMPI_FMT_USG, key->sec[2].data,
                         key->sec[2].len, NULL);
  if (err)
    goto leave;
  if (gcry_mpi_cmp (p, q) < 0)
    goto leave;  /* Already in order.  */
  if (!gcry_mpi_cmp (p, q))
    {
      err = gpg_error (GPG_ERR_BAD_SECKEY);
      goto leave;
    }
  u = gcry_mpi_snew (0);
  if (!gcry_mpi_invm (u, q, p))  /* New p is old q.  */
    {
      err = gpg_error (GPG_ERR_BAD_SECKEY);
      goto leave;
    }
  err = set_from_gcry_mpi (key, 1, 1, q);
  if (!err)
    err = set_from_gcry_mpi (key, 1, 2, p);
  if (!err)
    err = set_from_gcry_mpi (key, 1, 3, u);

 leave:
  gcry_mpi_release (p);
  gcry_mpi_release (q);
  gcry_mpi_release (u);
  return err;
}


/* Generate a key of ALGO/CURVE (NBITS for RSA: 2048..4096, multiple of
 * 8) and store it at R_KEY.  ECDH keys get GnuPG's KDF defaults.  */
gpg_error_t
pk_generate (int algo, int curve, unsigned int nbits, pk_key_t **r_key)
{
  gpg_error_t err;
  const struct curve_info *ci = NULL;
  gcry_sexp_t parms = NULL, keypair = NULL, skey = NULL;
  pk_key_t *key = NULL;

  if (!r_key)
    return gpg_error (GPG_ERR_INV_ARG);
  *r_key = NULL;
  if (!pk_algo_supported (algo, curve))
    return gpg_error (GPG_ERR_PUBKEY_ALGO);
  if (algo == PK_RSA
      && (nbits < RSA_MIN_GEN_BITS || nbits > RSA_MAX_GEN_BITS || nbits % 8))
    return gpg_error (GPG_ERR_INV_VALUE);
  if (algo != PK_RSA)
    ci = _pk_find_curve (curve);

  if (algo == PK_RSA)
    err = gcry_sexp_build (&parms, NULL, "(genkey(rsa(nbits %u)))", nbits);
  else if (curve == PK_CURVE_ED25519)
    err = gcry_sexp_build (&parms, NULL,
                           "(genkey(ecc(curve%s)(flags eddsa)))", ci->name);
  else if (curve == PK_CURVE_CV25519)
    err = gcry_sexp_build (&parms, NULL,
                           "(genkey(ecc(curve%s)(flags djb-tweak comp)))",
                           ci->name);
  else
    err = gcry_sexp_build (&parms, NULL, "(genkey(ecc(curve%s)))", ci->name);
  if (err)
    goto leave;
  err = gcry_pk_genkey (&keypair, parms);
  if (err)
    goto leave;
  skey = gcry_sexp_find_token (keypair, "private-key", 0);
  if (!skey)
    {
      err = gpg_error (GPG_ERR_INV_OBJ);
      goto leave;
    }

  err = pk_key_new (&key);
  if (err)
    goto leave;
  key->algo = algo;
  key->curve = algo == PK_RSA ? PK_CURVE_NONE : curve;
  if (algo == PK_RSA)
    {
      if ((err = take_param (key, skey, "n", 0, 0))
          || (err = take_param (key, skey, "e", 0, 1))
          || (err = take_param (key, skey, "d", 1, 0))
          || (err = take_param (key, skey, "p", 1, 1))
          || (err = take_param (key, skey, "q", 1, 2))
          || (err = take_param (key, skey, "u", 1, 3)))
        goto leave;
      err = rsa_order_pq (key);
      if (err)
        goto leave;
    }
  else
    {
      if ((err = take_point (key, skey))
          || (err = take_param (key, skey, "d", 1, 0)))
        goto leave;
      if (algo == PK_ECDH)
        {
          key->kdf_hash = ci->kdf_hash;
          key->kdf_cipher = ci->kdf_cipher;
        }
    }

  /* Never hand out a key that does not check out.  */
  err = pk_check_secret (key);
  if (err)
    goto leave;

  *r_key = key;
  key = NULL;

 leave:
  pk_key_release (key);
  gcry_sexp_release (skey);
  gcry_sexp_release (keypair);
  gcry_sexp_release (parms);
  return err;
}



/*
 * Checks.
 */

/* Scan MPI into a fresh secure gcry MPI.  */
static gpg_error_t
scan_mpi (gcry_mpi_t *r_a, const pk_mpi_t *mpi)
{
  gpg_error_t err;

  *r_a = NULL;
  err = gcry_mpi_scan (r_a, GCRYMPI_FMT_USG, mpi->data, mpi->len, NULL);
  if (!err)
    gcry_mpi_set_flag (*r_a, GCRYMPI_FLAG_SECURE);
  return err;
}


/* Full consistency check of an RSA secret key: n = p*q, p < q,
 * u*p = 1 mod q, e*d = 1 mod p-1 and mod q-1.  */
static gpg_error_t
rsa_check_secret (const pk_key_t *key)
{
  gpg_error_t err;
  gcry_mpi_t n = NULL, e = NULL, d = NULL, p = NULL, q = NULL, u = NULL;
  gcry_mpi_t t = NULL, p1 = NULL, q1 = NULL;
  gcry_mpi_t one;

  one = gcry_mpi_set_ui (NULL, 1);
  if ((err = scan_mpi (&n, &key->pub[0]))
      || (err = scan_mpi (&e, &key->pub[1]))
      || (err = scan_mpi (&d, &key->sec[0]))
      || (err = scan_mpi (&p, &key->sec[1]))
      || (err = scan_mpi (&q, &key->sec[2]))
      || (err = scan_mpi (&u, &key->sec[3])))
    goto leave;
  t = gcry_mpi_snew (0);
  p1 = gcry_mpi_snew (0);
  q1 = gcry_mpi_snew (0);

  err = gpg_error (GPG_ERR_BAD_SECKEY);
  if (gcry_mpi_cmp (p, q) >= 0 || gcry_mpi_cmp_ui (p, 2) <= 0)
    goto leave;
  gcry_mpi_mul (t, p, q);
  if (gcry_mpi_cmp (t, n))
    goto leave;
  gcry_mpi_mulm (t, u, p, q);
  if (gcry_mpi_cmp (t, one))
    goto leave;
  gcry_mpi_sub_ui (p1, p, 1);
  gcry_mpi_sub_ui (q1, q, 1);
  gcry_mpi_mulm (t, e, d, p1);
  if (gcry_mpi_cmp (t, one))
    goto leave;
  gcry_mpi_mulm (t, e, d, q1);
  if (gcry_mpi_cmp (t, one))
    goto leave;
  err = 0;

 leave:
  gcry_mpi_release (one);
  gcry_mpi_release (n);
  gcry_mpi_release (e);
  gcry_mpi_release (d);
  gcry_mpi_release (p);
  gcry_mpi_release (q);
  gcry_mpi_release (u);
  gcry_mpi_release (t);
  gcry_mpi_release (p1);
  gcry_mpi_release (q1);
  return err;
}


/* Copy the bytes of the gcry MPI A (opaque or not) into a fresh
 * buffer *R_BUF (normal memory, public values only).  */
static gpg_error_t
mpi_bytes (gcry_mpi_t a, unsigned char **r_buf, size_t *r_len)
{
  *r_buf = NULL;
  *r_len = 0;
  if (gcry_mpi_get_flag (a, GCRYMPI_FLAG_OPAQUE))
    {
      unsigned int nbits;
      const void *p = gcry_mpi_get_opaque (a, &nbits);
      size_t n = (nbits + 7) / 8;
      unsigned char *buf;

      if (!p)
        return gpg_error (GPG_ERR_INV_OBJ);
      buf = xtrymalloc (n ? n : 1);
      if (!buf)
        return oca_error_from_errno ();
      memcpy (buf, p, n);
      *r_buf = buf;
      *r_len = n;
      return 0;
    }
  return gcry_mpi_aprint (GCRYMPI_FMT_USG, r_buf, r_len, a);
}


/* Derive the public point of the ECC secret KEY with libgcrypt and
 * compare it with KEY's q.  */
static gpg_error_t
ecc_check_secret (const pk_key_t *key)
{
  gpg_error_t err;
  const struct curve_info *ci = _pk_find_curve (key->curve);
  gcry_sexp_t s_sec = NULL;
  gcry_ctx_t ctx = NULL;
  gcry_mpi_t qd = NULL;
  unsigned char *scalar = NULL, *qbuf = NULL;
  size_t qlen = 0;
  const unsigned char *want = key->pub[0].data;
  size_t wantlen = key->pub[0].len;

  if (key->curve == PK_CURVE_CV25519)
    {
      /* X25519(k, 9) with k the native (little-endian) scalar.  */
      unsigned char native[32];
      unsigned char base[32] = { 9 };
      unsigned char result[32];
      size_t i;

      err = _pk_padded_scalar (key, ci, &scalar);
      if (err)
        goto leave;
      for (i = 0; i < 32; i++)
        native[i] = scalar[31 - i];
      err = gcry_ecc_mul_point (GCRY_ECC_CURVE25519, result, native, base);
      wipememory (native, sizeof native);
      if (err)
        goto leave;
      if (memcmp (result, want + 1, 32))
        err = gpg_error (GPG_ERR_BAD_SECKEY);
      goto leave;
    }

  err = _pk_build_secret (key, 1, &s_sec);
  if (err)
    goto leave;
  err = gcry_mpi_ec_new (&ctx, s_sec, NULL);
  if (err)
    goto leave;
  if (key->curve == PK_CURVE_ED25519)
    {
      qd = gcry_mpi_ec_get_mpi ("q@eddsa", ctx, 1);
      want++;     /* Compare without the 40 prefix.  */
      wantlen--;
    }
  else
    qd = gcry_mpi_ec_get_mpi ("q", ctx, 1);
  if (!qd)
    {
      err = gpg_error (GPG_ERR_BAD_SECKEY);
      goto leave;
    }
  err = mpi_bytes (qd, &qbuf, &qlen);
  if (err)
    goto leave;
  /* Ed25519 may come back with the 40 prefix.  */
  if (key->curve == PK_CURVE_ED25519 && qlen == 33 && qbuf[0] == 0x40)
    {
      if (qlen - 1 != wantlen || memcmp (qbuf + 1, want, wantlen))
        err = gpg_error (GPG_ERR_BAD_SECKEY);
    }
  else if (qlen != wantlen || memcmp (qbuf, want, wantlen))
    err = gpg_error (GPG_ERR_BAD_SECKEY);

 leave:
  if (scalar)
    wipe_and_free (scalar, ci->fieldbytes);
  xfree (qbuf);
  gcry_mpi_release (qd);
  gcry_ctx_release (ctx);
  gcry_sexp_release (s_sec);
  return err;
}


/* Check that the secret part of KEY matches its public part: RSA by
 * the number-theoretic relations (and gcry_pk_testkey), ECC by
 * deriving the public point from the secret scalar.  Returns 0,
 * GPG_ERR_NO_SECKEY, GPG_ERR_BAD_SECKEY or another error.  */
gpg_error_t
pk_check_secret (const pk_key_t *key)
{
  gpg_error_t err;
  const struct curve_info *ci;
  gcry_sexp_t s_sec = NULL;

  err = _pk_check_public (key, &ci);
  if (err)
    return err;
  err = _pk_check_secret_shape (key, ci);
  if (err)
    return err;

  if (key->algo == PK_RSA)
    {
      err = rsa_check_secret (key);
      if (err)
        return err;
      err = _pk_build_secret (key, 0, &s_sec);
      if (!err && gcry_pk_testkey (s_sec))
        err = gpg_error (GPG_ERR_BAD_SECKEY);
      gcry_sexp_release (s_sec);
      return err;
    }
  return ecc_check_secret (key);
}
