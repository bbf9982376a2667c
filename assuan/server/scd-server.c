/* scd-server.c - what the whole oca-scd server shares
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The options (set by main from the command line and scdaemon.conf),
 * the log, the socket name and the shutdown request: every other file
 * of the server reads them here, none reaches back into oca-scd.c.
 */
#include <config.h>
#include "scd.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct scd_options scd_opt;
char *scd_socket_name;
volatile int scd_shutdown_requested;

static FILE *logfp;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void vlog (const char *fmt, va_list ap)
  __attribute__ ((format (printf, 1, 0)));
static void
vlog (const char *fmt, va_list ap)
{
  FILE *fp;
  time_t now = time (NULL);
  struct tm tm;
  char tbuf[32];

  pthread_mutex_lock (&log_lock);
  fp = logfp ? logfp : stderr;
  if (logfp)
    {
      gmtime_r (&now, &tm);
      strftime (tbuf, sizeof tbuf, "%Y-%m-%d %H:%M:%S", &tm);
      fprintf (fp, "%s oca-scd[%lu]: ", tbuf, (unsigned long)getpid ());
    }
  else
    fprintf (fp, "oca-scd[%lu]: ", (unsigned long)getpid ());
  vfprintf (fp, fmt, ap);
  fputc ('\n', fp);
  fflush (fp);
  pthread_mutex_unlock (&log_lock);
}

void
scd_log (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vlog (fmt, ap);
  va_end (ap);
}

void
scd_log_debug (int level, const char *fmt, ...)
{
  va_list ap;

  if (scd_opt.debug_level < level)
    return;
  va_start (ap, fmt);
  vlog (fmt, ap);
  va_end (ap);
}

static void
apdu_logger (const char *line)
{
  scd_log ("%s", line);
}

void
scd_log_open (void)
{
  if (scd_opt.log_file && strcmp (scd_opt.log_file, "-")
      && strncmp (scd_opt.log_file, "socket://", 9))  /* Not supported.  */
    logfp = fopen (scd_opt.log_file, "a");
  if (scd_opt.debug_level >= 2)
    tp_set_log (apdu_logger);
}
