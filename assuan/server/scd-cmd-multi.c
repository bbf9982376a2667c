/* scd-cmd-multi.c - oca-scd's commands for several cards (GnuPG 2.4)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SWITCHCARD, SWITCHAPP, DEVINFO [--watch] and the GETINFO subcommands
 * card_list, active_apps and all_active_apps, which gpg-card and gpg
 * 2.4 send, answered as scdaemon 2.4 answers them (learnt from its
 * scd/command.c and scd/app.c):
 *
 *  - The server knows the cards SERIALNO has opened (SERIALNO scans
 *    the readers); these commands add none, they only drop the cards
 *    that are gone.  card_list and all_active_apps list them in reader
 *    order ("slot" order), one "S SERIALNO <sn>" (with the application
 *    names for the *_apps forms) each, and fail with CARD_NOT_PRESENT
 *    when there is none; active_apps names the session's card only and
 *    answers OK without a line when the session has none.
 *  - SWITCHCARD <sn> binds the session to a known card (NOT_FOUND
 *    otherwise; serial numbers of OpenPGP cards compare without their
 *    version digits; the hex digits are read up to the first other
 *    character, blanks and colons skipped); without one it only reports
 *    the session's card (opening one first, as every command does).
 *  - SWITCHAPP accepts the application names scdaemon knows (openpgp,
 *    piv, nks, p15, geldkarte, dinsig, sc-hsm, undefined; NOT_FOUND
 *    for others) and, as the card has no other application, stays with
 *    OpenPGP: "S SERIALNO <sn> openpgp".
 *  - DEVINFO sends "S DEVINFO_START", "S DEVICE generic <sn> openpgp"
 *    per card, "S DEVINFO_END", and NOT_FOUND when there is no card.
 *    With --watch it opens the cards and sends the whole block again
 *    whenever a card comes or goes.  scdaemon never ends the command;
 *    oca-scd ends it when the client closes the connection or sends a
 *    line (then OK, and the line is the next command).
 */
#include <config.h>
#include "scd.h"
#include "scd-util.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>

/* How often DEVINFO --watch looks at the readers (milliseconds).  */
#define WATCH_INTERVAL 250


/* The application names of scdaemon 2.4 (app.c's priority list and
 * "undefined").  */
static int
known_app_name (const char *name)
{
  static const char *const names[] =
    {
      "openpgp", "piv", "nks", "p15", "geldkarte", "dinsig", "sc-hsm",
      "undefined", NULL
    };
  int i;

  for (i = 0; names[i]; i++)
    if (!strcasecmp (names[i], name))
      return 1;
  return 0;
}


/* The hex digits of LINE as scdaemon's hex_to_buffer reads them (pairs
 * of digits up to the first other character; blanks and colons
 * skipped), uppercase into BUF of SIZE bytes.  */
static void
hex_arg (const char *line, char *buf, size_t size)
{
  size_t n = 0;
  const char *s;

  for (s = line; *s; s++)
    {
      if (*s == ' ' || *s == '\t' || *s == ':')
        continue;
      if (!isxdigit ((unsigned char)s[0]) || !isxdigit ((unsigned char)s[1])
          || n + 3 > size)
        break;
      buf[n++] = toupper ((unsigned char)s[0]);
      buf[n++] = toupper ((unsigned char)s[1]);
      s++;
    }
  buf[n] = 0;
}


/* The session's card as scdaemon's open_card gives it: the bound one
 * (CARD_REMOVED once it is gone, until SERIALNO), else the first card
 * with the OpenPGP application (the readers are scanned when no card
 * is known).  Lock held.  */
static gpg_error_t
open_card (scd_session_t sess, scd_card_t *r_card)
{
  gpg_error_t err = 0;
  scd_card_t card;

  *r_card = NULL;
  if (sess->card_removed)
    return gpg_error (GPG_ERR_CARD_REMOVED);
  scd_prune_cards ();
  if (sess->reader[0])
    {
      card = scd_find_card_by_reader (sess->reader);
      if (!card || !card->app
          || (sess->serialno[0]
              && !scd_same_serialno (card->app->serialno, sess->serialno)))
        {
          sess->card_removed = 1;
          return gpg_error (GPG_ERR_CARD_REMOVED);
        }
      *r_card = card;
      return 0;
    }
  if (!scd_first_card ())
    err = scd_scan_cards (0);
  for (card = scd_first_card (); card && !card->app; card = card->next)
    ;
  if (!card)
    return err && gpg_err_code (err) != GPG_ERR_ENODEV
      ? err : gpg_error (GPG_ERR_ENODEV);
  scd_bind_card (sess, card);
  *r_card = card;
  return 0;
}


