/* cmd-card.c - the card flows: ca init ... card, ca migrate, ca set-backend, card ...
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The commands of the OpenPGP card backend (spec openpgp-ca.md §1 and
 * §5; issue 5).  They use the connection helpers of ca-card.c.
 *
 * Card choice.  A "usable blank" card has no key fingerprints and no
 * cardholder name other than "OpenPGP CA" (cards personalised for
 * somebody else are never used).  A "matching" card has the CA's
 * fingerprint in its AUT slot and the cardholder "OpenPGP CA".
 *
 * Crash safety.  Before oca writes to a card it commits a `pending'
 * row (db_pending_set) with the card, the new PIN and the progress; the
 * CA is stored and the row deleted in one final transaction.  When a
 * run finds such a row it completes the CA if the card was fully
 * personalised, forgets the row if the card is still blank, and
 * otherwise says how to go on.  So there is never a half CA in the
 * database, and no card whose PIN is lost.
 *
 * Prompts (confirmations, the User PIN) use the terminal (/dev/tty)
 * and fail clearly without one; --yes and --pin-file FILE are the
 * non-interactive forms.  The PIN is never taken from the command line
 * or the environment.
 */
#include <config.h>
#include "ca-card.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "membuf.h"

/* Names of the pending rows.  */
#define PENDING_INIT    "card-init"
#define PENDING_MIGRATE "card-migrate"

/* Progress stages stored in the pending row.  */
#define STAGE_WRITING "1"      /* The card may be partly written.  */
#define STAGE_DONE    "2"      /* Keys and PINs are on the card.  */


const char ca_card_help_init[] =
  "Usage: oca ca init --domain DOMAIN [--name NAME] [--algo ALGO] card\n"
  "                   [IDENT] [--import FILE | --generate-on-card |\n"
  "                   --from-card --public-key FILE] [--yes]\n"
  "                   [--scd=oca-scd|gpg-agent] [--pin-file FILE]\n"
  "\n"
  "Create a CA whose key lives on an OpenPGP card.  Without a mode the\n"
  "key is generated on this host, put on the blank card (primary to the\n"
  "AUT slot, signing subkey to the SIG slot) and printed once.\n"
  "\n"
  "Options:\n"
  "      --import FILE      put the existing CA key in FILE on the card\n"
  "      --generate-on-card generate the key on the card (no backup)\n"
  "      --from-card        use a card that already holds the CA key\n"
  "      --public-key FILE  the CA certificate (with --from-card)\n"
  "  -y, --yes              do not ask for confirmation\n"
  "      --scd ROUTE        oca-scd (default) or gpg-agent\n"
  "      --pin-file FILE    read the User PIN from FILE (--from-card)\n";

const char ca_card_help_migrate[] =
  "Usage: oca ca migrate card [IDENT] [--yes] [--scd=oca-scd|gpg-agent]\n"
  "\n"
  "Move the key of a softkey CA onto a blank OpenPGP card and delete it\n"
  "from the database without leaving a copy in it, in its journal or in\n"
  "freed blocks (see doc/card-backend.md).  Make a backup of the CA\n"
  "key first ('oca ca private').\n";

const char ca_card_help_set_backend[] =
  "Usage: oca ca set-backend card [IDENT] [--pin-file FILE]\n"
  "                               [--scd=oca-scd|gpg-agent]\n"
  "\n"
  "Switch a card-backed CA to another card that holds the same key (for\n"
  "example a backup card made with 'ca init ... card --import').  Asks\n"
  "for the User PIN of that card.\n";

const char ca_card_help_group[] =
  "Usage: oca card COMMAND [OPTIONS]\n"
  "\n"
  "Inspect and configure OpenPGP cards.\n";

const char ca_card_help_list[] =
  "Usage: oca card list [--scd=oca-scd|gpg-agent]\n"
  "\n"
  "List the OpenPGP cards that are present and what they hold.\n";

const char ca_card_help_status[] =
  "Usage: oca card status [IDENT] [--with-colons] [--scd=ROUTE]\n"
  "\n"
  "Show the data of one OpenPGP card.\n";

const char ca_card_help_touch[] =
  "Usage: oca card touch --key SIG|AUT|DEC --policy off|on|fixed [IDENT]\n"
  "                      [--yes] [--scd=ROUTE]\n"
  "\n"
  "Set the touch policy of a key slot on the CA's card (uses the stored\n"
  "PIN as Admin PIN).  'fixed' can not be undone.\n";


/* Options shared by the card commands.  */
enum
  {
    OPT_IMPORT = 1000, OPT_GENERATE, OPT_FROM_CARD, OPT_PUBKEY,
    OPT_SCD, OPT_PIN_FILE, OPT_COLONS, OPT_KEY, OPT_POLICY
  };



/*
 * Helpers.
 */

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


/* The route for a command given its --scd value (or NULL).  */
static gpg_error_t
route_for (const char *scd_arg, int stored, int *r_route)
{
  int r;

  *r_route = CA_CARD_ROUTE_OCA_SCD;
  if (scd_arg)
    {
      r = ca_card_route_from_name (scd_arg);
      if (r < 0)
        return cmd_usage ("unknown card route '%s' (oca-scd or gpg-agent)",
                          scd_arg);
      *r_route = r;
      return 0;
    }
  *r_route = ca_card_effective_route (stored);
  return 0;
}


int
ca_card_init_wanted (int argc, char **argv)
{
  static const char *const with_arg[] =
    { "-D", "--domain", "-n", "--name", "-a", "--algo", "--import",
      "--public-key", "--scd", "--pin-file" };
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


/* Open the terminal for a prompt, or NULL.  */
static FILE *
open_tty (void)
{
  int fd = open ("/dev/tty", O_RDWR | O_NOCTTY);
  FILE *fp;

  if (fd < 0)
    return NULL;
  fp = fdopen (fd, "r+");
  if (!fp)
    close (fd);
  return fp;
}


/* Ask QUESTION and require the answer "yes" (unless YES).  ABORTED is
 * the message when the answer is something else.  */
static gpg_error_t
confirm (int yes, const char *question, const char *aborted)
{
  FILE *tty;
  char line[64];
  size_t n;

  if (yes)
    return 0;
  tty = open_tty ();
  if (!tty)
    return ca_set_errmsg (gpg_error (GPG_ERR_CANCELED),
                          "confirmation needed but there is no terminal "
                          "(use --yes)");
  fprintf (tty, "%s ", question);
  fflush (tty);
  if (!fgets (line, sizeof line, tty))
    line[0] = 0;
  fclose (tty);
  n = strcspn (line, "\r\n");
  line[n] = 0;
  if (strcmp (line, "yes"))
    return ca_set_errmsg (gpg_error (GPG_ERR_CANCELED), "%s", aborted);
  return 0;
}


/* Read one line (the PIN) from FP into secure memory.  */
static gpg_error_t
read_pin_line (FILE *fp, char **r_pin)
{
  char *pin;
  int c;
  size_t n = 0;

  *r_pin = NULL;
  pin = xtrymalloc_secure (128);
  if (!pin)
    return oca_error_from_errno ();
  while ((c = getc (fp)) != EOF && c != '\n')
    {
      if (n + 1 >= 128)
        {
          wipe_and_free (pin, 128);
          return gpg_error (GPG_ERR_TOO_LARGE);
        }
      pin[n++] = c;
    }
  if (n && pin[n - 1] == '\r')
    n--;
  pin[n] = 0;
  if (!n)
    {
      wipe_and_free (pin, 128);
      return gpg_error (GPG_ERR_NO_PIN);
    }
  *r_pin = pin;
  return 0;
}


/* Check that PIN fits the stored backend string (see
 * ca_card_parse_config); release it if not.  */
static gpg_error_t
check_storable_pin (char **pin)
{
  if (strlen (*pin) <= 64 && !strchr (*pin, ';'))
    return 0;
  wipe_and_free_string (*pin);
  *pin = NULL;
  return ca_set_errmsg (gpg_error (GPG_ERR_INV_VALUE),
                        "oca can only store a User PIN of at most 64 "
                        "characters without ';'");
}


/* Get the User PIN of card IDENT: from PIN_FILE ("-" = stdin) or the
 * terminal without echo.  */
static gpg_error_t
get_user_pin (const char *ident, const char *pin_file, char **r_pin)
{
  gpg_error_t err;
  FILE *fp;
  struct termios old, raw;
  int restore = 0;

  *r_pin = NULL;
  if (pin_file)
    {
      fp = strcmp (pin_file, "-") ? fopen (pin_file, "r") : stdin;
      if (!fp)
        {
          err = oca_error_from_errno ();
          return ca_set_errmsg (err, "can't open '%s': %s", pin_file,
                                gpg_strerror (err));
        }
      setvbuf (fp, NULL, _IONBF, 0);
      err = read_pin_line (fp, r_pin);
      if (fp != stdin)
        fclose (fp);
      if (err)
        return ca_set_errmsg (err, "no User PIN in '%s'", pin_file);
      return check_storable_pin (r_pin);
    }

  fp = open_tty ();
  if (!fp)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_PIN_ENTRY),
                          "no terminal to ask for the User PIN of OpenPGP "
                          "card %s (use --pin-file FILE)", ident);
  setvbuf (fp, NULL, _IONBF, 0);
  fprintf (fp, "Enter User PIN for OpenPGP card %s: ", ident);
  fflush (fp);
  if (!tcgetattr (fileno (fp), &old))
    {
      raw = old;
      raw.c_lflag &= ~(ECHO | ECHONL);
      raw.c_lflag |= ICANON;
      if (!tcsetattr (fileno (fp), TCSAFLUSH, &raw))
        restore = 1;
    }
  err = read_pin_line (fp, r_pin);
  if (restore)
    tcsetattr (fileno (fp), TCSAFLUSH, &old);
  fputc ('\n', fp);
  fclose (fp);
  if (err)
    return ca_set_errmsg (err, "no User PIN entered");
  return check_storable_pin (r_pin);
}


