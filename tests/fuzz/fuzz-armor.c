/* fuzz-armor.c - libFuzzer target: ASCII armor (src/pgp-armor.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is decoded as armor (first block and all blocks).
 * Invariants:
 *  - binary input (no armor) decodes to itself;
 *  - whatever decodes, armored again (pgp_armor) decodes to the same
 *    bytes and type;
 *  - the first block is a prefix of all blocks together;
 *  - the input as binary data, armored with a Comment header made from
 *    its first bytes, decodes back to the input.
 */
#include <config.h>
#include "fuzz.h"
#include "pgp.h"

#include <string.h>

/* Armor DATA/LEN as TYPE with COMMENTS and check that it decodes to
 * DATA/LEN and TYPE again.  */
static void
check_round_trip (int type, const unsigned char *data, size_t len,
                  const char *const *comments)
{
  gpg_error_t err;
  char *text = NULL;
  size_t textlen = 0;
  unsigned char *back = NULL;
  size_t backlen = 0;
  int backtype = 0;

  err = pgp_armor (type, data, len, comments, &text, &textlen);
  fuzz_assert (!err);
  fuzz_assert (textlen == strlen (text));
  err = pgp_dearmor (text, textlen, &backtype, &back, &backlen);
  fuzz_assert (!err);
  fuzz_assert (backtype == type);
  fuzz_assert (backlen == len && (!len || !memcmp (back, data, len)));
  wipe_and_free (back, backlen);
  xfree (text);
}


int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  gpg_error_t err, err_all;
  unsigned char *one = NULL, *all = NULL;
  size_t onelen = 0, alllen = 0;
  int type = 0, type_all = 0;
  char comment[61];
  const char *comments[2];
  size_t n;

  fuzz_init ();

  err = pgp_dearmor (data, size, &type, &one, &onelen);
  if (!err)
    {
      if (type == PGP_ARMOR_NONE)
        fuzz_assert (onelen == size && (!size || !memcmp (one, data, size)));
      else
        check_round_trip (type, one, onelen, NULL);
    }

  err_all = pgp_dearmor_all (data, size, &type_all, &all, &alllen);
  if (!err && !err_all)
    {
      fuzz_assert (type_all == type);
      fuzz_assert (alllen >= onelen && (!onelen || !memcmp (all, one, onelen)));
    }
  /* The first block decodes whenever all of them do.  */
  if (!err_all)
    fuzz_assert (!err);

  /* The input itself as the body of an armor block.  */
  n = size < sizeof comment - 1 ? size : sizeof comment - 1;
  memcpy (comment, data, n);
  comment[n] = 0;
  comments[0] = comment;
  comments[1] = NULL;
  check_round_trip (PGP_ARMOR_PUBKEY + (size ? data[0] % 4 : 0),
                    data, size, comments);
  fuzz_assert (pgp_crc24 (data, size) <= 0xFFFFFF);

  wipe_and_free (one, onelen);
  wipe_and_free (all, alllen);
  return 0;
}
