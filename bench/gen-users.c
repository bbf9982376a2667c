/* gen-users.c - N user keys for the publishing benchmark, fast
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: gen-users [-b] N DOMAIN [FIRST] > keyring.pgp
 *
 * Writes N Ed25519 user keys (as `oca user add' makes them: certify-only
 * primary, encryption and signing subkeys) with the User IDs
 * "User I <userI@DOMAIN>" for I = FIRST (default 1) to FIRST + N - 1,
 * public parts, binary, to stdout.  gpg takes minutes for 10,000 keys;
 * this takes seconds (bench/scale runs one per core on parts of the
 * range and concatenates them).  With -b the keys are bare: a
 * certify-only primary key and its User ID (three times faster to make;
 * what a bulk import certifies is the same).
 */
#include <config.h>
#include "oca-common.h"
#include "membuf.h"
#include "pgp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main (int argc, char **argv)
{
  gpg_error_t err;
  unsigned long n, i, first = 1;
  unsigned int subkeys = PGP_KF_ENC_COMMS | PGP_KF_SIGN;
  char uid[256];
  const char *uids[1] = { uid };
  pgp_cert_t *cert;
  pgp_sig_t *rev;
  membuf_t mb;

  if (argc > 1 && !strcmp (argv[1], "-b"))
    {
      subkeys = 0;
      argc--;
      argv++;
    }
  if ((argc != 3 && argc != 4) || !(n = strtoul (argv[1], NULL, 10))
      || (argc == 4 && !(first = strtoul (argv[3], NULL, 10))))
    {
      fputs ("usage: gen-users [-b] N DOMAIN [FIRST] > keyring.pgp\n",
             stderr);
      return 2;
    }
  if ((err = oca_init_gcrypt (0)))
    {
      fprintf (stderr, "gen-users: %s\n", gpg_strerror (err));
      return 1;
    }
  for (i = first; i < first + n; i++)
    {
      snprintf (uid, sizeof uid, "User %lu <user%lu@%s>", i, i, argv[2]);
      err = pgp_generate_user_ext (PGP_GEN_ED25519, subkeys, uids, 1, 0,
                                   &cert, &rev);
      if (err)
        {
          fprintf (stderr, "gen-users: key %lu: %s\n", i, gpg_strerror (err));
          return 1;
        }
      membuf_init (&mb, PGP_MAX_INPUT, 0);
      pgp_cert_write (cert, 0, &mb);
      if (!membuf_error (&mb))
        fwrite (membuf_data (&mb), 1, membuf_len (&mb), stdout);
      err = membuf_error (&mb);
      membuf_release (&mb);
      pgp_cert_release (cert);
      pgp_sig_release (rev);
      if (err || ferror (stdout))
        {
          fprintf (stderr, "gen-users: write error\n");
          return 1;
        }
    }
  return fflush (stdout) ? 1 : 0;
}
