/* transport-script.h - a scripted card, for tests only
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A transport (transport.h) whose card is a queue of (expected APDU,
 * response) pairs: the unit tests of card/ and the fuzz targets drive
 * iso7816.c and app-openpgp.c with it.  Built into libocacardscript.a,
 * which no installed program links.
 */
#ifndef OCA_TRANSPORT_SCRIPT_H
#define OCA_TRANSPORT_SCRIPT_H

#include "transport.h"

/* A scripted card for unit tests: every transmit must match the next
 * expected APDU (hex, case-insensitive; NULL or "*" = anything) and
 * gets the scripted response (hex data + SW).  A response of the form
 * "!<hex pseudo-sw>" makes transmit return that host status instead.  */
gpg_error_t tpscript_new (const char *name, tp_reader_t *r_rd);
void tpscript_expect (tp_reader_t rd, const char *apdu_hex,
                      const char *resp_hex);
/* Make the next tp_begin report a reset by another client.  */
void tpscript_reset_on_begin (tp_reader_t rd);
/* Make tp_status report no card.  */
void tpscript_set_present (tp_reader_t rd, int present);
/* Number of expectations not yet consumed.  */
size_t tpscript_pending (tp_reader_t rd);
/* Number of mismatches seen (0 = all APDUs matched).  */
unsigned int tpscript_mismatches (tp_reader_t rd);
/* The last mismatching APDU as hex (or "").  */
const char *tpscript_last_mismatch (tp_reader_t rd);

#endif /*OCA_TRANSPORT_SCRIPT_H*/
