/* pk.c - public-key operations on OpenPGP key material (libgcrypt)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Implements the contract of pk.h: the tables, MPIs and keys, and the
 * libgcrypt S-expressions of a key (cached), its keygrip and READKEY
 * form; pk-gen.c generates keys and checks secret keys, pk-sign.c
 * signs and verifies (pk-int.h is what the three share).  Key material
 * arrives as OpenPGP MPIs (big-endian, no leading zeros) and is turned
 * into libgcrypt S-expressions in these files only.
 *
 * Notes on the representations:
 *
 * - RSA: OpenPGP and libgcrypt agree (u = p^-1 mod q with p < q), so
 *   the secret S-expression carries n, e, d, p, q, u and libgcrypt uses
 *   the CRT.  For the keygrip and READKEY form, n and e get one 00
 *   prefix byte when their top bit is set (what scdaemon sends and
 *   what gcry_pk_get_keygrip hashes).
 * - Ed25519: q is 40 || A; the secret is the 32-byte seed (left-padded
 *   back to 32 bytes after OpenPGP stripped leading zeros).  The
 *   S-expression carries (flags eddsa).  OpenPGP signs the digest as
 *   the EdDSA message.
 * - Curve25519: q is 40 || X.  OpenPGP stores the secret as a
 *   big-endian MPI whose bytes are the reversed native (little-endian)
 *   X25519 scalar, i.e. numerically the scalar itself, which is what
 *   libgcrypt's (d ...) wants.  The native scalar for X25519 is the
 *   byte-reversed, left-padded MPI.
 * - NIST curves: q is 04 || X || Y, d the big-endian scalar.  ECDSA
 *   digests longer than the group order are truncated to its byte
 *   length here (as gpg-agent does), so the result does not depend on
 *   how libgcrypt interprets leading zero bytes of the digest.  ECDSA
 *   signing uses RFC 6979 deterministic nonces.
 *
 * Performance: the public and secret S-expressions of a key are built
 * once and cached in KEY->cache (lazy, thread-safe double-checked
 * initialisation under one global mutex); gcry_pk_sign / gcry_pk_verify
 * only read them, so several threads may sign with one key at once.
 * Functions that change a key (pk_key_set_mpi, pk_key_drop_secret)
 * drop the cache and must not run concurrently with users of the key.
 * RSA signing blinds the message with a cached, renewed blinding pair
 * instead of libgcrypt's per-signature one (see rsa_sign_blinded).
 */

#include <config.h>
#include "oca-common.h"

#include <stdatomic.h>
#include <string.h>

#include "pk-int.h"
#include "card-data.h"

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* The last serial given out (pk_serial).  */
static _Atomic uint64_t serial_counter;


/* Curve table: what OpenPGP keys need beyond the card-data module's
 * curve (card_curve_by_name: OID, size), which NAME looks up.  */
static const struct curve_info curve_table[] =
  {
    { PK_CURVE_ED25519, "Ed25519", 255, 32, 0, 0 },
    { PK_CURVE_CV25519, "Curve25519", 255, 32,
      PK_HASH_SHA256, PK_CIPHER_AES128 },
    { PK_CURVE_NISTP256, "NIST P-256", 256, 32,
      PK_HASH_SHA256, PK_CIPHER_AES128 },
    { PK_CURVE_NISTP384, "NIST P-384", 384, 48,
      PK_HASH_SHA384, PK_CIPHER_AES256 },
    { PK_CURVE_NISTP521, "NIST P-521", 521, 66,
      PK_HASH_SHA512, PK_CIPHER_AES256 }
  };

/* See pk-int.h.  */
const struct curve_info *
_pk_find_curve (int curve)
{
  size_t i;

  for (i = 0; i < DIM (curve_table); i++)
    if (curve_table[i].curve == curve)
      return &curve_table[i];
  return NULL;
}


