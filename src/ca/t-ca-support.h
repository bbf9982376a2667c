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

/* The public certificate of CERT, armored (xfree).  */
char *tca_armor (const pgp_cert_t *cert);

/* Run FN (OPAQUE) with stderr going to a file; return what it wrote
 * (xfree; "" if nothing).  */
char *tca_stderr_of (void (*fn) (void *opaque), void *opaque);

/* Read all of PATH (xfree; NULL if it does not exist); *R_LEN its
 * length.  */
unsigned char *tca_slurp (const char *path, size_t *r_len);

#endif /*OCA_T_CA_SUPPORT_H*/
