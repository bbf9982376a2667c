/* scd-command.c - an oca-scd session: the command table and the loop
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Registers the handlers of scd-cmd-card.c and scd-cmd-key.c and the
 * session's own commands (RESTART, DISCONNECT, KILLSCD, LOCK,
 * UNLOCK), and runs one Assuan session (scd_command_loop).
 */
#include <config.h>
#include "scd.h"
#include "scd-util.h"
#include "srv-proto.h"

#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>


/*
 * The session's own commands
 */

/* Forget the session's card binding (and with ARG non-zero, after a
 * RESET, reset its card and drop it: it is reopened, all its data
 * read again, on the next use).  Gives up LOCK unless KEEP_LOCK.  */
struct unbind_parm
{
  int reset_card;
  int keep_lock;
};

static gpg_error_t
unbind_card (scd_session_t sess, void *arg)
{
  struct unbind_parm *parm = arg;
  scd_card_t card;

  if (!parm->keep_lock && scd_lock_owner == sess)
    scd_lock_owner = NULL;
  if (parm->reset_card && sess->reader[0]
      && (card = scd_find_card_by_reader (sess->reader)))
    {
      tp_reconnect (card->rd, 1);
      scd_drop_card (card);
    }
  sess->serialno[0] = 0;
  sess->reader[0] = 0;
  sess->card_removed = 0;
  if (!parm->reset_card)
    sess->undefined_app = 0;
  return 0;
}

/* Wipe the SETDATA input of SESS.  */
static void
forget_setdata (scd_session_t sess)
{
  wipe_and_free (sess->setdata, sess->setdatalen);
  sess->setdata = NULL;
  sess->setdatalen = 0;
}

static const char hlp_restart[] =
  "RESTART\n"
  "\n"
  "Release the card binding and the lock of this session (the card\n"
  "is not reset).";
static gpg_error_t
cmd_restart (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  struct unbind_parm parm = { 0, 0 };

  (void)line;
  scd_with_registry (sess, 0, unbind_card, &parm);
  forget_setdata (sess);
  return 0;
}

/* DISCONNECT's work: drop the session's card object (the next command
 * reconnects).  */
static gpg_error_t
drop_card (scd_session_t sess, void *arg)
{
  scd_card_t card;

  (void)arg;
  if (sess->reader[0] && (card = scd_find_card_by_reader (sess->reader)))
    scd_drop_card (card);
  return 0;
}

static const char hlp_disconnect[] =
  "DISCONNECT\n"
  "\n"
  "Disconnect from the card reader (reconnects on next use).";
static gpg_error_t
cmd_disconnect (assuan_context_t ctx, char *line)
{
  (void)line;
  return scd_with_registry (assuan_get_pointer (ctx), 0, drop_card, NULL);
}

static const char hlp_killscd[] =
  "KILLSCD\n"
  "\n"
  "Commit suicide.";
static gpg_error_t
cmd_killscd (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);

  sess->kill_requested = 1;
  scd_shutdown_requested = 1;
  assuan_set_flag (ctx, ASSUAN_FORCE_CLOSE, 1);
  return 0;
}

/* LOCK's work: take the lock unless another session holds it.  */
static gpg_error_t
take_lock (scd_session_t sess, void *arg)
{
  (void)arg;
  if (scd_lock_owner && scd_lock_owner != sess)
    return gpg_error (GPG_ERR_LOCKED);
  scd_lock_owner = sess;
  return 0;
}

static const char hlp_lock[] =
  "LOCK [--wait]\n"
  "\n"
  "Grant exclusive card access to this session.  With --wait poll\n"
  "every second until the lock is available.";
static gpg_error_t
cmd_lock (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  gpg_error_t err;
  int wait = scd_has_option (line, "--wait");

  for (;;)
    {
      err = scd_with_registry (sess, 0, take_lock, NULL);
      if (gpg_err_code (err) != GPG_ERR_LOCKED || !wait)
        return err;
      err = assuan_write_status (ctx, "PROGRESS", "scd_locked . 0 0");
      if (err)
        return err;
      sleep (1);
    }
}

/* UNLOCK's work: give the lock up.  */
static gpg_error_t
give_lock (scd_session_t sess, void *arg)
{
  (void)arg;
  if (scd_lock_owner == sess)
    scd_lock_owner = NULL;
  else if (!scd_lock_owner)
    return gpg_error (GPG_ERR_NOT_LOCKED);
  else
    return gpg_error (GPG_ERR_LOCKED);
  return 0;
}

static const char hlp_unlock[] =
  "UNLOCK\n"
  "\n"
  "Release the exclusive card access of LOCK.";
static gpg_error_t
cmd_unlock (assuan_context_t ctx, char *line)
{
  (void)line;
  return scd_with_registry (assuan_get_pointer (ctx), 0, give_lock, NULL);
}

/*
 * Session set-up
 */

static gpg_error_t
option_handler (assuan_context_t ctx, const char *key, const char *value)
{
  scd_session_t sess = assuan_get_pointer (ctx);

  if (!strcmp (key, "event-signal"))
    sess->event_signal = strtoul (value, NULL, 0);
  return 0;   /* Unknown options are accepted (spec B.1).  */
}

/* RESET: reset the session's card, forget its binding and SETDATA
 * and give up LOCK (but with --keep-lock).  */
static gpg_error_t
reset_notify (assuan_context_t ctx, char *line)
{
  scd_session_t sess = assuan_get_pointer (ctx);
  struct unbind_parm parm;

  parm.reset_card = 1;
  parm.keep_lock = line && strstr (line, "--keep-lock");
  scd_with_registry (sess, 0, unbind_card, &parm);
  forget_setdata (sess);
  return 0;
}

