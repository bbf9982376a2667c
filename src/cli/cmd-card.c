/* cmd-card.c - the card commands: ca init card, migrate, set-backend, card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The commands of the OpenPGP card backend (spec openpgp-ca.md sections
 * 1 and 5; issue 5): their options, what they print, and the
 * operator's side of the card flows of the CA core (ca-provision.c):
 * messages, confirmations and the User PIN.
 *
 * Prompts (confirmations, the User PIN) use the terminal (/dev/tty)
 * and fail clearly without one; --yes and --pin-file FILE are the
 * non-interactive forms.  The PIN is never taken from the command line
 * or the environment.
 */
#include <config.h>
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Options of the card commands.  */
enum
  {
    OPT_IMPORT = 1000, OPT_GENERATE, OPT_FROM_CARD, OPT_PUBKEY,
    OPT_SCD, OPT_PIN_FILE, OPT_COLONS, OPT_KEY, OPT_POLICY, OPT_ADD,
    OPT_VALIDITY
  };


/* The operator's side of a card flow.  */
typedef struct ui_state
{
  int yes;                     /* --yes: confirmations are given.  */
  const char *pin_file;        /* --pin-file or NULL.  */
} ui_state_t;


/* ca_card_ui_t.tell: the flow's progress on stdout.  */
static void
ui_tell (void *opaque, ca_card_event_t ev, const char *ident,
         const char *detail)
{
  (void)opaque;
  (void)detail;
  switch (ev)
    {
    case CA_CARD_EV_INIT_HOST:
      printf ("Initializing OpenPGP CA on card %s.\n", ident);
      break;
    case CA_CARD_EV_INIT_IMPORT:
      printf ("Initializing OpenPGP CA from existing key, on card %s.\n",
              ident);
      break;
    case CA_CARD_EV_INIT_FROM_CARD:
      printf ("Initializing OpenPGP CA from pre-configured OpenPGP card "
              "%s.\n", ident);
      break;
    case CA_CARD_EV_GENERATING:
      printf ("Generating key material on the card.\n");
      break;
    case CA_CARD_EV_GENERATING_LONG:
      printf ("Generating RSA4k key material on the card, this might take "
              "a while.\n");
      break;
    case CA_CARD_EV_RECOVER_INIT:
      printf ("Completing the interrupted initialization of OpenPGP CA on "
              "card %s.\n", ident);
      break;
    case CA_CARD_EV_RECOVER_MIGRATE:
      printf ("Completing the interrupted migration of OpenPGP CA to "
              "card %s.\n", ident);
      break;
    case CA_CARD_EV_PINPAD_PINS:
      printf ("The User PIN and the Admin PIN of card %s are now %s.\n"
              "oca does not store them: note them now.  Every operation "
              "of the CA asks you\nto enter the User PIN on the reader's "
              "pin-pad.  To choose your own PINs,\nchange both on the "
              "pin-pad: gpg --card-edit, then admin and passwd (GnuPG's\n"
              "scdaemon needs enable-pinpad-varlen in scdaemon.conf).\n",
              ident, detail);
      break;
    default:
      break;
    }
  fflush (stdout);
}


/* ca_card_ui_t.ask: say what is about to happen and ask.  */
static gpg_error_t
ui_ask (void *opaque, ca_card_event_t ev, const char *ident,
        const char *detail)
{
  ui_state_t *st = opaque;
  const char *aborted = "Aborted.";

  switch (ev)
    {
    case CA_CARD_ASK_GENERATE:
      printf ("Generate new OpenPGP CA key on card %s.\n\n", ident);
      printf ("Note:\n"
              "1) The private CA key will only exist on the card; it can "
              "not be backed up.\n"
              "2) The randomness of the card may be of lower quality than "
              "that of this host.\n\n");
      aborted = "Aborted CA initialization.";
      break;
    case CA_CARD_ASK_MIGRATE:
      printf ("Migrating OpenPGP CA instance to card %s.\n\n", ident);
      printf ("Caution: After migration is performed, the CA private key "
              "material will not be\navailable in the CA database anymore."
              "\n\nMake sure you have a backup of your CA key before "
              "continuing!\n\n");
      aborted = "Aborted CA migration.";
      break;
    case CA_CARD_ASK_TOUCH_FIXED:
      printf ("The touch policy 'fixed' of the %s slot can not be changed "
              "again without\nresetting the card.\n", detail);
      break;
    default:
      return gpg_error (GPG_ERR_BUG);
    }
  fflush (stdout);
  return cmd_confirm (st->yes, "Are you sure? (type 'yes' to continue)",
                      aborted);
}


