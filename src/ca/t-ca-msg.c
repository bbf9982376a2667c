/* t-ca-msg.c - unit test of ca-msg.c: the error line, warnings, notices
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <pthread.h>
#include <string.h>


static void
say_warning (void *opaque)
{
  ca_warning ("disk %s is %d%% full", (const char *)opaque, 97);
}

static void
say_notice (void *opaque)
{
  ca_notice ("Touch confirmation needed for %s", (const char *)opaque);
}


/* ca_key_errmsg for each error a key reader returns.  */
static void
test_key_errmsg (void)
{
  static const struct { gpg_err_code_t code; const char *want; } tbl[] =
    {
      { GPG_ERR_CHECKSUM,   "k.asc: bad armor checksum" },
      { GPG_ERR_INV_ARMOR,  "k.asc: invalid ASCII armor" },
      { GPG_ERR_NO_PUBKEY,  "k.asc: no OpenPGP key found" },
      { GPG_ERR_TOO_SHORT,  "k.asc: truncated OpenPGP data" },
      { GPG_ERR_INV_PACKET, "k.asc: invalid OpenPGP packet" },
      { GPG_ERR_AMBIGUOUS,  "k.asc: more than one key in the file" },
    };
  char want[256];
  size_t i;

  for (i = 0; i < DIM (tbl); i++)
    {
      gpg_error_t err = gpg_error (tbl[i].code);

      ok (ca_key_errmsg (err, "k.asc") == err
          && !strcmp (ca_errmsg (), tbl[i].want), "key error %s: '%s'",
          gpg_strerror (err), ca_errmsg ());
    }
  snprintf (want, sizeof want, "k.asc: too large (oca reads packets of up "
            "to %u MiB and numbers of up to %u bits)",
            (unsigned int)(PGP_MAX_INPUT >> 20),
            (unsigned int)PGP_MAX_MPI_BITS);
  ca_key_errmsg (gpg_error (GPG_ERR_TOO_LARGE), "k.asc");
  ok (!strcmp (ca_errmsg (), want), "too large names oca's limits");
  snprintf (want, sizeof want, "k.asc: more than %u packets in one key or "
            "signature file (oca's limit)", (unsigned int)PGP_MAX_PACKETS);
  ca_key_errmsg (gpg_error (GPG_ERR_TOO_MANY), "k.asc");
  ok (!strcmp (ca_errmsg (), want), "too many packets names the limit");
  ca_key_errmsg (gpg_error (GPG_ERR_EIO), "k.asc");
  snprintf (want, sizeof want, "k.asc: %s",
            gpg_strerror (gpg_error (GPG_ERR_EIO)));
  ok (!strcmp (ca_errmsg (), want), "other errors: the error's text");
}


/* A worker thread: records its own message and reads it back.  */
static void *
other_thread (void *arg)
{
  int *seen_main = arg;

  /* A new thread has no message, not the main thread's.  */
  *seen_main = ca_errmsg () != NULL;
  ca_set_errmsg (gpg_error (GPG_ERR_TIMEOUT), "the worker's error");
  if (!ca_errmsg () || strcmp (ca_errmsg (), "the worker's error"))
    *seen_main = 2;
  return NULL;
}


/* Each thread has its own message: a worker's error does not replace
 * the one the main thread is about to report (two workers failing at
 * once reported each other's text when there was one message).  */
static void
test_threads (void)
{
  gpg_error_t err = gpg_error (GPG_ERR_BAD_SIGNATURE);
  pthread_t tid;
  int seen = -1;

  ca_set_errmsg (err, "the main thread's error");
  if (pthread_create (&tid, NULL, other_thread, &seen))
    {
      ok (0, "started a thread");
      return;
    }
  pthread_join (tid, NULL);
  ok (seen == 0, "a worker starts without a message and reads its own"
      " (%d)", seen);
  ok (ca_errmsg () && !strcmp (ca_errmsg (), "the main thread's error")
      && ca_errmsg_for (err),
      "the main thread's message stays its own: '%s'",
      ca_errmsg () ? ca_errmsg () : "");
}


int
main (void)
{
  gpg_error_t err = gpg_error (GPG_ERR_BAD_PIN);
  char longer[2000];
  char *out;

  tca_init ();
  ok (!ca_errmsg (), "no message before the first error");
  ok (ca_set_errmsg (err, "line one\nline two\r%s", "three") == err,
      "ca_set_errmsg returns the error");
  ok (!strcmp (ca_errmsg (), "line one line two three"),
      "line breaks become spaces: one line");
  ok (ca_errmsg_for (err) && !ca_errmsg_for (gpg_error (GPG_ERR_NO_PIN)),
      "the message belongs to its error only");
  memset (longer, 'x', sizeof longer - 1);
  longer[sizeof longer - 1] = 0;
  ca_set_errmsg (err, "%s", longer);
  ok (strlen (ca_errmsg ()) > 500 && strlen (ca_errmsg ()) < sizeof longer,
      "an over-long message is cut, not overflowed");

  test_key_errmsg ();
  test_threads ();

  out = tca_stderr_of (say_warning, "/dev/sda");
  ok (!strcmp (out, "oca: warning: disk /dev/sda is 97% full\n"),
      "a warning is one line on stderr");
  xfree (out);
  out = tca_stderr_of (say_notice, "certification");
  ok (!strcmp (out, "Touch confirmation needed for certification\n"),
      "a notice is one line on stderr");
  xfree (out);
  return tap_done ();
}
