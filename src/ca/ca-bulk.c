/* ca-bulk.c - bulk certification of a keyring (user import --domain-emails)
 *             or of stored certificates (ca renew)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both run the same jobs (run_jobs); ca_bulk_certify_stored takes
 * certificates already stored and a policy of the caller's (ca-renew.c
 * walks the database in batches and commits each), ca_bulk_import a
 * keyring, as described here.
 *
 * The keyring is read a batch of BULK_BATCH keys at a time (streamed:
 * memory holds one batch, whatever the size of the keyring), keys
 * already in the database are merged with their stored copies, and
 * then the certification work (self-signature checks, signing, export)
 * is spread over one thread per online CPU.  The CA key is loaded
 * once; pk_sign is thread-safe.  When all workers are done with a
 * batch, the calling thread writes every result inside the caller's
 * single transaction, in keyring order, with the prepared statements
 * db/ caches on its handle.  Only the calling thread talks to the
 * database or reports.
 *
 * Errors.  Normally the import is all or nothing: any error leaves the
 * transaction to be rolled back.  The exception is a backend whose
 * certifier is not thread-safe (an OpenPGP card): it runs in one
 * worker, in keyring order, and stops at the first error -- or, when
 * the CA has backup cards, in one worker per card present, through the
 * backend's pool, which moves the work of a card that fails (pulled
 * out) to the others and fails only when no card is left.  If that
 * error came from the certifier's sign function (touch timeout, card
 * removed, wrong PIN, lost card server, a signature that does not
 * verify - all about the device, none about the keyring), the keys
 * before the failing one are fully certified by then and are stored;
 * the failing key and all later ones are not.  r_stats->partial tells
 * the caller to commit them before reporting the error, so a long
 * batch interrupted by a missed touch keeps its work and a re-run
 * continues (keys already certified get no second certification).
 */
#include <config.h>
#include "ca-int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Upper bound on worker threads.  */
#define MAX_THREADS 64
/* Keys read, certified and stored at a time (ca_bulk_import_stream).  */
#define BULK_BATCH 1024
/* See ca-int.h.  */
size_t ca_bulk_batch = BULK_BATCH;

typedef struct bulk_job
{
  pgp_cert_t *cert;            /* Owned; NULL for a merged duplicate.  */
  char fpr[41];
  db_cert_t *known;            /* Stored copy, or NULL if new.  */
  ca_certify_result_t res;     /* Certifications, domain emails, refused
                                * User IDs, name.  */
  char *pub;                   /* Armored result.  */
  char *record;                /* What verifying it found (ca-verified.c).  */
  gpg_error_t err;
  char *msg;                   /* ERR's message (the worker's), or NULL.  */
  int signer_failed;           /* ERR came from the signer.  */
} bulk_job_t;

typedef struct bulk_shared
{
  bulk_job_t *jobs;
  size_t njobs;
  size_t next;
  size_t done;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  pgp_signer_t signer;
  const char *ca_uid;
  const unsigned char *ca_fpr;
  const char *domain;
  const ca_policy_t *policy;   /* Stored certificates: the policy; NULL:
                                * a keyring's domain emails.  */
  uint32_t validity;           /* A keyring's: lifetime of the
                                * certifications.  */
  ca_t *ca;                    /* Read only in the workers (its cert).  */
  int progress;                /* Someone shows progress: signal every
                                * PROGRESS_EVERY jobs, not only the
                                * last.  */
} bulk_shared_t;

/* Jobs between two wake-ups of the waiting thread for progress.  */
#define PROGRESS_EVERY 16


static void
job_clear (bulk_job_t *job)
{
  pgp_cert_release (job->cert);
  db_cert_release (job->known);
  ca_certify_result_release (&job->res);
  xfree (job->pub);
  xfree (job->record);
  xfree (job->msg);
}


/* A signer wrapped to note on its job whether signing failed.  */
struct job_signer
{
  const pgp_signer_t *real;
  bulk_job_t *job;
};

static gpg_error_t
job_sign (void *ctx, int hashalgo, const unsigned char *digest,
          size_t digestlen, pk_mpi_t sig[PK_MAX_SIG], unsigned int *r_nsig)
{
  struct job_signer *js = ctx;
  gpg_error_t err;

  err = js->real->sign (js->real->ctx, hashalgo, digest, digestlen,
                        sig, r_nsig);
  if (err)
    js->job->signer_failed = 1;
  return err;
}


/* The work on one key (any thread).  */
static void
process_job (bulk_shared_t *sh, bulk_job_t *job)
{
  ca_policy_t policy;
  pgp_signer_t signer;
  struct job_signer js;

  js.real = &sh->signer;
  js.job = job;
  signer = sh->signer;
  signer.sign = job_sign;
  signer.ctx = &js;
  if (sh->policy)
    policy = *sh->policy;
  else
    {
      memset (&policy, 0, sizeof policy);
      policy.domain_emails = 1;
      policy.want_name = !job->known;
      policy.validity = sh->validity;
    }
  /* The message of an error of this job is this thread's (ca-msg.c),
   * not one left by an earlier job.  */
  ca_clear_errmsg ();
  job->err = ca_bulk_certify_one (sh->ca, job->cert, &signer, &policy,
                                  !!job->known, &job->res, &job->pub,
                                  &job->record);
  if (job->err && ca_errmsg_for (job->err))
    job->msg = xtrystrdup (ca_errmsg ());
}


