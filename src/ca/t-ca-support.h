/* t-ca-support.h - what the unit tests of the CA core share
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every t-ca-*.c links t-ca-support.c: a private temporary directory
 * (removed at exit unless OCA_KEEP_TMP=1), real CA databases in it,
 * user keys made by the OpenPGP library, and the capture of what the
 * core writes to stderr.  TAP comes from common/t-support.h.
 */
#ifndef OCA_T_CA_SUPPORT_H
#define OCA_T_CA_SUPPORT_H

#include "ca-int.h"

/* Initialise libgcrypt and make the temporary directory; exits on
 * failure.  */
void tca_init (void);

/* A path NAME in the temporary directory (8 rotating buffers).  */
const char *tca_path (const char *name);

/* Options for the database NAME in the temporary directory.  */
ca_opts_t tca_opts (const char *name);

/* Create a softkey CA of ALGO for DOMAIN in database NAME and return
 * it opened read-write (0 on success).  */
gpg_error_t tca_make_ca (const char *name, const char *domain, int algo,
                         ca_t **r_ca);

/* A user key of ALGO with the NUIDS User IDs UIDS (self-signed,
 * secrets included).  */
pgp_cert_t *tca_user_key (int algo, const char *const *uids, size_t nuids);

/* Run the SQL FMT (sqlite3_vmprintf: printf with %q and %Q) on the
 * database file NAME of the temporary directory through a connection
 * of its own; 0 on success (else SQLite's code, its message as a TAP
 * comment).  */
int tca_sql (const char *name, const char *fmt, ...);

/* The public certificate of CERT, armored (xfree).  */
char *tca_armor (const pgp_cert_t *cert);

/* Run FN (OPAQUE) with stderr going to a file; return what it wrote
 * (xfree; "" if nothing).  */
char *tca_stderr_of (void (*fn) (void *opaque), void *opaque);



/*-- Cards: oca-scd's handler over virtual cards (t-scd-vcard) --*/

/* Route the core's card connections (oca-scd) to t-scd-vcard with
 * NCARDS cards (state files card1.state ... in the temporary
 * directory; FFFE:0000A001 ...).  */
void tca_vcards (int ncards);
/* Card N (1-based) back to its factory state.  */
void tca_vcard_reset (int n);
/* Card N pulled (0) or inserted (1).  */
void tca_vcard_insert (int n, int inserted);
/* The card server dies after N APDUs (-1: it does not).  */
void tca_vcard_die_after (long n);

/* A scripted operator for the card flows.  */
typedef struct tca_ui
{
  ca_card_ui_t ui;             /* What the core gets (opaque = this).  */
  gpg_error_t refuse;          /* What ask answers (0: yes).  */
  const char *pin;             /* What get_pin answers (NULL: none).  */
  gpg_error_t hand_out_err;    /* What hand_out_key returns.  */
  char events[512];            /* "tell:EV ask:EV pin hand ..." seen.  */
  char *key;                   /* The key handed out (secure).  */
} tca_ui_t;

/* Initialise U (agreeing to everything, no PIN).  */
void tca_ui_init (tca_ui_t *u);
/* Forget what U saw (the key too).  */
void tca_ui_reset (tca_ui_t *u);

#endif /*OCA_T_CA_SUPPORT_H*/
