/* ca-cardpool.c - several cards with the CA key signing at once
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A card CA may have backup cards that hold the same key (`ca
 * set-backend card --add').  Bulk certification uses every one that is
 * present: the pool holds one signer per card (each on a connection of
 * its own, so each card works in parallel with the others) and is
 * itself a signer that any number of threads may call.  A call takes
 * an idle card, signs with it and gives it back.  A card whose
 * signature fails (pulled out, lost card server, touch timeout,
 * rejected PIN, a signature that does not verify) is retired and the
 * signature is made again on another card; only when no card is left
 * does the call fail, with the error (and message) of the last card.
 *
 * The pool knows nothing of cards but their signers; ca-card.c opens
 * the cards.
 */
#include <config.h>
#include "ca-card.h"

#include <pthread.h>
#include <string.h>

struct ca_card_pool
{
  pthread_mutex_t lock;
  pthread_cond_t cond;
  size_t n;
  pgp_signer_t *signers;       /* Borrowed contexts.  */
  int *busy;
  int *retired;
  size_t nlive;
  gpg_error_t last_err;        /* Of the last card retired.  */
};


/* See ca-card.h.  */
gpg_error_t
ca_card_pool_new (const pgp_signer_t *signers, size_t n,
                  ca_card_pool_t **r_pool)
{
  ca_card_pool_t *pool;

  *r_pool = NULL;
  if (!n)
    return gpg_error (GPG_ERR_INV_ARG);
  pool = xtrycalloc (1, sizeof *pool);
  if (!pool)
    return oca_error_from_errno ();
  pool->signers = xtrycalloc (n, sizeof *pool->signers);
  pool->busy = xtrycalloc (n, sizeof *pool->busy);
  pool->retired = xtrycalloc (n, sizeof *pool->retired);
  if (!pool->signers || !pool->busy || !pool->retired)
    {
      gpg_error_t err = oca_error_from_errno ();

      xfree (pool->signers);
      xfree (pool->busy);
      xfree (pool->retired);
      xfree (pool);
      return err;
    }
  memcpy (pool->signers, signers, n * sizeof *signers);
  pool->n = pool->nlive = n;
  pthread_mutex_init (&pool->lock, NULL);
  pthread_cond_init (&pool->cond, NULL);
  *r_pool = pool;
  return 0;
}


/* See ca-card.h.  */
void
ca_card_pool_release (ca_card_pool_t *pool)
{
  if (!pool)
    return;
  pthread_cond_destroy (&pool->cond);
  pthread_mutex_destroy (&pool->lock);
  xfree (pool->signers);
  xfree (pool->busy);
  xfree (pool->retired);
  xfree (pool);
}


/* See ca-card.h.  */
size_t
ca_card_pool_live (ca_card_pool_t *pool)
{
  size_t n;

  pthread_mutex_lock (&pool->lock);
  n = pool->nlive;
  pthread_mutex_unlock (&pool->lock);
  return n;
}


/* The pgp_sign_fn_t of the pool.  */
static gpg_error_t
pool_sign (void *ctx, int hashalgo, const unsigned char *digest,
           size_t digestlen, pk_mpi_t sig[PK_MAX_SIG], unsigned int *r_nsig)
{
  ca_card_pool_t *pool = ctx;
  gpg_error_t err;
  size_t i;

  pthread_mutex_lock (&pool->lock);
  for (;;)
    {
      if (!pool->nlive)
        {
          err = pool->last_err;
          pthread_mutex_unlock (&pool->lock);
          return err;
        }
      for (i = 0; i < pool->n; i++)
        if (!pool->busy[i] && !pool->retired[i])
          break;
      if (i == pool->n)
        {
          pthread_cond_wait (&pool->cond, &pool->lock);
          continue;
        }
      pool->busy[i] = 1;
      pthread_mutex_unlock (&pool->lock);

      err = pool->signers[i].sign (pool->signers[i].ctx, hashalgo, digest,
                                   digestlen, sig, r_nsig);

      pthread_mutex_lock (&pool->lock);
      pool->busy[i] = 0;
      if (err)
        {
          /* This card is done for; try the next one.  */
          pool->retired[i] = 1;
          pool->nlive--;
          pool->last_err = err;
          if (pool->nlive)
            ca_warning ("%s; going on with the other card%s",
                        ca_errmsg_for (err) ? ca_errmsg_for (err)
                        : gpg_strerror (err), pool->nlive > 1 ? "s" : "");
        }
      pthread_cond_broadcast (&pool->cond);
      if (!err)
        break;
    }
  pthread_mutex_unlock (&pool->lock);
  return 0;
}


/* See ca-card.h.  */
void
ca_card_pool_signer (ca_card_pool_t *pool, pgp_signer_t *r_signer)
{
  *r_signer = pool->signers[0];
  r_signer->sign = pool_sign;
  r_signer->ctx = pool;
}
