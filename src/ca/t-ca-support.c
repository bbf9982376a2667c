/* t-ca-support.c - what the unit tests of the CA core share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];

/* Cards of t-scd-vcard: inserted or not.  */
static int ncards_;
static int pulled_[8];


/* Remove the temporary directory (at exit).  */
static void
remove_tmpdir (void)
{
  char cmd[128];

  if (!*tmpdir || getenv ("OCA_KEEP_TMP"))
    return;
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd))
    fprintf (stderr, "could not remove %s\n", tmpdir);
}


void
tca_init (void)
{
  if (oca_init_gcrypt (1024 * 1024))
    {
      printf ("Bail out! libgcrypt\n");
      exit (1);
    }
  snprintf (tmpdir, sizeof tmpdir, "%s/oca-tca.XXXXXX",
            getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp");
  if (!mkdtemp (tmpdir))
    {
      printf ("Bail out! mkdtemp\n");
      exit (1);
    }
  atexit (remove_tmpdir);
}


const char *
tca_path (const char *name)
{
  static char bufs[8][256];
  static int idx;
  char *p = bufs[idx++ % 8];

  snprintf (p, 256, "%s/%s", tmpdir, name);
  return p;
}


ca_opts_t
tca_opts (const char *name)
{
  ca_opts_t opts;

  memset (&opts, 0, sizeof opts);
  opts.dbfile = name ? tca_path (name) : NULL;
  opts.card_route = CA_ROUTE_STORED;
  return opts;
}


gpg_error_t
tca_make_ca (const char *name, const char *domain, int algo, ca_t **r_ca)
{
  gpg_error_t err;
  ca_opts_t opts = tca_opts (name);
  ca_t *ca = NULL;

  *r_ca = NULL;
  err = ca_open (&opts, CA_OPEN_CREATE, &ca);
  if (!err)
    err = ca_begin (ca);
  if (!err)
    err = ca_init_softkey (ca, domain, NULL, algo);
  if (!err)
    err = ca_commit (ca);
  ca_release (ca);
  if (!err)
    err = ca_open (&opts, 0, r_ca);
  return err;
}


pgp_cert_t *
tca_user_key (int algo, const char *const *uids, size_t nuids)
{
  pgp_cert_t *cert = NULL;
  pgp_sig_t *rev = NULL;

  if (pgp_generate_user (algo, uids, nuids, 0, &cert, &rev))
    return NULL;
  pgp_sig_release (rev);
  return cert;
}


char *
tca_armor (const pgp_cert_t *cert)
{
  unsigned char *buf = NULL;
  size_t len;

  if (pgp_cert_export (cert, PGP_EXPORT_ARMOR, &buf, &len))
    return NULL;
  return (char *)buf;
}


char *
tca_stderr_of (void (*fn) (void *opaque), void *opaque)
{
  const char *path = tca_path ("stderr.txt");
  int fd, saved;
  size_t len;
  char *buf;
  FILE *fp;

  fflush (stderr);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  saved = dup (2);
  if (fd < 0 || saved < 0 || dup2 (fd, 2) < 0)
    {
      printf ("Bail out! redirecting stderr\n");
      exit (1);
    }
  close (fd);
  fn (opaque);
  fflush (stderr);
  dup2 (saved, 2);
  close (saved);
  /* What the tests capture is a few lines.  */
  buf = xtrycalloc (1, 4096);
  fp = fopen (path, "r");
  if (buf && fp)
    {
      len = fread (buf, 1, 4095, fp);
      buf[len] = 0;
    }
  if (fp)
    fclose (fp);
  return buf;
}


/* Write T_VCARD_CARDS for the current cards.  */
static void
set_cards_env (void)
{
  char list[512] = "", one[300];
  int i;

  for (i = 1; i <= ncards_; i++)
    {
      snprintf (one, sizeof one, "%s%s%s", i > 1 ? " " : "",
                pulled_[i] ? "-" : "", tca_path (i == 1 ? "card1.state"
                                                 : i == 2 ? "card2.state"
                                                 : i == 3 ? "card3.state"
                                                 : "card4.state"));
      strncat (list, one, sizeof list - strlen (list) - 1);
    }
  setenv ("T_VCARD_CARDS", list, 1);
}


void
tca_vcards (int ncards)
{
  const char *pgm = getenv ("T_SCD_VCARD");

  ncards_ = ncards < 4 ? ncards : 4;
  setenv ("OCA_SCD_PROGRAM", pgm && *pgm ? pgm : "ca/t-scd-vcard", 1);
  unsetenv ("T_VCARD_DIE_AFTER");
  set_cards_env ();
}


void
tca_vcard_reset (int n)
{
  char name[32];

  snprintf (name, sizeof name, "card%d.state", n);
  unlink (tca_path (name));
}


void
tca_vcard_insert (int n, int inserted)
{
  pulled_[n] = !inserted;
  set_cards_env ();
}


void
tca_vcard_die_after (long n)
{
  char buf[32];

  if (n < 0)
    unsetenv ("T_VCARD_DIE_AFTER");
  else
    {
      snprintf (buf, sizeof buf, "%ld", n);
      setenv ("T_VCARD_DIE_AFTER", buf, 1);
    }
}


/* Note WHAT in the events of U.  */
static void
note (tca_ui_t *u, const char *what, int ev)
{
  char buf[32];

  snprintf (buf, sizeof buf, "%s%s:%d", *u->events ? " " : "", what, ev);
  strncat (u->events, buf, sizeof u->events - strlen (u->events) - 1);
}


static void
ui_tell (void *opaque, ca_card_event_t ev, const char *ident,
         const char *detail)
{
  (void)ident;
  (void)detail;
  note (opaque, "tell", ev);
}


static gpg_error_t
ui_ask (void *opaque, ca_card_event_t ev, const char *ident,
        const char *detail)
{
  tca_ui_t *u = opaque;

  (void)ident;
  (void)detail;
  note (u, "ask", ev);
  if (u->refuse)
    return ca_set_errmsg (u->refuse, "refused by the test");
  return 0;
}


static gpg_error_t
ui_get_pin (void *opaque, const char *ident, char **r_pin)
{
  tca_ui_t *u = opaque;

  (void)ident;
  note (u, "pin", 0);
  *r_pin = NULL;
  if (!u->pin)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_PIN), "no PIN in the test");
  *r_pin = xtrymalloc_secure (strlen (u->pin) + 1);
  if (!*r_pin)
    return oca_error_from_errno ();
  strcpy (*r_pin, u->pin);
  return 0;
}