/* Hash table.  */
static const struct hash_info hash_table[] =
  {
    { PK_HASH_SHA1,   GCRY_MD_SHA1,   "sha1",   20 },
    { PK_HASH_SHA224, GCRY_MD_SHA224, "sha224", 28 },
    { PK_HASH_SHA256, GCRY_MD_SHA256, "sha256", 32 },
    { PK_HASH_SHA384, GCRY_MD_SHA384, "sha384", 48 },
    { PK_HASH_SHA512, GCRY_MD_SHA512, "sha512", 64 }
  };

/* See pk-int.h.  */
const struct hash_info *
_pk_find_hash (int hashalgo)
{
  size_t i;

  for (i = 0; i < DIM (hash_table); i++)
    if (hash_table[i].algo == hashalgo)
      return &hash_table[i];
  return NULL;
}


/* Map OpenPGP hash id HASHALGO to libgcrypt's, 0 if unsupported.  */
int
pk_hash_to_gcry (int hashalgo)
{
  const struct hash_info *h = _pk_find_hash (hashalgo);

  return h ? h->gcry : 0;
}


/* Digest length in bytes of OpenPGP hash HASHALGO, 0 if unsupported.  */
size_t
pk_hash_len (int hashalgo)
{
  const struct hash_info *h = _pk_find_hash (hashalgo);

  return h ? h->len : 0;
}



/*
 * MPIs and keys.
 */

/* Free MPI's data (wiping it) and clear it.  NULL is accepted.  */
void
pk_mpi_release (pk_mpi_t *mpi)
{
  if (!mpi)
    return;
  wipe_and_free (mpi->data, mpi->len);
  mpi->data = NULL;
  mpi->len = 0;
}


/* Store a copy of BUF/LEN without leading zeros in *MPI (which must
 * be empty); in secure memory when SECURE.  A zero value or one
 * longer than PK_MAX_MPI_BYTES is rejected.  */
gpg_error_t
_pk_store_mpi (pk_mpi_t *mpi, int secure, const unsigned char *buf, size_t len)
{
  unsigned char *p;

  while (len && !*buf)
    {
      buf++;
      len--;
    }
  if (!len)
    return gpg_error (GPG_ERR_INV_VALUE);
  if (len > PK_MAX_MPI_BYTES)
    return gpg_error (GPG_ERR_TOO_LARGE);
  p = secure ? xtrymalloc_secure (len) : xtrymalloc (len);
  if (!p)
    return oca_error_from_errno ();
  memcpy (p, buf, len);
  mpi->data = p;
  mpi->len = len;
  return 0;
}


/* Number of public MPIs of ALGO (0 if unknown).  */
unsigned int
pk_algo_npub (int algo)
{
  switch (algo)
    {
    case PK_RSA: return 2;
    case PK_ECDH:
    case PK_ECDSA:
    case PK_EDDSA: return 1;
    default: return 0;
    }
}


/* Number of secret MPIs of ALGO (0 if unknown).  */
unsigned int
pk_algo_nsec (int algo)
{
  switch (algo)
    {
    case PK_RSA: return 4;
    case PK_ECDH:
    case PK_ECDSA:
    case PK_EDDSA: return 1;
    default: return 0;
    }
}


/* Number of signature MPIs of ALGO (0 if it cannot sign).  */
unsigned int
pk_algo_nsig (int algo)
{
  switch (algo)
    {
    case PK_RSA: return 1;
    case PK_ECDSA:
    case PK_EDDSA: return 2;
    default: return 0;
    }
}


/* Whether ALGO with CURVE (PK_CURVE_NONE for RSA) is supported.  */
int
pk_algo_supported (int algo, int curve)
{
  switch (algo)
    {
    case PK_RSA:
      return curve == PK_CURVE_NONE;
    case PK_EDDSA:
      return curve == PK_CURVE_ED25519;
    case PK_ECDSA:
      return (curve == PK_CURVE_NISTP256 || curve == PK_CURVE_NISTP384
              || curve == PK_CURVE_NISTP521);
    case PK_ECDH:
      return (curve == PK_CURVE_CV25519 || curve == PK_CURVE_NISTP256
              || curve == PK_CURVE_NISTP384 || curve == PK_CURVE_NISTP521);
    default:
      return 0;
    }
}


