/* cmd-common.c - helpers shared by the command implementations
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>


/* See cli.h.  */
gpg_error_t
cmd_usage (const char *fmt, ...)
{
  va_list ap;
  char buf[512];

  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  return ca_set_errmsg (gpg_error (CA_ERR_USAGE), "%s", buf);
}


/* See cli.h.  */
gpg_error_t
cmd_check_name (const char *name)
{
  gpg_error_t err;
  char *shown;

  if (!*name)
    return cmd_usage ("invalid name '' (empty)");
  err = pgp_uid_parse (name, strlen (name), NULL, NULL, NULL);
  if (gpg_err_code (err) == GPG_ERR_NO_DATA)
    return 0;
  if (err && gpg_err_code (err) != GPG_ERR_INV_USER_ID)
    return err;
  shown = pgp_uid_escape (name, strlen (name));
  err = cmd_usage ("invalid name '%s'", shown ? shown : "?");
  xfree (shown);
  return err;
}


/* See cli.h.  */
gpg_error_t
cmd_getopt_error (int c, char **argv)
{
  if (c == ':')
    return cmd_usage ("option '%s' needs an argument", argv[optind - 1]);
  return cmd_usage ("unknown option '%s'", argv[optind - 1]);
}


/* See cli.h.  S goes straight to the file descriptor.  */
gpg_error_t
cmd_write_secret (FILE *fp, const char *s)
{
  size_t len = strlen (s);
  ssize_t n;

  if (fflush (fp))
    return oca_error_from_errno ();
  while (len)
    {
      n = write (fileno (fp), s, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n < 0 ? oca_error_from_errno () : gpg_error (GPG_ERR_EIO);
      s += n;
      len -= (size_t)n;
    }
  return 0;
}


/* See cli.h.  */
gpg_error_t
cmd_parse_suite (const char *arg, int *r_algo)
{
  *r_algo = pgp_gen_algo_from_string (arg);
  if (!*r_algo)
    return cmd_usage ("unknown cipher suite '%s' (cv25519, rsa2k, rsa3k, "
                      "rsa4k, p256, p384 or p521)", arg);
  return 0;
}


/* See cli.h.  */
gpg_error_t
cmd_parse_bool (const char *opt, const char *arg, int *r_yes)
{
  if (!strcasecmp (arg, "true"))
    *r_yes = 1;
  else if (!strcasecmp (arg, "false"))
    *r_yes = 0;
  else
    return cmd_usage ("invalid value '%s' for %s (true or false)", arg,
                      opt);
  return 0;
}


/* See cli.h.  */
gpg_error_t
cmd_parse_email (const char *s, char **r_email)
{
  gpg_error_t err;
  const char *why = NULL;
  char *shown;

  *r_email = NULL;
  err = pgp_mail_normalize (s, r_email, &why);
  if (gpg_err_code (err) == GPG_ERR_INV_USER_ID)
    {
      shown = pgp_uid_escape (s, strlen (s));
      err = ca_set_errmsg (err, "invalid email address '%s': %s",
                           shown ? shown : "?", why ? why : "invalid");
      xfree (shown);
    }
  return err;
}


/* See cli.h.  */
gpg_error_t
cmd_options_done (int argc, char **argv, const char *required,
                  const void *value)
{
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
  if (required && !value)
    return cmd_usage ("the option %s is required", required);
  return 0;
}


/* See cli.h.  */
gpg_error_t
cmd_set_email (char **r_email, const char *s)
{
  xfree (*r_email);
  return cmd_parse_email (s, r_email);
}


/* See cli.h.  */
gpg_error_t
cmd_no_options (int argc, char **argv)
{
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  int c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", opts, NULL)) != -1)
    return cmd_getopt_error (c, argv);
  return cmd_options_done (argc, argv, NULL, NULL);
}


/* See cli.h.  */
gpg_error_t
cmd_print_summary (FILE *fp, const ca_summary_t *sum)
{
  gpg_error_t err;
  char tbuf[64];
  time_t t = sum->created;
  struct tm tm;

  if (!gmtime_r (&t, &tm)
      || !strftime (tbuf, sizeof tbuf, "%Y-%m-%d %H:%M:%S UTC", &tm))
    strcpy (tbuf, "?");
  fprintf (fp, "    CA Domain: %s\n", sum->domain);
  fprintf (fp, "  Fingerprint: %s\n", sum->fpr);
  fprintf (fp, "Creation time: %s\n", tbuf);
  if (sum->expires)
    {
      t = sum->expires;
      if (!gmtime_r (&t, &tm)
          || !strftime (tbuf, sizeof tbuf, "%Y-%m-%d %H:%M:%S UTC", &tm))
        strcpy (tbuf, "?");
      fprintf (fp, "   Expiration: %s\n", tbuf);
    }
  /* The card backend's text carries the User PIN: keep it out of
   * stdio's buffer.  */
  fputs ("   CA Backend: ", fp);
  err = cmd_write_secret (fp, sum->backend);
  if (!err)
    fputc ('\n', fp);
  return err;
}


/* See cli.h.  */
gpg_error_t
cmd_print_ca (ca_t *ca, FILE *fp)
{
  gpg_error_t err;
  ca_summary_t sum;

  err = ca_get_summary (ca, &sum);
  if (!err)
    err = cmd_print_summary (fp, &sum);
  ca_summary_release (&sum);
  return err;
}


/* See cli.h.  */
void
cmd_progress_bar (size_t done, size_t total)
{
  int width = 40, filled;

  if (!total)
    return;
  filled = (int)((double)done / total * width);
  fprintf (stderr, "\r[%.*s%*s] %zu/%zu", filled,
           "########################################", width - filled, "",
           done, total);
  fflush (stderr);
}


/* See cli.h.  */
void
cmd_report_line (void *opaque, const char *line)
{
  int *tty = opaque;

  if (*tty)
    fputs ("\r\033[K", stderr);
  fprintf (stderr, "%s\n", line);
}


/* See cli.h.  */
gpg_error_t
cmd_get_number (const char *arg, const char *name, unsigned long max,
                unsigned long *r_n)
{
  char *end;
  unsigned long n;

  errno = 0;
  n = strtoul (arg, &end, 10);
  if (errno || end == arg || *end || *arg == '-' || !n || n > max)
    return cmd_usage ("invalid value '%s' for %s (1 to %lu)", arg, name,
                      max);
  *r_n = n;
  return 0;
}
