/* svc-call.c - what a command handler of the CA service uses
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Status lines (values escaped as scdaemon escapes them, scd-proto.h),
 * data lines, the certification policy of the service's options, and
 * the log of the daemon (stderr: the journal under systemd).
 */
#include <config.h>
#include "svc-int.h"
#include "scd-proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


gpg_error_t
svc_status (assuan_context_t ctx, const char *keyword, ...)
{
  gpg_error_t err = 0;
  va_list ap;
  membuf_t mb;
  const char *v, *next;
  unsigned char *line;
  size_t len, n;

  /* Secure memory: a value may be a secret (ADDUSER's passphrase).  */
  membuf_init (&mb, SCD_LINE_MAX, 1);
  va_start (ap, keyword);
  v = va_arg (ap, const char *);
  while (v)
    {
      next = va_arg (ap, const char *);
      if (membuf_len (&mb))
        membuf_put (&mb, " ", 1);
      n = strlen (v);
      if (!n)
        membuf_put (&mb, "-", 1);
      else
        {
          /* Only the last value is free text (see svc-int.h).  */
          if (!next && n > SVC_STATUS_TEXT_MAX)
            n = SVC_STATUS_TEXT_MAX;
          scd_escape (&mb, v, n, SCD_ESCAPE_STATUS);
        }
      v = next;
    }
  va_end (ap);
  err = membuf_take (&mb, &line, &len);
  if (err)
    return err;
  err = assuan_write_status (ctx, keyword, (char *)line);
  wipe_and_free (line, len);
  return err;
}


gpg_error_t
svc_commit (svc_call_t *call)
{
  gpg_error_t err = ca_commit (call->ca);

  call->committed = 1;
  return err;
}


gpg_error_t
svc_send_text (assuan_context_t ctx, const char *text)
{
  gpg_error_t err;

  err = assuan_send_data (ctx, text, strlen (text));
  if (!err)
    err = assuan_send_data (ctx, NULL, 0);
  return err;
}


gpg_error_t
svc_check_policy (svc_call_t *call, const char *const *emails, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (!svc_may_certify (call->sess->opts, call->sess->ca_domain,
                          emails[i]))
      return ca_set_errmsg (gpg_error (GPG_ERR_FORBIDDEN),
                            "this service may not certify '%.80s' (see "
                            "--certify-domain)", emails[i]);
  return 0;
}


void
svc_log (const char *fmt, ...)
{
  va_list ap;
  char buf[1024];
  time_t now = time (NULL);
  struct tm tm;
  char tbuf[32];

  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  gmtime_r (&now, &tm);
  strftime (tbuf, sizeof tbuf, "%Y-%m-%d %H:%M:%S", &tm);
  /* One write: the lines of concurrent sessions do not mix.  */
  fprintf (stderr, "%s oca[%lu]: %s\n", tbuf, (unsigned long)getpid (), buf);
  fflush (stderr);
}
