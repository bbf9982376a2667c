/* pk-time.c - the CPU time a process spends in libgcrypt's public-key
 *             operations (an LD_PRELOAD shim for bench/scale)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   LD_PRELOAD=./pk-time.so PK_TIME_OUT=FILE COMMAND...
 *
 * Wraps gcry_pk_sign and gcry_pk_verify: each call is timed with its
 * thread's CPU clock (CLOCK_THREAD_CPUTIME_ID: a thread taken off its
 * core in the middle of a call is not charged for the time away), and
 * at exit one line is appended to FILE (standard error without it):
 *
 *   pk-time: sign CALLS NANOSECONDS verify CALLS NANOSECONDS
 *
 * bench/scale divides the work a run needed - its certifications
 * times the CPU cost of one signature (and one verification), both
 * measured on that run's own calls - by the cores times the run's wall
 * time: the share of the machine the run gave to the operations that
 * bound it.  Timed in the same calls at the same moments, the cost
 * moves with the machine's speed, which a limit timed seconds away
 * does not (bench/README.md).  Nothing is written for a process that
 * made no such call (rss-run around the command, for one).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>

typedef gcry_error_t (*sign_fn_t) (gcry_sexp_t *, gcry_sexp_t, gcry_sexp_t);
typedef gcry_error_t (*verify_fn_t) (gcry_sexp_t, gcry_sexp_t, gcry_sexp_t);

static sign_fn_t real_sign;
static verify_fn_t real_verify;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static unsigned long long sign_n, sign_ns, verify_n, verify_ns;

static void
resolve (void)
{
  real_sign = (sign_fn_t)dlsym (RTLD_NEXT, "gcry_pk_sign");
  real_verify = (verify_fn_t)dlsym (RTLD_NEXT, "gcry_pk_verify");
  if (!real_sign || !real_verify)
    {
      fputs ("pk-time: gcry_pk_sign/gcry_pk_verify not found\n", stderr);
      abort ();
    }
}

static unsigned long long
thread_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

gcry_error_t
gcry_pk_sign (gcry_sexp_t *r_sig, gcry_sexp_t data, gcry_sexp_t skey)
{
  unsigned long long t0;
  gcry_error_t err;

  pthread_once (&once, resolve);
  t0 = thread_ns ();
  err = real_sign (r_sig, data, skey);
  __atomic_add_fetch (&sign_ns, thread_ns () - t0, __ATOMIC_RELAXED);
  __atomic_add_fetch (&sign_n, 1, __ATOMIC_RELAXED);
  return err;
}

gcry_error_t
gcry_pk_verify (gcry_sexp_t sig, gcry_sexp_t data, gcry_sexp_t pkey)
{
  unsigned long long t0;
  gcry_error_t err;

  pthread_once (&once, resolve);
  t0 = thread_ns ();
  err = real_verify (sig, data, pkey);
  __atomic_add_fetch (&verify_ns, thread_ns () - t0, __ATOMIC_RELAXED);
  __atomic_add_fetch (&verify_n, 1, __ATOMIC_RELAXED);
  return err;
}

__attribute__ ((destructor)) static void
report (void)
{
  const char *path = getenv ("PK_TIME_OUT");
  char line[160];
  int fd = 2, n;

  if (!sign_n && !verify_n)
    return;
  n = snprintf (line, sizeof line,
                "pk-time: sign %llu %llu verify %llu %llu\n",
                sign_n, sign_ns, verify_n, verify_ns);
  if (path && *path)
    fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0 || n <= 0 || write (fd, line, (size_t)n) != n)
    fputs ("pk-time: cannot write the report\n", stderr);
  if (fd > 2)
    close (fd);
}
