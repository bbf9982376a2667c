/* asschk.c - scripted Assuan conversation checker (no libassuan)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Spawns an Assuan server over two raw pipes and plays a script
 * against it, in the spirit of GnuPG's tests/asschk.c but written
 * independently.  It deliberately does not use libassuan, so a bug in
 * that library (or a server relying on it) is not hidden.
 *
 * Usage:
 *   asschk [-v] [-D NAME=VALUE]... [--stderr FILE] [--transcript FILE]
 *          SCRIPT PROGRAM [ARGS...]
 *
 * Output is TAP: one test point per expect-* step ("ok N - file:line
 * step").  The first failing step prints "not ok" with what was
 * received, and the script stops there (the conversation is out of
 * step); the plan then covers the steps that ran.
 *
 * Script language (one statement a line; '#' starts a comment line;
 * ${NAME} is replaced by a variable, set with -D, "set" or "capture";
 * ${MATCH1}.. hold the groups of the last regex match):
 *
 *   expect-greeting          next line must be "OK ..."
 *   send LINE                send LINE (LF appended)
 *   send-long N FILL PREFIX  send PREFIX, a space and N copies of FILL
 *   send-raw HEX             send raw bytes (no LF appended)
 *   send-data TEXT           send "D TEXT" (percent-escaped as needed)
 *   send-data-hex HEX        send the bytes HEX as one D line
 *   send-end / send-can      send END / CAN
 *   expect-ok [REGEX]        skip S and D lines up to OK; the text after
 *                            "OK" must match REGEX if given
 *   expect-err [CODES]       skip S and D lines up to ERR; with CODES
 *                            ("55", "100663352", "55|280") the number
 *                            must match one of them (values < 65536
 *                            compare the code part only)
 *   expect-done              skip S and D lines up to OK or ERR (either
 *                            is fine: the server answered and is in step)
 *   expect-status REGEX      skip S/D/comment lines up to an S line whose
 *                            "KEYWORD ARGS" matches REGEX (anchored);
 *                            OK, ERR or INQUIRE first is a failure
 *   expect-no-status REGEX   up to the next OK/ERR (which is kept for the
 *                            next step), no S line may match REGEX
 *   expect-data REGEX        the D lines of the answer (unescaped, joined)
 *                            must match REGEX
 *   expect-data-hex REGEX    the same, for the data as uppercase hex
 *   expect-inquire REGEX     skip S lines up to INQUIRE; "KEYWORD ARGS"
 *                            must match REGEX
 *   expect-line REGEX        the next line must match REGEX
 *   auto-answer REGEX HEX    from now on answer every INQUIRE whose
 *                            "KEYWORD ARGS" matches REGEX with the bytes
 *                            HEX and END (for servers that may ask for a
 *                            PIN more than once); "auto-answer off" stops
 *   expect-answered [N]      N (or at least one) inquiries were answered
 *                            automatically since auto-answer was set
 *   expect-eof               the server closes the connection
 *   capture NAME [N]         set NAME to group N (default 1) of the last
 *                            match
 *   set NAME VALUE           set a variable
 *   shell CMD                run CMD with /bin/sh and wait (must exit 0)
 *   shell-bg CMD             run CMD with /bin/sh in the background
 *   sleep SECONDS            sleep (fractions allowed)
 *   timeout SECONDS          per-line read timeout (default 30)
 *   repeat N STATEMENT       run STATEMENT N times
 *   if NAME STATEMENT        run STATEMENT if variable NAME is set and
 *                            not "0" (unless NAME: the opposite); the
 *                            suite sets OCA=1 when testing oca-scd, for
 *                            GnuPG 2.4 behaviour scdaemon 2.2 lacks
 *   close                    close our end of the pipe (EOF to server)
 */
#include <config.h>
#include "oca-common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 4096          /* Our buffer; > 1000 is a protocol error. */
#define ASSUAN_MAX_LINE 1000   /* Without the LF.  */
#define MAX_VARS 64
#define MAX_DATA (256 * 1024)

/* Kinds of lines received.  */
enum line_type
  {
    LT_OK, LT_ERR, LT_STATUS, LT_DATA, LT_INQUIRE, LT_END, LT_COMMENT,
    LT_EOF, LT_TIMEOUT, LT_BAD
  };

