/* scd.h - internal interfaces of oca-scd
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * oca-scd is a drop-in replacement for GnuPG's scdaemon on top of
 * card/ (PC/SC in shared mode).  Its files, each using only those
 * below it:
 *   oca-scd.c        main: command line and scdaemon.conf, pipe and
 *                    socket servers (a thread per socket connection);
 *   scd-command.c    a session: the command table, the loop, and the
 *                    session's own commands (RESTART, LOCK, ...);
 *   scd-cmd-card.c   the commands about cards (SERIALNO, LEARN,
 *                    GETATTR, SETATTR, GETINFO, APDU, ...);
 *   scd-cmd-key.c    the commands about keys (READKEY, PKSIGN,
 *                    PKDECRYPT, GENKEY, WRITEKEY, PASSWD, ...);
 *   scd-cmd-multi.c  the commands for several cards of GnuPG 2.4
 *                    (SWITCHCARD, SWITCHAPP, DEVINFO, GETINFO
 *                    card_list, active_apps, all_active_apps);
 *   scd-session.c    what a handler works with: status lines,
 *                    inquiries, the PIN callback, and its card through
 *                    scd_with_card (lock, find, call, unlock);
 *   scd-card.c       the card registry shared by all sessions, under
 *                    one lock;
 *   scd-server.c     what the whole server shares: options, log,
 *                    socket name, shutdown request;
 *   scd-util.c       pure helpers (inquired data, PIN replies), on top
 *                    of the protocol helper ../scd-proto.c.
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

/* Set the Assuan error text of the handler's context CTX.  */
#define set_error(e, t) assuan_set_error (ctx, gpg_error (e), (t))

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
  int disable_pinpad;     /* disable-pinpad: PINs never on a pin-pad.  */
  int pinpad_varlen;      /* enable-pinpad-varlen: the reader's pin-pad
                           * takes PINs of any length.  As with
                           * scdaemon, a pin-pad is used only then
                           * (its fixed length is not known).  */
};

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


/*-- scd-server.c --*/

/* The options; set by main before the first session.  */
extern struct scd_options scd_opt;
/* The socket's path, or NULL (pipe only); set by main.  */
extern char *scd_socket_name;
/* Set by KILLSCD: every session ends, the server exits.  */
extern volatile int scd_shutdown_requested;

/* Log FMT to the log file of scd_opt.log_file (after scd_log_open) or
 * stderr, with a time stamp and the pid; one line, thread-safe.  */
