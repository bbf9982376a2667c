/* t-scd-util.c - unit tests for oca-scd's pure helpers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * D-line data of inquiries and PIN replies.  (Escaping, options,
 * key references and NEEDPIN lines are the shared protocol helper's,
 * tested in assuan/t-scd-proto.c; DigestInfo is card data, tested in
 * card/t-card-data.c.)
 */
#include <config.h>
#include "scd-util.h"
#include "srv-proto.h"
#include "t-support.h"

#include <string.h>

/* D-line data of inquiries: escapes decoded, broken ones refused
 * (libassuan's assuan_inquire loops forever on "D 12%4").  */
static void
test_data_lines (void)
{
  membuf_t mb;
  unsigned char *buf;
  size_t len;
  gpg_error_t err;

  membuf_init (&mb, 100, 1);
  err = srv_unescape_data ("12%253456%00", 12, &mb);
  ok_err (err, "D line with escapes");
  ok_err (membuf_take (&mb, &buf, &len), "take");
  ok (len == 8 && !memcmp (buf, "12%3456\0", 8), "escapes decoded");
  wipe_and_free (buf, len);

  membuf_init (&mb, 100, 1);
  ok_code (srv_unescape_data ("12%4", 4, &mb), GPG_ERR_ASS_SYNTAX,
           "escape cut after one digit");
  ok_code (srv_unescape_data ("12%", 3, &mb), GPG_ERR_ASS_SYNTAX,
           "escape cut after the percent");
  ok_code (srv_unescape_data ("%G1", 3, &mb), GPG_ERR_ASS_SYNTAX,
           "escape with a non-hex digit");
  /* Only the first 4 bytes count ("%41" is cut after "%4").  */
  ok_code (srv_unescape_data ("12%41", 4, &mb), GPG_ERR_ASS_SYNTAX,
           "the length bounds the escape");
  membuf_release (&mb);

  membuf_init (&mb, 4, 1);
  ok_code (srv_unescape_data ("12345", 5, &mb), GPG_ERR_ASS_TOO_MUCH_DATA,
           "more than the maximum");
  membuf_release (&mb);
}

static void
test_pin_reply (void)
{
  char *pin = NULL;
  unsigned char reply[90];
  gpg_error_t err;

  memset (reply, 0, sizeof reply);
  memcpy (reply, "123456", 6);
  err = scd_pin_from_reply (reply, sizeof reply, &pin);
  ok (!err && !strcmp (pin, "123456"), "90-byte NUL-padded reply");
  ok (pin && gcry_is_secure (pin), "PIN in secure memory");
  wipe_and_free_string (pin);
  err = scd_pin_from_reply ((const unsigned char *)"654321", 6, &pin);
  ok (!err && !strcmp (pin, "654321"), "reply without NUL");
  wipe_and_free_string (pin);
  err = scd_pin_from_reply (reply + 10, 80, &pin);
  ok_code (err, GPG_ERR_NO_PIN, "empty reply");
}

int
main (void)
{
  if (oca_init_gcrypt (0))
    return 1;
  test_data_lines ();
  test_pin_reply ();
  return tap_done ();
}