/* ca_card_ui_t.get_pin: the User PIN from --pin-file or the terminal.  */
static gpg_error_t
ui_get_pin (void *opaque, const char *ident, char **r_pin)
{
  ui_state_t *st = opaque;

  return cmd_get_pin (ident, st->pin_file, r_pin);
}


/* ca_card_ui_t.hand_out_key: print the new CA key once, past stdio's
 * buffer (which is not wiped).  */
static gpg_error_t
ui_hand_out_key (void *opaque, const char *armor)
{
  gpg_error_t err;

  (void)opaque;
  printf ("Generated new CA key:\n\n");
  err = cmd_write_secret (stdout, armor);
  if (err)
    return ca_set_errmsg (err, "error writing the CA key: %s",
                          gpg_strerror (err));
  printf ("\n");
  fflush (stdout);
  return 0;
}


/* The operator's side for ST.  */
static ca_card_ui_t
make_ui (ui_state_t *st)
{
  ca_card_ui_t ui;

  ui.opaque = st;
  ui.tell = ui_tell;
  ui.ask = ui_ask;
  ui.get_pin = ui_get_pin;
  ui.hand_out_key = ui_hand_out_key;
  return ui;
}


/* Parse the positional arguments "card [IDENT]" after the options;
 * WHICH names the accepted backends in the usage error.  */
static gpg_error_t
card_args (int argc, char **argv, const char *which, const char **r_ident)
{
  *r_ident = NULL;
  if (optind >= argc || strcmp (argv[optind], "card"))
    return cmd_usage ("a backend is required (%s)", which);
  if (optind + 1 < argc)
    *r_ident = argv[optind + 1];
  if (optind + 2 < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind + 2]);
  return 0;
}


/* OPTS with the route of a command's --scd option SCD_ARG (if given) in
 * *R_OPTS.  */
static gpg_error_t
route_opts (const ca_opts_t *opts, const char *route_arg, ca_opts_t *r_opts)
{
  *r_opts = *opts;
  if (!route_arg)
    return 0;
  r_opts->card_route = ca_route_from_name (route_arg);
  if (r_opts->card_route < 0)
    return cmd_usage ("unknown card route '%s' (oca-scd or gpg-agent)",
                      route_arg);
  return 0;
}


/* See cli.h.  */
int
cmd_ca_init_wants_card (int argc, char **argv)
{
  static const char *const with_arg[] =
    { "-D", "--domain", "-n", "--name", "-a", "--algo", "--cipher-suite",
      "--import", "--public-key", "--scd", "--pin-file", "--validity" };
  int i;
  size_t k;

  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];

      if (!strcmp (a, "--"))
        return i + 1 < argc && !strcmp (argv[i + 1], "card");
      if (*a == '-')
        {
          for (k = 0; k < DIM (with_arg); k++)
            if (!strcmp (a, with_arg[k]))
              {
                i++;
                break;
              }
          continue;
        }
      return !strcmp (a, "card");
    }
  return 0;
}