static const char *type_names[] =
  { "OK", "ERR", "S", "D", "INQUIRE", "END", "#", "EOF", "TIMEOUT", "?" };

struct var
{
  char *name;
  char *value;
};

static struct var vars[MAX_VARS];
static int opt_verbose;
static FILE *transcript;
static const char *script_name;
static int script_lineno;

static int to_server = -1;     /* Our write end.  */
static int from_server = -1;   /* Our read end.  */
static pid_t server_pid = -1;
static double read_timeout = 30.0;

/* Input buffer.  */
static char inbuf[MAX_LINE * 2];
static size_t inbuf_len;

/* Length of the last line read (D lines may contain NULs).  */
static size_t last_len;

/* One pushed-back line.  */
static int have_pushback;
static size_t pb_len;
static enum line_type pb_type;
static char pb_line[MAX_LINE + 1];

static int tap_n;
static int failed;

/* Diagnostics of the current step (printed on failure).  */
static char diag_buf[8192];
static size_t diag_len;

/* Auto-answer for inquiries (see "auto-answer").  */
static char *auto_regex;
static unsigned char *auto_data;
static size_t auto_len;
static int auto_count;

/* Groups of the last regex match.  */
static char *match_groups[10];


static void
die (const char *fmt, ...)
{
  va_list ap;

  fflush (stdout);
  fprintf (stderr, "asschk: %s:%d: ", script_name ? script_name : "-",
           script_lineno);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  putc ('\n', stderr);
  printf ("Bail out! %s:%d: internal error (see stderr)\n",
          script_name ? script_name : "-", script_lineno);
  exit (99);
}


static void *
xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);

  if (!p)
    die ("out of core");
  return p;
}


static char *
xstrdup (const char *s)
{
  char *p = xmalloc (strlen (s) + 1);

  strcpy (p, s);
  return p;
}


/* Remember a diagnostic line for the current step.  */
static void
note (const char *fmt, ...)
{
  va_list ap;
  int n;

  if (diag_len >= sizeof diag_buf - 2)
    return;
  va_start (ap, fmt);
  n = vsnprintf (diag_buf + diag_len, sizeof diag_buf - diag_len, fmt, ap);
  va_end (ap);
  if (n < 0)
    return;
  diag_len += n;
  if (diag_len >= sizeof diag_buf - 1)
    diag_len = sizeof diag_buf - 2;
  diag_buf[diag_len++] = '\n';
  diag_buf[diag_len] = 0;
}


/* Report the result of a step.  */
static void
step_result (int good, const char *what, const char *why)
{
  tap_n++;
  printf ("%sok %d - %s:%d %s\n", good ? "" : "not ", tap_n,
          script_name, script_lineno, what);
  if (!good)
    {
      char *p, *line;

      failed++;
      printf ("# FAILED: %s\n", why ? why : "");
      for (line = diag_buf; *line; line = p)
        {
          p = strchr (line, '\n');
          if (p)
            *p++ = 0;
          else
            p = line + strlen (line);
          printf ("#   %s\n", line);
        }
    }
  diag_len = 0;
  diag_buf[0] = 0;
  fflush (stdout);
}


static struct var *
find_var (const char *name, int create)
{
  int i;

  for (i = 0; i < MAX_VARS && vars[i].name; i++)
    if (!strcmp (vars[i].name, name))
      return &vars[i];
  if (!create)
    return NULL;
  if (i == MAX_VARS)
    die ("too many variables");
  vars[i].name = xstrdup (name);
  vars[i].value = xstrdup ("");
  return &vars[i];
}


static void
set_var (const char *name, const char *value)
{
  struct var *v = find_var (name, 1);

  free (v->value);
  v->value = xstrdup (value);
}


/* Expand ${NAME} in S; returns a malloced string.  An unknown variable
 * is an error (a typo must not silently send an empty value).  */
