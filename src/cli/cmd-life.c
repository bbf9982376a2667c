/* cmd-life.c - the CA's life: `ca cert-validity', `ca extend',
 *              `ca renew', `ca audit'
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Days `ca renew' renews for without --days and a stored default.  */
#define RENEW_DEFAULT_DAYS 365
/* Its window without --within.  */
#define RENEW_DEFAULT_WITHIN 30


/* T as "YYYY-MM-DD HH:MM:SS UTC" into BUF.  */
static const char *
time_str (uint32_t t, char buf[40])
{
  time_t tt = t;
  struct tm tm;

  if (!gmtime_r (&tt, &tm)
      || !strftime (buf, 40, "%Y-%m-%d %H:%M:%S UTC", &tm))
    strcpy (buf, "?");
  return buf;
}


/* oca ca cert-validity [DAYS] */
gpg_error_t
cmd_ca_cert_validity (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
  gpg_error_t err;
  ca_t *ca = NULL;
  unsigned int days = 0;
  int c, set;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", longopts, NULL)) != -1)
    return cmd_getopt_error (c, argv);
  if (optind + 1 < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind + 1]);
  set = optind < argc;
  if (set && (err = ca_parse_days (argv[optind], "DAYS", 0, &days)))
    return err;

  err = ca_open (opts, set ? 0 : CA_OPEN_READONLY, &ca);
  if (err)
    goto leave;
  if (set)
    {
      err = ca_begin (ca);
      if (!err)
        err = ca_set_default_validity (ca, days);
      if (!err)
        err = ca_commit (ca);
    }
  else
    err = ca_get_default_validity (ca, &days);
  if (err)
    goto leave;
  if (days)
    printf ("Certifications are valid for %u day%s.\n", days,
            days == 1 ? "" : "s");
  else
    printf ("Certifications do not expire.\n");

 leave:
  ca_release (ca);
  return err;
}


/* oca ca extend --days N [--force] */
gpg_error_t
cmd_ca_extend (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "days",  required_argument, NULL, 'd' },
      { "force", no_argument,       NULL, 'F' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_info_t info;
  const char *days_arg = NULL;
  unsigned int days = 0;
  int force = 0, c;
  char buf[40];

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":d:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'd': days_arg = optarg; break;
      case 'F': force = 1; break;
      default: return cmd_getopt_error (c, argv);
      }
  err = cmd_options_done (argc, argv, "--days", days_arg);
  if (!err)
    err = ca_parse_days (days_arg, "--days", 0, &days);
  if (err)
    return err;

  err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_extend (ca, days, force);
  if (!err)
    err = ca_commit (ca);
  if (err)
    goto leave;
  ca_get_info (ca, &info);
  if (info.expires)
    printf ("The CA key expires on %s.\n", time_str (info.expires, buf));
  else
    printf ("The CA key does not expire.\n");

 leave:
  ca_release (ca);
  return err;
}


/* Progress bar on stderr (a terminal only), its line ended at the
 * end.  */
static void
renew_progress (void *opaque, size_t done, size_t total)
{
  (void)opaque;
  cmd_progress_bar (done, total);
  if (total && done == total)
    {
      fputc ('\n', stderr);
      fflush (stderr);
    }
}