/* See ca-int.h.  */
gpg_error_t
ca_bulk_certify_one (ca_t *ca, pgp_cert_t *cert, const pgp_signer_t *signer,
                     const ca_policy_t *policy, int stored,
                     ca_certify_result_t *res, char **r_pub,
                     char **r_record)
{
  gpg_error_t err;

  err = ca_certify_cert (cert, signer, ca->uid, ca->cert->primary->fpr,
                         ca->domain, policy, res);
  if (err || !res->nmatched)
    return err;
  if (stored && !res->made)
    return 0;  /* Nothing new to store.  */
  err = ca_armor_public (cert, r_pub);
  if (!err)
    err = ca_verified_record (ca, cert, *r_pub, r_record);
  return err;
}


static void *
worker (void *arg)
{
  bulk_shared_t *sh = arg;
  size_t i;

  for (;;)
    {
      pthread_mutex_lock (&sh->lock);
      i = sh->next < sh->njobs ? sh->next++ : sh->njobs;
      pthread_mutex_unlock (&sh->lock);
      if (i >= sh->njobs)
        break;
      if (sh->jobs[i].cert)
        process_job (sh, &sh->jobs[i]);
      pthread_mutex_lock (&sh->lock);
      sh->done++;
      /* Each wake-up costs the waiting thread's core a switch.  */
      if (sh->done == sh->njobs
          || (sh->progress && !(sh->done % PROGRESS_EVERY)))
        pthread_cond_signal (&sh->cond);
      pthread_mutex_unlock (&sh->lock);
    }
  return NULL;
}


static int
cmp_job_fpr (const void *a, const void *b)
{
  const bulk_job_t *const *ja = a;
  const bulk_job_t *const *jb = b;
  int r = strcmp ((*ja)->fpr, (*jb)->fpr);

  if (r)
    return r;
  return *ja < *jb ? -1 : *ja > *jb;
}


/* Merge keys that occur more than once in the keyring into their first
 * occurrence.  */
static gpg_error_t
merge_duplicates (bulk_job_t *jobs, size_t njobs)
{
  gpg_error_t err = 0;
  bulk_job_t **idx;
  size_t i, first;

  if (njobs < 2)
    return 0;
  idx = xtrycalloc (njobs, sizeof *idx);
  if (!idx)
    return oca_error_from_errno ();
  for (i = 0; i < njobs; i++)
    idx[i] = &jobs[i];
  qsort (idx, njobs, sizeof *idx, cmp_job_fpr);
  for (first = 0, i = 1; i < njobs; i++)
    {
      if (strcmp (idx[first]->fpr, idx[i]->fpr))
        {
          first = i;
          continue;
        }
      err = pgp_cert_merge (idx[first]->cert, idx[i]->cert, NULL);
      if (err)
        goto leave;
      pgp_cert_release (idx[i]->cert);
      idx[i]->cert = NULL;
    }

 leave:
  xfree (idx);
  return err;
}


/* Store the result of JOB.  */
static gpg_error_t
store_job (ca_t *ca, bulk_job_t *job, ca_bulk_stats_t *stats)
{
  gpg_error_t err;
  int64_t cert_id;
  size_t i, k;

  if (job->known)
    {
      cert_id = job->known->id;
      if (job->res.made)
        {
          err = db_cert_update (ca->db, cert_id, job->pub);
          if (err)
            goto dberr;
          err = ca_verified_store (ca, cert_id, job->record);
          if (err)
            return err;
          stats->updated++;
        }
      for (i = 0; i < job->res.nemails; i++)
        {
          for (k = 0; k < job->known->nemails; k++)
            if (!strcmp (job->known->emails[k], job->res.emails[i]))
              break;
          if (k < job->known->nemails)
            continue;
          err = db_cert_add_email (ca->db, cert_id, job->res.emails[i]);
          if (err)
            goto dberr;
        }
    }
  else
    {
      err = db_user_add (ca->db, job->res.name, job->fpr, job->pub,
                         (const char *const *)job->res.emails,
                         job->res.nemails, NULL, &cert_id);
      if (err)
        goto dberr;
      err = ca_verified_store (ca, cert_id, job->record);
      if (err)
        return err;
      stats->imported++;
    }
  for (; job->res.made; )
    {
      ca_made_sig_t *m = job->res.made;

      stats->certifications++;
      job->res.made = m->next;
      m->next = NULL;
      err = ca_record_certifications (ca, cert_id, job->fpr, m);
      ca_made_sig_release (m);
      if (err)
        return err;
    }
  return 0;

 dberr:
  return ca_set_errmsg (err, "error storing %s: %s", job->fpr,
                        db_errmsg (ca->db));
}


