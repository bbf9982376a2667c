/* svc.h - the CA as an Assuan service: what the oca program starts
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `oca --server' serves one Assuan session on stdin/stdout (as
 * `gpg-agent --server' does); `oca --daemon' serves a Unix socket, one
 * process per connection.  The commands (svc-cmd.c) are another front
 * end of the CA API (ca.h) beside the command line: each opens the CA
 * for itself, so every write is one transaction of its own and the
 * database serialises them.  See doc/oca.1, SERVICE.
 */
#ifndef OCA_SVC_H
#define OCA_SVC_H

#include "ca.h"

#include <sys/types.h>

/* Defaults.  */
#define SVC_MAX_INPUT_DEFAULT   (256 * 1024)  /* Bytes of one key block.  */
#define SVC_MAX_CLIENTS_DEFAULT 64            /* Sessions at once.  */
#define SVC_IDLE_TIMEOUT_DEFAULT 600          /* Seconds without a line.  */
#define SVC_MAX_LIST 64                       /* --allow-user etc.  */
#define SVC_LOCK_WAIT 120                     /* Seconds a writing
                                               * command waits for the
                                               * database.  */

/* The service's options (the oca program's command line).  */
typedef struct svc_opts
{
  const char *socket;          /* --socket PATH, or NULL: the default.  */
  uid_t allow_uids[SVC_MAX_LIST];  /* Peers allowed besides the owner.  */
  size_t nallow;
  const char *certify[SVC_MAX_LIST]; /* What may be certified: a domain
                                * ("example.org") or an address
                                * ("a@example.org"); none: the CA's own
                                * domain.  Normalised (lowercase).  */
  size_t ncertify;
  size_t max_input;            /* Largest key block (0: default).  */
  unsigned int max_clients;    /* Sessions at once (0: default).  */
  unsigned int idle_timeout;   /* Seconds (0: default).  */
  int no_detach;               /* --daemon stays in the foreground.  */
} svc_opts_t;

/* Serve one session on stdin/stdout for the CA of CA_OPTS.  Returns
 * when the client leaves (0) or the session fails.  */
gpg_error_t svc_run_pipe (const ca_opts_t *ca_opts, const svc_opts_t *opts);

/* Serve the socket of OPTS (or the one systemd passes, LISTEN_FDS)
 * until KILLSERVER or SIGTERM.  Unless OPTS->no_detach (or socket
 * activation), the caller's process returns 0 as soon as the socket
 * listens and a detached child serves it.  Set-up errors get a
 * message (ca_errmsg).  */
gpg_error_t svc_run_daemon (const ca_opts_t *ca_opts, const svc_opts_t *opts);

/* The uid of USER (a name or a number) in *R_UID; errors get a
 * message.  */
gpg_error_t svc_parse_user (const char *user, uid_t *r_uid);

/* Check and normalise a --certify-domain / --certify-email value
 * (xfree); errors get a message.  */
gpg_error_t svc_parse_certify (const char *value, int is_email,
                               char **r_norm);

#endif /*OCA_SVC_H*/