/* Return the curve for the OID content bytes OID/OIDLEN (as in an
 * OpenPGP key packet, without tag and length), or PK_CURVE_NONE.  */
int
pk_curve_from_oid (const unsigned char *oid, size_t oidlen)
{
  size_t i, len;
  const unsigned char *ref;

  if (!oid)
    return PK_CURVE_NONE;
  for (i = 0; i < DIM (curve_table); i++)
    {
      ref = pk_curve_oid (curve_table[i].curve, &len);
      if (ref && len == oidlen && !memcmp (ref, oid, oidlen))
        return curve_table[i].curve;
    }
  return PK_CURVE_NONE;
}


/* Return the OID content bytes of CURVE and store their length at
 * R_LEN; NULL (and 0) for an unknown curve.  */
const unsigned char *
pk_curve_oid (int curve, size_t *r_len)
{
  const struct curve_info *ci = _pk_find_curve (curve);
  const card_curve_t *cc = ci ? card_curve_by_name (ci->name) : NULL;

  if (r_len)
    *r_len = cc ? cc->oidlen : 0;
  return cc ? cc->oid : NULL;
}


/* Return libgcrypt's name of CURVE, NULL if unknown.  */
const char *
pk_curve_name (int curve)
{
  const struct curve_info *ci = _pk_find_curve (curve);

  return ci ? ci->name : NULL;
}


/* Drop the cached S-expressions of KEY.  */
static void
cache_free (pk_key_t *key)
{
  struct pk_cache *c = key->cache;

  if (!c)
    return;
  gcry_sexp_release (c->pub);
  gcry_sexp_release (c->sec);
  gcry_mpi_release (c->n);
  gcry_mpi_release (c->e);
  gcry_mpi_release (c->bl_a);   /* Secure MPIs are wiped on release.  */
  gcry_mpi_release (c->bl_ai);
  if (c->bl_lock_inited)
    pthread_mutex_destroy (&c->bl_lock);
  xfree (c);
  key->cache = NULL;
}


/* See pk.h.  */
uint64_t
pk_serial (_Atomic uint64_t *slot)
{
  uint64_t s = atomic_load (slot), n;

  if (s)
    return s;
  n = atomic_fetch_add (&serial_counter, 1) + 1;
  if (atomic_compare_exchange_strong (slot, &s, n))
    return n;
  return s;  /* Another thread gave it one first.  */
}


/* Allocate an empty key and store it at R_KEY.  */
gpg_error_t
pk_key_new (pk_key_t **r_key)
{
  pk_key_t *key;

  if (!r_key)
    return gpg_error (GPG_ERR_INV_ARG);
  *r_key = NULL;
  key = xtrycalloc (1, sizeof *key);
  if (!key)
    return oca_error_from_errno ();
  *r_key = key;
  return 0;
}


/* Wipe the secret part of KEY and free it.  Drops the cache.  */
void
pk_key_drop_secret (pk_key_t *key)
{
  unsigned int i;

  if (!key)
    return;
  cache_free (key);
  for (i = 0; i < PK_MAX_SEC; i++)
    pk_mpi_release (&key->sec[i]);
  key->nsec = 0;
}


/* Wipe and free KEY.  NULL is accepted.  */
void
pk_key_release (pk_key_t *key)
{
  unsigned int i;

  if (!key)
    return;
  pk_key_drop_secret (key);
  for (i = 0; i < PK_MAX_PUB; i++)
    pk_mpi_release (&key->pub[i]);
  wipememory (key, sizeof *key);
  xfree (key);
}


/* Set MPI number IDX of the public (SECRET=0) or secret (SECRET=1)
 * part of KEY from BUF/LEN.  Leading zeros are stripped; zero is
 * rejected (GPG_ERR_INV_VALUE), as is a value above PK_MAX_MPI_BYTES.
 * Secret parts go to secure memory.  NPUB/NSEC grow to IDX+1.  Drops
 * the cache.  */
