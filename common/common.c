/* common.c - secret hygiene, libgcrypt set-up and hex helpers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "oca-common.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/prctl.h>

#ifdef __SANITIZE_ADDRESS__
/* libgcrypt 1.10 allocates a 128 KiB buffer on the first
 * GCRY_VERY_STRONG_RANDOM request (key generation) and never frees it.
 * Our own allocations do not go through libgcrypt in sanitizer builds
 * (see oca-common.h), so suppressing libgcrypt's frames hides only
 * libgcrypt's allocations.  Linked into every program through
 * oca_init_gcrypt.  */
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
  return "leak:libgcrypt.so\n";
}

/* Keep stderr to the programs' own one-line errors.  */
const char *__lsan_default_options (void);
const char *
__lsan_default_options (void)
{
  return "print_suppressions=0";
}
#endif

void
oca_wipememory (void *p, size_t n)
{
  if (!p || !n)
    return;
#ifdef HAVE_EXPLICIT_BZERO
  /* As fast as memset (a byte at a time through a volatile pointer
   * was 0.4 % of a bulk run), and never optimized away.  */
  explicit_bzero (p, n);
#else
  {
    volatile unsigned char *v = p;

    while (n--)
      *v++ = 0;
  }
#endif
}

void
wipe_and_free (void *p, size_t n)
{
  if (!p)
    return;
  oca_wipememory (p, n);
  gcry_free (p);
}

void
wipe_and_free_string (char *s)
{
  if (!s)
    return;
  wipe_and_free (s, strlen (s));
}

gpg_error_t
oca_init_gcrypt (size_t secmem_size)
{
  struct rlimit rl = { 0, 0 };

  if (!gcry_check_version (GCRYPT_VERSION))
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  /* No core dumps, and no ptrace by unprivileged processes.  */
  setrlimit (RLIMIT_CORE, &rl);
#ifndef __SANITIZE_ADDRESS__
  /* LeakSanitizer needs to ptrace the process at exit; sanitizer
   * builds are for testing only and keep the process dumpable.  */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
  /* Library code never prints: libgcrypt's own secmem warnings are
   * off.  The first pool (256 KiB) is locked in RAM; if a large
   * armored CA key needs more, further pools of 16 MiB are added on
   * demand instead of failing with "out of core".  Those extra pools
   * are still wiped on free but libgcrypt does not promise to lock
   * them, so they may be swapped out.  */
  gcry_control (GCRYCTL_DISABLE_SECMEM_WARN);
  gcry_control (GCRYCTL_AUTO_EXPAND_SECMEM, 16 * 1024 * 1024, 0);
  gcry_control (GCRYCTL_INIT_SECMEM, secmem_size ? secmem_size : 256 * 1024, 0);
  gcry_control (GCRYCTL_INITIALIZATION_FINISHED, 0);
  return 0;
}

char *
oca_bin2hex (const void *buf, size_t len, char *out)
{
  static const char digits[] = "0123456789ABCDEF";
  const unsigned char *s = buf;
  size_t i;

  for (i = 0; i < len; i++)
    {
      out[2*i]   = digits[s[i] >> 4];
      out[2*i+1] = digits[s[i] & 15];
    }
  out[2*len] = 0;
  return out;
}

int
oca_hexval (int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

gpg_error_t
oca_hex2bin (const char *hex, void *buf, size_t len)
{
  unsigned char *d = buf;
  size_t i;

  for (i = 0; i < len; i++)
    {
      int hi = oca_hexval ((unsigned char)hex[2*i]);
      int lo = hi < 0 ? -1 : oca_hexval ((unsigned char)hex[2*i+1]);
      if (hi < 0 || lo < 0)
        return gpg_error (GPG_ERR_INV_VALUE);
      d[i] = (unsigned char)((hi << 4) | lo);
    }
  return 0;
}

gpg_error_t
oca_hex2bin_alloc (const char *hex, int secure,
                   unsigned char **r_buf, size_t *r_len)
{
  size_t n = strlen (hex);
  unsigned char *buf;
  gpg_error_t err;

  *r_buf = NULL;
  *r_len = 0;
  if (n % 2)
    return gpg_error (GPG_ERR_INV_VALUE);
  buf = secure ? xtrymalloc_secure (n/2 + 1) : xtrymalloc (n/2 + 1);
  if (!buf)
    return oca_error_from_errno ();
  err = oca_hex2bin (hex, buf, n/2);
  if (err)
    {
      wipe_and_free (buf, n/2 + 1);
      return err;
    }
  *r_buf = buf;
  *r_len = n/2;
  return 0;
}
