/* cmd-ca.c - the `oca ca' commands: init, show, export, private, import-tsig
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "ca.h"
#include "ca-card.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>


/* Fail for extra positional arguments of a command that takes none.  */
static gpg_error_t
no_args (int argc, char **argv)
{
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
  return 0;
}


/* Parse the options of a command without options.  */
static gpg_error_t
parse_no_options (int argc, char **argv)
{
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  int c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", opts, NULL)) != -1)
    return cmd_getopt_error (c, argv);
  return no_args (argc, argv);
}


/* Print the `ca show' lines for CA to FP.  */
static gpg_error_t
print_ca_info (ca_t *ca, FILE *fp)
{
  gpg_error_t err;
  char *backend = NULL;
  char tbuf[64];
  time_t t = ca->cert->primary->created;
  struct tm tm;

  err = ca->backend->ops->describe (ca->backend, &backend);
  if (err)
    return err;
  if (!gmtime_r (&t, &tm)
      || !strftime (tbuf, sizeof tbuf, "%Y-%m-%d %H:%M:%S UTC", &tm))
    strcpy (tbuf, "?");
  fprintf (fp, "    CA Domain: %s\n", ca->domain);
  fprintf (fp, "  Fingerprint: %s\n", ca->fpr);
  fprintf (fp, "Creation time: %s\n", tbuf);
  /* The card backend's text carries the User PIN: keep it out of
   * stdio's buffer.  */
  fputs ("   CA Backend: ", fp);
  err = cmd_write_secret (fp, backend);
  if (!err)
    fputc ('\n', fp);
  wipe_and_free_string (backend);
  return err;
}


/* oca ca init --domain D [--name N] [--algo A] softkey */
gpg_error_t
cmd_ca_init (ca_cli_t *cli, int argc, char **argv)
{
  static const struct option opts[] =
    {
      { "domain", required_argument, NULL, 'D' },
      { "name",   required_argument, NULL, 'n' },
      { "algo",   required_argument, NULL, 'a' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *domain_arg = NULL, *name = NULL, *algo_arg = "rsa4096";
  char *domain = NULL;
  ca_t *ca = NULL;
  int algo, c;

  if (ca_card_init_wanted (argc, argv))
    return cmd_ca_init_card (cli, argc, argv);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":D:n:a:", opts, NULL)) != -1)
    switch (c)
      {
      case 'D': domain_arg = optarg; break;
      case 'n': name = optarg; break;
      case 'a': algo_arg = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  if (!domain_arg)
    return cmd_usage ("the option --domain is required");
  if (optind >= argc)
    return cmd_usage ("a backend is required (softkey)");
  if (optind + 1 < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind + 1]);
  if (!strcmp (argv[optind], "card"))
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_IMPLEMENTED),
                          "the OpenPGP card backend is not supported by "
                          "this version of oca");
  if (strcmp (argv[optind], "softkey"))
    return cmd_usage ("unknown backend '%s'", argv[optind]);
  algo = pgp_gen_algo_from_string (algo_arg);
  if (!algo)
    return cmd_usage ("unknown algorithm '%s' (rsa4096, rsa3072, rsa2048, "
                      "ed25519, nistp256 or nistp384)", algo_arg);
  if (name && (!*name || strpbrk (name, "<>\n\r")))
    return cmd_usage ("invalid name '%s'", name);

  /* Check the domain before touching the database.  */
  err = ca_check_domain (domain_arg, &domain);
  if (err)
    goto leave;

  err = ca_open (cli, CA_OPEN_CREATE, &ca);
  if (err)
    goto leave;
  err = ca_begin (ca);
  if (err)
    goto leave;
  err = ca_init_softkey (ca, domain, name, algo);
  if (err)
    goto leave;
  err = ca_commit (ca);
  if (err)
    goto leave;

  printf ("Initialized OpenPGP CA instance:\n\n");
  err = print_ca_info (ca, stdout);

 leave:
  ca_release (ca);
  xfree (domain);
  return err;
}


/* oca ca show */
gpg_error_t
cmd_ca_show (ca_cli_t *cli, int argc, char **argv)
{
  gpg_error_t err;
  ca_t *ca = NULL;

  err = parse_no_options (argc, argv);
  if (err)
    return err;
  err = ca_open (cli, CA_OPEN_READONLY, &ca);
  if (err)
    goto leave;
  err = print_ca_info (ca, stdout);

 leave:
  ca_release (ca);
  return err;
}


