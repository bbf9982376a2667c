/* t-ca-passphrase.c - unit test of ca-passphrase.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>

#define N 200


/* Whether P is five words of four consonant-vowel syllables.  */
static int
well_formed (const char *p)
{
  int w, s;

  for (w = 0; w < 5; w++)
    {
      if (w && *p++ != ' ')
        return 0;
      for (s = 0; s < 4; s++)
        {
          if (!*p || !strchr ("bdfghjklmnprstvz", *p++))
            return 0;
          if (!*p || !strchr ("aeiou", *p++))
            return 0;
        }
    }
  return !*p;
}


int
main (void)
{
  char *pass[N];
  unsigned int seen[16][5];
  int i, k, formed = 1, secure = 1, distinct = 1, all = 1;
  const char *p;

  tca_init ();
  memset (seen, 0, sizeof seen);
  for (i = 0; i < N; i++)
    {
      pass[i] = NULL;
      if (ca_passphrase_new (&pass[i]) || !pass[i])
        {
          ok (0, "passphrase %d made", i);
          return tap_done ();
        }
      formed &= well_formed (pass[i]);
      secure &= !!gcry_is_secure (pass[i]);
      for (k = 0; k < i; k++)
        if (!strcmp (pass[i], pass[k]))
          distinct = 0;
      for (p = pass[i]; *p; p++)
        if (*p != ' ' && !strchr ("aeiou", *p))
          {
            seen[strchr ("bdfghjklmnprstvz", p[0]) - "bdfghjklmnprstvz"]
              [strchr ("aeiou", p[1]) - "aeiou"]++;
            p++;
          }
    }
  ok (formed, "five words of four consonant-vowel syllables");
  ok (secure, "in secure memory");
  ok (distinct, "%d passphrases, all different", N);
  /* 4,000 syllables over 80 kinds: 50 expected each; a missing one
   * would mean the draw is not uniform.  */
  for (i = 0; i < 16; i++)
    for (k = 0; k < 5; k++)
      if (seen[i][k] < 15 || seen[i][k] > 100)
        all = 0;
  ok (all, "every one of the 80 syllables drawn, none far off 50 times");
  for (i = 0; i < N; i++)
    wipe_and_free_string (pass[i]);
  return tap_done ();
}
