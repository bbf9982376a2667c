/* scd-util.c - pure helpers of oca-scd (no I/O, unit tested)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What only the server needs beyond the shared protocol helper
 * (scd-proto.h) and the servers' shared part (srv-proto.h): PIN
 * replies.
 */
#include <config.h>
#include "scd-util.h"

#include <string.h>
#include <stdarg.h>
#include <stdio.h>

gpg_error_t
scd_pin_from_reply (const unsigned char *buf, size_t len, char **r_pin)
{
  size_t n;
  char *pin;

  *r_pin = NULL;
  for (n = 0; n < len && buf[n]; n++)
    ;
  if (!n)
    return gpg_error (GPG_ERR_NO_PIN);
  pin = xtrymalloc_secure (n + 1);
  if (!pin)
    return oca_error_from_errno ();
  memcpy (pin, buf, n);
  pin[n] = 0;
  *r_pin = pin;
  return 0;
}
