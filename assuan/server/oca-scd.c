/* oca-scd.c - scdaemon-compatible smartcard server (main program)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A drop-in for GnuPG's scdaemon ("scdaemon-program" in
 * gpg-agent.conf) that opens readers in PC/SC shared mode, so that
 * gpg, the CA and other PC/SC clients can share one card.
 *
 * Modes: --multi-server (pipe on stdin/stdout plus a Unix socket
 * served concurrently, one thread per connection), --server (pipe
 * only), --daemon (socket only, in the background).  Options come
 * from the command line and from <homedir>/scdaemon.conf.  stdout is
 * the protocol channel: nothing else is ever written to it.
 *
 * The socket lives in a fresh 0700 directory $TMPDIR/oca-scd.XXXXXX,
 * which the server keeps locked (flock) for its lifetime; connections
 * from another uid are refused (SO_PEERCRED).  At start, directories of
 * that name left by killed servers are removed: only ours (owner, mode
 * 0700, no symbolic link), unlocked, and holding nothing but a socket
 * that nobody listens on.
 */
#include <config.h>
#include "scd.h"
#include "srv-proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <fcntl.h>
#include <dirent.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>

static char *socket_dir;
static int socket_dir_fd = -1;      /* Holds the directory's lock.  */
static assuan_fd_t listen_fd = ASSUAN_INVALID_FD;
static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conn_cond = PTHREAD_COND_INITIALIZER;
static int socket_sessions;

/* Allocation hooks: every Assuan context lives in secure memory so
 * that inquired PINs and keys never touch normal memory.  */
static struct assuan_malloc_hooks secure_hooks =
  {
    gcry_malloc_secure, gcry_realloc, gcry_free
  };

/* Parse a debug level name or number.  */
static int
parse_debug_level (const char *s)
{
  if (!strcmp (s, "none"))
    return 0;
  if (!strcmp (s, "basic"))
    return 1;
  if (!strcmp (s, "advanced"))
    return 2;
  if (!strcmp (s, "expert"))
    return 3;
  if (!strcmp (s, "guru"))
    return 4;
  if (*s >= '0' && *s <= '9')
    {
      int n = atoi (s);
      return n < 1 ? 0 : n <= 2 ? 1 : n <= 5 ? 2 : n <= 8 ? 3 : 4;
    }
  return 1;
}

static void
set_string_opt (char **var, const char *value)
{
  xfree (*var);
  *var = value ? xtrystrdup (value) : NULL;
}

/* Apply option NAME with VALUE (NULL if none).  Returns 0 if known,
 * 1 if the option is unknown (ignored with a note).  */
static int
apply_option (const char *name, const char *value)
{
  if (!strcmp (name, "reader-port"))
    set_string_opt (&scd_opt.reader_port, value);
  else if (!strcmp (name, "debug-level"))
    scd_opt.debug_level = value ? parse_debug_level (value) : 1;
  else if (!strcmp (name, "debug-all"))
    scd_opt.debug_level = 4;
  else if (!strcmp (name, "log-file"))
    set_string_opt (&scd_opt.log_file, value);
  else if (!strcmp (name, "deny-admin"))
    scd_opt.deny_admin = 1;
  else if (!strcmp (name, "allow-admin"))
    scd_opt.deny_admin = 0;
  else if (!strcmp (name, "verbose") || !strcmp (name, "v"))
    scd_opt.verbose++;
  else if (!strcmp (name, "allow-last-pin-try"))
    scd_opt.refuse_last_try = 0;
  else if (!strcmp (name, "refuse-last-pin-try"))
    scd_opt.refuse_last_try = 1;
  else if (!strcmp (name, "disable-pinpad"))
    scd_opt.disable_pinpad = 1;
  else if (!strcmp (name, "enable-pinpad-varlen"))
    scd_opt.pinpad_varlen = 1;
  else if (!strcmp (name, "pcsc-shared") || !strcmp (name, "card-timeout")
           || !strcmp (name, "quiet") || !strcmp (name, "disable-ccid")
           || !strcmp (name, "pcsc-driver") || !strcmp (name, "ctapi-driver")
           || !strcmp (name, "debug") || !strcmp (name, "debug-ccid-driver")
           || !strcmp (name, "debug-allow-pin-logging")
           || !strcmp (name, "debug-disable-ticker")
           || !strcmp (name, "disable-application")
           || !strcmp (name, "application-priority")
           || !strcmp (name, "listen-backlog")
           || !strcmp (name, "compatibility-flags")
           || !strcmp (name, "no-detach") || !strcmp (name, "sh")
           || !strcmp (name, "csh") || !strcmp (name, "batch")
           || !strcmp (name, "no-options") || !strcmp (name, "no-greeting"))
    ;  /* Accepted; no effect (pcsc-shared is always on).  */
  else
    return 1;
  return 0;
}