static gpg_error_t
ui_hand_out_key (void *opaque, const char *armor)
{
  tca_ui_t *u = opaque;

  note (u, "hand", 0);
  wipe_and_free_string (u->key);
  u->key = xtrymalloc_secure (strlen (armor) + 1);
  if (u->key)
    strcpy (u->key, armor);
  if (u->hand_out_err)
    return ca_set_errmsg (u->hand_out_err, "could not hand out the key");
  return 0;
}


void
tca_ui_init (tca_ui_t *u)
{
  memset (u, 0, sizeof *u);
  u->ui.opaque = u;
  u->ui.tell = ui_tell;
  u->ui.ask = ui_ask;
  u->ui.get_pin = ui_get_pin;
  u->ui.hand_out_key = ui_hand_out_key;
}


void
tca_ui_reset (tca_ui_t *u)
{
  *u->events = 0;
  wipe_and_free_string (u->key);
  u->key = NULL;
  u->refuse = 0;
  u->hand_out_err = 0;
}


/* See t-ca-support.h.  */
int
tca_sql (const char *name, const char *fmt, ...)
{
  va_list ap;
  sqlite3 *db;
  char *q, *errmsg = NULL;
  int rc;

  va_start (ap, fmt);
  q = sqlite3_vmprintf (fmt, ap);
  va_end (ap);
  rc = sqlite3_open (tca_path (name), &db);
  if (!rc)
    rc = sqlite3_exec (db, q, NULL, NULL, &errmsg);
  if (rc)
    printf ("# sql: %s\n", errmsg ? errmsg : sqlite3_errmsg (db));
  sqlite3_free (errmsg);
  sqlite3_free (q);
  sqlite3_close (db);
  return rc;
}