/* Print the `ca show' lines for a CA with DOMAIN, certificate CERT and
 * backend description BACKEND.  */
static void
print_show (const char *domain, const pgp_cert_t *cert, const char *backend)
{
  char fpr[41];
  char tbuf[64];
  time_t t = cert->primary->created;
  struct tm tm;

  if (!gmtime_r (&t, &tm)
      || !strftime (tbuf, sizeof tbuf, "%Y-%m-%d %H:%M:%S UTC", &tm))
    strcpy (tbuf, "?");
  printf ("    CA Domain: %s\n", domain);
  printf ("  Fingerprint: %s\n", pgp_cert_fpr_hex (cert, fpr));
  printf ("Creation time: %s\n", tbuf);
  /* BACKEND holds the PIN: keep it out of stdout's buffer.  */
  printf ("   CA Backend: ");
  cmd_write_secret (stdout, backend);
  putchar ('\n');
}


/* Print the description of the card configuration CONFIG.  */
static void
print_show_card (const char *domain, const pgp_cert_t *cert,
                 const char *ident, const char *pin, int route)
{
  char *desc = NULL;

  ca_card_describe (ident, pin, route, &desc);
  print_show (domain, cert, desc ? desc : "OpenPGP card");
  wipe_and_free_string (desc);
}


/* Whether card E can be used for a new CA: no keys and no foreign
 * cardholder.  */
static int
usable_blank (const ca_card_entry_t *e)
{
  return ca_card_is_blank (e->info)
    && (!e->info->disp_name || !*e->info->disp_name
        || ca_card_holder_ok (e->info));
}


/* Whether card E holds the CA with fingerprint FPR (AUT slot) and the
 * cardholder "OpenPGP CA".  */
static int
card_matches (const ca_card_entry_t *e, const unsigned char fpr[20])
{
  return e->info->fpr_valid[2] && !memcmp (e->info->fpr[2], fpr, 20)
    && ca_card_holder_ok (e->info);
}


/* Choose the blank card for init/migrate from LIST (IDENT may be
 * NULL).  */
static gpg_error_t
choose_blank (ca_card_entry_t *list, const char *ident,
              ca_card_entry_t **r_e)
{
  ca_card_entry_t *e, *found = NULL;
  size_t n = 0;
  membuf_t mb;
  unsigned char *s;
  size_t slen;

  *r_e = NULL;
  if (ident)
    {
      e = ca_card_find (list, ident);
      if (!e)
        return ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                              "OpenPGP card %s not found", ident);
      if (!ca_card_is_blank (e->info))
        return ca_set_errmsg (gpg_error (GPG_ERR_EEXIST),
                              "The OpenPGP card contains key material, "
                              "please reset it before use with OpenPGP CA.");
      if (!usable_blank (e))
        return ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                              "OpenPGP card %s belongs to cardholder '%s'; "
                              "reset it before use with OpenPGP CA", ident,
                              ca_card_holder_display (e->info));
      *r_e = e;
      return 0;
    }
  membuf_init (&mb, 4096, 0);
  for (e = list; e; e = e->next)
    if (usable_blank (e))
      {
        if (n++)
          membuf_put_str (&mb, " ");
        membuf_put_str (&mb, e->ident);
        found = e;
      }
  membuf_put (&mb, "", 1);
  if (n == 1)
    {
      membuf_release (&mb);
      *r_e = found;
      return 0;
    }
  if (!n)
    {
      membuf_release (&mb);
      return ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                            "No blank OpenPGP card found");
    }
  if (membuf_take (&mb, &s, &slen))
    return gpg_error (GPG_ERR_ENOMEM);
  ca_set_errmsg (gpg_error (GPG_ERR_AMBIGUOUS),
                 "Multiple blank OpenPGP cards found: %s", (char *)s);
  xfree (s);
  return gpg_error (GPG_ERR_AMBIGUOUS);
}


/* Choose the card holding the CA FPR (IDENT may be NULL).  */
static gpg_error_t
choose_matching (ca_card_entry_t *list, const char *ident,
                 const unsigned char fpr[20], ca_card_entry_t **r_e)
{
  ca_card_entry_t *e, *found = NULL;
  size_t n = 0;
  char ids[1024];

  *r_e = NULL;
  ids[0] = 0;
  if (ident)
    {
      char want[41], have[41];

      e = ca_card_find (list, ident);
      if (!e)
        return ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                              "OpenPGP card %s not found", ident);
      if (!ca_card_holder_ok (e->info))
        return ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                              "On card %s: Expected cardholder name '%s' on "
                              "OpenPGP card, found '%s'.", ident,
                              CA_CARD_HOLDER,
                              e->info->disp_name ? e->info->disp_name : "");
      if (!e->info->fpr_valid[2])
        return ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                              "On card %s: No AUT key on card", ident);
      if (memcmp (e->info->fpr[2], fpr, 20))
        return ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                              "On card %s: Auth key slot on card %s doesn't "
                              "match primary (cert) fingerprint %s.", ident,
                              oca_bin2hex (e->info->fpr[2], 20, have),
                              oca_bin2hex (fpr, 20, want));
      *r_e = e;
      return 0;
    }
  for (e = list; e; e = e->next)
    if (card_matches (e, fpr))
      {
        if (n++ && strlen (ids) + 1 < sizeof ids)
          strcat (ids, " ");
        if (strlen (ids) + strlen (e->ident) < sizeof ids)
          strcat (ids, e->ident);
        found = e;
      }
  if (n == 1)
    {
      *r_e = found;
      return 0;
    }
  if (!n)
    return ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                          "No matching OpenPGP card found");
  return ca_set_errmsg (gpg_error (GPG_ERR_AMBIGUOUS),
                        "Multiple matching OpenPGP cards found: %s", ids);
}


/* Algorithm parameters of a pgp_gen_algo value.  */
static void
gen_algo_params (int algo, int *r_pkalgo, int *r_curve, unsigned int *r_nbits)
{
  *r_curve = PK_CURVE_NONE;
  *r_nbits = 0;
  *r_pkalgo = PK_RSA;
  switch (algo)
    {
    case PGP_GEN_RSA4096: *r_nbits = 4096; break;
    case PGP_GEN_RSA3072: *r_nbits = 3072; break;
    case PGP_GEN_RSA2048: *r_nbits = 2048; break;
    case PGP_GEN_ED25519:
      *r_pkalgo = PK_EDDSA; *r_curve = PK_CURVE_ED25519; *r_nbits = 255;
      break;
    case PGP_GEN_NISTP256:
      *r_pkalgo = PK_ECDSA; *r_curve = PK_CURVE_NISTP256; *r_nbits = 256;
      break;
    case PGP_GEN_NISTP384:
    default:
      *r_pkalgo = PK_ECDSA; *r_curve = PK_CURVE_NISTP384; *r_nbits = 384;
      break;
    }
}


