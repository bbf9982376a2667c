/* t-ca-bulkstream.c - unit test of ca-bulkstream.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The stream under a renewal policy in batches of two: what another
 * connection commits between two batches is seen (the rows read ahead
 * are read again), an error is taken in row order (the batches before
 * it stay), PRAGMA data_version as db_data_version reads it.
 * Then groups: a renewal of 150 certificates stores them
 * DB_STORE_GROUP at a time with a statement per table; each text,
 * verification record and audit record lands on its own row, and an
 * error in a group names the certificate that fails.  t-ca-renew and
 * t-ca-recertify run it through ca_renew and ca_recertify.
 */
#include <config.h>
#include "t-ca-support.h"
#include "t-support.h"

#include <string.h>
#include <time.h>

#define DAY 86400u
#define NUSERS 6
/* Two whole groups and a rest.  */
#define NGROUP (2 * DB_STORE_GROUP + 22)

static ca_t *ca, *ca2;
static char fprs[NUSERS][41];
static int64_t ids[NUSERS];
static int nbetween;
static int64_t between_id;
static int between_inactive;
static const char *between_text;


static char gfprs[NGROUP][41];
static int64_t gids[NGROUP];


/* Import N keys certified for a day: their fingerprints into F, their
 * rows into ID.  */
static gpg_error_t
import_into (int n, char (*f)[41], int64_t *id)
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
  for (i = 0; !err && i < n; i++)
    {
      snprintf (email, sizeof email, "u%d@example.org", i);
      snprintf (uid, sizeof uid, "<%s>", email);
      key = tca_user_key (PGP_GEN_ED25519, uids, 1);
      if (!key)
        return gpg_error (GPG_ERR_GENERAL);
      pgp_cert_fpr_hex (key, f[i]);
      memset (&res, 0, sizeof res);
      err = ca_begin (ca);
      if (!err)
        err = ca_user_import (ca, key, NULL, emails, 1, &res);
      if (!err)
        err = ca_commit (ca);
      ca_certify_result_release (&res);
      pgp_cert_release (key);
      if (!err)
        err = db_cert_get (ca->db, f[i], &row);
      if (!err)
        {
          id[i] = row->id;
          db_cert_release (row);
        }
    }
  return err;
}


static gpg_error_t
import_users (void)
{
  return import_into (NUSERS, fprs, ids);
}


/* The audit records of certifications on FPR.  */
static uint64_t
records_on (const char *fpr)
{
  uint64_t n = 0;

  if (db_certification_count (ca->db, fpr, &n))
    return 0;
  return n;
}


