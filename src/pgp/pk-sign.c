/* pk-sign.c - signatures: making and verifying them with libgcrypt
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * pk_sign and pk_verify on the cached S-expressions of a key (pk.c):
 * several threads may sign with one key at once.  RSA signing blinds
 * the message itself with a cached, renewed blinding pair (see
 * rsa_sign_blinded); ECDSA uses deterministic nonces (RFC 6979).
 */

#include <config.h>
#include "oca-common.h"

#include <pthread.h>
#include <string.h>

#include "pk-int.h"

/* How many signatures reuse one RSA blinding pair (squared after each
 * use) before a fresh random one is made; OpenSSL's BN_BLINDING uses
 * the same scheme and count.  */
#define RSA_BLIND_REUSE 32


/*
 * Signing and verification.
 */

/* Extract the atom after token NAME of SEXP as an MPI without leading
 * zeros into *MPI (normal memory).  */
static gpg_error_t
sig_param (gcry_sexp_t sexp, const char *name, pk_mpi_t *mpi)
{
  gcry_sexp_t l;
  const char *data;
  size_t len;
  gpg_error_t err;

  l = gcry_sexp_find_token (sexp, name, 0);
  if (!l)
    return gpg_error (GPG_ERR_INV_OBJ);
  data = gcry_sexp_nth_data (l, 1, &len);
  err = data ? _pk_store_mpi (mpi, 0, (const unsigned char *)data, len)
             : gpg_error (GPG_ERR_INV_OBJ);
  gcry_sexp_release (l);
  return err;
}


/* Build the (data ...) S-expression for signing (FOR_SIGN) or
 * verifying DIGEST with KEY.  */
static gpg_error_t
build_data (const pk_key_t *key, const struct hash_info *h,
            const unsigned char *digest, size_t digestlen, int for_sign,
            gcry_sexp_t *r_data)
{
  const struct curve_info *ci;
  size_t n;

  *r_data = NULL;
  switch (key->algo)
    {
    case PK_RSA:
      return gcry_sexp_build (r_data, NULL, "(data(flags pkcs1)(hash %s %b))",
                              h->name, (int)digestlen, digest);
    case PK_ECDSA:
      /* Deterministic k (RFC 6979): no RNG dependency, and it keeps
       * libgcrypt's global random-pool lock out of the signing path,
       * so ECDSA signing scales over threads.  libgcrypt truncates the
       * digest to the group order's bit length.  */
      if (for_sign)
        return gcry_sexp_build (r_data, NULL,
                                "(data(flags rfc6979)(hash %s %b))",
                                h->name, (int)digestlen, digest);
      /* Truncate to the byte length of the group order (gpg-agent's
       * rule); libgcrypt handles any remaining bits (P-521).  */
      ci = _pk_find_curve (key->curve);
      n = digestlen;
      if (ci && n > ci->nbits / 8)
        n = ci->nbits / 8;
      return gcry_sexp_build (r_data, NULL, "(data(flags raw)(value %b))",
                              (int)n, digest);
    case PK_EDDSA:
      return gcry_sexp_build (r_data, NULL,
                              "(data(flags eddsa)(hash-algo sha512)"
                              "(value %b))", (int)digestlen, digest);
    default:
      return gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO);
    }
}


/* Common argument checks of pk_sign/pk_verify.  */
static gpg_error_t
check_op_args (const pk_key_t *key, int hashalgo,
               const unsigned char *digest, size_t digestlen,
               const struct hash_info **r_h)
{
  const struct hash_info *h;

  *r_h = NULL;
  if (!key || !digest)
    return gpg_error (GPG_ERR_INV_ARG);
  if (!pk_algo_nsig (key->algo))
    return gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO);
  h = _pk_find_hash (hashalgo);
  if (!h)
    return gpg_error (GPG_ERR_DIGEST_ALGO);
  if (digestlen != h->len)
    return gpg_error (GPG_ERR_INV_LENGTH);
  *r_h = h;
  return 0;
}