/* The signer of a bulk run into *R_SIGNER: the backend's pool if it
 * has one (a card CA with backup cards: *R_NPOOL threads, one per card
 * present), else its certifier.  */
static gpg_error_t
bulk_signer (ca_t *ca, pgp_signer_t *r_signer, unsigned int *r_npool)
{
  *r_npool = 0;
  if (ca->backend->ops->certifier_pool)
    return ca->backend->ops->certifier_pool (ca->backend, r_signer,
                                             r_npool);
  return ca->backend->ops->certifier (ca->backend, r_signer);
}


/* See ca-int.h.  */
int
ca_bulk_stream_usable (ca_t *ca)
{
  return ca->backend->ops->thread_safe && !ca->backend->ops->certifier_pool;
}


/* The number of worker threads for NTHREADS (0: one per online CPU)
 * and NJOBS jobs on CA's backend (NPOOL: the cards of its pool).  */
static unsigned int
job_threads (ca_t *ca, unsigned int nthreads, unsigned int npool,
             size_t njobs)
{
  if (!nthreads)
    {
      long n = sysconf (_SC_NPROCESSORS_ONLN);
      nthreads = n > 0 ? (unsigned int)n : 1;
    }
  if (nthreads > MAX_THREADS)
    nthreads = MAX_THREADS;
  if (!ca->backend->ops->thread_safe)
    nthreads = npool > 1 ? npool : 1;
  if (nthreads > njobs)
    nthreads = njobs;
  return nthreads;
}


/* Start NTHREADS (> 1) workers on SH->jobs; their ids go to TIDS and
 * their number to *R_NSTARTED (none: the work is done here, now).
 * PROGRESS: the waiting thread reports progress (jobs_wait).  */
static void
jobs_start (bulk_shared_t *sh, unsigned int nthreads, int progress,
            pthread_t *tids, unsigned int *r_nstarted)
{
  unsigned int i;

  *r_nstarted = 0;
  sh->next = sh->done = 0;
  sh->progress = progress;
  pthread_mutex_init (&sh->lock, NULL);
  pthread_cond_init (&sh->cond, NULL);
  for (i = 0; i < nthreads; i++)
    {
      if (pthread_create (&tids[i], NULL, worker, sh))
        break;
      ++*r_nstarted;
    }
  if (!*r_nstarted)
    worker (sh);  /* No threads: do it here.  */
}


/* Wait for the workers of jobs_start.  PROGRESS gets BASE + done of
 * TOTAL, where the batch counts as COUNT keys (its jobs less those that
 * were counted in a batch before).  */
static void
jobs_wait (bulk_shared_t *sh, pthread_t *tids, unsigned int nstarted,
           ca_progress_fn_t progress, void *opaque, size_t base,
           size_t count, size_t total)
{
  size_t last_done = 0;
  unsigned int i;

  pthread_mutex_lock (&sh->lock);
  while (sh->done < sh->njobs)
    {
      if (progress && sh->done != last_done)
        {
          last_done = sh->done;
          pthread_mutex_unlock (&sh->lock);
          progress (opaque, base + (last_done < count ? last_done : count),
                    total);
          pthread_mutex_lock (&sh->lock);
          continue;
        }
      pthread_cond_wait (&sh->cond, &sh->lock);
    }
  pthread_mutex_unlock (&sh->lock);
  for (i = 0; i < nstarted; i++)
    pthread_join (tids[i], NULL);
  if (progress)
    progress (opaque, base + count, total);
  pthread_cond_destroy (&sh->cond);
  pthread_mutex_destroy (&sh->lock);
}


/* Run the certification work of SH->jobs: in NTHREADS threads (0: one
 * per online CPU) if the backend allows, else in one thread per card
 * of the pool (NPOOL), else one at a time in order, stopping at the
 * first error.  PROGRESS gets BASE + done of TOTAL.  */
static void
run_jobs (ca_t *ca, bulk_shared_t *sh, unsigned int nthreads,
          unsigned int npool, ca_progress_fn_t progress, void *opaque,
          size_t base, size_t total)
{
  size_t njobs = sh->njobs, i;
  unsigned int nstarted;
  int serial_failed = 0;
  pthread_t tids[MAX_THREADS];

  nthreads = job_threads (ca, nthreads, npool, njobs);
  if (nthreads <= 1)
    {
      /* In keyring order; after the first error the later keys are
       * not tried (see the head comment).  */
      for (i = 0; i < njobs; i++)
        {
          if (sh->jobs[i].cert && !serial_failed)
            {
              process_job (sh, &sh->jobs[i]);
              if (sh->jobs[i].err)
                serial_failed = 1;
            }
          if (progress && (i + 1 == njobs || !((i + 1) % 16)))
            progress (opaque, base + i + 1, total);
        }
      return;
    }
  jobs_start (sh, nthreads, !!progress, tids, &nstarted);
  jobs_wait (sh, tids, nstarted, progress, opaque, base, njobs, total);
}


/* "Skipped" lines held back while no key has been certified yet.  */
typedef struct
{
  char **lines;
  size_t n, size;
} held_t;