void scd_log (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* Log only when scd_opt.debug_level is at least LEVEL.  */
void scd_log_debug (int level, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
/* Open the log as scd_opt says: the file scd_opt.log_file ("-" and
 * socket:// keep stderr; a file that can't be opened too), and with
 * debug level 2 or more every APDU (tp_set_log).  */
void scd_log_open (void);


/*-- scd-card.c --*/

/* The lock around all card objects: taken only by scd-session.c's
 * scd_with_card and scd_with_registry, and inside this module.  */
void scd_lock_cards (void);
void scd_unlock_cards (void);
/* Rescan the readers: drop removed cards, add new ones (with
 * WITH_UNDEFINED also cards without the OpenPGP application).
 * GPG_ERR_ENODEV when no reader is there.  Lock held.  */
gpg_error_t scd_scan_cards (int with_undefined);
/* The first card (list head) or NULL.  Lock held.  */
scd_card_t scd_first_card (void);
/* Drop the cards that are gone, add none (GnuPG 2.4 adds cards only
 * when SERIALNO scans the readers).  Lock held.  */
void scd_prune_cards (void);
/* Whether the serial numbers A and B name the same card, as scdaemon
 * 2.4 compares them: the version digits (12..15) of an OpenPGP card's
 * AID do not count.  */
int scd_same_serialno (const char *a, const char *b);
/* Find the card with the AID hex SERIALNO (scd_same_serialno).  Lock
 * held.  */
scd_card_t scd_find_card (const char *serialno);
/* Find the card in reader READER.  Lock held.  */
scd_card_t scd_find_card_by_reader (const char *reader);
/* Check presence; on removal drop the card and return CARD_REMOVED.
 * Lock held.  */
gpg_error_t scd_check_card (scd_card_t card);
/* Unlink, disconnect and release CARD.  Lock held.  */
void scd_drop_card (scd_card_t card);
/* A session starts (SESS counts in scd_connections) or ends (it also
 * gives up LOCK).  Take the lock themselves.  */
void scd_session_enter (scd_session_t sess);
void scd_session_leave (scd_session_t sess);
/* Forget and disconnect all cards, the LOCK owner and the session
 * count (at exit, or between fuzz inputs).  Takes the lock itself.  */
void scd_release_cards (void);
/* The session holding LOCK, or NULL.  Lock held.  */
extern scd_session_t scd_lock_owner;
/* Number of live sessions.  Lock held.  */
extern int scd_connections;


/*-- scd-session.c --*/

/* Status lines: KEYWORD with ARGS as they are (no escaping needed), or
 * with one or two values escaped (scd_build_status_info).  */
gpg_error_t scd_send_status (assuan_context_t ctx, const char *keyword,
                             const char *args);
gpg_error_t scd_send_status_value (assuan_context_t ctx, const char *keyword,
                                   const void *buf, size_t len);
gpg_error_t scd_send_status_2 (assuan_context_t ctx, const char *keyword,
                               const char *a, const char *b);
/* The usage letters of key KEYNO (1..3) in KEYPAIRINFO and KEYINFO:
 * "sc", "e", "sa".  */
const char *scd_key_usage (int keyno);
/* Send KEYPAIRINFO for key KEYNO of APP (reads the public key).  */
gpg_error_t scd_send_keypairinfo (assuan_context_t ctx, app_t app,
                                  int keyno);
/* Whether slot KEYNO of APP seems to hold a key (no APDU needed).  */
int scd_key_present (app_t app, int keyno);

/* Send "INQUIRE KEYWORD" (KEYWORD may carry arguments) and collect the
 * client's D lines up to END, at most MAXLEN bytes, into *R_VALUE
 * (secure memory, NUL-terminated; wipe_and_free) and *R_LEN, as
 * assuan_inquire does; CAN gives GPG_ERR_ASS_CANCELED, any other line
 * GPG_ERR_ASS_UNEXPECTED_CMD, too much data GPG_ERR_ASS_TOO_MUCH_DATA
 * and a malformed escape GPG_ERR_ASS_SYNTAX, both at the END.  */
gpg_error_t scd_inquire (assuan_context_t ctx, const char *keyword,
                         size_t maxlen, unsigned char **r_value,
                         size_t *r_len);
/* The PIN callback of card/ (app_pincb_t) for session OPAQUE: INQUIRE
 * NEEDPIN PROMPT in a confidential section; the PIN (secure memory)
 * in *R_PIN.  */
gpg_error_t scd_pin_cb (void *opaque, const char *prompt, char **r_pin);
/* The card/ flags for PIN verification (scd_opt.refuse_last_try).  */
unsigned int scd_pin_flags (void);
/* GPG_ERR_EACCES ("admin commands disabled", an error of CTX) when
 * oca-scd runs with deny-admin, else 0.  */
gpg_error_t scd_check_admin (assuan_context_t ctx);
/* Bind SESS to CARD: its later commands use that card.  Lock held.  */
void scd_bind_card (scd_session_t sess, scd_card_t card);

/* Which card a command works on.  */
typedef struct scd_cardref_s
{
  /* The OpenPGP application must be selected (implied by KEYID).  */
  int need_app;
  /* NULL: the session's card (the first card with the OpenPGP
   * application when it has none yet).  Else the card holding the key
   * KEYID: OPENPGP.1..3 (or 1..3 with ALLOW_NUMBER) of the session's
   * card, the legacy <serialno>[/<fpr>] form, or a keygrip -- which
   * may bind the session to another card.  */
  const char *keyid;
  int allow_number;
  /* Nonzero: the command works on the SETDATA input (which must be
   * set: else GPG_ERR_NO_DATA) with one of these keys (bit N for key
   * N; another is GPG_ERR_INV_ID).  */
  unsigned int setdata_keys;
} scd_cardref_t;

/* What a command does with its card: CARD and, when REF named a key,
 * its number KEYNO (else 0).  Runs under the card lock.  */
typedef gpg_error_t (*scd_card_fn_t) (scd_session_t sess, scd_card_t card,
                                      int keyno, void *arg);

/* The one way a command reaches a card: take the card lock, find the
 * card REF names for SESS (GPG_ERR_LOCKED when another session holds
 * LOCK, CARD_REMOVED, CARD_NOT_PRESENT, ...), run FN (may be NULL:
 * only find it) with ARG, release the lock.  Returns the first
 * error.  */
gpg_error_t scd_with_card (scd_session_t sess, const scd_cardref_t *ref,
                           scd_card_fn_t fn, void *arg);
/* scd_with_card for a command whose argument (after the options of
 * LINE) is the key id of REF: it is copied first (an inquiry reuses
 * the line buffer); an empty one is an ASS_PARAMETER error of CTX.  */
gpg_error_t scd_with_keyid (assuan_context_t ctx, const char *line,
                            scd_cardref_t *ref, scd_card_fn_t fn,
                            void *arg);

/* What a command does with all cards (scd-card.c), under the lock.  */
typedef gpg_error_t (*scd_registry_fn_t) (scd_session_t sess, void *arg);

/* Run FN with ARG under the card lock; with RESPECT_LOCK only when no
 * other session holds LOCK (else GPG_ERR_LOCKED).  */
gpg_error_t scd_with_registry (scd_session_t sess, int respect_lock,
                               scd_registry_fn_t fn, void *arg);


/*-- scd-cmd-multi.c --*/

/* GETINFO card_list, active_apps or all_active_apps (WHAT).  */
gpg_error_t scd_getinfo_cards (assuan_context_t ctx, const char *what);


/*-- scd-cmd-card.c, scd-cmd-key.c, scd-cmd-multi.c: the handlers --*/

/* Each scd_cmd_NAME handles the Assuan command NAME (LINE: its
 * arguments) and scd_hlp_NAME is its HELP text; scd-command.c
 * registers them.  */
#define SCD_COMMAND(name) \
  gpg_error_t scd_cmd_##name (assuan_context_t ctx, char *line); \
  extern const char scd_hlp_##name[]
/* scd-cmd-card.c */
SCD_COMMAND (serialno);
SCD_COMMAND (learn);
SCD_COMMAND (getattr);
SCD_COMMAND (setattr);
SCD_COMMAND (keyinfo);
SCD_COMMAND (getinfo);
SCD_COMMAND (random);
SCD_COMMAND (apdu);
/* scd-cmd-key.c */
SCD_COMMAND (readkey);
SCD_COMMAND (setdata);
SCD_COMMAND (pksign);
SCD_COMMAND (pkauth);
SCD_COMMAND (pkdecrypt);
SCD_COMMAND (genkey);
SCD_COMMAND (writekey);
SCD_COMMAND (readcert);
SCD_COMMAND (writecert);
SCD_COMMAND (passwd);
SCD_COMMAND (checkpin);
/* scd-cmd-multi.c */
SCD_COMMAND (switchcard);
SCD_COMMAND (switchapp);
SCD_COMMAND (devinfo);
#undef SCD_COMMAND


/*-- scd-command.c --*/

/* Run one Assuan session on CTX (already initialised; IS_PIPE for the
 * pipe server) until the client leaves or KILLSCD.  */
gpg_error_t scd_command_loop (assuan_context_t ctx, int is_pipe);

#endif /*OCA_SCD_H*/
