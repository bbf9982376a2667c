/* scd.h - internal interfaces of oca-scd
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * oca-scd is a drop-in replacement for GnuPG's scdaemon on top of
 * card/ (PC/SC in shared mode).  Layers:
 *   oca-scd.c      options, scdaemon.conf, logging, pipe and socket
 *                  servers (a thread per socket connection);
 *   scd-command.c  the Assuan command handlers (one hlp_/cmd_ pair
 *                  each, registered in one table);
 *   scd-card.c     the card registry shared by all sessions, under one
 *                  lock;
 *   scd-util.c     pure helpers (escaping, options, DigestInfo).
 */
#ifndef OCA_SCD_H
#define OCA_SCD_H

#include "oca-common.h"
#include <assuan.h>
#include <pthread.h>
#include "transport.h"
#include "app-openpgp.h"

/* Caps on inquired data.  */
#define MAXLEN_PIN      100
#define MAXLEN_KEYDATA  4096
#define MAXLEN_SETDATA  4096
#define MAXLEN_CERTDATA 16384
#define MAXLEN_VALUE    4096

/* The GnuPG version we claim to be (>= the installed gpg, see spec
 * B.10: gpg warns about an older scdaemon).  */
#define SCD_GNUPG_VERSION "2.4.8"

/* Global options (from the command line and scdaemon.conf).  */
struct scd_options
{
  int debug_level;        /* 0 none, 1 basic, 2 advanced, 3 expert, 4 guru */
  char *reader_port;      /* Reader name prefix or NULL.  */
  char *log_file;
  int deny_admin;
  int verbose;
  int refuse_last_try;    /* Do not send a PIN with one try left.
                           * Off by default: as with scdaemon, the
                           * pinentry shows the remaining attempts
                           * and the user decides.  */
};
extern struct scd_options scd_opt;

/* One card known to the server.  */
typedef struct scd_card_s *scd_card_t;
struct scd_card_s
{
  scd_card_t next;
  char *reader;
  tp_reader_t rd;
  app_t app;              /* NULL if the OpenPGP app is not selected.  */
};

/* Per-session state.  */
typedef struct scd_session_s *scd_session_t;
struct scd_session_s
{
  assuan_context_t ctx;
  int is_pipe;
  char serialno[33];      /* Current card (AID hex) or "".  */
  char reader[256];       /* Its reader (for cards without app).  */
  int card_removed;       /* Latch: CARD_REMOVED until SERIALNO.  */
  int undefined_app;      /* SERIALNO undefined was used.  */
  unsigned char *setdata;
  size_t setdatalen;
  int kill_requested;
  unsigned long event_signal;
};

/*-- scd-card.c --*/
/* The lock around all card objects.  */
void scd_lock_cards (void);
void scd_unlock_cards (void);
/* Rescan the readers: drop removed cards, add new ones.  Lock held.  */
gpg_error_t scd_scan_cards (int with_undefined);
/* The first card (list head) or NULL.  Lock held.  */
scd_card_t scd_first_card (void);
/* Find the card with the AID hex SERIALNO.  Lock held.  */
scd_card_t scd_find_card (const char *serialno);
/* Find the card in reader READER.  Lock held.  */
scd_card_t scd_find_card_by_reader (const char *reader);
/* Check presence; on removal drop the card and return CARD_REMOVED.  */
gpg_error_t scd_check_card (scd_card_t card);
/* Unlink, disconnect and release CARD.  Lock held.  */
void scd_drop_card (scd_card_t card);
/* Forget and disconnect all cards.  */
void scd_release_cards (void);
/* Session LOCK handling: the owner or NULL.  */
extern scd_session_t scd_lock_owner;
/* Number of live sessions.  */
extern int scd_connections;

/*-- scd-command.c --*/
/* Run one Assuan session on CTX (already initialised).  */
gpg_error_t scd_command_loop (assuan_context_t ctx, int is_pipe);
/* Socket name (or NULL).  */
extern char *scd_socket_name;
/* Set by KILLSCD.  */
extern volatile int scd_shutdown_requested;

/*-- oca-scd.c --*/
void scd_log (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void scd_log_debug (int level, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

#endif /*OCA_SCD_H*/
