/* svc-daemon.c - the CA service on a pipe or on a Unix socket
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `oca --server' runs one session on stdin/stdout.  `oca --daemon'
 * listens on a Unix socket -- the one systemd passes (LISTEN_FDS), the
 * one --socket names, or by default "DATABASE.sock" beside a database
 * in a private directory, else "S.oca" in GnuPG's socket directory --
 * and serves each connection in a process of its own: sessions share
 * nothing but the database, whose write lock serialises their
 * transactions, and a session that fails takes no other with it.
 *
 * Access: the socket's directory must be the owner's alone (0700,
 * checked, created if missing); each connection's peer uid
 * (SO_PEERCRED) must be the owner's or one of --allow-user's before a
 * process is started for it.  At most --max-clients sessions run at
 * once; further connections wait in the listen queue.  A session ends
 * after --idle-timeout seconds without a line from its client.
 *
 * Stopping: KILLSERVER (from any session) and SIGTERM make the daemon
 * stop listening, remove its socket and send SIGTERM to the sessions;
 * a session between commands ends at once, one in a command ends after
 * its reply (a transaction is never cut).
 */
#include <config.h>
#include "svc-int.h"
#include "srv-proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

/* The first descriptor systemd passes (sd_listen_fds).  */
#define LISTEN_FDS_START 3

/* Every Assuan context lives in secure memory: the passphrases of new
 * user keys pass through its buffers.  */
static struct assuan_malloc_hooks secure_hooks =
  {
    gcry_malloc_secure, gcry_realloc, gcry_free
  };


/* The options with the defaults filled in.  */
static void
fill_defaults (const svc_opts_t *in, svc_opts_t *out)
{
  *out = *in;
  if (!out->max_input)
    out->max_input = SVC_MAX_INPUT_DEFAULT;
  if (!out->max_clients)
    out->max_clients = SVC_MAX_CLIENTS_DEFAULT;
  if (!out->idle_timeout)
    out->idle_timeout = SVC_IDLE_TIMEOUT_DEFAULT;
}


/* Check that the database of CA_OPTS holds a CA (so that a wrong -d is
 * said at start, not to the first client) and get its domain (xfree),
 * which does not change.  */
static gpg_error_t
check_ca (const ca_opts_t *ca_opts, char **r_domain)
{
  gpg_error_t err;
  ca_t *ca = NULL;
  ca_info_t info;

  *r_domain = NULL;
  err = ca_open (ca_opts, CA_OPEN_READONLY, &ca);
  if (!err)
    {
      ca_get_info (ca, &info);
      if (!(*r_domain = xtrystrdup (info.domain)))
        err = oca_error_from_errno ();
    }
  ca_release (ca);
  return err;
}


/* Whether peer of the connection FD may use the service of OPTS; a
 * refused one is told so and logged.  */
static int
peer_ok (int fd, const svc_opts_t *opts)
{
  gpg_error_t err;
  uid_t uid;
  pid_t pid;

  err = srv_peer_cred (fd, &uid, &pid);
  if (err)
    {
      svc_log ("connection refused: peer credentials unknown: %s",
               gpg_strerror (err));
      return 0;
    }
  if (svc_peer_allowed (opts, geteuid (), uid))
    return 1;
  svc_log ("connection refused: peer uid %lu (pid %ld) is not allowed "
           "(see --allow-user)", (unsigned long)uid, (long)pid);
  srv_refuse (fd, gpg_error (GPG_ERR_EACCES), "Permission denied");
  return 0;
}


/*
 * The pipe server
 */

