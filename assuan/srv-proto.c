/* srv-proto.c - the server side of Assuan that oca's servers share
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See srv-proto.h.  Built into oca-scd (error source SCD) and into
 * oca's CA service (source oca).
 */
#include <config.h>
#include "srv-proto.h"
#include "scd-proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>


gpg_error_t
srv_unescape_data (const char *s, size_t n, membuf_t *mb)
{
  gpg_error_t err = scd_unescape_to (mb, s, n, 0);

  if (gpg_err_code (err) == GPG_ERR_INV_DATA)
    return gpg_error (GPG_ERR_ASS_SYNTAX);
  if (gpg_err_code (err) == GPG_ERR_TOO_LARGE)
    return gpg_error (GPG_ERR_ASS_TOO_MUCH_DATA);
  return err;
}


/* Not assuan_inquire: libassuan 2.5 loops forever on a D line that
 * ends within a %XX escape (found by tests/fuzz/fuzz-scd), which would
 * let a client hang the server.  */
gpg_error_t
srv_inquire (assuan_context_t ctx, const char *keyword, size_t maxlen,
             int secure, unsigned char **r_value, size_t *r_len)
{
  gpg_error_t err, bad = 0;
  membuf_t mb;
  char *line, *cmd;
  size_t len;

  *r_value = NULL;
  *r_len = 0;
  cmd = xtrymalloc (8 + strlen (keyword) + 1);
  if (!cmd)
    return oca_error_from_errno ();
  strcpy (stpcpy (cmd, "INQUIRE "), keyword);
  err = assuan_write_line (ctx, cmd);
  xfree (cmd);
  if (err)
    return err;
  membuf_init (&mb, maxlen, secure);
  for (;;)
    {
      err = assuan_read_line (ctx, &line, &len);
      if (err)
        break;
      if (!len || *line == '#')
        continue;
      if (len >= 3 && !strncasecmp (line, "END", 3)
          && (len == 3 || line[3] == ' '))
        {
          err = bad;
          break;
        }
      if (len >= 3 && !strncasecmp (line, "CAN", 3))
        {
          err = gpg_error (GPG_ERR_ASS_CANCELED);
          break;
        }
      if (len < 2 || (*line != 'D' && *line != 'd') || line[1] != ' ')
        {
          err = gpg_error (GPG_ERR_ASS_UNEXPECTED_CMD);
          break;
        }
      /* After too much or malformed data, read on up to END (as
       * libassuan does for too much data) and report that.  */
      if (!bad)
        {
          bad = srv_unescape_data (line + 2, len - 2, &mb);
          if (bad)
            membuf_reset (&mb);
        }
    }
  if (err)
    {
      membuf_release (&mb);
      return err;
    }
  return membuf_take (&mb, r_value, r_len);
}


/* Answer the over-long command line (error LINE_ERR from libassuan)
 * with an ERR line and read on up to the end of that line.  Returns 0
 * to go on serving, GPG_ERR_EOF when the peer went away, or an
 * error.  */
static gpg_error_t
reject_long_line (assuan_context_t ctx, gpg_error_t line_err)
{
  gpg_error_t err;
  char errline[300];
  char *line;
  size_t len;

  snprintf (errline, sizeof errline, "ERR %u %s <%s>",
            (unsigned int)line_err, gpg_strerror (line_err),
            gpg_strsource (line_err));
  err = assuan_write_line (ctx, errline);
  if (err)
    return err;
  /* The first complete line read now is the tail of the long one.  */
  do
    err = assuan_read_line (ctx, &line, &len);
  while (gpg_err_code (err) == GPG_ERR_ASS_LINE_TOO_LONG);
  if (gpg_err_code (err) == GPG_ERR_ASS_INCOMPLETE_LINE)
    err = gpg_error (GPG_ERR_EOF);
  return err;
}


gpg_error_t
srv_process (assuan_context_t ctx, const volatile int *stop,
             void (*note) (const char *text))
{
  gpg_error_t err;

  for (;;)
    {
      err = assuan_process (ctx);
      if (gpg_err_code (err) != GPG_ERR_ASS_LINE_TOO_LONG
          || (stop && *stop))
        break;
      /* libassuan gives up on a line over 1000 bytes (scdaemon drops
       * the connection): answer ERR, skip the rest of that line and
       * keep serving.  */
      if (note)
        note ("command line too long: skipped");
      err = reject_long_line (ctx, err);
      if (err)
        break;
    }
  if (gpg_err_code (err) == GPG_ERR_EOF)
    err = 0;
  return err;
}


gpg_error_t
srv_peer_cred (int fd, uid_t *r_uid, pid_t *r_pid)
{
  struct ucred cred;
  socklen_t len = sizeof cred;

  memset (&cred, 0, sizeof cred);
  if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
    return oca_error_from_errno ();
  if (len != sizeof cred)
    return gpg_error (GPG_ERR_INV_LENGTH);
  *r_uid = cred.uid;
  *r_pid = cred.pid;
  return 0;
}


void
srv_refuse (int fd, gpg_error_t err, const char *text)
{
  char line[200];
  ssize_t n;

  snprintf (line, sizeof line, "ERR %u %s\n", (unsigned int)err, text);
  n = write (fd, line, strlen (line));
  (void)n;
}
