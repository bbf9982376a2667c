/* scd-client-int.h - internals shared by the files of the client
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not for users of the library (they have scd-client.h): one
 * transaction with its own callbacks, for the commands of
 * scd-keyops.c that send inquired or secret data.
 */
#ifndef OCA_SCD_CLIENT_INT_H
#define OCA_SCD_CLIENT_INT_H

#include "scd-client.h"
#include "membuf.h"

/* Cap on D data accepted for one command.  */
#define MAX_DATA_LEN (64 * 1024)

/* State of one transaction.  */
struct transact_parm_s
{
  scd_client_t scd;
  membuf_t data;
  int want_data;
  scd_status_cb_t status_cb;
  void *status_opaque;
  const char *inq_keyword;           /* Inquiry answered with INQ_DATA.  */
  const unsigned char *inq_data;
  size_t inq_len;
  unsigned int pin_seq;              /* PIN requests so far.  */
  const char *cmd;                   /* The command (without "SCD ").  */
};

/* Initialise PARM for one transaction: with WANT_DATA the D data is
 * collected (else it is an error), in secure memory when SECURE.  */
void _scd_parm_init (struct transact_parm_s *parm, int want_data, int secure);

/* Run CMD (without "SCD ": it is added for the agent route) on SCD
 * with PARM.  Status lines go to PARM->status_cb, inquiries are
 * answered (PINs with the PIN callback, PARM->inq_keyword with
 * PARM->inq_data).  */
gpg_error_t _scd_transact (scd_client_t scd, const char *cmd,
                           struct transact_parm_s *parm);

/* Hand out the data PARM collected (*R_DATA, NUL-terminated; xfree or
 * wipe_and_free when secure) and *R_LEN.  PARM->data is emptied; the
 * caller still releases it (membuf_release).  */
gpg_error_t _scd_parm_take_data (struct transact_parm_s *parm,
                                 unsigned char **r_data, size_t *r_len);

#endif /*OCA_SCD_CLIENT_INT_H*/
