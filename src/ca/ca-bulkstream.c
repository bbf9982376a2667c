/* ca-bulkstream.c - stored certificates certified as a stream (ca renew,
 *                   ca re-certify on a softkey CA)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pipeline over the stored user certificates, in row order.  The
 * calling thread - the only one that talks to the database - reads
 * rows ahead into a ring of RING_SIZE slots; worker threads (one per
 * online CPU) take the slots in order, parse the certificates, apply
 * their verification records and certify them (ca_bulk_certify_one:
 * the signatures, the armored text, the new record), then release the
 * parsed certificate; the calling thread stores the results in row
 * order, so a batch is written, and committed, while the workers
 * already sign the next ones.  It stores them READ_BATCH at a time
 * (ca_bulk_store_group: a statement per table for the group instead
 * of one per row and table; a renewal of 100,000 gave 0.6 % more of
 * its time to the signatures), and so waits for a whole group to be
 * done before it stores.  A parsed certificate is made and freed
 * by one worker: the allocator's cost of freeing memory another
 * thread allocated was the largest part of the calling thread's work
 * when it parsed.  Nothing
 * but the order of the work differs from certifying batch by batch
 * (ca_bulk_certify_stored): the same certificates, the same
 * certifications, audit records and batches.
 *
 * With batches of their own (ca renew) the rows read ahead for a later
 * batch were read in an earlier transaction.  They are used only if no
 * other connection committed to the file in between (PRAGMA
 * data_version, read at the start of each transaction); otherwise
 * whatever was read ahead is dropped, unwritten, and read again.
 *
 * Errors are taken in row order: the first certificate that cannot be
 * read, parsed, certified or stored ends the run; with batches of
 * their own the batches before it stay committed and its own is rolled
 * back (left to the caller's ca_release).
 */
#include <config.h>
#include "ca-int.h"

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Slots read ahead: enough that the workers never run dry while the
 * calling thread commits a batch.  */
#define RING_SIZE 1024
/* ... and no more rows are read while the stored text of those read
 * ahead exceeds that many bytes (large certificates: bounded memory;
 * a parsed certificate takes about twice its text).  */
#define AHEAD_BYTES (4 * 1024 * 1024)
/* Rows read by one query (db_cert_next_batch), and read only when as
 * many slots are free (one query per row costs the calling thread more
 * than the row).  At most that many slots are stored at a time.  */
#define READ_BATCH 64
/* Upper bound on worker threads.  */
#define MAX_THREADS 64
/* Progress is reported every that many certificates.  */
#define PROGRESS_EVERY 16
/* The calling thread, waiting for the slot at HEAD, is woken when the
 * last slot in work of the next that many is done (not for each: every
 * wake-up takes a core from the workers).  */
#define WAKE_LAG 64

enum slot_state { SLOT_FREE, SLOT_QUEUED, SLOT_TAKEN, SLOT_DONE };

typedef struct slot
{
  enum slot_state state;
  db_cert_t *row;              /* Owned.  */
  int skipped;                 /* Nothing certified: inactive, revoked.  */
  ca_certify_result_t res;
  char *pub;
  char *record;
  char *msg;                   /* The error's message.  */
  size_t textlen;              /* Length of ROW's stored text.  */
  gpg_error_t err;
  int read_err;                /* ERR came from reading or parsing the
                                * row (ROW may be NULL): the run ends
                                * there.  */
} slot_t;

