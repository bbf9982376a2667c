/* t-ca-bulkstream.c - unit test of ca-bulkstream.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The stream under a renewal policy in batches of two: what another
 * connection commits between two batches is seen (the rows read ahead
 * are read again), an error is taken in row order (the batches before
 * it stay), PRAGMA data_version as db_data_version reads it.
 * t-ca-renew and t-ca-recertify run it through ca_renew and
 * ca_recertify.
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>
#include <time.h>

#define DAY 86400u
#define NUSERS 6

static ca_t *ca, *ca2;
static char fprs[NUSERS][41];
static int64_t ids[NUSERS];
static int nbetween;
static int64_t between_id;
static int between_inactive;
static const char *between_text;


/* Import NUSERS keys certified for a day.  */
static gpg_error_t
import_users (void)
{
  gpg_error_t err = 0;
  char uid[80], email[64];
  const char *uids[1] = { uid };
  const char *emails[1] = { email };
  pgp_cert_t *key;
  ca_certify_result_t res;
  db_cert_t *row;
  int i;

  ca_set_validity (ca, 1);
  for (i = 0; !err && i < NUSERS; i++)
    {
      snprintf (email, sizeof email, "u%d@example.org", i);
      snprintf (uid, sizeof uid, "<%s>", email);
      key = tca_user_key (PGP_GEN_ED25519, uids, 1);
      if (!key)
        return gpg_error (GPG_ERR_GENERAL);
      pgp_cert_fpr_hex (key, fprs[i]);
      memset (&res, 0, sizeof res);
      err = ca_begin (ca);
      if (!err)
        err = ca_user_import (ca, key, NULL, emails, 1, &res);
      if (!err)
        err = ca_commit (ca);
      ca_certify_result_release (&res);
      pgp_cert_release (key);
      if (!err)
        err = db_cert_get (ca->db, fprs[i], &row);
      if (!err)
        {
          ids[i] = row->id;
          db_cert_release (row);
        }
    }
  return err;
}


/* The audit records of certifications on user I.  */
static uint64_t
records (int i)
{
  uint64_t n = 0;

  if (db_certification_count (ca->db, fprs[i], &n))
    return 0;
  return n;
}


/* Between two batches: the other connection changes the row
 * BETWEEN_ID (the first time only).  */
static void
between (void *opaque)
{
  gpg_error_t err;

  (void)opaque;
  if (nbetween++)
    return;
  err = ca_begin (ca2);
  if (!err && between_inactive)
    err = db_cert_set_inactive (ca2->db, between_id, 1);
  if (!err && between_text)
    err = db_cert_update (ca2->db, between_id, between_text);
  if (!err)
    err = ca_commit (ca2);
  ok_err (err, "another connection writes between two batches");
}


static gpg_error_t
run (ca_stream_stats_t *st)
{
  ca_policy_t policy;
  ca_stream_opts_t o;
  uint32_t now = (uint32_t)time (NULL);

  memset (&policy, 0, sizeof policy);
  policy.renew = 1;
  policy.validity = 30 * DAY;
  policy.renew_until = now + 3 * DAY;
  memset (&o, 0, sizeof o);
  o.policy = &policy;
  o.skip_revoked = 1;
  o.batch = 2;
  o.nthreads = 2;
  o.total = NUSERS;
  o.between = between;
  nbetween = 0;
  return ca_bulk_stream (ca, &o, st);
}


