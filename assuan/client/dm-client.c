/* dm-client.c - a client of GnuPG's dirmngr: WKD and keyserver requests
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See dm-client.h.  The time limit of a request is kept by our own
 * read and write hooks of libassuan (poll with the request's deadline
 * before each read or write on the socket): a dirmngr that waits for
 * a frozen server never blocks oca beyond the limit.
 */
#include <config.h>
#include "oca-common.h"
#include "membuf.h"
#include "dm-client.h"

#include <assuan.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define DEFAULT_TIMEOUT 30

struct dm_client_s
{
  assuan_context_t ctx;        /* NULL while not connected.  */
  char *socket_name;           /* dirmngr's socket.  */
  char *keyserver;             /* Set on every (re)connection.  */
  unsigned int timeout;        /* Seconds per request.  */
  struct timespec deadline;    /* Of the request under way.  */
  int timed_out;               /* The deadline passed in a hook.  */
  char errtext[256];
};


/* Milliseconds left until DM's deadline (0 if none).  */
static int
ms_left (dm_client_t dm)
{
  struct timespec now;
  long long ms;

  clock_gettime (CLOCK_MONOTONIC, &now);
  ms = (long long)(dm->deadline.tv_sec - now.tv_sec) * 1000
    + (dm->deadline.tv_nsec - now.tv_nsec) / 1000000;
  return ms < 0 ? 0 : ms > 1000000000 ? 1000000000 : (int)ms;
}


/* Wait until FD is ready for EVENTS before DM's deadline.  */
static int
wait_fd (assuan_context_t ctx, assuan_fd_t fd, short events)
{
  dm_client_t dm = assuan_get_pointer (ctx);
  struct pollfd pfd;
  int n;

  if (!dm)
    return 0;
  pfd.fd = (int)fd;
  pfd.events = events;
  for (;;)
    {
      pfd.revents = 0;
      n = poll (&pfd, 1, ms_left (dm));
      if (n > 0)
        return 0;
      if (n < 0 && errno == EINTR)
        continue;
      if (!n)
        {
          dm->timed_out = 1;
          errno = ETIMEDOUT;
        }
      return -1;
    }
}


static ssize_t
hook_read (assuan_context_t ctx, assuan_fd_t fd, void *buffer, size_t size)
{
  if (wait_fd (ctx, fd, POLLIN))
    return -1;
  return __assuan_read (ctx, fd, buffer, size);
}


/* send, not write: a dirmngr that went away is an error (EPIPE), not
 * a SIGPIPE that kills oca.  */
static ssize_t
hook_write (assuan_context_t ctx, assuan_fd_t fd, const void *buffer,
            size_t size)
{
  if (wait_fd (ctx, fd, POLLOUT))
    return -1;
  return send ((int)fd, buffer, size, MSG_NOSIGNAL);
}


static struct assuan_system_hooks hooks =
  {
    ASSUAN_SYSTEM_HOOKS_VERSION, __assuan_usleep, __assuan_pipe,
    __assuan_close, hook_read, hook_write, __assuan_recvmsg,
    __assuan_sendmsg, __assuan_spawn, __assuan_waitpid,
    __assuan_socketpair, __assuan_socket, __assuan_connect
  };


static int
no_log_cb (assuan_context_t ctx, void *hook, unsigned int cat,
           const char *msg)
{
  (void)ctx; (void)hook; (void)cat; (void)msg;
  return 0;
}


/* The first line gpgconf prints for ARGS into *R_LINE (xfree).  */
static gpg_error_t
gpgconf_line (const char *args, char **r_line)
{
  char cmd[128], buf[1024];
  FILE *fp;

  *r_line = NULL;
  snprintf (cmd, sizeof cmd, "gpgconf %s 2>/dev/null", args);
  fp = popen (cmd, "r");
  if (!fp)
    return oca_error_from_errno ();
  if (!fgets (buf, sizeof buf, fp))
    buf[0] = 0;
  while (fgetc (fp) != EOF)
    ;
  if (pclose (fp))
    return gpg_error (GPG_ERR_NOT_FOUND);
  buf[strcspn (buf, "\r\n")] = 0;
  *r_line = xtrystrdup (buf);
  return *r_line ? 0 : oca_error_from_errno ();
}


/* See dm-client.h.  */
gpg_error_t
dm_client_new (unsigned int timeout, dm_client_t *r_dm)
{
  gpg_error_t err;
  dm_client_t dm;

  *r_dm = NULL;
  dm = xtrycalloc (1, sizeof *dm);
  if (!dm)
    return oca_error_from_errno ();
  dm->timeout = timeout ? timeout : DEFAULT_TIMEOUT;
  err = gpgconf_line ("--list-dirs dirmngr-socket", &dm->socket_name);
  if (!err && !*dm->socket_name)
    err = gpg_error (GPG_ERR_NOT_FOUND);
  if (err)
    {
      snprintf (dm->errtext, sizeof dm->errtext,
                "cannot find GnuPG's dirmngr (gpgconf --list-dirs): %s",
                gpg_strerror (err));
      dm_client_release (dm);
      return gpg_error (GPG_ERR_NOT_FOUND);
    }
  *r_dm = dm;
  return 0;
}