typedef struct stream
{
  ca_t *ca;
  const ca_stream_opts_t *o;
  pgp_signer_t signer;
  uint32_t now;                /* The time of the run's checks.  */
  slot_t ring[RING_SIZE];
  /* Slot numbers grow without bound; slot K is ring[K % RING_SIZE].
   * HEAD <= TAKE <= FILL <= HEAD + RING_SIZE: HEAD the next to store,
   * TAKE the next for a worker, FILL the next to read into.  */
  uint64_t head, take, fill;
  size_t ahead;                /* Sum of TEXTLEN from HEAD to FILL (the
                                * calling thread's).  */
  uint64_t wake;               /* The slot whose completion wakes the
                                * calling thread (set_wake).  */
  int stop;                    /* The workers end.  */
  int draining;                /* Every slot done is signalled.  */
  pthread_mutex_t lock;
  pthread_cond_t work;         /* A slot queued, or STOP.  */
  pthread_cond_t done;         /* The slot WAKE is done (with
                                * DRAINING: any slot).  */
} stream_t;


/* Free what SL holds; its state stays (a worker may read the state of
 * any slot under the lock, so it is written under the lock only).  */
static void
slot_free (slot_t *sl)
{
  db_cert_release (sl->row);
  ca_certify_result_release (&sl->res);
  xfree (sl->pub);
  xfree (sl->record);
  xfree (sl->msg);
  sl->row = NULL;
  sl->pub = sl->record = sl->msg = NULL;
}


static void
slot_clear (slot_t *sl)
{
  slot_free (sl);
  memset (sl, 0, sizeof *sl);
}


/* A worker's part of slot SL (taken): parse its row, apply the
 * verification record, certify; the parsed certificate is released
 * here, by the thread that made it.  A revoked certificate (or one
 * without a valid self-signature) is skipped with SKIP_REVOKED.  */
static gpg_error_t
certify_slot (stream_t *s, slot_t *sl)
{
  gpg_error_t err;
  pgp_cert_t *cert = NULL;
  pgp_cert_info_t info;
  db_cert_t *row = sl->row;

  err = ca_parse_stored_cert (row->pub_cert, row->fingerprint, &cert);
  if (err)
    {
      sl->read_err = 1;
      return err;
    }
  ca_verified_apply (s->ca, cert, row->pub_cert, row->verified);
  if (s->o->skip_revoked
      && (pgp_cert_get_info (cert, s->now, &info) || info.revoked))
    {
      /* Revoked (or without a valid self-signature): nothing to vouch
       * for.  */
      sl->skipped = 1;
    }
  else
    err = ca_bulk_certify_one (s->ca, cert, &s->signer, s->o->policy, 1,
                               &sl->res, &sl->pub, &sl->record);
  pgp_cert_release (cert);
  return err;
}


static void *
worker (void *arg)
{
  stream_t *s = arg;
  slot_t *sl;
  gpg_error_t err;
  uint64_t k;

  pthread_mutex_lock (&s->lock);
  for (;;)
    {
      while (!s->stop && (s->take == s->fill
                          || s->ring[s->take % RING_SIZE].state
                          != SLOT_QUEUED))
        {
          /* Slots the reader marked done (skipped) are not work.  */
          if (s->take < s->fill
              && s->ring[s->take % RING_SIZE].state == SLOT_DONE)
            {
              s->take++;
              continue;
            }
          pthread_cond_wait (&s->work, &s->lock);
        }
      if (s->stop)
        break;
      k = s->take++;
      sl = &s->ring[k % RING_SIZE];
      sl->state = SLOT_TAKEN;
      pthread_mutex_unlock (&s->lock);

      /* An error's message is this thread's (ca-msg.c), not one left
       * by an earlier slot.  */
      ca_clear_errmsg ();
      err = certify_slot (s, sl);
      if (err && ca_errmsg_for (err))
        sl->msg = xtrystrdup (ca_errmsg ());

      pthread_mutex_lock (&s->lock);
      sl->err = err;
      sl->state = SLOT_DONE;
      if (k == s->wake || s->draining)
        pthread_cond_broadcast (&s->done);
    }
  pthread_mutex_unlock (&s->lock);
  return NULL;
}


/* Choose S->wake while the slot at HEAD is in work: the last slot of
 * the next WAKE_LAG that a worker still has to finish (at least HEAD).
 * Called with S->lock held.  */
