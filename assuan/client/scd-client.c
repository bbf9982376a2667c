/* scd-client.c - Assuan client for the scdaemon protocol
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See scd-client.h.  The library's core: the connection (pipe to a
 * server, or gpg-agent), one transaction with its status, data and
 * inquiry callbacks (PINs through the caller's callback, secrets in
 * confidential D lines), and the card selection commands.  Card
 * information is parsed in scd-cardinfo.c, keys and operations live in
 * scd-keyops.c, data objects and algorithms in scd-carddo.c.  All
 * server output is treated as untrusted: status values are unescaped
 * with bounds checks, D data is collected in a capped membuf_t and
 * binary answers are read through brd_t.
 */
#include <config.h>
#include "scd-client.h"

#include <assuan.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "membuf.h"
#include "scd-proto.h"
#include "scd-client-int.h"

/* Escaped secret bytes per D line.  */
#define DLINE_CHUNK 300

struct scd_client_s
{
  assuan_context_t ctx;
  int via_agent;
  scd_pin_cb_t pin_cb;
  void *pin_opaque;
  scd_pinpad_cb_t pinpad_cb;
  void *pinpad_opaque;
};

/* A log callback that logs nothing: library code never prints.  */
static int
no_log_cb (assuan_context_t ctx, void *hook, unsigned int cat,
           const char *msg)
{
  return 0;
}


gpg_error_t
scd_unescape (const char *s, size_t n, int plus,
              unsigned char **r_buf, size_t *r_len)
{
  gpg_error_t err;
  membuf_t mb;

  *r_buf = NULL;
  *r_len = 0;
  membuf_init (&mb, n + 1, 0);
  err = scd_unescape_to (&mb, s, n, plus);
  if (gpg_err_code (err) == GPG_ERR_INV_DATA)
    err = gpg_error (GPG_ERR_INV_RESPONSE);
  if (!err)
    err = membuf_take (&mb, r_buf, r_len);
  membuf_release (&mb);
  return err;
}


/* Send LEN bytes of secret DATA as escaped D lines built in secure
 * memory (so no copy of the secret lands in libassuan's buffers), and
 * append a NUL byte when ADD_NUL.  The caller has begun the
 * confidential section.  */
static gpg_error_t
send_secret_data (assuan_context_t ctx, const unsigned char *data,
                  size_t len, int add_nul)
{
  gpg_error_t err = 0;
  char *line;
  size_t i, n;

  line = xtrymalloc_secure (2 + 3 * DLINE_CHUNK + 1);
  if (!line)
    return oca_error_from_errno ();
  i = 0;
  while (i < len || add_nul)
    {
      memcpy (line, "D ", 2);
      n = 2;
      for (; i < len && n < 2 + 3 * (DLINE_CHUNK - 1); i++)
        {
          unsigned char c = data[i];

          if (c == '%' || c == '\r' || c == '\n' || !c)
            {
              snprintf (line + n, 4, "%%%02X", c);
              n += 3;
            }
          else
            line[n++] = c;
        }
      if (i == len && add_nul && n < 2 + 3 * (DLINE_CHUNK - 1))
        {
          memcpy (line + n, "%00", 3);
          n += 3;
          add_nul = 0;
        }
      line[n] = 0;
      err = assuan_write_line (ctx, line);
      wipememory (line, n);
      if (err)
        break;
    }
  xfree (line);
  return err;
}