/* oca ca init --domain D [--name N] [--cipher-suite S] card [IDENT] [MODE] */
gpg_error_t
cmd_ca_init_card (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "domain",  required_argument, NULL, 'D' },
      { "name",    required_argument, NULL, 'n' },
      { "cipher-suite", required_argument, NULL, 'a' },
      { "algo",    required_argument, NULL, 'a' },
      { "yes",     no_argument,       NULL, 'y' },
      { "pinpad",  no_argument,       NULL, 'P' },
      { "import",  required_argument, NULL, OPT_IMPORT },
      { "generate-on-card", no_argument, NULL, OPT_GENERATE },
      { "from-card", no_argument,     NULL, OPT_FROM_CARD },
      { "public-key", required_argument, NULL, OPT_PUBKEY },
      { "scd",     required_argument, NULL, OPT_SCD },
      { "pin-file", required_argument, NULL, OPT_PIN_FILE },
      { "validity", required_argument, NULL, OPT_VALIDITY },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  unsigned int validity = 0;
  ca_t *ca = NULL;
  const char *domain_arg = NULL, *algo_arg = NULL, *import_file = NULL;
  const char *pubkey_file = NULL, *route_arg = NULL;
  int pinpad = 0, gen = 0, from_card = 0, c;
  char *domain = NULL;
  unsigned char *filebuf = NULL;
  size_t filelen = 0;
  ca_card_init_t req;
  ca_opts_t ropts;
  ui_state_t st;
  ca_card_ui_t ui;
  ca_summary_t made;

  memset (&req, 0, sizeof req);
  memset (&st, 0, sizeof st);
  memset (&made, 0, sizeof made);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":D:n:a:yP", longopts, NULL)) != -1)
    switch (c)
      {
      case 'D': domain_arg = optarg; break;
      case 'n': req.name = optarg; break;
      case 'a': algo_arg = optarg; break;
      case 'y': st.yes = 1; break;
      case 'P': pinpad = 1; break;
      case OPT_IMPORT: import_file = optarg; break;
      case OPT_GENERATE: gen = 1; break;
      case OPT_FROM_CARD: from_card = 1; break;
      case OPT_PUBKEY: pubkey_file = optarg; break;
      case OPT_SCD: route_arg = optarg; break;
      case OPT_PIN_FILE: st.pin_file = optarg; break;
      case OPT_VALIDITY:
        if ((err = ca_parse_days (optarg, "--validity", 1, &validity)))
          return err;
        break;
      default: return cmd_getopt_error (c, argv);
      }
  if (!domain_arg)
    return cmd_usage ("the option --domain is required");
  err = card_args (argc, argv, "softkey or card", &req.ident);
  if (err)
    return err;
  if (!!import_file + gen + from_card > 1)
    return cmd_usage ("--import, --generate-on-card and --from-card are "
                      "mutually exclusive");
  if (from_card && !pubkey_file)
    return cmd_usage ("--from-card requires --public-key FILE");
  if (pubkey_file && !from_card)
    return cmd_usage ("--public-key is only used with --from-card");
  if (st.pin_file && !from_card)
    return cmd_usage ("--pin-file is only used with --from-card");
  if (req.ident && strlen (req.ident) != 13)
    return cmd_usage ("invalid card ident '%s' (e.g. FFFE:01234567)",
                      req.ident);
  if (pinpad && st.pin_file)
    return cmd_usage ("--pin-file and --pinpad exclude each other (the "
                      "PIN is typed on the reader's pin-pad)");
  err = cmd_parse_suite (algo_arg ? algo_arg : CMD_DEFAULT_SUITE,
                         &req.algo);
  if (err)
    return err;
  if (req.name && (err = cmd_check_name (req.name)))
    return err;
  if (req.name && strchr (req.name, ';'))
    return cmd_usage ("invalid name '%s'", req.name);
  err = route_opts (opts, route_arg, &ropts);
  if (err)
    return err;
  ropts.pinpad = pinpad;
  req.mode = from_card ? CA_INIT_FROM_CARD : gen ? CA_INIT_GENERATE
    : import_file ? CA_INIT_IMPORT : CA_INIT_HOST;

  /* Everything that can be checked without the card comes first.  */
  err = ca_check_domain (domain_arg, &domain);
  if (err)
    goto leave;
  req.domain = domain;
  req.what = import_file ? import_file : pubkey_file;
  if (req.what)
    {
      err = cmd_read_file (req.what, &filebuf, &filelen);
      if (err)
        goto leave;
      err = pgp_read_cert (filebuf, filelen, &req.cert);
      if (err)
        {
          ca_key_errmsg (err, req.what);
          goto leave;
        }
    }

  ui = make_ui (&st);
  err = ca_card_init (&ropts, &req, &ui, &made);
  if (err)
    goto leave;
  if (validity)
    {
      /* The card signs the expiration, once the CA is stored.  */
      err = ca_open (&ropts, 0, &ca);
      if (!err)
        err = ca_begin (ca);
      if (!err)
        err = ca_extend (ca, validity, 1);
      if (!err)
        err = ca_commit (ca);
      if (err)
        {
          char *m = xtrystrdup (ca_errmsg () ? ca_errmsg ()
                                : gpg_strerror (err));

          ca_set_errmsg (err, "%s; the CA was created without an "
                         "expiration (see 'oca ca extend')",
                         m ? m : gpg_strerror (err));
          xfree (m);
          goto leave;
        }
    }
  printf ("Initialized OpenPGP CA instance:\n\n");
  err = ca ? cmd_print_ca (ca, stdout) : cmd_print_summary (stdout, &made);

 leave:
  ca_release (ca);
  ca_summary_release (&made);
  pgp_cert_release (req.cert);
  if (filebuf)
    wipe_and_free (filebuf, filelen);
  xfree (domain);
  return err;
}