gpg_error_t
svc_run_pipe (const ca_opts_t *ca_opts, const svc_opts_t *opts_in)
{
  gpg_error_t err;
  svc_opts_t opts;
  svc_session_t sess;
  assuan_context_t ctx = NULL;
  assuan_fd_t filedes[2];
  struct stat st;
  char *domain = NULL;

  fill_defaults (opts_in, &opts);
  err = check_ca (ca_opts, &domain);
  if (err)
    return err;
  signal (SIGPIPE, SIG_IGN);
  assuan_set_gpg_err_source (GPG_ERR_SOURCE_DEFAULT);
  /* Started by inetd or systemd (Accept=yes) on a socket: the same
   * rule for its peer.  */
  if (!fstat (0, &st) && S_ISSOCK (st.st_mode) && !peer_ok (0, &opts))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_EACCES),
                           "the peer of the socket on stdin is not "
                           "allowed");
      goto leave;
    }
  filedes[0] = assuan_fdopen (0);
  filedes[1] = assuan_fdopen (1);
  err = assuan_new_ext (&ctx, GPG_ERR_SOURCE_DEFAULT, &secure_hooks,
                        NULL, NULL);
  if (!err)
    err = assuan_init_pipe_server (ctx, filedes);
  if (err)
    {
      ca_set_errmsg (err, "error starting the Assuan server: %s",
                     gpg_strerror (err));
      goto leave;
    }
  memset (&sess, 0, sizeof sess);
  sess.ca_opts = ca_opts;
  sess.opts = &opts;
  sess.ca_domain = domain;
  err = svc_session (ctx, &sess);
  if (err)
    ca_set_errmsg (err, "the Assuan session failed: %s",
                   gpg_strerror (err));

 leave:
  assuan_release (ctx);
  xfree (domain);
  return err;
}


/*
 * The socket
 */

/* The directory part of PATH (xfree).  */
static char *
dir_of (const char *path)
{
  const char *slash = strrchr (path, '/');
  char *dir;

  if (!slash)
    return xtrystrdup (".");
  if (slash == path)
    return xtrystrdup ("/");
  dir = xtrymalloc (slash - path + 1);
  if (dir)
    {
      memcpy (dir, path, slash - path);
      dir[slash - path] = 0;
    }
  return dir;
}


/* Whether DIR is a directory (not a link) of ours that nobody else may
 * enter.  */
static int
dir_private (const char *dir)
{
  struct stat st;

  return !lstat (dir, &st) && S_ISDIR (st.st_mode)
    && st.st_uid == geteuid () && !(st.st_mode & 077);
}


/* GnuPG's socket directory (`gpgconf --list-dirs socketdir') in
 * *R_DIR (xfree).  */
static gpg_error_t
gnupg_socketdir (char **r_dir)
{
  FILE *fp;
  char buf[512];
  size_t n;

  *r_dir = NULL;
  fp = popen ("gpgconf --list-dirs socketdir 2>/dev/null", "r");
  if (!fp)
    return oca_error_from_errno ();
  if (!fgets (buf, sizeof buf, fp))
    *buf = 0;
  if (pclose (fp) || !*buf)
    return gpg_error (GPG_ERR_NOT_FOUND);
  n = strlen (buf);
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
    buf[--n] = 0;
  if (*buf != '/')
    return gpg_error (GPG_ERR_NOT_FOUND);
  *r_dir = xtrystrdup (buf);
  return *r_dir ? 0 : oca_error_from_errno ();
}


/* The default socket of the database DBFILE (xfree).  */
static gpg_error_t
default_socket (const char *dbfile, char **r_path)
{
  gpg_error_t err;
  char *dir, *gdir = NULL;

  *r_path = NULL;
  dir = dir_of (dbfile);
  if (!dir)
    return oca_error_from_errno ();
  if (dir_private (dir))
    *r_path = gpgrt_bsprintf ("%s.sock", dbfile);
  else
    {
      err = gnupg_socketdir (&gdir);
      if (err)
        {
          xfree (dir);
          return ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                                "the directory of the database is not "
                                "private (mode 0700) and GnuPG's socket "
                                "directory is unknown: use --socket");
        }
      *r_path = gpgrt_bsprintf ("%s/S.oca", gdir);
    }
  xfree (gdir);
  xfree (dir);
  return *r_path ? 0 : oca_error_from_errno ();
}


