/* fuzz-util.c - shared helpers of oca's libFuzzer targets
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
fuzz_init (void)
{
  static int done;

  if (done)
    return;
  done = 1;
  if (!gcry_check_version (GCRYPT_VERSION))
    {
      fprintf (stderr, "fuzz: libgcrypt version mismatch\n");
      abort ();
    }
  gcry_control (GCRYCTL_DISABLE_SECMEM, 0);
  gcry_control (GCRYCTL_INITIALIZATION_FINISHED, 0);
}


void
fuzz_fail_ (const char *file, int line, const char *cond)
{
  fprintf (stderr, "%s:%d: invariant failed: %s\n", file, line, cond);
  fflush (stderr);
  abort ();
}


unsigned int
fuzz_u8 (fuzz_in_t *in)
{
  if (!in->n)
    return 0;
  in->n--;
  return *in->p++;
}


unsigned int
fuzz_u16 (fuzz_in_t *in)
{
  unsigned int hi = fuzz_u8 (in);

  return (hi << 8) | fuzz_u8 (in);
}


size_t
fuzz_chunk (fuzz_in_t *in, const unsigned char **r_p)
{
  size_t n = fuzz_u16 (in);

  if (n > in->n)
    n = in->n;
  *r_p = in->p;
  in->p += n;
  in->n -= n;
  return n;
}


void
fuzz_put_chunk (membuf_t *mb, const void *p, size_t n)
{
  if (n > 65535)
    n = 65535;
  membuf_put_u16 (mb, n);
  membuf_put (mb, p, n);
}


char *
fuzz_secure_strdup (const char *pin)
{
  char *s = xtrymalloc_secure (strlen (pin) + 1);

  if (s)
    strcpy (s, pin);
  return s;
}