static char *
expand (const char *s)
{
  size_t size = strlen (s) + 1, len = 0;
  char *out = xmalloc (size);

  while (*s)
    {
      const char *val = NULL;
      size_t vlen;
      char name[64];

      if (s[0] == '$' && s[1] == '{')
        {
          const char *end = strchr (s + 2, '}');
          struct var *v;

          if (!end || (size_t)(end - s - 2) >= sizeof name)
            die ("bad variable reference");
          memcpy (name, s + 2, end - s - 2);
          name[end - s - 2] = 0;
          v = find_var (name, 0);
          if (!v)
            die ("unknown variable '%s'", name);
          val = v->value;
          s = end + 1;
        }
      vlen = val ? strlen (val) : 1;
      if (len + vlen + 1 > size)
        {
          size = 2 * (len + vlen + 1);
          out = realloc (out, size);
          if (!out)
            die ("out of core");
        }
      if (val)
        {
          memcpy (out + len, val, vlen);
          len += vlen;
        }
      else
        out[len++] = *s++;
    }
  out[len] = 0;
  return out;
}


/* Match S against the anchored extended REGEX; store groups.  */
static int
match (const char *regex, const char *s)
{
  regex_t re;
  regmatch_t m[11];
  char *pat;
  int rc, i;

  pat = xmalloc (strlen (regex) + 5);
  sprintf (pat, "^(%s)$", regex);
  rc = regcomp (&re, pat, REG_EXTENDED);
  free (pat);
  if (rc)
    die ("bad regex '%s'", regex);
  rc = regexec (&re, s, 11, m, 0);
  regfree (&re);
  if (rc)
    return 0;
  for (i = 0; i < 10; i++)
    {
      free (match_groups[i]);
      match_groups[i] = NULL;
      if (m[i + 1].rm_so >= 0)
        {
          size_t n = m[i + 1].rm_eo - m[i + 1].rm_so;

          match_groups[i] = xmalloc (n + 1);
          memcpy (match_groups[i], s + m[i + 1].rm_so, n);
          match_groups[i][n] = 0;
        }
      {
        char name[16];

        snprintf (name, sizeof name, "MATCH%d", i);
        set_var (name, match_groups[i] ? match_groups[i] : "");
      }
    }
  return 1;
}


static void
log_line (const char *dir, const char *line, size_t len)
{
  if (transcript)
    {
      fprintf (transcript, "%s ", dir);
      fwrite (line, 1, len, transcript);
      putc ('\n', transcript);
      fflush (transcript);
    }
  if (opt_verbose)
    fprintf (stderr, "%s %.*s\n", dir, (int)len, line);
}