/* Answer a PIN inquiry (KEYWORD with ARGS) using the PIN callback.  */
static gpg_error_t
answer_pin (struct transact_parm_s *parm, const char *keyword,
            const char *args)
{
  scd_client_t scd = parm->scd;
  gpg_error_t err;
  scd_pin_request_t req;
  scd_pinflags_t flags;
  unsigned char *prompt = NULL;
  size_t promptlen;
  const char *p;
  char *pin = NULL;

  memset (&req, 0, sizeof req);
  memset (&flags, 0, sizeof flags);
  if (!scd->pin_cb)
    return gpg_error (GPG_ERR_NO_PIN_ENTRY);

  req.keyword = keyword;
  req.seq = parm->pin_seq++;
  if (!strcmp (keyword, "NEEDPIN"))
    {
      /* "|FLAGS|text": flags between bars, text percent-escaped.  */
      p = scd_pinflags_parse (args, &flags);
      err = scd_unescape (p, strlen (p), 0, &prompt, &promptlen);
      if (err)
        goto leave;
    }
  else
    {
      /* gpg-agent loopback: "PASSPHRASE" or "NEW_PASSPHRASE"; the
       * agent drops scdaemon's flags and prompt (2.2.40: divert-scd.c
       * getpin_cb -> agent_askpin -> pinentry_loopback), so derive
       * them from the command we sent.  */
      req.via_agent = 1;
      if (parm->cmd)
        scd_pinflags_for_command (parm->cmd, req.seq, &flags);
      if (!strcmp (keyword, "NEW_PASSPHRASE"))
        flags.newpin = 1;
      prompt = (unsigned char *)xtrystrdup ("");
      if (!prompt)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
    }
  req.admin = flags.admin;
  req.newpin = flags.newpin;
  req.resetcode = flags.resetcode;
  req.prompt = (const char *)prompt;

  err = scd->pin_cb (scd->pin_opaque, &req, &pin);
  if (err)
    goto leave;
  if (!pin)
    {
      err = gpg_error (GPG_ERR_NO_PIN);
      goto leave;
    }
  if (strlen (pin) > 100)
    {
      err = gpg_error (GPG_ERR_TOO_LARGE);
      goto leave;
    }
  /* scdaemon requires the reply to end in a NUL (it gets 90 NUL-padded
   * bytes from gpg-agent); gpg-agent's loopback takes the bare PIN.  */
  assuan_begin_confidential (scd->ctx);
  err = send_secret_data (scd->ctx, (const unsigned char *)pin, strlen (pin),
                          !req.via_agent);
  assuan_end_confidential (scd->ctx);

 leave:
  wipe_and_free_string (pin);
  xfree (prompt);
  return err;
}


/* Tell the pin-pad callback of SCD about the prompt ARGS ("|FLAGS|
 * text", escaped) of a POPUPPINPADPROMPT.  */
static gpg_error_t
answer_pinpad (scd_client_t scd, const char *args)
{
  gpg_error_t err;
  scd_pinflags_t flags;
  unsigned char *prompt = NULL;
  size_t promptlen;
  const char *p;

  memset (&flags, 0, sizeof flags);
  p = scd_pinflags_parse (args, &flags);
  err = scd_unescape (p, strlen (p), 0, &prompt, &promptlen);
  if (!err)
    err = scd->pinpad_cb (scd->pinpad_opaque, (const char *)prompt,
                          flags.admin);
  xfree (prompt);
  return err;
}


/* The assuan_transact inquiry callback.  */
static gpg_error_t
inquire_cb (void *opaque, const char *line)
{
  struct transact_parm_s *parm = opaque;
  char keyword[64];
  const char *args = line;

  if (scd_next_word (&args, keyword, sizeof keyword))
    return gpg_error (GPG_ERR_ASS_UNKNOWN_INQUIRE);

  if (!strcmp (keyword, "NEEDPIN") || !strcmp (keyword, "PASSPHRASE")
      || !strcmp (keyword, "NEW_PASSPHRASE"))
    return answer_pin (parm, keyword, args);
  if (parm->inq_keyword && !strcmp (keyword, parm->inq_keyword))
    {
      gpg_error_t err;

      assuan_begin_confidential (parm->scd->ctx);
      err = send_secret_data (parm->scd->ctx, parm->inq_data, parm->inq_len,
                              0);
      assuan_end_confidential (parm->scd->ctx);
      return err;
    }
  if (!strcmp (keyword, "POPUPPINPADPROMPT") && parm->scd->pinpad_cb)
    return answer_pinpad (parm->scd, args);
  if (!strcmp (keyword, "DISMISSPINPADPROMPT") && parm->scd->pinpad_cb)
    {
      parm->scd->pinpad_cb (parm->scd->pinpad_opaque, NULL, 0);
      return 0;
    }
  /* Notifications that want an empty answer.  */
  if (!strcmp (keyword, "PINENTRY_LAUNCHED")
      || !strcmp (keyword, "POPUPPINPADPROMPT")
      || !strcmp (keyword, "DISMISSPINPADPROMPT")
      || !strcmp (keyword, "KNOWNCARDP"))
    return 0;
  return gpg_error (GPG_ERR_ASS_UNKNOWN_INQUIRE);
}


/* The assuan_transact data callback.  */
static gpg_error_t
data_cb (void *opaque, const void *buf, size_t len)
{
  struct transact_parm_s *parm = opaque;

  if (!parm->want_data)
    return gpg_error (GPG_ERR_UNEXPECTED);
  if (buf && len)
    {
      membuf_put (&parm->data, buf, len);
      return membuf_error (&parm->data);
    }
  return 0;
}


