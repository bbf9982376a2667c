/* pcsc-list.c - oca-pcsc-list: list PC/SC readers or wait for a card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A tiny PC/SC client for the test harness (tests/vcard/harness.sh),
 * so it needs neither pcsc-tools nor opensc:
 *
 *   oca-pcsc-list
 *       one line per reader: STATE TAB ATR-HEX TAB NAME, where STATE is
 *       "present" or "empty" (ATR "-" when empty).  Exit 0; exit 3 when
 *       pcscd is not reachable, 4 when it has no readers.
 *   oca-pcsc-list --wait present|empty NAME [SECONDS]
 *       wait until the reader NAME (exact name) shows a card / no card.
 *       Exit 0 when reached, 1 on timeout (default 10 s), 3/4 as above.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <winscard.h>

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

/* Fetch the reader list into a malloced multi-string.  */
static LONG
get_readers (SCARDCONTEXT ctx, char **r_list)
{
  DWORD len = 0;
  LONG rv;
  char *list;

  *r_list = NULL;
  rv = SCardListReaders (ctx, NULL, NULL, &len);
  if (rv != SCARD_S_SUCCESS)
    return rv;
  list = malloc (len + 1);
  if (!list)
    return SCARD_E_NO_MEMORY;
  rv = SCardListReaders (ctx, NULL, list, &len);
  if (rv != SCARD_S_SUCCESS)
    {
      free (list);
      return rv;
    }
  list[len] = 0;
  *r_list = list;
  return SCARD_S_SUCCESS;
}

/* Print every reader with its state.  */
static int
list_readers (SCARDCONTEXT ctx)
{
  char *list, *p;
  SCARD_READERSTATE st;
  LONG rv;
  DWORD i;

  rv = get_readers (ctx, &list);
  if (rv == (LONG)SCARD_E_NO_READERS_AVAILABLE)
    return 4;
  if (rv != SCARD_S_SUCCESS)
    {
      fprintf (stderr, "oca-pcsc-list: %s\n", pcsc_stringify_error (rv));
      return 3;
    }
  for (p = list; *p; p += strlen (p) + 1)
    {
      memset (&st, 0, sizeof st);
      st.szReader = p;
      st.dwCurrentState = SCARD_STATE_UNAWARE;
      rv = SCardGetStatusChange (ctx, 0, &st, 1);
      if (rv != SCARD_S_SUCCESS)
        {
          printf ("error\t-\t%s\n", p);
          continue;
        }
      if ((st.dwEventState & SCARD_STATE_PRESENT))
        {
          fputs ("present\t", stdout);
          for (i = 0; i < st.cbAtr && i < sizeof st.rgbAtr; i++)
            printf ("%02X", st.rgbAtr[i]);
          printf ("\t%s\n", p);
        }
      else
        printf ("empty\t-\t%s\n", p);
    }
  free (list);
  return 0;
}

/* Wait until reader NAME is present (WANT_PRESENT) or empty.  */
static int
wait_reader (SCARDCONTEXT ctx, const char *name, int want_present,
             int seconds)
{
  long long end = now_ms () + seconds * 1000LL;
  SCARD_READERSTATE st;
  char *list, *p;
  LONG rv;
  int found, have;

  for (;;)
    {
      found = 0;
      rv = get_readers (ctx, &list);
      if (rv == SCARD_S_SUCCESS)
        {
          for (p = list; *p; p += strlen (p) + 1)
            if (!strcmp (p, name))
              found = 1;
          free (list);
        }
      else if (rv != (LONG)SCARD_E_NO_READERS_AVAILABLE)
        {
          fprintf (stderr, "oca-pcsc-list: %s\n", pcsc_stringify_error (rv));
          return 3;
        }
      if (found)
        {
          memset (&st, 0, sizeof st);
          st.szReader = name;
          st.dwCurrentState = SCARD_STATE_UNAWARE;
          rv = SCardGetStatusChange (ctx, 0, &st, 1);
          if (rv == SCARD_S_SUCCESS)
            {
              have = !!(st.dwEventState & SCARD_STATE_PRESENT);
              if (have == want_present)
                return 0;
              /* Block until the state changes (or 200 ms pass).  */
              st.dwCurrentState = st.dwEventState;
              SCardGetStatusChange (ctx, 200, &st, 1);
              continue;
            }
        }
      if (now_ms () >= end)
        return 1;
      {
        struct timespec ts = { 0, 100 * 1000000L };
        nanosleep (&ts, NULL);
      }
      if (now_ms () >= end)
        return 1;
    }
}

int
main (int argc, char **argv)
{
  SCARDCONTEXT ctx;
  LONG rv;
  int rc, seconds = DEFAULT_WAIT;

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
  rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
  if (rv != SCARD_S_SUCCESS)
    {
      fprintf (stderr, "oca-pcsc-list: %s\n", pcsc_stringify_error (rv));
      return 3;
    }
  if (argc == 1)
    rc = list_readers (ctx);
  else
    rc = wait_reader (ctx, argv[3], !strcmp (argv[2], "present"), seconds);
  SCardReleaseContext (ctx);
  return rc;
}
