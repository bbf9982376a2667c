/* pk.c - public-key operations on OpenPGP key material (libgcrypt)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Implements the contract of pk.h.  Key material arrives as OpenPGP
 * MPIs (big-endian, no leading zeros) and is turned into libgcrypt
 * S-expressions here and only here.
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

#include <pthread.h>
#include <string.h>

#include "pk.h"
#include "card-data.h"


/* Key material caps.  */
#define RSA_MIN_GEN_BITS 2048
#define RSA_MAX_GEN_BITS 4096

/* How many signatures reuse one RSA blinding pair (squared after each
 * use) before a fresh random one is made; OpenSSL's BN_BLINDING uses
 * the same scheme and count.  */
#define RSA_BLIND_REUSE 32

/* Prebuilt S-expressions of a key.  */
struct pk_cache
{
  gcry_sexp_t pub;   /* (public-key ...), the READKEY form.  */
  gcry_sexp_t sec;   /* (private-key ...) or NULL; secure memory.  */
  gpg_error_t sec_err;  /* Why SEC is NULL (when the key has one).  */
  /* RSA signing with a secret part: N and E as MPIs and the message
   * blinding state (see rsa_blind_take), guarded by BL_LOCK.  */
  gcry_mpi_t n, e;
  pthread_mutex_t bl_lock;
  int bl_lock_inited;
  gcry_mpi_t bl_a;          /* r^e mod n; secure memory.  */
  gcry_mpi_t bl_ai;         /* r^-1 mod n; secure memory.  */
  unsigned int bl_uses;     /* Uses since the last fresh r.  */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;


/* Curve table: what OpenPGP keys need beyond the card-data module's
 * curve (card_curve_by_name: OID, size), which NAME looks up.  */
static const struct curve_info
{
  int curve;
  const char *name;           /* libgcrypt / GnuPG name.  */
  unsigned int nbits;         /* Curve size as GnuPG reports it.  */
  unsigned int fieldbytes;    /* Bytes of a coordinate / scalar.  */
  unsigned char kdf_hash;     /* GnuPG's ECDH defaults.  */
  unsigned char kdf_cipher;
} curve_table[] =
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

static const struct curve_info *
find_curve (int curve)
{
  size_t i;

  for (i = 0; i < DIM (curve_table); i++)
    if (curve_table[i].curve == curve)
      return &curve_table[i];
  return NULL;
}


/* Hash table.  */
static const struct hash_info
{
  int algo;              /* OpenPGP id.  */
  int gcry;              /* libgcrypt id.  */
  const char *name;      /* libgcrypt S-expression name.  */
  size_t len;
} hash_table[] =
  {
    { PK_HASH_SHA1,   GCRY_MD_SHA1,   "sha1",   20 },
    { PK_HASH_SHA224, GCRY_MD_SHA224, "sha224", 28 },
    { PK_HASH_SHA256, GCRY_MD_SHA256, "sha256", 32 },
    { PK_HASH_SHA384, GCRY_MD_SHA384, "sha384", 48 },
    { PK_HASH_SHA512, GCRY_MD_SHA512, "sha512", 64 }
  };

static const struct hash_info *
find_hash (int hashalgo)
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
  const struct hash_info *h = find_hash (hashalgo);

  return h ? h->gcry : 0;
}


/* Digest length in bytes of OpenPGP hash HASHALGO, 0 if unsupported.  */
size_t
pk_hash_len (int hashalgo)
{
  const struct hash_info *h = find_hash (hashalgo);

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
static gpg_error_t
store_mpi (pk_mpi_t *mpi, int secure, const unsigned char *buf, size_t len)
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
  const struct curve_info *ci = find_curve (curve);
  const card_curve_t *cc = ci ? card_curve_by_name (ci->name) : NULL;

  if (r_len)
    *r_len = cc ? cc->oidlen : 0;
  return cc ? cc->oid : NULL;
}


/* Return libgcrypt's name of CURVE, NULL if unknown.  */
const char *
pk_curve_name (int curve)
{
  const struct curve_info *ci = find_curve (curve);

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
  err = store_mpi (&tmp, secret, buf, len);
  if (err)
    return err;
  cache_free (key);
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
        err = store_mpi (&copy->pub[i], 0, key->pub[i].data, key->pub[i].len);
        if (err)
          goto leave;
      }
  copy->npub = key->npub;
  if (!public_only)
    {
      for (i = 0; i < key->nsec; i++)
        if (key->sec[i].data)
          {
            err = store_mpi (&copy->sec[i], 1,
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
static gpg_error_t
check_public (const pk_key_t *key, const struct curve_info **r_ci)
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

      ci = find_curve (key->curve);
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
static gpg_error_t
check_secret_shape (const pk_key_t *key, const struct curve_info *ci)
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
  err = check_public (key, &ci);
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
static gpg_error_t
padded_scalar (const pk_key_t *key, const struct curve_info *ci,
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
static gpg_error_t
build_secret (const pk_key_t *key, int no_q, gcry_sexp_t *r_sexp)
{
  gpg_error_t err;
  const struct curve_info *ci;
  unsigned char *d = NULL;
  const pk_mpi_t *m = key->sec;
  const pk_mpi_t *q = &key->pub[0];

  *r_sexp = NULL;
  err = check_public (key, &ci);
  if (err)
    goto leave;
  err = check_secret_shape (key, ci);
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

  err = padded_scalar (key, ci, &d);
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
static gpg_error_t
get_cache (const pk_key_t *key, const struct pk_cache **r_cache)
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
                ? build_secret (key, 0, &c->sec)
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
    ci = find_curve (curve);

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
  const struct curve_info *ci = find_curve (key->curve);
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

      err = padded_scalar (key, ci, &scalar);
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

  err = build_secret (key, 1, &s_sec);
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

  err = check_public (key, &ci);
  if (err)
    return err;
  err = check_secret_shape (key, ci);
  if (err)
    return err;

  if (key->algo == PK_RSA)
    {
      err = rsa_check_secret (key);
      if (err)
        return err;
      err = build_secret (key, 0, &s_sec);
      if (!err && gcry_pk_testkey (s_sec))
        err = gpg_error (GPG_ERR_BAD_SECKEY);
      gcry_sexp_release (s_sec);
      return err;
    }
  return ecc_check_secret (key);
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
  ci = find_curve (key->curve);
  return ci ? ci->nbits : 0;
}



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
  err = data ? store_mpi (mpi, 0, (const unsigned char *)data, len)
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
      ci = find_curve (key->curve);
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
  h = find_hash (hashalgo);
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
  err = store_mpi (r_s, 0, buf, len);

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
  err = get_cache (key, &c);
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
  err = get_cache (key, &c);
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
  err = get_cache (key, &c);
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
  err = get_cache (key, &c);
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
