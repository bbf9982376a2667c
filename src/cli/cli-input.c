/* cli-input.c - what the commands read: files, the terminal, PIN files
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
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
