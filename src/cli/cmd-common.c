/* cmd-common.c - helpers shared by the command implementations
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "ca.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>


/* Record a usage error (printf-style FMT) and return CA_ERR_USAGE.  */
gpg_error_t
cmd_usage (const char *fmt, ...)
{
  va_list ap;
  char buf[512];

  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  return ca_set_errmsg (gpg_error (CA_ERR_USAGE), "%s", buf);
}


/* Turn the getopt result C for an unknown option or a missing argument
 * into a usage error.  */
gpg_error_t
cmd_getopt_error (int c, char **argv)
{
  if (c == ':')
    return cmd_usage ("option '%s' needs an argument", argv[optind - 1]);
  return cmd_usage ("unknown option '%s'", argv[optind - 1]);
}


/* Write the secret string S to FP, bypassing FP's buffer so no copy of
 * S stays in stdio's memory: whatever FP holds is flushed first and S
 * goes straight to the file descriptor.  */
gpg_error_t
cmd_write_secret (FILE *fp, const char *s)
{
  size_t len = strlen (s);
  ssize_t n;

  if (fflush (fp))
    return oca_error_from_errno ();
  while (len)
    {
      n = write (fileno (fp), s, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n < 0 ? oca_error_from_errno () : gpg_error (GPG_ERR_EIO);
      s += n;
      len -= (size_t)n;
    }
  return 0;
}