/* oca ca export */
gpg_error_t
cmd_ca_export (ca_cli_t *cli, int argc, char **argv)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  char *text = NULL;

  err = parse_no_options (argc, argv);
  if (err)
    return err;
  err = ca_open (cli, CA_OPEN_READONLY, &ca);
  if (err)
    goto leave;
  err = ca_armor_public (ca->cert, &text);
  if (err)
    {
      ca_set_errmsg (err, "error exporting the CA certificate: %s",
                     gpg_strerror (err));
      goto leave;
    }
  fputs (text, stdout);

 leave:
  xfree (text);
  ca_release (ca);
  return err;
}


/* oca ca private */
gpg_error_t
cmd_ca_private (ca_cli_t *cli, int argc, char **argv)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  char *text = NULL;
  size_t len = 0;

  err = parse_no_options (argc, argv);
  if (err)
    return err;
  err = ca_open (cli, CA_OPEN_READONLY, &ca);
  if (err)
    goto leave;
  err = ca->backend->ops->export_private (ca->backend, &text, &len);
  if (gpg_err_code (err) == GPG_ERR_NOT_SUPPORTED)
    ca_set_errmsg (err, "Operation unsupported for this backend type");
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


/* Read all stored user certificates into a chain (for verifying
 * trust signatures).  */
static gpg_error_t
load_user_certs (ca_t *ca, pgp_cert_t **r_chain)
{
  gpg_error_t err;
  db_cert_t *list = NULL, *dc;
  pgp_cert_t *chain = NULL, **tail = &chain, *cert;

  *r_chain = NULL;
  err = db_cert_list (ca->db, &list);
  if (err)
    return ca_set_errmsg (err, "error reading the user certificates: %s",
                          db_errmsg (ca->db));
  for (dc = list; dc; dc = dc->next)
    {
      err = ca_parse_stored_cert (dc->pub_cert, dc->fingerprint, &cert);
      if (err)
        goto leave;
      *tail = cert;
      tail = &cert->next;
    }
  *r_chain = chain;
  chain = NULL;

 leave:
  pgp_cert_release (chain);
  db_cert_release (list);
  return err;
}


/* oca ca import-tsig FILE */
gpg_error_t
cmd_ca_import_tsig (ca_cli_t *cli, int argc, char **argv)
{
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  gpg_error_t err;
  ca_t *ca = NULL;
  const char *fname;
  unsigned char *buf = NULL;
  size_t len = 0;
  pgp_cert_t *src = NULL, *users = NULL;
  int added = 0, c;
  char fpr[41];

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", opts, NULL)) != -1)
    return cmd_getopt_error (c, argv);
  if (optind >= argc)
    return cmd_usage ("a FILE is required");
  if (optind + 1 < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind + 1]);
  fname = argv[optind];

  err = ca_read_file (fname, &buf, &len);
  if (err)
    goto leave;
  err = pgp_read_cert (buf, len, &src);
  if (err)
    {
      ca_key_errmsg (err, fname);
      goto leave;
    }

  err = ca_open (cli, 0, &ca);
  if (err)
    goto leave;
  if (strcmp (pgp_cert_fpr_hex (src, fpr), ca->fpr))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CONFLICT),
                           "The imported cert has an unexpected "
                           "Fingerprint: %s", fpr);
      goto leave;
    }
  err = ca_begin (ca);
  if (err)
    goto leave;
  err = load_user_certs (ca, &users);
  if (err)
    goto leave;
  if (!users)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                           "no user certificates in the database to "
                           "verify trust signatures with");
      goto leave;
    }
  err = pgp_cert_merge_tsigs (ca->cert, src, users, &added);
  if (err)
    {
      ca_set_errmsg (err, "error merging trust signatures: %s",
                     gpg_strerror (err));
      goto leave;
    }
  if (!added)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                           "%s: no new trust signature by a known user "
                           "key found", fname);
      goto leave;
    }
  err = ca_store_cacert (ca);
  if (err)
    goto leave;
  err = ca_commit (ca);
  if (err)
    goto leave;
  printf ("Imported %d trust signature%s.\n", added, added == 1 ? "" : "s");

 leave:
  pgp_cert_release (users);
  pgp_cert_release (src);
  xfree (buf);
  ca_release (ca);
  return err;
}
