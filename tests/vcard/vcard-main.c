/* vcard-main.c - oca-vcard: a virtual OpenPGP card for vsmartcard-vpcd
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * oca-vcard connects to the TCP port of a vpcd reader slot, which makes
 * pcscd see a card inserted into that reader, and answers APDUs with
 * the OpenPGP card application of vcard-app.c.  Closing the connection
 * (the process exits) removes the card.
 *
 * vpcd protocol: every message in both directions is a 2-byte
 * big-endian length and that many bytes.  A 1-byte message from the
 * reader is a control code (00 power off, 01 power on, 02 reset, 04 get
 * ATR: answered with the ATR); longer messages are command APDUs,
 * answered with the response APDU.  vpcd writes length and payload in
 * two small writes, so we set TCP_NODELAY, send each message with one
 * write and set TCP_QUICKACK before each read; a round trip then takes
 * well under a millisecond.
 *
 * Touch (UIF): an operation on a key whose UIF is on waits until a
 * touch arrives -- SIGUSR1, or the file given with --touch-file
 * appearing (the card deletes it: one file, one touch) -- or until
 * --touch-timeout seconds pass; then the card answers 6600 as real
 * tokens do.
 *
 * --profile NAME makes the card behave like a real one (vcard-profile.c);
 * its latency (or --latency) is waited out before each answer, less the
 * time the emulator itself took.
 */
#include <config.h>
#include "vcard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <poll.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#define PGM "oca-vcard"
#define MSG_MAX 65535

/* Quirk options (adjust the profile).  */
#define QUIRK_NO_RSA4096  1
#define QUIRK_6982        2
#define QUIRK_NOEXT       4
#define QUIRK_FPR6E       8

static volatile sig_atomic_t got_stop;
static volatile sig_atomic_t got_touch;

/* Program options.  */
static struct
{
  const char *host;
  unsigned int port;
  const char *state;
  const char *apdu_log;
  const char *touch_file;
  const char *ready_file;
  double touch_timeout;
  double connect_timeout;
  long watch_pid;
  int verbose;
  int once;
  const char *profile;
  const char *latency;
} opt;

static int apdu_log_fd = -1;

static void
on_stop (int sig)
{
  (void)sig;
  got_stop = 1;
}

static void
on_touch (int sig)
{
  (void)sig;
  got_touch = 1;
}

static void
usage (FILE *fp)
{
  fputs ("Usage: " PGM " --port PORT --state FILE [options]\n"
         "A virtual OpenPGP card v3.4 for vsmartcard-vpcd.\n\n"
         "  --port PORT          vpcd slot port (35963, 35964, ...)\n"
         "  --host ADDR          vpcd address, loopback only (127.0.0.1)\n"
         "  --state FILE         card state (created, mode 0600)\n"
         "  --serial HEX8        serial number (default 00000001)\n"
         "  --manufacturer HEX4  manufacturer id (default FFFE)\n"
         "  --apdu-log FILE      append \"CLA INS P1 P2\" per APDU\n"
         "  --touch-file PATH    a touch is PATH appearing (deleted)\n"
         "  --ready-file PATH    create PATH once the reader read the ATR\n"
         "  --touch-timeout SEC  wait for a touch at most SEC (15)\n"
         "  --connect-timeout SEC  retry connecting for SEC (10)\n"
         "  --watch-pid PID      exit when process PID is gone\n"
         "  --once               exit when the reader disconnects\n"
         "  --profile NAME       behave like a real card (--list-profiles)\n"
         "  --list-profiles      print the profiles and exit\n"
         "  --describe           print what the profile does and exit\n"
         "  --latency OP[,VERIFY[,GEN]]  ms per private-key operation,\n"
         "                       VERIFY, RSA 2048 generation\n"
         "  --no-rsa4096         quirk: refuse RSA 4096\n"
         "  --wrong-pin-6982     quirk: wrong PIN answers 6982\n"
         "  --no-extended-length quirk: short APDUs only (61xx)\n"
         "  --fpr-only-in-6e     quirk: GET DATA C5 answers 6A88\n"
         "  --verbose            log APDU headers and SWs to stderr\n"
         "SIGUSR1 gives a touch.  SIGTERM removes the card and exits.\n",
         fp);
}

