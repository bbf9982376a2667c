/* pk.h - public-key operations on OpenPGP key material (libgcrypt)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This is the seam between the OpenPGP packet layer (pgp-*.c), which
 * parses and serialises key material, and libgcrypt.  A pk_key_t holds
 * the algorithm-specific numbers exactly as OpenPGP stores them as MPIs
 * (big-endian, without the 2-byte bit count, without leading zero
 * bytes), so the packet layer never sees a gcry_sexp_t and this module
 * never sees a packet.
 *
 * Public numbers (PUB):
 *   RSA    pub[0] = n, pub[1] = e
 *   ECDSA  pub[0] = q = 04 || X || Y            (curve: P-256/384/521)
 *   EdDSA  pub[0] = q = 40 || A (32 bytes)      (curve: Ed25519)
 *   ECDH   pub[0] = q = 40 || X (32 bytes) for Curve25519, 04||X||Y NIST;
 *          plus KDF parameters in kdf_hash / kdf_cipher.
 * Secret numbers (SEC), always in libgcrypt secure memory:
 *   RSA    sec[0] = d, sec[1] = p, sec[2] = q, sec[3] = u (p^-1 mod q,
 *          p < q, as RFC 4880 stores it)
 *   ECDSA/EdDSA/ECDH  sec[0] = d (the scalar as OpenPGP stores it:
 *          Ed25519 the 32-byte seed, Curve25519 the byte-reversed
 *          "native" scalar, NIST the big-endian scalar)
 * Signatures (SIG):
 *   RSA    sig[0] = m^d mod n
 *   ECDSA/EdDSA  sig[0] = r, sig[1] = s
 */
#ifndef OCA_PK_H
#define OCA_PK_H

#include "oca-common.h"

/* OpenPGP public-key algorithm ids (RFC 4880, RFC 6637, EdDSA draft).  */
enum pk_algo
  {
    PK_RSA   = 1,
    PK_ECDH  = 18,
    PK_ECDSA = 19,
    PK_EDDSA = 22
  };

/* Curves we support.  */
enum pk_curve
  {
    PK_CURVE_NONE = 0,
    PK_CURVE_ED25519,
    PK_CURVE_CV25519,
    PK_CURVE_NISTP256,
    PK_CURVE_NISTP384,
    PK_CURVE_NISTP521
  };

/* OpenPGP hash algorithm ids we use (RFC 4880 9.4).  */
enum pk_hash
  {
    PK_HASH_SHA1   = 2,
    PK_HASH_SHA256 = 8,
    PK_HASH_SHA384 = 9,
    PK_HASH_SHA512 = 10,
    PK_HASH_SHA224 = 11
  };

/* OpenPGP symmetric algorithm ids we use.  */
enum pk_cipher
  {
    PK_CIPHER_AES128 = 7,
    PK_CIPHER_AES192 = 8,
    PK_CIPHER_AES256 = 9
  };

#define PK_MAX_PUB 2
#define PK_MAX_SEC 4
#define PK_MAX_SIG 2
/* Upper bound of one MPI in bytes (RSA 16384 bits).  */
#define PK_MAX_MPI_BYTES 2048

typedef struct pk_mpi
{
  unsigned char *data;   /* Big-endian, no leading zeros.  */
  size_t len;
} pk_mpi_t;

typedef struct pk_key
{
  int algo;                  /* enum pk_algo.  */
  int curve;                 /* enum pk_curve, PK_CURVE_NONE for RSA.  */
  pk_mpi_t pub[PK_MAX_PUB];
  unsigned int npub;
  unsigned char kdf_hash;    /* ECDH only: OpenPGP hash id.  */
  unsigned char kdf_cipher;  /* ECDH only: OpenPGP cipher id.  */
  pk_mpi_t sec[PK_MAX_SEC];  /* Secure memory; all NULL if public only. */
  unsigned int nsec;
  void *cache;               /* Private to pk.c (prebuilt S-expressions);
                              * set up lazily and thread-safely.  */
  _Atomic uint64_t serial_;  /* Private: see pk_serial.  Reset by every
                              * change of the public part.  */
} pk_key_t;

/* The serial number in *SLOT, given one first if it has none (0): a
 * number from a process-wide counter, so that no two objects, and no
 * two states of one object, ever share a serial.  An object whose
 * content can change resets its serial to 0 with each change
 * (pk_key_set_mpi; for OpenPGP keys and User IDs see pgp.h); whatever
 * is remembered for a serial (pgp_sig_t's verification memo) then is
 * never taken for the new content.  Thread-safe.  */
uint64_t pk_serial (_Atomic uint64_t *slot);

