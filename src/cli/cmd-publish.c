/* cmd-publish.c - publishing: `wkd export', `keylist export',
 *                 `update wkd', `update keyserver', `keyserver publish'
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Parse the --timeout value S into *R_SECS (1..3600).  */
static gpg_error_t
parse_timeout (const char *s, unsigned int *r_secs)
{
  char *end;
  long v;

  v = strtol (s, &end, 10);
  if (end == s || *end || v < 1 || v > 3600)
    return cmd_usage ("invalid timeout '%s' (seconds, 1 to 3600)", s);
  *r_secs = (unsigned int)v;
  return 0;
}


/* Check the keyserver URL S (a scheme, no white space).  */
static gpg_error_t
check_keyserver (const char *s)
{
  const char *p = strstr (s, "://");
  size_t i;

  if (!p || p == s || !p[3])
    return cmd_usage ("invalid keyserver URL '%s' (e.g. hkps://HOST)", s);
  for (i = 0; s[i]; i++)
    if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
      return cmd_usage ("invalid keyserver URL (white space or control "
                        "character)");
  return 0;
}


/* See cli.h.  */
gpg_error_t
cmd_wkd_export (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "direct", no_argument, NULL, 'D' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_wkd_stats_t stats;
  unsigned int flags = 0;
  int c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", longopts, NULL)) != -1)
    switch (c)
      {
      case 'D': flags |= CA_WKD_DIRECT; break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind + 1 != argc)
    return optind < argc ? cmd_usage ("unexpected argument '%s'",
                                      argv[optind + 1])
      : cmd_usage ("missing PATH");

  err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_wkd_export (ca, argv[optind], flags, &stats);
  if (!err)
    printf ("Exported %zu address%s (%zu key%s) to %s\n", stats.addresses,
            stats.addresses == 1 ? "" : "es", stats.keys,
            stats.keys == 1 ? "" : "s", argv[optind]);
  if (!err && stats.removed)
    printf ("Removed %zu address%s that left\n", stats.removed,
            stats.removed == 1 ? "" : "es");
  ca_release (ca);
  return err;
}


/* See cli.h.  */
gpg_error_t
cmd_keylist_export (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "path", required_argument, NULL, 'p' },
      { "sig-uri", required_argument, NULL, 's' },
      { "force", no_argument, NULL, 'f' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_keylist_result_t res;
  const char *path = NULL, *uri = NULL;
  int force = 0, c;

  memset (&res, 0, sizeof res);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":p:s:f", longopts, NULL)) != -1)
    switch (c)
      {
      case 'p': path = optarg; break;
      case 's': uri = optarg; break;
      case 'f': force = 1; break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
  if (!path || !*path)
    return cmd_usage ("--path DIR is required");
  if (!uri || !*uri)
    return cmd_usage ("--sig-uri URI is required");

  /* Read-write: the signature goes into the audit record.  */
  err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_keylist_export (ca, path, uri, force, &res);
  if (!err)
    printf ("Wrote %s (%zu key%s) and its signature %s\n", res.keylist,
            res.nkeys, res.nkeys == 1 ? "" : "s", res.sigfile);
  ca_keylist_result_release (&res);
  ca_release (ca);
  return err;
}


/* The verbs of the failure lines.  */
static char verb_update[] = "update";
static char verb_publish[] = "publish";


/* Print the result of one certificate as the reference does (OPAQUE
 * is the verb of a failure).  */
static void
fetch_report (void *opaque, const char *fpr, ca_fetch_result_t res,
              const char *why)
{
  const char *verb = opaque;

  switch (res)
    {
    case CA_FETCH_UPDATED: printf ("Got update for cert %s\n", fpr); break;
    case CA_FETCH_UNCHANGED: printf ("No changes for cert %s\n", fpr); break;
    case CA_FETCH_SENT: printf ("Published cert %s\n", fpr); break;
    case CA_FETCH_FAILED:
      fflush (stdout);
      fprintf (stderr, "Failed to %s cert %s: %s\n", verb, fpr,
               *why ? why : "unknown error");
      break;
    }
  fflush (stdout);
}


/* Parse the options of the network commands into *FOPTS: --timeout,
 * and --keyserver where KEYSERVER.  */
static gpg_error_t
parse_fetch_opts (int argc, char **argv, int keyserver,
                  ca_fetch_opts_t *fopts)
{
  static const struct option longopts[] =
    {
      { "timeout", required_argument, NULL, 't' },
      { "keyserver", required_argument, NULL, 'k' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  int c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, keyserver ? ":t:k:" : ":t:",
                           longopts, NULL)) != -1)
    switch (c)
      {
      case 't':
        if ((err = parse_timeout (optarg, &fopts->timeout)))
          return err;
        break;
      case 'k':
        if (!keyserver)
          return cmd_usage ("unknown option '%s'", argv[optind - 1]);
        if ((err = check_keyserver (optarg)))
          return err;
        fopts->keyserver = optarg;
        break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
  return 0;
}


/* `update wkd' (WKD) and `update keyserver'.  */
static gpg_error_t
update (const ca_opts_t *opts, int argc, char **argv, int wkd)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_fetch_opts_t fopts;
  ca_fetch_stats_t stats;

  memset (&fopts, 0, sizeof fopts);
  fopts.wkd = wkd;
  err = parse_fetch_opts (argc, argv, !wkd, &fopts);
  if (err)
    return err;
  err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_update_certs (ca, &fopts, fetch_report, verb_update, &stats);
  if (!err && stats.failed)
    err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                         "%zu of %zu certificate%s could not be updated",
                         stats.failed, stats.certs,
                         stats.certs == 1 ? "" : "s");
  ca_release (ca);
  return err;
}


/* See cli.h.  */
gpg_error_t
cmd_update_wkd (const ca_opts_t *opts, int argc, char **argv)
{
  return update (opts, argc, argv, 1);
}


/* See cli.h.  */
gpg_error_t
cmd_update_keyserver (const ca_opts_t *opts, int argc, char **argv)
{
  return update (opts, argc, argv, 0);
}


/* See cli.h.  */
gpg_error_t
cmd_keyserver_publish (const ca_opts_t *opts, int argc, char **argv)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_fetch_opts_t fopts;
  ca_fetch_stats_t stats;

  memset (&fopts, 0, sizeof fopts);
  err = parse_fetch_opts (argc, argv, 1, &fopts);
  if (err)
    return err;
  err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_keyserver_publish (ca, &fopts, fetch_report, verb_publish,
                                &stats);
  if (!err && stats.failed)
    err = ca_set_errmsg (gpg_error (GPG_ERR_GENERAL),
                         "%zu of %zu certificate%s could not be published",
                         stats.failed, stats.certs,
                         stats.certs == 1 ? "" : "s");
  ca_release (ca);
  return err;
}