/* oca ca renew [--days N] [--within DAYS] [--batch N] */
gpg_error_t
cmd_ca_renew (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "days",   required_argument, NULL, 'd' },
      { "within", required_argument, NULL, 'w' },
      { "batch",  required_argument, NULL, 'b' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  ca_t *ca = NULL;
  const char *days_arg = NULL, *within_arg = NULL;
  unsigned int days = 0, within = RENEW_DEFAULT_WITHIN;
  unsigned long batch = 0;
  ca_renew_stats_t st;
  int c, tty = isatty (2);

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":d:w:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'd': days_arg = optarg; break;
      case 'w': within_arg = optarg; break;
      case 'b':
        if ((err = cmd_get_number (optarg, "--batch", CA_RENEW_BATCH_MAX,
                                   &batch)))
          return err;
        break;
      default: return cmd_getopt_error (c, argv);
      }
  if ((err = cmd_options_done (argc, argv, NULL, NULL)))
    return err;
  if (days_arg && (err = ca_parse_days (days_arg, "--days", 1, &days)))
    return err;
  if (within_arg
      && (err = ca_parse_days (within_arg, "--within", 0, &within)))
    return err;
  if (days_arg && days <= within)
    return cmd_usage ("--days (%u) must be greater than --within (%u)",
                      days, within);

  err = ca_open (opts, 0, &ca);
  if (err)
    goto leave;
  if (!days_arg)
    {
      err = ca_get_default_validity (ca, &days);
      if (err)
        goto leave;
      if (!days)
        days = RENEW_DEFAULT_DAYS;
      if (days <= within)
        {
          err = cmd_usage ("the default lifetime (%u days) is not greater "
                           "than --within (%u): give --days", days, within);
          goto leave;
        }
    }
  err = ca_renew (ca, days, within, 0, (unsigned int)batch, cmd_report_line,
                  tty ? renew_progress : NULL, &tty, &st);
  if (err)
    goto leave;
  printf ("Renewed %zu certification%s on %zu of %zu certificates "
          "(valid for %u days), skipped %zu (inactive or revoked).\n",
          st.certifications, st.certifications == 1 ? "" : "s",
          st.renewed, st.certs, days, st.skipped);

 leave:
  ca_release (ca);
  return err;
}


