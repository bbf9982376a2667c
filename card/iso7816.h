/* iso7816.h - ISO/IEC 7816-4 commands used by the OpenPGP card
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One function per command.  All of them return gpg_error_t: status
 * words and the transport's host pseudo status words become errors
 * here, through card_map_sw (card-data.h).  Results are
 * xmalloced buffers (release with xfree; use wipe_and_free for secret
 * results such as decrypted session keys).
 *
 * Transport details handled here: GET RESPONSE on 61xx, one retry
 * with the right Le on 6Cxx, command chaining (CLA bit 0x10) when the
 * card announced it and extended Lc/Le when the card announced it
 * (tp_reader_t cap_chaining / cap_extended).
 */
#ifndef OCA_ISO7816_H
#define OCA_ISO7816_H

#include "transport.h"

/* Generic command.  LC is the length of DATA (0 for none); LE is the
 * expected response length (-1 = no Le; 256 = short "00"; up to 65536
 * extended).  CHUNK is the chaining chunk size (0 = 255).  On success
 * the response data are returned in *R_RESULT and *R_RESULTLEN (may be
 * NULL if the caller does not want them).  */
gpg_error_t iso7816_send (tp_reader_t rd, int cla, int ins, int p1, int p2,
                          size_t lc, const unsigned char *data, int le,
                          size_t chunk,
                          unsigned char **r_result, size_t *r_resultlen);

/* Send the raw APDU (APDULEN bytes).  *R_RESULT gets the response
 * data followed by SW1 SW2.  With HANDLE_MORE, 61xx is followed by
 * GET RESPONSE.  Card status words are not errors here; host failures
 * are.  */
gpg_error_t iso7816_apdu_direct (tp_reader_t rd, const unsigned char *apdu,
                                 size_t apdulen, int handle_more,
                                 unsigned char **r_result,
                                 size_t *r_resultlen);

gpg_error_t iso7816_select_application (tp_reader_t rd,
                                        const unsigned char *aid,
                                        size_t aidlen);
gpg_error_t iso7816_get_data (tp_reader_t rd, int tag,
                              unsigned char **r_result, size_t *r_resultlen);
gpg_error_t iso7816_put_data (tp_reader_t rd, int tag,
                              const unsigned char *data, size_t datalen);
gpg_error_t iso7816_put_data_odd (tp_reader_t rd, int tag,
                                  const unsigned char *data, size_t datalen);
/* VERIFY CHVNO (0x81, 0x82, 0x83) with PIN; PIN NULL only checks the
 * verification status (0 = verified).  */
gpg_error_t iso7816_verify (tp_reader_t rd, int chvno,
                            const unsigned char *pin, size_t pinlen);
/* VERIFY CHVNO with the PIN typed on the reader's pin-pad (PINs of
 * MINLEN..MAXLEN digits).  The reader's answers become
 * GPG_ERR_TIMEOUT (64 00), GPG_ERR_CANCELED (64 01),
 * GPG_ERR_INV_LENGTH (64 03); GPG_ERR_NOT_SUPPORTED when the reader
 * has no pin-pad.  */
gpg_error_t iso7816_pinpad_verify (tp_reader_t rd, int chvno,
                                   unsigned int minlen, unsigned int maxlen);
/* CHANGE REFERENCE DATA for CHVNO with the current PIN, the new one
 * and its confirmation typed on the pin-pad (PINs of MINLEN..MAXLEN
 * digits); two new PINs that differ (64 02) are
 * GPG_ERR_PIN_NOT_SYNCED, the rest as iso7816_pinpad_verify.  */
gpg_error_t iso7816_pinpad_change (tp_reader_t rd, int chvno,
                                   unsigned int minlen, unsigned int maxlen);
/* VERIFY with P1=FF: reset the verification state of CHVNO.  */
gpg_error_t iso7816_verify_reset (tp_reader_t rd, int chvno);
gpg_error_t iso7816_change_reference_data (tp_reader_t rd, int chvno,
                                           const unsigned char *oldnew,
                                           size_t oldnewlen);
/* RESET RETRY COUNTER; WITH_RC: P1=00 (data = RC || new PIN), else
 * P1=02 (data = new PIN, PW3 verified).  */
gpg_error_t iso7816_reset_retry_counter (tp_reader_t rd, int with_rc,
                                         int chvno,
                                         const unsigned char *data,
                                         size_t datalen);
/* GENERATE ASYMMETRIC KEY PAIR; READ_ONLY: P1=81 (read public key).
 * CRT is the control reference template (B6 00, B8 00 or A4 00).  */
gpg_error_t iso7816_generate_keypair (tp_reader_t rd, int read_only,
                                      const unsigned char *crt,
                                      size_t crtlen, int le,
                                      unsigned char **r_result,
                                      size_t *r_resultlen);
gpg_error_t iso7816_compute_ds (tp_reader_t rd, const unsigned char *data,
                                size_t datalen, int le,
                                unsigned char **r_result,
                                size_t *r_resultlen);
gpg_error_t iso7816_decipher (tp_reader_t rd, const unsigned char *data,
                              size_t datalen, int le,
                              unsigned char **r_result, size_t *r_resultlen);
gpg_error_t iso7816_internal_authenticate (tp_reader_t rd,
                                           const unsigned char *data,
                                           size_t datalen, int le,
                                           unsigned char **r_result,
                                           size_t *r_resultlen);
gpg_error_t iso7816_get_challenge (tp_reader_t rd, size_t length,
                                   unsigned char *buffer);
gpg_error_t iso7816_terminate_df (tp_reader_t rd);
gpg_error_t iso7816_activate_file (tp_reader_t rd);
/* SELECT DATA occurrence OCCURRENCE of TAG (7F21).  */
gpg_error_t iso7816_select_data (tp_reader_t rd, int occurrence, int tag);

#endif /*OCA_ISO7816_H*/
