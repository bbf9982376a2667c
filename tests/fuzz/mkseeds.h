/* mkseeds.h - the two parts of the seed generator (make seeds)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * mkseeds.c: main, the helpers below, the OpenPGP and database seeds;
 * mkseeds-card.c: the seeds recorded from the virtual card.
 */
#ifndef OCA_MKSEEDS_H
#define OCA_MKSEEDS_H

#include "fuzz.h"

/*-- mkseeds.c --*/
/* The source tree the test data is read from.  */
extern const char *mkseeds_topsrc;
/* Print "mkseeds: " and the message to stderr, exit 1.  */
void mkseeds_die (const char *fmt, ...)
  __attribute__ ((noreturn, format (printf, 1, 2)));
/* Die with WHAT if ERR.  */
void mkseeds_check (gpg_error_t err, const char *what);
/* The file FNAME (relative to the source tree), NUL-terminated (free).  */
unsigned char *mkseeds_read_file (const char *fname, size_t *r_len);
/* Write seed-NAME of TARGET; remove the old seed-* files of TARGET.  */
void mkseeds_write_seed (const char *target, const char *name,
                         const void *data, size_t len);
void mkseeds_clear_seeds (const char *target);
/* membuf_take or die.  */
void mkseeds_take (membuf_t *mb, unsigned char **r_buf, size_t *r_len);

/*-- mkseeds-card.c --*/
void mkseeds_card_init (void);
void mkseeds_card_done (void);
void mkseeds_card (void);
void mkseeds_scd (void);
void mkseeds_scd_client (void);

#endif /*OCA_MKSEEDS_H*/