/*
 * RSA signing with amortised message blinding.
 *
 * libgcrypt blinds each RSA private operation with a fresh random r,
 * and the modular inversion r^-1 mod n this needs costs about a third
 * of an RSA4096 signature.  The bulk certifier signs hundreds of times
 * with one key, so pk_sign blinds the message itself the way OpenSSL's
 * BN_BLINDING does: a random pair A = r^e, AI = r^-1 (mod n) is made
 * once, squared after each use (giving the pair of r^2), and replaced
 * by a fresh random pair every RSA_BLIND_REUSE uses.  The blinded
 * EMSA-PKCS1-v1_5 block x*A goes to libgcrypt as a raw value with
 * (flags no-blinding): libgcrypt still blinds the CRT exponents and
 * checks its result against its input (fault attacks).  We unblind
 * with AI and check s^e == x once more, so a wrong signature never
 * leaves pk_sign.  The pair lives in secure memory.
 */

/* Store A*B mod N in *R (a fresh secure MPI).  */
static void
mulm_secure (gcry_mpi_t *r, gcry_mpi_t a, gcry_mpi_t b, gcry_mpi_t n)
{
  *r = gcry_mpi_snew (gcry_mpi_get_nbits (n));
  gcry_mpi_mulm (*r, a, b, n);
}


/* Make a fresh random blinding pair for modulus N and exponent E.  */
static gpg_error_t
rsa_blind_fresh (gcry_mpi_t n, gcry_mpi_t e,
                 gcry_mpi_t *r_a, gcry_mpi_t *r_ai)
{
  unsigned int nbits = gcry_mpi_get_nbits (n);
  gcry_mpi_t r, ai, a;
  int tries;

  *r_a = *r_ai = NULL;
  r = gcry_mpi_snew (nbits);
  ai = gcry_mpi_snew (nbits);
  for (tries = 0; ; tries++)
    {
      if (tries == 64)
        {
          gcry_mpi_release (r);
          gcry_mpi_release (ai);
          return gpg_error (GPG_ERR_INTERNAL);
        }
      /* Weak randomness is what libgcrypt uses for blinding too.  */
      gcry_mpi_randomize (r, nbits, GCRY_WEAK_RANDOM);
      gcry_mpi_mod (r, r, n);
      if (gcry_mpi_cmp_ui (r, 1) > 0 && gcry_mpi_invm (ai, r, n))
        break;
    }
  a = gcry_mpi_snew (nbits);
  gcry_mpi_powm (a, r, e, n);
  gcry_mpi_release (r);
  *r_a = a;
  *r_ai = ai;
  return 0;
}


/* Take a blinding pair of C for one signature (the caller releases
 * both).  Thread-safe.  */
static gpg_error_t
rsa_blind_take (struct pk_cache *c, gcry_mpi_t *r_a, gcry_mpi_t *r_ai)
{
  gpg_error_t err;
  gcry_mpi_t a = NULL, ai = NULL, sa, sai;
  int rc;

  *r_a = *r_ai = NULL;
  rc = pthread_mutex_lock (&c->bl_lock);
  if (rc)
    return gpg_error_from_errno (rc);
  if (c->bl_a && c->bl_uses < RSA_BLIND_REUSE)
    {
      /* Hand out the current pair; keep its square.  */
      a = c->bl_a;
      ai = c->bl_ai;
      mulm_secure (&c->bl_a, a, a, c->n);
      mulm_secure (&c->bl_ai, ai, ai, c->n);
      c->bl_uses++;
    }
  pthread_mutex_unlock (&c->bl_lock);
  if (a)
    {
      *r_a = a;
      *r_ai = ai;
      return 0;
    }

  /* None yet or used up: make a fresh one (outside the lock; the
   * inversion is the slow part) and keep its square.  */
  err = rsa_blind_fresh (c->n, c->e, &a, &ai);
  if (err)
    return err;
  mulm_secure (&sa, a, a, c->n);
  mulm_secure (&sai, ai, ai, c->n);
  rc = pthread_mutex_lock (&c->bl_lock);
  if (rc)
    {
      err = gpg_error_from_errno (rc);
      gcry_mpi_release (a);
      gcry_mpi_release (ai);
      gcry_mpi_release (sa);
      gcry_mpi_release (sai);
      return err;
    }
  if (!c->bl_a || c->bl_uses >= RSA_BLIND_REUSE)
    {
      gcry_mpi_t t;

      t = c->bl_a; c->bl_a = sa; sa = t;
      t = c->bl_ai; c->bl_ai = sai; sai = t;
      c->bl_uses = 0;
    }
  pthread_mutex_unlock (&c->bl_lock);
  gcry_mpi_release (sa);
  gcry_mpi_release (sai);
  *r_a = a;
  *r_ai = ai;
  return 0;
}


