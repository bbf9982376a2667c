/* t-ca-bulk.c - unit test of ca-bulk.c: certifying a keyring
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/cli/t-bulk.sh runs the command on large keyrings and checks the
 * result with gpg; here: the counts, the reports, the order, threads.
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>

/* What the callbacks saw.  */
struct seen
{
  int reports;
  int skipped_lines;
  int refused_lines;
  size_t last_done, last_total;
};

static void
report (void *opaque, const char *line)
{
  struct seen *s = opaque;

  s->reports++;
  if (!strncmp (line, "Skipped ", 8)
      && strstr (line, ": no User ID with an email in domain 'example.org'"))
    s->skipped_lines++;
  if (!strncmp (line, "Warning: not certifying User ID ", 32))
    s->refused_lines++;
}

static void
progress (void *opaque, size_t done, size_t total)
{
  struct seen *s = opaque;

  s->last_done = done;
  s->last_total = total;
}


/* The keyring: Ann, Ben, Cid (in the domain), Dee (not), Eve (only a
 * refused User ID in the domain), Ann again.  */
static unsigned char *
make_ring (size_t *r_len)
{
  static const char *const uids[][2] =
    {
      { "Ann <ann@example.org>", NULL },
      { "Ben <ben@example.org>", "Ben <ben@elsewhere.org>" },
      { "Cid <cid@EXAMPLE.org>", NULL },
      { "Dee <dee@elsewhere.org>", NULL },
      { "Eve <eve@example.org> <x@y.org>", NULL },
    };
  membuf_t mb;
  pgp_cert_t *c, *ann = NULL;
  size_t i;
  unsigned char *buf = NULL;

  *r_len = 0;
  membuf_init (&mb, 1024 * 1024, 0);
  for (i = 0; i < DIM (uids); i++)
    {
      c = tca_user_key (PGP_GEN_ED25519, (const char *const *)uids[i],
                        uids[i][1] ? 2 : 1);
      if (!c)
        return NULL;
      pgp_cert_write (c, 0, &mb);
      if (!i)
        ann = c;
      else
        pgp_cert_release (c);
    }
  pgp_cert_write (ann, 0, &mb);
  pgp_cert_release (ann);
  if (membuf_take (&mb, &buf, r_len))
    return NULL;
  return buf;
}


/* A fresh CA NAME with RING imported by NTHREADS in a transaction
 * left open; what the callbacks saw goes to SEEN.  */
static ca_t *
import_fresh (const char *name, const unsigned char *ring, size_t len,
              unsigned int nthreads, struct seen *seen, ca_bulk_stats_t *st)
{
  ca_t *ca = NULL;

  memset (seen, 0, sizeof *seen);
  ok_err (tca_make_ca (name, "example.org", PGP_GEN_ED25519, &ca),
          "%s: a CA", name);
  if (!ca)
    return NULL;
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_bulk_import (ca, ring, len, nthreads, report, progress, seen,
                          st), "%s: import with %u thread(s)", name,
          nthreads);
  return ca;
}


/* Import RING into a fresh CA NAME with NTHREADS; check the counts.  */
static void
run (const char *name, const unsigned char *ring, size_t len,
     unsigned int nthreads)
{
  ca_t *ca = NULL;
  ca_bulk_stats_t st;
  struct seen seen;
  ca_user_iter_t *it = NULL;
  const ca_user_t *u;
  char order[64] = "";

  ca = import_fresh (name, ring, len, nthreads, &seen, &st);
  if (!ca)
    return;
  ok (st.keys == 6 && st.imported == 3 && st.updated == 0
      && st.skipped == 1 && st.refused == 1 && st.certifications == 3
      && !st.partial,
      "6 keys: 3 imported, 1 skipped, 1 refused, 3 certifications");
  ok (seen.skipped_lines == 1 && seen.refused_lines == 1
      && seen.reports == 2, "one report line each for Dee and Eve");
  ok (seen.last_done == 6 && seen.last_total == 6, "progress to the end");
  ok_err (ca_commit (ca), "commit");
  if (!ca_users_open (ca, NULL, &it))
    while (!ca_users_next (it, &u))
      strncat (order, u->name ? u->name : "?", sizeof order - 1
               - strlen (order));
  ca_users_close (it);
  ok (!strcmp (order, "AnnBenCid"), "stored in keyring order (%s)", order);

  /* Again: nothing new.  */
  memset (&seen, 0, sizeof seen);
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_bulk_import (ca, ring, len, nthreads, report, NULL, &seen,
                          &st), "import again");
  ok (st.imported == 0 && st.updated == 0 && st.certifications == 0,
      "known keys get no second certification");
  ok_err (ca_commit (ca), "commit");
  ca_release (ca);
}


/* A keyring of three batches (ca_bulk_batch is set to 16) with keys
 * that occur again: X first with one User ID (key 10) and again with a
 * second one (key 18, the next batch), Y at the end of the first batch
 * and at the start of the second (identical), Z in the second and the
 * third, W twice in a row in the third.  */