/* Hold LINE (copied); 0 if it could not be (then report it).  */
static int
skipped_held (held_t *h, const char *line)
{
  char **tmp;

  if (!line)
    return 0;
  if (h->n == h->size)
    {
      tmp = xtryrealloc (h->lines, (h->size ? 2 * h->size : 16)
                         * sizeof *tmp);
      if (!tmp)
        return 0;
      h->lines = tmp;
      h->size = h->size ? 2 * h->size : 16;
    }
  if (!(h->lines[h->n] = xtrystrdup (line)))
    return 0;
  h->n++;
  return 1;
}

static void
skipped_drop (held_t *h)
{
  while (h->n)
    xfree (h->lines[--h->n]);
  xfree (h->lines);
  memset (h, 0, sizeof *h);
}

/* Report the held lines, in order.  */
static void
skipped_flush (held_t *h, ca_report_fn_t report, void *opaque)
{
  size_t i;

  for (i = 0; report && i < h->n; i++)
    report (opaque, h->lines[i]);
  skipped_drop (h);
}


/* Read up to MAX keys of RD into JOBS (public parts only); *R_N gets
 * their number (0 at the end).  */
static gpg_error_t
read_batch (pgp_cert_reader_t *rd, bulk_job_t *jobs, size_t max,
            size_t *r_n)
{
  gpg_error_t err = 0;
  pgp_cert_t *c;
  size_t n = 0;

  *r_n = 0;
  while (n < max)
    {
      err = pgp_cert_reader_next (rd, &c);
      if (gpg_err_code (err) == GPG_ERR_EOF)
        {
          err = 0;
          break;
        }
      if (err)
        break;
      if (pgp_cert_has_secret (c))
        {
          pgp_cert_t *pub;

          err = pgp_cert_copy (c, 1, &pub);
          pgp_cert_release (c);
          if (err)
            break;
          c = pub;
        }
      jobs[n].cert = c;
      pgp_cert_fpr_hex (c, jobs[n].fpr);
      n++;
    }
  *r_n = n;
  return err;
}


/* The keys of JOBS already stored (or the CA's own): continue from the
 * stored copy (or leave them out).  */
static gpg_error_t
merge_known (ca_t *ca, bulk_job_t *jobs, size_t njobs)
{
  gpg_error_t err;
  pgp_cert_t *stored;
  size_t i;

  for (i = 0; i < njobs; i++)
    {
      if (!jobs[i].cert)
        continue;
      if (!strcmp (jobs[i].fpr, ca->fpr))
        {
          pgp_cert_release (jobs[i].cert);
          jobs[i].cert = NULL;
          continue;
        }
      err = db_cert_get (ca->db, jobs[i].fpr, &jobs[i].known);
      if (gpg_err_code (err) == GPG_ERR_NOT_FOUND)
        continue;
      if (err)
        return ca_db_errmsg (ca, err, "reading the database");
      err = ca_parse_stored_cert (jobs[i].known->pub_cert,
                                  jobs[i].known->fingerprint, &stored);
      if (err)
        return err;
      ca_verified_apply (ca, stored, jobs[i].known->pub_cert,
                         jobs[i].known->verified);
      err = pgp_cert_merge (stored, jobs[i].cert, NULL);
      if (err)
        {
          pgp_cert_release (stored);
          return ca_set_errmsg (err, "error merging %s: %s", jobs[i].fpr,
                                gpg_strerror (err));
        }
      pgp_cert_release (jobs[i].cert);
      jobs[i].cert = stored;
    }
  return 0;
}


/* What the store phase of ca_bulk_import_stream counts and holds
 * across batches.  */
typedef struct
{
  ca_t *ca;
  ca_report_fn_t report;
  void *opaque;
  ca_bulk_stats_t *stats;
  held_t held;                 /* "Skipped" lines not reported yet.  */
  size_t nskipped;             /* Keys without a domain email.  */
  size_t nbefore;              /* Keys certified so far.  */
} import_run_t;


/* Report and store the results of JOBS[0..FAIL) in keyring order (FAIL:
 * the first failed key of the batch, or its size); KEEP_BEFORE: the
 * stored keys are kept although a later one failed.  */