/* The assuan_transact status callback.  */
static gpg_error_t
status_cb (void *opaque, const char *line)
{
  struct transact_parm_s *parm = opaque;
  char keyword[64];
  const char *args = line;

  if (scd_next_word (&args, keyword, sizeof keyword) || !*keyword)
    return 0;  /* Not a keyword we know; ignore.  */
  if (!strcmp (keyword, "INQUIRE_MAXLEN") || !strcmp (keyword, "PROGRESS")
      || !strcmp (keyword, "PINENTRY_LAUNCHED"))
    return 0;
  if (parm->status_cb)
    return parm->status_cb (parm->status_opaque, keyword, args);
  return 0;
}


gpg_error_t
_scd_transact (scd_client_t scd, const char *cmd, struct transact_parm_s *parm)
{
  gpg_error_t err;
  char *line = NULL;

  parm->scd = scd;
  parm->cmd = cmd;
  if (scd->via_agent)
    {
      line = xtrymalloc (4 + strlen (cmd) + 1);
      if (!line)
        return oca_error_from_errno ();
      strcpy (stpcpy (line, "SCD "), cmd);
      cmd = line;
    }
  if (strlen (cmd) > SCD_LINE_MAX || strchr (cmd, '\n'))
    {
      err = gpg_error (GPG_ERR_TOO_LARGE);
      goto leave;
    }
  err = assuan_transact (scd->ctx, cmd, data_cb, parm, inquire_cb, parm,
                         status_cb, parm);

 leave:
  xfree (line);
  return err;
}


void
_scd_parm_init (struct transact_parm_s *parm, int want_data, int secure)
{
  memset (parm, 0, sizeof *parm);
  parm->want_data = want_data;
  membuf_init (&parm->data, MAX_DATA_LEN, secure);
}


gpg_error_t
_scd_parm_take_data (struct transact_parm_s *parm, unsigned char **r_data,
                size_t *r_len)
{
  return membuf_take (&parm->data, r_data, r_len);
}


gpg_error_t
scd_client_command (scd_client_t scd, const char *line,
                    scd_status_cb_t status_cb_fnc, void *opaque,
                    unsigned char **r_data, size_t *r_datalen)
{
  gpg_error_t err;
  struct transact_parm_s parm;

  if (r_data)
    *r_data = NULL;
  if (r_datalen)
    *r_datalen = 0;
  _scd_parm_init (&parm, !!r_data, 0);
  parm.status_cb = status_cb_fnc;
  parm.status_opaque = opaque;
  err = _scd_transact (scd, line, &parm);
  if (!err && r_data)
    err = _scd_parm_take_data (&parm, r_data, r_datalen);
  membuf_release (&parm.data);
  return err;
}



/*
 * Connection.
 */

/* Create the client object with a fresh, silent Assuan context.  */
static gpg_error_t
client_new (scd_client_t *r_scd)
{
  gpg_error_t err;
  scd_client_t scd;

  *r_scd = NULL;
  scd = xtrycalloc (1, sizeof *scd);
  if (!scd)
    return oca_error_from_errno ();
  err = assuan_new_ext (&scd->ctx, GPG_ERR_SOURCE_DEFAULT,
                        assuan_get_malloc_hooks (),
                        no_log_cb, NULL);
  if (err)
    {
      xfree (scd);
      return err;
    }
  assuan_set_flag (scd->ctx, ASSUAN_NO_LOGGING, 1);
  *r_scd = scd;
  return 0;
}


gpg_error_t
scd_client_spawn (scd_client_t *r_scd, const char *program,
                  const char *const *extra_args, unsigned int flags)
{
  gpg_error_t err;
  scd_client_t scd = NULL;
  const char **argv = NULL;
  const char *pgmname;
  size_t nextra = 0, i;
  assuan_fd_t keep_fds[2];

  *r_scd = NULL;
  if (!program || !*program)
    return gpg_error (GPG_ERR_INV_ARG);
  if (access (program, X_OK))
    return oca_error_from_errno ();
  while (extra_args && extra_args[nextra])
    nextra++;
  argv = xtrycalloc (nextra + 3, sizeof *argv);
  if (!argv)
    return oca_error_from_errno ();
  pgmname = strrchr (program, '/');
  argv[0] = pgmname ? pgmname + 1 : program;
  argv[1] = "--server";
  for (i = 0; i < nextra; i++)
    argv[2 + i] = extra_args[i];
  argv[2 + nextra] = NULL;

  err = client_new (&scd);
  if (err)
    goto leave;

  i = 0;
  if ((flags & SCD_SPAWN_KEEP_STDERR))
    keep_fds[i++] = assuan_fd_from_posix_fd (2);
  keep_fds[i] = ASSUAN_INVALID_FD;
  err = assuan_pipe_connect (scd->ctx, program, argv, keep_fds,
                             NULL, NULL, 0);
  if (err)
    goto leave;

  *r_scd = scd;
  scd = NULL;

 leave:
  scd_client_release (scd);
  xfree (argv);
  return err;
}