/* The pending row: "IDENT;ROUTE;PIN;DOMAIN;FPR;STAGE;CERT".  */
typedef struct pending
{
  char *buf;                   /* Secure copy, fields point into it.  */
  const char *ident, *route, *pin, *domain, *fpr, *stage, *cert;
} pending_t;

static void
pending_clear (pending_t *p)
{
  wipe_and_free_string (p->buf);
  memset (p, 0, sizeof *p);
}

/* The route recorded in P (the default if unknown).  */
static int
pending_route (const pending_t *p)
{
  int route = ca_card_route_from_name (p->route);

  return route < 0 ? CA_CARD_ROUTE_OCA_SCD : route;
}

static gpg_error_t
pending_parse (char *value, pending_t *p)
{
  const char **f[7];
  char *s = value;
  int i;

  memset (p, 0, sizeof *p);
  f[0] = &p->ident; f[1] = &p->route; f[2] = &p->pin; f[3] = &p->domain;
  f[4] = &p->fpr; f[5] = &p->stage; f[6] = &p->cert;
  p->buf = value;
  for (i = 0; i < 7; i++)
    {
      *f[i] = s;
      if (i == 6)
        break;
      s = strchr (s, ';');
      if (!s)
        return gpg_error (GPG_ERR_INV_VALUE);
      *s++ = 0;
    }
  return 0;
}

/* Store the pending row KEY in its own committed transaction.  */
static gpg_error_t
pending_store (ca_t *ca, const char *key, const char *ident, int route,
               const char *pin, const char *domain, const char *fpr,
               const char *stage, const char *cert)
{
  gpg_error_t err;
  const char *rname = ca_card_route_name (route);
  char *v;
  size_t n;

  /* Secure memory: gpgrt_bsprintf would leave copies of the PIN behind
   * when it grows its buffer for the certificate.  */
  if (!fpr)
    fpr = "";
  if (!cert)
    cert = "";
  n = strlen (ident) + strlen (rname) + strlen (pin) + strlen (domain)
    + strlen (fpr) + strlen (stage) + strlen (cert) + 7;
  v = xtrymalloc_secure (n);
  if (!v)
    return oca_error_from_errno ();
  snprintf (v, n, "%s;%s;%s;%s;%s;%s;%s", ident, rname, pin, domain, fpr,
            stage, cert);
  err = ca_begin (ca);
  if (!err)
    {
      err = db_pending_set (ca->db, key, v);
      if (err)
        ca_set_errmsg (err, "error writing the database: %s",
                       db_errmsg (ca->db));
    }
  if (!err)
    err = ca_commit (ca);
  else
    db_rollback (ca->db);
  wipe_and_free_string (v);
  return err;
}

/* Delete the pending row KEY in its own transaction.  */
static gpg_error_t
pending_forget (ca_t *ca, const char *key)
{
  gpg_error_t err;

  err = ca_begin (ca);
  if (!err)
    err = db_pending_delete (ca->db, key);
  if (!err)
    err = ca_commit (ca);
  else
    db_rollback (ca->db);
  return err;
}


/* Put the secret keys of CERT on the selected card E and personalise
 * it with NEWPIN (Admin PIN assumed to be the factory default).  */
static gpg_error_t
personalise_with_keys (ca_card_conn_t *conn, ca_card_entry_t *e,
                       const pgp_cert_t *cert, const pgp_key_t *sub,
                       const char *newpin)
{
  gpg_error_t err;
  scd_cardinfo_t *info = NULL;

  err = ca_card_conn_set_pins (conn, CA_CARD_DEFAULT_USER_PIN,
                               CA_CARD_DEFAULT_ADMIN_PIN, NULL);
  if (err)
    return err;
  err = ca_card_write_key (conn, CA_CARD_SLOT_AUT, cert->primary);
  if (err)
    return ca_card_errmsg (err, e->ident, "writing the CA key to the AUT "
                           "slot");
  if (sub)
    {
      err = ca_card_write_key (conn, CA_CARD_SLOT_SIG, sub);
      if (err)
        return ca_card_errmsg (err, e->ident, "writing the signing subkey "
                               "to the SIG slot");
    }
  err = ca_card_set_holder (conn);
  if (err)
    return ca_card_errmsg (err, e->ident, "setting the cardholder name");
  err = ca_card_set_pins (conn, CA_CARD_DEFAULT_ADMIN_PIN, newpin);
  if (err)
    return ca_card_errmsg (err, e->ident, "setting the PINs");
  /* Check what the card reports now.  */
  err = ca_card_select (conn, e->serialno, &info);
  if (err)
    return ca_card_errmsg (err, e->ident, "reading the card");
  if (!info->fpr_valid[2] || memcmp (info->fpr[2], cert->primary->fpr, 20)
      || (sub && (!info->fpr_valid[0]
                  || memcmp (info->fpr[0], sub->fpr, 20))))
    err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO),
                         "OpenPGP card %s reports other fingerprints than "
                         "the keys written to it", e->ident);
  else if (!ca_card_holder_ok (info))
    err = ca_set_errmsg (gpg_error (GPG_ERR_CARD),
                         "OpenPGP card %s did not keep the cardholder name",
                         e->ident);
  scd_cardinfo_release (info);
  return err;
}


/* Build a pk_key_t from a GENKEY result for CURVE (PK_CURVE_NONE for
 * RSA) and wrap it as a key created at CREATED.  */
static gpg_error_t
key_from_genkey (const scd_genkey_result_t *res, int pkalgo, int curve,
                 uint32_t created, int is_subkey, pgp_key_t **r_key)
{
  gpg_error_t err;
  pk_key_t *pk = NULL;
  unsigned char *q = NULL;

  *r_key = NULL;
  err = pk_key_new (&pk);
  if (err)
    return err;
  pk->algo = pkalgo;
  pk->curve = curve;
  if (pkalgo == PK_RSA)
    {
      if (!res->n || !res->e)
        err = gpg_error (GPG_ERR_INV_RESPONSE);
      if (!err)
        err = pk_key_set_mpi (pk, 0, 0, res->n, res->nlen);
      if (!err)
        err = pk_key_set_mpi (pk, 0, 1, res->e, res->elen);
    }
  else
    {
      if (!res->q || !res->qlen)
        err = gpg_error (GPG_ERR_INV_RESPONSE);
      else if (pkalgo == PK_EDDSA && res->qlen == 32)
        {
          q = xtrymalloc (33);
          if (!q)
            err = oca_error_from_errno ();
          else
            {
              q[0] = 0x40;
              memcpy (q + 1, res->q, 32);
              err = pk_key_set_mpi (pk, 0, 0, q, 33);
            }
        }
      else
        err = pk_key_set_mpi (pk, 0, 0, res->q, res->qlen);
    }
  if (!err)
    err = pgp_key_from_pk (pk, created, is_subkey, r_key);
  xfree (q);
  pk_key_release (pk);
  return err;
}


/* Set the attribute of slot KEYNO for the algorithm if the card has
 * another one.  */
static gpg_error_t
set_keyattr (ca_card_conn_t *conn, const scd_cardinfo_t *info, int keyno,
             int pkalgo, int curve, unsigned int nbits)
{
  const scd_keyattr_t *ka = &info->key_attr[keyno - 1];
  char value[80];
  gpg_error_t err;

  if (pkalgo == PK_RSA)
    {
      if (ka->algo == 1 && ka->nbits == nbits)
        return 0;
      snprintf (value, sizeof value, "--force %d 1 rsa%u", keyno, nbits);
    }
  else
    {
      if (ka->algo == pkalgo && !strcasecmp (ka->curve, pk_curve_name (curve)))
        return 0;
      snprintf (value, sizeof value, "--force %d %d %s", keyno, pkalgo,
                curve == PK_CURVE_ED25519 ? "ed25519"
                : curve == PK_CURVE_NISTP256 ? "nistp256" : "nistp384");
    }
  ca_card_conn_set_pin_mode (conn, CA_CARD_PIN_ADMIN);
  err = scd_client_setattr (ca_card_conn_scd (conn), "KEY-ATTR", value,
                            strlen (value));
  ca_card_conn_set_pin_mode (conn, CA_CARD_PIN_USER);
  return err;
}