/* Parse DATE ("YYYY-MM-DD", UTC) into *R_T.  */
static gpg_error_t
parse_date (const char *s, uint32_t *r_t)
{
  struct tm tm;
  int y, m, d, n = 0;
  time_t t;

  *r_t = 0;
  memset (&tm, 0, sizeof tm);
  if (sscanf (s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || s[n]
      || strlen (s) != 10 || y < 1970 || y > 2105 || m < 1 || m > 12
      || d < 1 || d > 31)
    return cmd_usage ("invalid date '%s' for --since (YYYY-MM-DD)", s);
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  t = timegm (&tm);
  if (t < 0 || tm.tm_mday != d || (uint64_t)t > 0xffffffffu)
    return cmd_usage ("invalid date '%s' for --since (YYYY-MM-DD)", s);
  *r_t = (uint32_t)t;
  return 0;
}


/* Print S for a colon line as gpg does: ':', '\\' and control
 * bytes as \xNN.  */
static void
put_colon_field (const char *s)
{
  const unsigned char *p;

  for (p = (const unsigned char *)(s ? s : ""); *p; p++)
    if (*p < 0x20 || *p == ':' || *p == '\\' || *p == 0x7f)
      printf ("\\x%02x", *p);
    else
      putchar (*p);
}


/* A User ID for a human line.  */
static void
put_uid (const char *uid)
{
  char *shown;

  if (!uid)
    return;
  shown = pgp_uid_escape (uid, strlen (uid));
  printf (" '%s'", shown ? shown : "?");
  xfree (shown);
}


static const char *
status_str (ca_audit_status_t s)
{
  return s == CA_AUDIT_GOOD ? "good" : s == CA_AUDIT_BAD ? "BAD" : "absent";
}


/* Print one entry of the audit.  */
static void
audit_print (void *opaque, const ca_audit_entry_t *e)
{
  int colons = *(int *)opaque;
  char t1[40], t2[40];

  if (colons)
    {
      switch (e->what)
        {
        case CA_AUDIT_RECORD:
          printf ("rec:%lld:%lu:%s:%s:%s:%s:", (long long)e->id,
                  (unsigned long)e->created, e->kind,
                  status_str (e->status), e->issuer_fpr, e->target_fpr);
          put_colon_field (e->uid);
          printf (":%s:", e->backend ? e->backend : "");
          put_colon_field (e->card);
          putchar (':');
          if (e->sigcount >= 0)
            printf ("%lld", (long long)e->sigcount);
          printf (":%s:\n", e->hash ? e->hash : "");
          break;
        case CA_AUDIT_UNLOGGED:
          printf ("unlogged:%lu:%s:%s:", (unsigned long)e->created, e->kind,
                  e->target_fpr);
          put_colon_field (e->uid);
          printf (":%s:\n", e->hash);
          break;
        case CA_AUDIT_COUNTER:
          fputs ("counter:", stdout);
          put_colon_field (e->card);
          printf (":%lld:%lld:%lu:%lu:\n",
                  (long long)e->prev_sigcount, (long long)e->sigcount,
                  (unsigned long)e->prev_created, (unsigned long)e->created);
          break;
        }
      return;
    }
  switch (e->what)
    {
    case CA_AUDIT_RECORD:
      printf ("%s %s #%lld %s on %s", time_str (e->created, t1),
              status_str (e->status), (long long)e->id, e->kind,
              e->target_fpr);
      put_uid (e->uid);
      printf (" by %s", e->issuer_fpr);
      if (e->card)
        {
          printf (" (card %s", e->card);
          if (e->sigcount >= 0)
            printf (", counter %lld", (long long)e->sigcount);
          putchar (')');
        }
      else if (e->backend)
        printf (" (%s)", e->backend);
      if (e->hash)
        printf (" sha256:%s", e->hash);
      if (e->why)
        printf (": %s", e->why);
      putchar ('\n');
      break;
    case CA_AUDIT_UNLOGGED:
      printf ("%s UNLOGGED %s by the CA key on %s",
              time_str (e->created, t1), e->kind, e->target_fpr);
      put_uid (e->uid);
      printf (" sha256:%s: not in the record, made outside oca\n", e->hash);
      break;
    case CA_AUDIT_COUNTER:
      printf ("%s COUNTER of card %s went from %lld (%s) to %lld: "
              "signatures oca did not make\n", time_str (e->created, t1),
              e->card, (long long)e->prev_sigcount,
              time_str (e->prev_created, t2), (long long)e->sigcount);
      break;
    }
}


/* oca ca audit [--since DATE] [--email EMAIL] [--with-colons] */
gpg_error_t
cmd_ca_audit (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "since",        required_argument, NULL, 's' },
      { "email",        required_argument, NULL, 'e' },
      { "with-colons",  no_argument,       NULL, 'C' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_audit_stats_t st;
  uint32_t since = 0;
  const char *email_arg = NULL;
  char *email = NULL;
  const char *why = NULL;
  int colons = 0, c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":s:e:", longopts, NULL)) != -1)
    switch (c)
      {
      case 's':
        if ((err = parse_date (optarg, &since)))
          return err;
        break;
      case 'e': email_arg = optarg; break;
      case 'C': colons = 1; break;
      default: return cmd_getopt_error (c, argv);
      }
  if ((err = cmd_options_done (argc, argv, NULL, NULL)))
    return err;
  if (email_arg)
    {
      err = pgp_mail_normalize (email_arg, &email, &why);
      if (gpg_err_code (err) == GPG_ERR_INV_USER_ID)
        return cmd_usage ("invalid email address '%s': %s", email_arg,
                          why ? why : "invalid");
      if (err)
        return err;
    }

  err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_audit (ca, since, email, audit_print, &colons, &st);
  if (err)
    goto leave;
  if (!colons)
    printf ("Audited %zu recorded signature%s: %zu good, %zu bad, "
            "%zu absent; %zu certification%s made outside oca; "
            "%zu signature counter jump%s.\n", st.records,
            st.records == 1 ? "" : "s",
            st.records - st.bad - st.absent, st.bad, st.absent,
            st.unlogged, st.unlogged == 1 ? "" : "s", st.counter_jumps,
            st.counter_jumps == 1 ? "" : "s");
  if (st.bad || st.absent || st.unlogged || st.counter_jumps)
    err = ca_set_errmsg (gpg_error (GPG_ERR_BAD_SIGNATURE),
                         "the audit found %zu certification%s made outside "
                         "oca, %zu recorded signature%s that do not "
                         "verify, %zu not on the stored certificates and "
                         "%zu signature counter jump%s",
                         st.unlogged, st.unlogged == 1 ? "" : "s", st.bad,
                         st.bad == 1 ? "" : "s", st.absent,
                         st.counter_jumps,
                         st.counter_jumps == 1 ? "" : "s");

 leave:
  xfree (email);
  ca_release (ca);
  return err;
}