/* oca ca migrate card [IDENT] */
gpg_error_t
cmd_ca_migrate (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "yes",    no_argument,       NULL, 'y' },
      { "pinpad", no_argument,       NULL, 'P' },
      { "scd",    required_argument, NULL, OPT_SCD },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *route_arg = NULL, *ident = NULL;
  int only_scrubbed = 0, pinpad = 0, c;
  ca_t *ca = NULL;
  ca_opts_t ropts;
  ui_state_t st;
  ca_card_ui_t ui;

  memset (&st, 0, sizeof st);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":yP", longopts, NULL)) != -1)
    switch (c)
      {
      case 'y': st.yes = 1; break;
      case 'P': pinpad = 1; break;
      case OPT_SCD: route_arg = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  err = card_args (argc, argv, "card", &ident);
  if (!err)
    err = route_opts (opts, route_arg, &ropts);
  if (err)
    return err;
  ropts.pinpad = pinpad;

  ui = make_ui (&st);
  err = ca_open (&ropts, 0, &ca);
  if (!err)
    err = ca_card_migrate (ca, ident, &ui, &only_scrubbed);
  if (!err && only_scrubbed)
    printf ("Finished removing the CA private key from the database of "
            "the migrated CA.\n");
  else if (!err)
    {
      printf ("Migrated OpenPGP CA instance:\n\n");
      err = cmd_print_ca (ca, stdout);
    }
  ca_release (ca);
  return err;
}


/* oca ca set-backend card [IDENT | --add IDENT] */
gpg_error_t
cmd_ca_set_backend (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "pinpad",   no_argument,       NULL, 'P' },
      { "scd",      required_argument, NULL, OPT_SCD },
      { "pin-file", required_argument, NULL, OPT_PIN_FILE },
      { "add",      required_argument, NULL, OPT_ADD },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *route_arg = NULL, *ident = NULL, *add = NULL;
  int pinpad = 0, c;
  ca_t *ca = NULL;
  ca_opts_t ropts;
  ui_state_t st;
  ca_card_ui_t ui;

  memset (&st, 0, sizeof st);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":P", longopts, NULL)) != -1)
    switch (c)
      {
      case 'P': pinpad = 1; break;
      case OPT_SCD: route_arg = optarg; break;
      case OPT_PIN_FILE: st.pin_file = optarg; break;
      case OPT_ADD: add = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  err = card_args (argc, argv, "card", &ident);
  if (!err && add && ident)
    err = cmd_usage ("--add takes the card; unexpected argument '%s'",
                     ident);
  if (!err && pinpad && st.pin_file)
    err = cmd_usage ("--pin-file and --pinpad exclude each other (the "
                     "PIN is typed on the reader's pin-pad)");
  if (!err && pinpad && add)
    err = cmd_usage ("--pinpad does not go with --add");
  if (!err)
    err = route_opts (opts, route_arg, &ropts);
  if (err)
    return err;
  ropts.pinpad = pinpad;

  ui = make_ui (&st);
  err = ca_open (&ropts, 0, &ca);
  if (!err && add)
    err = ca_card_add_backup (ca, add, &ui);
  else if (!err)
    err = ca_card_set_backend (ca, ident, &ui);
  if (!err && add)
    printf ("Backup card %s is recorded.\n", add);
  else if (!err)
    printf ("CA backend configuration is changed.\n");
  ca_release (ca);
  return err;
}


