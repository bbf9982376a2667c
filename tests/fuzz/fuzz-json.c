/* fuzz-json.c - libFuzzer target: the JSON reader of split mode
 *               (src/ca/ca-json.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is parsed as an exchange file would be.  Invariants:
 *  - what parses, written compact (ca_json_write), parses again and
 *    writes the same bytes;
 *  - pretty output (serde's style) parses to the same compact form.
 */
#include <config.h>
#include "fuzz.h"
#include "ca-json.h"

#include <string.h>

/* J written with LEVEL (-1 compact), NUL-terminated (xfree).  */
static char *
written (const ca_json_t *j, int level, size_t *r_len)
{
  membuf_t mb;
  unsigned char *out = NULL;

  membuf_init (&mb, 64u * 1024 * 1024, 0);
  ca_json_write (&mb, j, level);
  membuf_put_u8 (&mb, 0);
  fuzz_assert (!membuf_take (&mb, &out, r_len));
  (*r_len)--;
  return (char *)out;
}


int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  ca_json_t *j = NULL, *j2 = NULL, *j3 = NULL;
  char *one, *two, *pretty, *three;
  size_t n1, n2, np, n3;

  fuzz_init ();
  if (ca_json_parse (data, size, &j))
    return 0;
  one = written (j, -1, &n1);
  fuzz_assert (!ca_json_parse (one, n1, &j2));
  two = written (j2, -1, &n2);
  fuzz_assert (n1 == n2 && !memcmp (one, two, n1));
  pretty = written (j, 0, &np);
  fuzz_assert (!ca_json_parse (pretty, np, &j3));
  three = written (j3, -1, &n3);
  fuzz_assert (n1 == n3 && !memcmp (one, three, n1));
  xfree (one);
  xfree (two);
  xfree (pretty);
  xfree (three);
  ca_json_release (j);
  ca_json_release (j2);
  ca_json_release (j3);
  return 0;
}