gpg_error_t
pk_key_set_mpi (pk_key_t *key, int secret, unsigned int idx,
                const unsigned char *buf, size_t len)
{
  pk_mpi_t tmp = { NULL, 0 };
  pk_mpi_t *slot;
  gpg_error_t err;

  if (!key || (!buf && len))
    return gpg_error (GPG_ERR_INV_ARG);
  if (idx >= (secret ? PK_MAX_SEC : PK_MAX_PUB))
    return gpg_error (GPG_ERR_INV_INDEX);
  err = _pk_store_mpi (&tmp, secret, buf, len);
  if (err)
    return err;
  cache_free (key);
  if (!secret)
    atomic_store (&key->serial_, 0);
  slot = secret ? &key->sec[idx] : &key->pub[idx];
  pk_mpi_release (slot);
  *slot = tmp;
  if (secret && key->nsec < idx + 1)
    key->nsec = idx + 1;
  if (!secret && key->npub < idx + 1)
    key->npub = idx + 1;
  return 0;
}


/* Deep copy of KEY (without the secret part when PUBLIC_ONLY) to
 * *R_COPY.  The cache is not copied.  */
gpg_error_t
pk_key_copy (const pk_key_t *key, int public_only, pk_key_t **r_copy)
{
  gpg_error_t err;
  pk_key_t *copy = NULL;
  unsigned int i;

  if (!r_copy)
    return gpg_error (GPG_ERR_INV_ARG);
  *r_copy = NULL;
  if (!key || key->npub > PK_MAX_PUB || key->nsec > PK_MAX_SEC)
    return gpg_error (GPG_ERR_INV_ARG);

  err = pk_key_new (&copy);
  if (err)
    goto leave;
  copy->algo = key->algo;
  copy->curve = key->curve;
  copy->kdf_hash = key->kdf_hash;
  copy->kdf_cipher = key->kdf_cipher;
  for (i = 0; i < key->npub; i++)
    if (key->pub[i].data)
      {
        err = _pk_store_mpi (&copy->pub[i], 0, key->pub[i].data,
                             key->pub[i].len);
        if (err)
          goto leave;
      }
  copy->npub = key->npub;
  if (!public_only)
    {
      for (i = 0; i < key->nsec; i++)
        if (key->sec[i].data)
          {
            err = _pk_store_mpi (&copy->sec[i], 1,
                           key->sec[i].data, key->sec[i].len);
            if (err)
              goto leave;
          }
      copy->nsec = key->nsec;
    }

  *r_copy = copy;
  copy = NULL;

 leave:
  pk_key_release (copy);
  return err;
}



/*
 * Building S-expressions.
 */

/* Check that the public part of KEY is complete and well-formed for
 * its algorithm; store the curve info (NULL for RSA) at R_CI.  */
gpg_error_t
_pk_check_public (const pk_key_t *key, const struct curve_info **r_ci)
{
  const struct curve_info *ci = NULL;
  unsigned int i;

  *r_ci = NULL;
  if (!key)
    return gpg_error (GPG_ERR_INV_ARG);
  if (!pk_algo_supported (key->algo, key->curve))
    return gpg_error (key->algo == PK_RSA || key->algo == PK_ECDH
                      || key->algo == PK_ECDSA || key->algo == PK_EDDSA
                      ? GPG_ERR_UNKNOWN_CURVE : GPG_ERR_PUBKEY_ALGO);
  if (key->npub != pk_algo_npub (key->algo))
    return gpg_error (GPG_ERR_BAD_PUBKEY);
  for (i = 0; i < key->npub; i++)
    if (!key->pub[i].data || !key->pub[i].len)
      return gpg_error (GPG_ERR_BAD_PUBKEY);

  if (key->algo != PK_RSA)
    {
      const pk_mpi_t *q = &key->pub[0];

      ci = _pk_find_curve (key->curve);
      if (key->curve == PK_CURVE_ED25519 || key->curve == PK_CURVE_CV25519)
        {
          if (q->len != 33 || q->data[0] != 0x40)
            return gpg_error (GPG_ERR_BAD_PUBKEY);
        }
      else if (q->len != 1 + 2 * ci->fieldbytes || q->data[0] != 0x04)
        return gpg_error (GPG_ERR_BAD_PUBKEY);
    }
  *r_ci = ci;
  return 0;
}


