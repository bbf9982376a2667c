/* cmd-bridge.c - the `oca bridge' commands: new, revoke, list, export
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>


/* oca bridge new [-e EMAIL] [-s SCOPE] [-c] REMOTE_KEY_FILE */
gpg_error_t
cmd_bridge_new (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "email",  required_argument, NULL, 'e' },
      { "scope",  required_argument, NULL, 's' },
      { "commit", no_argument,       NULL, 'c' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *scope = NULL, *fname;
  char *email = NULL;
  int commit = 0, c;
  pgp_cert_t *remote = NULL;
  ca_t *ca = NULL;
  ca_bridge_t *b = NULL;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":e:s:c", longopts, NULL)) != -1)
    switch (c)
      {
      case 'e':
        if ((err = cmd_set_email (&email, optarg)))
          goto leave;
        break;
      case 's': scope = optarg; break;
      case 'c': commit = 1; break;
      default: err = cmd_getopt_error (c, argv); goto leave;
      }
  if (optind >= argc)
    {
      err = cmd_usage ("a REMOTE_KEY_FILE is required");
      goto leave;
    }
  if (optind + 1 < argc)
    {
      err = cmd_usage ("unexpected argument '%s'", argv[optind + 1]);
      goto leave;
    }
  fname = argv[optind];

  err = cmd_read_cert (fname, &remote);
  if (err)
    goto leave;
  /* The dry run only reads.  */
  err = ca_open (opts, commit ? 0 : CA_OPEN_READONLY, &ca);
  if (!err && commit)
    err = ca_begin (ca);
  if (!err)
    err = ca_bridge_new (ca, remote, fname, email, scope, commit, &b);
  if (!err && commit)
    err = ca_commit (ca);
  if (err)
    goto leave;

  if (!commit)
    {
      printf ("Bridge creation DRY RUN.\n\n"
              "Please verify that this is the correct fingerprint for the "
              "remote CA admin before continuing:\n\n");
      printf ("User ID: %s\n", b->uid);
      printf ("Fingerprint '%s'\n\n", b->fpr);
      printf ("The bridge to %s would trust it for User IDs in '%s' "
              "(regular expression %s).\n\n", b->email, b->scope, b->regex);
      printf ("When you've confirmed that the remote key is correct, repeat "
              "this command with the additional parameter '--commit' to "
              "commit the OpenPGP CA bridge to the database.\n");
    }
  else
    printf ("Added OpenPGP key for %s as bridge.\n\n"
            "The fingerprint of the remote CA key is\n%s\n", b->email,
            b->fpr);

 leave:
  ca_bridge_release (b);
  ca_release (ca);
  pgp_cert_release (remote);
  xfree (email);
  return err;
}


/* oca bridge revoke -e EMAIL */
gpg_error_t
cmd_bridge_revoke (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "email", required_argument, NULL, 'e' },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  char *email = NULL, *armor = NULL;
  ca_t *ca = NULL;
  int c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":e:", longopts, NULL)) != -1)
    switch (c)
      {
      case 'e':
        if ((err = cmd_set_email (&email, optarg)))
          goto leave;
        break;
      default: err = cmd_getopt_error (c, argv); goto leave;
      }
  err = cmd_options_done (argc, argv, "--email", email);
  if (err)
    goto leave;

  err = ca_open (opts, 0, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_bridge_revoke (ca, email, &armor);
  if (!err)
    err = ca_commit (ca);
  if (!err)
    printf ("Revocation for the bridge to %s:\n%s", email, armor);

 leave:
  xfree (armor);
  ca_release (ca);
  xfree (email);
  return err;
}


/* oca bridge list [--with-colons] */
gpg_error_t
cmd_bridge_list (const ca_opts_t *opts, int argc, char **argv)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_bridge_t *list = NULL, *b;
  int colons;

  err = cmd_colons_options (argc, argv, &colons);
  if (err)
    return err;
  err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_bridges_get (ca, NULL, &list);
  for (b = list; !err && b; b = b->next)
    if (colons)
      {
        /* bridge:EMAIL:SCOPE:FINGERPRINT:ACTIVE:REGEX:  */
        cmd_colons_start (stdout, "bridge");
        cmd_colons_str (stdout, b->email);
        cmd_colons_str (stdout, b->scope);
        cmd_colons_str (stdout, b->fpr);
        cmd_colons_num (stdout, b->active ? 1 : 0);
        cmd_colons_str (stdout, b->regex);
        cmd_colons_end (stdout);
      }
    else
      printf ("Bridge to '%s'%s, (scope: '%s')\n", b->email,
              b->active ? "" : " [no trust signature]", b->scope);
  ca_bridge_release (list);
  ca_release (ca);
  return err;
}


/* oca bridge export [EMAIL] */
gpg_error_t
cmd_bridge_export (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_bridge_t *list = NULL, *b;
  char *email = NULL, *text = NULL;
  int c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", longopts, NULL)) != -1)
    return cmd_getopt_error (c, argv);
  if (optind + 1 < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind + 1]);
  if (optind < argc && (err = cmd_parse_email (argv[optind], &email)))
    return err;
  err = ca_open (opts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_bridges_get (ca, email, &list);
  for (b = list; !err && b; b = b->next)
    {
      err = ca_bridge_armor (b, &text);
      if (!err)
        printf ("Bridge to '%s'\n%s\n", b->email, text);
      xfree (text);
      text = NULL;
    }
  ca_bridge_release (list);
  ca_release (ca);
  xfree (email);
  return err;
}