/* The EMSA-PKCS1-v1_5 block (RFC 8017, 9.2) of DIGEST/DIGESTLEN (hash
 * H) for a modulus of NBITS bits, as an MPI at R_M.  */
static gpg_error_t
rsa_encode_pkcs1 (const struct hash_info *h, const unsigned char *digest,
                  size_t digestlen, unsigned int nbits, gcry_mpi_t *r_m)
{
  gpg_error_t err;
  unsigned char asn[32];
  size_t asnlen = sizeof asn;
  size_t nframe = (nbits + 7) / 8;
  size_t tlen;
  unsigned char *em;

  *r_m = NULL;
  if (gcry_md_algo_info (h->gcry, GCRYCTL_GET_ASNOID, asn, &asnlen))
    return gpg_error (GPG_ERR_DIGEST_ALGO);
  tlen = asnlen + digestlen;
  if (nframe < tlen + 11)
    return gpg_error (GPG_ERR_TOO_SHORT);
  em = xtrymalloc (nframe);
  if (!em)
    return oca_error_from_errno ();
  em[0] = 0x00;
  em[1] = 0x01;
  memset (em + 2, 0xff, nframe - tlen - 3);
  em[nframe - tlen - 1] = 0x00;
  memcpy (em + nframe - tlen, asn, asnlen);
  memcpy (em + nframe - digestlen, digest, digestlen);
  err = gcry_mpi_scan (r_m, GCRYMPI_FMT_USG, em, nframe, NULL);
  xfree (em);
  return err;
}


/* Sign DIGEST with the RSA key cached in C using our blinding.  On
 * success *R_S receives the signature.  Returns GPG_ERR_NOT_SUPPORTED
 * if libgcrypt refuses the raw operation (the caller then lets
 * libgcrypt do all of it).  */
static gpg_error_t
rsa_sign_blinded (const struct pk_cache *cc, const struct hash_info *h,
                  const unsigned char *digest, size_t digestlen,
                  pk_mpi_t *r_s)
{
  gpg_error_t err;
  struct pk_cache *c = (struct pk_cache *)cc;  /* Blinding state.  */
  gcry_mpi_t m = NULL, a = NULL, ai = NULL, x = NULL, sb = NULL;
  gcry_mpi_t s = NULL, chk = NULL;
  gcry_sexp_t s_data = NULL, s_sig = NULL, l = NULL;
  unsigned char *buf = NULL;
  size_t len;

  err = rsa_encode_pkcs1 (h, digest, digestlen, gcry_mpi_get_nbits (c->n),
                          &m);
  if (err)
    goto leave;
  err = rsa_blind_take (c, &a, &ai);
  if (err)
    goto leave;
  x = gcry_mpi_new (0);
  gcry_mpi_mulm (x, m, a, c->n);
  err = gcry_sexp_build (&s_data, NULL,
                         "(data(flags raw no-blinding)(value %m))", x);
  if (err)
    goto leave;
  if (gcry_pk_sign (&s_sig, s_data, c->sec))
    {
      err = gpg_error (GPG_ERR_NOT_SUPPORTED);
      goto leave;
    }
  l = gcry_sexp_find_token (s_sig, "s", 0);
  sb = l ? gcry_sexp_nth_mpi (l, 1, GCRYMPI_FMT_USG) : NULL;
  if (!sb)
    {
      err = gpg_error (GPG_ERR_INV_OBJ);
      goto leave;
    }
  s = gcry_mpi_new (0);
  gcry_mpi_mulm (s, sb, ai, c->n);
  chk = gcry_mpi_new (0);
  gcry_mpi_powm (chk, s, c->e, c->n);
  if (gcry_mpi_cmp (chk, m))
    {
      err = gpg_error (GPG_ERR_BAD_SIGNATURE);
      goto leave;
    }
  err = gcry_mpi_aprint (GCRYMPI_FMT_USG, &buf, &len, s);
  if (err)
    goto leave;
  err = _pk_store_mpi (r_s, 0, buf, len);

 leave:
  gcry_free (buf);
  gcry_sexp_release (l);
  gcry_sexp_release (s_sig);
  gcry_sexp_release (s_data);
  gcry_mpi_release (chk);
  gcry_mpi_release (s);
  gcry_mpi_release (sb);
  gcry_mpi_release (x);
  gcry_mpi_release (ai);
  gcry_mpi_release (a);
  gcry_mpi_release (m);
  return err;
}


