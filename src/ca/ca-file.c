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


/* A file being written (ca_file_open).  */
struct ca_file_out
{
  char *path;                  /* Where it goes.  */
  char *tmp;                   /* The temporary file beside it.  */
  int fd;
};


/* See ca-int.h.  */
gpg_error_t
ca_file_open (const char *path, ca_file_out_t **r_f)
{
  gpg_error_t err;
  ca_file_out_t *f;
  const char *slash;

  *r_f = NULL;
  f = xtrycalloc (1, sizeof *f);
  if (!f)
    return oca_error_from_errno ();
  f->fd = -1;
  slash = strrchr (path, '/');
  f->tmp = slash ? gpgrt_bsprintf ("%.*s/.oca-tmp-XXXXXX",
                                   (int)(slash - path), path)
    : gpgrt_bsprintf (".oca-tmp-XXXXXX");
  f->path = xtrystrdup (path);
  if (!f->tmp || !f->path)
    {
      err = oca_error_from_errno ();
      gpgrt_free (f->tmp);
      xfree (f->path);
      xfree (f);
      return err;
    }
  f->fd = mkstemp (f->tmp);
  if (f->fd < 0)
    {
      err = file_errmsg ("write", path);
      gpgrt_free (f->tmp);
      xfree (f->path);
      xfree (f);
      return err;
    }
  if (fchmod (f->fd, 0644))
    {
      err = file_errmsg ("set the mode of", f->tmp);
      ca_file_abort (f);
      return err;
    }
  *r_f = f;
  return 0;
}


/* See ca-int.h.  */
gpg_error_t
ca_file_put (ca_file_out_t *f, const void *buf, size_t len)
{
  const unsigned char *p = buf;
  ssize_t n;

  while (len)
    {
      n = write (f->fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return file_errmsg ("write", f->tmp);
      p += n;
      len -= n;
    }
  return 0;
}


/* See ca-int.h.  */
const char *
ca_file_temp_name (const ca_file_out_t *f)
{
  return f->tmp;
}


/* See ca-int.h.  */
void
ca_file_abort (ca_file_out_t *f)
{
  if (!f)
    return;
  if (f->fd >= 0)
    close (f->fd);
  unlink (f->tmp);
  gpgrt_free (f->tmp);
  xfree (f->path);
  xfree (f);
}


/* See ca-int.h.  */
gpg_error_t
ca_file_commit (ca_file_out_t *f, unsigned int flags)
{
  gpg_error_t err = 0;
  int fd = f->fd;

  f->fd = -1;
  if ((flags & CA_FILE_SYNC) && fsync (fd))
    {
      err = file_errmsg ("write", f->tmp);
      close (fd);
      goto leave;
    }
  if (close (fd))
    {
      err = file_errmsg ("write", f->tmp);
      goto leave;
    }
  if (flags & CA_FILE_REPLACE)
    {
      if (rename (f->tmp, f->path))
        err = file_errmsg ("write", f->path);
    }
  else if (link (f->tmp, f->path))
    {
      if (errno == EEXIST)
        err = ca_set_errmsg (gpg_error (GPG_ERR_EEXIST),
                             "%s exists already", f->path);
      else
        err = file_errmsg ("write", f->path);
    }

 leave:
  /* After a rename the name is gone; after a link or an error it is
   * removed here.  */
  if (err || !(flags & CA_FILE_REPLACE))
    unlink (f->tmp);
  gpgrt_free (f->tmp);
  xfree (f->path);
  xfree (f);
  return err;
}


/* See ca-int.h.  */
gpg_error_t
ca_file_write (const char *path, const void *buf, size_t len,
               unsigned int flags)
{
  gpg_error_t err;
  ca_file_out_t *f;

  err = ca_file_open (path, &f);
  if (err)
    return err;
  err = ca_file_put (f, buf, len);
  if (err)
    {
      ca_file_abort (f);
      return err;
    }
  return ca_file_commit (f, flags);
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