/* Run "gpgconf ARGS" and return its first output line in *R_LINE.  */
static gpg_error_t
run_gpgconf (const char *args, char **r_line)
{
  gpg_error_t err;
  char cmd[128];
  char buf[1024];
  FILE *fp;
  size_t n;
  int rc;

  *r_line = NULL;
  snprintf (cmd, sizeof cmd, "gpgconf %s 2>/dev/null", args);
  fp = popen (cmd, "r");
  if (!fp)
    return oca_error_from_errno ();
  if (!fgets (buf, sizeof buf, fp))
    buf[0] = 0;
  while (fgetc (fp) != EOF)
    ;
  rc = pclose (fp);
  if (rc)
    return gpg_error (GPG_ERR_NOT_FOUND);
  n = strcspn (buf, "\r\n");
  buf[n] = 0;
  *r_line = xtrystrdup (buf);
  if (!*r_line)
    return oca_error_from_errno ();
  err = 0;
  return err;
}


gpg_error_t
scd_client_connect_agent (scd_client_t *r_scd, const char *socket_name)
{
  gpg_error_t err;
  scd_client_t scd = NULL;
  char *path = NULL;
  char *dummy = NULL;

  *r_scd = NULL;
  if (!socket_name)
    {
      err = run_gpgconf ("--list-dirs agent-socket", &path);
      if (err)
        goto leave;
      if (!*path)
        {
          err = gpg_error (GPG_ERR_NO_AGENT);
          goto leave;
        }
      socket_name = path;
    }

  err = client_new (&scd);
  if (err)
    goto leave;
  err = assuan_socket_connect (scd->ctx, socket_name, ASSUAN_INVALID_PID, 0);
  if (err && path)
    {
      /* Not running: start it the way gpg does, and try again.  */
      assuan_release (scd->ctx);
      scd->ctx = NULL;
      err = run_gpgconf ("--launch gpg-agent", &dummy);
      if (!err)
        err = assuan_new_ext (&scd->ctx, GPG_ERR_SOURCE_DEFAULT,
                        assuan_get_malloc_hooks (),
                              no_log_cb, NULL);
      if (!err)
        {
          assuan_set_flag (scd->ctx, ASSUAN_NO_LOGGING, 1);
          err = assuan_socket_connect (scd->ctx, socket_name,
                                       ASSUAN_INVALID_PID, 0);
        }
    }
  if (err)
    goto leave;
  scd->via_agent = 1;

  /* PINs come from our callback, not from a pinentry.  */
  err = assuan_transact (scd->ctx, "OPTION pinentry-mode=loopback",
                         NULL, NULL, NULL, NULL, NULL, NULL);
  if (err)
    goto leave;

  *r_scd = scd;
  scd = NULL;

 leave:
  scd_client_release (scd);
  xfree (path);
  xfree (dummy);
  return err;
}


gpg_error_t
scd_client_connect_fd (scd_client_t *r_scd, int fd, int via_agent)
{
  gpg_error_t err;
  scd_client_t scd = NULL;

  *r_scd = NULL;
  err = client_new (&scd);
  if (!err)
    err = assuan_socket_connect_fd (scd->ctx, assuan_fd_from_posix_fd (fd),
                                    0);
  if (err)
    {
      scd_client_release (scd);
      return err;
    }
  scd->via_agent = !!via_agent;
  *r_scd = scd;
  return 0;
}


void
scd_client_release (scd_client_t scd)
{
  if (!scd)
    return;
  if (scd->ctx)
    assuan_release (scd->ctx);
  xfree (scd);
}


void
scd_client_set_pin_cb (scd_client_t scd, scd_pin_cb_t cb, void *opaque)
{
  scd->pin_cb = cb;
  scd->pin_opaque = opaque;
}


void
scd_client_set_pinpad_cb (scd_client_t scd, scd_pinpad_cb_t cb,
                          void *opaque)
{
  scd->pinpad_cb = cb;
  scd->pinpad_opaque = opaque;
}


gpg_error_t
scd_client_agent_pinentry (scd_client_t scd)
{
  if (!scd->via_agent)
    return 0;
  return assuan_transact (scd->ctx, "OPTION pinentry-mode=ask",
                          NULL, NULL, NULL, NULL, NULL, NULL);
}


int
scd_client_via_agent (scd_client_t scd)
{
  return scd->via_agent;
}



/*
 * Card selection.
 */

/* Status callback collecting SERIALNO lines into a string list.  */
struct strlist_parm_s
{
  char **list;
  size_t count;
  size_t size;
  gpg_error_t err;
};