/* Generate the CA keys on card E and build the CA certificate.  */
static gpg_error_t
generate_on_card (ca_card_conn_t *conn, ca_card_entry_t *e, int algo,
                  const char *name, const char *domain, const char *newpin,
                  pgp_cert_t **r_cert)
{
  gpg_error_t err;
  int pkalgo, curve;
  unsigned int nbits;
  uint32_t now = (uint32_t)time (NULL);
  scd_genkey_result_t *rsig = NULL, *raut = NULL;
  pgp_key_t *ksig = NULL, *kaut = NULL;
  pgp_signer_t ps, ss;
  scd_client_t scd = ca_card_conn_scd (conn);

  *r_cert = NULL;
  gen_algo_params (algo, &pkalgo, &curve, &nbits);
  err = ca_card_conn_set_pins (conn, CA_CARD_DEFAULT_USER_PIN,
                               CA_CARD_DEFAULT_ADMIN_PIN, NULL);
  if (err)
    goto leave;
  err = set_keyattr (conn, e->info, CA_CARD_SLOT_SIG, pkalgo, curve, nbits);
  if (!err)
    err = set_keyattr (conn, e->info, CA_CARD_SLOT_AUT, pkalgo, curve, nbits);
  if (err)
    {
      ca_card_errmsg (err, e->ident, "setting the key attributes");
      goto leave;
    }
  if (pkalgo == PK_RSA && nbits == 4096)
    printf ("Generating RSA4k key material on the card, this might take "
            "a while.\n");
  else
    printf ("Generating key material on the card.\n");
  fflush (stdout);
  ca_card_conn_set_pin_mode (conn, CA_CARD_PIN_ADMIN);
  err = scd_client_genkey (scd, CA_CARD_SLOT_SIG, SCD_GENKEY_FORCE, now, NULL,
                           &rsig);
  if (!err)
    err = scd_client_genkey (scd, CA_CARD_SLOT_AUT, SCD_GENKEY_FORCE, now,
                             NULL, &raut);
  ca_card_conn_set_pin_mode (conn, CA_CARD_PIN_USER);
  if (err)
    {
      ca_card_errmsg (err, e->ident, "generating keys");
      goto leave;
    }
  err = key_from_genkey (rsig, pkalgo, curve, now, 1, &ksig);
  if (!err)
    err = key_from_genkey (raut, pkalgo, curve, now, 0, &kaut);
  if (err)
    {
      ca_set_errmsg (err, "OpenPGP card %s returned an unusable public key: "
                     "%s", e->ident, gpg_strerror (err));
      goto leave;
    }
  if ((raut->fpr_valid && memcmp (raut->fpr, kaut->fpr, 20))
      || (rsig->fpr_valid && memcmp (rsig->fpr, ksig->fpr, 20)))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_PUBKEY_ALGO),
                           "OpenPGP card %s computed other fingerprints for "
                           "the generated keys", e->ident);
      goto leave;
    }
  err = ca_card_set_holder (conn);
  if (err)
    {
      ca_card_errmsg (err, e->ident, "setting the cardholder name");
      goto leave;
    }
  err = ca_card_set_pins (conn, CA_CARD_DEFAULT_ADMIN_PIN, newpin);
  if (err)
    {
      ca_card_errmsg (err, e->ident, "setting the PINs");
      goto leave;
    }
  err = ca_card_make_signer (conn, e->serialno, e->ident, CA_CARD_SLOT_AUT,
                             kaut, e->info->uif_valid[2] ? e->info->uif[2] : 0,
                             &ps);
  if (!err)
    err = ca_card_make_signer (conn, e->serialno, e->ident, CA_CARD_SLOT_SIG,
                               ksig,
                               e->info->uif_valid[0] ? e->info->uif[0] : 0,
                               &ss);
  if (!err)
    err = pgp_build_ca_cert (kaut, &ps, ksig, &ss, name, domain, now, r_cert);
  if (err && !ca_errmsg ())
    ca_set_errmsg (err, "error building the CA certificate: %s",
                   gpg_strerror (err));

 leave:
  scd_genkey_result_release (rsig);
  scd_genkey_result_release (raut);
  pgp_key_release (ksig);
  pgp_key_release (kaut);
  return err;
}


/* Finish a CA init: store CERT (public) with the card backend and
 * delete the pending row, in one transaction.  */
static gpg_error_t
store_card_ca (ca_t *ca, const char *domain, const pgp_cert_t *cert,
               const char *ident, const char *pin, int route)
{
  gpg_error_t err;
  char *config = NULL, *pub = NULL;
  char fpr[41];

  err = ca_card_make_config (ident, pin, route, &config);
  if (!err)
    err = ca_armor_public (cert, &pub);
  if (err)
    goto leave;
  err = ca_begin (ca);
  if (err)
    goto leave;
  err = db_ca_insert (ca->db, domain, pgp_cert_fpr_hex (cert, fpr), pub,
                      config, NULL);
  if (!err)
    err = db_pending_delete (ca->db, PENDING_INIT);
  if (err)
    {
      ca_set_errmsg (err, "error storing the CA: %s", db_errmsg (ca->db));
      db_rollback (ca->db);
      goto leave;
    }
  err = ca_commit (ca);

 leave:
  wipe_and_free_string (config);
  xfree (pub);
  return err;
}


/* Look at a pending init row in CA; on return *R_DONE is set if the
 * CA was completed from it.  Otherwise the row is gone (the card was
 * blank again) or an error explains what to do.  */
static gpg_error_t
recover_init (ca_t *ca, ca_card_conn_t *conn, ca_card_entry_t *list,
              int *r_done)
{
  gpg_error_t err;
  char *value = NULL;
  pending_t p;
  ca_card_entry_t *e;
  pgp_cert_t *cert = NULL;
  unsigned char fpr[20];

  *r_done = 0;
  memset (&p, 0, sizeof p);
  err = db_pending_get (ca->db, PENDING_INIT, &value, NULL);
  if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
    return 0;
  if (err)
    return ca_set_errmsg (err, "error reading the database: %s",
                          db_errmsg (ca->db));
  err = pending_parse (value, &p);
  value = NULL;
  if (err)
    {
      /* Unreadable: forget it.  */
      pending_clear (&p);
      return pending_forget (ca, PENDING_INIT);
    }
  e = ca_card_find (list, p.ident);
  if (!e)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                           "A previous 'ca init' on OpenPGP card %s did not "
                           "finish; insert that card and run the command "
                           "again", p.ident);
      goto leave;
    }
  if (usable_blank (e))
    {
      /* Nothing happened to the card: start afresh.  */
      err = pending_forget (ca, PENDING_INIT);
      goto leave;
    }
  if (!strcmp (p.stage, STAGE_DONE) && *p.cert && *p.fpr
      && !oca_hex2bin (p.fpr, fpr, 20) && card_matches (e, fpr))
    {
      int route = pending_route (&p);

      err = pgp_read_cert (p.cert, strlen (p.cert), &cert);
      if (err)
        {
          ca_set_errmsg (err, "the interrupted 'ca init' left an unreadable "
                         "CA certificate: %s", gpg_strerror (err));
          goto leave;
        }
      printf ("Completing the interrupted initialization of OpenPGP CA on "
              "card %s.\n", e->ident);
      err = ca_card_unlock (conn, e->serialno, e->info, e->ident, p.pin, 0);
      if (err)
        goto leave;
      err = store_card_ca (ca, p.domain, cert, e->ident, p.pin, route);
      if (err)
        goto leave;
      printf ("Initialized OpenPGP CA instance:\n\n");
      print_show_card (p.domain, cert, e->ident, p.pin, route);
      *r_done = 1;
      goto leave;
    }
  err = ca_set_errmsg (gpg_error (GPG_ERR_INV_STATE),
                       "OpenPGP card %s was partly written by an interrupted "
                       "'ca init'; factory-reset it (gpg --card-edit: admin, "
                       "factory-reset) and run the command again", p.ident);

 leave:
  pgp_cert_release (cert);
  pending_clear (&p);
  return err;
}



