/* oca.c - the oca command line: global options and command dispatch
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * oca [-d FILE] GROUP COMMAND [OPTIONS] [ARGS]
 * oca [-d FILE] --server|--daemon [OPTIONS]   (cmd-service.c)
 *
 * This is the only place of the program that prints errors and
 * exits.  Commands (cmd-*.c, see cli.h) return a gpg_error_t; a
 * human-readable message for it may have been recorded with
 * ca_set_errmsg.  Exit status: 0 success, 1 error, 2 usage error.
 */
#include <config.h>
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#define PROGRAM_ABOUT \
  "OpenPGP CA is a tool for managing OpenPGP keys within organizations."
/* The version of OpenPGP CA's `oca' whose command line we follow.  */
#define REFERENCE_VERSION "0.14"


/* One entry of the dispatch table.  A NULL NAME describes the group
 * itself.  */
struct command
{
  const char *group;
  const char *name;
  cmd_fn_t fn;
  const char *summary;
  const char *help;
};

static const struct command commands[] =
  {
    { "ca", NULL, NULL, "Manage the CA", cmd_help_group_ca },
    { "ca", "init", cmd_ca_init, "Create the CA", cmd_help_ca_init },
    { "ca", "show", cmd_ca_show, "Show information about the CA",
      cmd_help_ca_show },
    { "ca", "export", cmd_ca_export, "Print the CA's public certificate",
      cmd_help_ca_export },
    { "ca", "private", cmd_ca_private, "Print the CA's private key",
      cmd_help_ca_private },
    { "ca", "import-tsig", cmd_ca_import_tsig,
      "Merge trust signatures on the CA certificate",
      cmd_help_ca_import_tsig },
    { "ca", "cert-validity", cmd_ca_cert_validity,
      "Show or set how long certifications last",
      cmd_help_ca_cert_validity },
    { "ca", "extend", cmd_ca_extend, "Set when the CA key expires",
      cmd_help_ca_extend },
    { "ca", "renew", cmd_ca_renew,
      "Renew certifications that are about to expire", cmd_help_ca_renew },
    { "ca", "audit", cmd_ca_audit,
      "Check the record of the CA's signatures", cmd_help_ca_audit },
    { "ca", "import-openpgp-ca", cmd_ca_import_openpgp_ca,
      "Make this CA from an openpgp-ca database",
      cmd_help_ca_import_openpgp_ca },
    { "ca", "migrate", cmd_ca_migrate,
      "Move a softkey CA onto an OpenPGP card", cmd_help_ca_migrate },
    { "ca", "set-backend", cmd_ca_set_backend,
      "Switch a card CA to another card", cmd_help_ca_set_backend },
    { "ca", "revocations", cmd_ca_revocations,
      "Write revocation certificates for the CA key",
      cmd_help_ca_revocations },
    { "ca", "re-certify", cmd_ca_recertify,
      "Certify again what an old CA key certified", cmd_help_ca_recertify },
    { "ca", "split", cmd_ca_split,
      "Split mode: an online front and an offline back", cmd_help_ca_split },
    { "card", NULL, NULL, "Inspect OpenPGP cards", cmd_help_group_card },
    { "card", "list", cmd_card_list, "List OpenPGP cards",
      cmd_help_card_list },
    { "card", "status", cmd_card_status, "Show one OpenPGP card",
      cmd_help_card_status },
    { "card", "touch", cmd_card_touch, "Set the touch policy of a slot",
      cmd_help_card_touch },
    { "user", NULL, NULL, "Manage users", cmd_help_group_user },
    { "user", "add", cmd_user_add, "Create a new user key and certify it",
      cmd_help_user_add },
    { "user", "import", cmd_user_import,
      "Import and certify existing user keys", cmd_help_user_import },
    { "user", "update", cmd_user_update,
      "Merge updates of a known user certificate", cmd_help_user_update },
    { "user", "list", cmd_user_list, "List user certificates",
      cmd_help_user_list },
    { "user", "export", cmd_user_export, "Print user certificates",
      cmd_help_user_export },
    { "user", "check", cmd_user_check,
      "Check expiry and certifications of user keys", cmd_help_user_check },
    { "bridge", NULL, NULL, "Bridge to other OpenPGP CAs",
      cmd_help_group_bridge },
    { "bridge", "new", cmd_bridge_new,
      "Trust another CA for its domain (dry run without --commit)",
      cmd_help_bridge_new },
    { "bridge", "revoke", cmd_bridge_revoke, "Revoke a bridge",
      cmd_help_bridge_revoke },
    { "bridge", "list", cmd_bridge_list, "List the bridges",
      cmd_help_bridge_list },
    { "bridge", "export", cmd_bridge_export,
      "Print the keys of bridged CAs", cmd_help_bridge_export },
    { "user", "add-revocation", cmd_user_add_revocation,
      "Store a revocation certificate", cmd_help_user_add_revocation },
    { "user", "apply-revocation", cmd_user_apply_revocation,
      "Apply a stored revocation", cmd_help_user_apply_revocation },
    { "user", "show-revocations", cmd_user_show_revocations,
      "List the stored revocations of a user",
      cmd_help_user_show_revocations },
    { "wkd", NULL, NULL, "Publish a Web Key Directory", cmd_help_group_wkd },
    { "wkd", "export", cmd_wkd_export, "Write the WKD tree of the CA's "
      "domain", cmd_help_wkd_export },
    { "keylist", NULL, NULL, "Publish a signed keylist",
      cmd_help_group_keylist },
    { "keylist", "export", cmd_keylist_export, "Write a signed keylist "
      "(GPG Sync)", cmd_help_keylist_export },
    { "update", NULL, NULL, "Refresh user certificates",
      cmd_help_group_update },
    { "update", "wkd", cmd_update_wkd, "Refresh user certificates from WKD",
      cmd_help_update_wkd },
    { "update", "keyserver", cmd_update_keyserver,
      "Refresh user certificates from a keyserver",
      cmd_help_update_keyserver },
    { "keyserver", NULL, NULL, "Publish to a keyserver",
      cmd_help_group_keyserver },
    { "keyserver", "publish", cmd_keyserver_publish,
      "Send the certified user keys to a keyserver",
      cmd_help_keyserver_publish },
  };


