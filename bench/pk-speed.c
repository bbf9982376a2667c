/* pk-speed.c - microbenchmark of pk_sign: ops/sec per algorithm, 1 vs 2 threads
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: pk-speed [SECONDS]
 *        pk-speed cert SECONDS VERIFIES
 *
 * The second form is the libgcrypt limit of a certification with an
 * Ed25519 CA: one pk_sign by the CA key and VERIFIES pk_verify of a
 * user's Ed25519 signature (a self-signature checked) per
 * certification, on one thread per online CPU, for about SECONDS;
 * prints "cert ed25519 THREADS threads 1 sign + VERIFIES verify: RATE"
 * (certifications per second; bench/scale compares its rates with it)
 * and "cert time: SECONDS" (the wall time of the threads' loops, which
 * bench/scale divides the CPU time pk-time.so saw in libgcrypt by).
 *
 * For each algorithm a fresh key is generated, then pk_sign runs for
 * about SECONDS (default 1) with one thread and again with two threads
 * sharing the one key (as the bulk certifier does).  Prints one line
 * per algorithm: name, 1-thread ops/s, 2-thread ops/s, speed-up.
 * This is the upper bound for certifications/second of the CA key.
 */

#include <config.h>
#include "oca-common.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pk.h"

#include <unistd.h>

struct job
{
  const pk_key_t *key;
  int hash;
  double seconds;
  unsigned long ops;
  gpg_error_t err;
};


static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
run_job (void *arg)
{
  struct job *job = arg;
  unsigned char md[64];
  pk_mpi_t sig[PK_MAX_SIG];
  unsigned int nsig, i;
  size_t mdlen = pk_hash_len (job->hash);
  double end = now () + job->seconds;

  while (now () < end)
    {
      /* Batch of 4 between clock reads.  */
      for (i = 0; i < 4; i++)
        {
          gcry_create_nonce (md, mdlen);
          job->err = pk_sign (job->key, job->hash, md, mdlen, sig, &nsig);
          if (job->err)
            return NULL;
          pk_mpi_release (&sig[0]);
          pk_mpi_release (&sig[1]);
          job->ops++;
        }
    }
  return NULL;
}

/* Run NTHREADS jobs; return total ops/s or -1 on error.  */
static double
measure (const pk_key_t *key, int hash, int nthreads, double seconds)
{
  pthread_t th[2];
  struct job jobs[2];
  double t0, t1;
  unsigned long ops = 0;
  int i;

  memset (jobs, 0, sizeof jobs);
  t0 = now ();
  for (i = 0; i < nthreads; i++)
    {
      jobs[i].key = key;
      jobs[i].hash = hash;
      jobs[i].seconds = seconds;
      if (pthread_create (&th[i], NULL, run_job, &jobs[i]))
        return -1;
    }
  for (i = 0; i < nthreads; i++)
    pthread_join (th[i], NULL);
  t1 = now ();
  for (i = 0; i < nthreads; i++)
    {
      if (jobs[i].err)
        {
          fprintf (stderr, "pk-speed: pk_sign: %s\n",
                   gpg_strerror (jobs[i].err));
          return -1;
        }
      ops += jobs[i].ops;
    }
  return ops / (t1 - t0);
}

/* One thread of the certification limit.  */
struct cert_job
{
  const pk_key_t *ca, *user;
  const unsigned char *md;     /* What USER signed (SHA-512).  */
  const pk_mpi_t *usig;
  unsigned int nusig;
  int verifies;
  double seconds;
  unsigned long ops;
  gpg_error_t err;
};

static void *
run_cert_job (void *arg)
{
  struct cert_job *job = arg;
  unsigned char md[64];
  pk_mpi_t sig[PK_MAX_SIG];
  unsigned int nsig;
  int i;
  double end = now () + job->seconds;

  while (now () < end && !job->err)
    {
      gcry_create_nonce (md, sizeof md);
      job->err = pk_sign (job->ca, PK_HASH_SHA512, md, sizeof md, sig, &nsig);
      if (job->err)
        break;
      pk_mpi_release (&sig[0]);
      pk_mpi_release (&sig[1]);
      for (i = 0; i < job->verifies && !job->err; i++)
        job->err = pk_verify (job->user, PK_HASH_SHA512, job->md, 64,
                              job->usig, job->nusig);
      job->ops++;
    }
  return NULL;
}

