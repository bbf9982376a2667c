/* cmd-common.c - helpers shared by the command implementations
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "ca.h"

#include <stdarg.h>
#include <stdio.h>


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