/* The audit records of certifications on user I.  */
static uint64_t
records (int i)
{
  return records_on (fprs[i]);
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


/* Renew the certifications due within UNTIL days, for 30 days, in
 * batches of BATCH of TOTAL; BETWEEN_FN (may be NULL) between two.  */
static gpg_error_t
stream_run (unsigned int batch, unsigned int until, size_t total,
            void (*between_fn) (void *opaque), ca_stream_stats_t *st)
{
  ca_policy_t policy;
  ca_stream_opts_t o;
  uint32_t now = (uint32_t)time (NULL);

  memset (&policy, 0, sizeof policy);
  policy.renew = 1;
  policy.validity = 30 * DAY;
  policy.renew_until = now + until * DAY;
  memset (&o, 0, sizeof o);
  o.policy = &policy;
  o.skip_revoked = 1;
  o.batch = batch;
  o.nthreads = 2;
  o.total = total;
  o.between = between_fn;
  nbetween = 0;
  return ca_bulk_stream (ca, &o, st);
}


/* The group's certifications due within UNTIL days renewed in batches
 * of BATCH.  */
static gpg_error_t
run_groups (unsigned int batch, unsigned int until, ca_stream_stats_t *st)
{
  return stream_run (batch, until, NGROUP, NULL, st);
}


/* Whether the row of user I of the group holds what was stored for
 * it: its own key in its text, a verification record of that text, and
 * as the last audit record a certification of its row and key.  */
static int
group_row_ok (int i)
{
  db_cert_t *row = NULL;
  db_certification_t *list = NULL, *last;
  pgp_cert_t *cert = NULL;
  unsigned char d[32];
  char hash[65], want[70];
  int good;

  if (db_cert_get (ca->db, gfprs[i], &row) || !row->pub_cert
      || ca_parse_stored_cert (row->pub_cert, gfprs[i], &cert))
    {
      db_cert_release (row);
      return 0;
    }
  gcry_md_hash_buffer (GCRY_MD_SHA256, d, row->pub_cert,
                       strlen (row->pub_cert));
  oca_bin2hex (d, 32, hash);
  snprintf (want, sizeof want, "v1 %s ", hash);
  good = row->id == gids[i] && row->verified
    && !strncmp (row->verified, want, strlen (want));
  if (db_certification_list (ca->db, gfprs[i], &list))
    good = 0;
  for (last = list; last && last->next; last = last->next)
    ;
  good = good && last && last->cert_id == gids[i]
    && !strcmp (last->target_fpr, gfprs[i])
    && last->kind == DB_CERTIFICATION_CERT && last->sig_hash
    && last->signature && *last->signature;
  db_certification_release (list);
  pgp_cert_release (cert);
  db_cert_release (row);
  return good;
}


/* Replace the CAs by a fresh one in NAME (*OPTS its options): 1 if
 * made.  */
static int
fresh_ca (const char *name, ca_opts_t *opts)
{
  ca_release (ca2);
  ca_release (ca);
  ca = ca2 = NULL;
  *opts = tca_opts (name);
  ok_err (tca_make_ca (name, "example.org", PGP_GEN_ED25519, &ca), "a CA");
  return ca != NULL;
}


/* The NUSERS renewed in batches of two, BETWEEN between them.  */
static gpg_error_t
run (ca_stream_stats_t *st)
{
  return stream_run (2, 3, NUSERS, between, st);
}


int
main (void)
{
  ca_opts_t opts;
  ca_stream_stats_t st;
  int64_t v1 = 0, v2 = 0, v3 = 0;
  int i, n;

  tca_init ();
  if (!fresh_ca ("s.db", &opts))
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
  if (!fresh_ca ("e.db", &opts))
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

  /* Groups: two whole ones in the first batch, the rest one by one in
   * the second.  */
  if (!fresh_ca ("g.db", &opts))
    return tap_done ();
  ok_err (import_into (NGROUP, gfprs, gids), "%d users certified for a day",
          NGROUP);
  ok_err (run_groups (2 * DB_STORE_GROUP, 3, &st), "renew %d in groups",
          NGROUP);
  ok (st.changed == NGROUP && st.certifications == NGROUP,
      "all renewed (%zu %zu)", st.changed, st.certifications);
  for (n = 0, i = 0; i < NGROUP; i++)
    n += group_row_ok (i) && records_on (gfprs[i]) == 2;
  ok (n == NGROUP, "each row holds its own text, record and audit record "
      "(%d of %d)", n, NGROUP);

  /* A row of the second group refuses its new text (a trigger of
   * another connection): the group fails, and the message names the
   * row that fails on its own.  In batches of one group: the first
   * stays, the second is rolled back.  */
  {
    gpg_error_t err;
    int bad = DB_STORE_GROUP + 6;

    ok (!tca_sql ("g.db", "CREATE TRIGGER refuse BEFORE UPDATE OF pub_cert"
                  " ON certs WHEN old.id = %lld BEGIN"
                  " SELECT RAISE (ABORT, 'refused by the test'); END;",
                  (long long)gids[bad]),
        "a trigger refuses one row's update");
    ca_clear_errmsg ();
    err = run_groups (DB_STORE_GROUP, 40, &st);
    ok (err != 0, "the group fails (%s)", gpg_strerror (err));
    ok (ca_errmsg () && strstr (ca_errmsg (), gfprs[bad])
        && strstr (ca_errmsg (), "refused by the test"),
        "the message names the row: %s", ca_errmsg () ? ca_errmsg () : "");
    ok (st.changed == DB_STORE_GROUP, "the first group is counted (%zu)",
        st.changed);
    ca_release (ca);  /* Rolls the second group back.  */
    ca = NULL;
    ok_err (ca_open (&opts, 0, &ca), "open again");
    if (!ca)
      return tap_done ();
    for (n = 0, i = 0; i < NGROUP; i++)
      n += (records_on (gfprs[i]) == (i < DB_STORE_GROUP ? 3 : 2))
        && group_row_ok (i);
    ok (n == NGROUP, "the first group renewed again, nothing after it "
        "(%d of %d)", n, NGROUP);
  }

  /* A group with one certificate without a record: stored one by one,
   * that one's old record forgotten (as ca_bulk_store_stored).  */
  {
    ca_bulk_store_t items[DB_STORE_GROUP];
    ca_certify_result_t res[DB_STORE_GROUP];
    db_cert_t *row = NULL;
    size_t made = 0;
    int good = 0;

    memset (res, 0, sizeof res);
    ok_err (ca_begin (ca), "begin");
    for (i = 0; i < DB_STORE_GROUP; i++)
      {
        items[i].cert_id = gids[i];
        items[i].fpr = gfprs[i];
        items[i].res = &res[i];
        items[i].pub = "group text";
        items[i].record = i == 9 ? NULL : "group record";
      }
    ok_err (ca_bulk_store_group (ca, items, DB_STORE_GROUP, &made),
            "a group with a certificate without a record");
    for (i = 0; i < DB_STORE_GROUP; i++, row = NULL)
      {
        good += !db_cert_get_by_id (ca->db, gids[i], &row)
          && !strcmp (row->pub_cert, "group text")
          && (i == 9 ? !row->verified
              : row->verified && !strcmp (row->verified, "group record"));
        db_cert_release (row);
      }
    ok (good == DB_STORE_GROUP, "each stored, that one's record forgotten "
        "(%d of %d)", good, DB_STORE_GROUP);
    ok_err (db_rollback (ca->db), "rollback");
  }

  ca_release (ca);
  return tap_done ();
}
