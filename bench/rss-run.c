/* rss-run.c - run a command; report its wall time and peak RSS
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: rss-run [-o FILE] COMMAND [ARGS...]
 *
 * Runs COMMAND (stdout to FILE with -o) and prints on stderr one line
 * "rss-run: SECONDS KIB STATUS": wall-clock seconds, the peak resident
 * set size of the command (getrusage's ru_maxrss of the child, KiB) and
 * its exit status.  Exits with the command's status.
 */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct timespec t0, t1;
  struct rusage ru;
  const char *out = NULL;
  int status, argi = 1;
  pid_t pid;

  if (argc > 2 && !strcmp (argv[1], "-o"))
    {
      out = argv[2];
      argi = 3;
    }
  if (argi >= argc)
    {
      fputs ("usage: rss-run [-o FILE] COMMAND [ARGS...]\n", stderr);
      return 2;
    }
  clock_gettime (CLOCK_MONOTONIC, &t0);
  pid = fork ();
  if (pid < 0)
    {
      perror ("rss-run: fork");
      return 2;
    }
  if (!pid)
    {
      if (out)
        {
          int fd = open (out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

          if (fd < 0 || dup2 (fd, 1) < 0)
            {
              perror ("rss-run: output file");
              _exit (127);
            }
          close (fd);
        }
      execvp (argv[argi], argv + argi);
      perror ("rss-run: exec");
      _exit (127);
    }
  if (wait4 (pid, &status, 0, &ru) < 0)
    {
      perror ("rss-run: wait4");
      return 2;
    }
  clock_gettime (CLOCK_MONOTONIC, &t1);
  fprintf (stderr, "rss-run: %.3f %ld %d\n",
           (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
           ru.ru_maxrss, WIFEXITED (status) ? WEXITSTATUS (status) : 128);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128;
}