/* Write LEN bytes of BUF to the server.  Returns -1 on error.  */
static int
write_all (const char *buf, size_t len)
{
  while (len)
    {
      ssize_t n = write (to_server, buf, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      buf += n;
      len -= n;
    }
  return 0;
}


/* Send LINE plus LF.  */
static int
send_line (const char *line, size_t len)
{
  char *buf;
  int rc;

  log_line ("C:", line, len);
  buf = xmalloc (len + 1);
  memcpy (buf, line, len);
  buf[len] = '\n';
  rc = write_all (buf, len + 1);
  free (buf);
  return rc;
}


static int send_data (const unsigned char *buf, size_t len);
static int match (const char *regex, const char *s);

/* Read the next line into LINE (NUL-terminated, without LF).  */
static enum line_type
read_line_raw (char *line)
{
  char *lf;
  size_t n, consumed;
  enum line_type t;

  if (have_pushback)
    {
      have_pushback = 0;
      memcpy (line, pb_line, pb_len + 1);
      last_len = pb_len;
      return pb_type;
    }

  for (;;)
    {
      lf = memchr (inbuf, '\n', inbuf_len);
      if (lf)
        break;
      if (inbuf_len >= MAX_LINE)
        {
          note ("received a line longer than %d bytes", MAX_LINE);
          memcpy (line, inbuf, 60);
          line[60] = 0;
          inbuf_len = 0;
          return LT_BAD;
        }
      {
        struct pollfd pfd;
        int rc;
        ssize_t nread;

        pfd.fd = from_server;
        pfd.events = POLLIN;
        rc = poll (&pfd, 1, (int)(read_timeout * 1000));
        if (rc < 0 && errno == EINTR)
          continue;
        if (rc == 0)
          {
            *line = 0;
            note ("no complete line within %.1f s", read_timeout);
            return LT_TIMEOUT;
          }
        nread = read (from_server, inbuf + inbuf_len,
                      sizeof inbuf - inbuf_len);
        if (nread < 0 && errno == EINTR)
          continue;
        if (nread <= 0)
          {
            *line = 0;
            if (inbuf_len)
              note ("EOF after an incomplete line (%zu bytes)", inbuf_len);
            return LT_EOF;
          }
        inbuf_len += nread;
      }
    }

  n = lf - inbuf;
  consumed = n + 1;
  if (n > ASSUAN_MAX_LINE)
    {
      note ("line of %zu bytes exceeds the Assuan limit of %d",
            n, ASSUAN_MAX_LINE);
      log_line ("S:", inbuf, n > 80 ? 80 : n);
      memmove (inbuf, inbuf + consumed, inbuf_len - consumed);
      inbuf_len -= consumed;
      strcpy (line, "(overlong line)");
      return LT_BAD;
    }
  memcpy (line, inbuf, n);
  line[n] = 0;
  if (n && line[n - 1] == '\r')
    line[--n] = 0;
  memmove (inbuf, inbuf + consumed, inbuf_len - consumed);
  inbuf_len -= consumed;
  log_line ("S:", line, n);
  last_len = n;
  /* libassuan escapes only %, CR and LF in data lines: NUL bytes may
   * appear raw there, but nowhere else.  */
  if (memchr (line, 0, n) && strncmp (line, "D ", 2))
    {
      note ("line contains a NUL byte");
      return LT_BAD;
    }

  if (!strcmp (line, "OK") || !strncmp (line, "OK ", 3))
    t = LT_OK;
  else if (!strcmp (line, "ERR") || !strncmp (line, "ERR ", 4))
    t = LT_ERR;
  else if (!strncmp (line, "S ", 2))
    t = LT_STATUS;
  else if (!strncmp (line, "D ", 2))
    t = LT_DATA;
  else if (!strncmp (line, "INQUIRE ", 8))
    t = LT_INQUIRE;
  else if (!strcmp (line, "END"))
    t = LT_END;
  else if (line[0] == '#')
    t = LT_COMMENT;
  else
    {
      note ("malformed line from server: '%.80s'", line);
      t = LT_BAD;
    }
  return t;
}


/* Read the next line; inquiries matching the auto-answer regex are
 * answered here and not seen by the caller.  */
static enum line_type
read_line (char *line)
{
  enum line_type t;

  for (;;)
    {
      t = read_line_raw (line);
      if (t != LT_INQUIRE || !auto_regex)
        return t;
      {
        char *copy = strdup (line + 8);
        int hit;
        char *save[10];
        int i;

        if (!copy)
          die ("out of core");
        /* Keep the groups of the script's own last match.  */
        for (i = 0; i < 10; i++)
          {
            save[i] = match_groups[i];
            match_groups[i] = NULL;
          }
        hit = match (auto_regex, copy);
        for (i = 0; i < 10; i++)
          {
            free (match_groups[i]);
            match_groups[i] = save[i];
          }
        free (copy);
        if (!hit)
          return t;
      }
      auto_count++;
      if (send_data (auto_data, auto_len) || write_all ("END\n", 4))
        {
          note ("answering an inquiry failed");
          return LT_BAD;
        }
      log_line ("C:", "END", 3);
    }
}


static void
push_back (enum line_type t, const char *line)
{
  have_pushback = 1;
  pb_type = t;
  pb_len = (t == LT_EOF || t == LT_TIMEOUT) ? 0 : last_len;
  memcpy (pb_line, line, pb_len);
  pb_line[pb_len] = 0;
}


/* Record a received line in the step's diagnostics.  */
static void
note_line (enum line_type t, const char *line)
{
  if (t == LT_EOF || t == LT_TIMEOUT)
    note ("got %s", type_names[t]);
  else
    note ("got: %.200s", line);
}


/* Percent-unescape the N bytes of an Assuan data line payload S,
 * appending to BUF.  */
static int
unescape_data (const char *s, size_t n, unsigned char *buf, size_t *len,
               size_t max)
{
  const char *end = s + n;

  while (s < end)
    {
      unsigned int c;

      if (*len >= max)
        return -1;
      if (*s == '%')
        {
          if (end - s < 3 || oca_hexval ((unsigned char)s[1]) < 0
              || oca_hexval ((unsigned char)s[2]) < 0)
            return -1;
          c = (oca_hexval ((unsigned char)s[1]) << 4)
            | oca_hexval ((unsigned char)s[2]);
          s += 3;
        }
      else
        c = (unsigned char)*s++;
      buf[(*len)++] = c;
    }
  return 0;
}


/* Start PROGRAM with ARGV; stderr goes to STDERR_FILE (or /dev/null).  */
static void
start_server (char **argv, const char *stderr_file)
{
  int to[2], from[2];

  if (pipe (to) || pipe (from))
    die ("pipe: %s", strerror (errno));
  fflush (NULL);
  server_pid = fork ();
  if (server_pid < 0)
    die ("fork: %s", strerror (errno));
  if (!server_pid)
    {
      int fd;

      dup2 (to[0], 0);
      dup2 (from[1], 1);
      fd = open (stderr_file ? stderr_file : "/dev/null",
                 O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0)
        dup2 (fd, 2);
      close (to[0]);
      close (to[1]);
      close (from[0]);
      close (from[1]);
      if (fd > 2)
        close (fd);
      execv (argv[0], argv);
      fprintf (stderr, "asschk: exec %s: %s\n", argv[0], strerror (errno));
      _exit (127);
    }
  close (to[0]);
  close (from[1]);
  to_server = to[1];
  from_server = from[0];
  /* Programs started by "shell"/"shell-bg" (e.g. a replugged card that
   * outlives us) must not inherit our ends: the server would never
   * see EOF.  */
  fcntl (to_server, F_SETFD, FD_CLOEXEC);
  fcntl (from_server, F_SETFD, FD_CLOEXEC);
}


/* Decode HEX into a fresh buffer.  */
static unsigned char *
decode_hex (const char *hex, size_t *r_len)
{
  size_t n = strlen (hex);
  unsigned char *buf;

  if (n % 2)
    die ("odd number of hex digits");
  buf = xmalloc (n / 2 + 1);
  if (oca_hex2bin (hex, buf, n / 2))
    die ("bad hex digit");
  *r_len = n / 2;
  return buf;
}


/* Send a D line with the LEN bytes at BUF, escaping '%', CR, LF and
 * NUL.  */
static int
send_data (const unsigned char *buf, size_t len)
{
  char *line = xmalloc (2 + 3 * len + 1);
  size_t n = 0, i;
  int rc;

  line[n++] = 'D';
  line[n++] = ' ';
  for (i = 0; i < len; i++)
    {
      if (buf[i] == '%' || buf[i] == '\r' || buf[i] == '\n' || !buf[i])
        n += sprintf (line + n, "%%%02X", buf[i]);
      else
        line[n++] = buf[i];
    }
  rc = send_line (line, n);
  free (line);
  return rc;
}


/* Check an ERR line's number against CODES ("55|280").  */
static int
err_matches (const char *line, const char *codes)
{
  unsigned long val;
  char *end;
  const char *p;

  val = strtoul (line + 4, &end, 10);
  if (end == line + 4)
    return 0;
  for (p = codes; *p; )
    {
      unsigned long want = strtoul (p, &end, 10);

      if (end == p)
        die ("bad error code list '%s'", codes);
      if (want < 65536 ? (val & 0xffff) == want : val == want)
        return 1;
      p = end;
      if (*p == '|')
        p++;
    }
  return 0;
}


/* Run one statement (already expanded) with keyword CMD and ARG.  */
static void
run_statement (const char *cmd, char *arg)
{
  char line[MAX_LINE + 1];
  enum line_type t;
  char what[300];

  snprintf (what, sizeof what, "%s%s%.200s", cmd, *arg ? " " : "", arg);

  if (!strcmp (cmd, "send"))
    {
      if (send_line (arg, strlen (arg)))
        {
          note ("write to server failed: %s", strerror (errno));
          step_result (0, what, "send failed");
        }
    }
  else if (!strcmp (cmd, "send-long"))
    {
      char *fill, *prefix, *buf, *p;
      long count, i;

      count = strtol (arg, &fill, 10);
      while (*fill == ' ')
        fill++;
      prefix = strchr (fill, ' ');
      if (count <= 0 || !prefix)
        die ("usage: send-long N FILL PREFIX");
      *prefix++ = 0;
      buf = xmalloc (strlen (prefix) + 1 + count * strlen (fill) + 1);
      p = stpcpy (stpcpy (buf, prefix), " ");
      for (i = 0; i < count; i++)
        p = stpcpy (p, fill);
      if (send_line (buf, p - buf))
        step_result (0, what, "send failed");
      free (buf);
    }
  else if (!strcmp (cmd, "send-raw"))
    {
      size_t len;
      unsigned char *buf = decode_hex (arg, &len);

      log_line ("C(raw):", arg, strlen (arg));
      if (write_all ((char *)buf, len))
        step_result (0, what, "send failed");
      free (buf);
    }
  else if (!strcmp (cmd, "send-data"))
    {
      if (send_data ((unsigned char *)arg, strlen (arg)))
        step_result (0, what, "send failed");
    }
  else if (!strcmp (cmd, "send-data-hex"))
    {
      size_t len;
      unsigned char *buf = decode_hex (arg, &len);

      if (send_data (buf, len))
        step_result (0, what, "send failed");
      free (buf);
    }
  else if (!strcmp (cmd, "send-end"))
    {
      if (send_line ("END", 3))
        step_result (0, what, "send failed");
    }
  else if (!strcmp (cmd, "send-can"))
    {
      if (send_line ("CAN", 3))
        step_result (0, what, "send failed");
    }
  else if (!strcmp (cmd, "close"))
    {
      close (to_server);
      to_server = -1;
    }
  else if (!strcmp (cmd, "expect-greeting"))
    {
      do
        t = read_line (line);
      while (t == LT_COMMENT);
      note_line (t, line);
      step_result (t == LT_OK, what, "no OK greeting");
    }
  else if (!strcmp (cmd, "expect-ok") || !strcmp (cmd, "expect-err"))
    {
      int want_ok = !strcmp (cmd, "expect-ok");
      int good;

      for (;;)
        {
          t = read_line (line);
          if (t == LT_STATUS || t == LT_DATA || t == LT_COMMENT)
            continue;
          break;
        }
      note_line (t, line);
      if (want_ok)
        good = (t == LT_OK && (!*arg || match (arg, line[2] ? line + 3 : "")));
      else
        good = (t == LT_ERR && (!*arg || err_matches (line, arg)));
      step_result (good, what, want_ok ? "expected OK" : "expected ERR");
    }
  else if (!strcmp (cmd, "auto-answer"))
    {
      char *hex;

      free (auto_regex);
      free (auto_data);
      auto_regex = NULL;
      auto_data = NULL;
      if (strcmp (arg, "off"))
        {
          hex = strrchr (arg, ' ');
          if (!hex)
            die ("usage: auto-answer REGEX HEX | auto-answer off");
          *hex++ = 0;
          auto_regex = xstrdup (arg);
          auto_data = decode_hex (hex, &auto_len);
        }
      auto_count = 0;
    }
  else if (!strcmp (cmd, "expect-answered"))
    {
      int want = atoi (arg);

      note ("auto-answered %d inquiries", auto_count);
      step_result (want ? auto_count == want : auto_count > 0, what,
                   "wrong number of auto-answered inquiries");
    }
  else if (!strcmp (cmd, "expect-done"))
    {
      for (;;)
        {
          t = read_line (line);
          if (t == LT_STATUS || t == LT_DATA || t == LT_COMMENT)
            continue;
          break;
        }
      note_line (t, line);
      step_result (t == LT_OK || t == LT_ERR, what, "expected OK or ERR");
    }
  else if (!strcmp (cmd, "expect-status"))
    {
      int good = 0;

      for (;;)
        {
          t = read_line (line);
          if (t == LT_STATUS && match (arg, line + 2))
            {
              good = 1;
              break;
            }
          if (t == LT_STATUS || t == LT_DATA || t == LT_COMMENT)
            {
              note_line (t, line);
              continue;
            }
          note_line (t, line);
          if (t == LT_OK || t == LT_ERR || t == LT_INQUIRE)
            push_back (t, line);
          break;
        }
      step_result (good, what, "no matching status line before the end");
    }
  else if (!strcmp (cmd, "expect-no-status"))
    {
      int good = 1;

      for (;;)
        {
          t = read_line (line);
          if (t == LT_STATUS && match (arg, line + 2))
            {
              note_line (t, line);
              good = 0;
              continue;
            }
          if (t == LT_STATUS || t == LT_DATA || t == LT_COMMENT)
            continue;
          note_line (t, line);
          push_back (t, line);
          break;
        }
      step_result (good, what, "a status line matched");
    }
  else if (!strcmp (cmd, "expect-data") || !strcmp (cmd, "expect-data-hex"))
    {
      unsigned char *data = xmalloc (MAX_DATA + 1);
      size_t len = 0;
      int bad = 0, good;
      char *text;

      for (;;)
        {
          t = read_line (line);
          if (t == LT_STATUS || t == LT_COMMENT)
            continue;
          if (t != LT_DATA)
            break;
          if (unescape_data (line + 2, last_len - 2, data, &len, MAX_DATA))
            {
              note ("bad escaping or too much data: %.80s", line);
              bad = 1;
            }
        }
      note_line (t, line);
      if (t == LT_OK || t == LT_ERR || t == LT_INQUIRE || t == LT_END)
        push_back (t, line);
      if (!strcmp (cmd, "expect-data-hex"))
        {
          size_t i;

          text = xmalloc (2 * len + 1);
          for (i = 0; i < len; i++)
            sprintf (text + 2 * i, "%02X", data[i]);
          text[2 * len] = 0;
        }
      else
        {
          size_t i;

          text = xmalloc (len + 1);
          for (i = 0; i < len; i++)
            text[i] = data[i] ? data[i] : '\x01';
          text[len] = 0;
        }
      good = !bad && len && match (arg, text);
      if (!good)
        {
          size_t i;

          /* Printable form for the diagnostic.  */
          for (i = 0; i < len && text[i]; i++)
            if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
              text[i] = '.';
          note ("data (%zu bytes): %.300s", len, text);
        }
      step_result (good, what, "data did not match");
      free (text);
      free (data);
    }
  else if (!strcmp (cmd, "expect-inquire"))
    {
      for (;;)
        {
          t = read_line (line);
          if (t == LT_STATUS || t == LT_COMMENT)
            continue;
          break;
        }
      note_line (t, line);
      step_result (t == LT_INQUIRE && match (arg, line + 8), what,
                   "expected a matching INQUIRE");
    }
  else if (!strcmp (cmd, "expect-line"))
    {
      t = read_line (line);
      note_line (t, line);
      step_result (t != LT_EOF && t != LT_TIMEOUT && match (arg, line), what,
                   "line did not match");
    }
  else if (!strcmp (cmd, "expect-eof"))
    {
      do
        t = read_line (line);
      while (t == LT_COMMENT);
      note_line (t, line);
      step_result (t == LT_EOF, what, "expected the server to close");
    }
  else if (!strcmp (cmd, "capture"))
    {
      char name[64];
      int n = 1;

      if (sscanf (arg, "%63s %d", name, &n) < 1 || n < 0 || n > 9)
        die ("usage: capture NAME [N]");
      if (!match_groups[n])
        die ("no group %d in the last match", n);
      set_var (name, match_groups[n]);
    }
  else if (!strcmp (cmd, "set"))
    {
      char *val = strchr (arg, ' ');

      if (val)
        *val++ = 0;
      set_var (arg, val ? val : "");
    }
  else if (!strcmp (cmd, "shell") || !strcmp (cmd, "shell-bg"))
    {
      pid_t pid;
      int status;

      fflush (NULL);
      pid = fork ();
      if (pid < 0)
        die ("fork: %s", strerror (errno));
      if (!pid)
        {
          if (!strcmp (cmd, "shell-bg"))
            setsid ();
          dup2 (2, 1);  /* Keep TAP output clean.  */
          execl ("/bin/sh", "sh", "-c", arg, (char *)NULL);
          _exit (127);
        }
      if (!strcmp (cmd, "shell"))
        {
          while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
            ;
          if (!WIFEXITED (status) || WEXITSTATUS (status))
            {
              note ("command exited with status %d", status);
              step_result (0, what, "shell command failed");
            }
        }
    }
  else if (!strcmp (cmd, "sleep"))
    {
      double s = atof (arg);
      struct timespec ts;

      ts.tv_sec = (time_t)s;
      ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
      while (nanosleep (&ts, &ts) && errno == EINTR)
        ;
    }
  else if (!strcmp (cmd, "timeout"))
    {
      read_timeout = atof (arg);
      if (read_timeout <= 0)
        die ("bad timeout");
    }
  else
    die ("unknown statement '%s'", cmd);
}


/* Split STMT into keyword and argument and run it (REPEAT aware).  */
static void
run_line (char *stmt)
{
  char *arg;

  arg = strchr (stmt, ' ');
  if (arg)
    *arg++ = 0;
  else
    arg = stmt + strlen (stmt);
  if (!strcmp (stmt, "if") || !strcmp (stmt, "unless"))
    {
      char *name = arg, *rest;
      struct var *v;
      int truth;

      rest = strchr (name, ' ');
      if (!rest)
        die ("usage: if|unless NAME STATEMENT");
      *rest++ = 0;
      v = find_var (name, 0);
      if (!v)
        die ("unknown variable '%s'", name);
      truth = *v->value && strcmp (v->value, "0");
      if (truth == !strcmp (stmt, "if"))
        run_line (rest);
      return;
    }
  if (!strcmp (stmt, "repeat"))
    {
      long n = strtol (arg, &arg, 10), i;
      char *copy;

      while (*arg == ' ')
        arg++;
      if (n < 0 || !*arg)
        die ("usage: repeat N STATEMENT");
      for (i = 0; i < n && !failed; i++)
        {
          copy = xstrdup (arg);
          run_line (copy);
          free (copy);
        }
      return;
    }
  run_statement (stmt, arg);
}


int
main (int argc, char **argv)
{
  const char *stderr_file = NULL;
  FILE *fp;
  char buf[MAX_LINE * 2];
  int status;

  signal (SIGPIPE, SIG_IGN);
  argc--, argv++;
  while (argc && **argv == '-')
    {
      if (!strcmp (*argv, "-v"))
        opt_verbose = 1;
      else if (!strcmp (*argv, "-D") && argc > 1)
        {
          char *eq = strchr (argv[1], '=');

          if (!eq)
            die ("-D needs NAME=VALUE");
          *eq = 0;
          set_var (argv[1], eq + 1);
          argc--, argv++;
        }
      else if (!strcmp (*argv, "--stderr") && argc > 1)
        stderr_file = argv[1], argc--, argv++;
      else if (!strcmp (*argv, "--transcript") && argc > 1)
        {
          transcript = fopen (argv[1], "w");
          if (!transcript)
            die ("%s: %s", argv[1], strerror (errno));
          argc--, argv++;
        }
      else
        break;
      argc--, argv++;
    }
  if (argc < 2)
    {
      fprintf (stderr, "usage: asschk [-v] [-D NAME=VALUE]... "
               "[--stderr FILE] [--transcript FILE] SCRIPT PROGRAM [ARGS]\n");
      return 2;
    }
  script_name = argv[0];
  fp = fopen (script_name, "r");
  if (!fp)
    die ("%s: %s", script_name, strerror (errno));
  {
    const char *base = strrchr (script_name, '/');

    script_name = base ? base + 1 : script_name;
  }

  start_server (argv + 1, stderr_file);

  while (!failed && fgets (buf, sizeof buf, fp))
    {
      char *s = buf, *e, *x;

      script_lineno++;
      e = s + strcspn (s, "\r\n");
      *e = 0;
      while (*s == ' ' || *s == '\t')
        s++;
      if (!*s || *s == '#')
        continue;
      x = expand (s);
      run_line (x);
      free (x);
    }
  fclose (fp);

  if (to_server >= 0)
    close (to_server);
  /* Give the server a moment to exit on EOF, then make sure.  */
  {
    int i;

    for (i = 0; i < 50; i++)
      {
        if (waitpid (server_pid, &status, WNOHANG) == server_pid)
          break;
        usleep (100000);
      }
    if (i == 50)
      {
        kill (server_pid, SIGTERM);
        for (i = 0; i < 30; i++)
          {
            if (waitpid (server_pid, &status, WNOHANG) == server_pid)
              break;
            usleep (100000);
          }
        if (i == 30)
          {
            kill (server_pid, SIGKILL);
            waitpid (server_pid, &status, 0);
          }
        printf ("# server did not exit after EOF; terminated it\n");
      }
  }
  if (!tap_n)
    {
      printf ("not ok 1 - %s: script has no expect steps\n", script_name);
      tap_n = 1;
      failed = 1;
    }
  printf ("1..%d\n", tap_n);
  return failed ? 1 : 0;
}
