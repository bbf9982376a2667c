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

  memset (&seen, 0, sizeof seen);
  ok_err (tca_make_ca (name, "example.org", PGP_GEN_ED25519, &ca),
          "%s: a CA", name);
  if (!ca)
    return;
  ok_err (ca_begin (ca), "begin");
  ok_err (ca_bulk_import (ca, ring, len, nthreads, report, progress, &seen,
                          &st), "%s: import with %u thread(s)", name,
          nthreads);
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
