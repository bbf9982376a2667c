/* replay.c - run a fuzz target on given inputs (builds without libFuzzer)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: fuzz-NAME [-OPTION...] FILE|DIR...
 * Runs LLVMFuzzerTestOneInput once on every FILE and on every regular
 * file in each DIR, in the order given (a directory's files sorted by
 * name).  Arguments starting with '-' are libFuzzer options and are
 * ignored, so the command lines of both builds are the same.  Exits
 * non-zero when an input cannot be read or none was given; a failing
 * input aborts (sanitizers, fuzz_assert).
 */
#include <config.h>
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A target may define it; libFuzzer calls it once before the inputs.  */
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

static unsigned long ninputs;

static int
run_file (const char *fname)
{
  FILE *fp;
  unsigned char *buf = NULL;
  size_t len = 0, size = 0, n;

  fp = fopen (fname, "rb");
  if (!fp)
    {
      fprintf (stderr, "replay: %s: %s\n", fname, strerror (errno));
      return -1;
    }
  for (;;)
    {
      if (len == size)
        {
          unsigned char *tmp;

          size = size ? 2 * size : 65536;
          tmp = realloc (buf, size);
          if (!tmp)
            {
              fprintf (stderr, "replay: %s: out of memory\n", fname);
              free (buf);
              fclose (fp);
              return -1;
            }
          buf = tmp;
        }
      n = fread (buf + len, 1, size - len, fp);
      if (!n)
        break;
      len += n;
    }
  if (ferror (fp))
    {
      fprintf (stderr, "replay: %s: read error\n", fname);
      free (buf);
      fclose (fp);
      return -1;
    }
  fclose (fp);
  /* An exact-size copy, so that ASan sees reads past the input.  */
  {
    unsigned char *exact = malloc (len ? len : 1);

    if (!exact)
      {
        free (buf);
        return -1;
      }
    memcpy (exact, buf, len);
    free (buf);
    LLVMFuzzerTestOneInput (exact, len);
    free (exact);
  }
  ninputs++;
  return 0;
}

static int
cmp_names (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static int
run_dir (const char *dname)
{
  DIR *dir;
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, i;
  int rc = 0;

  dir = opendir (dname);
  if (!dir)
    {
      fprintf (stderr, "replay: %s: %s\n", dname, strerror (errno));
      return -1;
    }
  while ((de = readdir (dir)))
    {
      char **tmp;
      char *path;
      struct stat st;

      if (de->d_name[0] == '.')
        continue;
      path = malloc (strlen (dname) + strlen (de->d_name) + 2);
      if (!path)
        {
          rc = -1;
          break;
        }
      sprintf (path, "%s/%s", dname, de->d_name);
      if (stat (path, &st) || !S_ISREG (st.st_mode))
        {
          free (path);
          continue;
        }
      tmp = realloc (names, (n + 1) * sizeof *names);
      if (!tmp)
        {
          free (path);
          rc = -1;
          break;
        }
      names = tmp;
      names[n++] = path;
    }
  closedir (dir);
  if (names)
    qsort (names, n, sizeof *names, cmp_names);
  for (i = 0; i < n; i++)
    {
      if (!rc && run_file (names[i]))
        rc = -1;
      free (names[i]);
    }
  free (names);
  return rc;
}

int
main (int argc, char **argv)
{
  int i, rc = 0;
  struct stat st;

  if (LLVMFuzzerInitialize)
    LLVMFuzzerInitialize (&argc, &argv);
  for (i = 1; i < argc && !rc; i++)
    {
      if (argv[i][0] == '-')
        continue;
      if (!stat (argv[i], &st) && S_ISDIR (st.st_mode))
        rc = run_dir (argv[i]);
      else
        rc = run_file (argv[i]);
    }
  if (rc)
    return 1;
  if (!ninputs)
    {
      fprintf (stderr, "replay: no input given\n");
      return 1;
    }
  printf ("replay: %lu inputs passed\n", ninputs);
  return 0;
}