/*
 * ca init ... card
 */

gpg_error_t
cmd_ca_init_card (ca_cli_t *cli, int argc, char **argv)
{
  static const struct option opts[] =
    {
      { "domain",  required_argument, NULL, 'D' },
      { "name",    required_argument, NULL, 'n' },
      { "algo",    required_argument, NULL, 'a' },
      { "yes",     no_argument,       NULL, 'y' },
      { "pinpad",  no_argument,       NULL, 'P' },
      { "import",  required_argument, NULL, OPT_IMPORT },
      { "generate-on-card", no_argument, NULL, OPT_GENERATE },
      { "from-card", no_argument,     NULL, OPT_FROM_CARD },
      { "public-key", required_argument, NULL, OPT_PUBKEY },
      { "scd",     required_argument, NULL, OPT_SCD },
      { "pin-file", required_argument, NULL, OPT_PIN_FILE },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *domain_arg = NULL, *name = NULL, *algo_arg = NULL;
  const char *import_file = NULL, *pubkey_file = NULL, *scd_arg = NULL;
  const char *pin_file = NULL, *ident = NULL;
  int yes = 0, pinpad = 0, gen = 0, from_card = 0, nmodes;
  int algo, route, c, done = 0, pkalgo, curve;
  unsigned int nbits;
  char *domain = NULL, *pin = NULL, *privarmor = NULL, *pubarmor = NULL;
  size_t privlen = 0;
  unsigned char *filebuf = NULL;
  size_t filelen = 0;
  ca_t *ca = NULL;
  ca_card_conn_t *conn = NULL;
  ca_card_entry_t *list = NULL, *e = NULL;
  pgp_cert_t *cert = NULL;
  pgp_key_t *sub = NULL;
  char fpr[41];

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":D:n:a:yP", opts, NULL)) != -1)
    switch (c)
      {
      case 'D': domain_arg = optarg; break;
      case 'n': name = optarg; break;
      case 'a': algo_arg = optarg; break;
      case 'y': yes = 1; break;
      case 'P': pinpad = 1; break;
      case OPT_IMPORT: import_file = optarg; break;
      case OPT_GENERATE: gen = 1; break;
      case OPT_FROM_CARD: from_card = 1; break;
      case OPT_PUBKEY: pubkey_file = optarg; break;
      case OPT_SCD: scd_arg = optarg; break;
      case OPT_PIN_FILE: pin_file = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  if (!domain_arg)
    return cmd_usage ("the option --domain is required");
  err = card_args (argc, argv, "softkey or card", &ident);
  if (err)
    return err;
  nmodes = !!import_file + gen + from_card;
  if (nmodes > 1)
    return cmd_usage ("--import, --generate-on-card and --from-card are "
                      "mutually exclusive");
  if (from_card && !pubkey_file)
    return cmd_usage ("--from-card requires --public-key FILE");
  if (pubkey_file && !from_card)
    return cmd_usage ("--public-key is only used with --from-card");
  if (pin_file && !from_card)
    return cmd_usage ("--pin-file is only used with --from-card");
  if (ident && strlen (ident) != 13)
    return cmd_usage ("invalid card ident '%s' (e.g. FFFE:01234567)", ident);
  if (pinpad)
    return ca_set_errmsg (gpg_error (GPG_ERR_NOT_IMPLEMENTED),
                          "pinpad mode is not implemented yet");
  algo = pgp_gen_algo_from_string (algo_arg ? algo_arg : "rsa4096");
  if (!algo)
    return cmd_usage ("unknown algorithm '%s' (rsa4096, rsa3072, rsa2048, "
                      "ed25519, nistp256 or nistp384)", algo_arg);
  if (name && (!*name || strpbrk (name, "<>\n\r;")))
    return cmd_usage ("invalid name '%s'", name);
  err = route_for (scd_arg, CA_CARD_ROUTE_OCA_SCD, &route);
  if (err)
    return err;

  /* Everything that can be checked without the card comes first.  */
  err = ca_check_domain (domain_arg, &domain);
  if (err)
    goto leave;
  if (import_file || pubkey_file)
    {
      const char *f = import_file ? import_file : pubkey_file;

      err = cmd_read_file (f, &filebuf, &filelen);
      if (err)
        goto leave;
      err = pgp_read_cert (filebuf, filelen, &cert);
      if (err)
        {
          ca_key_errmsg (err, f);
          goto leave;
        }
      if (!cert->uids)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_NO_USER_ID),
                               "Expect CA certificate to contain at least "
                               "one User ID, but found none.");
          goto leave;
        }
    }
  if (import_file)
    {
      pgp_key_t *k;
      int ncert = 0;

      if (cert->primary->secret == PGP_SECRET_ENCRYPTED)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                               "%s: the private key is password protected; "
                               "remove the protection first", import_file);
          goto leave;
        }
      if (cert->primary->secret != PGP_SECRET_PLAIN)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                               "No private key material found in file. "
                               "Can't import to OpenPGP card.");
          goto leave;
        }
      sub = pgp_cert_signing_subkey (cert);
      if (sub && sub->secret != PGP_SECRET_PLAIN)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                               "%s: the signing subkey has no usable "
                               "private key material", import_file);
          goto leave;
        }
      /* Exactly one certification capable key: the primary.  */
      for (k = cert->subkeys; k; k = k->next)
        {
          pgp_sig_t *s;

          for (s = k->sigs; s; s = s->next)
            if (s->sigclass == PGP_SIG_SUBKEY_BIND && s->has_key_flags
                && (s->key_flags & PGP_KF_CERTIFY))
              ncert++;
        }
      if (ncert)
        {
          err = ca_set_errmsg (gpg_error (GPG_ERR_AMBIGUOUS),
                               "More than one certification capable key "
                               "found in key");
          goto leave;
        }
    }

  err = ca_open (cli, CA_OPEN_CREATE, &ca);
  if (err)
    goto leave;
  err = ca_card_connect (route, &conn);
  if (err)
    goto leave;
  err = ca_card_list_cards (conn, &list);
  if (err)
    goto leave;

  err = recover_init (ca, conn, list, &done);
  if (err || done)
    goto leave;

  if (from_card)
    {
      err = choose_matching (list, ident, cert->primary->fpr, &e);
      if (err)
        goto leave;
      printf ("Initializing OpenPGP CA from pre-configured OpenPGP card "
              "%s.\n", e->ident);
      fflush (stdout);
      err = get_user_pin (e->ident, pin_file, &pin);
      if (err)
        goto leave;
      err = ca_card_unlock (conn, e->serialno, e->info, e->ident, pin, 1);
      if (err)
        goto leave;
      err = store_card_ca (ca, domain, cert, e->ident, pin, route);
      if (err)
        goto leave;
      printf ("Initialized OpenPGP CA instance:\n\n");
      print_show_card (domain, cert, e->ident, pin, route);
      goto leave;
    }

  err = choose_blank (list, ident, &e);
  if (err)
    goto leave;
  if (cert)
    {
      pkalgo = cert->primary->pk->algo;
      curve = cert->primary->pk->curve;
      nbits = pk_key_nbits (cert->primary->pk);
    }
  else
    gen_algo_params (algo, &pkalgo, &curve, &nbits);
  err = ca_card_select (conn, e->serialno, NULL);
  if (!err)
    err = ca_card_check_algo_support (conn, e->info, e->ident, pkalgo, curve,
                                      nbits);
  if (err)
    {
      if (!ca_errmsg ())
        ca_card_errmsg (err, e->ident, "reading the card");
      goto leave;
    }

  if (gen)
    {
      printf ("Generate new OpenPGP CA key on card %s.\n\n", e->ident);
      printf ("Note:\n"
              "1) The private CA key will only exist on the card; it can "
              "not be backed up.\n"
              "2) The randomness of the card may be of lower quality than "
              "that of this host.\n\n");
      fflush (stdout);
      err = confirm (yes, "Are you sure? (type 'yes' to continue)",
                     "Aborted CA initialization.");
      if (err)
        goto leave;
    }
  else if (import_file)
    printf ("Initializing OpenPGP CA from existing key, on card %s.\n",
            e->ident);
  else
    printf ("Initializing OpenPGP CA on card %s.\n", e->ident);
  fflush (stdout);

  if (!cert && !gen)
    {
      err = pgp_generate_ca (algo, name, domain, 0, &cert);
      if (err)
        {
          ca_set_errmsg (err, "error generating the CA key: %s",
                         gpg_strerror (err));
          goto leave;
        }
      sub = pgp_cert_signing_subkey (cert);
    }

  err = ca_card_random_pin (&pin);
  if (err)
    goto leave;
  /* Durable note before the card is written.  */
  err = pending_store (ca, PENDING_INIT, e->ident, route, pin, domain,
                       cert ? pgp_cert_fpr_hex (cert, fpr) : NULL,
                       STAGE_WRITING, NULL);
  if (err)
    goto leave;

  if (gen)
    err = generate_on_card (conn, e, algo, name, domain, pin, &cert);
  else
    err = personalise_with_keys (conn, e, cert, sub, pin);
  if (err)
    goto leave;

  err = ca_armor_public (cert, &pubarmor);
  if (!err)
    err = pending_store (ca, PENDING_INIT, e->ident, route, pin, domain,
                         pgp_cert_fpr_hex (cert, fpr), STAGE_DONE, pubarmor);
  if (err)
    goto leave;

  if (!gen && !import_file)
    {
      /* Print the new key once, before the final write: should that
       * fail, a re-run completes the CA and the backup exists.  */
      err = pgp_cert_export (cert, PGP_EXPORT_ARMOR | PGP_EXPORT_SECRET,
                             (unsigned char **)&privarmor, &privlen);
      if (err)
        {
          ca_set_errmsg (err, "error exporting the CA key: %s",
                         gpg_strerror (err));
          goto leave;
        }
      /* Past stdio's buffer, which is not wiped.  */
      printf ("Generated new CA key:\n\n");
      err = cmd_write_secret (stdout, privarmor);
      if (err)
        {
          ca_set_errmsg (err, "error writing the CA key: %s",
                         gpg_strerror (err));
          goto leave;
        }
      printf ("\n");
      fflush (stdout);
    }

  err = store_card_ca (ca, domain, cert, e->ident, pin, route);
  if (err)
    goto leave;
  printf ("Initialized OpenPGP CA instance:\n\n");
  print_show_card (domain, cert, e->ident, pin, route);

 leave:
  wipe_and_free (privarmor, privlen);
  xfree (pubarmor);
  wipe_and_free_string (pin);
  pgp_cert_release (cert);
  if (filebuf)
    wipe_and_free (filebuf, filelen);
  ca_card_entry_release (list);
  ca_card_conn_release (conn);
  ca_release (ca);
  xfree (domain);
  return err;
}



