/* cmd-service.c - `oca --server' and `oca --daemon': the CA as a service
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parses the service's options and starts it (src/svc/).  argv[0] is
 * "--server" or "--daemon".
 */
#include <config.h>
#include "cli.h"
#include "svc.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>


const char cmd_help_service[] =
  "Usage: oca [-d FILE] --server [OPTIONS]\n"
  "       oca [-d FILE] --daemon [--socket PATH] [--no-detach] [OPTIONS]\n"
  "\n"
  "Serve the CA over the Assuan protocol: --server on stdin/stdout,\n"
  "--daemon on a Unix socket (systemd socket activation too).  Try\n"
  "'gpg-connect-agent -S SOCKET HELP /bye' for the commands.\n"
  "\n"
  "Options:\n"
  "  -d, --database FILE     the CA database (default: $OPENPGP_CA_DB)\n"
  "      --socket PATH       the socket (default: DATABASE.sock when the\n"
  "                          database's directory is private, else\n"
  "                          S.oca in GnuPG's socket directory)\n"
  "      --no-detach         stay in the foreground\n"
  "      --allow-user USER   another user who may connect (repeatable;\n"
  "                          the owner always may)\n"
  "      --certify-domain D  certify addresses of domain D only\n"
  "                          (repeatable; default: the CA's domain)\n"
  "      --certify-email A   certify the address A (repeatable)\n"
  "      --max-input BYTES   largest key block a client may send\n"
  "                          (default 262144)\n"
  "      --max-clients N     sessions at once (default 64)\n"
  "      --idle-timeout SEC  drop a silent client after SEC seconds\n"
  "                          (default 600)\n"
  "  -h, --help              print this help\n";


/* oca --server|--daemon [OPTIONS] */
gpg_error_t
cmd_service (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "database",       required_argument, NULL, 'd' },
      { "socket",         required_argument, NULL, 's' },
      { "no-detach",      no_argument,       NULL, 'F' },
      { "allow-user",     required_argument, NULL, 'u' },
      { "certify-domain", required_argument, NULL, 'C' },
      { "certify-email",  required_argument, NULL, 'E' },
      { "max-input",      required_argument, NULL, 'I' },
      { "max-clients",    required_argument, NULL, 'M' },
      { "idle-timeout",   required_argument, NULL, 'T' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err = 0;
  int daemon = !strcmp (argv[0], "--daemon");
  ca_opts_t ca_opts = *opts;
  svc_opts_t sopts;
  unsigned long n;
  char *norm;
  size_t i;
  int c;

  memset (&sopts, 0, sizeof sopts);
  optind = 0;
  opterr = 0;
  while (!err
         && (c = getopt_long (argc, argv, ":d:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'd': ca_opts.dbfile = optarg; break;
      case 's': sopts.socket = optarg; break;
      case 'F': sopts.no_detach = 1; break;
      case 'u':
        if (sopts.nallow >= SVC_MAX_LIST)
          err = cmd_usage ("too many --allow-user");
        else
          err = svc_parse_user (optarg, &sopts.allow_uids[sopts.nallow++]);
        break;
      case 'C':
      case 'E':
        if (sopts.ncertify >= SVC_MAX_LIST)
          err = cmd_usage ("too many --certify-domain/--certify-email");
        else if (!(err = svc_parse_certify (optarg, c == 'E', &norm)))
          sopts.certify[sopts.ncertify++] = norm;
        break;
      case 'I':
        err = cmd_get_number (optarg, "--max-input", CA_MAX_FILE, &n);
        sopts.max_input = n;
        break;
      case 'M':
        err = cmd_get_number (optarg, "--max-clients", 1024, &n);
        sopts.max_clients = (unsigned int)n;
        break;
      case 'T':
        err = cmd_get_number (optarg, "--idle-timeout", 86400, &n);
        sopts.idle_timeout = (unsigned int)n;
        break;
      default: err = cmd_getopt_error (c, argv); break;
      }
  if (err)
    goto leave;
  err = cmd_options_done (argc, argv, NULL, NULL);
  if (err)
    goto leave;
  if (!daemon && (sopts.socket || sopts.no_detach))
    {
      err = cmd_usage ("--socket and --no-detach are options of --daemon");
      goto leave;
    }

  err = daemon ? svc_run_daemon (&ca_opts, &sopts)
    : svc_run_pipe (&ca_opts, &sopts);

 leave:
  for (i = 0; i < sopts.ncertify; i++)
    xfree ((char *)sopts.certify[i]);
  return err;
}