static gpg_error_t
finish_batch (import_run_t *run, bulk_job_t *jobs, size_t fail,
              int keep_before)
{
  gpg_error_t err;
  ca_t *ca = run->ca;
  ca_bulk_stats_t *r_stats = run->stats;
  size_t i;

  /* Refused User IDs are reported (keyring order, up to the failing
   * key); keys with nothing certified are refused (some User ID that
   * mentions the domain was refused) or skipped.  */
  for (i = 0; i < fail; i++)
    {
      if (!jobs[i].cert)
        continue;
      ca_bulk_report_refused (jobs[i].fpr, jobs[i].res.refused,
                              run->report, run->opaque);
      if (jobs[i].res.nmatched)
        continue;
      if (jobs[i].res.refused)
        r_stats->refused++;
      else
        run->nskipped++;
    }

  for (i = 0; i < fail; i++)
    {
      if (!jobs[i].cert)
        continue;
      if (!jobs[i].res.nmatched)
        {
          if (jobs[i].res.refused)
            continue;
          r_stats->skipped++;
          if (run->report)
            {
              char *line = gpgrt_bsprintf ("Skipped %s: no User ID "
                                           "with an email in domain "
                                           "'%s'", jobs[i].fpr,
                                           ca->domain);

              /* Until a key is certified these may end in the error
               * that none can be: held back till then.  */
              if (run->nbefore || !skipped_held (&run->held, line))
                run->report (run->opaque, line ? line : "Skipped a key");
              gpgrt_free (line);
            }
          continue;
        }
      if (!run->nbefore)
        skipped_flush (&run->held, run->report, run->opaque);
      run->nbefore++;
      if (jobs[i].known && !jobs[i].res.made && !jobs[i].res.nemails)
        continue;
      err = store_job (ca, &jobs[i], r_stats);
      if (err)
        {
          r_stats->partial = 0;  /* Roll it all back.  */
          return err;
        }
      r_stats->partial = keep_before;
    }
  return 0;
}


/* The index of the first failed job of JOBS/NJOBS (NJOBS: none).  */
static size_t
first_failed (const bulk_job_t *jobs, size_t njobs)
{
  size_t i;

  for (i = 0; i < njobs; i++)
    if (jobs[i].err)
      break;
  return i;
}


/* Set the message of the failed job JOB; return its error.  */
static gpg_error_t
job_failed (const bulk_job_t *job)
{
  /* Keep the backend's message (e.g. a card's touch timeout), which
   * the worker kept with the job.  */
  return ca_set_errmsg (job->err, "error certifying %s: %s", job->fpr,
                        job->msg ? job->msg : gpg_strerror (job->err));
}


static int
cmp_fpr_ptr (const void *a, const void *b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}


/* Move the keys of JOBS/NJOBS that are also keys of the batch PREV/NPREV
 * - still being certified, not stored yet, so merge_known cannot find
 * them - to CARRY (*R_NCARRY of them; their slots in JOBS are left
 * empty): they go into the next batch, when PREV is stored.  */
static gpg_error_t
defer_unstored (bulk_job_t *jobs, size_t njobs, const bulk_job_t *prev,
                size_t nprev, bulk_job_t *carry, size_t *r_ncarry)
{
  const char **idx;
  const char *key;
  size_t i, n = 0;

  *r_ncarry = 0;
  if (!nprev)
    return 0;
  idx = xtrycalloc (nprev, sizeof *idx);
  if (!idx)
    return oca_error_from_errno ();
  for (i = 0; i < nprev; i++)
    if (prev[i].cert)
      idx[n++] = prev[i].fpr;
  qsort (idx, n, sizeof *idx, cmp_fpr_ptr);
  for (i = 0; i < njobs; i++)
    {
      if (!jobs[i].cert)
        continue;
      key = jobs[i].fpr;
      if (!bsearch (&key, idx, n, sizeof *idx, cmp_fpr_ptr))
        continue;
      carry[(*r_ncarry)++] = jobs[i];
      memset (&jobs[i], 0, sizeof jobs[i]);
      memcpy (jobs[i].fpr, carry[*r_ncarry - 1].fpr, sizeof jobs[i].fpr);
    }
  xfree (idx);
  return 0;
}


/* See ca.h.  The keyring is read, certified and stored a batch of
 * BULK_BATCH keys at a time: memory holds one batch (two while they
 * overlap, see below), whatever the size of the keyring; the database
 * writes of all batches go to the caller's one transaction (SQLite
 * spills them to its journal), so the import stays all or nothing.  A
 * key that occurs again in a later batch is found stored and merged
 * like any known key.
 *
 * With a backend that signs on any thread (a softkey), the batches
 * overlap: while the workers certify one batch, the calling thread
 * reads, parses and merges the next (with its stored copies) and then
 * stores the one before, so the cores sign all the time.  A key of a
 * batch that is also in the batch before (not stored yet) waits for the
 * next batch.  Otherwise (a card) a batch is read, certified and stored
 * before the next is read.  */
