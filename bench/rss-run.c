/* rss-run.c - run a command; report its wall time and peak RSS
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: rss-run [-R] [-o FILE] COMMAND [ARGS...]
 *
 * Runs COMMAND (stdout to FILE with -o) and prints on stderr one line
 * "rss-run: SECONDS KIB STATUS": wall-clock seconds, the peak resident
 * set size of the command (getrusage's ru_maxrss of the child, KiB) and
 * its exit status.  Exits with the command's status.
 *
 * -R runs COMMAND with a fixed address layout (personality
 * ADDR_NO_RANDOMIZE, as `setarch -R').  A peak RSS then repeats to the
 * KiB from run to run; with address randomization the same command's
 * moves by up to about 300 KiB (where the heap and the mappings start
 * decides how many pages they touch).  Where the kernel or a seccomp
 * filter refuses it, rss-run says so on stderr ("rss-run: randomized:
 * REASON") and runs COMMAND as it is.
 */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/personality.h>
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
  int status, argi = 1, fixed = 0;
  pid_t pid;

  if (argi < argc && !strcmp (argv[argi], "-R"))
    {
      fixed = 1;
      argi++;
    }
  if (argi + 1 < argc && !strcmp (argv[argi], "-o"))
    {
      out = argv[argi + 1];
      argi += 2;
    }
  if (argi >= argc)
    {
      fputs ("usage: rss-run [-R] [-o FILE] COMMAND [ARGS...]\n", stderr);
      return 2;
    }
  if (fixed)
    {
      /* personality (0xffffffff) only reads the current persona.  */
      int cur = personality (0xffffffff);

      if (cur == -1
          || personality ((unsigned long) cur | ADDR_NO_RANDOMIZE) == -1)
        fprintf (stderr, "rss-run: randomized: %s\n", strerror (errno));
      else if (!(personality (0xffffffff) & ADDR_NO_RANDOMIZE))
        fputs ("rss-run: randomized: the persona did not change\n", stderr);
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
