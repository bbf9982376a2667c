/* svc-session.c - one Assuan session of the CA service
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Registers the CA commands of svc-cmd.c and the session's own
 * (GETINFO, KILLSERVER; libassuan has NOP, BYE, RESET, HELP, ...), and
 * runs every CA command the same way: split its options (svc-util.c),
 * INQUIRE its key block (bounded), open the CA as the command says --
 * read-only, or read-write in one transaction -- call the handler,
 * commit, release.  The inquiry comes before the database is opened:
 * a client that stalls holds no lock.  An error becomes the ERR line
 * with its gpg_error_t code and the core's one-line message; nothing a
 * client sends ends the service.
 */
#include <config.h>
#include "svc-int.h"
#include "srv-proto.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>


/* Find the table row of the current command of CTX.  */
static const svc_command_t *
find_command (assuan_context_t ctx)
{
  const char *name = assuan_get_command_name (ctx);
  const svc_command_t *cmd;

  for (cmd = svc_commands; name && cmd->name; cmd++)
    if (!strcasecmp (name, cmd->name))
      return cmd;
  return NULL;
}


/* Start the transaction of a writing command on CA.  The database
 * waits a while for the write lock (db/); under a heavy load of
 * writers a session may still find it taken: it tries again, up to
 * SVC_LOCK_WAIT seconds in all, so that no request fails for that.  */
static gpg_error_t
begin_write (ca_t *ca)
{
  gpg_error_t err;
  time_t start = time (NULL);

  while (gpg_err_code (err = ca_begin (ca)) == GPG_ERR_LOCKED
         && time (NULL) - start < SVC_LOCK_WAIT)
    ca_clear_errmsg ();
  return err;
}


/* Run the CA command of CTX with the arguments LINE.  */
static gpg_error_t
run_command (assuan_context_t ctx, svc_session_t *sess,
             const svc_command_t *cmd, char *line)
{
  gpg_error_t err;
  svc_args_t args;
  svc_call_t call;
  unsigned char *input = NULL;
  size_t inputlen = 0;
  ca_t *ca = NULL;

  memset (&call, 0, sizeof call);
  err = svc_args_parse (line, cmd->options, cmd->maxargs, &args);
  if (err)
    return err;
  call.sess = sess;
  call.ctx = ctx;
  call.args = &args;
  if (cmd->check && (err = cmd->check (&call)))
    goto leave;
  /* LINE is the connection's buffer, which the inquiry reuses: the
   * arguments are copies.  */
  if ((cmd->flags & SVC_INPUT))
    {
      err = srv_inquire (ctx, "KEYBLOCK", sess->opts->max_input, 0,
                         &input, &inputlen);
      if (gpg_err_code (err) == GPG_ERR_ASS_TOO_MUCH_DATA)
        ca_set_errmsg (err, "the key block is larger than %zu bytes",
                       sess->opts->max_input);
      else if (!err && !inputlen)
        err = ca_set_errmsg (gpg_error (GPG_ERR_NO_DATA),
                             "no key block was sent");
      if (err)
        goto leave;
    }
  if ((cmd->flags & (SVC_CA_READ | SVC_CA_WRITE)))
    {
      err = ca_open (sess->ca_opts, CA_OPEN_UNATTENDED
                     | ((cmd->flags & SVC_CA_WRITE) ? 0 : CA_OPEN_READONLY),
                     &ca);
      if (!err && (cmd->flags & SVC_CA_WRITE))
        err = begin_write (ca);
      if (err)
        goto leave;
    }
  call.ca = ca;
  call.input = input;
  call.inputlen = inputlen;
  err = cmd->handler (&call);
  if (!err && (cmd->flags & SVC_CA_WRITE) && !call.no_commit
      && !call.committed)
    err = ca_commit (ca);

 leave:
  ca_release (ca);      /* Rolls back what was not committed.  */
  wipe_and_free (input, inputlen);
  svc_args_release (&args);
  return err;
}