/* The session's card if it has one and it is still there, else NULL
 * (no card is opened).  Lock held.  */
static scd_card_t
current_card (scd_session_t sess)
{
  scd_card_t card;

  if (!sess->serialno[0] || sess->card_removed)
    return NULL;
  card = scd_find_card (sess->serialno);
  return card && scd_check_card (card) ? NULL : card;
}


/* Send "S SERIALNO <sn>" for CARD, with APPS followed by its
 * applications.  */
static gpg_error_t
send_serialno (assuan_context_t ctx, scd_card_t card, int apps)
{
  char buf[80];

  snprintf (buf, sizeof buf, "%s%s", card->app->serialno,
            apps ? " openpgp" : "");
  return scd_send_status (ctx, "SERIALNO", buf);
}



/*
 * SWITCHCARD
 */

static gpg_error_t
switch_card (scd_session_t sess, void *arg)
{
  const char *line = arg;
  gpg_error_t err;
  scd_card_t card;
  char sn[65];

  err = open_card (sess, &card);
  if (err)
    return err;
  hex_arg (line, sn, sizeof sn);
  if (*sn)
    {
      card = scd_find_card (sn);
      if (!card)
        return gpg_error (GPG_ERR_NOT_FOUND);
      scd_bind_card (sess, card);
    }
  return send_serialno (sess->ctx, card, 0);
}

const char scd_hlp_switchcard[] =
  "SWITCHCARD [<serialno>]\n"
  "\n"
  "Bind this session to the known card SERIALNO (GETINFO card_list\n"
  "lists them; SERIALNO looks for new ones) and report it as\n"
  "  S SERIALNO <serialno>\n"
  "Without SERIALNO only report the current card.";
gpg_error_t
scd_cmd_switchcard (assuan_context_t ctx, char *line)
{
  return scd_with_registry (assuan_get_pointer (ctx), 1, switch_card,
                            scd_skip_options (line));
}



/*
 * SWITCHAPP
 */

static gpg_error_t
switch_app (scd_session_t sess, void *arg)
{
  const char *name = arg;
  gpg_error_t err;
  scd_card_t card;

  err = open_card (sess, &card);
  if (err)
    return err;
  if (*name && !known_app_name (name))
    return gpg_error (GPG_ERR_NOT_FOUND);
  return send_serialno (sess->ctx, card, 1);
}

const char scd_hlp_switchapp[] =
  "SWITCHAPP [<appname>]\n"
  "\n"
  "Make APPNAME the active application of the current card and report\n"
  "the card and its applications, the active one first:\n"
  "  S SERIALNO <serialno> openpgp\n"
  "An OpenPGP card has no other application to switch to.";
gpg_error_t
scd_cmd_switchapp (assuan_context_t ctx, char *line)
{
  return scd_with_registry (assuan_get_pointer (ctx), 1, switch_app,
                            scd_skip_options (line));
}



/*
 * GETINFO card_list, active_apps, all_active_apps
 */

/* What to list: the known cards, with or without their applications,
 * or only the session's card.  */
enum list_what { LIST_CARDS, LIST_ACTIVE_APPS, LIST_ALL_ACTIVE_APPS };

static gpg_error_t
list_cards (scd_session_t sess, void *arg)
{
  enum list_what what = *(enum list_what *)arg;
  gpg_error_t err = 0;
  scd_card_t card;
  int any = 0;

  scd_prune_cards ();
  if (what == LIST_ACTIVE_APPS)
    {
      card = current_card (sess);
      return card ? send_serialno (sess->ctx, card, 1) : 0;
    }
  for (card = scd_first_card (); card && !err; card = card->next)
    if (card->app)
      {
        any = 1;
        err = send_serialno (sess->ctx, card, what == LIST_ALL_ACTIVE_APPS);
      }
  if (!err && !any)
    err = gpg_error (GPG_ERR_CARD_NOT_PRESENT);
  return err;
}

gpg_error_t
scd_getinfo_cards (assuan_context_t ctx, const char *what)
{
  enum list_what w;

  if (!strcmp (what, "card_list"))
    w = LIST_CARDS;
  else if (!strcmp (what, "active_apps"))
    w = LIST_ACTIVE_APPS;
  else if (!strcmp (what, "all_active_apps"))
    w = LIST_ALL_ACTIVE_APPS;
  else
    return gpg_error (GPG_ERR_NOT_FOUND);
  return scd_with_registry (assuan_get_pointer (ctx), 0, list_cards, &w);
}



/*
 * DEVINFO [--watch]
 */

/* The serial numbers of the known cards, blank separated, into BUF
 * (SIZE bytes).  Lock held.  */
