/* vcard-int.h - internals of the virtual card's OpenPGP application
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not for users of the card (vcard.h): what the files of the
 * application share.  Each uses only those before it here:
 *   vcard-card.c  the card object and its life cycle (new, factory
 *                 reset, PINs and keys set, ATR, AID);
 *   vcard-do.c    data objects (GET DATA, PUT DATA, SELECT DATA, GET
 *                 NEXT DATA), SELECT, GET CHALLENGE, TERMINATE,
 *                 ACTIVATE;
 *   vcard-pin.c   VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER;
 *   vcard-key.c   GENERATE, key import (PUT DATA odd), PSO:CDS,
 *                 PSO:DECIPHER, INTERNAL AUTHENTICATE, touch;
 *   vcard-app.c   the transport (APDU parsing, chaining, 61xx) and the
 *                 dispatch to the commands.
 */
#ifndef OCA_VCARD_INT_H
#define OCA_VCARD_INT_H

#include "vcard.h"

/* Status words (besides those of card-data.h, SW_WRONG_LENGTH and
 * SW_FILE_NOT_FOUND among them), named from the card's side.  */
#define SW_OK               0x9000
#define SW_MORE(n)          (0x6100 | ((n) > 255 ? 0 : (n)))
#define SW_TERMINATED       0x6285
#define SW_WRONG_PIN(n)     (0x63c0 | (n))
#define SW_MEMORY_FAILURE   0x6581
#define SW_SECURITY_ISSUE   0x6600
#define SW_SM_UNSUPPORTED   0x6882
#define SW_CHAIN_EXPECTED   0x6883
#define SW_SECURITY_STATUS  0x6982
#define SW_PIN_BLOCKED      0x6983
#define SW_CONDITIONS       0x6985
#define SW_INCORRECT_DATA   0x6a80
#define SW_NOT_FOUND        0x6a88
#define SW_WRONG_P1P2       0x6b00
#define SW_INS_UNSUPPORTED  0x6d00
#define SW_CLA_UNSUPPORTED  0x6e00
#define SW_NO_DIAGNOSIS     0x6f00

/* A parsed command APDU.  */
typedef struct
{
  unsigned int cla, ins, p1, p2;
  const unsigned char *data;  /* Command data (secure copy).  */
  size_t lc;
  size_t le;                  /* Expected length (256/65536 for 00).  */
  int has_le;
  int extended;
} apdu_t;


/*-- vcard-card.c --*/

/* Constant-time comparison of A/ALEN with B/BLEN; 1 if equal.  */
int vcard_pin_equal (const unsigned char *a, size_t alen,
                     const unsigned char *b, size_t blen);
/* The 16-byte AID.  */
void vcard_put_aid (vcard_t *card, membuf_t *mb);

/*-- vcard-do.c --*/

/* The commands: the APDU A, response data to OUT; they return the
 * status word.  */
/* PUT DATA: 00 DA tag-hi tag-lo value.  */
unsigned int vcard_cmd_put_data (vcard_t *card, apdu_t *a);
/* GET DATA: 00 CA tag-hi tag-lo.  */
unsigned int vcard_cmd_get_data (vcard_t *card, apdu_t *a, membuf_t *out);
/* SELECT: 00 A4 04 00|0C AID (prefix of our AID, or of PIV's: that
 * deselects OpenPGP and drops its PIN verifications).  */
unsigned int vcard_cmd_select (vcard_t *card, apdu_t *a);
/* Any other command while the other application (PIV) is selected:
 * what PIV answers to OpenPGP's commands.  */
unsigned int vcard_other_app_command (vcard_t *card, apdu_t *a);
/* SELECT DATA: 00 A5 occ 04 60 { 5C { 7F 21 } }.  */
unsigned int vcard_cmd_select_data (vcard_t *card, apdu_t *a);
/* GET NEXT DATA: 00 CC 7F 21.  */
unsigned int vcard_cmd_get_next_data (vcard_t *card, apdu_t *a,
                                      membuf_t *out);
/* GET CHALLENGE: 00 84 00 00 Le.  */
unsigned int vcard_cmd_get_challenge (vcard_t *card, apdu_t *a,
                                      membuf_t *out);
/* TERMINATE DF: 00 E6 00 00.  */
unsigned int vcard_cmd_terminate (vcard_t *card, apdu_t *a);
/* ACTIVATE FILE: 00 44 00 00.  */
unsigned int vcard_cmd_activate (vcard_t *card, apdu_t *a);

/*-- vcard-pin.c --*/

/* Is LEN an acceptable length for a new PIN WHICH?  */
int vcard_pin_len_ok (int which, size_t len);
/* The commands: the APDU A, response data to OUT; they return the
 * status word.  */
/* VERIFY: 00 20 00|FF 81|82|83 [PIN].  */
unsigned int vcard_cmd_verify (vcard_t *card, apdu_t *a);
/* CHANGE REFERENCE DATA: 00 24 00 81|83 old||new.  */
unsigned int vcard_cmd_change_reference_data (vcard_t *card, apdu_t *a);
/* RESET RETRY COUNTER: 00 2C 00 81 RC||new, or 00 2C 02 81 new (PW3).  */
unsigned int vcard_cmd_reset_retry_counter (vcard_t *card, apdu_t *a);

/*-- vcard-key.c --*/

/* The commands: the APDU A, response data to OUT; they return the
 * status word.  */
/* GENERATE ASYMMETRIC KEY PAIR: 00 47 80|81 00 CRT.  */
unsigned int vcard_cmd_generate (vcard_t *card, apdu_t *a, membuf_t *out);
/* PUT DATA odd: 00 DB 3F FF 4D { CRT 7F48 5F48 } (key import).  */
unsigned int vcard_cmd_put_data_odd (vcard_t *card, apdu_t *a);
/* PERFORM SECURITY OPERATION: 2A 9E 9A (CDS) and 2A 80 86 (DECIPHER).  */
unsigned int vcard_cmd_pso (vcard_t *card, apdu_t *a, membuf_t *out);
/* INTERNAL AUTHENTICATE: 00 88 00 00 data.  */
unsigned int vcard_cmd_internal_authenticate (vcard_t *card, apdu_t *a,
                                              membuf_t *out);

#endif /*OCA_VCARD_INT_H*/