/* Sleep for MS milliseconds (interrupted by signals).  */
static void
sleep_ms (unsigned int ms)
{
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

  nanosleep (&ts, NULL);
}

/* Monotonic time in seconds.  */
static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The touch callback: wait for SIGUSR1 or the touch file.  */
static gpg_error_t
wait_touch (void *opaque, int keyno)
{
  double end = now () + opt.touch_timeout;

  (void)opaque;
  if (opt.verbose)
    fprintf (stderr, PGM ": waiting for touch (key %d)\n", keyno + 1);
  for (;;)
    {
      if (got_touch)
        {
          got_touch = 0;
          return 0;
        }
      if (opt.touch_file && !unlink (opt.touch_file))
        return 0;
      if (got_stop || now () >= end)
        break;
      sleep_ms (20);
    }
  if (opt.verbose)
    fprintf (stderr, PGM ": touch timed out\n");
  return gpg_error (GPG_ERR_TIMEOUT);
}

/* Connect to the vpcd slot, retrying until the connect timeout.
 * Returns the socket or -1.  */
static int
connect_vpcd (void)
{
  struct sockaddr_in sa;
  double end = now () + opt.connect_timeout;
  int fd, one = 1;

  memset (&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons (opt.port);
  inet_pton (AF_INET, opt.host, &sa.sin_addr);
  while (!got_stop)
    {
      fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0)
        return -1;
      if (!connect (fd, (struct sockaddr *)&sa, sizeof sa))
        {
          setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          return fd;
        }
      close (fd);
      if (now () >= end)
        {
          fprintf (stderr, PGM ": cannot connect to %s:%u: %s\n",
                   opt.host, opt.port, strerror (errno));
          return -1;
        }
      sleep_ms (100);
    }
  return -1;
}