gpg_error_t
ca_bulk_import_stream (ca_t *ca, ca_read_fn_t read, void *read_opaque,
                       unsigned int nthreads, ca_report_fn_t report,
                       ca_progress_fn_t progress, void *opaque,
                       ca_bulk_stats_t *r_stats)
{
  gpg_error_t err;
  pgp_cert_reader_t *rd = NULL;
  bulk_job_t *bufs[2] = { NULL, NULL }, *carry = NULL, *jobs;
  size_t nb[2] = { 0, 0 }, nn[2] = { 0, 0 }, ncarry = 0, nin, nnew, njobs, i;
  size_t fail = 0, done_keys = 0, batch = ca_bulk_batch;
  unsigned int npool = 0, nworkers = 0, nstarted = 0;
  int keep_before = 0, have_signer = 0, pipe, cur = 0, active = -1;
  char *failmsg = NULL, first[41] = "";
  bulk_shared_t sh[2];
  pthread_t tids[MAX_THREADS];
  import_run_t run;

  memset (r_stats, 0, sizeof *r_stats);
  memset (sh, 0, sizeof sh);
  memset (&run, 0, sizeof run);
  if (!batch)
    batch = 1;
  run.ca = ca;
  run.report = report;
  run.opaque = opaque;
  run.stats = r_stats;
  pipe = (ca_bulk_stream_usable (ca)
          && (nworkers = job_threads (ca, nthreads, 0, batch)) > 1);
  bufs[0] = xtrycalloc (batch, sizeof *bufs[0]);
  if (pipe)
    {
      bufs[1] = xtrycalloc (batch, sizeof *bufs[1]);
      carry = xtrycalloc (batch, sizeof *carry);
    }
  if (!bufs[0] || (pipe && (!bufs[1] || !carry)))
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  err = pgp_cert_reader_new (read, read_opaque, &rd);
  if (err)
    goto leave;

  for (;;)
    {
      /* The buffer of this batch is free: the keys carried over first,
       * then the keyring's next ones.  */
      jobs = bufs[cur];
      for (i = 0; i < nb[cur]; i++)
        job_clear (&jobs[i]);
      memset (jobs, 0, batch * sizeof *jobs);
      nb[cur] = 0;
      nin = ncarry;
      if (ncarry)
        memcpy (jobs, carry, ncarry * sizeof *jobs);
      ncarry = 0;
      err = read_batch (rd, jobs + nin, batch - nin, &nnew);
      njobs = nin + nnew;
      nb[cur] = njobs;
      nn[cur] = nnew;
      if (err)
        goto leave;  /* The caller describes parse errors.  */
      if (nnew && !*first)
        memcpy (first, jobs[nin].fpr, sizeof first);
      r_stats->keys += nnew;

      if (njobs)
        {
          /* While the workers certify the batch before: only its keys
           * are not in the database yet.  */
          err = merge_duplicates (jobs, njobs);
          if (!err && pipe)
            err = defer_unstored (jobs, njobs, bufs[1 - cur], nb[1 - cur],
                                  carry, &ncarry);
          if (!err)
            err = merge_known (ca, jobs, njobs);
          if (!err && !have_signer)
            {
              uint32_t validity = 0;
              pgp_signer_t signer;

              memset (&signer, 0, sizeof signer);
              err = ca_check_not_expired (ca, 0);
              if (!err)
                err = ca_cert_lifetime (ca, &validity);
              if (!err)
                err = bulk_signer (ca, &signer, &npool);
              have_signer = !err;
              sh[0].validity = sh[1].validity = validity;
              sh[0].signer = sh[1].signer = signer;
            }
          if (err)
            goto leave;
          sh[cur].jobs = jobs;
          sh[cur].njobs = njobs;
          sh[cur].next = sh[cur].done = 0;
          sh[cur].ca_uid = ca->uid;
          sh[cur].ca_fpr = ca->cert->primary->fpr;
          sh[cur].domain = ca->domain;
          sh[cur].ca = ca;
        }

      if (pipe && active >= 0)
        {
          /* The batch before: certified, checked; stored below.  */
          jobs_wait (&sh[active], tids, nstarted, progress, opaque,
                     done_keys, nn[active], r_stats->keys);
          done_keys += nn[active];
          active = -1;
          fail = first_failed (bufs[1 - cur], nb[1 - cur]);
          if (fail < nb[1 - cur])
            {
              err = job_failed (&bufs[1 - cur][fail]);
              goto leave;
            }
        }
      if (!njobs && !(pipe && nb[1 - cur]))
        break;

      if (!pipe)
        {
          /* Progress: keys done of those read so far.  */
          run_jobs (ca, &sh[cur], nthreads, npool, progress, opaque,
                    r_stats->keys - njobs, r_stats->keys);

          fail = first_failed (jobs, njobs);
          if (fail < njobs)
            {
              err = job_failed (&jobs[fail]);
              keep_before = (!ca->backend->ops->thread_safe
                             && jobs[fail].signer_failed);
              if (!keep_before)
                goto leave;
              failmsg = xtrystrdup (ca_errmsg ());
              err = 0;
            }
          err = finish_batch (&run, jobs, fail, keep_before);
          if (err)
            goto leave;
          if (keep_before)
            break;  /* The later keys are not tried (see the head
                     * comment).  */
          continue;
        }

      /* Overlapped: the workers certify this batch while the one before
       * is stored here.  */
      if (njobs)
        {
          jobs_start (&sh[cur], nworkers < njobs ? nworkers
                      : (unsigned int)njobs, !!progress, tids, &nstarted);
          active = cur;
        }
      if (nb[1 - cur])
        {
          err = finish_batch (&run, bufs[1 - cur], nb[1 - cur], 0);
          for (i = 0; i < nb[1 - cur]; i++)
            job_clear (&bufs[1 - cur][i]);
          nb[1 - cur] = 0;
          if (err)
            goto leave;
        }
      cur = 1 - cur;
    }

  /* If no key is left, that is an error (nothing to do).  */
  if (!keep_before && run.nskipped + r_stats->refused == r_stats->keys)
    {
      skipped_drop (&run.held);
      if (r_stats->keys == 1 && r_stats->refused)
        err = ca_set_errmsg (gpg_error (GPG_ERR_INV_USER_ID),
                             "no User ID of %s in domain '%s' can be "
                             "certified", first, ca->domain);
      else if (r_stats->keys == 1)
        err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                             "no User ID of %s has an email in domain '%s'",
                             first, ca->domain);
      else if (r_stats->refused)
        err = ca_set_errmsg (gpg_error (GPG_ERR_INV_USER_ID),
                             "none of the %zu keys has a User ID in domain "
                             "'%s' that can be certified (%zu refused)",
                             r_stats->keys, ca->domain, r_stats->refused);
      else
        err = ca_set_errmsg (gpg_error (GPG_ERR_NOT_FOUND),
                             "none of the %zu keys has a User ID with an "
                             "email in domain '%s'", r_stats->keys,
                             ca->domain);
      goto leave;
    }

  if (keep_before)
    {
      /* Certifications before the failing key are kept; say so.  */
      err = bufs[cur][fail].err;
      if (!failmsg)
        ca_set_errmsg (err, "error certifying %s: %s", bufs[cur][fail].fpr,
                       gpg_strerror (err));
      else if (!run.nbefore)
        ca_set_errmsg (err, "%s", failmsg);
      else
        ca_set_errmsg (err, "%s (%zu key%s before it %s certified and "
                       "stored; re-run to continue)", failmsg, run.nbefore,
                       run.nbefore == 1 ? "" : "s",
                       run.nbefore == 1 ? "was" : "were");
    }

 leave:
  if (active >= 0)
    jobs_wait (&sh[active], tids, nstarted, NULL, NULL, 0, 0, 0);
  if (!err || keep_before)
    skipped_flush (&run.held, report, opaque);
  skipped_drop (&run.held);
  for (cur = 0; cur < 2; cur++)
    for (i = 0; bufs[cur] && i < nb[cur]; i++)
      job_clear (&bufs[cur][i]);
  for (i = 0; carry && i < ncarry; i++)
    job_clear (&carry[i]);
  xfree (bufs[0]);
  xfree (bufs[1]);
  xfree (carry);
  xfree (failmsg);
  pgp_cert_reader_release (rd);
  return err;
}