/* Remove PATH if it is a socket nobody listens on.  */
static gpg_error_t
remove_stale (const char *path, const struct sockaddr_un *addr)
{
  struct stat st;
  int fd, rc, e;

  if (lstat (path, &st))
    return errno == ENOENT ? 0 : oca_error_from_errno ();
  if (!S_ISSOCK (st.st_mode))
    return ca_set_errmsg (gpg_error (GPG_ERR_EEXIST),
                          "'%s' exists and is not a socket", path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return oca_error_from_errno ();
  rc = connect (fd, (const struct sockaddr *)addr, sizeof *addr);
  e = errno;
  close (fd);
  if (!rc || e != ECONNREFUSED)
    return ca_set_errmsg (gpg_error (GPG_ERR_EADDRINUSE),
                          "another server listens on '%s'", path);
  if (unlink (path))
    return oca_error_from_errno ();
  return 0;
}


/* Listen on PATH in a private directory; *R_FD gets the socket.  */
static gpg_error_t
create_socket (const char *path, int *r_fd)
{
  gpg_error_t err;
  struct sockaddr_un addr;
  char *dir;
  struct stat st;
  mode_t old;
  int fd = -1;

  *r_fd = -1;
  memset (&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (strlen (path) >= sizeof addr.sun_path)
    return ca_set_errmsg (gpg_error (GPG_ERR_TOO_LARGE),
                          "socket name '%s' is too long", path);
  strcpy (addr.sun_path, path);
  dir = dir_of (path);
  if (!dir)
    return oca_error_from_errno ();
  if (lstat (dir, &st) && errno == ENOENT && mkdir (dir, 0700))
    {
      err = oca_error_from_errno ();
      ca_set_errmsg (err, "error creating socket directory '%s': %s", dir,
                     gpg_strerror (err));
      goto leave;
    }
  if (!dir_private (dir))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_EACCES),
                           "socket directory '%s' must be yours and mode "
                           "0700", dir);
      goto leave;
    }
  err = remove_stale (path, &addr);
  if (err)
    goto leave;
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  old = umask (077);
  if (bind (fd, (struct sockaddr *)&addr, sizeof addr))
    err = oca_error_from_errno ();
  umask (old);
  if (!err && listen (fd, 64))
    err = oca_error_from_errno ();
  if (err)
    {
      ca_set_errmsg (err, "error listening on '%s': %s", path,
                     gpg_strerror (err));
      goto leave;
    }
  *r_fd = fd;
  fd = -1;

 leave:
  if (fd >= 0)
    close (fd);
  xfree (dir);
  return err;
}


/* The listening socket systemd passed (socket activation), or -1; its
 * name in *R_NAME (xfree).  */
static int
activated_socket (char **r_name)
{
  const char *pid = getenv ("LISTEN_PID"), *fds = getenv ("LISTEN_FDS");
  struct sockaddr_un addr;
  socklen_t len = sizeof addr;
  int val = 0;
  socklen_t vlen = sizeof val;

  *r_name = NULL;
  if (!pid || !fds || strtoul (pid, NULL, 10) != (unsigned long)getpid ()
      || atoi (fds) < 1)
    return -1;
  unsetenv ("LISTEN_PID");
  unsetenv ("LISTEN_FDS");
  unsetenv ("LISTEN_FDNAMES");
  memset (&addr, 0, sizeof addr);
  if (getsockname (LISTEN_FDS_START, (struct sockaddr *)&addr, &len)
      || addr.sun_family != AF_UNIX
      || getsockopt (LISTEN_FDS_START, SOL_SOCKET, SO_ACCEPTCONN, &val,
                     &vlen) || !val)
    return -2;
  fcntl (LISTEN_FDS_START, F_SETFD, FD_CLOEXEC);
  *r_name = xtrystrdup (addr.sun_path[0] ? addr.sun_path : "(unnamed)");
  return LISTEN_FDS_START;
}