/* Drop the connection of DM.  */
static void
disconnect (dm_client_t dm)
{
  if (dm->ctx)
    assuan_release (dm->ctx);
  dm->ctx = NULL;
}


/* See dm-client.h.  */
void
dm_client_release (dm_client_t dm)
{
  if (!dm)
    return;
  disconnect (dm);
  xfree (dm->socket_name);
  xfree (dm->keyserver);
  xfree (dm);
}


/* See dm-client.h.  */
const char *
dm_client_errtext (dm_client_t dm)
{
  return dm ? dm->errtext : "";
}


/* Start the time limit of a request.  */
static void
start_clock (dm_client_t dm)
{
  clock_gettime (CLOCK_MONOTONIC, &dm->deadline);
  dm->deadline.tv_sec += dm->timeout;
  dm->timed_out = 0;
  dm->errtext[0] = 0;
}


/* Record ERR of a request called WHAT in DM's text and return the
 * error the caller gets (a timeout drops the connection).  */
static gpg_error_t
failed (dm_client_t dm, gpg_error_t err, const char *what)
{
  if (dm->timed_out)
    {
      disconnect (dm);
      snprintf (dm->errtext, sizeof dm->errtext,
                "%s: no answer within %u s", what, dm->timeout);
      return gpg_error (GPG_ERR_TIMEOUT);
    }
  /* An error of the connection itself (not an ERR line of dirmngr):
   * the next request connects again.  */
  if (gpg_err_source (err) != GPG_ERR_SOURCE_DIRMNGR)
    disconnect (dm);
  snprintf (dm->errtext, sizeof dm->errtext, "%s: %s", what,
            gpg_strerror (err));
  return err;
}


/* A request under way: the data dirmngr sends, the keyblock we send
 * when it asks for it.  */
struct request
{
  dm_client_t dm;
  membuf_t out;
  const void *send;
  size_t sendlen;
};


static gpg_error_t
data_cb (void *opaque, const void *buf, size_t len)
{
  struct request *rq = opaque;

  membuf_put (&rq->out, buf, len);
  return membuf_error (&rq->out);
}


/* KS_PUT asks for KEYBLOCK (the key) and, for LDAP servers only,
 * KEYBLOCK_INFO (a colon listing, which we do not have: empty).  */
static gpg_error_t
inquire_cb (void *opaque, const char *line)
{
  struct request *rq = opaque;
  size_t n;

  n = strcspn (line, " ");
  if (rq->send && n == 8 && !strncmp (line, "KEYBLOCK", 8))
    return assuan_send_data (rq->dm->ctx, rq->send, rq->sendlen);
  if (rq->send && n == 13 && !strncmp (line, "KEYBLOCK_INFO", 13))
    return 0;
  return gpg_error (GPG_ERR_ASS_UNKNOWN_INQUIRE);
}


/* Connect DM if it is not.  */
static gpg_error_t
connect_dm (dm_client_t dm)
{
  gpg_error_t err;
  char *dummy = NULL;
  char *line;
  int attempt;

  if (dm->ctx)
    return 0;
  for (attempt = 0; attempt < 2; attempt++)
    {
      err = assuan_new_ext (&dm->ctx, GPG_ERR_SOURCE_DEFAULT,
                            assuan_get_malloc_hooks (), no_log_cb, NULL);
      if (err)
        return err;
      assuan_set_flag (dm->ctx, ASSUAN_NO_LOGGING, 1);
      assuan_ctx_set_system_hooks (dm->ctx, &hooks);
      assuan_set_pointer (dm->ctx, dm);
      err = assuan_socket_connect (dm->ctx, dm->socket_name,
                                   ASSUAN_INVALID_PID, 0);
      if (!err)
        break;
      disconnect (dm);
      if (attempt)
        break;
      /* Not running: start it the way GnuPG's tools do.  */
      if (gpgconf_line ("--launch dirmngr", &dummy))
        break;
      xfree (dummy);
      dummy = NULL;
    }
  if (err)
    {
      snprintf (dm->errtext, sizeof dm->errtext,
                "cannot connect to GnuPG's dirmngr at %s: %s",
                dm->socket_name, gpg_strerror (err));
      return err;
    }
  if (dm->keyserver)
    {
      line = gpgrt_bsprintf ("KEYSERVER --clear %s", dm->keyserver);
      if (!line)
        return oca_error_from_errno ();
      err = assuan_transact (dm->ctx, line, NULL, NULL, NULL, NULL, NULL,
                             NULL);
      gpgrt_free (line);
      if (err)
        {
          snprintf (dm->errtext, sizeof dm->errtext,
                    "dirmngr refused the keyserver %s: %s", dm->keyserver,
                    gpg_strerror (err));
          disconnect (dm);
          return err;
        }
    }
  return 0;
}