/* Check the secret part of KEY for completeness and sizes.  */
gpg_error_t
_pk_check_secret_shape (const pk_key_t *key, const struct curve_info *ci)
{
  unsigned int i;

  if (!key->nsec)
    return gpg_error (GPG_ERR_NO_SECKEY);
  if (key->nsec != pk_algo_nsec (key->algo))
    return gpg_error (GPG_ERR_BAD_SECKEY);
  for (i = 0; i < key->nsec; i++)
    if (!key->sec[i].data || !key->sec[i].len)
      return gpg_error (GPG_ERR_BAD_SECKEY);
  if (ci && key->sec[0].len > ci->fieldbytes)
    return gpg_error (GPG_ERR_BAD_SECKEY);
  return 0;
}


/* Return in *R_BUF (normal memory) a copy of MPI with one 00 byte in
 * front when its top bit is set; length at R_LEN.  */
static gpg_error_t
prefixed_copy (const pk_mpi_t *mpi, unsigned char **r_buf, size_t *r_len)
{
  size_t pad = (mpi->data[0] & 0x80) ? 1 : 0;
  unsigned char *p;

  *r_buf = NULL;
  *r_len = 0;
  p = xtrymalloc (mpi->len + pad);
  if (!p)
    return oca_error_from_errno ();
  p[0] = 0;
  memcpy (p + pad, mpi->data, mpi->len);
  *r_buf = p;
  *r_len = mpi->len + pad;
  return 0;
}


/* Build the public-key S-expression of KEY in the form scdaemon's
 * READKEY returns (spec B.6).  */
static gpg_error_t
build_public (const pk_key_t *key, gcry_sexp_t *r_sexp)
{
  gpg_error_t err;
  const struct curve_info *ci;
  unsigned char *n = NULL, *e = NULL;
  size_t nlen, elen;

  *r_sexp = NULL;
  err = _pk_check_public (key, &ci);
  if (err)
    goto leave;

  if (key->algo == PK_RSA)
    {
      err = prefixed_copy (&key->pub[0], &n, &nlen);
      if (!err)
        err = prefixed_copy (&key->pub[1], &e, &elen);
      if (!err)
        err = gcry_sexp_build (r_sexp, NULL,
                               "(public-key(rsa(n%b)(e%b)))",
                               (int)nlen, n, (int)elen, e);
    }
  else if (key->curve == PK_CURVE_ED25519)
    err = gcry_sexp_build (r_sexp, NULL,
                           "(public-key(ecc(curve%s)(flags eddsa)(q%b)))",
                           ci->name,
                           (int)key->pub[0].len, key->pub[0].data);
  else if (key->curve == PK_CURVE_CV25519)
    err = gcry_sexp_build (r_sexp, NULL,
                           "(public-key(ecc(curve%s)(flags djb-tweak)(q%b)))",
                           ci->name,
                           (int)key->pub[0].len, key->pub[0].data);
  else
    err = gcry_sexp_build (r_sexp, NULL,
                           "(public-key(ecc(curve%s)(q%b)))",
                           ci->name,
                           (int)key->pub[0].len, key->pub[0].data);

 leave:
  xfree (n);
  xfree (e);
  return err;
}


/* Copy the ECC scalar of KEY left-padded to the field size into a
 * fresh secure buffer *R_BUF of CI->fieldbytes bytes.  */
gpg_error_t
_pk_padded_scalar (const pk_key_t *key, const struct curve_info *ci,
                   unsigned char **r_buf)
{
  unsigned char *p;
  size_t off = ci->fieldbytes - key->sec[0].len;

  *r_buf = NULL;
  p = xtrycalloc_secure (1, ci->fieldbytes);
  if (!p)
    return oca_error_from_errno ();
  memcpy (p + off, key->sec[0].data, key->sec[0].len);
  *r_buf = p;
  return 0;
}


