/* svc-int.h - inside the CA service: sessions, commands, helpers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The files of src/svc/, each using only those listed below it:
 *
 *   svc-daemon.c   the socket: its place and checks, socket
 *                  activation, access (SO_PEERCRED), a process per
 *                  connection, KILLSERVER and SIGTERM
 *   svc-session.c  one Assuan session: registration of the command
 *                  table, the dispatch every command goes through
 *                  (options, INQUIRE, open CA, transaction, ERR text),
 *                  GETINFO, KILLSERVER
 *   svc-cmd.c      the CA commands: the table and its handlers
 *   svc-call.c     what a handler uses: status and data lines, the
 *                  certification policy check, the log
 *   svc-util.c     options of a command line, the policy and peer
 *                  rules, option values (pure; unit tested)
 *
 * Adding a command for a new core function: a handler in svc-cmd.c
 * (it gets the parsed options, the open CA and the inquired data, and
 * writes status and data lines) and one row of svc_commands.
 */
#ifndef OCA_SVC_INT_H
#define OCA_SVC_INT_H

#include "svc.h"
#include <assuan.h>


/*-- Options of a command line (svc-util.c) --*/

/* Most options and arguments on one command line.  */
#define SVC_MAX_ARGS 64

/* A command line split into options and arguments.  Values are
 * percent-plus unescaped ("Alice+Doe", "Alice%20Doe").  */
typedef struct svc_args
{
  struct
  {
    const char *name;          /* From the command's spec (static).  */
    char *value;               /* NULL for a flag.  */
  } opt[SVC_MAX_ARGS];
  size_t nopt;
  char *arg[SVC_MAX_ARGS];     /* The arguments after the options.  */
  size_t narg;
} svc_args_t;

/* Split LINE by SPEC: a comma-separated list of option names, each
 * followed by '=' (takes a value: "--name=V" or "--name V"), '*' (the
 * same, repeatable) or nothing (a flag).  Options may come before and
 * after the arguments ("CHECK expiry --days 7"); "--" ends them.  At
 * most MAXARGS arguments.  Errors: GPG_ERR_UNKNOWN_OPTION,
 * GPG_ERR_MISSING_VALUE, GPG_ERR_TOO_MANY (repeated, or too many
 * arguments), GPG_ERR_ASS_SYNTAX (a broken escape); each with a
 * message.  */
gpg_error_t svc_args_parse (const char *line, const char *spec,
                            size_t maxargs, svc_args_t *r_args);
void svc_args_release (svc_args_t *args);
/* The value of option NAME (the last one), or NULL.  */
const char *svc_args_get (const svc_args_t *args, const char *name);
/* Whether flag NAME was given.  */
int svc_args_has (const svc_args_t *args, const char *name);
/* The values of option NAME in order into VALUES (at most MAX); their
 * number.  */
size_t svc_args_all (const svc_args_t *args, const char *name,
                     const char **values, size_t max);


/*-- Status lines (svc-call.c) --*/

/* Longest free text (User ID, name) of a status line before escaping:
 * longer ones are cut (the line must stay below 1000 bytes).  */
#define SVC_STATUS_TEXT_MAX 300

/* Write "S KEYWORD V1 V2 ..." (the NULL-terminated values, escaped as
 * scdaemon escapes status values; an empty value is written as "-",
 * the last one is cut to SVC_STATUS_TEXT_MAX bytes).  */
gpg_error_t svc_status (assuan_context_t ctx, const char *keyword, ...)
  __attribute__ ((sentinel));


/*-- Certification policy and peers (svc-util.c) --*/

/* Whether OPTS allow certifying the normalised address EMAIL for a CA
 * of domain CA_DOMAIN (no --certify-* option: the CA's domain).  */
int svc_may_certify (const svc_opts_t *opts, const char *ca_domain,
                     const char *email);

/* Whether the peer UID may use the service run by OWNER.  */
int svc_peer_allowed (const svc_opts_t *opts, uid_t owner, uid_t uid);


/*-- Sessions (svc-session.c) --*/

/* One client's session.  */
typedef struct svc_session
{
  assuan_context_t ctx;
  const ca_opts_t *ca_opts;
  const svc_opts_t *opts;
  const char *socket_name;     /* The daemon's socket, NULL on a pipe.  */
  const char *ca_domain;       /* The CA's domain (the default policy).  */
  pid_t server_pid;            /* The daemon (KILLSERVER), or 0.  */
  int kill_requested;
} svc_session_t;

/* What a command handler gets.  */
typedef struct svc_call
{
  svc_session_t *sess;
  assuan_context_t ctx;
  const svc_args_t *args;
  ca_t *ca;                    /* Open as the command's flags say.  */
  const unsigned char *input;  /* The inquired data (SVC_INPUT).  */
  size_t inputlen;
  int no_commit;               /* Set by a writing handler: nothing to
                                * store, roll back.  */
  int committed;               /* svc_commit was called.  */
} svc_call_t;

typedef gpg_error_t (*svc_handler_t) (svc_call_t *call);

/* Flags of a command.  */
#define SVC_CA_READ   1        /* Open the CA read-only.  */
#define SVC_CA_WRITE  2        /* Open it read-write, in a transaction
                                * committed after the handler.  */
#define SVC_INPUT     4        /* INQUIRE KEYBLOCK first (bounded).  */

/* A command of the service.  */
typedef struct svc_command
{
  const char *name;
  svc_handler_t handler;
  svc_handler_t check;         /* Or NULL: checks the options before the
                                * inquiry (no CA open yet).  */
  unsigned int flags;          /* SVC_*.  */
  const char *options;         /* Spec for svc_args_parse.  */
  size_t maxargs;              /* Arguments after the options.  */
  const char *help;
} svc_command_t;

/* The CA commands (svc-cmd.c), ended by a NULL name.  */
extern const svc_command_t svc_commands[];

/* The revocation commands (svc-revoke.c): handlers and help texts of
 * rows of svc_commands.  */
gpg_error_t svc_cmd_addrevocation (svc_call_t *call);
gpg_error_t svc_cmd_revoke (svc_call_t *call);
extern const char svc_hlp_addrevocation[];
extern const char svc_hlp_revoke[];

/* Serve one session on CTX (initialised) until the client leaves,
 * BYE or KILLSERVER.  */
gpg_error_t svc_session (assuan_context_t ctx, svc_session_t *sess);



/*-- What a handler uses (svc-call.c) --*/

/* Commit the transaction of CALL now, so that what the handler says
 * next is what was stored (else the session commits after the
 * handler).  */
gpg_error_t svc_commit (svc_call_t *call);

/* Write the text TEXT as data lines (D) of the current command.  */
gpg_error_t svc_send_text (assuan_context_t ctx, const char *text);

/* Check that every one of the N addresses EMAILS may be certified by
 * CALL's service (GPG_ERR_FORBIDDEN with a message).  */
gpg_error_t svc_check_policy (svc_call_t *call, const char *const *emails,
                              size_t n);

/* Log FMT (one line, with the time and pid) on stderr.  */
void svc_log (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif /*OCA_SVC_INT_H*/
