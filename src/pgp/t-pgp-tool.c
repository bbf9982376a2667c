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
 *   gen-uids ALGO OUT SPEC...          public key whose User IDs are
 *                                      any bytes; prints its fingerprint
 *   unescape STRING                    print STRING with its escapes
 *                                      (as in a SPEC) decoded
 *   gen-many ALGO N DIR DOMAIN         N public user keys DIR/uI.asc,
 *                                      "User I <userI@DOMAIN>"
 *   gen-ring ALGO N DOMAIN OUT [FIRST] N bare public keys (a primary
 *                                      key and "User I <userI@DOMAIN>",
 *                                      I from FIRST, default 1) as one
 *                                      binary keyring (fast: for the
 *                                      scale tests)
 *   flip-sig IN ISSUER OUT             IN (armored public key) with the
 *                                      last byte of each User ID
 *                                      signature by fingerprint ISSUER
 *                                      flipped (a tampered
 *                                      certification); exit 1 if none
 *
 * A gen-uids SPEC is KIND:COUNT:UID.  UID may hold \xNN and \\ escapes
 * (so NUL and invalid UTF-8 can be given); COUNT copies are made.  KIND
 * is "bound" (a good 0x13 self-signature), "nosig" (none), "badsig" (a
 * self-signature with its last byte flipped) or "revoked" (bound, then
 * revoked by a newer 0x30 self-signature).
 */
#include <config.h>
#include "oca-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgp-int.h"


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

/* Decode the \xNN and \\ escapes of S into *R_LEN bytes (malloc).  */
static unsigned char *
unescape (const char *s, size_t *r_len)
{
  unsigned char *out = malloc (strlen (s) + 1);
  size_t n = 0;
  unsigned int v;

  if (!out)
    exit (2);
  while (*s)
    {
      if (s[0] == '\\' && s[1] == '\\')
        {
          out[n++] = '\\';
          s += 2;
        }
      else if (s[0] == '\\' && s[1] == 'x' && sscanf (s + 2, "%2x", &v) == 1)
        {
          out[n++] = v;
          s += 4;
        }
      else
        out[n++] = *s++;
    }
  *r_len = n;
  return out;
}


/* gen-uids ALGO OUT SPEC...: see the head comment.  */
static void
gen_uids (int argc, char **argv)
{
  pgp_cert_t *c = NULL;
  pgp_uid_t *uid, **tail;
  pgp_sig_t *sig;
  pgp_signer_t signer;
  pgp_certify_opts_t opts;
  const char *placeholder = "placeholder";
  char fpr[41], *kind, *p;
  unsigned char *body;
  size_t len;
  long count, k;
  int i;

  die_on (pgp_generate_user (pgp_gen_algo_from_string (argv[2]),
                             &placeholder, 1, 0, &c, NULL), "generate");
  die_on (pgp_signer_from_key (c->primary, &signer), "signer");
  uid = c->uids;
  c->uids = NULL;
  _pgp_uid_release (uid);
  tail = &c->uids;
  memset (&opts, 0, sizeof opts);
  opts.sigclass = PGP_SIG_POSITIVE_CERT;
  for (i = 4; i < argc; i++)
    {
      kind = argv[i];
      p = strchr (kind, ':');
      if (!p)
        die_on (gpg_error (GPG_ERR_INV_ARG), "spec");
      *p++ = 0;
      count = strtol (p, &p, 10);
      if (*p++ != ':' || count < 1)
        die_on (gpg_error (GPG_ERR_INV_ARG), "spec");
      body = unescape (p, &len);
      for (k = 0; k < count; k++)
        {
          die_on (_pgp_uid_new_mem (body, len, &uid), "uid");
          *tail = uid;
          tail = &uid->next;
          if (!strcmp (kind, "nosig"))
            continue;
          die_on (pgp_cert_certify_uid (c, uid, &signer, &opts, &sig),
                  "self-sign");
          if (!strcmp (kind, "badsig"))
            sig->raw[sig->rawlen - 1] ^= 1;
          else if (!strcmp (kind, "revoked"))
            die_on (pgp_cert_revoke_uid (c, uid, &signer,
                                         PGP_REVOC_UID_INVALID,
                                         "gone", (uint32_t)time (NULL) + 1,
                                         NULL), "revoke");
          else if (strcmp (kind, "bound"))
            die_on (gpg_error (GPG_ERR_INV_ARG), kind);
        }
      free (body);
    }
  write_cert (c, 0, argv[3]);
  printf ("%s\n", pgp_cert_fpr_hex (c, fpr));
  pgp_cert_release (c);
}