/* Build the private-key S-expression of KEY.  With NO_Q the public
 * point is left out (libgcrypt then derives it; used to check the
 * secret).  The result lives in secure memory.  */
gpg_error_t
_pk_build_secret (const pk_key_t *key, int no_q, gcry_sexp_t *r_sexp)
{
  gpg_error_t err;
  const struct curve_info *ci;
  unsigned char *d = NULL;
  const pk_mpi_t *m = key->sec;
  const pk_mpi_t *q = &key->pub[0];

  *r_sexp = NULL;
  err = _pk_check_public (key, &ci);
  if (err)
    goto leave;
  err = _pk_check_secret_shape (key, ci);
  if (err)
    goto leave;

  if (key->algo == PK_RSA)
    {
      err = gcry_sexp_build (r_sexp, NULL,
                             "(private-key(rsa(n%b)(e%b)"
                             "(d%b)(p%b)(q%b)(u%b)))",
                             (int)key->pub[0].len, key->pub[0].data,
                             (int)key->pub[1].len, key->pub[1].data,
                             (int)m[0].len, m[0].data,
                             (int)m[1].len, m[1].data,
                             (int)m[2].len, m[2].data,
                             (int)m[3].len, m[3].data);
      goto leave;
    }

  err = _pk_padded_scalar (key, ci, &d);
  if (err)
    goto leave;
  if (key->curve == PK_CURVE_ED25519)
    err = no_q
      ? gcry_sexp_build (r_sexp, NULL,
                         "(private-key(ecc(curve%s)(flags eddsa)(d%b)))",
                         ci->name, (int)ci->fieldbytes, d)
      : gcry_sexp_build (r_sexp, NULL,
                         "(private-key(ecc(curve%s)(flags eddsa)"
                         "(q%b)(d%b)))", ci->name,
                         (int)q->len, q->data, (int)ci->fieldbytes, d);
  else if (key->curve == PK_CURVE_CV25519)
    err = no_q
      ? gcry_sexp_build (r_sexp, NULL,
                         "(private-key(ecc(curve%s)(flags djb-tweak)(d%b)))",
                         ci->name, (int)ci->fieldbytes, d)
      : gcry_sexp_build (r_sexp, NULL,
                         "(private-key(ecc(curve%s)(flags djb-tweak)"
                         "(q%b)(d%b)))", ci->name,
                         (int)q->len, q->data, (int)ci->fieldbytes, d);
  else
    err = no_q
      ? gcry_sexp_build (r_sexp, NULL,
                         "(private-key(ecc(curve%s)(d%b)))",
                         ci->name, (int)ci->fieldbytes, d)
      : gcry_sexp_build (r_sexp, NULL,
                         "(private-key(ecc(curve%s)(q%b)(d%b)))", ci->name,
                         (int)q->len, q->data, (int)ci->fieldbytes, d);

 leave:
  if (d)
    wipe_and_free (d, ci->fieldbytes);
  return err;
}


/* Return the cached S-expressions of KEY at R_CACHE, building them on
 * first use.  Thread-safe (double-checked under CACHE_LOCK).  The
 * secret S-expression is only built when KEY has a secret part.  */