/* Allocate an empty key.  */
gpg_error_t pk_key_new (pk_key_t **r_key);
/* Wipe and free KEY (NULL allowed).  */
void pk_key_release (pk_key_t *key);
/* Set MPI number IDX of the public (SECRET=0) or secret (SECRET=1)
 * part from BUF/LEN (leading zeros are stripped; secret parts are
 * copied into secure memory).  */
gpg_error_t pk_key_set_mpi (pk_key_t *key, int secret, unsigned int idx,
                            const unsigned char *buf, size_t len);
/* Deep copy; with PUBLIC_ONLY the secret part is not copied.  */
gpg_error_t pk_key_copy (const pk_key_t *key, int public_only,
                         pk_key_t **r_copy);
/* Drop the secret part (wiped).  */
void pk_key_drop_secret (pk_key_t *key);
static inline int pk_key_has_secret (const pk_key_t *key)
{ return key && key->nsec > 0; }

/* Number of public/secret MPIs an algorithm has (0 if unknown).  */
unsigned int pk_algo_npub (int algo);
unsigned int pk_algo_nsec (int algo);
unsigned int pk_algo_nsig (int algo);
/* Whether ALGO/CURVE is supported here.  */
int pk_algo_supported (int algo, int curve);

/* Curve OIDs as in OpenPGP key packets (DER content bytes, no tag).  */
int pk_curve_from_oid (const unsigned char *oid, size_t oidlen);
const unsigned char *pk_curve_oid (int curve, size_t *r_len);
/* libgcrypt / GnuPG curve name ("Ed25519", "Curve25519", "NIST P-256").  */
const char *pk_curve_name (int curve);
/* Size in bits (RSA: of n; ECC: of the curve).  */
unsigned int pk_key_nbits (const pk_key_t *key);

/* Generate a key.  ALGO/CURVE as above; NBITS for RSA (2048..4096).
 * For ECDH the KDF parameters follow GnuPG's defaults (SHA256/AES128
 * for 256-bit curves, SHA384/AES256 for P-384, SHA512/AES256 above).  */
gpg_error_t pk_generate (int algo, int curve, unsigned int nbits,
                         pk_key_t **r_key);

/* Check that the secret part of KEY matches its public part.  */
gpg_error_t pk_check_secret (const pk_key_t *key);

/* Sign DIGEST (DIGESTLEN bytes, computed with OpenPGP hash HASHALGO)
 * with the secret KEY.  RSA uses PKCS#1 v1.5 with the DigestInfo of
 * HASHALGO; ECDSA signs the (truncated) digest; EdDSA signs the digest
 * bytes as the message, as OpenPGP does.  Fills SIG[0..*R_NSIG-1] with
 * freshly allocated MPIs (release with pk_mpi_release).  Thread-safe:
 * several threads may sign with the same KEY at once.  */
gpg_error_t pk_sign (const pk_key_t *key, int hashalgo,
                     const unsigned char *digest, size_t digestlen,
                     pk_mpi_t sig[PK_MAX_SIG], unsigned int *r_nsig);

/* Verify SIG (NSIG MPIs) over DIGEST with the public part of KEY.
 * Returns 0 or GPG_ERR_BAD_SIGNATURE (or another error for malformed
 * input).  */
gpg_error_t pk_verify (const pk_key_t *key, int hashalgo,
                       const unsigned char *digest, size_t digestlen,
                       const pk_mpi_t *sig, unsigned int nsig);
/* The number of public-key verifications (pk_verify) this process made
 * so far (tests and benchmarks count them).  */
unsigned long pk_verify_count (void);

/* Keygrip of the public part, equal to libgcrypt's
 * gcry_pk_get_keygrip on the S-expression GnuPG builds (RSA n with a
 * leading 00 when the top bit is set; Ed25519 with (flags eddsa);
 * Curve25519 with (flags djb-tweak)).  */
gpg_error_t pk_keygrip (const pk_key_t *key, unsigned char grip[20]);

/* Canonical public-key S-expression as scdaemon's READKEY returns it.
 * Caller frees *R_BUF with xfree.  */
gpg_error_t pk_public_sexp (const pk_key_t *key,
                            unsigned char **r_buf, size_t *r_len);

/* Map an OpenPGP hash id to libgcrypt's (0 if unsupported), and its
 * digest length in bytes.  */
int pk_hash_to_gcry (int hashalgo);
size_t pk_hash_len (int hashalgo);

/* Free an MPI's data (wiping it) and clear it.  */
void pk_mpi_release (pk_mpi_t *mpi);

#endif /*OCA_PK_H*/
