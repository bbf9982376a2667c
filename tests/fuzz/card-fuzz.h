/* card-fuzz.h - scripted cards for the card targets (and mkseeds)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A card is played by card/transport-script.c: every APDU is answered
 * with the next response of the input, whatever the APDU was.  The
 * responses of one card are chunks (fuzz.h):
 *
 *   length >= 2   data followed by SW1 SW2, as the reader returns it;
 *   length 1      the host status 0x10000 + (byte & 0x0f) (card
 *                 removed, reset by another client, I/O error ...);
 *   length 0      end of this card (the next card inserted, if any,
 *                 gets the following responses).
 *
 * The OpenPGP card operations of fuzz-card (and of mkseeds, which
 * records the answers of the virtual card to the same operations) are
 * a list of op codes, see fuzz_card_run_ops.
 */
#ifndef OCA_CARD_FUZZ_H
#define OCA_CARD_FUZZ_H

#include "fuzz.h"
#include "app-openpgp.h"
#include "transport-script.h"

/* At most this many responses per card.  */
#define FUZZ_CARD_MAX_RESPONSES 512

/* Queue the responses of the next card from IN on the scripted reader
 * RD (up to an empty chunk or the end of IN).  Returns their number.  */
size_t fuzz_card_load (tp_reader_t rd, fuzz_in_t *in);

/* Append the response RESP/LEN (data + SW) to MB in the encoding
 * above; SW >= 0x10000 (a host status) is written as a 1-byte chunk.  */
void fuzz_card_put_response (membuf_t *mb, const unsigned char *resp,
                             size_t len, int sw);

/* Op codes (low 5 bits of an op byte; the high 3 bits are a parameter
 * P).  Ops marked "arg" read one chunk of the op list as argument.  */
enum fuzz_card_op
  {
    FOP_REFRESH = 0,           /* app_openpgp_refresh  */
    FOP_READKEY,               /* readkey slot 1 + P % 3  */
    FOP_SIGN,                  /* arg: data; sign with slot 1 (P even)
                                  or 3 (P odd)  */
    FOP_DECIPHER,              /* arg: data; decipher with slot 2  */
    FOP_VERIFY,                /* verify PIN 1 + P % 3  */
    FOP_CHANGE_PIN,            /* change PIN 1 + P % 3, reset mode P & 4 */
    FOP_CLEAR_PIN,             /* clear PIN 1 + P % 3  */
    FOP_SETATTR,               /* arg: name index byte + value  */
    FOP_GENKEY,                /* generate in slot 1 + P % 3 (P & 4: force) */
    FOP_WRITEKEY,              /* arg: key S-expression; slot 1 + P % 3  */
    FOP_RANDOM,                /* 1 + 8 * P bytes  */
    FOP_FACTORY_RESET,
    FOP_READCERT,              /* slot 1 + P % 3  */
    FOP_ALGOINFO,
    FOP_PIN_PROMPT,            /* prompt for PIN 1 + P % 3, P tries left  */
    FOP_CHECK,                 /* app_openpgp_check  */
    FOP_FORGET,                /* forget PINs (P & 1: and keys)  */
    FOP_RESET_ON_BEGIN,        /* next transaction: reset by another client */
    FOP_PRESENT,               /* card present = P & 1  */
    FOP_APDU,                  /* arg: raw APDU; GET RESPONSE if P & 1  */
    FOP_PIN_MODE,              /* PINs the callback gives: mode P  */
    FOP_FIND_GRIP,             /* arg: hex keygrip  */
    FOP_LAST_
  };

/* Names of the attributes FOP_SETATTR sets (index = byte % count).  */
extern const char *const fuzz_card_attr_names[];
extern const size_t fuzz_card_n_attr_names;

/* Run the op list OPS on APP (opened on the scripted or recording
 * reader RD).  Returns the number of ops run.  */
size_t fuzz_card_run_ops (app_t app, tp_reader_t rd, fuzz_in_t *ops);

/* Hooks the recording reader of mkseeds implements (the scripted
 * reader ignores them): reset_on_begin and presence.  */
typedef struct fuzz_card_hooks
{
  void (*reset_on_begin) (tp_reader_t rd);
  void (*set_present) (tp_reader_t rd, int present);
} fuzz_card_hooks_t;
extern fuzz_card_hooks_t fuzz_card_hooks;

#endif /*OCA_CARD_FUZZ_H*/
