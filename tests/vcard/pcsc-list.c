/* pcsc-list.c - oca-pcsc-list: list PC/SC readers or wait for a card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A tiny PC/SC client for the test harness (tests/vcard/harness.sh),
 * so it needs neither pcsc-tools nor opensc.  It goes through card/'s
 * transport (card/pcsc.c stays the only file that includes
 * <winscard.h>), so the harness also exercises oca's own reader code.
 *
 *   oca-pcsc-list
 *       one line per reader: STATE TAB - TAB NAME, where STATE is
 *       "present" or "empty".  Exit 0; exit 3 when pcscd is not
 *       reachable, 4 when it has no readers.
 *   oca-pcsc-list --wait present|empty NAME [SECONDS]
 *       wait until the reader NAME (exact name) shows a card / no card.
 *       Exit 0 when reached, 1 on timeout (default 10 s), 3 as above.
 */
#include <config.h>
#include "oca-common.h"
#include "transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Give up after this many seconds when waiting.  */
#define DEFAULT_WAIT 10

/* Monotonic time in milliseconds.  */
static long long
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Print every reader with its state.  */
static int
list_readers (void)
{
  char **names = NULL;
  gpg_error_t err;
  size_t i;

  err = pcsc_list_readers (&names);
  if (err)
    {
      fprintf (stderr, "oca-pcsc-list: %s\n", gpg_strerror (err));
      return 3;
    }
  if (!names || !names[0])
    {
      tp_free_namelist (names);
      return 4;
    }
  for (i = 0; names[i]; i++)
    printf ("%s\t-\t%s\n", pcsc_card_present (names[i]) ? "present" : "empty",
            names[i]);
  tp_free_namelist (names);
  return 0;
}

/* Wait until reader NAME is present (WANT_PRESENT) or empty.  */
static int
wait_reader (const char *name, int want_present, int seconds)
{
  long long end = now_ms () + seconds * 1000LL;
  struct timespec pause = { 0, 50 * 1000000L };
  char **names;
  size_t i;
  int found;

  for (;;)
    {
      names = NULL;
      found = 0;
      if (pcsc_list_readers (&names))
        {
          fputs ("oca-pcsc-list: pcscd not reachable\n", stderr);
          return 3;
        }
      for (i = 0; names && names[i]; i++)
        if (!strcmp (names[i], name))
          found = 1;
      tp_free_namelist (names);
      if (found && !!pcsc_card_present (name) == want_present)
        return 0;
      if (now_ms () >= end)
        return 1;
      nanosleep (&pause, NULL);
    }
}

int
main (int argc, char **argv)
{
  int seconds = DEFAULT_WAIT;

  if (argc > 1 && !strcmp (argv[1], "--help"))
    {
      puts ("Usage: oca-pcsc-list [--wait present|empty NAME [SECONDS]]");
      return 0;
    }
  if (argc > 1 && (strcmp (argv[1], "--wait") || argc < 4 || argc > 5
                   || (strcmp (argv[2], "present")
                       && strcmp (argv[2], "empty"))))
    {
      fputs ("Usage: oca-pcsc-list [--wait present|empty NAME [SECONDS]]\n",
             stderr);
      return 2;
    }
  if (argc == 5)
    seconds = atoi (argv[4]);
  if (argc == 1)
    return list_readers ();
  return wait_reader (argv[3], !strcmp (argv[2], "present"), seconds);
}
