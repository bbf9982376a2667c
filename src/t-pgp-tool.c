/* t-pgp-tool.c - test driver for t-pgp-interop.sh
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Small command line front end to the OpenPGP core so the interop
 * script can hand our output to gpg and sq:
 *   gen-ca ALGO DOMAIN OUT             armored CA secret key
 *   gen-user ALGO OUT REVOUT PASS UID...  user secret key (PASS "-" =
 *                                      unprotected) + revocation
 *   pub IN OUT                         armored public key
 *   certify SIGNER TARGET OUT MODE [DOMAIN]
 *                                      MODE plain|tsig|scoped|revoke
 *   sign SIGNER DATA OUT               detached sig by signing subkey
 *   check CERT [ISSUER]                verify; exit 1 on a bad sig
 */
#include <config.h>
#include "oca-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgp.h"


static unsigned char *
slurp (const char *name, size_t *r_len)
{
  FILE *fp = fopen (name, "rb");
  unsigned char *buf;
  long n;

  *r_len = 0;
  if (!fp)
    return NULL;
  fseek (fp, 0, SEEK_END);
  n = ftell (fp);
  fseek (fp, 0, SEEK_SET);
  buf = malloc (n + 1);
  if (buf && fread (buf, 1, n, fp) != (size_t)n)
    {
      free (buf);
      buf = NULL;
    }
  fclose (fp);
  *r_len = n;
  return buf;
}

static int
spit (const char *name, const void *buf, size_t len)
{
  FILE *fp = fopen (name, "wb");

  if (!fp || fwrite (buf, 1, len, fp) != len)
    return -1;
  return fclose (fp);
}

static pgp_cert_t *
load (const char *name)
{
  size_t len;
  unsigned char *buf = slurp (name, &len);
  pgp_cert_t *c = NULL;
  gpg_error_t err;

  if (!buf)
    {
      fprintf (stderr, "can't read %s\n", name);
      exit (2);
    }
  err = pgp_read_certs (buf, len, &c);
  free (buf);
  if (err)
    {
      fprintf (stderr, "%s: %s\n", name, gpg_strerror (err));
      exit (2);
    }
  return c;
}

static void
die_on (gpg_error_t err, const char *what)
{
  if (err)
    {
      fprintf (stderr, "%s: %s\n", what, gpg_strerror (err));
      exit (1);
    }
}

static void
write_cert (const pgp_cert_t *c, unsigned int flags, const char *out)
{
  unsigned char *buf;
  size_t len;

  die_on (pgp_cert_export (c, flags | PGP_EXPORT_ARMOR, &buf, &len),
          "export");
  if (spit (out, buf, len))
    die_on (gpg_error (GPG_ERR_EIO), out);
  wipe_and_free (buf, len);
}

int
main (int argc, char **argv)
{
  pgp_cert_t *c = NULL, *t = NULL;
  pgp_signer_t signer;
  char *s;

  if (oca_init_gcrypt (1024 * 1024) || argc < 2)
    return 2;
  if (!strcmp (argv[1], "gen-ca") && argc == 5)
    {
      die_on (pgp_generate_ca (pgp_gen_algo_from_string (argv[2]), NULL,
                               argv[3], 0, &c), "generate");
      write_cert (c, PGP_EXPORT_SECRET, argv[4]);
    }
  else if (!strcmp (argv[1], "gen-user") && argc >= 7)
    {
      pgp_sig_t *rev = NULL;

      die_on (pgp_generate_user (pgp_gen_algo_from_string (argv[2]),
                                 (const char *const *)argv + 6, argc - 6, 0,
                                 &c, &rev), "generate");
      if (strcmp (argv[5], "-"))
        die_on (pgp_cert_protect (c, argv[5]), "protect");
      write_cert (c, PGP_EXPORT_SECRET, argv[3]);
      die_on (pgp_sig_armor (rev, 0, PGP_ARMOR_PUBKEY, NULL, &s), "armor");
      spit (argv[4], s, strlen (s));
      xfree (s);
      pgp_sig_release (rev);
    }
  else if (!strcmp (argv[1], "pub") && argc == 4)
    {
      c = load (argv[2]);
      write_cert (c, 0, argv[3]);
    }
  else if (!strcmp (argv[1], "certify") && argc >= 6)
    {
      pgp_certify_opts_t opts;
      char *regex = NULL;

      c = load (argv[2]);
      t = load (argv[3]);
      die_on (pgp_signer_from_key (c->primary, &signer), "signer");
      memset (&opts, 0, sizeof opts);
      if (!strcmp (argv[5], "plain"))
        {
          opts.signer_uid = c->uids->name;
          opts.validity = 30 * 86400;
        }
      else if (!strcmp (argv[5], "tsig") || !strcmp (argv[5], "scoped"))
        {
          opts.trust_level = 255;
          opts.trust_amount = 120;
          if (argv[5][0] == 's' && argc == 7)
            {
              regex = gpgrt_bsprintf ("<[^>]+[@.]%s>$", argv[6]);
              opts.regex = regex;
            }
        }
      die_on (pgp_cert_certify_uid (t, t->uids, &signer, &opts, NULL),
              "certify");
      if (!strcmp (argv[5], "revoke"))
        die_on (pgp_cert_revoke_uid (t, t->uids, &signer,
                                     PGP_REVOC_UNSPECIFIED,
                                     "removing OpenPGP CA bridge",
                                     (uint32_t)time (NULL) + 1, NULL),
                "revoke");
      gpgrt_free (regex);
      write_cert (t, 0, argv[4]);
    }
  else if (!strcmp (argv[1], "sign") && argc == 5)
    {
      size_t len;
      unsigned char *data;
      pgp_key_t *sk;
      pgp_sig_t *sig;

      c = load (argv[2]);
      sk = pgp_cert_signing_subkey (c);
      if (!sk)
        die_on (gpg_error (GPG_ERR_NO_SECKEY), "signing subkey");
      die_on (pgp_signer_from_key (sk, &signer), "signer");
      data = slurp (argv[3], &len);
      die_on (pgp_sign_detached (&signer, data, len, 0, 0, &sig), "sign");
      die_on (pgp_verify_detached (sk, data, len, sig), "verify");
      die_on (pgp_sig_armor (sig, 0, PGP_ARMOR_SIGNATURE, NULL, &s), "armor");
      spit (argv[4], s, strlen (s));
      xfree (s);
      free (data);
      pgp_sig_release (sig);
    }
  else if (!strcmp (argv[1], "check") && argc >= 3)
    {
      const pgp_uid_t *u;
      const pgp_sig_t *sig;
      int good = 0, bad = 0;

      c = load (argv[2]);
      if (argc > 3)
        t = load (argv[3]);
      die_on (pgp_cert_verify (c, t), "verify");
      for (u = c->uids; u; u = u->next)
        for (sig = u->sigs; sig; sig = sig->next)
          {
            if (sig->status == PGP_SIGSTAT_GOOD)
              good++;
            else if (sig->status == PGP_SIGSTAT_BAD)
              bad++;
            printf ("uid %s: sig 0x%02x status %d\n", u->name,
                    sig->sigclass, sig->status);
          }
      printf ("good %d bad %d\n", good, bad);
      if (bad)
        return 1;
    }
  else
    {
      fprintf (stderr, "usage error\n");
      return 2;
    }
  pgp_cert_release (c);
  pgp_cert_release (t);
  return 0;
}