static void
print_group_commands (FILE *fp, const char *group)
{
  size_t i;

  fputs ("\nCommands:\n", fp);
  for (i = 0; i < DIM (commands); i++)
    if (!strcmp (commands[i].group, group) && commands[i].name)
      fprintf (fp, "  %-17s %s\n", commands[i].name, commands[i].summary);
  fprintf (fp, "\nRun 'oca %s COMMAND --help' for the options of a "
           "command.\n", group);
}


static void
print_main_help (FILE *fp)
{
  size_t i;

  fputs ("Usage: oca [-d FILE] GROUP COMMAND [OPTIONS] [ARGS]\n"
         "\n" PROGRAM_ABOUT "\n"
         "\n"
         "Options:\n"
         "  -d, --database FILE  the CA database (default: $OPENPGP_CA_DB);\n"
         "                       may also follow the group or the command\n"
         "      --scd ROUTE      the route to OpenPGP cards for this run:\n"
         "                       oca-scd or gpg-agent\n"
         "      --server         serve the CA over Assuan on stdin/stdout\n"
         "      --daemon         serve the CA on a Unix socket (see\n"
         "                       'oca --daemon --help')\n"
         "  -h, --help           print this help\n"
         "      --version        print the version\n"
         "\n"
         "Groups:\n", fp);
  for (i = 0; i < DIM (commands); i++)
    if (!commands[i].name)
      fprintf (fp, "  %-13s %s\n", commands[i].group, commands[i].summary);
  fputs ("\nRun 'oca GROUP --help' for the commands of a group.\n", fp);
}


/* Whether ARGV (up to a "--") asks for help.  */
static int
wants_help (int argc, char **argv)
{
  int i;

  for (i = 1; i < argc; i++)
    {
      if (!strcmp (argv[i], "--"))
        break;
      if (!strcmp (argv[i], "--help") || !strcmp (argv[i], "-h"))
        return 1;
    }
  return 0;
}


/* Print the usage error "WHAT 'ARG'" and return exit status 2.  */
static int
usage_error (const char *what, const char *arg, const char *hint)
{
  fprintf (stderr, "oca: %s '%s' (see 'oca %s--help')\n", what, arg,
           hint ? hint : "");
  return 2;
}


