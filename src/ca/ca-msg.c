/* ca-msg.c - the CA core's messages: the one error line, warnings, notices
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The core never prints an error: it records one line for the error it
 * returns (ca_set_errmsg), which main prints.  Warnings and notices go
 * to stderr at once.  This file is the bottom of the core: it uses
 * nothing of it.
 */
#include <config.h>
#include "ca.h"

#include <stdarg.h>
#include <stdio.h>

/* The one-line message for the error being returned, one per thread.
 * A worker thread (the signing of a bulk certification or renewal, a
 * card's worker) records its own error's message here and hands it to
 * the thread that reports the error with the error itself (the job's
 * or the slot's msg): with one message for all threads, two workers
 * failing at once could each report the other's text.  */
static _Thread_local struct
{
  char buf[1024];
  int set;
  gpg_error_t err;
} errmsg;


/* Record the message for ERR (printf-style FMT) and return ERR.  */
gpg_error_t
ca_set_errmsg (gpg_error_t err, const char *fmt, ...)
{
  va_list ap;
  char *p;

  va_start (ap, fmt);
  vsnprintf (errmsg.buf, sizeof errmsg.buf, fmt, ap);
  va_end (ap);
  /* Keep it to one line.  */
  for (p = errmsg.buf; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  errmsg.set = 1;
  errmsg.err = err;
  return err;
}


/* The calling thread's recorded message or NULL.  */
const char *
ca_errmsg (void)
{
  return errmsg.set ? errmsg.buf : NULL;
}


/* Forget the calling thread's recorded message.  */
void
ca_clear_errmsg (void)
{
  errmsg.set = 0;
  errmsg.err = 0;
  errmsg.buf[0] = 0;
}


/* The calling thread's recorded message if it belongs to ERR.  */
const char *
ca_errmsg_for (gpg_error_t err)
{
  return errmsg.set && errmsg.err == err ? errmsg.buf : NULL;
}


/* Print the one-line warning FMT (printf style) on stderr.  */
void
ca_warning (const char *fmt, ...)
{
  va_list ap;

  fputs ("oca: warning: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  putc ('\n', stderr);
  fflush (stderr);
}


/* Print the notice FMT (printf style) for the operator on stderr.  */
void
ca_notice (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  putc ('\n', stderr);
  fflush (stderr);
}


/* Describe an error ERR from reading OpenPGP data from WHAT (a file
 * name) and return ERR.  */
gpg_error_t
ca_key_errmsg (gpg_error_t err, const char *what)
{
  const char *s;

  switch (gpg_err_code (err))
    {
    case GPG_ERR_CHECKSUM:   s = "bad armor checksum"; break;
    case GPG_ERR_INV_ARMOR:  s = "invalid ASCII armor"; break;
    case GPG_ERR_NO_PUBKEY:  s = "no OpenPGP key found"; break;
    case GPG_ERR_TOO_SHORT:  s = "truncated OpenPGP data"; break;
    case GPG_ERR_INV_PACKET: s = "invalid OpenPGP packet"; break;
    case GPG_ERR_AMBIGUOUS:  s = "more than one key in the file"; break;
    case GPG_ERR_TOO_LARGE:
      return ca_set_errmsg (err, "%s: too large (oca reads packets of up to"
                            " %u MiB and numbers of up to %u bits)", what,
                            (unsigned int)(PGP_MAX_INPUT >> 20),
                            (unsigned int)PGP_MAX_MPI_BITS);
    case GPG_ERR_TOO_MANY:
      return ca_set_errmsg (err, "%s: more than %u packets in one key or"
                            " signature file (oca's limit)", what,
                            (unsigned int)PGP_MAX_PACKETS);
    default:                 s = NULL; break;
    }
  if (s)
    return ca_set_errmsg (err, "%s: %s", what, s);
  return ca_set_errmsg (err, "%s: %s", what, gpg_strerror (err));
}