/*
 * A session process
 */

static volatile sig_atomic_t session_busy;
static volatile sig_atomic_t session_term;
static unsigned int session_idle;

/* SIGTERM in a session: at once between commands, else after the
 * reply.  */
static void
session_sigterm (int sig)
{
  (void)sig;
  if (!session_busy)
    _exit (0);
  session_term = 1;
}

/* SIGALRM: the client was silent (or did not read) for the idle
 * timeout.  A transaction cut here is rolled back by SQLite (its
 * journal); a command waits for the client only outside one.  */
static void
session_alarm (int sig)
{
  static const char msg[] = "oca: session dropped: idle timeout\n";
  ssize_t n;

  (void)sig;
  n = write (2, msg, sizeof msg - 1);
  (void)n;
  _exit (0);
}

/* The idle clock restarts with every command and every reply.  */
static gpg_error_t
pre_command (assuan_context_t ctx, const char *cmd)
{
  (void)ctx;
  (void)cmd;
  session_busy = 1;
  alarm (session_idle);
  return 0;
}

static void
post_command (assuan_context_t ctx, gpg_error_t err)
{
  (void)ctx;
  (void)err;
  session_busy = 0;
  if (session_term)
    _exit (0);
  alarm (session_idle);
}


/* Serve the connection FD (in its own process; MASK: the signal mask
 * to restore).  */
static int
serve_connection (int fd, const ca_opts_t *ca_opts, const svc_opts_t *opts,
                  const char *ca_domain, const char *socket_name,
                  pid_t server_pid, const sigset_t *mask)
{
  gpg_error_t err;
  svc_session_t sess;
  assuan_context_t ctx = NULL;

  signal (SIGTERM, session_sigterm);
  signal (SIGALRM, session_alarm);
  signal (SIGINT, SIG_DFL);
  signal (SIGCHLD, SIG_DFL);
  sigprocmask (SIG_SETMASK, mask, NULL);
  /* A client that goes silent (or does not read) is dropped.  */
  session_idle = opts->idle_timeout;
  alarm (session_idle);

  err = assuan_new_ext (&ctx, GPG_ERR_SOURCE_DEFAULT, &secure_hooks,
                        NULL, NULL);
  if (!err)
    err = assuan_init_socket_server (ctx, fd, ASSUAN_SOCKET_SERVER_ACCEPTED);
  if (err)
    {
      svc_log ("error starting a session: %s", gpg_strerror (err));
      assuan_release (ctx);
      return 1;
    }
  assuan_register_pre_cmd_notify (ctx, pre_command);
  assuan_register_post_cmd_notify (ctx, post_command);
  memset (&sess, 0, sizeof sess);
  sess.ca_opts = ca_opts;
  sess.opts = opts;
  sess.ca_domain = ca_domain;
  sess.socket_name = socket_name;
  sess.server_pid = server_pid;
  err = svc_session (ctx, &sess);
  if (err)
    svc_log ("session ended: %s", gpg_strerror (err));
  assuan_release (ctx);
  return err ? 1 : 0;
}


/*
 * The daemon
 */

static volatile sig_atomic_t got_term;
static volatile sig_atomic_t got_child;

static void
on_term (int sig)
{
  (void)sig;
  got_term = 1;
}

static void
on_child (int sig)
{
  (void)sig;
  got_child = 1;
}


