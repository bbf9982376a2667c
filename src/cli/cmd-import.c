/* cmd-import.c - `oca ca import-openpgp-ca': switching from openpgp-ca
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The name follows the reference's `ca import-tsig FILE' (import into
 * the CA of -d what FILE holds) and says whose database FILE is; -d
 * names the new oca database, as for `ca init'.
 */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char cmd_help_ca_import_openpgp_ca[] =
  "Usage: oca ca import-openpgp-ca FILE\n"
  "\n"
  "Create the oca database of -d NEW.db (it must not exist) from FILE, the\n"
  "database of openpgp-ca 0.13 or 0.14: the same CA key (softkey, or\n"
  "the card with its User PIN; --scd gpg-agent before the group stores\n"
  "the route through gpg-agent), users, certificates, emails, delisted\n"
  "and inactive flags, revocations, bridges and the split-mode queue.\n"
  "FILE is only read, never written.  Prints the rows copied per table.\n"
  "A database oca does not understand is refused and nothing is made.\n";


/* oca ca import-openpgp-ca FILE */
gpg_error_t
cmd_ca_import_openpgp_ca (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
  gpg_error_t err;
  ca_import_result_t res;
  int c, t;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", longopts, NULL)) != -1)
    return cmd_getopt_error (c, argv);
  if (optind >= argc)
    return cmd_usage ("the openpgp-ca database FILE is missing");
  if (optind + 1 < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind + 1]);

  err = ca_import_openpgp_ca (opts, argv[optind], &res);
  if (err)
    return err;
  printf ("Created %s from the openpgp-ca database %s.\n", opts->dbfile,
          argv[optind]);
  printf ("CA %s, key %s, backend %s\n", res.domain, res.fpr, res.backend);
  for (t = 0; t < CA_IMPORT_NTABLES; t++)
    printf ("%s: %zu\n", ca_import_table_name (t), res.rows[t]);
  if (res.dropped_secret)
    ca_warning ("%s held the private key of the card CA too; it was not "
                "copied (the key is on the card)", argv[optind]);
  ca_import_result_release (&res);
  return 0;
}
