/* transport.h - reader transport vtable (PC/SC and scripted backends)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A reader (tp_reader_t) is a connected card slot.  The operations are
 * a small vtable so that unit tests can replace pcsc-lite with a
 * scripted card (transport-script.h, a test library of its own).  Transport functions return an
 * int status word: card status words are 0x0000..0xFFFF, host-side
 * failures are the SW_HOST_* pseudo status words >= 0x10000.  They
 * never leave card/: iso7816.c maps them to gpg_error_t.
 *
 * Only pcsc.c includes <winscard.h>.
 */
#ifndef OCA_TRANSPORT_H
#define OCA_TRANSPORT_H

#include "oca-common.h"
#include "card-data.h"

/* Flags returned by the status operation.  */
#define TP_STATUS_PRESENT  1
#define TP_STATUS_CHANGED  2   /* Card was reset or swapped meanwhile.  */

/* Largest response a transport returns (extended Le 65536 + SW).  */
#define TP_MAX_RESPONSE (65536 + 2)

typedef struct tp_reader_s *tp_reader_t;

/* The backend operations.  Every function returns a status word
 * (0 for operations without a card answer, e.g. begin/end).  */
struct tp_ops
{
  const char *name;
  /* Send APDU of APDULEN bytes, write the response (data + SW1 SW2)
   * to BUF which has room for *BUFLEN bytes; set *BUFLEN to the
   * number of bytes received.  */
  int (*transmit) (tp_reader_t rd, const unsigned char *apdu, size_t apdulen,
                   unsigned char *buf, size_t *buflen);
  /* Presence check without any APDU: set *R_STATUS to TP_STATUS_*.  */
  int (*status) (tp_reader_t rd, unsigned int *r_status);
  /* Begin / end an exclusive PC/SC transaction.  Begin returns
   * SW_HOST_CARD_RESET if the card was reset by another client (the
   * backend has reconnected; the caller must re-select its
   * application and forget PIN state).  */
  int (*begin) (tp_reader_t rd);
  int (*end) (tp_reader_t rd);
  /* Reconnect (after a reset); RESET non-zero asks for a card reset.  */
  int (*reconnect) (tp_reader_t rd, int reset);
  /* Disconnect and release the backend's private data.  */
  void (*release) (tp_reader_t rd);
  /* Reader control (SCardControl) with CODE; the answer goes to BUF
   * as for transmit.  NULL when the backend has no reader features.  */
  int (*control) (tp_reader_t rd, unsigned long code,
                  const unsigned char *in, size_t inlen,
                  unsigned char *buf, size_t *buflen);
};

/* A connected reader.  Fields below OPS are owned by the backend
 * (priv, name, atr) or by the upper layers (capabilities).  */
struct tp_reader_s
{
  const struct tp_ops *ops;
  void *priv;
  char *name;                   /* Reader name (malloced).  */
  unsigned char atr[36];
  size_t atrlen;
  unsigned int reset_count;     /* Bumped on every reset the backend saw.  */
  int in_transaction;           /* Nesting depth of tp_begin.  */
  /* Capabilities, set by the application layer from the card's
   * historical bytes and DO 7F66.  */
  unsigned int cap_chaining:1;
  unsigned int cap_extended:1;
  size_t max_cmd;               /* Max command data (extended).  */
  size_t max_rsp;               /* Max response data (extended).  */
  /* APDU counter (for tests and diagnostics).  */
  unsigned long apdu_count;
  /* Pin-pad: the control codes of FEATURE_VERIFY_PIN_DIRECT and
   * FEATURE_MODIFY_PIN_DIRECT the reader announced (0 = none), set by
   * the backend when it connects.  */
  unsigned long pinpad_verify;
  unsigned long pinpad_modify;
};

/* Log hook for APDU dumps (never called with PIN or key bodies: those
 * are replaced by "[hidden]").  NULL disables logging.  */
typedef void (*tp_log_fn_t) (const char *line);
void tp_set_log (tp_log_fn_t fn);

/* Generic wrappers (handle NULL RD as SW_HOST_NO_READER).  */
int tp_transmit (tp_reader_t rd, const unsigned char *apdu, size_t apdulen,
                 unsigned char *buf, size_t *buflen);
int tp_status (tp_reader_t rd, unsigned int *r_status);
int tp_begin (tp_reader_t rd);
int tp_end (tp_reader_t rd);
int tp_reconnect (tp_reader_t rd, int reset);
void tp_release (tp_reader_t rd);
/* Send a PIN_VERIFY_STRUCTURE (MODIFY non-zero: a
 * PIN_MODIFY_STRUCTURE) of LEN bytes to the reader's pin-pad; the
 * card's answer (SW1 SW2, or the reader's 64 00 timeout, 64 01
 * cancel, 64 02 PINs differ, 64 03 bad length) is the status word
 * returned.  SW_HOST_NOT_SUPPORTED when the reader has no pin-pad.  */
int tp_pinpad (tp_reader_t rd, int modify, const unsigned char *pvs,
               size_t len);
/* Allocate the common part of a reader for backend BACKEND_OPS.  */
gpg_error_t tp_reader_alloc (const struct tp_ops *backend_ops,
                             const char *name, tp_reader_t *r_rd);

/*-- pcsc.c --*/
/* List the PC/SC readers.  *R_NAMES is an xmalloced NULL-terminated
 * array of xmalloced names (release with tp_free_namelist).  */
gpg_error_t pcsc_list_readers (char ***r_names);
void tp_free_namelist (char **names);
/* Connect to the card in reader NAME in shared mode.  */
gpg_error_t pcsc_open_reader (const char *name, tp_reader_t *r_rd);
/* Return non-zero if reader NAME currently holds a card (no
 * connection needed).  */
int pcsc_card_present (const char *name);

#endif /*OCA_TRANSPORT_H*/