/*
 * ca migrate card
 */

gpg_error_t
cmd_ca_migrate (ca_cli_t *cli, int argc, char **argv)
{
  static const struct option opts[] =
    {
      { "yes",    no_argument,       NULL, 'y' },
      { "pinpad", no_argument,       NULL, 'P' },
      { "scd",    required_argument, NULL, OPT_SCD },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *scd_arg = NULL, *ident = NULL;
  int yes = 0, route, c;
  ca_t *ca = NULL;
  ca_card_conn_t *conn = NULL;
  ca_card_entry_t *list = NULL, *e = NULL;
  char *pin = NULL, *config = NULL, *pub = NULL, *value = NULL;
  pgp_key_t *sub;
  pending_t p;

  memset (&p, 0, sizeof p);
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":yP", opts, NULL)) != -1)
    switch (c)
      {
      case 'y': yes = 1; break;
      case 'P': break;  /* Accepted and ignored, as in the reference.  */
      case OPT_SCD: scd_arg = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  err = card_args (argc, argv, "card", &ident);
  if (err)
    return err;
  err = route_for (scd_arg, CA_CARD_ROUTE_OCA_SCD, &route);
  if (err)
    return err;

  err = ca_open (cli, 0, &ca);
  if (err)
    goto leave;
  if (ca->cacert->backend && *ca->cacert->backend && ca->key_scrubbed)
    {
      /* An earlier migration stopped after the switch to the card.  */
      printf ("Finished removing the CA private key from the database of "
              "the migrated CA.\n");
      goto leave;
    }
  if (ca->cacert->backend && *ca->cacert->backend)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "the CA is not a softkey CA; only a softkey CA "
                           "can be migrated to a card");
      goto leave;
    }
  err = ca_key_unlock (ca);
  if (gpg_err_code (err) == GPG_ERR_NO_SECKEY)
    err = 0;  /* Reported below.  */
  if (err)
    goto leave;
  if (!pgp_cert_has_secret (ca->cert)
      || ca->cert->primary->secret != PGP_SECRET_PLAIN)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NO_SECKEY),
                           "No private key material in CA database. Can't "
                           "migrate to OpenPGP card.");
      goto leave;
    }
  sub = pgp_cert_signing_subkey (ca->cert);
  if (sub && sub->secret != PGP_SECRET_PLAIN)
    sub = NULL;

  err = ca_card_connect (route, &conn);
  if (!err)
    err = ca_card_list_cards (conn, &list);
  if (err)
    goto leave;

  /* An interrupted migration?  */
  err = db_pending_get (ca->db, PENDING_MIGRATE, &value, NULL);
  if (!err)
    {
      unsigned char fpr[20];

      err = pending_parse (value, &p);
      value = NULL;
      if (!err && (e = ca_card_find (list, p.ident)))
        {
          if (usable_blank (e))
            {
              e = NULL;
              err = pending_forget (ca, PENDING_MIGRATE);
            }
          else if (!strcmp (p.stage, STAGE_DONE)
                   && !oca_hex2bin (p.fpr, fpr, 20) && card_matches (e, fpr)
                   && !memcmp (fpr, ca->cert->primary->fpr, 20))
            {
              printf ("Completing the interrupted migration of OpenPGP CA to "
                      "card %s.\n", e->ident);
              pin = xtrymalloc_secure (strlen (p.pin) + 1);
              if (!pin)
                {
                  err = oca_error_from_errno ();
                  goto leave;
                }
              strcpy (pin, p.pin);
              route = pending_route (&p);
              err = ca_card_unlock (conn, e->serialno, e->info, e->ident,
                                    pin, 0);
              if (err)
                goto leave;
              goto store;
            }
          else
            err = ca_set_errmsg (gpg_error (GPG_ERR_INV_STATE),
                                 "OpenPGP card %s was partly written by an "
                                 "interrupted 'ca migrate'; factory-reset it "
                                 "(gpg --card-edit: admin, factory-reset) and "
                                 "run the command again", p.ident);
        }
      else if (!err)
        err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                             "A previous 'ca migrate' to OpenPGP card %s did "
                             "not finish; insert that card and run the "
                             "command again", p.ident);
      else
        err = pending_forget (ca, PENDING_MIGRATE);
      pending_clear (&p);
      if (err)
        goto leave;
    }
  else if (gpg_err_code (err) != GPG_ERR_NOT_FOUND)
    {
      ca_set_errmsg (err, "error reading the database: %s",
                     db_errmsg (ca->db));
      goto leave;
    }

  err = choose_blank (list, ident, &e);
  if (err)
    goto leave;
  err = ca_card_select (conn, e->serialno, NULL);
  if (!err)
    err = ca_card_check_algo_support (conn, e->info, e->ident,
                                      ca->cert->primary->pk->algo,
                                      ca->cert->primary->pk->curve,
                                      pk_key_nbits (ca->cert->primary->pk));
  if (err)
    {
      if (!ca_errmsg ())
        ca_card_errmsg (err, e->ident, "reading the card");
      goto leave;
    }

  printf ("Migrating OpenPGP CA instance to card %s.\n\n", e->ident);
  printf ("Caution: After migration is performed, the CA private key "
          "material will not be\navailable in the CA database anymore.\n\n"
          "Make sure you have a backup of your CA key before continuing!"
          "\n\n");
  fflush (stdout);
  err = confirm (yes, "Are you sure? (type 'yes' to continue)",
                 "Aborted CA migration.");
  if (err)
    goto leave;

  err = ca_card_random_pin (&pin);
  if (err)
    goto leave;
  err = pending_store (ca, PENDING_MIGRATE, e->ident, route, pin, ca->domain,
                       ca->fpr, STAGE_WRITING, NULL);
  if (err)
    goto leave;
  err = personalise_with_keys (conn, e, ca->cert, sub, pin);
  if (err)
    goto leave;
  err = pending_store (ca, PENDING_MIGRATE, e->ident, route, pin, ca->domain,
                       ca->fpr, STAGE_DONE, NULL);
  if (err)
    goto leave;

 store:
  err = ca_card_make_config (e->ident, pin, route, &config);
  if (!err)
    err = ca_armor_public (ca->cert, &pub);
  if (err)
    goto leave;
  err = ca_begin (ca);
  if (err)
    goto leave;
  err = db_cacert_replace_key (ca->db, ca->cacert->id, pub, config);
  if (!err)
    err = db_pending_delete (ca->db, PENDING_MIGRATE);
  if (err)
    {
      ca_set_errmsg (err, "error storing the CA: %s", db_errmsg (ca->db));
      db_rollback (ca->db);
      goto leave;
    }
  err = ca_commit (ca);
  if (err)
    goto leave;
  /* The CA is a card CA now.  Remove the key without copying it (see
   * ca-softkey.c); a crash here leaves a key row that the next
   * command writing to the database removes.  */
  err = ca_key_scrub (ca);
  if (err)
    goto leave;
  err = db_vacuum_secure (ca->db);
  if (err)
    {
      ca_set_errmsg (err, "the CA was migrated and its key removed, but "
                     "compacting the database file failed: %s",
                     db_errmsg (ca->db));
      goto leave;
    }
  printf ("Migrated OpenPGP CA instance:\n\n");
  print_show_card (ca->domain, ca->cert, e->ident, pin, route);

 leave:
  pending_clear (&p);
  wipe_and_free_string (value);
  wipe_and_free_string (pin);
  wipe_and_free_string (config);
  xfree (pub);
  ca_card_entry_release (list);
  ca_card_conn_release (conn);
  ca_release (ca);
  return err;
}



