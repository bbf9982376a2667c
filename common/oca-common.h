/* oca-common.h - definitions shared by every layer of oca
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Include this header first in every .c file of the project (after
 * <config.h>).  It fixes the error source (one error type end to end:
 * gpg_error_t), and gives the secret-hygiene helpers.
 *
 * The error source defaults to GPG_ERR_SOURCE_USER_1 ("oca").  The card
 * layer and oca-scd are built with -DGPG_ERR_SOURCE_DEFAULT=GPG_ERR_SOURCE_SCD
 * so their ERR lines read like scdaemon's.
 */
#ifndef OCA_COMMON_H
#define OCA_COMMON_H

#ifndef GPG_ERR_SOURCE_DEFAULT
# define GPG_ERR_SOURCE_DEFAULT GPG_ERR_SOURCE_USER_1
#endif
#include <gpg-error.h>
#include <gcrypt.h>
#include <stddef.h>
#include <stdint.h>

#define DIM(v) (sizeof (v) / sizeof ((v)[0]))

/* Wipe N bytes at P in a way the compiler cannot elide.  */
void oca_wipememory (void *p, size_t n);
#define wipememory(p, n) oca_wipememory ((p), (n))

/* Wipe N bytes at P and free P (gcry_free, so works for secure and
 * normal libgcrypt memory).  NULL is accepted.  */
void wipe_and_free (void *p, size_t n);
/* Same for a NUL-terminated string.  */
void wipe_and_free_string (char *s);

/* Allocation wrappers: return NULL and set errno on failure.  Memory
 * from these must be released with gcry_free / xfree.  */
#ifdef __SANITIZE_ADDRESS__
/* Sanitizer builds: plain allocations bypass libgcrypt, so that the
 * one LeakSanitizer suppression we need (for libgcrypt's own
 * never-freed random pool, see common.c) cannot hide a leak of ours.
 * gcry_free releases malloc'ed memory too.  */
# include <stdlib.h>
# include <string.h>
# define xtrymalloc(n)        malloc ((n))
# define xtrycalloc(n, m)     calloc ((n), (m))
# define xtryrealloc(p, n)    gcry_realloc ((p), (n))
# define xtrystrdup(s)        strdup ((s))
#else
# define xtrymalloc(n)        gcry_malloc ((n))
# define xtrycalloc(n, m)     gcry_calloc ((n), (m))
# define xtryrealloc(p, n)    gcry_realloc ((p), (n))
# define xtrystrdup(s)        gcry_strdup ((s))
#endif
#define xtrymalloc_secure(n)  gcry_malloc_secure ((n))
#define xtrycalloc_secure(n,m) gcry_calloc_secure ((n), (m))
#define xfree(p)              gcry_free ((p))

/* The error for the current errno (ENOMEM after a failed allocation).  */
static inline gpg_error_t
oca_error_from_errno (void)
{
  return gpg_error_from_syserror ();
}

/* Initialise libgcrypt with SIZE bytes of secure memory (0 = default
 * 64 KiB).  Call once at program start, before any other libgcrypt
 * use.  Returns 0 or an error (version mismatch).  Also disables core
 * dumps so secrets cannot land on disk that way.  */
gpg_error_t oca_init_gcrypt (size_t secmem_size);

/* Hex helpers.  bin2hex writes 2*LEN uppercase digits plus NUL to OUT
 * (which must have room for 2*LEN+1 bytes) and returns OUT.  */
char *oca_bin2hex (const void *buf, size_t len, char *out);
/* The value 0..15 of the hex digit C (either case), or -1.  */
int oca_hexval (int c);
/* Decode exactly 2*LEN hex digits from HEX (case-insensitive) into
 * BUF.  Returns 0 or GPG_ERR_INV_VALUE.  */
gpg_error_t oca_hex2bin (const char *hex, void *buf, size_t len);
/* Decode a whole hex string into a fresh buffer (secure memory when
 * SECURE).  *R_BUF and *R_LEN are set on success.  */
gpg_error_t oca_hex2bin_alloc (const char *hex, int secure,
                               unsigned char **r_buf, size_t *r_len);

/* Overflow-checked size addition: *R = A + B, or GPG_ERR_TOO_LARGE.  */
static inline gpg_error_t
oca_size_add (size_t a, size_t b, size_t *r)
{
  if (a > SIZE_MAX - b)
    return gpg_error (GPG_ERR_TOO_LARGE);
  *r = a + b;
  return 0;
}

#endif /*OCA_COMMON_H*/
