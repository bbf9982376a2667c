/* scd-util.h - pure helpers of oca-scd (no I/O, unit tested)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server's own helpers; what both ends of the protocol share is
 * in scd-proto.h (included), what card data means in card-data.h.
 */
#ifndef OCA_SCD_UTIL_H
#define OCA_SCD_UTIL_H

#include "oca-common.h"
#include "membuf.h"
#include "scd-proto.h"

/* Turn the inquired PIN reply BUF/LEN into a NUL-terminated string in
 * secure memory (*R_PIN, wipe_and_free_string), taking the bytes up
 * to the first NUL (gpg-agent sends a 90-byte NUL-padded buffer).
 * GPG_ERR_NO_PIN when that is empty.  */
gpg_error_t scd_pin_from_reply (const unsigned char *buf, size_t len,
                                char **r_pin);

#endif /*OCA_SCD_UTIL_H*/