/* Sign DIGEST/DIGESTLEN (hash HASHALGO) with the secret KEY; see
 * pk.h.  SIG[0..*R_NSIG-1] receive fresh MPIs.  Thread-safe.  */
gpg_error_t
pk_sign (const pk_key_t *key, int hashalgo,
         const unsigned char *digest, size_t digestlen,
         pk_mpi_t sig[PK_MAX_SIG], unsigned int *r_nsig)
{
  gpg_error_t err;
  const struct hash_info *h;
  const struct pk_cache *c;
  gcry_sexp_t s_data = NULL, s_sig = NULL;
  pk_mpi_t out[PK_MAX_SIG];
  unsigned int i, nsig = 0;

  memset (out, 0, sizeof out);
  if (r_nsig)
    *r_nsig = 0;
  if (sig)
    memset (sig, 0, PK_MAX_SIG * sizeof *sig);
  if (!sig || !r_nsig)
    return gpg_error (GPG_ERR_INV_ARG);
  err = check_op_args (key, hashalgo, digest, digestlen, &h);
  if (err)
    goto leave;
  if (!pk_key_has_secret (key))
    {
      err = gpg_error (GPG_ERR_NO_SECKEY);
      goto leave;
    }
  err = _pk_get_cache (key, &c);
  if (err)
    goto leave;
  if (!c->sec)
    {
      err = c->sec_err ? c->sec_err : gpg_error (GPG_ERR_NO_SECKEY);
      goto leave;
    }
  err = gpg_error (GPG_ERR_NOT_SUPPORTED);
  if (key->algo == PK_RSA && c->n && c->e)
    err = rsa_sign_blinded (c, h, digest, digestlen, &out[0]);
  if (gpg_err_code (err) == GPG_ERR_NOT_SUPPORTED)
    {
      /* Not RSA, or libgcrypt refused the raw operation.  */
      pk_mpi_release (&out[0]);
      err = build_data (key, h, digest, digestlen, 1, &s_data);
      if (err)
        goto leave;
      err = gcry_pk_sign (&s_sig, s_data, c->sec);
      if (err)
        goto leave;
      if (key->algo == PK_RSA)
        err = sig_param (s_sig, "s", &out[0]);
      else
        {
          err = sig_param (s_sig, "r", &out[0]);
          if (!err)
            err = sig_param (s_sig, "s", &out[1]);
        }
    }
  if (err)
    goto leave;
  nsig = pk_algo_nsig (key->algo);

  for (i = 0; i < PK_MAX_SIG; i++)
    {
      sig[i] = out[i];
      out[i].data = NULL;
      out[i].len = 0;
    }
  *r_nsig = nsig;

 leave:
  for (i = 0; i < PK_MAX_SIG; i++)
    pk_mpi_release (&out[i]);
  gcry_sexp_release (s_data);
  gcry_sexp_release (s_sig);
  return err;
}