/* Parse the common options --scd and (if COLONS) --with-colons.  */
static gpg_error_t
parse_card_opts (int argc, char **argv, int allow_ident, const char **r_route,
                 int *r_colons, const char **r_ident)
{
  static const struct option opts[] =
    {
      { "scd",          required_argument, NULL, OPT_SCD },
      { "with-colons",  no_argument,       NULL, OPT_COLONS },
      { NULL, 0, NULL, 0 }
    };
  int c;

  *r_route = NULL;
  *r_ident = NULL;
  if (r_colons)
    *r_colons = 0;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_SCD: *r_route = optarg; break;
      case OPT_COLONS:
        if (!r_colons)
          return cmd_usage ("unknown option '--with-colons'");
        *r_colons = 1;
        break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind < argc && allow_ident)
    *r_ident = argv[optind++];
  return cmd_options_done (argc, argv, NULL, NULL);
}


/* oca card list */
gpg_error_t
cmd_card_list (const ca_opts_t *opts, int argc, char **argv)
{
  static const char *const use[] = { "blank", "ca", "foreign" };
  gpg_error_t err;
  const char *route_arg, *ident;
  int colons;
  ca_opts_t ropts;
  ca_card_t *list = NULL, *e;

  err = parse_card_opts (argc, argv, 0, &route_arg, &colons, &ident);
  if (!err)
    err = route_opts (opts, route_arg, &ropts);
  if (!err)
    err = ca_cards_list (&ropts, &list);
  if (err)
    goto leave;
  if (colons)
    {
      /* card:IDENT:USE:AUT-FINGERPRINT:HOLDER:  */
      for (e = list; e; e = e->next)
        {
          cmd_colons_start (stdout, "card");
          cmd_colons_str (stdout, e->ident);
          cmd_colons_str (stdout, use[e->use]);
          cmd_colons_str (stdout, e->aut_fpr);
          cmd_colons_str (stdout, e->holder_shown);
          cmd_colons_end (stdout);
        }
      goto leave;
    }
  if (!list)
    printf ("No OpenPGP card found.\n");
  for (e = list; e; e = e->next)
    {
      const char *held = e->held_by_scdaemon
        ? " (in use by scdaemon, reached through gpg-agent)" : "";

      if (e->use == CA_CARD_BLANK)
        printf ("%s blank%s\n", e->ident, held);
      else if (e->use == CA_CARD_CA)
        printf ("%s OpenPGP CA %s%s\n", e->ident, e->aut_fpr, held);
      else
        printf ("%s in use (cardholder '%s')%s\n", e->ident,
                e->holder_shown, held);
      if (*e->reader)
        printf ("    Reader: %s\n", e->reader);
    }

 leave:
  ca_cards_release (list);
  return err;
}


/* oca card status [IDENT] [--with-colons] */
gpg_error_t
cmd_card_status (const ca_opts_t *opts, int argc, char **argv)
{
  static const char *const slotname[3] = { "Signature", "Decryption",
                                           "Authentication" };
  gpg_error_t err;
  const char *route_arg, *ident;
  int colons, i;
  ca_opts_t ropts;
  ca_card_t *list = NULL, *e;

  err = parse_card_opts (argc, argv, 1, &route_arg, &colons, &ident);
  if (!err)
    err = route_opts (opts, route_arg, &ropts);
  if (!err)
    err = ca_cards_list (&ropts, &list);
  if (err)
    goto leave;
  if (ident)
    {
      e = ca_cards_find (list, ident);
      if (!e)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                               "OpenPGP card %s not found", ident);
          goto leave;
        }
    }
  else if (!list)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                           "No OpenPGP card found");
      goto leave;
    }
  else if (list->next)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_AMBIGUOUS),
                           "more than one OpenPGP card present; name one "
                           "(see 'oca card list')");
      goto leave;
    }
  else
    e = list;

  if (colons)
    {
      cmd_colons_start (stdout, "card");
      cmd_colons_str (stdout, e->ident);
      cmd_colons_str (stdout, e->serialno);
      cmd_colons_end (stdout);
      cmd_colons_start (stdout, "holder");
      cmd_colons_str (stdout, e->holder);
      cmd_colons_end (stdout);
      printf ("blank:%d:\n", e->blank);
      for (i = 0; i < 3; i++)
        printf ("fpr:%d:%s:%lu:\n", i + 1, e->slot[i].fpr,
                e->slot[i].created);
      for (i = 0; i < 3; i++)
        printf ("keyattr:%d:%s:\n", i + 1, e->slot[i].attr);
      printf ("uif:%s:%s:%s:\n", e->slot[0].touch, e->slot[1].touch,
              e->slot[2].touch);
      if (e->pin_retries_valid)
        printf ("pinretry:%d:%d:%d:\n", e->pin_retries[0],
                e->pin_retries[1], e->pin_retries[2]);
      if (e->sig_counter_valid)
        printf ("sigcount:%lu:\n", e->sig_counter);
      goto leave;
    }

  printf ("OpenPGP card %s\n", e->ident);
  printf ("  Application ID ...: %s\n", e->serialno);
  printf ("  Cardholder .......: %s\n",
          *e->holder ? e->holder_shown : "[not set]");
  for (i = 0; i < 3; i++)
    printf ("  %-17s: %s (%s)\n", slotname[i],
            *e->slot[i].fpr ? e->slot[i].fpr : "[none]",
            *e->slot[i].attr ? e->slot[i].attr : "?");
  printf ("  Touch policy .....: SIG=%s DEC=%s AUT=%s\n", e->slot[0].touch,
          e->slot[1].touch, e->slot[2].touch);
  if (e->pin_retries_valid)
    printf ("  PIN retry counter : %d %d %d\n", e->pin_retries[0],
            e->pin_retries[1], e->pin_retries[2]);
  if (e->sig_counter_valid)
    printf ("  Signature counter : %lu\n", e->sig_counter);
  if (e->held_by_scdaemon)
    printf ("  Reached through ..: gpg-agent (the card is in use by "
            "GnuPG's scdaemon)\n");
  printf ("  Usable by oca ....: %s\n",
          e->use == CA_CARD_BLANK ? "yes (blank)"
          : e->holder_is_ca ? "yes (OpenPGP CA)"
          : "no (personalised for somebody else)");

 leave:
  ca_cards_release (list);
  return err;
}


