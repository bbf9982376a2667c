/* scd-fuzz.c - run oca-scd sessions in-process (fuzz-scd, mkseeds)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>
#include "scd-fuzz.h"
#include "scd.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The allocation hooks of oca-scd: the context in secure memory.  */
static struct assuan_malloc_hooks secure_hooks =
  {
    gcry_malloc_secure, gcry_realloc, gcry_free
  };

static int
no_log_cb (assuan_context_t ctx, void *hook, unsigned int cat,
           const char *msg)
{
  (void)ctx;
  (void)hook;
  (void)cat;
  (void)msg;
  return 0;
}


void
fuzz_scd_session (const void *lines, size_t len, int outfd)
{
  static int infd = -1, nullfd = -1;
  assuan_context_t ctx = NULL;
  assuan_fd_t fds[2];
  gpg_error_t err;

  if (infd < 0)
    {
      assuan_set_gpg_err_source (GPG_ERR_SOURCE_SCD);
      assuan_set_log_cb (no_log_cb, NULL);
      infd = memfd_create ("fuzz-scd-input", 0);
      nullfd = open ("/dev/null", O_WRONLY);
      if (infd < 0 || nullfd < 0)
        {
          perror ("fuzz-scd");
          abort ();
        }
    }
  /* The input file holds exactly this session's lines.  */
  if (ftruncate (infd, 0) || (len && pwrite (infd, lines, len, 0) != (ssize_t)len)
      || lseek (infd, 0, SEEK_SET))
    {
      perror ("fuzz-scd");
      abort ();
    }
  /* The context closes its own duplicates (assuan_fdopen dups).  */
  fds[0] = assuan_fdopen (infd);
  fds[1] = assuan_fdopen (outfd >= 0 ? outfd : nullfd);
  err = assuan_new_ext (&ctx, GPG_ERR_SOURCE_SCD, &secure_hooks,
                        no_log_cb, NULL);
  if (!err)
    err = assuan_init_pipe_server (ctx, fds);
  if (!err)
    scd_command_loop (ctx, 1);
  assuan_release (ctx);

  scd_release_cards ();
  scd_shutdown_requested = 0;
}