/* Public-key verifications made by this process (pk_verify_count).  */
static unsigned long verify_count;

/* See pk.h.  */
unsigned long
pk_verify_count (void)
{
  return __atomic_load_n (&verify_count, __ATOMIC_RELAXED);
}


/* Verify SIG/NSIG over DIGEST/DIGESTLEN (hash HASHALGO) with the
 * public part of KEY.  Returns 0 or GPG_ERR_BAD_SIGNATURE, or another
 * error for malformed input.  Thread-safe.  */
gpg_error_t
pk_verify (const pk_key_t *key, int hashalgo,
           const unsigned char *digest, size_t digestlen,
           const pk_mpi_t *sig, unsigned int nsig)
{
  gpg_error_t err;
  const struct hash_info *h;
  const struct pk_cache *c;
  gcry_sexp_t s_data = NULL, s_sig = NULL;
  unsigned char r32[32], s32[32];
  unsigned int i;

  err = check_op_args (key, hashalgo, digest, digestlen, &h);
  if (err)
    goto leave;
  if (!sig || nsig != pk_algo_nsig (key->algo))
    {
      err = gpg_error (GPG_ERR_INV_ARG);
      goto leave;
    }
  for (i = 0; i < nsig; i++)
    if (!sig[i].data || !sig[i].len || sig[i].len > PK_MAX_MPI_BYTES)
      {
        err = gpg_error (GPG_ERR_BAD_SIGNATURE);
        goto leave;
      }
  err = _pk_get_cache (key, &c);
  if (err)
    goto leave;
  err = build_data (key, h, digest, digestlen, 0, &s_data);
  if (err)
    goto leave;

  switch (key->algo)
    {
    case PK_RSA:
      err = gcry_sexp_build (&s_sig, NULL, "(sig-val(rsa(s%b)))",
                             (int)sig[0].len, sig[0].data);
      break;
    case PK_ECDSA:
      err = gcry_sexp_build (&s_sig, NULL, "(sig-val(ecdsa(r%b)(s%b)))",
                             (int)sig[0].len, sig[0].data,
                             (int)sig[1].len, sig[1].data);
      break;
    default: /* PK_EDDSA: R and S are 32-byte strings; OpenPGP
              * stripped their leading zeros.  */
      if (sig[0].len > 32 || sig[1].len > 32)
        {
          err = gpg_error (GPG_ERR_BAD_SIGNATURE);
          goto leave;
        }
      memset (r32, 0, sizeof r32);
      memset (s32, 0, sizeof s32);
      memcpy (r32 + 32 - sig[0].len, sig[0].data, sig[0].len);
      memcpy (s32 + 32 - sig[1].len, sig[1].data, sig[1].len);
      err = gcry_sexp_build (&s_sig, NULL, "(sig-val(eddsa(r%b)(s%b)))",
                             32, r32, 32, s32);
      break;
    }
  if (err)
    goto leave;

  __atomic_fetch_add (&verify_count, 1, __ATOMIC_RELAXED);
  err = gcry_pk_verify (s_sig, s_data, c->pub);
  if (err && gpg_err_code (err) != GPG_ERR_BAD_SIGNATURE)
    {
      /* libgcrypt reports some forgeries (e.g. s >= n, points not on
       * the curve) with other codes; a signature that does not parse
       * into a valid one is a bad signature for our callers.  */
      switch (gpg_err_code (err))
        {
        case GPG_ERR_INV_DATA:
        case GPG_ERR_INV_VALUE:
        case GPG_ERR_INV_OBJ:
        case GPG_ERR_INV_LENGTH:
        case GPG_ERR_BROKEN_SECKEY:
        case GPG_ERR_BROKEN_PUBKEY:
          err = gpg_error (GPG_ERR_BAD_SIGNATURE);
          break;
        default:
          break;
        }
    }

 leave:
  gcry_sexp_release (s_data);
  gcry_sexp_release (s_sig);
  return err;
}
