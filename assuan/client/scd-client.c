/* scd-client.c - Assuan client for the scdaemon protocol
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See scd-client.h.  All server output is treated as untrusted: status
 * values are unescaped with bounds checks, D data is collected in a
 * capped membuf_t and binary answers (S-expressions, APDU responses,
 * hex key data) are read through brd_t.
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

#include "brd.h"
#include "membuf.h"
#include "scd-proto.h"

/* Cap on D data accepted for one command.  */
#define MAX_DATA_LEN (64 * 1024)
/* Cap on one KEY-DATA value (hex digits): RSA 16384 bits is 4096.  */
#define MAX_KEYDATA_HEX (2 * 2048 + 2)
/* SETDATA bytes per line (960 hex digits fits "SCD SETDATA --append ").  */
#define SETDATA_CHUNK 480
/* Escaped secret bytes per D line.  */
#define DLINE_CHUNK 300

struct scd_client_s
{
  assuan_context_t ctx;
  int via_agent;
  scd_pin_cb_t pin_cb;
  void *pin_opaque;
};

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


/* Read one canonical S-expression element (atom or list) from R.  */
static gpg_error_t
canon_sexp_element (brd_t *r, unsigned int depth)
{
  gpg_error_t err;
  unsigned int c;

  if (depth > 32)
    return gpg_error (GPG_ERR_INV_SEXP);
  err = brd_get_u8 (r, &c);
  if (err)
    return gpg_error (GPG_ERR_INV_SEXP);
  if (c == '(')
    {
      for (;;)
        {
          err = brd_peek_u8 (r, &c);
          if (err)
            return gpg_error (GPG_ERR_INV_SEXP);
          if (c == ')')
            return brd_skip (r, 1);
          err = canon_sexp_element (r, depth + 1);
          if (err)
            return err;
        }
    }
  else if (c >= '1' && c <= '9')
    {
      size_t n = c - '0';

      for (;;)
        {
          err = brd_get_u8 (r, &c);
          if (err)
            return gpg_error (GPG_ERR_INV_SEXP);
          if (c == ':')
            break;
          if (c < '0' || c > '9' || n > 100000)
            return gpg_error (GPG_ERR_INV_SEXP);
          n = n * 10 + (c - '0');
        }
      if (brd_skip (r, n))
        return gpg_error (GPG_ERR_INV_SEXP);
      return 0;
    }
  return gpg_error (GPG_ERR_INV_SEXP);
}


gpg_error_t
scd_check_canon_sexp (const unsigned char *buf, size_t len)
{
  gpg_error_t err;
  brd_t r;
  unsigned int c;

  brd_init (&r, buf, len);
  /* Must be a list.  */
  err = brd_peek_u8 (&r, &c);
  if (err || c != '(')
    return gpg_error (GPG_ERR_INV_SEXP);
  err = canon_sexp_element (&r, 0);
  if (err)
    return err;
  if (brd_end (&r))
    return gpg_error (GPG_ERR_INV_SEXP);
  return 0;
}


/* ASCII-only toupper.  */
static char
upcase (char c)
{
  return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}


gpg_error_t
scd_serialno_to_ident (const char *serialno, char *ident)
{
  size_t i;

  *ident = 0;
  if (!serialno || strlen (serialno) != 32
      || strncasecmp (serialno, "D27600012401", 12))
    return gpg_error (GPG_ERR_INV_VALUE);
  for (i = 0; i < 32; i++)
    if (oca_hexval ((unsigned char)serialno[i]) < 0)
      return gpg_error (GPG_ERR_INV_VALUE);
  /* Manufacturer: hex digits 16..19, serial: 20..27.  */
  for (i = 0; i < 4; i++)
    ident[i] = upcase (serialno[16 + i]);
  ident[4] = ':';
  for (i = 0; i < 8; i++)
    ident[5 + i] = upcase (serialno[20 + i]);
  ident[13] = 0;
  return 0;
}



/*
 * Transactions.
 */

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


/* Run CMD (without "SCD ") with PARM.  */
static gpg_error_t
transact (scd_client_t scd, const char *cmd, struct transact_parm_s *parm)
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


/* Initialise PARM.  Data is kept in secure memory when SECURE.  */
static void
parm_init (struct transact_parm_s *parm, int want_data, int secure)
{
  memset (parm, 0, sizeof *parm);
  parm->want_data = want_data;
  membuf_init (&parm->data, MAX_DATA_LEN, secure);
}