static void
card_set (char *buf, size_t size)
{
  scd_card_t card;
  size_t n = 0;

  buf[0] = 0;
  for (card = scd_first_card (); card; card = card->next)
    if (card->app && n + strlen (card->app->serialno) + 2 < size)
      n += snprintf (buf + n, size - n, "%s ", card->app->serialno);
}

/* Send the DEVINFO block.  NOT_FOUND when no card is known.  Lock
 * held.  */
static gpg_error_t
send_devinfo (scd_session_t sess)
{
  gpg_error_t err;
  scd_card_t card;
  char buf[100];
  int any = 0;

  err = scd_send_status (sess->ctx, "DEVINFO_START", NULL);
  for (card = scd_first_card (); card && !err; card = card->next)
    if (card->app)
      {
        any = 1;
        snprintf (buf, sizeof buf, "generic %s openpgp", card->app->serialno);
        err = scd_send_status (sess->ctx, "DEVICE", buf);
      }
  if (!err)
    err = scd_send_status (sess->ctx, "DEVINFO_END", NULL);
  if (!err && !any)
    err = gpg_error (GPG_ERR_NOT_FOUND);
  return err;
}

static gpg_error_t
devinfo_once (scd_session_t sess, void *arg)
{
  (void)arg;
  scd_prune_cards ();
  return send_devinfo (sess);
}

/* One look at the readers for DEVINFO --watch.  The first time, as
 * scdaemon does, send the block of the known cards, open the cards and
 * send the block again; later, send it when the set of cards changed.  */
struct watch_parm
{
  int first;
  char set[1024];              /* The cards of the last block sent.  */
};

static gpg_error_t
devinfo_watch_step (scd_session_t sess, void *arg)
{
  struct watch_parm *parm = arg;
  gpg_error_t err;
  char now[sizeof parm->set];
  int first = parm->first;

  if (first)
    {
      parm->first = 0;
      scd_prune_cards ();
      err = send_devinfo (sess);
      if (err && gpg_err_code (err) != GPG_ERR_NOT_FOUND)
        return err;
      sess->card_removed = 0;
    }
  err = scd_scan_cards (0);
  if (err && gpg_err_code (err) != GPG_ERR_ENODEV)
    return err;
  if (first)
    {
      /* The watching session keeps no card (scdaemon drops it).  */
      sess->serialno[0] = 0;
      sess->reader[0] = 0;
    }
  card_set (now, sizeof now);
  if (!first && !strcmp (now, parm->set))
    return 0;
  strcpy (parm->set, now);
  err = send_devinfo (sess);
  return gpg_err_code (err) == GPG_ERR_NOT_FOUND ? 0 : err;
}

/* Wait up to WATCH_INTERVAL for the client: 0 when it said nothing,
 * GPG_ERR_TRUE when it sent a line, GPG_ERR_EOF when it is gone.  */
static gpg_error_t
client_wait (assuan_context_t ctx)
{
  assuan_fd_t fds[2];
  struct pollfd pfd;
  int n, avail = 0;

  n = assuan_get_active_fds (ctx, 0, fds, DIM (fds));
  if (n < 1)
    return gpg_error (GPG_ERR_EOF);
  pfd.fd = (int)fds[0];
  pfd.events = POLLIN;
  pfd.revents = 0;
  n = poll (&pfd, 1, WATCH_INTERVAL);
  if (n < 0)
    return errno == EINTR ? 0 : oca_error_from_errno ();
  if (!n)
    return 0;
  if ((pfd.revents & POLLIN) && !ioctl (pfd.fd, FIONREAD, &avail)
      && avail > 0)
    return gpg_error (GPG_ERR_TRUE);
  return gpg_error (GPG_ERR_EOF);
}

const char scd_hlp_devinfo[] =
  "DEVINFO [--watch]\n"
  "\n"
  "Report the known cards between S DEVINFO_START and S DEVINFO_END,\n"
  "one line each:\n"
  "  S DEVICE <cardtype> <serialno> <apptype>\n"
  "With --watch, open the cards and report them again whenever a card\n"
  "is inserted or removed, until the client closes the connection or\n"
  "sends its next command.";
gpg_error_t
scd_cmd_devinfo (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  struct watch_parm parm;

  if (!scd_has_option (line, "--watch"))
    return scd_with_registry (sess, 0, devinfo_once, NULL);
  memset (&parm, 0, sizeof parm);
  parm.first = 1;
  for (;;)
    {
      err = scd_with_registry (sess, 0, devinfo_watch_step, &parm);
      if (!err)
        err = client_wait (ctx);
      if (err)
        break;
      if (scd_shutdown_requested)
        return 0;
    }
  if (gpg_err_code (err) == GPG_ERR_TRUE)
    return 0;  /* The client has something to say.  */
  return err;
}