#define BIG_N 40
static unsigned char *
make_big_ring (size_t *r_len)
{
  const char *xu[] = { "X <x@example.org>", "X <x2@example.org>" };
  pgp_cert_t *x = NULL, *y = NULL, *z = NULL, *w = NULL, *c;
  pgp_uid_t *second;
  membuf_t mb;
  char name[64], *uid = name;
  size_t i;
  unsigned char *buf = NULL;

  *r_len = 0;
  membuf_init (&mb, 1024 * 1024, 0);
  x = tca_user_key (PGP_GEN_ED25519, xu, 2);
  snprintf (name, sizeof name, "Y <y@example.org>");
  y = tca_user_key (PGP_GEN_ED25519, (const char *const *)&uid, 1);
  snprintf (name, sizeof name, "Z <z@example.org>");
  z = tca_user_key (PGP_GEN_ED25519, (const char *const *)&uid, 1);
  snprintf (name, sizeof name, "W <w@example.org>");
  w = tca_user_key (PGP_GEN_ED25519, (const char *const *)&uid, 1);
  if (!x || !y || !z || !w || !x->uids || !x->uids->next)
    goto leave;
  for (i = 0; i < BIG_N; i++)
    {
      switch (i)
        {
        case 10:
          /* X with its first User ID only.  */
          second = x->uids->next;
          x->uids->next = NULL;
          pgp_cert_write (x, 0, &mb);
          x->uids->next = second;
          continue;
        case 18: pgp_cert_write (x, 0, &mb); continue;
        case 15: case 16: pgp_cert_write (y, 0, &mb); continue;
        case 20: case 35: pgp_cert_write (z, 0, &mb); continue;
        case 36: case 37: pgp_cert_write (w, 0, &mb); continue;
        }
      snprintf (name, sizeof name, "U%zu <u%zu@example.org>", i, i);
      c = tca_user_key (PGP_GEN_ED25519, (const char *const *)&uid, 1);
      if (!c)
        goto leave;
      pgp_cert_write (c, 0, &mb);
      pgp_cert_release (c);
    }
  membuf_take (&mb, &buf, r_len);
 leave:
  if (!buf)
    membuf_release (&mb);
  pgp_cert_release (x);
  pgp_cert_release (y);
  pgp_cert_release (z);
  pgp_cert_release (w);
  return buf;
}


/* The big keyring into a fresh CA NAME with NTHREADS (1: a batch at a
 * time; more: the batches overlap): the same result.  */
static void
run_big (const char *name, const unsigned char *ring, size_t len,
         unsigned int nthreads)
{
  ca_t *ca = NULL;
  ca_bulk_stats_t st;
  struct seen seen;
  ca_user_iter_t *it = NULL;
  const ca_user_t *u;
  size_t users = 0, xcerts = 0;

  ca = import_fresh (name, ring, len, nthreads, &seen, &st);
  if (!ca)
    return;
  ok (st.keys == BIG_N && st.imported == BIG_N - 4 && st.updated == 1
      && st.skipped == 0 && st.refused == 0
      && st.certifications == BIG_N - 3 && !st.partial,
      "%s: %zu keys, %zu imported, %zu updated (X), %zu certifications",
      name, st.keys, st.imported, st.updated, st.certifications);
  ok (seen.reports == 0, "no report lines (%d)", seen.reports);
  ok (seen.last_done == BIG_N && seen.last_total == BIG_N,
      "progress to the end (%zu of %zu)", seen.last_done, seen.last_total);
  ok_err (ca_commit (ca), "commit");
  if (!ca_users_open (ca, NULL, &it))
    while (!ca_users_next (it, &u))
      {
        users++;
        if (u->name && !strcmp (u->name, "X"))
          xcerts = u->nemails;
      }
  ca_users_close (it);
  ok (users == BIG_N - 4, "%zu users stored once each", users);
  ok (xcerts == 2, "X with both addresses (%zu)", xcerts);
  ca_release (ca);
}


int
main (void)
{
  unsigned char *ring;
  size_t len = 0;
  ca_t *ca = NULL;
  ca_bulk_stats_t st;
  const char *uids[] = { "Dee <dee@elsewhere.org>" };
  pgp_cert_t *dee = NULL;
  unsigned char *one = NULL;
  size_t onelen = 0;
  membuf_t mb;

  tca_init ();
  ring = make_ring (&len);
  ok (ring != NULL, "a keyring of six keys");
  if (!ring)
    return tap_done ();
  run ("serial.db", ring, len, 1);
  run ("threads.db", ring, len, 4);
  {
    size_t biglen = 0;
    unsigned char *big = make_big_ring (&biglen);

    ca_bulk_batch = 16;
    ok (big != NULL, "a keyring of %d keys", BIG_N);
    if (big)
      {
        run_big ("big-serial.db", big, biglen, 1);
        run_big ("big-threads.db", big, biglen, 2);
        run_big ("big-threads4.db", big, biglen, 4);
      }
    xfree (big);
    ca_bulk_batch = 1024;
  }

  ok_err (tca_make_ca ("errors.db", "example.org", PGP_GEN_ED25519, &ca),
          "a CA");
  if (ca && !ca_begin (ca))
    {
      ok_code (ca_bulk_import (ca, ring, len / 2, 0, NULL, NULL, NULL, &st),
               GPG_ERR_TOO_SHORT, "a cut keyring: the parser's error");
      dee = tca_user_key (PGP_GEN_ED25519, uids, 1);
      membuf_init (&mb, 65536, 0);
      if (dee)
        pgp_cert_write (dee, 0, &mb);
      membuf_take (&mb, &one, &onelen);
      ok_code (ca_bulk_import (ca, one, onelen, 0, NULL, NULL, NULL, &st),
               GPG_ERR_NOT_FOUND, "nothing in the domain: an error");
      ok (ca_errmsg () && strstr (ca_errmsg (), "has an email in domain "
                                  "'example.org'"), "saying so");
    }
  ca_release (ca);
  xfree (one);
  pgp_cert_release (dee);
  xfree (ring);
  return tap_done ();
}
