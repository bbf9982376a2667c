/* cli-input.c - what the commands read: files, the terminal, PIN files
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>


/* See cli.h.  */
gpg_error_t
cmd_read_file (const char *fname, unsigned char **r_buf, size_t *r_len)
{
  gpg_error_t err = 0;
  membuf_t mb;
  unsigned char tmp[65536];
  int fd = -1;
  ssize_t n;

  *r_buf = NULL;
  *r_len = 0;
  membuf_init (&mb, CA_MAX_FILE, 0);

  if (!strcmp (fname, "-"))
    fd = 0;
  else
    {
      fd = open (fname, O_RDONLY);
      if (fd < 0)
        {
          err = oca_error_from_errno ();
          ca_set_errmsg (err, "can't open '%s': %s", fname,
                         gpg_strerror (err));
          goto leave;
        }
    }
  for (;;)
    {
      n = read (fd, tmp, sizeof tmp);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          err = oca_error_from_errno ();
          ca_set_errmsg (err, "error reading '%s': %s", fname,
                         gpg_strerror (err));
          goto leave;
        }
      if (!n)
        break;
      membuf_put (&mb, tmp, n);
      if (membuf_error (&mb))
        break;
    }
  err = membuf_take (&mb, r_buf, r_len);
  if (gpg_err_code (err) == GPG_ERR_TOO_LARGE)
    ca_set_errmsg (err, "'%s' is too large", fname);
  else if (!err && !*r_len)
    {
      xfree (*r_buf);
      *r_buf = NULL;
      err = ca_set_errmsg (gpg_error (GPG_ERR_NO_DATA), "'%s' is empty",
                           fname);
    }

 leave:
  if (fd > 0)
    close (fd);
  membuf_release (&mb);
  return err;
}


/* See cli.h.  */
gpg_error_t
cmd_read_cert (const char *fname, pgp_cert_t **r_cert)
{
  gpg_error_t err;
  unsigned char *buf = NULL;
  size_t len = 0;
  pgp_cert_t *cert = NULL;

  *r_cert = NULL;
  err = cmd_read_file (fname, &buf, &len);
  if (err)
    return err;
  err = pgp_read_cert (buf, len, &cert);
  if (err)
    ca_key_errmsg (err, fname);
  else if (pgp_cert_has_secret (cert))
    {
      pgp_cert_t *pub;

      err = pgp_cert_copy (cert, 1, &pub);
      pgp_cert_release (cert);
      cert = pub;
    }
  if (!err)
    {
      *r_cert = cert;
      cert = NULL;
    }
  pgp_cert_release (cert);
  wipe_and_free (buf, len);  /* The file may hold secret key material.  */
  return err;
}


/* See cli.h.  */
gpg_error_t
cmd_read_passphrase (const char *fname, char **r_pass)
{
  enum { MAXPASS = 1024 };
  gpg_error_t err = 0;
  char *buf;
  size_t len = 0;
  ssize_t n;
  int fd;

  *r_pass = NULL;
  buf = xtrymalloc_secure (MAXPASS + 2);
  if (!buf)
    return oca_error_from_errno ();
  fd = strcmp (fname, "-") ? open (fname, O_RDONLY) : 0;
  if (fd < 0)
    {
      err = oca_error_from_errno ();
      ca_set_errmsg (err, "can't open '%s': %s", fname, gpg_strerror (err));
      goto leave;
    }
  /* Read straight into secure memory (no stdio buffer).  */
  while (len <= MAXPASS)
    {
      n = read (fd, buf + len, MAXPASS + 1 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          err = oca_error_from_errno ();
          ca_set_errmsg (err, "error reading '%s': %s", fname,
                         gpg_strerror (err));
          goto leave;
        }
      if (!n)
        break;
      len += (size_t)n;
    }
  if (len > MAXPASS)
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_TOO_LARGE), "the passphrase "
                           "in '%s' is longer than %d bytes", fname,
                           MAXPASS);
      goto leave;
    }
  if (memchr (buf, 0, len))
    {
      err = ca_set_errmsg (gpg_error (GPG_ERR_INV_PASSPHRASE), "the "
                           "passphrase in '%s' contains a NUL byte", fname);
      goto leave;
    }
  /* One trailing newline is the end of the line, not the passphrase.  */
  if (len && buf[len - 1] == '\n')
    {
      len--;
      if (len && buf[len - 1] == '\r')
        len--;
    }
  buf[len] = 0;
  *r_pass = buf;
  buf = NULL;

 leave:
  if (fd > 0)
    close (fd);
  if (buf)
    wipe_and_free (buf, MAXPASS + 2);
  return err;
}