static void
set_wake (stream_t *s)
{
  uint64_t k = s->head + WAKE_LAG - 1;
  enum slot_state st;

  if (k >= s->fill)
    k = s->fill - 1;
  for (; k > s->head; k--)
    {
      st = s->ring[k % RING_SIZE].state;
      if (st == SLOT_QUEUED || st == SLOT_TAKEN)
        break;
    }
  s->wake = k;
}


/* Read rows after *AFTER into free slots, READ_BATCH at a time, while
 * that many are free, the text read ahead is below AHEAD_BYTES and rows
 * are left (else *R_EOF).  Called with S->lock not held.  A read that
 * fails becomes a last slot with the error (and its message), taken in
 * its turn.  Inactive rows are done at once (skipped); the others go
 * to the workers.  */
static void
fill_ring (stream_t *s, int64_t *after, int *r_eof)
{
  gpg_error_t err;
  ca_t *ca = s->ca;
  db_cert_t *rows[READ_BATCH], *row = NULL;
  slot_t *sl;
  size_t n, k, nq, nslots;

  while (!*r_eof && RING_SIZE - (s->fill - s->head) >= READ_BATCH
         && s->ahead < AHEAD_BYTES)
    {
      n = 0;
      nq = nslots = 0;
      err = db_cert_next_batch (ca->db, *after, READ_BATCH, rows, &n);
      if (err)
        ca_db_errmsg (ca, err, "reading the database");
      else if (n < READ_BATCH)
        *r_eof = 1;  /* Fewer than asked: the last ones.  */
      for (k = 0; k < n; k++)
        {
          row = rows[k];
          /* The slots from FILL on are the reader's alone until FILL
           * moves past them.  */
          sl = &s->ring[(s->fill + nslots) % RING_SIZE];
          *after = row->id;
          sl->row = row;
          sl->skipped = !!row->inactive;
          sl->textlen = row->pub_cert ? strlen (row->pub_cert) : 0;
          s->ahead += sl->textlen;
          nslots++;
          nq += !row->inactive;
        }
      /* The rows of this query go to the workers at once.  */
      pthread_mutex_lock (&s->lock);
      for (k = 0; k < nslots; k++)
        {
          sl = &s->ring[(s->fill + k) % RING_SIZE];
          sl->state = sl->skipped ? SLOT_DONE : SLOT_QUEUED;
        }
      s->fill += nslots;
      pthread_mutex_unlock (&s->lock);
      if (nq)
        pthread_cond_broadcast (&s->work);
      if (err)
        {
          /* The rows read before the error are queued; the error is the
           * slot after them (free: a batch stops short of READ_BATCH at an
           * error).  */
          sl = &s->ring[s->fill % RING_SIZE];
          goto read_err;
        }
    }
  return;

 read_err:
  sl->row = NULL;
  sl->err = err;
  sl->read_err = 1;
  if (ca_errmsg_for (err))
    sl->msg = xtrystrdup (ca_errmsg ());
  pthread_mutex_lock (&s->lock);
  sl->state = SLOT_DONE;
  s->fill++;
  pthread_mutex_unlock (&s->lock);
  *r_eof = 1;
}


/* The M slots at HEAD are stored (slot_free): they are free again.  */
static void
advance (stream_t *s, size_t m)
{
  size_t k;

  pthread_mutex_lock (&s->lock);
  for (k = 0; k < m; k++)
    {
      slot_t *sl = &s->ring[(s->head + k) % RING_SIZE];

      s->ahead -= sl->textlen;
      memset (sl, 0, sizeof *sl);
    }
  s->head += m;
  /* A skipped slot no worker passed yet: nothing before HEAD is
   * work.  */
  if (s->take < s->head)
    s->take = s->head;
  pthread_mutex_unlock (&s->lock);
}


/* Drop what was read ahead and not stored (waiting for the slots a
 * worker holds); the reading starts again after the row of the last
 * slot stored, *AFTER.  */