gpg_error_t
_pk_get_cache (const pk_key_t *key, const struct pk_cache **r_cache)
{
  gpg_error_t err = 0;
  pk_key_t *mkey = (pk_key_t *)key;  /* The cache is logically const.  */
  struct pk_cache *c;
  int rc;

  *r_cache = NULL;
  c = __atomic_load_n (&mkey->cache, __ATOMIC_ACQUIRE);
  if (c)
    {
      *r_cache = c;
      return 0;
    }

  rc = pthread_mutex_lock (&cache_lock);
  if (rc)
    return gpg_error_from_errno (rc);
  c = __atomic_load_n (&mkey->cache, __ATOMIC_ACQUIRE);
  if (c)
    goto leave;

  c = xtrycalloc (1, sizeof *c);
  if (!c)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  err = build_public (key, &c->pub);
  if (err)
    {
      xfree (c);
      c = NULL;
      goto leave;
    }
  /* A malformed secret part must not break public operations.  */
  c->sec_err = (pk_key_has_secret (key)
                ? _pk_build_secret (key, 0, &c->sec)
                : gpg_error (GPG_ERR_NO_SECKEY));
  /* RSA signing: N and E for our own message blinding.  Without them
   * pk_sign falls back to libgcrypt's blinding.  */
  if (c->sec && key->algo == PK_RSA
      && !pthread_mutex_init (&c->bl_lock, NULL))
    {
      c->bl_lock_inited = 1;
      if (gcry_mpi_scan (&c->n, GCRYMPI_FMT_USG, key->pub[0].data,
                         key->pub[0].len, NULL)
          || gcry_mpi_scan (&c->e, GCRYMPI_FMT_USG, key->pub[1].data,
                            key->pub[1].len, NULL))
        {
          gcry_mpi_release (c->n);
          gcry_mpi_release (c->e);
          c->n = c->e = NULL;
        }
    }
  __atomic_store_n (&mkey->cache, c, __ATOMIC_RELEASE);

 leave:
  pthread_mutex_unlock (&cache_lock);
  if (!err)
    *r_cache = c;
  return err;
}


/* Size in bits of KEY: of n for RSA, of the curve for ECC; 0 if
 * unknown.  */
unsigned int
pk_key_nbits (const pk_key_t *key)
{
  const struct curve_info *ci;
  unsigned int nbits;
  unsigned char top;

  if (!key)
    return 0;
  if (key->algo == PK_RSA)
    {
      if (key->npub < 1 || !key->pub[0].data || !key->pub[0].len)
        return 0;
      nbits = 8 * (key->pub[0].len - 1);
      for (top = key->pub[0].data[0]; top; top >>= 1)
        nbits++;
      return nbits;
    }
  ci = _pk_find_curve (key->curve);
  return ci ? ci->nbits : 0;
}


/*
 * Keygrips and READKEY S-expressions.
 */

/* Compute the keygrip of the public part of KEY into GRIP (as
 * gcry_pk_get_keygrip on the S-expression GnuPG builds).  */
gpg_error_t
pk_keygrip (const pk_key_t *key, unsigned char grip[20])
{
  gpg_error_t err;
  const struct pk_cache *c;

  if (!grip)
    return gpg_error (GPG_ERR_INV_ARG);
  memset (grip, 0, 20);
  err = _pk_get_cache (key, &c);
  if (err)
    return err;
  if (!gcry_pk_get_keygrip (c->pub, grip))
    {
      memset (grip, 0, 20);
      return gpg_error (GPG_ERR_INTERNAL);
    }
  return 0;
}


/* Return the canonical public-key S-expression of KEY (scdaemon's
 * READKEY form) in a fresh buffer *R_BUF of *R_LEN bytes (xfree).  */
gpg_error_t
pk_public_sexp (const pk_key_t *key, unsigned char **r_buf, size_t *r_len)
{
  gpg_error_t err;
  const struct pk_cache *c;
  unsigned char *buf = NULL;
  size_t len;

  if (!r_buf || !r_len)
    return gpg_error (GPG_ERR_INV_ARG);
  *r_buf = NULL;
  *r_len = 0;
  err = _pk_get_cache (key, &c);
  if (err)
    goto leave;
  len = gcry_sexp_sprint (c->pub, GCRYSEXP_FMT_CANON, NULL, 0);
  if (!len)
    {
      err = gpg_error (GPG_ERR_INTERNAL);
      goto leave;
    }
  buf = xtrymalloc (len);
  if (!buf)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  len = gcry_sexp_sprint (c->pub, GCRYSEXP_FMT_CANON, buf, len);
  if (!len)
    {
      err = gpg_error (GPG_ERR_INTERNAL);
      goto leave;
    }
  *r_buf = buf;
  *r_len = len;
  buf = NULL;

 leave:
  xfree (buf);
  return err;
}