/* See cli.h.  */
gpg_error_t
cmd_write_file (const char *fname, const char *text)
{
  gpg_error_t err = 0;
  char *tmp;
  size_t len = strlen (text);
  ssize_t n;
  int fd;

  tmp = gpgrt_bsprintf ("%s.tmp-XXXXXX", fname);
  if (!tmp)
    return oca_error_from_errno ();
  fd = mkstemp (tmp);
  if (fd < 0)
    {
      err = oca_error_from_errno ();
      ca_set_errmsg (err, "can't create '%s': %s", fname, gpg_strerror (err));
      gpgrt_free (tmp);
      return err;
    }
  while (len)
    {
      n = write (fd, text, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          err = n < 0 ? oca_error_from_errno () : gpg_error (GPG_ERR_EIO);
          break;
        }
      text += n;
      len -= (size_t)n;
    }
  if (!err && fchmod (fd, 0644))
    err = oca_error_from_errno ();
  if (!err && fsync (fd))
    err = oca_error_from_errno ();
  if (close (fd) && !err)
    err = oca_error_from_errno ();
  if (!err && rename (tmp, fname))
    err = oca_error_from_errno ();
  if (err)
    {
      unlink (tmp);
      ca_set_errmsg (err, "error writing '%s': %s", fname,
                     gpg_strerror (err));
    }
  gpgrt_free (tmp);
  return err;
}


/* Open the terminal for a prompt, or NULL.  */
static FILE *
open_tty (void)
{
  int fd = open ("/dev/tty", O_RDWR | O_NOCTTY);
  FILE *fp;

  if (fd < 0)
    return NULL;
  fp = fdopen (fd, "r+");
  if (!fp)
    close (fd);
  return fp;
}


/* See cli.h.  */
gpg_error_t
cmd_confirm (int yes, const char *question, const char *aborted)
{
  FILE *tty;
  char line[64];
  size_t n;

  if (yes)
    return 0;
  tty = open_tty ();
  if (!tty)
    return ca_set_errmsg (gpg_error (GPG_ERR_CANCELED),
                          "confirmation needed but there is no terminal "
                          "(use --yes)");
  fprintf (tty, "%s ", question);
  fflush (tty);
  if (!fgets (line, sizeof line, tty))
    line[0] = 0;
  fclose (tty);
  n = strcspn (line, "\r\n");
  line[n] = 0;
  if (strcmp (line, "yes"))
    return ca_set_errmsg (gpg_error (GPG_ERR_CANCELED), "%s", aborted);
  return 0;
}


/* See cli.h.  */
gpg_error_t
cmd_ask_yes_no (const char *question, const char *no_tty, int *r_yes)
{
  FILE *tty;
  char line[64];
  size_t n;

  *r_yes = 0;
  tty = open_tty ();
  if (!tty)
    return ca_set_errmsg (gpg_error (GPG_ERR_CANCELED), "%s", no_tty);
  fprintf (tty, "%s\n", question);
  fflush (tty);
  if (!fgets (line, sizeof line, tty))
    line[0] = 0;
  fclose (tty);
  n = strcspn (line, "\r\n");
  line[n] = 0;
  *r_yes = !strcmp (line, "y");
  return 0;
}


/* Read one line (the PIN) from FP into secure memory.  */
static gpg_error_t
read_pin_line (FILE *fp, char **r_pin)
{
  char *pin;
  int c;
  size_t n = 0;

  *r_pin = NULL;
  pin = xtrymalloc_secure (128);
  if (!pin)
    return oca_error_from_errno ();
  while ((c = getc (fp)) != EOF && c != '\n')
    {
      if (n + 1 >= 128)
        {
          wipe_and_free (pin, 128);
          return gpg_error (GPG_ERR_TOO_LARGE);
        }
      pin[n++] = c;
    }
  if (n && pin[n - 1] == '\r')
    n--;
  pin[n] = 0;
  if (!n)
    {
      wipe_and_free (pin, 128);
      return gpg_error (GPG_ERR_NO_PIN);
    }
  *r_pin = pin;
  return 0;
}


/* See cli.h.  */
gpg_error_t
cmd_get_pin (const char *ident, const char *pin_file, char **r_pin)
{
  gpg_error_t err;
  FILE *fp;
  struct termios old, raw;
  int restore = 0;

  *r_pin = NULL;
  if (pin_file)
    {
      fp = strcmp (pin_file, "-") ? fopen (pin_file, "r") : stdin;
      if (!fp)
        {
          err = oca_error_from_errno ();
          return ca_set_errmsg (err, "can't open '%s': %s", pin_file,
                                gpg_strerror (err));
        }
      setvbuf (fp, NULL, _IONBF, 0);
      err = read_pin_line (fp, r_pin);
      if (fp != stdin)
        fclose (fp);
      if (err)
        return ca_set_errmsg (err, "no User PIN in '%s'", pin_file);
      return 0;
    }

  fp = open_tty ();
  if (!fp)
    return ca_set_errmsg (gpg_error (GPG_ERR_NO_PIN_ENTRY),
                          "no terminal to ask for the User PIN of OpenPGP "
                          "card %s (use --pin-file FILE)", ident);
  setvbuf (fp, NULL, _IONBF, 0);
  fprintf (fp, "Enter User PIN for OpenPGP card %s: ", ident);
  fflush (fp);
  if (!tcgetattr (fileno (fp), &old))
    {
      raw = old;
      raw.c_lflag &= ~(ECHO | ECHONL);
      raw.c_lflag |= ICANON;
      if (!tcsetattr (fileno (fp), TCSAFLUSH, &raw))
        restore = 1;
    }
  err = read_pin_line (fp, r_pin);
  if (restore)
    tcsetattr (fileno (fp), TCSAFLUSH, &old);
  fputc ('\n', fp);
  fclose (fp);
  if (err)
    return ca_set_errmsg (err, "no User PIN entered");
  return 0;
}