/* Log each command (debug level basic); SETDATA data is not logged.  */
static gpg_error_t
pre_cmd_notify (assuan_context_t ctx, const char *cmd)
{
  if (scd_opt.verbose || scd_opt.debug_level)
    scd_log ("command: %s", cmd);
  return 0;
}

static const struct
{
  const char *name;
  assuan_handler_t handler;
  const char *help;
} command_table[] =
  {
    { "SERIALNO",   scd_cmd_serialno,   scd_hlp_serialno },
    { "LEARN",      scd_cmd_learn,      scd_hlp_learn },
    { "READCERT",   scd_cmd_readcert,   scd_hlp_readcert },
    { "READKEY",    scd_cmd_readkey,    scd_hlp_readkey },
    { "SETDATA",    scd_cmd_setdata,    scd_hlp_setdata },
    { "PKSIGN",     scd_cmd_pksign,     scd_hlp_pksign },
    { "PKAUTH",     scd_cmd_pkauth,     scd_hlp_pkauth },
    { "PKDECRYPT",  scd_cmd_pkdecrypt,  scd_hlp_pkdecrypt },
    { "INPUT",      NULL,               NULL },
    { "OUTPUT",     NULL,               NULL },
    { "GETATTR",    scd_cmd_getattr,    scd_hlp_getattr },
    { "SETATTR",    scd_cmd_setattr,    scd_hlp_setattr },
    { "WRITECERT",  scd_cmd_writecert,  scd_hlp_writecert },
    { "WRITEKEY",   scd_cmd_writekey,   scd_hlp_writekey },
    { "GENKEY",     scd_cmd_genkey,     scd_hlp_genkey },
    { "RANDOM",     scd_cmd_random,     scd_hlp_random },
    { "PASSWD",     scd_cmd_passwd,     scd_hlp_passwd },
    { "CHECKPIN",   scd_cmd_checkpin,   scd_hlp_checkpin },
    { "LOCK",       cmd_lock,           hlp_lock },
    { "UNLOCK",     cmd_unlock,         hlp_unlock },
    { "GETINFO",    scd_cmd_getinfo,    scd_hlp_getinfo },
    { "RESTART",    cmd_restart,        hlp_restart },
    { "DISCONNECT", cmd_disconnect,     hlp_disconnect },
    { "APDU",       scd_cmd_apdu,       scd_hlp_apdu },
    { "KILLSCD",    cmd_killscd,        hlp_killscd },
    { "KEYINFO",    scd_cmd_keyinfo,    scd_hlp_keyinfo },
    { "DEVINFO",    scd_cmd_devinfo,    scd_hlp_devinfo },
    { "SWITCHCARD", scd_cmd_switchcard, scd_hlp_switchcard },
    { "SWITCHAPP",  scd_cmd_switchapp,  scd_hlp_switchapp },
    { NULL, NULL, NULL }
  };

/* Run the handler of the current command and log a failure (the
 * post-command hook of libassuan only sees the write status).  */
static gpg_error_t
dispatch_command (assuan_context_t ctx, char *line)
{
  const char *name = assuan_get_command_name (ctx);
  gpg_error_t err;
  int i;

  for (i = 0; command_table[i].name; i++)
    if (command_table[i].handler
        && name && !strcasecmp (name, command_table[i].name))
      break;
  if (!command_table[i].name)
    return gpg_error (GPG_ERR_ASS_UNKNOWN_CMD);
  err = command_table[i].handler (ctx, line);
  if (err && (scd_opt.verbose || scd_opt.debug_level))
    scd_log ("command '%s' failed: %s <%s>", name, gpg_strerror (err),
             gpg_strsource (err));
  return err;
}

static gpg_error_t
register_commands (assuan_context_t ctx)
{
  gpg_error_t err;
  int i;

  for (i = 0; command_table[i].name; i++)
    {
      err = assuan_register_command (ctx, command_table[i].name,
                                     command_table[i].handler
                                     ? dispatch_command : NULL,
                                     command_table[i].help);
      if (err)
        return err;
    }
  assuan_set_hello_line (ctx, "GNU Privacy Guard's Smartcard server ready");
  assuan_register_reset_notify (ctx, reset_notify);
  assuan_register_option_handler (ctx, option_handler);
  assuan_register_pre_cmd_notify (ctx, pre_cmd_notify);
  return 0;
}

/* Log a skipped over-long command line (debug level basic).  */
static void
note_long_line (const char *text)
{
  if (scd_opt.verbose || scd_opt.debug_level)
    scd_log ("%s", text);
}

gpg_error_t
scd_command_loop (assuan_context_t ctx, int is_pipe)
{
  gpg_error_t err;
  scd_session_t sess;

  sess = xtrycalloc (1, sizeof *sess);
  if (!sess)
    return oca_error_from_errno ();
  sess->ctx = ctx;
  sess->is_pipe = is_pipe;
  assuan_set_pointer (ctx, sess);
  err = register_commands (ctx);
  if (err)
    goto leave;
  scd_session_enter (sess);
  for (;;)
    {
      err = assuan_accept (ctx);
      if (err == (gpg_error_t)-1 || gpg_err_code (err) == GPG_ERR_EOF)
        {
          err = 0;
          break;
        }
      if (err)
        {
          scd_log ("Assuan accept problem: %s", gpg_strerror (err));
          break;
        }
      /* An over-long line gets ERR (scdaemon drops the connection).  */
      err = srv_process (ctx, &sess->kill_requested, note_long_line);
      if (err)
        scd_log ("Assuan processing failed: %s", gpg_strerror (err));
      if (sess->kill_requested)
        break;
    }
  scd_session_leave (sess);

 leave:
  wipe_and_free (sess->setdata, sess->setdatalen);
  xfree (sess);
  return err;
}