static void
drop_ahead (stream_t *s, int64_t last_stored, int64_t *after)
{
  uint64_t k;

  pthread_mutex_lock (&s->lock);
  /* No new work; wait for the slots the workers hold.  */
  s->take = s->fill;
  s->draining = 1;
  for (k = s->head; k < s->fill; k++)
    while (s->ring[k % RING_SIZE].state == SLOT_TAKEN)
      pthread_cond_wait (&s->done, &s->lock);
  s->draining = 0;
  for (k = s->head; k < s->fill; k++)
    slot_clear (&s->ring[k % RING_SIZE]);
  s->take = s->fill = s->head;
  s->ahead = 0;
  pthread_mutex_unlock (&s->lock);
  *after = last_stored;
}


/* The transaction of the next batch; *R_AHEAD_OK tells whether the
 * rows read in the one before may be used (*VERSION: its data
 * version).  */
static gpg_error_t
begin_batch (ca_t *ca, int64_t *version, int first, int *r_ahead_ok)
{
  gpg_error_t err;
  int64_t v;

  *r_ahead_ok = 1;
  err = ca_begin (ca);
  if (!err)
    err = db_data_version (ca->db, &v);
  if (err)
    return ca_db_errmsg (ca, err, "reading the database");
  if (!first && v != *version)
    *r_ahead_ok = 0;
  *version = v;
  return 0;
}