/*
 * ca set-backend card
 */

gpg_error_t
cmd_ca_set_backend (ca_cli_t *cli, int argc, char **argv)
{
  static const struct option opts[] =
    {
      { "pinpad",   no_argument,       NULL, 'P' },
      { "scd",      required_argument, NULL, OPT_SCD },
      { "pin-file", required_argument, NULL, OPT_PIN_FILE },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *scd_arg = NULL, *ident = NULL, *pin_file = NULL;
  int route, stored_route, c;
  ca_t *ca = NULL;
  ca_card_conn_t *conn = NULL;
  ca_card_entry_t *list = NULL, *e = NULL;
  char *pin = NULL, *config = NULL, *old_ident = NULL, *old_pin = NULL;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":P", opts, NULL)) != -1)
    switch (c)
      {
      case 'P': break;
      case OPT_SCD: scd_arg = optarg; break;
      case OPT_PIN_FILE: pin_file = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  err = card_args (argc, argv, "card", &ident);
  if (err)
    return err;

  err = ca_open (cli, 0, &ca);
  if (err)
    goto leave;
  if (!ca->cacert->backend || !*ca->cacert->backend)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "Setting card backend from softkey is not "
                           "supported.");
      goto leave;
    }
  if (!strncmp (ca->cacert->backend, "split", 5))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "Setting card backend from split mode is not "
                           "supported.");
      goto leave;
    }
  err = ca_card_parse_config (ca->cacert->backend, &old_ident, &old_pin,
                              &stored_route);
  if (err)
    {
      ca_set_errmsg (err, "invalid OpenPGP card backend configuration in "
                     "the database");
      goto leave;
    }
  err = route_for (scd_arg, stored_route, &route);
  if (err)
    goto leave;
  err = ca_card_connect (route, &conn);
  if (!err)
    err = ca_card_list_cards (conn, &list);
  if (err)
    goto leave;
  err = choose_matching (list, ident, ca->cert->primary->fpr, &e);
  if (err)
    goto leave;
  err = get_user_pin (e->ident, pin_file, &pin);
  if (err)
    goto leave;
  err = ca_card_unlock (conn, e->serialno, e->info, e->ident, pin, 1);
  if (err)
    goto leave;
  err = ca_card_make_config (e->ident, pin, route, &config);
  if (err)
    goto leave;
  err = ca_begin (ca);
  if (err)
    goto leave;
  err = db_cacert_set_backend (ca->db, ca->cacert->id, config);
  if (err)
    {
      ca_set_errmsg (err, "error storing the backend: %s",
                     db_errmsg (ca->db));
      db_rollback (ca->db);
      goto leave;
    }
  err = ca_commit (ca);
  if (err)
    goto leave;
  printf ("CA backend configuration is changed.\n");

 leave:
  wipe_and_free_string (pin);
  wipe_and_free_string (config);
  xfree (old_ident);
  wipe_and_free_string (old_pin);
  ca_card_entry_release (list);
  ca_card_conn_release (conn);
  ca_release (ca);
  return err;
}



/*
 * card list / card status / card touch
 */

/* Hex of fingerprint IDX of INFO into OUT, or "" when not set.  */
static const char *
fpr_valid_hex (const scd_cardinfo_t *info, int idx, char out[41])
{
  static const unsigned char zero[20];

  out[0] = 0;
  if (info->fpr_valid[idx] && memcmp (info->fpr[idx], zero, 20))
    oca_bin2hex (info->fpr[idx], 20, out);
  return out;
}


static const char *
uif_name (const scd_cardinfo_t *info, int idx)
{
  if (!info->uif_valid[idx])
    return "n/a";
  switch (info->uif[idx])
    {
    case 0: return "off";
    case 1: return "on";
    case 2: return "fixed";
    case 3: return "cached";
    case 4: return "cached-fixed";
    default: return "unknown";
    }
}


/* Parse the common options --scd and (if COLONS) --with-colons.  */
static gpg_error_t
parse_card_opts (int argc, char **argv, int allow_ident, const char **r_scd,
                 int *r_colons, const char **r_ident)
{
  static const struct option opts[] =
    {
      { "scd",          required_argument, NULL, OPT_SCD },
      { "with-colons",  no_argument,       NULL, OPT_COLONS },
      { NULL, 0, NULL, 0 }
    };
  int c;

  *r_scd = NULL;
  *r_ident = NULL;
  if (r_colons)
    *r_colons = 0;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_SCD: *r_scd = optarg; break;
      case OPT_COLONS:
        if (!r_colons)
          return cmd_usage ("unknown option '--with-colons'");
        *r_colons = 1;
        break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind < argc && allow_ident)
    *r_ident = argv[optind++];
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
  return 0;
}


gpg_error_t
cmd_card_list (ca_cli_t *cli, int argc, char **argv)
{
  gpg_error_t err;
  const char *scd_arg, *ident;
  int route;
  ca_card_conn_t *conn = NULL;
  ca_card_entry_t *list = NULL, *e;
  char fpr[41];

  (void)cli;
  err = parse_card_opts (argc, argv, 0, &scd_arg, NULL, &ident);
  if (!err)
    err = route_for (scd_arg, CA_CARD_ROUTE_OCA_SCD, &route);
  if (err)
    return err;
  err = ca_card_connect (route, &conn);
  if (!err)
    err = ca_card_list_cards (conn, &list);
  if (err)
    goto leave;
  if (!list)
    printf ("No OpenPGP card found.\n");
  for (e = list; e; e = e->next)
    {
      if (usable_blank (e))
        printf ("%s blank\n", e->ident);
      else if (ca_card_holder_ok (e->info) && e->info->fpr_valid[2])
        printf ("%s OpenPGP CA %s\n", e->ident,
                oca_bin2hex (e->info->fpr[2], 20, fpr));
      else
        printf ("%s in use (cardholder '%s')\n", e->ident,
                ca_card_holder_display (e->info));
    }

 leave:
  ca_card_entry_release (list);
  ca_card_conn_release (conn);
  return err;
}


