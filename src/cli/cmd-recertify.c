/* cmd-recertify.c - `oca ca re-certify': certifications of an old CA key
 *                   renewed with the current one
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* oca ca re-certify -p FILE [-v DAYS] */
gpg_error_t
cmd_ca_recertify (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "public-old", required_argument, NULL, 'p' },
      { "validity",   required_argument, NULL, 'v' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *fname = NULL;
  unsigned long days = 365;
  char *end;
  size_t nuids = 0, ncerts = 0;
  pgp_cert_t *old = NULL;
  ca_t *ca = NULL;
  int c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":p:v:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'p': fname = optarg; break;
      case 'v':
        errno = 0;
        days = strtoul (optarg, &end, 10);
        if (*optarg < '0' || *optarg > '9' || *end || errno || !days
            || days > 36500)
          return cmd_usage ("invalid validity '%s' (1 to 36500 days)",
                            optarg);
        break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
  if (!fname)
    return cmd_usage ("the option --public-old is required");

  err = cmd_read_cert (fname, &old);
  if (err)
    goto leave;
  err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_recertify (ca, old, fname, (unsigned int)days, 0, &nuids,
                        &ncerts);
  if (!err && nuids)
    err = ca_commit (ca);
  if (!err)
    printf ("Re-certified %zu User ID%s on %zu certificate%s.\n", nuids,
            nuids == 1 ? "" : "s", ncerts, ncerts == 1 ? "" : "s");

 leave:
  pgp_cert_release (old);
  ca_release (ca);
  return err;
}
