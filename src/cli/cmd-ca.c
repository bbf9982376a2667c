/* cmd-ca.c - the `oca ca' commands: init, show, export, private, import-tsig
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>


/* oca ca init --domain D [--name N] [--cipher-suite S] softkey */
gpg_error_t
cmd_ca_init (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "domain", required_argument, NULL, 'D' },
      { "name",   required_argument, NULL, 'n' },
      { "cipher-suite", required_argument, NULL, 'a' },
      { "algo",   required_argument, NULL, 'a' },
      { "validity", required_argument, NULL, 'V' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *domain_arg = NULL, *name = NULL, *algo_arg = CMD_DEFAULT_SUITE;
  char *domain = NULL;
  ca_t *ca = NULL;
  unsigned int validity = 0;
  int algo, c;

  if (cmd_ca_init_wants_card (argc, argv))
    return cmd_ca_init_card (opts, argc, argv);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":D:n:a:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'D': domain_arg = optarg; break;
      case 'n': name = optarg; break;
      case 'a': algo_arg = optarg; break;
      case 'V':
        if ((err = ca_parse_days (optarg, "--validity", 1, &validity)))
          return err;
        break;
      default: return cmd_getopt_error (c, argv);
      }
  if (!domain_arg)
    return cmd_usage ("the option --domain is required");
  if (optind >= argc)
    return cmd_usage ("a backend is required (softkey or card)");
  if (optind + 1 < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind + 1]);
  if (!strcmp (argv[optind], "card"))
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_IMPLEMENTED),
                          "the OpenPGP card backend is not supported by "
                          "this version of oca");
  if (strcmp (argv[optind], "softkey"))
    return cmd_usage ("unknown backend '%s'", argv[optind]);
  err = cmd_parse_suite (algo_arg, &algo);
  if (err)
    return err;
  if (name && (err = cmd_check_name (name)))
    return err;

  /* Check the domain before touching the database.  */
  err = ca_check_domain (domain_arg, &domain);
  if (err)
    goto leave;

  err = ca_open (opts, CA_OPEN_CREATE, &ca);
  if (err)
    goto leave;
  err = ca_begin (ca);
  if (err)
    goto leave;
  err = ca_init_softkey (ca, domain, name, algo);
  if (!err && validity)
    err = ca_extend (ca, validity, 1);
  if (err)
    goto leave;
  err = ca_commit (ca);
  if (err)
    goto leave;

  printf ("Initialized OpenPGP CA instance:\n\n");
  err = cmd_print_ca (ca, stdout);

 leave:
  ca_release (ca);
  xfree (domain);
  return err;
}


/* oca ca show [--with-colons] */
gpg_error_t
cmd_ca_show (const ca_opts_t *opts, int argc, char **argv)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_info_t info;
  ca_backup_card_t *backups = NULL, *b;
  int colons;

  err = cmd_colons_options (argc, argv, &colons);
  if (err)
    return err;
  err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_backup_cards (ca, 1, &backups);
  if (!err && colons)
    {
      /* ca:DOMAIN:FINGERPRINT:CREATED:BACKEND:USERID:EXPIRES: (no PIN),
       * then cacard:IDENT:READER: per backup card.  */
      ca_get_info (ca, &info);
      cmd_colons_start (stdout, "ca");
      cmd_colons_str (stdout, info.domain);
      cmd_colons_str (stdout, info.fpr);
      cmd_colons_num (stdout, info.created);
      cmd_colons_str (stdout, info.backend);
      cmd_colons_str (stdout, info.uid);
      if (info.expires)
        cmd_colons_num (stdout, info.expires);
      else
        cmd_colons_str (stdout, NULL);
      cmd_colons_end (stdout);
      for (b = backups; b; b = b->next)
        {
          cmd_colons_start (stdout, "cacard");
          cmd_colons_str (stdout, b->ident);
          cmd_colons_str (stdout, b->reader);
          cmd_colons_end (stdout);
        }
    }
  else if (!err)
    {
      err = cmd_print_ca (ca, stdout);
      for (b = backups; !err && b; b = b->next)
        if (b->reader)
          printf ("  Backup card: %s (reader %s)\n", b->ident, b->reader);
        else
          printf ("  Backup card: %s\n", b->ident);
    }
  ca_backup_cards_release (backups);
  ca_release (ca);
  return err;
}


/* oca ca export */
gpg_error_t
cmd_ca_export (const ca_opts_t *opts, int argc, char **argv)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  char *text = NULL;

  err = cmd_no_options (argc, argv);
  if (err)
    return err;
  err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_export_public (ca, &text);
  if (!err)
    fputs (text, stdout);
  xfree (text);
  ca_release (ca);
  return err;
}


/* oca ca private */
gpg_error_t
cmd_ca_private (const ca_opts_t *opts, int argc, char **argv)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  char *text = NULL;
  size_t len = 0;

  err = cmd_no_options (argc, argv);
  if (err)
    return err;
  err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_export_private (ca, &text, &len);
  if (err)
    goto leave;
  err = cmd_write_secret (stdout, text);
  if (err)
    ca_set_errmsg (err, "error writing the CA key: %s", gpg_strerror (err));

 leave:
  wipe_and_free (text, len);
  ca_release (ca);
  return err;
}


/* oca ca import-tsig FILE */
gpg_error_t
cmd_ca_import_tsig (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
  gpg_error_t err;
  ca_t *ca = NULL;
  const char *fname;
  unsigned char *buf = NULL;
  size_t len = 0;
  pgp_cert_t *copy = NULL;
  int added = 0, c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", longopts, NULL)) != -1)
    return cmd_getopt_error (c, argv);
  if (optind >= argc)
    return cmd_usage ("a FILE is required");
  if (optind + 1 < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind + 1]);
  fname = argv[optind];

  err = cmd_read_file (fname, &buf, &len);
  if (err)
    goto leave;
  err = pgp_read_cert (buf, len, &copy);
  if (err)
    {
      ca_key_errmsg (err, fname);
      goto leave;
    }
  err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_import_tsigs (ca, copy, fname, &added);
  if (!err)
    err = ca_commit (ca);
  if (!err)
    printf ("Imported %d trust signature%s.\n", added,
            added == 1 ? "" : "s");

 leave:
  pgp_cert_release (copy);
  xfree (buf);
  ca_release (ca);
  return err;
}