/* Every command of the table comes here.  */
static gpg_error_t
dispatch (assuan_context_t ctx, char *line)
{
  svc_session_t *sess = assuan_get_pointer (ctx);
  const svc_command_t *cmd = find_command (ctx);
  gpg_error_t err;
  const char *msg;

  if (!cmd)
    return gpg_error (GPG_ERR_ASS_UNKNOWN_CMD);
  ca_clear_errmsg ();
  err = run_command (ctx, sess, cmd, line);
  if (!err)
    return 0;
  /* The core's and our errors carry oca's source.  */
  if (gpg_err_source (err) == GPG_ERR_SOURCE_UNKNOWN)
    err = gpg_err_make (GPG_ERR_SOURCE_DEFAULT, gpg_err_code (err));
  msg = ca_errmsg ();
  if (sess->socket_name)
    svc_log ("%s failed: %s", cmd->name, msg ? msg : gpg_strerror (err));
  return msg ? assuan_set_error (ctx, err, msg) : err;
}


static const char hlp_getinfo[] =
  "GETINFO WHAT\n"
  "\n"
  "Data lines with the information WHAT:\n"
  "  version     - the version of oca\n"
  "  pid         - the process id of the service (the daemon's)\n"
  "  socket_name - the socket of the daemon (error on a pipe)";
static gpg_error_t
cmd_getinfo (assuan_context_t ctx, char *line)
{
  svc_session_t *sess = assuan_get_pointer (ctx);
  char buf[32];

  if (!strcmp (line, "version"))
    return svc_send_text (ctx, PACKAGE_VERSION);
  if (!strcmp (line, "pid"))
    {
      snprintf (buf, sizeof buf, "%lu", (unsigned long)(sess->server_pid
                                                        ? sess->server_pid
                                                        : getpid ()));
      return svc_send_text (ctx, buf);
    }
  if (!strcmp (line, "socket_name"))
    {
      if (!sess->socket_name)
        return assuan_set_error (ctx, gpg_error (GPG_ERR_NO_DATA),
                                 "not serving a socket");
      return svc_send_text (ctx, sess->socket_name);
    }
  return assuan_set_error (ctx, gpg_error (GPG_ERR_ASS_PARAMETER),
                           "unknown value for WHAT");
}


static const char hlp_killserver[] =
  "KILLSERVER\n"
  "\n"
  "Stop the service: the daemon stops accepting connections, lets the\n"
  "other sessions finish their commands and exits.";
static gpg_error_t
cmd_killserver (assuan_context_t ctx, char *line)
{
  svc_session_t *sess = assuan_get_pointer (ctx);

  (void)line;
  sess->kill_requested = 1;
  if (sess->server_pid)
    kill (sess->server_pid, SIGTERM);
  assuan_set_flag (ctx, ASSUAN_FORCE_CLOSE, 1);
  return 0;
}


/* Log over-long lines (daemon only).  */
static void
note_long_line (const char *text)
{
  svc_log ("%s", text);
}


gpg_error_t
svc_session (assuan_context_t ctx, svc_session_t *sess)
{
  gpg_error_t err;
  const svc_command_t *cmd;

  sess->ctx = ctx;
  assuan_set_pointer (ctx, sess);
  for (cmd = svc_commands; cmd->name; cmd++)
    {
      err = assuan_register_command (ctx, cmd->name, dispatch, cmd->help);
      if (err)
        return err;
    }
  err = assuan_register_command (ctx, "GETINFO", cmd_getinfo, hlp_getinfo);
  if (!err)
    err = assuan_register_command (ctx, "KILLSERVER", cmd_killserver,
                                   hlp_killserver);
  if (err)
    return err;
  assuan_set_hello_line (ctx, "oca CA service ready");

  for (;;)
    {
      err = assuan_accept (ctx);
      if (err == (gpg_error_t)-1 || gpg_err_code (err) == GPG_ERR_EOF)
        {
          err = 0;
          break;
        }
      if (err)
        break;
      err = srv_process (ctx, &sess->kill_requested,
                         sess->socket_name ? note_long_line : NULL);
      if (err || sess->kill_requested)
        break;
    }
  return err;
}