/* Reading from memory (ca_bulk_import).  */
struct mem_reader
{
  const unsigned char *p;
  size_t left;
};

static gpg_error_t
read_mem (void *opaque, void *buf, size_t size, size_t *r_n)
{
  struct mem_reader *m = opaque;
  size_t n = m->left < size ? m->left : size;

  memcpy (buf, m->p, n);
  m->p += n;
  m->left -= n;
  *r_n = n;
  return 0;
}


/* Certify and store every key of the keyring BUF/LEN.  */
gpg_error_t
ca_bulk_import (ca_t *ca, const unsigned char *buf, size_t len,
                unsigned int nthreads, ca_report_fn_t report,
                ca_progress_fn_t progress, void *opaque,
                ca_bulk_stats_t *r_stats)
{
  struct mem_reader m;

  memset (r_stats, 0, sizeof *r_stats);
  if (!buf || !len)
    return gpg_error (GPG_ERR_NO_PUBKEY);
  if (len > PGP_MAX_INPUT)
    return gpg_error (GPG_ERR_TOO_LARGE);
  m.p = buf;
  m.left = len;
  return ca_bulk_import_stream (ca, read_mem, &m, nthreads, report,
                                progress, opaque, r_stats);
}


/* See ca-int.h.  */
void
ca_bulk_report_refused (const char *fpr, const ca_refused_t *refused,
                        ca_report_fn_t report, void *opaque)
{
  const ca_refused_t *r;

  for (r = refused; r && report; r = r->next)
    {
      char *line = ca_refused_line (fpr, r);

      report (opaque, line ? line : "Warning: a User ID was refused");
      xfree (line);
    }
}


/* See ca-int.h.  */
gpg_error_t
ca_bulk_store_stored (ca_t *ca, int64_t cert_id, const char *fpr,
                      ca_certify_result_t *res, const char *pub,
                      const char *record, size_t *r_certifications)
{
  gpg_error_t err;

  err = db_cert_update (ca->db, cert_id, pub);
  if (err)
    return ca_set_errmsg (err, "error storing %s: %s", fpr,
                          db_errmsg (ca->db));
  err = ca_record_certifications (ca, cert_id, fpr, res->made);
  if (!err)
    err = ca_verified_store (ca, cert_id, record);
  if (err)
    return err;
  while (res->made)
    {
      ca_made_sig_t *m = res->made;

      res->made = m->next;
      m->next = NULL;
      ca_made_sig_release (m);
      ++*r_certifications;
    }
  return 0;
}


