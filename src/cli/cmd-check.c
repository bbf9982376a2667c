/* cmd-check.c - `oca user check': expiry, certifications
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * oca user check CHECK [OPTIONS].  Each check is an entry of the table
 * below: it parses its options, then walks the stored users of the CA
 * opened by check_open and prints what the core's check function
 * (ca-check.c) says about each (spec openpgp-ca.md 5.10).
 */
#include <config.h>
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The display name of USER ("<no name>" if none; xfree).  */
static char *
user_name (const ca_user_t *user)
{
  if (!user->name)
    return xtrystrdup ("<no name>");
  return pgp_uid_escape (user->name, strlen (user->name));
}


/* Open the CA of OPTS for a check (read-only), in one read
 * transaction: one snapshot, and no lock taken again per user.  */
static gpg_error_t
check_open (const ca_opts_t *opts, ca_t **r_ca)
{
  gpg_error_t err = ca_open (opts, CA_OPEN_READONLY, r_ca);

  if (!err)
    err = ca_begin_read (*r_ca);
  return err;
}


/* Warn on stderr if the CA key itself expires within DAYS days of NOW
 * (or has expired): then no certification of it counts any more.  */
static void
warn_ca_expiry (ca_t *ca, uint32_t now, unsigned long days)
{
  ca_info_t info;
  time_t t;
  struct tm tm;
  char buf[32];

  ca_get_info (ca, &info);
  if (!info.expires || (uint64_t)info.expires > now + (uint64_t)days * 86400)
    return;
  t = info.expires;
  if (!gmtime_r (&t, &tm) || !strftime (buf, sizeof buf, "%d/%m/%Y", &tm))
    strcpy (buf, "?");
  if (info.expires <= now)
    fprintf (stderr, "Warning: the CA key itself expired on %s: its "
             "certifications are no longer valid; extend it with "
             "'oca ca extend'\n", buf);
  else
    fprintf (stderr, "Warning: the CA key itself expires on %s (in %lu "
             "day%s): extend it with 'oca ca extend'\n", buf,
             (unsigned long)((info.expires - now + 86399) / 86400),
             (info.expires - now + 86399) / 86400 == 1 ? "" : "s");
}


/* A certificate found by `user check expiry'.  */
typedef struct expiring
{
  struct expiring *next;
  char fpr[41];
  char *name;
  uint32_t expires;
} expiring_t;


/* oca user check expiry [-d DAYS] [--with-colons] */
static gpg_error_t
check_expiry (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "days", required_argument, NULL, 'd' },
      { "with-colons", no_argument, NULL, 'C' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  unsigned long days = 30;
  char *end;
  int c, colons = 0;
  ca_t *ca = NULL;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  ca_check_expiry_t res;
  expiring_t *list = NULL, **tail = &list, *e;
  size_t n = 0;
  uint32_t now = (uint32_t)time (NULL);

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":d:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'd':
        errno = 0;
        days = strtoul (optarg, &end, 10);
        if (*optarg < '0' || *optarg > '9' || *end || errno
            || days > 36500)
          return cmd_usage ("invalid number of days '%s' (0 to 36500)",
                            optarg);
        break;
      case 'C': colons = 1; break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);

  err = check_open (opts, &ca);
  if (!err)
    warn_ca_expiry (ca, now, days);
  if (!err)
    err = ca_users_open (ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    {
      err = ca_check_expiry (ca, user, now, days, &res);
      if (err || !res.expiring)
        continue;
      if (colons)
        {
          /* exp:FPR:NAME:EXPIRES:  */
          cmd_colons_start (stdout, "exp");
          cmd_colons_str (stdout, user->fpr);
          cmd_colons_str (stdout, user->name);
          cmd_colons_num (stdout, res.expires);
          cmd_colons_end (stdout);
          continue;
        }
      e = xtrycalloc (1, sizeof *e);
      if (!e || !(e->name = user_name (user)))
        {
          err = oca_error_from_errno ();
          xfree (e);
          break;
        }
      strcpy (e->fpr, user->fpr);
      e->expires = res.expires;
      *tail = e;
      tail = &e->next;
      n++;
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  if (err || colons)
    goto leave;

  if (!n)
    printf ("No certificates will expire in the next %lu days.\n", days);
  else
    printf ("The following %zu certificate(s) will expire in the next %lu "
            "days.\n\n", n, days);
  for (e = list; e; e = e->next)
    {
      printf ("name %s, fingerprint %s\n", e->name, e->fpr);
      if (e->expires)
        {
          time_t t = e->expires;
          struct tm tm;
          char buf[32];

          if (!gmtime_r (&t, &tm) || !strftime (buf, sizeof buf,
                                                "%d/%m/%Y", &tm))
            strcpy (buf, "?");
          printf (" expires: %s\n", buf);
        }
      else
        printf (" no expiration date is set for this user key\n");
      printf ("\n");
    }

 leave:
  while (list)
    {
      e = list->next;
      xfree (list->name);
      xfree (list);
      list = e;
    }
  ca_users_close (it);
  ca_release (ca);
  return err;
}


/* oca user check certifications [--with-colons] */
static gpg_error_t
check_certifications (const ca_opts_t *opts, int argc, char **argv)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  ca_check_mutual_t res;
  size_t n = 0, nok = 0;
  uint32_t now = (uint32_t)time (NULL);
  char *name;
  int colons;

  err = cmd_colons_options (argc, argv, &colons);
  if (err)
    return err;
  err = check_open (opts, &ca);
  if (!err)
    warn_ca_expiry (ca, now, 30);
  if (!err)
    err = ca_users_open (ca, NULL, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    {
      err = ca_check_certifications (ca, user, now, &res);
      if (err)
        break;
      n++;
      if (colons)
        {
          /* mut:FPR:NAME:CA-CERTIFIED:TSIGNED: for every user.  */
          cmd_colons_start (stdout, "mut");
          cmd_colons_str (stdout, user->fpr);
          cmd_colons_str (stdout, user->name);
          cmd_colons_num (stdout, res.ca_certified ? 1 : 0);
          cmd_colons_num (stdout, res.tsigned ? 1 : 0);
          cmd_colons_end (stdout);
          continue;
        }
      if (res.ca_certified && res.tsigned)
        {
          nok++;
          continue;
        }
      name = user_name (user);
      if (!name)
        {
          err = oca_error_from_errno ();
          break;
        }
      printf ("No mutual certification for %s (%s):\n", user->fpr, name);
      xfree (name);
      if (!res.ca_certified)
        printf ("  No CA certification on any User ID\n");
      if (!res.tsigned)
        printf ("  Has not tsigned CA key.\n");
      printf ("\n");
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  if (!err && !colons)
    printf ("Checked %zu user keys, %zu of them have mutual "
            "certifications.\n", n, nok);
  ca_users_close (it);
  ca_release (ca);
  return err;
}


/* The checks.  */
static const struct
{
  const char *name;
  cmd_fn_t fn;
} checks[] =
  {
    { "expiry", check_expiry },
    { "certifications", check_certifications }
  };


/* oca user check CHECK [OPTIONS] */
gpg_error_t
cmd_user_check (const ca_opts_t *opts, int argc, char **argv)
{
  size_t i;

  if (argc < 2 || argv[1][0] == '-')
    return cmd_usage ("a check is required (expiry or certifications)");
  for (i = 0; i < DIM (checks); i++)
    if (!strcmp (argv[1], checks[i].name))
      return checks[i].fn (opts, argc - 1, argv + 1);
  return cmd_usage ("unknown check '%s' (expiry or certifications)",
                    argv[1]);
}