int
main (void)
{
  ca_opts_t opts;
  ca_stream_stats_t st;
  int64_t v1 = 0, v2 = 0, v3 = 0;
  int i, n;

  tca_init ();
  opts = tca_opts ("s.db");
  ok_err (tca_make_ca ("s.db", "example.org", PGP_GEN_ED25519, &ca), "a CA");
  if (!ca)
    return tap_done ();
  ok_err (import_users (), "%d users certified for a day", NUSERS);
  ok_err (ca_open (&opts, 0, &ca2), "a second connection");
  if (!ca2)
    return tap_done ();

  /* The data version: another connection's commit only (writes that
   * change something: SQLite leaves a page rewritten as it was).  */
  ok_err (ca_begin (ca), "begin");
  ok_err (db_data_version (ca->db, &v1), "data version");
  ok_err (db_cert_set_delisted (ca->db, ids[0], 1), "a write");
  ok_err (ca_commit (ca), "commit");
  ok_err (ca_begin (ca), "begin");
  ok_err (db_data_version (ca->db, &v2), "data version");
  ok_err (ca_commit (ca), "commit");
  ok (v1 == v2, "this connection's commit keeps it");
  ok_err (ca_begin (ca2), "begin (the other)");
  ok_err (db_cert_set_delisted (ca2->db, ids[0], 0), "a write");
  ok_err (ca_commit (ca2), "commit (the other)");
  ok_err (ca_begin (ca), "begin");
  ok_err (db_data_version (ca->db, &v3), "data version");
  ok_err (ca_commit (ca), "commit");
  ok (v3 != v2, "another connection's commit changes it");

  /* User 4 (the fifth row, read ahead in the first batch's
   * transaction) is made inactive after the first batch: not renewed.  */
  between_id = ids[4];
  between_inactive = 1;
  between_text = NULL;
  ok_err (run (&st), "renew in batches of two");
  ok (st.certs == NUSERS && st.skipped == 1 && st.changed == NUSERS - 1
      && st.certifications == NUSERS - 1,
      "the row made inactive in between is skipped (%zu %zu %zu %zu)",
      st.certs, st.skipped, st.changed, st.certifications);
  ok (nbetween == 2, "two times between three batches (%d)", nbetween);
  for (n = 0, i = 0; i < NUSERS; i++)
    n += records (i) == (i == 4 ? 1 : 2);
  ok (n == NUSERS, "a second certification on all but the inactive one");

  /* An error in row order: the fifth row's text is broken in between
   * (after the first batch; it is read again then).  The first batch
   * (rows 1 and 2; row 0 is inactive) stays; the second (rows 3 and 4:
   * the broken one) is rolled back, and nothing after it is stored.
   * On a fresh CA (all due again).  */
  ca_release (ca2);
  ca_release (ca);
  ca = ca2 = NULL;
  opts = tca_opts ("e.db");
  ok_err (tca_make_ca ("e.db", "example.org", PGP_GEN_ED25519, &ca), "a CA");
  if (!ca)
    return tap_done ();
  ok_err (import_users (), "%d users certified for a day", NUSERS);
  ok_err (ca_open (&opts, 0, &ca2), "a second connection");
  if (!ca2)
    return tap_done ();
  /* The first row is inactive: skipped before any worker looked at
   * it (once a hang).  */
  ok_err (ca_begin (ca), "begin");
  ok_err (db_cert_set_inactive (ca->db, ids[0], 1), "the first inactive");
  ok_err (ca_commit (ca), "commit");
  between_id = ids[4];
  between_inactive = 0;
  between_text = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbroken\n";
  {
    gpg_error_t err = run (&st);

    ok (err != 0, "a broken row ends it (%s)", gpg_strerror (err));
  }
  ok (ca_errmsg () && strstr (ca_errmsg (), fprs[4]),
      "the message names it: %s", ca_errmsg () ? ca_errmsg () : "");
  ok (st.changed == 2 && st.certifications == 2,
      "the first batch is counted (%zu %zu)", st.changed,
      st.certifications);
  ca_release (ca);  /* Rolls the second batch back.  */
  ca = NULL;
  ok_err (ca_open (&opts, 0, &ca), "open again");
  if (!ca)
    return tap_done ();
  ok (records (0) == 1, "the inactive one is not renewed");
  ok (records (1) == 2 && records (2) == 2, "the first batch is stored");
  ok (records (3) == 1 && records (5) == 1, "nothing after it");

  /* Broken rows one after another: the workers parse them at the same
   * time, and the run ends at the first in row order, named in its
   * message - never another broken one a worker parsed meanwhile
   * (each thread records its own message, and a slot carries its
   * worker's).  Each run is rolled back.  */
  ok_err (ca_begin (ca), "begin");
  for (i = 1; i < NUSERS; i++)
    {
      char text[96];

      snprintf (text, sizeof text,
                "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbroken %d\n", i);
      if (db_cert_update (ca->db, ids[i], text))
        break;
    }
  ok (i == NUSERS, "rows 1 to %d broken", NUSERS - 1);
  ok_err (ca_commit (ca), "commit");
  between_text = NULL;
  for (n = 0, i = 0; i < 200; i++)
    {
      ca_clear_errmsg ();
      if (run (&st) && ca_errmsg () && strstr (ca_errmsg (), fprs[1]))
        n++;
      else
        tap_diag ("run %d: %s", i, ca_errmsg () ? ca_errmsg () : "no error");
      db_rollback (ca->db);
    }
  ok (n == 200, "every run names the first broken row (%d of 200)", n);

  ca_release (ca2);
  ca_release (ca);
  return tap_done ();
}