/* See ca-int.h.  */
gpg_error_t
ca_bulk_store_group (ca_t *ca, ca_bulk_store_t *items, size_t n,
                     size_t *r_certifications)
{
  gpg_error_t err = 0, err2;
  db_cert_store_t *st = NULL;
  db_certification_t *recs = NULL;
  const ca_made_sig_t *m;
  size_t i, k, nrecs = 0;

  for (i = 0; i < n && items[i].pub && items[i].record; i++)
    ;
  if (n < DB_STORE_GROUP || i < n)
    {
      /* Too few for a statement of their own, or one without a record
       * (ca_bulk_store_stored forgets the old one).  */
      for (i = 0; !err && i < n; i++)
        err = ca_bulk_store_stored (ca, items[i].cert_id, items[i].fpr,
                                    items[i].res, items[i].pub,
                                    items[i].record, r_certifications);
      return err;
    }
  for (i = 0; i < n; i++)
    for (m = items[i].res->made; m; m = m->next)
      nrecs++;
  st = xtrycalloc (n, sizeof *st);
  recs = xtrycalloc (nrecs + 1, sizeof *recs);
  if (!st || !recs)
    {
      err = oca_error_from_errno ();
      goto leave;
    }
  for (i = k = 0; i < n; i++)
    {
      st[i].id = items[i].cert_id;
      st[i].pub_cert = items[i].pub;
      st[i].record = items[i].record;
      for (m = items[i].res->made; m; m = m->next)
        ca_certification_rec (ca, items[i].cert_id, items[i].fpr, m,
                              &recs[k++]);
    }
  err = db_cert_store_many (ca->db, st, n);
  if (!err)
    err = db_certification_insert_many (ca->db, recs, nrecs);
  if (err)
    {
      /* Which one: each again on its own, for its message (what the
       * group stored before the error stays; the caller rolls the
       * transaction back).  */
      ca_db_errmsg (ca, err, "storing the certificates");
      for (i = 0; i < n; i++)
        if ((err2 = ca_bulk_store_stored (ca, items[i].cert_id, items[i].fpr,
                                          items[i].res, items[i].pub,
                                          items[i].record,
                                          r_certifications)))
          {
            err = err2;
            break;
          }
      goto leave;
    }
  for (i = 0; i < n; i++)
    while (items[i].res->made)
      {
        ca_made_sig_t *made = items[i].res->made;

        items[i].res->made = made->next;
        made->next = NULL;
        ca_made_sig_release (made);
        ++*r_certifications;
      }

 leave:
  xfree (recs);
  xfree (st);
  return err;
}


/* See ca-int.h.  */
gpg_error_t
ca_bulk_certify_stored (ca_t *ca, db_cert_t **rows, pgp_cert_t **certs,
                        size_t n, const ca_policy_t *policy,
                        unsigned int nthreads, ca_report_fn_t report,
                        ca_progress_fn_t progress, void *opaque,
                        size_t base, size_t total, ca_bulk_result_t *r_res)
{
  gpg_error_t err = 0;
  bulk_job_t *jobs = NULL;
  bulk_shared_t sh;
  size_t i, fail;
  unsigned int npool = 0;
  int keep_before;

  memset (r_res, 0, sizeof *r_res);
  memset (&sh, 0, sizeof sh);
  if (!n)
    return 0;
  jobs = xtrycalloc (n, sizeof *jobs);
  if (!jobs)
    return oca_error_from_errno ();
  for (i = 0; i < n; i++)
    {
      jobs[i].cert = certs[i];       /* Borrowed.  */
      jobs[i].known = rows[i];
      snprintf (jobs[i].fpr, sizeof jobs[i].fpr, "%s", rows[i]->fingerprint);
    }
  err = bulk_signer (ca, &sh.signer, &npool);
  if (err)
    goto leave;
  sh.jobs = jobs;
  sh.njobs = n;
  sh.ca_uid = ca->uid;
  sh.ca_fpr = ca->cert->primary->fpr;
  sh.domain = ca->domain;
  sh.policy = policy;
  sh.ca = ca;
  run_jobs (ca, &sh, nthreads, npool, progress, opaque, base, total);

  fail = first_failed (jobs, n);
  keep_before = (fail < n && !ca->backend->ops->thread_safe
                 && jobs[fail].signer_failed);
  if (fail < n && !keep_before)
    {
      err = job_failed (&jobs[fail]);
      goto leave;
    }

  for (i = 0; i < fail; i++)
    {
      ca_bulk_report_refused (jobs[i].fpr, jobs[i].res.refused, report,
                              opaque);
      if (!jobs[i].res.made)
        continue;
      err = ca_bulk_store_stored (ca, rows[i]->id, jobs[i].fpr,
                                  &jobs[i].res, jobs[i].pub, jobs[i].record,
                                  &r_res->certifications);
      if (err)
        goto leave;
      r_res->changed++;
    }
  r_res->done = fail;
  if (fail < n)
    err = job_failed (&jobs[fail]);

 leave:
  for (i = 0; i < n; i++)
    {
      jobs[i].cert = NULL;
      jobs[i].known = NULL;
      job_clear (&jobs[i]);
    }
  xfree (jobs);
  return err;
}
