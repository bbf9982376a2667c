/* fuzz-scd.c - libFuzzer target: oca-scd's Assuan command lines
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One session of oca-scd's command handler (assuan/scd-command.c) on
 * the input's lines, with a scripted card (card-fuzz.h) in the one
 * reader the fake PC/SC layer below lists.  Input: one chunk with the
 * card responses (of one or several cards, inserted one after the
 * other when the server finds the previous one gone), then the
 * client's lines (commands, and D/END/CAN answers to inquiries such as
 * NEEDPIN and KEYDATA).  The server's answers are dropped.
 */
#include <config.h>
#include "scd-fuzz.h"
#include "card-fuzz.h"

#include <string.h>

/* The card responses of the current input.  */
static fuzz_in_t cards;


/*
 * The PC/SC layer the card registry (assuan/scd-card.c) sees.
 */

gpg_error_t
pcsc_list_readers (char ***r_names)
{
  char **names;

  *r_names = NULL;
  names = xtrycalloc (2, sizeof *names);
  if (!names)
    return oca_error_from_errno ();
  names[0] = xtrystrdup (FUZZ_SCD_READER);
  if (!names[0])
    {
      gpg_error_t err = oca_error_from_errno ();
      xfree (names);
      return err;
    }
  *r_names = names;
  return 0;
}

/* A card is present as long as the input has responses for one.  */
int
pcsc_card_present (const char *name)
{
  return !strcmp (name, FUZZ_SCD_READER) && cards.n > 0;
}

gpg_error_t
pcsc_open_reader (const char *name, tp_reader_t *r_rd)
{
  gpg_error_t err;

  *r_rd = NULL;
  if (!pcsc_card_present (name))
    return gpg_error (GPG_ERR_CARD_NOT_PRESENT);
  err = tpscript_new (name, r_rd);
  if (err)
    return err;
  fuzz_card_load (*r_rd, &cards);
  return 0;
}


int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_in_t in;
  const unsigned char *p;
  size_t n;

  fuzz_init ();
  fuzz_in_init (&in, data, size);
  n = fuzz_chunk (&in, &p);
  fuzz_in_init (&cards, p, n);
  fuzz_scd_session (in.p, in.n, -1);
  return 0;
}