/* pk-speed cert SECONDS VERIFIES */
static int
cert_limit (double seconds, int verifies)
{
  pk_key_t *ca = NULL, *user = NULL;
  unsigned char md[64];
  pk_mpi_t usig[PK_MAX_SIG];
  unsigned int nusig = 0;
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  pthread_t th[64];
  struct cert_job jobs[64];
  double t0, t1;
  unsigned long ops = 0;
  gpg_error_t err;
  int i, n = ncpu < 1 ? 1 : ncpu > 64 ? 64 : (int)ncpu;

  memset (usig, 0, sizeof usig);
  err = pk_generate (PK_EDDSA, PK_CURVE_ED25519, 0, &ca);
  if (!err)
    err = pk_generate (PK_EDDSA, PK_CURVE_ED25519, 0, &user);
  gcry_create_nonce (md, sizeof md);
  if (!err)
    err = pk_sign (user, PK_HASH_SHA512, md, sizeof md, usig, &nusig);
  if (err)
    {
      fprintf (stderr, "pk-speed: %s\n", gpg_strerror (err));
      return 1;
    }
  memset (jobs, 0, sizeof jobs);
  t0 = now ();
  for (i = 0; i < n; i++)
    {
      jobs[i].ca = ca;
      jobs[i].user = user;
      jobs[i].md = md;
      jobs[i].usig = usig;
      jobs[i].nusig = nusig;
      jobs[i].verifies = verifies;
      jobs[i].seconds = seconds;
      if (pthread_create (&th[i], NULL, run_cert_job, &jobs[i]))
        return 1;
    }
  for (i = 0; i < n; i++)
    pthread_join (th[i], NULL);
  t1 = now ();
  for (i = 0; i < n; i++)
    {
      if (jobs[i].err)
        {
          fprintf (stderr, "pk-speed: %s\n", gpg_strerror (jobs[i].err));
          return 1;
        }
      ops += jobs[i].ops;
    }
  printf ("cert ed25519 %d threads 1 sign + %d verify: %.0f\n", n, verifies,
          ops / (t1 - t0));
  printf ("cert time: %.6f\n", t1 - t0);
  pk_mpi_release (&usig[0]);
  pk_mpi_release (&usig[1]);
  pk_key_release (ca);
  pk_key_release (user);
  return 0;
}


int
main (int argc, char **argv)
{
  static const struct
  {
    const char *name;
    int algo, curve;
    unsigned int nbits;
    int hash;
  } t[] =
    {
      { "rsa2048",  PK_RSA,   PK_CURVE_NONE,     2048, PK_HASH_SHA256 },
      { "rsa3072",  PK_RSA,   PK_CURVE_NONE,     3072, PK_HASH_SHA512 },
      { "rsa4096",  PK_RSA,   PK_CURVE_NONE,     4096, PK_HASH_SHA512 },
      { "ed25519",  PK_EDDSA, PK_CURVE_ED25519,  0,    PK_HASH_SHA512 },
      { "nistp256", PK_ECDSA, PK_CURVE_NISTP256, 0,    PK_HASH_SHA256 },
      { "nistp384", PK_ECDSA, PK_CURVE_NISTP384, 0,    PK_HASH_SHA384 }
    };
  double seconds = argc > 1 ? atof (argv[1]) : 1.0;
  gpg_error_t err;
  size_t i;
  int rc = 0;

  if (argc > 1 && !strcmp (argv[1], "cert"))
    seconds = argc > 2 ? atof (argv[2]) : 1.0;
  if (seconds <= 0)
    seconds = 1.0;
  err = oca_init_gcrypt (0);
  if (err)
    {
      fprintf (stderr, "pk-speed: %s\n", gpg_strerror (err));
      return 1;
    }
  if (argc > 1 && !strcmp (argv[1], "cert"))
    return cert_limit (seconds, argc > 3 ? atoi (argv[3]) : 1);
  printf ("%-9s %12s %12s %8s\n", "algo", "1 thread/s", "2 threads/s",
          "speedup");
  for (i = 0; i < DIM (t); i++)
    {
      pk_key_t *key = NULL;
      double one, two;

      err = pk_generate (t[i].algo, t[i].curve, t[i].nbits, &key);
      if (err)
        {
          fprintf (stderr, "pk-speed: generate %s: %s\n", t[i].name,
                   gpg_strerror (err));
          rc = 1;
          continue;
        }
      one = measure (key, t[i].hash, 1, seconds);
      two = measure (key, t[i].hash, 2, seconds);
      pk_key_release (key);
      if (one < 0 || two < 0)
        {
          rc = 1;
          continue;
        }
      printf ("%-9s %12.0f %12.0f %7.2fx\n", t[i].name, one, two,
              one > 0 ? two / one : 0.0);
      fflush (stdout);
    }
  return rc;
}