/* Hand out the data collected in PARM.  */
static gpg_error_t
parm_take_data (struct transact_parm_s *parm, unsigned char **r_data,
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
  parm_init (&parm, !!r_data, 0);
  parm.status_cb = status_cb_fnc;
  parm.status_opaque = opaque;
  err = transact (scd, line, &parm);
  if (!err && r_data)
    err = parm_take_data (&parm, r_data, r_datalen);
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
scd_client_restart (scd_client_t scd)
{
  return scd_client_command (scd, "RESTART", NULL, NULL, NULL, NULL);
}



/*
 * Card data.
 */

void
scd_cardinfo_release (scd_cardinfo_t *info)
{
  if (!info)
    return;
  xfree (info->reader);
  xfree (info->serialno);
  xfree (info->cardtype);
  xfree (info->apptype);
  xfree (info->manufacturer);
  xfree (info->disp_name);
  xfree (info->disp_lang);
  xfree (info->disp_sex);
  xfree (info->pubkey_url);
  xfree (info->login_data);
  xfree (info->dispserialno);
  xfree (info);
}


/* Replace *SLOT with the unescaped ARGS (percent-plus when PLUS).  */
static gpg_error_t
store_string (char **slot, const char *args, int plus)
{
  gpg_error_t err;
  unsigned char *buf;
  size_t len;

  err = scd_unescape (args, strlen (args), plus, &buf, &len);
  if (err)
    return err;
  xfree (*slot);
  *slot = (char *)buf;
  return 0;
}


/* Parse a decimal number at *S (advancing it) into *R_VAL.  */
static gpg_error_t
parse_ulong (const char **s, unsigned long *r_val)
{
  const char *p = *s;
  unsigned long val = 0;

  *r_val = 0;
  if (*p < '0' || *p > '9')
    return gpg_error (GPG_ERR_INV_RESPONSE);
  for (; *p >= '0' && *p <= '9'; p++)
    {
      if (val > (0xffffffffUL - 9) / 10)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      val = val * 10 + (*p - '0');
    }
  *s = p;
  *r_val = val;
  return 0;
}


/* Parse "N <rest>" with N in 1..3; *R_IDX is 0..2, *R_REST the rest.  */
static gpg_error_t
parse_keyno (const char *args, int *r_idx, const char **r_rest)
{
  *r_idx = -1;
  *r_rest = NULL;
  if (args[0] < '1' || args[0] > '3' || args[1] != ' ')
    return gpg_error (GPG_ERR_INV_RESPONSE);
  *r_idx = args[0] - '1';
  for (args += 1; *args == ' '; args++)
    ;
  *r_rest = args;
  return 0;
}


/* Parse exactly 40 hex digits at S (followed by end or a space).  */
static gpg_error_t
parse_fpr (const char *s, unsigned char *fpr)
{
  size_t n = strcspn (s, " ");

  if (n != 40)
    return gpg_error (GPG_ERR_INV_RESPONSE);
  if (oca_hex2bin (s, fpr, 20))
    return gpg_error (GPG_ERR_INV_RESPONSE);
  return 0;
}


/* Copy the next space-delimited token of *S into BUF of SIZE bytes
 * (scd_next_word); a token too long is a bad response.  */
static gpg_error_t
next_token (const char **s, char *buf, size_t size)
{
  if (scd_next_word (s, buf, size))
    return gpg_error (GPG_ERR_INV_RESPONSE);
  return 0;
}


/* Parse the EXTCAP value "gc=1+ki=1+..." (already escaped form; the
 * separator is '+' which stands for a space).  */
static gpg_error_t
parse_extcap (scd_cardinfo_t *info, const char *args)
{
  const char *p = args;
  char name[16];
  unsigned long val;
  size_t n;

  memset (&info->extcap, 0, sizeof info->extcap);
  while (*p)
    {
      n = strcspn (p, "=");
      if (!n || n >= sizeof name || !p[n])
        return gpg_error (GPG_ERR_INV_RESPONSE);
      memcpy (name, p, n);
      name[n] = 0;
      p += n + 1;
      if (parse_ulong (&p, &val))
        return gpg_error (GPG_ERR_INV_RESPONSE);
      if (*p == '+' || *p == ' ')
        p++;
      else if (*p)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      if (!strcmp (name, "gc"))
        info->extcap.gc = !!val;
      else if (!strcmp (name, "ki"))
        info->extcap.ki = !!val;
      else if (!strcmp (name, "fc"))
        info->extcap.fc = !!val;
      else if (!strcmp (name, "pd"))
        info->extcap.pd = !!val;
      else if (!strcmp (name, "mcl3"))
        info->extcap.mcl3 = val;
      else if (!strcmp (name, "aac"))
        info->extcap.aac = !!val;
      else if (!strcmp (name, "sm"))
        info->extcap.sm = val;
      else if (!strcmp (name, "si"))
        info->extcap.si = val;
      else if (!strcmp (name, "dec"))
        info->extcap.dec = !!val;
      else if (!strcmp (name, "bt"))
        info->extcap.bt = !!val;
      else if (!strcmp (name, "kdf"))
        info->extcap.kdf = !!val;
      /* Unknown names are ignored (newer servers).  */
    }
  info->extcap_valid = 1;
  return 0;
}


/* Parse "KEY-ATTR <n> <algo> <rest>".  */
static gpg_error_t
parse_keyattr (scd_cardinfo_t *info, const char *args)
{
  gpg_error_t err;
  int idx;
  const char *p;
  unsigned long algo, val;
  scd_keyattr_t *ka;

  err = parse_keyno (args, &idx, &p);
  if (err)
    return err;
  ka = &info->key_attr[idx];
  memset (ka, 0, sizeof *ka);
  if (parse_ulong (&p, &algo) || *p != ' ')
    return gpg_error (GPG_ERR_INV_RESPONSE);
  while (*p == ' ')
    p++;
  ka->algo = algo;
  if (algo == 1)
    {
      /* "rsa<nbits> <ebits> <format>"; older servers: "<nbits> ..." */
      if (!strncmp (p, "rsa", 3))
        p += 3;
      if (parse_ulong (&p, &val) || val > 16384)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      ka->nbits = val;
      while (*p == ' ')
        p++;
      if (*p && !parse_ulong (&p, &val))
        {
          ka->ebits = val;
          while (*p == ' ')
            p++;
          if (*p && !parse_ulong (&p, &val))
            ka->format = val;
        }
    }
  else if (algo == 0)
    ;  /* "0 UNKNOWN" */
  else
    {
      /* The curve name is the rest (may contain a space).  */
      if (!*p || strlen (p) >= sizeof ka->curve)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      strcpy (ka->curve, p);
    }
  return 0;
}


/* Parse "KEYPAIRINFO <grip> <keyref> [<usage> [<time> [<algostr>]]]".  */
static gpg_error_t
parse_keypairinfo (scd_cardinfo_t *info, const char *args)
{
  gpg_error_t err;
  scd_keypairinfo_t kpi;
  const char *p = args;
  unsigned long t;
  int idx;

  memset (&kpi, 0, sizeof kpi);
  err = next_token (&p, kpi.grip, sizeof kpi.grip);
  if (err)
    return err;
  if (strcmp (kpi.grip, "X"))
    {
      unsigned char tmp[20];

      if (strlen (kpi.grip) != 40 || oca_hex2bin (kpi.grip, tmp, 20))
        return gpg_error (GPG_ERR_INV_RESPONSE);
    }
  err = next_token (&p, kpi.keyref, sizeof kpi.keyref);
  if (err)
    return err;
  if (strncmp (kpi.keyref, "OPENPGP.", 8)
      || kpi.keyref[8] < '1' || kpi.keyref[8] > '3' || kpi.keyref[9])
    return 0;  /* Not an OpenPGP slot: ignore.  */
  idx = kpi.keyref[8] - '1';
  if (*p)
    {
      err = next_token (&p, kpi.usage, sizeof kpi.usage);
      if (err)
        return err;
    }
  if (*p)
    {
      err = parse_ulong (&p, &t);
      if (err)
        return err;
      kpi.keytime = t;
      while (*p == ' ')
        p++;
    }
  if (*p)
    {
      err = next_token (&p, kpi.algostr, sizeof kpi.algostr);
      if (err)
        return err;
    }
  kpi.valid = 1;
  info->keypairinfo[idx] = kpi;
  return 0;
}


gpg_error_t
scd_cardinfo_parse_status (scd_cardinfo_t *info, const char *keyword,
                           const char *args)
{
  gpg_error_t err = 0;
  int idx;
  const char *p;
  unsigned long val;

  if (!strcmp (keyword, "READER"))
    err = store_string (&info->reader, args, 0);
  else if (!strcmp (keyword, "SERIALNO"))
    {
      char tmp[66];

      p = args;
      err = next_token (&p, tmp, sizeof tmp);
      if (err)
        return err;
      if (!*tmp)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      xfree (info->serialno);
      info->serialno = xtrystrdup (tmp);
      if (!info->serialno)
        return oca_error_from_errno ();
      if (scd_serialno_to_ident (tmp, info->ident))
        *info->ident = 0;
    }
  else if (!strcmp (keyword, "CARDTYPE"))
    err = store_string (&info->cardtype, args, 1);
  else if (!strcmp (keyword, "APPTYPE"))
    err = store_string (&info->apptype, args, 1);
  else if (!strcmp (keyword, "APPVERSION"))
    {
      unsigned long v = 0;
      int d;

      for (p = args; (d = oca_hexval ((unsigned char)*p)) >= 0; p++)
        {
          if (v > 0xffff)
            return gpg_error (GPG_ERR_INV_RESPONSE);
          v = v * 16 + d;
        }
      if (p == args || (*p && *p != ' '))
        return gpg_error (GPG_ERR_INV_RESPONSE);
      info->appversion = v;
    }
  else if (!strcmp (keyword, "MANUFACTURER"))
    {
      /* "<decimal id> <name>" (sent unescaped).  */
      p = args;
      err = parse_ulong (&p, &val);
      if (err)
        return err;
      if (val > 0xffff)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      while (*p == ' ')
        p++;
      info->manufacturer_id = val;
      info->manufacturer_valid = 1;
      err = store_string (&info->manufacturer, p, 0);
    }
  else if (!strcmp (keyword, "DISP-NAME"))
    err = store_string (&info->disp_name, args, 1);
  else if (!strcmp (keyword, "DISP-LANG"))
    err = store_string (&info->disp_lang, args, 1);
  else if (!strcmp (keyword, "DISP-SEX"))
    err = store_string (&info->disp_sex, args, 1);
  else if (!strcmp (keyword, "PUBKEY-URL"))
    err = store_string (&info->pubkey_url, args, 1);
  else if (!strcmp (keyword, "LOGIN-DATA"))
    err = store_string (&info->login_data, args, 1);
  else if (!strcmp (keyword, "$DISPSERIALNO"))
    err = store_string (&info->dispserialno, args, 1);
  else if (!strcmp (keyword, "KEY-FPR") || !strcmp (keyword, "CA-FPR"))
    {
      int ca = (*keyword == 'C');

      err = parse_keyno (args, &idx, &p);
      if (err)
        return err;
      err = parse_fpr (p, ca ? info->cafpr[idx] : info->fpr[idx]);
      if (err)
        return err;
      if (ca)
        info->cafpr_valid[idx] = 1;
      else
        info->fpr_valid[idx] = 1;
    }
  else if (!strcmp (keyword, "KEY-TIME"))
    {
      err = parse_keyno (args, &idx, &p);
      if (err)
        return err;
      err = parse_ulong (&p, &val);
      if (err)
        return err;
      info->key_time[idx] = val;
    }
  else if (!strcmp (keyword, "CHV-STATUS"))
    {
      /* "+1+127+127+127+3+0+3": each value preceded by an escaped
       * space.  Old servers send "1 127 ..." with real spaces.  */
      int i;

      p = args;
      for (i = 0; i < 7; i++)
        {
          int neg = 0;

          while (*p == '+' || *p == ' ')
            p++;
          if (*p == '-')
            {
              neg = 1;
              p++;
            }
          err = parse_ulong (&p, &val);
          if (err || val > 255)
            return gpg_error (GPG_ERR_INV_RESPONSE);
          info->chv_status[i] = neg ? -(int)val : (int)val;
        }
      while (*p == '+' || *p == ' ')
        p++;
      if (*p)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      info->chv_status_valid = 1;
    }
  else if (!strcmp (keyword, "SIG-COUNTER"))
    {
      p = args;
      err = parse_ulong (&p, &val);
      if (err)
        return err;
      info->sig_counter = val;
      info->sig_counter_valid = 1;
    }
  else if (!strncmp (keyword, "UIF-", 4)
           && keyword[4] >= '1' && keyword[4] <= '3' && !keyword[5])
    {
      unsigned char *buf;
      size_t len;

      idx = keyword[4] - '1';
      err = scd_unescape (args, strlen (args), 1, &buf, &len);
      if (err)
        return err;
      if (!len)
        {
          xfree (buf);
          return gpg_error (GPG_ERR_INV_RESPONSE);
        }
      info->uif[idx] = buf[0];
      info->uif_valid[idx] = 1;
      xfree (buf);
    }
  else if (!strcmp (keyword, "KEY-ATTR"))
    err = parse_keyattr (info, args);
  else if (!strcmp (keyword, "EXTCAP"))
    err = parse_extcap (info, args);
  else if (!strcmp (keyword, "KDF"))
    info->kdf_valid = 1;
  else if (!strcmp (keyword, "KEYPAIRINFO"))
    err = parse_keypairinfo (info, args);

  return err;
}


/* Status callback feeding scd_cardinfo_parse_status.  */
static gpg_error_t
cardinfo_status_cb (void *opaque, const char *keyword, const char *args)
{
  return scd_cardinfo_parse_status (opaque, keyword, args);
}


gpg_error_t
scd_client_getattr (scd_client_t scd, const char *name, scd_cardinfo_t *info)
{
  char line[SCD_LINE_MAX + 1];

  if (!name || strlen (name) > 100 || strpbrk (name, " \n"))
    return gpg_error (GPG_ERR_INV_ARG);
  snprintf (line, sizeof line, "GETATTR %s", name);
  return scd_client_command (scd, line, cardinfo_status_cb, info, NULL, NULL);
}


gpg_error_t
scd_client_learn (scd_client_t scd, scd_cardinfo_t **r_info)
{
  gpg_error_t err;
  scd_cardinfo_t *info;

  *r_info = NULL;
  info = xtrycalloc (1, sizeof *info);
  if (!info)
    return oca_error_from_errno ();
  err = scd_client_command (scd, "LEARN --force", cardinfo_status_cb, info,
                            NULL, NULL);
  if (!err && !info->serialno)
    err = gpg_error (GPG_ERR_INV_RESPONSE);
  if (!err)
    err = scd_client_getattr (scd, "KEY-ATTR", info);
  if (err)
    {
      scd_cardinfo_release (info);
      return err;
    }
  *r_info = info;
  return 0;
}


gpg_error_t
scd_client_setattr (scd_client_t scd, const char *name,
                    const void *value, size_t valuelen)
{
  gpg_error_t err;
  char *esc = NULL;
  char *line = NULL;

  if (!name || strlen (name) > 100 || strpbrk (name, " \n"))
    return gpg_error (GPG_ERR_INV_ARG);
  err = scd_escape_value (value, valuelen, &esc);
  if (err)
    return err;
  line = xtrymalloc (8 + strlen (name) + 1 + strlen (esc) + 1);
  if (!line)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  strcpy (stpcpy (stpcpy (stpcpy (line, "SETATTR "), name), " "), esc);
  err = scd_client_command (scd, line, NULL, NULL, NULL, NULL);

 leave:
  xfree (line);
  xfree (esc);
  return err;
}



/*
 * Keys and operations.
 */

/* Check that KEYID is harmless on a command line.  */
static gpg_error_t
check_keyid (const char *keyid)
{
  if (!keyid || !*keyid || strlen (keyid) > 200
      || strpbrk (keyid, " \t\r\n"))
    return gpg_error (GPG_ERR_INV_ID);
  return 0;
}


gpg_error_t
scd_client_readkey (scd_client_t scd, const char *keyid,
                    unsigned char **r_sexp, size_t *r_len)
{
  gpg_error_t err;
  char line[SCD_LINE_MAX + 1];
  unsigned char *buf = NULL;
  size_t len;

  *r_sexp = NULL;
  *r_len = 0;
  err = check_keyid (keyid);
  if (err)
    return err;
  snprintf (line, sizeof line, "READKEY %s", keyid);
  err = scd_client_command (scd, line, NULL, NULL, &buf, &len);
  if (err)
    return err;
  err = scd_check_canon_sexp (buf, len);
  if (err)
    {
      xfree (buf);
      return err;
    }
  *r_sexp = buf;
  *r_len = len;
  return 0;
}


/* SETDATA DATA in chunks (first without, then with --append).  */
static gpg_error_t
setdata (scd_client_t scd, const void *data, size_t datalen)
{
  gpg_error_t err = 0;
  const unsigned char *d = data;
  char line[SCD_LINE_MAX + 1];
  size_t off = 0, n;
  char *p;

  if (!datalen)
    return gpg_error (GPG_ERR_NO_DATA);
  while (off < datalen)
    {
      n = datalen - off;
      if (n > SETDATA_CHUNK)
        n = SETDATA_CHUNK;
      p = stpcpy (line, off ? "SETDATA --append " : "SETDATA ");
      oca_bin2hex (d + off, n, p);
      err = scd_client_command (scd, line, NULL, NULL, NULL, NULL);
      wipememory (line, sizeof line);
      if (err)
        break;
      off += n;
    }
  return err;
}


/* Common part of PKSIGN / PKAUTH / PKDECRYPT.  */
static gpg_error_t
crypt_op (scd_client_t scd, const char *cmd, const char *keyid,
          const void *data, size_t datalen, int secure,
          unsigned char **r_out, size_t *r_outlen)
{
  gpg_error_t err;
  char line[SCD_LINE_MAX + 1];
  struct transact_parm_s parm;

  *r_out = NULL;
  *r_outlen = 0;
  err = check_keyid (keyid);
  if (err)
    return err;
  err = setdata (scd, data, datalen);
  if (err)
    return err;
  snprintf (line, sizeof line, "%s %s", cmd, keyid);
  parm_init (&parm, 1, secure);
  err = transact (scd, line, &parm);
  if (!err)
    err = parm_take_data (&parm, r_out, r_outlen);
  membuf_release (&parm.data);
  if (!err && !*r_outlen)
    {
      if (secure)
        wipe_and_free (*r_out, 0);
      else
        xfree (*r_out);
      *r_out = NULL;
      err = gpg_error (GPG_ERR_NO_DATA);
    }
  return err;
}


gpg_error_t
scd_client_pksign (scd_client_t scd, const char *keyid, const char *hashname,
                   const void *data, size_t datalen,
                   unsigned char **r_sig, size_t *r_siglen)
{
  char cmd[64];

  if (hashname && (strlen (hashname) > 20 || strpbrk (hashname, " \n")))
    return gpg_error (GPG_ERR_INV_ARG);
  if (hashname)
    snprintf (cmd, sizeof cmd, "PKSIGN --hash=%s", hashname);
  else
    strcpy (cmd, "PKSIGN");
  return crypt_op (scd, cmd, keyid, data, datalen, 0, r_sig, r_siglen);
}


gpg_error_t
scd_client_pkauth (scd_client_t scd, const char *keyid,
                   const void *data, size_t datalen,
                   unsigned char **r_sig, size_t *r_siglen)
{
  return crypt_op (scd, "PKAUTH", keyid, data, datalen, 0, r_sig, r_siglen);
}


gpg_error_t
scd_client_pkdecrypt (scd_client_t scd, const char *keyid,
                      const void *data, size_t datalen,
                      unsigned char **r_plain, size_t *r_len)
{
  return crypt_op (scd, "PKDECRYPT", keyid, data, datalen, 1, r_plain, r_len);
}


void
scd_genkey_result_release (scd_genkey_result_t *res)
{
  if (!res)
    return;
  xfree (res->n);
  xfree (res->e);
  xfree (res->q);
  xfree (res->curve);
  if (res->pending_)
    {
      membuf_release (res->pending_);
      xfree (res->pending_);
    }
  xfree (res);
}


/* Append the hex digits at S to MB.  */
static gpg_error_t
append_hex (membuf_t *mb, const char *s)
{
  size_t n = strcspn (s, " ");
  size_t i;

  for (i = 0; i < n; i++)
    if (oca_hexval ((unsigned char)s[i]) < 0)
      return gpg_error (GPG_ERR_INV_RESPONSE);
  membuf_put (mb, s, n);
  return membuf_error (mb);
}


gpg_error_t
scd_genkey_parse_status (scd_genkey_result_t *res, const char *keyword,
                         const char *args)
{
  gpg_error_t err = 0;
  const char *p = args;
  unsigned long val;

  if (!res->pending_)
    {
      res->pending_ = xtrycalloc (1, sizeof *res->pending_);
      if (!res->pending_)
        return oca_error_from_errno ();
      membuf_init (res->pending_, MAX_KEYDATA_HEX + 1, 0);
    }

  if (!strcmp (keyword, "KEY-CREATED-AT"))
    {
      err = parse_ulong (&p, &val);
      if (!err)
        res->created_at = val;
    }
  else if (!strcmp (keyword, "KEY-FPR"))
    {
      /* "KEY-FPR <40hex>" (scd's GENKEY) or "KEY-FPR <n> <40hex>".  */
      if (strlen (p) > 2 && p[1] == ' ')
        p += 2;
      err = parse_fpr (p, res->fpr);
      if (!err)
        res->fpr_valid = 1;
    }
  else if (!strcmp (keyword, "KEY-DATA"))
    {
      char name[16];
      unsigned char **slot;
      size_t *slotlen;
      unsigned char *hex = NULL, *bin = NULL;
      size_t hexlen, binlen;
      brd_t r;

      err = next_token (&p, name, sizeof name);
      if (err)
        return err;
      err = append_hex (res->pending_, p);
      if (err)
        return err;
      if (!strcmp (name, "-"))
        return 0;  /* A chunk; the named line follows.  */
      if (!strcmp (name, "n"))
        slot = &res->n, slotlen = &res->nlen;
      else if (!strcmp (name, "e"))
        slot = &res->e, slotlen = &res->elen;
      else if (!strcmp (name, "q"))
        slot = &res->q, slotlen = &res->qlen;
      else if (!strcmp (name, "curve"))
        slot = &res->curve, slotlen = &res->curvelen;
      else
        {
          /* kdf/kek etc.: not needed, drop.  */
          membuf_reset (res->pending_);
          return 0;
        }
      err = membuf_take (res->pending_, &hex, &hexlen);
      membuf_init (res->pending_, MAX_KEYDATA_HEX + 1, 0);
      if (err)
        return err;
      if (!hexlen || (hexlen & 1))
        {
          xfree (hex);
          return gpg_error (GPG_ERR_INV_RESPONSE);
        }
      err = oca_hex2bin_alloc ((const char *)hex, 0, &bin, &binlen);
      xfree (hex);
      if (err)
        return gpg_error (GPG_ERR_INV_RESPONSE);
      /* For the curve, the value is an OID with a length byte.  */
      if (slot == &res->curve)
        {
          unsigned int oidlen;

          brd_init (&r, bin, binlen);
          if (brd_get_u8 (&r, &oidlen) || brd_skip (&r, oidlen)
              || brd_end (&r))
            {
              xfree (bin);
              return gpg_error (GPG_ERR_INV_RESPONSE);
            }
        }
      xfree (*slot);
      *slot = bin;
      *slotlen = binlen;
    }
  return err;
}


/* Status callback for GENKEY.  */
static gpg_error_t
genkey_status_cb (void *opaque, const char *keyword, const char *args)
{
  return scd_genkey_parse_status (opaque, keyword, args);
}


gpg_error_t
scd_client_genkey (scd_client_t scd, int keyno, unsigned int flags,
                   time_t timestamp, const char *algo,
                   scd_genkey_result_t **r_res)
{
  gpg_error_t err;
  scd_genkey_result_t *res;
  char line[SCD_LINE_MAX + 1];
  char *p;

  *r_res = NULL;
  if (keyno < 1 || keyno > 3)
    return gpg_error (GPG_ERR_INV_ID);
  if (algo && (strlen (algo) > 40 || strpbrk (algo, " \n")))
    return gpg_error (GPG_ERR_INV_ARG);
  res = xtrycalloc (1, sizeof *res);
  if (!res)
    return oca_error_from_errno ();

  p = stpcpy (line, "GENKEY");
  if ((flags & SCD_GENKEY_FORCE))
    p = stpcpy (p, " --force");
  if (timestamp)
    {
      struct tm tm;

      if (!gmtime_r (&timestamp, &tm))
        {
          err = gpg_error (GPG_ERR_INV_TIME);
          goto leave;
        }
      p += snprintf (p, 40, " --timestamp=%04d%02d%02dT%02d%02d%02d",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
  if (algo)
    p += snprintf (p, 60, " --algo=%s", algo);
  snprintf (p, 8, " %d", keyno);

  err = scd_client_command (scd, line, genkey_status_cb, res, NULL, NULL);
  if (!err && !(res->n || res->q))
    err = gpg_error (GPG_ERR_INV_RESPONSE);
  if (err)
    goto leave;
  *r_res = res;
  res = NULL;

 leave:
  scd_genkey_result_release (res);
  return err;
}


gpg_error_t
scd_client_writekey (scd_client_t scd, const char *keyid, int force,
                     const unsigned char *keydata, size_t keydatalen)
{
  gpg_error_t err;
  char line[SCD_LINE_MAX + 1];
  struct transact_parm_s parm;

  err = check_keyid (keyid);
  if (err)
    return err;
  if (!keydata || !keydatalen)
    return gpg_error (GPG_ERR_NO_DATA);
  err = scd_check_canon_sexp (keydata, keydatalen);
  if (err)
    return err;
  snprintf (line, sizeof line, "WRITEKEY %s%s", force ? "--force " : "",
            keyid);
  parm_init (&parm, 0, 0);
  parm.inq_keyword = "KEYDATA";
  parm.inq_data = keydata;
  parm.inq_len = keydatalen;
  err = transact (scd, line, &parm);
  membuf_release (&parm.data);
  return err;
}


gpg_error_t
scd_client_passwd (scd_client_t scd, const char *chvno, unsigned int flags)
{
  char line[SCD_LINE_MAX + 1];

  if (!chvno || !*chvno || strlen (chvno) > 20 || strpbrk (chvno, " \n"))
    return gpg_error (GPG_ERR_INV_ID);
  snprintf (line, sizeof line, "PASSWD%s%s%s %s",
            (flags & SCD_PASSWD_RESET) ? " --reset" : "",
            (flags & SCD_PASSWD_CLEAR) ? " --clear" : "",
            (flags & SCD_PASSWD_NULLPIN) ? " --nullpin" : "",
            chvno);
  return scd_client_command (scd, line, NULL, NULL, NULL, NULL);
}


gpg_error_t
scd_client_checkpin (scd_client_t scd, const char *idstr)
{
  char line[SCD_LINE_MAX + 1];
  gpg_error_t err;

  err = check_keyid (idstr);
  if (err)
    return err;
  snprintf (line, sizeof line, "CHECKPIN %s", idstr);
  return scd_client_command (scd, line, NULL, NULL, NULL, NULL);
}


gpg_error_t
scd_client_apdu (scd_client_t scd, const char *options, const char *hexapdu,
                 unsigned char **r_resp, size_t *r_len, unsigned int *r_sw)
{
  gpg_error_t err;
  char line[SCD_LINE_MAX + 1];
  unsigned char *buf = NULL;
  size_t len = 0;
  const unsigned char *rest;
  size_t restlen;
  unsigned int sw;
  brd_t r;

  if (r_resp)
    *r_resp = NULL;
  if (r_len)
    *r_len = 0;
  if (r_sw)
    *r_sw = 0;
  if ((options && strlen (options) > 100)
      || (hexapdu && strlen (hexapdu) > SCD_LINE_MAX - 110))
    return gpg_error (GPG_ERR_TOO_LARGE);
  if ((options && strchr (options, '\n')) || (hexapdu && strchr (hexapdu, '\n')))
    return gpg_error (GPG_ERR_INV_ARG);
  snprintf (line, sizeof line, "APDU%s%s%s%s",
            options ? " " : "", options ? options : "",
            hexapdu ? " " : "", hexapdu ? hexapdu : "");
  err = scd_client_command (scd, line, NULL, NULL, &buf, &len);
  if (err)
    return err;
  if (!hexapdu)
    {
      xfree (buf);
      return 0;
    }
  /* The response is DATA || SW1 SW2.  */
  brd_init (&r, buf, len);
  if (len < 2)
    {
      err = gpg_error (GPG_ERR_INV_RESPONSE);
      goto leave;
    }
  {
    brd_t data;

    err = brd_sub (&r, len - 2, &data);
    if (!err)
      err = brd_get_u16 (&r, &sw);
    if (!err)
      err = brd_end (&r);
    if (err)
      goto leave;
    brd_rest (&data, &rest, &restlen);
  }
  if (r_sw)
    *r_sw = sw;
  if (r_len)
    *r_len = restlen;
  if (r_resp)
    {
      buf[restlen] = 0;  /* Turn SW1 into the terminator.  */
      *r_resp = buf;
      buf = NULL;
    }

 leave:
  xfree (buf);
  return err;
}


/*
 * Data objects and algorithms.  GnuPG 2.2's scdaemon names no
 * attribute for them: they travel as APDUs, built and answered by
 * card/'s card-data module.
 */

/* Send the command APDU CLA INS P1 P2 [DATA] [Le 00] through the
 * server's APDU command ("--more": 61xx is followed by GET RESPONSE)
 * and turn the status word into an error.  On success *R_RESP (if
 * R_RESP is not NULL; xfree) and *R_LEN get the response data.  An
 * error of the APDU command itself (a server without it) comes back
 * unchanged with *R_ROUTE_ERR set (R_ROUTE_ERR may be NULL); a card
 * status word other than 9000 is mapped by card_map_sw.  */
static gpg_error_t
card_command (scd_client_t scd, int ins, unsigned int tag,
              const unsigned char *data, size_t datalen, int with_le,
              unsigned char **r_resp, size_t *r_len, int *r_route_err)
{
  gpg_error_t err;
  unsigned char apdu[4 + 3 + 255 + 3];
  char hex[2 * sizeof apdu + 1];
  size_t apdulen;
  unsigned int sw = 0;

  if (r_resp)
    *r_resp = NULL;
  if (r_len)
    *r_len = 0;
  if (r_route_err)
    *r_route_err = 0;
  if (tag > 0xffff || datalen > 255)
    return gpg_error (GPG_ERR_INV_ARG);
  apdulen = card_build_apdu (apdu, 0x00, ins, tag >> 8, tag & 0xff,
                             datalen, data, with_le ? 256 : -1, 0);
  oca_bin2hex (apdu, apdulen, hex);
  err = scd_client_apdu (scd, "--more", hex, r_resp, r_len, &sw);
  if (err)
    {
      if (r_route_err)
        *r_route_err = 1;
      return err;
    }
  err = card_map_sw (sw);
  if (err && r_resp)
    {
      xfree (*r_resp);
      *r_resp = NULL;
      *r_len = 0;
    }
  return err;
}


gpg_error_t
scd_client_get_data (scd_client_t scd, unsigned int tag,
                     unsigned char **r_data, size_t *r_len)
{
  return card_command (scd, 0xCA, tag, NULL, 0, 1, r_data, r_len, NULL);
}


gpg_error_t
scd_client_put_data (scd_client_t scd, unsigned int tag,
                     const void *data, size_t len)
{
  if (!len)
    return gpg_error (GPG_ERR_INV_ARG);
  return card_command (scd, 0xDA, tag, data, len, 0, NULL, NULL, NULL);
}


/* Status callback for GETATTR KEY-ATTR-INFO: collect the lines
 * "KEY-ATTR-INFO OPENPGP.<n> <algorithm>" as card_algoinfo_t entries
 * in the membuf OPAQUE.  Other slots and unknown algorithms are
 * skipped.  */
static gpg_error_t
keyattrinfo_cb (void *opaque, const char *keyword, const char *args)
{
  membuf_t *mb = opaque;
  card_algoinfo_t entry;
  char ref[16], name[64];
  const char *p = args;

  if (strcmp (keyword, "KEY-ATTR-INFO"))
    return 0;
  if (next_token (&p, ref, sizeof ref) || next_token (&p, name, sizeof name))
    return 0;
  memset (&entry, 0, sizeof entry);
  entry.keyno = scd_parse_keyref (ref, 0);
  if (!entry.keyno
      || card_keyattr_from_algostr (name, entry.keyno, &entry.attr))
    return 0;
  membuf_put (mb, &entry, sizeof entry);
  return 0;
}


gpg_error_t
scd_client_algoinfo (scd_client_t scd, card_algoinfo_t **r_list,
                     size_t *r_count)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;
  int route_err;
  membuf_t mb;

  *r_list = NULL;
  *r_count = 0;
  err = card_command (scd, 0xCA, 0xFA, NULL, 0, 1, &buf, &len, &route_err);
  if (!err)
    {
      err = card_parse_algoinfo (buf, len, r_list, r_count);
      xfree (buf);
      return err;
    }
  if (!route_err)
    return 0;  /* The card has no DO FA.  */

  /* A server without the APDU command: KEY-ATTR-INFO.  */
  membuf_init (&mb, MAX_DATA_LEN, 0);
  err = scd_client_command (scd, "GETATTR KEY-ATTR-INFO", keyattrinfo_cb,
                            &mb, NULL, NULL);
  if (!err)
    err = membuf_take (&mb, &buf, &len);
  membuf_release (&mb);
  if (err)
    return err;
  if (!len)
    {
      xfree (buf);
      return 0;
    }
  *r_list = (card_algoinfo_t *)buf;
  *r_count = len / sizeof **r_list;
  return 0;
}


gpg_error_t
scd_client_random (scd_client_t scd, size_t n, unsigned char **r_buf)
{
  gpg_error_t err;
  char line[64];
  unsigned char *buf;
  size_t len;

  *r_buf = NULL;
  if (!n || n > 1024)
    return gpg_error (GPG_ERR_INV_ARG);
  snprintf (line, sizeof line, "RANDOM %zu", n);
  err = scd_client_command (scd, line, NULL, NULL, &buf, &len);
  if (err)
    return err;
  if (len != n)
    {
      xfree (buf);
      return gpg_error (GPG_ERR_INV_RESPONSE);
    }
  *r_buf = buf;
  return 0;
}
