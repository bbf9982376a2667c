/* ca-file.c - files the CA publishes, written whole or not at all
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What oca writes for others to read (a Web Key Directory, a keylist
 * and its signature) is never seen half-written: each file is written
 * to a temporary file beside it (".oca-tmp-XXXXXX", same directory,
 * same file system) and then renamed over the old one, or linked to
 * its name when an existing file must not be replaced.  Published
 * files are public: mode 0644, directories 0755.
 */
#include <config.h>
#include "ca-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* Record "cannot DOING PATH: <errno text>" and return the error.  */
static gpg_error_t
file_errmsg (const char *doing, const char *path)
{
  gpg_error_t err = oca_error_from_errno ();

  return ca_set_errmsg (err, "cannot %s %s: %s", doing, path,
                        gpg_strerror (err));
}


/* See ca-int.h.  */
gpg_error_t
ca_file_mkdirs (const char *path)
{
  gpg_error_t err = 0;
  char *copy, *p;
  struct stat st;

  copy = xtrystrdup (path);
  if (!copy)
    return oca_error_from_errno ();
  /* Each prefix of PATH that ends before a slash, then PATH.  */
  for (p = copy + 1; !err; p++)
    {
      char c = *p;

      if (c && c != '/')
        continue;
      *p = 0;
      if (mkdir (copy, 0755) && errno != EEXIST)
        err = file_errmsg ("create the directory", copy);
      else if (stat (copy, &st))
        err = file_errmsg ("use the directory", copy);
      else if (!S_ISDIR (st.st_mode))
        err = ca_set_errmsg (gpg_error (GPG_ERR_ENOTDIR),
                             "cannot use %s: not a directory", copy);
      *p = c;
      if (!c)
        break;
    }
  xfree (copy);
  return err;
}


/* See ca-int.h.  */
gpg_error_t
ca_file_write (const char *path, const void *buf, size_t len,
               unsigned int flags)
{
  gpg_error_t err = 0;
  char *tmp = NULL;
  const char *slash;
  const unsigned char *p = buf;
  size_t left = len;
  ssize_t n;
  int fd = -1;

  slash = strrchr (path, '/');
  tmp = slash ? gpgrt_bsprintf ("%.*s/.oca-tmp-XXXXXX",
                                (int)(slash - path), path)
    : gpgrt_bsprintf (".oca-tmp-XXXXXX");
  if (!tmp)
    return oca_error_from_errno ();
  fd = mkstemp (tmp);
  if (fd < 0)
    {
      err = file_errmsg ("write", path);
      gpgrt_free (tmp);
      return err;
    }
  if (fchmod (fd, 0644))
    {
      err = file_errmsg ("set the mode of", tmp);
      goto leave;
    }
  while (left)
    {
      n = write (fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          err = file_errmsg ("write", tmp);
          goto leave;
        }
      p += n;
      left -= n;
    }
  if ((flags & CA_FILE_SYNC) && fsync (fd))
    {
      err = file_errmsg ("write", tmp);
      goto leave;
    }
  if (close (fd))
    {
      fd = -1;
      err = file_errmsg ("write", tmp);
      goto leave;
    }
  fd = -1;
  if (flags & CA_FILE_REPLACE)
    {
      if (rename (tmp, path))
        err = file_errmsg ("write", path);
    }
  else if (link (tmp, path))
    {
      if (errno == EEXIST)
        err = ca_set_errmsg (gpg_error (GPG_ERR_EEXIST),
                             "%s exists already", path);
      else
        err = file_errmsg ("write", path);
    }

 leave:
  if (fd >= 0)
    close (fd);
  /* After a rename the name is gone; after a link or an error it is
   * removed here.  */
  if (err || !(flags & CA_FILE_REPLACE))
    unlink (tmp);
  gpgrt_free (tmp);
  return err;
}


/* See ca-int.h.  */
int
ca_file_is_temp (const char *name)
{
  return !strncmp (name, ".oca-tmp-", 9);
}


/* See ca-int.h.  */
gpg_error_t
ca_file_read (const char *path, size_t max, unsigned char **r_buf,
              size_t *r_len)
{
  gpg_error_t err = 0;
  membuf_t mb;
  unsigned char chunk[8192];
  ssize_t n;
  int fd;

  *r_buf = NULL;
  *r_len = 0;
  fd = open (path, O_RDONLY | O_NOFOLLOW);
  if (fd < 0)
    return file_errmsg ("read", path);
  membuf_init (&mb, max, 0);
  for (;;)
    {
      n = read (fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          err = file_errmsg ("read", path);
          break;
        }
      if (!n)
        break;
      membuf_put (&mb, chunk, n);
      if ((err = membuf_error (&mb)))
        {
          ca_set_errmsg (err, "cannot read %s: %s", path, gpg_strerror (err));
          break;
        }
    }
  close (fd);
  if (!err)
    err = membuf_take (&mb, r_buf, r_len);
  membuf_release (&mb);
  return err;
}
