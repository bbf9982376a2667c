/* fuzz-card.c - libFuzzer target: card responses (card/)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The OpenPGP card application (card/app-openpgp.c, card-data.c) and
 * ISO 7816 layer (card/iso7816.c) talk to a card played by the
 * scripted transport (card/transport-script.c) whose answers are the
 * input.  Input: one chunk with the op list (card-fuzz.h), then the
 * card's responses, in the order the APDUs are sent: first those of
 * app_openpgp_open (SELECT, application data, ...), then those of the
 * ops.  Everything the card says is untrusted: status words, TLV data
 * objects, key attributes, public keys, signatures, DO FA.
 */
#include <config.h>
#include "card-fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_in_t in, ops;
  const unsigned char *p;
  size_t n;
  tp_reader_t rd = NULL;
  app_t app = NULL;

  fuzz_init ();
  fuzz_in_init (&in, data, size);
  n = fuzz_chunk (&in, &p);
  fuzz_in_init (&ops, p, n);
  if (tpscript_new ("Fuzz Reader 00 00", &rd))
    return 0;
  fuzz_card_load (rd, &in);
  if (!app_openpgp_open (rd, &app))
    {
      fuzz_card_run_ops (app, rd, &ops);
      app_openpgp_release (app);
    }
  tp_release (rd);
  return 0;
}