/* See ca-int.h.  */
gpg_error_t
ca_bulk_stream (ca_t *ca, const ca_stream_opts_t *o,
                ca_stream_stats_t *r_stats)
{
  gpg_error_t err;
  stream_t *s;
  pthread_t tids[MAX_THREADS];
  unsigned int nthreads = o->nthreads, nstarted = 0, i;
  ca_stream_stats_t written;
  size_t inbatch = 0, ready, need, m, k, ngroup;
  ca_bulk_store_t group[READ_BATCH];
  int64_t after = 0, last_stored = 0, version = 0;
  int eof = 0, in_txn = 0, ahead_ok;
  slot_t *sl;

  memset (r_stats, 0, sizeof *r_stats);
  memset (&written, 0, sizeof written);
  if (!ca_bulk_stream_usable (ca))
    return gpg_error (GPG_ERR_NOT_SUPPORTED);
  s = xtrycalloc (1, sizeof *s);
  if (!s)
    return oca_error_from_errno ();
  s->ca = ca;
  s->o = o;
  s->now = (uint32_t)time (NULL);
  err = ca->backend->ops->certifier (ca->backend, &s->signer);
  if (err)
    {
      xfree (s);
      return err;
    }
  pthread_mutex_init (&s->lock, NULL);
  pthread_cond_init (&s->work, NULL);
  pthread_cond_init (&s->done, NULL);
  if (!nthreads)
    {
      long n = sysconf (_SC_NPROCESSORS_ONLN);
      nthreads = n > 0 ? (unsigned int)n : 1;
    }
  if (nthreads > MAX_THREADS)
    nthreads = MAX_THREADS;
  for (i = 0; i < nthreads; i++)
    {
      if (pthread_create (&tids[i], NULL, worker, s))
        break;
      nstarted++;
    }
  if (!nstarted)
    {
      err = oca_error_from_errno ();
      goto leave;
    }

  if (o->batch)
    {
      err = begin_batch (ca, &version, 1, &ahead_ok);
      if (err)
        goto leave;
      in_txn = 1;
    }
  for (;;)
    {
      fill_ring (s, &after, &eof);
      pthread_mutex_lock (&s->lock);
      if (s->head == s->fill)
        {
          pthread_mutex_unlock (&s->lock);
          break;  /* EOF and all stored.  */
        }
      /* A whole group: the next READ_BATCH slots done (or all read,
       * at the end), so that they are stored with a statement per
       * table (a slot left in work made groups of one).  */
      need = s->fill - s->head < READ_BATCH ? s->fill - s->head : READ_BATCH;
      for (;;)
        {
          for (ready = 0; ready < need
                 && s->ring[(s->head + ready) % RING_SIZE].state == SLOT_DONE;
               ready++)
            ;
          if (ready == need)
            break;
          set_wake (s);
          pthread_cond_wait (&s->done, &s->lock);
        }
      /* The done slots from HEAD on are stored without the lock.  */
      pthread_mutex_unlock (&s->lock);

      /* The READY slots at HEAD are the calling thread's (done); they
       * are taken in order, to the end of a batch at most, and those
       * with new certifications stored as one group (ready is at most
       * READ_BATCH, a DB_STORE_GROUP).  */
      ngroup = 0;
      for (m = 0; m < ready && !(o->batch && inbatch == o->batch); m++)
        {
          sl = &s->ring[(s->head + m) % RING_SIZE];
          if (sl->read_err)
            {
              err = sl->err;
              if (sl->msg)
                ca_set_errmsg (err, "%s", sl->msg);
              goto leave;
            }
          written.certs++;
          if (sl->skipped)
            written.skipped++;
          else if (sl->err)
            {
              written.in_work = 1;
              err = ca_set_errmsg (sl->err, "error certifying %s: %s",
                                   sl->row->fingerprint,
                                   sl->msg ? sl->msg
                                   : gpg_strerror (sl->err));
              goto leave;
            }
          else
            {
              ca_bulk_report_refused (sl->row->fingerprint, sl->res.refused,
                                      o->report, o->opaque);
              if (sl->res.made)
                {
                  group[ngroup].cert_id = sl->row->id;
                  group[ngroup].fpr = sl->row->fingerprint;
                  group[ngroup].res = &sl->res;
                  group[ngroup].pub = sl->pub;
                  group[ngroup].record = sl->record;
                  ngroup++;
                  written.changed++;
                }
              inbatch++;
            }
          last_stored = sl->row->id;
          if (o->progress && !(written.certs % PROGRESS_EVERY))
            o->progress (o->opaque, written.certs, o->total);
        }
      err = ca_bulk_store_group (ca, group, ngroup, &written.certifications);
      if (err)
        {
          written.in_work = 1;
          goto leave;
        }
      for (k = 0; k < m; k++)
        slot_free (&s->ring[(s->head + k) % RING_SIZE]);
      advance (s, m);

      if (o->batch && inbatch == o->batch)
        {
          err = ca_commit (ca);
          in_txn = 0;
          if (err)
            goto leave;
          *r_stats = written;
          inbatch = 0;
          if (o->between)
            o->between (o->opaque);
          err = begin_batch (ca, &version, 0, &ahead_ok);
          if (err)
            goto leave;
          in_txn = 1;
          if (!ahead_ok)
            {
              /* Another process wrote: read again what was read
               * ahead.  */
              drop_ahead (s, last_stored, &after);
              eof = 0;
            }
        }
    }
  if (in_txn)
    {
      err = ca_commit (ca);
      in_txn = 0;
      if (err)
        goto leave;
    }
  *r_stats = written;
  if (o->progress)
    o->progress (o->opaque, o->total, o->total);

 leave:
  if (!o->batch)
    *r_stats = written;
  r_stats->in_work = written.in_work;
  pthread_mutex_lock (&s->lock);
  s->stop = 1;
  pthread_cond_broadcast (&s->work);
  pthread_mutex_unlock (&s->lock);
  for (i = 0; i < nstarted; i++)
    pthread_join (tids[i], NULL);
  for (i = 0; i < RING_SIZE; i++)
    slot_clear (&s->ring[i]);
  pthread_cond_destroy (&s->done);
  pthread_cond_destroy (&s->work);
  pthread_mutex_destroy (&s->lock);
  xfree (s);
  return err;
}
