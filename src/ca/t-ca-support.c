/* t-ca-support.c - what the unit tests of the CA core share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];


/* Remove the temporary directory (at exit).  */
static void
remove_tmpdir (void)
{
  char cmd[128];

  if (!*tmpdir || getenv ("OCA_KEEP_TMP"))
    return;
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd))
    fprintf (stderr, "could not remove %s\n", tmpdir);
}


void
tca_init (void)
{
  if (oca_init_gcrypt (1024 * 1024))
    {
      printf ("Bail out! libgcrypt\n");
      exit (1);
    }
  snprintf (tmpdir, sizeof tmpdir, "%s/oca-tca.XXXXXX",
            getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp");
  if (!mkdtemp (tmpdir))
    {
      printf ("Bail out! mkdtemp\n");
      exit (1);
    }
  atexit (remove_tmpdir);
}


const char *
tca_path (const char *name)
{
  static char bufs[8][256];
  static int idx;
  char *p = bufs[idx++ % 8];

  snprintf (p, 256, "%s/%s", tmpdir, name);
  return p;
}


ca_opts_t
tca_opts (const char *name)
{
  ca_opts_t opts;

  memset (&opts, 0, sizeof opts);
  opts.dbfile = name ? tca_path (name) : NULL;
  opts.card_route = CA_ROUTE_STORED;
  return opts;
}


gpg_error_t
tca_make_ca (const char *name, const char *domain, int algo, ca_t **r_ca)
{
  gpg_error_t err;
  ca_opts_t opts = tca_opts (name);
  ca_t *ca = NULL;

  *r_ca = NULL;
  err = ca_open (&opts, CA_OPEN_CREATE, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_init_softkey (ca, domain, NULL, algo);
  if (!err)
    err = ca_commit (ca);
  ca_release (ca);
  if (!err)
    err = ca_open (&opts, 0, r_ca);
  return err;
}


pgp_cert_t *
tca_user_key (int algo, const char *const *uids, size_t nuids)
{
  pgp_cert_t *cert = NULL;
  pgp_sig_t *rev = NULL;

  if (pgp_generate_user (algo, uids, nuids, 0, &cert, &rev))
    return NULL;
  pgp_sig_release (rev);
  return cert;
}


char *
tca_armor (const pgp_cert_t *cert)
{
  unsigned char *buf = NULL;
  size_t len;

  if (pgp_cert_export (cert, PGP_EXPORT_ARMOR, &buf, &len))
    return NULL;
  return (char *)buf;
}


unsigned char *
tca_slurp (const char *path, size_t *r_len)
{
  FILE *fp;
  unsigned char *buf = NULL;
  long n;

  *r_len = 0;
  fp = fopen (path, "rb");
  if (!fp)
    return NULL;
  if (!fseek (fp, 0, SEEK_END) && (n = ftell (fp)) >= 0
      && !fseek (fp, 0, SEEK_SET) && (buf = xtrymalloc (n + 1)))
    {
      if (n && fread (buf, n, 1, fp) != 1)
        {
          xfree (buf);
          buf = NULL;
        }
      else
        {
          buf[n] = 0;
          *r_len = n;
        }
    }
  fclose (fp);
  return buf;
}


char *
tca_stderr_of (void (*fn) (void *opaque), void *opaque)
{
  const char *path = tca_path ("stderr.txt");
  int fd, saved;
  size_t len;
  unsigned char *buf;

  fflush (stderr);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  saved = dup (2);
  if (fd < 0 || saved < 0 || dup2 (fd, 2) < 0)
    {
      printf ("Bail out! redirecting stderr\n");
      exit (1);
    }
  close (fd);
  fn (opaque);
  fflush (stderr);
  dup2 (saved, 2);
  close (saved);
  buf = tca_slurp (path, &len);
  return buf ? (char *)buf : xtrystrdup ("");
}