/* Accept and serve connections on LFD until told to stop.  */
static void
serve (int lfd, const ca_opts_t *ca_opts, const svc_opts_t *opts,
       const char *ca_domain, const char *socket_name)
{
  sigset_t block, orig;
  struct sigaction sa;
  struct pollfd pfd;
  pid_t *children, self = getpid (), pid;
  unsigned int nchildren = 0, i;
  int fd, status, rc;

  children = xtrycalloc (opts->max_clients, sizeof *children);
  if (!children)
    {
      svc_log ("out of core");
      close (lfd);
      return;
    }
  memset (&sa, 0, sizeof sa);
  sigemptyset (&sa.sa_mask);
  sa.sa_handler = on_term;
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  sa.sa_handler = on_child;
  sigaction (SIGCHLD, &sa, NULL);
  sigemptyset (&block);
  sigaddset (&block, SIGTERM);
  sigaddset (&block, SIGINT);
  sigaddset (&block, SIGCHLD);
  sigprocmask (SIG_BLOCK, &block, &orig);

  svc_log ("listening on %s", socket_name);
  while (!got_term)
    {
      while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
        for (i = 0; i < nchildren; i++)
          if (children[i] == pid)
            {
              children[i] = children[--nchildren];
              break;
            }
      got_child = 0;
      pfd.fd = lfd;
      pfd.events = POLLIN;
      pfd.revents = 0;
      /* At the limit, connections wait in the listen queue.  */
      rc = ppoll (&pfd, nchildren < opts->max_clients ? 1 : 0, NULL, &orig);
      if (rc <= 0 || !(pfd.revents & POLLIN))
        continue;
      fd = accept4 (lfd, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0)
        {
          if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
            sleep (1);
          continue;
        }
      if (!peer_ok (fd, opts))
        {
          close (fd);
          continue;
        }
      fflush (NULL);
      pid = fork ();
      if (!pid)
        {
          close (lfd);
          _exit (serve_connection (fd, ca_opts, opts, ca_domain,
                                   socket_name, self, &orig));
        }
      if (pid == (pid_t)-1)
        {
          svc_log ("fork failed: %s", strerror (errno));
          srv_refuse (fd, gpg_error (GPG_ERR_RESOURCE_LIMIT),
                      "out of resources");
        }
      else
        children[nchildren++] = pid;
      close (fd);
    }

  svc_log ("stopping");
  close (lfd);
  for (i = 0; i < nchildren; i++)
    kill (children[i], SIGTERM);
  while (nchildren && waitpid (-1, &status, 0) > 0)
    nchildren--;
  sigprocmask (SIG_SETMASK, &orig, NULL);
  xfree (children);
}


gpg_error_t
svc_run_daemon (const ca_opts_t *ca_opts, const svc_opts_t *opts_in)
{
  gpg_error_t err;
  svc_opts_t opts;
  char *path = NULL, *domain = NULL;
  int lfd, activated = 0;
  pid_t pid;

  fill_defaults (opts_in, &opts);
  err = check_ca (ca_opts, &domain);
  if (err)
    return err;
  signal (SIGPIPE, SIG_IGN);
  assuan_set_gpg_err_source (GPG_ERR_SOURCE_DEFAULT);

  lfd = activated_socket (&path);
  if (lfd == -2)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_INV_HANDLE),
                           "the socket passed by systemd (LISTEN_FDS) is "
                           "not a listening Unix socket");
      goto leave;
    }
  if (lfd >= 0)
    activated = 1;
  else
    {
      if (opts.socket)
        path = xtrystrdup (opts.socket);
      else
        {
          err = default_socket (ca_opts->dbfile, &path);
          if (err)
            goto leave;
        }
      if (!path)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      err = create_socket (path, &lfd);
      if (err)
        goto leave;
    }

  if (!opts.no_detach && !activated)
    {
      fflush (NULL);
      pid = fork ();
      if (pid == (pid_t)-1)
        {
          err = oca_error_from_errno ();
          goto leave;
        }
      if (pid)
        {
          /* The caller returns: the socket listens already.  */
          close (lfd);
          lfd = -1;
          goto leave;
        }
      setsid ();
      if (!freopen ("/dev/null", "r", stdin)
          || !freopen ("/dev/null", "w", stdout))
        _exit (1);
    }

  serve (lfd, ca_opts, &opts, domain, path);
  lfd = -1;
  if (!activated)
    unlink (path);

 leave:
  if (lfd >= 0)
    close (lfd);
  xfree (path);
  xfree (domain);
  return err;
}
