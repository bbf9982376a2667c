/* app-int.h - internals shared by the files of the OpenPGP application
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not for users of card/ (they have app-openpgp.h).  The application
 * is one module in five files, each using only those above it here:
 *   app-openpgp.c  the session: select, read and cache the data
 *                  objects, transactions, recovery after a reset;
 *   app-pin.c      PINs: prompts, VERIFY, change, reset, clear;
 *   app-crypt.c    signing, authentication, deciphering;
 *   app-keys.c     public keys, key attributes, generation, import;
 *   app-do.c       SETATTR, RANDOM, factory reset, certificates, DO FA.
 */
#ifndef OCA_APP_INT_H
#define OCA_APP_INT_H

#include "app-openpgp.h"

/*-- app-openpgp.c --*/

/* Forget the cached data object D.  */
void _app_do_release (app_do_t *d);

/* Cache the N bytes at P as data object D (at most MAX_DO_LEN).  */
gpg_error_t _app_do_set (app_do_t *d, const unsigned char *p, size_t n);

/* Forget the cached public key PK.  */
void _app_pk_release (struct app_pubkey_s *pk);

/* GET DATA TAG, with an outer TAG stripped; result in *R_BUF.  */
gpg_error_t _app_get_do (app_t app, int tag, unsigned char **r_buf,
                         size_t *r_len);

/* Errors of an optional DO that just mean "not there".  */
int _app_is_absent_error (gpg_error_t err);

/* Parse the application related data (DO 6E value) in BUF.  */
gpg_error_t _app_parse_app_data (app_t app, const unsigned char *buf,
                                 size_t len);

/* Read DO C4 into the cache (direct GET DATA, else via 6E).  */
gpg_error_t _app_read_chv_status (app_t app);

/* Read everything into the cache.  */
gpg_error_t _app_read_all (app_t app);

/* Serial number, manufacturer and version from the cached AID.  */
void _app_set_identity (app_t app);

/* Select the application (after open or a reset).  */
gpg_error_t _app_select (app_t app);

/* Start an operation: a PC/SC transaction, after a reset by another
 * client the application selected again and the PIN state forgotten.
 * Every _app_begin is paired with _app_end.  */
gpg_error_t _app_begin (app_t app);

/* End the transaction of _app_begin.  */
void _app_end (app_t app);

/* After an operation failed with ERR: if the card was reset or
 * another application got selected, re-select and return true so
 * that the caller retries once (the User PIN verifications are then
 * lost: _app_pin_lost).  */
int _app_recover (app_t app, gpg_error_t err);

/* Another client made the card forget its PIN verifications: clear
 * them, noting which User PIN ones to verify again silently with the
 * held PIN (app-pin.c).  */
void _app_pin_lost (app_t app);

/*-- app-pin.c --*/

/* Verify WHICH (1 = 81, 2 = 82, 3 = 83) unless already verified.  */
gpg_error_t _app_verify_chv (app_t app, int which, unsigned int flags,
                             app_pincb_t pincb, void *arg);

/* Clear the verified flag for WHICH.  */
void _app_clear_chv (app_t app, int which);

/* Keep the card form of the User PIN PIN/LEN (app->held_pw1).  */
void _app_hold_pw1 (app_t app, const unsigned char *pin, size_t len);

/* Wipe the held User PIN and the lost flags.  */
void _app_drop_pw1 (app_t app);

/* Whether WHICH is verified.  */
int _app_chv_flag (app_t app, int which);

/*-- app-keys.c --*/

/* Read DO FA into the cache and parse it into *R_LIST / *R_COUNT (in
 * a transaction).  GPG_ERR_NOT_FOUND when the card has none.  */
gpg_error_t _app_read_algoinfo (app_t app, card_algoinfo_t **r_list,
                                size_t *r_count);

/* Work out the attribute value (BUF of BUFSIZE >= 16, *R_LEN) that
 * lets slot KEYNO take a key like WANT in the card's own import format
 * (card_keyattr_encode); reads DO FA.  Nothing is written.  An
 * algorithm the card does not offer (DO FA; ECC on a card of spec 2.x
 * without DO FA) is GPG_ERR_UNSUPPORTED_ALGORITHM, a card that cannot
 * change attributes GPG_ERR_NOT_SUPPORTED.  */
gpg_error_t _app_plan_keyattr (app_t app, int keyno,
                               const card_keyattr_t *want,
                               unsigned char *buf, size_t bufsize,
                               size_t *r_len);

/* Write the attribute value BUF/N (from _app_plan_keyattr) to slot KEYNO
 * (PW3 must be verified) and read the application data again: what
 * the card reports now -- its import format included -- is what the
 * key import uses.  The card must then hold attributes like WANT.  */
gpg_error_t _app_change_keyattr (app_t app, int keyno,
                                 const unsigned char *buf, size_t n,
                                 const card_keyattr_t *want);

#endif /*OCA_APP_INT_H*/
