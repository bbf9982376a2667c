/* cmd-revoke.c - revocations: ca revocations, user add-revocation,
 *                apply-revocation, show-revocations
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The revocation commands of openpgp-ca (spec openpgp-ca.md 1, 3.9,
 * 3.10): their options and output; the work is in ca-revset.c and
 * ca-revoke.c.
 */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>


/* The single positional argument of a command without options, in
 * *R_ARG; WHAT names it in the usage error.  */
static gpg_error_t
one_argument (int argc, char **argv, const char *what, const char **r_arg)
{
  static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
  int c;

  *r_arg = NULL;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", longopts, NULL)) != -1)
    return cmd_getopt_error (c, argv);
  if (optind >= argc)
    return cmd_usage ("%s is required", what);
  if (optind + 1 < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind + 1]);
  *r_arg = argv[optind];
  return 0;
}


/* oca ca revocations -o FILE */
gpg_error_t
cmd_ca_revocations (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "output", required_argument, NULL, 'o' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *fname = NULL;
  ca_t *ca = NULL;
  char *text = NULL;
  int c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":o:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'o': fname = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
  if (!fname)
    return cmd_usage ("the option --output is required");

  err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_revocation_set (ca, 0, &text);
  if (!err)
    err = cmd_write_file (fname, text);
  if (!err)
    err = ca_commit (ca);
  if (!err)
    printf ("Wrote a set of revocations to the output file\n");
  xfree (text);
  ca_release (ca);
  return err;
}


/* oca user add-revocation FILE */
gpg_error_t
cmd_user_add_revocation (const ca_opts_t *opts, int argc, char **argv)
{
  gpg_error_t err;
  const char *fname;
  unsigned char *buf = NULL;
  size_t len = 0;
  ca_t *ca = NULL;
  char fpr[41];
  int added = 0;

  err = one_argument (argc, argv, "a revocation FILE", &fname);
  if (!err)
    err = cmd_read_file (fname, &buf, &len);
  if (!err)
    err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_revocation_add (ca, buf, len, fname, fpr, &added);
  if (!err && added)
    err = ca_commit (ca);
  if (!err && added)
    printf ("Stored %d revocation%s for %s.\n", added, added == 1 ? "" : "s",
            fpr);
  else if (!err)
    printf ("The revocation for %s is stored already.\n", fpr);
  xfree (buf);
  ca_release (ca);
  return err;
}


/* oca user apply-revocation ID */
gpg_error_t
cmd_user_apply_revocation (const ca_opts_t *opts, int argc, char **argv)
{
  gpg_error_t err;
  const char *id;
  ca_t *ca = NULL;
  char fpr[41];

  err = one_argument (argc, argv, "a revocation ID", &id);
  if (!err)
    err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_revocation_apply (ca, id, fpr);
  if (!err)
    err = ca_commit (ca);
  if (!err)
    printf ("Applied the revocation to %s.\n", fpr);
  ca_release (ca);
  return err;
}


/* The text of revocation reason CODE (as Sequoia words it).  */
static const char *
reason_text (int code)
{
  switch (code)
    {
    case PGP_REVOC_UNSPECIFIED: return "No reason specified";
    case PGP_REVOC_SUPERSEDED: return "Key is superseded";
    case PGP_REVOC_COMPROMISED: return "Key material has been compromised";
    case PGP_REVOC_RETIRED: return "Key is retired and no longer used";
    case PGP_REVOC_UID_INVALID:
      return "User ID information is no longer valid";
    default:
      return code >= 100 && code <= 110
        ? "Private/Experimental revocation reason"
        : "Unknown revocation reason";
    }
}


/* Print the stored revocations of USER.  */
static gpg_error_t
show_user (ca_t *ca, const ca_user_t *user)
{
  gpg_error_t err;
  ca_revocation_t *list = NULL, *r;
  char *name, *text;
  char day[16];
  time_t t;
  struct tm tm;

  err = ca_user_revocations (ca, user, &list);
  if (err)
    return err;
  name = user->name ? pgp_uid_escape (user->name, strlen (user->name))
    : xtrystrdup ("<no name>");
  printf ("Revocations for OpenPGP key %s, user \"%s\"\n", user->fpr,
          name ? name : "?");
  xfree (name);
  for (r = list; r; r = r->next)
    {
      t = r->created;
      if (!gmtime_r (&t, &tm) || !strftime (day, sizeof day, "%d/%m/%Y",
                                            &tm))
        strcpy (day, "?");
      printf (" - revocation id %s: ", r->hash);
      if (r->has_reason)
        {
          text = r->reason_text ? pgp_uid_escape (r->reason_text,
                                                  strlen (r->reason_text))
            : NULL;
          printf ("%s (%s)", reason_text (r->reason), text ? text : "");
          xfree (text);
        }
      else
        printf ("Revocation reason unknown");
      printf (" (%s)\n", day);
      if (r->published)
        printf ("   this revocation has been APPLIED\n");
      printf ("\n");
    }
  ca_revocation_release (list);
  return 0;
}


/* oca user show-revocations -e EMAIL */
gpg_error_t
cmd_user_show_revocations (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "email", required_argument, NULL, 'e' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *email_arg = NULL;
  char *email = NULL;
  ca_t *ca = NULL;
  ca_user_iter_t *it = NULL;
  const ca_user_t *user;
  size_t n = 0;
  int c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":e:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'e': email_arg = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
  if (!email_arg)
    return cmd_usage ("the option --email is required");
  err = cmd_parse_email (email_arg, &email);
  if (err)
    return err;

  err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_users_open (ca, email, &it);
  while (!err && !(err = ca_users_next (it, &user)))
    {
      n++;
      err = show_user (ca, user);
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  if (!err && !n)
    printf ("No OpenPGP keys found\n");
  ca_users_close (it);
  ca_release (ca);
  xfree (email);
  return err;
}
