/* t-ca-cardroute.c - unit test of ca-cardroute.c: a card held by another
 * program is reached through gpg-agent
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * oca-scd is t-scd-vcard (oca-scd's handler over virtual cards), which
 * reports the cards of $T_VCARD_BUSY as held exclusively.  gpg-agent
 * is a real one in a GNUPGHOME of the test, with t-scd-vcard (without
 * T_VCARD_BUSY: it is the program holding the card) or nothing as its
 * scdaemon.
 */
#include <config.h>
#include "t-ca-support.h"
#include "ca-card.h"
#include "t-support.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static ca_card_conn_t *conn;

static void
connect_fn (void *opaque)
{
  (void)opaque;
  ca_card_conn_release (conn);
  conn = NULL;
  ca_card_connect (CA_ROUTE_OCA_SCD, &conn);
}


/* A gpg-agent.conf in GNUPGHOME with scdaemon-program PGM; stop a
 * running agent.  */
static void
agent_conf (const char *pgm)
{
  FILE *fp = fopen (tca_path ("gh/gpg-agent.conf"), "w");

  if (!fp)
    {
      printf ("Bail out! gpg-agent.conf\n");
      exit (1);
    }
  fprintf (fp, "scdaemon-program %s\nallow-loopback-pinentry\n", pgm);
  fclose (fp);
  if (system ("gpgconf --kill gpg-agent >/dev/null 2>&1")) {}
}


int
main (void)
{
  ca_opts_t opts = tca_opts (NULL);
  ca_card_t *list = NULL;
  char *out;
  char vcard[PATH_MAX], wrapper[PATH_MAX + 64];
  const char *pgm = getenv ("T_SCD_VCARD");
  FILE *fp;

  tca_init ();
  tca_vcards (2);
  if (!realpath (pgm && *pgm ? pgm : "ca/t-scd-vcard", vcard))
    {
      printf ("Bail out! t-scd-vcard not found\n");
      return 1;
    }
  mkdir (tca_path ("gh"), 0700);
  setenv ("GNUPGHOME", tca_path ("gh"), 1);
  agent_conf ("/nonexistent/scdaemon");

  out = tca_stderr_of (connect_fn, NULL);
  ok (conn && ca_card_conn_route (conn) == CA_ROUTE_OCA_SCD
      && !ca_card_conn_held (conn) && !*out, "free cards: oca-scd, no note");
  xfree (out);

  setenv ("T_VCARD_BUSY", "2", 1);
  out = tca_stderr_of (connect_fn, NULL);
  ok (conn && ca_card_conn_route (conn) == CA_ROUTE_OCA_SCD
      && !ca_card_conn_held (conn)
      && !strcmp (out, "Note: the card in reader 'Virtual Reader 01 00' is "
                  "in use by another program (GnuPG's scdaemon?); oca does "
                  "not use it\n"),
      "one card held, another free: oca-scd, a note (%s)", out);
  xfree (out);

  setenv ("T_VCARD_BUSY", "12", 1);
  out = tca_stderr_of (connect_fn, NULL);
  ok (conn && ca_card_conn_route (conn) == CA_ROUTE_OCA_SCD
      && !ca_card_conn_held (conn)
      && strstr (out, "Note: the card in reader 'Virtual Reader 00 00' is "
                 "in use by another program, and gpg-agent does not reach "
                 "it (") && !strchr (out, '\n')[1],
      "all held, gpg-agent without a scdaemon: oca-scd, a note (%s)", out);
  xfree (out);

  /* The agent's scdaemon is the program that holds the cards.  */
  snprintf (wrapper, sizeof wrapper, "%s", tca_path ("gh/scd"));
  fp = fopen (wrapper, "w");
  if (!fp)
    {
      printf ("Bail out! %s\n", wrapper);
      return 1;
    }
  fprintf (fp, "#!/bin/sh\nunset T_VCARD_BUSY\nexec '%s' --server\n", vcard);
  fclose (fp);
  chmod (wrapper, 0700);
  agent_conf (wrapper);
  out = tca_stderr_of (connect_fn, NULL);
  ok (conn && ca_card_conn_route (conn) == CA_ROUTE_AGENT
      && ca_card_conn_held (conn)
      && !strcmp (out, "Note: OpenPGP card FFFE:0000A001 is in use by "
                  "GnuPG's scdaemon (reader 'Virtual Reader 00 00'); going "
                  "through gpg-agent\n"),
      "all held, gpg-agent reaches them: gpg-agent, one note (%s)", out);
  xfree (out);
  ca_card_conn_release (conn);
  conn = NULL;
  /* A fresh agent: this one's scdaemon (a pipe server) has gone with
   * the connection, and the agent says "No SmartCard daemon" for a
   * while after that.  */
  agent_conf (wrapper);
  ok (!ca_cards_list (&opts, &list) && list && list->held_by_scdaemon
      && !strcmp (list->ident, "FFFE:0000A001"),
      "card list: the card, marked as held by scdaemon");
  ca_cards_release (list);

  unsetenv ("T_VCARD_BUSY");
  ok (!ca_cards_list (&opts, &list) && list && !list->held_by_scdaemon,
      "free again: not marked");
  ca_cards_release (list);
  if (system ("gpgconf --kill gpg-agent >/dev/null 2>&1")) {}
  return tap_done ();
}