/* Read the options file FNAME; a missing file is fine.  */
static void
read_conf (const char *fname)
{
  FILE *fp;
  char line[1024], *p, *name, *value, *e;
  int lnr = 0;

  fp = fopen (fname, "r");
  if (!fp)
    return;
  while (fgets (line, sizeof line, fp))
    {
      lnr++;
      if (!strchr (line, '\n') && !feof (fp))
        {
          /* Longer than LINE: ignore the whole line instead of reading
           * its tail as another option.  */
          int c;

          while ((c = getc (fp)) != EOF && c != '\n')
            ;
          scd_log ("%s:%d: line too long, ignored", fname, lnr);
          continue;
        }
      for (p = line; *p == ' ' || *p == '\t'; p++)
        ;
      if (!*p || *p == '#' || *p == '\n' || *p == '\r')
        continue;
      e = p + strlen (p);
      while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '
                       || e[-1] == '\t'))
        *--e = 0;
      name = p;
      while (*p && *p != ' ' && *p != '\t')
        p++;
      value = NULL;
      if (*p)
        {
          *p++ = 0;
          while (*p == ' ' || *p == '\t')
            p++;
          if (*p)
            value = p;
          if (value && *value == '\"' && e > value + 1 && e[-1] == '\"')
            {
              value++;
              e[-1] = 0;
            }
        }
      if (apply_option (name, value))
        scd_log ("%s:%d: unknown option '%s' ignored", fname, lnr, name);
    }
  fclose (fp);
}

static void *
connection_thread (void *arg)
{
  assuan_fd_t fd = (assuan_fd_t)(intptr_t)arg;
  assuan_context_t ctx = NULL;
  gpg_error_t err;

  err = assuan_new_ext (&ctx, GPG_ERR_SOURCE_SCD, &secure_hooks,
                        NULL, NULL);
  if (!err)
    err = assuan_init_socket_server (ctx, fd, ASSUAN_SOCKET_SERVER_ACCEPTED);
  if (err)
    {
      scd_log ("failed to initialise the server: %s", gpg_strerror (err));
      if (ctx)
        assuan_release (ctx);
      else
        assuan_sock_close (fd);
    }
  else
    {
      scd_command_loop (ctx, 0);
      assuan_release (ctx);
    }
  pthread_mutex_lock (&conn_lock);
  socket_sessions--;
  pthread_cond_broadcast (&conn_cond);
  pthread_mutex_unlock (&conn_lock);
  if (scd_shutdown_requested)
    {
      if (scd_socket_name)
        unlink (scd_socket_name);
      if (socket_dir)
        rmdir (socket_dir);
      _exit (0);
    }
  return NULL;
}

/* Whether the peer of the accepted socket FD runs under our uid.
 * Refusals are logged (uid and pid only) and told to the peer.  */
static int
peer_allowed (int fd)
{
  gpg_error_t err;
  uid_t uid;
  pid_t pid;

  err = srv_peer_cred (fd, &uid, &pid);
  if (err)
    {
      scd_log ("connection refused: peer credentials unknown: %s",
               gpg_strerror (err));
      return 0;
    }
  if (uid == geteuid ())
    return 1;
  scd_log ("connection refused: peer uid %lu (pid %ld) is not ours",
           (unsigned long)uid, (long)pid);
  srv_refuse (fd, gpg_error (GPG_ERR_EACCES), "Permission denied");
  return 0;
}

