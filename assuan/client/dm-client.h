/* dm-client.h - a client of GnuPG's dirmngr: WKD and keyserver requests
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * oca fetches and sends keys through the user's dirmngr (GnuPG's
 * network daemon) over its Assuan socket, so that the user's GnuPG
 * network configuration holds for oca too: proxies, Tor, the CA
 * certificates trusted for HTTPS and hkps, DNS.  oca has no HTTP or
 * TLS code of its own.
 *
 *   WKD_GET -- ADDR        the key(s) of ADDR from the Web Key Directory
 *                          (advanced method if openpgpkey.DOMAIN exists,
 *                          else the direct one; dirmngr decides)
 *   KEYSERVER --clear URL  the keyserver of this connection
 *   KS_GET -- 0xFPR        a key from it
 *   KS_PUT                 a key to it (INQUIRE KEYBLOCK)
 *
 * Every request has a time limit (dirmngr itself waits without one for
 * a server that accepts a connection and never answers): when it is
 * over, the request fails with GPG_ERR_TIMEOUT and the connection is
 * dropped; the next request connects again (and sets the keyserver
 * again).  Error texts are one line for the operator
 * (dm_client_errtext).
 */
#ifndef OCA_DM_CLIENT_H
#define OCA_DM_CLIENT_H

#include "oca-common.h"

typedef struct dm_client_s *dm_client_t;

/* Largest answer we take (bytes of key data).  */
#define DM_MAX_DATA (16u * 1024 * 1024)

/* Make a client for the dirmngr of the current GnuPG home ($GNUPGHOME
 * or the default): its socket is asked from gpgconf; a dirmngr that
 * does not run is started with `gpgconf --launch dirmngr' on the first
 * request.  TIMEOUT is the limit of each request in seconds (0: 30).
 * Nothing is connected yet.  */
gpg_error_t dm_client_new (unsigned int timeout, dm_client_t *r_dm);

/* Release DM (NULL ok).  */
void dm_client_release (dm_client_t dm);

/* Use keyserver URL (hkp://, hkps://, ...) for the KS requests.  */
gpg_error_t dm_client_set_keyserver (dm_client_t dm, const char *url);

/* The key data published in the Web Key Directory for the address
 * ADDR into *R_DATA (xfree) and *R_LEN.  No key published (HTTP 404)
 * is GPG_ERR_NO_DATA.  */
gpg_error_t dm_client_wkd_get (dm_client_t dm, const char *addr,
                               unsigned char **r_data, size_t *r_len);

/* The key with fingerprint FPR (40 hex digits) from the keyserver into
 * *R_DATA (xfree) and *R_LEN.  Not there: GPG_ERR_NO_DATA.  */
gpg_error_t dm_client_ks_get (dm_client_t dm, const char *fpr,
                              unsigned char **r_data, size_t *r_len);

/* Send the binary keyblock KEY/LEN to the keyserver.  */
gpg_error_t dm_client_ks_put (dm_client_t dm, const void *key, size_t len);

/* A one-line description of the last failed request ("" if none):
 * dirmngr's own words where it gave some.  Valid until the next
 * request.  */
const char *dm_client_errtext (dm_client_t dm);

#endif /*OCA_DM_CLIENT_H*/