static gpg_error_t
serialno_list_cb (void *opaque, const char *keyword, const char *args)
{
  struct strlist_parm_s *parm = opaque;
  size_t n;
  char *s;

  if (strcmp (keyword, "SERIALNO"))
    return 0;
  n = strcspn (args, " ");
  if (!n || n > 64)
    return gpg_error (GPG_ERR_INV_RESPONSE);
  if (parm->count + 1 >= parm->size)
    {
      char **tmp;
      size_t newsize = parm->size ? 2 * parm->size : 8;

      if (newsize > 1024)
        return gpg_error (GPG_ERR_TOO_LARGE);
      tmp = xtryrealloc (parm->list, newsize * sizeof *tmp);
      if (!tmp)
        return oca_error_from_errno ();
      parm->list = tmp;
      parm->size = newsize;
    }
  s = xtrymalloc (n + 1);
  if (!s)
    return oca_error_from_errno ();
  memcpy (s, args, n);
  s[n] = 0;
  parm->list[parm->count++] = s;
  parm->list[parm->count] = NULL;
  return 0;
}


void
scd_client_free_strlist (char **list)
{
  size_t i;

  if (!list)
    return;
  for (i = 0; list[i]; i++)
    xfree (list[i]);
  xfree (list);
}


gpg_error_t
scd_client_serialno (scd_client_t scd, const char *demand, char **r_serialno)
{
  gpg_error_t err;
  struct strlist_parm_s parm;
  char line[SCD_LINE_MAX + 1];

  if (r_serialno)
    *r_serialno = NULL;
  memset (&parm, 0, sizeof parm);
  if (demand && strlen (demand) > 100)
    return gpg_error (GPG_ERR_INV_ARG);
  if (demand)
    snprintf (line, sizeof line, "SERIALNO --demand=%s", demand);
  else
    strcpy (line, "SERIALNO");
  err = scd_client_command (scd, line, serialno_list_cb, &parm, NULL, NULL);
  if (err)
    goto leave;
  if (!parm.count)
    {
      err = gpg_error (GPG_ERR_INV_RESPONSE);
      goto leave;
    }
  if (r_serialno)
    {
      /* Take the first entry; the list keeps the others.  */
      *r_serialno = parm.list[0];
      memmove (parm.list, parm.list + 1, parm.count * sizeof *parm.list);
      parm.count--;
    }

 leave:
  scd_client_free_strlist (parm.list);
  return err;
}


gpg_error_t
scd_client_card_list (scd_client_t scd, char ***r_list, size_t *r_count)
{
  gpg_error_t err;
  struct strlist_parm_s parm;

  *r_list = NULL;
  *r_count = 0;
  memset (&parm, 0, sizeof parm);
  err = scd_client_command (scd, "GETINFO card_list", serialno_list_cb,
                            &parm, NULL, NULL);
  if (err)
    {
      scd_client_free_strlist (parm.list);
      return err;
    }
  if (!parm.list)
    {
      parm.list = xtrycalloc (1, sizeof *parm.list);
      if (!parm.list)
        return oca_error_from_errno ();
    }
  *r_list = parm.list;
  *r_count = parm.count;
  return 0;
}


gpg_error_t
scd_client_busy_readers (scd_client_t scd, char ***r_list, size_t *r_count)
{
  gpg_error_t err;
  unsigned char *data = NULL;
  size_t datalen = 0, n = 0, i;
  char **list = NULL, *p, *nl;

  *r_list = NULL;
  *r_count = 0;
  err = scd_client_command (scd, "GETINFO busy_readers", NULL, NULL,
                            &data, &datalen);
  if (err)
    return err;
  for (i = 0; i < datalen; i++)
    if (data[i] == '\n' || !data[i])
      n++;
  list = xtrycalloc (n + 2, sizeof *list);
  if (!list)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  n = 0;
  for (p = (char *)data; p && *p; p = nl)
    {
      nl = strchr (p, '\n');
      if (nl)
        *nl++ = 0;
      if (!*p)
        continue;
      if (strlen (p) > 255)
        {
          err = gpg_error (GPG_ERR_INV_RESPONSE);
          goto leave;
        }
      list[n] = xtrystrdup (p);
      if (!list[n])
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      n++;
    }
  *r_list = list;
  *r_count = n;
  list = NULL;

 leave:
  scd_client_free_strlist (list);
  xfree (data);
  return err;
}


gpg_error_t
scd_client_restart (scd_client_t scd)
{
  return scd_client_command (scd, "RESTART", NULL, NULL, NULL, NULL);
}