int
main (int argc, char **argv)
{
  static const struct option opts[] =
    {
      { "database", required_argument, NULL, 'd' },
      { "help",     no_argument,       NULL, 'h' },
      { "version",  no_argument,       NULL, 'V' },
      { "scd",      required_argument, NULL, 'S' },
      { "server",   no_argument,       NULL, 'R' },
      { "daemon",   no_argument,       NULL, 'D' },
      { NULL, 0, NULL, 0 }
    };
  /* oca --server|--daemon: the service parses the options after it.  */
  static const struct command service =
    { "", "", cmd_service, "", cmd_help_service };
  ca_opts_t ca_opts;
  gpg_error_t err;
  const struct command *grp = NULL;
  const struct command *cmd = NULL;
  const char *msg;
  char hint[64];
  size_t i;
  int c;

  memset (&ca_opts, 0, sizeof ca_opts);
  ca_opts.card_route = CA_ROUTE_STORED;
  err = oca_init_gcrypt (1024 * 1024);
  if (err)
    {
      fprintf (stderr, "oca: libgcrypt initialisation failed: %s\n",
               gpg_strerror (err));
      return 1;
    }

  opterr = 0;
  /* "+": stop at the group name; its options are parsed later.  */
  while (!cmd && (c = getopt_long (argc, argv, "+:d:h", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'R':
        case 'D':
          cmd = &service;
          argv[optind - 1] = c == 'R' ? "--server" : "--daemon";
          break;
        case 'd':
          ca_opts.dbfile = optarg;
          break;
        case 'h':
          print_main_help (stdout);
          return 0;
        case 'V':
          printf ("oca %s (compatible with OpenPGP CA (oca) %s)\n",
                  PACKAGE_VERSION, REFERENCE_VERSION);
          return 0;
        case 'S':
          ca_opts.card_route = ca_route_from_name (optarg);
          if (ca_opts.card_route < 0)
            return usage_error ("unknown card route", optarg, NULL);
          break;
        case ':':
          return usage_error ("missing argument for option",
                              argv[optind - 1], NULL);
        default:
          return usage_error ("unknown option", argv[optind - 1], NULL);
        }
    }
  if (cmd)
    {
      /* The service sees "--server" or "--daemon" as argv[0].  */
      snprintf (hint, sizeof hint, "%s ", argv[optind - 1]);
      argc -= optind - 1;
      argv += optind - 1;
      goto run;
    }
  if (optind >= argc)
    {
      fputs ("oca: missing command group (see 'oca --help')\n", stderr);
      return 2;
    }

  for (i = 0; i < DIM (commands); i++)
    if (!commands[i].name && !strcmp (commands[i].group, argv[optind]))
      grp = &commands[i];
  if (!grp)
    return usage_error ("unknown command group", argv[optind], NULL);
  snprintf (hint, sizeof hint, "%s ", grp->group);
  optind++;
  /* -d/--database may follow the group too (oca ca -d FILE show).  */
  while (optind < argc)
    {
      int rc = cmd_take_database (0, argc, argv, &optind, &ca_opts.dbfile);

      if (rc < 0)
        return usage_error ("missing argument for option", argv[optind],
                            hint);
      if (!rc)
        break;
      optind++;
    }

  if (optind >= argc || argv[optind][0] == '-')
    {
      FILE *fp = stderr;
      int rc = 2;

      if (optind < argc && wants_help (argc - optind + 1, argv + optind - 1))
        {
          fp = stdout;
          rc = 0;
        }
      else if (optind < argc)
        return usage_error ("unknown option", argv[optind], hint);
      fputs (grp->help, fp);
      print_group_commands (fp, grp->group);
      return rc;
    }
  for (i = 0; i < DIM (commands); i++)
    if (commands[i].name && !strcmp (commands[i].group, grp->group)
        && !strcmp (commands[i].name, argv[optind]))
      cmd = &commands[i];
  if (!cmd)
    return usage_error ("unknown command", argv[optind], hint);
  snprintf (hint, sizeof hint, "%s %s ", cmd->group, cmd->name);

  /* The command sees its own name as argv[0], and no -d/--database
   * (oca ca show -d FILE).  */
  argc -= optind;
  argv += optind;
  err = cmd_take_databases (cmd->help, cmd->help == cmd_help_ca_init
                            ? cmd_help_ca_init_card : NULL,
                            &argc, argv, &ca_opts.dbfile);
  if (err)
    goto leave;
 run:
  if (wants_help (argc, argv))
    {
      fputs (cmd->help, stdout);
      if (cmd->help == cmd_help_ca_init)
        {
          /* The card backend documents its own variant.  */
          putchar ('\n');
          fputs (cmd_help_ca_init_card, stdout);
        }
      return 0;
    }

  if (!ca_opts.dbfile)
    ca_opts.dbfile = getenv ("OPENPGP_CA_DB");
  if (ca_opts.dbfile && !*ca_opts.dbfile)
    ca_opts.dbfile = NULL;

  err = cmd->fn (&ca_opts, argc, argv);

 leave:
  /* Output lost to a full disk or a closed pipe is an error too.  */
  if (!err && (fflush (stdout) || ferror (stdout)))
    {
      err = errno ? oca_error_from_errno () : gpg_error (GPG_ERR_EIO);
      ca_set_errmsg (err, "error writing the output: %s",
                     gpg_strerror (err));
    }
  if (!err)
    return 0;

  msg = ca_errmsg ();
  if (gpg_err_code (err) == CA_ERR_USAGE)
    {
      fprintf (stderr, "oca: %s (see 'oca %s--help')\n",
               msg ? msg : "usage error", hint);
      return 2;
    }
  if (msg)
    fprintf (stderr, "oca: %s\n", msg);
  else
    fprintf (stderr, "oca: %s\n", gpg_strerror (err));
  return 1;
}
