/* ca-cardroute.c - a card held exclusively by another program: gpg-agent
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GnuPG's scdaemon opens a reader exclusively unless its scdaemon.conf
 * says pcsc-shared, and keeps the card while it runs.  oca-scd can't
 * open such a card (SCARD_E_SHARING_VIOLATION) and reports its reader
 * in GETINFO busy_readers.  When the oca-scd route finds no card of its
 * own but such a reader, the CA goes through the user's gpg-agent
 * instead -- the scdaemon holding the card -- as with --scd=gpg-agent,
 * and says so in one line (issue 11: no dead end next to GnuPG, no
 * configuration change needed).
 */
#include <config.h>
#include "ca-card.h"

#include <string.h>


/* Whether oca-scd on SCD reaches no card at all.  */
static int
no_card_of_its_own (scd_client_t scd)
{
  char **sns = NULL;
  size_t n = 0;
  char *sn = NULL;
  gpg_error_t err;

  err = scd_client_card_list (scd, &sns, &n);
  scd_client_free_strlist (sns);
  if (!err)
    return !n;
  err = scd_client_serialno (scd, NULL, &sn);
  xfree (sn);
  return !!err;
}


/* See ca-card.h.  */
int
ca_card_route_fallback (scd_client_t *scd)
{
  char **busy = NULL, *sn = NULL;
  size_t nbusy = 0;
  scd_client_t agent = NULL;
  gpg_error_t err;
  char ident[14];
  int done = 0;

  if (scd_client_busy_readers (*scd, &busy, &nbusy) || !nbusy)
    goto leave;  /* Nothing held by others (or an older server).  */
  if (!no_card_of_its_own (*scd))
    {
      ca_notice ("Note: the card in reader '%s' is in use by another "
                 "program (GnuPG's scdaemon?); oca does not use it",
                 busy[0]);
      goto leave;
    }
  err = scd_client_connect_agent (&agent, NULL);
  if (!err)
    err = scd_client_serialno (agent, NULL, &sn);
  if (err || scd_serialno_to_ident (sn, ident))
    {
      ca_notice ("Note: the card in reader '%s' is in use by another "
                 "program, and gpg-agent does not reach it (%s)", busy[0],
                 err ? gpg_strerror (err) : "no OpenPGP card");
      goto leave;
    }
  ca_notice ("Note: OpenPGP card %s is in use by GnuPG's scdaemon (reader "
             "'%s'); going through gpg-agent", ident, busy[0]);
  scd_client_release (*scd);
  *scd = agent;
  agent = NULL;
  done = 1;

 leave:
  scd_client_release (agent);
  scd_client_free_strlist (busy);
  xfree (sn);
  return done;
}