static void *
accept_thread (void *arg)
{
  (void)arg;
  for (;;)
    {
      struct sockaddr_un addr;
      socklen_t len = sizeof addr;
      int fd;
      pthread_t tid;
      pthread_attr_t attr;

      fd = accept ((int)listen_fd, (struct sockaddr *)&addr, &len);
      if (fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          scd_log ("accept failed: %s", strerror (errno));
          sleep (1);
          continue;
        }
      if (!peer_allowed (fd))
        {
          close (fd);
          continue;
        }
      pthread_mutex_lock (&conn_lock);
      socket_sessions++;
      pthread_mutex_unlock (&conn_lock);
      pthread_attr_init (&attr);
      pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
      if (pthread_create (&tid, &attr, connection_thread,
                          (void *)(intptr_t)fd))
        {
          scd_log ("error spawning connection handler");
          close (fd);
          pthread_mutex_lock (&conn_lock);
          socket_sessions--;
          pthread_mutex_unlock (&conn_lock);
        }
      pthread_attr_destroy (&attr);
    }
  return NULL;
}


/* Whether a server listens on the socket NAME inside the directory
 * DIR/SUB (only ECONNREFUSED counts as "nobody").  */
static int
socket_listened (const char *dir, const char *sub, const char *name)
{
  struct sockaddr_un addr;
  int fd, rc, e;

  memset (&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if ((size_t)snprintf (addr.sun_path, sizeof addr.sun_path, "%s/%s/%s",
                        dir, sub, name) >= sizeof addr.sun_path)
    return 1;
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return 1;
  rc = connect (fd, (struct sockaddr *)&addr, sizeof addr);
  e = errno;
  close (fd);
  return !(rc == -1 && e == ECONNREFUSED);
}


/* Remove the socket directories in TMP that servers of ours left when
 * they were killed.  A candidate is opened without following links and
 * checked through its descriptor; its lock tells a running server
 * (which holds it) from a dead one, and we hold it while removing.  The
 * directory itself goes with rmdir, which removes nothing but an empty
 * directory.  */
static void
remove_stale_socket_dirs (const char *tmp)
{
  DIR *d;
  struct dirent *de;
  struct stat st, sst;
  int tfd, dfd, fd2;
  time_t now = time (NULL);

  tfd = open (tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (tfd < 0)
    return;
  fd2 = dup (tfd);
  d = fd2 < 0 ? NULL : fdopendir (fd2);
  if (!d)
    {
      if (fd2 >= 0)
        close (fd2);
      close (tfd);
      return;
    }
  while ((de = readdir (d)))
    {
      if (strncmp (de->d_name, "oca-scd.", 8) || strlen (de->d_name) != 14)
        continue;
      dfd = openat (tfd, de->d_name,
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (dfd < 0)
        continue;
      if (fstat (dfd, &st) || st.st_uid != geteuid ()
          || (st.st_mode & 07777) != 0700
          || flock (dfd, LOCK_EX | LOCK_NB))
        {
          close (dfd);
          continue;
        }
      if (!fstatat (dfd, "S.scdaemon", &sst, AT_SYMLINK_NOFOLLOW))
        {
          if (S_ISSOCK (sst.st_mode) && sst.st_uid == geteuid ()
              && !socket_listened (tmp, de->d_name, "S.scdaemon")
              && !unlinkat (dfd, "S.scdaemon", 0)
              && !unlinkat (tfd, de->d_name, AT_REMOVEDIR))
            scd_log ("removed stale socket directory %s/%s", tmp,
                     de->d_name);
        }
      else if (errno == ENOENT && now - st.st_mtime > 60
               && !unlinkat (tfd, de->d_name, AT_REMOVEDIR))
        /* Killed before it could bind: empty (rmdir checks that) and
         * old enough not to be a server that is just starting.  */
        scd_log ("removed stale socket directory %s/%s", tmp, de->d_name);
      close (dfd);
    }
  closedir (d);
  close (tfd);
}


/* Create the listening socket in a fresh 0700 directory.  */
static gpg_error_t
create_socket (void)
{
  gpg_error_t err;
  const char *tmp = getenv ("TMPDIR");
  char *templ;
  struct sockaddr_un addr;
  int redirected = 0;
  size_t n;

  if (!tmp || !*tmp || strlen (tmp) > 60)
    tmp = "/tmp";
  remove_stale_socket_dirs (tmp);
  n = strlen (tmp) + 30;
  templ = xtrymalloc (n);
  if (!templ)
    return oca_error_from_errno ();
  snprintf (templ, n, "%s/oca-scd.XXXXXX", tmp);
  if (!mkdtemp (templ))
    {
      err = oca_error_from_errno ();
      xfree (templ);
      return err;
    }
  socket_dir = templ;
  /* Locked for our lifetime: a later server can tell we are alive.  */
  socket_dir_fd = open (templ, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                        | O_CLOEXEC);
  if (socket_dir_fd < 0 || flock (socket_dir_fd, LOCK_EX | LOCK_NB))
    return oca_error_from_errno ();
  n = strlen (templ) + 20;
  scd_socket_name = xtrymalloc (n);
  if (!scd_socket_name)
    return oca_error_from_errno ();
  snprintf (scd_socket_name, n, "%s/S.scdaemon", templ);
  listen_fd = assuan_sock_new (AF_UNIX, SOCK_STREAM, 0);
  if (listen_fd == ASSUAN_INVALID_FD)
    return oca_error_from_errno ();
  memset (&addr, 0, sizeof addr);
  if (assuan_sock_set_sockaddr_un (scd_socket_name,
                                   (struct sockaddr *)&addr, &redirected))
    return oca_error_from_errno ();
  if (assuan_sock_bind (listen_fd, (struct sockaddr *)&addr, sizeof addr))
    return oca_error_from_errno ();
  chmod (scd_socket_name, 0700);
  if (listen ((int)listen_fd, 64) == -1)
    return oca_error_from_errno ();
  return 0;
}

static void
cleanup_socket (void)
{
  if (scd_socket_name)
    unlink (scd_socket_name);
  if (socket_dir)
    rmdir (socket_dir);
}

static void
usage (void)
{
  fputs ("Usage: oca-scd [--multi-server|--server|--daemon] [--homedir DIR]\n"
         "               [--options FILE] [--debug-level LEVEL]"
         " [--log-file FILE]\n"
         "scdaemon-compatible smartcard server (PC/SC shared mode)\n",
         stderr);
}

int
main (int argc, char **argv)
{
  gpg_error_t err;
  int pipe_server = 0, multi = 0, daemon_mode = 0, no_options = 0;
  const char *homedir = NULL, *optfile = NULL;
  char *conf = NULL;
  int i;
  pthread_t tid;

  /* First pass: find --homedir, --options and --no-options.  */
  for (i = 1; i < argc; i++)
    {
      if (!strcmp (argv[i], "--homedir") && i + 1 < argc)
        homedir = argv[++i];
      else if (!strncmp (argv[i], "--homedir=", 10))
        homedir = argv[i] + 10;
      else if (!strcmp (argv[i], "--options") && i + 1 < argc)
        optfile = argv[++i];
      else if (!strncmp (argv[i], "--options=", 10))
        optfile = argv[i] + 10;
      else if (!strcmp (argv[i], "--no-options"))
        no_options = 1;
    }
  if (!homedir)
    homedir = getenv ("GNUPGHOME");

  err = oca_init_gcrypt (128 * 1024);
  if (err)
    {
      fprintf (stderr, "oca-scd: libgcrypt too old\n");
      return 2;
    }
  gcry_control (GCRYCTL_AUTO_EXPAND_SECMEM, 32 * 1024);

  if (!no_options)
    {
      if (optfile)
        read_conf (optfile);
      else
        {
          const char *h = homedir;
          char *tmp = NULL;

          if (!h && getenv ("HOME"))
            {
              size_t n = strlen (getenv ("HOME")) + 10;
              tmp = xtrymalloc (n);
              if (tmp)
                snprintf (tmp, n, "%s/.gnupg", getenv ("HOME"));
              h = tmp;
            }
          if (h)
            {
              size_t n = strlen (h) + 20;
              conf = xtrymalloc (n);
              if (conf)
                {
                  snprintf (conf, n, "%s/scdaemon.conf", h);
                  read_conf (conf);
                }
            }
          xfree (tmp);
        }
    }

  /* Second pass: modes and options overriding the file.  */
  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];

      if (!strcmp (a, "--multi-server"))
        pipe_server = multi = 1;
      else if (!strcmp (a, "--server"))
        pipe_server = 1;
      else if (!strcmp (a, "--daemon"))
        daemon_mode = 1;
      else if (!strcmp (a, "--homedir") || !strcmp (a, "--options"))
        i++;
      else if (!strncmp (a, "--homedir=", 10) || !strncmp (a, "--options=", 10)
               || !strcmp (a, "--no-options"))
        ;
      else if (!strcmp (a, "--version"))
        {
          fprintf (stderr, "oca-scd (oca) %s\n", PACKAGE_VERSION);
          return 0;
        }
      else if (!strcmp (a, "--help") || !strcmp (a, "-h"))
        {
          usage ();
          return 0;
        }
      else if (!strncmp (a, "--", 2))
        {
          char *name = xtrystrdup (a + 2), *eq;
          const char *value = NULL;

          if (!name)
            return 2;
          if ((eq = strchr (name, '=')))
            {
              *eq = 0;
              value = eq + 1;
            }
          else if ((!strcmp (name, "reader-port")
                    || !strcmp (name, "debug-level")
                    || !strcmp (name, "log-file")
                    || !strcmp (name, "pcsc-driver")
                    || !strcmp (name, "debug")
                    || !strcmp (name, "card-timeout"))
                   && i + 1 < argc)
            value = argv[++i];
          if (apply_option (name, value))
            fprintf (stderr, "oca-scd: unknown option '%s' ignored\n", a);
          xfree (name);
        }
      else if (!strcmp (a, "-v"))
        scd_opt.verbose++;
      else
        fprintf (stderr, "oca-scd: argument '%s' ignored\n", a);
    }

  scd_log_open ();

  signal (SIGPIPE, SIG_IGN);
  assuan_set_gpg_err_source (GPG_ERR_SOURCE_SCD);
  assuan_sock_init ();

  if (!pipe_server && !daemon_mode)
    {
      usage ();
      fprintf (stderr, "oca-scd: please use --server, --multi-server "
               "or --daemon\n");
      return 2;
    }

  if (multi || daemon_mode)
    {
      err = create_socket ();
      if (err)
        {
          scd_log ("error creating the socket: %s", gpg_strerror (err));
          cleanup_socket ();
          xfree (scd_socket_name);
          scd_socket_name = NULL;
          if (daemon_mode)
            return 2;
        }
    }

  if (daemon_mode && !pipe_server)
    {
      pid_t pid;

      fflush (NULL);
      pid = fork ();
      if (pid == (pid_t)-1)
        {
          scd_log ("fork failed: %s", strerror (errno));
          return 1;
        }
      if (pid)
        {
          printf ("SCDAEMON_INFO=%s:%lu:1; export SCDAEMON_INFO;\n",
                  scd_socket_name, (unsigned long)pid);
          return 0;
        }
      setsid ();
      if (!freopen ("/dev/null", "r", stdin)
          || !freopen ("/dev/null", "w", stdout))
        return 1;
      accept_thread (NULL);
      return 0;
    }

  if (scd_socket_name)
    {
      if (pthread_create (&tid, NULL, accept_thread, NULL))
        {
          scd_log ("error spawning the socket thread");
          cleanup_socket ();
          xfree (scd_socket_name);
          scd_socket_name = NULL;
        }
      else
        pthread_detach (tid);
    }

  /* The pipe server.  */
  {
    assuan_context_t ctx = NULL;
    assuan_fd_t filedes[2];

    filedes[0] = assuan_fdopen (0);
    filedes[1] = assuan_fdopen (1);
    err = assuan_new_ext (&ctx, GPG_ERR_SOURCE_SCD, &secure_hooks,
                          NULL, NULL);
    if (!err)
      err = assuan_init_pipe_server (ctx, filedes);
    if (err)
      {
        scd_log ("failed to initialise the server: %s", gpg_strerror (err));
        cleanup_socket ();
        return 2;
      }
    err = scd_command_loop (ctx, 1);
    assuan_release (ctx);
  }

  /* The pipe is gone: wait for socket sessions unless killed.  */
  if (!scd_shutdown_requested)
    {
      pthread_mutex_lock (&conn_lock);
      while (socket_sessions > 0 && !scd_shutdown_requested)
        pthread_cond_wait (&conn_cond, &conn_lock);
      pthread_mutex_unlock (&conn_lock);
    }
  cleanup_socket ();
  scd_release_cards ();
  xfree (conf);
  return err ? 1 : 0;
}