/* oca card touch --key SLOT --policy POLICY [IDENT] */
gpg_error_t
cmd_card_touch (const ca_opts_t *opts, int argc, char **argv)
{
  static const struct option longopts[] =
    {
      { "key",    required_argument, NULL, OPT_KEY },
      { "policy", required_argument, NULL, OPT_POLICY },
      { "yes",    no_argument,       NULL, 'y' },
      { "scd",    required_argument, NULL, OPT_SCD },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *key_arg = NULL, *policy_arg = NULL, *route_arg = NULL;
  const char *ident = NULL;
  int keyno, policy, c;
  ca_t *ca = NULL;
  ca_opts_t ropts;
  ui_state_t st;
  ca_card_ui_t ui;
  char ca_ident[14];

  memset (&st, 0, sizeof st);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":y", longopts, NULL)) != -1)
    switch (c)
      {
      case OPT_KEY: key_arg = optarg; break;
      case OPT_POLICY: policy_arg = optarg; break;
      case 'y': st.yes = 1; break;
      case OPT_SCD: route_arg = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind < argc)
    ident = argv[optind++];
  if ((err = cmd_options_done (argc, argv, NULL, NULL)))
    return err;
  if (!key_arg || !policy_arg)
    return cmd_usage ("--key and --policy are required");
  if (!strcasecmp (key_arg, "SIG"))
    keyno = 1;
  else if (!strcasecmp (key_arg, "DEC"))
    keyno = 2;
  else if (!strcasecmp (key_arg, "AUT"))
    keyno = 3;
  else
    return cmd_usage ("unknown key slot '%s' (SIG, AUT or DEC)", key_arg);
  if (!strcmp (policy_arg, "off"))
    policy = 0;
  else if (!strcmp (policy_arg, "on"))
    policy = 1;
  else if (!strcmp (policy_arg, "fixed"))
    policy = 2;
  else
    return cmd_usage ("unknown touch policy '%s' (off, on or fixed)",
                      policy_arg);
  err = route_opts (opts, route_arg, &ropts);
  if (err)
    return err;

  ui = make_ui (&st);
  err = ca_open (&ropts, CA_OPEN_READONLY, &ca);
  if (!err)
    err = ca_card_set_touch (ca, ident, keyno, policy, key_arg, &ui,
                             ca_ident);
  if (!err)
    printf ("Touch policy of the %s slot on card %s set to %s.\n", key_arg,
            ca_ident, policy_arg);
  ca_release (ca);
  return err;
}