int
main (int argc, char **argv)
{
  pgp_cert_t *c = NULL, *t = NULL;
  pgp_signer_t signer;
  char *s;
  int rc = 0;

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
  else if (!strcmp (argv[1], "gen-uids") && argc >= 5)
    gen_uids (argc, argv);
  else if (!strcmp (argv[1], "gen-many") && argc == 6)
    {
      int i, n = atoi (argv[3]);
      char uid[256], name[4096];
      const char *uids[1] = { uid };
      pgp_sig_t *rev = NULL;

      for (i = 1; i <= n; i++)
        {
          snprintf (uid, sizeof uid, "User %d <user%d@%s>", i, i, argv[5]);
          snprintf (name, sizeof name, "%s/u%d.asc", argv[4], i);
          die_on (pgp_generate_user (pgp_gen_algo_from_string (argv[2]),
                                     uids, 1, 0, &c, &rev), "generate");
          pgp_sig_release (rev);
          write_cert (c, 0, name);
          pgp_cert_release (c);
          c = NULL;
        }
    }
  else if (!strcmp (argv[1], "unescape") && argc == 3)
    {
      size_t len;
      unsigned char *b = unescape (argv[2], &len);

      fwrite (b, 1, len, stdout);
      free (b);
    }
  else if (!strcmp (argv[1], "gen-ring") && (argc == 6 || argc == 7))
    {
      unsigned long i, n = strtoul (argv[3], NULL, 10);
      unsigned long first = argc == 7 ? strtoul (argv[6], NULL, 10) : 1;
      char uid[256];
      const char *uids[1] = { uid };
      pgp_sig_t *rev = NULL;
      membuf_t mb;
      unsigned char *buf;
      size_t len;

      membuf_init (&mb, PGP_MAX_INPUT, 0);
      for (i = first; i < first + n; i++)
        {
          snprintf (uid, sizeof uid, "User %lu <user%lu@%s>", i, i, argv[4]);
          die_on (pgp_generate_user_ext (pgp_gen_algo_from_string (argv[2]),
                                         0, uids, 1, 0, &c, &rev),
                  "generate");
          pgp_cert_write (c, 0, &mb);
          pgp_cert_release (c);
          pgp_sig_release (rev);
          c = NULL;
        }
      die_on (membuf_take (&mb, &buf, &len), "keyring");
      if (spit (argv[5], buf, len))
        die_on (gpg_error (GPG_ERR_EIO), argv[5]);
      xfree (buf);
    }
  else if (!strcmp (argv[1], "flip-sig") && argc == 5)
    {
      pgp_uid_t *u;
      pgp_sig_t *sig;
      unsigned char fpr[20];
      int n = 0;

      c = load (argv[2]);
      die_on (oca_hex2bin (argv[3], fpr, 20), "issuer fingerprint");
      for (u = c->uids; u; u = u->next)
        for (sig = u->sigs; sig; sig = sig->next)
          if (sig->has_issuer_fpr && !memcmp (sig->issuer_fpr, fpr, 20)
              && sig->rawlen)
            {
              sig->raw[sig->rawlen - 1] ^= 0x01;
              n++;
            }
      if (!n)
        {
          fprintf (stderr, "flip-sig: no signature by %s\n", argv[3]);
          return 1;
        }
      write_cert (c, 0, argv[4]);
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
        rc = 1;
    }
  else
    {
      fprintf (stderr, "usage error\n");
      return 2;
    }
  pgp_cert_release (c);
  pgp_cert_release (t);
  return rc;
}