/* Read exactly N bytes; 0 on success, -1 on EOF or error.  */
static int
read_full (int fd, unsigned char *buf, size_t n)
{
  ssize_t r;
  int one = 1;

  while (n)
    {
      setsockopt (fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
      r = read (fd, buf, n);
      if (r < 0 && errno == EINTR && !got_stop)
        continue;
      if (r <= 0)
        return -1;
      buf += r;
      n -= r;
    }
  return 0;
}

/* Send one vpcd message (length prefix and DATA) with one write.  */
static int
send_msg (int fd, const unsigned char *data, size_t len)
{
  unsigned char *buf;
  size_t off = 0;
  ssize_t w;
  int rc = 0;

  if (len > MSG_MAX)
    return -1;
  buf = xtrymalloc_secure (len + 2);
  if (!buf)
    return -1;
  buf[0] = len >> 8;
  buf[1] = len;
  memcpy (buf + 2, data, len);
  while (off < len + 2)
    {
      w = send (fd, buf + off, len + 2 - off, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        {
          rc = -1;
          break;
        }
      off += w;
    }
  wipe_and_free (buf, len + 2);
  return rc;
}

/* Append the header of APDU to the APDU log (never any data).  */
static void
log_apdu (const unsigned char *apdu, size_t len)
{
  char line[32];
  int n;

  if (apdu_log_fd < 0)
    return;
  if (len >= 4)
    n = snprintf (line, sizeof line, "%02X %02X %02X %02X\n",
                  apdu[0], apdu[1], apdu[2], apdu[3]);
  else
    n = snprintf (line, sizeof line, "short %u\n", (unsigned int)len);
  if (write (apdu_log_fd, line, n) != n)
    {
      close (apdu_log_fd);
      apdu_log_fd = -1;
    }
}

/* Save the card state if it changed; report errors.  */
static int
save_if_dirty (vcard_t *card)
{
  gpg_error_t err;

  if (!card->dirty)
    return 0;
  err = vcard_state_save (card, opt.state);
  if (err)
    {
      fprintf (stderr, PGM ": saving %s failed: %s\n", opt.state,
               gpg_strerror (err));
      return -1;
    }
  return 0;
}

/* Serve the reader on FD until EOF, an error or a stop request.
 * Returns 0 on EOF (reader went away), -1 on errors.  */
static int
serve (vcard_t *card, int fd, unsigned char *msg)
{
  unsigned char hdr[2], hdr4[4] = { 0 }, atr[40];
  unsigned char *rsp;
  size_t len, rsplen;
  struct pollfd pfd;
  gpg_error_t err;
  int rc;
  double t0;

  while (!got_stop)
    {
      pfd.fd = fd;
      pfd.events = POLLIN;
      pfd.revents = 0;
      rc = poll (&pfd, 1, 1000);
      if (rc < 0 && errno == EINTR)
        continue;
      if (rc < 0)
        return -1;
      if (!rc)
        {
          if (opt.watch_pid > 0 && kill ((pid_t)opt.watch_pid, 0)
              && errno == ESRCH)
            {
              if (opt.verbose)
                fprintf (stderr, PGM ": process %ld is gone\n",
                         opt.watch_pid);
              got_stop = 1;
            }
          continue;
        }
      if (read_full (fd, hdr, 2))
        return 0;
      len = (hdr[0] << 8) | hdr[1];
      if (read_full (fd, msg, len))
        return 0;
      if (!len)
        continue;
      if (len == 1)
        {
          switch (msg[0])
            {
            case 0x00: /* Power off.  */
            case 0x01: /* Power on.  */
            case 0x02: /* Reset.  */
              vcard_reset_volatile (card);
              break;
            case 0x04: /* ATR.  */
              if (send_msg (fd, atr, vcard_atr (card, atr, sizeof atr)))
                return -1;
              if (opt.ready_file)
                {
                  /* The reader talks to us: tell the harness.  */
                  int rfd = open (opt.ready_file,
                                  O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                  if (rfd >= 0)
                    close (rfd);
                }
              break;
            default:
              break;
            }
          continue;
        }
      log_apdu (msg, len);
      memcpy (hdr4, msg, 4);
      t0 = now ();
      err = vcard_process_apdu (card, msg, len, &rsp, &rsplen);
      wipememory (msg, len);
      if (err)
        {
          static const unsigned char memfail[2] = { 0x65, 0x81 };

          fprintf (stderr, PGM ": %s\n", gpg_strerror (err));
          if (send_msg (fd, memfail, 2))
            return -1;
          continue;
        }
      /* A token's timing: wait out the rest of the command's latency
       * (the emulator's own time counts).  */
      if (card->busy_ms)
        {
          double left = card->busy_ms / 1000.0 - (now () - t0);

          if (left > 0)
            sleep_ms ((unsigned int)(left * 1000));
        }
      if (opt.verbose && len >= 4 && rsplen >= 2)
        fprintf (stderr, PGM ": %02X %02X %02X %02X -> %02X%02X (%u bytes)\n",
                 hdr4[0], hdr4[1], hdr4[2], hdr4[3], rsp[rsplen - 2],
                 rsp[rsplen - 1], (unsigned int)(rsplen - 2));
      /* Persist before answering: a client that saw 9000 can rely on
       * the change surviving a restart.  */
      save_if_dirty (card);
      rc = send_msg (fd, rsp, rsplen);
      wipe_and_free (rsp, rsplen);
      if (rc)
        return -1;
    }
  return 0;
}

/* Parse a seconds value.  */
static double
parse_seconds (const char *s, const char *what)
{
  char *end;
  double d = strtod (s, &end);

  if (*end || d < 0 || d > 86400)
    {
      fprintf (stderr, PGM ": invalid %s '%s'\n", what, s);
      exit (2);
    }
  return d;
}

int
main (int argc, char **argv)
{
  enum { O_PORT = 256, O_HOST, O_STATE, O_SERIAL, O_MANUF, O_APDULOG,
         O_TOUCHFILE, O_READY, O_TOUCHTO, O_CONNTO, O_WATCH, O_ONCE, O_NORSA4096,
         O_6982, O_NOEXT, O_FPR6E, O_VERBOSE, O_HELP, O_PROFILE, O_LIST,
         O_DESCRIBE, O_LATENCY };
  static const struct option lopts[] = {
    { "port", required_argument, NULL, O_PORT },
    { "host", required_argument, NULL, O_HOST },
    { "state", required_argument, NULL, O_STATE },
    { "serial", required_argument, NULL, O_SERIAL },
    { "manufacturer", required_argument, NULL, O_MANUF },
    { "apdu-log", required_argument, NULL, O_APDULOG },
    { "touch-file", required_argument, NULL, O_TOUCHFILE },
    { "touch-timeout", required_argument, NULL, O_TOUCHTO },
    { "ready-file", required_argument, NULL, O_READY },
    { "connect-timeout", required_argument, NULL, O_CONNTO },
    { "watch-pid", required_argument, NULL, O_WATCH },
    { "once", no_argument, NULL, O_ONCE },
    { "no-rsa4096", no_argument, NULL, O_NORSA4096 },
    { "wrong-pin-6982", no_argument, NULL, O_6982 },
    { "no-extended-length", no_argument, NULL, O_NOEXT },
    { "fpr-only-in-6e", no_argument, NULL, O_FPR6E },
    { "verbose", no_argument, NULL, O_VERBOSE },
    { "profile", required_argument, NULL, O_PROFILE },
    { "list-profiles", no_argument, NULL, O_LIST },
    { "describe", no_argument, NULL, O_DESCRIBE },
    { "latency", required_argument, NULL, O_LATENCY },
    { "help", no_argument, NULL, O_HELP },
    { NULL, 0, NULL, 0 }
  };
  const char *serial = NULL, *manuf = NULL;
  unsigned int quirks = 0;
  int describe = 0;
  const vcard_profile_t *prof;
  vcard_profile_t myprof;
  size_t i;
  unsigned char ser[4], man[2];
  struct in_addr ia;
  struct sigaction sa;
  vcard_t *card = NULL;
  unsigned char *msg = NULL;
  gpg_error_t err;
  char *end;
  int c, fd, rc, exitcode = 1;

  opt.host = "127.0.0.1";
  opt.touch_timeout = 15;
  opt.connect_timeout = 10;
  while ((c = getopt_long (argc, argv, "", lopts, NULL)) != -1)
    {
      switch (c)
        {
        case O_PORT:
          opt.port = strtoul (optarg, &end, 10);
          if (*end || !opt.port || opt.port > 65535)
            {
              fprintf (stderr, PGM ": invalid port '%s'\n", optarg);
              return 2;
            }
          break;
        case O_HOST: opt.host = optarg; break;
        case O_STATE: opt.state = optarg; break;
        case O_SERIAL: serial = optarg; break;
        case O_MANUF: manuf = optarg; break;
        case O_APDULOG: opt.apdu_log = optarg; break;
        case O_TOUCHFILE: opt.touch_file = optarg; break;
        case O_READY: opt.ready_file = optarg; break;
        case O_TOUCHTO:
          opt.touch_timeout = parse_seconds (optarg, "touch timeout");
          break;
        case O_CONNTO:
          opt.connect_timeout = parse_seconds (optarg, "connect timeout");
          break;
        case O_WATCH:
          opt.watch_pid = strtol (optarg, &end, 10);
          if (*end || opt.watch_pid <= 0)
            {
              fprintf (stderr, PGM ": invalid pid '%s'\n", optarg);
              return 2;
            }
          break;
        case O_ONCE: opt.once = 1; break;
        case O_NORSA4096: quirks |= QUIRK_NO_RSA4096; break;
        case O_6982: quirks |= QUIRK_6982; break;
        case O_NOEXT: quirks |= QUIRK_NOEXT; break;
        case O_FPR6E: quirks |= QUIRK_FPR6E; break;
        case O_VERBOSE: opt.verbose = 1; break;
        case O_PROFILE: opt.profile = optarg; break;
        case O_LATENCY: opt.latency = optarg; break;
        case O_DESCRIBE: describe = 1; break;
        case O_LIST:
          for (i = 0; (prof = vcard_profile_nth (i)); i++)
            printf ("%-16s %s\n", prof->name, prof->models);
          return 0;
        case O_HELP: usage (stdout); return 0;
        default: usage (stderr); return 2;
        }
    }
  prof = vcard_profile_find (opt.profile);
  if (!prof)
    {
      fprintf (stderr, PGM ": unknown profile '%s' (--list-profiles)\n",
               opt.profile);
      return 2;
    }
  myprof = *prof;
  /* The quirk options adjust the profile.  */
  if ((quirks & QUIRK_NO_RSA4096))
    myprof.algos &= ~VCARD_A_RSA4096;
  if ((quirks & QUIRK_6982))
    myprof.wrong_pin_sw = 0x6982;
  if ((quirks & QUIRK_NOEXT))
    myprof.flags &= ~VCARD_P_EXTLEN;
  if ((quirks & QUIRK_FPR6E))
    {
      myprof.hidden_dos |= 1u << 5;
      if (!myprof.hidden_sw)
        myprof.hidden_sw = 0x6A88;
    }
  if (opt.latency)
    {
      unsigned long v[3] = { 0, 0, 0 };
      const char *s = opt.latency;

      for (i = 0; i < 3; i++)
        {
          v[i] = strtoul (s, &end, 10);
          if (end == s || v[i] > 600000 || (*end && *end != ','))
            {
              fprintf (stderr, PGM ": invalid --latency '%s'\n",
                       opt.latency);
              return 2;
            }
          if (!*end)
            break;
          s = end + 1;
        }
      myprof.lat_op = v[0];
      myprof.lat_verify = v[1];
      myprof.lat_gen = v[2];
    }
  if (describe)
    {
      vcard_profile_describe (&myprof, stdout);
      return 0;
    }
  if (optind != argc || !opt.port || !opt.state)
    {
      usage (stderr);
      return 2;
    }
  /* The card only talks to a reader on this machine.  */
  if (inet_pton (AF_INET, opt.host, &ia) != 1
      || (ntohl (ia.s_addr) >> 24) != 127)
    {
      fprintf (stderr, PGM ": --host must be a loopback address\n");
      return 2;
    }
  if ((serial && (strlen (serial) != 8 || oca_hex2bin (serial, ser, 4)))
      || (manuf && (strlen (manuf) != 4 || oca_hex2bin (manuf, man, 2))))
    {
      fprintf (stderr, PGM ": --serial takes 8 and --manufacturer 4 "
               "hex digits\n");
      return 2;
    }

  err = oca_init_gcrypt (512 * 1024);
  if (err)
    {
      fprintf (stderr, PGM ": libgcrypt: %s\n", gpg_strerror (err));
      return 1;
    }
  err = vcard_new (&myprof, &card);
  if (err)
    {
      fprintf (stderr, PGM ": %s\n", gpg_strerror (err));
      return 1;
    }
  err = vcard_state_load (card, opt.state);
  if (err && gpg_err_code (err) != GPG_ERR_ENOENT)
    {
      fprintf (stderr, PGM ": cannot load %s: %s\n", opt.state,
               gpg_strerror (err));
      goto leave;
    }
  card->dirty = !!err;
  card->touch_cb = wait_touch;
  if (serial && memcmp (card->serial, ser, 4))
    {
      memcpy (card->serial, ser, 4);
      card->dirty = 1;
    }
  if (manuf && memcmp (card->manufacturer, man, 2))
    {
      memcpy (card->manufacturer, man, 2);
      card->dirty = 1;
    }
  if (save_if_dirty (card))
    goto leave;

  if (opt.apdu_log)
    {
      apdu_log_fd = open (opt.apdu_log,
                          O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      if (apdu_log_fd < 0)
        {
          fprintf (stderr, PGM ": cannot open %s: %s\n", opt.apdu_log,
                   strerror (errno));
          goto leave;
        }
    }

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
  sa.sa_handler = on_touch;
  sigaction (SIGUSR1, &sa, NULL);
  sa.sa_handler = SIG_IGN;
  sigaction (SIGPIPE, &sa, NULL);

  msg = xtrymalloc_secure (MSG_MAX + 1);
  if (!msg)
    {
      fprintf (stderr, PGM ": out of secure memory\n");
      goto leave;
    }
  exitcode = 0;
  while (!got_stop)
    {
      fd = connect_vpcd ();
      if (fd < 0)
        {
          exitcode = got_stop ? 0 : 1;
          break;
        }
      if (opt.verbose)
        fprintf (stderr, PGM ": card inserted at %s:%u\n", opt.host,
                 opt.port);
      rc = serve (card, fd, msg);
      close (fd);
      vcard_reset_volatile (card);
      if (rc)
        fprintf (stderr, PGM ": connection to the reader failed\n");
      if (opt.once)
        break;
      if (!got_stop && opt.verbose)
        fprintf (stderr, PGM ": reader went away; reconnecting\n");
    }
  if (save_if_dirty (card))
    exitcode = 1;

 leave:
  if (apdu_log_fd >= 0)
    close (apdu_log_fd);
  wipe_and_free (msg, MSG_MAX + 1);
  vcard_release (card);
  return exitcode;
}