gpg_error_t
cmd_card_status (ca_cli_t *cli, int argc, char **argv)
{
  static const char *const slotname[3] = { "Signature", "Decryption",
                                           "Authentication" };
  gpg_error_t err;
  const char *scd_arg, *ident;
  int route, colons, i;
  ca_card_conn_t *conn = NULL;
  ca_card_entry_t *list = NULL, *e;
  scd_cardinfo_t *info;
  char fpr[41];

  (void)cli;
  err = parse_card_opts (argc, argv, 1, &scd_arg, &colons, &ident);
  if (!err)
    err = route_for (scd_arg, CA_CARD_ROUTE_OCA_SCD, &route);
  if (err)
    return err;
  err = ca_card_connect (route, &conn);
  if (!err)
    err = ca_card_list_cards (conn, &list);
  if (err)
    goto leave;
  if (ident)
    {
      e = ca_card_find (list, ident);
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
  info = e->info;

  if (colons)
    {
      printf ("card:%s:%s:\n", e->ident, e->serialno);
      printf ("holder:%s:\n", info->disp_name ? info->disp_name : "");
      printf ("blank:%d:\n", ca_card_is_blank (info));
      for (i = 0; i < 3; i++)
        printf ("fpr:%d:%s:%lu:\n", i + 1,
                fpr_valid_hex (info, i, fpr), info->key_time[i]);
      for (i = 0; i < 3; i++)
        {
          const scd_keyattr_t *ka = &info->key_attr[i];

          if (ka->algo == 1)
            printf ("keyattr:%d:rsa%u:\n", i + 1, ka->nbits);
          else
            printf ("keyattr:%d:%s:\n", i + 1, ka->curve);
        }
      printf ("uif:%s:%s:%s:\n", uif_name (info, 0), uif_name (info, 1),
              uif_name (info, 2));
      if (info->chv_status_valid)
        printf ("pinretry:%d:%d:%d:\n", info->chv_status[4],
                info->chv_status[5], info->chv_status[6]);
      if (info->sig_counter_valid)
        printf ("sigcount:%lu:\n", info->sig_counter);
      goto leave;
    }

  printf ("OpenPGP card %s\n", e->ident);
  printf ("  Application ID ...: %s\n", e->serialno);
  printf ("  Cardholder .......: %s\n",
          info->disp_name && *info->disp_name
          ? ca_card_holder_display (info) : "[not set]");
  for (i = 0; i < 3; i++)
    {
      const scd_keyattr_t *ka = &info->key_attr[i];
      char attr[64];

      if (ka->algo == 1)
        snprintf (attr, sizeof attr, "rsa%u", ka->nbits);
      else
        snprintf (attr, sizeof attr, "%s", *ka->curve ? ka->curve : "?");
      printf ("  %-17s: %s (%s)\n", slotname[i],
              *fpr_valid_hex (info, i, fpr) ? fpr : "[none]", attr);
    }
  printf ("  Touch policy .....: SIG=%s DEC=%s AUT=%s\n", uif_name (info, 0),
          uif_name (info, 1), uif_name (info, 2));
  if (info->chv_status_valid)
    printf ("  PIN retry counter : %d %d %d\n", info->chv_status[4],
            info->chv_status[5], info->chv_status[6]);
  if (info->sig_counter_valid)
    printf ("  Signature counter : %lu\n", info->sig_counter);
  printf ("  Usable by oca ....: %s\n",
          usable_blank (e) ? "yes (blank)"
          : ca_card_holder_ok (info) ? "yes (OpenPGP CA)"
          : "no (personalised for somebody else)");

 leave:
  ca_card_entry_release (list);
  ca_card_conn_release (conn);
  return err;
}


gpg_error_t
cmd_card_touch (ca_cli_t *cli, int argc, char **argv)
{
  static const struct option opts[] =
    {
      { "key",    required_argument, NULL, OPT_KEY },
      { "policy", required_argument, NULL, OPT_POLICY },
      { "yes",    no_argument,       NULL, 'y' },
      { "scd",    required_argument, NULL, OPT_SCD },
      { NULL, 0, NULL, 0 }
    };
  gpg_error_t err;
  const char *key_arg = NULL, *policy_arg = NULL, *scd_arg = NULL;
  const char *ident = NULL;
  int yes = 0, keyno, policy, route, stored_route, c;
  ca_t *ca = NULL;
  ca_card_conn_t *conn = NULL;
  ca_card_entry_t *list = NULL, *e;
  char *ca_ident = NULL, *pin = NULL;
  unsigned char value[2];
  char attr[8];

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":y", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_KEY: key_arg = optarg; break;
      case OPT_POLICY: policy_arg = optarg; break;
      case 'y': yes = 1; break;
      case OPT_SCD: scd_arg = optarg; break;
      default: return cmd_getopt_error (c, argv);
      }
  if (optind < argc)
    ident = argv[optind++];
  if (optind < argc)
    return cmd_usage ("unexpected argument '%s'", argv[optind]);
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

  /* The Admin PIN is the PIN stored for the CA's card.  */
  err = ca_open (cli, CA_OPEN_READONLY, &ca);
  if (err)
    goto leave;
  if (!ca->cacert->backend
      || ca_card_parse_config (ca->cacert->backend, &ca_ident, &pin,
                               &stored_route))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "the CA does not use an OpenPGP card");
      goto leave;
    }
  if (ident && strcasecmp (ident, ca_ident))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                           "OpenPGP card %s is not the CA's card (%s); oca "
                           "knows only the Admin PIN of that one", ident,
                           ca_ident);
      goto leave;
    }
  err = route_for (scd_arg, stored_route, &route);
  if (err)
    goto leave;
  err = ca_card_connect (route, &conn);
  if (!err)
    err = ca_card_list_cards (conn, &list);
  if (err)
    goto leave;
  e = ca_card_find (list, ca_ident);
  if (!e)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_CARD_NOT_PRESENT),
                           "OpenPGP card %s not found", ca_ident);
      goto leave;
    }
  if (!card_matches (e, ca->cert->primary->fpr))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_WRONG_CARD),
                           "OpenPGP card %s does not hold this CA", ca_ident);
      goto leave;
    }
  if (!e->info->uif_valid[keyno - 1])
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_SUPPORTED),
                           "OpenPGP card %s has no touch button", ca_ident);
      goto leave;
    }
  if (policy == 2)
    {
      printf ("The touch policy 'fixed' of the %s slot can not be changed "
              "again without\nresetting the card.\n", key_arg);
      fflush (stdout);
      err = confirm (yes, "Are you sure? (type 'yes' to continue)",
                     "Aborted.");
      if (err)
        goto leave;
    }
  err = ca_card_conn_set_pins (conn, pin, pin, NULL);
  if (!err)
    err = ca_card_select (conn, e->serialno, NULL);
  if (err)
    {
      ca_card_errmsg (err, ca_ident, "selecting the card");
      goto leave;
    }
  value[0] = policy;
  value[1] = 0x20;
  snprintf (attr, sizeof attr, "UIF-%d", keyno);
  ca_card_conn_set_pin_mode (conn, CA_CARD_PIN_ADMIN);
  err = scd_client_setattr (ca_card_conn_scd (conn), attr, value, 2);
  if (gpg_err_code (err) == GPG_ERR_INV_NAME
      || gpg_err_code (err) == GPG_ERR_NOT_SUPPORTED)
    {
      /* GnuPG 2.2's scdaemon knows no UIF attribute: verify the Admin
       * PIN with CHECKPIN and write DO D6..D8 with PUT DATA.  */
      char idstr[80];

      snprintf (idstr, sizeof idstr, "%s[CHV3]", e->serialno);
      err = scd_client_checkpin (ca_card_conn_scd (conn), idstr);
      if (!err)
        err = scd_client_put_data (ca_card_conn_scd (conn), 0xd5 + keyno,
                                   value, 2);
    }
  if (gpg_err_code (err) == GPG_ERR_USE_CONDITIONS)
    {
      err = ca_set_errmsg (err, "the touch policy of the %s slot on card %s "
                           "is fixed", key_arg, ca_ident);
      goto leave;
    }
  if (err)
    {
      ca_card_errmsg (err, ca_ident, "setting the touch policy");
      goto leave;
    }
  printf ("Touch policy of the %s slot on card %s set to %s.\n", key_arg,
          ca_ident, policy_arg);

 leave:
  xfree (ca_ident);
  wipe_and_free_string (pin);
  ca_card_entry_release (list);
  ca_card_conn_release (conn);
  ca_release (ca);
  return err;
}
