/* ca-passphrase.c - passphrases for the keys `user add' generates
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reference prints a diceware passphrase of five words.  We do not
 * ship a word list; instead every word is made of four random
 * consonant-vowel syllables (16 consonants x 5 vowels = 80 syllables,
 * 6.32 bits each), so five words carry 5 x 4 x 6.32 = 126 bits of
 * entropy while staying easy to read aloud ("bakomitu").  Syllables
 * are drawn uniformly from GCRY_STRONG_RANDOM bytes by rejection
 * sampling.  The passphrase lives in secure memory.
 */
#include <config.h>
#include "ca.h"

#include <string.h>

#define NWORDS 5
#define NSYLLABLES 4

static const char consonants[] = "bdfghjklmnprstvz";  /* 16 */
static const char vowels[] = "aeiou";                 /* 5 */


/* A uniformly random number below N (N <= 256).  */
static unsigned int
random_below (unsigned int n)
{
  unsigned char b;
  unsigned int limit = 256 - (256 % n);

  do
    gcry_randomize (&b, 1, GCRY_STRONG_RANDOM);
  while (b >= limit);
  return b % n;
}


/* Make a new passphrase in secure memory.  */
gpg_error_t
ca_passphrase_new (char **r_pass)
{
  char *pass;
  size_t pos = 0;
  int w, s;
  unsigned int syl;

  *r_pass = NULL;
  pass = xtrymalloc_secure (NWORDS * (NSYLLABLES * 2 + 1));
  if (!pass)
    return oca_error_from_errno ();
  for (w = 0; w < NWORDS; w++)
    {
      if (w)
        pass[pos++] = ' ';
      for (s = 0; s < NSYLLABLES; s++)
        {
          syl = random_below (80);
          pass[pos++] = consonants[syl / 5];
          pass[pos++] = vowels[syl % 5];
        }
    }
  pass[pos] = 0;
  *r_pass = pass;
  return 0;
}