/* Send CMD to dirmngr within the time limit; its data into *R_DATA
 * (xfree, may be NULL) and *R_LEN.  WHAT names the request.  */
static gpg_error_t
transact (dm_client_t dm, const char *cmd, const void *send, size_t sendlen,
          const char *what, unsigned char **r_data, size_t *r_len)
{
  gpg_error_t err;
  struct request rq;

  if (r_data)
    *r_data = NULL;
  if (r_len)
    *r_len = 0;
  start_clock (dm);
  err = connect_dm (dm);
  if (err)
    {
      if (dm->timed_out)
        return failed (dm, err, what);
      return err;
    }
  memset (&rq, 0, sizeof rq);
  rq.dm = dm;
  membuf_init (&rq.out, DM_MAX_DATA, 0);
  rq.send = send;
  rq.sendlen = sendlen;
  err = assuan_transact (dm->ctx, cmd, data_cb, &rq, inquire_cb, &rq,
                         NULL, NULL);
  if (err)
    {
      membuf_release (&rq.out);
      return failed (dm, err, what);
    }
  if (r_data)
    err = membuf_take (&rq.out, r_data, r_len);
  membuf_release (&rq.out);
  if (err)
    return failed (dm, err, what);
  return 0;
}


/* See dm-client.h.  */
gpg_error_t
dm_client_set_keyserver (dm_client_t dm, const char *url)
{
  char *copy;

  if (!url || !*url || strpbrk (url, " \t\r\n%"))
    return gpg_error (GPG_ERR_INV_URI);
  copy = xtrystrdup (url);
  if (!copy)
    return oca_error_from_errno ();
  xfree (dm->keyserver);
  dm->keyserver = copy;
  /* The next request connects with it.  */
  disconnect (dm);
  return 0;
}


/* Whether S is safe on an Assuan command line (no escaping needed).  */
static int
plain_arg (const char *s)
{
  for (; *s; s++)
    if (*s <= ' ' || *s == '%' || *s == 0x7f)
      return 0;
  return 1;
}


/* See dm-client.h.  */
gpg_error_t
dm_client_wkd_get (dm_client_t dm, const char *addr, unsigned char **r_data,
                   size_t *r_len)
{
  gpg_error_t err;
  char *cmd, *what;

  *r_data = NULL;
  *r_len = 0;
  if (!plain_arg (addr) || strlen (addr) > 512)
    return gpg_error (GPG_ERR_INV_ARG);
  cmd = gpgrt_bsprintf ("WKD_GET -- %s", addr);
  what = gpgrt_bsprintf ("WKD lookup of %s", addr);
  if (!cmd || !what)
    err = oca_error_from_errno ();
  else
    err = transact (dm, cmd, NULL, 0, what, r_data, r_len);
  if (!err && !*r_len)
    {
      xfree (*r_data);
      *r_data = NULL;
      err = gpg_error (GPG_ERR_NO_DATA);
      snprintf (dm->errtext, sizeof dm->errtext, "%s: %s", what,
                "no key published");
    }
  gpgrt_free (cmd);
  gpgrt_free (what);
  return err;
}


/* See dm-client.h.  */
gpg_error_t
dm_client_ks_get (dm_client_t dm, const char *fpr, unsigned char **r_data,
                  size_t *r_len)
{
  gpg_error_t err;
  char cmd[80], what[80];

  *r_data = NULL;
  *r_len = 0;
  if (strlen (fpr) != 40 || strspn (fpr, "0123456789ABCDEFabcdef") != 40)
    return gpg_error (GPG_ERR_INV_ARG);
  snprintf (cmd, sizeof cmd, "KS_GET -- 0x%s", fpr);
  snprintf (what, sizeof what, "keyserver lookup");
  err = transact (dm, cmd, NULL, 0, what, r_data, r_len);
  if (!err && !*r_len)
    {
      xfree (*r_data);
      *r_data = NULL;
      err = gpg_error (GPG_ERR_NO_DATA);
      snprintf (dm->errtext, sizeof dm->errtext, "%s: %s", what,
                "not on the keyserver");
    }
  return err;
}


/* See dm-client.h.  */
gpg_error_t
dm_client_ks_put (dm_client_t dm, const void *key, size_t len)
{
  if (!key || !len)
    return gpg_error (GPG_ERR_INV_ARG);
  return transact (dm, "KS_PUT", key, len, "keyserver upload", NULL, NULL);
}
