/* pk-int.h - what pk.c, pk-gen.c and pk-sign.c share
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the pk*.c files include this header; the rest of the tree sees
 * pk.h.
 */
#ifndef OCA_PK_INT_H
#define OCA_PK_INT_H

#include "pk.h"

#include <pthread.h>

/* Prebuilt S-expressions of a key (pk.c), and the RSA message
 * blinding state of pk-sign.c.  */
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

/* A curve as OpenPGP keys need it beyond the card-data module's curve
 * (card_curve_by_name: OID, size), which NAME looks up.  */
struct curve_info
{
  int curve;
  const char *name;           /* libgcrypt / GnuPG name.  */
  unsigned int nbits;         /* Curve size as GnuPG reports it.  */
  unsigned int fieldbytes;    /* Bytes of a coordinate / scalar.  */
  unsigned char kdf_hash;     /* GnuPG's ECDH defaults.  */
  unsigned char kdf_cipher;
};

/* A hash algorithm.  */
struct hash_info
{
  int algo;              /* OpenPGP id.  */
  int gcry;              /* libgcrypt id.  */
  const char *name;      /* libgcrypt S-expression name.  */
  size_t len;
};

/*-- pk.c --*/
/* The curve CURVE, or NULL.  */
const struct curve_info *_pk_find_curve (int curve);
/* The hash HASHALGO (OpenPGP id), or NULL.  */
const struct hash_info *_pk_find_hash (int hashalgo);
gpg_error_t _pk_store_mpi (pk_mpi_t *mpi, int secure,
                           const unsigned char *buf, size_t len);
gpg_error_t _pk_check_public (const pk_key_t *key,
                              const struct curve_info **r_ci);
gpg_error_t _pk_check_secret_shape (const pk_key_t *key,
                                    const struct curve_info *ci);
gpg_error_t _pk_padded_scalar (const pk_key_t *key,
                               const struct curve_info *ci,
                               unsigned char **r_buf);
gpg_error_t _pk_build_secret (const pk_key_t *key, int no_q,
                              gcry_sexp_t *r_sexp);
gpg_error_t _pk_get_cache (const pk_key_t *key,
                           const struct pk_cache **r_cache);

#endif /*OCA_PK_INT_H*/
